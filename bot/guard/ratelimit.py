"""Abuse limits that identify no one: fixed-window counters per client network, or per chat account.

A client network is the sender's address cut to a prefix (IPv4 /32 and IPv6 /64 by default, since residents
often share one carrier-grade NAT address, and an IPv6 household holds a whole /64). Behind configured reverse
proxies it is the right-most X-Forwarded-For address that none of them added. Only a keyed hash of the network
travels with an event (`Incoming.client_key`); a counter row holds a keyed hash of (limit, client, window start),
the window's end and a count: no address, no platform id, no content. Rows are purged once their window is over
(bot.app.housekeeping). Counters live in the database because several worker processes serve one bot; each count
is one atomic upsert, so concurrent requests cannot slip past a limit together.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from math import ceil
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, delete

from bot import clock
from bot.db import execute
from bot.i18n import fmt_time, local
from models import RateCounter

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.app import App
    from bot.core.context import Context
    from bot.core.events import Incoming
    from bot.security import Keyring
    from bot.settings import Settings

T = TypeVar("T")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Limit:
    """A named allowance per window; `setting` is the Settings field with how many (0 turns the limit off)."""

    name: str
    setting: str
    window: timedelta


WEB_SESSIONS = Limit("web-sessions", "rate_web_sessions_per_hour", HOUR)  # new cookies
WEB_PEOPLE = Limit("web-people", "rate_web_people_per_hour", HOUR)  # consents that create a person
WEB_TIPS = Limit("web-tips", "rate_tips_per_day", DAY)  # tips sent
RECEIPT_CODES = Limit("receipt-codes", "rate_code_failures_per_hour", HOUR)  # wrong /tracuu codes
LINK_CODES = Limit("link-codes", "rate_code_failures_per_hour", HOUR)  # wrong /lienket codes


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_at: datetime  # the end of the current window

    def retry_after(self) -> int:
        """Whole seconds until the window ends (an HTTP Retry-After), at least 1."""
        return max(1, ceil((self.retry_at - clock.now()).total_seconds()))

    def retry_time(self) -> str:
        """The local time the window ends, for a polite "please try again after …"."""
        return fmt_time(self.retry_at)


def window_of(limit: Limit, moment: datetime) -> tuple[datetime, datetime]:
    """The fixed window `moment` falls in; windows are aligned to local midnight, so a day limit ends at 00:00."""
    offset = local(moment).utcoffset() or timedelta(0)
    size = limit.window.total_seconds()
    elapsed = (moment + offset - EPOCH).total_seconds()
    start = EPOCH + timedelta(seconds=(elapsed // size) * size) - offset
    return start, start + limit.window


def _allowance(app: App, limit: Limit) -> int:
    return int(getattr(app.settings, limit.setting))


def _counter_key(app: App, limit: Limit, client: str, start: datetime) -> str:
    return app.keyring.keyed_hash("rate-limit", limit.name, client, start.isoformat())


async def peek(app: App, session: AsyncSession, limit: Limit, client: str) -> Verdict:
    """Whether `client` may still do this in the current window, without counting anything."""
    start, end = window_of(limit, clock.now())
    allowance = _allowance(app, limit)
    if not allowance:
        return Verdict(True, end)
    row = await session.get(RateCounter, _counter_key(app, limit, client, start))
    return Verdict((row.count if row else 0) < allowance, end)


async def take(app: App, session: AsyncSession, limit: Limit, client: str) -> Verdict:
    """Count one more in the current window (atomically, in the caller's transaction); allowed while within it."""
    start, end = window_of(limit, clock.now())
    allowance = _allowance(app, limit)
    if not allowance:
        return Verdict(True, end)
    table = RateCounter.__table__  # type: ignore[attr-defined]
    make = sqlite_insert if app.db.is_sqlite else pg_insert
    statement = (
        make(table)
        .values(key=_counter_key(app, limit, client, start), window_end=end, count=1)
        .on_conflict_do_update(index_elements=["key"], set_={"count": table.c["count"] + 1})
        .returning(table.c["count"])
    )
    count = (await execute(session, statement)).scalar_one()
    return Verdict(int(count) <= allowance, end)


async def give_back(app: App, session: AsyncSession, limit: Limit, client: str) -> None:
    """Undo one `take` in the current window: a right code is not a wrong attempt."""
    start, _end = window_of(limit, clock.now())
    if not _allowance(app, limit):
        return
    key = _counter_key(app, limit, client, start)
    await execute(
        session,
        update(RateCounter)
        .where(col(RateCounter.key) == key, col(RateCounter.count) > 0)
        .values(count=col(RateCounter.count) - 1),
    )


async def purge(session: AsyncSession) -> int:
    """Drop every counter whose window is over; returns how many."""
    result = await execute(session, delete(RateCounter).where(col(RateCounter.window_end) <= clock.now()))
    return int(result.rowcount or 0)


async def guarded(
    ctx: Context, limit: Limit, paused: Callable[[Verdict], str], look_up: Callable[[], Awaitable[T | None]]
) -> T | None:
    """A look-up of a secret code behind a wrong-guess limit, per client network on the web and per chat account
    elsewhere. Every attempt is counted before the look-up and a found code gives its count back, so only wrong
    attempts add up and concurrent guesses cannot slip past the limit; once it is reached, even a right code waits
    (the answer must not tell them apart) and the costly look-up does not run. `look_up` tells the person what
    was wrong when it finds nothing; `paused` says when they may try again."""
    client = client_of(ctx.app.keyring, ctx.event)
    verdict = await take(ctx.app, ctx.session, limit, client)
    if not verdict.allowed:
        ctx.reply(paused(verdict))
        return None
    found = await look_up()
    if found is not None:
        await give_back(ctx.app, ctx.session, limit, client)
    return found


# Who is counted ---------------------------------------------------------------------------------------------
def account_key(keyring: Keyring, channel: str, user_id: str) -> str:
    """A chat account as a limit's client: where a platform account is what an identity costs (Telegram, Zalo)."""
    return keyring.keyed_hash("rate-account", channel, user_id)


def client_of(keyring: Keyring, event: Incoming) -> str:
    """The client a wrong-code limit counts: the web sender's network, else the chat account."""
    return event.client_key or account_key(keyring, event.channel, event.user_id)


def parse_address(text: str) -> IPAddress | None:
    """An address as peers and proxies write it ("203.0.113.7", "[2001:db8::1]:443", "203.0.113.7:51234")."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]  # IPv4 with a port
    try:
        address = ipaddress.ip_address(text.partition("%")[0])  # drop an IPv6 zone ("fe80::1%eth0")
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # a dual-stack socket shows IPv4 peers as ::ffff:a.b.c.d
    return address


def parse_networks(text: str) -> tuple[IPNetwork, ...]:
    """Comma-separated addresses or CIDRs; a malformed entry is a configuration error, raised at start-up."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


class ClientNetworks:
    """Turns an HTTP peer (and, behind trusted proxies, X-Forwarded-For) into the keyed hash of a client network."""

    def __init__(self, keyring: Keyring, settings: Settings) -> None:
        self._keyring = keyring
        self._trusted = parse_networks(settings.trusted_proxies)
        self._v4_prefix = settings.client_ipv4_prefix
        self._v6_prefix = settings.client_ipv6_prefix

    def _is_trusted(self, address: IPAddress) -> bool:
        return any(address in network for network in self._trusted)

    def address(self, peer: str | None, forwarded_for: Iterable[str] = ()) -> IPAddress | None:
        """The client's address. X-Forwarded-For is read only when the peer is a trusted proxy, from the right:
        each trusted proxy appended the address it saw, so the first untrusted one is the client (what lies to
        its left, the client may have written itself)."""
        address = parse_address(peer) if peer else None
        if address is None or not self._is_trusted(address):
            return address
        hops = [hop for header in forwarded_for for hop in header.split(",") if hop.strip()]
        for hop in reversed(hops):
            parsed = parse_address(hop)
            if parsed is None:
                break  # garbage from here on: the last address a trusted proxy vouched for is what we know
            address = parsed
            if not self._is_trusted(address):
                break
        return address

    def network(self, address: IPAddress) -> IPNetwork:
        prefix = self._v4_prefix if address.version == 4 else self._v6_prefix
        return ipaddress.ip_network(f"{address}/{prefix}", strict=False)

    def key(self, peer: str | None, forwarded_for: Iterable[str] = ()) -> str | None:
        """The keyed hash of the client's network (None when the peer is unknown, e.g. a Unix socket)."""
        address = self.address(peer, forwarded_for)
        if address is None:
            return None
        return self._keyring.keyed_hash("client-network", str(self.network(address)))
