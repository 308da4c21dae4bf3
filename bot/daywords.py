"""Days and months as people name them in words, folded (accents off), in Vietnamese and English: shared by every
form that reads a date typed in words (a mediation session's, a tip's)."""

from __future__ import annotations

from datetime import date, timedelta

WEEKDAYS = {
    "thu hai": 0, "thu 2": 0, "thu ba": 1, "thu 3": 1, "thu tu": 2, "thu 4": 2, "thu nam": 3, "thu 5": 3,
    "thu sau": 4, "thu 6": 4, "thu bay": 5, "thu 7": 5, "chu nhat": 6, "cn": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
# Month names as English speakers type them ("Nov 20", "20 November"); Vietnamese says "tháng 11", a number.
MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip


def last_weekday(weekday: int, today: date) -> date:
    """The latest day before `today` that is `weekday` (0 = Monday): "last Friday", "thứ sáu tuần trước"."""
    return today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)
