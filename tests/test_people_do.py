"""What people really do in the newest forms, and what must then happen: type a button's words instead of pressing
it ("đèn đường", "có", "ẩn danh", "ok"), type "hủy" or "menu" in the middle of a step, type a number where buttons
are numbers too ("3" for three days, "1" for one household), answer "có" to an offer outside any form. Each test
was written failing, against the defect it names, before the fix (bot.core.payloads, bot.core.flow,
bot.core.understand and the features' own steps).

Journeys run on the web chat (as the page posts them) and, where the words travel differently, on Telegram and
the Zalo Bot, on both databases.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from models import ConversationState, OutboxMessage, Tip
from models.cameras import Camera
from models.problems import Problem, ProblemPhoto, ProblemStatus
from tests.databases import DEMO_WARD
from tests.drivers import ChatDriver, driver_town
from tests.drivers.telegram import TelegramDriver
from tests.drivers.web import WebDriver
from tests.drivers.zalo_bot import ZaloBotDriver
from tests.test_tips import CODE, photo_with_exif

SENT = re.compile(r"Phản ánh số (\d+)")


@pytest.fixture(params=[WebDriver, TelegramDriver, ZaloBotDriver], ids=["web", "telegram", "zalo_bot"])
async def chat(
    request: pytest.FixtureRequest, db_url: str, settings_for: Any
) -> AsyncIterator[tuple[Any, ChatDriver]]:
    driver = request.param()
    async with driver_town(driver, settings_for, db_url, delivery_enabled=False) as town:
        yield town, driver


def texts(replies: list[dict[str, Any]] | list[str]) -> str:
    return "\n".join(r if isinstance(r, str) else r["text"] for r in replies)


async def rows(town: Any, model: Any) -> list[Any]:
    async with town.app.db.session() as session:
        return list((await session.exec(select(model).order_by(col(model.id)))).all())


async def joined(town: Any, driver: ChatDriver) -> None:
    """A resident of Tổ 3, Khóm 2 on the driver's channel, through an invite, typing every answer."""
    code = await town.invite("resident")
    await driver.say(f"/start {code}")
    await driver.say("tiếng việt")
    replies = texts(await driver.say("đồng ý"))
    assert "Chào mừng" in replies, replies


def media_files(town: Any) -> set[Path]:
    return {p for p in Path(town.settings.media_dir).rglob("*") if p.is_file()}


# Typing a button's words --------------------------------------------------------------------------------------
async def test_a_problem_report_typed_from_start_to_end_without_a_single_press(
    chat: tuple[Any, ChatDriver],
) -> None:
    """Defect: "đèn đường" (the start of "Đèn đường hỏng"), "có" (to "Có, báo cho tôi") and "ok" (to "Gửi") were
    each answered "Vui lòng chọn một trong các mục dưới đây" and the question again: a person who types, as
    every Zalo Bot user and many older residents do, could not finish the form."""
    town, person = chat
    await joined(town, person)
    await person.say("/phananh")
    assert "mô tả" in texts(await person.say("đèn đường")).lower()  # the category, by its first words
    await person.say("Đèn đầu hẻm 5 tắt cả tuần nay")
    assert "ở đâu" in texts(await person.say("xong")).lower()
    await person.say("Đầu hẻm 5 Lê Lợi")
    assert "kèm tên" in texts(await person.say("có")).lower()  # yes to "hear of progress?"
    assert "kiểm tra phản ánh" in texts(await person.say("ẩn danh")).lower()  # as the tip form says it
    sent = texts(await person.say("ok"))
    assert SENT.search(sent), sent
    [problem] = await rows(town, Problem)
    assert (problem.category, problem.wants_progress, problem.anonymous) == ("street_light", True, True)


