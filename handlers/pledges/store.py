"""The pledges data access every part of the feature shares: campaigns and their dates, versions, signatures,
households and the groups a person keeps."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, or_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.db import execute
from bot.i18n import local
from models import Group, Household, Person, Role, RoleGrant
from models.pledges import HouseholdMember, PledgeCampaign, PledgeSignature, PledgeVersion


def today() -> date:
    """The ward's calendar day now (campaign dates are local dates)."""
    return local(clock.now()).date()


def target_year() -> int:
    """The year a campaign opened now is for: this year during the first quarter, otherwise the next one."""
    now = today()
    return now.year if now.month <= 3 else now.year + 1


def covers(campaign: PledgeCampaign, area_id: int) -> bool:
    return not campaign.area_ids or area_id in campaign.area_ids


def is_open(campaign: PledgeCampaign, day: date | None = None) -> bool:
    day = day or today()
    return campaign.starts_on <= day <= campaign.ends_on


async def campaign_of_year(session: AsyncSession, ward_code: int, year: int) -> PledgeCampaign | None:
    result = await session.exec(
        select(PledgeCampaign).where(PledgeCampaign.ward_code == ward_code, PledgeCampaign.year == year)
    )
    return result.first()


async def latest_campaign(session: AsyncSession, ward_code: int) -> PledgeCampaign | None:
    """The campaign leaders look at: the newest one that has started, else the newest one planned."""
    rows = (
        await session.exec(
            select(PledgeCampaign)
            .where(PledgeCampaign.ward_code == ward_code)
            .order_by(col(PledgeCampaign.year).desc())
        )
    ).all()
    started = [c for c in rows if c.starts_on <= today()]
    return started[0] if started else (rows[0] if rows else None)


async def open_campaign_for_group(session: AsyncSession, group: Group) -> PledgeCampaign | None:
    rows = (
        await session.exec(select(PledgeCampaign).where(PledgeCampaign.ward_code == group.ward_code))
    ).all()
    for campaign in rows:
        if is_open(campaign) and covers(campaign, group.area_id):
            return campaign
    return None


async def next_campaign_for_group(session: AsyncSession, group: Group) -> PledgeCampaign | None:
    """The earliest campaign of the group's ward that covers it and has not opened yet (opened in November for
    the next year, as /chiendich suggests)."""
    rows = (
        await session.exec(select(PledgeCampaign).where(PledgeCampaign.ward_code == group.ward_code))
    ).all()
    coming = [c for c in rows if c.starts_on > today() and covers(c, group.area_id)]
    return min(coming, key=lambda c: c.starts_on) if coming else None


async def current_version(session: AsyncSession, campaign_id: int) -> PledgeVersion:
    result = await session.exec(
        select(PledgeVersion)
        .where(PledgeVersion.campaign_id == campaign_id)
        .order_by(col(PledgeVersion.number).desc())
    )
    return result.first()  # type: ignore[return-value]  # a campaign is always created with version 1


async def active_signature(
    session: AsyncSession, campaign_id: int, household_id: int
) -> PledgeSignature | None:
    result = await session.exec(
        select(PledgeSignature).where(PledgeSignature.active_key == f"{campaign_id}:{household_id}")
    )
    return result.first()


async def add_signature(
    session: AsyncSession, signature: PledgeSignature, *, sqlite: bool
) -> PledgeSignature | None:
    """Write `signature` unless its household already has an active one: then None, and nothing is written.

    Two members of a household may sign at the same moment from two chats, each having read "not signed yet".
    The insert skips a taken active_key (ON CONFLICT DO NOTHING, waiting for the other's transaction as the unique
    check does) instead of failing: a failed insert spoils the whole update's transaction. A savepoint around it
    would not hold on SQLite: its driver opens no transaction before a SAVEPOINT, so the release would commit the
    signature at once, whatever became of the rest of the update."""
    make = sqlite_insert if sqlite else pg_insert
    statement = (
        make(PledgeSignature)
        .values(**signature.model_dump(exclude={"id"}))
        .on_conflict_do_nothing(index_elements=["active_key"])
        .returning(col(PledgeSignature.id))
    )
    written = (await execute(session, statement)).scalar_one_or_none()
    return None if written is None else await session.get(PledgeSignature, written)


