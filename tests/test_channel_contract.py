"""One channel contract and one reply path: every channel class implements the whole `Channel` contract, the server
mounts channels through it only, a person's replies go through the one reply function on every channel that sends
them, and no feature writes outbox rows or downloads files around the writers made for that.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import inspect
import pkgutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from sqlmodel import select

import bot.channels
from bot.app.wiring import build
from bot.channels.base import Channel
from bot.core.events import Attachment
from bot.core.replies import Reply
from models import ChannelIdentity
from tests.drivers import driver_town
from tests.drivers.telegram import TelegramDriver
from tests.drivers.zalo_bot import ZaloBotDriver
from tests.fakes import FakeTelegram, FakeZaloBot
from tests.webchat import WebPerson, WebServer

ROOT = Path(__file__).resolve().parents[1]
ASYNC_HOOKS = ("start", "stop", "deliver", "download", "forget", "release_requests")
# Public contracts: the paths platforms were told to call must not move.
WEBHOOKS = {
    "telegram": "/webhook/telegram",
    "zalo_bot": "/webhook/zalo-bot",
    "zalo_oa": "/webhook/zalo-oa",
    "web": "/api/messages",
}
RECEIVES_FILES_BY_REFERENCE = {"telegram", "zalo_bot", "zalo_oa"}  # the web chat's uploads carry their bytes


def channel_classes() -> set[type[Channel]]:
    """Every Channel subclass defined under bot/channels (each module imported, so none is missed)."""
    for module in pkgutil.walk_packages(bot.channels.__path__, "bot.channels."):
        importlib.import_module(module.name)
    found: set[type[Channel]] = set()
    todo: list[type[Channel]] = [Channel]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("bot.channels."):
                found.add(sub)
    return found


def paths(routes: Sequence[web.AbstractRouteDef]) -> set[str]:
    return {getattr(r, "path", getattr(r, "prefix", "")) for r in routes}


async def test_every_channel_class_implements_the_whole_contract(settings_for: Any, tmp_path: Path) -> None:
    settings = settings_for(
        f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}",
        public_url="https://andan.example",
        telegram_token=FakeTelegram().token,
        zalo_bot_token=FakeZaloBot().token,
        zalo_oa_app_id="1234567890",
        zalo_oa_secret_key="oa-app-secret",
    )
    app = build(settings)  # every channel configured, none started: no network
    try:
        wired = {type(channel): name for name, channel in app.channels.items()}
        assert set(wired) == channel_classes(), "every channel class is wired when its credentials are set"
        assert set(wired.values()) == set(WEBHOOKS)
        for cls, name in wired.items():
            channel = app.channels[name]
            assert not inspect.isabstract(cls) and cls.name == name, cls
            assert isinstance(cls.text_limit, int) and cls.text_limit > 0, cls
            for hook in ASYNC_HOOKS:
                method = getattr(cls, hook)
                assert inspect.iscoroutinefunction(method), (cls, hook)
                assert list(inspect.signature(method).parameters) == list(
                    inspect.signature(getattr(Channel, hook)).parameters
                ), (cls, hook)
            assert not inspect.iscoroutinefunction(cls.routes), cls
            routes = channel.routes()
            assert all(isinstance(r, web.AbstractRouteDef) for r in routes), cls
            assert WEBHOOKS[name] in paths(routes), (cls, paths(routes))
            if name in RECEIVES_FILES_BY_REFERENCE:
                assert cls.download is not Channel.download, f"{cls.__name__} must fetch what people send"
        web_upload = Attachment(kind="file", fetch="upload", filename="a.txt", size=2, data=b"hi")
        assert await app.channels["web"].download(web_upload) == b"hi"
    finally:
        await app.stop()


def test_the_server_finds_nothing_on_a_channel_outside_the_contract() -> None:
    """bot/app/server.py asks channels only what Channel declares: no getattr/hasattr probing for optional methods."""
    tree = ast.parse((ROOT / "bot" / "app" / "server.py").read_text(encoding="utf-8"))
    probes = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("getattr", "hasattr")
    ]
    assert probes == []


class Probe(Channel):
    """A channel with a route that is held open until the server shuts down, as a long poll is."""

    name = "probe"

    def __init__(self) -> None:
        self.released = asyncio.Event()
        self.legacy_called = False

    def routes(self) -> list[web.AbstractRouteDef]:
        return [web.get("/probe", self.hold)]

    async def hold(self, _request: web.Request) -> web.Response:
        await asyncio.wait_for(self.released.wait(), 30)
        return web.Response(text="released")

    async def release_requests(self) -> None:
        self.released.set()

    async def release_polls(
        self, _http: web.Application
    ) -> None:  # the old, probed-for name: never called now
        self.legacy_called = True

    async def deliver(self, chat_id: str, reply: Reply) -> list[str]:
        return []


async def test_the_server_mounts_routes_and_releases_held_requests_through_the_contract(
    db_url: str, settings_for: Any
) -> None:
    app = build(settings_for(db_url))
    probe = Probe()
    app.add_channel(probe)
    server = WebServer(app)
    await app.start()
    await server.start()
    browser = WebPerson(server, "Lan")
    try:
        async with aiohttp.ClientSession() as http:

            async def get_probe() -> tuple[int, str]:
                async with http.get(server.url + "/probe") as response:
                    return response.status, await response.text()

            held = asyncio.create_task(get_probe())
            poll = asyncio.create_task(browser.poll(wait=20))  # the web chat's long poll
            await asyncio.sleep(0.3)
            assert not held.done() and not poll.done()
            started = asyncio.get_running_loop().time()
            await server.stop()  # the shutdown hook answers both at once instead of waiting 20 s or more
            assert await held == (200, "released")
            assert await poll == []
            assert asyncio.get_running_loop().time() - started < 5
        assert probe.released.is_set() and not probe.legacy_called
    finally:
        await browser.close()
        await server.stop()
        await app.stop()


async def test_a_reply_the_platform_asks_to_pause_is_sent_after_the_pause_on_zalo(
    db_url: str, settings_for: Any
) -> None:
    """The one reply path waits out a short pause on every channel (Zalo used to drop such a reply)."""
    lan = ZaloBotDriver()
    async with driver_town(lan, settings_for, db_url):
        lan.fake.fail_next(
            "sendMessage",
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests",
                "parameters": {"retry_after": 1},
            },
        )
        replies = await lan.say("/start")
        assert any("Tiếng Việt" in text for text in replies), replies


async def test_a_person_who_blocked_the_bot_is_marked_unreachable_by_a_reply_on_telegram(
    db_url: str, settings_for: Any
) -> None:
    """As the outbox sender does, and as Zalo always did: pushes stop until the person writes again."""
    hung = TelegramDriver(first_name="Hùng")
    async with driver_town(hung, settings_for, db_url) as town:
        assert town.app is not None
        await hung.say("/start")
        await hung.press("Tiếng Việt")
        await hung.press("Tôi đồng ý")

        async def identity() -> ChannelIdentity:
            assert town.app is not None
            async with town.app.db.session() as session:
                return (
                    await session.exec(select(ChannelIdentity).where(ChannelIdentity.channel == "telegram"))
                ).one()

        assert (await identity()).unreachable_at is None
        hung.fake.block_user(hung.user_id)
        assert await hung.say("/trogiup") == []
        blocked = await identity()
        assert blocked.unreachable_at is not None and "blocked" in (blocked.unreachable_reason or "")
        hung.fake.unblock_user(hung.user_id)
        assert await hung.say("/trogiup")
        assert (await identity()).unreachable_at is None


def python_files(*folders: str) -> list[Path]:
    return [path for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))]


def test_no_feature_writes_outbox_rows_around_the_outbox_writer() -> None:
    writer = ROOT / "bot" / "delivery" / "outbox.py"
    found = []
    for path in python_files("bot", "handlers"):
        if path == writer:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            builds_row = isinstance(func, ast.Name) and func.id == "OutboxMessage"
            inserts = (
                isinstance(func, ast.Name)
                and func.id == "insert"
                and any("OutboxMessage" in ast.unparse(arg) for arg in node.args)
            ) or (
                isinstance(func, ast.Attribute)
                and func.attr == "insert"
                and "OutboxMessage" in ast.unparse(func.value)
            )
            if builds_row or inserts:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == [], "write outbox rows through bot.delivery.outbox"


def test_handlers_download_files_only_through_the_context() -> None:
    found = []
    for path in python_files("handlers"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "download"
                and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "ctx")
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == [], "handlers call ctx.download(attachment), never a channel adapter"
