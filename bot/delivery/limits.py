"""Per-channel pacing: sliding-window limiters for the whole bot, one private chat and one group chat.

A send reserves its chat's turn ahead, then takes the channel-wide turn through a FIFO gate when it really
leaves, so concurrent sends queue up in order instead of racing. A platform's 429 pauses every send of that
channel (`pause`). Rates are the configured limits times `delivery_rate_margin`: the platforms count on
their own clock, after network jitter, so aiming exactly at the limit would earn 429s.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from bot.settings import Settings

Clock = Callable[[], float]
MIN_SCALE = 0.85
CATCH_UP = 0.8  # after a stall, sends may leave at 1/0.8 of the rate until the second is full
# Sends may leave together up to this many seconds' share of the rate: a timer wakes a millisecond late at best,
# so at broadcast rates (a send every 2 ms per process) spacing each send on its own lost a sixth of the rate.
TOGETHER = 0.01


class Window:
    """At most `limit` events in any `period` seconds; `limit=1` spaces events evenly."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = max(1, limit)
        self.period = period
        self.hits: deque[float] = deque(maxlen=self.limit)  # only the last `limit` events matter

    def next_free(self, at: float) -> float:
        """The earliest moment ≥ `at` when one more event fits (never before an already reserved one)."""
        if not self.hits:
            return at
        moment = max(at, self.hits[-1])
        if len(self.hits) == self.limit:
            moment = max(moment, self.hits[0] + self.period)
        return moment

    def reserve(self, at: float) -> None:
        self.hits.append(at)


@dataclass(frozen=True)
class Limits:
    """A channel's limits; None means unlimited."""

    per_second: float | None = None
    chat_per_second: float | None = None
    chat_burst: int = 1
    group_per_minute: float | None = None


def limits_for(channel: str, settings: Settings) -> Limits:
    """This process's share of a channel's configured limits (web and unknown channels are not paced).

    The platforms count per bot, whichever of our processes sends: with N sender processes each keeps to
    1/N of every limit, so together they stay within it (and lose 1/N of the rate while one is down).
    """
    n = settings.delivery_senders
    if channel == "telegram":
        overall = (
            settings.telegram_paid_per_second
            if settings.telegram_paid_broadcast
            else settings.telegram_per_second
        )
        return Limits(
            overall / n,
            settings.telegram_chat_per_second / n,
            settings.telegram_chat_burst,
            settings.telegram_group_per_minute / n,
        )
    if channel == "zalo_oa":
        return Limits(settings.zalo_oa_per_second / n)
    if channel == "zalo_bot":
        return Limits(settings.zalo_bot_per_second / n)
    return Limits()


class Pacer:
    """Decides when the next send of one channel may leave."""

    def __init__(self, limits: Limits, margin: float = 1.0, clock: Clock = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self.paused_until = 0.0
        self._overall: list[Window] = []
        if limits.per_second:
            # At most `per_second` sends in any second (stretched by the margin), measured when each send
            # really leaves, so a stalled event loop cannot release a compressed burst; and never two sends
            # much closer than the even spacing (a hundredth of a second's share may leave at once), so catching
            # up after a stall stays smooth.
            rate = limits.per_second * margin
            count = max(1, round(limits.per_second))
            together = max(1, round(rate * TOGETHER))
            self._overall = [Window(count, count / rate), Window(together, together * CATCH_UP / rate)]
        self._periods = [w.period for w in self._overall]
        self.scale = 1.0
        self._clean = 0
        self._gate = asyncio.Lock()
        self._chat_period = (
            limits.chat_burst / (limits.chat_per_second * margin) if limits.chat_per_second else None
        )
        self._group_period = 60 / (limits.group_per_minute * margin) if limits.group_per_minute else None
        self._chats: dict[str, Window] = {}

    def pause(self, seconds: float) -> None:
        """The platform asked for a pause of every request of this bot: pause, and slow down a little.

        A 429 under our own pacing means the platform counts our sends closer together than we sent them
        (network jitter, a busy host): 1% slower per pause (down to 85%), recovering 0.5% per 100 clean sends.
        The sends already in flight when the platform starts refusing all come back with a 429 of the same
        pause: only the first of them slows us down.
        """
        now = self.clock()
        if now >= self.paused_until:
            self._set_scale(max(MIN_SCALE, self.scale * 0.99))
        self.paused_until = max(self.paused_until, now + seconds)
        self._clean = 0

    def _set_scale(self, scale: float) -> None:
        self.scale = scale
        for window, period in zip(self._overall, self._periods, strict=True):
            window.period = period / scale

    def _sent_one(self) -> None:
        self._clean += 1
        if self._clean >= 100 and self.scale < 1.0:
            self._set_scale(min(1.0, self.scale * 1.005))
            self._clean = 0

    @property
    def paused(self) -> bool:
        return self.clock() < self.paused_until

    def _chat_window(self, chat_id: str, is_group: bool) -> Window | None:
        period = self._group_period if is_group else self._chat_period
        if period is None:
            return None
        window = self._chats.get(chat_id)
        if window is None:
            if len(self._chats) > 50_000:
                self._forget_idle()
            window = self._chats[chat_id] = Window(1 if is_group else self.limits.chat_burst, period)
        return window

    def _forget_idle(self) -> None:
        horizon = self.clock() - max(self._chat_period or 0, self._group_period or 0)
        self._chats = {k: w for k, w in self._chats.items() if w.hits and w.hits[-1] > horizon}

    def wait_for(self, chat_id: str, is_group: bool) -> float:
        """Seconds until a send to this chat could leave, without reserving anything."""
        now = self.clock()
        moment = max(now, self.paused_until)
        window = self._chat_window(chat_id, is_group)
        if window is not None:
            moment = window.next_free(moment)
        return moment - now

    async def acquire(
        self,
        chat_id: str,
        is_group: bool,
        max_wait: float | None = None,
        give_up_at: float | None = None,
        cost: int = 1,
    ) -> bool:
        """Wait for this send's turn; False when it is further away than allowed (the caller puts the row back).

        `max_wait` bounds the wait for the chat's turn, `give_up_at` (this clock) the whole wait: a claimed row
        must leave well before its lease ends. `cost`: platform messages this send makes (a long text in parts,
        photos). The chat's turn is reserved ahead; the channel-wide turns are taken through a FIFO gate at
        the moment of sending, from the times sends really left.
        """
        now = self.clock()
        window = self._chat_window(chat_id, is_group)
        moment = max(now, self.paused_until)
        if window is not None:
            moment = window.next_free(moment)
        if (max_wait is not None and moment - now > max_wait) or (
            give_up_at is not None and moment > give_up_at
        ):
            return False
        if window is not None:
            window.reserve(moment)
        if moment > now:
            await asyncio.sleep(moment - now)
        async with self._gate:
            for _ in range(max(1, cost)):
                while True:
                    now = self.clock()
                    ready = max([now, self.paused_until, *(w.next_free(now) for w in self._overall)])
                    if ready <= now:
                        break
                    if give_up_at is not None and ready > give_up_at:
                        return False
                    await asyncio.sleep(ready - now)
                for overall in self._overall:
                    overall.reserve(now)
        self._sent_one()
        return True
