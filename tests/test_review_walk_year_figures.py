"""Walk Y: the year-end review ("tổng kết năm") checked against what actually happened in the ward's year.

Chị Hạnh (ward admin) and Minh (police) prepare the 2027 review in early January 2028, as review_year() lets them;
the records of 2027 are seeded through the tables (as tests/test_review.py does), the events of January through
the chat. Each test says what the file or screen should carry about 2027."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import select

from handlers.mediation.buttons import FollowUp
from handlers.problems.figures import WARD as WHOLE_WARD
from handlers.problems.figures import tallies
from handlers.review.buttons import ReviewFile
from handlers.review.evaluate import bounds
from models import Group, ReportSubmission, RoleGrant
from models.mediation import CaseStatus
from models.problems import Problem, ProblemStatus
from tests.databases import DEMO_WARD
from tests.test_problems import pushed
from tests.test_problems_follow_journeys import closed_light
from tests.test_reports import download
from tests.test_review import AREAS, WARD, case, local, make_places, retire, sheet_rows, tip_at


async def set_up_reports(admin: Any) -> None:
    """The ward admin switches monthly reports on, due the 28th (as tests/test_review.py does)."""
    await admin.say("/caidatbaocao")
    await admin.press("rs:cadence")
    await admin.press("rc:monthly")
    await admin.say("28")
    await admin.press("rs:done")


async def file_of(person: Any, scope: str, place_id: int) -> Any:
    await person.say("/tongket")
    if scope == "area":
        await person.press("rvarea:0")
        await person.press(f"rvarea:{place_id}")
    replies = await person.press(ReviewFile(scope, place_id, "xlsx").pack())  # type: ignore[arg-type]
    assert replies[-1]["media"], person.all_text(replies)
    return load_workbook(io.BytesIO(await download(person, replies[-1])))


async def seed_reports(
    town: Any, group_ids: list[int], months: range = range(1, 12), missed: tuple[int, ...] = ()
) -> None:
    async with town.app.db.session() as session:
        for group_id in group_ids:
            for month in months:
                if month in missed:
                    continue
                due = local(f"2027-{month:02d}-28T17:00:00")
                session.add(
                    ReportSubmission(
                        ward_code=WARD,
                        group_id=group_id,
                        period_key=f"2027-{month:02d}-28",
                        due_at=due,
                        status="submitted",
                        nothing_to_report=True,
                        submitted_at=due - timedelta(days=1),
                    )
                )
        await session.commit()


async def test_a_group_retired_after_new_year_keeps_its_2027_rating_in_the_2027_file(
    manual_clock, town
) -> None:
    """Defect: Tổ 3 existed and reported all of 2027; the ward reorganised and retired it on 3 January 2028, and the
    2027 recognition file made on 10 January has no row for it (no rating, no figures): a year's work vanished
    from the year's record. The 2027 file should list every group that existed in 2027."""
    manual_clock.set(local("2026-12-01T09:00:00"))
    seeded = await make_places(town)
    admin = await town.join("Chị Hạnh", role="ward_admin", ward_code=WARD, locale="en")
    police = await town.join("Minh", role="police", ward_code=WARD, locale="en")
    await set_up_reports(admin)
    await seed_reports(town, seeded.groups)

    manual_clock.set(local("2028-01-03T09:00:00"))
    await retire(town, seeded.groups[2])

    manual_clock.set(local("2028-01-10T09:00:00"))
    book = await file_of(police, "ward", WARD)
    rated = [r[0] for r in sheet_rows(book, "Group ratings")]
    assert (
        "Recognition file" in book["Group ratings"]["A1"].value
        and "2027" in book["Group ratings"]["A1"].value
    )
    assert len(rated) == 20 and seeded.names[2] in rated, rated


