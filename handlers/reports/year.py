"""Periodic reports in the year's review: the share of reports each group sent on time and the reports missed
(not sent, or sent after the deadline), per group, area and ward (declared in router.py). A report never sent has
no record: the evidence names the group and the deadline it missed instead.

The reports expected are one per group and deadline that passed within the period, from the day the ward set
reports up and the group existed; a report counts as on time when it was submitted by its deadline.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.db import execute
from bot.extensions.year_figures import Figure, Missing, Place
from bot.i18n import local
from handlers.reports.periods import config_of, next_deadline
from handlers.reports.texts import sent_late
from models import Group, ReportSubmission

SOURCE = "report_submission"


class _Tally:
    """Expected reports, the submissions sent on time or late, and the reports never sent, per place."""

    def __init__(self) -> None:
        self.expected: dict[Place, int] = defaultdict(int)
        self.on_time: dict[Place, list[int]] = defaultdict(list)
        self.late: dict[Place, list[int]] = defaultdict(list)
        self.unsent: dict[Place, list[Missing]] = defaultdict(list)


async def _tally(session: AsyncSession, ward_code: int, start: datetime, end: datetime) -> _Tally | None:
    cfg = await config_of(session, ward_code)
    if cfg is None:
        return None
    limit = min(end, clock.now())
    deadlines: list[datetime] = []
    due = next_deadline(cfg, max(start, cfg.created_at))
    while due <= limit:
        deadlines.append(due)
        due = next_deadline(cfg, due)
    groups = (
        await session.exec(
            select(Group.id, Group.area_id, Group.created_at, Group.retired_at).where(
                Group.ward_code == ward_code
            )
        )
    ).all()
    keys = [local(d).date().isoformat() for d in deadlines]
    # Only the columns the tally needs: a year of a ward is thousands of reports with their answers.
    submitted = {
        (int(group_id), key): (int(row_id or 0), submitted_at, due_at)
        for row_id, group_id, key, submitted_at, due_at in (
            await execute(
                session,
                sa_select(  # type: ignore[call-overload]  # typed overloads stop at a few columns
                    ReportSubmission.id,
                    ReportSubmission.group_id,
                    ReportSubmission.period_key,
                    ReportSubmission.submitted_at,
                    ReportSubmission.due_at,
                ).where(
                    col(ReportSubmission.ward_code) == ward_code,
                    col(ReportSubmission.period_key).in_(keys),
                    col(ReportSubmission.status) == "submitted",
                ),
            )
        ).all()
    }
    tally = _Tally()
    for group_id, area_id, created_at, retired_at in groups:
        group = Place("group", int(group_id or 0))
        places = (group, Place("area", area_id), Place("ward", ward_code))
        for deadline, key in zip(deadlines, keys, strict=True):
            if created_at >= deadline or (retired_at is not None and retired_at <= deadline):
                continue
            found = submitted.get((int(group_id or 0), key))
            for place in places:
                tally.expected[place] += 1
                if found is None:
                    tally.unsent[place].append(Missing(group, deadline))
                    continue
                row_id, submitted_at, due_at = found
                if not sent_late(submitted_at, due_at):
                    tally.on_time[place].append(row_id)
                else:
                    tally.late[place].append(row_id)
    return tally


async def on_time_share(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> dict[Place, Figure]:
    tally = await _tally(session, ward_code, start, end)
    if tally is None:
        return {}
    return {
        place: Figure(
            value=len(tally.on_time[place]) / expected,
            numerator=len(tally.on_time[place]),
            denominator=expected,
            source=SOURCE,
            record_ids=tuple(sorted(tally.on_time[place])),
        )
        for place, expected in tally.expected.items()
        if expected
    }


async def missed(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> dict[Place, Figure]:
    """Reports not sent by their deadline; the evidence lists the late ones by their records, and the ones never
    sent by their group and deadline (they have no record)."""
    tally = await _tally(session, ward_code, start, end)
    if tally is None:
        return {}
    return {
        place: Figure(
            value=expected - len(tally.on_time[place]),
            numerator=expected - len(tally.on_time[place]),
            denominator=expected,
            source=SOURCE,
            record_ids=tuple(sorted(tally.late[place])),
            missing=tuple(sorted(tally.unsent[place])),
        )
        for place, expected in tally.expected.items()
        if expected
    }
