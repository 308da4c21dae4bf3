"""A real `andan run` process that a crash test kills with SIGKILL, and web people who live through the crashes.

`ServerProcess` starts the CLI on a free loopback port, kills it (SIGKILL: no shutdown code runs) and starts it
again on the same database; it keeps each run's JSON log so a test can look for errors. `Browser` is one
person's web chat session (a real cookie): every input carries a client message id, and when the server is
down the browser waits for it and sends the same id again, so a retried input is handled once. When the
retry is answered "already handled", the reply that went down with the process is looked for in the
transcript, as the page's long poll would show it; if it is not there either, the answer is marked lost.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from yarl import URL

from tests.databases import TEST_SECRET

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 120.0  # a loaded 2-CPU machine may take long to import and migrate
REQUEST_SECONDS = 60.0  # one answer, or one wait for the server to come back
# What a browser meets while the server is down or has just died: retry the same input.
GONE = (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServerProcess:
    """`andan run` as an operator starts it (environment settings only), on one database for all its runs."""

    def __init__(self, db_url: str, workdir: Path, **settings: str) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Nothing of the caller's own ANDAN_* environment (a bot token would switch a real channel on).
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("ANDAN_")}
        self.env.update(
            {
                "PYTHONPATH": str(ROOT),
                "ANDAN_DATABASE_URL": db_url,
                "ANDAN_SECRET_KEY": TEST_SECRET,
                "ANDAN_HOST": "127.0.0.1",
                "ANDAN_PORT": str(self.port),
                "ANDAN_MEDIA_DIR": str(workdir / "media"),
                "ANDAN_SCHEDULER_ENABLED": "false",
            }
        )
        self.env.update({f"ANDAN_{name.upper()}": value for name, value in settings.items()})
        self.process: asyncio.subprocess.Process | None = None
        self.runs = 0
        self.kills = 0
        self.killed_at: list[datetime] = []
        self.up = asyncio.Event()  # set while the server answers; browsers wait on it after a failed request

    def _log(self, run: int) -> Path:
        return self.workdir / f"andan-run-{run}.log"

    async def spawn(self) -> Path:
        """Start the process without waiting for it; returns the file its log goes to."""
        assert self.process is None or self.process.returncode is not None, "already running"
        self.runs += 1
        path = self._log(self.runs)
        with path.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.app.cli",
                "run",
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return path

    async def start(self) -> None:
        """Start the process and wait until it answers /healthz."""
        await self.spawn()
        assert self.process is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_SECONDS
        async with aiohttp.ClientSession() as http:
            while True:
                if self.process.returncode is not None:
                    raise AssertionError(f"andan run exited with {self.process.returncode}:\n{self.tail()}")
                try:
                    async with http.get(
                        self.url + "/healthz", timeout=aiohttp.ClientTimeout(total=5)
                    ) as response:
                        if response.status == 200:
                            break
                except (aiohttp.ClientError, TimeoutError):
                    pass
                if loop.time() > deadline:
                    raise AssertionError(
                        f"andan run did not answer /healthz within {START_SECONDS:.0f} s:\n{self.tail()}"
                    )
                await asyncio.sleep(0.05)
        self.up.set()

    async def kill(self) -> None:
        """SIGKILL: the process gets no chance to finish anything (no shutdown, no flush, no rollback)."""
        assert self.process is not None
        self.up.clear()
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        self.killed_at.append(datetime.now(UTC))  # once it is dead: everything it wrote is older
        self.kills += 1

    async def stop(self, grace: float = 60.0) -> None:
        """SIGTERM, as a service manager stops it; the process must exit cleanly within `grace` seconds."""
        if self.process is None or self.process.returncode is not None:
            return
        self.up.clear()
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), grace)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise AssertionError(f"andan run did not stop within {grace:.0f} s of SIGTERM") from None

    async def wait_up(self, deadline: float) -> None:
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            raise AssertionError(f"the server at {self.url} stayed unreachable")
        await asyncio.wait_for(self.up.wait(), remaining)

    def tail(self, lines: int = 30) -> str:
        text = self._log(self.runs).read_text(encoding="utf-8", errors="replace") if self.runs else ""
        return "\n".join(text.splitlines()[-lines:])

    def errors(self) -> list[str]:
        """Log lines at ERROR or above, and anything that is not a log line (a traceback printed on a crash)."""
        found = []
        for run in range(1, self.runs + 1):
            for line in self._log(run).read_text(encoding="utf-8", errors="replace").splitlines():
                if not line.strip() or line.startswith("An Dân: web chat at "):
                    continue
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    found.append(f"run {run}: {line}")
                    continue
                if entry.get("level") in ("error", "critical"):
                    found.append(f"run {run}: {entry.get('msg')} {entry.get('exc', '')}".strip())
        return found


@dataclass
class Answer:
    """The bot's replies to one input. `lost`: handled before a crash, but its replies died with the process."""

    replies: list[dict[str, Any]]
    retried: bool = False
    lost: bool = False

    def payloads(self) -> list[str]:
        return [c["payload"] for m in self.replies for c in m.get("choices", [])]

    def text(self) -> str:
        return "\n".join(m["text"] for m in self.replies)


