"""What a walk of mediation found (walk C): bà Tư (70, on the Zalo Bot, types everything) asks for mediation in her own
words and follows her case; a mediator types the session's date as people type dates; she answers "Can you come?"
in a sentence; a dispute that turns out to be a police matter is handed to the tip form. Each test was written
failing, against the defect it names, before the fix (handlers/mediation: intents.toml, when.py, typed.py,
flows/overview.py, flows/request.py, flows/schedule.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from sqlmodel import select

from bot.i18n import local
from handlers.mediation.when import WhenError, parse_when
from models import ConversationState
from models.mediation import CaseStatus, MediationCase, MediationSession
from tests.drivers import driver_town
from tests.drivers.zalo_bot import ZaloBotDriver
from tests.test_mediation import profile, request
from tests.test_people_do import joined, rows, texts

KARAOKE = "hàng xóm mở karaoke tới 12 giờ đêm, nói hoài không nghe"
NOISE = "Nhà bên cạnh hát karaoke đến 1 giờ sáng mỗi tối, nhắc hoài không được."
MONDAY = datetime.fromisoformat("2026-11-23T02:00:00+00:00")  # Monday 23/11/2026 09:00 in Vietnam


@pytest.fixture
async def zalo(db_url: str, settings_for: Any, manual_clock: Any) -> AsyncIterator[tuple[Any, ZaloBotDriver]]:
    """Bà Tư on the Zalo Bot (numbered lines, no buttons), in the demo ward on Monday 23/11/2026 09:00."""
    tu = ZaloBotDriver(user_id="zb-ba-tu", display_name="Tư")
    async with driver_town(tu, settings_for, db_url, delivery_enabled=False) as town:
        yield town, tu


async def zalo_got(town: Any, tu: ZaloBotDriver) -> str:
    """Deliver what is queued; the texts that reached bà Tư's Zalo since."""
    before = len(tu.sent())
    await town.drain()
    return "\n".join(str(m.get("text") or "") for m in tu.sent()[before:])


async def asks_in_her_words(town: Any, tu: ZaloBotDriver) -> MediationCase:
    """Bà Tư joins, tells her dispute in her own words and types every answer; returns the case."""
    await joined(town, tu)
    await tu.say(KARAOKE)
    for answer in (
        "có",
        "có",
        "Nguyễn Thị Tư",
        "ông Sáu nhà bên cạnh số 14",
        "xong",
        "không gấp",
        "tối nào cũng được",
        "không",
    ):
        await tu.say(answer)
    sent = texts(await tu.say("gửi"))
    assert "HG-2026-0001" in sent, sent
    [case] = await rows(town, MediationCase)
    return case


async def mediator_takes(town: Any, case: MediationCase) -> Any:
    binh = await town.join("Bình", role="mediator")
    await profile(binh, "Lê Văn Bình")
    await binh._post(json={"choice": f"hgt:{case.id}"})
    return binh


async def proposes(binh: Any, case: MediationCase, when: str) -> str:
    """The mediator proposes a session typed as `when`; returns the confirm question shown."""
    await binh._post(json={"choice": f"hgs:{case.id}"})
    await binh.say(when)
    return texts(await binh.say("Nhà văn hóa Khóm 2"))


async def a_session_proposed(town: Any, tu: ZaloBotDriver, when: str = "mai 7h tối") -> Any:
    """Bà Tư's case with a session proposed to her; returns the mediator."""
    case = await asks_in_her_words(town, tu)
    binh = await mediator_takes(town, case)
    await proposes(binh, case, when)
    await binh.say("có")
    assert "có đến được không" in await zalo_got(town, tu)
    return binh


async def flow_of(town: Any) -> list[str | None]:
    async with town.app.db.session() as session:
        return [s.flow for s in (await session.exec(select(ConversationState))).all()]


# 1. Following her case -----------------------------------------------------------------------------------------
async def test_asking_how_my_case_is_going_shows_my_case_not_a_new_request(zalo: Any) -> None:
    """Defect: with case HG-2026-0001 open, bà Tư typed "vụ hòa giải của tôi sao rồi", was offered "1. Nhờ hòa giải",
    typed "1" and got "Tranh chấp về việc gì?": a NEW request form with her question as its description."""
    town, tu = zalo
    case = await asks_in_her_words(town, tu)
    binh = await mediator_takes(town, case)
    await proposes(binh, case, "thứ 7 tuần này 8 giờ sáng")
    await binh.say("có")
    await zalo_got(town, tu)

    await tu.say("vụ hòa giải của tôi sao rồi")
    shown = texts(await tu.say("1"))
    assert "HG-2026-0001" in shown and "Tranh chấp về việc gì" not in shown, shown
    assert "mediation_request" not in await flow_of(town)


