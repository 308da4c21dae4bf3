"""Bad input from outside, on every route, gets a 4xx: never a 500, never an ERROR line with a traceback (issue 12).

The app runs with all three webhook channels (against the loopback fakes) and the web chat, served on loopback;
requests go over real HTTP, and the malformed ones over raw sockets.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlmodel import func, select

from bot.logs import MalformedRequests, Throttle, tame_server_errors
from models import ProcessedUpdate
from tests.conftest import Town
from tests.drivers import free_port
from tests.fakes import FakeTelegram, FakeZaloBot, FakeZaloOA, zalo_oa_signature
from tests.fakes._common import dumps

TG_SECRET = "s3cret-hook"
DEEP = b"[" * 100_000 + b"]" * 100_000
JSON_HEADERS = {"Content-Type": "application/json"}


@dataclass
class Hooks:
    """A started town whose Telegram, Zalo Bot and Zalo OA channels all receive by webhook."""

    town: Town
    telegram: FakeTelegram
    zalo_bot: FakeZaloBot
    zalo_oa: FakeZaloOA

    @property
    def url(self) -> str:
        assert self.town.server is not None
        return self.town.server.url

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    @property
    def zalo_bot_secret(self) -> str:
        assert self.town.app is not None
        return str(self.town.app.channels["zalo_bot"].webhook_secret)  # type: ignore[attr-defined]

    def oa_event(
        self, text: str = "xin chào", *, at: float | None = None, user: str = "4410000000000000009"
    ) -> dict[str, Any]:
        event = self.zalo_oa.user_send_text(user, text)
        if at is not None:
            event["timestamp"] = str(int(at * 1000))
        return event

    def oa_signed(self, raw: bytes, timestamp: str) -> dict[str, str]:
        fake = self.zalo_oa
        return {
            **JSON_HEADERS,
            "X-ZEvent-Signature": zalo_oa_signature(fake.app_id, raw, timestamp, fake.oa_secret_key),
        }

    async def post(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        async with (
            aiohttp.ClientSession() as http,
            http.post(self.url + path, data=body, headers=headers or JSON_HEADERS) as response,
        ):
            return response.status, await response.read()

    async def healthy(self) -> bool:
        async with aiohttp.ClientSession() as http, http.get(self.url + "/healthz") as response:
            return response.status == 200

    async def processed(self) -> int:
        assert self.town.app is not None
        async with self.town.app.db.session() as session:
            return int((await session.exec(select(func.count()).select_from(ProcessedUpdate))).one())

    async def quiet(self, timeout: float = 10) -> None:  # noqa: ASYNC109 - a test helper
        """Wait until the app has finished the work webhooks started in the background."""
        assert self.town.app is not None
        working = [
            t for t in self.town.app._tasks if t.get_name().startswith(("zalo-oa-event", "zalo-bot-update"))
        ]
        if working:
            await asyncio.wait(working, timeout=timeout)
        telegram = self.town.app.channels["telegram"].ptb  # type: ignore[attr-defined]
        async with asyncio.timeout(timeout):
            # PTB marks an update done once its handlers have finished with it (replies sent, errors logged),
            # not when it is taken off the queue: this waits for the last handler too, however long it takes.
            await telegram.update_queue.join()


@asynccontextmanager
async def webhook_town(
    settings_for: Callable[..., Any], db_url: str, **overrides: Any
) -> AsyncIterator[Hooks]:
    telegram, zalo_bot, zalo_oa = FakeTelegram(), FakeZaloBot(), FakeZaloOA()
    for fake in (telegram, zalo_bot, zalo_oa):
        await fake.start()
    settings = settings_for(
        db_url,
        public_url=f"http://127.0.0.1:{free_port()}",
        telegram_token=telegram.token,
        telegram_api_url=telegram.base_url,
        telegram_webhook_secret=TG_SECRET,
        zalo_bot_token=zalo_bot.token,
        zalo_bot_api_url=zalo_bot.base_url,
        zalo_oa_app_id=zalo_oa.app_id,
        zalo_oa_secret_key=zalo_oa.secret_key,
        zalo_oa_webhook_secret=zalo_oa.oa_secret_key,
        zalo_oa_access_token=zalo_oa.access_token,
        zalo_oa_refresh_token=zalo_oa.refresh_token,
        zalo_oa_api_url=zalo_oa.base_url,
        zalo_oa_oauth_url=zalo_oa.base_url,
        **overrides,
    )
    town = Town(settings)
    try:
        await town.start()
        await zalo_bot.wait_for(lambda _r: any(r.ok for r in zalo_bot.calls("setWebhook")))
        yield Hooks(town, telegram, zalo_bot, zalo_oa)
    finally:
        await town.close()
        for fake in (telegram, zalo_bot, zalo_oa):
            await fake.stop()


@pytest.fixture
async def hooks(db_url: str, settings_for: Any) -> AsyncIterator[Hooks]:
    async with webhook_town(settings_for, db_url) as served:
        yield served


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]


# Webhooks ------------------------------------------------------------------------------------------------------


async def test_deep_json_on_every_webhook_is_refused_after_authentication(hooks: Hooks, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    oa_secret = {**JSON_HEADERS, "X-ZEvent-Signature": "mac=" + "0" * 64}
    # A wrong signature is refused without parsing: the deep body never reaches a JSON parser.
    assert (await hooks.post("/webhook/zalo-oa", DEEP, oa_secret))[0] == 400  # no timestamp: not an event
    timestamp = str(int(time.time() * 1000))
    stamped = b'{"timestamp":"' + timestamp.encode() + b'","a":' + DEEP + b"}"
    assert (await hooks.post("/webhook/zalo-oa", stamped, oa_secret))[0] == 401
    assert (await hooks.post("/webhook/zalo-oa", stamped, hooks.oa_signed(stamped, timestamp)))[0] == 400
    # The same body with the right secret, on the other two webhooks.
    assert (
        await hooks.post(
            "/webhook/telegram", DEEP, {**JSON_HEADERS, "X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
        )
    )[0] == 400
    assert (
        await hooks.post(
            "/webhook/zalo-bot", DEEP, {**JSON_HEADERS, "X-Bot-Api-Secret-Token": hooks.zalo_bot_secret}
        )
    )[0] == 400
    # And without it: refused before the body is read.
    assert (await hooks.post("/webhook/telegram", DEEP))[0] == 401
    assert (await hooks.post("/webhook/zalo-bot", DEEP))[0] == 401
    huge = b'{"update_id":1,"pad":"' + b"x" * (2 * 1024 * 1024) + b'"}'
    assert (
        await hooks.post(
            "/webhook/telegram", huge, {**JSON_HEADERS, "X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
        )
    )[0] == 413
    assert await hooks.healthy()
    assert errors(caplog) == [] and await hooks.processed() == 0


async def test_numbers_out_of_range_in_webhooks(hooks: Hooks, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    tg = {**JSON_HEADERS, "X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
    assert (await hooks.post("/webhook/telegram", b'{"update_id":' + b"9" * 5000 + b"}", tg))[0] == 400
    assert (await hooks.post("/webhook/telegram", b'{"update_id":1,"x":1e400}', tg))[0] == 400
    assert (await hooks.post("/webhook/telegram", b'{"update_id":1,"x":NaN}', tg))[0] == 400
    event = hooks.oa_event()
    event["message"]["attachments"] = [{"type": "file", "payload": {"url": "http://x/y", "size": "1e400"}}]
    event["event_name"] = "user_send_file"
    raw = dumps(event).encode()
    assert (await hooks.post("/webhook/zalo-oa", raw, hooks.oa_signed(raw, event["timestamp"])))[0] == 200
    await hooks.quiet()
    assert await hooks.healthy() and errors(caplog) == []


async def test_a_malformed_telegram_update_is_acknowledged_once_and_dropped(hooks: Hooks, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    tg = {**JSON_HEADERS, "X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
    status, _body = await hooks.post("/webhook/telegram", b'{"update_id":9,"message":"hi"}', tg)
    assert status == 200  # Telegram would retry anything else for a day
    warnings = [r for r in caplog.records if r.name.startswith("bot.channels.telegram")]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING and warnings[0].exc_info is None
    # A well-formed envelope whose fields have the wrong types is dropped the same way, not failed in a handler.
    odd = {
        "update_id": 10,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 5, "type": "private"},
            "from": {"id": 5, "is_bot": False, "first_name": "X"},
            "text": 5,
        },
    }
    assert (await hooks.post("/webhook/telegram", json.dumps(odd).encode(), tg))[0] == 200
    assert (await hooks.post("/webhook/telegram", b"[1, 2]", tg))[0] == 400  # not an update at all
    await hooks.quiet()
    assert errors(caplog) == [] and await hooks.processed() == 0
    assert hooks.telegram.messages_to(5) == []


async def test_secret_headers_with_bytes_that_are_not_utf8(hooks: Hooks, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    for path, header in (
        ("/webhook/telegram", b"X-Telegram-Bot-Api-Secret-Token"),
        ("/webhook/zalo-bot", b"X-Bot-Api-Secret-Token"),
        ("/webhook/zalo-oa", b"X-ZEvent-Signature"),
    ):
        body = b'{"update_id":1,"timestamp":"1"}'
        request = (
            b"POST "
            + path.encode()
            + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + header
            + b": caf\xe9\xff\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
            + body
        )
        status, _head = await raw_exchange(hooks.port, request)
        assert 400 <= status < 500, (path, status)
    assert errors(caplog) == []


async def test_zalo_oa_events_outside_the_replay_window_are_ignored(hooks: Hooks, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    window = hooks.town.settings.zalo_oa_event_max_age_seconds
    user = "4410000000000000042"
    for at in (
        time.time() - window - 60,
        time.time() + 3600,
    ):  # captured long ago; claims to come from the future
        event = hooks.oa_event("xin chào", at=at, user=user)
        raw = dumps(event).encode()
        status, _body = await hooks.post("/webhook/zalo-oa", raw, hooks.oa_signed(raw, event["timestamp"]))
        assert status == 200  # acknowledged, so Zalo does not retry it; nothing is done
    stale = [r for r in caplog.records if "replay window" in r.getMessage()]
    assert len(stale) == 2 and all(r.levelno == logging.WARNING for r in stale)
    await hooks.quiet()
    assert hooks.zalo_oa.messages_to(user) == [] and await hooks.processed() == 0
    # A signature over one timestamp does not cover a body carrying another.
    event = hooks.oa_event("xin chào", user=user)
    raw = dumps(event).encode()
    assert (await hooks.post("/webhook/zalo-oa", raw, hooks.oa_signed(raw, "1700000000000")))[0] == 401
    fresh = await hooks.post("/webhook/zalo-oa", raw, hooks.oa_signed(raw, event["timestamp"]))
    assert fresh[0] == 200
    await hooks.zalo_oa.wait_for(lambda _r: bool(hooks.zalo_oa.messages_to(user)))
    assert errors(caplog) == []


# The web chat API ----------------------------------------------------------------------------------------------


async def chat_post(
    hooks: Hooks,
    body: bytes | aiohttp.FormData,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(hooks.url + "/api/messages", data=body, headers=headers) as response,
    ):
        return response.status, await response.json(content_type=None)


async def test_chat_api_refuses_bad_json_with_a_translated_400(hooks: Hooks, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    bodies = [
        DEEP,
        b'{"text":"hi","id":' + b"1" * 5000 + b"}",
        b'{"location":{"latitude":' + b"9" * 400 + b',"longitude":1}}',
        b'{"location":{"latitude":"' + b"9" * 400 + b'","longitude":1}}',
        b'{"location":{"latitude":NaN,"longitude":1}}',
        b'{"location":{"latitude":1e400,"longitude":1}}',
        b'{"text":"\xff\xfe"}',
        b'"just a string"',
    ]
    for body in bodies:
        status, answer = await chat_post(hooks, body, JSON_HEADERS)
        assert status == 400, body[:60]
        assert answer["error"] == "Không đọc được tin nhắn. Vui lòng thử lại."
    status, answer = await chat_post(hooks, b'{"text":"' + b"x" * (1024 * 1024) + b'"}', JSON_HEADERS)
    assert status == 413 and answer["error"]
    status, answer = await chat_post(hooks, json.dumps({"text": "x" * 10_000}).encode(), JSON_HEADERS)
    assert status == 200  # long, but a message: the bot answers that it is too long
    assert await hooks.healthy() and errors(caplog) == []


async def test_chat_api_refuses_broken_multipart(hooks: Hooks, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    part = (
        b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n\xff\xd8 photo\r\n--XyZ--\r\n"
    )
    cases = [
        (part, {"Content-Type": "multipart/form-data"}),  # no boundary
        (part, {"Content-Type": "multipart/form-data; boundary=other"}),  # not the body's boundary
        (b"--XyZ\r\nno headers here", {"Content-Type": "multipart/form-data; boundary=XyZ"}),  # cut short
        (
            b'--XyZ\r\nContent-Disposition: form-data; name="file"\r\n'
            + b"X-Pad: "
            + b"a" * 20000
            + b"\r\n\r\nx\r\n--XyZ--\r\n",
            {"Content-Type": "multipart/form-data; boundary=XyZ"},
        ),  # a part header over the line limit
    ]
    for body, headers in cases:
        status, answer = await chat_post(hooks, body, headers)
        assert 400 <= status < 500 and answer["error"], (body[:40], headers, status)
    # A file name with CR/LF in it (a quoted name may hold anything): accepted, and the name is made harmless.
    crlf = (
        b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''evil%0D%0ASet-Cookie%3A%20x.jpg\r\n"
        b"Content-Type: image/jpeg\r\n\r\n\xff\xd8 photo\r\n--XyZ--\r\n"
    )
    status, answer = await chat_post(hooks, crlf, {"Content-Type": "multipart/form-data; boundary=XyZ"})
    assert status == 200, answer
    (echo,) = [m["text"] for m in answer["messages"] if m["direction"] == "in"]
    assert echo == "📎 evil  Set-Cookie: x.jpg"
    assert await hooks.healthy() and errors(caplog) == []


async def test_long_poll_refuses_bad_numbers(hooks: Hooks, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    async with aiohttp.ClientSession() as http:
        for query in (
            "wait=nan",
            "wait=inf",
            "wait=-inf",
            "wait=1e400",
            "after=99999999999999999999999999",
            "after=-1",
            "after=" + "9" * 5000,
            "after=abc",
            "wait=" + "1" * 100,
        ):
            async with http.get(hooks.url + "/api/messages?" + query) as response:
                assert response.status == 400, query
                assert (await response.json())["error"]
        async with http.get(hooks.url + "/api/messages?after=2147483647&wait=0") as response:
            assert response.status == 200 and (await response.json())["messages"] == []
    assert errors(caplog) == []


async def test_chat_api_needs_json_and_the_same_origin(hooks: Hooks, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    hello = json.dumps({"text": "/start"}).encode()
    # JSON sent as text/plain (a browser sends it cross-site without a preflight) or as a form: refused.
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "text/plain;charset=UTF-8"):
        status, answer = await chat_post(hooks, hello, {"Content-Type": ctype})
        assert status == 415 and answer["error"], ctype
    status, answer = await chat_post(hooks, hello, {**JSON_HEADERS, "Origin": "https://evil.example"})
    assert status == 403 and answer["error"]
    status, _answer = await chat_post(hooks, hello, {**JSON_HEADERS, "Origin": "null"})
    assert status == 403
    status, _answer = await chat_post(hooks, hello, {**JSON_HEADERS, "Sec-Fetch-Site": "cross-site"})
    assert status == 403
    status, _answer = await chat_post(hooks, hello, {**JSON_HEADERS, "Referer": "https://evil.example/page"})
    assert status == 403
    form = aiohttp.FormData()
    form.add_field("file", b"\xff\xd8 photo", filename="a.jpg", content_type="image/jpeg")
    status, _answer = await chat_post(hooks, form, {"Origin": "https://evil.example"})
    assert status == 403
    # The page itself (same host), the public address, and clients that send no Origin at all still work.
    for extra in (
        {"Origin": hooks.url},
        {"Origin": hooks.town.settings.public_url.rstrip("/")},
        {"Sec-Fetch-Site": "same-origin", "Origin": hooks.url},
        {},
    ):
        status, answer = await chat_post(hooks, hello, {**JSON_HEADERS, **extra})
        assert status == 200 and answer["messages"], extra
    status, _answer = await chat_post(hooks, hello, {"Content-Type": "application/json; charset=utf-8"})
    assert status == 200
    assert errors(caplog) == []


# Malformed HTTP ------------------------------------------------------------------------------------------------


async def raw_exchange(port: int, request: bytes) -> tuple[int, bytes]:
    """Send raw bytes, read the answer's status line and headers."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        async with asyncio.timeout(5):
            head = await reader.readuntil(b"\r\n\r\n")
    finally:
        writer.close()
    return int(head.split(b" ", 2)[1]), head


