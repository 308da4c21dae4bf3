"""Shared fixtures: a database per test on both backends, and `town`: the app served on loopback with people in it.

Every test that takes `db_url` (directly or through `town`) runs twice: on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import gc
import threading
from collections import deque
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web_app
from sqlmodel import select

from bot import clock
from bot.app import App, loop
from bot.app.wiring import build
from bot.directory.invites import create
from bot.settings import Settings
from models import Area, Group
from tests.databases import DEMO_WARD, REQUIRE_PG, TEST_SECRET, PostgresTemplates, SqliteTemplates
from tests.webchat import WebPerson, WebServer

_pg_state: dict[str, Any] = {}


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Any]:
    """Every test runs on the event loop production runs on (bot.app.loop: uvloop where it is installed)."""
    return {"uvloop": factory} if (factory := loop.factory()) else {"asyncio": asyncio.new_event_loop}


def pytest_collection_finish(session: pytest.Session) -> None:
    """Every test module is imported: what exists now lives as long as the run, so full garbage collections stop
    walking it, as a started process does (bot.app.loop.started)."""
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def _apps_let_go() -> Iterator[None]:
    """aiohttp caches each web application's middleware chain (`aiohttp.web_app._cached_build_middleware`, an
    lru_cache of 1,024 entries): in a suite that builds an app per test it kept the last thousand towns alive, and
    each full garbage collection walked them all (an eighth of a run's time, more as the suite went on)."""
    yield
    cached = getattr(web_app, "_cached_build_middleware", None)
    if cached is not None:
        cached.cache_clear()


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates:
    return SqliteTemplates(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def postgres_templates() -> Iterator[PostgresTemplates | None]:
    templates = PostgresTemplates()
    if not asyncio.run(templates.reachable()):
        if REQUIRE_PG:
            pytest.fail("PostgreSQL is required (ANDAN_REQUIRE_POSTGRES=1) but 127.0.0.1:5432 is unreachable")
        yield None
        return
    yield templates
    asyncio.run(templates.close())


class PostgresAhead:
    """PostgreSQL test databases cloned ahead of the tests that take them and dropped behind, on a thread.

    A clone of the template costs ~0.3 s and a drop ~0.1 s of waiting for the server, for each of some 270
    tests: made while the tests before run (most of a test's time is waiting on loopback I/O), a test mostly
    finds its database ready. Every test still gets a fresh clone that no other test has used. The thread's
    loop does one thing at a time, so the template is built once, by the first clone.
    """

    AHEAD = 2  # clones made in advance: a clone and a drop can outlast a short test on a busy host

    def __init__(self, templates: PostgresTemplates) -> None:
        self.templates = templates
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="postgres-ahead", daemon=True)
        self.thread.start()
        self.lock: asyncio.Lock | None = None
        self.spare: deque[Future[str]] = deque()
        self.drops: list[Future[None]] = []

    def _run(self, coro: Coroutine[Any, Any, Any]) -> Future[Any]:
        async def one_at_a_time() -> Any:
            if self.lock is None:
                self.lock = asyncio.Lock()  # made on the thread's loop, the only one that uses it
            async with self.lock:
                return await coro

        return asyncio.run_coroutine_threadsafe(one_at_a_time(), self.loop)

    async def new_url(self) -> str:
        while len(self.spare) <= self.AHEAD:  # the next tests' clones, made while this one runs
            self.spare.append(self._run(self.templates.new_url()))
        return await asyncio.wrap_future(self.spare.popleft())

    def drop(self, url: str) -> None:
        """Drop in the background (with FORCE: connections the test left open do not hold it up)."""
        self.drops = [d for d in self.drops if not d.done()]
        self.drops.append(self._run(self.templates.drop(url)))

    def close(self) -> None:
        """Drop the clones nobody took, wait for every drop (a failed one fails the run), stop the thread."""
        for spare in self.spare:
            try:
                url = spare.result()
            except Exception:
                continue  # a clone that failed was reported to the test that waited for it, if any
            self.drop(url)
        for dropped in self.drops:
            dropped.result()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


@pytest.fixture(scope="session")
def postgres_ahead(postgres_templates: PostgresTemplates | None) -> Iterator[PostgresAhead | None]:
    if postgres_templates is None:
        yield None
        return
    ahead = PostgresAhead(postgres_templates)
    yield ahead
    ahead.close()


def _backend_mark(request: pytest.FixtureRequest) -> None:
    if request.param == "postgres":
        request.node.add_marker(pytest.mark.postgres)


@pytest.fixture(params=["sqlite", "postgres"])
async def db_url(
    request: pytest.FixtureRequest,
    sqlite_templates: SqliteTemplates,
    postgres_ahead: PostgresAhead | None,
) -> AsyncIterator[str]:
    """A migrated database with all places and the demo ward, private to this test."""
    if request.param == "postgres":
        if postgres_ahead is None:
            pytest.skip(
                "PostgreSQL at 127.0.0.1:5432 is not reachable; the PostgreSQL half of this test is skipped"
            )
        url = await postgres_ahead.new_url()
        try:
            yield url
        finally:
            postgres_ahead.drop(url)
        return
    url = await sqlite_templates.new_url()
    try:
        yield url
    finally:
        await sqlite_templates.drop(url)


# Quiet hours that never begin: a test on the wall clock must not depend on the hour it runs at (run in the
# evening, a reply to a tipster waited for 07:00). Tests on the manual clock keep the production default.
NEVER_QUIET = "00:00-00:00"


@pytest.fixture
def settings_for(tmp_path: Path, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    on_wall_clock = "manual_clock" not in request.fixturenames

    def make(url: str, **overrides: Any) -> Settings:
        # The scheduler is off: a test must not depend on the wall clock (a Monday-morning run would receive
        # the real weekly digest). Tests drive ticks on the manual clock, or turn the scheduler on themselves.
        values: dict[str, Any] = dict(
            database_url=url,
            secret_key=TEST_SECRET,
            host="127.0.0.1",
            port=8080,
            media_dir=tmp_path / "media",
            scheduler_enabled=False,
        )
        if on_wall_clock:
            values["quiet_hours"] = NEVER_QUIET
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return make


@pytest.fixture
def manual_clock() -> Iterator[clock.ManualClock]:
    """A clock that moves only when the test says so; starts Monday 2026-11-23 09:00 in Vietnam."""
    from datetime import datetime

    fake = clock.ManualClock(datetime.fromisoformat("2026-11-23T02:00:00+00:00"))
    previous = clock.install(fake)
    yield fake
    clock.install(previous)


class Town:
    """The app served over loopback HTTP, with people in browsers. `restart` simulates a new process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app: App | None = None
        self.server: WebServer | None = None
        self.people: list[WebPerson] = []

    async def start(self) -> None:
        self.app = build(self.settings)
        await self.app.start()
        if self.server is None:
            self.server = WebServer(self.app)
        else:
            self.server.app = self.app
        await self.server.start()

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()
        if self.app is not None:
            await self.app.stop()
            self.app = None

    async def restart(self) -> None:
        """Stop everything in memory and start a fresh process on the same database; browsers keep cookies."""
        await self.stop()
        await self.start()

    async def person(self, name: str) -> WebPerson:
        assert self.server is not None
        browser = WebPerson(self.server, name)
        self.people.append(browser)
        return browser

    async def invite(
        self, role: str, area: str | None = "Khóm 2", group: str | None = "Tổ 3", ward_code: int = DEMO_WARD
    ) -> str:
        """A fresh invite code for a role in the demo ward (as `andan invite` would make)."""
        assert self.app is not None
        async with self.app.db.session() as session:
            area_row = group_row = None
            if area:
                area_row = (
                    await session.exec(select(Area).where(Area.ward_code == ward_code, Area.name == area))
                ).one()
            if group and area_row is not None:
                group_row = (
                    await session.exec(select(Group).where(Group.area_id == area_row.id, Group.name == group))
                ).one()
            made = await create(
                session,
                self.app.keyring,
                self.settings,
                role=role,
                ward_code=ward_code,
                area_id=area_row.id if area_row else None,
                group_id=group_row.id if group_row else None,
            )
            await session.commit()
        return made.code

    async def join(
        self,
        name: str,
        role: str = "resident",
        *,
        area: str | None = "Khóm 2",
        group: str | None = "Tổ 3",
        locale: str = "vi",
        ward_code: int = DEMO_WARD,
    ) -> WebPerson:
        """A person who opened an invite link, chose a language and agreed to the notice."""
        if role in ("police", "ward_admin"):
            area = group = None
        elif role in ("mediator", "mediation_head", "area_leader"):
            group = None
        code = await self.invite(role, area, group, ward_code)
        browser = await self.person(name)
        await browser.say(f"/start {code}")
        await browser.press("Tiếng Việt" if locale == "vi" else "English")
        replies = await browser.press("consent:yes")
        assert any(code_word in m["text"] for m in replies for code_word in ("Chào mừng", "Welcome")), replies
        return browser

    async def drain(self) -> int:
        """Deliver every outbox row that is due now, through the app's channels; returns how many were sent.

        The real rate-limited sender (bot.delivery) does it, waiting for chats' turns instead of deferring.
        """
        from bot.delivery import drain

        assert self.app is not None
        return await drain(self.app)

    async def close(self) -> None:
        for browser in self.people:
            await browser.close()
        await self.stop()


@pytest.fixture
async def town(db_url: str, settings_for) -> AsyncIterator[Town]:  # type: ignore[no-untyped-def]
    place = Town(settings_for(db_url))
    await place.start()
    try:
        yield place
    finally:
        await place.close()


@pytest.fixture
async def ward(db_url: str, settings_for) -> AsyncIterator[Town]:  # type: ignore[no-untyped-def]
    """The demo ward on loopback, delivering pushes only through `town.drain()`: a background sender would race the
    test's own steps, and a test sees exactly what was queued."""
    place = Town(settings_for(db_url, delivery_enabled=False))
    await place.start()
    try:
        yield place
    finally:
        await place.close()
