"""Start-up and shutdown of a serving process: migrate, seed, start channels and services, serve HTTP."""

from __future__ import annotations

import asyncio
import logging
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
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    try:
        await stop.wait()
    finally:
        log.info("stopping")
        await app.stop()
        for each in runners:
            await each.cleanup()
