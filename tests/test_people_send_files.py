"""What a walk of photos through every form found (twelfth session): a photo sent at a question that does not ask for
one was lost, with "please choose one of the options" at most (a tip's place, time or last question, a problem's
last question, mediation's first); a photo under a police question was "not kept" and its caption (the number
plate asked for) lost; a problem report's photos were deleted when it turned into a tip. Each test was written
failing before the fix (bot.core.forms.files_beside, Flow.keeps_files, handlers/tips/flows/answer.py,
handlers/problems/flows/report.py on_crime).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import select

from models import ConversationState, MediationCase, Tip, TipAttachment, TipMessage
from models.problems import Problem, ProblemPhoto
from tests.drivers import ChatDriver, driver_town
from tests.drivers.telegram import TelegramDriver
from tests.drivers.zalo_oa import ZaloOADriver
from tests.test_people_do import media_files, rows, texts
from tests.test_tips import CODE, poll
from tests.test_tips_files import chat as chat
from tests.test_tips_files import jpeg


async def joined(town: Any, person: ChatDriver) -> None:
    code = await town.invite("resident")
    await person.say(f"/start {code}")
    await person.press("Tiếng Việt")
    assert "Chào mừng" in texts(await person.press("Tôi đồng ý"))


async def tip_files(town: Any, tip_id: int | None) -> list[TipAttachment]:
    async with town.app.db.session() as session:
        return list((await session.exec(select(TipAttachment).where(TipAttachment.tip_id == tip_id))).all())


async def tip_to_where(person: ChatDriver) -> None:
    await person.say("/togiac")
    await person.press("Trộm cắp")
    await person.say("Hai thanh niên bẻ khóa xe máy trước nhà số 12")
    assert "ở đâu" in texts(await person.press("Xong")).lower()


async def tip_when_to_summary(person: ChatDriver) -> str:
    await person.press("Hôm nay")
    await person.press("Phường Cao Lãnh")
    await person.press("Ẩn danh")
    return texts(await person.press("Có, cho phép trả lời"))


async def open_forms(town: Any) -> list[ConversationState]:
    async with town.app.db.session() as session:
        return [s for s in (await session.exec(select(ConversationState))).all() if s.flow]


async def open_state(town: Any) -> ConversationState:
    [state] = await open_forms(town)
    return state


# A tip on every channel ------------------------------------------------------------------------------------------
async def test_a_photo_of_the_place_captioned_with_its_address_is_the_tips_place_and_file(
    chat: tuple[Any, ChatDriver],
) -> None:
    town, person = chat
    await joined(town, person)
    await tip_to_where(person)
    answer = texts(await person.send_photo(jpeg((10, 120, 10)), caption="Đầu hẻm 5 Lê Lợi"))
    assert "Khi nào" in answer, answer
    summary = await tip_when_to_summary(person)
    assert "Tệp: 1" in summary and "hẻm 5 Lê Lợi" in summary, summary
    assert CODE.search(texts(await person.press("Gửi cho công an")))
    [tip] = await rows(town, Tip)
    assert tip.place_text == "Đầu hẻm 5 Lê Lợi" and len(await tip_files(town, tip.id)) == 1


async def test_a_photo_remembered_at_the_tips_summary_goes_with_it(chat: tuple[Any, ChatDriver]) -> None:
    town, person = chat
    await joined(town, person)
    await tip_to_where(person)
    await person.say("Trước nhà số 12 Lê Lợi")
    assert "Tệp: 0" in await tip_when_to_summary(person)
    again = texts(await person.send_photo(jpeg((200, 0, 0)), caption="ảnh chụp lúc 9 giờ sáng nay"))
    assert "Đã nhận" in again and "Tệp: 1" in again, again  # the summary again, with the photo counted
    assert CODE.search(texts(await person.press("Gửi cho công an")))
    [tip] = await rows(town, Tip)
    assert len(await tip_files(town, tip.id)) == 1
    assert tip.text is not None and "9 giờ sáng nay" in tip.text  # the caption joined the tip's words


async def test_a_photo_at_the_when_question_is_kept_and_the_question_asked_again(
    chat: tuple[Any, ChatDriver],
) -> None:
    town, person = chat
    await joined(town, person)
    await tip_to_where(person)
    await person.say("Trước nhà số 12 Lê Lợi")
    late = texts(await person.send_photo(jpeg((0, 0, 200))))
    assert "Đã nhận" in late and "Khi nào" in late, late
    assert "Tệp: 1" in await tip_when_to_summary(person)


# The police ask; the tipster answers with a photo --------------------------------------------------------------
async def send_from_when(ward: Any, lan: Any) -> Tip:
    """From the tip's "when?" to its sending, anonymous with replies allowed; the tip sent."""
    await tip_when_to_summary(lan)
    assert CODE.search(texts(await lan.press("Gửi cho công an")))
    [tip] = await rows(ward, Tip)
    return tip