async def test_a_tip_typed_from_plain_words_to_send_says_when_as_people_say_it(
    chat: tuple[Any, ChatDriver],
) -> None:
    """Defect: "tối nào cũng vậy", "bây giờ", "sáng nay" typed to "Khi nào xảy ra?" were answered "Vui lòng chọn
    một trong các mục" and the question again, and a drug corner that is there every night had no answer of its own
    among "now", "today" and "earlier"."""
    town, person = chat
    await joined(town, person)
    await person.say("toi muon bao tin, co may thang hut chich cuoi hem 12 duong Le Loi")
    assert "Báo tin cho công an" in person.choices()
    await person.say("báo tin cho công an")
    assert "Ma túy" in person.choices()  # the category guessed, to confirm
    await person.say("ma túy")
    assert "ở đâu" in texts(await person.say("xong")).lower()
    assert "Khi nào" in texts(await person.say("cuối hẻm 12 đường Lê Lợi"))
    asked = texts(await person.say("tối nào cũng vậy, tầm 10h"))
    assert "Khi nào" not in asked and "Vui lòng chọn" not in asked, asked
    await person.say("Phường Cao Lãnh")
    await person.say("ẩn danh")
    summary = texts(await person.say("có"))
    assert "nhiều lần, thường xuyên" in summary, summary
    assert CODE.search(texts(await person.say("gửi")))
    [tip] = await rows(town, Tip)
    assert tip.occurred == "often" and tip.person_id is None and "hut chich" in (tip.text or "")


async def test_how_urgent_a_dispute_is_typed_in_words(ward: Any) -> None:
    """Defect: "cũng hơi gấp" and "gấp" typed to "Việc có gấp không?" (buttons "Có, gấp" / "Không"), and "kín" to
    "hòa giải kín không?", were answered "Vui lòng chọn một trong các mục": a short word in the middle of a label is
    not read alone, and an urgency said with "hơi", "lắm", "căng" names no button."""
    lan = await ward.join("Lan")
    await lan.say("nhà bên hát karaoke tới 12h đêm ngày nào cũng vậy, nói hoài ko nghe")
    await lan.say("nhờ hòa giải")
    await lan.say("tiếng ồn")
    await lan.say("Nguyễn Thị Lan")
    await lan.say("ông Sáu nhà bên cạnh số 14")
    assert "gấp" in texts(await lan.say("xong"))
    assert "gặp" in texts(await lan.say("cũng hơi gấp"))  # the next question: when could you meet
    await lan.say("tối thứ 7 sau 7h")
    # One short word only one button of a yes/no question has is that button ("kín": "Có, hòa giải kín").
    summary = texts(await lan.say("kín"))
    assert "Gấp: có" in summary and "Hòa giải kín: có" in summary and "karaoke" in summary, summary


async def test_yes_typed_to_is_this_what_you_want_opens_it_with_the_words_carried(
    chat: tuple[Any, ChatDriver],
) -> None:
    """Defect: "có" typed to "Có phải anh/chị muốn làm việc này?" under one offer and the main menu was answered
    "Dạ, không có gì ạ!" (you're welcome) and the menu: the offer was lost, and with it the words it carried."""
    town, person = chat
    await joined(town, person)
    await person.say("ký cam kết")
    assert "Ký cam kết của hộ" in person.choices()
    assert "cam kết" in texts(await person.say("có"))  # the pledge: here, no campaign is open yet
    await person.say("/huy")
    await person.say("toi muon bao cs co nguoi ban ma tuy o hem 9")
    assert "Báo tin cho công an" in person.choices()
    guessed = texts(await person.say("đúng rồi"))
    assert "Ma túy" in guessed and person.choices()[0] == "Ma túy", guessed  # guessed, to confirm
    assert "hem 9" in texts(await person.say("ma tuy"))  # the words went along into the form


