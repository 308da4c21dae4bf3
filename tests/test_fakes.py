"""Tests of the platform fakes themselves (tests/fakes).

Telegram is exercised through a real python-telegram-bot ``Bot`` to prove PTB
can talk to the fake; the Zalo fakes through plain aiohttp, speaking the wire
format a bot would.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from tests.fakes import FakeTelegram, FakeZaloBot, FakeZaloOA, zalo_oa_signature
from tests.fakes._telegram_rules import FloodControl, FloodLimits

VECTOR_BODY = (
    b'{"app_id":"3608465248940903967","sender":{"id":"246845883529197922"},'
    b'"user_id_by_app":"552177279717587730","recipient":{"id":"388613280878808645"},'
    b'"event_name":"user_send_text","message":{"text":"xin chao","msg_id":"96d3cdf3af150460909"},'
    b'"timestamp":"1700000000000"}'
)
VECTOR_MAC = "mac=7c3c4375e34ad414c95aa9e0f30ce47a776a0df9d102e814edd52fe1eaed76a1"


class ManualClock:
    """An injectable clock that only moves when told to."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Receiver:
    """A webhook endpoint on loopback that records raw requests and replies from a script."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.arrived = asyncio.Event()
        self.url = ""
        self.check: Any = None  # optional callable(headers, raw) -> status
        self._runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        self.received.append((dict(request.headers), raw))
        self.arrived.set()
        if self.check is not None:
            return web.Response(status=self.check(request.headers, raw))
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}/hook"

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()


def seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    await rec.start()
    yield rec
    await rec.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(tg.token, base_url=tg.api_base, base_file_url=tg.file_base) as b:
        yield b


# ----------------------------------------------------------------- Telegram via PTB
async def test_ptb_get_me(bot: Bot, tg: FakeTelegram) -> None:
    me = await bot.get_me()
    assert me.username == "andan_test_bot" and me.is_bot
    assert me.id == tg.bot_id
    assert tg.calls("getMe")[0].headers  # recorded, with headers


async def test_ptb_send_with_inline_keyboard(bot: Bot, tg: FakeTelegram) -> None:
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Đồng ý", callback_data="pledge:yes"),
                InlineKeyboardButton("Web", url="https://example.org"),
            ]
        ]
    )
    first = await bot.send_message(chat_id=42, text="Bạn có đồng ý?", reply_markup=markup)
    second = await bot.send_message(chat_id=42, text="123")
    assert (first.message_id, second.message_id) == (1, 2)
    assert first.chat.id == 42 and first.from_user.id == tg.bot_id
    assert first.reply_markup.inline_keyboard[0][0].callback_data == "pledge:yes"
    params = tg.sent("sendMessage", chat_id=42)
    assert params[0]["chat_id"] == 42  # form value decoded from "42"
    assert params[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "pledge:yes"
    assert params[1]["text"] == "123"  # free text is never turned into a number
    assert tg.texts_to(42) == ["Bạn có đồng ý?", "123"]
    assert tg.last_keyboard(42)[0][1]["url"] == "https://example.org"


async def test_ptb_retry_after_from_flood_limits() -> None:
    clock = ManualClock()
    async with FakeTelegram(enforce_limits=True, clock=clock) as fake:
        async with Bot(fake.token, base_url=fake.api_base) as bot:
            for i in range(3):  # the default private-chat burst
                await bot.send_message(chat_id=7, text=f"m{i}")
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(chat_id=7, text="one too many")
            assert seconds(caught.value.retry_after) == 3
            await bot.send_message(chat_id=8, text="another chat is fine")
            clock.advance(3)
            await bot.send_message(chat_id=7, text="after waiting")
            body = fake.calls("sendMessage")[3].response
            assert body == {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 3",
                "parameters": {"retry_after": 3},
            }
            assert fake.stats.rate_limited == 1 and fake.stats.by_method["sendMessage"]["ok"] == 5


async def test_ptb_injected_retry_after(bot: Bot, tg: FakeTelegram) -> None:
    tg.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(chat_id=5, text="x")
    assert seconds(caught.value.retry_after) == 7
    assert (await bot.send_message(chat_id=5, text="x")).message_id == 1


async def test_ptb_blocked_user_forbidden(bot: Bot, tg: FakeTelegram) -> None:
    tg.block_user(77)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(chat_id=77, text="hello")
    assert tg.sent(chat_id=77) == []


async def test_ptb_long_poll_returns_injected_update(bot: Bot, tg: FakeTelegram) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await tg.wait_for(lambda r: r.method == "getUpdates")
    started = time.monotonic()
    injected = tg.user_text(42, "/start tokyo", first_name="Lan")
    updates = await poll
    assert time.monotonic() - started < 2
    assert [u.update_id for u in updates] == [injected["update_id"]]
    message = updates[0].message
    assert message.text == "/start tokyo" and message.from_user.first_name == "Lan"
    assert message.entities[0].type == "bot_command" and message.entities[0].length == 6
    # offset confirms: nothing is returned again
    assert await bot.get_updates(offset=injected["update_id"] + 1, timeout=0) == ()


async def test_ptb_idle_long_poll_times_out_empty(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 3


async def test_ptb_too_long_text_and_bad_button(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(chat_id=1, text="a" * 4097)
    await bot.send_message(chat_id=1, text="a" * 4096)
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(
            chat_id=1,
            text="x",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 33)]]),
        )  # 66 bytes, 33 characters
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.send_message(chat_id=1, text="<b>bold</i>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.send_photo(chat_id=1, photo=b"jpeg", caption="c" * 1025)


async def test_ptb_photo_upload_get_file_and_download(bot: Bot, tg: FakeTelegram) -> None:
    tg.user_photo(42, b"\xff\xd8user-photo", caption="Ổ gà")
    (update,) = await bot.get_updates()
    assert update.message.caption == "Ổ gà" and len(update.message.photo) == 2
    file = await bot.get_file(update.message.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == b"\xff\xd8user-photo"
    sent = await bot.send_photo(chat_id=42, photo=b"\x89PNGbot", caption="ok")
    upload = tg.sent("sendPhoto")[0]["photo"]
    assert upload["data"] == b"\x89PNGbot" and sent.photo[-1].file_id


async def test_ptb_callback_edit_and_answer(bot: Bot, tg: FakeTelegram) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    msg = await bot.send_message(chat_id=42, text="Chọn", reply_markup=markup)
    tg.user_press(42, "a", msg.message_id)
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query.data == "a" and query.message.message_id == msg.message_id
    assert await bot.answer_callback_query(query.id, text="Đã nhận")
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query(query.id)
    edited = await bot.edit_message_text("Đã chọn A", chat_id=42, message_id=msg.message_id)
    assert edited.text == "Đã chọn A" and edited.reply_markup is None  # no markup: keyboard removed
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("Đã chọn A", chat_id=42, message_id=msg.message_id)
    assert await bot.delete_message(chat_id=42, message_id=msg.message_id)
    assert tg.message(42, msg.message_id) is None


async def test_ptb_parses_every_injected_update_kind(bot: Bot, tg: FakeTelegram) -> None:
    tg.user_document(42, b"%PDF-1.7", file_name="bien-ban.pdf", caption="biên bản")
    tg.user_voice(42, b"OggS", duration=4)
    tg.user_location(42, 21.0285, 105.8542)
    tg.user_contact(42, "+84901234567")
    tg.group_text(-5, 43, "/report@andan_test_bot ngập")
    tg.inject_raw({"my_chat_member": None, "update_id": 999_999})
    updates = await bot.get_updates(limit=5)
    assert len(updates) == 5  # limit honoured
    doc, voice, loc, contact, group = (u.effective_message for u in updates)
    assert doc.document.file_name == "bien-ban.pdf" and doc.caption == "biên bản"
    assert bytes(await (await bot.get_file(doc.document.file_id)).download_as_bytearray()) == b"%PDF-1.7"
    assert voice.voice.duration == 4
    assert (loc.location.latitude, loc.location.longitude) == (21.0285, 105.8542)
    assert contact.contact.user_id == 42 and contact.contact.phone_number == "+84901234567"
    assert group.chat.type == "group" and group.chat.id == -5 and group.from_user.id == 43
    rest = await bot.get_updates(offset=updates[-1].update_id + 1)
    assert [u.update_id for u in rest] == [999_999]
    assert tg.user_text(1, "next")["update_id"] > 999_999  # ids keep increasing


async def test_ptb_edit_reply_markup(bot: Bot, tg: FakeTelegram) -> None:
    msg = await bot.send_message(chat_id=3, text="Chọn")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("B", callback_data="b")]])
    edited = await bot.edit_message_reply_markup(chat_id=3, message_id=msg.message_id, reply_markup=markup)
    assert edited.reply_markup.inline_keyboard[0][0].text == "B"
    assert tg.last_keyboard(3) == [[{"text": "B", "callback_data": "b"}]]
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_reply_markup(chat_id=3, message_id=999)


async def test_ptb_duplicate_update_is_redelivered(bot: Bot, tg: FakeTelegram) -> None:
    first = tg.user_text(9, "hi")
    (got,) = await bot.get_updates()
    tg.inject_duplicate_last()
    again = await bot.get_updates(offset=got.update_id + 1)
    assert [u.update_id for u in again] == [first["update_id"]]
    assert await bot.get_updates(offset=got.update_id + 1) == ()


async def test_ptb_webhook_push_with_secret_and_retry(bot: Bot, tg: FakeTelegram, receiver: Receiver) -> None:
    receiver.statuses = [500]  # first attempt fails, the retry succeeds
    await bot.set_webhook(receiver.url, secret_token="s3cret_token")
    with pytest.raises(Conflict):
        await bot.get_updates()
    update = tg.user_text(42, "via webhook")
    await tg.webhook_idle()
    assert len(receiver.received) == 2
    headers, raw = receiver.received[-1]
    assert headers["X-Telegram-Bot-Api-Secret-Token"] == "s3cret_token"
    assert json.loads(raw)["update_id"] == update["update_id"]
    assert tg.pusher.deliveries[-1]["attempts"] == 2
    info = await bot.get_webhook_info()
    assert info.url == receiver.url and info.last_error_message
    await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""


async def test_ptb_commands_chat_member_and_chat(bot: Bot, tg: FakeTelegram) -> None:
    await bot.set_my_commands([("start", "Bắt đầu")], language_code="vi")
    assert [c.command for c in await bot.get_my_commands(language_code="vi")] == ["start"]
    assert await bot.get_my_commands() == ()
    tg.group_text(-100200, 42, "xin chào nhóm", chat_type="supergroup", title="Tổ 5")
    tg.set_chat_member(-100200, 42, "administrator")
    member = await bot.get_chat_member(-100200, 42)
    assert member.status == "administrator" and member.can_delete_messages
    assert (await bot.get_chat_member(-100200, 43)).status == "member"
    chat = await bot.get_chat(-100200)
    assert chat.title == "Tổ 5" and chat.type == "supergroup"


async def test_ptb_invalid_token_and_latency(tg: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:wrong", base_url=tg.api_base):
            pass
    tg.latency = 0.2
    async with Bot(tg.token, base_url=tg.api_base) as bot:
        started = time.monotonic()
        await bot.get_me()
        assert time.monotonic() - started >= 0.2


# ----------------------------------------------------------------- Telegram raw HTTP
async def test_telegram_raw_errors_and_decoding(tg: FakeTelegram, http: aiohttp.ClientSession) -> None:
    async with http.post(f"{tg.base_url}/bot999:nope/getMe") as resp:
        assert resp.status == 401
        assert await resp.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    async with http.post(f"{tg.api_base}{tg.token}/noSuchMethod") as resp:
        assert resp.status == 404 and (await resp.json())["description"] == "Not Found"
    form = {
        "chat_id": "5",
        "text": "[1, 2]",
        "reply_markup": '{"inline_keyboard":[[{"text":"a","callback_data":"1"}]]}',
    }
    async with http.post(
        f"{tg.api_base}{tg.token}/sendmessage", data=form
    ) as resp:  # method names ignore case
        assert (await resp.json())["ok"]
    (params,) = tg.sent("sendMessage")
    assert params["text"] == "[1, 2]" and params["reply_markup"]["inline_keyboard"][0][0]["text"] == "a"


async def test_wait_for_times_out(tg: FakeTelegram) -> None:
    with pytest.raises(TimeoutError):
        await tg.wait_for(lambda r: r.method == "sendMessage", timeout=0.1)


def test_flood_control_windows() -> None:
    clock = ManualClock()
    flood = FloodControl(FloodLimits(), clock)
    assert all(flood.acquire(-1) == 0 for _ in range(20))
    assert flood.acquire(-1) == 60  # 20 per minute per group
    clock.advance(59.5)
    assert flood.acquire(-1) == 1
    clock.advance(0.5)
    assert flood.acquire(-1) == 0  # the oldest message left the one-minute window

    flood = FloodControl(FloodLimits(), ManualClock())
    assert all(flood.acquire(chat) == 0 for chat in range(1, 31))
    assert flood.acquire(99) == 1  # 30 per second overall
    assert flood.acquire(99, paid=True) == 0  # allow_paid_broadcast raises the ceiling

    single = FloodControl(FloodLimits(per_chat_burst=1), ManualClock())
    assert single.acquire(5) == 0 and single.acquire(5) == 1


async def test_second_poller_gets_conflict(tg: FakeTelegram, http: aiohttp.ClientSession) -> None:
    url = f"{tg.api_base}{tg.token}/getUpdates"
    first = asyncio.create_task(http.post(url, data={"timeout": "10"}))
    await tg.wait_for(lambda r: r.method == "getUpdates")
    second = asyncio.create_task(http.post(url, data={"timeout": "0"}))
    async with await first as resp:
        assert resp.status == 409 and "terminated by other getUpdates" in (await resp.json())["description"]
    async with await second as resp:
        assert resp.status == 200


@pytest.mark.parametrize("kind", ["telegram", "zalo_bot"])
async def test_stop_releases_open_long_poll(kind: str, http: aiohttp.ClientSession) -> None:
    fake: FakeTelegram | FakeZaloBot = FakeTelegram() if kind == "telegram" else FakeZaloBot()
    await fake.start()
    url = f"{fake.api_base}{fake.token}/getUpdates"
    poll = asyncio.create_task(http.post(url, json={"timeout": 30}))
    await fake.wait_for(lambda r: r.method == "getUpdates")
    started = time.monotonic()
    await fake.stop()
    async with await poll as resp:
        assert resp.status in (200, 408)
    assert time.monotonic() - started < 2


# ----------------------------------------------------------------- Zalo Bot Platform
@pytest.fixture
async def zb() -> AsyncIterator[FakeZaloBot]:
    async with FakeZaloBot() as fake:
        yield fake


async def zcall(
    http: aiohttp.ClientSession,
    fake: FakeZaloBot,
    method: str,
    body: dict[str, Any] | None = None,
    token: str | None = None,
) -> tuple[int, dict[str, Any]]:
    async with http.post(f"{fake.api_base}{token or fake.token}/{method}", json=body or {}) as resp:
        return resp.status, await resp.json()


async def test_zalo_bot_get_updates_returns_one_object(zb: FakeZaloBot, http: aiohttp.ClientSession) -> None:
    first = zb.user_text("u1", "Xin chào", display_name="Lan")
    zb.user_text("u1", "second")
    status, body = await zcall(http, zb, "getUpdates", {"timeout": "30"})
    assert status == 200 and body["ok"] is True
    assert isinstance(body["result"], dict) and body["result"] == first
    msg = body["result"]["message"]
    assert body["result"]["event_name"] == "message.text.received"
    assert msg["from"] == {"id": "u1", "display_name": "Lan", "is_bot": False}
    assert msg["chat"] == {"id": "u1", "chat_type": "PRIVATE"} and isinstance(msg["date"], int)
    assert isinstance(msg["message_id"], str)
    assert (await zcall(http, zb, "getUpdates", {"timeout": "1"}))[1]["result"]["message"]["text"] == "second"


async def test_zalo_bot_idle_poll_is_408(zb: FakeZaloBot, http: aiohttp.ClientSession) -> None:
    started = time.monotonic()
    status, body = await zcall(http, zb, "getUpdates", {"timeout": "1"})
    assert status == 408 and body == {"ok": False, "error_code": 408, "description": "Request timeout"}
    assert time.monotonic() - started >= 0.9


async def test_zalo_bot_poll_wakes_on_injection(zb: FakeZaloBot, http: aiohttp.ClientSession) -> None:
    poll = asyncio.create_task(zcall(http, zb, "getUpdates", {"timeout": 10}))
    await zb.wait_for(lambda r: r.method == "getUpdates")
    zb.user_image("u2", zb.host_image(b"img-bytes"), caption="cây đổ")
    status, body = await poll
    msg = body["result"]["message"]
    assert status == 200 and body["result"]["event_name"] == "message.image.received"
    assert msg["photo_url"] == msg["photo"] and msg["caption"] == "cây đổ"
    async with http.get(msg["photo_url"]) as resp:
        assert await resp.read() == b"img-bytes"


async def test_zalo_bot_send_limits_and_errors(zb: FakeZaloBot, http: aiohttp.ClientSession) -> None:
    status, body = await zcall(http, zb, "getMe", token="1:bad")
    assert status == 401 and body == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    status, body = await zcall(http, zb, "sendMessage", {"chat_id": "u1", "text": "x" * 2001})
    assert status == 400 and body["ok"] is False and body["error_code"] == 400
    status, body = await zcall(http, zb, "sendMessage", {"chat_id": "u1", "text": "x" * 2000})
    assert status == 200 and isinstance(body["result"]["message_id"], str)
    zb.fail_next("sendMessage", 403, description="Forbidden")
    status, body = await zcall(http, zb, "sendMessage", {"chat_id": "u1", "text": "hi"})
    assert status == 403 and body["error_code"] == 403
    assert [p["text"] for p in zb.sent(chat_id="u1")] == ["x" * 2000]
    assert (await zcall(http, zb, "sendChatAction", {"chat_id": "u1", "action": "typing"}))[1] == {"ok": True}


@pytest.mark.parametrize("wrap", [False, True])
async def test_zalo_bot_webhook(wrap: bool, http: aiohttp.ClientSession, receiver: Receiver) -> None:
    async with FakeZaloBot(wrap_webhook=wrap) as zb:
        status, body = await zcall(http, zb, "setWebhook", {"url": receiver.url, "secret_token": "short"})
        assert status == 400 and body["ok"] is False
        status, body = await zcall(
            http, zb, "setWebhook", {"url": receiver.url, "secret_token": "secret-123"}
        )
        assert body["result"]["url"] == receiver.url
        status, body = await zcall(http, zb, "getUpdates", {"timeout": "1"})
        assert body["ok"] is False  # polling and webhook are mutually exclusive
        update = zb.user_text("u3", "qua webhook")
        zb.inject_duplicate_last()
        await zb.webhook_idle()
        (h1, raw1), (_, raw2) = receiver.received
        assert h1["X-Bot-Api-Secret-Token"] == "secret-123" and raw1 == raw2
        assert json.loads(raw1) == ({"ok": True, "result": update} if wrap else update)


# ----------------------------------------------------------------- Zalo OA
def test_oa_signature_vector() -> None:
    args = ("3608465248940903967", VECTOR_BODY, "1700000000000", "OA_SECRET_TEST")
    assert zalo_oa_signature(*args) == VECTOR_MAC
    hmac_hex = hmac.new(
        b"OA_SECRET_TEST", b"3608465248940903967" + VECTOR_BODY + b"1700000000000", hashlib.sha256
    ).hexdigest()
    assert f"mac={hmac_hex}" != VECTOR_MAC
    reserialised = json.dumps(json.loads(VECTOR_BODY)).encode()  # spaces after separators
    assert zalo_oa_signature(args[0], reserialised, args[2], args[3]) != VECTOR_MAC


@pytest.fixture
def oa_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def oa(oa_clock: ManualClock) -> AsyncIterator[FakeZaloOA]:
    async with FakeZaloOA(clock=oa_clock) as fake:
        yield fake


async def oa_send(
    http: aiohttp.ClientSession,
    oa: FakeZaloOA,
    user_id: str,
    message: dict[str, Any],
    token: str | None = None,
) -> dict[str, Any]:
    body = {"recipient": {"user_id": user_id}, "message": message}
    headers = {"access_token": token if token is not None else oa.access_token}
    async with http.post(f"{oa.base_url}/v3.0/oa/message/cs", json=body, headers=headers) as resp:
        assert resp.status == 200  # Zalo OA errors come with HTTP 200
        return await resp.json()


async def oa_refresh(
    http: aiohttp.ClientSession, oa: FakeZaloOA, refresh_token: str, secret: str | None = None
) -> dict[str, Any]:
    form = {"refresh_token": refresh_token, "app_id": oa.app_id, "grant_type": "refresh_token"}
    async with http.post(
        f"{oa.base_url}/v4/oa/access_token", data=form, headers={"secret_key": secret or oa.secret_key}
    ) as resp:
        assert resp.status == 200
        return await resp.json()


async def test_oa_expired_token_refresh_then_success(oa: FakeZaloOA, http: aiohttp.ClientSession) -> None:
    oa.user_send_text("u1", "xin chào")
    assert (await oa_send(http, oa, "u1", {"text": "hi"}))["error"] == 0
    oa.expire_access_token()
    assert await oa_send(http, oa, "u1", {"text": "hi"}) == {
        "error": -216,
        "message": "Access token is invalid",
    }
    old_access = oa.access_token
    tokens = await oa_refresh(http, oa, oa.refresh_token)
    assert set(tokens) == {"access_token", "refresh_token", "expires_in"} and tokens["expires_in"] == "90000"
    ok = await oa_send(http, oa, "u1", {"text": "hi again"}, token=tokens["access_token"])
    assert ok["error"] == 0 and ok["message"] == "Success"
    assert ok["data"]["user_id"] == "u1" and isinstance(ok["data"]["message_id"], str)
    assert (await oa_send(http, oa, "u1", {"text": "x"}, token=old_access))["error"] == -216
    assert oa.texts_to("u1") == ["hi", "hi again"]


async def test_oa_refresh_token_is_single_use(oa: FakeZaloOA, http: aiohttp.ClientSession) -> None:
    first = oa.refresh_token
    assert "access_token" in await oa_refresh(http, oa, first)
    reused = await oa_refresh(http, oa, first)
    assert reused["error"] == -14014 and reused["error_name"] == "Invalid refresh token."
    assert "access_token" not in reused
    assert (await oa_refresh(http, oa, oa.refresh_token, secret="wrong"))["error"] == -14004
    assert (await oa_refresh(http, oa, oa.refresh_token))["refresh_token"] != first


async def test_oa_access_grace(oa_clock: ManualClock, http: aiohttp.ClientSession) -> None:
    async with FakeZaloOA(clock=oa_clock, access_grace=60) as oa:
        oa.touch("u1")
        old = oa.access_token
        await oa_refresh(http, oa, oa.refresh_token)
        assert (await oa_send(http, oa, "u1", {"text": "a"}, token=old))["error"] == 0
        oa_clock.advance(61)
        oa.touch("u1")
        assert (await oa_send(http, oa, "u1", {"text": "b"}, token=old))["error"] == -216


async def test_oa_seven_day_window(
    oa: FakeZaloOA, oa_clock: ManualClock, http: aiohttp.ClientSession
) -> None:
    assert (await oa_send(http, oa, "u9", {"text": "cold"}))["error"] == -230
    oa.user_send_text("u9", "hello")
    oa_clock.advance(7 * 86400 - 1)
    await oa_refresh(http, oa, oa.refresh_token)  # access tokens live 25 h: the week needs a fresh one
    assert (await oa_send(http, oa, "u9", {"text": "day 7"}))["error"] == 0
    oa_clock.advance(2)
    assert (await oa_send(http, oa, "u9", {"text": "day 8"}))["error"] == -230
    oa.follow("u9")
    assert (await oa_send(http, oa, "u9", {"text": "after follow"}))["error"] == 0


async def test_oa_payload_validation(oa: FakeZaloOA, http: aiohttp.ClientSession) -> None:
    oa.touch("u1")
    assert (await oa_send(http, oa, "u1", {"text": "x" * 2001}))["error"] == -233

    def buttons(n: int, title: str = "Có") -> dict[str, Any]:
        items = [{"title": title, "type": "oa.query.hide", "payload": f"#b{i}"} for i in range(n)]
        return {"text": "Chọn", "attachment": {"type": "template", "payload": {"buttons": items}}}

    assert (await oa_send(http, oa, "u1", buttons(5)))["error"] == 0
    assert (await oa_send(http, oa, "u1", buttons(6)))["error"] == -233
    assert (await oa_send(http, oa, "u1", buttons(1, "t" * 101)))["error"] == -233
    url_button = {
        "text": "Xem",
        "attachment": {
            "type": "template",
            "payload": {
                "buttons": [{"title": "Web", "type": "oa.open.url", "payload": {"url": "https://x.vn"}}]
            },
        },
    }
    assert (await oa_send(http, oa, "u1", url_button))["error"] == 0


async def test_oa_upload_image_and_media_template(oa: FakeZaloOA, http: aiohttp.ClientSession) -> None:
    oa.touch("u1")
    form = aiohttp.FormData()
    form.add_field("file", b"\x89PNG", filename="a.png", content_type="image/png")
    async with http.post(
        f"{oa.base_url}/v2.0/oa/upload/image", data=form, headers={"access_token": oa.access_token}
    ) as resp:
        attachment_id = (await resp.json())["data"]["attachment_id"]
    assert oa.calls("upload/image")[0].params["file"]["data"] == b"\x89PNG"
    media = {
        "attachment": {
            "type": "template",
            "payload": {
                "template_type": "media",
                "elements": [{"media_type": "image", "attachment_id": attachment_id}],
            },
        }
    }
    assert (await oa_send(http, oa, "u1", media))["error"] == 0
    media["attachment"]["payload"]["elements"][0]["attachment_id"] = "nope"
    assert (await oa_send(http, oa, "u1", media))["error"] == -233


async def test_oa_user_state_errors_and_injection(oa: FakeZaloOA, http: aiohttp.ClientSession) -> None:
    oa.touch("u1")
    oa.touch("u2")
    oa.make_unreachable("u2")
    assert (await oa_send(http, oa, "u2", {"text": "x"}))["error"] == -217
    assert (await oa_send(http, oa, "u1", {"text": "x"}, token="Bearer " + oa.access_token))["error"] == -216
    oa.fail_next("message/cs", -32)
    assert (await oa_send(http, oa, "u1", {"text": "x"}))["error"] == -32
    assert oa.stats.rate_limited == 1
    oa.quota = 1
    assert (await oa_send(http, oa, "u1", {"text": "x"}))["error"] == 0
    assert (await oa_send(http, oa, "u1", {"text": "x"}))["error"] == -211
    async with FakeZaloOA(require_follow=True) as strict:
        strict.touch("u5")
        assert (await oa_send(http, strict, "u5", {"text": "x"}))["error"] == -213


async def test_oa_post_event_signed(oa: FakeZaloOA, receiver: Receiver) -> None:
    def verify(headers: Any, raw: bytes) -> int:
        timestamp = json.loads(raw)["timestamp"]
        expected = zalo_oa_signature(oa.app_id, raw, timestamp, oa.oa_secret_key)
        return 200 if hmac.compare_digest(headers.get("X-ZEvent-Signature", ""), expected) else 401

    receiver.check = verify
    event = oa.user_send_location("u7", 10.7769, 106.7009)
    assert event["message"]["attachments"][0]["payload"]["coordinates"] == {
        "latitude": "10.7769",
        "longitude": "106.7009",
    }
    assert event["sender"] == {"id": "u7"} and event["recipient"] == {"id": oa.oa_id}
    assert event["timestamp"].isdigit() and isinstance(event["user_id_by_app"], str)
    assert await oa.post_event(receiver.url, event) == 200
    assert await oa.post_event(receiver.url, event, bad_signature=True) == 401
    assert await oa.post_event(receiver.url, event, sign=False) == 401
    follow = oa.follow("u8")
    assert follow["follower"] == {"id": "u8"} and "u8" in oa.followers
    file_event = oa.user_send_file("u7", oa.host_file(b"%PDF", "application/pdf", "a.pdf"), "a.pdf", 4)
    assert file_event["message"]["attachments"][0]["payload"]["size"] == "4"


async def test_ptb_application_polling_end_to_end(tg: FakeTelegram) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(f"Bạn nói: {update.effective_message.text}")

    app = ApplicationBuilder().token(tg.token).base_url(tg.api_base).base_file_url(tg.file_base).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with app:
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        tg.user_text(42, "chào")
        (reply,) = await tg.wait_sent(chat_id=42)
        await app.updater.stop()
        await app.stop()
    assert reply["text"] == "Bạn nói: chào"
    assert tg.calls("deleteWebhook")  # PTB's polling bootstrap
