"""The places feature's reads and writes: a ward's areas and groups with their counts, and the changes a ward admin
makes to them (add, rename, merge, retire), each audited in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.core.replies import Choice, Reply
from bot.db import execute
from bot.delivery.outbox import enqueue_to_people
from bot.directory.people import grant
from bot.i18n import _
from bot.textnorm import fold, place_key
from handlers.places.buttons import ChooseFirstGroup, ChooseNewGroup
from models import (
    Area,
    AuditEntry,
    Group,
    Household,
    Invite,
    LinkedChat,
    Person,
    Priority,
    Role,
    RoleGrant,
)
from models.base import pk

# Roles held in a group (the others are held in an area or a whole ward).
GROUP_ROLES = (Role.RESIDENT.value, Role.GROUP_ADMIN.value)


def audit(
    session: AsyncSession,
    actor: int | None,
    action: str,
    target_kind: str,
    target_id: str | None = None,
    ward_code: int | None = None,
    **detail: Any,
) -> None:
    """An audit entry, as Context.audit writes one; also from the command line, where nobody is the actor."""
    session.add(
        AuditEntry(
            actor_person_id=actor,
            action=action,
            target_kind=target_kind,
            target_id=target_id,
            ward_code=ward_code,
            detail=detail,
        )
    )


# Reading -------------------------------------------------------------------------------------------------------
async def areas_of_ward(session: AsyncSession, ward_code: int, retired: bool = False) -> list[Area]:
    """The ward's areas in the order they were made; retired ones only when asked."""
    query = select(Area).where(Area.ward_code == ward_code)
    if not retired:
        query = query.where(col(Area.retired_at).is_(None))
    return list((await session.exec(query.order_by(col(Area.id)))).all())


async def groups_of_ward(session: AsyncSession, ward_code: int, retired: bool = False) -> list[Group]:
    query = select(Group).where(Group.ward_code == ward_code)
    if not retired:
        query = query.where(col(Group.retired_at).is_(None))
    return list((await session.exec(query.order_by(col(Group.id)))).all())


@dataclass(frozen=True)
class Counts:
    households: int = 0
    residents: int = 0


async def group_counts(session: AsyncSession, ward_code: int) -> dict[int, Counts]:
    """Households and residents (people with a resident role) of each group of the ward."""
    households = dict(
        (
            await session.exec(
                select(Household.group_id, func.count())
                .join(Group, col(Group.id) == col(Household.group_id))
                .where(Group.ward_code == ward_code)
                .group_by(col(Household.group_id))
            )
        ).all()
    )
    residents = dict(
        (
            await session.exec(
                select(RoleGrant.group_id, func.count(func.distinct(RoleGrant.person_id)))
                .where(
                    RoleGrant.ward_code == ward_code,
                    RoleGrant.role == Role.RESIDENT,
                    col(RoleGrant.group_id).is_not(None),
                    col(RoleGrant.revoked_at).is_(None),
                )
                .group_by(col(RoleGrant.group_id))
            )
        ).all()
    )
    return {
        int(gid): Counts(int(households.get(gid, 0)), int(residents.get(gid, 0)))
        for gid in set(households) | set(residents)
        if gid is not None
    }


async def people_of_group(session: AsyncSession, group_id: int) -> list[Person]:
    """Everyone who holds a role in the group (residents and its leaders)."""
    return list(
        (
            await session.exec(
                select(Person)
                .join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
                .where(
                    RoleGrant.group_id == group_id,
                    col(RoleGrant.role).in_(GROUP_ROLES),
                    col(RoleGrant.revoked_at).is_(None),
                )
                .distinct()
                .order_by(col(Person.id))
            )
        ).all()
    )


