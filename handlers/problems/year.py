"""The problems' figures for the year's review, per residential area and for the ward: `problems.opened`,
`problems.fixed` (counts) and `problems.median_days_to_fix` (days). Counts of reports, never of people; a report
row holds no person, so the report ids listed as evidence name nobody."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.extensions.year_figures import Figure, Place
from handlers.problems.figures import WARD, Tally, tallies


def place(ward_code: int, area_id: int) -> Place:
    return Place("ward", ward_code) if area_id == WARD else Place("area", area_id)


async def opened(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> dict[Place, Figure]:
    return _each(await tallies(session, ward_code, start, end), ward_code, lambda t: t.opened)


async def fixed(session: AsyncSession, ward_code: int, start: datetime, end: datetime) -> dict[Place, Figure]:
    return _each(await tallies(session, ward_code, start, end), ward_code, lambda t: t.fixed)


async def median_days_to_fix(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> dict[Place, Figure]:
    found = await tallies(session, ward_code, start, end)
    return {
        place(ward_code, area_id): Figure(
            value=tally.median_days, source="problem", record_ids=tuple(sorted(tally.fixed))
        )
        for area_id, tally in found.items()
        if tally.median_days is not None
    }


def _each(found: dict[int, Tally], ward_code: int, pick: Callable[[Tally], list[int]]) -> dict[Place, Figure]:
    """One count per place: the report ids `pick` gives of its tally."""
    return {
        place(ward_code, area_id): Figure(
            value=len(pick(tally)), source="problem", record_ids=tuple(sorted(pick(tally)))
        )
        for area_id, tally in found.items()
    }
