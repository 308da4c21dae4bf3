"""Structured (JSON-lines) logging. Message text and platform user ids are never logged at info level."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

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
    for noisy in ("httpx", "httpcore", "telegram", "apscheduler", "aiohttp.access", "alembic.runtime.plugins",
                  "aiosqlite"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
