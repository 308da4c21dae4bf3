"""A police alert reaches residents on the web chat, Telegram and Zalo, and a Telegram resident acknowledges it."""

from __future__ import annotations

from typing import Any

from handlers.alerts.store import acks_by_group
from tests.conftest import Town
from tests.drivers.telegram import TelegramDriver
from tests.drivers.zalo_bot import ZaloBotDriver
from tests.test_alerts_steps import acknowledge, alerts_in, group_id, latest_alert, send


async def join_on(driver: Any, town: Town, group: str) -> None:
    code = await town.invite("resident", "Khóm 2", group)
    await driver.say(f"/start {code}")
    await driver.press("Tiếng Việt")
    await driver.press("Tôi đồng ý")


async def test_police_alert_reaches_residents_on_three_channels(db_url, settings_for, manual_clock) -> None:  # type: ignore[no-untyped-def]
    telegram = TelegramDriver(user_id=5550011, first_name="Bình")
    zalo = ZaloBotDriver(user_id="zb-cuong", display_name="Cường")
    town = Town(settings_for(db_url, **{**await telegram.serve(), **await zalo.serve()}))
    try:
        await town.start()
        await telegram.start(town)
        await zalo.start(town)
        police = await town.join("Công an Hùng", role="police")
        lan = await town.join("Lan", group="Tổ 3")
        await join_on(telegram, town, "Tổ 3")
        await join_on(zalo, town, "Tổ 5")

        telegram_seen, zalo_seen = len(telegram.fake.requests), len(zalo.sent())
        await send(
            police,
            title="Giả danh nhân viên điện lực",
            severity="important",
            body="Kẻ gian gọi báo cắt điện, yêu cầu chuyển tiền qua số tài khoản lạ.",
        )
        await town.drain()
        assert any("Giả danh nhân viên điện lực" in t for t in telegram.sent_since(telegram_seen))
        zalo_texts = [str(m.get("text") or "") for m in zalo.sent()[zalo_seen:]]
        assert any("Giả danh nhân viên điện lực" in t for t in zalo_texts)
        assert any("Tôi đã đọc" in t for t in zalo_texts)  # numbered choice where there are no buttons
        web_alert = alerts_in(await lan.poll())
        assert len(web_alert) == 1

        replies = await telegram.press("Tôi đã đọc")
        assert any("Cảm ơn anh/chị đã đọc" in t for t in replies)
        replies = await zalo.press("Tôi đã đọc")  # typed as its number: Zalo Bot has no buttons
        assert any("Cảm ơn anh/chị đã đọc" in t for t in replies)
        await acknowledge(lan, web_alert[0])
        alert = await latest_alert(town)
        async with town.app.db.session() as session:  # type: ignore[union-attr]
            assert await acks_by_group(session, alert.id) == {
                await group_id(town, "Khóm 2", "Tổ 3"): 2,
                await group_id(town, "Khóm 2", "Tổ 5"): 1,
            }
    finally:
        await town.close()
        await telegram.stop()
        await zalo.stop()
