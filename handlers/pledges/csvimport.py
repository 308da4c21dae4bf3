"""Reading a group's household list from a CSV file: every row checked, every problem named by its line.

The file is accepted only when every row is valid, so a list is never half-imported. Headers may be in
Vietnamese or English, with or without accents; the separator may be a comma, a semicolon or a tab (Excel
in Vietnamese locales often saves with semicolons).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from bot.i18n import _
from bot.textnorm import fold

MAX_ROWS = 1000
MAX_ADDRESS = 200
MAX_NAME = 100
MAX_MEMBERS = 50

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


def parse(data: bytes) -> Parsed:
    result = Parsed()
    try:
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark
    except UnicodeDecodeError:
        result.errors.append(
            _(
                "The file is not UTF-8 text. In Excel choose “Save as” → “CSV UTF-8 (comma "
                "delimited)” and send it again."
            )
        )
        return result
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        result.errors.append(_("The file is empty."))
        return result
    first = next(line for line in lines if line.strip())
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    columns: dict[str, int] = {}
    seen: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
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
                return result
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
            key = fold(row.address)
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
    return result
