"""Walk T, the tipster's side: asking to withdraw a tip she sent, and erasing her data while a tip of hers is open.

A 67-year-old woman sends an anonymous tip about drug dealing in her alley (on the Zalo Bot, numbered lines, and
on Telegram), then, frightened, asks to take it back; later she erases her data with /xoadulieu.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from handlers.tips.privacy import forget_routes
from models import ChannelIdentity, Tip, TipMessage, TipRoute, TipStatus
from tests.drivers import ChatDriver
from tests.drivers.zalo_bot import ZaloBotDriver
from tests.test_people_do import joined, rows, texts
from tests.test_tips import poll, quick_tip
from tests.tipster import chat as chat
from tests.tipster import drug_tip

NOT_UNDERSTOOD = "chưa hiểu ý"
STAFF_ONLY = "không làm được từ tài khoản"
WITHDRAW = "Rút lại tin"
KEEP = "Giữ nguyên tin báo"


async def pushed_to(officer: Any) -> str:
    return texts(await poll(officer))


async def withdrawals(town: Any) -> list[TipMessage]:
    return [m for m in await rows(town, TipMessage) if m.kind == "withdraw"]


# Withdrawing a tip ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["tôi muốn rút lại tin báo", "rut lai tin bao hom truoc", "hủy tin báo"])
async def test_asking_to_withdraw_a_tip_in_her_own_words_asks_for_its_receipt_code(
    chat: tuple[Any, ChatDriver], typed: str
) -> None:
    """Before: "chưa hiểu ý" and the main menu; "hủy tin báo" was even answered as the police's own tool."""
    town, person = chat
    await joined(town, person)
    await drug_tip(person)
    said = texts(await person.say(typed))
    assert NOT_UNDERSTOOD not in said and STAFF_ONLY not in said, f"{typed!r}: {said}"
    assert "mã tiếp nhận" in said and "/tracuu" in said, f"{typed!r}: {said}"


async def test_a_withdrawn_tip_stays_on_record_and_the_police_are_told(chat: tuple[Any, ChatDriver]) -> None:
    """She asks in her words, types the code from her notebook, confirms: the police get a push and a line on the
    tip, the tip itself is still there, open, for them to decide; she is told what that means."""
    town, person = chat
    await joined(town, person)
    officer = await town.join("Công an Minh", role="police")
    code = await drug_tip(person)
    await town.drain()
    await pushed_to(officer)  # the new-tip push
    await person.say("tôi muốn rút lại tin báo")
    asked = texts(await person.say(code.lower()))
    assert "Tin báo số 1" in asked and "lưu trong hồ sơ" in asked, asked
    assert WITHDRAW in person.choices(), person.choices()
    done = texts(await person.press(WITHDRAW))
    assert "đã được báo" in done and "theo quy định của pháp luật" in done, done

    [tip] = await rows(town, Tip)
    assert tip.status == TipStatus.NEW and tip.closed_at is None and tip.purged_at is None
    [note] = await withdrawals(town)
    assert note.direction == "tipster" and note.author_person_id is None
    await town.drain()
    told = await pushed_to(officer)
    assert "rút lại tin báo số 1" in told, told

    again = texts(await person.say(f"/rutlai {code}"))
    assert "đã rút lại tin báo này" in again, again
    assert len(await withdrawals(town)) == 1


async def test_the_officer_sees_the_withdrawal_on_the_tip(chat: tuple[Any, ChatDriver]) -> None:
    town, person = chat
    await joined(town, person)
    officer = await town.join("Công an Minh", role="police")
    code = await drug_tip(person)
    await person.say(f"/rutlai {code}")
    await person.press(WITHDRAW)
    [tip] = await rows(town, Tip)
    await town.drain()
    await poll(officer)
    card = texts(await officer.press(f"tipp:open:{tip.id}"))
    assert "Người báo tin đã rút lại tin báo này" in card, card


async def test_keeping_the_tip_changes_nothing(chat: tuple[Any, ChatDriver]) -> None:
    town, person = chat
    await joined(town, person)
    code = await drug_tip(person)
    asked = texts(await person.say(f"/rutlai {code}"))
    assert "Tin báo số 1" in asked, asked
    kept = texts(await person.press(KEEP))
    assert "Không có gì thay đổi" in kept, kept
    assert await withdrawals(town) == []


