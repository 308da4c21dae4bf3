"""The application's clock: timezone-aware UTC "now" everywhere, swappable so tests can move time forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """Wall clock. Every stored time is aware UTC (SQLModel's UTCDateTime refuses naive values)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock(Clock):
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        self._now = start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


_clock: Clock = Clock()


def now() -> datetime:
    return _clock.now()


def install(clock: Clock) -> Clock:
    """Replace the process clock; returns the previous one so a test can restore it."""
    global _clock
    previous, _clock = _clock, clock
    return previous
