"""What problems add to the weekly digest: per residential area, how many were reported, fixed and reopened as
not fixed this period and the median time to fix. A resident or group leader sees their own area; the police see
each area and the ward. Small counts are not shown (bot.digest.small): "2 reports from area 3" can point at a neighbour."""

from __future__ import annotations

from datetime import datetime, timedelta

from babel.dates import format_timedelta
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.digest.memo import memo
from bot.digest.small import SMALL, hidden
from bot.extensions.digest_sections import Scope, Section
from bot.i18n import _, current_locale, fmt_number
from handlers.problems.figures import WARD, Tally, tallies
from models import Area, Group


def count(n: int) -> str:
    return _("fewer than {n}").format(n=SMALL) if hidden(n) else fmt_number(n)


def line(name: str, tally: Tally) -> str:
    text = _("{place}: reported {opened}, fixed {fixed}").format(
        place=name, opened=count(len(tally.opened)), fixed=count(len(tally.fixed))
    )
    if tally.reopened and not hidden(len(tally.reopened)):
        text += ", " + _("reopened as not fixed {n}").format(n=fmt_number(len(tally.reopened)))
    # The median of a few cases is one person's case: shown only where the count itself is.
    if tally.median_time is not None and not hidden(len(tally.fixed)):
        text += "; " + half_fixed_within(tally.median_time, tally.median_days or 0.0)
    return text


def half_fixed_within(median: timedelta, days: float) -> str:
    """Hours (or minutes) under a day, as the reader's language writes them ("2 giờ"); days from a day on."""
    if median < timedelta(days=1):
        shown = format_timedelta(max(median, timedelta(minutes=1)), threshold=1, locale=current_locale())
        return _("half were fixed within {time}").format(time=shown)
    return _("half were fixed within {days} days").format(days=fmt_number(days))


def figures(tally: Tally, prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    if not hidden(len(tally.opened)):
        out[prefix + "opened"] = len(tally.opened)
    if not hidden(len(tally.fixed)):
        out[prefix + "fixed"] = len(tally.fixed)
        if tally.median_days is not None:
            out[prefix + "median_days"] = tally.median_days
    if tally.reopened and not hidden(len(tally.reopened)):
        out[prefix + "reopened"] = len(tally.reopened)
    return out


async def digest(session: AsyncSession, scope: Scope, start: datetime, end: datetime) -> Section | None:
    found = await memo(
        ("problems", scope.ward_code, start, end), lambda: tallies(session, scope.ward_code, start, end)
    )
    areas = {
        a.id: a.name
        for a in (await session.exec(select(Area).where(Area.ward_code == scope.ward_code))).all()
        if a.id is not None
    }
    result = Section(title=_("Problems reported to the ward"))
    if scope.group_id is not None and scope.audience != "police":
        group = await session.get(Group, scope.group_id)
        area_id = group.area_id if group else None
        tally = found.get(area_id) if area_id is not None else None
        if area_id is None or tally is None or not (tally.opened or tally.fixed):
            return None
        result.lines.append(line(areas.get(area_id, ""), tally))
        result.figures = figures(tally)
        return result
    ward = found[WARD]
    if not (ward.opened or ward.fixed):
        return None
    result.lines.append(line(_("Whole ward"), ward))
    result.figures = figures(ward)
    for area_id in sorted((a for a in found if a != WARD), key=lambda a: areas.get(a, "")):
        result.lines.append(line(areas.get(area_id, str(area_id)), found[area_id]))
        result.figures.update(figures(found[area_id], f"area{area_id}."))
    return result