async def test_a_wrong_code_withdraws_nothing(chat: tuple[Any, ChatDriver]) -> None:
    town, person = chat
    await joined(town, person)
    await drug_tip(person)
    said = texts(await person.say("/rutlai KQ7M-3XAC-9PWE-4HDR"))
    assert "Không có tin báo nào khớp" in said, said
    assert await withdrawals(town) == []


# Erasing her data -------------------------------------------------------------------------------------------------
async def her_chats(town: Any, person: ChatDriver) -> list[tuple[str, str]]:
    async with town.app.db.session() as session:
        found = await session.exec(select(ChannelIdentity).where(ChannelIdentity.channel != "web"))
        return [(i.channel, i.chat_id) for i in found.all()]


async def ask(town: Any, officer: Any, tip_id: int, text: str) -> str:
    await town.drain()
    await poll(officer)
    await officer.press(f"tipp:open:{tip_id}")
    await officer.press(f"tipp:ask:{tip_id}")
    told = texts(await officer.say(text))
    await town.drain()
    return told


async def test_forgetting_her_chats_drops_her_tips_reply_route_only(chat: tuple[Any, ChatDriver]) -> None:
    """What /xoadulieu must do for her open anonymous tip (handlers/tips/privacy.py forget_routes): the sealed way
    back to her chat goes, another tipster's stays. The officer is then told plainly that she cannot be reached
    through An Dân, and the question does not reach her chat."""
    town, person = chat
    await joined(town, person)
    officer = await town.join("Công an Minh", role="police")
    neighbour = await town.join("Bà Ba")
    await drug_tip(person)
    await quick_tip(neighbour)
    chats = await her_chats(town, person)
    async with town.app.db.session() as session:
        dropped = await forget_routes(session, town.app.keyring, chats)
        await session.commit()
    assert dropped == 1
    [left] = await rows(town, TipRoute)
    mine, theirs = await rows(town, Tip)
    assert left.tip_id == theirs.id
    before = len(person.sent()) if isinstance(person, ZaloBotDriver) else 0
    told = await ask(town, officer, mine.id, "Bác còn thấy họ bán ở đó không?")
    assert "Không thể gửi đến người báo tin qua An Dân" in told, told
    assert "Người báo tin sẽ nhận được" not in told, told
    told = await ask(town, officer, theirs.id, "Chị thấy mấy người?")
    assert "Người báo tin sẽ nhận được" in told, told
    if isinstance(person, ZaloBotDriver):
        assert "Bác còn thấy họ bán" not in texts(person.sent()[before:])


async def test_after_erasing_her_data_a_police_question_no_longer_reaches_her(
    chat: tuple[Any, ChatDriver], manual_clock: Any
) -> None:
    """Before: the officer was told "Người báo tin sẽ nhận được", the question reached her chat (the tip's sealed
    route outlived /xoadulieu), and her answer there started the sign-up and never reached the police."""
    town, person = chat
    await joined(town, person)
    officer = await town.join("Công an Minh", role="police")
    await drug_tip(person)
    await person.say("/xoadulieu")
    erased = texts(await person.say("1"))
    assert "đã được xóa" in erased, erased
    manual_clock.advance(timedelta(days=1))
    [tip] = await rows(town, Tip)
    await town.drain()
    await poll(officer)
    told = await ask(town, officer, tip.id, "Bác còn thấy họ bán ở đó không?")
    assert "Người báo tin sẽ nhận được" not in told, told
    assert "Không thể gửi đến người báo tin qua An Dân" in told, told
    assert await rows(town, TipRoute) == []


async def test_the_tip_screen_of_tracuu_offers_to_withdraw_it(chat: tuple[Any, ChatDriver]) -> None:
    """/tracuu's view of an open tip has a "withdraw" button leading to the same confirmation."""
    town, person = chat
    await joined(town, person)
    code = await drug_tip(person)
    await person.say(f"/tracuu {code}")
    assert "Rút lại tin báo này" in person.choices(), person.choices()
    asked = texts(await person.press("Rút lại tin báo này"))
    assert "lưu trong hồ sơ" in asked and WITHDRAW in person.choices(), asked
