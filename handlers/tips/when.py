"""When something happened, as people type it at the tip form's "when" step instead of pressing a button:
"bây giờ", "sáng nay", "tối nào cũng vậy", "tuần trước", a day ("20/11", "hôm qua", "thứ sáu tuần trước", "last
Friday", "Nov 20", "20 November"), with or without accents.

`typed_when` gives one of the step's answers ("now", "today", "often", "earlier") or a day; None when the words
say no time the step knows, so the person is asked again and nothing is guessed.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot import clock
from bot.core.wording import says_any, words
from bot.daywords import MONTHS, WEEKDAYS, last_weekday
from bot.i18n import local

# Phrases in folded words (bot.core.wording.words: accents off, chat shorthand expanded), first match wins in this
# order: a habit said with a time ("tối nào cũng vậy") is a habit, not tonight. "lúc này" (now) and "lúc nãy" (a
# moment ago) fold alike, so neither is here: typed without accents they would be a guess.
OFTEN = (
    "moi toi", "moi dem", "moi ngay", "moi sang", "moi chieu", "moi tuan", "hang ngay", "hang dem", "hang toi",
    "hang tuan", "toi nao cung", "dem nao cung", "ngay nao cung", "sang nao cung", "chieu nao cung",
    "tuan nao cung", "thuong xuyen", "nhieu lan", "lien tuc", "suot ngay", "suot dem", "every day", "every night",
    "every evening", "every week", "often", "again and again", "all the time", "many times",
)  # fmt: skip
NOW = (
    "bay gio", "ngay bay gio", "gio nay", "hien tai", "hien gio", "dang xay ra", "dang dien ra", "dang co",
    "right now", "now", "happening now", "going on",
)  # fmt: skip
TODAY = (
    "hom nay", "sang nay", "trua nay", "chieu nay", "toi nay", "dem nay", "hoi sang", "hoi trua", "hoi chieu",
    "hoi toi", "hoi nay", "vua nay", "vua xong", "today", "this morning", "this afternoon", "this evening",
    "tonight", "earlier today",
)  # fmt: skip
YESTERDAY = (
    "hom qua", "toi qua", "dem qua", "sang qua", "trua qua", "chieu qua", "yesterday", "last night",
)  # fmt: skip
DAY_BEFORE = ("hom kia", "the day before yesterday")
EARLIER = (
    "tuan truoc", "tuan roi", "thang truoc", "thang roi", "nam truoc", "nam ngoai", "hom truoc", "may hom truoc",
    "may ngay truoc", "hoi truoc", "lau roi", "tu lau", "last week", "last month", "last year", "days ago",
    "weeks ago", "a while ago", "earlier",
)  # fmt: skip

_DATE = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{2}|\d{4}))?\s*$")
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
# "nov 20", "november 20th", "20 november", "20th of nov", a year after either (folded words).
_MONTH_DAY = re.compile(rf"^(?:on )?(?P<m>{_MONTH}) (?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?: (?P<y>\d{{4}}))?$")
_DAY_MONTH = re.compile(
    rf"^(?:on )?(?:the )?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?: of)? (?P<m>{_MONTH})(?: (?P<y>\d{{4}}))?$"
)
# A weekday of the week before or this week's past: "last friday", "on friday", "thứ 6 tuần trước", "thứ sáu vừa
# rồi"; the day before today that bears the name.
_PAST_WEEKDAY = re.compile(
    rf"^(?:last |on |on last |this past )?(?P<w>{'|'.join(sorted(WEEKDAYS, key=len, reverse=True))})"
    r"(?: (?:tuan truoc|tuan roi|vua roi|vua qua|roi|last week))?$"
)


def parse_day(text: str) -> date | None:
    """ "20/11", "20-11-2026", "20.11.26", "hôm qua"/"tối qua"/"yesterday", "hôm kia" alone → a date (day first,
    as in Vietnam)."""
    today = local(clock.now()).date()
    said = " ".join(words(text))
    if said in YESTERDAY:
        return today - timedelta(days=1)
    if said in DAY_BEFORE:
        return today - timedelta(days=2)
    if (weekday := _PAST_WEEKDAY.match(said)) is not None:
        return last_weekday(WEEKDAYS[weekday["w"]], today)
    return written_day(text, today, ahead=False) or _month_named(said, today)


def _month_named(said: str, today: date) -> date | None:
    """ "nov 20", "20 november 2026" (folded words) → the last such day up to today, or that year's."""
    match = _MONTH_DAY.match(said) or _DAY_MONTH.match(said)
    if match is None:
        return None
    year = int(match["y"]) if match["y"] else today.year
    try:
        found = date(year, MONTHS[match["m"]], int(match["d"]))
    except ValueError:
        return None
    return found.replace(year=year - 1) if not match["y"] and found > today else found


def written_day(text: str, today: date, *, ahead: bool) -> date | None:
    """ "20/11", "20-11-2026", "20.11.26" → a date, day first as in Vietnam. Without a year: the last such day up to
    today ("20/12" typed in January is last December), or with `ahead` the next from today (a deadline)."""
    match = _DATE.match(text)
    if match is None:
        return None
    day_s, month_s, year_s = match.groups()
    year = today.year if year_s is None else int(year_s) + (2000 if len(year_s) == 2 else 0)
    try:
        found = date(year, int(month_s), int(day_s))
    except ValueError:
        return None
    if year_s is None and not ahead and found > today:
        found = found.replace(year=year - 1)
    if year_s is None and ahead and found < today:
        found = found.replace(year=year + 1)
    return found


def typed_when(text: str) -> str | date | None:
    """The answer typed words give to "when did it happen?": "often", "now", "today", "earlier" (the day is asked
    next), a day, or None."""
    day = parse_day(text)
    if day is not None or text.rstrip().endswith("?"):
        return day  # "hôm nay là ngày mấy?" asks, it does not answer
    said = words(text)
    if says_any(said, OFTEN):
        return "often"
    if says_any(said, NOW):
        return "now"
    if says_any(said, TODAY):
        return "today"
    if says_any(said, YESTERDAY):
        return local(clock.now()).date() - timedelta(days=1)
    if says_any(said, DAY_BEFORE):
        return local(clock.now()).date() - timedelta(days=2)
    if says_any(said, EARLIER):
        return "earlier"
    return None
