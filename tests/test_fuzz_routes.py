"""Property tests (hypothesis): whatever a client sends to a webhook or to the web chat API, the answer is below 500,
the server stays healthy and nothing is logged at ERROR, including by the work a webhook starts in the background.

Bodies are drawn two ways: hostile bytes (garbage, deep nesting, numbers out of range, broken UTF-8) and
platform-shaped JSON whose every field is either of the right type or any JSON value at all, so the parsing behind
each route meets malformed updates as well as real ones. Authenticated where the route needs it (a secret, a
signature), so the examples get past the door. The number of examples is bounded to keep the file fast.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.guard.http_input import InputRefused, loads, nesting_depth
from tests.test_bad_http import TG_SECRET, Hooks, webhook_town

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))  # more for a longer hunt: FUZZ_EXAMPLES=1000
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NOWHERE = "http://127.0.0.1:9/file"  # loopback, nothing listens: a download fails at once, offline

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def either(right: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A field of the right type (mostly), or any JSON value at all."""
    return st.one_of(right, right, right, right, json_values)


def shaped(required: dict[str, Any], optional: dict[str, Any] | None = None) -> st.SearchStrategy[Any]:
    return either(
        st.fixed_dictionaries(
            {k: either(v) for k, v in required.items()},
            optional={k: either(v) for k, v in (optional or {}).items()},
        )
    )


words = st.text(max_size=40) | st.sampled_from(["/start", "/help", "/togiac", "1", "xin chào", "/start abc"])
hostile = st.one_of(
    st.binary(max_size=300),
    st.integers(1, 5000).map(lambda n: b"[" * n + b"]" * n),
    st.integers(1, 3000).map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
    st.integers(20, 6000).map(lambda n: b'{"update_id":' + b"7" * n + b"}"),
    st.sampled_from(
        [
            b"",
            b"NaN",
            b"[1e999]",
            b'{"a":-Infinity}',
            b"\xef\xbb\xbf{}",
            b'"\\ud800"',
            b"{" * 70,
            b'{"update_id":1,"message":"hi"}',
            b'{"message":{"text":5}}',
            b"\xff\xfe{\x00}",
        ]
    ),
    json_values.map(lambda v: json.dumps(v).encode()),
)

telegram_user = {"id": st.integers(1, 2**40), "is_bot": st.booleans(), "first_name": st.text(max_size=10)}
telegram_message = shaped(
    {
        "message_id": st.integers(1, 2**31),
        "date": st.integers(0, 2**31),
        "chat": shaped(
            {"id": st.integers(-(2**40), 2**40), "type": st.sampled_from(["private", "group", "supergroup"])}
        ),
    },
    {
        "from": shaped(telegram_user, {"language_code": st.sampled_from(["vi", "en", "fr"])}),
        "text": words,
        "caption": st.text(max_size=10),
        "location": shaped({"latitude": st.floats(-90, 90), "longitude": st.floats(-180, 180)}),
        "photo": st.lists(
            shaped(
                {
                    "file_id": st.text(min_size=1, max_size=8),
                    "file_unique_id": st.text(max_size=8),
                    "width": st.integers(1, 99),
                    "height": st.integers(1, 99),
                }
            ),
            max_size=2,
        ),
        "contact": shaped({"phone_number": st.text(max_size=12), "first_name": st.text(max_size=8)}),
    },
)
telegram_update = st.fixed_dictionaries(
    {
        "update_id": st.integers(0, 2**40)
    },  # without one a body is not an update (400): the hostile bodies try that
    optional={
        "message": telegram_message,
        "callback_query": shaped(
            {"id": st.text(max_size=8), "from": shaped(telegram_user), "chat_instance": st.text(max_size=8)},
            {"data": st.text(max_size=20), "message": telegram_message},
        ),
        "my_chat_member": shaped(
            {
                "chat": shaped(
                    {"id": st.integers(-(2**40), 2**40), "type": st.sampled_from(["private", "group"])}
                ),
                "from": shaped(telegram_user),
                "date": st.integers(0, 2**31),
                "old_chat_member": shaped(
                    {"status": st.sampled_from(["left", "member"]), "user": shaped(telegram_user)}
                ),
                "new_chat_member": shaped(
                    {"status": st.sampled_from(["kicked", "member"]), "user": shaped(telegram_user)}
                ),
            }
        ),
    },
)

