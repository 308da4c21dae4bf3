"""Several processes, one Zalo bot in polling mode: exactly one polls (the lease of bot.channels.poll_lease),
another takes over within seconds when it dies, and every message is answered once, in order, by one process."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import select

from bot.app import App
from bot.app.wiring import build
from bot.channels.zalo_bot.channel import ZaloBotChannel
from bot.core.replies import Reply
from models.leases import PollLease
from tests.fakes import FakeZaloBot

LEASE = 1.0  # seconds; production: 10


@pytest.fixture
async def fake() -> AsyncIterator[FakeZaloBot]:
    server = FakeZaloBot()
    await server.start()
    yield server
    await server.stop()


def channel(app: App) -> ZaloBotChannel:
    found = app.channels["zalo_bot"]
    assert isinstance(found, ZaloBotChannel)
    return found


def calls_of(app: App) -> list[str]:
    """Record the Zalo Bot API methods this app ("process") calls from now on."""
    api = channel(app).api
    called: list[str] = []
    original = api.call

    async def recording(method: str, *args: Any, **kwargs: Any) -> Any:
        called.append(method)
        return await original(method, *args, **kwargs)

    api.call = recording  # type: ignore[method-assign]
    return called


async def until(condition: Any, seconds: float) -> float:
    """Wait until `condition()` holds; how long it took."""
    started = time.monotonic()
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - a condition of several apps, polled
            await asyncio.sleep(0.05)
    return time.monotonic() - started


async def processes(db_url: str, settings_for: Any, fake: FakeZaloBot, lease: float = LEASE) -> list[App]:
    """Two apps ("processes") on one database, both configured for the same Zalo bot in polling mode."""
    apps = []
    for n in range(2):
        settings = settings_for(
            db_url,
            zalo_bot_token=fake.token,
            zalo_bot_api_url=fake.base_url,
            poll_lease_seconds=lease,
            web_enabled=False,
            port=8080 + n,
        )
        app = build(settings)
        await app.start()
        apps.append(app)
        if n == 0:  # the first takes the lease at its first beat, before the second process starts
            await until(lambda app=app: channel(app).polling(), 5)
    return apps


async def test_one_process_polls_and_another_takes_over_within_seconds_when_it_dies(
    db_url: str, settings_for: Any, fake: FakeZaloBot
) -> None:
    first, second = await processes(db_url, settings_for, fake)
    follower_calls = calls_of(second)
    try:
        users = [f"zl{9000 + n}" for n in range(5)]
        for user in users:
            fake.user_text(user, "/trogiup")
        await until(lambda: all(fake.messages_to(u) for u in users), 10)
        await asyncio.sleep(LEASE)  # several beats: still one poller
        assert channel(first).polling() and not channel(second).polling()
        assert "getUpdates" not in follower_calls  # Zalo would have split the updates between the two

        # The leader dies: no clean stop, so its lease stays until it lapses.
        answered = {u: len(fake.messages_to(u)) for u in users}
        channel(first).leader.lease.give_up = _nothing  # type: ignore[method-assign]
        await first.stop()
        taken = await until(lambda: channel(second).polling(), LEASE * 3)
        assert taken <= LEASE + LEASE / 3 + 1.0  # lapsed, then taken at the next beat (slack for a busy host)

        # Two messages each, one after the other: each answered once, the first's answer before the second's.
        for user in users:
            fake.user_text(user, "/trogiup")
            fake.user_text(user, "/huy")
        await until(lambda: all(len(fake.messages_to(u)) >= answered[u] + 2 for u in users), 10)
        await asyncio.sleep(0.3)
        for user in users:
            texts = fake.texts_to(user)[answered[user] :]
            assert len(texts) == 2, texts
            assert texts[1] is not None and ("huỷ" in texts[1].lower() or "hủy" in texts[1].lower())
        assert "getUpdates" in follower_calls
    finally:
        await second.stop()
        if channel(first).polling():
            await first.stop()


async def test_a_clean_stop_hands_polling_over_at_once_and_loses_no_message(
    db_url: str, settings_for: Any, fake: FakeZaloBot
) -> None:
    lease = 6.0  # long enough that only the lease given up explains a quick takeover
    first, second = await processes(db_url, settings_for, fake, lease)
    try:
        assert channel(first).polling() and not channel(second).polling()
        # The one that does not poll still delivers (replies of other channels, the outbox).
        await channel(second).deliver("zl9100", Reply("từ tiến trình thứ hai"))
        assert fake.texts_to("zl9100") == ["từ tiến trình thứ hai"]

        fake.user_text("zl9101", "/trogiup")
        await first.stop()
        fake.user_text("zl9102", "/trogiup")  # while nobody polls: kept by Zalo for the next poller
        assert await until(lambda: channel(second).polling(), lease) < lease / 3 + 1.0  # at its next beat
        await until(lambda: fake.messages_to("zl9101") and fake.messages_to("zl9102"), 10)
        await asyncio.sleep(0.3)
        sent = Counter(str(p.get("chat_id")) for p in fake.sent())
        assert sent["zl9101"] == sent["zl9102"] == 1
    finally:
        await second.stop()


async def test_webhook_mode_takes_no_lease(db_url: str, settings_for: Any, fake: FakeZaloBot) -> None:
    settings = settings_for(
        db_url,
        zalo_bot_token=fake.token,
        zalo_bot_api_url=fake.base_url,
        public_url="http://127.0.0.1:8080",
        web_enabled=False,
    )
    app = build(settings)
    await app.start()
    try:
        await until(lambda: fake.webhook is not None, 5)
        await asyncio.sleep(0.2)
        assert not channel(app).polling()
        async with app.db.session() as session:  # every process serves the webhook: nobody holds a lease
            assert (await session.exec(select(PollLease))).all() == []
    finally:
        await app.stop()


async def _nothing() -> None:
    return None
