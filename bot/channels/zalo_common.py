"""What the two Zalo adapters share: fetching media a person sent (only from the platforms' media hosts, never
from inside our network, with size and time limits), recording that a person follows or left (Zalo OA), and
the notes they write themselves. Replies go through bot.channels.answer like every channel's.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from sqlmodel import select
from yarl import URL

from bot import clock
from bot.channels.base import Permanent, Transient
from bot.core.events import Attachment
from bot.i18n import _
from models import ChannelIdentity

if TYPE_CHECKING:
    from bot.app import App
    from bot.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

log = logging.getLogger(__name__)


class TooLarge(Permanent):
    """A file a person sent is over the size limit."""


async def mark_unreachable(app: App, channel: str, user_id: str, reason: str) -> None:
    """Stop pushing to this identity; the next message the person sends makes it reachable again (dispatcher)."""
    async with app.db.session() as session:
        identity = (
            await session.exec(
                select(ChannelIdentity).where(
                    ChannelIdentity.channel == channel, ChannelIdentity.external_user_id == user_id
                )
            )
        ).first()
        if identity is None:
            return
        identity.unreachable_at = clock.now()
        identity.unreachable_reason = reason[:200]
        session.add(identity)
        await session.commit()
    log.info("identity unreachable", extra={"channel": channel, "reason": reason[:200]})


async def mark_reachable(app: App, channel: str, user_id: str) -> None:
    async with app.db.session() as session:
        identity = (
            await session.exec(
                select(ChannelIdentity).where(
                    ChannelIdentity.channel == channel, ChannelIdentity.external_user_id == user_id
                )
            )
        ).first()
        if identity is None or identity.unreachable_at is None:
            return
        identity.unreachable_at = identity.unreachable_reason = None
        session.add(identity)
        await session.commit()


# Media downloads ------------------------------------------------------------------------------------------
# The server fetches URLs named in platform events: only the platforms' media hosts, over https, and never an
# address inside our own network (a cloud metadata service, the database, the admin side of a proxy).
MAX_REDIRECTS = 3
REDIRECTS = {301, 302, 303, 307, 308}


class Refused(Permanent):
    """A media URL outside the policy: not https, not a media host, or an address we must not reach."""


@dataclass(frozen=True)
class MediaPolicy:
    hosts: tuple[str, ...]  # host names; their subdomains match too
    allow_http: bool
    allow_private: bool
    seconds: float

    @classmethod
    def of(cls, settings: Settings) -> MediaPolicy:
        hosts = tuple(h.strip().lower().strip(".") for h in settings.media_hosts.split(",") if h.strip())
        return cls(
            hosts, settings.media_allow_http, settings.media_allow_private, settings.media_download_seconds
        )


def _address(text: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(text.partition("%")[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_public(address: IPAddress) -> bool:
    """An address on the public internet: not private, loopback, link-local, multicast, reserved or shared."""
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
    )


def check_url(url: str, policy: MediaPolicy) -> None:
    """Refuse a URL whose scheme or host the policy does not allow, before any connection is made."""
    try:
        parsed = URL(url)
    except (ValueError, TypeError):
        raise Refused("media URL unreadable") from None
    if parsed.scheme != "https" and not (policy.allow_http and parsed.scheme == "http"):
        raise Refused("media URL scheme not allowed")
    host = (parsed.raw_host or "").lower().rstrip(".")
    if not host or not any(host == allowed or host.endswith("." + allowed) for allowed in policy.hosts):
        raise Refused("media URL host not allowed")
    literal = _address(host)
    # aiohttp connects to an address literal without asking the resolver: check it here.
    if literal is not None and not (policy.allow_private or is_public(literal)):
        raise Refused("media URL address not allowed")


class _Forbidden(OSError):
    """Raised inside the resolver; aiohttp wraps it in a ClientConnectorError."""


class GuardedResolver(AbstractResolver):
    """Resolves as aiohttp does, then keeps only public addresses: the connection goes to exactly the addresses
    checked, so a DNS answer that changes between a check and the connect (rebinding) cannot get past it."""

    def __init__(self, allow_private: bool, inner: AbstractResolver | None = None) -> None:
        self._allow_private = allow_private
        self._inner = inner or DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        kept = [
            r
            for r in results
            if self._allow_private or ((a := _address(r["host"])) is not None and is_public(a))
        ]
        if not kept:
            raise _Forbidden("media host resolves only to addresses we must not reach")
        return kept

    async def close(self) -> None:
        await self._inner.close()


async def fetch(url: str, limit: int, policy: MediaPolicy, resolver: AbstractResolver | None = None) -> bytes:
    """Download a file a person sent from the platform's CDN: within the media policy, at most `limit` bytes,
    and `policy.seconds` in all (redirects included, each one checked like the first URL)."""
    guarded = GuardedResolver(policy.allow_private, resolver)
    try:
        connector = aiohttp.TCPConnector(resolver=guarded, use_dns_cache=False)
        async with asyncio.timeout(policy.seconds), aiohttp.ClientSession(connector=connector) as http:
            for _hop in range(MAX_REDIRECTS + 1):
                check_url(url, policy)
                async with http.get(url, allow_redirects=False) as response:
                    location = response.headers.get("Location")
                    if response.status in REDIRECTS and location:
                        url = str(URL(url).join(URL(location)))
                        continue
                    return await _read(response, limit)
            raise Refused("media URL redirected too often")
    except aiohttp.ClientConnectorError as error:
        if isinstance(error.os_error, _Forbidden):
            raise Refused("media host address not allowed") from None
        raise Transient(f"media download failed: {type(error).__name__}") from None
    except (aiohttp.ClientError, TimeoutError) as error:
        # Never str(error): aiohttp puts the URL in it, and platform URLs can carry tokens.
        raise Transient(f"media download failed: {type(error).__name__}") from None
    finally:
        await guarded.close()


async def _read(response: aiohttp.ClientResponse, limit: int) -> bytes:
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


async def download(app: App, _api_http: aiohttp.ClientSession | None, attachment: Attachment) -> bytes:
    """A person's photo or file from a Zalo URL, refused politely past the upload limit. Never through the API
    client's session (`_api_http`): media go through their own guarded connection (`fetch`)."""
    if attachment.data is not None:
        return attachment.data
    limit_mb = app.settings.web_max_upload_mb
    try:
        return await fetch(attachment.fetch, limit_mb * 1024 * 1024, MediaPolicy.of(app.settings))
    except TooLarge as error:
        error.reason = error.user_text = too_large_text(limit_mb)
        raise


def too_large_text(limit_mb: int) -> str:
    return _("That file is too large (at most {mb} MB). Please send a smaller photo or file.").format(
        mb=limit_mb
    )


def unsupported_text() -> str:
    return _("I can read text messages and photos here. Please type your message, or send a photo.")


def media_unavailable_text(caption: str | None, filename: str | None) -> str:
    """A photo or file that cannot be shown on this platform: say so rather than silently drop it."""
    note = _(
        "(A photo or file belongs here, but it cannot be shown in this chat. Open the web chat to see it.)"
    )
    head = caption or filename or ""
    return f"{head}\n{note}".strip()
