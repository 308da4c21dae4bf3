"""Coverage: households with this year's checklist and with a valid extinguisher, per group and area, and the
liên gia teams — each computed in one query for the whole ward (never a loop over groups)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import execute
from handlers.firesafety.store import households_with_year, latest_ids
from models import Area, Group, Household, Person
from models.fire_safety import FireSafetyChecklist, FireSafetyTeam, FireSafetyTeamHousehold


@dataclass(frozen=True)
class GroupFigures:
    group_id: int
    group: str
    area_id: int
    area: str
    households: int
    checked: int  # households with the year's checklist
    extinguishers: int  # households with an extinguisher valid on the day
    checklist_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class TeamLine:
    team_id: int
    name: str
    group_id: int
    group: str
    leader: str
    households: int
    checked: int


def _places(ward_code: int, area_id: int | None, group_id: int | None) -> list:
    conditions = [col(Group.ward_code) == ward_code, col(Group.retired_at).is_(None)]
    if area_id is not None:
        conditions.append(col(Group.area_id) == area_id)
    if group_id is not None:
        conditions.append(col(Group.id) == group_id)
    return conditions


async def by_group(
    session: AsyncSession,
    ward_code: int,
    year: int,
    valid_on: date,
    *,
    area_id: int | None = None,
    group_id: int | None = None,
    before: datetime | None = None,
) -> list[GroupFigures]:
    """Per group: households, households with the checklist of `year`, and with an extinguisher valid on
    `valid_on` (by each household's newest checklist); `before` counts only what was signed before it."""
    signed = col(Household.id).in_(households_with_year(year, before))
    newest = and_(
        col(FireSafetyChecklist.household_id) == col(Household.id),
        col(FireSafetyChecklist.id).in_(latest_ids(before)),
    )
    valid = and_(
        col(FireSafetyChecklist.has_extinguisher).is_(True),
        col(FireSafetyChecklist.extinguisher_expires_on) >= valid_on,
    )
    rows = await execute(
        session,
        sa_select(  # type: ignore[call-overload]  # typed overloads stop at a few columns
            Group.id,
            Group.name,
            Area.id,
            Area.name,
            func.count(col(Household.id)),
            func.sum(case((signed, 1), else_=0)),
            func.sum(case((valid, 1), else_=0)),
        )
        .select_from(Group)
        .join(Area, col(Area.id) == col(Group.area_id))
        .outerjoin(Household, col(Household.group_id) == col(Group.id))
        .outerjoin(FireSafetyChecklist, newest)
        .where(*_places(ward_code, area_id, group_id))
        .group_by(col(Group.id), col(Group.name), col(Area.id), col(Area.name))
        .order_by(col(Area.id), col(Group.id)),
    )
    return [
        GroupFigures(g, gn, a, an, int(h), int(c or 0), int(e or 0)) for g, gn, a, an, h, c, e in rows.all()
    ]


async def checklist_ids(
    session: AsyncSession, ward_code: int, year: int, before: datetime | None = None
) -> dict[int, list[int]]:
    """Per group, the ids of the year's checklists, each household's newest of that year signed before `before`
    (the evidence behind the figures)."""
    newest = select(func.max(FireSafetyChecklist.id)).where(FireSafetyChecklist.year == year)
    if before is not None:
        newest = newest.where(col(FireSafetyChecklist.signed_at) < before)
    query = (
        sa_select(FireSafetyChecklist.id, Household.group_id)  # type: ignore[call-overload]
        .select_from(FireSafetyChecklist)
        .join(Household, col(Household.id) == col(FireSafetyChecklist.household_id))
        .join(Group, col(Group.id) == col(Household.group_id))
        .where(
            *_places(ward_code, None, None),
            col(FireSafetyChecklist.id).in_(newest.group_by(col(FireSafetyChecklist.household_id))),
        )
        .order_by(col(FireSafetyChecklist.id))
    )
    found: dict[int, list[int]] = {}
    for checklist_id, group_id in (await execute(session, query)).all():
        found.setdefault(group_id, []).append(checklist_id)
    return found


async def teams(
    session: AsyncSession,
    ward_code: int,
    year: int,
    *,
    area_id: int | None = None,
    group_id: int | None = None,
) -> list[TeamLine]:
    """The liên gia teams with their leader, households and how many did the year's checklist (one query)."""
    this_year = and_(
        col(FireSafetyChecklist.household_id) == col(Household.id),
        col(FireSafetyChecklist.year) == year,
        col(FireSafetyChecklist.current_key).is_not(None),
    )
    rows = await execute(
        session,
        sa_select(  # type: ignore[call-overload]
            FireSafetyTeam.id,
            FireSafetyTeam.name,
            Group.id,
            Group.name,
            Person.display_name,
            func.count(col(Household.id)),
            func.count(col(FireSafetyChecklist.id)),
        )
        .select_from(FireSafetyTeam)
        .join(Group, col(Group.id) == col(FireSafetyTeam.group_id))
        .outerjoin(Person, col(Person.id) == col(FireSafetyTeam.leader_person_id))
        .outerjoin(FireSafetyTeamHousehold, col(FireSafetyTeamHousehold.team_id) == col(FireSafetyTeam.id))
        .outerjoin(Household, col(Household.id) == col(FireSafetyTeamHousehold.household_id))
        .outerjoin(FireSafetyChecklist, this_year)
        .where(*_places(ward_code, area_id, group_id), col(FireSafetyTeam.retired_at).is_(None))
        .group_by(
            col(FireSafetyTeam.id),
            col(FireSafetyTeam.name),
            col(Group.id),
            col(Group.name),
            col(Person.display_name),
        )
        .order_by(col(Group.id), col(FireSafetyTeam.id)),
    )
    return [TeamLine(t, n, g, gn, leader or "—", int(h), int(c)) for t, n, g, gn, leader, h, c in rows.all()]


def by_area(groups: list[GroupFigures]) -> list[tuple[int, str, int, int, int]]:
    """(area id, area name, households, checked, extinguishers) in the order of the groups."""
    found: dict[int, tuple[str, int, int, int]] = {}
    for g in groups:
        name, h, c, e = found.get(g.area_id, (g.area, 0, 0, 0))
        found[g.area_id] = (name, h + g.households, c + g.checked, e + g.extinguishers)
    return [(area_id, name, h, c, e) for area_id, (name, h, c, e) in found.items()]


def totals(groups: list[GroupFigures]) -> tuple[int, int, int]:
    return (
        sum(g.households for g in groups),
        sum(g.checked for g in groups),
        sum(g.extinguishers for g in groups),
    )
