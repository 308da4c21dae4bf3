"""The weekly digest counts the whole local days it names, and says zero when nothing happened.

Moved from walk P (two ward police officers over a busy week of tips and the Monday digest). The server runs in
UTC; the ward lives in Asia/Ho_Chi_Minh, and its digest goes out on Monday at 07:00.
"""

from __future__ import annotations

from datetime import datetime

from models import ReportConfig
from tests.databases import DEMO_WARD
from tests.test_reports import at, pushed, texts
from tests.test_tips import quick_tip

RECEIVED = "Công an nhận được trong kỳ: {n} tin báo."


async def tips_at(town, manual_clock, moments: list[str], first: int = 0) -> None:  # type: ignore[no-untyped-def]
    """One resident per tip (a resident's own tips are limited), each sent at a local moment."""
    for n, moment in enumerate(moments, start=first):
        person = await town.join(f"Dân {n}", group="Tổ 3")
        manual_clock.set(datetime.fromisoformat(moment + "+07:00"))
        await quick_tip(
            person, text=f"Có người lạ lảng vảng trước nhà số {n + 10} lúc nửa đêm, nghi trộm xe."
        )


async def test_tips_sent_in_the_small_hours_of_monday_are_counted_in_the_week_that_already_ended(
    manual_clock, town
) -> None:  # type: ignore[no-untyped-def]
    """Each digest counts the tips of the days its heading names: Monday 00:00 to Monday 00:00 local time, not
    from one 07:00 send to the next. A tip is in exactly one week, and a digest caught up late (the bot was down at
    07:00) still covers the week it names, not the hours since."""
    police = await town.join("Thiếu úy Hùng", role="police")
    await pushed(police)
    # Monday 23/11 before the 07:00 digest: these belong to the week 23/11–29/11.
    await tips_at(town, manual_clock, ["2026-11-23T00:30:00", "2026-11-23T06:30:00"])
    await at(town, manual_clock, "2026-11-23T07:05:00")
    digest = texts(await pushed(police))
    assert "Từ 16/11/2026 đến 22/11/2026" in digest, digest
    assert RECEIVED.format(n=0) in digest, digest

    # Monday 30/11 between 00:05 and 06:30: these belong to the week 30/11–06/12.
    at_times = ["00:05", "01:10", "02:20", "05:45", "06:30"]
    await tips_at(town, manual_clock, [f"2026-11-30T{hhmm}:00" for hhmm in at_times], first=2)
    await at(town, manual_clock, "2026-11-30T07:05:00")
    digest = texts(await pushed(police))
    assert "Từ 23/11/2026 đến 29/11/2026" in digest, digest
    assert RECEIVED.format(n=2) in digest, digest  # the two of Monday 23/11, none of Monday 30/11

    # Down on Monday 07/12 until 10:40: a tip of 08:00 that morning is next week's, not this digest's.
    await tips_at(town, manual_clock, ["2026-12-07T08:00:00"], first=7)
    await at(town, manual_clock, "2026-12-07T10:40:00")
    digest = texts(await pushed(police))
    assert "Từ 30/11/2026 đến 06/12/2026" in digest, digest
    assert RECEIVED.format(n=5) in digest, digest

    await at(town, manual_clock, "2026-12-14T07:05:00")
    digest = texts(await pushed(police))
    assert "Từ 07/12/2026 đến 13/12/2026" in digest, digest
    assert RECEIVED.format(n=1) in digest, digest


async def test_a_week_without_tips_reads_zero_not_fewer_than_five(manual_clock, town) -> None:  # type: ignore[no-untyped-def]
    """A quiet week reads zero for officers and residents alike: zero names nobody. "Fewer than 5" is kept for a
    resident's digest of a week with a few tips; officers, who can open every tip in /tinbao, read the count."""
    police = await town.join("Thiếu úy Hùng", role="police")
    lan = await town.join("Lan", group="Tổ 3")
    await pushed(police)
    await pushed(lan)
    await at(town, manual_clock, "2026-11-30T07:05:00")
    for person in (police, lan):
        digest = texts(await pushed(person))
        assert "Tin báo gửi công an" in digest, digest
        assert "dưới 5 tin báo" not in digest, digest
        assert RECEIVED.format(n=0) in digest, digest

    await tips_at(town, manual_clock, ["2026-12-01T09:00:00", "2026-12-02T21:15:00"])
    await at(town, manual_clock, "2026-12-07T07:05:00")
    officer, resident = texts(await pushed(police)), texts(await pushed(lan))
    assert RECEIVED.format(n=2) in officer, officer
    assert "Công an nhận được trong kỳ: dưới 5 tin báo." in resident, resident
    assert RECEIVED.format(n=2) not in resident, resident


async def test_a_report_due_before_the_digest_is_sent_is_not_announced_as_the_next_deadline(
    manual_clock, town
) -> None:  # type: ignore[no-untyped-def]
    """The week ends at Monday 00:00, but a ward may set reports due on Monday at 06:00: by the 07:00 digest that
    deadline has passed, so the leader reads that the report is not sent yet, not that it is "next due"."""
    admin = await town.join("Chị Hạnh", role="ward_admin")
    tam = await town.join("Anh Tâm", role="group_admin", group="Tổ 3")
    await admin.say("/caidatbaocao")
    await admin.press("rs:done")
    async with town.app.db.session() as session:
        config = await session.get(ReportConfig, DEMO_WARD)
        assert config is not None
        config.due_weekday, config.due_time = 0, "06:00"
        session.add(config)
        await session.commit()
    await pushed(tam)
    await at(town, manual_clock, "2026-11-30T07:05:00")
    digest = texts(await pushed(tam))
    assert "Từ 23/11/2026 đến 29/11/2026" in digest, digest
    assert "Hạn nộp báo cáo tới: 06:00 ngày 30/11/2026" not in digest, digest
    assert "Báo cáo của tổ cho kỳ kết thúc 06:00 ngày 30/11/2026: chưa gửi (/baocao)." in digest, digest
