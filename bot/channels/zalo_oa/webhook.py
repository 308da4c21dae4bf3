"""Zalo OA webhook events: the signature check and the translation of events into neutral ones.

`X-ZEvent-Signature: mac=<hex>` where hex is the plain SHA-256 (not an HMAC) of app_id + the raw body bytes +
the body's `timestamp` + the OA secret key. The exact bytes received are hashed: re-serialised JSON differs.
The timestamp is read from the raw bytes (`signed_timestamp`), so the signature is checked before any parse.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from collections import deque
from dataclasses import dataclass
from typing import Any

from bot.core.events import Attachment, ChatType, Incoming, Kind, Location, parse_text

CHANNEL = "zalo_oa"
SIGNATURE_HEADER = "X-ZEvent-Signature"
BUTTON_MARK = "#"  # button payloads come back as text; this mark tells them from typed words
# GMF group chats of the OA [3P]: "user_send_group_<kind>" events carry the group's id in `recipient.id`; other
# sources name it `group_id` or `conversation_id` (at the top, in `recipient` or in `group_info`). Our chat id
# for a group is this prefix and the group's id, so replies and pushes know to use the group endpoint.
GROUP_EVENT_PREFIX = "user_send_group_"
GROUP_PREFIX = "group:"


def signature(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    digest = hashlib.sha256(app_id.encode() + raw_body + timestamp.encode() + oa_secret_key.encode())
    return "mac=" + digest.hexdigest()


def signed(header: str, app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> bool:
    expected = signature(app_id, raw_body, timestamp, oa_secret_key)
    # A header may carry any byte (aiohttp keeps non-UTF-8 ones as surrogates): compared, never an error.
    return hmac.compare_digest(header.strip().encode("utf-8", "surrogateescape"), expected.encode())


# A "timestamp" key (not one inside a string, where its quote would be escaped) and its digits, quoted or not.
_TIMESTAMP = re.compile(rb'(?<!\\)"timestamp"\s*:\s*(?:"(\d{1,20})"|(\d{1,20}))')
TIMESTAMP_CANDIDATES = 4


def timestamps_in(raw_body: bytes) -> list[str]:
    """The values of "timestamp" keys in the raw body, found without parsing it: one regex pass (linear), the
    last few kept, last first (the envelope's comes last; a nested event could carry its own)."""
    found: deque[str] = deque(maxlen=TIMESTAMP_CANDIDATES)
    for match in _TIMESTAMP.finditer(raw_body):
        found.append((match.group(1) or match.group(2)).decode())
    return list(reversed(found))


def signed_timestamp(header: str, app_id: str, raw_body: bytes, oa_secret_key: str) -> str | None:
    """The timestamp the signature covers, or None when no candidate makes the signature valid."""
    for timestamp in timestamps_in(raw_body):
        if signed(header, app_id, raw_body, timestamp, oa_secret_key):
            return timestamp
    return None


def signed_at(timestamp: str) -> float:
    """Seconds since the epoch of an event's timestamp: milliseconds, as Zalo sends; small values as seconds,
    so a platform change to seconds would not make every event look 50 years old."""
    value = int(timestamp)
    return value / 1000 if value >= 10**11 else float(value)


@dataclass(frozen=True)
class Followed:
    """A follow (True) or unfollow (False) of the OA."""

    user_id: str
    following: bool


def _obj(value: Any) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one: every field of an event is read defensively."""
    return value if isinstance(value, dict) else {}


def _float(value: Any) -> float | None:
    if isinstance(value, str) and len(value) > 64:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _id(value: Any) -> str:
    """An id as text; only a string or an integer is an id (an object or list is not)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value)[:128]


def _size(payload: dict[str, Any]) -> int | None:
    size = _float(payload.get("size"))
    return int(size) if size is not None and size > 0 else None


def _location(payload: dict[str, Any]) -> Location | None:
    coords = _obj(payload.get("coordinates")) or payload
    lat = _float(coords.get("latitude", coords.get("lat")))
    lon = _float(coords.get("longitude", coords.get("long", coords.get("lng"))))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return Location(lat, lon)


def _attachment(kind: str, payload: dict[str, Any]) -> Attachment | None:
    url = payload.get("url")
    if not isinstance(url, str) or not url:
        return None
    size = _size(payload)
    if kind == "image":
        return Attachment(kind="photo", fetch=url, mime_type="image/jpeg")
    if kind == "audio":
        return Attachment(kind="voice", fetch=url, mime_type="audio/aac", size=size)
    if kind == "video":
        return Attachment(kind="video", fetch=url, mime_type="video/mp4", size=size)
    name = payload.get("name") if isinstance(payload.get("name"), str) else None
    return Attachment(kind="file", fetch=url, filename=name, size=size)


