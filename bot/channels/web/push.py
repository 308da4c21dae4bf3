"""Web Push for the web chat: sending a push (RFC 8030) encrypted for the browser (RFC 8291) and signed with the
VAPID key (RFC 8292), the key itself, and checking the subscription a browser sends. The push says only that a
message waits; bot/channels/web/subscriptions.py decides when to send one."""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import time
from typing import Any

import aiohttp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from pywebpush import WebPusher, WebPushException
from yarl import URL

from bot.channels.zalo_common import GuardedResolver, MediaPolicy, Refused, check_url
from bot.security import Keyring
from bot.settings import Settings

log = logging.getLogger(__name__)


class WebPush:
    """Sends Web Push messages (RFC 8030), encrypted for the browser (RFC 8291, pywebpush) and signed with the
    VAPID key (RFC 8292, py_vapid). Push services are reached only within ANDAN_WEB_PUSH_HOSTS, and never on a
    private address, as media downloads are (bot.channels.zalo_common): an endpoint is whatever a browser sent."""

    def __init__(self, settings: Settings, keyring: Keyring) -> None:
        hosts = tuple(h.strip().lower().strip(".") for h in settings.web_push_hosts.split(",") if h.strip())
        self.policy = MediaPolicy(
            hosts, settings.web_push_allow_http, settings.web_push_allow_private, settings.web_push_seconds
        )
        self.vapid = Vapid02(vapid_key(settings, keyring))
        point = self.vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.public_key = base64.urlsafe_b64encode(point).rstrip(b"=").decode()
        self.subject = vapid_subject(settings)
        self._http: aiohttp.ClientSession | None = None

    @property
    def http(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(self.policy.allow_private), use_dns_cache=False
            )
            self._http = aiohttp.ClientSession(connector=connector)
        return self._http

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()

    async def send(self, subscription: dict[str, Any], data: bytes, *, urgent: bool) -> int:
        """POST one push; the push service's HTTP status, or 0 when it could not be reached or refused here."""
        endpoint = str(subscription.get("endpoint", ""))
        try:
            check_url(endpoint, self.policy)
            body = WebPusher(subscription).encode(data, "aes128gcm")["body"]
        except (Refused, WebPushException, ValueError, binascii.Error) as error:
            log.warning("web push not sent", extra={"reason": type(error).__name__})
            return 0
        url = URL(endpoint)
        audience = str(url.origin())
        # Real time, not bot.clock: the push service checks the token's expiry against its own clock.
        claims = {"aud": audience, "sub": self.subject, "exp": int(time.time()) + 12 * 3600}
        headers = dict(self.vapid.sign(claims))
        headers.update(
            {
                "TTL": str(86400 if urgent else 4 * 86400),
                "Urgency": "high" if urgent else "normal",
                # One waiting push per kind: ten messages while the phone is off make one notification, not ten.
                "Topic": "andan-urgent" if urgent else "andan",
                "Content-Encoding": "aes128gcm",
                "Content-Type": "application/octet-stream",
            }
        )
        try:
            async with (
                asyncio.timeout(self.policy.seconds),
                self.http.post(endpoint, data=body, headers=headers, allow_redirects=False) as response,
            ):
                status = response.status
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            # Never str(error): aiohttp puts the URL in it, and an endpoint is a capability to reach a device.
            log.warning("web push failed", extra={"reason": type(error).__name__})
            return 0
        if status >= 400:
            log.warning("web push refused", extra={"status": status})
        return status


# The order of P-256's group: a derived private key must be in [1, order - 1].
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def vapid_key(settings: Settings, keyring: Keyring) -> ec.EllipticCurvePrivateKey:
    """ANDAN_VAPID_PRIVATE_KEY, or a key derived from ANDAN_SECRET_KEY: every process and every restart signs with
    the same key, so browsers' subscriptions keep working without one more secret to keep."""
    if settings.vapid_private_key is not None:
        text = settings.vapid_private_key.get_secret_value().strip()
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
            if not isinstance(key, ec.EllipticCurvePrivateKey):
                raise ValueError("ANDAN_VAPID_PRIVATE_KEY must be a P-256 (prime256v1) key")
            return key
        return Vapid02.from_raw(text.encode()).private_key
    seed = int(keyring.keyed_hash("vapid-key"), 16)
    return ec.derive_private_key(seed % (_P256_ORDER - 1) + 1, ec.SECP256R1())


def vapid_subject(settings: Settings) -> str:
    if settings.vapid_subject:
        return settings.vapid_subject
    if settings.public_url and settings.public_url.startswith("https://"):
        return settings.public_url.rstrip("/")
    return "mailto:webpush@andan.invalid"


def checked_subscription(body: dict[str, Any]) -> dict[str, Any]:
    """A browser's PushSubscription, checked (ValueError otherwise): an endpoint URL, a P-256 public key and a
    16-byte secret."""
    endpoint, keys = body.get("endpoint"), body.get("keys")
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > 2048 or not isinstance(keys, dict):
        raise ValueError("malformed subscription")
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not isinstance(p256dh, str) or not isinstance(auth, str) or len(p256dh) > 200 or len(auth) > 100:
        raise ValueError("malformed subscription")
    try:
        point, secret = _b64url(p256dh), _b64url(auth)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except (ValueError, binascii.Error):
        raise ValueError("malformed subscription") from None
    if len(secret) != 16:
        raise ValueError("malformed subscription")
    return {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
