"""Legal clocks of a tip: notice of receipt within 3 working days, a decision within 20 days (extendable once).

Working days skip weekends and Vietnamese public holidays (the `holidays` package). Deadlines are the end of
the due day in the deployment's timezone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache

import holidays
from dateutil.relativedelta import relativedelta

from bot import clock
from bot.i18n import local, zone
from models import Tip, TipStatus

RECEIPT_WORKING_DAYS = 3  # TTLT 01/2017, art. 14
DECISION_DAYS = 20  # BLTTHS art. 147
MAX_EXTENSION_MONTHS = 2


@cache
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def previous_working_day(day: date) -> date:
    day -= timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def end_of(day: date) -> datetime:
    """The last moment of a local day, as aware UTC."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=zone()).astimezone(UTC)


def receipt_due(received: datetime) -> datetime:
    return end_of(add_working_days(local(received).date(), RECEIPT_WORKING_DAYS))


def decision_due(received: datetime) -> datetime:
    return end_of(local(received).date() + timedelta(days=DECISION_DAYS))


def extended_due(current: datetime, months: int) -> datetime:
    months = max(1, min(MAX_EXTENSION_MONTHS, months))
    return end_of(local(current).date() + relativedelta(months=months))


def is_overdue_receipt(tip: Tip, now: datetime | None = None) -> bool:
    return tip.acknowledged_at is None and tip.closed_at is None and (now or clock.now()) > tip.receipt_due_at


def is_overdue_decision(tip: Tip, now: datetime | None = None) -> bool:
    return tip.status in TipStatus.OPEN and (now or clock.now()) > tip.decision_due_at


def reminder_due(deadline: datetime, now: datetime | None = None) -> bool:
    """From the start of the last working day before the deadline's day, until the deadline."""
    moment = now or clock.now()
    warn_from = datetime.combine(previous_working_day(local(deadline).date()), time(0, 0), tzinfo=zone())
    return warn_from <= moment <= deadline