async def anonymous_tip(ward: Any, lan: Any) -> int:
    await lan.say("/togiac")
    await lan.press("Trộm cắp")
    await lan.say("Hai thanh niên bẻ khóa xe máy trước nhà số 12 Lê Lợi")
    await lan.press("Xong")
    await lan.say("Trước nhà số 12 Lê Lợi")
    tip = await send_from_when(ward, lan)
    assert tip.id is not None
    return tip.id


async def police_asks(ward: Any, officer: Any, tip_id: int, question: str) -> None:
    await ward.drain()
    await poll(officer)
    await officer.press(f"tipp:open:{tip_id}")
    await officer.press(f"tipp:ask:{tip_id}")
    assert "Đã lưu" in texts(await officer.say(question))
    await ward.drain()


async def tipster_said(ward: Any) -> list[str]:
    return [m.text or "" for m in await rows(ward, TipMessage) if m.direction == "tipster"]


async def test_a_photo_sent_under_a_police_question_is_the_answer(ward: Any) -> None:
    lan = await ward.join("Lan")
    officer = await ward.join("Công an Minh", role="police")
    tip_id = await anonymous_tip(ward, lan)
    await police_asks(ward, officer, tip_id, "Anh/chị có ảnh biển số xe không? Nếu có xin gửi giúp.")
    assert "biển số" in texts(await poll(lan))
    answer = texts(
        await lan.send_file(jpeg((1, 2, 3)), "IMG_0001.jpg", "image/jpeg", caption="Biển số 66B1-123.45")
    )
    assert "Đã gửi câu trả lời" in answer, answer
    assert len(await tip_files(ward, tip_id)) == 1
    assert any("66B1-123.45" in said for said in await tipster_said(ward))


async def test_a_photo_after_pressing_answer_is_the_answer(ward: Any) -> None:
    lan = await ward.join("Lan")
    officer = await ward.join("Công an Minh", role="police")
    tip_id = await anonymous_tip(ward, lan)
    await police_asks(ward, officer, tip_id, "Anh/chị có ảnh biển số xe không?")
    await poll(lan)
    await lan.press("Trả lời")
    answer = texts(await lan.send_file(jpeg((1, 2, 3)), "IMG_0001.jpg", "image/jpeg"))
    assert "Đã gửi câu trả lời" in answer, answer
    assert len(await tip_files(ward, tip_id)) == 1
    assert not await open_forms(ward)


async def test_a_voice_note_under_a_police_question_is_not_sent_for_an_anonymous_tipster(ward: Any) -> None:
    """An answer goes at once, with no step to decide: a voice that could identify the tipster stays behind."""
    lan = await ward.join("Lan")
    officer = await ward.join("Công an Minh", role="police")
    tip_id = await anonymous_tip(ward, lan)
    await police_asks(ward, officer, tip_id, "Anh/chị nghe được họ nói gì không?")
    await poll(lan)
    answer = texts(await lan.send_file(b"ID3" + bytes(200), "voice.mp3", "audio/mpeg"))
    assert "giọng" in answer.lower() or "thoại" in answer.lower(), answer
    assert not await tip_files(ward, tip_id)