@dataclass
class Counts:
    retried: int = 0  # inputs sent again after the server went away
    recovered: int = 0  # of those, answered before the crash and found in the transcript
    lost: int = 0  # answered before the crash, replies nowhere to be seen
    server_errors: list[str] = field(default_factory=list)


class Browser:
    """One person's browser on the web chat API, with a cookie session that survives server restarts."""

    def __init__(self, server: ServerProcess, name: str) -> None:
        self.server = server
        self.name = name
        self.http = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True), timeout=aiohttp.ClientTimeout(total=REQUEST_SECONDS)
        )
        self.cursor = 0  # the newest transcript row this browser has shown
        self.counts = Counts()
        self._ids = itertools.count(1)

    @property
    def cookie(self) -> str:
        return self.http.cookie_jar.filter_cookies(URL(self.server.url))["andan_session"].value

    async def _call(self, method: str, path: str, **kw: Any) -> tuple[dict[str, Any], bool]:
        """One request, sent again (unchanged) whenever the server went away; returns the body and whether a
        retry was needed. A 5xx is recorded and fails the step."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + REQUEST_SECONDS * 2
        retried = False
        while True:
            try:
                async with self.http.request(method, self.server.url + path, **kw) as response:
                    status = response.status
                    body = await response.json(content_type=None)
            except GONE:
                retried = True
                await self.server.wait_up(deadline)
                await asyncio.sleep(0.01)
                continue
            if status >= 500:
                self.counts.server_errors.append(f"{self.name}: {method} {path} → {status} {body}")
                raise AssertionError(self.counts.server_errors[-1])
            if status != 200:
                raise AssertionError(f"{self.name}: {method} {path} {kw.get('json')} → {status} {body}")
            return body, retried

    def _shown(self, messages: list[dict[str, Any]]) -> None:
        ids = [m["id"] for m in messages if m.get("id") is not None]
        if ids:
            self.cursor = max(self.cursor, *ids)

    async def send(self, body: dict[str, Any]) -> Answer:
        """Send one input (text or choice) with a fresh client id; the same id again after a crash."""
        client_id = f"{self.name}-{next(self._ids)}"
        data, retried = await self._call("POST", "/api/messages", json={**body, "id": client_id})
        messages = data["messages"]
        if retried:
            self.counts.retried += 1
        if any(m["direction"] == "in" for m in messages):  # handled now
            self._shown(messages)
            return Answer([m for m in messages if m["direction"] == "out"], retried=retried)
        # "Already handled": the first try reached the bot before the crash. The page shows the transcript.
        later = await self.poll()
        echoes = [i for i, m in enumerate(later) if m["direction"] == "in"]
        if echoes:
            self.counts.recovered += 1
            return Answer([m for m in later[echoes[-1] + 1 :] if m["direction"] == "out"], retried=True)
        self.counts.lost += 1
        return Answer([], retried=True, lost=True)

    async def say(self, text: str) -> Answer:
        return await self.send({"text": text})

    async def press(self, payload: str) -> Answer:
        return await self.send({"choice": payload})

    async def poll(self, wait: float = 0) -> list[dict[str, Any]]:
        """Every transcript row newer than what this browser showed (replies and pushes, both directions)."""
        found: list[dict[str, Any]] = []
        while True:
            data, _retried = await self._call(
                "GET", "/api/messages", params={"after": self.cursor, "wait": wait}
            )
            batch = data["messages"]
            found += batch
            self._shown(batch)
            if len(batch) < 200 or not batch:
                return found
            wait = 0

    async def transcript(self) -> list[dict[str, Any]]:
        """The whole stored transcript of this browser, from the start."""
        self.cursor, seen = 0, self.cursor
        try:
            return await self.poll()
        finally:
            self.cursor = max(self.cursor, seen)

    async def close(self) -> None:
        await self.http.close()
