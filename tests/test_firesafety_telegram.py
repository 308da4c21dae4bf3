"""On Telegram, through python-telegram-bot against the fake Bot API: a household signs the pledge and, in the
same sitting, the fire-safety checklist offered right after it."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from models.fire_safety import FireSafetyChecklist
from tests.drivers import driver_town
from tests.drivers.telegram import TelegramDriver
from tests.test_pledges import JANUARY, address_of, open_campaign


async def test_pledge_and_checklist_in_one_sitting_on_telegram(db_url, settings_for, manual_clock) -> None:  # type: ignore[no-untyped-def]
    telegram = TelegramDriver(user_id=5550077, first_name="Hoa")
    async with driver_town(telegram, settings_for, db_url) as town:
        ward_admin = await town.join("Chủ tịch", role="ward_admin")
        tam = await town.join("Tâm", role="group_admin")
        await open_campaign(ward_admin)
        manual_clock.set(JANUARY)

        code = await town.invite("resident")
        await telegram.say(f"/start {code}")
        await telegram.press("Tiếng Việt")
        await telegram.press("Tôi đồng ý")
        await telegram.say("/hocuatoi")
        await telegram.say(await address_of(town, "Số 121,"))
        await telegram.press(next(c for c in telegram.choices() if "Số 121," in c))
        await town.drain()
        pushed = await tam.poll()
        await tam._post(
            json={"choice": next(m for m in pushed if "Số 121," in m["text"])["choices"][0]["payload"]}
        )
        await town.drain()

        await telegram.say("/camket")
        await telegram.press("pread:yes")
        await telegram.press(next(c for c in telegram.choices() if "Số 121," in c))
        await telegram.say("Lê Thị Hoa")
        sent = await telegram.press("psign:yes")
        assert any("PCCC" in text for text in sent), sent
        assert telegram.choices() == ["Kê khai phiếu an toàn PCCC"]

        sent = await telegram.press("Kê khai phiếu an toàn PCCC")
        assert any("4 kg" in text for text in sent), sent
        await telegram.press("fsa:extinguisher:yes")
        sent = await telegram.say("hết hạn rồi")
        assert any("không đọc được" in text for text in sent), sent
        await telegram.say("31/12/2027")
        await telegram.press("Có")  # smoke alarm
        await telegram.press("Có")  # escape route
        await telegram.press("Có")  # electrical check
        await telegram.press("Có, đã kiểm tra")  # gas
        await telegram.press("Không")  # no shop: no second-exit question
        sent = await telegram.press("Ký phiếu")
        assert any("Đã ký" in text and "31/12/2027" in text for text in sent), sent

        async with town.app.db.session() as session:
            [row] = (await session.exec(select(FireSafetyChecklist))).all()
        assert (row.extinguisher_expires_on, row.gas, row.has_shop, row.second_exit) == (
            date(2027, 12, 31),
            "checked",
            False,
            None,
        )
