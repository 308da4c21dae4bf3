"""Walker H: a hostile client on the platform webhooks (Telegram, Zalo Bot, Zalo OA), at the HTTP level.

What the body of a request can do before anyone knows who sent it: a compressed body that inflates a thousandfold,
a compressed body that is broken, a body that never ends. Each of these reaches the Zalo OA webhook without any
secret (its signature can only be checked once the body is in), and the first one every webhook.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.test_bad_http import JSON_HEADERS, TG_SECRET, Hooks, webhook_town

FORGED_OA = {**JSON_HEADERS, "X-ZEvent-Signature": "mac=" + "0" * 64}
BODY_SECONDS = 2.0  # ANDAN_REQUEST_BODY_SECONDS in these tests: short, so a trickled body is cut off quickly


@pytest.fixture
async def hooks(db_url: str, settings_for: Any) -> AsyncIterator[Hooks]:
    async with webhook_town(settings_for, db_url, request_body_seconds=BODY_SECONDS) as served:
        yield served


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        f"{r.name}: {r.getMessage()} {r.exc_info[1]!r}" if r.exc_info else f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.ERROR
    ]


def gzip_bomb(megabytes: int) -> bytes:
    """A gzip body of about megabytes/1000 MB that inflates to `megabytes` MB of JSON-looking text."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [packer.compress(b'{"update_id":1,"timestamp":"1","pad":"')]
    block = b"0" * (1024 * 1024)
    parts += [packer.compress(block) for _ in range(megabytes)]
    parts += [packer.compress(b'"}'), packer.flush()]
    return b"".join(parts)


async def healthz_seconds(hooks: Hooks) -> float:
    started = time.monotonic()
    async with aiohttp.ClientSession() as http, http.get(hooks.url + "/healthz") as response:
        await response.read()
        assert response.status == 200
    return time.monotonic() - started


@pytest.mark.parametrize(
    "path, headers",
    [
        ("/webhook/telegram", JSON_HEADERS),  # no secret at all: refused before the body is needed
        ("/webhook/zalo-bot", JSON_HEADERS),  # the same
        ("/webhook/zalo-oa", FORGED_OA),  # anyone may write a signature header
        ("/api/messages", JSON_HEADERS),  # the web chat reads its bodies the same way
    ],
    ids=["telegram-no-secret", "zalo-bot-no-secret", "zalo-oa-forged", "web-chat"],
)
async def test_a_small_gzip_body_that_inflates_to_gigabytes_does_not_stall_the_server(
    hooks: Hooks, caplog: pytest.LogCaptureFixture, path: str, headers: dict[str, str]
) -> None:
    """Defect: anyone posts 1.5 MB with "Content-Encoding: gzip" to a webhook (no secret needed: on Telegram and
    the Zalo Bot it is refused 401 before the body is read, on the Zalo OA the signature is forged); the body
    inflates to 1.5 GB, and the server, inflating it on the event loop (aiohttp's automatic request decompression,
    also while discarding the unread body of a refused request), answers nobody for seconds (a 3 MB body stalled
    /healthz 7 s). No platform compresses its webhook bodies: a compressed body is refused (415) without being
    inflated, and the server never inflates request bodies (aiohttp `auto_decompress`)."""
    caplog.set_level(logging.WARNING)
    bomb = gzip_bomb(1500)
    assert len(bomb) < 2 * 1024 * 1024
    posting = asyncio.create_task(hooks.post(path, bomb, {**headers, "Content-Encoding": "gzip"}))
    await asyncio.sleep(0.05)  # the upload is under way
    waited = await healthz_seconds(hooks)
    status, _answer = await posting
    await asyncio.sleep(0.2)
    waited = max(waited, await healthz_seconds(hooks))  # the refused body's remainder is drained afterwards
    assert 400 <= status < 500, status
    assert waited < 0.5, f"/healthz waited {waited:.1f} s behind one compressed request"
    assert errors(caplog) == []


async def test_a_broken_gzip_body_is_a_4xx_not_a_server_error(
    hooks: Hooks, caplog: pytest.LogCaptureFixture
) -> None:
    """Defect: a body marked "Content-Encoding: gzip" that is not gzip was answered 500 with two ERROR lines and a
    traceback (aiohttp RequestPayloadError: "Can not decode content-encoding: gzip"): on the Zalo OA webhook by
    anyone, on Telegram and the Zalo Bot by whoever holds the secret. Every client error is a 4xx."""
    caplog.set_level(logging.WARNING)
    broken = b"\x1f\x8b\x08\x00garbage-that-is-not-deflate" * 4
    cases = [
        ("/webhook/zalo-oa", FORGED_OA),
        ("/webhook/telegram", {**JSON_HEADERS, "X-Telegram-Bot-Api-Secret-Token": TG_SECRET}),
        ("/webhook/zalo-bot", {**JSON_HEADERS, "X-Bot-Api-Secret-Token": hooks.zalo_bot_secret}),
        ("/api/messages", JSON_HEADERS),
    ]
    statuses = {}
    for path, headers in cases:
        statuses[path], _ = await hooks.post(path, broken, {**headers, "Content-Encoding": "gzip"})
    assert all(400 <= s < 500 for s in statuses.values()), statuses
    assert errors(caplog) == []
    assert await hooks.healthy()


async def trickle(hooks: Hooks, head: bytes) -> tuple[float, bytes]:
    """Send `head` and a chunked body of one byte a second; how long the server waited, and what it answered."""
    reader, writer = await asyncio.open_connection("127.0.0.1", hooks.port)
    writer.write(head + b"Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n")
    started = time.monotonic()
    answer = b""
    try:
        while time.monotonic() - started < BODY_SECONDS + 8:
            try:
                writer.write(b"1\r\n \r\n")
                await writer.drain()
            except (ConnectionError, OSError):
                break  # the server hung up on us: cut off
            try:
                answer = await asyncio.wait_for(reader.read(200), 1.0)
                break  # an answer (or EOF: b"")
            except TimeoutError:
                continue
    finally:
        writer.close()
    return time.monotonic() - started, answer


@pytest.mark.parametrize(
    "head",
    [
        b"POST /webhook/zalo-oa HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-ZEvent-Signature: mac=0\r\n",
        b"POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n",
    ],
    ids=["zalo-oa", "web-chat"],
)
async def test_a_body_that_never_ends_is_cut_off(
    hooks: Hooks, caplog: pytest.LogCaptureFixture, head: bytes
) -> None:
    """Defect: anyone opens a POST to /webhook/zalo-oa with any "X-ZEvent-Signature" header and a chunked body,
    then sends one byte a second, forever. The server waited for the end of the body with no time limit (checked
    for 20 s), buffering up to ANDAN_WEBHOOK_MAX_KB per connection: a few thousand such connections hold the
    process's sockets and memory. A body not complete within ANDAN_REQUEST_BODY_SECONDS is answered 408, on the
    webhooks and the web chat API alike."""
    caplog.set_level(logging.WARNING)
    held, answer = await trickle(hooks, head)
    assert held <= BODY_SECONDS + 2, f"a trickled body was still being waited for after {held:.0f} s"
    assert answer.startswith(b"HTTP/1.1 408"), answer[:40]
    assert errors(caplog) == []
