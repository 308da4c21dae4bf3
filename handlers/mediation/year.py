"""Mediation in the year's review: cases brought and the share of closed cases settled (hòa giải thành), per
group, area and ward, with the cases as evidence (declared in router.py). Counts only, private cases included."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.extensions.year_figures import Figure, Place
from models import Group
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
    for case_id, area_id, group_id, status in rows.all():
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
