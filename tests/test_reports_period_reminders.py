"""A report reminder names its period and its button opens that period, whatever else the group owes; /baocao
opens the period the police still need first and the other one is a press away. The first two journeys are walk
G's (a group leader on the Zalo Bot who let one week pass)."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot import clock
from models import OutboxMessage, ReportSubmission
from tests.conftest import Town
from tests.drivers.zalo_bot import ZaloBotDriver
from tests.drivers.zalo_oa import ZaloOADriver
from tests.fakes import FakeZaloOA
from tests.test_alerts_steps import group_id
from tests.test_people_do import texts
from tests.test_reports import at, pushed
from tests.test_zalo_reach import Ward


async def open_town(db_url: str, settings_for: Any) -> tuple[Town, ZaloBotDriver]:
    """Ông Lê leads Tổ 3 on the Zalo Bot (numbered lines, no buttons); the ward reports weekly, due Friday 17:00."""
    le = ZaloBotDriver(user_id="zb-ong-le", display_name="Lê")
    town = Town(settings_for(db_url, delivery_enabled=False, **await le.serve()))
    await town.start()
    await le.start(town)
    code = await town.invite("group_admin")
    for typed in (f"/start {code}", "tiếng việt", "đồng ý"):
        await le.say(typed)
    admin = await town.join("Chị Thảo", role="ward_admin")
    await admin.say("/caidatbaocao")
    await admin.press("rs:done")
    return town, le


async def close_town(town: Town, le: ZaloBotDriver) -> None:
    await town.close()
    await le.stop()


def new_texts(driver: ZaloBotDriver, before: int) -> str:
    return "\n".join(str(m.get("text") or "") for m in driver.sent()[before:])


async def submitted_periods(town: Town) -> list[str]:
    async with town.app.db.session() as session:  # type: ignore[union-attr]
        rows = await session.exec(select(ReportSubmission).where(ReportSubmission.status == "submitted"))
        return sorted(r.period_key for r in rows.all())


async def test_the_reminder_of_this_week_opens_this_weeks_report_not_last_weeks(
    db_url: str, settings_for: Any, manual_clock: Any
) -> None:
    """He missed the report due Fri 27/11. Thursday's reminder names 04/12; typing "1" (its only choice) opens the
    report of 04/12, and the late one of 27/11 is offered beside it, not in its place."""
    town, le = await open_town(db_url, settings_for)
    try:
        await at(town, manual_clock, "2026-11-26T17:05:00")
        await at(town, manual_clock, "2026-11-27T17:30:00")  # he lets the first week pass
        await at(town, manual_clock, "2026-11-28T09:00:00")
        before = len(le.sent())
        await at(town, manual_clock, "2026-12-03T17:05:00")
        reminder = new_texts(le, before)
        assert "Nhắc nhở" in reminder and "04/12" in reminder, reminder
        opened = texts(await le.say("1"))
        assert "04/12" in opened and "27/11" not in opened.split("\n")[0], opened
        assert "Báo cáo trễ, kỳ kết thúc 27/11/2026" in opened, opened  # one press to the late one
    finally:
        await close_town(town, le)


async def test_no_second_reminder_after_he_sent_the_report_the_reminder_asked_for(
    db_url: str, settings_for: Any, manual_clock: Any
) -> None:
    """He answers Thursday's reminder for 04/12 with "nothing to report": it is filed under 04/12, so Friday
    morning brings no second reminder and at 17:00 the police do not list Tổ 3 as missing."""
    town, le = await open_town(db_url, settings_for)
    try:
        police = await town.join("Công an Hùng", role="police")
        await at(town, manual_clock, "2026-11-26T17:05:00")
        await at(town, manual_clock, "2026-11-27T17:30:00")
        await at(town, manual_clock, "2026-12-03T17:05:00")
        await le.say("1")
        sent = texts(await le.say("2"))  # "Kỳ này không có gì báo cáo"
        assert "Đã gửi" in sent, sent
        assert await submitted_periods(town) == ["2026-12-04"]
        before = len(le.sent())
        await at(town, manual_clock, "2026-12-04T07:35:00")
        assert "Nhắc nhở" not in new_texts(le, before)
        await pushed(police)
        await at(town, manual_clock, "2026-12-04T17:05:00")
        listing = texts(await pushed(police))
        assert "04/12/2026" in listing and "Tổ 3, Khóm 2" not in listing, listing
    finally:
        await close_town(town, le)


async def test_baocao_opens_the_coming_report_once_the_late_one_is_no_longer_chased(
    manual_clock: Any, town: Town
) -> None:
    """Right after a missed deadline /baocao opens the late report (the police were just told); a week later it
    opens this week's, names it, and the late one is one press away and back."""
    admin = await town.join("Chị Hạnh", role="ward_admin")
    await admin.say("/caidatbaocao")
    await admin.press("rs:done")
    tam = await town.join("Anh Tâm", role="group_admin", group="Tổ 3")
    await at(town, manual_clock, "2026-11-27T17:30:00")
    opened = texts(await tam.say("/baocao"))
    assert "27/11/2026" in opened and "gửi ngay" in opened, opened
    assert "Báo cáo kỳ này, hạn 04/12/2026" in tam.choices()
    await tam.say("/huy")

    await at(town, manual_clock, "2026-12-03T09:00:00")
    opened = texts(await tam.say("/baocao"))
    assert "04/12/2026" in opened and "gửi ngay" not in opened, opened
    switched = texts(await tam.press("Báo cáo trễ, kỳ kết thúc 27/11/2026"))
    assert "27/11/2026" in switched and "gửi ngay" in switched, switched
    assert "Báo cáo kỳ này, hạn 04/12/2026" in tam.choices()  # and back, in one press
    await tam.press("Kỳ này không có gì báo cáo")
    assert await submitted_periods(town) == ["2026-11-27"]
    opened = texts(await tam.say("/baocao"))
    assert "04/12/2026" in opened and not any("27/11" in c for c in tam.choices()), opened


