"""A channel that cannot start says why and keeps trying; optional calls never keep it from working; a clean stop
logs no error.

Telegram and Zalo Bot run against their fake servers on loopback, and against a web server that is not a Bot
API at all (a wrong base URL). Every log line is searched for the token, which sits in the platforms' URLs.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from sqlmodel import select

import bot.app.scheduler
import bot.channels.telegram.channel as telegram_channel
import bot.channels.zalo_bot.channel as zalo_bot_channel
from bot.app.wiring import build
from bot.channels.base import Transient
from bot.core.replies import Reply
from bot.core.router import Router
from bot.logs import JsonFormatter
from models import TickRun
from tests.conftest import Town
from tests.drivers import driver_town
from tests.drivers.telegram import TelegramDriver
from tests.drivers.zalo_bot import ZaloBotDriver
from tests.fakes import FakeTelegram, FakeZaloBot

TELEGRAM_SECRET = FakeTelegram().token.split(":", 1)[1]
ZALO_SECRET = FakeZaloBot().token.split(":", 1)[1]


class NotAnApi:
    """A web server that is not a Bot API: an HTML page for every request, quoting the path (and so the token)."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.paths: list[str] = []
        self.base_url = ""
        self._runner: web.AppRunner | None = None
        self._hit = asyncio.Event()

    async def _page(self, request: web.Request) -> web.Response:
        self.paths.append(request.path)
        self._hit.set()
        return web.Response(
            status=self.status,
            content_type="text/html",
            text=f"<html><body><h1>Cannot {request.method} {request.path}</h1></body></html>",
        )

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._page)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def calls_of(self, method: str, count: int, timeout: float = 10) -> None:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while sum(path.endswith("/" + method) for path in self.paths) < count:
                self._hit.clear()
                await self._hit.wait()


@pytest.fixture
async def not_an_api(request: pytest.FixtureRequest) -> AsyncIterator[NotAnApi]:
    server = NotAnApi(request.param)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]


def warnings_naming(caplog: pytest.LogCaptureFixture, method: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno == logging.WARNING and method in r.getMessage()]


def assert_no_secret(caplog: pytest.LogCaptureFixture, secret: str) -> None:
    formatter = JsonFormatter()
    leaked = [
        r.getMessage() for r in caplog.records if secret in formatter.format(r) or secret in str(r.__dict__)
    ]
    assert not leaked


def assert_growing(delays: list[float]) -> None:
    assert len(delays) >= 3, delays
    assert delays == sorted(delays) and delays[-1] > delays[0], delays


