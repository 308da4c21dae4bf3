"""Core upkeep, declared on the `upkeep` router like any feature's ticks: forget handled platform updates once
redelivery is impossible, abuse-limit counters once their window is over, and conversations left idle past their
expiry (an abandoned form, a text offered for a form); keep SQLite's statistics; send the
weekly digest; keep the Zalo OA token fresh."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.exc import OperationalError
from sqlmodel import col, delete

from bot import clock
from bot.channels.zalo_oa.tokens import keep_tokens_fresh
from bot.core.router import Router
from bot.db import execute
from bot.digest.tick import digest_tick
from bot.guard import ratelimit
from bot.settings import UPDATE_MEMORY
from models import ProcessedUpdate

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


async def forget_old_updates(app: App) -> None:
    async with app.db.session() as session:
        result = await execute(
            session, delete(ProcessedUpdate).where(col(ProcessedUpdate.seen_at) < clock.now() - UPDATE_MEMORY)
        )
        await session.commit()
    log.info("processed updates forgotten", extra={"count": result.rowcount})


async def forget_rate_counters(app: App) -> None:
    """A counter whose window is over limits nothing: keep none (bot.guard.ratelimit)."""
    async with app.db.session() as session:
        count = await ratelimit.purge(session)
        await session.commit()
    log.info("rate limit counters forgotten", extra={"count": count})


async def forget_idle_conversations(app: App) -> None:
    """An abandoned form keeps what was typed into it (a tip's words among them) only until it expires: the person
    is told it expired if they come back within the hour; after that nothing of it is left (its photos included)."""
    count = await app.dispatcher.forget_idle(clock.now() - timedelta(hours=1))
    log.info("idle conversations forgotten", extra={"count": count})


async def optimize_sqlite(app: App) -> None:
    """SQLite has no autovacuum to keep planner statistics; without them ward-wide digest queries go slow."""
    if not app.db.is_sqlite:
        return
    try:
        async with app.db.engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.exec_driver_sql("PRAGMA optimize")
    except OperationalError:
        log.warning("sqlite optimize skipped: the database was busy; tomorrow's run will do it")


router = Router("upkeep")
router.tick("core.processed_updates", every=timedelta(hours=6))(forget_old_updates)
router.tick("core.rate_limits", every=timedelta(hours=1))(forget_rate_counters)
router.tick("core.idle_conversations", every=timedelta(hours=1))(forget_idle_conversations)
router.tick("core.sqlite_optimize", every=timedelta(days=1))(optimize_sqlite)
router.tick("digest.weekly", every=timedelta(minutes=15))(digest_tick)
router.tick("zalo_oa_tokens", every=timedelta(hours=1))(keep_tokens_fresh)