async def test_a_camera_is_registered_by_typing_and_a_typed_number_of_days_is_days(ward: Any) -> None:
    """Defects: a photo captioned with the camera's address was refused ("Xin gửi vị trí") and its caption lost; "có"
    to "Ban đêm camera có ghi hình không?" was refused; "3" to "gõ số ngày" registered 15 days (the third button)
    and "1 tháng" registered 1 day. Now "3" asks once which was meant, and a month is 30
    days; the camera list and the removal confirm are answered in words too ("camera 1", "xoá", "có")."""
    lan = await ward.join("Lan")
    await lan.say("/camera")
    # A photo of the camera with its address as the caption: the address is taken, the photo is not kept.
    taken = texts(
        await lan.send_file(photo_with_exif(), "IMG_0042.jpg", "image/jpeg", caption="12 Nguyễn Huệ")
    )
    assert "không lưu ảnh" in taken and "quay về phía nào" in taken, taken
    await lan.say("cổng hẻm và đường ra chợ")
    assert "bao nhiêu ngày" in texts(await lan.say("có"))
    asked = texts(await lan.say("3"))
    assert "3 ngày" in asked and "15 ngày" in asked, asked
    assert "lưu 3 ngày" in texts(await lan.say("3 ngày"))
    await lan.say("lưu")
    # "ok" under "Đăng ký thêm camera" acknowledges the thanks; it does not open another camera's form.
    assert "Camera ở đâu" not in texts(await lan.say("ok"))
    [camera] = await rows(ward, Camera)
    assert (camera.records_at_night, camera.keep_days) == (True, 3)

    await lan.say("/camera")
    await lan.say(f"camera {camera.id}")
    await lan.say("sửa")
    await lan.say("giữ nguyên")
    await lan.say("giữ nguyên")
    await lan.say("không")  # not at night
    assert "lưu 30 ngày" in texts(await lan.say("1 tháng"))
    await lan.say("lưu")
    [camera] = await rows(ward, Camera)
    assert (camera.records_at_night, camera.keep_days) == (False, 30)

    await lan.say("/camera")
    await lan.say(f"camera {camera.id}")
    assert "Gỡ camera" in texts(await lan.say("xoá"))
    assert "đã được gỡ" in texts(await lan.say("có"))  # outside any form: the confirm's yes
    [camera] = await rows(ward, Camera)
    assert camera.status == "removed"


async def test_yes_to_the_fire_safety_offer_after_the_pledge_opens_the_checklist(
    ward: Any, manual_clock: Any
) -> None:
    """Defect: after signing the pledge the bot asks "Anh/chị kê khai luôn nhé?" under one button; "có" was
    answered "Dạ, không có gì ạ!" (you're welcome) and the offer was lost."""
    from tests.test_firesafety import sign_pledge
    from tests.test_pledges import JANUARY, attach, open_campaign

    ward_admin = await ward.join("Chủ tịch", role="ward_admin")
    tam = await ward.join("Tâm", role="group_admin")
    await open_campaign(ward_admin)
    manual_clock.set(JANUARY)
    lan = await ward.join("Lan")
    await attach(lan, tam, ward, "so 121", "Số 121,")
    assert "PCCC" in texts(await sign_pledge(lan, "Số 121,", "Nguyễn Thị Lan"))
    replies = texts(await lan.say("có"))
    assert "bình chữa cháy" in replies.lower() and "không có gì" not in replies, replies


async def test_a_number_typed_to_a_report_question_is_that_number(ward: Any, manual_clock: Any) -> None:
    """Defect: the group report's "how many households" question offers one button, "0"; a leader who typed "1"
    had the dispatcher read it as the first button and the report recorded 0 newcomers."""
    from models import ReportSubmission

    admin = await ward.join("Chị Hạnh", role="ward_admin")
    await admin.say("/caidatbaocao")
    await admin.press("rs:done")
    tam = await ward.join("Anh Tâm", role="group_admin")
    await tam.say("/baocao")
    await tam.press("rp:start")
    await tam.say("Không có vụ việc nào")
    assert "Câu 3/6" in texts(await tam.say("1"))
    [report] = await rows(ward, ReportSubmission)
    assert report.answers["newcomers"] == 1


