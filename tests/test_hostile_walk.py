"""What a walk as a hostile or careless client of the HTTP surfaces found (thirteenth session), each written failing
first: half an emoji (a lone UTF-16 surrogate, escaped in JSON) in a tip's words lost the tip with a 500 at the
last press, and in a client id was a 500 for anyone (bot/guard/http_input.loads now makes it U+FFFD; the
dispatcher's failure path read an ORM row after the failed write: an apology now, never a 500); a forged button
with a 30-digit number reached the database and logged a failure (bot/core/payloads.py reads it as no button).
The limits that protect the service are settings: the long polls one session and one process hold open, the
webhook body, the web chat's JSON bodies and upload parts, the JSON nesting."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.test_bad_http import Hooks, webhook_town

JSON = {"Content-Type": "application/json"}


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        f"{r.name}: {r.getMessage()} {r.exc_info[1]!r}" if r.exc_info else f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.ERROR
    ]


async def post_raw(browser: Any, body: bytes) -> tuple[int, str]:
    """POST raw JSON bytes with this browser's own cookie (what a page or a script could send)."""
    async with browser.http.post(browser.url + "/api/messages", data=body, headers=JSON) as response:
        return response.status, await response.text()


@pytest.mark.parametrize(
    "forged",
    [
        "ack:999999999999999999999999999999",  # "I have read this" under an alert
        "cam:open:999999999999999999999999999999",  # a camera button
        "pri:open:999999999999999999999999999999",  # a problem report button
        "tqa:999999999999999999999999999999:x",  # answering a police question
    ],
)
async def test_a_forged_button_with_a_huge_number_is_refused_not_a_server_failure(
    ward: Any, caplog: pytest.LogCaptureFixture, forged: str
) -> None:
    """FAILS. A registered resident (or a script holding her cookie) sends the web chat a button payload the bot
    never made, with a number field of 30 digits: {"choice": "ack:999…"}. Expected: the usual "That button belongs
    to an earlier message / is no longer valid" answer, no ERROR. Got: every int-carrying button kind (42 of them
    for a plain resident: ack, acancel, cam, camans, fs*, hg*, pcamp, phm, plg, pln, pri, prm, pushto, pwd, rv*, tqa…)
    reaches the database with an integer SQLite cannot hold; the dispatcher logs "handler failed" with a traceback
    (OverflowError: Python int too large to convert to SQLite INTEGER) and answers "Sorry, something went wrong on
    our side". Anyone can fill the ERROR log / alerting with this, and on PostgreSQL any id above 2**31 (an INTEGER
    key) does the same. The same payload typed as "#ack:999…" on Zalo OA, or as Telegram callback data, does it too.
    Cause: bot/core/payloads.py `_read_int` accepts any run of digits (no bound), so `unpack` returns a payload
    whose id no column can hold; a forged payload should read as None (as a malformed one does)."""
    caplog.set_level(logging.WARNING)
    lan = await ward.join("Chị Lan")
    caplog.clear()
    status, body = await post_raw(lan, json.dumps({"choice": forged}).encode())
    assert status == 200, (status, body[:200])
    assert "something went wrong" not in body.lower() and "đã có lỗi" not in body.lower(), body[:300]
    assert errors(caplog) == []


