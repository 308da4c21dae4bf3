"""Operational figures in the Prometheus text format (prometheus-client), one registry per app.

Served at GET /metrics: on its own port (`ANDAN_METRICS_PORT`, bound to `ANDAN_METRICS_HOST`, loopback by
default), and on the public port only to a request carrying `Authorization: Bearer <ANDAN_METRICS_TOKEN>`. No
figure carries a person, a chat or a text: labels are channels, outcomes, tick names and statuses.

What is counted where: updates by the dispatcher (`update_done`), sends and 429s by a wrapper around each
channel's `deliver` (`count_sends`, installed by bot.app.wiring), ticks by the scheduler (`tick_done`), the
event loop's lag by `LoopLag` (a probe that wakes every `LAG_INTERVAL` and records how late it woke); the outbox
and the database pool are read when scraped.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select
from sqlmodel import col

from bot import clock
from bot.channels.base import DeliveryError, RetryAfter, Transient, Unreachable
from bot.db import execute
from models import OutboxMessage, OutboxStatus

if TYPE_CHECKING:
    from bot.app import App
    from bot.channels.base import Channel
    from bot.core.replies import Reply

log = logging.getLogger(__name__)

LAG_INTERVAL = 0.05  # seconds between the loop probe's wake-ups: a stall longer than this cannot go unseen
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LAG_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
TICK_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0)


class Metrics:
    """The figures of one app; `render()` gives the text a scrape gets."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.updates = Counter(
            "andan_updates",
            "Updates from people, by channel and outcome (handled, duplicate, refused, failed).",
            ["channel", "outcome"],
            registry=r,
        )
        self.update_seconds = Histogram(
            "andan_update_seconds",
            "Time from an update's arrival at the dispatcher to its commit, by channel.",
            ["channel"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.sends = Counter(
            "andan_sends",
            "Messages handed to a platform (replies and outbox), by channel and outcome "
            "(ok, rate_limited, unreachable, permanent, transient).",
            ["channel", "outcome"],
            registry=r,
        )
        self.rate_limited = Counter(
            "andan_rate_limited",
            "Sends a platform refused with 429 (retry after), by channel.",
            ["channel"],
            registry=r,
        )
        self.ticks = Histogram(
            "andan_tick_seconds",
            "Duration of scheduled tick runs, by tick.",
            ["tick"],
            buckets=TICK_BUCKETS,
            registry=r,
        )
        self.tick_failures = Counter(
            "andan_tick_failures", "Tick runs that raised, by tick.", ["tick"], registry=r
        )
        self.loop_lag = Histogram(
            "andan_event_loop_lag_seconds",
            f"How late the event loop woke a probe scheduled every {LAG_INTERVAL:g} s: the time it was busy.",
            buckets=LAG_BUCKETS,
            registry=r,
        )
        self.outbox = Gauge(
            "andan_outbox_rows",
            "Outbox rows waiting (pending) or being sent (sending).",
            ["status"],
            registry=r,
        )
        self.outbox_oldest = Gauge(
            "andan_outbox_oldest_due_seconds",
            "How long the oldest due pending outbox row has waited.",
            registry=r,
        )
        self.pool = Gauge(
            "andan_db_pool_connections",
            "Database connections of this process: in use (checked_out), idle in the pool (idle), pool size (size).",
            ["state"],
            registry=r,
        )
        self.up = Gauge("andan_database_up", "1 when the last scrape could read the database.", registry=r)

    # Recording ---------------------------------------------------------------------------------------------
    def update_done(self, channel: str, outcome: str, seconds: float) -> None:
        self.updates.labels(channel, outcome).inc()
        self.update_seconds.labels(channel).observe(seconds)

    def tick_done(self, tick: str, seconds: float, failed: bool) -> None:
        self.ticks.labels(tick).observe(seconds)
        if failed:
            self.tick_failures.labels(tick).inc()

    def count_sends(self, channel: Channel) -> None:
        """Count every message `channel` is asked to deliver, by how it went (an instance-level wrapper)."""
        deliver = channel.deliver
        name = channel.name
        outcomes = {
            o: self.sends.labels(name, o)
            for o in ("ok", "rate_limited", "unreachable", "permanent", "transient")
        }
        limited = self.rate_limited.labels(name)

        async def counted(chat_id: str, reply: Reply) -> list[str]:
            try:
                ids = await deliver(chat_id, reply)
            except RetryAfter:
                outcomes["rate_limited"].inc()
                limited.inc()
                raise
            except Unreachable:
                outcomes["unreachable"].inc()
                raise
            except Transient:
                outcomes["transient"].inc()
                raise
            except DeliveryError:
                outcomes["permanent"].inc()
                raise
            outcomes["ok"].inc()
            return ids

        channel.deliver = counted  # type: ignore[method-assign]

    # Scraping ----------------------------------------------------------------------------------------------
    async def refresh(self) -> None:
        """Read what is only known in the database and the pool, just before a scrape."""
        pool: Any = self.app.db.engine.pool
        try:
            self.pool.labels("checked_out").set(pool.checkedout())
            self.pool.labels("idle").set(pool.checkedin())
            self.pool.labels("size").set(pool.size())
        except AttributeError:  # a pool without these figures
            pass
        try:
            async with self.app.db.session() as session:
                counts = dict(
                    (
                        await execute(
                            session,
                            select(col(OutboxMessage.status), func.count())
                            .where(
                                col(OutboxMessage.status).in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
                            )
                            .group_by(col(OutboxMessage.status)),
                        )
                    ).all()
                )
                oldest = (
                    await execute(
                        session,
                        select(func.min(OutboxMessage.not_before)).where(
                            col(OutboxMessage.status) == OutboxStatus.PENDING,
                            col(OutboxMessage.not_before) <= clock.now(),
                        ),
                    )
                ).scalar()
        except Exception as error:  # the figures say the database is down; the scrape itself still answers
            log.warning("metrics: database not readable", extra={"error": type(error).__name__})
            self.up.set(0)
            return
        self.up.set(1)
        for status in (OutboxStatus.PENDING, OutboxStatus.SENDING):
            self.outbox.labels(str(status)).set(counts.get(status, 0))
        self.outbox_oldest.set(
            max(0.0, (clock.now() - oldest).total_seconds()) if oldest is not None else 0.0
        )

    async def render(self) -> bytes:
        await self.refresh()
        return generate_latest(self.registry)


def of(app: App) -> Metrics:
    """The app's metrics, made on first use."""
    found: Metrics | None = getattr(app, "metrics", None)
    if found is None:
        found = Metrics(app)
        app.metrics = found  # type: ignore[attr-defined]
    return found


class LoopLag:
    """Wakes every LAG_INTERVAL and records how late it woke: how long the event loop was kept busy."""

    def __init__(self, histogram: Histogram) -> None:
        self.histogram = histogram

    async def run(self) -> None:
        while True:
            expected = time.monotonic() + LAG_INTERVAL
            await asyncio.sleep(LAG_INTERVAL)
            self.histogram.observe(max(0.0, time.monotonic() - expected))


def handler(app: App, token: str | None) -> Callable[[web.Request], Awaitable[web.Response]]:
    """GET /metrics; with `token`, only for `Authorization: Bearer <token>` (404 otherwise: nothing to find)."""
    expected = f"Bearer {token}".encode() if token else None

    async def scrape(request: web.Request) -> web.Response:
        if expected is not None:
            given = request.headers.get("Authorization", "").encode("utf-8", "surrogateescape")
            if not hmac.compare_digest(given, expected):
                raise web.HTTPNotFound()
        body = await of(app).render()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return scrape


def install(app: App) -> None:
    """Count sends on every channel and probe the loop while the app runs (bot.app.wiring)."""
    metrics = of(app)
    for channel in app.channels.values():
        metrics.count_sends(channel)

    async def start(_app: App) -> None:
        app.spawn(LoopLag(metrics.loop_lag).run(), "metrics-loop-lag")

    app.on_start(start)
