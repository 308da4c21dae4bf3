"""The coverage list as files: CSV (UTF-8 with BOM, so Excel shows Vietnamese) and XLSX (openpyxl)."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from bot.i18n import _, fmt_datetime
from handlers.pledges.coverage import HouseholdLine
from handlers.pledges.verify import shown


def header() -> list[str]:
    return [
        _("Area"),
        _("Group"),
        _("Address"),
        _("Head of household"),
        _("Members"),
        _("Signed"),
        _("Signed by"),
        _("Signed at"),
        _("Text version"),
        _("Verification code"),
    ]


def row(line: HouseholdLine) -> list[str | int]:
    signed = line.signed_at is not None
    return [
        line.area,
        line.group,
        line.address,
        line.head_name,
        line.members,
        _("signed") if signed else _("not signed"),
        line.signer or "",
        fmt_datetime(line.signed_at) if line.signed_at else "",
        line.version if line.version is not None else "",
        shown(line.code) if line.code else "",
    ]


def to_csv(lines: list[HouseholdLine]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header())
    writer.writerows(row(line) for line in lines)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(lines: list[HouseholdLine], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31] or "Pledges"
    sheet.append(header())
    for line in lines:
        sheet.append(row(line))
    sheet.freeze_panes = "A2"
    for index, width in enumerate((12, 10, 36, 26, 10, 8, 26, 18, 10, 14), 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
