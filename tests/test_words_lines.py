"""Several lines in one answer on a phone, where Enter sends: the steps that ask "one per line" (an alert's scam
numbers, the other parties of a mediation request) take several messages and then Done, or one message of several
lines; what was understood is shown back each time, and a restart loses nothing (it is kept in the form's state).
"""

from __future__ import annotations

from sqlmodel import select

from handlers.mediation.store import parties
from models.alerts import Alert
from models.mediation import MediationCase
from tests.test_reports import texts


async def test_scam_numbers_in_several_messages_then_done(town) -> None:  # type: ignore[no-untyped-def]
    police = await town.join("Thiếu úy Hùng", role="police")
    await police.say("/soancanhbao")
    await police.press("cat:scam")
    await police.press("sev:urgent")
    await police.say("Giả danh ngân hàng gửi đường liên kết")
    await police.say("Kẻ gian nhắn tin giả ngân hàng, dụ bấm đường liên kết để lấy mã OTP.")
    await police.press("photo:none")
    replies = await police.press("link:none")
    assert "Xong" in texts(replies)  # the question says how to finish
    replies = await police._post(json={"choice": "watch:done"})  # nothing typed yet: asked again
    assert [c["payload"] for c in replies[-1]["choices"]] == ["watch:none"]

    replies = await police.say("0912 345 678")
    assert "Đã ghi (1)" in texts(replies) and "• 0912 345 678" in texts(replies)
    assert [c["payload"] for c in replies[-1]["choices"]] == ["watch:done"]
    await town.restart()  # kept in the form's state
    replies = await police.say(
        "vcb-xacthuc.vn\nSTK 1903 5555 7777"
    )  # a message of several lines adds them all
    assert "Đã ghi (3)" in texts(replies) and "• STK 1903 5555 7777" in texts(replies)
    replies = await police.say("0912 345 678")  # the same again is not listed twice
    assert "Đã ghi (3)" in texts(replies)
    replies = await police.say("\n".join(f"099{n} 000 000" for n in range(8)))
    assert "tối đa 10 mục" in texts(replies) and "Đã ghi (3)" in texts(replies)  # too many: nothing lost
    await police.press("watch:done")
    await police.press("scope:ward")
    preview = await police.press("when:now")
    assert "• vcb-xacthuc.vn" in texts(preview)
    await police.press("confirm:send")
    async with town.app.db.session() as session:
        [alert] = (await session.exec(select(Alert))).all()
    assert alert.watch_for.splitlines() == ["0912 345 678", "vcb-xacthuc.vn", "STK 1903 5555 7777"]
    assert "Done" not in police.all_text() and "Noted" not in police.all_text()  # Vietnamese all the way


async def test_the_other_parties_in_several_messages_then_done(town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan")
    await lan.say("/hoagiai")
    await lan.press("hqk:noise")
    await lan.say("Nhà bên cạnh hát karaoke đến khuya mỗi tối, đã nhắc nhiều lần mà không được.")
    replies = await lan.say("Trần Thị Lan")
    assert "Xong" in texts(replies)
    replies = await lan.say("Nguyễn Văn Ba - 0912 345 678")
    assert "Đã ghi (1)" in texts(replies) and "• Nguyễn Văn Ba (0912 345 678)" in texts(replies)
    await town.restart()
    replies = await lan.say("Bà Tư, nhà số 12")
    assert "Đã ghi (2)" in texts(replies) and "• Bà Tư (nhà số 12)" in texts(replies)
    replies = await lan.press("hqd:done")
    assert [c["payload"] for c in replies[-1]["choices"]] == ["hqu:yes", "hqu:no"]
    await lan.press("hqu:no")
    await lan.press("hqt:any")
    await lan.press("hqv:no")
    replies = await lan.press("hqs:send")
    assert "Nguyễn Văn Ba" in lan.all_text() and "Bà Tư" in lan.all_text()
    async with town.app.db.session() as session:
        [case] = (await session.exec(select(MediationCase))).all()
        listed = [(p.name, p.contact) for p in await parties(session, case.id or 0)]
    assert ("Nguyễn Văn Ba", "0912 345 678") in listed and ("Bà Tư", "nhà số 12") in listed
