"""The async database engine and sessions (aiosqlite by default, asyncpg in production)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.sql.base import Executable
from sqlmodel.ext.asyncio.session import AsyncSession

from models import json_tracking


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # WAL lets readers run beside the one writer; foreign keys are off by default in SQLite.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """Owns the engine; hands out sessions. Created by the app factory, never at import time."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        json_tracking.install()  # a nested change to a JSON column is saved like an assignment
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


async def execute(session: AsyncSession, statement: Executable) -> Any:
    """Run an UPDATE, DELETE, INSERT or multi-column SELECT in the session's transaction. SQLModel types
    `exec()` for single-entity selects only; this is the one place that says so to the type checker."""
    return await session.exec(statement)  # type: ignore[call-overload]
