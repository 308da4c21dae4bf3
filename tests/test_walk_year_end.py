"""Walk Y, the turn of the year in a ward: Phường Cao Lãnh lives December 2026 into January 2027, in Vietnam time
(Asia/Ho_Chi_Minh, UTC+7: at 23:50 on 31/12 the UTC date is still 31/12, and it stays so until 07:00 on 1/1).

People: chị Hạnh, the ward admin (cán bộ quản trị), on the web chat; Thiếu úy Minh, the ward police officer, on
Telegram; anh Tâm, leader (tổ trưởng) of Tổ 3, Khóm 2, on the Zalo Bot; residents on the Zalo Bot, Telegram and
the web chat; cô Ngọc, a mediator. Things that count "this year", "this month" or "this week" must count them in
the ward's calendar, not UTC's.

Each test that caught a defect says in its docstring what it was, and was written failing before the fix; a test
named `test_ok_...` records what worked."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from bot.extensions.year_figures import Place
from handlers.review import evaluate
from models import ReportSubmission
from models.pledges import PledgeCampaign, PledgeSignature, PledgeVersion
from tests.conftest import DEMO_WARD, Town
from tests.drivers import driver_town
from tests.drivers.zalo_bot import ZaloBotDriver
from tests.test_mediation import NOISE, profile, request
from tests.test_mediation_records import agree, fetch
from tests.test_people_do import texts
from tests.test_pledges import address_of, attach, open_campaign, sign_on_web
from tests.test_reports import at, pushed
from tests.test_reports_period_reminders import new_texts
from tests.test_tips import quick_tip
from tests.test_walk_police_telegram import desk as desk  # noqa: F401 - fixture
from tests.test_walk_police_telegram import resident_joins, said
from tests.tipster import drug_tip

VN = "+07:00"


def local_time(moment: str) -> datetime:
    """ "2026-12-31T23:50" → that moment in the ward's zone."""
    return datetime.fromisoformat(moment + VN)


@pytest.fixture
async def zalo(
    db_url: str, settings_for: Any, manual_clock: Any
) -> AsyncIterator[tuple[Town, ZaloBotDriver]]:
    """The demo ward on 27/11/2026, with the Zalo Bot; Bà Sáu, a resident on it (not joined yet). Pushes go out
    only through `town.drain()`."""
    manual_clock.set(local_time("2026-11-27T10:00:00"))
    sau = ZaloBotDriver(user_id="zb-sau", display_name="Bà Sáu")
    async with driver_town(sau, settings_for, db_url, delivery_enabled=False) as town:
        yield town, sau


async def campaign_2026(town: Town) -> None:
    """The 2026 campaign the ward opened last January and kept open all year (late households still sign)."""
    assert town.app is not None
    async with town.app.db.session() as session:
        row = PledgeCampaign(
            ward_code=DEMO_WARD,
            year=2026,
            title="Cam kết An toàn về ANTT năm 2026",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            area_ids=[],
        )
        session.add(row)
        await session.flush()
        session.add(
            PledgeVersion(campaign_id=row.id or 0, number=1, text="Hộ gia đình chúng tôi cam kết " * 5)
        )
        await session.commit()


async def zalo_resident_of(town: Town, driver: ZaloBotDriver, leader: Any, starts: str) -> None:
    """A Zalo Bot resident of Tổ 3 joins by an invite and is confirmed in the household whose address starts so."""
    code = await town.invite("resident")
    await driver.say(f"/thamgia {code}")
    await driver.say("1")
    await driver.say("1")
    await driver.say("/hocuatoi")
    await driver.say(await address_of(town, starts))
    await driver.say("1")
    await town.drain()
    pushed = await leader.poll()
    leader.seen += pushed
    request = next(m for m in pushed if starts in m["text"] and m["choices"])
    await leader.press(request["choices"][0]["payload"])
    await town.drain()


async def signatures(town: Town) -> list[tuple[int, str]]:
    assert town.app is not None
    async with town.app.db.session() as session:
        rows = (await session.exec(select(PledgeSignature, PledgeCampaign).join(PledgeCampaign))).all()
        return [(c.year, s.address) for s, c in rows]