MALFORMED = [
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-\x01Bad: 1\r\n\r\n",
    b"POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    b"POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -5\r\n\r\n{}",
    b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Long: " + b"b" * 9000 + b"\r\n\r\n",
]


async def test_a_client_hanging_up_halfway_is_not_an_error(hooks: Hooks, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    heads = {
        "/api/messages": b"Content-Type: application/json\r\n",
        "/api/messages ": b"Content-Type: multipart/form-data; boundary=XyZ\r\n",
        "/webhook/telegram": b"Content-Type: application/json\r\nX-Telegram-Bot-Api-Secret-Token: "
        + TG_SECRET.encode()
        + b"\r\n",
        "/webhook/zalo-oa": b"Content-Type: application/json\r\nX-ZEvent-Signature: mac=00\r\n",
    }
    for path, head in heads.items():
        for framing, start in (
            (b"Content-Length: 1000\r\n", b'--XyZ\r\nContent-Disposition: form-data; name="file"'),
            (b"Transfer-Encoding: chunked\r\n", b'9\r\n{"text":"'),
        ):
            reader, writer = await asyncio.open_connection("127.0.0.1", hooks.port)
            writer.write(
                b"POST "
                + path.strip().encode()
                + b" HTTP/1.1\r\nHost: x\r\n"
                + head
                + framing
                + b"\r\n"
                + start
            )
            await writer.drain()
            await asyncio.sleep(0.05)
            writer.close()
    await asyncio.sleep(0.2)
    assert errors(caplog) == [] and await hooks.healthy()


@pytest.fixture
def server_log() -> Any:
    """The installed MalformedRequests filter, on a clock the test moves, with a fresh interval."""
    tame_server_errors()
    (found,) = [f for f in logging.getLogger("aiohttp.server").filters if isinstance(f, MalformedRequests)]
    now = [1000.0]
    saved = found.throttle
    found.throttle = Throttle(60.0, lambda: now[0])
    yield now
    found.throttle = saved


async def test_malformed_http_is_400_and_one_warning_per_interval(hooks: Hooks, caplog, server_log) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG, logger="aiohttp.server")
    caplog.set_level(logging.WARNING)
    for request in MALFORMED:
        status, _head = await raw_exchange(hooks.port, request)
        assert status == 400, request[:60]
    await asyncio.sleep(0.05)
    server = [r for r in caplog.records if r.name == "aiohttp.server" and r.levelno >= logging.WARNING]
    assert len(server) == 1, [r.getMessage() for r in server]
    (line,) = server
    assert line.levelno == logging.WARNING and line.exc_info is None and line.exc_text is None
    assert line.getMessage() == "malformed HTTP request refused" and line.suppressed == 0  # type: ignore[attr-defined]
    server_log[0] += 61  # the next interval: one more line, counting those left out
    status, _head = await raw_exchange(hooks.port, MALFORMED[0])
    assert status == 400
    await asyncio.sleep(0.05)
    server = [r for r in caplog.records if r.name == "aiohttp.server" and r.levelno >= logging.WARNING]
    assert len(server) == 2 and server[1].suppressed == len(MALFORMED) - 1  # type: ignore[attr-defined]
    assert errors(caplog) == [] and await hooks.healthy()