async def test_asking_after_a_closed_case_without_accents_shows_it(zalo: Any) -> None:
    """The same question typed without accents, after the case was closed as agreed: her case, with its outcome."""
    town, tu = zalo
    case = await asks_in_her_words(town, tu)
    binh = await mediator_takes(town, case)
    await binh.say("/hoagiai")
    await binh.press("HG-2026-0001")
    await binh.press("Ghi kết quả")
    await binh.say("hòa giải thành")
    await binh.say("Ông Sáu tắt karaoke trước 22 giờ")
    [case] = await rows(town, MediationCase)
    assert case.status == CaseStatus.AGREED
    await zalo_got(town, tu)

    await tu.say("vu hoa giai cua toi sao roi")
    shown = texts(await tu.say("1"))
    assert "HG-2026-0001" in shown and "hòa giải thành" in shown, shown
    assert "Tranh chấp về việc gì" not in shown
    assert len(await rows(town, MediationCase)) == 1


async def test_a_question_about_her_dispute_carried_in_shows_her_case(zalo: Any) -> None:
    """Words that ask how the dispute is going, read as a request for mediation (they name the dispute, not the
    case): with a case of hers on record, /hoagiai shows it rather than making the question a new request."""
    town, tu = zalo
    await asks_in_her_words(town, tu)
    await tu.say("chuyện nhà ông Sáu hát karaoke giải quyết tới đâu rồi con")
    shown = texts(await tu.say("1"))
    assert "HG-2026-0001" in shown and "Tranh chấp về việc gì" not in shown, shown


async def test_a_new_dispute_told_by_someone_with_a_case_still_begins_a_request_with_her_words(
    zalo: Any,
) -> None:
    town, tu = zalo
    await asks_in_her_words(town, tu)
    await tu.say("chó nhà bên sủa suốt đêm, tôi qua nói thì bị chửi")
    asked = texts(await tu.say("1"))
    assert "Hàng xóm" in asked, asked
    assert "mediation_request" in await flow_of(town)


# 2. The session's date and time typed as people type them -------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("thứ 7 tuần tới 8 giờ sáng", "05/12 08:00"),
        ("thu 7 tuan toi 8 gio sang", "05/12 08:00"),
        ("8 giờ tối thứ 7 tuần tới", "05/12 20:00"),
        ("sang tuần thứ 3 8h", "01/12 08:00"),
        ("một tuần nữa, 8h sáng", "30/11 08:00"),
        ("mot tuan nua 8h sang", "30/11 08:00"),
        ("mốt 8h sáng", "25/11 08:00"),
        ("ngay mot 8h", "25/11 08:00"),
        ("thứ 7 này 8 giờ rưỡi sáng", "28/11 08:30"),
        ("8 rưỡi tối mai", "24/11 20:30"),
        ("8 giờ kém 15 sáng thứ 7", "28/11 07:45"),
        ("T7 8h sáng", "28/11 08:00"),
        ("t3 7h tối", "24/11 19:00"),
        ("cn 8h sáng", "29/11 08:00"),
        ("CN tuần sau 8h", "06/12 08:00"),
        ("12 giờ đêm thứ 7", "29/11 00:00"),
        ("12 giờ trưa thứ 7", "28/11 12:00"),
        ("1 giờ trưa mai", "24/11 13:00"),
        ("8.30 sáng thứ 7", "28/11 08:30"),
        ("lúc 8.15 thứ 7", "28/11 08:15"),
        ("ngày 15 lúc 8h", "15/12 08:00"),
        ("ngày 25 lúc 8h", "25/11 08:00"),
        ("mùng 5 tháng 12 9h", "05/12 09:00"),
        ("hai ngày nữa 8h", "25/11 08:00"),
        ("2 tuần nữa 8h", "07/12 08:00"),
        ("tám giờ sáng thứ bảy", "28/11 08:00"),
        ("thu sau 7h toi", "27/11 19:00"),
        ("toi thu 7 luc 8 gio", "28/11 20:00"),
        ("toi hen thu 7 luc 8 gio", "28/11 08:00"),  # "tôi" (I) typed plainly: no evening
        ("thứ 2 8h sáng", "30/11 08:00"),  # Monday's 08:00 has passed: next Monday
        ("tối nay 8h", "23/11 20:00"),
        # as before
        ("28/11 19:30", "28/11 19:30"),
        ("thứ bảy 8h sáng", "28/11 08:00"),
        ("ngày mai 7 giờ tối", "24/11 19:00"),
        ("28-11-2026 19h30", "28/11 19:30"),
        ("28/11/2026 7h30 tối", "28/11 19:30"),
        ("25/11 6h30 sáng", "25/11 06:30"),
        ("thứ 7 tuần này 8 giờ sáng", "28/11 08:00"),
        ("mai 7h tối", "24/11 19:00"),
        ("next saturday 8am", "05/12 08:00"),
    ],
)
def test_a_session_time_is_read_as_people_type_it(typed: str, meant: str) -> None:
    """Defect: "thứ 7 tuần tới 8 giờ sáng" was this Saturday at 20:00 ("tới" folds to "toi", read as "tối"), "một
    tuần nữa" the day after tomorrow ("một" folds to "mốt"), "8 giờ rưỡi" 08:00, "T7" no date, "12 giờ đêm" noon,
    "8.30 sáng" an impossible date, "ngày 15" and "hai ngày nữa" no date (Monday 23/11/2026 09:00)."""
    assert local(parse_when(typed, MONDAY)).strftime("%d/%m %H:%M") == meant


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("31/02 19:30", "impossible_date"),
        ("25/11 25:00", "bad_time"),
        ("thứ 7 tuần tới", "no_time"),
        ("8h sáng", "no_date"),
        ("hôm qua 8h", "past"),
        ("thứ 2 tuần này 8h", "past"),
    ],
)
def test_a_session_time_that_cannot_be_read_says_why(typed: str, code: str) -> None:
    with pytest.raises(WhenError) as raised:
        parse_when(typed, MONDAY)
    assert raised.value.code == code


