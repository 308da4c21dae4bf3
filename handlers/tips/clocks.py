"""Legal clocks of a tip, as the Criminal Procedure Code (BLTTHS 2015) gives them to each body.

The ward police receive a tip, send the tipster a notice of receipt, check it and transfer it at once to the
investigating body (art. 145); those are their own clocks. Deciding whether to open a case within 20 days
(extendable, art. 147) is the investigating body's clock: the police see it as information. The numbers are
settings (`ANDAN_TIP_*`), read into `Rules`.

Working days skip weekends and Vietnamese public holidays (the `holidays` package). Deadlines are the end of
the due day in the deployment's timezone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import TYPE_CHECKING

import holidays
from dateutil.relativedelta import relativedelta

from bot import clock
from bot.i18n import local, zone
from models import Tip, TipStatus

if TYPE_CHECKING:
    from bot.settings import Settings


@dataclass(frozen=True)
class Rules:
    receipt_working_days: int = 3
    transfer_working_days: int = 3
    decision_days: int = 20
    extension_months: int = 2

    @classmethod
    def of(cls, settings: Settings) -> Rules:
        return cls(
            settings.tip_receipt_working_days,
            settings.tip_transfer_working_days,
            settings.tip_decision_days,
            settings.tip_extension_months,
        )


DEFAULT = Rules()
# Kept for callers that name the defaults.
RECEIPT_WORKING_DAYS = DEFAULT.receipt_working_days
DECISION_DAYS = DEFAULT.decision_days
MAX_EXTENSION_MONTHS = DEFAULT.extension_months


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


def receipt_due(received: datetime, rules: Rules = DEFAULT) -> datetime:
    return end_of(add_working_days(local(received).date(), rules.receipt_working_days))


def transfer_due(received: datetime, rules: Rules = DEFAULT) -> datetime:
    """The ward police's own deadline to check a tip and hand it to the investigating body."""
    return end_of(add_working_days(local(received).date(), rules.transfer_working_days))


def decision_due(received: datetime, rules: Rules = DEFAULT) -> datetime:
    return end_of(local(received).date() + timedelta(days=rules.decision_days))


def extended_due(current: datetime, months: int, rules: Rules = DEFAULT) -> datetime:
    months = max(1, min(rules.extension_months, months))
    return end_of(local(current).date() + relativedelta(months=months))


def is_overdue_receipt(tip: Tip, now: datetime | None = None) -> bool:
    return tip.acknowledged_at is None and tip.closed_at is None and (now or clock.now()) > tip.receipt_due_at


def is_overdue_transfer(tip: Tip, now: datetime | None = None, rules: Rules = DEFAULT) -> bool:
    return tip.status in TipStatus.OPEN and (now or clock.now()) > transfer_due(tip.received_at, rules)


def is_overdue_decision(tip: Tip, now: datetime | None = None) -> bool:
    return tip.status in TipStatus.OPEN and (now or clock.now()) > tip.decision_due_at


def reminder_due(deadline: datetime, now: datetime | None = None) -> bool:
    """From the start of the last working day before the deadline's day, until the deadline."""
    moment = now or clock.now()
    warn_from = datetime.combine(previous_working_day(local(deadline).date()), time(0, 0), tzinfo=zone())
    return warn_from <= moment <= deadline