def parse(event: dict[str, Any]) -> Incoming | Followed | None:
    """A neutral event, a follow change, or None for what the bot ignores (echoes, seen receipts)."""
    name = str(event.get("event_name", ""))
    if name in ("follow", "unfollow"):
        follower = _obj(event.get("follower"))
        uid = _id(follower.get("id"))
        return Followed(uid, name == "follow") if uid else None
    if name.startswith(GROUP_EVENT_PREFIX):
        return _group_event(event, name)
    if not name.startswith("user_send_"):
        return None
    sender, message = _obj(event.get("sender")), _obj(event.get("message"))
    user_id = _id(sender.get("id"))
    if not user_id:
        return None
    msg_id = _id(message.get("msg_id"))
    common: dict[str, Any] = {"update_key": msg_id or None}
    text: str = message["text"] if isinstance(message.get("text"), str) else ""
    if name == "user_send_text":
        stripped = text.strip()
        if not stripped:
            return None
        if stripped.startswith(BUTTON_MARK) and ":" in stripped and len(stripped) <= 65:
            choice = stripped[len(BUTTON_MARK) :]
            return Incoming(CHANNEL, user_id, user_id, Kind.CHOICE, choice=choice, **common)
        return parse_text(CHANNEL, user_id, user_id, text, **common)
    listed = message.get("attachments")
    attachments = [a for a in listed if isinstance(a, dict)] if isinstance(listed, list) else []
    payloads = [(str(a.get("type", "")), _obj(a.get("payload"))) for a in attachments]
    if name == "user_send_location":
        for _kind, payload in payloads:
            if (location := _location(payload)) is not None:
                return Incoming(CHANNEL, user_id, user_id, Kind.LOCATION, location=location, **common)
        return None
    kind = name.removeprefix("user_send_")
    if kind == "link":
        # A link shared with Zalo's share button (a scam link to check, a page about a tip): its address is what
        # the person means, as if pasted.
        urls = [u for _t, p in payloads if isinstance(u := p.get("url"), str) and u.strip()]
        said = " ".join([text.strip(), *(u.strip() for u in urls if u.strip() not in text)]).strip()
        return parse_text(CHANNEL, user_id, user_id, said, **common) if said else None
    if kind not in ("image", "file", "audio", "video"):
        # Stickers, GIFs, business cards: answered (a form asks its question again), never left in silence.
        return Incoming(CHANNEL, user_id, user_id, Kind.UNREADABLE, **common)
    found = tuple(a for t, p in payloads if (a := _attachment(t or kind, p)) is not None)
    if not found:
        return None
    return Incoming(CHANNEL, user_id, user_id, Kind.MEDIA, text=text, attachments=found, **common)


def group_id_of(event: dict[str, Any]) -> str:
    recipient, info = _obj(event.get("recipient")), _obj(event.get("group_info"))
    for value in (
        event.get("group_id"),
        event.get("conversation_id"),
        recipient.get("group_id"),
        recipient.get("conversation_id"),
        info.get("group_id"),
        recipient.get("id"),
    ):
        if found := _id(value):
            return found
    return ""


def _group_event(event: dict[str, Any], name: str) -> Incoming | None:
    """Text typed in a GMF group chat: in groups the bot answers commands (and a pressed button) only."""
    if name != GROUP_EVENT_PREFIX + "text":
        return None
    sender, message = _obj(event.get("sender")), _obj(event.get("message"))
    user_id, group_id = _id(sender.get("id")), group_id_of(event)
    text = message.get("text")
    if not user_id or not group_id or not isinstance(text, str) or not text.strip():
        return None
    msg_id = _id(message.get("msg_id"))
    common: dict[str, Any] = {"update_key": msg_id or None, "chat_type": ChatType.GROUP}
    chat_id = GROUP_PREFIX + group_id
    stripped = text.strip()
    if stripped.startswith(BUTTON_MARK) and ":" in stripped and len(stripped) <= 65:
        return Incoming(CHANNEL, user_id, chat_id, Kind.CHOICE, choice=stripped[len(BUTTON_MARK) :], **common)
    return parse_text(CHANNEL, user_id, chat_id, text, **common)
