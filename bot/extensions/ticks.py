"""Periodic jobs ("ticks") that routers declare (`router.tick(...)`); the scheduler runs each once per interval.

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