async def test_a_broken_agreement_reported_in_january_does_not_rewrite_last_years_mediation(
    manual_clock, town
) -> None:
    """Defect: Tổ 1 settled 3 of its 4 mediation cases in 2027 (75%, meets the 70% criterion). On 5 January 2028 a
    party reports that one November agreement is no longer kept; the 2027 file made on 10 January now reads 2 of 3
    (67%, not met) and the group's draft drops. What was settled in 2027 should stay settled in the 2027 review."""
    manual_clock.set(local("2027-11-01T09:00:00"))
    seeded = await make_places(town)
    police = await town.join("Minh", role="police", ward_code=WARD, locale="en")
    party = await town.join(
        "Bà Lan", role="resident", area=AREAS[0], group="Tổ 1", ward_code=WARD, locale="en"
    )
    async with town.app.db.session() as session:
        lan_id = (
            await session.exec(
                select(RoleGrant.person_id).where(RoleGrant.ward_code == WARD, RoleGrant.role == "resident")
            )
        ).first()
        rows = [
            case(seeded, 0, CaseStatus.AGREED, "2027-03-02T09:00:00", "2027-04-02T09:00:00") for _ in range(2)
        ]
        rows.append(case(seeded, 0, CaseStatus.NOT_AGREED, "2027-05-02T09:00:00", "2027-06-02T09:00:00"))
        broken = case(seeded, 0, CaseStatus.AGREED, "2027-10-20T09:00:00", "2027-11-20T09:00:00")
        broken.requester_id = lan_id
        session.add_all([*rows, broken])
        await session.commit()
        broken_id = int(broken.id or 0)
    assert lan_id is not None

    manual_clock.set(local("2028-01-05T20:00:00"))
    replies = await party._post(json={"choice": FollowUp(broken_id, "broken").pack()})
    assert "reopened" in party.all_text(replies), party.all_text(replies)

    manual_clock.set(local("2028-01-10T09:00:00"))
    book = await file_of(police, "area", seeded.areas[0])
    figures = {(r[0], r[2]): r for r in sheet_rows(book, "Figures")}
    settled = figures[(seeded.names[0], "mediation.settled_share")]
    assert "3 of 4" in settled[3], settled


async def test_the_evidence_of_missed_reports_names_the_periods_missed(manual_clock: Any, town: Any) -> None:
    """Defect: Tổ 3 never sent its March and June reports. The area's file says "Group reports missed: 2" and,
    where the officer looks for the records behind it, only "(anonymous count: no record is named)", as if it
    were a secret tip count. The evidence should name the reports missed (their periods/deadlines), so the
    figure can be checked with the group."""
    manual_clock.set(local("2026-12-01T09:00:00"))
    seeded = await make_places(town)
    admin = await town.join("Chị Hạnh", role="ward_admin", ward_code=WARD, locale="en")
    police = await town.join("Minh", role="police", ward_code=WARD, locale="en")
    await set_up_reports(admin)
    await seed_reports(town, seeded.groups, missed=(3, 6))

    manual_clock.set(local("2027-12-05T09:00:00"))
    book = await file_of(police, "area", seeded.areas[0])
    figures = {(r[0], r[2]): r for r in sheet_rows(book, "Figures")}
    assert figures[(seeded.names[2], "reports.missed")][4] == 2
    [evidence] = [
        r
        for r in sheet_rows(book, "Evidence")
        if r[0] == "reports.missed" and r[1] == seeded.names[2] and r[2] == 2027
    ]
    assert "anonymous" not in str(evidence[4]), evidence
    assert any(day in str(evidence[4]) for day in ("2027-03-28", "28/03/2027", "28/3/2027")), evidence


