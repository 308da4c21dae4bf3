"""Where a claimed row goes, whether its recipient can still be reached, and what sending it leaves behind.

Looked up per batch (a few queries for a whole claim), because a broadcast claims hundreds of rows a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.db import execute
from bot.delivery.outbox import open_route
from bot.delivery.store import Job
from bot.security import Keyring
from models import ChannelIdentity, LinkedChat, Person

if TYPE_CHECKING:
    from bot.core.offers import Offer


@dataclass(frozen=True)
class Route:
    channel: str
    chat_id: str
    is_group: bool
    linked_chat_id: int | None = None
    via: str | None = None  # how the channel is used (bot.delivery.reach); None: its ordinary message


@dataclass(frozen=True)
class Skip:
    """The recipient cannot be reached now: the row is skipped without calling the platform."""

    reason: str


@dataclass(frozen=True)
class Broken:
    """The row itself is unusable (e.g. a sealed route that no longer opens): it fails."""

    reason: str


GROUP_CHAT_PREFIXES = (
    "-",
    "group:",
)  # Telegram group and channel ids are negative; Zalo OA GMF chats "group:"
OWN_ROUTE_VIAS = (
    "promotion",
    "zns",
)  # reach a person whose chat may be out of the window: not an identity check


def is_group_chat(chat_id: str, linked_chat_id: int | None) -> bool:
    # Linked chats are group chats.
    return linked_chat_id is not None or chat_id.startswith(GROUP_CHAT_PREFIXES)


async def resolve(
    session: AsyncSession, keyring: Keyring, jobs: list[Job]
) -> dict[int, Route | Skip | Broken]:
    """A route, a reason to skip or a reason to fail, for each claimed job."""
    out: dict[int, Route | Skip | Broken] = {}
    routes: dict[int, Route] = {}
    linked_ids = {j.linked_chat_id for j in jobs if j.linked_chat_id is not None}
    linked: dict[int, LinkedChat] = {}
    if linked_ids:
        found = await session.exec(select(LinkedChat).where(col(LinkedChat.id).in_(linked_ids)))
        linked = {chat.id: chat for chat in found.all() if chat.id is not None}
    person_ids = {j.person_id for j in jobs if j.person_id is not None}
    people: set[int] = set()
    if person_ids:
        people = set((await session.exec(select(Person.id).where(col(Person.id).in_(person_ids)))).all())  # type: ignore[arg-type]

    for job in jobs:
        if job.sealed_route:
            opened = open_route(keyring, job.sealed_route)
            if opened is None:
                out[job.id] = Broken("sealed route cannot be opened (secret key changed?)")
                continue
            routes[job.id] = Route(opened[0], opened[1], is_group_chat(opened[1], None))
        elif job.linked_chat_id is not None:
            chat = linked.get(job.linked_chat_id)
            if chat is None:
                out[job.id] = Skip("linked chat was unlinked")
            elif chat.unreachable_at is not None:
                out[job.id] = Skip("linked chat unreachable")
            else:
                routes[job.id] = Route(chat.channel, chat.chat_id, True, chat.id)
        elif job.channel and job.chat_id:
            routes[job.id] = Route(job.channel, job.chat_id, is_group_chat(job.chat_id, None), via=job.via)
        else:
            out[job.id] = Broken("row has no recipient")
            continue
        if job.person_id is not None and job.person_id not in people:
            routes.pop(job.id, None)
            out[job.id] = Skip("person no longer exists")

    private = {
        (r.channel, r.chat_id) for r in routes.values() if not r.is_group and r.via not in OWN_ROUTE_VIAS
    }
    blocked: dict[tuple[str, str], str] = {}
    if private:
        table = ChannelIdentity.__table__  # type: ignore[attr-defined]
        found_ids = await execute(
            session,
            select(table.c.channel, table.c.chat_id, table.c.unreachable_reason).where(
                table.c.chat_id.in_({chat for _c, chat in private}), table.c.unreachable_at.is_not(None)
            ),
        )
        blocked = {(channel, chat): reason or "unreachable" for channel, chat, reason in found_ids.all()}
    for job_id, route in routes.items():
        reason = None if route.via in OWN_ROUTE_VIAS else blocked.get((route.channel, route.chat_id))
        out[job_id] = Skip(f"recipient unreachable: {reason}") if reason else route
    return out


async def mark_unreachable(session: AsyncSession, route: Route, reason: str) -> None:
    """Stop pushing to this chat until its person writes to us again (the dispatcher clears the mark)."""
    now = clock.now()
    if route.linked_chat_id is not None:
        chat = await session.get(LinkedChat, route.linked_chat_id)
        if chat is not None:
            chat.unreachable_at = now
            session.add(chat)
        return
    found = await session.exec(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == route.channel, ChannelIdentity.chat_id == route.chat_id
        )
    )
    for identity in found.all():
        identity.unreachable_at = now
        identity.unreachable_reason = reason[:200]
        session.add(identity)


async def offered_conversations(
    session: AsyncSession, offers: list[tuple[Route, list[dict[str, str]]]]
) -> list[Offer]:
    """The private conversations that just received choices in a pushed message, with the latest choices of each.

    The dispatcher then records them (`Dispatcher.offer_choices`, under the conversations' locks), so on
    platforms without buttons a typed "1" answers the latest push, e.g. "I have read this".
    """
    if not offers:
        return []
    chats = {route.chat_id for route, _ in offers}
    table = ChannelIdentity.__table__  # type: ignore[attr-defined]
    found = await execute(
        session,
        select(table.c.channel, table.c.chat_id, table.c.external_user_id).where(table.c.chat_id.in_(chats)),
    )
    users = {(channel, chat_id): user for channel, chat_id, user in found.all()}
    latest: dict[tuple[str, str], Offer] = {}
    for route, choices in offers:
        user = users.get((route.channel, route.chat_id))
        if user is not None:
            latest[(route.channel, route.chat_id)] = (route.channel, route.chat_id, user, choices)
    return list(latest.values())