zalo_bot_update = shaped(
    {
        "event_name": st.sampled_from(
            [
                "message.text.received",
                "message.image.received",
                "message.sticker.received",
                "message.unsupported.received",
            ]
        ),
        "message": shaped(
            {
                "message_id": st.text(max_size=12),
                "date": st.integers(0, 2**45),
                "from": shaped(
                    {
                        "id": st.text(max_size=12),
                        "display_name": st.text(max_size=10),
                        "is_bot": st.booleans(),
                    }
                ),
                "chat": shaped(
                    {"id": st.text(max_size=12), "chat_type": st.sampled_from(["PRIVATE", "GROUP"])}
                ),
            },
            {"text": words, "photo_url": st.just(NOWHERE), "caption": st.text(max_size=10)},
        ),
    }
)
zalo_bot_body = st.one_of(
    zalo_bot_update,
    zalo_bot_update.map(lambda u: {"ok": True, "result": u}),
    st.lists(zalo_bot_update, max_size=2),
)

oa_payload = shaped(
    {},
    {
        "url": st.just(NOWHERE),
        "size": st.one_of(st.integers(), st.text(max_size=8)),
        "name": st.text(max_size=10),
        "coordinates": shaped(
            {"latitude": st.floats(-90, 90).map(str), "longitude": st.floats(-180, 180).map(str)}
        ),
    },
)
oa_event = st.fixed_dictionaries(
    {
        "event_name": either(
            st.sampled_from(
                [
                    "user_send_text",
                    "user_send_image",
                    "user_send_file",
                    "user_send_location",
                    "user_send_audio",
                    "user_send_sticker",
                    "follow",
                    "unfollow",
                    "user_submit_info",
                    "oa_send_text",
                ]
            )
        )
    },
    optional={
        "app_id": either(st.just("3608465248940903967")),
        "sender": shaped({"id": st.text(max_size=19)}),
        "follower": shaped({"id": st.text(max_size=19)}),
        "recipient": shaped({"id": st.text(max_size=19)}),
        "message": shaped(
            {"msg_id": st.text(max_size=19)},
            {
                "text": words,
                "attachments": either(
                    st.lists(
                        shaped(
                            {
                                "type": st.sampled_from(["image", "file", "location", "audio"]),
                                "payload": oa_payload,
                            }
                        ),
                        max_size=2,
                    )
                ),
            },
        ),
    },
)


@pytest.fixture
async def hooks(db_url: str, settings_for: Any) -> AsyncIterator[Hooks]:
    async with webhook_town(settings_for, db_url) as served:
        yield served


def watch(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    caplog.clear()  # the fixture lives across examples: each example looks at its own records


async def check(hooks: Hooks, caplog: pytest.LogCaptureFixture, status: int, what: Any) -> None:
    """The answer was below 500; once the background work is done, nothing was logged at ERROR and /healthz is 200."""
    assert status < 500, (status, what)
    event(f"HTTP {status}")  # shown by --hypothesis-show-statistics: how many examples got past the door
    await hooks.quiet()
    bad = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]
    assert bad == [], (what, bad)
    assert await hooks.healthy()


@FUZZ
@given(update=telegram_update, garbage=st.one_of(st.none(), hostile))
async def test_telegram_webhook(
    hooks: Hooks, caplog: pytest.LogCaptureFixture, update: Any, garbage: bytes | None
) -> None:
    watch(caplog)
    body = garbage if garbage is not None else json.dumps(update).encode()
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
    status, _answer = await hooks.post("/webhook/telegram", body, headers)
    await check(hooks, caplog, status, body[:300])


@FUZZ
@given(update=zalo_bot_body, garbage=st.one_of(st.none(), hostile))
async def test_zalo_bot_webhook(
    hooks: Hooks, caplog: pytest.LogCaptureFixture, update: Any, garbage: bytes | None
) -> None:
    watch(caplog)
    body = garbage if garbage is not None else json.dumps(update).encode()
    headers = {"Content-Type": "application/json", "X-Bot-Api-Secret-Token": hooks.zalo_bot_secret}
    status, _answer = await hooks.post("/webhook/zalo-bot", body, headers)
    await check(hooks, caplog, status, body[:300])


@FUZZ
@given(
    event=oa_event, garbage=st.one_of(st.none(), hostile), signature=st.sampled_from(["good", "bad", "none"])
)
async def test_zalo_oa_webhook(
    hooks: Hooks,
    caplog: pytest.LogCaptureFixture,
    event: dict[str, Any],
    garbage: bytes | None,
    signature: str,
) -> None:
    watch(caplog)
    timestamp = str(int(time.time() * 1000))
    raw = garbage if garbage is not None else json.dumps({**event, "timestamp": timestamp}).encode()
    headers = hooks.oa_signed(raw, timestamp)
    if signature == "bad":
        headers["X-ZEvent-Signature"] = "mac=" + "0" * 64
    elif signature == "none":
        del headers["X-ZEvent-Signature"]
    status, _answer = await hooks.post("/webhook/zalo-oa", raw, headers)
    if signature != "good":
        assert status in (400, 401), status  # nothing gets past the signature
    await check(hooks, caplog, status, raw[:300])