# A problem report that turns out a crime; the problem's own last question ---------------------------------------
async def test_the_photos_of_a_problem_report_go_along_when_it_becomes_a_tip(ward: Any) -> None:
    lan = await ward.join("Lan")
    officer = await ward.join("Công an Minh", role="police")
    await lan.say("/phananh")
    await lan.press("prc:other")
    got = texts(
        await lan.send_file(
            jpeg((50, 50, 50)),
            "IMG_2.jpg",
            "image/jpeg",
            caption="Tối nào cũng có mấy thằng bán ma túy ở đầu hẻm 5",
        )
    )
    assert "ảnh" in got.lower(), got
    await lan.press("prd:done")
    await lan.press("prx:tip")
    state = await open_state(ward)
    assert state.flow == "tip" and len(state.data["files"]) == 1
    assert "1 tệp" in texts(await lan.press("Ma túy"))
    await lan.press("Xong")
    await lan.say("Đầu hẻm 5")
    tip = await send_from_when(ward, lan)
    assert len(await tip_files(ward, tip.id)) == 1
    await ward.drain()
    await poll(officer)
    opened = await officer.press(f"tipp:open:{tip.id}")
    assert [m for r in opened for m in r.get("media", [])], texts(opened)


async def test_a_photo_at_the_problem_summary_goes_with_the_report(ward: Any) -> None:
    lan = await ward.join("Lan")
    await lan.say("/phananh")
    await lan.press("prc:street_light")
    await lan.say("Đèn đầu hẻm 5 tắt cả tuần nay")
    await lan.press("prd:done")
    await lan.say("Đầu hẻm 5 Lê Lợi")
    await lan.press("prp:yes")
    await lan.press("prn:anon")
    late = texts(await lan.send_file(jpeg((255, 255, 0)), "IMG_3.jpg", "image/jpeg"))
    assert "Đã nhận" in late or "đã nhận" in late, late
    await lan.press("prs:yes")
    [problem] = await rows(ward, Problem)
    assert len(await rows(ward, ProblemPhoto)) == 1


# Mediation keeps words only -------------------------------------------------------------------------------------
async def test_a_captioned_photo_as_mediations_first_answer_keeps_the_story(ward: Any) -> None:
    lan = await ward.join("Lan")
    await lan.say("/hoagiai")
    story = "Nhà bên xây tường lấn sang đất nhà tôi 30 phân, nói mãi không nghe, nhờ tổ hòa giải giúp"
    got = texts(await lan.send_file(jpeg((120, 60, 0)), "IMG_4.jpg", "image/jpeg", caption=story))
    assert "không được lưu" in got and "mô tả" in got, got
    after = texts(await lan.press("hqk:land"))
    assert "Mô tả" not in after, after  # the caption was the description: the next question is the name
    state = await open_state(ward)
    assert state.data["description"] == story
    assert not await rows(ward, MediationCase)


# Stickers, shared links, round videos ----------------------------------------------------------------------------
@pytest.fixture
async def oa(db_url: str, settings_for: Any) -> AsyncIterator[tuple[Any, ZaloOADriver]]:
    driver = ZaloOADriver()
    async with driver_town(driver, settings_for, db_url) as town:
        yield town, driver


@pytest.fixture
async def tg(db_url: str, settings_for: Any) -> AsyncIterator[tuple[Any, TelegramDriver]]:
    driver = TelegramDriver()
    async with driver_town(driver, settings_for, db_url) as town:
        yield town, driver


def oa_event(
    driver: ZaloOADriver, name: str, kind: str, payload: dict[str, Any], text: str = ""
) -> dict[str, Any]:
    message: dict[str, Any] = {"attachments": [{"type": kind, "payload": payload}]}
    if text:
        message["text"] = text
    return driver.fake._event(name, driver.user_id, message)


SCAM_LINK = {"url": "http://vietcombank-hotro.top/xac-minh", "title": "Xác minh tài khoản", "description": ""}


async def test_a_sticker_in_the_middle_of_a_tip_on_the_zalo_oa_gets_the_question_again(
    oa: tuple[Any, ZaloOADriver],
) -> None:
    """Defect: the Zalo OA said nothing at all to a sticker (Telegram and the Zalo Bot answered)."""
    town, person = oa
    await joined(town, person)
    await person.say("/togiac")
    got = texts(
        await person.inject(
            oa_event(person, "user_send_sticker", "sticker", {"id": "abc", "url": "https://zalo.me/s/1"})
        )
    )
    assert "nhãn dán" in got and "về việc gì" in got.lower(), got
    assert (
        "Trộm cắp" in texts(await person.say("2")) or (await open_state(town)).data.get("category") == "theft"
    )


