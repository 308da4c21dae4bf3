"""A camera owner on Telegram: registers a camera by sharing its location, gets the police's request pushed to the
Telegram chat, answers "I have it" and sends the video as a document; the officer (web chat) receives the copy
without its GPS position."""

from __future__ import annotations

from typing import Any

from models.cameras import Camera, FootageAsk, FootageClip
from tests.drivers import driver_town
from tests.drivers.telegram import TelegramDriver
from tests.test_cameras import TIP_PLACE, rows
from tests.test_hostile_files import GPS, mp4_with_gps
from tests.test_tips import fetch, poll, texts


async def test_an_owner_on_telegram_registers_a_camera_and_sends_footage(
    db_url: str, settings_for: Any
) -> None:
    telegram = TelegramDriver(user_id=7780001, first_name="Hòa")
    async with driver_town(telegram, settings_for, db_url) as town:
        officer = await town.join("Công an Minh", role="police")
        code = await town.invite("resident")
        await telegram.say(f"/start {code}")
        await telegram.press("Tiếng Việt")
        await telegram.press("Tôi đồng ý")

        assert "Camera ở đâu" in "\n".join(await telegram.say("/camera"))
        await telegram.inject(lambda: telegram.fake.user_location(telegram.user_id, *TIP_PLACE))
        await telegram.say("Cổng chợ, nhìn ra ngã ba")
        await telegram.press("Không, chỉ ban ngày")
        await telegram.press("15 ngày")
        assert "đã được đăng ký" in "\n".join(await telegram.press("Lưu"))
        [camera] = await rows(town, Camera)
        assert camera.latitude == TIP_PLACE[0] and not camera.records_at_night and camera.keep_days == 15

        await officer.say("/xincamera")
        await officer.send_location(*TIP_PLACE)
        await officer.press("camp:radius:50")
        listed = texts(await officer.press("camp:window:12"))
        assert f"Camera {camera.id} — 0 m" in listed, listed
        await officer.press(f"camp:owner:{camera.owner_person_id}")
        await officer.press("camp:owners")
        await officer.say("Cướp giật điện thoại ở ngã ba")
        await officer.press("camp:send:yes")

        index = len(telegram.fake.requests)
        await town.drain()
        pushed = "\n".join(telegram.sent_since(index))
        assert "Cướp giật điện thoại" in pushed and "Tôi có" in telegram.choices()
        await telegram.press("Tôi có")
        replies = await telegram.inject(
            lambda: telegram.fake.user_document(
                telegram.user_id, mp4_with_gps(), file_name="DVR_export.mp4", mime_type="video/mp4"
            )
        )
        assert "1 tệp" in "\n".join(replies)
        assert "Cảm ơn" in "\n".join(await telegram.press("Xong"))

        [ask] = await rows(town, FootageAsk)
        [clip] = await rows(town, FootageClip)
        assert clip.ask_id == ask.id and clip.kind == "video" and clip.stripped
        await town.drain()
        assert "1 tệp" in texts(await poll(officer))
        replies = await officer.press(f"camp:ask:{ask.id}")
        [media] = [m for r in replies for m in r.get("media", [])]
        video = await fetch(officer, media["url"])
        assert b"\xa9xyz" not in video and GPS.encode() not in video