async def leader_invite_taken(session: AsyncSession, group_id: int) -> bool:
    """Whether the group has a group-leader invite that is still open or was used (an import then makes none)."""
    rows = (
        await session.exec(
            select(Invite).where(
                Invite.group_id == group_id,
                Invite.role == Role.GROUP_ADMIN,
                col(Invite.revoked_at).is_(None),
            )
        )
    ).all()
    now = clock.now()
    return any(i.used_at is not None or i.expires_at >= now for i in rows)


async def name_taken(
    session: AsyncSession,
    ward_code: int,
    name: str,
    *,
    area_id: int | None = None,
    except_id: int | None = None,
) -> bool:
    """Whether an active area of the ward (or, with `area_id`, an active group of that area) has this name, or
    one that differs from it only as twins of a hand-typed list do (`place_key`: accents, case, spacing, zeros)."""
    key = place_key(name)
    places: list[Area] | list[Group]
    if area_id is None:
        places = await areas_of_ward(session, ward_code)
    else:
        places = [g for g in await groups_of_ward(session, ward_code) if g.area_id == area_id]
    return any(place_key(p.name) == key and p.id != except_id for p in places)


# Adding and renaming ---------------------------------------------------------------------------------------------
async def add_area(
    session: AsyncSession, ward_code: int, name: str, *, actor: int | None, source: str
) -> Area:
    area = Area(ward_code=ward_code, name=name, name_folded=fold(name))
    session.add(area)
    await session.flush()
    audit(session, actor, "places.area_added", "area", str(area.id), ward_code, name=name, source=source)
    return area


async def add_group(session: AsyncSession, area: Area, name: str, *, actor: int | None, source: str) -> Group:
    group = Group(area_id=pk(area), ward_code=area.ward_code, name=name, name_folded=fold(name))
    session.add(group)
    await session.flush()
    audit(
        session,
        actor,
        "places.group_added",
        "community_group",
        str(group.id),
        area.ward_code,
        name=name,
        area=area.id,
        source=source,
    )
    return group


async def rename(session: AsyncSession, place: Area | Group, name: str, *, actor: int | None) -> None:
    old = place.name
    place.name, place.name_folded = name, fold(name)
    session.add(place)
    kind = "area" if isinstance(place, Area) else "community_group"
    audit(
        session,
        actor,
        f"places.{'area' if kind == 'area' else 'group'}_renamed",
        kind,
        str(place.id),
        place.ward_code,
        old=old,
        new=name,
    )


# Merging and retiring ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Moved:
    households: int = 0
    people: int = 0
    leaders: int = 0  # leaders of a merged group, now residents of the other one
    notified: int = 0


async def _revoke_invites(session: AsyncSession, *conditions: Any) -> None:
    """Withdraw the invites still open for a place that is retired: nobody joins it any more."""
    await execute(
        session,
        update(Invite)
        .where(col(Invite.revoked_at).is_(None), col(Invite.used_at).is_(None), *conditions)
        .values(revoked_at=clock.now()),
    )