async def test_a_client_id_holding_a_lone_surrogate_is_a_4xx_not_a_500(
    ward: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """FAILS. A script (or a buggy page) posts {"text": "xin chào", "id": "\\ud800"}: valid JSON, whose id is a
    lone UTF-16 surrogate. Expected: a 4xx with the translated "could not be read" note (or the message handled).
    Got: HTTP 500 "Server got itself in trouble" and an ERROR with a traceback from aiohttp.server
    (UnicodeEncodeError: surrogates not allowed) — for registered people and fresh visitors alike, no cookie needed.
    Cause: bot/channels/web/incoming.py `update_key` makes f"{sid}:{client_id}" from any str and
    bot/channels/web/messages.py `_client_tag` -> bot/security.py Keyring.keyed_hash does "...".encode() on it; the
    root is bot/guard/http_input.loads, which lets json.loads turn "\\ud800" escapes into strings that are not
    valid Unicode text."""
    caplog.set_level(logging.WARNING)
    lan = await ward.join("Chị Lan")
    stranger = await ward.person("Khách")
    caplog.clear()
    for browser in (lan, stranger):
        status, body = await post_raw(browser, b'{"text":"xin ch\\u00e0o","id":"\\ud800"}')
        assert 400 <= status < 500 or status == 200, (browser.name, status, body[:120])
    assert errors(caplog) == []


async def test_a_tip_whose_words_hold_a_lone_surrogate_is_not_lost_with_a_500(
    ward: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """FAILS. A resident fills in a theft tip in the web chat; her description arrives with a lone surrogate (a
    phone keyboard/emoji cut in half by a buggy client: {"text": "Có người \\ud800 lấy trộm xe máy"}). Every step
    accepts it and the summary shows it back; she presses "Gửi cho công an". Expected: the tip is stored (the bad
    character dropped or replaced) or she is told plainly to retype it — never a server failure. Got: HTTP 500
    (sqlalchemy PendingRollbackError after UnicodeEncodeError: surrogates not allowed at the INSERT), the tip is
    lost, and the page shows no answer. Two faults: bot/guard/http_input.loads admits lone surrogates into text
    (they pass every step, since state is a JSON column, and fail only at the final INSERT); and
    bot/core/dispatcher.py's failure path (`person_id = person.id if person else None` before `session.rollback()`,
    line 176) touches the ORM row of a session whose flush failed, so instead of the apology the dispatcher itself
    raises and the request is a 500."""
    caplog.set_level(logging.WARNING)
    lan = await ward.join("Chị Lan")
    await lan.say("/togiac")
    await lan.press("Trộm cắp")
    status, body = await post_raw(
        lan, b'{"text":"C\\u00f3 ng\\u01b0\\u1eddi \\ud800 l\\u1ea5y tr\\u1ed9m xe m\\u00e1y"}'
    )
    assert status == 200, body[:200]
    await lan.press("Xong")
    await lan.say("hẻm 5 đường Trần Hưng Đạo")
    await lan.say("hôm qua")
    await lan.press("Phường Cao Lãnh")
    await lan.press("Ẩn danh")
    await lan.press("Có, cho phép trả lời")
    assert "Gửi cho công an" in lan.choices(), lan.last_text()
    caplog.clear()
    payload = next(
        c["payload"] for m in reversed(lan.seen) for c in m["choices"] if c["label"] == "Gửi cho công an"
    )
    async with lan.http.post(lan.url + "/api/messages", json={"choice": payload}) as response:
        status, text = response.status, await response.text()
    assert status == 200, (status, text[:200])
    assert errors(caplog) == [], errors(caplog)[:1]


# The limits are settings ---------------------------------------------------------------------------------------
@pytest.fixture
async def tight(db_url: str, settings_for: Any) -> AsyncIterator[Hooks]:
    async with webhook_town(
        settings_for,
        db_url,
        web_polls_per_session=2,
        web_polls_max=3,
        web_poll_max_seconds=2.0,
        webhook_max_kb=64,
        web_max_message_kb=16,
        json_max_depth=16,
    ) as served:
        yield served


def browser() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))  # keeps a loopback site's cookie


async def long_polls(http: aiohttp.ClientSession, url: str, n: int) -> list[int]:
    async def one() -> int:
        async with http.get(url + "/api/messages?after=0&wait=30") as response:
            await response.read()
            return response.status

    return list(await asyncio.gather(*(one() for _ in range(n))))


async def test_long_polls_past_a_sessions_or_the_processs_bound_are_told_to_come_back(
    tight: Hooks, caplog: pytest.LogCaptureFixture
) -> None:
    """A page opened in many tabs, or a script opening sessions by the hundred: each long poll looks at the
    database every second. Past ANDAN_WEB_POLLS_PER_SESSION (one session) or ANDAN_WEB_POLLS_MAX (the process),
    a poll is answered 429 with Retry-After at once; a poll is held at most ANDAN_WEB_POLL_MAX_SECONDS."""
    caplog.set_level(logging.WARNING)
    async with browser() as tab:
        await tab.get(tight.url + "/api/messages?after=0&wait=0")  # the session's cookie
        started = asyncio.get_running_loop().time()
        statuses = await long_polls(tab, tight.url, 3)
        held = asyncio.get_running_loop().time() - started
    assert sorted(statuses) == [200, 200, 429] and 1.5 < held < 10, (statuses, held)
    async with browser() as one, browser() as two:
        for http in (one, two):
            await http.get(tight.url + "/api/messages?after=0&wait=0")
        firsts = asyncio.gather(long_polls(one, tight.url, 2), long_polls(two, tight.url, 2))
        statuses = [s for pair in await firsts for s in pair]
    assert sorted(statuses) == [200, 200, 200, 429], statuses
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_the_webhook_and_chat_body_limits_and_the_nesting_are_settings(tight: Hooks) -> None:
    """ANDAN_WEBHOOK_MAX_KB, ANDAN_WEB_MAX_MESSAGE_KB and ANDAN_JSON_MAX_DEPTH bound what is read."""
    from tests.test_bad_http import TG_SECRET

    big = b'{"update_id": 1, "x": "' + b"a" * 70_000 + b'"}'
    status, _ = await tight.post(
        "/webhook/telegram", big, {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET, **JSON}
    )
    assert status == 413
    async with aiohttp.ClientSession() as http:
        async with http.post(
            tight.url + "/api/messages", data=b'{"text": "' + b"a" * 20_000 + b'"}', headers=JSON
        ) as response:
            assert response.status == 413
        deep = b'{"text": "hi", "x": ' + b"[" * 20 + b"]" * 20 + b"}"
        async with http.post(tight.url + "/api/messages", data=deep, headers=JSON) as response:
            assert response.status == 400
