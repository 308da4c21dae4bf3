"""Zalo OA webhook events: the signature, the event builders and ``post_event``.

The envelope (third-party sources, see PLATFORMS.md) is
``{"app_id","sender":{"id"},"user_id_by_app","recipient":{"id"},"event_name",
"message":{"msg_id","text"|"attachments"},"timestamp"}`` with string ids and a
millisecond string timestamp.  follow/unfollow use ``oa_id`` and
``follower.id`` instead of sender/recipient/message, as Zalo sends them.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from typing import Any

from ._common import JSON, WebhookPusher, dumps

USER_EVENTS_PREFIXES = ("user_send_", "user_submit_info", "user_reacted_", "follow")


def zalo_oa_signature(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """``X-ZEvent-Signature`` value: ``mac=`` + plain SHA-256 (not HMAC) of
    app_id + raw body bytes + timestamp + OA secret key."""
    digest = hashlib.sha256(app_id.encode() + raw_body + timestamp.encode() + oa_secret_key.encode())
    return f"mac={digest.hexdigest()}"


class ZaloOAEventsMixin:
    """Event builders and signed delivery; mixed into FakeZaloOA."""

    app_id: str
    oa_id: str
    oa_secret_key: str
    pusher: WebhookPusher
    webhook_posts: list[JSON]

    def touch(self, user_id: Any) -> None:  # pragma: no cover - provided by the server
        raise NotImplementedError

    def set_following(self, user_id: Any, following: bool = True) -> None:  # pragma: no cover
        raise NotImplementedError

    def user_id_by_app(self, user_id: Any) -> str:
        """A stable per-app id for a user (Zalo scopes ids per app and per OA)."""
        digest = hashlib.sha1(f"{self.app_id}:{user_id}".encode()).hexdigest()
        return str(int(digest[:15], 16))

    def _note_interaction(self, event: JSON) -> None:
        name = str(event.get("event_name", ""))
        uid = (event.get("sender") or event.get("follower") or {}).get("id")
        if uid is None:
            return
        if name == "unfollow":
            self.set_following(uid, False)
            return
        if name == "follow":
            self.set_following(uid, True)
        if name.startswith(USER_EVENTS_PREFIXES):
            self.touch(uid)

    def _event(self, event_name: str, user_id: Any, message: JSON) -> JSON:
        uid = str(user_id)
        event = {
            "app_id": self.app_id,
            "sender": {"id": uid},
            "user_id_by_app": self.user_id_by_app(uid),
            "recipient": {"id": self.oa_id},
            "event_name": event_name,
            "message": {"msg_id": uuid.uuid4().hex[:19], **message},
            "timestamp": str(int(time.time() * 1000)),
        }
        self._note_interaction(event)
        return event

    def user_send_text(self, user_id: Any, text: str) -> JSON:
        """Also what an oa.query.show/hide button press looks like (its payload as text)."""
        return self._event("user_send_text", user_id, {"text": text})

    def user_send_image(self, user_id: Any, url: str, text: str = "") -> JSON:
        attachment = {"type": "image", "payload": {"url": url, "thumbnail": url}}
        return self._event("user_send_image", user_id, {"text": text, "attachments": [attachment]})

    def user_send_location(self, user_id: Any, lat: float, lon: float) -> JSON:
        payload = {"coordinates": {"latitude": str(lat), "longitude": str(lon)}}
        return self._event(
            "user_send_location", user_id, {"attachments": [{"type": "location", "payload": payload}]}
        )

    def user_send_file(self, user_id: Any, url: str, name: str, size: int) -> JSON:
        ext = name.rsplit(".", 1)[-1] if "." in name else ""
        payload = {
            "url": url,
            "name": name,
            "size": str(size),
            "type": ext,
            "checksum": hashlib.md5(url.encode()).hexdigest(),
        }
        return self._event("user_send_file", user_id, {"attachments": [{"type": "file", "payload": payload}]})

    def user_submit_info(self, user_id: Any, name: str, phone: str, address: str = "") -> JSON:
        """The answer to a request_user_info template."""
        event = self._event("user_submit_info", user_id, {})
        event.pop("message")
        event["info"] = {"name": name, "phone": phone, "address": address, "city": "", "district": ""}
        return event

    def _follow_event(self, event_name: str, user_id: Any) -> JSON:
        uid = str(user_id)
        event = {
            "app_id": self.app_id,
            "oa_id": self.oa_id,
            "follower": {"id": uid},
            "user_id_by_app": self.user_id_by_app(uid),
            "event_name": event_name,
            "source": "oa_profile",
            "timestamp": str(int(time.time() * 1000)),
        }
        self._note_interaction(event)
        return event

    def follow(self, user_id: Any) -> JSON:
        return self._follow_event("follow", user_id)

    def unfollow(self, user_id: Any) -> JSON:
        return self._follow_event("unfollow", user_id)

    async def post_event(
        self, webhook_url: str, event: JSON, sign: bool = True, bad_signature: bool = False, retries: int = 0
    ) -> int:
        """POST ``event`` to the bot's webhook, signed like Zalo; return the HTTP status.

        The body is serialised once and those exact bytes are both signed and
        sent, so a bot that re-serialises before verifying will fail, as in prod.
        """
        raw = dumps(event).encode()
        headers = {"Content-Type": "application/json"}
        if sign:
            key = self.oa_secret_key + ("-wrong" if bad_signature else "")
            headers["X-ZEvent-Signature"] = zalo_oa_signature(
                self.app_id, raw, str(event.get("timestamp", "")), key
            )
        self._note_interaction(event)
        status, attempts = await self.pusher.post(webhook_url, raw, headers, retries=retries)
        self.webhook_posts.append(
            {"url": webhook_url, "event": event, "status": status, "attempts": attempts, "headers": headers}
        )
        return status
