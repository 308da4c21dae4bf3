"""Provinces and wards from the `vietnam-provinces` package, and accent-insensitive search over places."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.textnorm import fold, matches
from models import Area, Group, Province, Ward


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


async def ward_count(session: AsyncSession) -> int:
    return int((await session.exec(select(func.count()).select_from(Ward))).one())


async def search_wards(session: AsyncSession, query: str, limit: int = 8) -> list[tuple[Ward, Province]]:
    """Wards whose name (or "ward, province") matches every typed word, accents ignored; exact names first."""
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

    def rank(item: tuple[Ward, Province]) -> tuple[int, int, str]:
        w, _p = item
        bare = w.name_folded.removeprefix("phuong ").removeprefix("xa ").removeprefix("dac khu ")
        exact = 0 if folded_query in (w.name_folded, bare) else 1
        return exact, len(w.name_folded), w.name_folded

    return sorted(hits, key=rank)[:limit]


def ward_label(ward: Ward, province: Province) -> str:
    return f"{ward.name}, {province.name}"


async def areas_of(session: AsyncSession, ward_code: int) -> list[Area]:
    return list(
        (await session.exec(select(Area).where(Area.ward_code == ward_code).order_by(col(Area.id)))).all()
    )


async def groups_of(session: AsyncSession, area_id: int) -> list[Group]:
    return list(
        (await session.exec(select(Group).where(Group.area_id == area_id).order_by(col(Group.id)))).all()
    )


def pick_by_name(items: list, query: str) -> list:
    """Places whose folded name matches what was typed (for lists too long for buttons)."""
    return [item for item in items if matches(query, item.name_folded)]
