"""python-telegram-bot's HTTP transport on aiohttp (PTB's documented `BaseRequest` extension point).

PTB's default transport (httpx/httpcore) costs several milliseconds of CPU per call once its pool holds many
connections: for every request it walks every pooled connection and asks each socket whether it expired.
A paid broadcast keeps a few hundred calls in flight at 1,000 messages/s, so that alone caps the bot near 150/s.
aiohttp, which the rest of the app already uses, hands out pooled connections in constant time.

Everything above the wire stays PTB's: it builds the parameters, reads Telegram's answers and raises its own
errors (RetryAfter, Forbidden, ...) from the status and body returned here.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

USER_AGENT = "An Dan (python-telegram-bot, aiohttp)"


class NotBotApi(NetworkError):
    """The server answered, but not with a JSON object: ANDAN_TELEGRAM_API_URL points at something that is not a Bot API
    server (a web server's 404 page, a proxy's error page). A NetworkError, so that it is retried, and raised
    instead of PTB's own errors, whose messages quote the answer (which may echo the token-bearing path)."""

    def __init__(self, status: int) -> None:
        super().__init__(
            f"HTTP {status} with an answer that is not JSON: is ANDAN_TELEGRAM_API_URL a Bot API server?"
        )
        self.status = status


def _seconds(value: Any, default: float | None) -> float | None:
    """PTB passes DEFAULT_NONE when a call sets no timeout of its own: use ours then."""
    return default if isinstance(value, type(BaseRequest.DEFAULT_NONE)) else value


class AiohttpRequest(BaseRequest):
    """One connection pool to the Bot API; JSON bodies, multipart when a file is uploaded.

    aiohttp has no separate pool or write timeouts: a call waits at most `pool + connect` seconds for a
    connection and `read` seconds between bytes of the answer; uploads get `media_write` as their total.
    """

    def __init__(
        self,
        pool_size: int = 256,
        connect: float = 5.0,
        read: float | None = 5.0,
        pool: float = 1.0,
        media_write: float = 20.0,
    ) -> None:
        self._pool_size = pool_size
        self._connect, self._read, self._pool, self._media_write = connect, read, pool, media_write
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # limit_per_host too: every call goes to one host, and the pool is that host's.
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=self._pool_size)
            # The Bot API sets no cookies: a jar would only be searched on every call.
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": USER_AGENT}, cookie_jar=aiohttp.DummyCookieJar()
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        connect = _seconds(connect_timeout, self._connect)
        pool = _seconds(pool_timeout, self._pool)
        read = _seconds(read_timeout, self._read)
        total = None
        body: Any = None
        headers: dict[str, str] = {}
        if request_data is not None and request_data.contains_files:
            body = aiohttp.FormData(request_data.json_parameters)
            for name, (filename, content, mimetype) in request_data.multipart_data.items():
                body.add_field(name, content, filename=filename, content_type=mimetype)
            total = _seconds(write_timeout, self._media_write)
        elif request_data is not None:
            # Not PTB's json_payload: it nests each value as a JSON string inside the JSON object.
            body = json.dumps(request_data.parameters, ensure_ascii=False, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        waiting = None if connect is None else connect + (pool or 0.0)
        timeout = aiohttp.ClientTimeout(total=total, connect=waiting, sock_connect=connect, sock_read=read)
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                status, answer = response.status, await response.read()
        except TimeoutError as error:  # aiohttp's ServerTimeoutError is one too
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
        if not 200 <= status <= 299:
            try:  # errors are rare: checking their body costs nothing on the hot path
                parsed = json.loads(answer)
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict):
                raise NotBotApi(status)
        return status, answer

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        """PTB's parser, without its ERROR log that quotes the whole answer."""
        try:
            parsed = json.loads(payload.decode("utf-8", "replace"))
        except ValueError:
            raise NotBotApi(200) from None
        if not isinstance(parsed, dict):
            raise NotBotApi(200)
        return parsed
