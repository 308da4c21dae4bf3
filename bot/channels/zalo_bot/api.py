"""The Zalo Bot Platform HTTP API: `POST {base}/bot{token}/{method}` with JSON, and what its updates look like.

The token sits in the URL path, so no URL is ever logged or put into an exception message. Answers are
`{"ok":true,"result":…}` or `{"ok":false,"error_code":N,"description":…}`; some come without `result` and some
webhook bodies are bare updates, so everything here is read tolerantly.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp

from bot.channels.base import DeliveryError, Permanent, RetryAfter, Transient, Unreachable
from bot.channels.reconnect import reason
from bot.channels.zalo_common import LazyHttp
from bot.core.events import Attachment, ChatType, Incoming, Kind, parse_text
from bot.guard.http_input import InputRefused, loads

log = logging.getLogger(__name__)

CHANNEL = "zalo_bot"
IDLE = 408  # getUpdates answers HTTP 408 when nothing arrived within its timeout
# The message events the platform documents (PLATFORMS.md). Any other (a reaction, a kind added later) is not
# something the person typed, even with a text in it (the message reacted to): mid-form it would be an answer.
MESSAGE_EVENTS = frozenset(
    {
        "message.text.received",
        "message.image.received",
        "message.sticker.received",
        "message.unsupported.received",
    }
)


class Idle(Exception):
    """A long poll that ended without an update."""


class ZaloBotApi(LazyHttp):
    def __init__(self, base_url: str, token: str) -> None:
        self._base = f"{base_url.rstrip('/')}/bot{token}/"
        self._token = token

    async def call(self, method: str, body: dict[str, Any], timeout: float = 20) -> Any:  # noqa: ASYNC109
        """The `result` of a successful call (None when absent); a DeliveryError otherwise."""
        try:
            async with self.http.post(
                self._base + method, json=body, timeout=aiohttp.ClientTimeout(total=timeout)
            ) as response:
                status, raw = response.status, await response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise Transient(f"{method}: {reason(error, self._token)}") from None  # aiohttp may quote the URL
        try:
            answer = loads(raw) if raw else {}  # bounded: a hostile answer cannot crash the poller
        except InputRefused:
            if status != IDLE:
                # A web page, not the Bot API (a wrong base URL, a proxy's error page): never a success.
                raise Transient(
                    f"{method}: HTTP {status} with an answer that is not JSON: is "
                    "ANDAN_ZALO_BOT_API_URL right?"
                ) from None
            answer = {}
        if not isinstance(answer, dict):
            answer = {"ok": status == 200, "result": answer}
        if status == 200 and answer.get("ok", True) is not False:
            return answer.get("result")
        raise error_for(method, status, answer)


def error_for(method: str, status: int, answer: dict[str, Any]) -> Exception:
    code: int = answer["error_code"] if isinstance(answer.get("error_code"), int) else status
    description = str(answer.get("description") or "")[:200]
    reason = f"{method}: {code} {description}".strip()
    if IDLE in (code, status):
        return Idle() if method == "getUpdates" else Transient(reason)
    if code == 429 or status == 429:
        params: dict[str, Any] = answer["parameters"] if isinstance(answer.get("parameters"), dict) else {}
        return RetryAfter(float(params.get("retry_after") or 5), reason)
    if code == 403 or status == 403:
        return Unreachable(reason)
    if status >= 500 or code >= 500 or status == 0:
        return Transient(reason)
    if code == 401 or status == 401:
        log.error("zalo bot token rejected: check ANDAN_ZALO_BOT_TOKEN")
    return Permanent(reason)


def unwrap(body: Any) -> list[dict[str, Any]]:
    """Updates from a getUpdates result or a webhook body: bare, `{"ok":true,"result":…}`-wrapped, or a list."""
    if isinstance(body, dict) and "result" in body and "message" not in body:
        body = body["result"]
    items = body if isinstance(body, list) else [body]
    return [item for item in items if isinstance(item, dict) and isinstance(item.get("message"), dict)]


def is_message(update: dict[str, Any]) -> bool:
    """Whether an update (one `unwrap` returned) is one of the documented MESSAGE_EVENTS."""
    name = update.get("event_name")
    return isinstance(name, str) and name in MESSAGE_EVENTS


def _id(value: Any) -> str:
    """An id as text; only a string or an integer is an id (an object or list from a malformed update is not)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value)[:128]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def to_event(update: dict[str, Any]) -> Incoming | None:
    """A neutral event, or None for what the bot cannot read (stickers, unsupported content, other bots).
    Fields are type-checked: a malformed update is dropped here rather than failing later in a handler."""
    message = update["message"]
    sender: dict[str, Any] = message["from"] if isinstance(message.get("from"), dict) else {}
    chat: dict[str, Any] = message["chat"] if isinstance(message.get("chat"), dict) else {}
    user_id = _id(sender.get("id"))
    if not user_id or sender.get("is_bot") is True:
        return None
    chat_id = _id(chat.get("id")) or user_id
    chat_type = ChatType.GROUP if str(chat.get("chat_type", "")).upper() == "GROUP" else ChatType.PRIVATE
    message_id = _id(message.get("message_id"))
    common: dict[str, Any] = {
        "chat_type": chat_type,
        "display_name": _text(sender.get("display_name")) or _text(sender.get("first_name")),
        "update_key": message_id or None,
    }
    event_name = str(update.get("event_name", ""))
    photo = message.get("photo_url") or message.get("photo")
    if isinstance(photo, list):  # some variants send sizes: the last is the largest
        photo = photo[-1].get("url") if photo and isinstance(photo[-1], dict) else None
    if "image" in event_name or (isinstance(photo, str) and photo):
        if not isinstance(photo, str) or not photo:
            return None
        caption = _text(message.get("caption")) or _text(message.get("text")) or ""
        attachment = Attachment(kind="photo", fetch=photo, mime_type="image/jpeg")
        return Incoming(
            CHANNEL, user_id, chat_id, Kind.MEDIA, text=caption, attachments=(attachment,), **common
        )
    text = message.get("text")
    if "sticker" in event_name or not isinstance(text, str) or not text.strip():
        return None
    return parse_text(CHANNEL, user_id, chat_id, text, **common)


def unreadable(update: dict[str, Any]) -> Incoming | None:
    """A sticker (a thumbs-up, a smile) or unsupported content in a private chat, as an event the core answers
    (a form asks its question again); None for anything else `to_event` left out (other bots, group noise)."""
    if not any(kind in str(update.get("event_name", "")) for kind in ("unsupported", "sticker")):
        return None
    message = update["message"]
    sender: dict[str, Any] = message["from"] if isinstance(message.get("from"), dict) else {}
    chat: dict[str, Any] = message["chat"] if isinstance(message.get("chat"), dict) else {}
    user_id = _id(sender.get("id"))
    if not user_id or sender.get("is_bot") is True or str(chat.get("chat_type", "")).upper() == "GROUP":
        return None
    return Incoming(
        CHANNEL,
        user_id,
        _id(chat.get("id")) or user_id,
        Kind.UNREADABLE,
        update_key=_id(message.get("message_id")) or None,
    )


__all__ = [
    "CHANNEL",
    "MESSAGE_EVENTS",
    "DeliveryError",
    "Idle",
    "ZaloBotApi",
    "is_message",
    "to_event",
    "unreadable",
    "unwrap",
]