def current_grant(grants: list[RoleGrant]) -> RoleGrant | None:
    """The group grant that says where the person lives now: the newest resident grant (joining another group
    ends the one before; grants made before that rule may still be two). A leader who holds no resident grant
    lives where their newest group grant is."""
    placed = [g for g in grants if g.group_id is not None]
    residents = [g for g in placed if g.role == Role.RESIDENT]
    return max(residents or placed, key=lambda g: g.id or 0, default=None)


async def home_group(session: AsyncSession, grants: list[RoleGrant]) -> Group | None:
    grant = current_grant(grants)
    return await session.get(Group, grant.group_id) if grant and grant.group_id else None


def moved_away(grants: list[RoleGrant], group_id: int) -> bool:
    """Whether the person became a resident of another group after every role they hold in `group_id`: a link
    to a household of that group is then no longer theirs (leading a second group is no move)."""
    here = max((g.id or 0 for g in grants if g.group_id == group_id), default=0)
    return any(
        g.role == Role.RESIDENT and g.group_id not in (None, group_id) and (g.id or 0) > here for g in grants
    )


async def end_links_moved_away(
    session: AsyncSession, person_id: int, grants: list[RoleGrant]
) -> list[Household]:
    """End the person's household links (confirmed or waiting) in groups they moved away from; the households
    whose link ended, for telling them."""
    rows = (
        await session.exec(
            select(HouseholdMember, Household)
            .join(Household, col(Household.id) == col(HouseholdMember.household_id))
            .where(HouseholdMember.person_id == person_id)
        )
    ).all()
    ended = [(m, h) for m, h in rows if moved_away(grants, h.group_id)]
    for member, _household in ended:
        await session.delete(member)
    if ended:
        await session.flush()
    return [h for _m, h in ended]


async def my_households(session: AsyncSession, person_id: int, confirmed: bool = True) -> list[Household]:
    """Households the person belongs to (confirmed by the group admin, or still waiting)."""
    condition = (
        col(HouseholdMember.confirmed_at).is_not(None)
        if confirmed
        else col(HouseholdMember.confirmed_at).is_(None)
    )
    result = await session.exec(
        select(Household)
        .join(HouseholdMember, col(HouseholdMember.household_id) == col(Household.id))
        .where(HouseholdMember.person_id == person_id, condition)
        .order_by(col(Household.id))
    )
    return list(result.all())


async def household_people(
    session: AsyncSession, household_id: int, *, but: int | None = None
) -> list[Person]:
    """The household's confirmed members (but one, when given)."""
    result = await session.exec(
        select(Person)
        .join(HouseholdMember, col(HouseholdMember.person_id) == col(Person.id))
        .where(HouseholdMember.household_id == household_id, col(HouseholdMember.confirmed_at).is_not(None))
        .order_by(col(Person.id))
    )
    return [p for p in result.all() if p.id != but]


def admin_groups(grants: list[RoleGrant]) -> list[int]:
    """Groups whose household list this person keeps (group admins, tổ trưởng / tổ phó)."""
    return sorted({g.group_id for g in grants if g.role == "group_admin" and g.group_id is not None})


def admin_wards(grants: list[RoleGrant]) -> list[int]:
    """Wards this person administers: their office holds every group's household list."""
    return sorted({g.ward_code for g in grants if g.role == Role.WARD_ADMIN})


async def keepable_groups(session: AsyncSession, grants: list[RoleGrant]) -> list[Group]:
    """Groups whose household list this person may keep: those they lead, and every active group of a ward they
    administer (a group without a leader yet has nobody else to enter it). Ordered by ward, then as made."""
    led, wards = admin_groups(grants), admin_wards(grants)
    if not led and not wards:
        return []
    rows = await session.exec(
        select(Group)
        .where(
            or_(
                col(Group.id).in_(led),
                and_(col(Group.ward_code).in_(wards), col(Group.retired_at).is_(None)),
            )
        )
        .order_by(col(Group.ward_code), col(Group.id))
    )
    return list(rows.all())


async def may_keep(session: AsyncSession, grants: list[RoleGrant], group_id: int) -> bool:
    """Whether this person may keep (and answer requests to join) the household list of this group now: an active
    group they lead, or of a ward they administer. (A group merged or retired meanwhile shows nowhere: a household
    written to it would be lost.)"""
    group = await session.get(Group, group_id)
    if group is None or group.retired_at is not None:
        return False
    return group_id in admin_groups(grants) or group.ward_code in admin_wards(grants)
