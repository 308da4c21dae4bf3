"""Provinces and wards from the `vietnam-provinces` package, and accent-insensitive search over places.

Ward search also knows the names from before the July 2025 reform ("Phường 4, TP Cao Lãnh", "thị trấn Cành
Nàng"): the official old→new mapping of the `vietnamadminunits` package is read once, in a worker thread, the
first time it is needed (or at start-up through `warm_old_names`), and kept in memory (see `OldNames`).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging
import re
import sqlite3
import threading
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import N_, _
from bot.textnorm import fold, matches, place_key
from models import Area, Group, Province, Ward

log = logging.getLogger(__name__)


def province_display(name: str, division_type: str) -> str:
    """ "Đồng Tháp" (tỉnh) → "Tỉnh Đồng Tháp"; names of cities already carry "Thành phố"."""
    if fold(name).startswith("thanh pho"):
        return name
    return f"{division_type.capitalize()} {name}" if division_type == "tỉnh" else name


async def seed(session: AsyncSession) -> tuple[int, int]:
    """Load every province and ward (idempotent: existing codes are updated in place). Returns the counts."""
    import vietnam_provinces as vp

    provinces = list(vp.Province.iter_all())
    wards = list(vp.Ward.iter_all())
    existing_p = {p.code: p for p in (await session.exec(select(Province))).all()}
    existing_w = {w.code: w for w in (await session.exec(select(Ward))).all()}
    for p in provinces:
        name = province_display(p.name, p.division_type.value)
        province = existing_p.get(int(p.code)) or Province(
            code=int(p.code), name=name, name_folded=fold(name)
        )
        province.name, province.name_folded = name, fold(name)
        session.add(province)
    await session.flush()
    for w in wards:
        row = existing_w.get(int(w.code)) or Ward(
            code=int(w.code),
            province_code=int(w.province_code),
            name=w.name,
            kind=w.division_type.value,
            name_folded=fold(w.name),
        )
        row.name, row.kind, row.name_folded = w.name, w.division_type.value, fold(w.name)
        row.province_code = int(w.province_code)
        session.add(row)
    await session.commit()
    return len(provinces), len(wards)


# A commune-level unit is a xã, a phường or a đặc khu (special zone: an island commune). A text about a known ward
# says its own kind ("Toàn đặc khu", "công an phường"); one about wards in general names the three, in one order.
KIND_WORDS = {"xã": N_("commune"), "phường": N_("ward"), "đặc khu": N_("special zone")}
ANY_KIND = N_("commune, ward or special zone")


def kind_word(kind: str | None) -> str:
    """The ward's own kind in the current language ("phường" / "ward"); an unknown kind names all three."""
    return _(KIND_WORDS[kind]) if kind in KIND_WORDS else _(ANY_KIND)


async def ward_kind(session: AsyncSession, code: int | None) -> str | None:
    """The ward's kind as the ward table holds it ("xã", "phường", "đặc khu"), or None for no such ward."""
    ward = await session.get(Ward, code) if code is not None else None
    return ward.kind if ward is not None else None


async def ward_kind_word(session: AsyncSession, code: int | None) -> str:
    """`kind_word` of the ward with this code."""
    return kind_word(await ward_kind(session, code))


async def ward_count(session: AsyncSession) -> int:
    return int((await session.exec(select(func.count()).select_from(Ward))).one())


@dataclass(frozen=True)
class OldName:
    """A commune-level unit from before the July 2025 reform, as a resident may still call it."""

    name: str  # "Phường 4"
    district: str  # "Thành phố Cao Lãnh"
    province: str  # "Tỉnh Đồng Tháp"
    part: bool  # it was split, and only part of it went into each new ward
    bare: tuple[str, ...]  # folded words of the name without its kind: ("4",), ("canh", "nang")
    haystack: tuple[str, ...]  # folded words of name, district and province, with "tp", "tx", "tt" for short

    def shown(self, new_province: str) -> str:
        """ "Phường 4, Thành phố Cao Lãnh", with the old province when the ward has changed province."""
        text = f"{self.name}, {self.district}"
        if _province_bare(self.province) != _province_bare(new_province):
            text += f", {self.province}"
        return text