async def merge_groups(session: AsyncSession, source: Group, target: Group, *, actor: int | None) -> Moved:
    """Move a group's households, people and linked chats into another group of the ward, and retire it. Its
    leaders become residents of the other group (it has its own leader); everyone moved is told."""
    now = clock.now()
    households = await execute(
        session,
        update(Household).where(col(Household.group_id) == source.id).values(group_id=target.id),
    )
    grants = (
        await session.exec(
            select(RoleGrant).where(
                RoleGrant.group_id == source.id,
                col(RoleGrant.role).in_(GROUP_ROLES),
                col(RoleGrant.revoked_at).is_(None),
            )
        )
    ).all()
    moved_people: set[int] = set()
    leaders = 0
    for old in grants:
        old.revoked_at = now
        session.add(old)
        leaders += old.role == Role.GROUP_ADMIN
        moved_people.add(old.person_id)
    for person_id in sorted(moved_people):
        await grant(
            session, person_id, Role.RESIDENT, target.ward_code, target.area_id, target.id, granted_by=actor
        )
    await execute(
        session, update(LinkedChat).where(col(LinkedChat.group_id) == source.id).values(group_id=target.id)
    )
    await _revoke_invites(session, col(Invite.group_id) == source.id)
    source.retired_at = now
    session.add(source)
    audit(
        session,
        actor,
        "places.group_merged",
        "community_group",
        str(source.id),
        source.ward_code,
        into=target.id,
        households=households.rowcount,
        people=len(moved_people),
    )
    people = [p for p in await _people(session, moved_people)]
    source_label, target_label = await group_label(session, source), await group_label(session, target)

    def render() -> Reply:
        return Reply(
            _(
                "{old} has been merged into {new}: you are now a resident of {new}. Nothing else changes for "
                "you; your household, if you linked one, moved with you."
            ).format(old=source_label, new=target_label)
        )

    sent = await enqueue_to_people(
        session,
        people,
        render,
        kind="places_merged",
        priority=Priority.NOTICE,
        dedupe_key=lambda p: f"places-merged:{source.id}:{p.id}",
        source_kind="community_group",
        source_id=str(source.id),
    )
    return Moved(
        households=int(households.rowcount), people=len(moved_people), leaders=leaders, notified=len(sent)
    )


async def clashing_groups(session: AsyncSession, source: Area, target: Area) -> list[str]:
    """Names of the source area's groups that the target area already has (a merge would make two of them)."""
    groups = await groups_of_ward(session, source.ward_code)
    taken = {place_key(g.name) for g in groups if g.area_id == target.id}
    return [g.name for g in groups if g.area_id == source.id and place_key(g.name) in taken]


async def merge_areas(session: AsyncSession, source: Area, target: Area, *, actor: int | None) -> int:
    """Move an area's groups (and the roles and invites held in it) into another area, and retire it. The caller
    has checked that no group name clashes. Returns how many groups moved."""
    moved = await execute(
        session, update(Group).where(col(Group.area_id) == source.id).values(area_id=target.id)
    )
    # The people keep their groups; what the groups belong to changed, so do the places their roles name.
    await execute(
        session,
        update(RoleGrant)
        .where(col(RoleGrant.area_id) == source.id, col(RoleGrant.revoked_at).is_(None))
        .values(area_id=target.id),
    )
    await execute(
        session,
        update(Invite)
        .where(col(Invite.area_id) == source.id, col(Invite.revoked_at).is_(None))
        .values(area_id=target.id),
    )
    source.retired_at = clock.now()
    session.add(source)
    audit(
        session,
        actor,
        "places.area_merged",
        "area",
        str(source.id),
        source.ward_code,
        into=target.id,
        groups=moved.rowcount,
    )
    return int(moved.rowcount)


async def retire_group(session: AsyncSession, group: Group, *, actor: int | None) -> int:
    """Retire a group: it leaves every picker, its open invites are withdrawn, and its people are asked to choose
    their new group (their roles in it stay until they do). Returns how many were asked."""
    group.retired_at = clock.now()
    session.add(group)
    await _revoke_invites(session, col(Invite.group_id) == group.id)
    audit(session, actor, "places.group_retired", "community_group", str(group.id), group.ward_code)
    people = await people_of_group(session, pk(group))
    label = await group_label(session, group)

    def render() -> Reply:
        return Reply(
            _(
                "{group} no longer exists in An Dân: the ward has reorganised its groups. Please choose the "
                "group you belong to now, so that warnings and your group leader reach you."
            ).format(group=label),
            (Choice(_("Choose my new group"), ChooseNewGroup(pk(group))),),
        )

    sent = await enqueue_to_people(
        session,
        people,
        render,
        kind="places_retired",
        priority=Priority.NOTICE,
        dedupe_key=lambda p: f"places-retired:{group.id}:{p.id}",
        source_kind="community_group",
        source_id=str(group.id),
    )
    return len(sent)