# Leaving in the middle ----------------------------------------------------------------------------------------
async def test_huy_and_menu_typed_in_a_form_leave_it_and_keep_nothing(chat: tuple[Any, ChatDriver]) -> None:
    """Defect: typed in the problem form's description, "hủy" and "menu" were added to the description ("Đã ghi
    nhận"); the photo stayed stored; in the camera form "menu" became what the camera looks at. Now both leave
    the form as /huy does (its photos deleted), "menu" shows the menu, and coming back starts afresh; "huỷ" with
    no form open was "Xin lỗi, tôi chưa hiểu ý anh/chị" and is now "Không có gì để hủy"."""
    town, person = chat
    await joined(town, person)
    before = media_files(town)
    await person.say("/phananh")
    await person.say("rác")
    await person.send_photo(photo_with_exif())
    assert len(media_files(town)) == len(before) + 1
    left = texts(await person.say("hủy"))
    assert "Đã hủy" in left and "ghi nhận" not in left, left
    assert media_files(town) == before

    await person.say("/camera")
    await person.say("12 Nguyễn Huệ")
    shown = texts(await person.say("Menu"))
    assert "Đã hủy" in shown and "Báo tin cho công an" in person.choices(), shown
    assert await rows(town, Camera) == []

    # Coming back: the same forms start from their first question. "hủy" with no form open is told so.
    assert "việc gì" in texts(await person.say("/phananh"))
    await person.say("thoát")
    assert "Không có gì để hủy" in texts(await person.say("huỷ"))
    assert "Camera ở đâu" in texts(await person.say("/camera"))
    assert await rows(town, Problem) == [] and await rows(town, ProblemPhoto) == []


async def test_the_ward_admin_typing_huy_does_not_close_a_report(ward: Any) -> None:
    """Defect: in the close form ("In one sentence, what was done?") "hủy" was the sentence: the report was marked
    fixed and every reporter was told "Phản ánh số 1 đã được khắc phục. Địa phương ghi: hủy"."""
    admin = await ward.join("Chủ tịch phường", role="ward_admin")
    lan = await ward.join("Lan")
    await lan.say("/phananh")
    await lan.say("1")
    await lan.say("Đèn hẻm 5 tắt")
    await lan.say("xong")
    await lan.say("Hẻm 5")
    await lan.say("có")
    await lan.say("kèm tên của tôi")
    await lan.say("gửi")
    [problem] = await rows(ward, Problem)

    await admin.say("/xulyphananh")
    await admin.press(f"pri:open:{problem.id}")
    await admin.press(f"pri:act:{problem.id}:close")
    assert "Đã hủy" in texts(await admin.say("Hủy"))
    await admin.press(f"pri:act:{problem.id}:pass")
    assert "Đã hủy" in texts(await admin.say("thoát"))
    [problem] = await rows(ward, Problem)
    assert problem.status == ProblemStatus.OPEN and problem.closing_note is None and problem.passed_to is None
    told = [m for m in await rows(ward, OutboxMessage) if m.source_kind == "problem"]
    assert not [m for m in told if "khắc phục" in str(m.payload) or "chuyển" in str(m.payload)], told


async def test_a_name_step_takes_huy_as_a_name(ward: Any) -> None:
    """A guard on the fix above, not a defect: "Huy" is a given name, so where the tip form asks for the tipster's
    name it is the answer, not "leave"."""
    lan = await ward.join("Lan")
    await lan.say("/togiac")
    await lan.press("cat:theft")
    await lan.say("Hai người lạ dắt trộm xe máy ở bãi xe chợ.")
    await lan.press("what:done")
    await lan.press("where:unknown")
    await lan.press("when:today")
    await lan.press(f"tward:{DEMO_WARD}")
    await lan.press("ident:named")
    assert "số điện thoại" in texts(await lan.say("Huy")).lower()


