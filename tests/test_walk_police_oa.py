"""Walk P on the Zalo OA: part of the week Minh, the ward police officer of Phường Cao Lãnh, works from the ward's
Official Account on his phone, where at most five choices are buttons and the rest numbered lines, and he types more
than he presses ("xac nhan", "hoi them", "tra loi", "xong"). Bà Sáu sends her anonymous tip on the same OA and goes
quiet for a week; Minh himself is away for a week and comes back.

Each test was written failing, against the defects its docstring names, before the fix (handlers/tips,
handlers/reports).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from models import OutboxMessage, OutboxStatus, Tip
from tests.drivers import driver_town
from tests.drivers.zalo_oa import ZaloOADriver
from tests.fakes import FakeZaloOA
from tests.test_people_do import rows
from tests.test_reports import at, quiet_week_reported
from tests.test_tips import CODE, photo_with_exif, poll, quick_tip
from tests.test_tips_rewards import CLAIM

MONDAY = datetime.fromisoformat("2026-11-23T09:00:00+07:00")
MARKER = "Sau Canary"  # the display name Zalo gives the bot for bà Sáu: it must never reach the officer


def said(replies: list[str]) -> str:
    return "\n".join(replies)


def since(person: ZaloOADriver, mark: int) -> str:
    return "\n".join(str(m.get("text") or "") for m in person.sent()[mark:])


def quiet(person: ZaloOADriver, manual_clock: Any, days: int) -> None:
    """Nobody writes for `days` days: the bot's clock and Zalo's record of the person's last message move together."""
    manual_clock.advance(timedelta(days=days))
    person.fake.interactions[person.user_id] -= days * 86400


@pytest.fixture
async def oa(
    db_url: str, settings_for: Any, manual_clock: Any
) -> AsyncIterator[tuple[Any, ZaloOADriver, ZaloOADriver]]:
    """The demo ward's OA with Minh (police, joined by typing) and bà Sáu (not joined yet); pushes go out only
    through `town.drain()`."""
    manual_clock.set(MONDAY)
    fake = FakeZaloOA()
    minh = ZaloOADriver(user_id="4410000000000000900", fake=fake)
    sau = ZaloOADriver(user_id="4410000000000000901", fake=fake)
    await fake.start()
    try:
        async with driver_town(minh, settings_for, db_url, delivery_enabled=False) as town:
            await sau.start(town)
            code = await town.invite("police", None, None)
            await minh.say(f"/thamgia {code}")
            await minh.say("tieng viet")
            assert "cán bộ công an" in said(await minh.say("dong y"))
            yield town, minh, sau
    finally:
        await fake.stop()


async def drained(town: Any, person: ZaloOADriver) -> str:
    mark = len(person.sent())
    await town.drain()
    return since(person, mark)


async def sau_sends_her_tip(town: Any, sau: ZaloOADriver) -> str:
    """Bà Sáu joins and types her tip as she says it, a photo without a caption in the middle; her receipt code."""
    code = await town.invite("resident")
    for typed in (f"/thamgia {code}", "tieng viet", "dong y", "co nguoi ban ma tuy o hem 5"):
        await sau.say(typed)
    assert "Báo tin cho công an" in sau.choices()
    await sau.say("1")
    await sau.send_photo(photo_with_exif(artist=MARKER))
    for typed in ("co", "xong", "hem 5 Le Loi", "thuong xuyen", "1", "an danh", "co"):
        await sau.say(typed)
    found = CODE.search(said(await sau.say("gui")))
    assert found, "no receipt code"
    return found.group(0)


