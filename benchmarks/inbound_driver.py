"""Inbound benchmark, the driver's side: the fake Bot API, the driver posting webhook updates, the bot
processes it starts and stops, the scratch databases.

The trials, rounds and report that use them are in `benchmarks.inbound`; what runs inside a bot process is in
`benchmarks.inbound_bots`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import shutil
import signal
import sys
import time
from collections import Counter, deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks import cpu
from benchmarks.inbound_bots import HOOK_PATH, HOOK_SECRET, READY, STATS

if TYPE_CHECKING:
    from benchmarks.inbound import Trial

STEPS = ("/trogiup", "/batdau", "press", "press")
STEP_TIMEOUT = 30.0  # an update not answered within this is counted lost


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
                    self.record(trial, latency, step)
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
            self.record(trial, latency, step)
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
    def record(trial: Trial, latency: float | None, step: int) -> None:
        if latency is None:
            trial.lost += 1
        else:
            trial.updates += 1
            trial.latencies.append(latency)
            trial.answered_at.append(time.monotonic())
            trial.steps.append(step)


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