# A resident who has not finished joining ---------------------------------------------------------------------
async def test_a_resident_who_left_before_choosing_a_ward_finds_it_again_with_batdau(ward: Any) -> None:
    """Defect: someone who agreed to the notice and then typed another command (or paused) before choosing a ward
    was told by every feature "vui lòng chọn nơi đó trước (gõ /batdau)", and /batdau answered "Chào mừng anh/chị
    quay lại!" with a menu whose entries all said the same: no way to the ward search short of an invite."""
    hoa = await ward.person("Hoa")
    await hoa.say("xin chào")
    await hoa.say("tiếng việt")
    await hoa.say("có")  # yes to the data notice
    assert "/batdau" in texts(await hoa.say("/phananh"))
    asked = texts(await hoa.say("/batdau"))
    assert "xã, phường hay đặc khu nào" in asked, asked
    await hoa.say("cao lanh")
    await hoa.say("1")
    await hoa.say("khóm 2")
    assert "Xong! Anh/chị đã đăng ký" in texts(await hoa.say("tổ 3"))
    assert "việc gì" in texts(await hoa.say("/phananh"))


# A footage request answered in words ------------------------------------------------------------------------
async def offered(town: Any, prefix: str) -> None:
    """Wait until a pushed message's buttons are the conversation's offer (recorded beside the delivery)."""
    import asyncio

    from models import ConversationState

    for _ in range(100):
        async with town.app.db.session() as session:
            states = (await session.exec(select(ConversationState))).all()
        if sum(1 for s in states for c in s.choices if c["payload"].startswith(prefix)) >= 2:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"no conversation was offered {prefix!r}")


async def test_camera_owners_answer_a_footage_request_in_words(ward: Any) -> None:
    """Defects: to the police's request ("Tôi có / Không ghi được gì / Tôi từ chối") "không có" was "Xin lỗi, tôi
    chưa hiểu" and "có" was "Dạ, không có gì ạ!" (you're welcome), each dropping the offered buttons; and an owner
    who sent a clip and then typed "hủy" (or /huy) instead of Done was told "Không có nội dung nào của biểu mẫu được
    lưu" while the clip was kept, and the officer was never told it had come. The officer's list numbered the
    cameras ("1. Camera 5 …") above buttons that are the owners, so "2" typed named another than the second line.
    "200m" and "3 giờ vừa qua" are typed too."""
    from models.cameras import AskStatus, FootageAsk
    from tests.test_cameras import register

    an, binh = await ward.join("An"), await ward.join("Bình")
    officer = await ward.join("Công an Minh", role="police")
    await register(an, (10.4555, 105.6336), "Sân trước nhà, nhìn ra đường", days=15)
    await register(binh, (10.4549, 105.6330), "Đầu hẻm 5", days=3)
    await officer.say("/xincamera")
    await officer.send_location(10.4556, 105.6335)
    await officer.say("200m")
    listed = texts(await officer.say("3 giờ vừa qua"))
    assert "1. Camera" not in listed and "• Camera" in listed, listed  # numbers are the owners' buttons only
    for camera in await rows(ward, Camera):
        await officer.press(f"camp:owner:{camera.owner_person_id}")
    await officer.say("tiếp tục")
    await officer.say("Một xe máy bị lấy trộm gần đây")
    assert "2 chủ camera" in texts(await officer.say("gửi"))
    await ward.drain()
    await offered(ward, "camans:")
    await an.poll()
    await binh.poll()

    assert "video" in texts(await an.say("có")).lower()
    assert "1 tệp" in texts(await an.send_file(photo_with_exif(), "IMG_0042.jpg", "image/jpeg"))
    assert "đã nhận được" in texts(await an.say("hủy"))
    assert "Cảm ơn" in texts(await binh.say("không có"))
    asks = await rows(ward, FootageAsk)
    assert [a.status for a in asks] == [AskStatus.HAVE, AskStatus.NOTHING]
    assert asks[0].upload_token_hash is None  # what was sent is all: the link is spent
    await ward.drain()
    told = texts(await officer.poll())
    assert "1 tệp" in told and "không ghi được" in told.lower(), told


