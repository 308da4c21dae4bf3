"""What two walks found (eleventh session): residents on the Zalo OA who never type a slash command, and two police
officers, a group leader and the ward admin working at once. Two officers on one tip (the second one's reply or
reason vanished without a word), "báo cáo" typed under the report's intro (it sent "nothing to report"), "1" under a
list of households, "có" to "send with your name?", messages wanted back in words, "gửi" twice, "cảm ơn con". Each
test was written failing, against the defect it names, before the fix (handlers/tips/flows/police_forms.py,
bot.core.typed, bot.core.flow, handlers/alerts/intents.toml, bot.core.understand).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from models import Person, ReportSubmission, Tip
from tests.drivers import driver_town
from tests.drivers.telegram import TelegramDriver
from tests.drivers.zalo_oa import ZaloOADriver
from tests.test_people_do import joined, rows, texts
from tests.test_reports import at
from tests.test_tips import quick_tip


@pytest.fixture
async def oa(db_url: str, settings_for: Any) -> AsyncIterator[tuple[Any, ZaloOADriver]]:
    driver = ZaloOADriver()
    async with driver_town(driver, settings_for, db_url, delivery_enabled=False) as town:
        yield town, driver


async def choose(person: Any, payload: str) -> list[dict[str, Any]]:
    """Press a button the page still shows (an old one included), by its payload."""
    return await person._post(json={"choice": payload})


# Two officers on one tip ------------------------------------------------------------------------------------------
async def test_a_reply_typed_for_a_tip_another_officer_closed_meanwhile_is_given_back(ward: Any) -> None:
    """Defect: Hùng was typing a reply when Minh closed the tip; Hùng's reply got no answer at all, was not stored
    and never reached the tipster, and he believed it sent."""
    lan = await ward.join("Lan")
    minh = await ward.join("Công an Minh", role="police")
    hung = await ward.join("Công an Hùng", role="police")
    await quick_tip(lan)
    [tip] = await rows(ward, Tip)
    await choose(hung, f"tipp:open:{tip.id}")
    await choose(hung, f"tipp:reply:{tip.id}")
    await choose(minh, f"tipp:open:{tip.id}")
    await choose(minh, f"tipp:status:{tip.id}")
    await minh.say("đã giải quyết")
    assert "đã giải quyết" in texts(await minh.say("Đã phối hợp tổ tuần tra giải tán, lập biên bản."))
    words = "Chúng tôi sẽ tăng cường tuần tra khu vực cuối hẻm 12 trong tuần này."
    said = texts(await hung.say(words))
    assert "vừa được đóng" in said and "đã giải quyết" in said and words in said, said


async def test_the_second_officer_closing_the_same_tip_is_told_and_gets_his_reason_back(ward: Any) -> None:
    lan = await ward.join("Lan")
    minh = await ward.join("Công an Minh", role="police")
    hung = await ward.join("Công an Hùng", role="police")
    await quick_tip(lan)
    [tip] = await rows(ward, Tip)
    for officer in (minh, hung):
        await choose(officer, f"tipp:open:{tip.id}")
        await choose(officer, f"tipp:status:{tip.id}")
    await minh.say("đã giải quyết")
    await hung.say("đã đóng, không xử lý")
    await minh.say("Đã phối hợp tổ tuần tra giải tán, lập biên bản.")
    reason = "Không đủ căn cứ, người báo tin không cung cấp thêm."
    said = texts(await hung.say(reason))
    assert "vừa được đóng" in said and "đã giải quyết" in said and reason in said, said
    [tip] = await rows(ward, Tip)
    assert tip.outcome_reason == "Đã phối hợp tổ tuần tra giải tán, lập biên bản."


# The group leader -------------------------------------------------------------------------------------------------
async def test_bao_cao_typed_under_the_report_intro_does_not_send_nothing_to_report(
    db_url: str, settings_for: Any, manual_clock: Any
) -> None:
    """Defect: under "Báo cáo của Tổ 3 … 6 câu hỏi" (buttons "Bắt đầu" / "Kỳ này không có gì báo cáo") the leader
    typed "báo cáo", meaning to do it, and "Đã gửi: kỳ này Tổ 3 không có gì báo cáo" was filed: a word of a label
    after "không có gì" is not that label (bot.core.typed)."""
    tg = TelegramDriver(user_id=880002, first_name="Tâm")
    async with driver_town(tg, settings_for, db_url, delivery_enabled=False) as town:
        admin = await town.join("Chị Hạnh", role="ward_admin")
        await admin.say("/caidatbaocao")
        await admin.press("rs:done")
        code = await town.invite("group_admin")
        await tg.say(f"/start {code}")
        await tg.say("tiếng việt")
        assert "Chào mừng" in texts(await tg.say("đồng ý"))
        await at(town, manual_clock, "2026-11-26T17:05:00")  # the day-before reminder
        assert "6 câu hỏi" in texts(await tg.say("có"))
        await tg.say("báo cáo")
        assert not [r for r in await rows(town, ReportSubmission) if r.status == "submitted"]


# Residents on the Zalo OA, typing everything ------------------------------------------------------------------
async def test_one_typed_under_the_household_results_picks_the_first_household(
    oa: tuple[Any, ZaloOADriver], manual_clock: Any
) -> None:
    """Defect: under "Chọn hộ của anh/chị:" (the search's results, as buttons) "1" was read as a house number:
    "gõ cả số nhà và tên đường", again and again. A number is a house number only beside the question itself."""
    from tests.test_pledges import JANUARY, address_of, open_campaign

    town, tu = oa
    admin = await town.join("Chủ tịch", role="ward_admin")
    await town.join("Tâm", role="group_admin")
    await open_campaign(admin)
    manual_clock.set(JANUARY)
    await joined(town, tu)
    address = await address_of(town, "Số 121,")
    await tu.say("ba muon ky cai cam ket cho nha ba nam nay")
    await tu.say("1")
    await tu.say(address.replace("Số ", "").replace(", đường", ""))
    assert tu.choices()[0].startswith("Số 121,"), tu.choices()
    picked = texts(await tu.say("1"))
    assert "gõ cả số nhà và tên đường" not in picked and "họ tên" in picked, picked


async def test_co_to_send_with_my_name_is_the_button_that_is_not_no(oa: tuple[Any, ZaloOADriver]) -> None:
    """Defect: to "Gửi kèm tên của anh/chị?" ("Kèm tên của tôi" / "Không kèm tên (ẩn danh)") "co" was answered
    "Vui lòng chọn một trong các mục": of two buttons, one a no, the other is the yes."""
    town, tu = oa
    await joined(town, tu)
    await tu.say("ba muon bao cai den duong dau hem 7 bi hu may tuan nay toi thui")
    await tu.say("1")
    await tu.say("1")
    await tu.say("xong")
    await tu.say("dau hem 7 duong le loi")
    await tu.say("co")
    assert "Kèm tên của tôi" in tu.choices(), tu.choices()
    summary = texts(await tu.say("co"))
    assert "Kèm tên" in summary and "Vui lòng chọn" not in summary, summary


async def test_messages_stopped_in_words_are_wanted_back_in_words(oa: tuple[Any, ZaloOADriver]) -> None:
    town, minh = oa
    await joined(town, minh)
    await minh.say("dung gui tin nhan cho em nua")
    await minh.say("1")
    [row] = await rows(town, Person)
    assert row.mute_info_alerts
    for wish in ("bat lai thong bao", "cho chu nhan tin lai nhu cu"):
        asked = texts(await minh.say(wish))
        assert "chưa hiểu" not in asked, asked
    await minh.say("1")
    [row] = await rows(town, Person)
    assert not row.mute_info_alerts


async def reports_a_street_light(town: Any, tu: ZaloOADriver) -> None:
    """Bà Tư joins and reports a broken street light with her name, typing every answer without accents."""
    await joined(town, tu)
    await tu.say("ba muon bao cai den duong dau hem 7 bi hu may tuan nay toi thui")
    for answer in ("1", "1", "xong", "dau hem 7 duong le loi", "co", "kem ten"):
        await tu.say(answer)
    assert "Phản ánh số 1" in texts(await tu.say("gui"))


async def test_send_typed_again_and_thanks_with_a_kinship_word(oa: tuple[Any, ZaloOADriver]) -> None:
    """Defects: a second "gui" (a double tap) after a sent report was "Xin lỗi, tôi chưa hiểu", as if it had failed;
    "cam on con" (thank you, child) was not understood while "cam on" was."""
    town, tu = oa
    await reports_a_street_light(town, tu)
    again = texts(await tu.say("gui"))
    assert "chưa hiểu" not in again and "đã được gửi" in again, again
    thanks = texts(await tu.say("cam on con"))
    assert "không có gì" in thanks and "chưa hiểu" not in thanks, thanks


# Words that mean one thing from an officer and another from a resident --------------------------------------------
async def test_an_officers_own_words_lead_to_the_officers_work(ward: Any) -> None:
    """Defects: an officer's "xem tin báo" opened the resident's receipt-code look-up, and "tổ nào chưa nộp báo
    cáo" was offered as a tip to send to himself. The model learnt from everyone's words; the commands of a
    person's work come first when their phrases say them (bot.core.intents `own`)."""
    officer = await ward.join("Công an Minh", role="police")
    lan = await ward.join("Lan")
    await quick_tip(lan)
    said = texts(await officer.say("xem tin báo"))
    assert "Nhập mã tiếp nhận" not in said and officer.choices()[0] == "Tin báo đã nhận", (
        said,
        officer.choices(),
    )
    await officer.say("tổ nào chưa nộp báo cáo")
    assert officer.choices()[0] == "Báo cáo của các tổ", officer.choices()
    # The same words from a resident are still the resident's.
    assert "Nhập mã tiếp nhận" in texts(await lan.say("xem tin báo"))


async def test_a_resident_asking_for_what_only_staff_do_is_told_whose_it_is(
    oa: tuple[Any, ZaloOADriver],
) -> None:
    """Defect: "xin trich xuat camera" (footage is asked of camera owners by the police) was "Xin lỗi, tôi chưa
    hiểu"; now the resident is told it is the police's, and pointed to the tip."""
    town, ba = oa
    await joined(town, ba)
    said = texts(await ba.say("xin trich xuat camera"))
    assert "chưa hiểu" not in said and "tài khoản của anh/chị" in said and "Báo tin cho công an" in said, said


async def test_after_acknowledging_a_tip_on_telegram_the_officer_goes_on_with_one_press(
    db_url: str, settings_for: Any
) -> None:
    """Defect: Telegram takes the tip card's buttons away once one is pressed, and "Đã xác nhận tiếp nhận" had none:
    replying to the tipster needed the list again."""
    tg = TelegramDriver(user_id=880003, first_name="Hùng")
    async with driver_town(tg, settings_for, db_url, delivery_enabled=False) as town:
        code = await town.invite("police")
        await tg.say(f"/start {code}")
        await tg.say("tiếng việt")
        await tg.say("đồng ý")
        lan = await town.join("Lan")
        await quick_tip(lan)
        [tip] = await rows(town, Tip)
        await tg.say("/tinbao")
        await tg.press(next(c for c in tg.choices() if c.startswith(f"{tip.id} ·")))
        said = texts(await tg.press(next(c for c in tg.choices() if c.startswith("Xác nhận"))))
        assert "Đã xác nhận tiếp nhận" in said, said
        assert tg.choices()[:2] == ["Trả lời người báo tin", "Đề nghị cung cấp thêm"], tg.choices()


async def test_periods_before_the_ward_set_up_reports_are_not_offered_as_missed(
    ward: Any, manual_clock: Any
) -> None:
    """Defect: reports set up on Monday 23/11/2026, /xembaocao the same day offered periods back to 23/10, each
    "0/40 tổ đã gửi báo cáo": every group missing reports nobody was ever asked for."""
    admin = await ward.join("Chị Hạnh", role="ward_admin")
    await admin.say("/caidatbaocao")
    await admin.press("rs:done")
    officer = await ward.join("Công an Minh", role="police")
    await officer.say("/xembaocao")
    offered = officer.choices()
    assert offered and not [p for p in offered if "06/11/2026" in p or "30/10/2026" in p], offered


async def test_danger_typed_into_a_form_gets_the_numbers_and_the_form_stays(
    oa: tuple[Any, ZaloOADriver],
) -> None:
    """Defect: "cháy nhà hàng xóm rồi cứu với" typed where the problem form asks its kind was answered only with the
    question again; the emergency numbers come first now, and the form goes on."""
    town, tu = oa
    await joined(town, tu)
    await tu.say("/phananh")
    said = texts(await tu.say("cháy nhà hàng xóm rồi cứu với"))
    assert "114" in said and "Phiếu đang điền vẫn còn" in said, said
    assert "Đèn đường hỏng" in tu.choices(), tu.choices()
    assert "114" not in texts(await tu.say("đèn đường"))


async def test_following_ones_report_in_words_shows_ones_reports(oa: tuple[Any, ZaloOADriver]) -> None:
    """Defect: "con oi cai den duong ba bao hom truoc sao roi con" was "Xin lỗi, tôi chưa hiểu" and "cai phan anh
    cua toi sao roi" opened the tips' receipt-code look-up: a problem report has no receipt code to type."""
    town, tu = oa
    await reports_a_street_light(town, tu)
    for asked in ("con oi cai den duong ba bao hom truoc sao roi con", "cai phan anh cua toi sao roi"):
        said = texts(await tu.say(asked))
        assert "chưa hiểu" not in said and "mã tiếp nhận" not in said, said
        shown = texts(await tu.say("1"))
        assert "Số 1" in shown and "Đèn đường" in shown, shown


AREAS = (
    "Khu vực;Tổ;Tổ trưởng;Số điện thoại\nTổ dân phố 1;Tổ 1;Nguyễn Văn An;0912 345 678\nTổ dân phố 1;Tổ 2;;\n"
)


async def test_a_longer_file_sent_right_after_an_import_is_imported(ward: Any) -> None:
    """Defect: the ward admin imported a file, then sent the longer one at once (the README: "a longer file adds
    only its new lines"); at the /diaban menu it was "Vui lòng chọn một trong các mục" and dropped."""
    from tests.test_tips import other_ward

    code = await other_ward(ward)
    admin = await ward.join("Chủ tịch", role="ward_admin", ward_code=code)
    await admin.say("/diaban")
    await admin.say("nhập từ tệp")
    assert "tạo mới 2" in texts(await admin.send_file(AREAS.encode(), "to.csv", "text/csv"))
    longer = AREAS + "Tổ dân phố 2;Tổ 1;Trần Thị Bình;0983 456 789\n"
    said = texts(await admin.send_file(longer.encode(), "to.csv", "text/csv"))
    assert "Vui lòng chọn" not in said and "Tổ: tạo mới 1, giữ nguyên 2" in said, said


async def test_a_mediator_known_by_a_first_name_gives_a_full_name_before_the_book(
    manual_clock: Any, db_url: str, settings_for: Any
) -> None:  # on the manual clock: the case number names 2026
    """Defect: a mediator whose Telegram profile says only "Hòa" took a case and the mediation book recorded "Hòa";
    the requester was told "đã có hòa giải viên: Hòa". A full name is asked once first, as when there is none."""
    from models.mediation import MediationCase

    tg = TelegramDriver(user_id=880004, first_name="Hòa")
    async with driver_town(tg, settings_for, db_url, delivery_enabled=False) as town:
        code = await town.invite("mediator", group=None)
        await tg.say(f"/start {code}")
        await tg.say("tiếng việt")
        await tg.say("đồng ý")
        lan = await town.join("Lan")
        await lan.say("nhà bên hát karaoke tới 12 giờ đêm")
        await lan.press("Nhờ hòa giải")
        for answer in (
            "tiếng ồn",
            "Trần Thị Lan",
            "ông Sáu nhà số 14 bên cạnh",
            "xong",
            "không gấp",
            "tối thứ 7",
        ):
            await lan.say(answer)
        await lan.say("không")
        assert "HG-2026-0001" in texts(await lan.say("gửi"))
        await town.drain()
        taken = texts(await tg.press("Nhận vụ việc này"))
        assert "tên" in taken.lower(), taken
        [case] = await rows(town, MediationCase)
        assert case.mediator_name is None, case.mediator_name
