"""A Zalo OA follower who has not written for a week, to whom the police or the ward write: Zalo refuses the send
(-230, outside the OA's window), and the message is kept, not lost (bot.delivery.held). The officer sees it has not
arrived; the first message the person sends afterwards brings it. Found by a walk as an anonymous tipster and an
older resident on the Zalo OA: before, the row was skipped for good while the officer was told it would arrive.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from models.outbox import OutboxMessage, OutboxStatus
from tests.drivers import driver_town
from tests.drivers.zalo_oa import ZaloOADriver
from tests.test_people_do import joined, rows, texts
from tests.test_people_do_older import anonymous_tip, officer_writes
from tests.test_tips import poll

QUESTION = "Xe máy màu gì, biển số bao nhiêu?"


@pytest.fixture
async def oa(db_url: str, settings_for: Any) -> AsyncIterator[tuple[Any, ZaloOADriver]]:
    driver = ZaloOADriver()
    async with driver_town(driver, settings_for, db_url, delivery_enabled=False) as town:
        yield town, driver


def quiet(driver: ZaloOADriver, manual_clock: Any, days: int) -> None:
    """Nobody writes for `days` days: the bot's clock and Zalo's record of the last interaction move together."""
    manual_clock.advance(timedelta(days=days))
    driver.fake.interactions[driver.user_id] -= days * 86400


def sent_since(driver: ZaloOADriver, mark: int) -> str:
    return "\n".join(str(m.get("text") or "") for m in driver.sent()[mark:])


async def test_a_police_question_to_a_quiet_tipster_waits_for_their_next_message(
    oa: tuple[Any, ZaloOADriver], manual_clock: Any
) -> None:
    town, minh = oa
    officer = await town.join("Công an Hùng", role="police")
    await joined(town, minh)
    await anonymous_tip(minh)
    quiet(minh, manual_clock, 8)
    mark = len(minh.sent())
    tip = await officer_writes(town, officer, "ask", QUESTION)
    assert QUESTION not in sent_since(minh, mark)  # Zalo refused it: the window is closed
    [held] = [r for r in await rows(town, OutboxMessage) if r.kind == "tip_notice"]
    assert held.status == OutboxStatus.HELD, held

    await poll(officer)
    await officer.press(f"tipp:open:{tip.id}")
    assert "Chưa gửi được" in officer.last_text(), officer.last_text()

    quiet(minh, manual_clock, 3)
    mark = len(minh.sent())
    await minh.say("chao anh, co tin gi ve vu xe cua em chua")
    await town.drain()
    assert QUESTION in sent_since(minh, mark), sent_since(minh, mark)
    [sent] = [r for r in await rows(town, OutboxMessage) if r.kind == "tip_notice"]
    assert (
        sent.status == OutboxStatus.SENT and sent.chat_id is None
    )  # still sealed: nothing names the tipster
    await officer.press(f"tipp:open:{tip.id}")
    assert "Chưa gửi được" not in officer.last_text()


async def test_words_where_a_receipt_code_is_asked_are_read_as_words(
    oa: tuple[Any, ZaloOADriver], manual_clock: Any
) -> None:
    """Defect: under "Nhập mã tiếp nhận", "em quen ma roi" and "tổ nào chưa nộp báo cáo" were each checked as a
    code ("Không có tin báo nào khớp với mã này"), counted as wrong guesses, and the question stayed."""
    town, minh = oa
    await joined(town, minh)
    await minh.say("/tracuu")
    said = texts(await minh.say("em quen ma roi"))
    assert "không có tin báo nào khớp" not in said.lower() and "mã" in said, said
    await minh.say("/tracuu")
    said = texts(await minh.say("nhà bên hát karaoke tới 12 giờ đêm"))
    assert "không có tin báo nào khớp" not in said.lower(), said
    assert minh.choices()[0] == "Nhờ hòa giải", minh.choices()


async def test_an_alert_refused_outside_the_window_is_not_kept_for_later(
    oa: tuple[Any, ZaloOADriver], manual_clock: Any
) -> None:
    """Only messages to one person wait: a warning or a digest a week late would mislead, not help."""
    from tests.test_alerts_steps import group_id, send

    town, resident = oa
    await joined(town, resident)
    leader = await town.join("Tâm", role="group_admin", group="Tổ 3")
    quiet(resident, manual_clock, 8)
    to3 = await group_id(town, "Khóm 2", "Tổ 3")
    await send(
        leader,
        title="Cảnh giác trộm chó",
        body="Khóa cổng trước 22 giờ.",
        category="theft",
        severity="important",
        scope=(f"scope:g:{to3}",),
    )
    await town.drain()
    alerts = [r for r in await rows(town, OutboxMessage) if r.kind == "alert" and r.person_id is not None]
    assert alerts and all(r.status != OutboxStatus.HELD for r in alerts), alerts
    mark = len(resident.sent())
    await resident.say("chao")
    await town.drain()
    assert "trộm chó" not in sent_since(resident, mark)
