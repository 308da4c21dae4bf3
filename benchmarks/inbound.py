"""Inbound benchmark: how many Telegram webhook updates An Dân handles, against two bare python-telegram-bot bots.

Three bots, each in its own process(es) on uvloop with the same aiohttp transport, measured in the same run:
- `andan`: the real app (`bot.app.runtime.serve`: every feature, the scheduler, the sender, INFO logs), in
  webhook mode;
- `echo`: bare PTB, replying with the text it got;
- `insert`: bare PTB plus one SQLModel insert (and commit) per update before replying.

A driver posts webhook updates (the secret header, as Telegram does) round-robin over the processes, as a
reverse proxy's upstream would, and answers the bots' Bot API calls itself, counting what each chat received:
an update is done when its chat got every request its step produces (counted once on a first user). Each user
sends `/trogiup`, `/batdau`, then presses the first button of the last keyboard twice (language, consent: the
consent creates the person). Phases, on each database:
1. max: 50 updates in flight (closed loop) over fresh users: updates/s, CPU ms per update (the bot processes'
   own CPU time from /proc), p50/p99 latency (post → last request of its answer), event-loop lag;
2. half: fresh processes, updates offered at half of An Dân's own maximum from the moment they are up (so the
   first seconds and the scheduler's catch-up pass are inside): p99 and loop lag, An Dân and the insert bot;
3. scale: An Dân with 2 (and more, `--processes`) processes on one PostgreSQL database, closed loop.
Rounds interleave the bots; each figure is the median of `--runs` rounds.

Usage: `python -m benchmarks inbound [--quick] [--backends sqlite,postgres] [--users N] [--runs N] ...`
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import cpu
from bot.app import loop

TOKEN = "123456789:BENCH-inbound-token"
SECRET = "benchmark-secret-not-for-production"
HOOK_SECRET = "bench-hook-secret"
HOOK_PATH = "/webhook/telegram"
READY = "bot ready"
STATS = "STATS "
STEPS = ("/trogiup", "/batdau", "press", "press")
LAG_INTERVAL = 0.01  # seconds between the loop-lag probe's wake-ups in the bot processes
STEP_TIMEOUT = 30.0  # an update not answered within this is counted lost
FIRST_CHAT = 50_000_000


# Figures ------------------------------------------------------------------------------------------------------
@dataclass
class Trial:
    phase: str  # max | half | scale
    backend: str
    bot: str  # andan | echo | insert
    processes: int
    round: int
    updates: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # the bot processes'
    driver_cpu_seconds: float = 0.0  # the driver's, with the fake Bot API it serves
    host_cpu_seconds: float = 0.0  # the whole host's busy time, all CPUs together
    latencies: list[float] = field(default_factory=list, repr=False)
    lag_max: float = 0.0
    lag_over_100ms: int = 0
    lost: int = 0
    extra: int = 0  # requests to chats beyond what their updates should produce: an update handled twice
    refused: int = 0  # webhook posts answered other than 200 (re-posted, as Telegram does)
    duplicates_posted: int = 0
    people_ok: bool | None = None  # andan: one person per onboarded user in the database
    offered_rate: float = 0.0
    cpus: int = 0

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        return self.per_update(self.cpu_seconds)

    def per_update(self, seconds: float) -> float:
        return 1000 * seconds / self.updates if self.updates else 0.0

    @property
    def rest_cpu_seconds(self) -> float:
        """The host's busy time less the bots' and the driver's: the PostgreSQL server, and anything else."""
        return max(0.0, self.host_cpu_seconds - self.cpu_seconds - self.driver_cpu_seconds)

    @property
    def host_busy(self) -> float:
        """CPUs the host kept busy on average during the trial."""
        return self.host_cpu_seconds / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def sound(self) -> bool:
        return not self.lost and not self.extra and self.people_ok is not False


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks inbound", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 users, one round, 20 s at half load")
    parser.add_argument("--users", type=int, default=None, help="users per max trial (default 1,500)")
    parser.add_argument("--runs", type=int, default=None, help="interleaved rounds (default 3; quick 1)")
    parser.add_argument("--in-flight", type=int, default=50, help="updates in flight in the closed loop")
    parser.add_argument("--half-seconds", type=float, default=None, help="length of the half-load phase")
    parser.add_argument(
        "--processes", default="2", help="An Dân process counts for the scale phase (PostgreSQL)"
    )
    parser.add_argument("--phases", default="max,half,scale", help="which phases to run")
    parser.add_argument("--bots", default="andan,echo,insert", help="which bots the max phase measures")
    parser.add_argument(
        "--duplicates", type=float, default=0.01, help="share of An Dân's updates posted twice"
    )
    parser.add_argument("--backends", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("ANDAN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="admin URL of a PostgreSQL server where scratch databases may be created",
    )
    parser.add_argument(
        "--keep-logs", type=Path, default=None, help="write the bots' stderr into this folder"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write every trial's figures here")
    # Internal: a bot process.
    parser.add_argument("--worker", choices=("andan", "echo", "insert"), help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.expected = {}  # calls each step produces, per bot (counted once per max trial)
    if args.users is None:
        args.users = 300 if args.quick else 1500
    if args.runs is None:
        args.runs = 1 if args.quick else 3
    if args.half_seconds is None:
        args.half_seconds = 20.0 if args.quick else 40.0
    return args


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


# The driver's Bot API -----------------------------------------------------------------------------------------
class LeanBotApi:
    """Answers the Bot API calls the bots make at once, and counts the calls about each chat.

    Kept small on purpose: the driver shares the machine with the bots, and every bot pays the same for it.
    Answers to callback queries are not counted: a redelivered press is answered again (harmlessly) before
    it is found to be a duplicate.
    """

    def __init__(self) -> None:
        self.counts: Counter[int] = Counter()
        self.first_button: dict[int, str] = {}
        self.waiters: dict[int, tuple[int, asyncio.Future[float]]] = {}
        self.methods: Counter[str] = Counter()
        self._ids = itertools.count(1)
        self._runner: Any = None
        self.base_url = ""

    async def start(self) -> None:
        from aiohttp import web

        http = web.Application()
        http.router.add_route("*", "/bot{token}/{method}", self._api)
        self._runner = web.AppRunner(http, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # noqa: SLF001
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def expect(self, chat: int, count: int) -> asyncio.Future[float]:
        """A future resolved (with the arrival time) once `chat` got `count` calls in all."""
        future = asyncio.get_running_loop().create_future()
        if self.counts[chat] >= count:
            future.set_result(time.monotonic())
        else:
            self.waiters[chat] = (count, future)
        return future

    async def _api(self, request: Any) -> Any:
        from aiohttp import web

        method = request.match_info["method"]
        self.methods[method] += 1
        raw = await request.read()
        params: dict[str, Any] = {}
        if raw and request.content_type == "application/json":
            params = json.loads(raw)
        elif raw:
            params = {k: str(v) for k, v in (await request.post()).items()}
        result: Any = True
        chat: int | None = None
        if method == "getMe":
            result = {"id": 123456789, "is_bot": True, "first_name": "An Dân", "username": "andan_bench_bot"}
        elif "chat_id" in params:
            chat = int(params["chat_id"])
            result = {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": chat, "type": "private"},
                "text": str(params.get("text") or "…"),
            }
            markup = params.get("reply_markup")
            if isinstance(markup, str):
                markup = json.loads(markup)
            if isinstance(markup, dict) and markup.get("inline_keyboard") and method.startswith("send"):
                self.first_button[chat] = markup["inline_keyboard"][0][0]["callback_data"]
        if chat is not None:
            self.counts[chat] += 1
            waiter = self.waiters.get(chat)
            if waiter is not None and self.counts[chat] >= waiter[0]:
                del self.waiters[chat]
                if not waiter[1].done():
                    waiter[1].set_result(time.monotonic())
        return web.json_response({"ok": True, "result": result})


# The driver ---------------------------------------------------------------------------------------------------
class Bots:
    """N processes of one bot on one database, behind the driver acting as their reverse proxy."""

    def __init__(self, args: argparse.Namespace, kind: str, db: str, api: LeanBotApi, processes: int) -> None:
        self.args, self.kind, self.db, self.api, self.count = args, kind, db, api, processes
        self.processes: list[asyncio.subprocess.Process] = []
        self.ports: list[int] = []
        self.stats: list[dict[str, Any]] = []
        self._logs: list[Any] = []

    async def start(self) -> None:
        from tests.drivers import free_port

        async def one(n: int) -> asyncio.subprocess.Process:
            port = free_port()
            self.ports.append(port)
            stderr: Any = asyncio.subprocess.DEVNULL
            if self.args.keep_logs is not None:
                self.args.keep_logs.mkdir(parents=True, exist_ok=True)
                stderr = open(self.args.keep_logs / f"{self.kind}-{port}.log", "w")  # noqa: SIM115, ASYNC230
                self._logs.append(stderr)
            process = await asyncio.create_subprocess_exec(
                *(sys.executable, "-m", "benchmarks.inbound", "--worker", self.kind),
                *("--db", self.db, "--api", self.api.base_url, "--port", str(port)),
                stdout=asyncio.subprocess.PIPE,
                stderr=stderr,
                limit=1 << 26,  # the loop probe's samples come as one line at the end
            )
            assert process.stdout is not None
            while (line := await process.stdout.readline()) and line.decode().strip() != READY:
                pass
            if not line:
                raise RuntimeError(f"{self.kind} process {n} did not start (exit {await process.wait()})")
            return process

        self.processes = list(await asyncio.gather(*(one(n) for n in range(self.count))))

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}{HOOK_PATH}" for port in self.ports]

    def cpu_seconds(self) -> float:
        return cpu.processes_seconds(process.pid for process in self.processes)

    async def stop(self) -> None:
        for process in self.processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            assert process.stdout is not None
            try:
                async with asyncio.timeout(30):
                    while line := await process.stdout.readline():
                        if line.decode().startswith(STATS):
                            self.stats.append(json.loads(line.decode()[len(STATS) :]))
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()
        for file in self._logs:
            file.close()

    def lag(self, start: float, end: float) -> tuple[float, int]:
        """Largest loop lag in [start, end] over the processes, and how many probes were over 100 ms late."""
        lags = [lag for s in self.stats for at, lag in s["lag"] if start <= at <= end]
        return max(lags, default=0.0), sum(1 for lag in lags if lag > 0.1)


class Driver:
    """Posts updates to the bots and waits for their answers."""

    def __init__(self, api: LeanBotApi, urls: list[str], duplicates: float) -> None:
        import aiohttp

        self.api = api
        self.urls = urls
        self.duplicates = duplicates
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        self._next_url = itertools.cycle(range(len(urls)))
        self._update_ids = itertools.count(1)
        self.expected: list[int] = []
        self.step_of: dict[int, int] = {}
        self.trial: Trial | None = None
        self._extra_posts: set[asyncio.Task[None]] = set()

    async def close(self) -> None:
        await asyncio.gather(*self._extra_posts, return_exceptions=True)
        await self.http.close()

    def update(self, chat: int, step: int) -> dict[str, Any]:
        sender = {"id": chat, "is_bot": False, "first_name": f"User{chat}", "language_code": "vi"}
        private = {"id": chat, "type": "private", "first_name": sender["first_name"]}
        update_id = next(self._update_ids)
        action = STEPS[step]
        if action == "press":
            data = self.api.first_button.get(chat, "lang:vi")
            message = {"message_id": 1, "date": int(time.time()), "chat": private, "text": "…"}
            query = {"id": f"{chat}-{update_id}", "from": sender, "message": message, "data": data}
            return {"update_id": update_id, "callback_query": {**query, "chat_instance": str(chat)}}
        message = {
            "message_id": update_id,
            "from": sender,
            "chat": private,
            "date": int(time.time()),
            "text": action,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(action)}],
        }
        return {"update_id": update_id, "message": message}

    async def post(self, body: bytes, url: str) -> None:
        """POST a webhook update until it is taken (200), as Telegram retries."""
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": HOOK_SECRET}
        for _attempt in range(20):
            async with self.http.post(url, data=body, headers=headers) as response:
                await response.read()
                if response.status == 200:
                    return
            if self.trial is not None:
                self.trial.refused += 1
            await asyncio.sleep(0.5)
            url = self.urls[next(self._next_url)]
        raise RuntimeError(f"webhook refused 20 times: {url}")

    async def step(self, chat: int, step: int) -> float | None:
        """One update of `chat`, posted to the next process; its latency, or None when never answered."""
        want = self.api.counts[chat] + self.expected[step]
        answered = self.api.expect(chat, want)
        body = json.dumps(self.update(chat, step)).encode()
        started = time.monotonic()
        await self.post(body, self.urls[next(self._next_url)])
        if self.duplicates and random.random() < self.duplicates:  # noqa: S311 - not security
            # Telegram redelivers now and then, maybe to another process: handled once, answered once.
            extra = asyncio.create_task(self.post(body, self.urls[next(self._next_url)]))
            self._extra_posts.add(extra)
            extra.add_done_callback(self._extra_posts.discard)
            if self.trial is not None:
                self.trial.duplicates_posted += 1
        try:
            return await asyncio.wait_for(answered, STEP_TIMEOUT) - started
        except TimeoutError:
            self.api.waiters.pop(chat, None)
            return None

    async def calibrate(self, chat: int) -> list[int]:
        """The calls each step produces, counted on one user by waiting for quiet after each step."""
        counts = []
        for step in range(len(STEPS)):
            before = self.api.counts[chat]
            await self.post(json.dumps(self.update(chat, step)).encode(), self.urls[next(self._next_url)])
            seen, quiet_since = before, time.monotonic()
            while time.monotonic() - quiet_since < 1.0 or self.api.counts[chat] == before:
                await asyncio.sleep(0.05)
                if self.api.counts[chat] != seen:
                    seen, quiet_since = self.api.counts[chat], time.monotonic()
                if time.monotonic() - quiet_since > STEP_TIMEOUT:
                    raise RuntimeError(f"step {STEPS[step]} was never answered")
            counts.append(self.api.counts[chat] - before)
        return counts

    async def closed_loop(self, chats: list[int], in_flight: int, trial: Trial) -> None:
        pending = deque(chats)

        async def lane() -> None:
            while pending:
                chat = pending.popleft()
                for step in range(len(STEPS)):
                    latency = await self.step(chat, step)
                    self.record(trial, latency)
                    if latency is None:
                        break

        await asyncio.gather(*(lane() for _ in range(in_flight)))

    async def open_loop(self, chats: list[int], rate: float, seconds: float, trial: Trial) -> None:
        """Updates offered at `rate` per second for `seconds`, whatever the answers take; a user's next update
        waits for the answer to the previous one, as a person does."""
        fresh = deque(chats)
        returning: deque[tuple[int, int]] = deque()  # users whose previous update was answered go first
        running: set[asyncio.Task[None]] = set()

        async def one(chat: int, step: int) -> None:
            latency = await self.step(chat, step)
            self.record(trial, latency)
            if latency is not None and step + 1 < len(STEPS):
                returning.append((chat, step + 1))

        started = time.monotonic()
        for n in itertools.count():
            due = started + n / rate
            if due - started >= seconds:
                break
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            while not returning and not fresh:  # noqa: ASYNC110 - every user waits for an answer: the bot is behind
                await asyncio.sleep(0.005)
            task = asyncio.create_task(one(*(returning.popleft() if returning else (fresh.popleft(), 0))))
            running.add(task)
            task.add_done_callback(running.discard)
        await asyncio.gather(*running)

    @staticmethod
    def record(trial: Trial, latency: float | None) -> None:
        if latency is None:
            trial.lost += 1
        else:
            trial.updates += 1
            trial.latencies.append(latency)


# Databases ----------------------------------------------------------------------------------------------------
class Databases:
    """A migrated template with the place list per backend, copied for every trial (a file, or TEMPLATE)."""

    def __init__(self, args: argparse.Namespace, directory: Path) -> None:
        self.args, self.directory = args, directory
        self.templates: dict[str, str] = {}
        self.made: list[str] = []
        self._n = itertools.count()

    async def template(self, backend: str) -> str:
        from bot.db import Database
        from bot.directory import geo
        from bot.migrate import upgrade

        if backend in self.templates:
            return self.templates[backend]
        url = await self._empty(backend, "template")
        db = Database(url)
        await upgrade(db)
        async with db.session() as session:
            await geo.seed(session)
            await session.commit()
        await db.dispose()
        self.templates[backend] = url
        return url

    async def fresh(self, backend: str) -> str:
        template = await self.template(backend)
        name = f"trial{next(self._n)}"
        if backend == "sqlite":
            path = self.directory / f"{name}.db"
            shutil.copy(template.split("///", 1)[1], path)
            return f"sqlite+aiosqlite:///{path}"
        return await self._empty(backend, name, template=template.rsplit("/", 1)[1])

    async def _empty(self, backend: str, name: str, template: str | None = None) -> str:
        if backend == "sqlite":
            return f"sqlite+aiosqlite:///{self.directory / (name + '.db')}"
        import asyncpg

        db_name = f"andan_bench_inbound_{name}_{os.getpid()}"
        conn = await asyncpg.connect(self.args.postgres_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
            suffix = f' TEMPLATE "{template}"' if template else ""
            await conn.execute(f'CREATE DATABASE "{db_name}"{suffix}')
        finally:
            await conn.close()
        self.made.append(db_name)
        base = self.args.postgres_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
        return f"{base}/{db_name}"

    async def drop(self, url: str) -> None:
        if url.startswith("sqlite"):
            Path(url.split("///", 1)[1]).unlink(missing_ok=True)  # noqa: ASYNC240 - a scratch file, between trials
            return
        import asyncpg

        name = url.rsplit("/", 1)[1]
        conn = await asyncpg.connect(self.args.postgres_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()
        if name in self.made:
            self.made.remove(name)

    async def close(self) -> None:
        for name in list(self.made):
            await self.drop(f"postgresql/{name}")


async def people_count(url: str) -> int:
    from sqlalchemy import func, select

    from bot.db import Database, execute
    from models import Person

    db = Database(url)
    try:
        async with db.session() as session:
            return int((await execute(session, select(func.count()).select_from(Person))).scalar_one())
    finally:
        await db.dispose()


# Trials -------------------------------------------------------------------------------------------------------
async def trial(
    args: argparse.Namespace,
    databases: Databases,
    phase: str,
    backend: str,
    bot: str,
    processes: int,
    number: int,
    rate: float = 0.0,
) -> Trial:
    figures = Trial(
        phase, backend, bot, processes, number, offered_rate=rate, cpus=len(os.sched_getaffinity(0))
    )
    url = await databases.fresh(backend)
    api = LeanBotApi()
    await api.start()
    bots = Bots(args, bot, url, api, processes)
    driver: Driver | None = None
    try:
        await bots.start()
        driver = Driver(api, bots.urls, args.duplicates if bot == "andan" else 0.0)
        if phase == "half":
            # From the moment the processes are up: calibrate on the first user inside the measured time.
            chats = [FIRST_CHAT + n for n in range(int(rate * args.half_seconds) // len(STEPS) + 200)]
            # Counted in the max phase: calibrating here would keep the first seconds out of the measurement.
            driver.expected = args.expected.get(bot) or [1] * len(STEPS)
            begin, used, around = time.monotonic(), bots.cpu_seconds(), cpu.Reading.now()
            driver.trial = figures
            await driver.open_loop(chats, rate, args.half_seconds, figures)
        else:
            driver.expected = args.expected[bot] = await driver.calibrate(FIRST_CHAT - 1)
            chats = [FIRST_CHAT + n for n in range(args.users)]
            begin, used, around = time.monotonic(), bots.cpu_seconds(), cpu.Reading.now()
            driver.trial = figures
            await driver.closed_loop(chats, args.in_flight, figures)
        end = time.monotonic()
        figures.seconds, figures.cpu_seconds = end - begin, bots.cpu_seconds() - used
        spent = cpu.Reading.now().since(around)
        figures.driver_cpu_seconds, figures.host_cpu_seconds = spent.driver, spent.host
        await asyncio.sleep(1.0)  # anything answered twice arrives by now
        figures.extra = sum(
            max(0, api.counts[chat] - due) for chat, due in answered_calls(driver, chats).items()
        )
    finally:
        if driver is not None:
            await driver.close()
        await bots.stop()
        await api.stop()
    figures.lag_max, figures.lag_over_100ms = bots.lag(begin, end)
    if bot == "andan" and not figures.lost:
        calibrated = api.counts[FIRST_CHAT - 1] > 0
        users = sum(1 for chat in chats if api.counts[chat] >= sum(driver.expected)) + calibrated
        figures.people_ok = await people_count(url) == users
    await databases.drop(url)
    return figures


def answered_calls(driver: Driver, chats: list[int]) -> dict[int, int]:
    """What each chat should have received: the calls of the steps it completed (every step, for a chat whose
    count reached the whole conversation's)."""
    whole = sum(driver.expected)
    out = {}
    for chat in chats:
        got = driver.api.counts[chat]
        if got >= whole:
            out[chat] = whole
        else:  # a user cut short by the end of the open loop, or a lost update: up to its last complete step
            done = 0
            for calls in driver.expected:
                if done + calls > got:
                    break
                done += calls
            out[chat] = got if got == done else done
    return out


async def bench(args: argparse.Namespace) -> list[Trial]:
    phases = {p.strip() for p in args.phases.split(",")}
    bots = [b.strip() for b in args.bots.split(",")]
    scale = [int(n) for n in args.processes.split(",") if n.strip()]
    trials: list[Trial] = []
    with tempfile.TemporaryDirectory(prefix="andan-bench-inbound-") as tmp:
        databases = Databases(args, Path(tmp))
        try:
            for backend in (b.strip() for b in args.backends.split(",")):
                for number in range(1, args.runs + 1):
                    if "max" in phases:
                        for bot in bots:
                            trials.append(await trial(args, databases, "max", backend, bot, 1, number))
                            say(trials[-1])
                    if "scale" in phases and backend == "postgres":
                        for processes in scale:
                            trials.append(
                                await trial(args, databases, "scale", backend, "andan", processes, number)
                            )
                            say(trials[-1])
                if "half" in phases:
                    maxima = [
                        t.rate
                        for t in trials
                        if t.phase == "max" and t.backend == backend and t.bot == "andan"
                    ]
                    rate = statistics.median(maxima) / 2 if maxima else 100.0
                    for number in range(1, args.runs + 1):
                        for bot in ("andan", "insert"):
                            trials.append(await trial(args, databases, "half", backend, bot, 1, number, rate))
                            say(trials[-1])
        finally:
            await databases.close()
    return trials


def say(t: Trial) -> None:
    print(
        f"  {t.phase:<5} {t.backend:<8} {t.bot:<6} ×{t.processes} round {t.round}: {t.rate:7.1f} updates/s, "
        f"{t.cpu_ms:5.2f} CPU ms/update (driver {t.per_update(t.driver_cpu_seconds):4.2f}, rest "
        f"{t.per_update(t.rest_cpu_seconds):4.2f}, host busy {t.host_busy:4.2f} CPUs), p50 {t.percentile(0.5):6.1f} ms, p99 {t.percentile(0.99):6.1f} ms, "
        f"loop lag max {1000 * t.lag_max:5.1f} ms, lost {t.lost}, extra {t.extra}, refused {t.refused}"
        + ("" if t.people_ok is None else f", people {'ok' if t.people_ok else 'WRONG'}"),
        flush=True,
    )


# The report ---------------------------------------------------------------------------------------------------
def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def report(args: argparse.Namespace, trials: list[Trial]) -> str:
    cpus = trials[0].cpus if trials else len(os.sched_getaffinity(0))
    lines = [
        f"Inbound benchmark: Telegram webhook updates, {args.in_flight} in flight, {args.users} users × "
        f"{len(STEPS)} updates ({', '.join(STEPS[:2])}, two onboarding presses), medians of {args.runs} "
        f"interleaved round(s); {cpus} CPUs shared by the bots, the driver and the database; host load average "
        f"{os.getloadavg()[0]:.1f}",
        "",
        f"{'phase':<7}{'database':<10}{'bot':<8}{'procs':>6}{'updates/s':>11}{'CPU ms/upd':>11}{'p50 ms':>8}"
        f"{'p99 ms':>8}{'lag max ms':>11}{'sound':>7}{'driver ms':>10}{'rest ms':>8}{'host CPUs':>10}",
    ]
    groups: dict[tuple[str, str, str, int], list[Trial]] = {}
    for t in trials:
        groups.setdefault((t.phase, t.backend, t.bot, t.processes), []).append(t)
    for (phase, backend, bot, processes), runs in groups.items():
        lines.append(
            f"{phase:<7}{backend:<10}{bot:<8}{processes:>6}{median([t.rate for t in runs]):>11.1f}"
            f"{median([t.cpu_ms for t in runs]):>11.2f}{median([t.percentile(0.5) for t in runs]):>8.1f}"
            f"{median([t.percentile(0.99) for t in runs]):>8.1f}"
            f"{median([1000 * max(t.lag_max, 0) for t in runs]):>11.1f}"
            f"{'yes' if all(t.sound for t in runs) else 'NO':>7}"
            f"{median([t.per_update(t.driver_cpu_seconds) for t in runs]):>10.2f}"
            f"{median([t.per_update(t.rest_cpu_seconds) for t in runs]):>8.2f}"
            f"{median([t.host_busy for t in runs]):>10.2f}"
        )
    lines.append(
        "CPU ms/upd: the bot processes' own; driver ms: the driver and the Bot API it answers; rest ms: the "
        "host's other busy time per update (PostgreSQL, and anything else running); host CPUs: how many CPUs the "
        "whole host kept busy on average"
    )
    lines.append("")

    def fig(
        phase: str, backend: str, bot: str, processes: int, what: Callable[[Trial], float]
    ) -> float | None:
        runs = groups.get((phase, backend, bot, processes))
        return median([what(t) for t in runs]) if runs else None

    def verdict(value: float | None, goal: float, at_least: bool) -> str:
        if value is None:
            return "n/a"
        ok = value >= goal if at_least else value <= goal
        return f"{value:.2f} (goal {'≥' if at_least else '≤'} {goal:g}) {'PASS' if ok else 'FAIL'}"

    for backend in sorted({t.backend for t in trials}):
        andan = fig("max", backend, "andan", 1, lambda t: t.rate)
        insert = fig("max", backend, "insert", 1, lambda t: t.rate)
        lines.append(
            f"{backend}: An Dân ÷ insert, updates/s: {verdict(andan / insert if andan and insert else None, 0.75, True)}"
        )
        ratio = None
        a99 = fig("half", backend, "andan", 1, lambda t: t.percentile(0.99))
        i99 = fig("half", backend, "insert", 1, lambda t: t.percentile(0.99))
        if a99 is not None and i99:
            ratio = a99 / i99
        lines.append(f"{backend}: p99 at half load, An Dân ÷ insert: {verdict(ratio, 2.0, False)}")
        lag = fig("half", backend, "andan", 1, lambda t: 1000 * t.lag_max)
        lines.append(f"{backend}: An Dân's largest loop lag at half load, ms: {verdict(lag, 100, False)}")
        one = fig("max", backend, "andan", 1, lambda t: t.rate)
        one_cpu = fig("max", backend, "andan", 1, lambda t: t.cpu_ms)
        for processes in sorted({t.processes for t in trials if t.phase == "scale" and t.backend == backend}):
            many = fig("scale", backend, "andan", processes, lambda t: t.rate)
            many_cpu = fig("scale", backend, "andan", processes, lambda t: t.cpu_ms)
            goal = {2: 1.4, 3: 2.2}.get(processes, 1.0) if cpus <= 2 else {2: 1.6, 3: 2.2}.get(processes, 1.0)
            lines.append(
                f"{backend}: {processes} processes ÷ 1, updates/s: "
                f"{verdict(many / one if many and one else None, goal, True)}; CPU per update: "
                f"{verdict(many_cpu / one_cpu if many_cpu and one_cpu else None, 1.10, False)}"
            )
    unsound = [t for t in trials if not t.sound]
    lines.append("")
    lines.append(
        "Guarantees: every update answered once, one person per onboarded user: "
        + (
            "PASS"
            if not unsound
            else "FAIL in " + ", ".join(f"{t.phase}/{t.backend}/{t.bot}×{t.processes}" for t in unsound)
        )
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    if args.worker:
        work(args)
        return 0
    os.environ.setdefault("ANDAN_LOG_LEVEL", "WARNING")
    trials = loop.run(bench(args))
    print(report(args, trials), flush=True)
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                [
                    {
                        **{k: v for k, v in asdict(t).items() if k != "latencies"},
                        "rate": t.rate,
                        "cpu_ms": t.cpu_ms,
                        "p50_ms": t.percentile(0.5),
                        "p99_ms": t.percentile(0.99),
                    }
                    for t in trials
                ],
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
