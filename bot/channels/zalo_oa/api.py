"""Zalo OA Open API v3 and OAuth v4 calls, and what each Zalo error code means for delivery.

Zalo answers errors with HTTP 200 and a non-zero `error`, so the HTTP status says little; the codes decide:
retry after refreshing the token, pause, give up on this person, or fix the payload.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from bot import clock
from bot.channels.base import DeliveryError, Permanent, RetryAfter, Transient, Unreachable
from bot.channels.zalo_common import LazyHttp

log = logging.getLogger(__name__)

TOKEN_ERRORS = frozenset({-216, -220, -124})
UNREACHABLE = {
    -213: "not following the OA (-213)",
    -217: "blocked messages from the OA (-217)",
    -222: "user unreachable (-222)",
    -227: "user banned or inactive (-227)",
    -230: "no interaction with the OA in the last 7 days (-230)",
    -305: "48-hour reply window passed (-305)",
    -311: "reply quota for this user exhausted (-311)",
}
QUOTA_PAUSE = 3600.0
RATE_PAUSE = 10.0
DEFAULT_LIFETIME = 90000
MORNING_HOUR = 6  # Zalo refuses OA messages between 22:00 and 06:00 (-234)


class TokenRejected(DeliveryError):
    """The access token is invalid or expired (-216, -220, -124): refresh and try once more."""


class OAuthFailed(Exception):
    """The OAuth server refused a refresh (e.g. -14014: refresh token invalid, expired or already used)."""

    def __init__(self, code: int, name: str) -> None:
        super().__init__(f"{code} {name}")
        self.code = code


class QuotaExhausted(RetryAfter, Transient):
    """-211: the OA's message quota is used up; everything pauses for a long while."""


def seconds_until_morning(tz_name: str) -> float:
    local = clock.now().astimezone(ZoneInfo(tz_name))
    morning = local.replace(hour=MORNING_HOUR, minute=0, second=0, microsecond=0)
    if morning <= local:
        morning += timedelta(days=1)
    return max((morning - local).total_seconds(), 60.0)


def error_for(code: int, message: str, tz_name: str) -> DeliveryError:
    reason = f"{code} {message[:150]}".strip()
    if code in TOKEN_ERRORS:
        return TokenRejected(reason)
    if code == -32:
        return RetryAfter(RATE_PAUSE, reason)
    if code == -211:
        log.error("zalo oa message quota exhausted: pushes paused", extra={"pause_s": QUOTA_PAUSE})
        return QuotaExhausted(QUOTA_PAUSE, reason)
    if code == -234:
        return RetryAfter(seconds_until_morning(tz_name), reason)
    if code in UNREACHABLE:
        return Unreachable(UNREACHABLE[code])
    if code in (-233, -201):
        return Permanent(reason)
    return Transient(reason)


class OAApi(LazyHttp):
    def __init__(self, api_url: str, oauth_url: str, app_id: str, secret_key: str, tz_name: str) -> None:
        self.api_url = api_url.rstrip("/")
        self.oauth_url = oauth_url.rstrip("/")
        self.app_id = app_id
        self._secret = secret_key
        self._tz = tz_name

    async def _post(self, url: str, **kw: Any) -> dict[str, Any]:
        try:
            async with self.http.post(url, **kw) as response:
                status, raw = response.status, await response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise Transient(f"zalo oa: {type(error).__name__}") from None
        if status == 429:
            raise RetryAfter(RATE_PAUSE, "HTTP 429")
        if status >= 500:
            raise Transient(f"HTTP {status}")
        try:
            body = json.loads(raw)
        except ValueError:
            raise Transient(f"HTTP {status}: unreadable answer") from None
        if not isinstance(body, dict):
            raise Transient(f"HTTP {status}: unexpected answer")
        return body

    async def _api(self, path: str, access_token: str, **kw: Any) -> dict[str, Any]:
        body = await self._post(self.api_url + path, headers={"access_token": access_token}, **kw)
        code = body.get("error", 0)
        if code not in (0, "0", None):
            raise error_for(int(code), str(body.get("message", "")), self._tz)
        data = body.get("data")
        return data if isinstance(data, dict) else {}

    async def send(self, access_token: str, user_id: str, message: dict[str, Any]) -> str:
        """A consultation message; returns its message id."""
        data = await self._api(
            "/v3.0/oa/message/cs", access_token, json={"recipient": {"user_id": user_id}, "message": message}
        )
        return str(data.get("message_id", ""))

    async def upload_image(self, access_token: str, data: bytes, mime: str, filename: str) -> str:
        form = aiohttp.FormData()
        form.add_field("file", data, filename=filename, content_type=mime)
        answer = await self._api("/v2.0/oa/upload/image", access_token, data=form)
        attachment_id = answer.get("attachment_id")
        if not attachment_id:
            raise Transient("upload/image returned no attachment_id")
        return str(attachment_id)

    async def refresh(self, refresh_token: str) -> tuple[str, str, int]:
        """(access token, new single-use refresh token, seconds the access token lives)."""
        form = {"refresh_token": refresh_token, "app_id": self.app_id, "grant_type": "refresh_token"}
        body = await self._post(
            self.oauth_url + "/v4/oa/access_token", data=form, headers={"secret_key": self._secret}
        )
        if body.get("access_token") and body.get("refresh_token"):
            try:
                expires_in = int(body.get("expires_in") or 0)
            except (TypeError, ValueError):
                expires_in = 0
            # Zalo documents 25 h; a missing value is trusted as that (a -216 would still trigger a refresh).
            return str(body["access_token"]), str(body["refresh_token"]), expires_in or DEFAULT_LIFETIME
        code = body.get("error")
        raise OAuthFailed(
            int(code) if isinstance(code, int | str) and str(code).lstrip("-").isdigit() else 0,
            str(body.get("error_name", ""))[:100],
        )


def until(seconds: int) -> datetime:
    return clock.now() + timedelta(seconds=seconds)
