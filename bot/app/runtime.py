"""Start-up and shutdown of a serving process: migrate, seed, start channels and services, serve HTTP."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

from aiohttp import web

from bot.app import App
from bot.app.loop import started
from bot.app.server import build_http, build_metrics_http
from bot.app.wiring import build
from bot.directory import geo
from bot.migrate import upgrade
from bot.settings import Settings

log = logging.getLogger(__name__)
# How long channels and services get to stop (a Telegram long poll, the sender's batch in flight) before the
# process goes anyway: a supervisor's SIGKILL usually follows SIGTERM after 10 s.
SHUTDOWN_GRACE = 8.0


async def prepare(app: App) -> None:
    """Bring the database to the latest schema and load the place list on first run."""
    await upgrade(app.db)
    async with app.db.session() as session:
        if await geo.ward_count(session) == 0:
            provinces, wards = await geo.seed(session)
            log.info("places loaded", extra={"provinces": provinces, "wards": wards})


async def serve(
    settings: Settings, stop: asyncio.Event | None = None, ready: asyncio.Event | None = None
) -> None:
    """Serve until `stop` is set (or SIGINT/SIGTERM); `ready` is set once channels and services have started."""
    stop = stop or asyncio.Event()
    watch_signals(stop)
    app = build(settings)
    await prepare(app)
    await app.dispatcher.warm()  # before the first update, not during it
    runner = web.AppRunner(build_http(app), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    runners = [runner]
    if settings.metrics_port:
        metrics_runner = web.AppRunner(build_metrics_http(app), access_log=None)
        await metrics_runner.setup()
        await web.TCPSite(metrics_runner, settings.metrics_host, settings.metrics_port).start()
        runners.append(metrics_runner)
    await app.start()
    started()
    if ready is not None:
        ready.set()
    log.info(
        "serving", extra={"url": f"http://{settings.host}:{settings.port}", "channels": sorted(app.channels)}
    )
    try:
        await stop.wait()
    finally:
        log.info("stopping")
        try:
            await asyncio.wait_for(app.stop(), SHUTDOWN_GRACE)
        except TimeoutError:
            log.warning("channels and services did not stop in time", extra={"seconds": SHUTDOWN_GRACE})
        for each in runners:
            await each.cleanup()


def watch_signals(stop: asyncio.Event) -> None:
    """SIGINT and SIGTERM stop the process cleanly, also when they come during start-up (a migration is not cut
    in half: the process stops once it has started). A second one while stopping exits at once: whatever holds
    the stop up, the person who pressed Ctrl-C twice, or the supervisor, is not ignored."""
    loop = asyncio.get_running_loop()

    def on_signal(sig: signal.Signals) -> None:
        if stop.is_set():
            log.warning("second signal while stopping: exiting now", extra={"signal": sig.name})
            os._exit(128 + sig.value)
        log.info("signal received: stopping", extra={"signal": sig.name})
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, on_signal, sig)
        except (NotImplementedError, RuntimeError):
            pass
