"""Report periods and questions: when a ward's reports are due, and the default questions a ward starts with.

A period is named by its deadline's local date ("2026-11-27"); it runs from the previous deadline to this one.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import N_, _, local, zone
from models import ReportConfig

QuestionKind = Literal["text", "number", "yesno"]
KINDS: tuple[QuestionKind, ...] = ("text", "number", "yesno")
DEFAULT_QUESTIONS: list[dict[str, Any]] = [
    {"id": "incidents", "text": N_("Incidents of security and order this period"), "kind": "text"},
    {
        "id": "newcomers",
        "text": N_("Newcomers and temporary residents (how many households)"),
        "kind": "number",
    },
    {"id": "disputes", "text": N_("Disputes arising in the group"), "kind": "text"},
    {"id": "fire", "text": N_("Fire hazards noticed?"), "kind": "yesno"},
    {"id": "social_evils", "text": N_("Social evils (gambling, drugs, ...)"), "kind": "text"},
    {"id": "proposals", "text": N_("Proposals to the police"), "kind": "text"},
]
for _q in DEFAULT_QUESTIONS:
    _q["builtin"] = True

WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
# Reminders: a day before the deadline, and the morning of the due day.
MORNING = time(7, 30)
# How long after its deadline a missing report is still chased: the police are sent the list of missing groups and
# the leader a "late, send it now with /baocao" message only within it, so /baocao opens the late report first
# only within it too (after it, the open period's coming deadline matters more).
OVERDUE_WINDOW = timedelta(days=3)


def default_questions() -> list[dict[str, Any]]:
    return [dict(q) for q in DEFAULT_QUESTIONS]


def question_text(question: dict[str, Any]) -> str:
    """Built-in questions are shown in the reader's language; typed ones as the ward admin wrote them."""
    text = str(question["text"])
    return _(text) if question.get("builtin") else text


# A time as people type it: "17:00", "17h", "7h30", "17.30", "5 giờ chiều", "5h30 chieu", "11 giờ trưa".
_TIME = re.compile(
    r"(?P<hour>\d{1,2})\s*(?:(?::|\.|h|g|gio)\s*(?P<minute>\d{2})?(?:\s*(?:phut|p))?)?"
    r"(?:\s*(?P<period>sang|trua|chieu|toi|dem|am|pm))?"
)
_AFTERNOON = ("chieu", "toi", "pm")


def parse_time(value: str) -> time | None:
    """ "17:00", "17h", "7h30", "17.30", "5 giờ chiều", "5h30 chieu", "8h tối" → a time; None if it is not one.
    A bare number is an hour ("17"), as before."""
    found = _TIME.fullmatch(" ".join(fold_keeping(value).split()))
    if found is None:
        return None
    hour, minute, period = int(found["hour"]), int(found["minute"] or 0), found["period"]
    if period in _AFTERNOON and 1 <= hour < 12:
        hour += 12
    elif period == "dem" and 6 <= hour < 12:
        hour += 12  # "10 giờ đêm"; "2 giờ đêm" is 02:00
    elif period == "dem" and hour == 12:
        hour = 0  # "12 giờ đêm"
    return time(hour, minute) if 0 <= hour < 24 and 0 <= minute < 60 else None


def fold_keeping(text: str) -> str:
    """Lower-case without diacritics (đ → d), keeping ":" and "." that times need."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D").lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


def _at(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, parse_time(hhmm) or time(17, 0), tzinfo=zone())


def _month_deadline(year: int, month: int, cfg: ReportConfig) -> datetime:
    day = min(cfg.due_day, calendar.monthrange(year, month)[1])
    return _at(date(year, month, day), cfg.due_time)


def next_deadline(cfg: ReportConfig, moment: datetime) -> datetime:
    """The first deadline strictly after `moment` (aware, local zone)."""
    here = local(moment)
    if cfg.cadence == "monthly":
        year, month = here.year, here.month
        for _step in range(3):
            due = _month_deadline(year, month, cfg)
            if due > here:
                return due
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        raise AssertionError("unreachable")
    day = here.date() + timedelta(days=(cfg.due_weekday - here.weekday()) % 7)
    due = _at(day, cfg.due_time)
    return due if due > here else _at(day + timedelta(days=7), cfg.due_time)


def previous_deadline(cfg: ReportConfig, deadline: datetime) -> datetime:
    """The deadline before `deadline` (the start of its period)."""
    here = local(deadline)
    if cfg.cadence == "monthly":
        year, month = (here.year - 1, 12) if here.month == 1 else (here.year, here.month - 1)
        return _month_deadline(year, month, cfg)
    return _at(here.date() - timedelta(days=7), cfg.due_time)


@dataclass(frozen=True)
class Period:
    start: datetime
    due: datetime

    @property
    def key(self) -> str:
        return local(self.due).date().isoformat()


def current_period(cfg: ReportConfig, moment: datetime) -> Period:
    """The period whose deadline is still ahead."""
    due = next_deadline(cfg, moment)
    return Period(previous_deadline(cfg, due), due)


def last_closed_period(cfg: ReportConfig, moment: datetime) -> Period:
    """The period whose deadline passed most recently."""
    start = current_period(cfg, moment).start
    return Period(previous_deadline(cfg, start), start)


def period_by_key(cfg: ReportConfig, key: str) -> Period | None:
    try:
        day = date.fromisoformat(key)
    except ValueError:
        return None
    due = _at(day, cfg.due_time)
    return Period(previous_deadline(cfg, due), due)


def named_period(cfg: ReportConfig, key: str, now: datetime) -> Period | None:
    """The period a button named by its key, if it is still one of the ward's periods and not a future one: a key
    written before the ward moved its deadline (another weekday, another day of the month) names none."""
    period = period_by_key(cfg, key)
    if period is None or period.due > current_period(cfg, now).due:
        return None
    return period if next_deadline(cfg, period.start) == period.due else None


def reminder_moments(cfg: ReportConfig, period: Period) -> list[tuple[str, datetime]]:
    """("day_before", t), ("morning", t): when the admins of groups that have not reported are reminded."""
    due = local(period.due)
    moments = [
        ("day_before", due - timedelta(days=1)),
        ("morning", datetime.combine(due.date(), MORNING, due.tzinfo)),
    ]
    return [(name, at) for name, at in moments if at < due and at > local(period.start)]


async def config_of(session: AsyncSession, ward_code: int) -> ReportConfig | None:
    return await session.get(ReportConfig, ward_code)


def describe(cfg: ReportConfig) -> str:
    """ "weekly, due Friday 17:00" in the reader's language."""
    if cfg.cadence == "monthly":
        return _("monthly, due on day {day} at {time}").format(day=cfg.due_day, time=cfg.due_time)
    return _("weekly, due {weekday} at {time}").format(
        weekday=_(WEEKDAYS[cfg.due_weekday]), time=cfg.due_time
    )
