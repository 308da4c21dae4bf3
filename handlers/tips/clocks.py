"""Legal clocks of a tip, as the Criminal Procedure Code (BLTTHS 2015) gives them to each body.

The ward police receive a tip, send the tipster a notice of receipt, check it and transfer it at once to the
investigating body (art. 145; TTLT 01/2017: within 24 hours, 48 for remote and island communes); those are
their own clocks, with reminders before each is due. Deciding whether to open a case within 20 days
(art. 147, which the investigating body may extend, and the procuracy once more) is the investigating body's
clock: the police see it after a transfer, as information, and may record an extension they are told of. The
numbers are settings (`ANDAN_TIP_*`), read into `Rules`.

Working days skip weekends and Vietnamese public holidays (the `holidays` package). Day deadlines are the end of
the due day in the deployment's timezone; the transfer deadline is counted in hours, as the circular counts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import TYPE_CHECKING

import holidays
from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col

from bot import clock
from bot.i18n import local, zone
from models import Tip, TipStatus

if TYPE_CHECKING:
    from bot.settings import Settings


@dataclass(frozen=True)
class Rules:
    receipt_working_days: int = 3
    transfer_hours: int = 24
    transfer_island_hours: int = 48
    transfer_reminder_hours: int = 6
    decision_days: int = 20
    extension_months: int = 2

    @classmethod
    def of(cls, settings: Settings) -> Rules:
        return cls(
            receipt_working_days=settings.tip_receipt_working_days,
            transfer_hours=settings.tip_transfer_hours,
            transfer_island_hours=settings.tip_transfer_island_hours,
            transfer_reminder_hours=settings.tip_transfer_reminder_hours,
            decision_days=settings.tip_decision_days,
            extension_months=settings.tip_extension_months,
        )


DEFAULT = Rules()
# Kept for callers that name the defaults.
RECEIPT_WORKING_DAYS = DEFAULT.receipt_working_days
DECISION_DAYS = DEFAULT.decision_days
MAX_EXTENSION_MONTHS = DEFAULT.extension_months
ISLAND = "đặc khu"  # a special zone is an island commune (the ward's kind, models.places.Ward.kind)


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


def transfer_due(received: datetime, rules: Rules = DEFAULT, ward_kind: str | None = None) -> datetime:
    """The ward police's own deadline to check a tip and hand it to the investigating body."""
    hours = rules.transfer_island_hours if ward_kind == ISLAND else rules.transfer_hours
    return received + timedelta(hours=hours)


def decision_due(received: datetime, rules: Rules = DEFAULT) -> datetime:
    """The investigating body's decision deadline (art. 147), counted from the day it received the tip."""
    return end_of(local(received).date() + timedelta(days=rules.decision_days))


def latest_extension(transferred: datetime, rules: Rules = DEFAULT) -> datetime:
    """The latest decision deadline the law allows after a transfer: the investigating body's extension and the
    procuracy's one more, each up to `extension_months` (art. 147(2)); a recorded date past it is a typing slip."""
    return end_of(local(transferred).date() + relativedelta(months=2 * rules.extension_months))


def transfer_deadline(tip: Tip, rules: Rules = DEFAULT) -> datetime:
    """The stored transfer deadline; tips received before it was stored count from receipt with today's rules."""
    return tip.transfer_due_at or transfer_due(tip.received_at, rules)


def decision_deadline(tip: Tip, rules: Rules = DEFAULT) -> datetime:
    """The investigating body's deadline for a transferred tip: a recorded extension, or 20 days from transfer."""
    if tip.extended_at is not None or tip.closed_at is None:
        return tip.decision_due_at
    return decision_due(tip.closed_at, rules)


def is_overdue_receipt(tip: Tip, now: datetime | None = None) -> bool:
    return tip.acknowledged_at is None and tip.closed_at is None and (now or clock.now()) > tip.receipt_due_at


def is_overdue_transfer(tip: Tip, now: datetime | None = None, rules: Rules = DEFAULT) -> bool:
    return tip.status in TipStatus.OPEN and (now or clock.now()) > transfer_deadline(tip, rules)


def is_overdue(tip: Tip, now: datetime | None = None, rules: Rules = DEFAULT) -> bool:
    """Past one of the ward police's own deadlines (never the investigating body's, which is not theirs)."""
    return is_overdue_receipt(tip, now) or is_overdue_transfer(tip, now, rules)


def overdue_where(now: datetime) -> ColumnElement[bool]:
    """`is_overdue` as a query condition, for lists and counts of open tips."""
    return or_(
        and_(col(Tip.acknowledged_at).is_(None), col(Tip.receipt_due_at) < now),
        col(Tip.transfer_due_at) < now,
    )


def reminder_due(deadline: datetime, now: datetime | None = None) -> bool:
    """From the start of the last working day before the deadline's day, until the deadline."""
    moment = now or clock.now()
    warn_from = datetime.combine(previous_working_day(local(deadline).date()), time(0, 0), tzinfo=zone())
    return warn_from <= moment <= deadline


def transfer_reminder_due(deadline: datetime, now: datetime | None = None, rules: Rules = DEFAULT) -> bool:
    """In the last `transfer_reminder_hours` before the transfer deadline (an hours clock has no working days)."""
    moment = now or clock.now()
    return deadline - timedelta(hours=rules.transfer_reminder_hours) <= moment <= deadline
