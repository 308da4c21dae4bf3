"""The outbox sender against a channel that fails on command: order, pauses, retries, leases, two senders."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from bot import clock
from bot.app import App
from bot.channels.base import Channel, Permanent, RetryAfter, Transient, Unreachable
from bot.core.replies import Reply
from bot.delivery import drain, sender_for, store
from bot.delivery.outbox import cancel, progress
from models import OutboxMessage, OutboxStatus, Priority


class Scripted(Channel):
    """Records every delivery; raises the errors queued for a chat, one per call."""

    def __init__(
        self, name: str = "telegram", calls: list[tuple[str, str, float]] | None = None, pause: float = 0.0
    ) -> None:
        self.name = name
        self.calls = [] if calls is None else calls
        self.errors: dict[str, list[Exception]] = {}
        self.pause = pause

    def fail(self, chat_id: str, *errors: Exception) -> None:
        self.errors.setdefault(chat_id, []).extend(errors)

    async def deliver(self, chat_id: str, reply: Reply) -> list[str]:
        self.calls.append((chat_id, reply.text, time.monotonic()))
        queued = self.errors.get(chat_id)
        if queued:
            raise queued.pop(0)
        if self.pause:
            await asyncio.sleep(self.pause)
        return [f"m{len(self.calls)}"]

    def texts(self) -> list[str]:
        return [text for _chat, text, _at in self.calls]


async def make_app(settings_for: Any, db_url: str, channel: Channel, **overrides: Any) -> App:
    app = App(settings_for(db_url, delivery_enabled=False, **overrides), routers=[])
    app.add_channel(channel)
    return app


async def close(app: App) -> None:
    await sender_for(app).stop()
    await app.db.dispose()


@pytest.fixture
async def rig(db_url: str, settings_for: Any) -> AsyncIterator[tuple[App, Scripted]]:
    channel = Scripted()
    app = await make_app(settings_for, db_url, channel)
    yield app, channel
    await close(app)


async def put(app: App, *rows: dict[str, Any]) -> list[int]:
    """Write outbox rows straight into the table, as features do inside their transactions."""
    made = []
    async with app.db.session() as session:
        for values in rows:
            row = OutboxMessage(
                kind=values.pop("kind", "test"),
                channel=values.pop("channel", "telegram"),
                payload=Reply(values.pop("text")).to_payload(),
                not_before=clock.now(),
                **values,
            )
            session.add(row)
            made.append(row)
        await session.commit()
    return [row.id for row in made if row.id is not None]


async def row(app: App, row_id: int) -> OutboxMessage:
    async with app.db.session() as session:
        found = await session.get(OutboxMessage, row_id)
        assert found is not None
        return found


async def test_urgent_rows_go_before_routine_ones_then_oldest_first(db_url: str, settings_for: Any) -> None:
    channel = Scripted()
    app = await make_app(settings_for, db_url, channel, delivery_window=2)
    try:
        await put(
            app,
            {"text": "digest 1", "chat_id": "101", "priority": Priority.ROUTINE},
            {"text": "digest 2", "chat_id": "102", "priority": Priority.ROUTINE},
            {"text": "police alert", "chat_id": "103", "priority": Priority.URGENT},
            {"text": "notice", "chat_id": "104", "priority": Priority.NOTICE},
            {"text": "second alert", "chat_id": "105", "priority": Priority.URGENT},
        )
        assert await drain(app) == 5
        assert channel.texts() == ["police alert", "second alert", "notice", "digest 1", "digest 2"]
        assert await drain(app) == 0  # nothing is sent twice
    finally:
        await close(app)


async def test_a_429_pauses_every_send_of_that_channel_for_retry_after(rig: tuple[App, Scripted]) -> None:
    app, channel = rig
    channel.fail("201", RetryAfter(1.0, "Too Many Requests: retry after 1"))
    ids = await put(app, *({"text": f"alert {n}", "chat_id": str(200 + n)} for n in range(1, 6)))
    await drain(app)
    first = channel.calls[0][2]
    later = [at for _chat, _text, at in channel.calls[1:]]
    assert later and min(later) - first >= 0.95, "a send left during the pause Telegram asked for"
    refused = await row(app, ids[0])
    assert refused.status in (OutboxStatus.PENDING, OutboxStatus.SENT)
    assert refused.attempts <= 1  # the refused call is not counted as a delivery attempt
    await asyncio.sleep(max(0.0, (refused.not_before - clock.now()).total_seconds()))
    await drain(app)
    async with app.db.session() as session:
        statuses = (
            await session.exec(select(OutboxMessage.status).where(col(OutboxMessage.id).in_(ids)))
        ).all()
    assert set(statuses) == {OutboxStatus.SENT}
    assert sorted(chat for chat, _t, _a in channel.calls).count("201") == 2  # refused once, then sent once


async def test_transient_errors_retry_with_growing_backoff_then_succeed(
    db_url: str, settings_for: Any, manual_clock: clock.ManualClock
) -> None:
    channel = Scripted()
    app = await make_app(settings_for, db_url, channel, delivery_backoff_seconds=10)
    try:
        channel.fail("301", Transient("502 Bad Gateway"), Transient("timeout"))
        (row_id,) = await put(app, {"text": "reminder", "chat_id": "301"})
        delays = []
        for _ in range(2):
            assert await drain(app) == 0
            waiting = await row(app, row_id)
            assert waiting.status == OutboxStatus.PENDING and waiting.error in ("502 Bad Gateway", "timeout")
            delays.append((waiting.not_before - clock.now()).total_seconds())
            assert await drain(app) == 0  # not due before its backoff ends
            manual_clock.set(waiting.not_before)
        assert 5 <= delays[0] <= 10 and 10 <= delays[1] <= 20  # base, then doubled, each with jitter
        assert await drain(app) == 1
        done = await row(app, row_id)
        assert (done.status, done.attempts, done.platform_message_id) == (OutboxStatus.SENT, 3, "m3")
        assert done.error is None and done.claimed_by is None
    finally:
        await close(app)


async def test_transient_errors_give_up_after_max_attempts(
    db_url: str, settings_for: Any, manual_clock: clock.ManualClock
) -> None:
    channel = Scripted()
    app = await make_app(settings_for, db_url, channel, delivery_max_attempts=2)
    try:
        channel.fail(
            "302", Transient("502 Bad Gateway"), Transient("502 Bad Gateway"), Transient("never asked")
        )
        (row_id,) = await put(app, {"text": "reminder", "chat_id": "302"})
        await drain(app)
        manual_clock.set((await row(app, row_id)).not_before)
        await drain(app)
        failed = await row(app, row_id)
        assert failed.status == OutboxStatus.FAILED
        assert failed.error == "gave up after 2 attempts: 502 Bad Gateway"
        manual_clock.advance(timedelta(days=1))
        assert await drain(app) == 0 and len(channel.calls) == 2
    finally:
        await close(app)


async def test_a_permanent_error_fails_the_row_with_its_reason_and_others_go_on(
    rig: tuple[App, Scripted],
) -> None:
    app, channel = rig
    channel.fail("401", Permanent("Bad Request: message is too long"))
    bad, good = await put(app, {"text": "x" * 50, "chat_id": "401"}, {"text": "fine", "chat_id": "402"})
    assert await drain(app) == 1
    failed = await row(app, bad)
    assert (failed.status, failed.error, failed.attempts) == (
        OutboxStatus.FAILED,
        "Bad Request: message is too long",
        1,
    )
    assert (await row(app, good)).status == OutboxStatus.SENT
    assert await drain(app) == 0 and len(channel.calls) == 2


async def test_a_crashed_senders_rows_resume_after_its_lease_without_duplicates(
    db_url: str, settings_for: Any, manual_clock: clock.ManualClock
) -> None:
    channel = Scripted()
    app = await make_app(settings_for, db_url, channel, delivery_lease_seconds=60)
    try:
        ids = await put(app, *({"text": f"alert {n}", "chat_id": str(500 + n)} for n in range(6)))
        async with app.db.session() as session:  # a process claims four rows and is killed before sending
            taken = await store.claim(
                session, "dead-worker", 4, timedelta(seconds=60), postgres="postgresql" in db_url
            )
        assert [job.id for job in taken] == ids[:4]
        assert await drain(app) == 2  # the two unclaimed rows; the dead process's rows wait for its lease
        manual_clock.advance(timedelta(seconds=61))
        assert await drain(app) == 4
        assert sorted(chat for chat, _t, _a in channel.calls) == [str(500 + n) for n in range(6)]
        async with app.db.session() as session:  # the dead worker cannot overwrite what the new one recorded
            late = await store.record(
                session, "dead-worker", [(ids[0], store.Outcome(OutboxStatus.FAILED, "late"))], clock.now()
            )
            await session.commit()
        assert late == set() and (await row(app, ids[0])).status == OutboxStatus.SENT
        assert await drain(app) == 0
    finally:
        await close(app)


async def test_two_senders_on_one_database_never_send_a_row_twice(db_url: str, settings_for: Any) -> None:
    calls: list[tuple[str, str, float]] = []
    first = await make_app(settings_for, db_url, Scripted("web", calls, pause=0.002), delivery_window=8)
    second = await make_app(settings_for, db_url, Scripted("web", calls, pause=0.002), delivery_window=8)
    try:
        ids = await put(
            first, *({"text": f"n{n}", "chat_id": f"chat-{n}", "channel": "web"} for n in range(200))
        )
        counts = await asyncio.gather(drain(first), drain(second))
        assert sum(counts) == 200
        chats = [chat for chat, _t, _a in calls]
        assert len(chats) == len(set(chats)) == 200
        async with first.db.session() as session:
            sent = (
                await session.exec(select(OutboxMessage.status).where(col(OutboxMessage.id).in_(ids)))
            ).all()
        assert set(sent) == {OutboxStatus.SENT}
        if "postgresql" in db_url:
            assert min(counts) > 0, "both senders should have taken part"
    finally:
        await close(first)
        await close(second)


async def test_cancel_stops_what_has_not_gone_out_and_progress_counts_it(rig: tuple[App, Scripted]) -> None:
    app, channel = rig
    early = await put(
        app,
        *(
            {"text": "alert", "chat_id": str(600 + n), "source_kind": "alert", "source_id": "7"}
            for n in range(3)
        ),
    )
    assert await drain(app) == 3
    await put(
        app,
        *(
            {
                "text": "alert",
                "chat_id": str(610 + n),
                "source_kind": "alert",
                "source_id": "7",
                "dedupe_key": f"alert:7:{n}",
            }
            for n in range(4)
        ),
        {"text": "other", "chat_id": "620", "source_kind": "alert", "source_id": "8"},
    )
    async with app.db.session() as session:
        assert await cancel(session, "alert", "7") == 4
        await session.commit()
    assert await drain(app) == 1  # only the other alert's row
    async with app.db.session() as session:
        assert await progress(session, "alert", "7") == {"sent": 3, "cancelled": 4}
    assert len(channel.calls) == 4 and len(early) == 3


async def test_rows_for_a_channel_this_process_lacks_wait_instead_of_being_lost(
    rig: tuple[App, Scripted],
) -> None:
    app, channel = rig
    (row_id,) = await put(app, {"text": "hello", "chat_id": "9", "channel": "zalo_oa"})
    assert await drain(app) == 0
    waiting = await row(app, row_id)
    assert waiting.status == OutboxStatus.PENDING and waiting.attempts == 0
    assert waiting.not_before > clock.now() and "not configured" in (waiting.error or "")
    assert channel.calls == []


async def test_a_group_chat_that_removed_the_bot_is_marked_and_skipped_next_time(
    rig: tuple[App, Scripted],
) -> None:
    from bot.delivery.outbox import enqueue_to_chat
    from models import LinkedChat
    from tests.databases import DEMO_WARD

    app, channel = rig
    async with app.db.session() as session:
        chat = LinkedChat(channel="telegram", chat_id="-100555", ward_code=DEMO_WARD)
        session.add(chat)
        await session.flush()
        enqueue_to_chat(session, chat, Reply("Cảnh báo cho tổ"), kind="alert", dedupe_key="g1")
        await session.commit()
        chat_id = chat.id
    channel.fail("-100555", Unreachable("Forbidden: bot was kicked from the group chat"))
    assert await drain(app) == 0
    async with app.db.session() as session:
        linked = await session.get(LinkedChat, chat_id)
        assert linked is not None and linked.unreachable_at is not None
        enqueue_to_chat(session, linked, Reply("Cảnh báo thứ hai"), kind="alert", dedupe_key="g2")
        await session.commit()
    assert await drain(app) == 0 and len(channel.calls) == 1
    async with app.db.session() as session:
        rows = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
    assert [(r.status, r.error) for r in rows] == [
        (OutboxStatus.SKIPPED, "Forbidden: bot was kicked from the group chat"),
        (OutboxStatus.SKIPPED, "linked chat unreachable"),
    ]


async def test_stopping_mid_broadcast_puts_unsent_rows_back_untouched(rig: tuple[App, Scripted]) -> None:
    app, channel = rig
    await put(app, *({"text": "alert", "chat_id": str(700 + n)} for n in range(60)))
    sender = sender_for(app)
    running = asyncio.create_task(sender.run())  # paced at ~29/s: most rows are still waiting after 0.5 s
    await asyncio.sleep(0.5)
    await sender.stop()
    await asyncio.wait_for(running, 5)
    async with app.db.session() as session:
        rows = (await session.exec(select(OutboxMessage))).all()
    sent = [r for r in rows if r.status == OutboxStatus.SENT]
    waiting = [r for r in rows if r.status == OutboxStatus.PENDING]
    assert 5 <= len(sent) < 40 and len(sent) + len(waiting) == 60
    assert len(channel.calls) == len(sent)
    assert all(r.attempts == 0 and r.claimed_by is None for r in waiting)