class WardHit(tuple[Ward, Province]):
    """A ward search result. It unpacks as (ward, province) like the plain pairs it replaces; `formerly` is the
    old name it was found by, when it was found only by a name from before the 2025 reform."""

    formerly: OldName | None

    def __new__(cls, ward: Ward, province: Province, formerly: OldName | None = None) -> WardHit:
        hit = super().__new__(cls, (ward, province))
        hit.formerly = formerly
        return hit

    @property
    def ward(self) -> Ward:
        return self[0]

    @property
    def province(self) -> Province:
        return self[1]

    @property
    def label(self) -> str:
        return ward_label(self[0], self[1], self.formerly)


async def search_wards(session: AsyncSession, query: str, limit: int = 8) -> list[WardHit]:
    """Wards whose name (or "ward, province") matches every typed word, accents ignored; exact names first.
    Then wards found by a name from before the 2025 reform, each labelled with that name (see `ward_label`)."""
    words = fold(query).split()
    if not words:
        return []
    # Narrow in SQL on the longest word, then check every word (against ward and province) in Python.
    longest = max(words, key=len)
    rows = (
        await session.exec(
            select(Ward, Province)
            .join(Province, col(Province.code) == col(Ward.province_code))
            .where(col(Ward.name_folded).contains(longest) | col(Province.name_folded).contains(longest))
        )
    ).all()
    folded_query = " ".join(words)
    hits = [(w, p) for w, p in rows if matches(query, f"{w.name_folded} {p.name_folded}")]

    def rank(item: tuple[Ward, Province]) -> tuple[int, int, str, int]:
        w, _p = item
        bare = w.name_folded.removeprefix("phuong ").removeprefix("xa ").removeprefix("dac khu ")
        exact = 0 if folded_query in (w.name_folded, bare) else 1
        return exact, len(w.name_folded), w.name_folded, w.code  # the code: the same order on every database

    found = [WardHit(w, p) for w, p in sorted(hits, key=rank)[:limit]]
    if len(found) < limit:
        found += await _search_old_names(session, query, limit - len(found), {w.code for w, _p in found})
    return found


def ward_label(ward: Ward, province: Province, formerly: OldName | None = None) -> str:
    """ "Phường Cao Lãnh, Tỉnh Đồng Tháp", and "(formerly: Phường 4, Thành phố Cao Lãnh)" when found so."""
    label = f"{ward.name}, {province.name}"
    if formerly is None:
        return label
    if formerly.part:
        return _("{ward} (formerly part of {old})").format(ward=label, old=formerly.shown(province.name))
    return _("{ward} (formerly: {old})").format(ward=label, old=formerly.shown(province.name))


# Old names are typed as people wrote them for years: "p4", "q10" are split so the number is a word of its own.
_GLUED_NUMBER = re.compile(r"\b([a-z]{1,2})(\d{1,3})\b")
_KIND_WORDS = {"phuong", "xa", "thi", "tran", "tt", "p", "x", "dac", "khu"}
_SHORT = {"thanh pho": "tp", "thi xa": "tx", "thi tran": "tt"}
_KINDS = ("phuong ", "xa ", "thi tran ", "dac khu ")


def _province_bare(name: str) -> str:
    return fold(name).removeprefix("thanh pho ").removeprefix("tinh ").removeprefix("tp ")


