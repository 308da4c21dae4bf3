"""Coverage: signed households over all households, per group and area, computed in one query per ward."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import execute
from models import Area, Group, Household
from models.pledges import PledgeCampaign, PledgeSignature, PledgeVersion


@dataclass(frozen=True)
class GroupCoverage:
    group_id: int
    group: str
    area_id: int
    area: str
    total: int
    signed: int


@dataclass(frozen=True)
class HouseholdLine:
    """One household of the list the ward files: who signed, when, which text, which code."""

    area: str
    group: str
    group_id: int
    household_id: int
    address: str
    head_name: str
    members: int
    signer: str | None
    signed_at: datetime | None
    version: int | None
    code: str | None


@dataclass(frozen=True)
class Scope:
    """Which part of a ward a leader sees: a group, an area, or (both None) the whole ward."""

    ward_code: int
    area_id: int | None = None
    group_id: int | None = None


def _signed_join(campaign_id: int, as_of: datetime | None = None):
    """Signatures in force now, or (for past weeks of a digest) at the moment `as_of`."""
    same = and_(
        col(PledgeSignature.household_id) == col(Household.id),
        col(PledgeSignature.campaign_id) == campaign_id,
    )
    if as_of is None:
        return and_(same, col(PledgeSignature.active_key).is_not(None))
    return and_(
        same,
        col(PledgeSignature.signed_at) < as_of,
        or_(col(PledgeSignature.withdrawn_at).is_(None), col(PledgeSignature.withdrawn_at) >= as_of),
    )


def _where(campaign: PledgeCampaign, scope: Scope) -> list:
    conditions = [col(Group.ward_code) == scope.ward_code, col(Group.retired_at).is_(None)]
    if campaign.area_ids:
        conditions.append(col(Group.area_id).in_(campaign.area_ids))
    if scope.area_id is not None:
        conditions.append(col(Group.area_id) == scope.area_id)
    if scope.group_id is not None:
        conditions.append(col(Group.id) == scope.group_id)
    return conditions


async def by_group(
    session: AsyncSession, campaign: PledgeCampaign, scope: Scope, as_of: datetime | None = None
) -> list[GroupCoverage]:
    columns = (
        Group.id,
        Group.name,
        Area.id,
        Area.name,
        func.count(col(Household.id)),
        func.count(col(PledgeSignature.id)),
    )
    rows = await execute(
        session,
        sa_select(*columns)  # type: ignore[call-overload]  # typed overloads stop at a few columns
        .select_from(Group)
        .join(Area, col(Area.id) == col(Group.area_id))
        .outerjoin(Household, col(Household.group_id) == col(Group.id))
        .outerjoin(PledgeSignature, _signed_join(campaign.id or 0, as_of))
        .where(*_where(campaign, scope))
        .group_by(col(Group.id), col(Group.name), col(Area.id), col(Area.name))
        .order_by(col(Area.id), col(Group.id)),
    )
    return [GroupCoverage(g, gn, a, an, int(t), int(s)) for g, gn, a, an, t, s in rows.all()]


async def households(
    session: AsyncSession, campaign: PledgeCampaign, scope: Scope, unsigned_only: bool = False
) -> list[HouseholdLine]:
    columns = (
        Area.name,
        Group.name,
        Group.id,
        Household.id,
        Household.address,
        Household.head_name,
        Household.members_count,
        PledgeSignature.signer_name,
        PledgeSignature.signed_at,
        PledgeVersion.number,
        PledgeSignature.code,
    )
    query = (
        sa_select(*columns)  # type: ignore[call-overload]  # typed overloads stop at a few columns
        .select_from(Household)
        .join(Group, col(Group.id) == col(Household.group_id))
        .join(Area, col(Area.id) == col(Group.area_id))
        .outerjoin(PledgeSignature, _signed_join(campaign.id or 0))
        .outerjoin(PledgeVersion, col(PledgeVersion.id) == col(PledgeSignature.version_id))
        .where(*_where(campaign, scope))
        .order_by(col(Area.id), col(Group.id), col(Household.id))
    )
    if unsigned_only:
        query = query.where(col(PledgeSignature.id).is_(None))
    rows = (await execute(session, query)).all()
    return [HouseholdLine(*row) for row in rows]


def totals(groups: list[GroupCoverage]) -> tuple[int, int]:
    return sum(g.signed for g in groups), sum(g.total for g in groups)


def by_area_ids(groups: list[GroupCoverage]) -> list[tuple[int, str, int, int]]:
    """(area id, area name, signed, total) in the order of the groups."""
    found: dict[int, tuple[str, int, int]] = {}
    for g in groups:
        name, signed, total = found.get(g.area_id, (g.area, 0, 0))
        found[g.area_id] = (name, signed + g.signed, total + g.total)
    return [(area_id, name, signed, total) for area_id, (name, signed, total) in found.items()]


def by_area(groups: list[GroupCoverage]) -> list[tuple[str, int, int]]:
    """(area name, signed, total) in the order of the groups."""
    return [(name, signed, total) for _id, name, signed, total in by_area_ids(groups)]
