"""Pacing arithmetic: sliding windows, Telegram's defaults, pauses (no database needed)."""

from __future__ import annotations

import asyncio
import time

from bot.delivery.limits import Limits, Pacer, Window, limits_for
from bot.settings import Settings


class Ticker:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_window_of_one_spaces_events_evenly() -> None:
    window = Window(1, 0.5)
    moments = []
    for _ in range(4):
        moment = window.next_free(10.0)
        window.reserve(moment)
        moments.append(moment)
    assert moments == [10.0, 10.5, 11.0, 11.5]


def test_a_burst_window_lets_a_short_burst_through_then_waits_for_the_oldest() -> None:
    window = Window(3, 3.0)
    moments = []
    for _ in range(5):
        moment = window.next_free(0.0)
        window.reserve(moment)
        moments.append(moment)
    assert moments == [0.0, 0.0, 0.0, 3.0, 3.0]


def test_telegram_defaults_and_paid_broadcast() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert limits_for("telegram", settings) == Limits(30.0, 1.0, 3, 20.0)
    assert limits_for("web", settings) == Limits()
    paid = Settings(_env_file=None, telegram_paid_broadcast=True)  # type: ignore[call-arg]
    assert limits_for("telegram", paid).per_second == 1000.0
    assert limits_for("zalo_oa", settings).per_second == 10.0
    shared = Settings(_env_file=None, telegram_paid_broadcast=True, delivery_senders=4)  # type: ignore[call-arg]
    assert limits_for("telegram", shared) == Limits(250.0, 0.25, 3, 5.0)  # four processes: a quarter each


def test_a_group_chat_gets_one_message_every_three_seconds_and_a_pause_holds_everyone() -> None:
    ticker = Ticker()
    pacer = Pacer(Limits(30.0, 1.0, 3, 20.0), margin=1.0, clock=ticker)
    assert pacer.wait_for("-100", True) == 0
    pacer._chat_window("-100", True).reserve(ticker.now)  # type: ignore[union-attr]
    assert abs(pacer.wait_for("-100", True) - 3.0) < 1e-9
    assert pacer.wait_for("42", False) == 0
    pacer.pause(7)
    assert pacer.paused and abs(pacer.wait_for("42", False) - 7.0) < 1e-9
    ticker.now += 7
    assert not pacer.paused


def test_the_429s_of_sends_already_in_flight_slow_the_pacer_once_per_pause() -> None:
    ticker = Ticker()
    pacer = Pacer(Limits(1000.0), margin=1.0, clock=ticker)
    for _ in range(40):  # forty sends were on their way when Telegram began refusing
        pacer.pause(1)
    assert abs(pacer.scale - 0.99) < 1e-9
    ticker.now += 1.5
    pacer.pause(1)  # a new pause: slower again
    assert abs(pacer.scale - 0.99**2) < 1e-9
    for _ in range(500):
        pacer._sent_one()
    assert pacer.scale == 1.0  # and back to full speed after clean sends


async def test_acquire_never_lets_more_than_the_limit_leave_in_any_second() -> None:
    pacer = Pacer(Limits(per_second=10.0), margin=1.0)
    left: list[float] = []

    async def send(n: int) -> None:
        assert await pacer.acquire(str(n), False)
        left.append(time.monotonic())

    started = time.monotonic()
    await asyncio.gather(*(send(n) for n in range(12)))
    assert 1.0 <= time.monotonic() - started < 2.0  # ten in the first second, spaced 50 ms, then two more
    assert all(b - a >= 0.045 for a, b in zip(left, left[1:], strict=False))
    assert all(sum(1 for t in left if start <= t < start + 0.999) <= 10 for start in left)


async def test_a_busy_chat_is_deferred_rather_than_waited_for() -> None:
    pacer = Pacer(Limits(per_second=50.0, chat_per_second=1.0, chat_burst=1), margin=1.0)
    assert await pacer.acquire("1", False)
    assert await pacer.acquire("1", False, max_wait=0.5) is False  # chat 1 is not free for another ~1 s
    assert await pacer.acquire("2", False, max_wait=0.5) is True


async def test_at_broadcast_rates_a_hundredth_of_a_seconds_share_leaves_at_once() -> None:
    # A timer wakes a millisecond late at best: a send every millisecond, each waiting for its own turn, fell a
    # sixth short of the paid rate. Ten at once at 1,000/s, then the next waits; at 30/s one at a time.
    async def at_once(per_second: float) -> int:
        pacer, left = Pacer(Limits(per_second), margin=1.0, clock=Ticker()), 0
        while True:  # the clock never moves: whatever needs a later turn waits for ever
            try:
                await asyncio.wait_for(pacer.acquire(str(left), False), 0.05)
            except TimeoutError:
                return left
            left += 1

    assert await at_once(1000.0) == 10
    assert await at_once(30.0) == 1
