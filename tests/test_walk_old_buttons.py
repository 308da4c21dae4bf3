"""Walk O: old buttons and second presses. Real people press buttons of messages from days or weeks ago, press twice
because the phone was slow, press a button another member already pressed in a group chat, or press an entry of a
menu shown before their role changed. The people: bà Sáu and her son Con (one household, the pledge), chị Lan (a
resident who sends an anonymous tip, and reads warnings on Telegram and in her group's chat), anh Tâm (leader of
Tổ 3, on Telegram), Minh and Hùng (ward police), Bình and Cúc (mediators), the ward's chairman.

Each press must get one clear, true answer: what happened, what to do now (naming the command), never a silent
nothing, a second effect or the anonymous tipster. Each test named after a defect was written failing, against the
defect its docstring names, before the fix; the `test_ok_` ones record what worked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from bot import clock
from models import OutboxMessage, Role, RoleGrant, TipMessage
from models.alerts import AlertAck
from models.pledges import PledgeSignature
from tests.conftest import Town
from tests.drivers import driver_town
from tests.drivers.telegram import TelegramDriver
from tests.fakes import FakeTelegram
from tests.test_alerts_steps import send
from tests.test_mediation import NOISE, case_row, profile, request
from tests.test_people_do import rows, texts
from tests.test_pledges import JANUARY, attach, open_campaign
from tests.test_tips import poll, quick_tip

OLD_MESSAGE = (
    "tin nhắn cũ"  # "this button belongs to an old message": the answer that says nothing of what happened
)
GROUP_CHAT = -1003003


async def press(person: Any, payload: str) -> str:
    """Press a button by its data, wherever it was shown (an old message scrolled back to, or one pressed twice)."""
    return texts(await person._post(json={"choice": payload}))


def button(messages: list[dict[str, Any]], prefix: str) -> str:
    """The data of the newest button starting with `prefix` among these messages."""
    return next(
        c["payload"]
        for m in reversed(messages)
        for c in m.get("choices", [])
        if c["payload"].startswith(prefix)
    )


async def pushed(town: Town, person: Any) -> list[dict[str, Any]]:
    await town.drain()
    return await poll(person)


async def end_roles(town: Town, *roles: str) -> None:
    """The ward ends these roles (a leader steps down, an officer's grant ends), as its regrouping does."""
    assert town.app is not None
    async with town.app.db.session() as session:
        for grant in (await session.exec(select(RoleGrant).where(col(RoleGrant.role).in_(roles)))).all():
            grant.revoked_at = clock.now()
            session.add(grant)
        await session.commit()


async def signed_household(town: Town, manual_clock: Any) -> tuple[Any, Any]:
    """Số 121 with two confirmed members, Con and bà Sáu, in the January campaign."""
    manual_clock.set(JANUARY)
    admin = await town.join("Chủ tịch", role="ward_admin")
    await open_campaign(admin)
    tam = await town.join("Tâm", role="group_admin")
    await tam.poll()
    con = await town.join("Nguyễn Văn Con")
    await attach(con, tam, town, "so 121", "Số 121,")
    sau = await town.join("Nguyễn Thị Sáu")
    await attach(sau, tam, town, "so 121", "Số 121,")
    return con, sau


async def up_to_signing(person: Any, name: str) -> None:
    await person.say("/camket")
    await person.press("pread:yes")
    await person.press(next(c for c in person.choices() if "Số 121," in c))
    await person.say(name)


# The pledge ---------------------------------------------------------------------------------------------------------
async def test_sign_pressed_twice_or_after_the_campaign_closed_says_where_the_household_stands(
    ward: Town, manual_clock: Any
) -> None:
    """Con presses "Ký cam kết" twice (the phone was slow); bà Sáu, who read the pledge at the same time, presses
    hers after Con signed, then again; a year later Con presses the old button once more.

    Defect: every press after the first was answered "Nút này thuộc một tin nhắn cũ", saying neither that the
    household had signed, nor by whom, nor that the campaign was over (handlers/pledges/flows/signing.py)."""
    con, sau = await signed_household(ward, manual_clock)
    await up_to_signing(sau, "Nguyễn Thị Sáu")
    await up_to_signing(con, "Nguyễn Văn Con")
    assert "Đã ký" in texts(await con.press("psign:yes"))
    again = await press(con, "psign:yes")
    assert OLD_MESSAGE not in again and "Nguyễn Văn Con" in again and "đã ký" in again, again
    after = texts(await sau.press("psign:yes"))
    assert "người ký: Nguyễn Văn Con" in after, after
    again = await press(sau, "psign:yes")
    assert OLD_MESSAGE not in again and "người ký: Nguyễn Văn Con" in again, again
    assert len(await rows(ward, PledgeSignature)) == 1

    manual_clock.set(JANUARY + timedelta(days=400))  # the campaign closed long ago; none is open now
    late = await press(con, "psign:yes")
    assert OLD_MESSAGE not in late and "chưa có đợt cam kết nào đang mở" in late, late
    assert "Chưa ký gì" in await press(con, "psign:no")
    assert len(await rows(ward, PledgeSignature)) == 1


async def test_an_old_sign_button_after_the_signature_was_withdrawn_signs_nothing_and_shows_the_pledge_again(
    ward: Town, manual_clock: Any
) -> None:
    """Con signs, withdraws with /camket rut, then presses the old "Ký cam kết": nothing is signed by it (the name
    typed for it belonged to the form that ended), the pledge is shown again to be signed properly."""
    con, _sau = await signed_household(ward, manual_clock)
    await up_to_signing(con, "Nguyễn Văn Con")
    await con.press("psign:yes")
    await con.say("/camket rut")
    await con.press(button(con.seen, "pwd:"))
    assert "Đã rút lại chữ ký" in texts(await con.press(button(con.seen, "pwdok:")))
    again = await press(con, "psign:yes")
    assert "chưa có gì được ký" in again and "Tôi đã đọc" in con.choices(), again
    assert [s.withdrawn_at is not None for s in await rows(ward, PledgeSignature)] == [True]


# The tip -------------------------------------------------------------------------------------------------------------
async def test_the_tipsters_old_answer_button_after_the_police_closed_the_tip_says_so_and_leaves_no_form_open(
    ward: Town,
) -> None:
    """Lan answers Minh's question, presses "Trả lời" again later and does not type (she was called away); Hùng
    closes the tip; she comes back and presses the question's button once more.

    Defects: the answer was "Không thể trả lời câu hỏi này ở đây nữa: tin báo có thể đã đóng" (may be: it was),
    and the answer form opened before stayed open for the closed tip: any other button she pressed was told
    "Vui lòng trả lời câu hỏi này: Gõ câu trả lời của anh/chị gửi công an về tin báo số 1"
    (handlers/tips/flows/answer.py)."""
    minh = await ward.join("Công an Minh", role="police")
    hung = await ward.join("Công an Hùng", role="police")
    lan = await ward.join("Lan")
    await quick_tip(lan)
    await pushed(ward, minh)
    await press(minh, "tipp:ask:1")
    await minh.say("Chị thấy người bán lúc mấy giờ?")
    answer = button(await pushed(ward, lan), "tqa:")
    await press(lan, answer)
    assert "Đã gửi câu trả lời" in texts(await lan.say("Khoảng 9 giờ tối"))
    assert "Gõ câu trả lời" in await press(lan, answer)  # "Gửi thêm", and then she is called away

    await press(hung, "tipp:status:1")
    await press(hung, "tipp:st:1:resolved")
    await hung.say("Đã bắt quả tang, chuyển hồ sơ.")
    told = await press(lan, answer)
    assert "có thể" not in told and "đã được công an đóng" in told and "đã giải quyết" in told, told
    assert "/tracuu" in told and "/togiac" in told, told
    later = await press(lan, "tstat:add")  # the view of /tracuu she opened last week
    assert "Gõ câu trả lời" not in later and "/tracuu" in later, later
    tipster_lines = [m for m in await rows(ward, TipMessage) if m.direction == "tipster"]
    assert len(tipster_lines) == 1  # her one answer; nothing sent twice, nothing after the close


async def test_the_tip_views_old_buttons_name_the_way_back_not_help(ward: Town) -> None:
    """Lan looked her tip up with /tracuu last week, pressed "Xong"; today she presses its "Bổ sung thông tin".

    Defect: "Nút này thuộc một tin nhắn cũ … Gõ /trogiup": nothing said how to add to the tip (the view's buttons
    carry no tip, by design: the receipt code opens it) (handlers/tips/flows/lookup.py)."""
    lan = await ward.join("Lan")
    code = await quick_tip(lan)
    await lan.say(f"/tracuu {code}")
    await lan.press("tstat:done")
    for old in ("tstat:add", "tadd:send"):
        said = await press(lan, old)
        assert OLD_MESSAGE not in said and "/tracuu" in said and "mã tiếp nhận" in said, said
    assert [m for m in await rows(ward, TipMessage) if m.direction == "tipster"] == []


async def test_ok_police_buttons_pressed_twice_or_after_a_colleague_closed_the_tip(ward: Town) -> None:
    """Minh acknowledges twice, Hùng presses the same card's button; after Hùng closes it, Minh's old card: each
    is told what happened and by whom, and the tipster is told once."""
    minh = await ward.join("Công an Minh", role="police")
    hung = await ward.join("Công an Hùng", role="police")
    lan = await ward.join("Lan")
    await quick_tip(lan)
    await pushed(ward, minh)
    assert "Đã xác nhận tiếp nhận" in await press(minh, "tipp:ack:1")
    assert "trước đó" in await press(minh, "tipp:ack:1")
    assert "trước đó" in await press(hung, "tipp:ack:1")
    notices = [m for m in await rows(ward, OutboxMessage) if "Thông báo tiếp nhận" in str(m.payload)]
    assert len(notices) == 1, notices
    await press(hung, "tipp:status:1")
    await press(hung, "tipp:st:1:resolved")
    await hung.say("Đã xử lý.")
    for old in ("tipp:ack:1", "tipp:reply:1", "tipp:ask:1"):
        said = await press(minh, old)
        assert "đã đóng" in said and "không có gì được thay đổi" in said and "Lan" not in said, said


# Mediation ------------------------------------------------------------------------------------------------------
async def test_the_mediators_own_buttons_after_the_case_closed_say_it_is_closed(
    ward: Town, manual_clock: Any
) -> None:
    """Bình takes the case (Cúc presses her copy of the same news after him), proposes a session, records the
    agreement; a day later he presses "Ghi kết quả" and "Đề xuất buổi hòa giải" of the case's old card.

    Defect: he, the mediator in charge, was told "Chỉ hòa giải viên phụ trách vụ việc đang mở mới ghi kết quả", as
    if he were not; the case being closed went unsaid (handlers/mediation/flows/outcome.py, schedule.py)."""
    lan = await ward.join("Lan")
    binh = await ward.join("Bình", role="mediator")
    cuc = await ward.join("Cúc", role="mediator")
    await profile(binh, "Lê Văn Bình")
    await profile(cuc, "Phạm Thị Cúc")
    for person in (lan, binh, cuc):
        await person.poll()
    number = await request(lan, NOISE)
    take_binh = button(await pushed(ward, binh), "hgt")
    take_cuc = button(await pushed(ward, cuc), "hgt")
    assert "phụ trách vụ việc" in await press(binh, take_binh)
    assert "đã có hòa giải viên: Lê Văn Bình" in await press(binh, take_binh)
    assert "đã có hòa giải viên: Lê Văn Bình" in await press(cuc, take_cuc)
    case = await case_row(ward, number)
    await press(binh, f"hgs:{case.id}")
    await binh.say("25/11 19h30")
    await binh.say("Nhà văn hóa Khóm 2")
    await binh.press("hqss:yes")
    proposal = await pushed(ward, lan)
    manual_clock.advance(timedelta(days=3))
    past = await press(lan, button(proposal, "hgy"))  # "Có, tôi sẽ đến", after the session's day
    assert "đã qua" in past, past
    await press(binh, f"hgx:{case.id}")
    await binh.press("hqo:agreed")
    await binh.say("Ông Ba tắt karaoke trước 22 giờ.")
    manual_clock.advance(timedelta(days=1))
    for old in (f"hgx:{case.id}", f"hgs:{case.id}"):
        said = await press(binh, old)
        assert "Chỉ hòa giải viên" not in said and "đã kết thúc ngày" in said and "hòa giải thành" in said, (
            said
        )
    assert "đã kết thúc" in await press(cuc, take_cuc)
    assert (await case_row(ward, number)).status == "agreed"


# Menus and roles --------------------------------------------------------------------------------------------------
async def test_an_old_menu_entry_after_the_role_ended_says_so_and_shows_the_menu_of_now(
    ward: Town, manual_clock: Any
) -> None:
    """Tâm stepped down as leader of Tổ 3 and Minh's police grant ended; each presses an entry of the menu they were
    shown before.

    Defect: "Xin lỗi, lệnh /soancanhbao dành cho người có vai trò khác", as if they had never held it, and no menu
    to go on with (bot/core/dispatcher.py)."""
    tam = await ward.join("Tâm", role="group_admin")
    minh = await ward.join("Công an Minh", role="police")
    await tam.say("/menu")
    await minh.say("/menu")
    assert "Soạn cảnh báo" in tam.choices() and "Tin báo đã nhận" in minh.choices()
    await end_roles(ward, Role.GROUP_ADMIN, Role.POLICE)
    for person, entry in ((tam, "cmd:soancanhbao"), (tam, "cmd:baocao"), (minh, "cmd:tinbao")):
        said = await press(person, entry)
        assert "vai trò khác" not in said and "đã kết thúc ngày 23/11/2026" in said, said
        assert "Soạn cảnh báo" not in person.choices() and "Tin báo đã nhận" not in person.choices()
    stranger = await ward.join("An")
    assert "vai trò khác" in await press(stranger, "cmd:tinbao")  # never held it: as before


async def test_an_old_language_button_switches_the_language(ward: Town) -> None:
    """An, who joined in Vietnamese, scrolls back to the language question of the day she joined and presses
    "English". Defect: "Nút này thuộc một tin nhắn cũ" — the button says what it does (handlers/language.py)."""
    an = await ward.join("An")
    said = await press(an, "lang:en")
    assert "English" in said and OLD_MESSAGE not in said, said
    assert "Vietnamese" in await press(an, "lang:vi") or "tiếng Việt" in texts(an.seen[-1:])


# Warnings on Telegram, in private and in the group's chat ------------------------------------------------------------
@pytest.fixture
async def group_chat(
    db_url: str, settings_for: Any, manual_clock: Any
) -> AsyncIterator[tuple[Town, TelegramDriver, TelegramDriver]]:
    """Tâm (leader of Tổ 3) and Lan (resident) on one Telegram bot; Tâm linked Tổ 3's group chat."""
    fake = FakeTelegram()
    tam = TelegramDriver(user_id=8880001, first_name="Tâm", fake=fake)
    lan = TelegramDriver(user_id=8880002, first_name="Lan", fake=fake)
    lan._done, lan._changed = tam._done, tam._changed
    await fake.start()
    try:
        async with driver_town(tam, settings_for, db_url, delivery_enabled=False) as town:
            await lan.start(town)
            for person, role in ((tam, "group_admin"), (lan, "resident")):
                code = await town.invite(role)
                await person.say(f"/start {code}")
                await person.press("Tiếng Việt")
                await person.press("Tôi đồng ý")
            replies = await tam.say("/lienketnhom")
            link = next(line for line in "\n".join(replies).splitlines() if line.startswith("/lienketnhom "))
            await tam.settle(fake.group_text(GROUP_CHAT, tam.user_id, link, title="Tổ 3 Khóm 2")["update_id"])
            yield town, tam, lan
    finally:
        await fake.stop()


async def test_ok_read_pressed_twice_in_private_and_by_members_in_the_group_chat_counts_each_person_once(
    group_chat: tuple[Town, TelegramDriver, TelegramDriver],
) -> None:
    """Minh's warning reaches Lan, Tâm and the group's chat. Lan presses "Tôi đã đọc" in the group, again there, and
    in her private chat; Tâm presses in the group; someone not registered presses too. Each reading counts once."""
    town, tam, lan = group_chat
    police = await town.join("Công an Minh", role="police")
    await send(police, title="Giả danh công an gọi điện", body="Kẻ gian gọi xưng công an phường.")
    await town.drain()
    [(message_id, data)] = [
        (m["message_id"], m["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
        for (chat, _id), m in tam.fake.state.messages.items()
        if chat == GROUP_CHAT and m.get("reply_markup")
    ]

    async def in_group(user_id: int) -> str:
        index = len(tam.fake.requests)
        await tam.settle(tam.fake.user_press(user_id, data, message_id, chat_id=GROUP_CHAT)["update_id"])
        return "\n".join(tam.sent_since(index, GROUP_CHAT))

    assert "Cảm ơn" in await in_group(lan.user_id)
    assert "đã xác nhận đọc" in await in_group(lan.user_id)
    assert "đã xác nhận đọc" in "\n".join(await lan.press("Tôi đã đọc"))
    assert "Cảm ơn" in await in_group(tam.user_id)
    assert "nhắn riêng" in await in_group(9009)
    assert len(await rows(town, AlertAck)) == 2  # Lan and Tâm, once each
