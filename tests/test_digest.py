"""The Monday digest over a simulated week: each role gets its version, opt-outs get none, every digest once."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime

from openpyxl import load_workbook
from sqlmodel import func, select

import bot.digest.tick
from bot.app.scheduler import run_due
from bot.app.wiring import build
from models import LinkedChat, OutboxMessage
from tests.databases import DEMO_WARD
from tests.test_alerts_steps import alerts_in, group_id, send
from tests.test_reports import at, pushed, texts


async def digests(town) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    async with town.app.db.session() as session:
        return list((await session.exec(select(OutboxMessage).where(OutboxMessage.kind == "digest"))).all())


async def download(person, media) -> bytes:  # type: ignore[no-untyped-def]
    async with person.http.get(person.url + media["url"]) as response:
        assert response.status == 200
        return await response.read()


async def test_the_monday_digest_reaches_each_role_with_the_right_figures(manual_clock, town) -> None:  # type: ignore[no-untyped-def]
    admin = await town.join("Chị Hạnh", role="ward_admin")
    police = await town.join("Thiếu úy Hùng", role="police")
    tam = await town.join("Anh Tâm", role="group_admin", group="Tổ 3")
    bao = await town.join("Anh Bảo", role="group_admin", group="Tổ 4")
    lan = await town.join("Lan", group="Tổ 3")
    minh = await town.join("Minh", group="Tổ 3")
    everyone = (admin, police, tam, bao, lan, minh)
    for person in everyone:
        await person.poll()
    to3 = await group_id(town, "Khóm 2", "Tổ 3")
    async with town.app.db.session() as session:
        session.add(LinkedChat(channel="web", chat_id="zalo-group-to3", ward_code=DEMO_WARD, group_id=to3))
        await session.commit()

    await admin.say("/caidatbaocao")
    await admin.press("rs:done")
    replies = await minh.say("/bantin")
    assert "bật" in texts(replies)
    replies = await minh.press("Tắt bản tin")
    assert "Đã tắt" in texts(replies)

    # During the week: a police alert that Lan confirms, and Tâm's report (nothing to report).
    await send(
        police,
        title="Giả danh công an gọi điện đòi tiền",
        body="Kẻ gian xưng là công an phường, đòi chuyển tiền.",
        watch="0912 345 678",
    )
    await town.drain()
    alert = alerts_in(await pushed(lan))[0]
    await lan._post(
        json={"choice": next(c["payload"] for c in alert["choices"] if c["payload"].startswith("ack:"))}
    )
    for person in everyone:
        await pushed(person)
    await tam.say("/baocao")
    await tam.press("rp:none")
    await at(town, manual_clock, "2026-11-27T18:00:00")  # deadline passed: late lists go out
    for person in everyone:
        await pushed(person)

    # Monday 07:05: the digest.
    await at(town, manual_clock, "2026-11-30T07:05:00")
    resident = texts(await pushed(lan))
    assert "Bản tin tuần: Tổ 3, Khóm 2" in resident and "Giả danh công an" in resident
    assert "Báo cáo của tổ" not in resident and "/bantin tat" in resident
    assert await pushed(minh) == []  # turned off

    leader = texts(await pushed(tam))
    assert "Giả danh công an" in leader and "Báo cáo của tổ" in leader and "đã gửi" in leader
    assert "Hạn nộp báo cáo tới: 17:00 ngày 04/12/2026" in leader and "Từ 23/11/2026 đến 29/11/2026" in leader
    assert "chưa gửi" in texts(await pushed(bao))

    for officer in (police, admin):
        got = await pushed(officer)
        assert len(got) == 1
        text = got[0]["text"]
        assert "Bản tin tuần: Phường Cao Lãnh" in text and "1/40 tổ đã gửi báo cáo" in text
        kinds = sorted(m["kind"] for m in got[0]["media"])
        assert kinds == ["file", "image"]
    table = next(m for m in got[0]["media"] if m["kind"] == "file")
    chart = next(m for m in got[0]["media"] if m["kind"] == "image")
    assert (await download(admin, chart)).startswith(b"\x89PNG")
    rows = [
        [c.value for c in r]
        for r in load_workbook(io.BytesIO(await download(admin, table))).active.iter_rows()
    ]
    assert "Đã báo cáo" in rows[0] and len(rows) == 41
    column = rows[0].index("Đã báo cáo")
    by_group = {(r[0], r[1]): r[column] for r in rows[1:]}
    assert by_group[("Khóm 2", "Tổ 3")] == "✓" and by_group[("Khóm 2", "Tổ 4")] == "✗"

    queued = await digests(town)
    assert len(queued) == 6  # five people and the Tổ 3 group chat
    assert sum(r.linked_chat_id is not None for r in queued) == 1
    await at(town, manual_clock, "2026-11-30T07:20:00")
    assert len(await digests(town)) == 6


async def test_a_restart_during_the_monday_run_sends_every_digest_exactly_once(
    manual_clock, town, monkeypatch, settings_for, db_url
) -> None:  # type: ignore[no-untyped-def]
    people = [await town.join(f"Người {n}", group=f"Tổ {n}") for n in range(1, 8)]
    people.append(await town.join("Thiếu úy Hùng", role="police"))
    for person in people:
        await person.poll()

    writes = 0
    real_write = bot.digest.tick.write_chunk

    async def crash_on_second_chunk(session, rows):  # type: ignore[no-untyped-def]
        nonlocal writes
        writes += 1
        if writes == 2:
            raise ConnectionError("the process was killed here")
        await real_write(session, rows)

    monkeypatch.setattr(bot.digest.tick, "CHUNK", 3)
    monkeypatch.setattr(bot.digest.tick, "write_chunk", crash_on_second_chunk)
    manual_clock.set(datetime.fromisoformat("2026-11-30T07:00:00+07:00"))
    await run_due(town.app)
    assert len(await digests(town)) == 3  # one chunk made it before the crash

    await town.restart()
    second = build(settings_for(db_url))  # and a second process starts against the same database
    try:
        await asyncio.gather(run_due(town.app), run_due(second))
    finally:
        await second.stop()
    rows = await digests(town)
    assert len(rows) == 8 and len({r.dedupe_key for r in rows}) == 8
    await town.drain()
    for person in people:
        assert len(await pushed(person)) == 1, person.name


async def test_a_missed_monday_is_caught_up_once_but_not_days_later(manual_clock, town) -> None:  # type: ignore[no-untyped-def]
    lan = await town.join("Lan", group="Tổ 3", locale="en")
    await lan.poll()
    await at(town, manual_clock, "2026-11-30T06:55:00")
    assert await digests(town) == []
    await at(town, manual_clock, "2026-11-30T10:40:00")  # the bot was down at 07:00
    got = texts(await pushed(lan))
    assert (
        "Weekly digest: Tổ 3, Khóm 2" in got and "23/11/2026 to 29/11/2026" in got
    )  # in English, one date style
    await town.restart()
    await at(town, manual_clock, "2026-11-30T11:00:00")
    assert len(await digests(town)) == 1

    # Down over the next Monday until Wednesday: last week's digest would be stale, so none is sent.
    await at(town, manual_clock, "2026-12-09T09:00:00")
    async with town.app.db.session() as session:
        assert (
            await session.exec(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "digest")
            )
        ).one() == 1

    replies = await lan.say("/digest off")
    assert "off" in texts(replies)
    replies = await lan.say("/digest")
    assert "Turn it on" in lan.choices()
    await lan.press("Turn it on")
    await at(town, manual_clock, "2026-12-14T07:01:00")
    assert "Weekly digest" in texts(await pushed(lan))
