"""What a walk on the Zalo Bot and Telegram found people typing, and what must then happen: "thôi" or "không gửi
nữa" in the middle of a tip (it was written into the tip), "dạ" and "vâng" as answers ("vâng" became the place),
"vâng" to the category the bot guessed, "dạ" where a receipt
code is asked, "đồng ý" to "is this your household?", "ok" and "gửi" under the people of a dispute (kept as
parties), "không" and "có 2 hộ…" to "how many households?", a scam call to check that read as danger now, and "9" on
the main menu. Each test was written failing, against the defect it names, before the fix
(bot.core.flow, bot.core.forms, bot.core.typed, handlers/tips, handlers/pledges, handlers/mediation,
handlers/reports, bot.core.understand).

Journeys run on the web chat, Telegram and the Zalo Bot (numbered lines, no buttons), on SQLite: what is under
test is how words are read, which no database changes (the forms' state on PostgreSQL is walked by
tests/test_people_come_back.py and the older journeys), and the suite keeps within its 15 minutes.
"""

from __future__ import annotations

from typing import Any

import pytest

from models import ReportSubmission, Tip
from models.mediation import MediationParty
from tests.drivers import ChatDriver
from tests.test_people_come_back import TIP_WORDS, half_a_tip
from tests.test_people_do import chat, joined, rows, texts
from tests.test_pledges import JANUARY, open_campaign
from tests.test_reports import at

__all__ = ["chat"]  # the fixture, imported to be used here

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


async def test_thoi_and_da_in_a_tip_are_neither_its_words_nor_its_place(chat: tuple[Any, ChatDriver]) -> None:
    """Defect: "thôi" and "dạ" typed under "Noted. Add more, or press Done." became lines of the tip, "vâng" its
    place, and "không gửi nữa" part of it too: the police got "thôi / dạ" and "Nơi xảy ra: vâng". Now "thôi" asks
    whether to stop (go on keeps everything), "dạ" means that is all, and "vâng" is no place."""
    town, person = chat
    await joined(town, person)
    await half_a_tip(person)
    asked = texts(await person.say("thôi"))
    assert "muốn dừng" in asked and "Tiếp tục điền" in person.choices(), asked
    await person.say("1")  # go on
    where = texts(await person.say("dạ"))  # that is all of what happened
    assert "ở đâu" in where.lower(), where
    again = texts(await person.say("vâng"))
    assert "ở đâu" in again.lower() or "địa chỉ" in again.lower(), again
    for answer in ("Đầu hẻm 5 Lê Lợi", "hôm nay", "1", "ẩn danh", "có"):
        await person.say(answer)
    await person.say("gửi")
    [tip] = await rows(town, Tip)
    assert tip.text == TIP_WORDS and tip.place_text == "Đầu hẻm 5 Lê Lợi", (tip.text, tip.place_text)

    # "không gửi nữa" half-way through another: asked, and stopping keeps nothing.
    await half_a_tip(person)
    await person.say("xong")
    asked = texts(await person.say("không gửi nữa"))
    assert "muốn dừng" in asked, asked
    stopped = texts(await person.say("2"))
    assert "không lưu" in stopped.lower() or "đã bỏ" in stopped.lower(), stopped
    assert len(await rows(town, Tip)) == 1


async def test_yes_confirms_the_category_the_bot_guessed_and_numbers_keep_their_place(
    chat: tuple[Any, ChatDriver],
) -> None:
    """Defect: after "bao cong an nha toi bi trom xe dap" the guessed "Trộm cắp" moved to line 1 on the Zalo Bot,
    "vâng" was refused, and a "2" typed from the earlier list sent the theft as "Ma túy". Now a yes confirms the
    guess, and where choices are numbered lines their numbers never move."""
    town, person = chat
    await joined(town, person)
    plain = await person.say("/togiac")
    usual = person.choices()
    await person.say("/huy")
    await person.say("bao cong an nha toi bi trom xe dap")
    guessed = texts(await person.press("Báo tin cho công an"))
    assert "Trộm cắp" in guessed, (plain, guessed)
    if person.name == "zalo_bot":
        assert person.choices() == usual, person.choices()
    confirmed = texts(await person.say("vâng"))
    assert "vui lòng chọn" not in confirmed.lower(), confirmed
    for answer in ("xong", "không biết", "hôm nay", "1", "ẩn danh", "có"):
        await person.say(answer)
    await person.say("gửi")
    [tip] = await rows(town, Tip)
    assert tip.category == "theft", tip.category


