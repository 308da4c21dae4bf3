"""Quiet hours: when only urgent messages may be pushed (21:00–07:00 local by default)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.i18n import local


def parse(spec: str) -> tuple[time, time]:
    """ "21:00-07:00" → (21:00, 07:00)."""
    start, end = (time.fromisoformat(part.strip()) for part in spec.split("-", 1))
    return start, end


def quiet_until(moment: datetime, spec: str) -> datetime | None:
    """If `moment` falls in quiet hours, the aware UTC moment they end; otherwise None."""
    start, end = parse(spec)
    here = local(moment)
    now_t = here.timetz().replace(tzinfo=None)
    overnight = start > end
    inside = (now_t >= start or now_t < end) if overnight else (start <= now_t < end)
    if not inside:
        return None
    end_day = here.date() + timedelta(days=1) if overnight and now_t >= start else here.date()
    ends = datetime.combine(end_day, end, tzinfo=here.tzinfo)
    return ends.astimezone(moment.tzinfo)
