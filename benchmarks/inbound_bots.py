"""Inbound benchmark, inside a bot process: the An Dân worker, the bare PTB bots, the loop-lag probe.

The driver (`benchmarks.inbound_driver.Bots`) starts each process as `python -m benchmarks.inbound --worker
andan|echo|insert --db URL --api URL --port N`; `benchmarks.inbound.main` hands that command line to `work`. A
process prints READY once it takes webhook posts and, when stopped, its loop-lag samples as one STATS line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bot.app import loop

TOKEN = "123456789:BENCH-inbound-token"
SECRET = "benchmark-secret-not-for-production"
HOOK_SECRET = "bench-hook-secret"
HOOK_PATH = "/webhook/telegram"
READY = "bot ready"
STATS = "STATS "
LAG_INTERVAL = 0.01  # seconds between the loop-lag probe's wake-ups in the bot processes


# The bot processes -------------------------------------------------------------------------------------------
class LagProbe:
    """Wakes every LAG_INTERVAL and records how late it woke: what the loop was busy with for that long."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float]] = []  # (monotonic time, lag seconds), lags over 2 ms only
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            expected = time.monotonic() + LAG_INTERVAL
            await asyncio.sleep(LAG_INTERVAL)
            now = time.monotonic()
            if now - expected > 0.002:
                self.samples.append((now, now - expected))


async def andan_worker(args: argparse.Namespace) -> None:
    from bot import logs
    from bot.app.runtime import serve
    from bot.settings import Settings

    with tempfile.TemporaryDirectory(prefix="andan-bench-media-") as media:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=args.db,
            secret_key=SECRET,
            host="127.0.0.1",
            port=args.port,
            public_url=f"http://127.0.0.1:{args.port}",  # webhook mode; the driver is the reverse proxy
            media_dir=Path(media),
            telegram_token=TOKEN,
            telegram_api_url=args.api,
            telegram_webhook_secret=HOOK_SECRET,
            # As `andan run` does: INFO, one JSON line per update. Given here: the driver's own default
            # (ANDAN_LOG_LEVEL=WARNING, for its in-process work) is inherited by the processes it starts.
            log_level="INFO",
        )
        logs.setup(settings.log_level)
        stop, ready = asyncio.Event(), asyncio.Event()
        serving = asyncio.create_task(serve(settings, stop, ready))
        waiting = asyncio.create_task(ready.wait())
        await asyncio.wait({serving, waiting}, return_when=asyncio.FIRST_COMPLETED)
        if serving.done():
            serving.result()  # start-up failed: raise it
        await run_until_stopped(serving)


async def bare_worker(args: argparse.Namespace, insert: bool) -> None:
    from aiohttp import web
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler

    from bot.channels.telegram.transport import AiohttpRequest

    ptb = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(args.api + "/bot")
        .base_file_url(args.api + "/file/bot")
        .concurrent_updates(True)
        .request(AiohttpRequest(pool_size=66))
        .get_updates_request(AiohttpRequest(pool_size=2))
        .updater(None)
        .build()
    )
    save: Callable[[int, int, str], Awaitable[None]] | None = None
    if insert:
        save = await bare_insert(args.db)

    async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        assert chat is not None
        query = update.callback_query
        text = (query.data if query else update.message.text if update.message else None) or "?"
        if save is not None:
            await save(update.update_id, chat.id, text)
        await context.bot.send_message(chat.id, text)

    ptb.add_handler(TypeHandler(Update, on_update))

    async def webhook(request: web.Request) -> web.Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != HOOK_SECRET:
            return web.Response(status=403)
        await ptb.update_queue.put(Update.de_json(await request.json(), ptb.bot))
        return web.Response(text="ok")

    await ptb.initialize()
    await ptb.start()
    http = web.Application()
    http.router.add_post(HOOK_PATH, webhook)
    runner = web.AppRunner(http, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", args.port).start()
    loop.started()  # as An Dân does
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    waiting = asyncio.create_task(stop.wait())
    await run_until_stopped(waiting)
    await runner.cleanup()
    await ptb.stop()
    await ptb.shutdown()


async def bare_insert(url: str) -> Callable[[int, int, str], Awaitable[None]]:
    """One row per update through a SQLModel session, committed: what the simplest bot with a database does."""
    from sqlalchemy import event
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
    from sqlmodel import Field, SQLModel
    from sqlmodel.ext.asyncio.session import AsyncSession

    class InboundEcho(SQLModel, table=True):
        __tablename__ = "bench_inbound_echo"
        id: int | None = Field(default=None, primary_key=True)
        update_id: int
        chat_id: int
        text: str

    sqlite = url.startswith("sqlite")
    engine = create_async_engine(url, connect_args={"timeout": 30} if sqlite else {})
    if sqlite:  # the same durability as An Dân's (bot.db): WAL, synchronous FULL

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

    async with engine.begin() as connection:
        await connection.run_sync(InboundEcho.__table__.create, checkfirst=True)  # type: ignore[attr-defined]
    sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)

    async def save(update_id: int, chat_id: int, text: str) -> None:
        async with sessions() as session:
            session.add(InboundEcho(update_id=update_id, chat_id=chat_id, text=text))
            await session.commit()

    return save


async def run_until_stopped(task: asyncio.Task[Any]) -> None:
    """Say READY, probe the loop until `task` ends (a stop), then print the probe's samples for the driver."""
    probe = LagProbe()
    probe.start()
    print(READY, flush=True)
    await task
    print(
        STATS + json.dumps({"lag": [(round(at, 4), round(lag, 4)) for at, lag in probe.samples]}), flush=True
    )


def work(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING)
    import bot.delivery  # noqa: F401 - first: importing a channel package first meets an import cycle

    if args.worker == "andan":
        loop.run(andan_worker(args))
    else:
        loop.run(bare_worker(args, insert=args.worker == "insert"))
