"""The problems' figures, per residential area and for the whole ward, from one query per ward and period: how
many were reported (duplicates merged into another count once, with the report they joined), how many were
fixed, and the median time from report to fix, and how many were reopened by their reporter as still not fixed
(a reopened report stays one report: it counts among the fixed again only once closed again). A fix counts in the
period it was made in, as the period ended: reopened within it, it is undone; reopened later, it stays (the year's
review made in January keeps December's fixes). Shared by the weekly digest and the year's review."""

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
    for problem, fixed_at in await fixed_then_reopened(session, ward_code, start, end):
        area_id = problem.area_id
        places = [found[WARD]] + ([found.setdefault(area_id, Tally())] if area_id is not None else [])
        for tally in places:
            tally.fixed.append(problem.id or 0)
            tally.days.append((fixed_at - problem.created_at).total_seconds() / 86400)
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


async def fixed_then_reopened(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> list[tuple[Problem, datetime]]:
    """Reports fixed in [start, end) and reopened after `end`, with when they were fixed. Reopening clears the
    report's closing (flows/mine.py), so the fix is read from the audit: the last "problem.close" before the first
    "problem.reopen" after the period."""
    reopened: dict[str, datetime] = {}
    for target, at in (
        await session.exec(
            select(AuditEntry.target_id, AuditEntry.at)
            .where(
                AuditEntry.action == "problem.reopen",
                AuditEntry.ward_code == ward_code,
                col(AuditEntry.at) >= end,
            )
            .order_by(col(AuditEntry.at))
        )
    ).all():
        if target is not None:
            reopened.setdefault(target, at)
    if not reopened:
        return []
    fixed: dict[str, datetime] = {}
    for target, at in (
        await session.exec(
            select(AuditEntry.target_id, AuditEntry.at)
            .where(
                AuditEntry.action == "problem.close",
                AuditEntry.ward_code == ward_code,
                col(AuditEntry.target_id).in_(list(reopened)),
                col(AuditEntry.at) < max(reopened.values()),
            )
            .order_by(col(AuditEntry.at))
        )
    ).all():
        if target is not None and at < reopened[target]:
            fixed[target] = at  # the latest before the reopening wins
    kept = {int(target): at for target, at in fixed.items() if start <= at < end}
    if not kept:
        return []
    rows = await session.exec(
        select(Problem).where(col(Problem.id).in_(list(kept)), Problem.status != ProblemStatus.MERGED)
    )
    return [(problem, kept[int(problem.id or 0)]) for problem in rows.all()]