async def test_thu_7_tuan_toi_8_gio_sang_is_proposed_as_next_weeks_saturday_morning(
    ward: Any, manual_clock: Any
) -> None:
    lan = await ward.join("Lan")
    await request(lan, NOISE)
    [case] = await rows(ward, MediationCase)
    binh = await mediator_takes(ward, case)
    assert "05/12/2026 lúc 08:00" in await proposes(binh, case, "thứ 7 tuần tới 8 giờ sáng")
    await binh._post(json={"choice": "hqss:again"})
    assert "30/11/2026 lúc 08:00" in await proposes(binh, case, "một tuần nữa, 8h sáng")
    await binh._post(json={"choice": "hqss:again"})
    assert "28/11/2026 lúc 08:30" in await proposes(binh, case, "T7 8 giờ rưỡi sáng")


# 3. "Can you come?" answered in a sentence -----------------------------------------------------------------------
async def test_cannot_come_said_in_a_sentence_reaches_the_mediator_with_the_time_she_suggests(
    zalo: Any,
) -> None:
    """Defect: to "…Anh/chị có đến được không? 1. Có, tôi sẽ đến 2. Không, xin thời gian khác" bà Tư typed "không
    được, tối mai bà bận, để thứ 7 đi" and got "Xin lỗi, tôi chưa hiểu ý anh/chị" and the main menu."""
    town, tu = zalo
    binh = await a_session_proposed(town, tu)
    words = "không được, tối mai bà bận, để thứ 7 đi"
    said = texts(await tu.say(words))
    assert "chưa hiểu" not in said and "hòa giải viên" in said, said
    [meeting] = await rows(town, MediationSession)
    assert [(r["answer"], r["note"]) for r in meeting.responses.values()] == [("change", words)]
    await town.drain()
    told = texts(await binh.poll())
    assert "không đến được" in told and "để thứ 7 đi" in told, told


async def test_a_no_without_a_time_asks_which_times_suit_and_keeps_her_words(zalo: Any) -> None:
    town, tu = zalo
    await a_session_proposed(town, tu)
    asked = texts(await tu.say("không được con ơi, bà bận rồi"))
    assert "thời gian nào" in asked.lower() or "giờ nào" in asked.lower(), asked
    await tu.say("chiều thứ 7 hoặc chủ nhật")
    [meeting] = await rows(town, MediationSession)
    [answer] = meeting.responses.values()
    assert answer["answer"] == "change" and "bà bận" in answer["note"] and "chủ nhật" in answer["note"], (
        answer
    )


async def test_a_yes_said_in_a_sentence_confirms_the_session(zalo: Any) -> None:
    town, tu = zalo
    await a_session_proposed(town, tu)
    said = texts(await tu.say("dạ được, bà sẽ tới đúng giờ"))
    assert "hẹn gặp" in said or "Cảm ơn" in said, said
    [meeting] = await rows(town, MediationSession)
    assert [r["answer"] for r in meeting.responses.values()] == ["yes"]


async def test_other_words_under_the_session_question_are_read_as_words(zalo: Any) -> None:
    """Words that answer the question neither way (a new question) are not taken for another time."""
    town, tu = zalo
    await a_session_proposed(town, tu)
    await tu.say("vụ hòa giải của tôi sao rồi")
    [meeting] = await rows(town, MediationSession)
    assert meeting.responses == {}
    assert "HG-2026-0001" in texts(await tu.say("1"))


async def test_a_time_alone_under_the_session_question_is_the_time_she_suggests(zalo: Any) -> None:
    town, tu = zalo
    await a_session_proposed(town, tu)
    await tu.say("chủ nhật thì được")
    [meeting] = await rows(town, MediationSession)
    assert [(r["answer"], r["note"]) for r in meeting.responses.values()] == [("change", "chủ nhật thì được")]