async def test_da_where_a_receipt_code_is_asked_leaves_and_a_wrong_code_shows_the_way_out(
    chat: tuple[Any, ChatDriver],
) -> None:
    """Defect: after "tin báo của tôi tới đâu rồi", every message ("thôi", "dạ", "không") was answered "Không có tin
    báo nào khớp với mã này" and counted as a wrong guess: there was no way out but /huy. Now a yes or no leaves
    with the menu, and a wrong code comes with the main menu to press."""
    town, person = chat
    await joined(town, person)
    await person.say("/tracuu")
    wrong = texts(await person.say("PURR PPFE P7H7"))
    assert "Không có tin báo nào khớp" in wrong and "Danh mục chính" in person.choices(), wrong
    left = texts(await person.say("dạ"))
    assert "chưa tra cứu" in left and "Báo tin cho công an" in person.choices(), left


async def test_agreeing_in_words_signs_for_the_one_household_shown(
    chat: tuple[Any, ChatDriver], manual_clock: Any
) -> None:
    """Defect: under "You sign for this household" (its button the address), "đồng ý", "yes" and "ok" were
    answered "please choose one of the options". Now agreement signs for the one household shown."""
    town, person = chat
    await joined(town, person)
    admin = await town.join("Chủ tịch", role="ward_admin")
    leader = await town.join("Tâm", role="group_admin")
    await open_campaign(admin)
    manual_clock.set(JANUARY)
    await person.say("/hocuatoi")
    from tests.test_browser import household_address

    address = await household_address(town, "Số 121,")
    await person.say(address.replace("Số ", "").replace(", đường", ""))
    await person.press(next(c for c in person.choices() if c.startswith("Số 121,")))
    await person.say("Trần Thị Lan")  # the name the leader sees (asked where the bot knows none)
    await town.drain()
    pushed = await leader.poll()
    leader.seen += pushed
    await leader.press(next(m for m in pushed if "Số 121," in m["text"])["choices"][0]["payload"])
    await town.drain()
    await person.say("/camket")
    await person.say("1")  # "I have read it"
    named = texts(await person.say("đồng ý"))
    assert "họ tên" in named.lower() or "họ và tên" in named.lower(), named


async def test_ok_and_gui_end_the_list_of_people_in_a_dispute(chat: tuple[Any, ChatDriver]) -> None:
    """Defect: "yes", "ok" and "gửi" typed under the people of a dispute were kept as three more parties for the
    mediator to find. Now they end the list."""
    town, person = chat
    await joined(town, person)
    await person.say("/hoagiai")
    await person.say("tiếng ồn")
    await person.say("Nhà bên hát karaoke tới 12 giờ đêm mỗi tối, đã nói nhiều lần mà không được.")
    await person.say("Trần Thị Hoa")
    await person.say("Nguyễn Văn Ba - 0912 345 678")
    urgent = texts(await person.say("ok"))
    assert "gấp" in urgent.lower(), urgent
    for answer in ("không", "Tối các ngày trong tuần", "không"):
        await person.say(answer)
    await person.say("gửi")
    names = [p.name for p in await rows(town, MediationParty)]
    assert names == ["Trần Thị Hoa", "Nguyễn Văn Ba"], names  # the applicant, and the one other side


