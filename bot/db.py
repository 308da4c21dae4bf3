"""The async database engine and sessions (SQLite by default, asyncpg in production).

SQLite: aiosqlite runs every call of a connection in that connection's own thread, and each call (cursor,
execute, fetch, close: four for one statement) crossed to it and back. Those crossings, not SQLite, were most of
an update's cost. Here statements run on the event loop's thread instead: a statement of the per-update kind
takes microseconds, less than the crossing did. What may take long still goes to the connection's thread:
every COMMIT (with synchronous=FULL it waits for the disk), work marked `offloaded()` (scheduled ticks), and a
statement once it has been seen to take longer than `INLINE_SLOW`. Writers of one process queue on the event loop
for SQLite's one write lock (`_WriteGate`) rather than in SQLite's busy handler, which would block the loop; a
lock held by another process is waited for the same way, asleep on the loop.

PostgreSQL: no ping on every checkout (a round trip per transaction); a connection idle for longer than
`IDLE_PING` is pinged before use, and an update that meets a dropped connection anyway is tried once more
(`once_more_if_dropped`).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import aiosqlite
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.sql.base import Executable
from sqlmodel.ext.asyncio.session import AsyncSession

from models import json_tracking

log = logging.getLogger(__name__)
T = TypeVar("T")

# What always runs in the connection's thread: a COMMIT waits for the disk; the connection's close must follow
# whatever the thread is still doing. A cursor's close (one per statement) frees memory: inline, as its statement.
ON_ITS_THREAD = frozenset({"commit", "close"})
# An inline statement that took longer than this runs in its connection's thread from then on.
INLINE_SLOW = 0.02
# How long a write waits for SQLite's write lock (held by another connection or process) before failing.
BUSY_WAIT = 30.0
# A PostgreSQL connection idle for longer than this is pinged before it is handed out.
IDLE_PING = 30.0
# Connections each process keeps open, and how many more it may open at a peak. A pool smaller than the number
# of transactions running at once opened and closed connections all the time (an asyncpg connection costs a TLS
# attempt, a SQLite one a thread): updates take turns for UPDATE_SLOTS of them instead (`Database.slots`),
# leaving the rest to the sender, the scheduler and the web chat.
POOL_SIZE, POOL_OVERFLOW, UPDATE_SLOTS = 25, 15, 20
# Statements that take SQLite's write lock when they start a transaction.
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "BEGIN", "CREATE", "DROP", "ALTER", "WITH", "VACUUM")
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6

_offloaded: ContextVar[bool] = ContextVar("andan_sqlite_offloaded", default=False)


@contextmanager
def offloaded() -> Iterator[None]:
    """Within this block (and the tasks it starts), SQLite statements run in their connection's thread: for
    work that may read a lot at once (scheduled ticks) while updates are being answered."""
    token = _offloaded.set(True)
    try:
        yield
    finally:
        _offloaded.reset(token)


class _WriteGate:
    """SQLite's one writer, taken in turn on the event loop; and the statements known to be slow."""

    def __init__(self) -> None:
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self.slow: set[str] = set()

    def lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        return lock


def _busy(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)


