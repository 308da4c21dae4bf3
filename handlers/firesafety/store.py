"""The fire-safety data access the flows, ticks and figures share: the ward's choices, checklists, households'
members, leaders' places, teams and fire points."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.i18n import local
from models import Group, Household, Person, Role, RoleGrant
from models.fire_safety import FirePoint, FirePointCheck, FireSafetyChecklist, FireSafetyWard
from models.pledges import HouseholdMember

LEADERS = frozenset(
    {Role.GROUP_ADMIN.value, Role.AREA_LEADER.value, Role.WARD_ADMIN.value, Role.POLICE.value}
)


def today() -> date:
    """The ward's calendar day now (expiry dates and checklist years are local)."""
    return local(clock.now()).date()


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


async def ward_config(session: AsyncSession, ward_code: int) -> FireSafetyWard:
    """The ward's choices; a ward that never chose uses the checklist and no liên gia teams."""
    return await session.get(FireSafetyWard, ward_code) or FireSafetyWard(ward_code=ward_code)


async def ward_of_household(session: AsyncSession, household: Household) -> int | None:
    group = await session.get(Group, household.group_id)
    return group.ward_code if group else None


async def current_checklist(
    session: AsyncSession, household_id: int, year: int
) -> FireSafetyChecklist | None:
    return (
        await session.exec(
            select(FireSafetyChecklist).where(FireSafetyChecklist.current_key == f"{household_id}:{year}")
        )
    ).first()


async def checklist_due(session: AsyncSession, household: Household) -> bool:
    """Whether this household's ward uses the checklist and the household has not done this year's."""
    ward_code = await ward_of_household(session, household)
    if ward_code is None or not (await ward_config(session, ward_code)).checklist_enabled:
        return False
    return await current_checklist(session, household.id or 0, today().year) is None


async def is_member(session: AsyncSession, person_id: int, household_id: int) -> bool:
    row = (
        await session.exec(
            select(HouseholdMember.id).where(
                HouseholdMember.person_id == person_id,
                HouseholdMember.household_id == household_id,
                col(HouseholdMember.confirmed_at).is_not(None),
            )
        )
    ).first()
    return row is not None


async def members(session: AsyncSession, household_ids: list[int]) -> list[tuple[Person, int]]:
    """Confirmed members of these households, with the household each belongs to."""
    if not household_ids:
        return []
    rows = await session.exec(
        select(Person, HouseholdMember.household_id)
        .join(HouseholdMember, col(HouseholdMember.person_id) == col(Person.id))
        .where(
            col(HouseholdMember.household_id).in_(household_ids),
            col(HouseholdMember.confirmed_at).is_not(None),
        )
        .order_by(col(Person.id))
    )
    return list(rows.all())


def latest_ids(before: datetime | None = None) -> Any:
    """Subquery: each household's newest checklist (signed before `before`): the answers in force then. A newer
    row always replaces the older ones, so without `before` these are current rows."""
    query = select(func.max(FireSafetyChecklist.id))
    if before is not None:
        query = query.where(col(FireSafetyChecklist.signed_at) < before)
    return query.group_by(col(FireSafetyChecklist.household_id))


def households_with_year(year: int, before: datetime | None = None) -> Any:
    """Subquery: the households that signed the checklist of `year` (before `before`), counted once however often
    they updated it."""
    query = select(FireSafetyChecklist.household_id).where(FireSafetyChecklist.year == year)
    if before is not None:
        query = query.where(col(FireSafetyChecklist.signed_at) < before)
    return query


def leader_place(grants: list[RoleGrant]) -> tuple[int, int | None, int | None] | None:
    """(ward, area, group) a leader sees: the whole ward (police, ward admin), an area, or a group."""
    for roles, level in (
        ({Role.WARD_ADMIN.value, Role.POLICE.value}, "ward"),
        ({Role.AREA_LEADER.value}, "area"),
        ({Role.GROUP_ADMIN.value}, "group"),
    ):
        for g in grants:
            if g.role in roles:
                if level == "ward":
                    return g.ward_code, None, None
                if level == "area" and g.area_id is not None:
                    return g.ward_code, g.area_id, None
                if level == "group" and g.group_id is not None:
                    return g.ward_code, None, g.group_id
    return None


async def kept_points(session: AsyncSession, person_id: int) -> list[FirePoint]:
    rows = await session.exec(
        select(FirePoint)
        .where(FirePoint.keeper_person_id == person_id, col(FirePoint.retired_at).is_(None))
        .order_by(col(FirePoint.id))
    )
    return list(rows.all())


async def last_checks(session: AsyncSession, point_ids: list[int]) -> dict[int, FirePointCheck]:
    """The latest check of each point (one query)."""
    if not point_ids:
        return {}
    newest = (
        select(func.max(FirePointCheck.id))
        .where(col(FirePointCheck.point_id).in_(point_ids))
        .group_by(col(FirePointCheck.point_id))
    )
    rows = await session.exec(select(FirePointCheck).where(col(FirePointCheck.id).in_(newest)))
    return {c.point_id: c for c in rows.all()}


async def latest_checklist(session: AsyncSession, household_id: int) -> FireSafetyChecklist | None:
    """The household's newest checklist still in force, of whatever year."""
    return (
        await session.exec(
            select(FireSafetyChecklist)
            .where(
                FireSafetyChecklist.household_id == household_id,
                col(FireSafetyChecklist.current_key).is_not(None),
            )
            .order_by(col(FireSafetyChecklist.id).desc())
        )
    ).first()
