"""A camera owner on the Zalo Bot, which cannot send videos to a bot: registers a camera by its address, answers the
police's request with "I have it" and uploads the clip through the one-time web link the bot gives."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from models.cameras import Camera, FootageAsk, FootageClip
from tests.drivers import driver_town
from tests.drivers.zalo_bot import ZaloBotDriver
from tests.test_cameras import rows
from tests.test_hostile_files import GPS, mp4_with_gps
from tests.test_tips import fetch, poll, texts

LINK = re.compile(r"https?://\S+/camera/upload/[A-Za-z0-9_-]+")


async def test_an_owner_on_zalo_uploads_through_the_one_time_link(db_url: str, settings_for: Any) -> None:
    zalo = ZaloBotDriver(user_id="zb-cam-1", display_name="Tiệm Phúc")
    async with driver_town(zalo, settings_for, db_url) as town:
        officer = await town.join("Công an Minh", role="police")
        code = await town.invite("resident")
        await zalo.say(f"/start {code}")
        await zalo.press("Tiếng Việt")
        await zalo.press("Tôi đồng ý")
        await zalo.say("/camera")
        await zalo.say("25 Lê Lợi, khóm 2")
        await zalo.say("Vỉa hè trước tiệm và lòng đường")
        await zalo.press("Có, ban đêm vẫn ghi")
        await zalo.press("7 ngày")
        assert "đã được đăng ký" in "\n".join(await zalo.press("Lưu"))
        [camera] = await rows(town, Camera)

        await officer.say("/xincamera")
        await officer.say("trước số 25 Lê Lợi")
        await officer.press("camp:radius:100")
        listed = texts(await officer.press("camp:window:6"))
        assert f"Camera {camera.id} — cùng đường" in listed, listed
        await officer.press(f"camp:owner:{camera.owner_person_id}")
        await officer.press("camp:owners")
        await officer.say("Xác định người đi xe máy gây tai nạn rồi bỏ chạy")
        await officer.press("camp:send:yes")
        await town.drain()
        assert "gây tai nạn" in "\n".join(str(m.get("text")) for m in zalo.sent()[-1:])

        replies = "\n".join(await zalo.press("Tôi có"))
        found = LINK.search(replies)
        assert found, replies
        async with aiohttp.ClientSession() as http:
            form = aiohttp.FormData()
            form.add_field("file", mp4_with_gps(), filename="clip.mp4", content_type="video/mp4")
            assert (
                town.server is not None
            )  # the link names ANDAN_PUBLIC_URL; here the server has its own port
            upload = town.server.url + urlsplit(found.group(0)).path
            async with http.post(upload, data=form) as response:
                assert response.status == 200

        [ask] = await rows(town, FootageAsk)
        [clip] = await rows(town, FootageClip)
        assert clip.ask_id == ask.id and clip.stripped
        await town.drain()
        assert "1 tệp" in texts(await poll(officer))
        replies = await officer.press(f"camp:ask:{ask.id}")
        [media] = [m for r in replies for m in r.get("media", [])]
        assert GPS.encode() not in await fetch(officer, media["url"])
