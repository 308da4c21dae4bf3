"""The scheduler runs each tick once per slot across processes, catches up missed runs once, retries failures."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import func, select

from bot import clock
from bot.app.scheduler import Scheduler, run_due, run_tick, slot_of
from bot.app.wiring import build
from bot.core.router import Router
from handlers import all_routers
from models import TickRun


class Counter:
    def __init__(self, fail_first: int = 0, pause: float = 0.0) -> None:
        self.calls = 0
        self.fail_first = fail_first
        self.pause = pause

    async def __call__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.calls += 1
        await asyncio.sleep(self.pause)  # long enough for a second process to try the same slot
        if self.calls <= self.fail_first:
            raise RuntimeError("injected failure")


@pytest.fixture
def counted() -> Iterator[Counter]:
    yield Counter(pause=0.2)


def with_counted(settings, counter: Counter):  # type: ignore[no-untyped-def]
    """The app with every feature and one more router whose only tick is `counter`, run hourly."""
    extra = Router("test")
    extra.tick("test.counted", every=timedelta(hours=1))(counter)
    return build(settings, [*all_routers(), extra])


async def runs(app, name: str) -> list[TickRun]:  # type: ignore[no-untyped-def]
    async with app.db.session() as session:
        return list((await session.exec(select(TickRun).where(TickRun.name == name))).all())


async def test_a_tick_runs_once_with_two_app_instances_on_one_database(
    manual_clock, db_url, settings_for, counted
) -> None:  # type: ignore[no-untyped-def]
    first, second = with_counted(settings_for(db_url), counted), with_counted(settings_for(db_url), counted)
    try:
        ran = await asyncio.gather(run_due(first), run_due(second))
        assert counted.calls == 1
        assert sum("test.counted" in names for names in ran) == 1
        rows = await runs(first, "test.counted")
        assert len(rows) == 1 and rows[0].finished_at is not None
        # Every other declared tick also ran exactly once between the two processes.
        assert sorted(ran[0] + ran[1]) == sorted(first.registry.ticks)
    finally:
        await first.stop()
        await second.stop()


async def test_missed_runs_are_caught_up_once_after_a_restart(
    manual_clock, db_url, settings_for, counted
) -> None:  # type: ignore[no-untyped-def]
    app = with_counted(settings_for(db_url), counted)
    assert "test.counted" in await run_due(app)
    await app.stop()
    manual_clock.advance(timedelta(hours=5, minutes=10))  # five hourly runs missed while down
    app = with_counted(settings_for(db_url), counted)
    try:
        assert "test.counted" in await run_due(app)
        assert "test.counted" not in await run_due(app)  # the same slot again: nothing
        assert counted.calls == 2
        rows = await runs(app, "test.counted")
        assert [r.slot_start for r in rows] == sorted(r.slot_start for r in rows) and len(rows) == 2
        assert rows[-1].slot_start == slot_of(app.registry.ticks["test.counted"], clock.now())
    finally:
        await app.stop()


async def test_a_failed_run_is_retried_and_a_dead_claim_taken_over(
    manual_clock, db_url, settings_for, counted
) -> None:  # type: ignore[no-untyped-def]
    counted.fail_first = 1
    app = with_counted(settings_for(db_url), counted)
    try:
        tick = app.registry.ticks["test.counted"]
        assert await run_tick(app, tick) is False
        assert await runs(app, "test.counted") == []  # the failed run gave its slot back
        assert await run_tick(app, tick) is True
        assert counted.calls == 2

        # A process claimed the next slot and died before finishing: after the interval, another takes over.
        manual_clock.advance(timedelta(hours=1))
        slot = slot_of(tick, clock.now())
        async with app.db.session() as session:
            session.add(
                TickRun(name=tick.name, slot_start=slot, claimed_by="dead-process", started_at=clock.now())
            )
            await session.commit()
        assert await run_tick(app, tick) is False  # still fresh: the other process may be running it
        manual_clock.advance(timedelta(minutes=59))
        async with app.db.session() as session:
            row = (await session.exec(select(TickRun).where(TickRun.slot_start == slot))).one()
            row.started_at = clock.now() - timedelta(hours=2)
            session.add(row)
            await session.commit()
        assert await run_tick(app, tick) is True
        assert counted.calls == 3
    finally:
        await app.stop()


async def test_apscheduler_has_one_job_per_tick_kind_and_runs_them(db_url, settings_for, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import bot.app.scheduler

    monkeypatch.setattr(bot.app.scheduler, "FIRST_RUN_DELAY", timedelta(0))
    app = build(settings_for(db_url))
    runner = Scheduler(app)
    try:
        await runner.start()
        assert sorted(runner.jobs()) == sorted(
            app.registry.ticks
        )  # one job per kind, never per group or ward
        for _ in range(100):
            async with app.db.session() as session:
                done = (
                    await session.exec(
                        select(func.count()).select_from(TickRun).where(TickRun.finished_at.is_not(None))
                    )
                ).one()  # type: ignore[union-attr]
            if done == len(app.registry.ticks):
                break
            await asyncio.sleep(0.05)
        assert done == len(app.registry.ticks)
    finally:
        await runner.stop()
        await app.stop()


async def test_the_scheduler_stays_off_when_disabled(db_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    off, on = (
        build(settings_for(db_url, scheduler_enabled=False)),
        build(settings_for(db_url, scheduler_enabled=True)),
    )
    try:
        assert getattr(off, "scheduler", None) is None
        assert getattr(on, "scheduler", None) is not None
    finally:
        await off.stop()
        await on.stop()
