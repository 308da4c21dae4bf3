"""Legal clocks on the manual clock: the ward police's own (notice of receipt in working days around a public
holiday, transfer in hours) with reminders before each, the overdue list for ward leaders, the investigating
body's clock after a transfer and an extension recorded as information, the retention purge, the ward digest."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import col, func, select

from bot.extensions.digest_sections import Scope
from bot.i18n import local, use_locale
from handlers.tips.ticks import purge, remind_clocks
from models import ConversationState, OutboxMessage, TipAttachment, TipMessage, TipRoute
from tests.databases import DEMO_WARD
from tests.test_tips import photo_with_exif, poll, quick_tip, texts, tip_rows


def stored_files(root: Path) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()]


async def reminders(town, kind: str = ":due:") -> int:  # type: ignore[no-untyped-def]
    async with town.app.db.session() as session:
        return int(
            (
                await session.exec(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(col(OutboxMessage.dedupe_key).contains(kind))
                )
            ).one()
        )


async def officer_flow(town) -> str | None:  # type: ignore[no-untyped-def]
    """The form an officer has open (there is one person with a form in these journeys)."""
    async with town.app.db.session() as session:
        states = (await session.exec(select(ConversationState))).all()
    return next((s.flow for s in states if s.flow), None)


async def test_clocks_reminders_overdue_extension_closing_and_retention(town, manual_clock) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan")
    officer = await town.join("Officer", role="police")
    chief = await town.join("Chief", role="ward_admin")
    await lan.say("/togiac")
    await lan.press("cat:drugs")
    await lan.send_file(photo_with_exif(), "a.jpg", "image/jpeg", caption="Người lạ giao hàng lúc nửa đêm")
    await lan.press("what:done")
    await lan.press("where:unknown")
    await lan.press("when:today")
    await lan.press(f"tward:{DEMO_WARD}")
    await lan.press("ident:anon")
    await lan.press("mayreply:yes")
    code = (
        __import__("re").search(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", texts(await lan.press("tsend:yes"))).group(0)
    )
    [tip] = await tip_rows(town)
    # Monday 23/11 09:00; Tuesday 24/11 is a public holiday (Vietnam Cultural Day): three working days end on
    # Friday. The transfer is counted in hours (24), holiday or not.
    assert local(tip.receipt_due_at).date().isoformat() == "2026-11-27"
    assert tip.transfer_due_at is not None
    assert local(tip.transfer_due_at).isoformat() == "2026-11-24T09:00:00+07:00"

    await remind_clocks(town.app)
    assert await reminders(town) == 0  # too early

    manual_clock.set(datetime.fromisoformat("2026-11-24T04:00:00+07:00"))  # five hours before the transfer
    await remind_clocks(town.app)
    await remind_clocks(town.app)  # a retried tick queues nothing twice
    assert await reminders(town, ":due:transfer") == 1
    await town.drain()  # not held back by the night's quiet hours: the clock counts hours
    reminded = texts(await poll(officer))
    assert f"Nhắc việc: tin báo số {tip.id}" in reminded and "09:00 ngày 24/11/2026" in reminded
    assert "điều 145" in reminded

    manual_clock.set(
        datetime.fromisoformat("2026-11-26T09:00:00+07:00")
    )  # the last working day before the notice
    await remind_clocks(town.app)
    await remind_clocks(town.app)
    assert await reminders(town, ":due:receipt") == 1 and await reminders(town) == 2
    await town.drain()
    assert "Nhắc việc: hạn thông báo tiếp nhận tin báo số" in texts(await poll(officer))
    overdue = texts(await poll(chief))  # the transfer is late: the ward's leaders are told once that day
    assert overdue.count(f"Tin báo quá hạn tại Phường Cao Lãnh (1): số {tip.id}") == 1

    manual_clock.set(datetime.fromisoformat("2026-11-28T10:00:00+07:00"))  # Saturday: the notice is late too
    await town.restart()
    await remind_clocks(town.app)
    await remind_clocks(town.app)
    await town.drain()
    assert texts(await poll(chief)).count("Phường Cao Lãnh (1)") == 1
    replies = await officer.say("/tinbao quahan")
    assert any(label.startswith(f"{tip.id} ·") and "⚠" in label for label in officer.choices())
    replies = await officer.press(f"tipp:open:{tip.id}")
    assert "QUÁ HẠN" in texts(replies) and "điều 147" not in texts(replies)  # not the ward police's clock
    assert f"tipp:extend:{tip.id}" not in str(replies)

    await officer.press(f"tipp:ack:{tip.id}")
    # A button from before: the ward police once extended the art. 147 deadline themselves. It says why not now.
    replies = await officer._post(json={"choice": f"tipp:extend:{tip.id}"})
    assert "147" in texts(replies)
    replies = await officer._post(json={"choice": "tmonths:2"})
    assert "tmonths" not in texts(replies)
    [tip] = await tip_rows(town)
    assert tip.extended_at is None and local(tip.decision_due_at).date().isoformat() == "2026-12-13"

    await officer.press(f"tipp:status:{tip.id}")
    await officer.press(f"tipp:st:{tip.id}:transferred")
    await officer.say("Đã chuyển Đội Cảnh sát điều tra tội phạm về ma túy")
    [tip] = await tip_rows(town)
    # Transferred on Saturday 28/11: the investigating body's 20 days run from then, shown as information.
    assert local(tip.decision_due_at).date().isoformat() == "2026-12-18"
    replies = await officer.press(f"tipp:open:{tip.id}")
    assert "điều 147" in texts(replies) and "18/12/2026" in texts(replies)

    # They were told of an extension: recorded as information, with who said so.
    await officer.press(f"tipp:extend:{tip.id}")
    replies = await officer.say("mai")
    assert "15/01/2027" in texts(replies)  # how to type it
    replies = await officer.say("10/12/2026")
    assert "18/12/2026" in texts(replies)  # not later than what is recorded
    replies = await officer.say("30/06/2027")
    assert "28/03/2027" in texts(replies)  # past what the law allows: 2 + 2 months from the transfer
    await officer.say("18/2")
    await town.restart()  # the form is kept in the database
    replies = await officer.say("ok")
    assert await officer_flow(town) == "tip_extension_told"
    replies = await officer.say("Điều tra viên Nguyễn Văn Nam, quyết định gia hạn số 12/QĐ")
    assert "18/02/2027" in texts(replies)
    [tip] = await tip_rows(town)
    assert local(tip.decision_due_at).date().isoformat() == "2027-02-18" and tip.extended_at is not None
    assert tip.extension_reason == "Điều tra viên Nguyễn Văn Nam, quyết định gia hạn số 12/QĐ"
    replies = await officer.press(f"tipp:open:{tip.id}")
    assert "18/02/2027" in texts(replies) and "12/QĐ" in texts(replies)
    # Everything the officer read of these clocks was in Vietnamese.
    for english in ("investigating body", "Reminder", "deadline", "extension", "Overdue", "art. 14"):
        assert english not in officer.all_text(), english

    await town.drain()
    told = texts(await poll(lan))
    assert "đã chuyển cơ quan có thẩm quyền" in told
    async with town.app.db.session() as session:
        assert (await session.exec(select(TipRoute))).all() == []
        files = (await session.exec(select(TipAttachment))).all()
    media_files = [Path(town.settings.media_dir) / f.police_ref[6:8] / f.police_ref[6:] for f in files]
    assert all(p.exists() for p in media_files)

    manual_clock.advance(timedelta(days=200))
    await purge(town.app)
    assert (await tip_rows(town))[0].text is not None  # not yet: the retention period runs from closing

    manual_clock.advance(timedelta(days=200))
    await purge(town.app)
    await purge(town.app)
    [tip] = await tip_rows(town)
    assert tip.purged_at is not None and tip.text is None and tip.receipt_hash is None
    assert (tip.category, tip.ward_code, tip.status) == ("drugs", DEMO_WARD, "transferred")
    assert tip.received_at and tip.closed_at
    async with town.app.db.session() as session:
        assert (await session.exec(select(TipAttachment))).all() == []
        assert (await session.exec(select(TipMessage))).all() == []
        sealed = (
            await session.exec(select(OutboxMessage).where(col(OutboxMessage.sealed_route).is_not(None)))
        ).all()
    assert sealed == []
    assert not any(p.exists() for p in media_files)
    replies = await lan.say(f"/tracuu {code}")
    assert "Không có tin báo nào" in texts(replies)


async def test_digest_counts_the_whole_ward_and_hides_small_numbers(town, manual_clock) -> None:  # type: ignore[no-untyped-def]
    people = [await town.join(f"Người {i}") for i in range(3)]
    for person in people:
        await quick_tip(person)
    start, end = manual_clock.now() - timedelta(days=7), manual_clock.now() + timedelta(hours=1)
    fn = town.app.registry.digest_sections["tips"].fn
    async with town.app.db.session() as session:
        with use_locale("vi"):
            resident = await fn(session, Scope(DEMO_WARD, None, "resident"), start, end)
            police = await fn(session, Scope(DEMO_WARD, None, "police"), start, end)
    assert resident is not None and "dưới 5" in resident.lines[0] and "received" not in resident.figures
    assert police is not None and police.figures["open"] == 3 and police.figures["overdue"] == 0
    for person in people:
        await quick_tip(person)
    async with town.app.db.session() as session:
        with use_locale("en"):
            resident = await fn(session, Scope(DEMO_WARD, None, "resident"), start, end)
    assert resident is not None and resident.figures["received"] == 6 and "6" in resident.lines[0]


async def test_an_abandoned_form_leaves_nothing_behind(town, manual_clock) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan")
    await lan.say("/togiac")
    await lan.press("cat:drugs")
    await lan.send_file(photo_with_exif(), "a.jpg", "image/jpeg", caption="Giao hàng lúc nửa đêm")
    media = stored_files(town.settings.media_dir)
    assert len(media) == 2  # the original and the police copy, both encrypted
    async with town.app.db.session() as session:
        [state] = (await session.exec(select(ConversationState).where(ConversationState.flow == "tip"))).all()
    assert "nửa đêm".encode() not in b"".join(p.read_bytes() for p in media)
    assert "nửa đêm" in str(state.data)

    manual_clock.advance(timedelta(hours=2))  # the form expires unanswered
    await purge(town.app)
    async with town.app.db.session() as session:
        assert (
            await session.exec(select(ConversationState).where(ConversationState.flow == "tip"))
        ).all() == []
    assert not any(p.exists() for p in media)
    assert await tip_rows(town) == []


async def test_closing_without_a_notice_counts_as_the_notice_and_only_a_transfer_starts_art_147(town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan")
    officer = await town.join("Officer", role="police")
    await quick_tip(lan)
    [tip] = await tip_rows(town)
    await officer.say("/tinbao")
    await officer.press(f"tipp:open:{tip.id}")
    await officer.press(f"tipp:status:{tip.id}")
    await officer.press(f"tipp:st:{tip.id}:dismissed")
    await officer.say("Đã kiểm tra, không có dấu hiệu tội phạm")
    [closed] = await tip_rows(town)
    assert closed.acknowledged_at is not None and closed.status == "dismissed"
    assert closed.decision_due_at == tip.decision_due_at  # not transferred: no investigating body's clock
    replies = await officer.press(f"tipp:open:{tip.id}")
    assert f"tipp:extend:{tip.id}" not in str(replies) and "điều 147" not in texts(replies)