class _LoopConnection(aiosqlite.Connection):
    """aiosqlite's connection, with calls run on the event loop's thread (see the module docstring)."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], gate: _WriteGate) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._gate = gate
        self._writing: asyncio.Lock | None = None  # the gate's lock, while this connection holds it
        # Calls handed to the connection's thread, and those it finished (each counted by one thread only). While
        # they differ, the thread is still at work (a COMMIT whose awaiting task was cancelled goes on): any call
        # then queues behind it there. Run at once on the loop's thread instead, a rollback or the close of a
        # cancelled session met the COMMIT still running and SQLite crashed (SIGSEGV in sqlite3VdbeHalt).
        self._handed = 0
        self._finished = 0

    def _in_transaction(self) -> bool:
        try:
            return self._connection is not None and self._connection.in_transaction
        except sqlite3.Error:  # closed
            return False

    def _release(self) -> None:
        if self._writing is not None:
            self._writing.release()
            self._writing = None

    def stop(self) -> asyncio.Future[Any] | None:
        self._release()  # a connection terminated mid-transaction must not keep the other writers waiting
        return super().stop()

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        name = getattr(fn, "__name__", "")
        sql = args[0] if name in ("execute", "executemany") and args and isinstance(args[0], str) else None
        began = self._in_transaction()
        if (
            sql is not None
            and self._writing is None
            and not began
            and sql.lstrip()[:7].upper().startswith(_WRITES)
        ):
            lock = self._gate.lock()
            try:
                async with asyncio.timeout(BUSY_WAIT):
                    await lock.acquire()
            except TimeoutError:
                raise sqlite3.OperationalError("database is locked") from None
            self._writing = lock
        try:
            return await self._run(fn, name, sql, began, args, kwargs)
        finally:
            if self._writing is not None and not self._in_transaction():
                self._release()

    async def _run(
        self, fn: Callable[..., Any], name: str, sql: str | None, began: bool, args: Any, kwargs: Any
    ) -> Any:
        pause, deadline = 0.001, time.monotonic() + BUSY_WAIT
        while True:
            try:
                if (
                    (name in ON_ITS_THREAD and not isinstance(getattr(fn, "__self__", None), sqlite3.Cursor))
                    or self._handed != self._finished
                    or _offloaded.get()
                    or (sql is not None and sql in self._gate.slow)
                ):
                    return await self._on_its_thread(fn, *args, **kwargs)
                started = time.perf_counter()
                result = fn(*args, **kwargs)
                if sql is not None and time.perf_counter() - started > INLINE_SLOW:
                    self._gate.slow.add(sql)
                return result
            except sqlite3.OperationalError as error:
                # Locked by another process (this one's writers queue at the gate): wait asleep, not in SQLite.
                if not _busy(error) or time.monotonic() > deadline:
                    raise
                if not began and self._in_transaction():
                    self._conn.rollback()  # the transaction this statement opened starts again with it
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)

    async def _on_its_thread(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        def counted() -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                self._finished += 1  # on the connection's thread

        if not self._running or self._connection is None:
            return await super()._execute(fn, *args, **kwargs)  # closed: aiosqlite says so, nothing is handed
        self._handed += 1
        return await super()._execute(counted)


def _sqlite_engine(url: str) -> AsyncEngine:
    parsed = make_url(url)
    path = parsed.database or ""
    uri = str(parsed.query.get("uri", "")).lower() in ("1", "true")
    gate = _WriteGate()

    def connector() -> sqlite3.Connection:
        # No busy timeout: a busy database is waited for on the loop (_LoopConnection._run).
        return sqlite3.connect(path, timeout=0, check_same_thread=False, uri=uri)

    async def connect() -> aiosqlite.Connection:
        return await _LoopConnection(connector, gate)

    engine = create_async_engine(
        url,
        async_creator=connect,
        poolclass=AsyncAdaptedQueuePool,
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
        # WAL lets readers run beside the one writer; foreign keys are off by default in SQLite.
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    return engine


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        if make_url(url).database in (None, "", ":memory:"):
            raise ValueError("An Dân needs a SQLite database file, not an in-memory database")
        return _sqlite_engine(url)
    engine = create_async_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)

    @event.listens_for(engine.sync_engine, "checkin")
    def _idle_from(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        # Connections in use every few seconds are not pinged; one idle long enough for a server restart or a
        # firewall's idle timeout to have dropped it is (the pool then replaces it).
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as error:
            raise DisconnectionError("connection dropped while idle") from error

    return engine


async def once_more_if_dropped(work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` (one whole transaction); if the database connection turns out to be dropped, once more on a
    fresh one. Nothing was committed by the failed attempt."""
    try:
        return await work()
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        log.warning("database connection dropped; trying once more on a new one")
    return await work()


class Database:
    """Owns the engine; hands out sessions. Created by the app factory, never at import time."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        json_tracking.install()  # a nested change to a JSON column is saved like an assignment
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def slots(self) -> asyncio.Semaphore:
        """Taken by each update's transaction (bot.core.dispatcher) for as long as it runs: see UPDATE_SLOTS."""
        loop = asyncio.get_running_loop()
        slots = self._slots.get(loop)
        if slots is None:
            slots = self._slots[loop] = asyncio.Semaphore(UPDATE_SLOTS)
        return slots

    async def warm(self, connections: int = UPDATE_SLOTS) -> None:
        """Open the connections updates take turns for before the first update comes: opened on demand, the first
        burst of updates each paid a connection (on PostgreSQL a connect and the codecs' set-up, on SQLite a
        thread), all at once, which was most of the first second's latency."""

        async def one() -> None:
            async with self.engine.connect() as connection:
                await connection.exec_driver_sql("SELECT 1")

        await asyncio.gather(*(one() for _ in range(min(connections, POOL_SIZE))))

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


async def execute(session: AsyncSession, statement: Executable, params: dict[str, Any] | None = None) -> Any:
    """Run an UPDATE, DELETE, INSERT or multi-column SELECT in the session's transaction. SQLModel types
    `exec()` for single-entity selects only; this is the one place that says so to the type checker."""
    return await session.exec(statement, params=params)  # type: ignore[call-overload]
