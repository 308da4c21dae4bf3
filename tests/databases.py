"""Test databases: one migrated, seeded template per run and backend, cloned cheaply for each test.

SQLite templates are copied as files; PostgreSQL ones are cloned with CREATE DATABASE ... TEMPLATE. Every
PostgreSQL database a test creates is dropped after it. Set ANDAN_TEST_POSTGRES_URL to use another server, and
ANDAN_REQUIRE_POSTGRES=1 (as .ci/run does) to fail instead of skipping when PostgreSQL is unreachable.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path

import asyncpg
from sqlalchemy import text

from bot import clock
from bot.db import Database
from bot.directory import geo
from bot.migrate import upgrade
from bot.security import Keyring
from bot.settings import Settings
from bot.tools.demo import DEMO_WARD, fill

PG_ADMIN_URL = os.environ.get("ANDAN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("ANDAN_REQUIRE_POSTGRES") == "1"
TEST_SECRET = "test-secret-key-not-for-production"


# The template's places are made at one fixed moment, before every moment a test sets its clock to. Made at the
# wall clock, the demo ward's groups were created after the deadlines of tests on a manual clock once the real date
# passed theirs (a report due 27/11/2026 had no group to expect it from), or at the manual clock of whichever test
# happened to build the template first.
SEEDED_AT = datetime.fromisoformat("2026-01-01T00:00:00+07:00")


async def _populate(url: str) -> None:
    db = Database(url)
    previous = clock.install(clock.ManualClock(SEEDED_AT))
    try:
        await upgrade(db)
        async with db.session() as session:
            await geo.seed(session)
        async with db.session() as session:
            # Demo places only: invites are made per test, since they are single-use.
            settings = Settings(database_url=url, secret_key=TEST_SECRET)
            await fill(session, Keyring(TEST_SECRET.encode()), settings)
            await session.exec(text("DELETE FROM invite"))  # type: ignore[call-overload]
            await session.commit()
    finally:
        clock.install(previous)
        await db.dispose()


class SqliteTemplates:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.template: Path | None = None

    async def new_url(self, empty: bool = False) -> str:
        target = self.root / f"t-{uuid.uuid4().hex[:10]}.db"
        if empty:
            return f"sqlite+aiosqlite:///{target}"
        if self.template is None:
            template = self.root / "template.db"
            await _populate(f"sqlite+aiosqlite:///{template}")
            self.template = template
        shutil.copyfile(self.template, target)
        return f"sqlite+aiosqlite:///{target}"

    async def drop(self, url: str) -> None:
        path = Path(url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            await asyncio.to_thread(Path(str(path) + suffix).unlink, missing_ok=True)


class PostgresTemplates:
    def __init__(self) -> None:
        self.template: str | None = None
        self.run_id = uuid.uuid4().hex[:8]

    @staticmethod
    async def reachable() -> bool:
        try:
            conn = await asyncpg.connect(PG_ADMIN_URL, timeout=3)
        except (TimeoutError, OSError, asyncpg.PostgresError):
            return False
        await conn.close()
        return True

    def _url(self, name: str) -> str:
        base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
        return f"{base}/{name}"

    async def _admin(self, sql: str) -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def new_url(self, empty: bool = False) -> str:
        name = f"andan_test_{self.run_id}_{uuid.uuid4().hex[:8]}"
        if empty:
            await self._admin(f'CREATE DATABASE "{name}"')
            return self._url(name)
        if self.template is None:
            template = f"andan_tmpl_{self.run_id}"
            await self._admin(f'CREATE DATABASE "{template}"')
            await _populate(self._url(template))
            self.template = template
        await self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self._url(name)

    async def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def close(self) -> None:
        if self.template:
            await self._admin(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')


__all__ = ["DEMO_WARD", "PostgresTemplates", "REQUIRE_PG", "SqliteTemplates", "TEST_SECRET"]
