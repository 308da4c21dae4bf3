"""Mediation in the year's review: cases brought and the share of closed cases settled (hòa giải thành), per
group, area and ward, with the cases as evidence (declared in router.py). Counts only, private cases included.

A year's settled cases are those whose agreement stood at the year's end: an agreement reported broken within the
year leaves them, one reported broken afterwards does not (what happened in the year stays the year's)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.extensions.year_figures import Figure, Place
from models import AuditEntry, Group
from models.mediation import CaseStatus, MediationCase

SOURCE = "mediation_case"


def _places(ward_code: int, area_id: int | None, group_id: int | None) -> list[Place]:
    places = [Place("ward", ward_code)]
    if area_id is not None:
        places.append(Place("area", area_id))
    if group_id is not None:
        places.append(Place("group", group_id))
    return places


async def cases(session: AsyncSession, ward_code: int, start: datetime, end: datetime) -> dict[Place, Figure]:
    """Cases received in the period. A place without cases is counted as 0: a case would have been recorded."""
    found: dict[Place, list[int]] = {Place("ward", ward_code): []}
    for group_id, area_id in (
        await session.exec(select(Group.id, Group.area_id).where(Group.ward_code == ward_code))
    ).all():
        found[Place("group", int(group_id or 0))] = []
        found[Place("area", area_id)] = []
    rows = await session.exec(
        select(MediationCase.id, MediationCase.area_id, MediationCase.group_id).where(
            MediationCase.ward_code == ward_code,
            col(MediationCase.created_at) >= start,
            col(MediationCase.created_at) < end,
        )
    )
    for case_id, case_area, case_group in rows.all():
        for place in _places(ward_code, case_area, case_group):
            found.setdefault(place, []).append(int(case_id or 0))
    return {
        place: Figure(value=len(ids), numerator=len(ids), source=SOURCE, record_ids=tuple(sorted(ids)))
        for place, ids in found.items()
    }


async def settled_share(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> dict[Place, Figure]:
    """Cases closed in the period with an agreement, over those closed agreed or not agreed (a withdrawn request
    was not mediated). A place with no such case has no data."""
    closed: dict[Place, list[int]] = defaultdict(list)
    agreed: dict[Place, list[int]] = defaultdict(list)
    rows = await session.exec(
        select(MediationCase.id, MediationCase.area_id, MediationCase.group_id, MediationCase.status).where(
            MediationCase.ward_code == ward_code,
            col(MediationCase.closed_at) >= start,
            col(MediationCase.closed_at) < end,
            col(MediationCase.status).in_([CaseStatus.AGREED, CaseStatus.NOT_AGREED]),
        )
    )
    for case_id, area_id, group_id, status in [
        *rows.all(),
        *await _reopened_after(session, ward_code, start, end),
    ]:
        for place in _places(ward_code, area_id, group_id):
            closed[place].append(int(case_id or 0))
            if status == CaseStatus.AGREED:
                agreed[place].append(int(case_id or 0))
    return {
        place: Figure(
            value=len(agreed[place]) / len(ids),
            numerator=len(agreed[place]),
            denominator=len(ids),
            source=SOURCE,
            record_ids=tuple(sorted(ids)),
        )
        for place, ids in closed.items()
    }


async def _reopened_after(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> list[tuple[int | None, int | None, int | None, str]]:
    """(id, area, group, outcome) of the cases closed agreed or not agreed in the period and reopened after it: the
    case row no longer says how it was closed then (reopening clears it), the reopening's audit entry does
    (flows/outcome.py reopen)."""
    entries = await session.exec(
        select(AuditEntry).where(
            AuditEntry.action == "mediation.reopened",
            AuditEntry.ward_code == ward_code,
            col(AuditEntry.at) >= end,
        )
    )
    undone: dict[int, str] = {}
    for entry in entries.all():
        closed, outcome = entry.detail.get("closed_at"), entry.detail.get("outcome")
        if not closed or outcome not in (CaseStatus.AGREED, CaseStatus.NOT_AGREED) or not entry.target_id:
            continue
        moment = datetime.fromisoformat(closed)
        if start <= (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) < end:
            undone[int(entry.target_id)] = outcome
    if not undone:
        return []
    rows = await session.exec(
        select(MediationCase.id, MediationCase.area_id, MediationCase.group_id).where(
            col(MediationCase.id).in_(list(undone))
        )
    )
    return [
        (case_id, area_id, group_id, undone[int(case_id or 0)]) for case_id, area_id, group_id in rows.all()
    ]
