"""Several processes, one Telegram bot in polling mode: exactly one polls (chosen through the database), another
takes over within seconds when it dies, and every update is handled once, its replies in order."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.app import App
from bot.app.wiring import build
from tests.fakes import FakeTelegram

LEASE = 1.0  # seconds; production: 10


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


def polling(app: App) -> bool:
    updater = app.channels["telegram"].ptb.updater  # type: ignore[attr-defined]
    return bool(updater is not None and updater.running)


async def until(condition: Any, seconds: float) -> float:
    """Wait until `condition()` holds; how long it took."""
    started = time.monotonic()
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - a condition of several apps, polled
            await asyncio.sleep(0.05)
    return time.monotonic() - started


async def processes(db_url: str, settings_for: Any, fake: FakeTelegram, lease: float = LEASE) -> list[App]:
    """Two apps ("processes") on one database, both configured for the same bot in polling mode."""
    apps = []
    for n in range(2):
        settings = settings_for(
            db_url,
            telegram_token=fake.token,
            telegram_api_url=fake.base_url,
            poll_lease_seconds=lease,
            web_enabled=False,
            port=8080 + n,
        )
        app = build(settings)
        await app.start()
        apps.append(app)
    return apps


async def test_one_process_polls_and_another_takes_over_within_seconds_when_it_dies(
    db_url: str, settings_for: Any, fake: FakeTelegram
) -> None:
    first, second = await processes(db_url, settings_for, fake)
    try:
        assert polling(first) and not polling(second)  # the first to start leads; the other waits its turn
        for user in range(5):
            fake.user_text(7000 + user, "/trogiup")
        await until(lambda: all(fake.messages_to(7000 + u) for u in range(5)), 10)
        await asyncio.sleep(LEASE)  # several renewals: still one poller, and no poll was cut off by another
        assert polling(first) and not polling(second)
        conflicts = [r for r in fake.requests if r.method == "getUpdates" and r.status == 409]
        assert conflicts == []

        # The leader dies: no clean stop, so its lease stays until it lapses.
        channel = first.channels["telegram"]
        channel.leader.lease.give_up = _nothing  # type: ignore[attr-defined,method-assign]
        await first.stop()
        taken = await until(lambda: polling(second), LEASE * 3)
        assert taken <= LEASE + LEASE / 3 + 1.0  # lapsed, then taken at the next beat (slack for a busy host)

        for user in range(5):
            fake.user_text(7000 + user, "/trogiup")
        await until(lambda: all(len(fake.messages_to(7000 + u)) >= 2 for u in range(5)), 10)
        await asyncio.sleep(0.3)
        sent = Counter(str(p.get("chat_id")) for p in fake.sent())
        assert all(sent[str(7000 + u)] == 2 for u in range(5))  # each update answered once
    finally:
        await second.stop()
        if first.channels["telegram"]._live:  # type: ignore[attr-defined]  # noqa: SLF001
            await first.stop()


async def test_a_clean_stop_hands_polling_over_at_once_and_both_processes_send(
    db_url: str, settings_for: Any, fake: FakeTelegram
) -> None:
    lease = 6.0  # long enough that only the lease given up explains a quick takeover
    first, second = await processes(db_url, settings_for, fake, lease)
    try:
        # The one that does not poll still delivers (replies of other channels, the outbox).
        from bot.core.replies import Reply

        assert not polling(second)
        await second.channels["telegram"].deliver("7100", Reply("từ tiến trình thứ hai"))
        assert fake.texts_to(7100) == ["từ tiến trình thứ hai"]
        await first.stop()
        assert await until(lambda: polling(second), lease) < lease / 3 + 1.0  # at its next beat
        fake.user_text(7101, "/batdau")
        await until(lambda: fake.messages_to(7101), 10)
    finally:
        await second.stop()


async def _nothing() -> None:
    return None
