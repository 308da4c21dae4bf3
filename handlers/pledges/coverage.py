"""Coverage: signed households over all households, per group and area, computed in one query per ward.

A group that has not entered its household list yet has no households to count, so it would add nothing to a
ward's "x/y signed" and let the ward read 100% while whole groups have not started. Criterion 1 of Thông tư
124/2021/TT-BCA is 100% of the area's households, so every tally carries the groups with no list, and a share is
shown (and a place called complete) only when it has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import execute
from bot.i18n import _, ngettext
from handlers.pledges.texts import bar
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

    @property
    def listed(self) -> bool:
        """Whether the group has entered its household list (a group without one has not started)."""
        return self.total > 0


@dataclass(frozen=True)
class Tally:
    """Coverage of some groups: households signed over households listed, and how many groups have no list."""

    signed: int
    total: int
    groups: int
    unlisted: int

    @property
    def listed(self) -> int:
        return self.groups - self.unlisted

    @property
    def known(self) -> bool:
        """Whether the share of households is known: every group has its list."""
        return self.groups > 0 and self.unlisted == 0

    @property
    def complete(self) -> bool:
        """Every household of every group has signed (never true while a group has no list)."""
        return self.known and self.total > 0 and self.signed == self.total


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


def tally(groups: list[GroupCoverage]) -> Tally:
    return Tally(
        signed=sum(g.signed for g in groups),
        total=sum(g.total for g in groups),
        groups=len(groups),
        unlisted=sum(1 for g in groups if not g.listed),
    )


def by_area_ids(groups: list[GroupCoverage]) -> list[tuple[int, str, Tally]]:
    """(area id, area name, its tally) in the order of the groups."""
    found: dict[int, list[GroupCoverage]] = {}
    names: dict[int, str] = {}
    for g in groups:
        found.setdefault(g.area_id, []).append(g)
        names[g.area_id] = g.area
    return [(area_id, names[area_id], tally(members)) for area_id, members in found.items()]


def by_area(groups: list[GroupCoverage]) -> list[tuple[str, Tally]]:
    """(area name, its tally) in the order of the groups."""
    return [(name, counted) for _id, name, counted in by_area_ids(groups)]


# How a tally reads -------------------------------------------------------------------------------------------
def no_list() -> str:
    return _("no household list yet")


def share(counted: Tally | GroupCoverage) -> str:
    """ "12/27  ▓▓▓▓░░░░░░ 44%"; "no household list yet" for groups without one; for several groups of which
    some have no list, the count and those groups, with no share (the households of the others are unknown)."""
    if isinstance(counted, GroupCoverage):
        counted = tally([counted])
    if counted.total == 0:
        return no_list()
    if counted.known:
        return f"{counted.signed}/{counted.total}  {bar(counted.signed, counted.total)}"
    return f"{counted.signed}/{counted.total}, " + unlisted_groups(counted.unlisted)


def unlisted_groups(n: int) -> str:
    return ngettext("{n} group has no household list yet", "{n} groups have no household list yet", n).format(
        n=n
    )
