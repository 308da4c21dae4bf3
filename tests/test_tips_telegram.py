"""The anonymous journey with the tipster on Telegram: a photo and a location, a police reply (from the web chat)
that reaches the Telegram chat through the sealed route, and follow-up by receipt code from the web chat."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from models import TipAttachment
from tests.databases import DEMO_WARD
from tests.drivers import driver_town
from tests.drivers.telegram import TelegramDriver
from tests.test_tips import CODE, photo_with_exif, poll, texts, tip_rows


async def test_telegram_tipster_gets_police_reply_and_follows_up_from_the_web(
    db_url: str, settings_for: Any
) -> None:
    telegram = TelegramDriver(user_id=7770001, first_name="Bảy")
    async with driver_town(telegram, settings_for, db_url) as town:
        officer = await town.join("Officer", role="police")
        code = await town.invite("resident")
        await telegram.say(f"/start {code}")
        await telegram.press("Tiếng Việt")
        await telegram.press("Tôi đồng ý")

        await telegram.say("/tip")
        await telegram.press("Trộm cắp")
        await telegram.say("Trộm xe đạp ở nhà xe chung cư, tầng trệt")
        replies = await telegram.inject(
            lambda: telegram.fake.user_photo(telegram.user_id, photo_with_exif(), caption="camera nhà tôi")
        )
        assert "1 tệp" in "\n".join(replies)
        await telegram.inject(lambda: telegram.fake.user_location(telegram.user_id, 10.46, 105.64))
        await telegram.press("Xong")
        await town.restart()
        await telegram.press("Bỏ qua")
        await telegram.press("Hôm nay")
        await telegram.press("Phường Cao Lãnh")
        await telegram.press("Ẩn danh")
        await telegram.press("Có, cho phép trả lời")
        sent = "\n".join(await telegram.press("Gửi cho công an"))
        receipt = CODE.search(sent).group(0)  # type: ignore[union-attr]
        [tip] = await tip_rows(town)
        assert tip.person_id is None and tip.latitude == 10.46 and tip.ward_code == DEMO_WARD
        async with town.app.db.session() as session:
            [attachment] = (await session.exec(select(TipAttachment))).all()
        assert attachment.stripped

        await town.drain()
        await poll(officer)
        await officer.press(f"tipp:open:{tip.id}")
        await officer.press(f"tipp:ack:{tip.id}")
        await officer.press(f"tipp:reply:{tip.id}")
        await officer.say("Đã nhận, tối nay sẽ có tổ tuần tra.")
        index = len(telegram.fake.requests)
        await town.drain()
        reached = "\n".join(telegram.sent_since(index))
        assert "đã nhận được tin báo số" in reached and "tổ tuần tra" in reached

        browser = await town.person("Trình duyệt")
        replies = await browser.say(f"/status {receipt}")
        assert "tổ tuần tra" in texts(replies)
        await browser.press("tstat:add")
        await browser.say("Kẻ trộm mặc áo khoác đen")
        await browser.press("tadd:send")
        await town.drain()
        await poll(officer)
        replies = await officer.press(f"tipp:open:{tip.id}")
        assert "áo khoác đen" in texts(replies)
