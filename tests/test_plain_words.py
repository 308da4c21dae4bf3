"""Issue 14: a person who never types a slash command, on every channel: joins, gets the main menu, sends a tip
with their first message carried in, checks a number, asks for mediation in their own words; the menu is always
one word ("menu", "0") away, and an old menu button still works.

Written once against the ChatDriver interface (tests/drivers), run on the web chat, Telegram, Zalo Bot and Zalo OA.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlmodel import col, select

from models import ConversationState, Tip
from models.mediation import MediationCase
from tests.drivers import ChatDriver, driver_town, pick
from tests.drivers.telegram import TelegramDriver
from tests.drivers.web import WebDriver
from tests.drivers.zalo_bot import ZaloBotDriver
from tests.drivers.zalo_oa import ZaloOADriver

DRIVERS: list[tuple[str, Callable[[], ChatDriver]]] = [
    ("web", WebDriver),
    ("telegram", TelegramDriver),
    ("zalo_bot", ZaloBotDriver),
    ("zalo_oa", ZaloOADriver),
]
CODE = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")
MENU = [
    "Báo tin cho công an",
    "Kiểm tra tin nhắn, số lạ",
    "Cảnh báo gần đây",
    "Ký cam kết của hộ",
    "Phản ánh: đèn đường, rác, ngập…",
    "Nhờ hòa giải",
]


@pytest.fixture(params=[factory for _name, factory in DRIVERS], ids=[name for name, _factory in DRIVERS])
async def chat(
    request: pytest.FixtureRequest, db_url: str, settings_for: Any
) -> AsyncIterator[tuple[Any, ChatDriver]]:
    driver = request.param()
    async with driver_town(driver, settings_for, db_url) as town:
        yield town, driver


def joined(texts: list[str]) -> str:
    return "\n".join(texts)


async def join_in_own_words(person: ChatDriver) -> None:
    replies = await person.say("xin chào")  # no /start: a first message starts the welcome
    assert "Chọn ngôn ngữ / Choose your language" in joined(replies)
    await person.press("Tiếng Việt")
    await person.press("Tôi đồng ý")
    await person.say("cao lanh")
    await person.press(pick(person.choices(), "Phường Cao Lãnh", "Đồng Tháp"))
    await person.press("Khóm 2")
    replies = await person.say("3")
    assert "Tổ 3, Khóm 2" in joined(replies)
    # the main menu, not a wall of commands: the resident's most used things first, at most seven
    offered = person.choices()
    assert offered[: len(MENU)] == MENU and len(offered) <= 7
    assert "/togiac" not in joined(replies)


async def send_the_drug_tip(town: Any, person: ChatDriver) -> None:
    """From the tip's words (carried, category confirmed) to the receipt, anonymously; the one tip stored."""
    await person.press("Xong")
    await person.say("đầu hẻm 5 đường Nguyễn Huệ")
    await person.press("Hôm nay")
    await person.press(pick(person.choices(), "Phường Cao Lãnh"))
    await person.press("Ẩn danh")
    await person.press("Có, cho phép trả lời")
    sent = joined(await person.press("Gửi cho công an"))
    assert CODE.search(sent), sent
    async with town.app.db.session() as session:
        [tip] = (await session.exec(select(Tip))).all()
    assert tip.category == "drugs" and tip.person_id is None


async def test_a_resident_who_never_types_a_command(chat: tuple[Any, ChatDriver]) -> None:
    town, person = chat
    police = await town.join("Công an", role="police")
    await join_in_own_words(person)

    # A tip in their own words: offered in one press, the words carried into the form, the category guessed.
    replies = await person.say("có người bán ma tuý ở đầu hẻm 5 mỗi tối, toàn thanh niên lạ")
    assert "Có phải anh/chị muốn làm việc này?" in joined(replies)
    assert person.choices()[0] == "Báo tin cho công an"
    async with town.app.db.session() as session:
        assert not (await session.exec(select(Tip))).all()  # nothing is started or stored before the press
    replies = await person.press("Báo tin cho công an")
    assert (
        "Ma túy" in joined(replies) and person.choices()[0] == "Ma túy"
    )  # the guess comes first, to confirm
    replies = await person.press("Ma túy")
    assert "bán ma tuý ở đầu hẻm 5" in joined(replies)  # the carried words, shown back to be checked
    await send_the_drug_tip(town, person)
    await town.drain()
    assert any("Có tin báo mới" in m["text"] or "tin báo" in m["text"].lower() for m in await police.poll())

    # A number pasted with a question: checked at once, no form, no press needed.
    replies = await person.say("0912 345 678 gọi bảo em chuyển tiền, có phải lừa đảo ko")
    assert "Đừng bao giờ chuyển tiền" in joined(replies) or "không có nghĩa là an toàn" in joined(replies)

    # Typing a menu word, or 0, brings the menu back from anywhere outside a form.
    await person.say("menu")
    assert person.choices()[: len(MENU)] == MENU
    await person.say("0")
    assert person.choices()[: len(MENU)] == MENU

    # A dispute in their own words: mediation offered; the description goes along once the kind is chosen.
    await person.say("nhà hàng xóm hát karaoke tới 1 giờ sáng, nói mãi không nghe")
    assert person.choices()[0] == "Nhờ hòa giải"
    await person.press("Nhờ hòa giải")
    replies = await person.press("Tiếng ồn")
    assert "Describe the dispute" not in joined(replies) and "Mô tả" not in joined(replies)
    await person.say("Nguyễn Thị Lan")
    await person.say("Nhà số 12 - anh Ba")
    await person.press("Xong")  # the parties: one a line or a message, then Done
    await person.press("Không")  # not urgent
    await person.say("Tối thứ bảy")
    await person.press("Không, có thể công khai")
    replies = await person.press("Gửi yêu cầu")
    assert re.search(r"HG-\d{4}-\d{4}", joined(replies)), replies
    async with town.app.db.session() as session:
        [case] = (await session.exec(select(MediationCase))).all()
    assert "karaoke tới 1 giờ sáng" in case.description


