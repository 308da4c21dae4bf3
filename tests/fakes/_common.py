"""Shared machinery for the loopback platform fakes.

Everything every fake needs lives here once: the aiohttp server life cycle,
request parsing and recording, ``wait_for``, error injection (``fail_next``),
latency, statistics, static file hosting and webhook pushing.  The fakes in
the sibling modules only add their platform's routes and JSON shapes.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Self

import aiohttp
from aiohttp import web

Clock = Callable[[], float]
Reply = tuple[int, dict[str, Any]]
JSON = dict[str, Any]

# Form fields that are free text or opaque ids: never guess a JSON type for
# them, or a user typing "123" or "[ok]" would be turned into a number/list.
RAW_TEXT_FIELDS = frozenset(
    {
        "text",
        "caption",
        "query",
        "description",
        "short_description",
        "secret_token",
        "callback_query_id",
        "file_id",
        "url",
        "title",
        "first_name",
        "last_name",
        "phone_number",
        "address",
        "sticker",
        "emoji",
        "name",
        "data",
        "payload",
        "parse_mode",
        "action",
        "language_code",
        "username",
        "inline_message_id",
        "refresh_token",
        "access_token",
        "app_id",
        "grant_type",
        "code",
    }
)
_JSONISH = re.compile(r"^(\{.*\}|\[.*\]|-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)$", re.S)


def dumps(obj: Any) -> str:
    """Compact JSON with real UTF-8 (Vietnamese text stays readable in records)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def decode_form_value(key: str, value: str) -> Any:
    """Undo python-telegram-bot's form encoding: non-str values are json.dumps'ed."""
    if key in RAW_TEXT_FIELDS or not _JSONISH.match(value.strip()):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def parse_params(request: web.Request) -> JSON:
    """Decode a request body (JSON, urlencoded or multipart) plus its query string."""
    params: JSON = {k: decode_form_value(k, v) for k, v in request.query.items()}
    ctype = request.content_type
    if ctype.startswith("multipart/"):
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                params[part.name] = {
                    "filename": part.filename,
                    "content_type": part.headers.get("Content-Type", "application/octet-stream"),
                    "data": bytes(await part.read()),
                }
            else:
                params[part.name] = decode_form_value(part.name, await part.text())
        return params
    raw = await request.read()
    if not raw:
        return params
    if ctype == "application/x-www-form-urlencoded":
        form = await request.post()
        params.update({k: decode_form_value(k, str(v)) for k, v in form.items()})
        return params
    try:
        body = json.loads(raw)
    except ValueError:
        params["_unparsed"] = raw.decode("utf-8", "replace")
        return params
    if isinstance(body, dict):
        params.update(body)
    else:
        params["_body"] = body
    return params


@dataclass
class RecordedRequest:
    """One API call as the fake saw it, and (once answered) what it replied."""

    method: str
    params: JSON
    headers: dict[str, str]
    at: float
    path: str = ""
    http_method: str = "POST"
    status: int | None = None
    response: JSON | None = None
    outcome: str | None = None  # "ok" | "error" | "rate_limited", None while in flight

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


@dataclass
class Stats:
    """Counters over every answered API call, overall and per method."""

    requests: int = 0
    ok: int = 0
    errors: int = 0
    rate_limited: int = 0
    by_method: dict[str, Counter[str]] = field(default_factory=dict)

    def count(self, method: str, outcome: str) -> None:
        self.requests += 1
        if outcome == "ok":
            self.ok += 1
        else:
            self.errors += 1
            if outcome == "rate_limited":
                self.rate_limited += 1
        per = self.by_method.setdefault(method, Counter())
        per["requests"] += 1
        per[outcome] += 1


