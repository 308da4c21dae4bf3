"""Coverage: households with this year's checklist and with a valid extinguisher, per group and area, and the
liên gia teams — each computed in one query for the whole ward (never a loop over groups).

A group that has not entered its household list yet has no households to count: summed with the others it would
let an area read "2/2, 100%" while one of its groups has not started. Places are therefore counted as pledge
coverage counts them (handlers.pledges.coverage.Tally: the groups without a list travel with the counts, and a
share is known only when there are none), so both read the same wherever a leader sees them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import execute
from bot.i18n import _
from handlers.firesafety.store import households_with_year, latest_ids
from handlers.firesafety.texts import bar
from handlers.pledges.coverage import Tally, no_list, unlisted_groups
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

    @property
    def listed(self) -> bool:
        """Whether the group has entered its household list (a group without one has not started)."""
        return self.households > 0


@dataclass(frozen=True)
class PlaceFigures:
    """The fire-safety coverage of some groups (one group, an area, the ward): the year's checklist and valid
    extinguishers, each a tally of households over the households listed, with the groups that have no list."""

    checklist: Tally
    extinguishers: Tally

    @property
    def households(self) -> int:
        return self.checklist.total


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


def tally(groups: list[GroupFigures]) -> PlaceFigures:
    unlisted = sum(1 for g in groups if not g.listed)
    households = sum(g.households for g in groups)

    def counted(n: int) -> Tally:
        return Tally(signed=n, total=households, groups=len(groups), unlisted=unlisted)

    return PlaceFigures(
        checklist=counted(sum(g.checked for g in groups)),
        extinguishers=counted(sum(g.extinguishers for g in groups)),
    )


def by_area(groups: list[GroupFigures]) -> list[tuple[int, str, PlaceFigures]]:
    """(area id, area name, its coverage) in the order of the groups."""
    found: dict[int, list[GroupFigures]] = {}
    names: dict[int, str] = {}
    for g in groups:
        found.setdefault(g.area_id, []).append(g)
        names[g.area_id] = g.area
    return [(area_id, names[area_id], tally(members)) for area_id, members in found.items()]


# How coverage reads ------------------------------------------------------------------------------------------
def with_share(text: str, counted: Tally) -> str:
    """`text` ("12/27 households filled in the checklist") with its bar when every group has its household list;
    otherwise with how many groups it counts, and no share: the households of the others are not known."""
    if counted.known:
        return f"{text}  {bar(counted.signed, counted.total)}"
    return text + _(", in the {listed} of {groups} groups that have a household list").format(
        listed=counted.listed, groups=counted.groups
    )


def place_line(place: str, counted: PlaceFigures) -> str:
    """ "Khóm 2: checklist 12/27, extinguishers 9/27"; "Tổ 2, Khóm 5: no household list yet"; an area some of
    whose groups have no list says how many."""
    checklist, extinguishers = counted.checklist, counted.extinguishers
    if not checklist.total:
        return f"{place}: {no_list()}"
    line = _("{place}: checklist {checked}/{total}, extinguishers {n}/{total}").format(
        place=place, checked=checklist.signed, n=extinguishers.signed, total=checklist.total
    )
    if checklist.unlisted:
        line += ", " + unlisted_groups(checklist.unlisted)
    return line