async def test_an_offer_carries_the_words_only_for_its_own_press(chat: tuple[Any, ChatDriver]) -> None:
    """Carried words wait for one press: pressing the menu instead, or writing something else, drops them."""
    town, person = chat
    await join_in_own_words(person)
    await person.say("tối qua có trộm vào nhà ông Bảy lấy mất xe máy")
    assert person.choices()[0] == "Báo tin cho công an"
    await person.say("cảm ơn")  # something else: the words are not kept
    async with town.app.db.session() as session:
        states = (await session.exec(select(ConversationState))).all()
    assert all("xe máy" not in str(s.data) for s in states)
    await person.press("Báo tin cho công an")  # an old button: still opens the form, now empty
    replies = await person.press("Trộm cắp")
    assert "xe máy" not in joined(replies)
    async with town.app.db.session() as session:
        assert not (await session.exec(select(Tip).where(col(Tip.id) > 0))).all()


async def test_a_greeting_is_greeted_and_thanks_are_welcomed(chat: tuple[Any, ChatDriver]) -> None:
    """Defect: "xin chào" from a resident was answered "Dạ, không có gì ạ!" (you're welcome), as thanks are."""
    _town, person = chat
    await join_in_own_words(person)
    for hello in ("xin chào", "chao ban", "Alo alo", "hello"):
        said = joined(await person.say(hello))
        assert "Xin chào" in said and "không có gì" not in said, said
        assert person.choices()[0] == "Báo tin cho công an"
    for thanks in ("cảm ơn", "cam on, chao nhe"):
        assert "không có gì" in joined(await person.say(thanks))


async def test_a_look_up_or_a_check_asked_for_without_what_to_look_up(chat: tuple[Any, ChatDriver]) -> None:
    """A look-up asked for without a code ("tra cứu tin báo"), a check without the number ("kiểm tra 1 số lạ"):
    the command opens and asks for it, rather than looking up or checking the sentence itself."""
    town, person = chat
    await join_in_own_words(person)
    replies = await person.say("tra cứu tin báo")
    assert "Nhập mã" in joined(replies) and "Không có tin báo nào" not in joined(replies)
    await person.say("/huy")
    replies = await person.say("kiểm tra 1 số lạ")
    assert "Dán tin nhắn" in joined(replies)
    # The answer comes once the number is pasted into the form.
    replies = await person.say("0912 345 678")
    assert "Đừng bao giờ chuyển tiền" in joined(replies) or "không có nghĩa là an toàn" in joined(replies)


def small_photo() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (90, 120, 150)).save(buffer, "JPEG")
    return buffer.getvalue()


async def test_a_photo_outside_a_form_is_not_silently_dropped(chat: tuple[Any, ChatDriver]) -> None:
    """A photo sent with no form open is kept for one question (the police, or a problem report?), and goes with
    the form chosen, its caption as the form's first words; "don't send it" deletes it (twelfth session: before,
    it was not kept and had to be sent again inside a form)."""
    town, person = chat
    await join_in_own_words(person)
    replies = await person.send_photo(small_photo())  # no caption, no form
    assert "không lưu lại ảnh" in joined(replies), joined(replies)
    assert person.choices() == ["Báo tin cho công an", "Phản ánh: đèn đường, rác, ngập…", "Không gửi"]
    assert "đã được xóa" in joined(await person.press("Không gửi"))
    replies = await person.send_photo(small_photo(), caption="thằng này bán ma túy ở đầu hẻm mỗi tối")
    assert person.choices()[0] == "Báo tin cho công an"
    replies = await person.press("Báo tin cho công an")
    assert "Ma túy" in joined(replies), joined(replies)  # the category guessed from the caption
    async with town.app.db.session() as session:
        assert not (await session.exec(select(Tip))).all()
        [state] = [s for s in (await session.exec(select(ConversationState))).all() if s.flow]
    assert state.flow == "tip" and len(state.data["files"]) == 1
    assert state.data["text"] == "thằng này bán ma túy ở đầu hẻm mỗi tối"


async def test_a_cry_typed_in_haste_gets_the_numbers_and_what_is_over_does_not(
    chat: tuple[Any, ChatDriver],
) -> None:
    """Danger typed the way people type in a hurry (no accents, shorthand, words run together) gets 113/114/115
    first and then the tip offer; a fire said to be over, or "ukm", opens nothing."""
    _town, person = chat
    await join_in_own_words(person)
    replies = joined(await person.say("chaynha o hem 7 roi, cuu vs mn oi"))
    assert "113" in replies and "114" in replies and "115" in replies
    assert person.choices()[0] == "Báo tin cho công an"
    replies = joined(await person.say("nó đg cầm dao đuổi chém ng ngoài ngõ"))
    assert "113" in replies and person.choices()[0] == "Báo tin cho công an"
    for calm in ("lửa dập tắt rồi, không ai bị sao, cảm ơn mọi người", "ukm"):
        replies = joined(await person.say(calm))
        assert "113" not in replies and "muốn làm việc này" not in replies, calm  # no numbers, no offer
        assert person.choices()[: len(MENU)] == MENU  # the main menu, as for anything not placed
