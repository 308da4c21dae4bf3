"""Runs every declared tick (bot.extensions.ticks) on time, exactly once per slot across all bot processes.

APScheduler (AsyncIOScheduler) holds one interval job per kind of tick — never one per group or ward: each tick
finds in the database what is due at `bot.clock.now()`, so changing a ward's cadence needs no restart.

Exactly once: time is cut into slots of the tick's interval (aligned on the epoch). A process runs a slot only
after winning an INSERT into `tick_run` (unique name + slot); the others see the conflict and skip. A claim
whose process died before finishing is taken over once it is older than the interval. Catch-up: a process that
was down runs the current slot as soon as it starts, which covers everything missed (ticks look at "now"),
so missed slots are caught up once, not replayed one by one.

Stopping: no new run starts; a running tick gets a few seconds to finish, then is cancelled and gives its slot
back, quietly (a shutdown is not a failure: only a tick that raises is logged at ERROR).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import and_, delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select

from bot import clock, metrics
from bot.db import execute, offloaded
from bot.extensions.ticks import Tick
from models import TickRun

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
EPOCH = datetime(2000, 1, 3, tzinfo=UTC)  # a Monday 00:00 UTC: weekly slots start on Mondays


# Let start-up finish (channels, webhooks) before the first pass; it also catches up what was missed while down.
FIRST_RUN_DELAY = timedelta(seconds=10)
# The first pass starts the ticks a tenth of that delay apart, not all at once: run together they kept the event
# loop from answering updates for hundreds of milliseconds.
FIRST_RUN_SPREAD = 10
# How long a stop waits for running ticks before cancelling them (well inside a container's stop timeout).
STOP_GRACE = 5.0


def manual_clock() -> bool:
    """Whether time is driven by hand (tests): wall-clock jobs would then race with the test's own run_due()."""
    return isinstance(clock._clock, clock.ManualClock)  # noqa: SLF001