async def test_an_old_reminder_button_still_opens_a_report_and_one_of_a_sent_period_says_so(
    manual_clock: Any, town: Town
) -> None:
    """A reminder sent before reminders named their period ("rrem:<group>") opens the report as /baocao would;
    a reminder of a period whose report was sent and closed says so and offers this period's report instead."""
    admin = await town.join("Chị Hạnh", role="ward_admin")
    await admin.say("/caidatbaocao")
    await admin.press("rs:done")
    tam = await town.join("Anh Tâm", role="group_admin", group="Tổ 3")
    to3 = await group_id(town, "Khóm 2", "Tổ 3")
    opened = texts(await tam._post(json={"choice": f"rrem:{to3}"}))  # an old message's button
    assert "27/11/2026" in opened and "6" in opened, opened
    await tam.press("Kỳ này không có gì báo cáo")

    await at(town, manual_clock, "2026-12-03T17:05:00")
    answer = texts(
        await tam._post(json={"choice": f"rrem:{to3}:2026-11-27"})
    )  # last week's reminder, pressed now
    assert "đã được gửi" in answer and "27/11/2026" in answer, answer
    opened = texts(await tam.press("Báo cáo kỳ này, hạn 04/12/2026"))
    assert "04/12/2026" in opened and "6" in opened, opened
    assert await submitted_periods(town) == ["2026-11-27"]


async def test_a_leader_quiet_on_the_zalo_oa_is_reminded_or_someone_is_told(
    db_url: str, settings_for: Any, manual_clock: Any
) -> None:
    """Anh Hòa leads Tổ 3 on the Zalo OA and has not written to it for 8 days. Zalo refuses the Thursday reminder
    (-230); then nothing: no Friday reminder, no "late" message, and neither the ward admin nor the police learn
    that Tổ 3's leader was never reminded. Now the police's list of missing groups names him as not reached by
    the reminders (handlers/reports/ticks.py never_reminded), so they can call him."""
    fake = FakeZaloOA(wall=clock.now)
    await fake.start()
    town = Town(settings_for(db_url, delivery_enabled=False, **ZaloOADriver(fake=fake).platform_settings()))
    await town.start()
    ward = Ward(fake, town)
    try:
        admin = await town.join("Chị Thảo", role="ward_admin")
        await admin.say("/caidatbaocao")
        await admin.press("rs:done")
        police = await town.join("Công an Hùng", role="police")
        await pushed(admin), await pushed(police)
        hoa = await ward.zalo("Hòa", "4410000000000000021", role="group_admin")
        await ward.silence(hoa)
        for moment in ("2026-11-26T17:05:00", "2026-11-27T07:35:00", "2026-11-27T17:05:00"):
            await at(town, manual_clock, moment)
        reminded = any("Nhắc nhở" in str(m.get("text")) for m in fake.messages_to(hoa.user_id))
        told = texts(await pushed(admin)) + texts(await pushed(police))
        assert not reminded  # the OA refused: his window closed
        assert "Tổ 3" in told and "Hòa" in told and "gọi" in told, told
    finally:
        await town.close()
        await fake.stop()


async def test_the_reminder_names_its_period_in_its_button(manual_clock: Any, town: Town) -> None:
    """The queued reminder carries the period (so it opens that period days later), not the group alone."""
    admin = await town.join("Chị Hạnh", role="ward_admin")
    await admin.say("/caidatbaocao")
    await admin.press("rs:done")
    await town.join("Anh Tâm", role="group_admin", group="Tổ 3")
    to3 = await group_id(town, "Khóm 2", "Tổ 3")
    await at(town, manual_clock, "2026-11-26T17:05:00")
    async with town.app.db.session() as session:  # type: ignore[union-attr]
        row = (await session.exec(select(OutboxMessage).where(OutboxMessage.kind == "reminder"))).first()
    assert row is not None and f"rrem:{to3}:2026-11-27" in str(row.payload), row
