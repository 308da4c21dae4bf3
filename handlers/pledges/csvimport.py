"""Reading a group's household list from a file: every row checked, every problem named by its line.

The file is accepted only when every row is valid, so a list is never half-imported. It is a CSV file or an Excel
workbook (its first sheet, read as the ward's list of places is: handlers/places/sheet.py), as ward offices keep
it. Headers may be in Vietnamese or English, with or without accents; a CSV's separator may be a comma, a
semicolon or a tab (Excel in Vietnamese locales often saves with semicolons).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from bot.i18n import _
from bot.textnorm import fold
from handlers.places import sheet

MAX_ROWS = 1000
MAX_ADDRESS = 200
MAX_NAME = 100
MAX_MEMBERS = 50
MAX_MB = 2  # a list of 1,000 households is some 100 KB, in CSV or in Excel

HEADERS = {
    "address": {"dia chi", "address", "dia chi ho", "so nha"},
    "head_name": {"chu ho", "ho ten chu ho", "ten chu ho", "head", "head of household", "head name"},
    "members": {
        "so nhan khau",
        "nhan khau",
        "so thanh vien",
        "so nguoi",
        "members",
        "members count",
        "number of members",
    },
}


@dataclass(frozen=True)
class Row:
    line: int
    address: str
    head_name: str
    members: int


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def clean(value: str | None) -> str:
    return " ".join((value or "").split())


def check_row(line: int, address: str, head: str, members_raw: str | None) -> tuple[Row | None, list[str]]:
    """One household's fields, validated (problems without a line number); also used for one typed in the chat."""
    errors: list[str] = []
    address, head = clean(address), clean(head)
    if not address:
        errors.append(_("the address is empty"))
    elif len(address) > MAX_ADDRESS:
        errors.append(_("the address is longer than {max} characters").format(max=MAX_ADDRESS))
    if not head:
        errors.append(_("the head of household is empty"))
    elif len(head) > MAX_NAME:
        errors.append(_("the name of the head is longer than {max} characters").format(max=MAX_NAME))
    members = 1
    if members_raw is not None:
        raw = clean(members_raw)
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_MEMBERS:
            errors.append(
                _("the number of members “{value}” is not a whole number from 1 to {max}").format(
                    value=raw[:20], max=MAX_MEMBERS
                )
            )
        else:
            members = int(raw)
    if errors:
        return None, errors
    return Row(line, address, head, members), []


def at_line(line: int, problem: str) -> str:
    return _("line {line}: {problem}").format(line=line, problem=problem)


def address_key(address: str) -> str:
    """Which addresses are one house: folded ("Âu Cơ" and "au co"), without "số" or "số nhà" before the house
    number and without the word "đường" ("Số 12 đường Âu Cơ" is "12 Âu Cơ"), as a list typed by hand writes one
    house two ways."""
    words = fold(address).split()
    for lead in (["so", "nha"], ["so"]):
        if words[: len(lead)] == lead and len(words) > len(lead) and words[len(lead)][0].isdigit():
            words = words[len(lead) :]
            break
    return " ".join(w for w in words if w != "duong")


def parse(data: bytes) -> Parsed:
    """Every line of a CSV file or of an Excel workbook's first sheet, checked."""
    result = Parsed()
    if len(data) > MAX_MB * 1024 * 1024:
        result.errors.append(
            _(
                "The file is larger than {mb} MB, far more than a group's household list. Please check that it "
                "is the right file."
            ).format(mb=MAX_MB)
        )
        return result
    if data.startswith(sheet.XLSX_MAGIC):
        limits = sheet.Limits(max_bytes=MAX_MB * 1024 * 1024, max_lines=2 * MAX_ROWS, max_name=MAX_NAME)
        lines, problems = sheet.read_workbook(data, limits)
        result.errors += [problem.text() for problem in problems]
    else:
        lines = _csv_lines(data, result)
    if result.errors:
        return result
    if not any(any(c.strip() for c in cells) for _line, cells in lines):
        result.errors.append(_("The file is empty."))
        return result
    _check_lines(lines, result)
    return result


def _csv_lines(data: bytes, result: Parsed) -> list[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark
    except UnicodeDecodeError:
        result.errors.append(
            _(
                "The file is neither UTF-8 text nor an Excel workbook (.xlsx). In Excel choose “Save as” → "
                "“CSV UTF-8” or “Excel Workbook” and send it again."
            )
        )
        return []
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    found: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            found.append((reader.line_num, cells))
            if len(found) > 2 * MAX_ROWS:
                break  # enough to say the file is too long
    except csv.Error:
        # A line longer than a CSV field may be (an export gone wrong, another kind of file), a stray NUL byte.
        result.errors.append(
            at_line(
                reader.line_num,
                _("this line cannot be read; is the file the household list, saved as “CSV UTF-8”?"),
            )
        )
    return found


def _check_lines(lines: list[tuple[int, list[str]]], result: Parsed) -> None:
    header: list[str] | None = None
    columns: dict[str, int] = {}
    seen: dict[str, int] = {}
    for line, cells in lines:
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = [fold(c) for c in cells]
            for key, names in HEADERS.items():
                for index, name in enumerate(header):
                    if name in names:
                        columns[key] = index
                        break
            missing = [k for k in ("address", "head_name") if k not in columns]
            if missing:
                result.errors.append(
                    at_line(
                        line,
                        _(
                            "the header row must name the columns “Địa chỉ” (address), “Chủ hộ” (head of household) "
                            "and optionally “Số nhân khẩu” (members); found: {found}"
                        ).format(found=", ".join(cells)[:200]),
                    )
                )
                return
            continue
        if len(result.rows) + len(result.errors) >= MAX_ROWS:
            result.errors.append(
                _("The file has more than {max} households; please split it.").format(max=MAX_ROWS)
            )
            break

        def cell(key: str, cells: list[str] = cells) -> str | None:
            index = columns.get(key)
            if index is None:
                return None
            return cells[index] if index < len(cells) else ""

        row, errors = check_row(line, cell("address") or "", cell("head_name") or "", cell("members"))
        result.errors += [at_line(line, problem) for problem in errors]
        if row is not None:
            key = address_key(row.address)
            if key in seen:
                result.errors.append(
                    at_line(
                        line,
                        _("the address “{address}” already appears on line {first}").format(
                            address=row.address, first=seen[key]
                        ),
                    )
                )
            else:
                seen[key] = line
                result.rows.append(row)
    if header is not None and not result.rows and not result.errors:
        result.errors.append(_("The file has a header row but no households."))