async def test_how_many_answered_in_words(chat: tuple[Any, ChatDriver], manual_clock: Any) -> None:
    """Defect: "Newcomers (how many households) — type a number" refused "không" four times and "có 2 hộ mới thuê
    trọ ở số 133 và 135" too. Now "không" is 0 and the count before "hộ" is the answer (house numbers are not)."""
    town, person = chat
    code = await town.invite("group_admin")
    await person.say(f"/start {code}")
    await person.say("tiếng việt")
    await person.say("đồng ý")
    admin = await town.join("Chị Hạnh", role="ward_admin")
    await admin.say("/caidatbaocao")
    await admin.press("rs:done")
    await at(town, manual_clock, "2026-11-26T17:05:00")
    await person.say("/baocao")
    await person.say("1")  # start
    await person.say("Không có vụ việc gì")
    newcomers = texts(await person.say("có 2 hộ mới thuê trọ ở số 133 và 135"))
    assert "số nguyên" not in newcomers, newcomers
    for answer in ("Không có", "không", "Không có", "Không có"):
        await person.say(answer)
    await person.say("/huy")  # the draft keeps the answers
    [report] = await rows(town, ReportSubmission)
    assert report.answers.get("newcomers") == 2, report.answers


async def test_a_scam_call_to_check_is_checked_and_a_number_not_on_the_menu_is_said_so(
    chat: tuple[Any, ChatDriver],
) -> None:
    """Defects: "kiem tra so 0987654321 goi toi noi con toi bi tai nan" (the "your child had an accident" scam)
    got 113/114/115 instead of a check; "9" under seven numbered entries got "there is nothing numbered" above a
    numbered list."""
    town, person = chat
    await joined(town, person)
    checked = texts(await person.say("kiem tra so 0987654321 goi toi noi con toi bi tai nan"))
    assert "đang gặp nguy hiểm" not in checked and "không tìm thấy" in checked, checked
    await person.say("menu")
    nine = texts(await person.say("9"))
    assert "từ 1 đến 7" in nine and len(person.choices()) == 7, nine


async def test_a_named_tipster_follows_her_tip_without_its_code(chat: tuple[Any, ChatDriver]) -> None:
    """Defect: Chị Hoa sent a tip with her name (/toi lists it as hers), then "tin báo của tôi tới đâu rồi" asked
    for the receipt code, which she had not kept: a dead end. Now where a code is asked, her named tips are offered
    too; an anonymous tip never is (nothing links it to her), and a code still opens any tip."""
    town, person = chat
    await joined(town, person)
    await person.say("/togiac")
    await person.say("bạo lực")
    await person.say("Chồng nhà số 7 đánh vợ mỗi tối")
    for answer in ("xong", "không biết", "hôm nay", "1"):
        await person.say(answer)
    await person.press("Kèm họ tên và số điện thoại")
    await person.say("Trần Thị Hoa")
    await person.say("0909 111 222")
    await person.say("gửi")
    await half_a_tip(person)  # and an anonymous one
    for answer in ("xong", "không biết", "hôm nay", "1", "ẩn danh", "có", "gửi"):
        await person.say(answer)
    named, anonymous = await rows(town, Tip)
    assert not named.anonymous and anonymous.anonymous
    asked = texts(await person.say("/tracuu"))
    assert "mã" in asked and person.choices() == [f"Số {named.id} (Bạo lực, bạo lực gia đình)"], (
        person.choices()
    )
    shown = texts(await person.say("1"))
    assert f"Tin báo số {named.id}" in shown and "Tình trạng" in shown, shown


async def test_thanks_under_a_warning_counts_as_read(chat: tuple[Any, ChatDriver], manual_clock: Any) -> None:
    """Defect: under a leader's warning, "ok, thanks" was answered "Dạ, không có gì ạ!" with the menu, which took
    the place of "Tôi đã đọc": the "đã đọc" typed next was "Xin lỗi, tôi chưa hiểu" and nothing was counted. Now
    thanks under a warning is reading it."""
    from tests.test_people_do_older import acks, warned

    town, person = chat
    _leader, me, alert = await warned(town, person, "Cảnh giác trộm chó")
    said = texts(await person.say("ok, cảm ơn nhiều"))
    assert "Cảm ơn anh/chị đã đọc" in said, said
    assert await acks(town) == [(alert, me)]
