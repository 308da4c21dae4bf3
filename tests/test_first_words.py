"""What a stranger writes first, before joining, on every channel: people open a chat with the bot by writing what
they need ("đang có cướp", "có người bán ma túy ở hẻm 5", a number to check), not "xin chào".

Defect (found by trying it): the first message was answered with the language question and then lost, an
emergency included: no 113/114/115, and after joining nothing of what was written was offered. Now danger gets the
emergency numbers at once, and the words are offered (carried into the form) once the person has joined; nothing
of them is kept by someone who does not agree to the data notice (bot.core.understand before_joining and
after_joining).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from models import ConversationState, Person
from tests.drivers import ChatDriver, pick
from tests.test_plain_words import MENU, joined, send_the_drug_tip
from tests.test_plain_words import chat as chat  # noqa: F401 - the fixture: every channel


async def set_up(person: ChatDriver) -> list[str]:
    """Language, consent, ward, area, group, as a resident types them; the replies to the last step."""
    await person.press("Tiếng Việt")
    await person.press("Tôi đồng ý")
    await person.say("cao lanh")
    await person.press(pick(person.choices(), "Phường Cao Lãnh", "Đồng Tháp"))
    await person.press("Khóm 2")
    return await person.say("3")


async def test_danger_written_first_gets_the_numbers_at_once_and_the_tip_after_joining(
    chat: tuple[Any, ChatDriver],
) -> None:
    town, person = chat
    first = joined(await person.say("có 2 thằng đang cạy cửa nhà hàng xóm số 14, cứu với"))
    assert "113" in first and "114" in first and "115" in first, first
    assert first.index("113") < first.index("Chọn ngôn ngữ")  # the numbers before anything is asked
    done = joined(await set_up(person))
    assert "Tổ 3, Khóm 2" in done and "cạy cửa nhà hàng xóm số 14" in done, done
    assert person.choices()[0] == "Báo tin cho công an"
    await person.press("Báo tin cho công an")
    await person.press("Trộm cắp")
    shown = joined(await person.press("Xong")) if "Xong" in person.choices() else ""
    async with town.app.db.session() as session:
        [state] = (await session.exec(select(ConversationState))).all()
    assert "cạy cửa nhà hàng xóm số 14" in str(state.data) or "cạy cửa" in shown  # the words are in the form


async def test_a_tip_written_first_is_offered_once_joined_and_sent_with_those_words(
    chat: tuple[Any, ChatDriver],
) -> None:
    town, person = chat
    first = joined(await person.say("có người bán ma túy ở đầu hẻm 5 mỗi tối"))
    assert "Chọn ngôn ngữ" in first and "113" not in first
    done = joined(await set_up(person))
    assert "bán ma túy ở đầu hẻm 5" in done and person.choices()[0] == "Báo tin cho công an", done
    assert person.choices()[1 : 1 + len(MENU)] != MENU  # the offer is what is on offer now, not the menu
    replies = await person.press("Báo tin cho công an")
    assert person.choices()[0] == "Ma túy", joined(replies)  # the category guessed from the first words
    assert "bán ma túy ở đầu hẻm 5" in joined(await person.press("Ma túy"))
    await send_the_drug_tip(town, person)


async def test_a_number_to_check_written_first_is_checked_once_joined(chat: tuple[Any, ChatDriver]) -> None:
    _town, person = chat
    await person.say("0912 345 678 gọi bảo em chuyển tiền, có phải lừa đảo ko")
    done = joined(await set_up(person))
    assert "Đừng bao giờ chuyển tiền" in done or "không có nghĩa là an toàn" in done, done


async def test_whoever_does_not_agree_leaves_nothing_of_what_they_wrote(town: Any) -> None:
    person = await town.person("Khách")
    await person.say("nhà bên cạnh đánh nhau tối qua, tôi muốn báo công an")
    async with town.app.db.session() as session:
        [state] = (await session.exec(select(ConversationState))).all()
        assert "đánh nhau" in str(state.data)  # waiting for the person to be set up
    await person.press("Tiếng Việt")
    refused = joined([m["text"] for m in await person.press("consent:no")])
    assert "không có gì được lưu" in refused.lower(), refused
    async with town.app.db.session() as session:
        assert not (await session.exec(select(Person))).all()
        states = (await session.exec(select(ConversationState))).all()
    assert not any("đánh nhau" in str(s.data) for s in states), states


async def test_a_greeting_first_is_just_the_welcome(town: Any) -> None:
    person = await town.person("Khách")
    await person.say("xin chào")
    await person.press("Tiếng Việt")
    await person.press("consent:yes")
    await person.say("cao lanh")
    await person.press(pick(person.choices(), "Phường Cao Lãnh", "Đồng Tháp"))
    await person.press("Khóm 2")
    done = joined([m["text"] for m in await person.say("3")])
    assert "Trước khi đăng ký" not in done and person.choices()[: len(MENU)] == MENU
