"""Reconnecting to a chat platform: growing retry delays, and error texts that are safe to log.

Bot tokens sit in the platforms' URL paths, and HTTP libraries quote URLs (and sometimes the server's answer,
which may echo the path) in their error messages: anything logged about a failed call goes through `redact`.
"""

from __future__ import annotations

import random

TOKEN_MARK = "<token>"
MAX_REASON = 300  # an HTML error page quoted whole would bury the line


class Backoff:
    """Delays of first, 2×first, 4×first… up to `cap`, each drawn from the upper half of its step ("equal
    jitter"), so that several processes cut off by one outage do not all come back at the same instant."""

    def __init__(self, first: float, cap: float) -> None:
        self.first = first
        self.cap = cap
        self._step = first

    def next(self) -> float:
        delay = self._step
        self._step = min(delay * 2, self.cap)
        return delay / 2 + random.uniform(0, delay / 2)

    def reset(self) -> None:
        self._step = self.first


def redact(text: str, token: str) -> str:
    """`text` without the token, whole or only its secret part (after "1234:"), which survives URL-encoding."""
    secret = token.partition(":")[2]
    for part in (token, secret):
        if part:
            text = text.replace(part, TOKEN_MARK)
    return text[:MAX_REASON]


def reason(error: BaseException, token: str) -> str:
    """`Class: message` of an error, without the token."""
    message = str(error).strip()
    return redact(f"{type(error).__name__}: {message}" if message else type(error).__name__, token)
