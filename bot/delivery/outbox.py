"""Writing to the durable outbox: everything the bot pushes (alerts, reminders, digests, notices) goes here.

Rows are written in the caller's transaction, so a push exists exactly when the thing that caused it was
committed. The sender (`bot.delivery`) drains the table. No feature writes outbox rows itself: a producer of
thousands of rows (the weekly digest) builds them with `pending_row` and writes them with `enqueue_rows`, one
batched insert per chunk.

A person's row starts on the first step of their reach plan (bot.delivery.reach): their preferred channel, else
another linked one, else a Zalo fallback when one is configured. `enqueue_reaching` also writes a row, already
"skipped", for a person with no step at all, so what counts who was reached (`reach_progress`) misses nobody.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.core.replies import Reply
from bot.delivery import reach
from bot.directory.people import push_identities
from bot.i18n import use_locale
from bot.security import Keyring
from models import ChannelIdentity, LinkedChat, OutboxMessage, OutboxStatus, Person, Priority

if TYPE_CHECKING:
    from bot.settings import Settings

# The settings of the running app (set by bot.delivery.install): producers that pass none still get the Zalo
# fallbacks the deployment configured.
_settings: Settings | None = None


def configure(settings: Settings | None) -> None:
    global _settings
    _settings = settings


NO_ROUTE = "not reached: no channel"


async def enqueue_to_person(
    session: AsyncSession,
    person: Person,
    render: Callable[[], Reply],
    *,
    kind: str,
    priority: int = Priority.ROUTINE,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    source_kind: str | None = None,
    source_id: str | None = None,
) -> OutboxMessage | None:
    """Queue a message to a person's push channel, rendered in their language. None if they have no reachable channel."""
    rows = await enqueue_to_people(
        session,
        [person],
        render,
        kind=kind,
        priority=priority,
        dedupe_key=(lambda _p: dedupe_key) if dedupe_key else None,
        not_before=not_before,
        source_kind=source_kind,
        source_id=source_id,
    )
    return rows[0] if rows else None


async def enqueue_to_people(
    session: AsyncSession,
    people: Sequence[Person],
    render: Callable[[], Reply],
    *,
    kind: str,
    priority: int = Priority.ROUTINE,
    dedupe_key: Callable[[Person], str] | None = None,
    not_before: datetime | None = None,
    source_kind: str | None = None,
    source_id: str | None = None,
) -> list[OutboxMessage]:
    """Queue one message to each person's push channel: rendered once per language, identities found in bulk.

    People with no reachable channel are left out; returns the rows written.
    """
    if _settings is not None and reach.uses_fallbacks(_settings):
        return await enqueue_reaching(
            session,
            _settings,
            people,
            render,
            kind=kind,
            priority=priority,
            dedupe_key=dedupe_key,
            not_before=not_before,
            source_kind=source_kind,
            source_id=source_id,
            keep_unreached=False,
        )
    identities = await push_identities(session, people)
    rendered: dict[str, Reply] = {}
    due = not_before or clock.now()
    rows: list[OutboxMessage] = []
    for person in people:
        identity = identities.get(person.id or 0)
        if identity is None:
            continue
        if person.locale not in rendered:
            with use_locale(person.locale):
                rendered[person.locale] = render()
        rows.append(
            OutboxMessage(
                kind=kind,
                priority=priority,
                person_id=person.id,
                channel=identity.channel,
                chat_id=identity.chat_id,
                via=reach.via_of(identity.channel),
                payload=rendered[person.locale].to_payload(),
                dedupe_key=dedupe_key(person) if dedupe_key else None,
                not_before=due,
                source_kind=source_kind,
                source_id=source_id,
            )
        )
    session.add_all(rows)
    return rows


