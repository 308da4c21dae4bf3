"""Periodic jobs ("ticks") that features declare; the scheduler runs each kind once per interval.

A tick finds what is due *now* (from the database and `bot.clock`) and writes messages to the outbox. Ticks
must be idempotent: after downtime a tick runs once to catch up, and tests call them directly on a manual clock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import App

TickFn = Callable[["App"], Awaitable[None]]


@dataclass(frozen=True)
class Tick:
    name: str
    every: timedelta
    run: TickFn


TICKS: dict[str, Tick] = {}


def tick(name: str, every: timedelta) -> Callable[[TickFn], TickFn]:
    def register(fn: TickFn) -> TickFn:
        TICKS[name] = Tick(name, every, fn)
        return fn

    return register
