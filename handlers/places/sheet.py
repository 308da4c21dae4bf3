"""Reading a ward's list of areas, groups and group leaders from a spreadsheet (CSV or XLSX) and checking each
line on its own, without the database; handlers/places/importer.py checks it against the database and applies it.

The file is what ward offices keep: one line per self-managed group, with the columns `area` and `group`, and
optionally `ward_code`, `leader_name` and `leader_phone` (Vietnamese headers such as "Khu vực/Tổ dân phố" and "Tổ"
work too, accents and case optional). Names are written as the chat writes them ("To 3" is "Tổ 3": names.written),
and places are matched within a ward by `bot.textnorm.place_key`, so that the twins of a list typed by hand ("Khu vực 2"
and "Khu vực2", "Tổ 1" and "Tổ 01") are one place: an area written otherwise than on its first line is taken
as that area, and the report says so (importer.summary); a group listed twice is a problem of the line, as an
exact repeat is. Importing the same file again creates nothing, and a file that adds lines adds only those. A line
with a leader gets a single-use group-leader invite, unless the group already has one that is open or used.

Nothing here talks to a chat or a database: the CLI (`andan places import`) and /diaban both parse with these
functions, and show each Problem in the language they need (the CLI prints Vietnamese and English).
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

from bot.i18n import N_, _
from bot.settings import Settings
from bot.textnorm import fold, place_key
from handlers.places.names import written

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
    # The names as the line types them, when the import took them as another spelling of one place (importer.py
    # says so); area and group above are the names the places get.
    typed_area: str = ""
    typed_group: str = ""


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


def read_workbook(data: bytes, limits: Limits) -> tuple[list[tuple[int, Cells]], list[Problem]]:
    """The numbered lines of a workbook's first sheet, read as `parse` reads them (values as stored, a formula
    refused, a zip bomb refused unread), for other lists a ward office keeps in Excel (a group's households)."""
    parsed = Parsed()
    lines = _read_xlsx(data, limits, parsed)
    return ([] if parsed.problems else lines), parsed.problems


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
    # (ward, area key) → the area's first line and its name; (ward, area key, group key) → line, group, area typed
    areas: dict[tuple[int, str], tuple[int, str]] = {}
    seen: dict[tuple[int, str, str], tuple[int, str, str]] = {}
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
        area_key = (ward, place_key(area))
        if area_key not in areas:
            areas[area_key] = (line, written(area))
        area_name = areas[area_key][1]
        key = (*area_key, place_key(group))
        if key in seen:
            first, first_group, first_area = seen[key]
            if fold(group) == fold(first_group) and fold(area) == fold(first_area):
                parsed.problem(
                    line,
                    N_("“{group}, {area}” already appears on line {first}"),
                    group=group,
                    area=area,
                    first=first,
                )
            else:
                parsed.problem(
                    line,
                    N_("“{group}, {area}” already appears on line {first}, written “{written}”"),
                    group=group,
                    area=area,
                    first=first,
                    written=f"{first_group}, {first_area}",
                )
            continue
        seen[key] = (line, group, area)
        parsed.rows.append(
            Row(
                line,
                ward,
                area_name,
                written(group),
                leader_name,
                leader_phone,
                typed_area=area,
                typed_group=group,
            )
        )
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