async def enqueue_reaching(
    session: AsyncSession,
    settings: Settings,
    people: Sequence[Person],
    render: Callable[[], Reply],
    *,
    kind: str,
    priority: int = Priority.ROUTINE,
    dedupe_key: Callable[[Person], str] | None = None,
    not_before: datetime | None = None,
    source_kind: str | None = None,
    source_id: str | None = None,
    keep_unreached: bool = True,
) -> list[OutboxMessage]:
    """Queue one message to each person on the first step of their reach plan (bot.delivery.reach). A person
    with no step gets a row already skipped (`keep_unreached`), so they are counted as not reached."""
    now = clock.now()
    steps = await reach.plans(session, settings, people, kind, priority, now)
    rendered: dict[str, Reply] = {}
    due = not_before or now
    rows: list[OutboxMessage] = []
    for person in people:
        planned = steps.get(person.id or 0) or []
        if not planned and not keep_unreached:
            continue
        if person.locale not in rendered:
            with use_locale(person.locale):
                rendered[person.locale] = render()
        first = planned[0] if planned else None
        rows.append(
            OutboxMessage(
                kind=kind,
                priority=priority,
                person_id=person.id,
                channel=first.channel if first else None,
                chat_id=first.chat_id if first else None,
                via=first.via if first else None,
                payload=rendered[person.locale].to_payload(),
                dedupe_key=dedupe_key(person) if dedupe_key else None,
                not_before=due,
                source_kind=source_kind,
                source_id=source_id,
                status=OutboxStatus.PENDING if first else OutboxStatus.SKIPPED,
                error=None if first else NO_ROUTE,
            )
        )
    session.add_all(rows)
    return rows


def enqueue_to_chat(
    session: AsyncSession,
    chat: LinkedChat,
    reply: Reply,
    *,
    kind: str,
    priority: int = Priority.ROUTINE,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    source_kind: str | None = None,
    source_id: str | None = None,
) -> OutboxMessage:
    """Queue a message to a linked group chat (rendered by the caller in the ward's language)."""
    row = OutboxMessage(
        kind=kind,
        priority=priority,
        channel=chat.channel,
        chat_id=chat.chat_id,
        via=reach.GROUP,
        linked_chat_id=chat.id,
        payload=reply.to_payload(),
        dedupe_key=dedupe_key,
        not_before=not_before or clock.now(),
        source_kind=source_kind,
        source_id=source_id,
    )
    session.add(row)
    return row


def held_for(
    session: AsyncSession,
    person_id: int,
    identity: ChannelIdentity,
    payload: dict[str, Any],
    *,
    kind: str,
    dedupe_key: str | None = None,
    source_kind: str | None = None,
    source_id: str | None = None,
) -> OutboxMessage:
    """A notice held for a chat that cannot be written to now (a platform's window closed: bot.delivery.held),
    released when the person writes again."""
    row = OutboxMessage(
        kind=kind,
        priority=Priority.NOTICE,
        person_id=person_id,
        channel=identity.channel,
        chat_id=identity.chat_id,
        via=reach.via_of(identity.channel),
        payload=payload,
        status=OutboxStatus.HELD,
        error=identity.unreachable_reason,
        dedupe_key=dedupe_key,
        not_before=clock.now(),
        source_kind=source_kind,
        source_id=source_id,
    )
    session.add(row)
    return row


def enqueue_sealed(
    session: AsyncSession,
    sealed_route: str,
    reply: Reply,
    *,
    kind: str,
    priority: int = Priority.NOTICE,
    dedupe_key: str | None = None,
    source_kind: str | None = None,
    source_id: str | None = None,
) -> OutboxMessage:
    """Queue a message whose recipient is known only through a sealed route (an anonymous tipster)."""
    row = OutboxMessage(
        kind=kind,
        priority=priority,
        sealed_route=sealed_route,
        payload={**reply.to_payload(), "private": True},
        dedupe_key=dedupe_key,
        not_before=clock.now(),
        source_kind=source_kind,
        source_id=source_id,
    )
    session.add(row)
    return row


def pending_row(
    reply: Reply,
    *,
    kind: str,
    channel: str,
    chat_id: str,
    person_id: int | None = None,
    linked_chat_id: int | None = None,
    priority: int = Priority.ROUTINE,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    source_kind: str | None = None,
    source_id: str | None = None,
    now: datetime | None = None,
    via: str | None = None,
) -> dict[str, Any]:
    """One push for `enqueue_rows`, as column values. Every row carries the same keys (a batched insert needs
    that) and every column the model would fill by default, because a Core insert fills none."""
    created = now or clock.now()
    return dict(
        kind=kind,
        priority=priority,
        person_id=person_id,
        channel=channel,
        chat_id=chat_id,
        linked_chat_id=linked_chat_id,
        via=via or (reach.GROUP if linked_chat_id is not None else reach.via_of(channel)),
        payload=reply.to_payload(),
        status=OutboxStatus.PENDING,
        not_before=not_before or created,
        attempts=0,
        dedupe_key=dedupe_key,
        source_kind=source_kind,
        source_id=source_id,
        created_at=created,
    )