# The household pledge ---------------------------------------------------------------------------------------------
async def test_households_sign_either_side_of_midnight_and_baophu_shows_each_years_campaign(
    zalo: tuple[Town, ZaloBotDriver], manual_clock: Any
) -> None:
    """In November chị Hạnh opens the 2027 campaign while 2026's (kept open all year) still runs. Bà Sáu (Zalo Bot)
    signs at 23:50 on 31/12 — 2026's — and at 00:10 on 1/1 is asked to read 2027's; anh Tư (web) signs at 00:10 —
    2027's. /baophu shows 2026 before midnight and 2027 after.

    Defects: (1) in January "/baophu 2026", to report last year's final coverage, silently showed 2027's campaign:
    the year typed was ignored and no other way led to 2026's figures (handlers/pledges/flows/report.py). (2) The
    export buttons under the 2026 screen, pressed after midnight, gave 2027's list (cam-ket-2027.xlsx, 0 signed):
    the button did not say which campaign it was shown under (handlers/pledges/buttons.py)."""
    town, sau = zalo
    await campaign_2026(town)
    hanh = await town.join("Chị Hạnh", role="ward_admin")
    tam = await town.join("Anh Tâm", role="group_admin")
    await tam.poll()
    assert "năm 2027" in hanh.all_text(await hanh.say("/chiendich"))
    await hanh.say("/huy")
    await open_campaign(hanh)
    await zalo_resident_of(town, sau, tam, "Số 121,")
    tu = await town.join("Anh Tư")
    await attach(tu, tam, town, "so 122", "Số 122,")

    manual_clock.set(local_time("2026-12-31T23:50:00"))
    assert "năm 2026" in texts(await sau.say("/camket"))
    for typed in ("1", "1", "Nguyễn Thị Sáu"):
        await sau.say(typed)
    signed = texts(await sau.say("1"))
    assert "ngày 31/12/2026" in signed, signed
    screen = hanh.all_text(await hanh.say("/baophu"))
    assert "năm 2026" in screen.split("\n")[0] and "1/1080 hộ đã ký" in screen, screen

    manual_clock.set(local_time("2027-01-01T00:10:00"))
    assert "năm 2027" in texts(await sau.say("/camket"))  # a new year, a new pledge to read
    await sau.say("2")  # Để sau
    await sign_on_web(tu, "Số 122,", "Lê Văn Tư")
    assert sorted(await signatures(town)) == [
        (2026, await address_of(town, "Số 121,")),
        (2027, await address_of(town, "Số 122,")),
    ]
    screen = hanh.all_text(await hanh.say("/baophu"))
    assert "năm 2027" in screen.split("\n")[0] and "1/1080 hộ đã ký" in screen, screen

    # The 2026 screen's export, pressed after midnight, is still 2026's list.
    manual_clock.set(local_time("2026-12-31T23:58:00"))
    await hanh.say("/baophu")
    manual_clock.set(local_time("2027-01-01T00:02:00"))
    replies = await hanh.press("Xuất Excel")
    assert replies[-1]["media"][0]["filename"] == "cam-ket-2026.xlsx", replies
    assert "1 hộ đã ký" in hanh.all_text(replies), hanh.all_text(replies)

    # January: last year's final coverage, asked by its year.
    manual_clock.set(local_time("2027-01-04T09:00:00"))
    screen = hanh.all_text(await hanh.say("/baophu 2026"))
    assert "năm 2026" in screen.split("\n")[0] and "1/1080 hộ đã ký" in screen, screen
    replies = await hanh.press("Xuất CSV")
    assert replies[-1]["media"][0]["filename"] == "cam-ket-2026.csv", replies
    assert "chưa có đợt cam kết nào cho năm 2025" in hanh.all_text(await hanh.say("/baophu 2025"))
    screen = tam.all_text(await tam.say("/baophu 2026"))  # the group leader's own group, last year
    assert "năm 2026" in screen.split("\n")[0] and "1/27 hộ đã ký" in screen, screen


async def test_a_resident_who_began_signing_before_midnight_is_sent_to_the_new_years_pledge(
    zalo: tuple[Town, ZaloBotDriver], manual_clock: Any
) -> None:
    """Bà Sáu opens /camket at 23:58 on 31/12, reads, types her name, and presses "Ký cam kết" at 00:01.

    Defect: she read "Đợt cam kết đã đóng nên chưa ký gì" and nothing else, as if signing were over, while the 2027
    campaign had opened that minute; she is now told it is open and how to sign it
    (handlers/pledges/flows/signing.py)."""
    town, sau = zalo
    await campaign_2026(town)
    hanh = await town.join("Chị Hạnh", role="ward_admin")
    tam = await town.join("Anh Tâm", role="group_admin")
    await tam.poll()
    await open_campaign(hanh)
    await zalo_resident_of(town, sau, tam, "Số 121,")
    manual_clock.set(local_time("2026-12-31T23:58:00"))
    for typed in ("/camket", "1", "1", "Nguyễn Thị Sáu"):
        await sau.say(typed)
    manual_clock.set(local_time("2027-01-01T00:01:00"))
    answer = texts(await sau.say("1"))
    assert "31/12/2026" in answer and "năm 2027" in answer and "/camket" in answer, answer
    assert await signatures(town) == []
    assert "năm 2027" in texts(await sau.say("/camket"))