async def test_a_link_shared_on_the_zalo_oa_is_read_as_its_address(oa: tuple[Any, ZaloOADriver]) -> None:
    town, person = oa
    await joined(town, person)
    await person.say("/kiemtra")
    got = texts(await person.inject(oa_event(person, "user_send_link", "link", SCAM_LINK)))
    assert "không tìm thấy thông tin" in got, got  # checked (an empty message would be asked again)
    await person.say("/togiac")
    await person.press("Lừa đảo, lừa đảo qua mạng")
    await person.say("Có người gửi đường dẫn giả ngân hàng cho nhiều người trong khóm")
    await person.inject(oa_event(person, "user_send_link", "link", SCAM_LINK, text="link nó gửi đây"))
    words = (await open_state(town)).data["text"]
    assert "link nó gửi đây http://vietcombank-hotro.top/xac-minh" in words, words


async def test_a_sticker_in_a_form_on_telegram_asks_the_question_again(
    tg: tuple[Any, TelegramDriver],
) -> None:
    town, person = tg
    await joined(town, person)
    await person.say("/togiac")
    sticker = {
        "file_id": "stk1",
        "file_unique_id": "u1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    got = texts(
        await person.inject(
            lambda: person.fake._emit(message=person.fake._message(person.user_id, None, sticker=sticker))
        )
    )
    assert "ảnh" in got and "về việc gì" in got.lower(), got
    assert "Trộm cắp" in person.choices()


async def test_a_round_video_message_on_telegram_goes_with_the_tip(tg: tuple[Any, TelegramDriver]) -> None:
    town, person = tg
    await joined(town, person)
    await person.say("/togiac")
    await person.press("Trộm cắp")
    f = person.fake.state.register_file(b"\x00\x00\x00\x18ftypmp42" + b"\0" * 300, "video_notes", "mp4")
    note = {
        "file_id": f["file_id"],
        "file_unique_id": f["file_unique_id"],
        "length": 240,
        "duration": 4,
        "file_size": f["file_size"],
    }
    await person.inject(
        lambda: person.fake._emit(message=person.fake._message(person.user_id, None, video_note=note))
    )
    assert len((await open_state(town)).data["files"]) == 1


async def test_a_screenshot_sent_to_the_scam_check_has_its_caption_checked(ward: Any) -> None:
    lan = await ward.join("Lan")
    await lan.say("/kiemtra")
    got = texts(
        await lan.send_file(
            jpeg((9, 9, 9)),
            "IMG_5.jpg",
            "image/jpeg",
            caption="số 0912345678 nhắn trúng thưởng xe SH, có phải lừa đảo?",
        )
    )
    assert "không được lưu" in got and "không tìm thấy thông tin" in got, got


# A photo sent before any form -------------------------------------------------------------------------------------
async def test_a_photo_sent_first_goes_into_the_problem_report_chosen(ward: Any) -> None:
    lan = await ward.join("Lan")
    await lan.send_file(jpeg((255, 200, 0)), "IMG_6.jpg", "image/jpeg")
    asked = texts(await lan.send_file(jpeg((255, 100, 0)), "IMG_7.jpg", "image/jpeg"))  # the rest of an album
    assert "2 ảnh" in asked, asked
    await lan.say("đèn đường đầu hẻm 5 tắt cả tuần nay")
    await lan.press("Phản ánh: đèn đường, rác, ngập…")
    state = await open_state(ward)
    assert state.flow == "problem" and len(state.data["photos"]) == 2
    assert state.data["text"] == "đèn đường đầu hẻm 5 tắt cả tuần nay"


async def test_a_photo_sent_first_and_not_sent_is_deleted(ward: Any) -> None:
    lan = await ward.join("Lan")
    await lan.send_file(jpeg((0, 200, 0)), "IMG_8.jpg", "image/jpeg")
    assert len(media_files(ward)) == 1
    await lan.say("hủy")
    assert not media_files(ward) and not await open_forms(ward)
    await lan.send_file(jpeg((0, 200, 0)), "IMG_9.jpg", "image/jpeg")
    await lan.press("Không gửi")
    assert not media_files(ward)
