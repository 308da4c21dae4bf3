"""The one-time upload link of a camera owner (for chat apps that cannot send videos): the token is checked before
the body is read, a 2 GB upload gets 413 without being read, a body streamed past the limit gets 413 too, the
link works once, and what arrives is cleaned for the police like any clip."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest

from handlers.cameras import ticks
from models.cameras import AskStatus, Camera, FootageAsk, FootageClip
from tests.conftest import Town
from tests.test_cameras import LINK, TIP_PLACE, register, rows
from tests.test_hostile_files import GPS, mp4_with_gps
from tests.test_tips import fetch, poll, texts


@pytest.fixture
async def small_town(db_url: str, settings_for: Any) -> AsyncIterator[Town]:
    place = Town(settings_for(db_url, camera_clip_max_mb=1))
    await place.start()
    try:
        yield place
    finally:
        await place.close()


async def asked(town: Town) -> tuple[Any, Any, FootageAsk, str]:
    """An owner asked for footage who pressed "I have it": (owner, officer, the ask, the upload link)."""
    owner = await town.join("Chủ tiệm")
    officer = await town.join("Công an Minh", role="police")
    await register(owner, TIP_PLACE, "Mặt tiền tiệm")
    await officer.say("/xincamera")
    await officer.send_location(*TIP_PLACE)
    await officer.press("camp:radius:100")
    await officer.press("camp:window:6")
    [owner_id] = {c.owner_person_id for c in await rows(town, Camera)}
    await officer.press(f"camp:owner:{owner_id}")
    await officer.press("camp:owners")
    await officer.say("Cần xác định xe gây tai nạn")
    await officer.press("camp:send:yes")
    await town.drain()
    await poll(owner)
    [ask] = await rows(town, FootageAsk)
    replies = await owner.press(f"camans:{ask.id}:have")
    found = LINK.search(texts(replies))
    assert found, texts(replies)
    return owner, officer, ask, urlsplit(found.group(0)).path


async def raw_post(town: Town, path: str, headers: dict[str, str], body: bytes = b"") -> int:
    """Send a request's head (and `body`, not necessarily all the Content-Length says) and read the status."""
    assert town.server is not None
    host = urlsplit(town.server.url)
    reader, writer = await asyncio.open_connection(host.hostname, host.port)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    writer.write(f"POST {path} HTTP/1.1\r\nHost: {host.netloc}\r\n{head}\r\n".encode() + body)
    await writer.drain()
    async with asyncio.timeout(10):
        status_line = await reader.readline()
    writer.close()
    return int(status_line.split()[1])


async def test_a_2gb_upload_is_refused_unread_and_a_streamed_one_past_the_limit_too(small_town: Town) -> None:
    town = small_town
    _owner, _officer, ask, path = await asked(town)

    # 2 GB announced: 413 at once, while not one byte of the body was sent.
    status = await raw_post(
        town,
        path,
        {"Content-Type": "multipart/form-data; boundary=b", "Content-Length": str(2 * 1024**3)},
    )
    assert status == 413

    # No Content-Length (chunked): refused while streaming, once past the 1 MB limit.
    async def body() -> AsyncIterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n'
        yield b"Content-Type: video/mp4\r\n\r\n"
        for _ in range(40):
            yield b"\0" * 64 * 1024
        yield b"\r\n--b--\r\n"

    assert town.server is not None
    async with aiohttp.ClientSession() as http:
        try:
            async with http.post(
                town.server.url + path,
                data=body(),
                headers={"Content-Type": "multipart/form-data; boundary=b"},
            ) as response:
                assert response.status == 413
        except aiohttp.ClientError:
            pass  # the server may close the connection while the client is still sending: nothing was kept
    assert await rows(town, FootageClip) == []
    [still] = await rows(town, FootageAsk)
    assert still.upload_used_at is None  # the link still works for a file within the limit

    # A wrong token is refused before the body is read, whatever its size.
    status = await raw_post(
        town,
        "/camera/upload/" + "x" * 32,
        {"Content-Type": "multipart/form-data; boundary=b", "Content-Length": str(2 * 1024**3)},
    )
    assert status == 404


async def test_the_link_works_once_the_police_copy_has_no_gps_and_evidence_is_kept(
    town: Town, manual_clock: Any
) -> None:
    owner, officer, ask, path = await asked(town)
    assert town.server is not None
    async with aiohttp.ClientSession() as http:
        async with http.get(town.server.url + path) as page:
            assert page.status == 200 and "một lần" in await page.text()
        form = aiohttp.FormData()
        form.add_field("file", mp4_with_gps(), filename="VID_0001.mp4", content_type="video/mp4")
        async with http.post(town.server.url + path, data=form) as done:
            assert done.status == 200 and "Cảm ơn" in await done.text()
        again = aiohttp.FormData()
        again.add_field("file", mp4_with_gps(), filename="VID_0002.mp4", content_type="video/mp4")
        async with http.post(town.server.url + path, data=again) as spent:
            assert spent.status == 404
        async with http.get(town.server.url + path) as page:
            assert page.status == 404

    [clip] = await rows(town, FootageClip)
    [answered] = await rows(town, FootageAsk)
    assert answered.status == AskStatus.HAVE and clip.stripped
    await town.drain()
    assert "1 tệp" in texts(await poll(officer))
    replies = await officer.press(f"camp:ask:{ask.id}")
    [media] = [m for r in replies for m in r.get("media", [])]
    video = await fetch(officer, media["url"])
    assert b"\xa9xyz" not in video and GPS.encode() not in video

    # Marked as evidence: kept beyond the retention period, when other clips are deleted.
    assert "chứng cứ" in texts(await officer.press(f"camp:evidence:{clip.id}"))
    manual_clock.advance(timedelta(days=town.settings.camera_clip_retention_days + 1))
    await ticks.purge(town.app)
    [kept] = await rows(town, FootageClip)
    assert kept.evidence and kept.purged_at is None and kept.police_ref is not None
    assert await town.app.media.get(kept.police_ref) is not None
