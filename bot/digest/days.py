"""Which moments a weekly digest counts: the seven whole local days its heading names.

A digest goes out at its send time (Monday 07:00 by default) or later when caught up after downtime; what it
counts must not depend on either. It covers the seven days before the day it is sent, midnight to midnight in the
ward's zone (Asia/Ho_Chi_Minh, whatever the server's), so a tip sent on Monday at 00:05 is in the week that starts
that Monday, and every moment is in exactly one week.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.i18n import local, zone

DAYS = 7


def midnight(day: date) -> datetime:
    """The start of a local day, as an aware UTC moment (stored moments are compared in UTC)."""
    return datetime.combine(day, time(0, 0), tzinfo=zone()).astimezone(UTC)


def week_before(moment: datetime, weeks_back: int = 0) -> tuple[datetime, datetime]:
    """[start, end) of the whole local days of the week before the day of `moment` (`weeks_back` weeks earlier).

    Built from dates, not by subtracting hours, so a zone with summer time still gets midnights."""
    last = local(moment).date() - timedelta(days=DAYS * weeks_back)
    return midnight(last - timedelta(days=DAYS)), midnight(last)


def last_day(end: datetime) -> date:
    """The last local day a period ending (exclusively) at `end` covers: Sunday for a week ending Monday 00:00."""
    return local(end - timedelta(microseconds=1)).date()