@dataclass(frozen=True)
class OldNames:
    """Every pre-2025 commune-level unit and the codes of the wards (of `vietnam-provinces`) it went into, with
    a word index: the folded words of all the units, sorted, so that a typed prefix is a range of it."""

    entries: tuple[OldName, ...]
    targets: tuple[tuple[int, ...], ...]  # parallel to entries
    words: tuple[str, ...]
    postings: dict[str, tuple[int, ...]]  # word -> the entries that hold it

    @classmethod
    def build(cls, found: list[tuple[OldName, tuple[int, ...]]]) -> OldNames:
        postings: dict[str, list[int]] = {}
        for i, (entry, _codes) in enumerate(found):
            for word in set(entry.haystack):
                postings.setdefault(word, []).append(i)
        return cls(
            tuple(entry for entry, _codes in found),
            tuple(codes for _entry, codes in found),
            tuple(sorted(postings)),
            {word: tuple(ids) for word, ids in postings.items()},
        )

    def _prefixed(self, prefix: str) -> set[int]:
        ids: set[int] = set()
        i = bisect_left(self.words, prefix)
        while i < len(self.words) and self.words[i].startswith(prefix):
            ids.update(self.postings[self.words[i]])
            i += 1
        return ids

    def search(self, query: str) -> list[tuple[OldName, tuple[int, ...]]]:
        """Units whose name, district and province hold every typed word (as a word prefix) and whose own name
        holds at least one of them; those named in full come first."""
        words = _GLUED_NUMBER.sub(r"\1 \2", fold(query)).split()
        naming = [w for w in words if w not in _KIND_WORDS]
        if not naming:
            return []
        ids: set[int] | None = None
        for word in sorted(set(words), key=len, reverse=True):
            ids = self._prefixed(word) if ids is None else ids & self._prefixed(word)
            if not ids:
                return []
        typed = f" {' '.join(words)} "
        scored = []
        for i in ids or ():
            entry = self.entries[i]
            in_name = [w for w in naming if any(b.startswith(w) for b in entry.bare)]
            if not in_name:
                continue
            # Best: the old name holds every word typed for it; then: it was typed in full, in its order; then: in
            # full, in another order; then the shortest.
            explained = 0 if len(in_name) == len(naming) else 1
            phrase = 0 if f" {' '.join(entry.bare)} " in typed else 1
            whole = 0 if all(b in words for b in entry.bare) else 1
            key = (explained, phrase, whole, len(entry.haystack), entry.haystack)
            scored.append((key, entry, self.targets[i]))
        scored.sort(key=lambda item: item[0])
        return [(entry, targets) for _score, entry, targets in scored]


_old_names: OldNames | None = None
_old_names_lock = threading.Lock()


def old_names() -> OldNames:
    """The old-name index, built on first use (a fraction of a second: keep it off the event loop)."""
    global _old_names
    with _old_names_lock:
        if _old_names is None:
            try:
                _old_names = _load_old_names()
            except (OSError, LookupError, ValueError, sqlite3.Error):
                # Search by today's names must keep working whatever happened to the package's data.
                log.exception(
                    "names from before the 2025 reform could not be loaded; searching new names only"
                )
                _old_names = OldNames.build([])
        return _old_names


async def warm_old_names() -> None:
    """Build the old-name index in a worker thread (at start-up, so that no resident waits for it)."""
    await asyncio.to_thread(old_names)


