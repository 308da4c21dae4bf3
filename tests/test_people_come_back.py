"""What a walk through the web chat at 200 % zoom found people doing, and what must then happen: pressing an old
menu button in the middle of a tip, closing the tab mid-form and opening the chat again, writing back under a
police reply, asking to join a household whose group has no leader, typing "ok" for a name or "1" for a house
number, sending a photo where the question wants words, typing "1" after "Không có gì để hủy". Each test was
written failing, against the defect it names, before the fix (bot.core.forms, bot.core.dispatcher, the web chat's
/api/hello, handlers/tips, handlers/pledges, bot.core.names, handlers/mediation, bot.core.understand).

Journeys run on the web chat and Telegram (which keep old buttons pressable) and, where typing is the point, on the
Zalo Bot too, on both databases.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import col, select

from bot.core.forms import GoOn, LeaveFor
from models import Household, Tip, TipMessage
from models.pledges import HouseholdMember
from tests.drivers import ChatDriver, driver_town
from tests.drivers.web import WebDriver
from tests.test_browser import household_address
from tests.test_people_do import chat, joined, rows, texts
from tests.test_people_do_older import anonymous_tip, officer_writes
from tests.test_tips import poll

__all__ = ["chat"]  # the fixture, imported to be used here

KIEMTRA = "cmd:kiemtra"
TIP_WORDS = "Hai người lạ cạy khóa xe máy trước nhà số 12"


@pytest.fixture
async def buttons_chat(db_url: str, settings_for: Any) -> AsyncIterator[tuple[Any, ChatDriver]]:
    """The web chat, whose old buttons stay on screen and pressable, beside the Menu control that is always there
    (Telegram takes an answered message's buttons away; the Zalo Bot has none: a typed number is for the latest)."""
    driver = WebDriver()
    async with driver_town(driver, settings_for, db_url, delivery_enabled=False) as town:
        yield town, driver


async def half_a_tip(person: ChatDriver) -> None:
    """A tip begun: its category chosen and what happened written; the form waits for more or "xong"."""
    await person.say("/togiac")
    await person.say("trộm")
    await person.say(TIP_WORDS)


# An old menu button in the middle of a form -----------------------------------------------------------------------
async def test_an_old_menu_button_pressed_mid_tip_asks_before_the_tip_is_lost(
    buttons_chat: tuple[Any, ChatDriver],
) -> None:
    """Defect: the welcome's menu, still on screen, opened "Kiểm tra tin nhắn/số lạ" when pressed in the middle of
    a tip, and the half-written tip was dropped without a word. Now the person is asked first: going on keeps every
    answer (the tip is sent with its words), leaving opens the other command and keeps nothing."""
    town, person = buttons_chat
    await joined(town, person)
    await half_a_tip(person)
    asked = texts(await person.press(KIEMTRA))
    assert "chưa điền xong" in asked and "sẽ mất" in asked, asked
    assert person.choices() == ["Tiếp tục điền", "Bỏ dở, mở “Kiểm tra tin nhắn, số lạ”"], person.choices()
    again = texts(await person.press(GoOn().pack()))
    assert "tiếp tục từ chỗ" in again, again
    # Every answer is still there: the tip goes on to its end with the words written before the press.
    for answer in ("xong", "không biết", "hôm nay", "1", "ẩn danh", "có"):
        await person.say(answer)
    sent = texts(await person.say("gửi"))
    assert "mã" in sent.lower(), sent
    [tip] = await rows(town, Tip)
    assert TIP_WORDS in (tip.text or "")

    # Pressed again in a new tip, and this time left: the other command opens, nothing of the tip is kept.
    await half_a_tip(person)
    await person.press(KIEMTRA)
    opened = texts(await person.press(LeaveFor("kiemtra").pack()))
    assert "Đã bỏ phần đang điền dở" in opened and "dán" in opened.lower(), opened
    assert len(await rows(town, Tip)) == 1


async def test_the_choice_is_typed_too_and_a_form_without_answers_is_simply_replaced(
    buttons_chat: tuple[Any, ChatDriver],
) -> None:
    """The question's two choices may be typed as their numbers ("1" goes on), and a form nothing was answered in
    yet is replaced by the pressed entry at once, as before: there is nothing to lose."""
    town, person = buttons_chat
    await joined(town, person)
    await half_a_tip(person)
    await person.press(KIEMTRA)
    assert "Tiếp tục điền" in person.choices(), person.choices()
    again = texts(await person.say("1"))
    assert "tiếp tục từ chỗ" in again, again
    await person.say("/huy")
    await person.say("/togiac")  # only the category is asked: nothing answered yet
    opened = texts(await person.press(KIEMTRA))
    assert "chưa điền xong" not in opened and "dán" in opened.lower(), opened


# The tab closed mid-form, the chat opened again ------------------------------------------------------------------
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the page's resume, not the database
async def test_a_chat_opened_again_mid_tip_shows_the_question_it_stopped_at(town: Any) -> None:
    """Defect: a tip's questions are not stored (the tip is anonymous), so they lived only in the tab that showed
    them; a person who closed the tab mid-tip and came back saw the old transcript, not the question, while the
    form still took their next words as its answer. Now the page asks /api/hello to resume when it has nothing of
    its own to show, and the open form's question comes back; with no form open, nothing is added."""
    lan = await town.join("Lan")
    quiet = await hello(lan, resume=True)
    assert quiet == [], quiet  # no form open: a page opened anew adds nothing to its transcript
    await lan.say("/togiac")
    await lan.say("trộm")
    await lan.say(TIP_WORDS)
    back = await hello(lan, resume=True)
    said = "\n".join(m["text"] for m in back)
    assert "tiếp tục từ chỗ" in said, said
    assert all(m["ephemeral"] for m in back), back  # a private form's question is shown, never stored
    # An empty page (its first greeting) gets the question too, not a menu that would hide the form.
    said = "\n".join(m["text"] for m in await hello(lan, resume=False))
    assert "tiếp tục từ chỗ" in said, said
    await lan.say("xong")
    for answer in ("không biết", "hôm nay", "1", "ẩn danh", "có"):
        await lan.say(answer)
    await lan.say("gửi")
    [tip] = await rows(town, Tip)
    assert TIP_WORDS in (tip.text or "")


async def hello(person: Any, *, resume: bool) -> list[dict[str, Any]]:
    body = {"resume": True} if resume else {}
    async with person.http.post(person.url + "/api/hello", json=body) as response:
        assert response.status == 200, await response.text()
        return list((await response.json())["messages"])


# Writing back under a police reply ------------------------------------------------------------------------------
async def test_the_tipster_writes_back_under_a_police_reply_and_the_police_get_it(
    chat: tuple[Any, ChatDriver],
) -> None:
    """Defect: under the police's reply ("we checked, nothing found") a tipster who wrote back ("họ vẫn còn bán tối
    nay") was offered to send it as a new tip, and the officer never saw it; the reply had no Answer button. Now a
    reply carries one like a question, and words typed under it join the tip, with no trace of who wrote them."""
    town, person = chat
    await joined(town, person)
    officer = await town.join("Công an Minh", role="police")
    await anonymous_tip(person)
    tip = await officer_writes(town, officer, "reply", "Chúng tôi đã kiểm tra, chưa thấy gì.")
    said = texts(await person.say("Tối nay họ vẫn còn ở đó, khoảng 9 giờ"))
    assert "đã gửi câu trả lời" in said.lower() and "Báo tin cho công an" not in said, said
    infos = [m for m in await rows(town, TipMessage) if m.direction == "tipster"]
    assert [m.text for m in infos] == ["Tối nay họ vẫn còn ở đó, khoảng 9 giờ"], infos
    assert all(m.author_person_id is None for m in infos)
    await town.drain()
    assert f"bổ sung thông tin cho tin báo số {tip.id}" in texts(await poll(officer))


# Joining a household ---------------------------------------------------------------------------------------------
async def test_joining_a_household_of_a_group_without_leader(chat: tuple[Any, ChatDriver]) -> None:
    """Defects: "1" typed for the house number pressed the one button ("Nhà tôi không có trong danh sách") and left
    the form; "ok" was taken as the resident's full name; "Đã gửi. Tổ trưởng sẽ xác nhận" was said where the
    group has no leader, so nobody ever would; and the full name of the head of household was shown to someone
    not yet confirmed as part of it. Now "1" is a house number, "ok" (or "có", "cảm ơn") is no name, the person is
    told the truth (the request waits for a leader), and the head's name stays initials until confirmed."""
    town, person = chat
    await joined(town, person)
    address = await household_address(town, "Số 121,")
    await person.say("/hocuatoi")
    if person.name != "zalo_bot":  # where the one button is the numbered line "1.", "1" is that line
        lone = texts(await person.say("1"))
        assert "cả số nhà và tên đường" in lone, lone  # a house number alone, not the button
    await person.say(address.replace("Số ", "").replace(", đường", ""))  # "121 Lê Lợi", as people type it
    [choice] = [c for c in person.choices() if c.startswith("Số 121,")]
    asked = texts(await person.press(choice))
    if "họ tên" in asked.lower():  # asked only of someone the bot knows by no name
        assert "xin gõ tên" in texts(await person.say("ok")).lower()
        asked = texts(await person.say("Trần Thị Lan 0912 345 678"))
    assert "chưa có tổ trưởng" in asked and "giữ lại" in asked, asked
    household = await one_household(town, address)
    assert household.head_name not in asked, asked
    shown = texts(await person.say("/hocuatoi"))
    assert "chờ" in shown.lower() and household.head_name not in shown, shown
    [member] = await rows(town, HouseholdMember)
    assert member.confirmed_at is None and member.household_id == household.id


async def one_household(town: Any, address: str) -> Household:
    async with town.app.db.session() as session:
        return (await session.exec(select(Household).where(col(Household.address) == address))).one()


# Words where words are asked ---------------------------------------------------------------------------------------
async def test_a_photo_where_the_mediation_wants_words_is_said_not_kept(
    chat: tuple[Any, ChatDriver], jpeg: bytes
) -> None:
    """Defect: a photo of the dispute sent without a caption at "Describe the dispute" was answered "please write a
    little more", as if nothing had arrived; the photo was dropped unsaid. Now the person is told the request
    keeps words only and to show the photo to the mediator, and the question is asked again."""
    town, person = chat
    await joined(town, person)
    await person.say("/hoagiai")
    await person.say("tiếng ồn")
    said = texts(await person.send_photo(jpeg))
    assert "không được giữ lại" in said and "bằng lời" in said, said
    described = texts(
        await person.say("Nhà bên hát karaoke tới 12 giờ đêm mỗi tối, đã nói nhiều lần mà không được.")
    )
    assert "họ tên" in described.lower(), described


async def test_one_typed_after_nothing_to_cancel_opens_the_first_menu_entry(
    chat: tuple[Any, ChatDriver],
) -> None:
    """Defect: "/huy" with no form open was answered "Không có gì để hủy." alone, which took the menu's place as
    the message a number answers: the "1" typed next got "Xin lỗi, tôi chưa hiểu". Now the menu comes with it."""
    town, person = chat
    await joined(town, person)
    nothing = texts(await person.say("/huy"))
    assert "Không có gì để hủy" in nothing and "Báo tin cho công an" in person.choices(), nothing
    opened = texts(await person.say("1"))
    assert "báo về việc gì" in opened, opened
    assert "chưa hiểu" not in opened, opened


# Stopping the process --------------------------------------------------------------------------------------------
def test_a_second_signal_stops_a_process_whose_shutdown_hangs(tmp_path: Any) -> None:
    """Defect: `andan run` once went on after Ctrl-C and SIGTERM. The first signal asks for a clean stop; when that
    hangs, a second one ends the process at once."""
    script = textwrap.dedent(
        """
        import asyncio, sys
        from bot.app.runtime import watch_signals

        async def main():
            stop = asyncio.Event()
            watch_signals(stop)
            print("ready", flush=True)
            await stop.wait()
            print("stopping", flush=True)
            await asyncio.Event().wait()  # a shutdown that never ends

        asyncio.run(main())
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=os.getcwd()
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        process.send_signal(signal.SIGTERM)
        assert process.stdout.readline().strip() == "stopping"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 128 + signal.SIGINT
    finally:
        if process.poll() is None:
            process.kill()


@pytest.fixture
def jpeg() -> bytes:
    from tests.test_tips import photo_with_exif

    return photo_with_exif()
