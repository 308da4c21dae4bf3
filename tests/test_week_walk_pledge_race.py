"""Walk W: a household whose two members sign the pledge the same minute from two channels; a group leader on
Telegram reminded of his report while writing a warning."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest

import handlers.pledges.flows.signing as signing
from handlers.pledges.store import active_signature as real
from models.alerts import Alert
from models.pledges import PledgeSignature
from tests.drivers import driver_town
from tests.drivers.telegram import TelegramDriver
from tests.drivers.zalo_bot import ZaloBotDriver
from tests.test_people_do import joined, rows, texts
from tests.test_pledges import JANUARY, address_of, attach, open_campaign
from tests.test_reports import at
from tests.tipster import zalo as zalo  # noqa: F401 - fixture


async def test_two_members_signing_the_same_minute_the_second_is_told_who_signed_not_that_the_system_failed(
    zalo: tuple[Any, ZaloBotDriver], manual_clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defect: Bà Sáu (Zalo Bot) and her son Con (web chat), both confirmed members of Số 121, press "Ký cam kết"
    the same minute; Con's signature is kept, Bà Sáu reads "Xin lỗi, hệ thống vừa gặp sự cố…". She should read
    that her household was just signed by Nguyễn Văn Con (what /camket then says), not a system failure (and
    Con so, when hers is the one kept)."""
    town, ba = zalo
    manual_clock.set(JANUARY)
    admin = await town.join("Chủ tịch", role="ward_admin")
    await open_campaign(admin)
    tam = await town.join("Tâm", role="group_admin")
    await tam.poll()
    con = await town.join("Nguyễn Văn Con")
    await attach(con, tam, town, "so 121", "Số 121,")
    await joined(town, ba)
    await ba.say("/hocuatoi")
    await ba.say(await address_of(town, "Số 121,"))
    await ba.press(next(c for c in ba.choices() if "Số 121," in c))
    await town.drain()
    pushed = await tam.poll()
    tam.seen += pushed
    request = next(m for m in pushed if "Số 121," in m["text"] and m["choices"])
    await tam.press(request["choices"][0]["payload"])
    await town.drain()
    for typed in ("/camket", "1", "1", "Nguyễn Thị Sáu"):
        await ba.say(typed)
    assert "Ký cam kết" in ba.choices()
    await con.say("/camket")
    await con.press("pread:yes")
    await con.press(next(c for c in con.choices() if "Số 121," in c))
    await con.say("Nguyễn Văn Con")

    # Both read "not signed yet" before either is written: what two updates handled at once do.
    arrived, both = [], asyncio.Event()

    async def at_once(session: Any, campaign_id: int, household_id: int) -> Any:
        found = await real(session, campaign_id, household_id)
        arrived.append(1)
        if len(arrived) >= 2:
            both.set()
        try:
            await asyncio.wait_for(both.wait(), 2)
        except TimeoutError:
            pass
        return found

    monkeypatch.setattr(signing, "active_signature", at_once)
    said_ba, said_con = await asyncio.gather(ba.press("Ký cam kết"), con.press("psign:yes"))
    [kept] = await rows(town, PledgeSignature)
    # Either may be written first; the other is told who signed.
    said = texts(said_ba if kept.signer_name == "Nguyễn Văn Con" else said_con)
    assert "sự cố" not in said and f"{kept.signer_name}." in said, said


async def test_checked_the_report_reminder_mid_warning_keeps_the_warning_and_defers_politely(
    db_url: str, settings_for: Any, manual_clock: Any
) -> None:
    """Checked: group leader Tâm on Telegram is writing a warning to his group when the Thursday 17:05 report
    reminder arrives (with its "Gửi báo cáo" button); his next typed words are the warning's body, pressing the
    reminder's button mid-form says to finish the form first (nothing lost), and the warning goes out as written."""
    driver = TelegramDriver(first_name="Tâm")
    async with driver_town(driver, settings_for, db_url, delivery_enabled=False) as town:
        admin = await town.join("Chị Hạnh", role="ward_admin")
        await admin.say("/caidatbaocao")
        await admin.press("rs:done")
        code = await town.invite("group_admin")
        for typed in (f"/start {code}", "tiếng việt", "đồng ý"):
            await driver.say(typed)
        manual_clock.set(datetime.fromisoformat("2026-11-26T16:50:00+07:00"))
        await driver.say("/soancanhbao")
        await driver.press("Trộm cắp, đột nhập")
        await driver.press("Thông tin cần biết")
        await driver.say("Trộm chó ban đêm")
        await at(town, manual_clock, "2026-11-26T17:05:00")
        assert "Nhắc nhở" in texts([driver.fake.messages_to(driver.user_id)[-1]["text"]])
        said = texts(await driver.say("Bà con nhốt chó kỹ, có xe lạ đi ban đêm."))
        assert "ảnh" in said, said
        said = texts(await driver.press("Gửi báo cáo"))
        assert "biểu mẫu đang làm" in said, said
        await driver.press("Không có ảnh")
        await driver.press("Không có liên kết")
        await driver.press("Tổ 3, Khóm 2")
        await driver.press("Gửi ngay")
        await driver.press("Gửi")
        [alert] = await rows(town, Alert)
        assert alert.title == "Trộm chó ban đêm" and "nhốt chó" in alert.body