async def test_checked_the_year_ends_at_midnight_vietnam_time_and_one_tip_stays_anonymous(
    manual_clock, town
) -> None:
    """Checked: a tip received at 23:30 on 31/12/2027 Vietnam time (16:30 UTC) counts in 2027 and one at 00:30 on
    1/1/2028 does not; and a ward whose 2027 held a single tip never shows that it was one: "fewer than 5" in the
    Excel and PDF files, a blank number cell, and no record named in the evidence. The Vietnamese file keeps its
    accents (sheet names and cells)."""
    manual_clock.set(local("2028-01-10T09:00:00"))
    await make_places(town)
    admin = await town.join("Chị Hạnh", role="ward_admin", ward_code=WARD)
    async with town.app.db.session() as session:
        for moment in ("2027-12-31T23:30:00", "2028-01-01T00:30:00", "2028-01-02T10:00:00"):
            session.add(tip_at(moment))
        await session.commit()
    book = await file_of(admin, "ward", WARD)
    assert "Số liệu" in book.sheetnames and "Minh chứng" in book.sheetnames, book.sheetnames
    [row] = [r for r in sheet_rows(book, "Số liệu") if r[2] == "tips.received" and r[0] == "Phường Ba Đình"]
    assert row[1] == "Tin báo đã nhận" and row[3] == "dưới 5" and row[4] is None, row
    [evidence] = [
        r
        for r in sheet_rows(book, "Minh chứng")
        if r[0] == "tips.received" and r[2] == 2027 and r[1] == "Phường Ba Đình"
    ]
    assert "không nêu bản ghi" in evidence[4], evidence
    await admin.say("/tongket")
    replies = await admin.press(ReviewFile("ward", WARD, "pdf").pack())
    pdf = PdfReader(io.BytesIO(await download(admin, replies[-1])))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Tin báo đã nhận" in text and "dưới 5" in text


async def test_a_fix_reopened_in_january_stays_a_fix_of_last_year(manual_clock: Any, ward: Any) -> None:
    """The same pattern in the problems' figures: Lan's street light, fixed on 22 December 2027, is reported still
    out on 3 January 2028; reopening clears the report's closing, and the 2027 review made in January lost the
    fix. It counts among 2027's fixes (reopened in 2028, it is 2028's reopening), as a fix reopened within the
    year does not."""
    manual_clock.set(local("2027-12-22T09:00:00"))
    admin, lan, number = await closed_light(ward)
    manual_clock.set(local("2028-01-03T09:00:00"))
    await lan.say(f"/phananh {number}")
    await lan.press(f"prm:reopen:{number}")
    await pushed(ward, admin)
    async with ward.app.db.session() as session:
        last_year = (await tallies(session, DEMO_WARD, *bounds(2027)))[WHOLE_WARD]
        this_year = (await tallies(session, DEMO_WARD, *bounds(2028)))[WHOLE_WARD]
    assert last_year.fixed == [number] and len(last_year.days) == 1 and last_year.reopened == [], last_year
    assert this_year.fixed == [] and this_year.reopened == [number], this_year

    # Reopened within the year it was fixed in, a fix is undone for that year.
    manual_clock.set(local("2028-01-05T09:00:00"))
    await admin.press(f"pri:open:{number}")
    await admin.press(f"pri:act:{number}:close")
    await admin.say("Đã thay bộ đèn mới ngày 5/1.")
    manual_clock.set(local("2028-01-08T09:00:00"))
    await pushed(ward, lan)
    await lan.say(f"/phananh {number}")
    await lan.press(f"prm:reopen:{number}")
    async with ward.app.db.session() as session:
        this_year = (await tallies(session, DEMO_WARD, *bounds(2028)))[WHOLE_WARD]
        last_year = (await tallies(session, DEMO_WARD, *bounds(2027)))[WHOLE_WARD]
    assert this_year.fixed == [] and this_year.reopened == [number, number], this_year
    assert last_year.fixed == [number], last_year