async def test_a_new_complaint_with_an_hour_in_it_is_not_taken_for_another_time(zalo: Any) -> None:
    town, tu = zalo
    await a_session_proposed(town, tu)
    said = texts(await tu.say("hàng xóm lại hát karaoke tới 12 giờ đêm"))
    assert "Nhờ hòa giải" in said, said
    [meeting] = await rows(town, MediationSession)
    assert meeting.responses == {}


# 4. A police matter handed to the tip form -----------------------------------------------------------------------
async def test_a_police_matter_handed_to_the_tip_form_keeps_what_the_screen_saw(zalo: Any) -> None:
    """Defect: the mediation screen saw a police matter in bà Tư's words and she typed "1" (Báo cho công an); the tip
    form then asked "Anh/chị muốn báo về việc gì?" with no guess, so her "có" was "Vui lòng chọn" and a "1" typed by
    habit filed it under "Ma túy". It is handed over as a tip begun from words is: the words and the guess."""
    town, tu = zalo
    await joined(town, tu)
    await tu.say("/hoagiai")
    await tu.say("2")  # Ranh giới đất
    screened = texts(
        await tu.say("tranh chấp ranh đất với nhà bên, tuần trước nó còn lấy trộm 2 con gà nhà tôi")
    )
    assert "Điều 3" in screened and "trộm cắp" in screened, screened
    asked = texts(await tu.say("1"))
    assert "Trộm cắp" in asked.split("Gõ 1")[0], asked  # named in the question, to confirm with "có"
    said = texts(await tu.say("có"))
    assert "Vui lòng chọn" not in said and "lấy trộm 2 con gà" in said, said
    assert await flow_of(town) == ["tip"]
    assert await rows(town, MediationCase) == []


async def test_a_police_matter_said_with_danger_words_is_handed_over_with_its_guess(zalo: Any) -> None:
    """The walk's words: "cầm dao dọa chém tôi" is violence (and weapons) to the screen, which already said to call
    113; the tip form asks to confirm "Bạo lực", and "có" confirms it."""
    town, tu = zalo
    await joined(town, tu)
    await tu.say("/hoagiai")
    await tu.say("2")  # Ranh giới đất
    screened = texts(
        await tu.say(
            "tranh chấp lối đi với nhà bên, nó xây tường bít lối đi chung rồi còn cầm dao dọa chém tôi"
        )
    )
    assert "Điều 3" in screened and "bạo lực" in screened and "113" in screened, screened
    asked = texts(await tu.say("1"))
    assert "Bạo lực" in asked.split("Gõ 1")[0], asked
    said = texts(await tu.say("có"))
    assert "Vui lòng chọn" not in said and "cầm dao" in said, said
    assert await flow_of(town) == ["tip"]


# 5. A camera is no dispute ---------------------------------------------------------------------------------------
async def test_a_resident_who_says_she_has_a_camera_is_not_offered_mediation(zalo: Any) -> None:
    """Defect: "nhà bà có camera trước cửa" was offered "Nhờ hòa giải" ("camera" was a mediation phrase)."""
    town, tu = zalo
    await joined(town, tu)
    said = texts(await tu.say("nhà bà có camera trước cửa"))
    assert tu.choices() and tu.choices()[0] != "Nhờ hòa giải", said


async def test_a_neighbours_camera_pointed_into_the_house_is_still_a_dispute(zalo: Any) -> None:
    town, tu = zalo
    await joined(town, tu)
    said = texts(
        await tu.say("hàng xóm gắn camera quay thẳng vô cửa phòng ngủ nhà tôi, nói hoài không chịu xoay")
    )
    assert "Nhờ hòa giải" in said, said


# 6. The guessed kind on numbered lines ---------------------------------------------------------------------------
async def test_the_guessed_kind_on_numbered_lines_names_its_number(zalo: Any) -> None:
    """Defect: on the Zalo Bot the guessed kind said "bấm vào đó để xác nhận" while the numbered lines keep their
    order, so the "1" she typed for it chose "Hàng xóm", not the "Tiếng ồn" guessed."""
    town, tu = zalo
    await joined(town, tu)
    await tu.say(KARAOKE)
    asked = texts(await tu.say("1"))
    question = asked.split("Gõ 1")[0]
    assert "Tiếng ồn" in question and "số 3" in question and "bấm" not in question, asked
    await tu.say("3")
    await tu.say("Nguyễn Thị Tư")
    for answer in ("ông Sáu nhà bên cạnh số 14", "xong", "không gấp", "tối nào cũng được", "không"):
        await tu.say(answer)
    assert "HG-2026-0001" in texts(await tu.say("gửi"))
    [case] = await rows(town, MediationCase)
    assert case.kind == "noise"