async def test_a_real_server_bug_still_logs_an_error_with_its_traceback(caplog, server_log) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)

    async def broken(_request: web.Request) -> web.Response:
        raise RuntimeError("a bug")

    app = web.Application()
    app.router.add_get("/", broken)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        status, _head = await raw_exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    finally:
        await runner.cleanup()
    assert status == 500
    (bug,) = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert (
        bug.levelno == logging.ERROR
        and bug.exc_info is not None
        and isinstance(bug.exc_info[1], RuntimeError)
    )


async def test_forged_zalo_oa_signatures_log_one_warning_a_minute(hooks: Hooks, caplog) -> None:  # type: ignore[no-untyped-def]
    """Anyone can post a forged event: a flood of them is one WARNING line (with a count), not one per request."""
    caplog.set_level(logging.WARNING)
    forged = {**JSON_HEADERS, "X-ZEvent-Signature": "mac=" + "0" * 64}
    body = json.dumps(hooks.oa_event()).encode()
    for _ in range(20):
        assert (await hooks.post("/webhook/zalo-oa", body, forged))[0] == 401
    lines = [r for r in caplog.records if "bad signature" in r.getMessage()]
    assert len(lines) == 1 and lines[0].suppressed == 0  # type: ignore[attr-defined]
    assert errors(caplog) == [] and await hooks.processed() == 0