def slot_of(tick: Tick, moment: datetime) -> datetime:
    """The start of the slot `moment` falls in."""
    every = tick.every.total_seconds()
    elapsed = (moment - EPOCH).total_seconds()
    return EPOCH + timedelta(seconds=(elapsed // every) * every)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


async def claim(app: App, tick: Tick, slot: datetime, me: str) -> bool:
    """Try to own this slot of the tick; True for exactly one process (or a taker-over of a dead claim)."""
    now = clock.now()
    values = dict(name=tick.name, slot_start=slot, claimed_by=me, started_at=now)
    make = sqlite_insert if app.db.is_sqlite else pg_insert
    statement = make(TickRun).values(**values).on_conflict_do_nothing(index_elements=["name", "slot_start"])
    async with app.db.session() as session:
        result = await execute(session, statement)
        won = bool(result.rowcount)
        if not won:
            # A claim left unfinished for longer than the interval: its process died; take it over atomically.
            stale = await execute(
                session,
                update(TickRun)
                .where(
                    and_(
                        col(TickRun.name) == tick.name,
                        col(TickRun.slot_start) == slot,
                        col(TickRun.finished_at).is_(None),
                        col(TickRun.started_at) < now - tick.every,
                    )
                )
                .values(claimed_by=me, started_at=now, error=None),
            )
            won = bool(stale.rowcount)
        await session.commit()
    return won


async def _finish(app: App, tick: Tick, slot: datetime, me: str, error: str | None) -> None:
    async with app.db.session() as session:
        where = and_(
            col(TickRun.name) == tick.name, col(TickRun.slot_start) == slot, col(TickRun.claimed_by) == me
        )
        if error is None:
            await execute(session, update(TickRun).where(where).values(finished_at=clock.now()))
        else:
            # A failed run gives its slot back, so the next pass (here or in another process) retries it; the
            # tick is idempotent, so what it already wrote is not written twice.
            await execute(session, delete(TickRun).where(where))
        await session.commit()


async def run_tick(app: App, tick: Tick, me: str | None = None) -> bool:
    """Run one tick for the current slot if no process has; True if this call ran it successfully."""
    me = me or getattr(app, "scheduler_id", None) or worker_id()
    slot = slot_of(tick, clock.now())
    if not await claim(app, tick, slot, me):
        return False
    await _log_catch_up(app, tick, slot)
    started = time.monotonic()
    try:
        await tick.run(app)
    except asyncio.CancelledError:
        # Stopped mid-run: give the slot back so the next start runs it at once, rather than a whole interval
        # later when the unfinished claim would be taken over. Shielded, so the stop cannot cut it short.
        log.info("tick interrupted by a stop; its slot is given back", extra={"tick": tick.name})
        await asyncio.shield(_finish(app, tick, slot, me, "cancelled"))
        raise
    except Exception as exc:
        log.exception("tick failed", extra={"tick": tick.name})
        metrics.of(app).tick_done(tick.name, time.monotonic() - started, failed=True)
        await _finish(app, tick, slot, me, type(exc).__name__)
        return False
    metrics.of(app).tick_done(tick.name, time.monotonic() - started, failed=False)
    await _finish(app, tick, slot, me, None)
    return True


async def _log_catch_up(app: App, tick: Tick, slot: datetime) -> None:
    async with app.db.session() as session:
        last = (
            await session.exec(
                select(TickRun.slot_start)
                .where(
                    TickRun.name == tick.name,
                    TickRun.slot_start < slot,
                    col(TickRun.finished_at).is_not(None),
                )
                .order_by(col(TickRun.slot_start).desc())
                .limit(1)
            )
        ).first()
    if last is not None:
        missed = int((slot - last) / tick.every) - 1
        if missed > 0:
            log.info("catching up missed tick runs once", extra={"tick": tick.name, "missed": missed})


async def run_due(app: App) -> list[str]:
    """Run every tick whose current slot no process has run yet; returns the names this call ran."""
    ran = []
    for tick in sorted(app.registry.ticks.values(), key=lambda t: t.name):
        if await run_tick(app, tick):
            ran.append(tick.name)
    return ran


class Scheduler:
    """The APScheduler runner of one process: one job per tick kind, plus a catch-up pass at start."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.me = worker_id()
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._running: set[asyncio.Task[object]] = set()  # ticks in progress, for a clean stop

    async def start(self) -> None:
        if manual_clock():
            log.info("scheduler not started: the clock is manual (tests call run_due)")
            return
        self.app.scheduler_id = self.me  # type: ignore[attr-defined]
        first = datetime.now(UTC) + FIRST_RUN_DELAY
        for n, tick in enumerate(sorted(self.app.registry.ticks.values(), key=lambda t: t.name)):
            self.scheduler.add_job(
                self._job,
                IntervalTrigger(seconds=tick.every.total_seconds(), timezone=UTC),
                args=[tick],
                id=tick.name,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=None,
                next_run_time=first
                + n * FIRST_RUN_DELAY / FIRST_RUN_SPREAD,  # the catch-up run, soon after start
            )
        self.scheduler.start()
        log.info("scheduler started", extra={"jobs": len(self.scheduler.get_jobs())})

    async def _job(self, tick: Tick) -> None:
        if manual_clock():
            return  # a test took over the clock after start: it drives ticks itself
        task = asyncio.current_task()
        assert task is not None
        self._running.add(task)
        try:
            # A tick may read a whole ward at once: on SQLite its statements run off the event loop's thread.
            with offloaded():
                await run_tick(self.app, tick, self.me)
        except asyncio.CancelledError:
            # Only a stop cancels a tick (run_tick gave its slot back). Returning keeps APScheduler from
            # reporting the cancellation as a failed job, at ERROR with a traceback.
            pass
        finally:
            self._running.discard(task)

    def jobs(self) -> list[str]:
        return [job.id for job in self.scheduler.get_jobs()]

    async def stop(self) -> None:
        """No new runs; running ticks get STOP_GRACE seconds, then are cancelled and awaited (the database is
        still open: the app disposes of it after its stoppers)."""
        if not self.scheduler.running:
            return
        self.scheduler.pause()
        await asyncio.sleep(0)  # a run submitted just before the pause takes its first step and is counted
        running = set(self._running)
        if running:
            _done, running = await asyncio.wait(running, timeout=STOP_GRACE)
        self.scheduler.shutdown(wait=False)  # cancels what is still running
        await asyncio.gather(*running, return_exceptions=True)


def install(app: App) -> None:
    """Wire the scheduler into the app's start and stop (bot.app.wiring)."""
    runner = Scheduler(app)

    async def start(_app: App) -> None:
        await runner.start()

    app.on_start(start)
    app.on_stop(runner.stop)
    app.scheduler = runner  # type: ignore[attr-defined]
