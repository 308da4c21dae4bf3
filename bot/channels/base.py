"""The adapter contract every channel implements, and the delivery errors the outbox sender understands."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.core.events import Attachment
from bot.core.replies import Reply
from bot.i18n import _

if TYPE_CHECKING:
    from aiohttp import web
    from sqlmodel.ext.asyncio.session import AsyncSession


class DeliveryError(Exception):
    """A message could not be delivered. Subclasses tell the sender what to do next."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        # What the person who sent a file is told when it cannot be fetched (translated), if more helpful than
        # the generic "please send it again" (e.g. the size limit).
        self.user_text: str | None = None


class RetryAfter(DeliveryError):
    """The platform asked us to pause every request of this bot for `seconds`."""

    def __init__(self, seconds: float, reason: str = "rate limited") -> None:
        super().__init__(reason)
        self.seconds = seconds


class Transient(DeliveryError):
    """Network trouble or a 5xx: retry later with backoff."""


class Unreachable(DeliveryError):
    """The person blocked the bot, left, or is outside the platform's messaging window: stop trying this chat."""


class Permanent(DeliveryError):
    """The request itself is wrong (bad payload): retrying would fail the same way."""


class NotNow(DeliveryError):
    """A kind of send the platform refuses for this person at this time (a Zalo promotion outside its hours, or a
    second one today): not a reason to pause the whole bot, only to try this person another way or later
    (`seconds`)."""

    def __init__(self, seconds: float, reason: str) -> None:
        super().__init__(reason)
        self.seconds = seconds


class QuotaExhausted(RetryAfter, Transient):
    """The platform's message quota is used up: the sender stops that kind of send and falls back
    (bot.delivery.reach) instead of retrying it."""


class Channel(ABC):
    """A platform connection: everything the rest of the app uses of a channel is here, nowhere else.

    - `start` / `stop`: begin and end receiving (polling task, webhook registration, connections).
    - `routes`: the HTTP routes it serves (webhooks, media links, the web chat); the server mounts them.
    - `release_requests`: the HTTP server is shutting down; answer requests held open now.
    - `deliver`: send one reply to one chat (the one required method; choices fall back to numbered text).
      Replies to a person who wrote go through `bot.channels.answer.send_replies`, pushes through the outbox.
    - `download`: the bytes of a file a person sent (handlers call `ctx.download`, which comes here).
    - `forget`: erase what the channel itself keeps about a chat.
    """

    name: str
    text_limit: int = 4096
    supports_buttons: bool = False
    # Whether a person can share a location from this platform's chat: where not, no question asks them to.
    reads_locations: bool = True
    # The kinds of file a person can send from this platform's chat ("photo", "file", "voice", "video"): a form
    # invites only these.
    takes_media: frozenset[str] = frozenset({"photo", "file", "voice", "video"})

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Begin receiving updates (polling task, webhook registration)."""

    async def stop(self) -> None:  # noqa: B027 - optional hook
        """Stop receiving and release connections."""

    def routes(self) -> Sequence[web.AbstractRouteDef]:
        """The HTTP routes this channel serves; a channel that only polls serves none."""
        return []

    async def release_requests(self) -> None:  # noqa: B027 - optional hook
        """The HTTP server is shutting down: answer the requests this channel holds open (long polls) at once,
        rather than keep the server waiting for them."""

    @abstractmethod
    async def deliver(self, chat_id: str, reply: Reply) -> list[str]:
        """Send one reply to one chat; return the platform's message ids. Raise a DeliveryError on failure."""

    async def forget(self, session: AsyncSession, chat_id: str) -> None:  # noqa: B027 - optional hook
        """Erase what this channel itself keeps about a chat (a stored transcript), in the caller's transaction."""

    def unreadable_text(self) -> str:
        """What to tell a person who sent something no flow can read (a sticker, a GIF: Kind.UNREADABLE)."""
        return _("I can't read stickers or that kind of message. Please type your message, or send a photo.")

    def join_link(self, code: str) -> str | None:
        """A link that opens a chat with the bot on this platform and redeems an invite code, if it has one."""
        return None

    async def download(self, attachment: Attachment) -> bytes:
        """The bytes of a photo, file or voice note a person sent (adapters that receive media override this)."""
        if attachment.data is not None:
            return attachment.data
        raise Permanent(f"{self.name} cannot download attachments")
