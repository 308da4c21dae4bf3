"""Mediation journeys in the web chat: a police matter redirected, a case assigned, scheduled, reminded and
closed as agreed, a mediator with a conflict of interest kept out, a private case hidden from a group leader."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from handlers.mediation import ticks
from models import OutboxMessage
from models.mediation import CaseStatus, MediationCase, MediationEvent


@pytest.fixture(autouse=True)
async def no_background_sender(town):  # type: ignore[no-untyped-def]
    """Deliver pushes only through `town.drain()`: the background sender would race the test's own steps."""
    town.settings = town.settings.model_copy(update={"delivery_enabled": False})
    await town.restart()


async def pushed(town, person) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Deliver what is due and return what reached this person's browser since the last look."""
    await town.drain()
    messages = await person.poll()
    person.seen += messages  # so that buttons of pushed messages can be pressed
    return messages


async def settle(person) -> None:  # type: ignore[no-untyped-def]
    """Skip what this browser already showed, so later polls hold only new pushes."""
    await person.poll()


def text_of(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m["text"] for m in messages)


async def request(
    person,
    description: str,
    parties: str = "Nguyễn Văn Ba - 0912 345 678",
    *,  # type: ignore[no-untyped-def]
    name: str = "Trần Thị Lan",
    kind: str = "noise",
    private: bool = False,
) -> str:
    """Fill in /hoagiai as a resident would; returns the case number shown."""
    replies = await person.say("/hoagiai")
    if "hgn:new" in [c["payload"] for m in replies for c in m.get("choices", [])]:
        await person.press("hgn:new")
    await person.press(f"hqk:{kind}")
    await person.say(description)
    await person.say(name)
    await person.say(parties)
    await person.press("hqd:done")  # the people understood are shown back, with Done
    await person.press("hqu:no")
    await person.say("Tối các ngày trong tuần, sau 19 giờ")
    await person.press("hqv:yes" if private else "hqv:no")
    replies = await person.press("hqs:send")
    found = re.search(r"HG-\d{4}-\d{4}", person.all_text(replies))
    assert found, person.all_text(replies)
    return found.group(0)


async def profile(person, name: str, relatives: str | None = None) -> None:  # type: ignore[no-untyped-def]
    await person.say("/hoagiai")
    await person.press("hgpf:edit")
    await person.say(name)
    if relatives:
        await person.say(relatives)
    else:
        await person.press("hqpr:none")


async def case_row(town, number: str) -> MediationCase:  # type: ignore[no-untyped-def]
    async with town.app.db.session() as session:
        return (await session.exec(select(MediationCase).where(MediationCase.number == number))).one()


async def count_outbox(town) -> int:  # type: ignore[no-untyped-def]
    async with town.app.db.session() as session:
        return len((await session.exec(select(OutboxMessage))).all())


NOISE = "Nhà bên cạnh hát karaoke đến 1 giờ sáng mỗi tối, tôi đã nhắc nhiều lần nhưng không được."


