"""Bác Tư (68, tổ trưởng of Tổ 3, Khóm 2) on the Zalo OA says what he needs in his own words, without accents:
his report under the reminder, a warning to his group, how far the pledge is, who asked for mediation, a link for
a new household. Found by walk L."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from models import ReportSubmission
from tests.test_leader_words_common import bac_tu_joins, oa, reports_on, said, since
from tests.test_reports import at

__all__ = ["oa"]

REPORT = "to 3 tuan nay binh thuong, co 1 vu mat xe dap, 2 ho moi den"
WARNING = "nhac ba con khoa cua xe, dao nay hay mat trom"


async def test_his_report_written_in_one_sentence_under_the_reminder_reaches_the_report(
    oa: tuple[Any, Any], manual_clock: Any
) -> None:
    """Defect: under Thursday's reminder Bác Tư wrote his report as he would say it; pressing the offered "Gửi báo
    cáo của tổ" opened the report at Câu 1/6 with his words gone. What he wrote goes into the report, as the answer
    to its first question in words (the incidents: handlers/reports/flows/told.py)."""
    town, tu = oa
    await bac_tu_joins(town, tu)
    await reports_on(town)
    mark = len(tu.sent())
    await at(town, manual_clock, "2026-11-26T17:05:00")
    assert "Nhắc nhở: báo cáo của Tổ 3" in since(tu, mark)
    replies = await tu.say(REPORT)
    for label in ("Gửi báo cáo của tổ", "Gửi báo cáo", "Bắt đầu"):
        if label in tu.choices():
            replies = await tu.press(label)
    for _ in range(7):  # the questions he is still asked: nothing more to tell
        if "Báo cáo của Tổ 3:" in said(replies):
            break
        replies = await tu.say("khong")
    review = said(replies)
    assert "Báo cáo của Tổ 3:" in review, review
    assert "mat xe dap" in review, review
    async with town.app.db.session() as session:
        [row] = (await session.exec(select(ReportSubmission))).all()
    assert "mat xe dap" in str(row.answers), row.answers


async def test_a_warning_written_in_his_words_goes_into_the_warning_as_promised(
    oa: tuple[Any, Any], manual_clock: Any
) -> None:
    """Defect: his warning in words was offered "Soạn cảnh báo" / "Báo tin cho công an" under the promise that his
    words go along, but the warning form started empty (only the tip carried them). They are offered as the
    warning's description, and the promise names the offer that takes them."""
    town, tu = oa
    await bac_tu_joins(town, tu)
    offer = said(await tu.say(WARNING))
    assert "Soạn cảnh báo" in tu.choices(), (offer, tu.choices())
    promised = "giữ lại trong phiếu" in offer
    assert promised and ("Báo tin cho công an" not in tu.choices() or "“Soạn cảnh báo”" in offer), offer
    replies = await tu.press("Soạn cảnh báo")
    for _ in range(12):
        last = said(replies)
        choices = tu.choices()
        if "Gửi đi?" in last:
            break
        if "về việc gì" in last:
            replies = await tu.say("trom")
        elif "Mức độ" in last:
            replies = await tu.say("quan trong")
        elif "tiêu đề" in last:
            replies = await tu.say("Canh giac trom xe")
        elif "mô tả" in last and not ("khoa cua xe" in last and choices):
            replies = await tu.say("Xin ba con can than giu xe.")
        elif choices:
            replies = await tu.press(choices[0])
        else:
            raise AssertionError(last)
    preview = said(replies)
    assert "Gửi đi?" in preview, preview
    assert "khoa cua xe" in preview, preview


async def test_asking_how_far_his_group_is_with_the_pledge_offers_the_coverage(
    oa: tuple[Any, Any], manual_clock: Any
) -> None:
    """Defect: "to minh ky cam ket toi dau roi" offered only signing his own household's pledge, and "cam ket to 3
    duoc bao nhieu ho roi" was not understood. A leader asking how far his group is is offered the coverage."""
    from tests.test_pledges import open_campaign

    town, tu = oa
    await bac_tu_joins(town, tu)
    admin = await town.join("Chị Hạnh", role="ward_admin")
    await open_campaign(admin)
    for typed in ("to minh ky cam ket toi dau roi", "cam ket to 3 duoc bao nhieu ho roi"):
        await tu.say(typed)
        assert tu.choices()[:1] == ["Tiến độ ký cam kết"], (typed, tu.choices())
        await tu.say("/huy")