# Defects outside this helper's files: failing tests for those who own them ---------------------------------------
async def test_another_command_in_the_middle_of_a_form_deletes_its_photos(ward: Any) -> None:
    lan = await ward.join("Lan")
    before = media_files(ward)
    await lan.say("/phananh")
    await lan.say("rác")
    await lan.send_file(photo_with_exif(), "IMG_0042.jpg", "image/jpeg")
    assert len(media_files(ward)) == len(before) + 1
    assert "Camera ở đâu" in texts(await lan.say("/camera"))  # another command: the form is left
    assert media_files(ward) == before


async def test_a_form_left_idle_deletes_its_photos_whether_or_not_the_person_comes_back(
    ward: Any, manual_clock: Any
) -> None:
    """A half-made report whose person never came back kept its photo for ever: the housekeeping deleted the
    conversation but not what the form had stored. Now an expired form is cleaned up as when it is left."""
    from datetime import timedelta

    from bot.app.housekeeping import forget_idle_conversations

    lan, minh = await ward.join("Lan"), await ward.join("Minh")
    before = media_files(ward)
    for person in (lan, minh):
        await person.say("/phananh")
        await person.say("rác")
        await person.send_file(photo_with_exif(), "IMG_0042.jpg", "image/jpeg")
    assert len(media_files(ward)) == len(before) + 2
    manual_clock.advance(timedelta(minutes=ward.settings.flow_idle_minutes + 1))
    again = texts(await lan.say("rác đầy hẻm"))  # Lan comes back after the form expired
    assert "hết hạn" in again.lower() or "expired" in again.lower(), again
    assert len(media_files(ward)) == len(before) + 1
    await forget_idle_conversations(ward.app)  # within the hour: Minh's form is kept, in case he comes back
    assert len(media_files(ward)) == len(before) + 1
    manual_clock.advance(timedelta(hours=1))
    await forget_idle_conversations(ward.app)  # Minh never came back
    assert media_files(ward) == before
    async with ward.app.db.session() as session:
        forms = (
            await session.exec(select(ConversationState).where(col(ConversationState.flow).is_not(None)))
        ).all()
    assert not forms