async def test_a_police_matter_is_refused_and_redirected(town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan")
    await lan.say("/hoagiai")
    await lan.press("hqk:neighbours")
    replies = await lan.say("Ong hang xom say ruou roi danh toi chay mau dau, con doa giet ca nha toi")
    text = lan.all_text(replies)
    assert "Điều 3" in text and "113" in text and "bạo lực" in text
    assert "hqp:tip" in [c["payload"] for c in replies[-1]["choices"]]

    replies = await lan.press("hqp:tip")
    if "tip" in town.app.registry.flows:  # the tips feature is installed: its form starts at once
        async with town.app.db.session() as session:
            from models import ConversationState

            states = (await session.exec(select(ConversationState))).all()
        assert any(s.flow == "tip" for s in states)
    else:
        assert "/togiac" in lan.all_text(replies)
    async with town.app.db.session() as session:
        assert (await session.exec(select(MediationCase))).all() == []

    # A false alarm can be written again: "dao động" is not a knife, and the request goes through.
    await lan.say("/hoagiai")
    await lan.press("hqk:neighbours")
    replies = await lan.say("Anh ấy nói dối, tôi rất bực: cây của nhà anh ấy dao động, lá rụng đầy sân tôi")
    assert "Điều 3" not in lan.all_text(replies)
    assert "họ tên" in lan.last_text().lower()


async def test_an_outdated_button_or_an_answer_that_is_no_choice_is_asked_again(town) -> None:  # type: ignore[no-untyped-def]
    """A button of an earlier question does not answer the current one, and an answer that matches no button asks
    again with the reason; nothing given before is lost. A forged case button is refused, and changes nothing."""
    lan = await town.join("Lan")
    await lan.say("/hoagiai")
    await lan.press("hqk:noise")
    await lan.say(NOISE)
    await lan.say("Trần Thị Lan")
    await lan.say("Nguyễn Văn Ba")
    await lan.press("hqd:done")
    await lan.press("hqu:yes")
    replies = await lan.say("Tối thứ bảy")
    assert [c["payload"] for c in replies[-1]["choices"]] == ["hqv:yes", "hqv:no"]

    replies = await lan.press("hqu:no")  # the urgency question's button, pressed at the privacy question
    assert "câu hỏi trước" in lan.all_text(replies)
    assert [c["payload"] for c in replies[-1]["choices"]] == ["hqv:yes", "hqv:no"]
    replies = await lan.say("có lẽ")
    assert "Vui lòng chọn một trong các mục" in lan.all_text(replies)
    assert [c["payload"] for c in replies[-1]["choices"]] == ["hqv:yes", "hqv:no"]
    await lan.press("hqv:no")
    replies = await lan.press("hqs:send")
    found = re.search(r"HG-\d{4}-\d{4}", lan.all_text(replies))
    assert found, lan.all_text(replies)
    case = await case_row(town, found.group(0))
    assert case.urgent and not case.private and case.preferred_times == "Tối thứ bảy"

    # Buttons that no longer parse as what their handler reads (an old or forged payload) are refused.
    for forged in ("hgo:abc", f"hgw:{case.id}:x", f"hgf:{case.id}:maybe"):
        replies = await lan._post(json={"choice": forged})
        assert replies and found.group(0) not in lan.all_text(replies), forged
    assert (await case_row(town, found.group(0))).status == CaseStatus.RECEIVED


async def test_case_assigned_scheduled_reminded_and_closed_as_agreed(manual_clock, town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan")
    head = await town.join("Hùng", role="mediation_head")
    binh = await town.join("Bình", role="mediator")
    await profile(binh, "Lê Văn Bình")
    for person in (lan, head, binh):
        await settle(person)

    number = await request(lan, NOISE)
    news = text_of(await pushed(town, head))
    assert number in news and "Tiếng ồn" in news
    assert number in text_of(await pushed(town, binh))

    await town.restart()
    await head.press("Phân công hòa giải viên")
    replies = await head.press("Lê Văn Bình")
    assert "Lê Văn Bình" in head.all_text(replies) and number in head.all_text(replies)
    assert "Lê Văn Bình" in text_of(await pushed(town, lan))
    assert number in text_of(await pushed(town, binh))

    # The other party uses An Dân too: the mediator gives him a code, and he follows the case from then on.
    ba = await town.join("Ba", group="Tổ 4")
    await binh.press("Xem vụ việc")
    await binh.press("Mời một bên theo dõi vụ việc")
    replies = await binh.press("Nguyễn Văn Ba")
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", binh.all_text(replies))
    assert code, binh.all_text(replies)
    replies = await ba.say("/hoagiai ABCD-EFGH")
    assert "không hợp lệ" in ba.all_text(replies)
    replies = await ba.say(f"/hoagiai {code.group(0).lower()}")
    assert number in ba.all_text(replies) and "Trần Thị Lan" in ba.all_text(replies)
    replies = await ba.say(f"/hoagiai {code.group(0)}")  # used once only
    assert "không hợp lệ" in ba.all_text(replies)
    await settle(ba)

    # The mediator proposes a session; an impossible date is answered politely and nothing is lost.
    await binh.press("hgs:" + str((await case_row(town, number)).id))
    replies = await binh.say("31/02 19:30")
    assert "31/02" in binh.all_text(replies) and "Không có ngày" in binh.all_text(replies)
    await binh.say("25/11 19h30")
    await binh.say("Nhà văn hóa Khóm 2")
    replies = await binh.press("hqss:yes")
    assert "2 bên" in binh.all_text(replies)

    proposal = text_of(await pushed(town, lan))
    assert "19:30" in proposal and "Nhà văn hóa Khóm 2" in proposal
    assert "Nhà văn hóa Khóm 2" in text_of(await pushed(town, ba))
    replies = await lan.press("Có, tôi sẽ đến")
    assert "nhắc" in lan.all_text(replies)
    replies = await lan.press("Có, tôi sẽ đến")  # pressed twice: answered, nothing queued twice
    assert "đã xác nhận" in lan.all_text(replies)
    assert number in text_of(await pushed(town, binh))

    # The day before (Tuesday 19:31, Vietnam time) and two hours before (Wednesday 17:31) come reminders.
    manual_clock.advance(timedelta(days=1, hours=10, minutes=31))
    await ticks.remind(town.app)
    day_before = text_of(await pushed(town, lan))
    assert "ngày mai" in day_before and number in day_before
    assert "ngày mai" in text_of(await pushed(town, binh))
    assert "ngày mai" in text_of(await pushed(town, ba))
    queued = await count_outbox(town)
    await ticks.remind(town.app)  # a second run of the same tick queues nothing new
    assert await count_outbox(town) == queued

    manual_clock.advance(timedelta(hours=22))
    await ticks.remind(town.app)
    two_hours = text_of(await pushed(town, lan))
    assert "hai giờ nữa" in two_hours and "19:30" in two_hours
    assert "hai giờ nữa" in text_of(await pushed(town, binh))

    # After the session the mediator records the agreement; the requester is told what was agreed.
    manual_clock.advance(timedelta(hours=4))
    await binh.say("/hoagiai")
    await binh.press(number)
    await binh.press("Ghi kết quả")
    await binh.press("hqo:agreed")
    replies = await binh.say("Ông Ba tắt karaoke trước 22 giờ; bà Lan báo tổ trưởng nếu còn ồn.")
    assert number in binh.all_text(replies)
    outcome = text_of(await pushed(town, lan))
    assert "hòa giải thành" in outcome and "trước 22 giờ" in outcome

    case = await case_row(town, number)
    assert case.status == CaseStatus.AGREED and case.mediator_name == "Lê Văn Bình"
    async with town.app.db.session() as session:
        actions = [
            e.action
            for e in (
                await session.exec(
                    select(MediationEvent)
                    .where(MediationEvent.case_id == case.id)
                    .order_by(col(MediationEvent.id))
                )
            ).all()
        ]
    assert actions == [
        "received",
        "assigned",
        "party_invited",
        "party_joined",
        "session_proposed",
        "session_confirmed",
        "agreed",
    ]

    # The requester follows the case: its history is timestamped.
    await lan.say("/hoagiai")
    replies = await lan.press(number)
    text = lan.all_text(replies)
    assert "Lịch sử" in text and "hòa giải thành" in text.lower() and "trước 22 giờ" in text


async def test_a_mediator_with_a_conflict_cannot_take_the_case(town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan")
    head = await town.join("Hùng", role="mediation_head")
    binh = await town.join("Bình", role="mediator")
    cuc = await town.join("Cúc", role="mediator")
    await profile(binh, "Lê Văn Bình", "Nguyen Van Ba\nLê Thị Hoa")  # typed without accents: still matched
    await profile(cuc, "Phạm Thị Cúc")
    for person in (head, binh, cuc):
        await settle(person)

    number = await request(
        lan,
        "Nhà ông Ba xây tường lấn sang đất nhà tôi khoảng nửa mét.",
        kind="land",
        parties="ông Nguyễn Văn Ba, 0912 345 678",
    )
    await pushed(town, binh)
    replies = await binh.press("Nhận vụ việc này")
    text = binh.all_text(replies)
    assert "không thể nhận" in text and "Nguyen Van Ba" in text and "điều 18" in text
    assert (await case_row(town, number)).mediator_id is None

    # The head is not offered Bình, and is told why.
    await pushed(town, head)
    replies = await head.press("Phân công hòa giải viên")
    assert "Lê Văn Bình" not in [c["label"] for c in replies[-1]["choices"]]
    assert "Phạm Thị Cúc" in [c["label"] for c in replies[-1]["choices"]]
    assert "Lê Văn Bình" in head.all_text(replies)

    # Cúc declares a conflict herself: from then on she may not take it either.
    await cuc.say("/hoagiai")
    await cuc.press(number)
    await cuc.press("Báo có xung đột lợi ích")
    replies = await cuc.press("hgt:" + str((await case_row(town, number)).id))
    assert "không thể nhận" in cuc.all_text(replies)

    # The requester cannot mediate her own case either, even if she were a mediator.
    async with town.app.db.session() as session:
        case = (await session.exec(select(MediationCase).where(MediationCase.number == number))).one()
        from handlers.mediation.store import conflict
        from models import Person

        requester = await session.get(Person, case.requester_id)
        assert await conflict(session, case, requester) is not None


async def test_a_private_case_is_invisible_to_a_group_leader(town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan")
    tam = await town.join("Tâm", role="group_admin")
    head = await town.join("Hùng", role="mediation_head")
    binh = await town.join("Bình", role="mediator")
    await settle(binh)
    number = await request(
        lan,
        "Chuyện gia đình: em trai tôi không chịu chia phần nhà của bố mẹ để lại.",
        parties="Trần Văn Nam",
        kind="family",
        private=True,
    )
    case = await case_row(town, number)
    assert case.private

    # An unassigned mediator is told a private case arrived, without any detail, and cannot open it.
    note = text_of(await pushed(town, binh))
    assert number in note and "Trần Văn Nam" not in note and "chia phần" not in note
    replies = await binh._post(json={"choice": f"hgo:{case.id}"})
    assert "không có quyền xem" in binh.all_text(replies)

    # The group leader of Lan's group sees nothing of it: not in lists, not by a forged button, not in the book.
    replies = await tam.say("/hoagiai")
    assert number not in tam.all_text(replies)
    await tam.say("/huy")
    replies = await tam._post(json={"choice": f"hgo:{case.id}"})
    assert "không có quyền xem" in tam.all_text(replies) and "Trần Văn Nam" not in tam.all_text(replies)
    replies = await tam.say("/sohoagiai")
    assert "0 vụ việc" in tam.all_text(replies) and "1 vụ việc không được liệt kê" in tam.all_text(replies)

    # The head sees it in full, and the requester follows it.
    replies = await head.say("/hoagiai")
    assert number in head.all_text(replies)
    replies = await head.press(number)
    assert "Trần Văn Nam" in head.all_text(replies)
    await lan.say("/hoagiai")
    replies = await lan.press(number)
    assert "chia phần" in lan.all_text(replies)


async def test_another_time_asked_quiet_hours_and_withdrawal(manual_clock, town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan")
    binh = await town.join("Bình", role="mediator")
    await profile(binh, "Lê Văn Bình")
    number = await request(lan, NOISE)
    await pushed(town, binh)
    await binh.press("Nhận vụ việc này")
    await binh.press("Đề xuất buổi hòa giải")
    await binh.say("25/11 6h30 sáng")
    await binh.say("Nhà văn hóa Khóm 2")
    await binh.press("hqss:yes")
    await settle(binh)

    # Lan cannot come and says when she can; the mediator is told and proposes again.
    await pushed(town, lan)
    await lan.press("Không, xin thời gian khác")
    replies = await lan.say("Tối thứ năm sau 19 giờ")
    assert "hòa giải viên" in lan.all_text(replies)
    told = text_of(await pushed(town, binh))
    assert "Tối thứ năm sau 19 giờ" in told and number in told

    # Reminders of that first proposal skip Lan, who said she cannot come; the day-before one waits for 07:00.
    manual_clock.set(datetime.fromisoformat("2026-11-24T06:31:00+07:00"))
    await ticks.remind(town.app)
    assert "ngày mai" not in text_of(await pushed(town, binh))  # 06:31 is still quiet time
    manual_clock.set(datetime.fromisoformat("2026-11-24T07:00:00+07:00"))
    assert "ngày mai" in text_of(await pushed(town, binh))
    assert "ngày mai" not in text_of(await pushed(town, lan))

    # Lan withdraws; the mediator is told, and a session planned for the case is not reminded any more.
    await lan.say("/hoagiai")
    await lan.press(number)
    replies = await lan.press("Rút yêu cầu của tôi")
    assert number in lan.all_text(replies)
    assert "đã rút" in text_of(await pushed(town, binh))
    manual_clock.set(datetime.fromisoformat("2026-11-25T04:31:00+07:00"))
    await ticks.remind(town.app)
    assert "hai giờ nữa" not in text_of(await pushed(town, binh))
    assert (await case_row(town, number)).status == CaseStatus.WITHDRAWN


async def test_not_knowing_the_other_sides_name_is_not_taken_as_a_name(town) -> None:  # type: ignore[no-untyped-def]
    """Defect: "không" or "ko biết tên" at "who is the dispute with?" became a party called "không". Now the
    person is asked to describe them; a description is a party like a name."""
    lan = await town.join("Lan")
    await lan.say("/hoagiai")
    await lan.press("hqk:noise")
    await lan.say(NOISE)
    await lan.say("Trần Thị Lan")
    for typed in ("không", "ko biết tên ạ", "I don't know"):
        replies = await lan.say(typed)
        assert "nhà số 12" in lan.all_text(replies), lan.all_text(replies)
        assert "hqd:done" not in [c["payload"] for m in replies for c in m.get("choices", [])]
    replies = await lan.say("Nhà số 12 hẻm 5, chủ quán karaoke")
    assert "Nhà số 12 hẻm 5" in lan.all_text(replies) and "(1)" in lan.all_text(replies)
