"""Reading a session's date and time as people type them in Vietnam: "28/11 19:30", "thứ bảy 8h sáng", "T7 8h30",
"ngày mai 7 giờ tối", "thứ 7 tuần tới 8 giờ rưỡi", "hai ngày nữa 8h", "ngày 15 lúc 8h", "8.30 sáng thứ 7",
"28-11-2026 19h30"; and in English as typed on a phone: "friday 7:30pm", "the day after tomorrow at 8pm", "tomorrow
evening at 8", "on the 15th at 8am", "at noon tomorrow". Dates are day-first and times are local (the configured
zone). English words stand in the same tables as the Vietnamese words they mean.

Folding away the accents makes a few words of a date two words: "tối" (evening) and "tới" (coming: "tuần tới" is next
week) are both "toi", "mốt" (the day after tomorrow) and "một" (one) both "mot", "sáng" (morning) and "sang"
("sang tuần": next week) both "sang". A word typed with its accents is read as written; one typed without them is
read from its neighbours ("tuan toi" is next week, "8h toi" the evening, "mot tuan" one week). Each such word is
replaced by what it means (`_resolved`) before the date and the time are looked for.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot import numberwords
from bot.daywords import WEEKDAYS
from bot.i18n import local, zone

# Short English names, read only typed without accents and beside a time or a date ("sat 10am", "fri 7.30pm"):
# folded, "sát" (close) is "sat" too. "thu" is Vietnamese ("thứ").
SHORT_WEEKDAYS = {
    "mon": "monday", "tue": "tuesday", "tues": "tuesday", "wed": "wednesday", "thur": "thursday",
    "thurs": "thursday", "fri": "friday", "sat": "saturday", "sun": "sunday",
}  # fmt: skip
# Days said from today: "tối nay", "bữa nay", "mai", "mốt" (after `_resolved`); "hôm qua" is read to say it passed.
# The first one found is the day: "day after tomorrow" stands before "tomorrow", which it holds.
RELATIVE = {
    "hom qua": -1,
    "yesterday": -1,
    "hom nay": 0,
    "bua nay": 0,
    "toi nay": 0,
    "sang nay": 0,
    "trua nay": 0,
    "chieu nay": 0,
    "dem nay": 0,
    "today": 0,
    "tonight": 0,
    "this morning": 0,
    "this afternoon": 0,
    "this evening": 0,
    "ngay mai": 1,
    "mai": 1,
    "day after tomorrow": 2,
    "tomorrow": 1,
    "ngay kia": 2,
    "ngay mot": 2,
    "mot": 2,
}
# Periods of the day (folded), each read as the period it is (`_in_period`): "8 giờ tối", "8 in the evening".
PERIODS = {
    "sang": "sang",
    "morning": "sang",
    "trua": "trua",
    "noon": "trua",
    "midday": "trua",
    "chieu": "chieu",
    "afternoon": "chieu",
    "toi": "toi",
    "evening": "toi",
    "tonight": "toi",
    "dem": "dem",
    "night": "dem",
    "midnight": "dem",
    "am": "am",
    "pm": "pm",
}
# Periods said alone that are an hour ("at noon tomorrow"), as the hour said with its period; after an hour ("12
# noon") they are only the period.
HOURS_SAID = {"noon": "12h trua", "midday": "12h trua", "midnight": "12h dem"}
# Before a period of the day, a greeting ("good morning"), not a time.
GREETING = frozenset(("good",))
# Before a number alone they make it an hour: "lúc 8", "at 8".
AT = frozenset(("luc", "at"))

# Numbers said in words before what they count ("hai ngày nữa", "tám giờ") or after "thứ" ("thứ bảy"): as typed
# with accents, and without them. "bà" (grandmother) and "năm" of "năm 2026" (the year) are not counts.
NUMBER_WORDS = numberwords.ACCENTED
# Folded, "tu" left out: typed without accents it is "từ" (from: "tu ngay 15") far more often than "tư" (four).
NUMBER_FOLDED = {w: n for w, n in numberwords.VIETNAMESE_DIGITS.items() if w != "tu"} | {"muoi": 10}
# What a number said before them counts (folded): days, weeks, hours.
UNITS = frozenset("ngay hom tuan thang gio tieng buoi h g".split())
# English numbers in words are read only before English units ("in two days", "in a week"): a Vietnamese "à" typed
# without accents is "a".
ENGLISH_UNITS = frozenset("day days week weeks".split())
# Before "toi" typed without accents these make it "tới" (coming): "tuần tới", "tháng tới", "sắp tới".
COMING_AFTER = frozenset("tuan thang nam sap ke".split())
# Beside a period of the day typed without accents ("8h toi", "buoi sang", "toi mai"), they make it one.
PERIOD_BEFORE = frozenset("gio h g ruoi phut buoi luc vao khoang".split())
PERIOD_AFTER = frozenset("nay mai mot qua thu chu cn hom ngay luc khoang".split())
# "chuyển sang", "dời qua sang": "sang" is "to", not the morning.
MOVED = frozenset("chuyen doi qua di lui".split())

_SHORT_WEEKDAY = re.compile(r"(?:t|th|thu)([2-7])")  # "T7", "th7", "thu7": thứ 7
_HOURISH = re.compile(r"\d{1,2}(?:[hg]\d{0,2})?")  # "8", "8h", "8g30": a word an hour ends with
_DOTTED_TIME = re.compile(r"(?<![\d/.\-:])(\d{1,2})\.(\d{2})(?![\d/.\-:])")
_MARKED = r"(?:gio|h|g|o'?\s?clock)(?![a-z])"  # "8 giờ", "8h", "8g", "8 o'clock"
# "7:30pm", "7.30PM", "7 p.m.": am and pm set apart from the hour, as a word of their own.
_AM_PM = re.compile(r"(?<=\d)\s*([ap])(?:m|\.\s?m\.?)(?![a-z])")
_TIME = re.compile(
    r"(?<![\d/.\-])(\d{1,2})\s*(?::|" + _MARKED + r")\s*(\d{1,2})?(?![\d/.\-])(?:\s*(?:phut|p)(?![a-z]))?"
    r"|(?<![\d/.\-])(\d{1,2})\s*(am|pm)(?![a-z])"
)
# An hour without "giờ" or "h", before a period of the day or "rưỡi": "8 sáng thứ 7", "8 rưỡi tối", "8 in the
# evening"; or after "lúc" or "at": "at 8". Not the number of a weekday, a day or a month ("thứ 7 sáng", "ngày 15
# sáng").
_BARE_HOUR = re.compile(
    r"(?<![\d/.\-:])(?<!thu )(?<!ngay )(?<!mung )(?<!mong )(?<!thang )(\d{1,2})\s+(?=(?:in the |at )?(?:ruoi|"
    + "|".join(p for p in PERIODS if p not in ("am", "pm"))
    + r")\b)"
    + r"|(?:"
    + "|".join(rf"(?<=\b{word} )" for word in sorted(AT))
    + r")(\d{1,2})(?![\d/.\-:]|\s*(?:st|nd|rd|th)\b)"
)
_HALF = re.compile(r"\s*ruoi\b")
_TO = re.compile(r"\s*kem\s*(\d{1,2})(?:\s*(?:phut|p)(?![a-z]))?")  # "8 giờ kém 15": a quarter to eight
_DAY_PERIOD = re.compile(r"\b(" + "|".join(PERIODS) + r")\b")
_ORDINAL = r"(?:st|nd|rd|th)"  # "the 15th", "the 1st"
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,4})[/.\-](\d{1,2})(?:[/.\-](\d{2,4}))?(?!\d)")
_WORDS_DATE = re.compile(r"(?:ngay|mung|mong)\s+(\d{1,2})\s+thang\s+(\d{1,2})(?:\s+nam\s+(\d{4}))?")
_DAY_OF_MONTH = re.compile(
    r"\b(?:ngay|mung|mong)\s+(\d{1,2})\b(?!\s*(?:[/.\-]\s*\d|thang))|\b(\d{1,2})" + _ORDINAL + r"\b"
)
_DAYS_AHEAD = re.compile(
    r"(?<!thu )\b(\d{1,3})\s*(ngay|hom|tuan)\s+(?:nua|sau)\b|\bsau\s+(\d{1,3})\s*(ngay|hom|tuan)\b"
    r"|\bin\s+(\d{1,3})\s*(days?|weeks?)\b|\b(\d{1,3})\s*(days?|weeks?)\s+(?:from now|later)\b"
)
_WEEK_AFTER_NEXT = re.compile(r"\btuan sau nua\b")
_NEXT_WEEK = re.compile(r"\b(?:tuan sau|next week|next)\b")
_THIS_WEEK = re.compile(r"\b(?:tuan nay|this week|this)\b")


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


def _resolved(typed: str) -> str:
    """The typed text folded, each word that folding makes ambiguous replaced by what it means here (see the
    module's docstring), numbers in words by digits, "T7" by "thu 7", "30pm" by "30 pm", a dotted time ("8.30") by
    "8:30"."""
    text = unicodedata.normalize("NFC", typed.lower())
    found = list(re.finditer(r"[^\W_]+", text))
    folded = [_plain(m.group(0)) for m in found]
    parts: list[str] = []
    last, i = 0, 0
    while i < len(found):
        match = found[i]
        counted = _counted_in_words([m.group(0) for m in found], folded, i)
        if counted is not None:  # "mười lăm ngày nữa", "hai mươi ngày nữa": the words of one number
            number, i = counted
            parts += [text[last : match.start()], str(number)]
            last = found[i - 1].end()
            continue
        parts += [text[last : match.start()], _meaning(match.group(0), folded, i)]
        last, i = match.end(), i + 1
    resolved = _AM_PM.sub(r" \1m", _plain("".join(parts) + text[last:]))
    return _DOTTED_TIME.sub(_dotted, resolved)


def _counted_in_words(typed: list[str], folded: list[str], i: int) -> tuple[int, int] | None:
    """(the number, the index after its words) when two or more words from `i` say a number before what it counts
    (one word is `_meaning`'s); "tầm mười ngày" (about ten days) is no eighty."""
    for end in range(min(len(folded) - 1, i + numberwords.LONGEST), i + 1, -1):
        if (
            folded[end] in UNITS
            and all(map(numberwords.may_be_number, typed[i:end], folded[i:end]))
            and (number := numberwords.number_in_words(folded[i:end])) is not None
        ):
            return number, end
    return None


def _meaning(word: str, folded: list[str], i: int) -> str:
    """What the word at `i` means for a date or a time, folded (see `_resolved`)."""
    plain = folded[i]
    marked = word != plain  # typed with its accents: read as written
    before = folded[i - 1] if i else ""
    after = folded[i + 1] if i + 1 < len(folded) else ""
    short = _SHORT_WEEKDAY.fullmatch(plain)
    if short:
        return f"thu {short.group(1)}"
    if plain in SHORT_WEEKDAYS and not marked and _beside_a_time_or_date(before, after):
        return SHORT_WEEKDAYS[plain]
    if plain in PERIODS and before in GREETING:
        return "_"  # "good morning"
    if plain in HOURS_SAID and not _HOURISH.fullmatch(before):
        return HOURS_SAID[plain]  # "at noon"
    if plain == "toi":
        if marked:
            return {"tối": "toi", "tới": "sau" if before in COMING_AFTER else "den"}.get(word, "_")
        if before in COMING_AFTER:
            return "sau"  # "tuan toi": next week
        return "toi" if _beside_a_day_or_hour(before, after) else "_"  # else "tôi" (I) is as likely
    if plain == "sang":
        if marked:
            return "sang"  # "sáng"
        if after == "tuan":
            return "next"  # "sang tuan": next week
        return "_" if before in MOVED else "sang"
    if plain == "dem" and marked and word != "đêm":
        return "_"  # "đem" (bring)
    count = NUMBER_WORDS.get(word) if marked else NUMBER_FOLDED.get(plain)
    if count is not None and (after in UNITS or before == "thu" or (after == "ruoi" and count > 1)):
        return str(count)
    if after in ENGLISH_UNITS and plain in numberwords.ENGLISH_DIGITS:
        return str(numberwords.ENGLISH_DIGITS[plain])  # "in two days", "in a week"
    if plain == "mot":
        return "_" if marked and word != "mốt" else "mot"  # "một" said of nothing counted
    return plain


def _beside_a_day_or_hour(before: str, after: str) -> bool:
    """Whether a period of the day typed without accents stands where one is said: after an hour or "buổi", before
    a day ("toi mai", "toi thu 7") or an hour ("toi 8h")."""
    return (
        before in PERIOD_BEFORE
        or bool(_HOURISH.fullmatch(before))
        or after in PERIOD_AFTER
        or bool(_SHORT_WEEKDAY.fullmatch(after))
        or bool(_HOURISH.fullmatch(after))
    )


def _beside_a_time_or_date(before: str, after: str) -> bool:
    """Whether a short English weekday stands where one is said: before a number ("sat 10am", "fri 28/11"), after
    "next", "this" or "on", or beside "at" or a period of the day."""
    return (
        after[:1].isdigit()
        or before in ("next", "this", "on")
        or after in AT
        or after in PERIODS
        or before in PERIODS
    )


def _dotted(match: re.Match[str]) -> str:
    """ "8.30" is half past eight where it cannot be a date (no month 30) or a period of the day or "lúc" says it
    is a time ("8.12 sáng", "lúc 8.12"); otherwise a date (25.11)."""
    hour, minute = int(match.group(1)), int(match.group(2))
    text = match.string
    follows = text[match.end() :].split()[:1]
    precedes = text[: match.start()].split()[-1:]
    timed = (
        minute > 12
        or bool(follows and follows[0] in PERIODS)
        or bool(precedes and precedes[0] in AT | {"vao"})
    )
    return f"{hour}:{minute:02d}" if timed and hour <= 23 and minute <= 59 else match.group(0)


def _time_of(text: str) -> tuple[time, str, int] | None:
    """The time typed, the text without it, and the days it moves the date on (1 for midnight: "12 giờ đêm" ends
    the day named)."""
    match = _TIME.search(text)
    if match is not None and match.group(3):
        hour, minute = int(match.group(3)), 0
        if match.group(4) == "pm" and hour < 12:
            hour += 12
        elif match.group(4) == "am" and hour == 12:
            hour = 0
        return _checked(hour, minute, 0, text[: match.start()] + " " + text[match.end() :])
    if match is not None:
        hour, minutes, end = int(match.group(1)), match.group(2), match.end()
    else:
        match = _BARE_HOUR.search(text)
        if match is None:
            return None
        hour, minutes, end = int(match.group(1) or match.group(2)), None, match.end()
    minute = int(minutes or 0)
    half = _HALF.match(text, end)
    to = _TO.match(text, end)
    if half is not None and minutes is None:  # "8 giờ rưỡi": half past eight
        minute, end = 30, half.end()
    elif to is not None and minutes is None and 0 < int(to.group(1)) < 60:
        hour, minute, end = hour - 1, 60 - int(to.group(1)), to.end()
    rest = text[: match.start()] + " " + text[end:]
    hour, days = _in_period(hour, _period_near(text, match.start(), end))
    return _checked(hour, minute, days, rest)


def _period_near(text: str, start: int, end: int) -> str | None:
    """The period of the day said closest to the time ("sáng thứ 7 tuần tới, 8 giờ": the morning), as the period it
    is ("evening" is "toi")."""
    found = list(_DAY_PERIOD.finditer(text))
    if not found:
        return None
    nearest = min(found, key=lambda p: p.start() - end if p.start() >= end else start - p.end())
    return PERIODS[nearest.group(1)]


def _in_period(hour: int, period: str | None) -> tuple[int, int]:
    """The hour on a 24-hour clock for a period of the day, and the days it moves the date on: "7 giờ tối" is 19,
    "1 giờ trưa" 13, "12 giờ đêm" midnight at the end of the day named, "2 giờ đêm" the small hours after it."""
    if period is None or hour > 12:
        return hour, 0
    if period == "am":
        return (0 if hour == 12 else hour), 0
    if period == "pm":
        return (hour if hour == 12 else hour + 12), 0
    if period == "trua":
        return (hour + 12 if hour <= 4 else hour), 0
    if period == "chieu":
        return (hour if hour == 12 else hour + 12), 0
    if period in ("toi", "dem") and hour in (0, 12):
        return 0, 1
    if period == "toi":
        return hour + 12, 0
    if period == "dem":
        return (hour, 1) if hour <= 4 else (hour + 12, 0)
    return hour, 0  # the morning


def _checked(hour: int, minute: int, days: int, rest: str) -> tuple[time, str, int]:
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise WhenError("bad_time")
    return time(hour, minute), rest, days


def _date_of(text: str, today: date) -> tuple[date, bool] | None:
    """The day typed, and whether it is only the next day of its name (a weekday said alone, which is next week's
    once its hour has passed today)."""
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
        return found, False
    day_only = _DAY_OF_MONTH.search(text)
    if day_only:
        return _day_of_month(int(day_only.group(1) or day_only.group(2)), today, day_only.group(0)), False
    ahead = _DAYS_AHEAD.search(text)
    if ahead:
        number, unit = next(
            (n, u) for n, u in zip(ahead.groups()[::2], ahead.groups()[1::2], strict=True) if n
        )
        weeks = unit.startswith(("tuan", "week"))
        return today + timedelta(days=int(number) * (7 if weeks else 1)), False
    for words, offset in RELATIVE.items():
        if re.search(rf"\b{words}\b", text):
            return today + timedelta(days=offset), False
    for words, weekday in WEEKDAYS.items():
        named = re.search(rf"\b{words}\b", text)
        if named:
            monday = today - timedelta(days=today.weekday())
            if _WEEK_AFTER_NEXT.search(text):
                return monday + timedelta(days=14 + weekday), False
            if _NEXT_WEEK.search(text):
                return monday + timedelta(days=7 + weekday), False
            if _THIS_WEEK.search(text) or re.match(r"\s*nay\b", text[named.end() :]):
                return monday + timedelta(days=weekday), False
            return today + timedelta(days=(weekday - today.weekday()) % 7), True
    return None


def _day_of_month(day: int, today: date, typed: str) -> date:
    """ "ngày 15", "the 15th": the 15th of this month, or of the next once it has passed."""
    year, month = today.year, today.month
    for _ in range(2):
        try:
            found = date(year, month, day)
        except ValueError:
            found = None
        if found is not None and found >= today:
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise WhenError("impossible_date", typed=typed)


_OTHER_DAY = re.compile(r"\b(?:hom|ngay|gio|luc|buoi|tuan) khac\b")


def says_when(typed: str) -> bool:
    """Whether the words name a day or a time, however vaguely ("để thứ 7 đi", "tối mai", "tuần sau", "8h"): a time
    someone suggests."""
    text = _resolved(typed)
    return bool(
        _NUMERIC_DATE.search(text)
        or _TIME.search(text)
        or _BARE_HOUR.search(text)
        or _DAY_PERIOD.search(text)
        or _NEXT_WEEK.search(text)
        or _THIS_WEEK.search(text)
        or _OTHER_DAY.search(text)
        or any(re.search(rf"\b{words}\b", text) for words in (*WEEKDAYS, *RELATIVE))
    )


def parse_when(typed: str, now: datetime) -> datetime:
    """The aware UTC moment a person meant; raises WhenError (no_date, no_time, bad_time, impossible_date, past)."""
    text = _resolved(typed)
    timed = _time_of(text)
    rest = timed[1] if timed else text
    today = local(now).date()
    found = _date_of(rest, today)
    if found is None:
        raise WhenError("no_date")
    if timed is None:
        raise WhenError("no_time")
    day, next_of_its_name = found
    at, _rest, days = timed
    moment = datetime.combine(day + timedelta(days=days), at, tzinfo=zone()).astimezone(now.tzinfo)
    if moment <= now and next_of_its_name:
        moment = datetime.combine(day + timedelta(days=7 + days), at, tzinfo=zone()).astimezone(now.tzinfo)
    if moment <= now:
        raise WhenError("past")
    return moment
