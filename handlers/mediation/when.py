"""Reading a session's date and time as people type them in Vietnam: "28/11 19:30", "thứ bảy 8h sáng",
"ngày mai 7 giờ tối", "28-11-2026 19h30"; dates are day-first and times are local (the configured zone)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.i18n import local, zone

WEEKDAYS = {
    "thu hai": 0,
    "thu 2": 0,
    "thu ba": 1,
    "thu 3": 1,
    "thu tu": 2,
    "thu 4": 2,
    "thu nam": 3,
    "thu 5": 3,
    "thu sau": 4,
    "thu 6": 4,
    "thu bay": 5,
    "thu 7": 5,
    "chu nhat": 6,
    "cn": 6,
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
RELATIVE = {
    "hom nay": 0,
    "today": 0,
    "ngay mai": 1,
    "mai": 1,
    "tomorrow": 1,
    "ngay kia": 2,
    "ngay mot": 2,
    "mot": 2,
}
AFTERNOON = ("chieu", "toi", "pm", "dem")

_TIME = re.compile(
    r"(?<!\d)(\d{1,2})\s*(?::|gio|h|g)\s*(\d{2})?(?:\s*(?:phut|p))?(?!\d)"
    r"|(?<!\d)(\d{1,2})\s*(am|pm)(?!\w)"
)
_DAY_PERIOD = re.compile(r"\b(sang|trua|chieu|toi|dem|am|pm)\b")
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,4})[/.\-](\d{1,2})(?:[/.\-](\d{2,4}))?(?!\d)")
_WORDS_DATE = re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})(?:\s+nam\s+(\d{4}))?")


class WhenError(Exception):
    """Why the typed moment was not understood; `code` picks the polite answer shown to the person."""

    def __init__(self, code: str, **detail: str) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Parsed:
    moment: datetime  # aware UTC


def _plain(text: str) -> str:
    """Lower-case without diacritics, keeping the punctuation that dates and times need ("/", ":", ".")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D").lower())
    return re.sub(r"\s+", " ", "".join(ch for ch in decomposed if not unicodedata.combining(ch))).strip()


def _time_of(folded: str) -> tuple[time, str] | None:
    match = _TIME.search(folded)
    if match is None:
        return None
    if match.group(3):
        hour, minute = int(match.group(3)), 0
        if match.group(4) == "pm" and hour < 12:
            hour += 12
        elif match.group(4) == "am" and hour == 12:
            hour = 0
    else:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
    period = _DAY_PERIOD.search(folded)
    if period and period.group(1) in AFTERNOON and hour < 12:
        hour += 12
    if period and period.group(1) == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        raise WhenError("bad_time")
    rest = folded[: match.start()] + " " + folded[match.end() :]
    return time(hour, minute), rest


def _date_of(text: str, today: date) -> date | None:
    match = _NUMERIC_DATE.search(text) or _WORDS_DATE.search(text)
    if match:
        first, second, third = match.group(1), match.group(2), match.group(3)
        if len(first) == 4:  # ISO: 2026-11-28
            year, month, day = int(first), int(second), int(third or 0)
        else:
            day, month = int(first), int(second)
            year = int(third) if third else today.year
            if third and len(third) == 2:
                year += 2000
        try:
            found = date(year, month, day)
        except ValueError:
            raise WhenError("impossible_date", typed=match.group(0)) from None
        if not third and found < today:
            found = date(year + 1, month, day)  # "05/01" typed in December means next January
        return found
    for words, offset in RELATIVE.items():
        if re.search(rf"\b{words}\b", text):
            return today + timedelta(days=offset)
    for words, weekday in WEEKDAYS.items():
        if re.search(rf"\b{words}\b", text):
            ahead = (weekday - today.weekday()) % 7
            if re.search(r"\b(tuan sau|next)\b", text):
                ahead += 7 if ahead else 7
            return today + timedelta(days=ahead)
    return None


def parse_when(typed: str, now: datetime) -> datetime:
    """The aware UTC moment a person meant; raises WhenError (no_date, no_time, bad_time, impossible_date, past)."""
    folded = _plain(typed)
    timed = _time_of(folded)
    rest = timed[1] if timed else folded
    today = local(now).date()
    day = _date_of(rest, today)
    if day is None:
        raise WhenError("no_date")
    if timed is None:
        raise WhenError("no_time")
    moment = datetime.combine(day, timed[0], tzinfo=zone()).astimezone(now.tzinfo)
    if moment <= now:
        raise WhenError("past")
    return moment
