"""Tip journeys in the web chat: an anonymous tip with a photo and a location, the police inbox, replies that
reach the tipster, follow-up by receipt code from another browser, named tips, emergencies, ward isolation and
the daily limit. Helpers here are reused by the other tips tests."""

from __future__ import annotations

import io
import re
from typing import Any

from PIL import Image
from sqlmodel import col, select

from models import AuditEntry, LinkedChat, OutboxMessage, Person, Tip, TipAttachment, TipRoute, Ward
from tests.databases import DEMO_WARD

CODE = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b")


def photo_with_exif(artist: str = "Nguyen Van Tipster", camera: str = "TipsterPhone 12") -> bytes:
    """A JPEG carrying what a real phone photo carries: GPS position, device and author."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = camera  # Make
    exif[0x0110] = camera  # Model
    exif[0x013B] = artist  # Artist
    exif[0x8825] = {1: "N", 2: (10.0, 27.0, 30.0), 3: "E", 4: (105.0, 38.0, 5.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(m["text"] for m in replies)


async def poll(person) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """What was pushed to this browser; its buttons can be pressed afterwards, as on the page."""
    pushed = await person.poll()
    person.seen += pushed
    return pushed


async def tip_rows(town) -> list[Tip]:  # type: ignore[no-untyped-def]
    async with town.app.db.session() as session:
        return list((await session.exec(select(Tip).order_by(col(Tip.id)))).all())


async def quick_tip(
    person,
    text: str = "Có người bán ma túy ở đầu hẻm 5 mỗi tối.",  # type: ignore[no-untyped-def]
    category: str = "drugs",
    may_reply: bool = True,
) -> str:
    """An anonymous tip the short way; returns the receipt code."""
    await person.say("/togiac")
    await person.press(f"cat:{category}")
    await person.say(text)
    await person.press("what:done")
    await person.press("where:unknown")
    await person.press("when:today")
    await person.press(f"tward:{DEMO_WARD}")
    await person.press("ident:anon")
    await person.press("mayreply:yes" if may_reply else "mayreply:no")
    replies = await person.press("tsend:yes")
    found = CODE.search(texts(replies))
    assert found, texts(replies)
    return found.group(0)


async def other_ward(town) -> int:  # type: ignore[no-untyped-def]
    async with town.app.db.session() as session:
        ward = (
            await session.exec(
                select(Ward)
                .where(
                    Ward.code != DEMO_WARD,
                    Ward.province_code == (await session.get(Ward, DEMO_WARD)).province_code,
                )
                .limit(1)
            )
        ).one()
        return ward.code


async def fetch(person, url: str) -> bytes:  # type: ignore[no-untyped-def]
    async with person.http.get(person.url + url) as response:
        assert response.status == 200, url
        return await response.read()


async def test_anonymous_tip_with_photo_and_location_reaches_police_and_replies_reach_the_tipster(
    manual_clock, town
) -> None:  # type: ignore[no-untyped-def]
    # On the manual clock (23/11/2026): "25/12/2026" must stay a day to come, and "20/11" one past, whatever the date.
    lan = await town.join("Lan")
    officer = await town.join("Công an Minh", role="police")

    replies = await lan.say("/togiac")
    assert "Trộm cắp" in lan.choices()
    await lan.press("Trộm cắp")
    replies = await lan.say("Có người lạ cạy khóa xe máy trước nhà số 12 lúc 2 giờ sáng.")
    assert "Xong" in lan.choices()
    photo = photo_with_exif()
    replies = await lan.send_file(photo, "IMG_from_Lan.jpg", "image/jpeg", caption="Ảnh chụp từ cửa sổ")
    assert "1 tệp" in texts(replies)
    await lan.press("Xong")
    replies = await lan.send_location(10.4551, 105.6332)
    assert "Khi nào" in texts(replies)
    await lan.press("Trước đó")
    replies = await lan.say("25/12/2026")
    assert "chưa tới" in texts(replies)  # a day still to come is refused politely
    await town.restart()  # a deploy in the middle of the form: nothing is lost
    replies = await lan.say("hôm nay là ngày nào")  # not a date: answered politely, the question stays
    assert "20/11" in texts(replies)
    await lan.say("20/11")
    assert "Phường Cao Lãnh" in lan.choices()
    await lan.press("Phường Cao Lãnh")
    replies = await lan.press("ident:anon")
    await lan.press("mayreply:yes")
    summary = lan.last_text()
    assert "Trộm cắp" in summary and "cạy khóa" in summary and "Tệp: 1" in summary
    replies = await lan.press("tsend:yes")
    code = CODE.search(texts(replies)).group(0)  # type: ignore[union-attr]
    assert "Đã gửi" in texts(replies)

    [tip] = await tip_rows(town)
    assert (
        tip.anonymous and tip.person_id is None and tip.reporter_name is None and tip.reporter_phone is None
    )
    assert tip.latitude == 10.4551 and tip.occurred is not None and tip.occurred.endswith("-11-20")
    assert tip.receipt_hash and code not in (tip.receipt_hash or "") and code.replace("-", "") not in str(tip)
    async with town.app.db.session() as session:
        route = (await session.exec(select(TipRoute).where(TipRoute.tip_id == tip.id))).one()
        [attachment] = (await session.exec(select(TipAttachment))).all()
    assert "web" not in route.sealed and attachment.stripped

    await town.drain()
    pushed = await poll(officer)
    assert f"Tin báo mới số {tip.id}" in texts(pushed) and "cạy khóa" not in texts(pushed)
    replies = await officer.press(f"tipp:open:{tip.id}")
    view = texts(replies)
    assert "cạy khóa" in view and "10.45510" in view and "Tin ẩn danh" in view and "OVERDUE" not in view
    [item] = [m for r in replies for m in r.get("media", [])]
    police_copy = await fetch(officer, item["url"])
    assert b"TipsterPhone" not in police_copy and b"Nguyen Van" not in police_copy
    assert not Image.open(io.BytesIO(police_copy)).getexif()
    assert b"TipsterPhone" in photo

    await officer.press(f"tipp:ack:{tip.id}")
    await officer.press(f"tipp:reply:{tip.id}")
    replies = await officer.say("Cảm ơn bạn, chúng tôi đã cử người kiểm tra khu vực này.")
    assert "sẽ nhận được" in texts(replies)
    await town.drain()
    received = texts(await poll(lan))
    assert "đã nhận được tin báo số" in received and "cử người kiểm tra" in received

    # Someone else — another browser, never registered — follows the tip with the code alone.
    helper = await town.person("Máy khác")
    replies = await helper.say(f"/tracuu {code.lower().replace('-', ' ')}")
    assert "cử người kiểm tra" in texts(replies) and "đã tiếp nhận" in texts(replies)
    await helper.press("tstat:add")
    await helper.say("Xe máy màu đỏ, biển số 66B1-123.45")
    replies = await helper.press("tadd:send")
    assert "Đã bổ sung" in texts(replies)
    await town.drain()
    assert f"bổ sung thông tin cho tin báo số {tip.id}" in texts(await poll(officer))
    replies = await officer.press(f"tipp:open:{tip.id}")
    assert "66B1-123.45" in texts(replies)

    # Originals only on request, and the request is in the audit log with the officer as actor.
    await officer.press(f"tipp:orig:{tip.id}")
    replies = await officer.press(f"tipp:origok:{tip.id}")
    [original] = [m for r in replies for m in r.get("media", [])]
    assert b"TipsterPhone" in await fetch(officer, original["url"])
    async with town.app.db.session() as session:
        audit = (
            await session.exec(select(AuditEntry).where(col(AuditEntry.action).startswith("tip.")))
        ).all()
        officer_id = (
            await session.exec(select(Person.id).where(Person.id == audit[0].actor_person_id))
        ).one()
    actions = {a.action for a in audit}
    assert {"tip.view", "tip.acknowledge", "tip.reply", "tip.original_released"} <= actions
    assert {a.actor_person_id for a in audit if a.action.startswith("tip.")} == {officer_id}

    replies = await helper.say("/tracuu KHONG-CO-MA-NAYY")
    assert "Không có tin báo nào" in texts(replies)


async def test_named_tip_goes_with_name_and_phone_and_feeds_the_scam_check(town) -> None:  # type: ignore[no-untyped-def]
    hoa = await town.join("Hoa", locale="en")
    officer = await town.join("Officer", role="police")
    await hoa.say("/tip")
    await hoa.press("Fraud or online scam")
    await hoa.say(
        "A caller from 0912 345 678 pretending to be police asked me to install an app from "
        "https://www.cong-an-gia.com.vn/app"
    )
    await hoa.press("Done")
    await hoa.say("Số 40, đường Nguyễn Huệ")
    await hoa.press("It is happening now")
    await hoa.press("Phường Cao Lãnh")
    replies = await hoa.press("With my name and phone")
    await hoa.say("Trần Thị Hoa")
    replies = await hoa.say("123")
    assert "Vietnamese phone number" in texts(replies)
    await hoa.say("0987.654.321")
    assert "Named: Trần Thị Hoa, 0987654321" in hoa.last_text()
    await hoa.press("Send to the police")
    [tip] = await tip_rows(town)
    assert not tip.anonymous and tip.person_id is not None and tip.reporter_phone == "0987654321"
    assert set(tip.indicators) == {"+84912345678", "cong-an-gia.com.vn"}

    await town.drain()
    await poll(officer)
    replies = await officer.press(f"tipp:open:{tip.id}")
    assert "Trần Thị Hoa" in texts(replies) and "0987654321" in texts(replies)
    replies = await officer.press(f"tipp:ack:{tip.id}")
    assert "sẽ nhận được" in texts(replies)
    await town.drain()
    assert "Notice of receipt: the ward police have received your tip" in texts(
        await poll(hoa)
    )  # in her language
    replies = await officer.press(f"tipp:export:{tip.id}")
    [record] = [m for r in replies for m in r.get("media", [])]
    csv_text = (await fetch(officer, record["url"])).decode("utf-8-sig")
    assert "Trần Thị Hoa" in csv_text and "0912 345 678" in csv_text

    from bot.extensions.scam_sources import Query

    async with town.app.db.session() as session:
        ward = await session.get(Ward, DEMO_WARD)
        matches = await town.app.registry.scam_sources["tip"](
            session, Query(DEMO_WARD, ward.province_code, (), ("+84912345678",), ("cong-an-gia.com.vn",), ())
        )
    assert {m.matched for m in matches} == {"+84912345678", "cong-an-gia.com.vn"}
    assert all("Hoa" not in m.summary and "install" not in m.summary for m in matches)

    neighbour = await town.join("Hàng xóm")
    replies = await neighbour.say("/kiemtra Có người gọi từ số 0912.345.678 bảo tôi cài ứng dụng")
    assert "báo cho công an là lừa đảo 1 lần" in texts(replies) and "Hoa" not in texts(replies)
    async with town.app.db.session() as session:
        similar = await town.app.registry.scam_sources["tip"](
            session,
            Query(
                DEMO_WARD,
                ward.province_code,
                tuple("caller pretending police asked install from".split()),
                (),
                (),
                (),
            ),
        )
    assert [m.score for m in similar] == [0.3] and "install" in similar[0].matched

    replies = await hoa.say("/me")
    me = texts(replies)  # sentences, not the raw export
    assert "Tips you sent with your name (tố giác): no." in me and "named_tips" not in me
    await hoa.say("/forget")
    replies = await hoa.press("forget:yes")
    assert "records handed to the ward police" in texts(replies)
    [tip] = await tip_rows(town)
    assert tip.person_id is None and tip.reporter_name == "Trần Thị Hoa"  # the record stays with the police


async def test_emergency_words_show_the_numbers_first(town) -> None:  # type: ignore[no-untyped-def]
    an = await town.join("An")
    replies = await an.say("/togiac nha ben canh dang chay, cuu voi")
    assert "114" in texts(replies) and "113" in texts(replies) and "115" in texts(replies)
    replies = await an.press("emg:stop")
    assert "Hãy gọi ngay" in texts(replies)
    assert await tip_rows(town) == []

    await an.say("/togiac")
    await an.press("cat:violence")
    replies = await an.say("Hàng xóm đang đánh nhau, có người bị đâm chảy máu")
    assert "113" in texts(replies)
    replies = await an.press("emg:go")
    assert "Xong" in an.choices()
    await an.press("what:done")
    await an.press("where:unknown")
    await an.press("when:now")
    await an.press(f"tward:{DEMO_WARD}")
    await an.press("ident:anon")
    await an.press("mayreply:no")
    await an.press("tsend:yes")
    [tip] = await tip_rows(town)
    assert tip.category == "violence" and tip.occurred == "now" and not tip.may_reply

    # Telling straight away, before choosing a category, is kept — and checked for danger too.
    await an.say("/tip")
    replies = await an.say("Có người bất tỉnh nằm giữa đường trước chợ")
    assert "115" in texts(replies)
    await an.press("emg:go")
    await an.press("cat:other")
    assert "Đã nhận: " in an.last_text()  # the description typed first was kept


async def test_a_tip_about_ward_a_is_invisible_to_police_of_ward_b(town) -> None:  # type: ignore[no-untyped-def]
    b_code = await other_ward(town)
    lan = await town.join("Lan")
    ours = await town.join("Officer A", role="police")
    theirs = await town.join("Officer B", role="police", ward_code=b_code)
    async with town.app.db.session() as session:  # each ward's police group chat, linked earlier
        session.add(LinkedChat(channel="telegram", chat_id="-100111", purpose="police", ward_code=DEMO_WARD))
        session.add(LinkedChat(channel="telegram", chat_id="-100222", purpose="police", ward_code=b_code))
        await session.commit()
    await quick_tip(lan)
    [tip] = await tip_rows(town)
    async with town.app.db.session() as session:
        to_chats = (
            await session.exec(select(OutboxMessage).where(col(OutboxMessage.linked_chat_id).is_not(None)))
        ).all()
    assert [row.chat_id for row in to_chats] == ["-100111"]
    assert "ma túy" not in to_chats[0].payload["text"] and f"số {tip.id}" in to_chats[0].payload["text"]
    await town.drain()
    assert f"số {tip.id}" in texts(await poll(ours))
    await ours.say("/tinbao")
    await ours.press("Theo loại")
    await ours.press("Ma túy")
    assert any(label.startswith(f"{tip.id} · Ma túy") for label in ours.choices())
    await ours.press("Trộm cắp")
    replies = await ours.press("tipp:list:cat:theft")
    assert "Không có." in texts(replies)
    assert "Tin báo mới" not in texts(await poll(theirs))
    replies = await theirs.say("/tinbao")
    assert f"{tip.id} ·" not in " ".join(theirs.choices()) and "Không có" in texts(replies)
    replies = await theirs._post(json={"choice": f"tipp:open:{tip.id}"})  # a crafted button press
    assert "Không có tin báo nào số đó" in texts(replies) and "ma túy" not in texts(replies)
    replies = await theirs._post(json={"choice": f"tipp:ack:{tip.id}"})
    assert (await tip_rows(town))[0].acknowledged_at is None
    replies = await lan._post(json={"choice": f"tipp:open:{tip.id}"})  # a resident is not police at all
    assert "ma túy" not in texts(replies)


async def test_tip_to_another_ward_by_name_and_the_daily_limit(town) -> None:  # type: ignore[no-untyped-def]
    mai = await town.join("Mai")
    b_code = await other_ward(town)
    async with town.app.db.session() as session:
        b_name = (await session.get(Ward, b_code)).name
    await mai.say("/togiac")
    await mai.press("cat:gambling")
    await mai.say("Sòng bạc trong nhà kho")
    await mai.press("what:done")
    await mai.say("Nhà kho cạnh chợ")
    await mai.press("when:today")
    await mai.press("tward:other")
    replies = await mai.say(b_name.removeprefix("Phường ").removeprefix("Xã "))
    await mai.press(f"tward:{b_code}")
    await mai.press("ident:anon")
    await mai.press("mayreply:no")
    await mai.press("tsend:yes")
    assert (await tip_rows(town))[0].ward_code == b_code
    for _ in range(4):
        await quick_tip(mai)
    replies = await mai.say("/togiac")
    assert "đã gửi 5 tin báo hôm nay" in texts(replies)
    assert len(await tip_rows(town)) == 5