async def test_the_evidence_of_a_count_shown_as_fewer_than_5_names_no_record(
    manual_clock: Any, town: Any
) -> None:
    """Seen by the walker: the file showed "Mediation cases received: fewer than 5" while the Evidence sheet listed
    the ids of those cases (and of the problems behind a median time to fix), which tells the exact count. The
    evidence of a hidden count is hidden with it; a count shown (5 or more), or a share that shows its count,
    keeps its records."""
    manual_clock.set(local("2027-12-05T09:00:00"))
    seeded = await make_places(town)
    police = await town.join("Minh", role="police", ward_code=WARD, locale="en")
    async with town.app.db.session() as session:
        this_year = [
            case(seeded, 0, CaseStatus.AGREED, "2027-03-02T09:00:00", "2027-04-02T09:00:00") for _ in range(2)
        ]
        last_year = [
            case(seeded, 1, CaseStatus.AGREED, "2026-03-02T09:00:00", "2026-04-02T09:00:00") for _ in range(6)
        ]
        problems = [
            Problem(
                ward_code=WARD,
                area_id=seeded.areas[0],
                category="street_light",
                text="Đèn đường hỏng",
                status=ProblemStatus.FIXED,
                created_at=local("2027-05-01T09:00:00"),
                closed_at=local("2027-05-03T09:00:00"),
            )
            for _ in range(2)
        ]
        session.add_all([*this_year, *last_year, *problems])
        await session.commit()
        hidden = {str(c.id) for c in this_year} | {str(p.id) for p in problems}
        shown = ", ".join(str(c.id) for c in last_year)
    book = await file_of(police, "ward", WARD)
    figures = {(r[0], r[2]): r for r in sheet_rows(book, "Figures")}
    assert figures[("Phường Ba Đình", "mediation.cases")][3:5] == ("fewer than 5", None)
    evidence = {(r[0], r[1], r[2]): str(r[4]) for r in sheet_rows(book, "Evidence")}
    for name in ("mediation.cases", "problems.fixed", "problems.median_days_to_fix"):
        for place in ("Phường Ba Đình", AREAS[0]):
            said = evidence[(name, place, 2027)]
            assert "fewer than 5" in said and not hidden & set(said.replace(",", " ").split()), (
                name,
                place,
                said,
            )
    assert evidence[("mediation.cases", "Phường Ba Đình", 2026)] == shown
    assert evidence[("mediation.settled_share", "Phường Ba Đình", 2027)] == ", ".join(
        str(c.id) for c in this_year
    )
    assert evidence[("mediation.cases", AREAS[1], 2027)] == "(none)"


async def test_a_group_retired_after_new_year_keeps_its_pledge_figure_of_the_year(manual_clock, town) -> None:
    """Defect (beside the one above): Tổ 3's households signed the 2027 pledge and the group was retired on
    3 January 2028; the 2027 figures read then had no pledge figure for it ("no data", which fails the criterion),
    and its area's share lost its households."""
    from bot.extensions.year_figures import Place
    from handlers.pledges.year import signed_share
    from models import Area, Household
    from models.pledges import PledgeCampaign, PledgeSignature, PledgeVersion

    manual_clock.set(local("2027-02-01T09:00:00"))
    async with town.app.db.session() as session:
        area = Area(ward_code=DEMO_WARD, name="Khóm 9", name_folded="khom 9")
        session.add(area)
        await session.flush()
        group = Group(area_id=area.id, ward_code=DEMO_WARD, name="Tổ 3", name_folded="to 3")
        session.add(group)
        await session.flush()
        household = Household(group_id=group.id, address="12 Lê Lợi", head_name="Phạm Văn Năm")
        campaign = PledgeCampaign(
            ward_code=DEMO_WARD,
            year=2027,
            title="2027",
            starts_on=local("2027-01-01T00:00:00").date(),
            ends_on=local("2027-12-31T00:00:00").date(),
            area_ids=[area.id],
        )
        session.add_all([household, campaign])
        await session.flush()
        version = PledgeVersion(campaign_id=int(campaign.id or 0), number=1, text="Cam kết")
        session.add(version)
        await session.flush()
        session.add(
            PledgeSignature(
                campaign_id=int(campaign.id or 0),
                version_id=int(version.id or 0),
                household_id=household.id,
                group_id=int(group.id or 0),
                address=household.address,
                signer_name=household.head_name,
                code="T0301XYZ",
                signed_at=local("2027-02-10T09:00:00"),
                active_key=f"{campaign.id}:{household.id}",
            )
        )
        await session.commit()
    manual_clock.set(local("2028-01-03T09:00:00"))
    await retire(town, int(group.id or 0))
    manual_clock.set(local("2028-01-10T09:00:00"))
    start, end = bounds(2027)
    async with town.app.db.session() as session:
        figures = await signed_share(session, DEMO_WARD, start, end)
    assert (
        figures[Place("group", group.id)].numerator == 1
        and figures[Place("group", group.id)].denominator == 1
    )
    assert figures[Place("area", area.id)].value == 1.0
