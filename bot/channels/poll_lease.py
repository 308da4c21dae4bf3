"""One poller per bot across processes, whatever the platform: a lease in the database (models.PollLease).

A platform that hands a bot's updates to whoever asks (Telegram's getUpdates, Zalo Bot's getUpdates) must be
asked by one process only: two Telegram pollers cut each other off (409 Conflict); two Zalo Bot pollers each get
some of the updates, so one conversation's messages are answered by two processes and may be answered out of
order. So of the processes that run in polling mode, the one holding the bot's lease polls; the others receive
nothing from that platform themselves, but send (replies of the web chat, the outbox) as usual.

`Lease` is the row: taken or renewed in one statement. `PollLeader` is the beat around it: every third of the
lease's length it takes or renews the lease and starts or stops the channel's polling to match; when the holder
stops (it died, or lost the database), another process takes the lease once it lapses and starts polling:
within `ANDAN_POLL_LEASE_SECONDS` and a third. A process that stops cleanly gives the lease up at once. Webhook
mode needs none of this: every process serves the webhook.

Times are the wall clock's (UTC), not bot.clock's: leases are between processes, which tests' manual clocks
do not move.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from bot.db import Database, execute
from models.leases import PollLease

log = logging.getLogger(__name__)


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Lease:
    """A named lease held by at most one process at a time."""

    def __init__(self, db: Database, name: str, seconds: float, holder: str | None = None) -> None:
        self.db, self.name, self.seconds = db, name, seconds
        self.holder = holder or holder_id()

    async def take(self) -> bool:
        """Take the lease if it is free or lapsed, or renew it if it is ours; True when it is ours now. One
        statement: an insert that, on conflict, overwrites only a lapsed lease or our own."""
        now = datetime.now(UTC)
        values = {
            "name": self.name,
            "holder": self.holder,
            "expires_at": now + timedelta(seconds=self.seconds),
        }
        make = sqlite_insert if self.db.is_sqlite else pg_insert
        insert = make(PollLease).values(**values)
        table = PollLease.__table__  # type: ignore[attr-defined]
        statement = insert.on_conflict_do_update(
            index_elements=["name"],
            set_={"holder": insert.excluded.holder, "expires_at": insert.excluded.expires_at},
            where=(table.c.expires_at < now) | (table.c.holder == self.holder),
        ).returning(table.c.holder)
        async with self.db.session() as session:
            won = (await execute(session, statement)).first()
            await session.commit()
        return won is not None and won[0] == self.holder

    async def give_up(self) -> None:
        async with self.db.session() as session:
            await execute(
                session,
                delete(PollLease).where(
                    and_(col(PollLease.name) == self.name, col(PollLease.holder) == self.holder)
                ),
            )
            await session.commit()


class PollLeader:
    """Keeps a channel's polling running exactly while this process holds the bot's lease.

    The channel says how: `start_polling()` (may raise: the next beat tries again), `stop_polling()`, and
    `polling()` (whether it polls now). `label` names the bot in the logs ("zalo bot")."""

    def __init__(
        self,
        lease: Lease,
        label: str,
        start_polling: Callable[[], Awaitable[None]],
        stop_polling: Callable[[], Awaitable[None]],
        polling: Callable[[], bool],
    ) -> None:
        self.lease, self.label = lease, label
        self._start, self._stop, self._polling = start_polling, stop_polling, polling
        self._renewed: float | None = None  # loop time the lease was last confirmed ours
        self._said_follower = False

    @property
    def leading(self) -> bool:
        return self._polling()

    async def beat(self) -> bool:
        """Take or renew the lease now, and poll or stop polling to match; True while leading. Raises what the
        database or the channel's `start_polling` raised."""
        leading = await self.lease.take()
        if leading:
            self._renewed = asyncio.get_running_loop().time()
            if not self._polling():
                await self._start()
                log.info("%s polling: this process holds the bot's lease", self.label)
        elif self._polling():
            await self._stop()
            log.warning("%s polling handed over: another process holds the bot's lease", self.label)
        elif not self._said_follower:
            self._said_follower = True
            log.info("%s: another process polls this bot; this one sends and serves the rest", self.label)
        return leading

    async def run(self) -> None:
        """Beat now, then every third of the lease's length, until cancelled. A process that cannot reach the
        database stops polling once its lease may have lapsed: by then another may poll."""
        loop = asyncio.get_running_loop()
        while True:
            try:
                await self.beat()
            except Exception as error:  # the database or the platform: said, and tried again at the next beat
                log.warning(
                    "%s poll lease not renewed (%s)",
                    self.label,
                    type(error).__name__,
                    extra={"error": type(error).__name__},
                )
                lapsed = self._renewed is None or loop.time() - self._renewed > self.lease.seconds
                if self._polling() and lapsed:
                    await self._stop()
                    log.warning("%s polling stopped: the lease could not be renewed in time", self.label)
            await asyncio.sleep(self.lease.seconds / 3)

    async def close(self) -> None:
        """Stop polling and give the lease up, so the next process polls at once, not when the lease lapses."""
        if self._polling():
            await self._stop()
        try:
            await self.lease.give_up()
        except Exception as error:
            log.warning("%s poll lease not given up (%s)", self.label, type(error).__name__)
