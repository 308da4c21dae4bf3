"""The problems' figures, per residential area and for the whole ward, from one query per ward and period: how
many were reported (duplicates merged into another count once, with the report they joined), how many were
fixed, and the median time from report to fix, and how many were reopened by their reporter as still not fixed
(a reopened report stays one report: it counts among the fixed again only once closed again). Shared by the weekly
digest and the year's review."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import AuditEntry
from models.problems import Problem, ProblemStatus

WARD = 0  # the key of the whole ward among the areas


@dataclass
class Tally:
    opened: list[int] = field(default_factory=list)  # report ids
    fixed: list[int] = field(default_factory=list)
    days: list[float] = field(default_factory=list)  # report to fix, of each fixed one
    reopened: list[int] = field(default_factory=list)  # report ids, once per reopening

    @property
    def median_days(self) -> float | None:
        return round(median(self.days), 1) if self.days else None

    @property
    def median_time(self) -> timedelta | None:
        """The median unrounded: a light fixed within the hour is not "0 days"."""
        return timedelta(days=median(self.days)) if self.days else None


async def tallies(session: AsyncSession, ward_code: int, start: datetime, end: datetime) -> dict[int, Tally]:
    """{area id (WARD for the whole ward): Tally} for reports opened or fixed in [start, end)."""
    rows = await session.exec(
        select(Problem).where(
            Problem.ward_code == ward_code,
            Problem.status != ProblemStatus.MERGED,
            or_(
                (col(Problem.created_at) >= start) & (col(Problem.created_at) < end),
                (col(Problem.closed_at) >= start) & (col(Problem.closed_at) < end),
            ),
        )
    )
    found: dict[int, Tally] = {WARD: Tally()}
    for problem in rows.all():
        problem_id, area_id, status = problem.id or 0, problem.area_id, problem.status
        created, closed = problem.created_at, problem.closed_at
        places = [found[WARD]] + ([found.setdefault(area_id, Tally())] if area_id is not None else [])
        for tally in places:
            if start <= created < end:
                tally.opened.append(problem_id)
            if status == ProblemStatus.FIXED and closed is not None and start <= closed < end:
                tally.fixed.append(problem_id)
                tally.days.append((closed - created).total_seconds() / 86400)
    for problem_id, area_id in await reopenings(session, ward_code, start, end):
        places = [found[WARD]] + ([found.setdefault(area_id, Tally())] if area_id is not None else [])
        for tally in places:
            tally.reopened.append(problem_id)
    return found


async def reopenings(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> list[tuple[int, int | None]]:
    """(report id, area id) of each reopening in [start, end). The report row keeps no trace of having been
    reopened (reopening clears its closing), so the audit entry that flows/mine.py writes is the record."""
    rows = await session.exec(
        select(AuditEntry).where(
            AuditEntry.action == "problem.reopen",
            AuditEntry.ward_code == ward_code,
            col(AuditEntry.at) >= start,
            col(AuditEntry.at) < end,
        )
    )
    return [(int(entry.target_id or 0), entry.detail.get("area")) for entry in rows.all()]
