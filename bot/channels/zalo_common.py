"""What the two Zalo adapters share: answering an update after the platform got its fast 200, fetching media a
person sent (with the size limit), and recording that a person can no longer be reached on a channel.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import aiohttp
from sqlmodel import select

from bot import clock
from bot.channels.base import Channel, DeliveryError, Permanent, Transient, Unreachable
from bot.core.events import Attachment, Incoming
from bot.core.replies import Reply
from bot.i18n import _, use_locale
from models import ChannelIdentity, Person

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


class TooLarge(Permanent):
    """A file a person sent is over the size limit."""


async def respond(app: App, channel: Channel, event: Incoming) -> None:
    """Run one event through the core and send its replies back to the chat it came from, in order."""
    result = await app.dispatcher.handle(event)
    await send_replies(app, channel, event.chat_id, event.user_id, result.replies, result.locale)


async def send_replies(app: App, channel: Channel, chat_id: str, user_id: str, replies: list[Reply],
                       locale: str | None) -> None:
    with use_locale(locale):
        for reply in replies:
            try:
                await channel.deliver(chat_id, reply)
            except Unreachable as error:
                await mark_unreachable(app, channel.name, user_id, error.reason)
                return
            except DeliveryError as error:
                # A direct answer is not queued: the person sees nothing and may write again.
                log.warning("reply not delivered", extra={"channel": channel.name, "reason": error.reason})
                return


async def mark_unreachable(app: App, channel: str, user_id: str, reason: str) -> None:
    """Stop pushing to this identity; the next message the person sends makes it reachable again (dispatcher)."""
    async with app.db.session() as session:
        identity = (await session.exec(select(ChannelIdentity).where(
            ChannelIdentity.channel == channel, ChannelIdentity.external_user_id == user_id))).first()
        if identity is None:
            return
        identity.unreachable_at = clock.now()
        identity.unreachable_reason = reason[:200]
        session.add(identity)
        await session.commit()
    log.info("identity unreachable", extra={"channel": channel, "reason": reason[:200]})


async def mark_reachable(app: App, channel: str, user_id: str) -> None:
    async with app.db.session() as session:
        identity = (await session.exec(select(ChannelIdentity).where(
            ChannelIdentity.channel == channel, ChannelIdentity.external_user_id == user_id))).first()
        if identity is None or identity.unreachable_at is None:
            return
        identity.unreachable_at = identity.unreachable_reason = None
        session.add(identity)
        await session.commit()


async def locale_of(app: App, channel: str, user_id: str) -> str:
    """The language of a person writing on `channel` (the deployment default for strangers)."""
    async with app.db.session() as session:
        identity = (await session.exec(select(ChannelIdentity).where(
            ChannelIdentity.channel == channel, ChannelIdentity.external_user_id == user_id))).first()
        person = await session.get(Person, identity.person_id) if identity else None
    return person.locale if person else app.settings.default_locale


async def fetch(http: aiohttp.ClientSession, url: str, limit: int) -> bytes:
    """Download a file a person sent from the platform's CDN, refusing more than `limit` bytes."""
    if not url.startswith(("https://", "http://")):
        raise Permanent("attachment has no downloadable URL")
    try:
        async with http.get(url, timeout=aiohttp.ClientTimeout(total=60)) as response:
            if response.status >= 500:
                raise Transient(f"media download answered HTTP {response.status}")
            if response.status != 200:
                raise Permanent(f"media download answered HTTP {response.status}")
            if response.content_length is not None and response.content_length > limit:
                raise TooLarge("attachment over the size limit")
            data = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                data += chunk
                if len(data) > limit:
                    raise TooLarge("attachment over the size limit")
            return bytes(data)
    except (aiohttp.ClientError, TimeoutError) as error:
        # Never str(error): aiohttp puts the URL in it, and platform URLs can carry tokens.
        raise Transient(f"media download failed: {type(error).__name__}") from None


class LazyHttp:
    """An aiohttp session opened on first use (and again after a close), shared by a Zalo API client's calls."""

    _http: aiohttp.ClientSession | None = None

    @property
    def http(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20))
        return self._http

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()


async def download(app: App, http: aiohttp.ClientSession, attachment: Attachment) -> bytes:
    """A person's photo or file from a Zalo URL, refused politely past the upload limit."""
    if attachment.data is not None:
        return attachment.data
    limit_mb = app.settings.web_max_upload_mb
    try:
        return await fetch(http, attachment.fetch, limit_mb * 1024 * 1024)
    except TooLarge as error:
        error.reason = too_large_text(limit_mb)
        raise


def too_large_text(limit_mb: int) -> str:
    return _("That file is too large (at most {mb} MB). Please send a smaller photo or file.").format(mb=limit_mb)


def unsupported_text() -> str:
    return _("I can read text messages and photos here. Please type your message, or send a photo.")


def media_unavailable_text(caption: str | None, filename: str | None) -> str:
    """A photo or file that cannot be shown on this platform: say so rather than silently drop it."""
    note = _("(A photo or file belongs here, but it cannot be shown in this chat. Open the web chat to see it.)")
    head = caption or filename or ""
    return f"{head}\n{note}".strip()
