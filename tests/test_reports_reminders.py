"""Report reminders respect quiet hours, reach the group chat when the ward wants it, and follow a changed cadence."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from bot.app.scheduler import run_due
from bot.i18n import local
from models import LinkedChat, OutboxMessage
from tests.databases import DEMO_WARD
from tests.test_alerts_steps import group_id
from tests.test_reports import at, pushed, texts


async def reminders(town) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    async with town.app.db.session() as session:
        return list(
            (
                await session.exec(
                    select(OutboxMessage).where(OutboxMessage.kind == "reminder").order_by(OutboxMessage.id)
                )
            ).all()
        )  # type: ignore[arg-type]


async def test_a_late_evening_deadline_is_reminded_after_quiet_hours_and_in_the_group_chat(
    manual_clock, town
) -> None:  # type: ignore[no-untyped-def]
    admin = await town.join("Chị Hạnh", role="ward_admin")
    tam = await town.join("Anh Tâm", role="group_admin", group="Tổ 3")
    await tam.poll()
    to3 = await group_id(town, "Khóm 2", "Tổ 3")
    async with town.app.db.session() as session:
        session.add(LinkedChat(channel="web", chat_id="zalo-group-to3", ward_code=DEMO_WARD, group_id=to3))
        await session.commit()

    # Due Friday 22:00, reminders in the group chat too.
    await admin.say("/caidatbaocao")
    await admin.press("rs:time")
    await admin.say("22:00")
    await admin.press("rs:chat")
    replies = await admin.press("rs:done")
    assert "22:00" in texts(replies)

    # Thursday 22:00 is in quiet hours (21:00–07:00): the reminder waits until 07:00.
    await at(town, manual_clock, "2026-11-26T22:05:00")
    queued = await reminders(town)
    assert len(queued) == 2 and {r.linked_chat_id is not None for r in queued} == {True, False}
    assert all(local(r.not_before).strftime("%d %H:%M") == "27 07:00" for r in queued)
    assert await pushed(tam) == []
    await at(town, manual_clock, "2026-11-27T07:01:00")
    assert "/baocao" in texts(await pushed(tam))
    # The morning reminder (07:30) follows; the group chat gets its own copy of each.
    await at(town, manual_clock, "2026-11-27T07:31:00")
    assert "/baocao" in texts(await pushed(tam))
    assert sum(r.linked_chat_id is not None for r in await reminders(town)) == 2


async def test_a_changed_cadence_applies_without_restart(manual_clock, town) -> None:  # type: ignore[no-untyped-def]
    admin = await town.join("Chị Hạnh", role="ward_admin")
    tam = await town.join("Anh Tâm", role="group_admin", group="Tổ 3")
    await tam.poll()
    await admin.say("/caidatbaocao")
    await admin.press("rs:done")
    await admin.say("/caidatbaocao")
    await admin.press("rs:cadence")
    await admin.press("rc:monthly")
    await admin.say("1")  # due on the 1st of each month, 17:00
    await admin.press("rs:done")

    await at(town, manual_clock, "2026-11-26T17:05:00")  # the weekly day-before moment: nothing now
    assert await reminders(town) == []
    manual_clock.set(datetime.fromisoformat("2026-11-30T17:05:00+07:00"))
    await run_due(town.app)
    await town.drain()
    got = texts(await pushed(tam))
    assert "/baocao" in got and "1/12" in got
