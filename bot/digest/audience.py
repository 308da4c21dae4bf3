"""Who receives a ward's digest, and where: a handful of set-based queries for the whole ward.

Each person gets one digest, the richest their roles allow: police and ward admins the ward table and chart,
group admins their group's digest with the report status, everyone else (who has not turned digests off) their
group's digest. Linked group chats get their group's resident digest.

A person with no usable chat is still sent their digest on a Zalo fallback when one is configured (a promotion
message: bot.delivery.reach); `unreachable_count` counts the ward's people reachable on no channel at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import reach
from models import Area, ChannelIdentity, Group, LinkedChat, Person, Priority, Role, RoleGrant

if TYPE_CHECKING:
    from bot.settings import Settings

POLICE_ROLES = {Role.POLICE.value, Role.WARD_ADMIN.value}


@dataclass(frozen=True)
class Recipient:
    person_id: int
    locale: str
    audience: str  # "resident" | "group_admin" | "police"
    group_id: int | None
    channel: str
    chat_id: str
    via: str | None = None
    is_admin: bool = False


def _rank(role: str) -> int:
    return 2 if role in POLICE_ROLES else 1 if role == Role.GROUP_ADMIN else 0


async def recipients(
    session: AsyncSession, ward_code: int, settings: Settings | None = None
) -> list[Recipient]:
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
    admins = {person_id for person_id, role, _g, _l in grants if role == Role.WARD_ADMIN}
    for person_id, role, group_id, locale in grants:
        rank = _rank(role)
        held = best.get(person_id)
        # The highest role wins; at equal rank a grant naming a group wins over a wider one.
        if held is None or rank > held[0] or (rank == held[0] and held[2] is None and group_id is not None):
            best[person_id] = (rank, role, group_id, locale)
    routes: dict[int, tuple[str, str, str | None]] = {
        pid: (*route, None) for pid, route in (await _routes(session, in_ward)).items()
    }
    if settings is not None and reach.uses_fallbacks(settings):
        missing = [pid for pid in best if pid not in routes]
        people = list((await session.exec(select(Person).where(col(Person.id).in_(missing)))).all())
        for pid, steps in (await reach.plans(session, settings, people, "digest", Priority.ROUTINE)).items():
            if steps:
                routes[pid] = (steps[0].channel, steps[0].chat_id, steps[0].via)
    found = []
    for person_id, (rank, _role, group_id, locale) in best.items():
        route = routes.get(person_id)
        if route is None:
            continue
        audience = ("resident", "group_admin", "police")[rank]
        found.append(
            Recipient(
                person_id, locale, audience, None if rank == 2 else group_id, *route, person_id in admins
            )
        )
    return sorted(found, key=lambda r: r.person_id)


async def unreachable_count(session: AsyncSession, ward_code: int, settings: Settings) -> int:
    """People with a role in the ward whom no push can reach: no usable chat and no Zalo fallback, even the
    widest (an urgent alert's)."""
    people = list(
        (
            await session.exec(
                select(Person).where(
                    col(Person.id).in_(
                        select(RoleGrant.person_id).where(
                            RoleGrant.ward_code == ward_code, col(RoleGrant.revoked_at).is_(None)
                        )
                    )
                )
            )
        ).all()
    )
    steps = await reach.plans(session, settings, people, "alert", Priority.URGENT)
    return sum(1 for planned in steps.values() if not planned)


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
        .where(Group.ward_code == ward_code, col(Group.retired_at).is_(None))
        .order_by(col(Area.name), col(Group.id))
    )
    return {int(gid): (gname, aname) for gid, gname, aname in rows.all() if gid is not None}
