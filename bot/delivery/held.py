"""Replies and notices kept for a person who cannot be written to now, and sent when they write again.

A Zalo Official Account may write to a follower only within a window after the follower's last message (7 days;
48 hours for some kinds: ../shared/PLATFORMS.md). A police question to a tipster, or "your report was fixed", that
Zalo refuses for that reason would be lost, and its author told it went out. Such a row is held instead
(`OutboxStatus.HELD`): the tip's view says so, and the first message the person sends afterwards, on any of their
channels (an anonymous tipster: the chat their sealed route names), puts it back in the queue to go out at once.
Only messages to one person are held (`Priority.NOTICE`): an alert or a digest days late helps nobody. A notice
queued when every chat of the person is already known closed by the window (an earlier message was refused) has no
chat to be tried on: it is held from the start (`hold_for`), rather than never queued at all.

The check runs only for a person back after QUIET: a held row exists only for someone who did not write for at
least the shortest window, so an update from anyone else costs nothing.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlmodel import col, select

from bot import clock
from bot.channels.zalo_oa.api import is_window_reason
from bot.db import execute
from bot.delivery import reach
from bot.delivery.outbox import held_for, open_route
from bot.i18n import use_locale
from models import ChannelIdentity
from models.outbox import OutboxMessage, OutboxStatus, Priority

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.core.replies import Reply
    from bot.security import Keyring
    from models import Person

log = logging.getLogger(__name__)

# The shortest window a platform closes (Zalo OA's 48 hours for a reply), less a margin: someone who wrote more
# recently than this cannot have a held message.
QUIET = timedelta(hours=47)


def holds(priority: int, status: str, error: str | None) -> bool:
    """Whether a row that ends with this outcome is kept for the person's next message rather than given up."""
    return status == OutboxStatus.SKIPPED and priority == Priority.NOTICE and is_window_reason(error)


def back_after_quiet(identity: ChannelIdentity) -> bool:
    """Whether this message is the person's first after QUIET (or ever): the only time a held row can exist."""
    last = identity.last_interaction_at
    return last is None or last < clock.now() - QUIET


async def hold_for(
    session: AsyncSession,
    person: Person,
    render: Callable[[], Reply],
    *,
    kind: str,
    dedupe_key: str | None = None,
    source_kind: str | None = None,
    source_id: str | None = None,
) -> OutboxMessage | None:
    """Hold a notice for a person none of whose chats can be written to now because a platform's window closed
    (their Zalo OA refused an earlier message: `push_identities` leaves such a chat out, so the notice could not be
    queued): it goes out when they write again (`release`). None when no chat of theirs is closed for that reason
    (they blocked the bot, or have a chat open: queue it there)."""
    closed = (
        await session.exec(
            select(ChannelIdentity)
            .where(ChannelIdentity.person_id == person.id, col(ChannelIdentity.unreachable_at).is_not(None))
            .order_by(
                col(ChannelIdentity.last_interaction_at).desc().nulls_last(), col(ChannelIdentity.id).desc()
            )
        )
    ).all()
    identity = next((i for i in closed if is_window_reason(i.unreachable_reason)), None)
    if identity is None:
        return None
    with use_locale(person.locale):
        payload = render().to_payload()
    return held_for(
        session,
        int(person.id or 0),
        identity,
        payload,
        kind=kind,
        dedupe_key=dedupe_key,
        source_kind=source_kind,
        source_id=source_id,
    )


async def release(session: AsyncSession, keyring: Keyring, identity: ChannelIdentity) -> int:
    """Put back in the queue, to go out now on the chat the person just wrote from, every row held for them;
    returns how many. An anonymous tipster's rows are found by opening their sealed routes (few are held)."""
    now = clock.now()
    released = 0
    if identity.person_id is not None:
        result = await execute(
            session,
            update(OutboxMessage)
            .where(
                col(OutboxMessage.status) == OutboxStatus.HELD,
                col(OutboxMessage.person_id) == identity.person_id,
            )
            .values(
                status=OutboxStatus.PENDING,
                channel=identity.channel,
                chat_id=identity.chat_id,
                via=reach.via_of(identity.channel),
                not_before=now,
                error=None,
            ),
        )
        released += int(result.rowcount or 0)
    sealed = (
        await session.exec(
            select(OutboxMessage.id, OutboxMessage.sealed_route).where(
                col(OutboxMessage.status) == OutboxStatus.HELD, col(OutboxMessage.sealed_route).is_not(None)
            )
        )
    ).all()
    here = (identity.channel, identity.chat_id)
    ours = [row_id for row_id, route in sealed if route and open_route(keyring, route) == here]
    if ours:
        await execute(
            session,
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(ours))
            .values(status=OutboxStatus.PENDING, not_before=now, error=None),
        )
        released += len(ours)
    if identity.unreachable_at is not None and is_window_reason(identity.unreachable_reason):
        # Writing opened the window again. Cleared, not stamped: in a private form (a tip) nothing may record
        # when the person wrote.
        identity.unreachable_at = identity.unreachable_reason = None
        session.add(identity)
    if released:
        log.info("held messages released", extra={"channel": identity.channel, "count": released})
    return released
