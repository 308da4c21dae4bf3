"""Walker H: correctly authenticated but odd or replayed events on the platform webhooks."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import pydantic
import pytest

from bot.settings import UPDATE_MEMORY
from tests.fakes._common import dumps
from tests.test_bad_http import JSON_HEADERS, TG_SECRET, Hooks, webhook_town

TG = {**JSON_HEADERS, "X-Telegram-Bot-Api-Secret-Token": TG_SECRET}


@pytest.fixture
async def hooks(db_url: str, settings_for: Any) -> AsyncIterator[Hooks]:
    async with webhook_town(settings_for, db_url) as served:
        yield served


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        f"{r.name}: {r.getMessage()} {r.exc_info[1]!r}" if r.exc_info else f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.ERROR
    ]


def tg_message(user: int, update_id: int, **fields: Any) -> dict[str, Any]:
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": user, "type": "private"},
        "from": {"id": user, "is_bot": False, "first_name": "Lan"},
        **fields,
    }
    return {"update_id": update_id, "message": message}


async def post_oa(hooks: Hooks, event: dict[str, Any]) -> int:
    raw = dumps(event).encode()
    status, _ = await hooks.post("/webhook/zalo-oa", raw, hooks.oa_signed(raw, event["timestamp"]))
    return status


def oa_buttons(hooks: Hooks, user: str) -> dict[str, str]:
    for message in reversed(hooks.zalo_oa.messages_to(user)):
        buttons = (message.get("attachment") or {}).get("payload", {}).get("buttons")
        if buttons:
            return {b["title"]: b["payload"] for b in buttons}
    return {}


# Zalo OA: late redeliveries -------------------------------------------------------------------------------------


async def test_a_zalo_oa_message_redelivered_after_an_outage_is_answered_not_dropped(
    hooks: Hooks, caplog: pytest.LogCaptureFixture
) -> None:
    """Defect: a resident writes to the Official Account while the server is down for a 15-minute restart; Zalo
    delivers the event again when the webhook answers (it retries for hours, PLATFORMS.md), signed as it was, with
    its original timestamp. The bot answered 200 and dropped it ("outside the replay window", 600 s by default):
    her message, never handled, was lost. A replay of an event we *did* handle is caught by msg_id (remembered
    2 days, bot.app.housekeeping.UPDATE_MEMORY), so the window only needs to reject what is older than that."""
    caplog.set_level(logging.WARNING)
    user = "4410000000000000501"
    event = hooks.oa_event("/start", user=user, at=time.time() - 15 * 60)
    assert await post_oa(hooks, event) == 200
    await hooks.quiet()
    await asyncio.sleep(0.2)
    assert hooks.zalo_oa.texts_to(user), "the redelivered message got no answer"
    assert await post_oa(hooks, event) == 200  # and a second delivery is still handled once
    await hooks.quiet()
    await asyncio.sleep(0.2)
    assert len(hooks.zalo_oa.texts_to(user)) == 1
    assert errors(caplog) == []


def test_a_replay_window_not_shorter_than_the_deduplication_memory_is_refused_at_start(
    settings_for: Any,
) -> None:
    """The window and the msg_id memory together leave no gap for a replay only while the window is the shorter:
    ANDAN_ZALO_OA_EVENT_MAX_AGE_SECONDS as long as the memory is refused when the settings are read."""
    memory = int(UPDATE_MEMORY.total_seconds())
    url = "sqlite+aiosqlite://"
    assert settings_for(url).zalo_oa_event_max_age_seconds < memory
    assert (
        settings_for(url, zalo_oa_event_max_age_seconds=memory - 1).zalo_oa_event_max_age_seconds
        == memory - 1
    )
    for window in (memory, 3 * memory):
        with pytest.raises(pydantic.ValidationError, match="ANDAN_ZALO_OA_EVENT_MAX_AGE_SECONDS"):
            settings_for(url, zalo_oa_event_max_age_seconds=window)


# Telegram: updates that would take long to build ----------------------------------------------------------------


async def lag_while(coroutine: Any) -> tuple[Any, float]:
    """Run `coroutine`, measuring the longest the event loop was held meanwhile."""
    loop, worst, running = asyncio.get_running_loop(), 0.0, True

    async def probe() -> None:
        nonlocal worst
        while running:
            before = loop.time()
            await asyncio.sleep(0.005)
            worst = max(worst, loop.time() - before - 0.005)

    prober = asyncio.create_task(probe())
    try:
        result = await coroutine
    finally:
        running = False
        await prober
    return result, worst


@pytest.mark.parametrize(
    "fields",
    [
        {"photo": [{"file_id": "a", "file_unique_id": "a", "width": 1, "height": 1}] * 18_000},
        {"text": "x" * 4000, "entities": [{"type": "bold", "offset": 0, "length": 1}] * 25_000},
    ],
    ids=["photo-sizes", "entities"],
)
async def test_a_telegram_update_with_thousands_of_items_does_not_hold_the_event_loop(
    hooks: Hooks, caplog: pytest.LogCaptureFixture, fields: dict[str, Any]
) -> None:
    """Defect: an update within the 1 MB webhook limit that lists 18,000 photo sizes (or 25,000 text entities)
    held the event loop about half a second while python-telegram-bot built an object for each (Update.de_json,
    in bot/channels/telegram/channel.py _webhook): every conversation and webhook waited meanwhile. Telegram never
    sends so many: such an update is acknowledged with 200 (so Telegram does not retry) and dropped with a WARNING.
    Needs the webhook secret."""
    caplog.set_level(logging.WARNING)
    gc.collect()  # what earlier tests left (a whole town) is not this update's to collect
    held = 0.0
    for update_id in (900, 901, 902):  # the longest of three holds
        raw = json.dumps(tg_message(8100, update_id, **fields), separators=(",", ":")).encode()
        assert len(raw) < hooks.town.settings.webhook_max_kb * 1024
        (status, _answer), one = await lag_while(hooks.post("/webhook/telegram", raw, TG))
        await hooks.quiet()
        assert status == 200
        held = max(held, one)
    assert held < 0.2, f"the event loop was held {held:.2f} s by one update"
    assert any("too large to build" in r.getMessage() for r in caplog.records)
    assert hooks.telegram.messages_to(8100) == []
    assert errors(caplog) == []


async def test_checked_a_telegram_message_full_of_braces_is_still_answered(
    hooks: Hooks, caplog: pytest.LogCaptureFixture
) -> None:
    """Checked: the bound on an update's objects counts braces first; braces inside a text are not objects, so a
    message of 1,500 "{" is read and answered like any other."""
    caplog.set_level(logging.WARNING)
    raw = json.dumps(tg_message(8200, 910, text="{" * 1500)).encode()
    assert (await hooks.post("/webhook/telegram", raw, TG))[0] == 200
    await hooks.quiet()
    assert hooks.telegram.texts_to(8200)
    assert not any("too large to build" in r.getMessage() for r in caplog.records)
    assert errors(caplog) == []


# Zalo Bot: events that are not messages -------------------------------------------------------------------------


async def post_zalo_bot(hooks: Hooks, event_name: str, user: str, text: str, message_id: str) -> int:
    update = {
        "event_name": event_name,
        "message": {
            "message_id": message_id,
            "date": int(time.time() * 1000),
            "from": {"id": user, "display_name": "Lan", "is_bot": False},
            "chat": {"id": user, "chat_type": "PRIVATE"},
            "text": text,
        },
    }
    headers = {**JSON_HEADERS, "X-Bot-Api-Secret-Token": hooks.zalo_bot_secret}
    status, _ = await hooks.post("/webhook/zalo-bot", dumps(update).encode(), headers)
    await hooks.quiet()
    await asyncio.sleep(0.2)
    return status


async def test_a_zalo_bot_reaction_is_not_read_as_the_persons_answer(
    hooks: Hooks, caplog: pytest.LogCaptureFixture
) -> None:
    """Defect: an event of a kind the platform does not document as a message (message.reaction.received) that
    carries a text (the message reacted to) was read as if the person had typed it: mid-form it was taken as the
    answer. Only the documented message events are read; others are acknowledged and ignored with a log line."""
    caplog.set_level(logging.INFO)
    user = "zb-reactor-1"
    assert await post_zalo_bot(hooks, "message.text.received", user, "/start", "zb-1") == 200
    asked = hooks.zalo_bot.texts_to(user)
    assert asked, "no language question"
    assert await post_zalo_bot(hooks, "message.reaction.received", user, "2", "zb-2") == 200
    assert hooks.zalo_bot.texts_to(user) == asked, "a reaction was taken as the answer"
    assert any(r.getMessage() == "zalo bot event ignored" for r in caplog.records)
    assert await post_zalo_bot(hooks, "message.text.received", user, "1", "zb-3") == 200
    assert len(hooks.zalo_bot.texts_to(user)) > len(asked), "the person's own answer got no reply"
    assert errors(caplog) == []


# Checked --------------------------------------------------------------------------------------------------------


async def test_checked_odd_signed_events_leave_the_persons_conversation_working(
    hooks: Hooks, caplog: pytest.LogCaptureFixture
) -> None:
    """Checked: mid-conversation (at the language question), a Zalo OA person's correctly signed but odd events
    — message null, an unknown event name, 10,000 attachments, a 100 kB text, a lone surrogate, a sender id of
    Telegram's shape, the same msg_id again with other words, five concurrent copies of one event — are each
    answered 200, ignored or answered politely, logged below ERROR, and her next press still works."""
    caplog.set_level(logging.WARNING)
    user = "4410000000000000777"
    start = hooks.oa_event("/start", user=user)
    await asyncio.gather(*(post_oa(hooks, start) for _ in range(5)))
    await hooks.quiet()
    await asyncio.sleep(0.2)
    assert len(hooks.zalo_oa.texts_to(user)) == 1  # five copies, one answer
    buttons = oa_buttons(hooks, user)
    assert "Tiếng Việt" in buttons, buttons
    odd = []
    for change in (
        {"message": None},
        {"event_name": "user_reacted_message"},
        {"event_name": None},
        {"sender": None},
        {"sender": {"id": 5550001}},
    ):
        odd.append({**hooks.oa_event("x", user=user), **change})
    image = hooks.oa_event("", user=user)
    image["event_name"] = "user_send_image"
    image["message"]["attachments"] = [{"type": "image", "payload": {"url": "http://127.0.0.1:9/x"}}] * 10_000
    odd += [image, hooks.oa_event("x" * 100_000, user=user)]
    again = dict(start, message={**start["message"], "text": "/trogiup"})  # same msg_id, other words
    odd.append(again)
    for event in odd:
        assert await post_oa(hooks, event) == 200
    await hooks.quiet()
    raw = (
        b'{"app_id":"%s","sender":{"id":"%s"},"event_name":"user_send_text",'
        b'"message":{"msg_id":"s1","text":"xin \\ud800 ch\\u00e0o"},"timestamp":"%d"}'
        % (hooks.zalo_oa.app_id.encode(), user.encode(), int(time.time() * 1000))
    )
    status, _ = await hooks.post(
        "/webhook/zalo-oa", raw, hooks.oa_signed(raw, raw.rsplit(b'"', 2)[-2].decode())
    )
    assert status == 200
    await hooks.quiet()
    pressed = hooks.oa_event(buttons["Tiếng Việt"], user=user)
    assert await post_oa(hooks, pressed) == 200
    await hooks.quiet()
    await asyncio.sleep(0.2)
    assert "Tôi đồng ý" in oa_buttons(hooks, user), hooks.zalo_oa.texts_to(user)[-3:]
    assert errors(caplog) == [] and await hooks.healthy()
