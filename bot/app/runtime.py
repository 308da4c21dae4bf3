"""Start-up and shutdown of a serving process: migrate, seed, start channels and services, serve HTTP."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from bot.app import App
from bot.app.loop import started
from bot.app.server import build_http
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


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    app = build(settings)
    await prepare(app)
    runner = web.AppRunner(build_http(app), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    await app.start()
    started()
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
        await runner.cleanup()
