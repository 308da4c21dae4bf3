"""Who receives a ward's digest, and where: a handful of set-based queries for the whole ward.

Each person gets one digest, the richest their roles allow: police and ward admins the ward table and chart,
group admins their group's digest with the report status, everyone else (who has not turned digests off) their
group's digest. Linked group chats get their group's resident digest.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import Area, ChannelIdentity, Group, LinkedChat, Person, Role, RoleGrant

POLICE_ROLES = {Role.POLICE.value, Role.WARD_ADMIN.value}


@dataclass(frozen=True)
class Recipient:
    person_id: int
    locale: str
    audience: str  # "resident" | "group_admin" | "police"
    group_id: int | None
    channel: str
    chat_id: str


def _rank(role: str) -> int:
    return 2 if role in POLICE_ROLES else 1 if role == Role.GROUP_ADMIN else 0


async def recipients(session: AsyncSession, ward_code: int) -> list[Recipient]:
    in_ward = select(RoleGrant.person_id).where(
        RoleGrant.ward_code == ward_code, col(RoleGrant.revoked_at).is_(None)
    )
    grants = (
        await session.exec(
            select(RoleGrant.person_id, RoleGrant.role, RoleGrant.group_id, Person.locale)
            .join(Person, col(Person.id) == RoleGrant.person_id)
            .where(
                RoleGrant.ward_code == ward_code,
                col(RoleGrant.revoked_at).is_(None),
                col(Person.digest_enabled),
            )
            .order_by(col(RoleGrant.id))
        )
    ).all()
    best: dict[int, tuple[int, str, int | None, str]] = {}
    for person_id, role, group_id, locale in grants:
        rank = _rank(role)
        held = best.get(person_id)
        # The highest role wins; at equal rank a grant naming a group wins over a wider one.
        if held is None or rank > held[0] or (rank == held[0] and held[2] is None and group_id is not None):
            best[person_id] = (rank, role, group_id, locale)
    routes = await _routes(session, in_ward)
    found = []
    for person_id, (rank, _role, group_id, locale) in best.items():
        route = routes.get(person_id)
        if route is None:
            continue
        audience = ("resident", "group_admin", "police")[rank]
        found.append(Recipient(person_id, locale, audience, None if rank == 2 else group_id, *route))
    return sorted(found, key=lambda r: r.person_id)


async def _routes(session: AsyncSession, person_ids) -> dict[int, tuple[str, str]]:
    """Where each person's pushes go; the same choice as bot.directory.people.push_identity, for all of them at once."""
    rows = (
        await session.exec(
            select(ChannelIdentity, Person.preferred_identity_id)
            .join(Person, col(Person.id) == ChannelIdentity.person_id)
            .where(
                col(ChannelIdentity.person_id).in_(person_ids), col(ChannelIdentity.unreachable_at).is_(None)
            )
            .order_by(
                col(ChannelIdentity.last_interaction_at).desc().nulls_last(), col(ChannelIdentity.id).desc()
            )
        )
    ).all()
    latest: dict[int, tuple[str, str]] = {}
    preferred_routes: dict[int, tuple[str, str]] = {}
    for identity, preferred in rows:
        latest.setdefault(identity.person_id, (identity.channel, identity.chat_id))
        if identity.id == preferred:
            preferred_routes[identity.person_id] = (identity.channel, identity.chat_id)
    return {**latest, **preferred_routes}


async def group_chats(session: AsyncSession, ward_code: int) -> list[LinkedChat]:
    rows = await session.exec(
        select(LinkedChat)
        .where(
            LinkedChat.ward_code == ward_code,
            LinkedChat.purpose == "community",
            col(LinkedChat.group_id).is_not(None),
            col(LinkedChat.unreachable_at).is_(None),
        )
        .order_by(col(LinkedChat.id))
    )
    return list(rows.all())


async def group_names(session: AsyncSession, ward_code: int) -> dict[int, tuple[str, str]]:
    """{group id: (group name, area name)} for the ward (one query)."""
    rows = await session.exec(
        select(Group.id, Group.name, Area.name)
        .join(Area, col(Area.id) == Group.area_id)
        .where(Group.ward_code == ward_code)
        .order_by(col(Area.name), col(Group.id))
    )
    return {int(gid): (gname, aname) for gid, gname, aname in rows.all() if gid is not None}
