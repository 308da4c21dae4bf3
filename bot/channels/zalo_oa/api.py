"""Zalo OA Open API v3 and OAuth v4 calls, and what each Zalo error code means for delivery.

Zalo answers errors with HTTP 200 and a non-zero `error`, so the HTTP status says little; the codes decide:
retry after refreshing the token, pause, give up on this person, or fix the payload.

Beyond consultation messages: promotion messages, GMF group messages and ZNS template messages. Their paths,
shapes and codes come from third-party code, not Zalo's own pages (../shared/PLATFORMS.md "Zalo reach"): each is
one constant or setting here, and the README lists them as not verified against a live account.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from bot import clock
from bot.channels.base import (
    DeliveryError,
    NotNow,
    Permanent,
    QuotaExhausted,
    RetryAfter,
    Transient,
    Unreachable,
)
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
# Window codes: the person still follows the OA, only the consultation window (or its reply quota) is over, so
# a promotion message may still reach them. The other unreachable codes mean they cannot be reached by the OA.
WINDOW_CODES = frozenset({-230, -305, -311})
QUOTA_PAUSE = 3600.0
PROMOTION_PATH = "/v3.0/oa/message/promotion"  # [3P]
PROMOTION_HEADER_LIMIT = 100  # [3P] header element
PROMOTION_TEXT_LIMIT = 2000  # [U] the text element's limit is not published; the consultation limit
PROMOTION_MAX_BUTTONS = 4  # [3P] "up to a few"
ZNS_PATH = "/message/template"  # [3P]
# ZNS codes [U] (third-party tables disagree: -216 is "quota" in some, "token" in the OA API): an answer whose
# message says "quota" is read as out of quota whatever its code.
ZNS_QUOTA_CODES = frozenset({-211, -1124})
ZNS_NO_ACCOUNT = {-108: "phone number invalid for ZNS (-108)", -118: "no Zalo account for this phone (-118)"}
ZNS_TEMPLATE_ERRORS = frozenset({-131, -132, -201, -217, -218})
# [U] No source names the code for "this follower already had today's promotion"; the fake answers -240.
PROMOTION_CAP_CODES = frozenset({-240})


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


def is_window_reason(reason: str | None) -> bool:
    """An unreachable reason that still lets a promotion message through (the person follows the OA)."""
    return bool(reason) and any(f"({code})" in reason for code in WINDOW_CODES)  # type: ignore[operator]


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
    if code in (-233, -201) or code in PROMOTION_CAP_CODES:
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

    async def promote(self, access_token: str, user_id: str, message: dict[str, Any]) -> str:
        """A promotion message to a follower; returns its message id."""
        try:
            data = await self._api(
                PROMOTION_PATH, access_token, json={"recipient": {"user_id": user_id}, "message": message}
            )
        except RetryAfter as error:
            if isinstance(error, QuotaExhausted) or not error.reason.startswith("-234"):
                raise
            raise NotNow(error.seconds, error.reason) from None
        except Permanent as error:
            code = error.reason.split(" ", 1)[0]
            if code.lstrip("-").isdigit() and int(code) in PROMOTION_CAP_CODES:
                raise NotNow(seconds_until_morning(self._tz), error.reason) from None
            raise
        return str(data.get("message_id", ""))

    async def to_group(
        self, access_token: str, path: str, field: str, group_id: str, message: dict[str, Any]
    ) -> str:
        """A message to a GMF group chat the OA owns or manages."""
        data = await self._api(path, access_token, json={"recipient": {field: group_id}, "message": message})
        return str(data.get("message_id", ""))

    async def zns(self, zns_url: str, access_token: str, body: dict[str, Any]) -> tuple[str, int | None]:
        """A ZNS template message; returns (message id, remaining quota when the answer says)."""
        answer = await self._post(
            zns_url.rstrip("/") + ZNS_PATH, headers={"access_token": access_token}, json=body
        )
        code = answer.get("error", 0)
        if code not in (0, "0", None):
            raise zns_error_for(int(code), str(answer.get("message", "")))
        data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
        quota = data.get("quota") if isinstance(data.get("quota"), dict) else {}  # type: ignore[union-attr]
        remaining = quota.get("remainingQuota", quota.get("remaining_quota"))  # type: ignore[union-attr]
        try:
            left = int(remaining) if remaining is not None else None
        except (TypeError, ValueError):
            left = None
        return str(data.get("msg_id", data.get("message_id", ""))), left  # type: ignore[union-attr]

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


def zns_error_for(code: int, message: str) -> DeliveryError:
    reason = f"zns {code} {message[:150]}".strip()
    if code in ZNS_QUOTA_CODES or "quota" in message.lower():
        return QuotaExhausted(QUOTA_PAUSE, reason)
    if code in TOKEN_ERRORS:
        return TokenRejected(reason)
    if code in ZNS_NO_ACCOUNT:
        return Unreachable(ZNS_NO_ACCOUNT[code])
    if code in ZNS_TEMPLATE_ERRORS:
        return Permanent(reason)
    if code == -32:
        return RetryAfter(RATE_PAUSE, reason)
    return Transient(reason)


def until(seconds: int) -> datetime:
    return clock.now() + timedelta(seconds=seconds)
