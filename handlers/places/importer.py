"""A ward's areas, groups and group leaders from a spreadsheet (CSV or XLSX): every line checked first, then
applied all at once or not at all.

The file is what ward offices keep: one line per self-managed group, with the columns `area` and `group`, and
optionally `ward_code`, `leader_name` and `leader_phone` (Vietnamese headers such as "Khu vực/Tổ dân phố" and "Tổ"
work too, accents and case optional). Places are matched by their folded names within a ward, so importing the
same file again creates nothing, and a file that adds lines adds only those. A line with a leader gets a
single-use group-leader invite, unless the group already has one that is open or used.

Nothing here talks to a chat: the CLI (`andan places import`) and /diaban both parse, check, plan and apply with
these functions, and show each Problem in the language they need (the CLI prints Vietnamese and English).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import phonenumbers
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.directory.invites import create
from bot.i18n import N_, _, fmt_date
from bot.security import Keyring
from bot.settings import Settings
from bot.textnorm import fold
from handlers.places import store
from models import Area, Group, Role, Ward
from models.base import pk

# The header names each column may have, folded (accents, case and punctuation dropped; "_" counts as a space).
HEADERS: dict[str, set[str]] = {
    "area": {
        "area",
        "residential area",
        "khu vuc",
        "khu dan cu",
        "khu vuc to dan pho",
        "to dan pho",
        "thon",
        "thon to dan pho",
        "thon xom",
        "xom",
        "khom",
        "ap",
        "ban",
        "khu pho",
        "thon khom ap",
    },
    "group": {
        "group",
        "to",
        "ten to",
        "to tu quan",
        "to nhan dan",
        "to nhan dan tu quan",
        "to an ninh tu quan",
    },
    "ward_code": {"ward code", "ward", "ma xa", "ma phuong", "ma xa phuong", "ma don vi", "ma dvhc"},
    "leader_name": {
        "leader name",
        "leader",
        "to truong",
        "ten to truong",
        "ho ten to truong",
        "ho va ten to truong",
    },
    "leader_phone": {
        "leader phone",
        "phone",
        "so dien thoai",
        "dien thoai",
        "sdt",
        "sdt to truong",
        "so dien thoai to truong",
        "dien thoai to truong",
    },
}
REQUIRED = ("area", "group")
XLSX_MAGIC = b"PK\x03\x04"
UNPACKED_FACTOR = 20  # an XLSX may unpack to this many times the file size limit before it is refused unread
MAX_PROBLEMS = 200  # kept per file: enough to fix a file in one go, bounded for a file of garbage


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_lines: int
    max_name: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            max_bytes=settings.places_import_max_mb * 1024 * 1024,
            max_lines=settings.places_import_max_lines,
            max_name=settings.places_name_max_length,
        )


@dataclass(frozen=True)
class Problem:
    """Why a line (or the whole file, line None) cannot be imported: a message id and its values, rendered in
    whichever language is current when `text()` is called."""

    line: int | None
    message: str  # marked with N_()
    values: Mapping[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        body = _(self.message).format(**self.values)
        if self.line is None:
            return body
        return _("Line {line}: {problem}").format(line=self.line, problem=body)


@dataclass(frozen=True)
class Row:
    line: int
    ward_code: int
    area: str
    group: str
    leader_name: str | None = None
    leader_phone: str | None = None  # national format, e.g. "0912 345 678"


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, line: int | None, message: str, **values: Any) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(line, message, values))


# Reading ---------------------------------------------------------------------------------------------------
Cells = list[str]


def parse(data: bytes, limits: Limits, ward_code: int | None = None) -> Parsed:
    """Every line of the file, checked on its own (ward codes are checked against the database by `check`).
    `ward_code` is the ward of lines without one (--ward, or the ward /diaban manages)."""
    if len(data) > limits.max_bytes:
        return too_large(limits)
    parsed = Parsed()
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        parsed.problem(None, N_("The file is empty."))
        return parsed
    lines = (
        _read_xlsx(data, limits, parsed) if data.startswith(XLSX_MAGIC) else _read_csv(data, limits, parsed)
    )
    if parsed.problems:
        return parsed
    _check_lines(lines, limits, ward_code, parsed)
    return parsed


def too_large(limits: Limits) -> Parsed:
    """A file over the size limit, refused without reading it."""
    parsed = Parsed()
    parsed.problem(
        None,
        N_("The file is larger than {mb} MB. Please split it into several files."),
        mb=limits.max_bytes // (1024 * 1024),
    )
    return parsed


def _read_csv(data: bytes, limits: Limits, parsed: Parsed) -> list[tuple[int, Cells]]:
    try:
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark
    except UnicodeDecodeError:
        parsed.problem(
            None,
            N_(
                "The file is neither UTF-8 text nor an Excel workbook (.xlsx). In Excel choose “Save as” → "
                "“CSV UTF-8” or “Excel Workbook” and send it again."
            ),
        )
        return []
    if text.count("\n") > limits.max_lines + 1:
        _too_many_lines(limits, parsed)  # known before reading a single line
        return []
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        delimiter = csv.Sniffer().sniff(first, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    found: list[tuple[int, Cells]] = []
    try:
        for cells in reader:
            if len(found) > limits.max_lines:
                _too_many_lines(limits, parsed)
                return []
            found.append((reader.line_num, cells))
    except csv.Error as error:
        parsed.problem(reader.line_num, N_("the line cannot be read as CSV ({error})"), error=str(error)[:80])
    return found


def _read_xlsx(data: bytes, limits: Limits, parsed: Parsed) -> list[tuple[int, Cells]]:
    import openpyxl
    from openpyxl.utils import get_column_letter

    unreadable = N_(
        "The file looks like an Excel workbook but cannot be read. Open it in Excel, choose “Save as” → "
        "“Excel Workbook (.xlsx)” or “CSV UTF-8”, and send it again."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        parsed.problem(None, unreadable)
        return []
    if unpacked > limits.max_bytes * UNPACKED_FACTOR:
        # A small file that unpacks to gigabytes (a zip bomb) is refused before anything is unpacked.
        parsed.problem(
            None,
            N_("The file is larger than {mb} MB. Please split it into several files."),
            mb=limits.max_bytes // (1024 * 1024),
        )
        return []
    found: list[tuple[int, Cells]] = []
    try:
        # Read-only and not data-only: values are read as stored, and a formula is seen as one (never computed).
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            sheet = book.worksheets[0]
            for number, row in enumerate(sheet.iter_rows(), start=1):
                if len(found) > limits.max_lines:
                    _too_many_lines(limits, parsed)
                    return []
                cells: Cells = []
                for index, cell in enumerate(row, start=1):
                    if getattr(cell, "data_type", None) == "f":
                        parsed.problem(
                            number,
                            N_("the cell {cell} holds a formula; type its value instead"),
                            cell=f"{get_column_letter(index)}{number}",
                        )
                        cells.append("")
                        continue
                    cells.append(_cell_text(cell.value))
                found.append((number, cells))
        finally:
            book.close()
    except Exception:  # openpyxl raises many kinds on a damaged workbook; all mean the same to the person
        parsed.problem(None, unreadable)
        return []
    return found


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # "Tổ 3" typed as 3 in a number cell
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)


def _too_many_lines(limits: Limits, parsed: Parsed) -> None:
    parsed.problem(
        None,
        N_("The file has more than {max} lines. Please split it into several files."),
        max=limits.max_lines,
    )


# Checking each line ----------------------------------------------------------------------------------------
def header_key(cell: str) -> str:
    return fold(cell.replace("_", " "))


def _columns(line: int, cells: Cells, parsed: Parsed) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = header_key(cell)
        for column, names in HEADERS.items():
            if key in names:
                if column in columns:
                    parsed.problem(line, N_("the column “{name}” appears twice"), name=cell.strip()[:40])
                    return None
                columns[column] = index
    if any(c not in columns for c in REQUIRED):
        parsed.problem(
            line,
            N_(
                "the first row must name the columns “area” (khu vực, thôn, tổ dân phố…) and “group” (tổ), "
                "and may add “ward_code”, “leader_name” and “leader_phone”; found: {found}"
            ),
            found=", ".join(c.strip() for c in cells if c.strip())[:200] or "—",
        )
        return None
    return columns


def _check_lines(
    lines: list[tuple[int, Cells]], limits: Limits, ward_code: int | None, parsed: Parsed
) -> None:
    columns: dict[str, int] | None = None
    seen: dict[tuple[int, str, str], int] = {}
    for line, cells in lines:
        if not any(c.strip() for c in cells):
            continue
        if columns is None:
            columns = _columns(line, cells, parsed)
            if columns is None:
                return
            if "ward_code" not in columns and ward_code is None:
                parsed.problem(
                    None,
                    N_(
                        "The file has no “ward_code” column, so I do not know the ward: give it with --ward "
                        "(the ward code, or its name)."
                    ),
                )
                return
            continue

        def cell(key: str, cells: Cells = cells, columns: dict[str, int] = columns) -> str:
            index = columns.get(key)
            if index is None or index >= len(cells):
                return ""
            return " ".join(cells[index].split())

        before = len(parsed.problems)
        area = _name(line, cell("area"), AREA_NAME, limits, parsed)
        group = _name(line, cell("group"), GROUP_NAME, limits, parsed)
        ward = _ward(line, cell("ward_code"), ward_code, parsed)
        leader_name, leader_phone = cell("leader_name") or None, cell("leader_phone") or None
        if leader_name is not None and len(leader_name) > limits.max_name:
            parsed.problem(line, N_("the leader's name is longer than {max} characters"), max=limits.max_name)
        if leader_phone is not None:
            leader_phone = _phone(line, leader_phone, parsed)
            if leader_name is None:
                parsed.problem(line, N_("a leader's phone number needs the leader's name beside it"))
        if len(parsed.problems) > before or area is None or group is None or ward is None:
            continue
        key = (ward, fold(area), fold(group))
        if key in seen:
            parsed.problem(
                line,
                N_("“{group}, {area}” already appears on line {first}"),
                group=group,
                area=area,
                first=seen[key],
            )
            continue
        seen[key] = line
        parsed.rows.append(Row(line, ward, area, group, leader_name, leader_phone))
    if columns is None:
        parsed.problem(None, N_("The file is empty."))
    elif not parsed.rows and not parsed.problems:
        parsed.problem(None, N_("The file has a header row but no areas or groups."))


AREA_NAME = (
    N_("the area name is empty"),
    N_("the area name is longer than {max} characters"),
    N_("the area name “{name}” has no letters or digits"),
)
GROUP_NAME = (
    N_("the group name is empty"),
    N_("the group name is longer than {max} characters"),
    N_("the group name “{name}” has no letters or digits"),
)


def _name(
    line: int, value: str, messages: tuple[str, str, str], limits: Limits, parsed: Parsed
) -> str | None:
    empty, too_long, no_letters = messages
    if not value:
        parsed.problem(line, empty)
        return None
    if len(value) > limits.max_name:
        parsed.problem(line, too_long, max=limits.max_name)
        return None
    if not fold(value):
        parsed.problem(line, no_letters, name=value)
        return None
    return value


def _ward(line: int, value: str, default: int | None, parsed: Parsed) -> int | None:
    if not value:
        if default is None:
            parsed.problem(line, N_("the ward code is empty, and no ward was given with --ward"))
        return default
    if not value.isdigit() or not value.isascii() or len(value) > 9:
        parsed.problem(line, N_("the ward code “{code}” is not a number"), code=value[:20])
        return None
    return int(value)


def _phone(line: int, value: str, parsed: Parsed) -> str | None:
    try:
        number = phonenumbers.parse(value, "VN")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number_for_region(number, "VN"):
        parsed.problem(line, N_("“{phone}” is not a Vietnamese phone number"), phone=value[:30])
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))


# Checking against the database -----------------------------------------------------------------------------
async def check(session: AsyncSession, parsed: Parsed, allowed_wards: set[int] | None = None) -> None:
    """Problems only the database knows: ward codes that do not exist (or are not the importer's), and places
    the ward has retired (importing an old list must not quietly bring them back)."""
    codes = {row.ward_code for row in parsed.rows}
    known = (
        set((await session.exec(select(Ward.code).where(col(Ward.code).in_(codes)))).all())
        if codes
        else set()
    )
    kept: list[Row] = []
    for row in parsed.rows:
        if row.ward_code not in known:
            parsed.problem(row.line, N_("no commune or ward has the code {code}"), code=row.ward_code)
        elif allowed_wards is not None and row.ward_code not in allowed_wards:
            parsed.problem(
                row.line, N_("the ward code {code} is not the ward you manage"), code=row.ward_code
            )
        else:
            kept.append(row)
    for ward in sorted({row.ward_code for row in kept}):
        areas = await store.areas_of_ward(session, ward, retired=True)
        active = {a.name_folded: a for a in areas if a.retired_at is None}
        retired = {a.name_folded: a for a in areas if a.retired_at is not None}
        groups = await store.groups_of_ward(session, ward, retired=True)
        retired_groups = {(g.area_id, g.name_folded): g for g in groups if g.retired_at is not None}
        active_groups = {(g.area_id, g.name_folded) for g in groups if g.retired_at is None}
        for row in (r for r in kept if r.ward_code == ward):
            area_key, group_key = fold(row.area), fold(row.group)
            area = active.get(area_key)
            if area is None and area_key in retired:
                parsed.problem(
                    row.line,
                    N_(
                        "the area “{area}” was retired on {date}; remove the line or give the area another name"
                    ),
                    area=row.area,
                    date=fmt_date(_retired(retired[area_key])),
                )
            elif area is not None and (pk(area), group_key) not in active_groups:
                gone = retired_groups.get((pk(area), group_key))
                if gone is not None:
                    parsed.problem(
                        row.line,
                        N_(
                            "the group “{group}” of “{area}” was retired on {date}; remove the line or give the "
                            "group another name"
                        ),
                        group=row.group,
                        area=row.area,
                        date=fmt_date(_retired(gone)),
                    )


def _retired(place: Area | Group) -> datetime:
    assert place.retired_at is not None
    return place.retired_at


# Planning and applying -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LeaderInvite:
    name: str
    phone: str | None
    place: str  # "Tổ 3, Khóm 2"
    code: str | None  # None in a dry run
    expires_at: datetime | None = None


@dataclass
class Outcome:
    areas_created: int = 0
    areas_unchanged: int = 0
    groups_created: int = 0
    groups_unchanged: int = 0
    leaders: list[LeaderInvite] = field(default_factory=list)
    leaders_kept: list[str] = field(default_factory=list)  # groups whose leader invite is open or used

    @property
    def changed(self) -> bool:
        return bool(self.areas_created or self.groups_created or self.leaders)


async def apply(
    session: AsyncSession,
    keyring: Keyring,
    settings: Settings,
    rows: list[Row],
    *,
    actor: int | None,
    dry_run: bool = False,
) -> Outcome:
    """Create what the checked rows add, in the caller's transaction (the caller commits, or rolls back on a dry
    run); every creation is audited. Returns the counts, and the leader invites made (their codes shown once)."""
    outcome = Outcome()
    now = clock.now()
    for ward in sorted({row.ward_code for row in rows}):
        areas = {a.name_folded: a for a in await store.areas_of_ward(session, ward)}
        groups = {(g.area_id, g.name_folded): g for g in await store.groups_of_ward(session, ward)}
        counted_areas: set[str] = set()
        for row in (r for r in rows if r.ward_code == ward):
            area_key = fold(row.area)
            area = areas.get(area_key)
            if area is None:
                area = await store.add_area(session, ward, row.area, actor=actor, source="import")
                areas[area_key] = area
                outcome.areas_created += 1
                counted_areas.add(area_key)
            elif area_key not in counted_areas:
                outcome.areas_unchanged += 1
                counted_areas.add(area_key)
            group = groups.get((pk(area), fold(row.group)))
            if group is None:
                group = await store.add_group(session, area, row.group, actor=actor, source="import")
                groups[(pk(area), group.name_folded)] = group
                outcome.groups_created += 1
            else:
                outcome.groups_unchanged += 1
            if row.leader_name is None:
                continue
            place = f"{group.name}, {area.name}"
            if await store.leader_invite_taken(session, pk(group)):
                outcome.leaders_kept.append(place)
                continue
            if dry_run:
                outcome.leaders.append(LeaderInvite(row.leader_name, row.leader_phone, place, None))
                continue
            made = await create(
                session,
                keyring,
                settings,
                role=Role.GROUP_ADMIN.value,
                ward_code=ward,
                area_id=pk(area),
                group_id=pk(group),
                created_by=actor,
            )
            store.audit(
                session,
                actor,
                "invite.created",
                "invite",
                str(made.invite.id),
                ward,
                role=Role.GROUP_ADMIN.value,
                source="import",
            )
            outcome.leaders.append(
                LeaderInvite(row.leader_name, row.leader_phone, place, made.code, made.invite.expires_at)
            )
    if outcome.groups_created and not dry_run:
        for ward in sorted({row.ward_code for row in rows}):
            await store.ask_ward_residents(session, ward)
    if outcome.changed and not dry_run:
        for ward in sorted({row.ward_code for row in rows}):
            store.audit(
                session,
                actor,
                "places.imported",
                "ward",
                str(ward),
                ward,
                areas_created=outcome.areas_created,
                groups_created=outcome.groups_created,
                leader_invites=len(outcome.leaders),
                at=now.isoformat(),
            )
    return outcome


# What to tell the importer ---------------------------------------------------------------------------------
def refused() -> str:
    return _("Nothing was imported. Please fix these lines and send the whole file again:")


def summary(outcome: Outcome, dry_run: bool = False) -> list[str]:
    """The counts, in the current language (the leader invites are listed by the caller, with their links)."""
    lines: list[str] = []
    if dry_run:
        lines.append(_("Dry run: nothing was written. Importing this file would make these changes:"))
    if not outcome.changed:
        lines.append(
            _("Nothing changed: the {areas} areas and {groups} groups of the file are already there.").format(
                areas=outcome.areas_unchanged, groups=outcome.groups_unchanged
            )
        )
    else:
        lines.append(
            _("Areas: {created} created, {unchanged} unchanged.").format(
                created=outcome.areas_created, unchanged=outcome.areas_unchanged
            )
        )
        lines.append(
            _("Groups: {created} created, {unchanged} unchanged.").format(
                created=outcome.groups_created, unchanged=outcome.groups_unchanged
            )
        )
    if outcome.leaders_kept:
        lines.append(
            _(
                "{n} groups already have a leader invite that is open or used, so no new one was made: {groups}"
            ).format(n=len(outcome.leaders_kept), groups="; ".join(outcome.leaders_kept[:20]))
        )
    if outcome.leaders and dry_run:
        lines.append(_("Leader invites to make: {n}.").format(n=len(outcome.leaders)))
    return lines


def leader_lines(leader: LeaderInvite) -> list[str]:
    """ "Nguyễn Văn An (0912 345 678), leader of Tổ 3, Khóm 2: code ABCD-EFGH-JKMN", and until when it works, in
    the current language."""
    who = f"{leader.name} ({leader.phone})" if leader.phone else leader.name
    lines = [_("{who}, leader of {place}: code {code}").format(who=who, place=leader.place, code=leader.code)]
    if leader.expires_at is not None:
        lines.append(_("It works once, until {date}.").format(date=fmt_date(leader.expires_at)))
    return lines
