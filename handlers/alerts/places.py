"""Who may alert where, and which alerts concern a person's place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.directory.people import home_grant
from models import Group, Role, RoleGrant, Ward
from models.alerts import Alert, AlertTarget


@dataclass(frozen=True)
class Powers:
    """What an author may reach: police a whole ward, a group admin only the groups they lead."""

    role: str  # "police" | "group_admin"
    ward_code: int
    group_ids: tuple[int, ...]  # for a group admin: the groups they lead


def powers_of(grants: list[RoleGrant]) -> Powers | None:
    police = [g for g in grants if g.role == Role.POLICE]
    if police:
        return Powers(Role.POLICE.value, police[0].ward_code, ())
    led = [g for g in grants if g.role == Role.GROUP_ADMIN and g.group_id is not None]
    if led:
        ward = led[0].ward_code
        return Powers(Role.GROUP_ADMIN.value, ward, tuple(g.group_id for g in led if g.ward_code == ward))  # type: ignore[misc]
    return None


async def ward_of(session: AsyncSession, ward_code: int) -> Ward:
    ward = await session.get(Ward, ward_code)
    if ward is None:
        raise LookupError(f"ward {ward_code} is not loaded")
    return ward


@dataclass(frozen=True)
class Place:
    ward_code: int
    area_id: int | None
    group_id: int | None


async def place_of(session: AsyncSession, grants: list[RoleGrant]) -> Place | None:
    """The person's most specific place, with the area filled in when only the group is recorded."""
    grant = home_grant(grants)
    if grant is None:
        return None
    area_id = grant.area_id
    if area_id is None and grant.group_id is not None:
        group = await session.get(Group, grant.group_id)
        area_id = group.area_id if group else None
    return Place(grant.ward_code, area_id, grant.group_id)


def concerning(place: Place) -> Any:
    """SQL condition: alerts of the person's ward meant for the whole ward, their area or their group.

    A ward-level person (police, ward staff) sees every alert of the ward.
    """
    condition = col(Alert.ward_code) == place.ward_code
    if place.area_id is None and place.group_id is None:
        return condition
    targeted = select(AlertTarget.alert_id).where(
        or_(col(AlertTarget.group_id) == place.group_id, col(AlertTarget.area_id) == place.area_id)
    )
    return condition & or_(col(Alert.scope) == "ward", col(Alert.id).in_(targeted))


def concerns(
    alert: Alert, targets: list[tuple[int | None, int | None]], area_id: int | None, group_id: int | None
) -> bool:
    """`concerning` in Python, for figures computed once per ward: `targets` are the alert's (area, group) pairs."""
    if alert.scope == "ward" or (area_id is None and group_id is None):
        return True
    return any((g is not None and g == group_id) or (a is not None and a == area_id) for a, g in targets)


async def groups_in_scope(session: AsyncSession, alert: Alert) -> list[int]:
    """The groups an alert reaches (for linked group chats)."""
    query = select(Group.id).where(Group.ward_code == alert.ward_code)
    if alert.scope != "ward":
        targets = (await session.exec(select(AlertTarget).where(AlertTarget.alert_id == alert.id))).all()
        area_ids = [t.area_id for t in targets if t.area_id is not None]
        group_ids = [t.group_id for t in targets if t.group_id is not None]
        query = query.where(or_(col(Group.area_id).in_(area_ids), col(Group.id).in_(group_ids)))
    return [int(g) for g in (await session.exec(query)).all() if g is not None]
