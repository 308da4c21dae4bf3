"""A loopback fake of a Web Push service (RFC 8030), for tests.

It hands out subscriptions as a browser's push service would (an endpoint, a P-256 public key and an auth
secret, whose private half stays here), and checks every push as a real service does: a VAPID token (RFC 8292)
signed by the key it names, for this service's origin, not expired and not valid for more than a day, with a
contact; a TTL; an aes128gcm body (RFC 8291). It then decrypts the body with the subscription's private key, so a
test reads exactly what would reach the device. Subscriptions marked `gone` answer 410 like an expired one.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import http_ece
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Subscription:
    """What `PushManager.subscribe()` gives a page; the private key stays with the (fake) device."""

    token: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(repr=False)
    auth: bytes = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"endpoint": self.endpoint, "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)}}


@dataclass
class Push:
    """One request the service received, as checked and decrypted here."""

    token: str
    status: int
    headers: dict[str, str]
    body: bytes
    claims: dict[str, Any] = field(default_factory=dict)
    payload: dict[str, Any] | None = None  # the decrypted JSON, when the push was valid
    problem: str | None = None  # why the service refused it


class FakePushService:
    def __init__(self) -> None:
        self.subscriptions: dict[str, Subscription] = {}
        self.gone: set[str] = set()
        self.received: list[Push] = []
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._arrived = asyncio.Condition()

    async def start(self) -> None:
        http = web.Application()
        http.add_routes([web.post("/push/{token}", self._push)])
        self._runner = web.AppRunner(http, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def subscribe(self) -> Subscription:
        token = secrets.token_urlsafe(24)
        subscription = Subscription(
            token=token,
            endpoint=f"{self.url}/push/{token}",
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth=secrets.token_bytes(16),
        )
        self.subscriptions[token] = subscription
        return subscription

    def pushes_to(self, subscription: Subscription) -> list[Push]:
        return [p for p in self.received if p.token == subscription.token]

    async def wait_for(self, count: int, seconds: float = 5.0) -> list[Push]:
        """Wait until `count` pushes in all have arrived."""
        async with asyncio.timeout(seconds), self._arrived:
            await self._arrived.wait_for(lambda: len(self.received) >= count)
        return self.received

    async def _push(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        body = await request.read()
        push = Push(token=token, status=201, headers=dict(request.headers), body=body)
        push.status, push.problem = self._check(push)
        async with self._arrived:
            self.received.append(push)
            self._arrived.notify_all()
        return web.Response(status=push.status, text=push.problem or "")

    def _check(self, push: Push) -> tuple[int, str | None]:
        subscription = self.subscriptions.get(push.token)
        if subscription is None:
            return 404, "no such subscription"
        if push.token in self.gone:
            return 410, "subscription expired"
        auth = push.headers.get("Authorization", "")
        scheme, _, params = auth.partition(" ")
        parts = dict(p.split("=", 1) for p in params.split(",") if "=" in p)
        if scheme.lower() != "vapid" or "t" not in parts or "k" not in parts:
            return 401, "no VAPID authorization"
        try:
            signed = Vapid02.verify(auth)
        except (AssertionError, ValueError):
            signed = False
        if not signed:
            return 401, "VAPID signature does not match its key"
        push.claims = json.loads(unb64url(parts["t"].split(".")[1]))
        now = time.time()
        if push.claims.get("aud") != self.url:
            return 403, "VAPID audience is not this push service"
        if not now < push.claims.get("exp", 0) <= now + 24 * 3600:
            return 403, "VAPID token expired or valid too long"
        if not str(push.claims.get("sub", "")).startswith(("mailto:", "https:")):
            return 403, "VAPID token has no contact"
        if not push.headers.get("TTL", "").isdigit():
            return 400, "no TTL"
        if push.headers.get("Content-Encoding") != "aes128gcm":
            return 415, "not aes128gcm"
        try:
            plain = http_ece.decrypt(
                push.body,
                private_key=subscription.private_key,
                auth_secret=subscription.auth,
                version="aes128gcm",
            )
            push.payload = json.loads(plain)
        except Exception as error:  # noqa: BLE001 - any failure to decrypt is the test's finding
            return 400, f"body cannot be decrypted: {type(error).__name__}"
        return 201, None