async def retire_area(session: AsyncSession, area: Area, *, actor: int | None) -> tuple[int, int]:
    """Retire an area with all its groups. Returns (groups retired, people asked to choose a new group)."""
    groups = [g for g in await groups_of_ward(session, area.ward_code) if g.area_id == area.id]
    asked = 0
    for group in groups:
        asked += await retire_group(session, group, actor=actor)
    area.retired_at = clock.now()
    session.add(area)
    await _revoke_invites(session, col(Invite.area_id) == area.id)
    audit(session, actor, "places.area_retired", "area", str(area.id), area.ward_code, groups=len(groups))
    return len(groups), asked


async def ward_level_residents(session: AsyncSession, ward_code: int) -> list[Person]:
    """Residents of the ward who joined before it had groups (a resident grant with no group) and have none yet."""
    placed = select(RoleGrant.person_id).where(
        RoleGrant.ward_code == ward_code,
        col(RoleGrant.group_id).is_not(None),
        col(RoleGrant.revoked_at).is_(None),
    )
    ids = (
        await session.exec(
            select(RoleGrant.person_id).where(
                RoleGrant.ward_code == ward_code,
                RoleGrant.role == Role.RESIDENT,
                col(RoleGrant.group_id).is_(None),
                col(RoleGrant.revoked_at).is_(None),
                col(RoleGrant.person_id).not_in(placed),
            )
        )
    ).all()
    return await _people(session, set(ids))


async def ask_ward_residents(session: AsyncSession, ward_code: int) -> int:
    """The ward now has groups: each resident who joined at ward level is asked, once, to choose theirs."""
    people = await ward_level_residents(session, ward_code)

    def render() -> Reply:
        return Reply(
            _(
                "Your ward has set up its residential areas and groups in An Dân. Please choose yours, so that "
                "your group's warnings and your group leader reach you."
            ),
            (Choice(_("Choose my group"), ChooseFirstGroup(ward_code)),),
        )

    sent = await enqueue_to_people(
        session,
        people,
        render,
        kind="places_ward_ready",
        priority=Priority.NOTICE,
        dedupe_key=lambda p: (
            f"places-ward-ready:{ward_code}:{p.id}"
        ),  # asked once, however many groups follow
        source_kind="ward",
        source_id=str(ward_code),
    )
    return len(sent)


async def regroup(session: AsyncSession, person_id: int, old: Group | None, new: Group) -> RoleGrant:
    """A person of a retired group chooses their new one (or, with `old` None, a resident who joined at ward
    level chooses their first): their roles in the old group (or at ward level) end, and they become a resident
    of the new one."""
    now = clock.now()
    where_held = (
        [RoleGrant.group_id == old.id]
        if old is not None
        else [
            RoleGrant.ward_code == new.ward_code,
            RoleGrant.role == Role.RESIDENT,
            col(RoleGrant.group_id).is_(None),
        ]
    )
    for held in (
        await session.exec(
            select(RoleGrant).where(
                RoleGrant.person_id == person_id, col(RoleGrant.revoked_at).is_(None), *where_held
            )
        )
    ).all():
        held.revoked_at = now
        session.add(held)
    made = await grant(session, person_id, Role.RESIDENT, new.ward_code, new.area_id, new.id)
    audit(
        session,
        person_id,
        "places.regrouped",
        "community_group",
        str(new.id),
        new.ward_code,
        old=old.id if old is not None else None,
    )
    return made


# Labels ----------------------------------------------------------------------------------------------------------
async def group_label(session: AsyncSession, group: Group) -> str:
    """ "Tổ 3, Khóm 2"."""
    area = await session.get(Area, group.area_id)
    return f"{group.name}, {area.name}" if area else group.name


async def _people(session: AsyncSession, ids: set[int]) -> list[Person]:
    if not ids:
        return []
    return list((await session.exec(select(Person).where(col(Person.id).in_(sorted(ids))))).all())
