"""The one reply path: what a person's message is answered with goes back to the chat they wrote from through
`send_replies`, the same way on Telegram, Zalo Bot and Zalo OA.

The web chat answers differently by design: its replies are the HTTP answer, stored in the transcript in the
update's own transaction (bot.channels.web). Pushes (alerts, reminders, digests) never come here: they go
through the outbox (bot.delivery.outbox) and its rate-limited sender.

A direct reply is not queued: if it cannot be sent, the person sees nothing and may write again. A short pause
the platform asks for is waited out once; a person who blocked the bot is marked unreachable, as the outbox
sender does, so pushes to them stop until they write again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bot.channels.base import Channel, DeliveryError, RetryAfter, Unreachable
from bot.core.events import Incoming
from bot.core.replies import Reply
from bot.delivery.routes import Route, mark_unreachable
from bot.directory.people import locale_of
from bot.i18n import use_locale

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

# Longest platform-requested pause waited out before a reply; a longer one drops the reply (the person, not a
# queue, is waiting, and a minute of silence helps no one).
MAX_INLINE_PAUSE = 30.0


async def respond(app: App, channel: Channel, event: Incoming) -> None:
    """Run one event through the core and send its replies back to the chat it came from, in order."""
    result = await app.dispatcher.handle(event)
    await send_replies(app, channel, event.chat_id, result.replies, result.locale)


async def say(app: App, channel: Channel, chat_id: str, user_id: str, render: Callable[[], str]) -> None:
    """A message the channel writes itself (a file too large, a kind of message it cannot read), rendered in the
    language of the person who wrote."""
    async with app.db.session() as session:
        locale = await locale_of(session, channel.name, user_id, app.settings.default_locale)
    with use_locale(locale):
        reply = Reply(render())
    await send_replies(app, channel, chat_id, [reply], locale)


async def send_replies(
    app: App, channel: Channel, chat_id: str, replies: Sequence[Reply], locale: str | None
) -> None:
    """Send a handler's replies to one chat, in order; after one fails the rest are not tried (they would make
    no sense without it). `locale` is the one the replies were written in (adapters may add a note of their own)."""
    with use_locale(locale):
        for reply in replies:
            if not await _send(app, channel, chat_id, reply):
                return


async def _send(app: App, channel: Channel, chat_id: str, reply: Reply) -> bool:
    for attempt in (1, 2):
        try:
            await channel.deliver(chat_id, reply)
            return True
        except RetryAfter as error:
            if attempt == 1 and error.seconds <= MAX_INLINE_PAUSE:
                await asyncio.sleep(error.seconds)
                continue
            _not_delivered(channel, error)
            return False
        except Unreachable as error:
            async with app.db.session() as session:
                # Only a private chat's identity matches; a group the bot was removed from matches none.
                await mark_unreachable(session, Route(channel.name, chat_id, is_group=False), error.reason)
                await session.commit()
            log.info(
                "reply not delivered: chat unreachable",
                extra={"channel": channel.name, "reason": error.reason[:200]},
            )
            return False
        except DeliveryError as error:
            _not_delivered(channel, error)
            return False
    return False


def _not_delivered(channel: Channel, error: DeliveryError) -> None:
    log.warning(
        "reply not delivered",
        extra={"channel": channel.name, "error": type(error).__name__, "reason": error.reason[:200]},
    )