# Mediation --------------------------------------------------------------------------------------------------------
async def test_a_case_brought_at_0030_on_new_years_day_is_numbered_and_booked_in_2027(
    ward: Town, manual_clock: Any
) -> None:
    """Chị Lan asks for mediation at 23:10 on 31/12; cô Ngọc's group settles it at 23:30 (16:30 UTC). At 00:30 on
    1/1 (17:30 UTC on 31/12) she brings another dispute. In January the head exports the 2026 book: the first case,
    not the second.

    Defect: the second case was numbered HG-2026-0002 (the year of its UTC moment) while the book of 2027 listed it,
    received 01/01/2027, so the number named a book it is not in (handlers/mediation/flows/request.py)."""
    lan = await ward.join("Lan")
    head = await ward.join("Hùng", role="mediation_head")
    ngoc = await ward.join("Ngọc", role="mediator")
    await profile(ngoc, "Lê Văn Bình")  # the name agree() presses
    manual_clock.set(local_time("2026-12-31T23:10:00"))
    first = await request(lan, NOISE)
    manual_clock.set(local_time("2026-12-31T23:30:00"))
    await agree(ward, head, ngoc, first)
    manual_clock.set(local_time("2027-01-01T00:30:00"))
    second = await request(lan, "Nhà bên cạnh đổ nước thải sang sân nhà tôi mấy hôm nay.", kind="neighbours")
    assert first.startswith("HG-2026-") and second.startswith("HG-2027-"), (first, second)

    manual_clock.set(local_time("2027-01-04T09:00:00"))
    books = {}
    for year in ("2026", "2027"):
        replies = await head.say(f"/sohoagiai {year}")
        assert f"năm {year}: 1 vụ việc" in head.all_text(replies), head.all_text(replies)
        sheet = load_workbook(io.BytesIO(await fetch(head, replies[-1], ".xlsx"))).active
        books[year] = [row for row in sheet.iter_rows(values_only=True)][1:]
    [(number, received, *_rest, closed, _agreement, _public)] = books["2026"]
    assert (number, received, closed) == (first, "31/12/2026", "31/12/2026")
    assert [(row[0], row[1]) for row in books["2027"]] == [(second, "01/01/2027")]


# The year's review ------------------------------------------------------------------------------------------------
async def test_the_review_of_2026_read_in_january_never_calls_2026_this_year(
    desk: tuple[Town, Any, Any], manual_clock: Any
) -> None:
    """Thiếu úy Minh (Telegram) opens /tongket on 30/12 and on 5/1: both review 2026 against 2025; anh Tâm reads his
    group's draft with /xeploai on 5/1.

    Defects: read in January about 2026, the review still said "năm nay" (this year, i.e. 2027 to the reader): "Hộ
    đã kê khai phiếu an toàn PCCC năm nay: 0% … (năm 2025: …)" in /tongket and "Vụ việc hòa giải thành: năm nay
    không phát sinh" in /xeploai (handlers/firesafety/router.py's figure label, handlers/review/evaluate.py)."""
    town, minh, _lan = desk
    tam = await town.join("Anh Tâm", role="group_admin")
    for moment in ("2026-12-30T09:00:00", "2027-01-05T09:00:00"):
        manual_clock.set(local_time(moment))
        review = said(await minh.say("/tongket"))
        assert "Tổng kết năm 2026" in review and "năm 2026 so với năm 2025" in review, review
        assert "năm nay" not in review, review
    draft = tam.all_text(await tam.say("/xeploai"))
    assert "Xếp loại dự kiến năm 2026 của Tổ 3, Khóm 2" in draft, draft
    assert "năm nay" not in draft and "không phát sinh trong năm 2026" in draft, draft


