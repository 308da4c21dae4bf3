"""One poller per bot across processes: a lease in the database (models.PollLease).

Telegram gives a bot's updates to one getUpdates caller at a time; two processes polling one bot keep cutting
each other off (409 Conflict). So of the processes that run in polling mode, the one holding the bot's lease
polls; the others answer nothing from Telegram themselves, but send (replies of the web chat, the outbox) as
usual. The holder renews the lease every third of its length; when it stops (it died, or lost the database),
another process takes the lease once it lapses and starts polling: within `ANDAN_POLL_LEASE_SECONDS` and a
third. A process that stops cleanly gives the lease up at once. Webhook mode needs none of this: every process
serves the webhook.

Times are the wall clock's (UTC), not bot.clock's: leases are between processes, which tests' manual clocks
do not move.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from bot.db import Database, execute
from models import PollLease


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