async def enqueue_rows(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Queue many pushes built by `pending_row` with one batched insert (a Core executemany, no ORM objects:
    thousands of rows in a fraction of a second), in the caller's transaction. Returns how many were written.

    A caller that writes a whole ward commits after each chunk, so a run cut short keeps what it committed and
    the next run skips those rows by their dedupe keys (bot.digest.tick)."""
    if not rows:
        return 0  # an executemany without parameters would insert one row of defaults
    connection = await session.connection()
    await connection.execute(insert(OutboxMessage.__table__), list(rows))  # type: ignore[attr-defined]
    return len(rows)


ROUTE_PURPOSE = "reply-route"


def seal_route(keyring: Keyring, channel: str, chat_id: str) -> str:
    """An encrypted (channel, chat) pair: only the delivery code can open it, nobody can read it in the table."""
    return keyring.seal(ROUTE_PURPOSE, json.dumps([channel, chat_id]).encode())


def open_route(keyring: Keyring, sealed: str) -> tuple[str, str] | None:
    opened = keyring.unseal(ROUTE_PURPOSE, sealed)
    if opened is None:
        return None
    channel, chat_id = json.loads(opened)
    return channel, chat_id


async def progress(session: AsyncSession, source_kind: str, source_id: str) -> dict[str, int]:
    """How many pushes of one source are in each status (pending, sending, sent, failed, skipped, cancelled)."""
    from sqlalchemy import func
    from sqlmodel import select

    rows = await session.exec(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.source_kind == source_kind, OutboxMessage.source_id == source_id)
        .group_by(OutboxMessage.status)
    )
    return {status: int(n) for status, n in rows.all()}


async def cancel(session: AsyncSession, source_kind: str, source_id: str) -> int:
    """Cancel what of a source has not gone out yet; returns how many rows were cancelled."""
    from sqlalchemy import update
    from sqlmodel import col

    result = await session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.source_kind) == source_kind,
            col(OutboxMessage.source_id) == source_id,
            col(OutboxMessage.status).in_([OutboxStatus.PENDING, OutboxStatus.HELD]),
        )
        .values(status=OutboxStatus.CANCELLED)
    )
    return int(result.rowcount or 0)


async def reach_progress(session: AsyncSession, source_kind: str, source_id: str) -> dict[str, Any]:
    """Who a source's pushes reached: {"people": {"reached": {(channel, via): n}, "trying": n, "not_reached": n},
    "chats": {...the same for linked group chats}}. A row is one recipient whatever routes it went through."""
    from sqlalchemy import func
    from sqlmodel import select

    rows = await session.exec(
        select(  # type: ignore[call-overload]
            OutboxMessage.linked_chat_id.is_not(None),  # type: ignore[union-attr]
            OutboxMessage.status,
            OutboxMessage.channel,
            OutboxMessage.via,
            func.count(),
        )
        .where(OutboxMessage.source_kind == source_kind, OutboxMessage.source_id == source_id)
        .group_by(
            OutboxMessage.linked_chat_id.is_not(None),  # type: ignore[union-attr]
            OutboxMessage.status,
            OutboxMessage.channel,
            OutboxMessage.via,
        )
    )
    out: dict[str, Any] = {
        side: {"reached": {}, "trying": 0, "not_reached": 0, "cancelled": 0} for side in ("people", "chats")
    }
    for is_chat, status, channel, via, n in rows.all():
        side = out["chats" if is_chat else "people"]
        if status == OutboxStatus.SENT:
            key = (channel or "", via or reach.via_of(channel or ""))
            side["reached"][key] = side["reached"].get(key, 0) + int(n)
        elif status in (OutboxStatus.PENDING, OutboxStatus.SENDING):
            side["trying"] += int(n)
        elif status == OutboxStatus.CANCELLED:
            side["cancelled"] += int(n)
        else:
            side["not_reached"] += int(n)
    return out