# 1. A tip worked by typing ------------------------------------------------------------------------------------
async def test_the_officer_on_zalo_works_a_tip_by_typing_and_a_quiet_tipsters_reply_waits(
    oa: tuple[Any, ZaloOADriver, ZaloOADriver], manual_clock: Any
) -> None:
    """Minh types "xem tin bao moi", "1", "xac nhan", "hoi them" and his question; a week later "tra loi" and his
    reply, which Zalo refuses (bà Sáu has not written since): it waits, and the card says so; then "xong".

    Defects: (1) "hoi them" under "Đề nghị cung cấp thêm" and "tra loi" under "Trả lời người báo tin" were "Xin lỗi,
    tôi chưa hiểu", and the question he then typed was offered back to him as a tip to send
    (handlers/tips/buttons.py). (2) The card said "Zalo chỉ cho An Dân nhắn cho một người trong vài ngày…": it told
    the police which chat app the anonymous tipster uses (handlers/tips/flows/police.py)."""
    town, minh, sau = oa
    await sau_sends_her_tip(town, sau)
    assert "Tin báo mới số 1" in await drained(town, minh)

    listed = said(await minh.say("xem tin bao moi"))
    assert "Tin báo (Mới): 1 tin" in listed, listed
    card = said(await minh.say("1"))
    assert "co nguoi ban ma tuy o hem 5" in card and "hem 5 Le Loi" in card, card
    assert "Người báo tin sẽ nhận được" in said(await minh.say("xac nhan"))
    assert "Nhập câu hỏi" in said(await minh.say("hoi them"))
    assert "Đã lưu vào tin báo số 1" in said(await minh.say("Nguoi ban dung dau hem hay cuoi hem? May gio?"))
    question = await drained(town, sau)
    assert "dau hem hay cuoi hem" in question and "Trả lời" in sau.choices(), question
    assert "Đã gửi câu trả lời" in said(await sau.say("Cuoi hem, tam 9 gio toi"))

    quiet(sau, manual_clock, 8)
    await minh.say("/tinbao")
    await minh.say("1")
    assert "Nhập nội dung trả lời" in said(await minh.say("tra loi"))
    await minh.say("Cam on ba, to tuan tra se de y hem 5 buoi toi.")
    assert "to tuan tra" not in await drained(town, sau)  # refused by Zalo: the window closed
    [held] = [r for r in await rows(town, OutboxMessage) if r.kind == "tip_notice" and r.status == "held"]
    assert held.chat_id is None
    await minh.say("/tinbao")
    card = said(await minh.say("1"))
    assert "Chưa gửi được: 1 tin nhắn" in card and "Zalo" not in card, card
    assert "Cuoi hem, tam 9 gio toi" in card, card

    asked = said(await minh.say("xong"))
    assert "Vì sao tin báo số 1 đã giải quyết" in asked, asked
    assert "đã giải quyết" in said(await minh.say("Da bat qua tang, lap bien ban chuyen Cong an tinh"))
    await sau.say("chao chu")
    got = await drained(town, sau)
    assert "to tuan tra" in got and "đã được xử lý" in got, got

    seen = "\n".join(str(m) for m in minh.sent())
    assert MARKER not in seen and sau.user_id not in seen
    [tip] = await rows(town, Tip)
    assert tip.status == "resolved" and tip.person_id is None


# 2. Back after a week away ------------------------------------------------------------------------------------
async def test_back_after_a_week_the_officer_hears_of_the_tips_that_came_and_reads_the_reports_in_words(
    oa: tuple[Any, ZaloOADriver, ZaloOADriver], manual_clock: Any
) -> None:
    """Minh does not write to the OA for eight days. A tip comes meanwhile; Tổ 4's leader misses Friday's report.
    Back on Monday he writes "chao", asks "to nao chua nop bao cao" and checks a reward's claim code.

    Defect: the push "Tin báo mới số 1" to Minh was refused by Zalo (his window had closed) and dropped: his next
    message brought nothing, and he heard of the tip only by opening /tinbao (handlers/tips/notify.py)."""
    town, minh, _sau = oa
    admin = await town.join("Chị Hạnh", role="ward_admin")
    tam = await town.join("Anh Tâm", role="group_admin", group="Tổ 3")
    await town.join("Anh Bảo", role="group_admin", group="Tổ 4")
    lan = await town.join("Lan")
    await admin.say("/caidatbaocao")
    await admin.press("rs:done")
    quiet(minh, manual_clock, 4)  # Friday 27/11, 09:00
    await at(town, manual_clock, "2026-11-27T10:00:00")
    await quiet_week_reported(tam)
    await at(town, manual_clock, "2026-11-27T17:05:00")
    receipt = await quick_tip(lan, "Nhóm thanh niên đánh bạc ở quán cà phê số 7 mỗi tối.", "gambling")
    quiet(minh, manual_clock, 4)  # Tuesday 01/12: eight days since he last wrote
    assert "Tin báo mới số 1" not in await drained(town, minh)

    said_back = await minh.say("chao")
    got = said(said_back) + "\n" + await drained(town, minh)
    assert "Tin báo mới số 1" in got, got
    [new] = [r for r in await rows(town, OutboxMessage) if r.kind == "tip_new"]
    assert new.status == OutboxStatus.SENT

    await minh.say("to nao chua nop bao cao")
    assert minh.choices()[0] == "Báo cáo của các tổ", minh.choices()
    await minh.say("1")
    overview = said(await minh.say("Kỳ kết thúc 27/11/2026"))
    assert "• Tổ 4, Khóm 2" in overview and "mục khác" not in overview, overview
    assert "38 tổ chưa có tổ trưởng" in overview, overview
    await minh.say("/huy")

    # A reward: the claim code the person shows is typed, letters in lower case, groups apart.
    await minh.say("/tinbao")
    await minh.say("1")
    await minh.say("tin co gia tri, khen thuong")
    await minh.say("ghi quyet dinh khen thuong")
    await minh.say("2 trieu")
    await minh.say("15/QĐ-CAP")
    assert "2.000.000 đồng" in said(await minh.say("hom nay"))
    await minh.say("luu")
    await town.drain()
    await poll(lan)
    await lan.say(f"/tracuu {receipt}")
    await lan.press("trwt:open")
    await lan.press("trwt:way:code")
    claim = CLAIM.search("\n".join(m["text"] for m in await lan.press("trwt:show:yes")))
    assert claim, "no claim code"
    await minh.say("/nhanthuong")
    valid = said(await minh.say(claim.group(0).lower().replace("-", " ")))
    assert "hợp lệ" in valid and "2.000.000 đồng" in valid, valid
    assert "đã được nhận" in said(await minh.say("da trao"))
