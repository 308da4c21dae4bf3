"""What a walk as an English teacher living in the ward found (thirteenth session), each written failing first: the
English screens named the Vietnamese commands (/trogiup, /huy, "/bantin tat": the English catalog now names
/help, /cancel, "/digest off", bot.tools.english_commands); "yeah", "yes please", "no thanks" were not a yes or a no
(bot.core.typed); "go back" and "quay lại" typed in a form were stored as its answer, "main menu" too
(bot.core.flow.leaving); "Received (1 files so far)"; "Agreed … on 09:00 on 23/11/2026". Mediation times typed
in English: tests/test_when_english_mediation.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests.drivers import driver_town
from tests.drivers.telegram import TelegramDriver
from tests.test_alerts_steps import send
from tests.test_reports import at
from tests.test_tips import photo_with_exif


async def english_resident(tg: TelegramDriver, town: Any) -> None:
    code = await town.invite("resident")
    await tg.say(f"/start {code}")
    await tg.press("English")
    await tg.press("I agree")


async def tip_up_to_where(tg: TelegramDriver) -> None:
    await tg.say("/tip")
    await tg.press("Theft")
    await tg.say("My bicycle was stolen from the parking area of my building last night, a blue Giant")
    await tg.press("Done")


async def tip_up_to_replies(tg: TelegramDriver) -> None:
    await tip_up_to_where(tg)
    await tg.say("parking of block B, 12 Nguyen Hue")
    await tg.say("yesterday")
    await tg.press("Phường Cao Lãnh")
    await tg.press("Anonymous")


async def test_english_digest_says_to_type_bantin_tat(
    db_url: str, settings_for: Any, manual_clock: Any
) -> None:
    """The teacher chose English. The Monday digest (sent by the scheduler) ends "To stop receiving this
    digest, type /bantin tat." — "tat" is Vietnamese (tắt, off); the English command is "/digest off", which the bot
    understands (handlers/reports/flows/digest_switch.py OFF = {"tat", "off", ...}). An English reader cannot guess
    "tat". Cause: bot/digest/build.py:138 (and digest_switch.py:55/58 "/bantin tat", "/bantin bat"): the English
    source text hard-codes the Vietnamese command and word."""
    tg = TelegramDriver(user_id=7790001, first_name="Tom")
    async with driver_town(tg, settings_for, db_url, delivery_enabled=False) as town:
        officer = await town.join("Officer", role="police", locale="en")
        await english_resident(tg, town)
        await send(
            officer, title="Bike thieves in the area", body="Bikes stolen near the market.", category="theft"
        )
        await town.drain()
        index = len(tg.fake.requests)
        await at(town, manual_clock, "2026-11-30T07:05:00")
        digest = "\n".join(tg.sent_since(index))
        assert "Weekly digest" in digest
        assert "tat" not in digest.split("/bantin")[-1].split() and "/digest off" in digest, digest
        replies = "\n".join(await tg.say("/digest"))
        assert "Your weekly digest" in replies
        replies = "\n".join(await tg.press("Turn it off"))
        assert "bat" not in replies.replace("/bantin", "").split() and "/digest on" in replies, replies


async def test_english_screens_name_vietnamese_commands(db_url: str, settings_for: Any) -> None:
    """Someone who chose English is told to type Vietnamese command names although every command has an
    English alias: the main menu says "Everything you can do: /trogiup" (not /help), the tip form "Type /huy at
    any time to stop" (not /cancel), the receipt "type /tracuu CODE" (not /status), the pushed alert "check it with
    /kiemtra CODE" (not /check). Menus and buttons are English, the commands next to them Vietnamese: a mixed
    screen. Cause: the English msgids hard-code the Vietnamese names (bot/core/menu.py:106 "Everything you can do:
    /trogiup", handlers/tips/flows/report.py, handlers/alerts), with no per-language command name."""
    tg = TelegramDriver(user_id=7790002, first_name="Tom")
    async with driver_town(tg, settings_for, db_url, delivery_enabled=False) as town:
        officer = await town.join("Officer", role="police", locale="en")
        await english_resident(tg, town)
        seen = "\n".join(await tg.say("menu"))
        seen += "\n".join(await tg.say("/tip"))
        await send(
            officer, title="Bike thieves in the area", body="Bikes stolen near the market.", category="theft"
        )
        index = len(tg.fake.requests)
        await town.drain()
        seen += "\n".join(tg.sent_since(index))
        vietnamese = [c for c in ("/trogiup", "/huy", "/kiemtra", "/tracuu", "/togiac") if c in seen]
        assert vietnamese == [], f"English screens name {vietnamese}:\n{seen}"


async def test_one_photo_is_one_files(db_url: str, settings_for: Any) -> None:
    """Sending the photo of the stolen bike, the English reply is "Received (1 files so far)". Expected
    "1 file". Cause: handlers/tips/flows/report.py:323 uses _() with a fixed plural instead of ngettext (the
    camera form, handlers/cameras/flows/answer.py:192, does it right)."""
    tg = TelegramDriver(user_id=7790003, first_name="Tom")
    async with driver_town(tg, settings_for, db_url) as town:
        await english_resident(tg, town)
        await tg.say("/tip")
        await tg.press("Theft")
        await tg.say("My bicycle was stolen from the parking area of my building last night")
        replies = "\n".join(await tg.send_photo(photo_with_exif(), caption="my bike"))
        assert "1 file" in replies and "1 files" not in replies, replies


@pytest.mark.parametrize("typed", ["yeah", "yes please", "no thanks", "sure, that's fine"])
async def test_english_yes_and_no_with_a_word_more(db_url: str, settings_for: Any, typed: str) -> None:
    """Asked "May the police send you replies through this chat?" the teacher types "yeah", "yes
    please" or "no thanks". The Vietnamese "có ạ" / "không nhé" are taken (particles ạ, nhé, nha are dropped);
    the English words get "Please choose one of the options below". Cause: bot/core/typed.py YES_FOLDED lacks
    "yeah"/"yea", and PARTICLES holds only Vietnamese particles (no "please", "thanks", "thank you")."""
    tg = TelegramDriver(user_id=7790004, first_name="Tom")
    async with driver_town(tg, settings_for, db_url) as town:
        await english_resident(tg, town)
        await tip_up_to_replies(tg)
        replies = "\n".join(await tg.say(typed))
        assert "Please check your tip" in replies, replies


async def test_go_back_typed_in_the_tip_becomes_its_place(db_url: str, settings_for: Any) -> None:
    """At "Where did it happen?" the teacher types "go back" (he wants to add to the description). Expected:
    the previous question again, as /back does. Got: "go back" is stored as the place of the tip ("Where: go
    back"), which goes to the police. Cause: bot/core/forms.py BACK = {"quaylai", "back"} is only a /command;
    bot/core/flow.py `leaving` knows typed words for cancel and menu but none for back. (Not English-only: "quay lại"
    typed by a Vietnamese resident is stored the same way, checked by hand.)"""
    tg = TelegramDriver(user_id=7790005, first_name="Tom")
    async with driver_town(tg, settings_for, db_url) as town:
        await english_resident(tg, town)
        await tip_up_to_where(tg)
        replies = "\n".join(await tg.say("go back"))
        assert "When did it happen?" not in replies and "Tell us what happened" in replies, replies


async def test_quay_lai_typed_in_a_form_goes_back_and_outside_one_says_there_is_nothing(
    db_url: str, settings_for: Any
) -> None:
    tg = TelegramDriver(user_id=7790008, first_name="Lan")
    async with driver_town(tg, settings_for, db_url) as town:
        code = await town.invite("resident")
        await tg.say(f"/start {code}")
        await tg.press("Tiếng Việt")
        await tg.press("Tôi đồng ý")
        await tg.say("/togiac")
        await tg.press("Trộm cắp")
        await tg.say("Xe đạp của tôi bị trộm ở nhà xe chung cư tối qua")
        await tg.press("Xong")
        replies = "\n".join(await tg.say("Quay lại"))
        assert "ở đâu" not in replies.lower() and "Hãy kể sự việc" in replies, replies
        await tg.say("/huy")
        assert "Không có câu hỏi nào để quay lại" in "\n".join(await tg.say("quay lai"))


async def test_main_menu_typed_in_a_form_is_written_into_the_tip(db_url: str, settings_for: Any) -> None:
    """The bot's own English button reads "Main menu"; typed in the tip form at "Where did it happen?", the
    words "main menu" are stored as the place, while "về menu" (its Vietnamese) leaves the form and shows the menu.
    Cause: bot/core/flow.py MENU has "ve menu" but not "main menu" / "back to menu"."""
    tg = TelegramDriver(user_id=7790006, first_name="Tom")
    async with driver_town(tg, settings_for, db_url) as town:
        await english_resident(tg, town)
        await tip_up_to_where(tg)
        replies = "\n".join(await tg.say("main menu"))
        assert "When did it happen?" not in replies and "What would you like to do?" in replies, replies


async def test_me_says_on_09_00_on(db_url: str, settings_for: Any, manual_clock: Any) -> None:
    """/me in English: "Agreed to the data notice on 09:00 on 23/11/2026" — "on 09:00" is not English
    (should be "at 09:00 on 23/11/2026"). Cause: handlers/help.py:73 "on {when}" combined with the English
    datetime pattern "HH:mm 'on' dd/MM/yyyy" (bot/i18n.py PATTERNS["en"])."""
    tg = TelegramDriver(user_id=7790007, first_name="Tom")
    async with driver_town(tg, settings_for, db_url) as town:
        await english_resident(tg, town)
        replies = "\n".join(await tg.say("/me"))
        assert "09:00" in replies and "on 09:00" not in replies, replies
