"""Reading the date on an extinguisher's label as people type it: "12/2027", "31/12/2027", "2027-12-31",
"12.2027". A month without a day means the end of that month (labels give "HSD 12/2027").

python-dateutil reads the date; it fills what is missing from a default, so the text is read twice with two
different defaults: whatever differs between the readings was not typed.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime

from dateutil import parser

ALLOWED = re.compile(r"[^0-9/.\- ]")
MAX_CHARS = 40
# Two defaults that differ in every field dateutil may fill in.
FIRST, SECOND = datetime(2000, 1, 1), datetime(2001, 2, 28)


class BadDate(ValueError):
    """Why a text is not a date: "nonsense" or "no_year"."""


def read_label_date(text: str) -> date:
    """The date typed, or BadDate("nonsense" | "no_year")."""
    cleaned = " ".join(ALLOWED.sub(" ", text[:MAX_CHARS]).replace(".", "/").split())
    if not cleaned or len(text) > MAX_CHARS or not any(ch.isdigit() for ch in cleaned):
        raise BadDate("nonsense")
    try:
        first = parser.parse(cleaned, dayfirst=True, default=FIRST)
        second = parser.parse(cleaned, dayfirst=True, default=SECOND)
    except (ValueError, OverflowError):
        raise BadDate("nonsense") from None
    if first.year != second.year:
        raise BadDate("no_year")
    if first.month != second.month:
        raise BadDate("nonsense")
    if first.day != second.day:  # only the month was typed: valid to the month's end
        return date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
    return first.date()