client_id = {"id": either(st.text(max_size=10) | st.integers(0, 2**40))}
chat_body = st.one_of(
    st.fixed_dictionaries({"text": either(words)}, optional=client_id),
    st.fixed_dictionaries(
        {"choice": either(st.text(max_size=20) | st.sampled_from(["lang:vi", "consent:yes"]))},
        optional=client_id,
    ),
    st.fixed_dictionaries(
        {"location": shaped({"latitude": st.floats(-90, 90), "longitude": st.floats(-180, 180)})},
        optional=client_id,
    ),
    st.dictionaries(st.sampled_from(["text", "choice", "location", "id", "x"]), json_values, max_size=4),
)
content_types = st.sampled_from(
    ["application/json"] * 4
    + [
        "application/json; charset=utf-8",
        "text/plain",
        "multipart/form-data",
        "multipart/form-data; boundary=XyZ",
        "application/x-www-form-urlencoded",
        "",
    ]
)
origins = st.sampled_from([None, None, "self", "self", "https://evil.example", "null", "http://127.0.0.1"])


@pytest.fixture
async def browser() -> AsyncIterator[aiohttp.ClientSession]:
    """One browser (one cookie) for every example: a new session per request would meet the new-session limit."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        yield http


@FUZZ
@given(message=chat_body, garbage=st.one_of(st.none(), hostile), ctype=content_types, origin=origins)
async def test_web_chat_post(
    hooks: Hooks,
    browser: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
    message: Any,
    garbage: bytes | None,
    ctype: str,
    origin: str | None,
) -> None:
    watch(caplog)
    body = garbage if garbage is not None else json.dumps(message).encode()
    headers = {"Content-Type": ctype}
    if origin is not None:
        headers["Origin"] = hooks.url if origin == "self" else origin
    async with browser.post(hooks.url + "/api/messages", data=body, headers=headers) as response:
        status, answer = response.status, await response.read()
    if status != 200:
        assert json.loads(answer)["error"], answer  # every refusal says why, in words
    await check(hooks, caplog, status, (body[:200], ctype, origin))


def _holds(text: str) -> bool:
    """Whether the server would take `text` as a wait of some seconds (the example then asks for none)."""
    try:
        value = float(text)
    except ValueError:
        return False
    return math.isfinite(value) and value > 0


@FUZZ
@given(
    query=st.fixed_dictionaries(
        {},
        optional={
            "after": st.one_of(
                st.integers(0, 2**31),
                st.integers(0, 2**31),
                st.integers(0, 2**31),
                st.integers(),
                st.text(max_size=30),
                st.sampled_from(["1e3", "0x10", "NaN", "9" * 40, "-1", " 7 ", "٣"]),
            ),
            "wait": st.one_of(
                st.just(0),
                st.just(0),
                st.floats(),
                st.text(max_size=30),
                st.sampled_from(["nan", "inf", "-1", "1e400", "0.5", "-0"]),
            ),
        },
    )
)
async def test_web_chat_poll(
    hooks: Hooks, browser: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture, query: dict[str, Any]
) -> None:
    watch(caplog)
    params = {key: str(value) for key, value in query.items()}
    if _holds(params.get("wait", "0")):
        params["wait"] = "0"  # a real wait would only slow the test down
    async with browser.get(hooks.url + "/api/messages", params=params) as response:
        status, answer = response.status, await response.json()
    assert ("messages" if status == 200 else "error") in answer
    await check(hooks, caplog, status, params)


# The bounded JSON reader itself ---------------------------------------------------------------------------------


def _depth(value: Any) -> int:
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
    if children is None:
        return 0
    return 1 + max((_depth(child) for child in children), default=0)


tricky_text = st.text(alphabet='[]{}"\\ab\n\u1ea1\U0001f600', max_size=12)
nested = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**19), 10**19) | tricky_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(tricky_text, inner, max_size=3),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, database=None)
@given(value=nested, ascii_only=st.booleans())
def test_nesting_depth_matches_the_parsed_structure(value: Any, ascii_only: bool) -> None:
    raw = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert nesting_depth(raw) == _depth(value)
    if _depth(value) <= 64:
        assert loads(raw) == value
    else:
        with pytest.raises(InputRefused):
            loads(raw)


@settings(max_examples=300, deadline=None, database=None)
@given(raw=hostile)
def test_the_reader_refuses_or_parses_but_never_fails_otherwise(raw: bytes) -> None:
    try:
        loads(raw)
    except InputRefused as refused:
        assert refused.status == 400
