"""Structured (JSON-lines) logging. Message text and platform user ids are never logged at info level.

Malformed HTTP requests, which any client can send, reach the log as at most one WARNING line a minute
(`MalformedRequests`), never as an ERROR with a traceback.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

from aiohttp.http_exceptions import HttpProcessingError

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def setup(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Libraries that log request URLs at info level would leak bot tokens (they sit in the URL path).
    # aiosqlite logs every SQL parameter at debug level: platform ids and message text included.
    for noisy in (
        "httpx",
        "httpcore",
        "telegram",
        "apscheduler",
        "aiohttp.access",
        "alembic.runtime.plugins",
        "aiosqlite",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class Throttle:
    """At most one log line per `interval` seconds for something any client can cause at will (a malformed
    request, a forged signature), with the count of those left out since the last line."""

    def __init__(self, interval: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval, self.clock = interval, clock
        self._next = 0.0
        self._suppressed = 0

    def allow(self) -> int | None:
        """None while quiet (one more left out); otherwise how many were left out before this one."""
        now = self.clock()
        if now < self._next:
            self._suppressed += 1
            return None
        self._next = now + self.interval
        left_out, self._suppressed = self._suppressed, 0
        return left_out


class MalformedRequests(logging.Filter):
    """aiohttp logs each malformed request (a bad header, a bad chunk size, a request line over 8 KB) at ERROR with
    a full traceback, although it answers 400 correctly: any client could flood the log. On the "aiohttp.server"
    logger this turns such a record into one WARNING line per `interval` seconds, without traceback, counting the
    ones left out meanwhile. Every other record, a real server bug included, passes unchanged."""

    def __init__(self, interval: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.throttle = Throttle(interval, clock)

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if record.levelno < logging.WARNING or not isinstance(error, HttpProcessingError):
            return True
        left_out = self.throttle.allow()
        if left_out is None:
            return False
        # The record is rewritten in place (handlers receive this same object); the client's address stays out.
        record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        record.msg, record.args = "malformed HTTP request refused", ()
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        record.reason = type(error).__name__
        record.suppressed = left_out
        return True


def tame_server_errors(interval: float = 60.0) -> None:
    """Install MalformedRequests on aiohttp's server logger once per process."""
    server = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, MalformedRequests) for f in server.filters):
        server.addFilter(MalformedRequests(interval))