# Telegram ----------------------------------------------------------------------------------------------------
async def test_telegram_polls_and_answers_when_the_server_lacks_the_command_menu(
    db_url: str, settings_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    lan = TelegramDriver()
    lan.fake.disabled |= {"setMyCommands", "setMyDescription", "setMyShortDescription", "setChatMenuButton"}
    async with driver_town(lan, settings_for, db_url):
        replies = await lan.say("/start")
        assert replies and lan.choices() == ["Tiếng Việt", "English"]
        assert lan.fake.calls("setMyCommands") and not lan.fake.commands  # asked, refused, and polling anyway
    menu = warnings_naming(caplog, "setMyCommands")
    assert len(menu) == 1 and "not offer this method" in menu[0].getMessage()
    assert errors(caplog) == []


@pytest.mark.parametrize("not_an_api", [404, 200], indirect=True)
async def test_telegram_at_a_wrong_base_url_says_why_and_backs_off(
    db_url: str,
    settings_for: Any,
    not_an_api: NotAnApi,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.WARNING, logger="telegram")  # as bot.logs sets it: PTB logs its URLs at DEBUG
    monkeypatch.setattr(telegram_channel, "CONNECT_FIRST_DELAY", 0.2)
    town = Town(
        settings_for(db_url, telegram_token=FakeTelegram().token, telegram_api_url=not_an_api.base_url)
    )
    try:
        await town.start()  # the rest of the app runs meanwhile
        assert town.app is not None
        channel: Any = town.app.channels["telegram"]
        with pytest.raises(Transient):
            await channel.deliver("1", Reply("x"))
        await not_an_api.calls_of("getMe", 4)
        await asyncio.sleep(0.05)  # the last attempt's line
    finally:
        await town.close()
    said = warnings_naming(caplog, "getMe")
    assert_growing([r.retry_in for r in said])  # type: ignore[attr-defined]
    assert all(r.error == "NotBotApi" and "ANDAN_TELEGRAM_API_URL" in r.getMessage() for r in said)  # type: ignore[attr-defined]
    assert errors(caplog) == []
    assert_no_secret(caplog, TELEGRAM_SECRET)


@pytest.mark.parametrize("failure", ["http_500", "not_a_message"])
async def test_a_press_is_answered_even_when_it_cannot_be_marked(
    db_url: str, settings_for: Any, failure: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    lan = TelegramDriver()
    async with driver_town(lan, settings_for, db_url):
        await lan.say("/start")
        for method in ("editMessageText", "editMessageReplyMarkup"):
            # A server error, or an answer PTB cannot read (it raises a plain Python exception, not TelegramError).
            lan.fake.fail_next(
                method, 500 if failure == "http_500" else {"ok": True, "result": "not a message"}
            )
        replies = await lan.press("Tiếng Việt")
        assert any("đồng ý" in text for text in replies), replies  # the consent notice still came
        edits = lan.fake.calls("editMessageText") + lan.fake.calls("editMessageReplyMarkup")
        assert len(edits) == 1 and (edits[0].outcome == "error") == (failure == "http_500")
    marked = [r for r in caplog.records if r.getMessage() == "telegram pressed button not marked"]
    if failure == "not_a_message":
        # The mark is a plain Bot API call whose answer is not read (nothing uses the edited message): an answer
        # PTB could not parse is no failure, and nothing is logged.
        assert marked == []
        return
    assert len(marked) == 1 and marked[0].levelno == logging.WARNING
    assert marked[0].error == "NetworkError"  # type: ignore[attr-defined]


# Zalo Bot ----------------------------------------------------------------------------------------------------
async def test_zalo_bot_retries_a_failed_webhook_delete_and_then_polls(
    db_url: str, settings_for: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO)
    monkeypatch.setattr(zalo_bot_channel, "FIRST_BACKOFF", 0.05)
    lan = ZaloBotDriver()
    # A webhook left from an earlier run in webhook mode; deleting it fails twice, so getUpdates is refused.
    lan.fake.webhook = {
        "url": "http://127.0.0.1:9/webhook/zalo-bot",
        "secret_token": "x" * 16,
        "updated_at": 0,
    }
    lan.fake.fail_next("deleteWebhook", "server", times=2)
    async with driver_town(lan, settings_for, db_url):
        await lan.fake.wait_for(lambda r: r.method == "deleteWebhook" and r.ok)
        replies = await lan.say("/start")
        assert replies
    assert len(warnings_naming(caplog, "deleteWebhook")) == 2
    assert len(warnings_naming(caplog, "getUpdates")) >= 1
    assert errors(caplog) == []
    assert_no_secret(caplog, ZALO_SECRET)


async def test_zalo_bot_webhook_registration_failures_are_warnings(
    db_url: str, settings_for: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO)
    monkeypatch.setattr(zalo_bot_channel, "FIRST_BACKOFF", 0.05)
    lan = ZaloBotDriver(webhook=True)
    lan.fake.fail_next("setWebhook", "server", times=2)
    async with driver_town(lan, settings_for, db_url):  # the driver waits for the webhook to be set
        assert await lan.say("/start")
    said = warnings_naming(caplog, "setWebhook")
    assert len(said) == 2 and all("500" in r.getMessage() for r in said)
    assert errors(caplog) == []


@pytest.mark.parametrize("not_an_api", [404, 200], indirect=True)
async def test_zalo_bot_at_a_wrong_base_url_says_why_and_backs_off(
    db_url: str,
    settings_for: Any,
    not_an_api: NotAnApi,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(zalo_bot_channel, "FIRST_BACKOFF", 0.2)
    town = Town(
        settings_for(db_url, zalo_bot_token=FakeZaloBot().token, zalo_bot_api_url=not_an_api.base_url)
    )
    try:
        await town.start()
        await not_an_api.calls_of("getUpdates", 4)
        await asyncio.sleep(0.05)
    finally:
        await town.close()
    polls = warnings_naming(caplog, "getUpdates")
    assert_growing([r.retry_in for r in polls])  # type: ignore[attr-defined]
    assert all("not JSON" in r.getMessage() and "ANDAN_ZALO_BOT_API_URL" in r.getMessage() for r in polls)
    assert warnings_naming(caplog, "deleteWebhook")
    assert errors(caplog) == []
    assert_no_secret(caplog, ZALO_SECRET)


# Scheduler ---------------------------------------------------------------------------------------------------
class Job:
    def __init__(self, seconds: float, fail: bool = False) -> None:
        self.seconds, self.fail = seconds, fail
        self.started = asyncio.Event()
        self.finished = False

    async def __call__(self, app: Any) -> None:
        self.started.set()
        if self.fail:
            raise RuntimeError("injected failure")
        await asyncio.sleep(self.seconds)
        self.finished = True


async def test_a_stop_while_ticks_run_logs_no_error_and_gives_unfinished_slots_back(
    db_url: str, settings_for: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO)
    jobs = {"test.quick": Job(0.2), "test.slow": Job(3600), "test.broken": Job(0, fail=True)}
    router = Router("test")
    for name, job in jobs.items():
        router.tick(name, every=timedelta(hours=1))(job)
    monkeypatch.setattr(bot.app.scheduler, "FIRST_RUN_DELAY", timedelta(0))
    monkeypatch.setattr(bot.app.scheduler, "STOP_GRACE", 0.5)
    settings = settings_for(db_url, scheduler_enabled=True)
    app = build(settings, [router])
    await app.start()
    try:
        async with asyncio.timeout(10):
            for job in jobs.values():
                await job.started.wait()
    finally:
        began = time.monotonic()
        await app.stop()
    assert time.monotonic() - began < 3
    assert jobs["test.quick"].finished and not jobs["test.slow"].finished
    # Only the real failure is an error; the tick cut short by the stop is not.
    assert errors(caplog) == ["bot.app.scheduler: tick failed"]
    assert [r.tick for r in caplog.records if r.levelno >= logging.ERROR] == ["test.broken"]  # type: ignore[attr-defined]

    reader = build(settings)
    try:
        async with reader.db.session() as session:
            rows = (await session.exec(select(TickRun).where(TickRun.name.in_(list(jobs))))).all()  # type: ignore[attr-defined]
        # The finished run keeps its slot; the failed and the interrupted ones gave theirs back for the next start.
        assert [(r.name, r.finished_at is not None) for r in rows] == [("test.quick", True)]
    finally:
        await reader.stop()