class Signal:
    """A re-armable broadcast: ``fire()`` is sync so sync injectors can wake waiters.

    (asyncio.Condition needs its lock held to notify, which a plain method such as
    ``fake.user_text(...)`` cannot do.)
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait(self, seconds: float | None = None) -> bool:
        """True when fired, False when ``seconds`` passed first."""
        try:
            await asyncio.wait_for(self._event.wait(), seconds)
        except TimeoutError:
            return False
        return True


class SlidingWindow:
    """Counts events in the last ``period`` seconds, per key, on an injectable clock."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._hits: dict[Any, deque[float]] = {}

    def _window(self, key: Any, period: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        horizon = self.clock() - period
        while hits and hits[0] <= horizon:
            hits.popleft()
        return hits

    def retry_after(self, key: Any, limit: int, period: float) -> float:
        """0 if one more event fits, else seconds until the oldest one leaves the window."""
        hits = self._window(key, period)
        if len(hits) < limit:
            return 0.0
        return max(hits[len(hits) - limit] + period - self.clock(), 0.001)

    def hit(self, key: Any) -> None:
        self._hits.setdefault(key, deque()).append(self.clock())


@dataclass
class InjectedError:
    """An error reply queued by ``fail_next``."""

    status: int
    body: JSON
    remaining: int = 1


class WebhookPusher:
    """Delivers payloads to a webhook one at a time, in order, retrying non-2xx replies."""

    def __init__(self, session: Callable[[], aiohttp.ClientSession], retries: int, retry_delay: float):
        self._session = session
        self.retries = retries
        self.retry_delay = retry_delay
        self.deliveries: list[JSON] = []  # one per payload: final status and attempts
        self.failures: list[JSON] = []  # one per failed attempt (getWebhookInfo's last error)
        self._queue: asyncio.Queue[tuple[str, bytes, dict[str, str], Any]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        # What the platform does with a 2xx reply's body (Telegram runs a Bot API method given there).
        self.on_reply: Callable[[bytes], Awaitable[None]] | None = None

    def enqueue(self, url: str, body: bytes, headers: dict[str, str], tag: Any = None) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())
        self._queue.put_nowait((url, body, headers, tag))

    async def post(
        self, url: str, body: bytes, headers: dict[str, str], retries: int | None = None
    ) -> tuple[int, int]:
        """POST with retries; returns (last HTTP status or 0 on connection error, attempts)."""
        retries = self.retries if retries is None else retries
        status, attempt = 0, 0
        for attempt in range(1, retries + 2):
            try:
                async with self._session().post(url, data=body, headers=headers) as resp:
                    reply = await resp.read()
                    status = resp.status
            except (aiohttp.ClientError, OSError):
                status = 0
            if 200 <= status < 300:
                if self.on_reply is not None:
                    await self.on_reply(reply)
                break
            self.failures.append({"url": url, "status": status, "at": time.time()})
            if attempt <= retries:
                await asyncio.sleep(self.retry_delay)
        return status, attempt

    async def _run(self) -> None:
        while True:
            url, body, headers, tag = await self._queue.get()
            try:
                status, attempts = await self.post(url, body, headers)
                self.deliveries.append({"url": url, "status": status, "attempts": attempts, "tag": tag})
            finally:
                self._queue.task_done()

    async def idle(self) -> None:
        await self._queue.join()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass


class FakeServer:
    """Base class: an aiohttp server on 127.0.0.1 with recording and injection."""

    #: API methods whose successful calls count as "sent messages" for ``sent()``.
    SEND_METHODS: frozenset[str] = frozenset()

    def __init__(
        self, *, clock: Clock = time.monotonic, webhook_retries: int = 3, webhook_retry_delay: float = 0.05
    ) -> None:
        self.clock = clock
        self.latency: float = 0.0
        self.base_url = ""
        self.requests: list[RecordedRequest] = []
        self.stats = Stats()
        self._injected: dict[str, deque[InjectedError]] = {}
        self._hosted: dict[str, tuple[bytes, str]] = {}
        self._ids = itertools.count(1)
        self._changed = Signal()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.pusher = WebhookPusher(self._session, webhook_retries, webhook_retry_delay)

    # ----- life cycle -------------------------------------------------------------
    def _add_routes(self, app: web.Application) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    async def start(self) -> Self:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/_hosted/{key}/{name}", self._serve_hosted)
        self._add_routes(app)
        # A short shutdown timeout: open long polls must not hold stop() for a minute.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        self._closing = False
        return self

    async def stop(self) -> None:
        self._closing = True
        self._changed.fire()  # release long polls and wait_for callers
        await self.pusher.close()
        if self._client is not None:
            await self._client.close()
            self._client = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _session(self) -> aiohttp.ClientSession:
        if self._client is None or self._client.closed:
            self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        return self._client

    # ----- hosting ----------------------------------------------------------------
    def host_bytes(
        self, data: bytes, content_type: str = "application/octet-stream", name: str = "file"
    ) -> str:
        """Serve ``data`` over loopback and return its absolute URL."""
        key = f"h{next(self._ids)}"
        self._hosted[key] = (data, content_type)
        return f"{self.base_url}/_hosted/{key}/{name}"

    async def _serve_hosted(self, request: web.Request) -> web.Response:
        found = self._hosted.get(request.match_info["key"])
        if found is None:
            raise web.HTTPNotFound()
        return web.Response(body=found[0], content_type=found[1])

    # ----- error injection --------------------------------------------------------
    # Each fake turns ``fail_next``'s error spec (codes, presets, bodies) into a reply.
    _make_error: Callable[..., InjectedError]

    def fail_next(self, method: str, error: Any, times: int = 1, **details: Any) -> None:
        """Answer the next ``times`` calls of ``method`` ("*" = any method) with ``error``."""
        injected = self._make_error(error, **details)
        injected.remaining = times
        self._injected.setdefault(method, deque()).append(injected)

    def _take_injected(self, method: str) -> Reply | None:
        for key in (method, "*"):
            queue = self._injected.get(key)
            if queue:
                head = queue[0]
                head.remaining -= 1
                if head.remaining <= 0:
                    queue.popleft()
                return head.status, head.body
        return None

    # ----- recording and dispatch -------------------------------------------------
    def _outcome(self, status: int, body: JSON) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    async def _dispatch(
        self,
        request: web.Request,
        method: str,
        handler: Callable[[RecordedRequest], Awaitable[Reply]],
        params: JSON | None = None,
    ) -> web.Response:
        """Parse, record, delay, answer; every API route goes through here."""
        if params is None:
            params = await parse_params(request)
        rec = RecordedRequest(
            method=method,
            params=params,
            headers=dict(request.headers),
            at=self.clock(),
            path=request.path,
            http_method=request.method,
        )
        self.requests.append(rec)
        self._changed.fire()
        if self.latency:
            await asyncio.sleep(self.latency)
        status, body = await handler(rec)
        rec.status, rec.response, rec.outcome = status, body, self._outcome(status, body)
        self.stats.count(method, rec.outcome)
        self._changed.fire()
        return web.json_response(body, status=status, dumps=dumps)

    async def wait_for(
        self,
        predicate: Callable[[RecordedRequest], bool],
        timeout: float = 5,  # noqa: ASYNC109 - the fakes' API
    ) -> RecordedRequest:
        """Wait until a recorded request satisfies ``predicate``; return it."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for rec in self.requests:
                if predicate(rec):
                    return rec
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0 or self._closing or not await self._changed.wait(left):
                seen = [r.method for r in self.requests[-20:]]
                raise TimeoutError(f"no matching request within {timeout}s; last methods: {seen}")

    # ----- queries ----------------------------------------------------------------
    def _chat_of(self, params: JSON) -> Any:
        return params.get("chat_id")

    def _sent_records(self, method: str | None = None, chat_id: Any = None) -> Iterable[RecordedRequest]:
        for rec in self.requests:
            if not rec.ok or rec.method not in self.SEND_METHODS:
                continue
            if method is not None and rec.method != method:
                continue
            if chat_id is not None and str(self._chat_of(rec.params)) != str(chat_id):
                continue
            yield rec

    def sent(self, method: str | None = None, chat_id: Any = None) -> list[JSON]:
        """Params of successful send-type calls, oldest first."""
        return [rec.params for rec in self._sent_records(method, chat_id)]

    async def wait_sent(
        self,
        chat_id: Any = None,
        method: str | None = None,
        count: int = 1,
        timeout: float = 5,  # noqa: ASYNC109
    ) -> list[JSON]:
        """Wait until at least ``count`` matching messages were sent; return them all."""

        def enough(_: RecordedRequest) -> bool:
            return len(self.sent(method, chat_id)) >= count

        await self.wait_for(enough, timeout)
        return self.sent(method, chat_id)

    def calls(self, method: str) -> list[RecordedRequest]:
        return [rec for rec in self.requests if rec.method == method]