def _load_old_names() -> OldNames:
    import vietnam_provinces as vp

    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise LookupError("the vietnamadminunits package is not installed")
    # Its data files are read directly: importing the package would load its address parser and geocoder.
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    with (data / "converter_2025.json").open(encoding="utf-8") as fh:
        mapping = json.load(fh)
    conn = sqlite3.connect(f"{(data / 'dataset.db').as_uri()}?mode=ro", uri=True)
    try:
        new_rows = conn.execute("SELECT provinceKey, wardKey, provinceCode, wardCode, ward FROM admin_units")
        new = {(pk, wk): (int(pc), int(wc), name) for pk, wk, pc, wc, name in new_rows}
        old_rows = conn.execute(
            "SELECT provinceKey, districtKey, wardKey, ward, district, province FROM admin_units_legacy"
        )
        old = {
            f"{pk}_{dk}_{wk}": (ward, district, province) for pk, dk, wk, ward, district, province in old_rows
        }
    finally:
        conn.close()

    # The package's new wards carry codes that differ from vietnam-provinces' (the ward table's) for about a
    # hundred wards, so they are matched by province and name, the code deciding between two of the same name.
    memo: dict[str, str] = {}

    def folded(text: str) -> str:
        if text not in memo:
            memo[text] = fold(text)
        return memo[text]

    ours: dict[tuple[int, str], list[int]] = {}
    for w in vp.Ward.iter_all():
        ours.setdefault((int(w.province_code), folded(w.name)), []).append(int(w.code))

    def our_code(province_key: str, ward_key: str) -> int | None:
        province_code, code, name = new[(province_key, ward_key)]
        candidates = ours.get((province_code, folded(name)), [])
        if code in candidates:
            return code
        return candidates[0] if len(candidates) == 1 else None

    went: dict[str, set[int]] = {}
    split: set[str] = set()
    unmatched = 0
    for province_key, wards in mapping["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, old_keys in wards.items():
            code = our_code(province_key, ward_key)
            unmatched += code is None
            for old_key in old_keys:
                if code is not None:
                    went.setdefault(old_key, set()).add(code)
    for province_key, olds in mapping["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in olds.items():
            split.add(old_key)
            for part in parts:
                code = our_code(province_key, part["newWardKey"])
                unmatched += code is None
                if code is not None:
                    went.setdefault(old_key, set()).add(code)

    found = []
    for old_key, codes in went.items():
        if old_key not in old:
            continue  # island districts without wards: today's special zones (đặc khu) kept their names
        name, district, province = old[old_key]
        folded_name = folded(name)
        haystack = f"{folded_name} {folded(district)} {folded(province)}"
        extra = [short for long, short in _SHORT.items() if long in haystack]
        bare = folded_name
        for kind in _KINDS:
            bare = bare.removeprefix(kind)
        entry = OldName(
            name, district, province, old_key in split, tuple(bare.split()), tuple(haystack.split() + extra)
        )
        found.append((entry, tuple(sorted(codes))))
    if unmatched:
        log.warning("%d new wards of the old-name mapping match no ward of vietnam-provinces", unmatched)
    return OldNames.build(found)


async def _search_old_names(session: AsyncSession, query: str, limit: int, seen: set[int]) -> list[WardHit]:
    index = _old_names if _old_names is not None else await asyncio.to_thread(old_names)
    best: dict[int, OldName] = {}  # each new ward once, with the best-ranked old name that led to it
    for entry, codes in index.search(query):
        for code in codes:
            if code not in seen and code not in best:
                best[code] = entry
        if len(best) >= limit:
            break
    if not best:
        return []
    wanted = list(best)[:limit]
    rows = (
        await session.exec(
            select(Ward, Province)
            .join(Province, col(Province.code) == col(Ward.province_code))
            .where(col(Ward.code).in_(wanted))
        )
    ).all()
    by_code = {w.code: (w, p) for w, p in rows}
    return [WardHit(*by_code[code], best[code]) for code in wanted if code in by_code]


async def areas_of(session: AsyncSession, ward_code: int) -> list[Area]:
    """The ward's areas a person may choose: a retired one keeps its history but is offered nowhere."""
    return list(
        (
            await session.exec(
                select(Area)
                .where(Area.ward_code == ward_code, col(Area.retired_at).is_(None))
                .order_by(col(Area.id))
            )
        ).all()
    )


async def groups_of(session: AsyncSession, area_id: int) -> list[Group]:
    """The area's groups a person may choose (retired ones left out, as in `areas_of`)."""
    return list(
        (
            await session.exec(
                select(Group)
                .where(Group.area_id == area_id, col(Group.retired_at).is_(None))
                .order_by(col(Group.id))
            )
        ).all()
    )


def pick_by_name(items: list, query: str) -> list:
    """Places whose folded name matches what was typed (for lists too long for buttons)."""
    key = place_key(query)
    exact = [item for item in items if place_key(item.name_folded) == key]  # "Tổ 1" typed: not Tổ 10 too
    return exact or [item for item in items if matches(query, item.name_folded)]