async def test_asking_whether_anyone_in_his_group_asked_for_mediation_shows_the_cases_not_a_new_request(
    oa: tuple[Any, Any], manual_clock: Any
) -> None:
    """Defect: Lan of Tổ 3 had asked for mediation; "to minh co ai nho hoa giai khong" from Bác Tư opened a new
    request of his own, his question about to become a dispute's description. A leader's question about his group's
    cases shows them, as the menu's "Các vụ hòa giải" does."""
    from tests.test_mediation import NOISE, request

    town, tu = oa
    await bac_tu_joins(town, tu)
    lan = await town.join("Lan")
    number = await request(lan, NOISE)
    replies = await tu.say("to minh co ai nho hoa giai khong")
    if "Tranh chấp về việc gì" not in said(replies) and number not in said(replies) and tu.choices():
        replies = await tu.press(tu.choices()[0])
    shown = said(replies)
    assert "Tranh chấp về việc gì" not in shown, shown
    assert number in shown, shown


async def test_asking_for_a_link_for_a_new_household_is_not_a_scam_check_nor_a_tip(
    oa: tuple[Any, Any], manual_clock: Any
) -> None:
    """Defect: asking for the link a new household joins by was read as a suspicious link to check (and his next
    "co" was checked as a scam message), or offered only as a tip. Each offers the group's join link (/linknhom)."""
    town, tu = oa
    await bac_tu_joins(town, tu)
    for typed in (
        "xin link cho ho moi vao to",
        "to toi co ho moi den, cho xin duong link de ho vao nhom",
        "co ho moi den o so 12, moi ho vao to the nao",
    ):
        replies = said(await tu.say(typed))
        assert "đáng ngờ" not in replies, (typed, replies)
        offered = " | ".join(tu.choices()[:2])
        assert "Đường dẫn tham gia tổ" in offered or "Mời" in offered, (typed, tu.choices())
        if (
            len(tu.choices()) == 2
        ):  # one offer and the menu: his "co" takes it, never checked as a scam message
            taken = said(await tu.say("co"))
            assert "đáng ngờ" not in taken and "Đường dẫn tham gia của Tổ 3" in taken, (typed, taken)
        await tu.say("/huy")


async def test_asking_how_many_read_his_warning_is_understood(oa: tuple[Any, Any], manual_clock: Any) -> None:
    """Defect: right after a warning to his group went out, "bao nhieu nguoi doc roi" was not understood. It offers
    the warnings he follows (/canhbao), where the read count is."""
    from tests.test_alerts_steps import group_id, send

    town, tu = oa
    await bac_tu_joins(town, tu)
    leader_web = await town.join(
        "Tâm", role="group_admin"
    )  # a co-leader writes on the web; Bác Tư asks on Zalo
    await town.join("Lan")
    to3 = await group_id(town, "Khóm 2", "Tổ 3")
    await send(
        leader_web,
        title="Canh giac trom xe",
        body="Khoa cua, dat xe trong nha.",
        category="theft",
        severity="important",
        scope=(f"scope:g:{to3}",),
    )
    await town.drain()
    replies = said(await tu.say("bao nhieu nguoi doc roi"))
    assert "chưa hiểu" not in replies, replies
    if "Canh giac trom xe" not in replies:
        replies = said(await tu.press(tu.choices()[0]))
    assert "Canh giac trom xe" in replies and "đã đọc" in replies, replies


async def test_a_leaders_question_about_cases_carried_into_mediation_shows_them_a_residents_dispute_does_not(
    oa: tuple[Any, Any], manual_clock: Any
) -> None:
    """Words read as a dispute that ask whether anyone asked for mediation ("… có ai nhờ hòa giải vụ karaoke
    không") show a leader the cases (handlers/mediation/flows/overview.py); a resident's dispute is still a request."""
    from tests.test_mediation import NOISE, request

    town, tu = oa
    await bac_tu_joins(town, tu)
    lan = await town.join("Lan")
    number = await request(lan, NOISE)
    await tu.say("to minh co ai nho hoa giai vu hang xom hat karaoke khong")
    assert tu.choices()[0] == "Nhờ hòa giải", tu.choices()
    shown = said(await tu.press("Nhờ hòa giải"))
    assert number in shown and "Tranh chấp về việc gì" not in shown, shown
    hoa = await town.join("Hoa")
    await hoa.say("nha ben hat karaoke toi 1 gio dem, nhac to qua khong ngu duoc")
    asked = "\n".join(m["text"] for m in await hoa.press("Nhờ hòa giải"))
    assert "tranh chấp có vẻ là về" in asked, asked  # a new request, the kind guessed from her words


def test_words_that_only_ask_for_the_form_are_not_noted_in_it() -> None:
    """Only words that tell the report or the warning are put in it: "gửi báo cáo tuần này" or "soạn cảnh báo cho cả
    tổ" say nothing to note."""
    from handlers.alerts.flows.told import written_warning
    from handlers.reports.flows.told import report_told

    assert report_told(REPORT) == REPORT
    assert report_told("toi la to truong to 3, gui bao cao tuan nay") is None
    assert report_told("Tổ trưởng tổ 9 xin nộp báo cáo định kỳ tháng 11 cho phường") is None
    assert written_warning(WARNING) == WARNING
    assert written_warning("soạn cảnh báo cho cả tổ") is None