async def test_a_failing_clean_up_does_not_keep_other_idle_conversations(
    ward: Any, manual_clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from bot.app.housekeeping import forget_idle_conversations

    async def broken(ctx: Any) -> None:
        raise OSError("the media disk is gone")

    lan, minh = await ward.join("Lan"), await ward.join("Minh")
    for person in (lan, minh):
        await person.say("/phananh")
        await person.say("rác")
    monkeypatch.setattr(ward.app.registry.flows["problem"], "on_cancel", broken)
    manual_clock.advance(timedelta(minutes=ward.settings.flow_idle_minutes, hours=1, seconds=1))
    await forget_idle_conversations(ward.app)
    async with ward.app.db.session() as session:
        assert (await session.exec(select(ConversationState))).all() == []


async def test_a_report_left_idle_says_its_answers_are_kept_not_that_nothing_was(
    ward: Any, manual_clock: Any
) -> None:
    """A leader's report answers stay a draft when the form expires; coming back, the leader was told "nothing from
    it was kept", which was untrue. Now the form's own clean-up speaks, as on /huy."""
    from datetime import timedelta

    admin = await ward.join("Chị Hạnh", role="ward_admin")
    await admin.say("/caidatbaocao")
    await admin.press("rs:done")
    lan = await ward.join("Lan", role="group_admin", group="Tổ 5")
    await lan.say("/baocao")
    await lan.press("rp:start")
    await lan.say("Không có vụ việc")
    manual_clock.advance(timedelta(minutes=ward.settings.flow_idle_minutes + 1))
    again = texts(await lan.say("có 2 hộ mới"))
    assert "bản nháp" in again and "không có gì được giữ lại" not in again, again


async def test_a_retried_message_in_a_private_form_is_answered(ward: Any) -> None:
    """Defect: a message posted again with the same client id was answered with no message at all; in a private
    form (an anonymous tip, a problem report) nothing is in the transcript either, so the retry showed the person
    nothing (bot/channels/web/messages.py)."""
    lan = await ward.join("Lan")
    await lan._post(json={"text": "/phananh", "id": "m-1"})
    first = await lan._post(json={"text": "rác", "id": "m-2"})
    again = await lan._post(
        json={"text": "rác", "id": "m-2"}
    )  # the client did not see the answer: it retries
    assert "mô tả" in texts(first).lower()
    assert texts(again), "the retry got no answer, and the transcript has none to show"


# A photo or a place before the form asks for it -----------------------------------------------------------
async def test_a_photo_sent_first_is_kept_in_the_problem_form_and_the_tip_form(
    chat: tuple[Any, ChatDriver],
) -> None:
    """Defect: many begin with the photo. Sent at the first question (the category), it was answered "Vui lòng chọn
    một trong các mục" and dropped; so was a photo at the "where is it?" question, its caption (the address)
    with it. Now the photo is kept, the caption is the description or the place, and the form goes on."""
    town, person = chat
    await joined(town, person)
    await person.say("/phananh")
    kept = texts(await person.send_photo(photo_with_exif(), caption="Rác đổ đầy đầu hẻm 5"))
    assert "Đã nhận ảnh" in kept and "chọn loại vấn đề" in kept, kept
    await person.say("rác")
    await person.say("xong")
    assert "tiến độ" in texts(await person.send_photo(photo_with_exif(), caption="Đầu hẻm 5 Lê Lợi"))
    await person.say("không")
    await person.say("kèm tên của tôi")
    assert SENT.search(texts(await person.say("gửi")))
    [problem] = await rows(town, Problem)
    assert problem.text == "Rác đổ đầy đầu hẻm 5" and problem.place_text == "Đầu hẻm 5 Lê Lợi"
    assert len(await rows(town, ProblemPhoto)) == 2

    await person.say("/togiac")
    kept = texts(await person.send_photo(photo_with_exif(), caption="Người lạ cạy khóa xe máy"))
    assert "Đã ghi nhận" in kept and "chọn loại việc" in kept, kept
    assert "1 tệp" in texts(await person.say("trộm"))  # the description already holds the photo


# The page sends an input again when it did not see the answer ------------------------------------------------
async def posted(person: Any, **kw: Any) -> list[dict[str, Any]]:
    """Everything the page is answered (the echo of the input and the replies), as the page posts it."""
    async with person.http.post(person.url + "/api/messages", **kw) as response:
        assert response.status == 200, await response.text()
        return list((await response.json())["messages"])


def upload(data: bytes, client_id: str | None, caption: str = "") -> Any:
    """The page's upload form: the file, its caption and the input's client id."""
    import aiohttp

    form = aiohttp.FormData()
    form.add_field("file", data, filename="IMG_0042.jpg", content_type="image/jpeg")
    if caption:
        form.add_field("caption", caption)
    if client_id is not None:
        form.add_field("id", client_id)
    return form


async def test_a_retry_in_a_private_form_shows_the_buttons_offered_and_keeps_nothing(ward: Any) -> None:
    """A retried input of the problem form is handled once: the description is not written twice, the retry shows
    the person's words and says they had arrived, under the buttons the form offers now ("Xong"), and nothing of
    it is stored under the session (the form is private)."""
    from models import WebMessage

    lan = await ward.join("Lan")
    await posted(lan, json={"text": "/phananh", "id": "p-1"})
    await posted(lan, json={"text": "rác", "id": "p-2"})
    said = {"text": "Rác đổ đầy đầu hẻm 5 từ thứ hai", "id": "p-3"}
    first = await posted(lan, json=said)
    again = await posted(lan, json=said)
    assert [m["direction"] for m in again] == ["in", "out"] and again[0]["text"] == said["text"]
    assert all(m["ephemeral"] and m["id"] is None for m in again)
    assert "đã đến An Dân" in again[1]["text"], again
    assert again[1]["choices"] == first[-1]["choices"] and again[1]["choices"], (first, again)
    # The button the retry shows goes on with the form.
    went_on = await posted(lan, json={"choice": again[1]["choices"][0]["payload"], "id": "p-4"})
    assert "ở đâu" in texts(went_on).lower(), went_on
    await lan.say("Đầu hẻm 5 Lê Lợi")
    await lan.say("không")
    await lan.say("không kèm tên")
    assert SENT.search(texts(await lan.say("gửi")))
    [problem] = await rows(ward, Problem)
    assert problem.text == said["text"]  # once, not twice
    assert not [r for r in await rows(ward, WebMessage) if "Rác đổ" in str(r.payload)]


async def test_a_retry_before_consent_offers_the_question_asked(ward: Any) -> None:
    """Before the data notice is agreed nothing is stored: a retried input is answered with the buttons of the
    question the person is at (here the language), so they can go on."""
    hoa = await ward.person("Hoa")
    first = await posted(hoa, json={"text": "xin chào", "id": "h-1"})
    again = await posted(hoa, json={"text": "xin chào", "id": "h-1"})
    offered = [c["payload"] for c in first[-1]["choices"]]
    assert offered and [c["payload"] for c in again[-1]["choices"]] == offered, (first, again)
    assert "đã đến An Dân" in again[-1]["text"]


async def test_a_retry_outside_a_private_form_is_answered_with_what_was_stored(ward: Any) -> None:
    """A retried input whose answer was stored is answered with those rows (the same ids: the page shows them
    once), and nothing is stored again."""
    from models import WebMessage

    lan = await ward.join("Lan")
    first = await posted(lan, json={"text": "/trogiup", "id": "t-1"})
    stored = len(await rows(ward, WebMessage))
    again = await posted(lan, json={"text": "/trogiup", "id": "t-1"})
    assert [m["id"] for m in first] == [m["id"] for m in again] and None not in [m["id"] for m in again]
    assert [m["text"] for m in first] == [m["text"] for m in again]
    assert "client" not in again[0]  # the row's mark stays on the server
    assert len(await rows(ward, WebMessage)) == stored
    # Another input with another id is handled as new; the same id from another browser is another input.
    assert await posted(lan, json={"text": "/trogiup", "id": "t-2"}) != first
    binh = await ward.join("Bình")
    assert "đã đến An Dân" not in texts(await posted(binh, json={"text": "/trogiup", "id": "t-1"}))


async def test_a_retried_upload_is_kept_once(ward: Any) -> None:
    """Defect: the upload form had no client id, so a photo posted again (the page did not see the answer) was kept
    twice. The form's `id` field makes the retry the same input; without one each post is a new input."""
    lan = await ward.join("Lan")
    before = media_files(ward)
    await lan.say("/phananh")
    await lan.say("rác")
    photo = photo_with_exif()
    first = await posted(lan, data=upload(photo, "u-1", caption="Rác đổ đầy đầu hẻm 5"))
    again = await posted(lan, data=upload(photo, "u-1", caption="Rác đổ đầy đầu hẻm 5"))
    assert "đã đến An Dân" in texts(again) and again[0]["direction"] == "in", again
    assert texts(first) != texts(again)
    assert len(media_files(ward)) == len(before) + 1
    await posted(lan, data=upload(photo, None))  # no id: a second photo, as before
    assert len(media_files(ward)) == len(before) + 2
    await lan.say("xong")
    await lan.say("Đầu hẻm 5 Lê Lợi")
    await lan.say("không")
    await lan.say("không kèm tên")
    assert SENT.search(texts(await lan.say("gửi")))
    [problem] = await rows(ward, Problem)
    assert problem.text == "Rác đổ đầy đầu hẻm 5" and len(await rows(ward, ProblemPhoto)) == 2


async def test_an_upload_with_an_overlong_client_id_is_refused(ward: Any) -> None:
    lan = await ward.join("Lan")
    await lan.say("/phananh")
    await lan.say("rác")
    async with lan.http.post(lan.url + "/api/messages", data=upload(b"\xff\xd8data", "x" * 500)) as response:
        assert response.status == 400 and (await response.json())["error"]