# Periodic reports, the digest, tips -------------------------------------------------------------------------------
async def test_ok_the_weekly_report_due_on_new_years_day_is_reminded_at_local_hours_and_taken_late_on_2_1(
    zalo: tuple[Town, ZaloBotDriver], manual_clock: Any
) -> None:
    """Weekly reports due Friday 17:00: the week 25/12–1/1 is due on New Year's Day. Anh Tâm (Zalo Bot) is reminded
    on Thursday 31/12 at 17:00 and on Friday 1/1 at 07:30, local time (10:00 and 00:30 UTC), not before; the police
    are told he is late at 17:00 on 1/1; he sends it on Saturday 2/1 and it is recorded late, for its period. On
    Monday 4/1 the digest names the week 28/12/2026–03/01/2027."""
    town, tam = zalo
    code = await town.invite("group_admin")
    for typed in (f"/start {code}", "tiếng việt", "đồng ý"):
        await tam.say(typed)
    hanh = await town.join("Chị Hạnh", role="ward_admin")
    await hanh.say("/caidatbaocao")
    await hanh.press("rs:done")
    police = await town.join("Thiếu úy Minh", role="police")

    async def sent_at(moment: str) -> str:
        before = len(tam.sent())
        await at(town, manual_clock, moment)
        return new_texts(tam, before)

    await at(town, manual_clock, "2026-12-28T09:00:00")
    await pushed(police)
    assert "Nhắc nhở" not in await sent_at("2026-12-31T16:55:00")
    assert "trước 17:00 ngày 01/01/2027" in await sent_at("2026-12-31T17:05:00")
    assert await sent_at("2027-01-01T07:25:00") == ""
    assert "trước 17:00 ngày 01/01/2027" in await sent_at("2027-01-01T07:35:00")
    assert "đã trễ hạn" in await sent_at("2027-01-01T17:30:00")
    late = "\n".join(m["text"] for m in await pushed(police))
    assert "kỳ kết thúc 17:00 ngày 01/01/2027" in late and "Tổ 3, Khóm 2" in late, late

    manual_clock.set(local_time("2027-01-02T09:00:00"))
    opened = texts(await tam.say("/baocao"))
    assert "kỳ kết thúc 17:00 ngày 01/01/2027" in opened and "hạn 08/01/2027" in opened, opened
    await tam.say("2")  # Kỳ này không có gì báo cáo
    await tam.say("1")  # Gửi
    assert town.app is not None
    async with town.app.db.session() as session:
        [sent] = (await session.exec(select(ReportSubmission))).all()
    assert (sent.period_key, sent.status) == ("2027-01-01", "submitted"), sent
    assert sent.submitted_at is not None and sent.submitted_at > sent.due_at

    digest = await sent_at("2027-01-04T07:05:00")
    assert "Từ 28/12/2026 đến 03/01/2027" in digest, digest
    assert "chưa gửi" not in digest, digest  # the report of 01/01/2027 was sent, late, on 2/1


async def test_ok_tips_of_new_years_eve_are_counted_in_the_week_and_year_they_were_sent(
    desk: tuple[Town, Any, Any], manual_clock: Any
) -> None:
    """Chị Lan (Telegram) sends a tip at 23:55 on 31/12 (16:55 UTC), chị Hoa (web) one at 00:20 on 1/1 (17:20 UTC
    on 31/12). Thiếu úy Minh's Monday digest of 28/12–03/01 counts both; the 2026 review counts Lan's, not Hoa's;
    /tracuu in January shows Lan's tip sent on 31/12/2026."""
    town, minh, lan = desk
    await resident_joins(town, lan)
    hoa = await town.join("Hoa")
    manual_clock.set(local_time("2026-12-31T23:55:00"))
    receipt = await drug_tip(lan, photo=False)
    manual_clock.set(local_time("2027-01-01T00:20:00"))
    await quick_tip(hoa, text="Có nhóm thanh niên đốt pháo nổ ở đầu hẻm 7 đêm giao thừa.")

    mark = len(minh.fake.requests)
    await at(town, manual_clock, "2027-01-04T07:05:00")
    digest = said(minh.sent_since(mark))
    assert "Từ 28/12/2026 đến 03/01/2027" in digest and "Công an nhận được trong kỳ: 2 tin báo." in digest, (
        digest
    )

    manual_clock.set(local_time("2027-01-05T09:00:00"))
    found = said(await lan.say(f"/tracuu {receipt}"))
    assert "gửi ngày 31/12/2026" in found, found
    assert town.app is not None
    async with town.app.db.session() as session:
        review = await evaluate.build(session, town.app.registry, DEMO_WARD, evaluate.review_year())
    assert review.year == 2026
    this_year, _last = review.figures["tips.received"]
    assert this_year[Place("ward", DEMO_WARD)].value == 1  # Lan's of 31/12, not Hoa's of 1/1
