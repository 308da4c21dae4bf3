"""The Zalo Bot Platform adapter: receives by long polling (default) or webhook, and renders replies as text.

Of several processes in polling mode, only the one holding the bot's lease polls (bot.channels.poll_lease): Zalo
hands each update to whichever poller asks, so two pollers would split one conversation between processes. All
of them send. In webhook mode every process serves the webhook.

Zalo bots have no buttons, so choices become a numbered list ("1", "2" or the label typed without accents
resolve in the core). Photos go out with sendPhoto, which needs a URL: stored media is served through a signed,
expiring link under ANDAN_PUBLIC_URL, and without one the caption is sent with a note.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web

from bot import clock
from bot.channels.answer import respond
from bot.channels.base import Channel, DeliveryError, RetryAfter
from bot.channels.poll_lease import Lease, PollLeader
from bot.channels.reconnect import Backoff, redact
from bot.channels.zalo_bot.api import CHANNEL, Idle, ZaloBotApi, is_message, to_event, unreadable, unwrap
from bot.channels.zalo_common import (
    download as zalo_download,
)
from bot.channels.zalo_common import (
    media_unavailable_text,
    unsupported_text,
)
from bot.core.events import Attachment
from bot.core.replies import Media, Reply, numbered, split_text
from bot.guard.http_input import read_json
from bot.media import PREFIX, is_ref

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhook/zalo-bot"
MEDIA_PATH = "/media/zalo/{media_id}"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
POLL_TIMEOUT = 30
MEDIA_LINK_SECONDS = 24 * 3600  # Zalo fetches the photo when it is sent; a day covers its retries
FIRST_BACKOFF = 1.0  # seconds before retrying a failed call; doubles (with jitter) up to MAX_BACKOFF
MAX_BACKOFF = 60.0


class ZaloBotChannel(Channel):
    name = CHANNEL
    text_limit = 2000
    supports_buttons = False
    reads_locations = False  # its updates carry words, photos and stickers only [3P] (PLATFORMS.md)
    takes_media = frozenset({"photo"})  # the same [3P]: a voice note or a file arrives as unsupported content

    def __init__(self, app: App) -> None:
        self.app = app
        settings = app.settings
        assert settings.zalo_bot_token is not None
        token = settings.zalo_bot_token.get_secret_value()
        self._token = token
        self.api = ZaloBotApi(settings.zalo_bot_api_url, token)
        # The webhook secret is derived, so it survives restarts without another setting (8–256 characters).
        self.webhook_secret = app.keyring.keyed_hash("zalo-bot-webhook", token)[:48]
        self._poller: asyncio.Task[None] | None = None  # the webhook's registration, or the lease's beat
        self._polling: asyncio.Task[None] | None = None  # getUpdates, while this process holds the lease
        self._handling: asyncio.Task[None] | None = None  # the updates the last getUpdates returned
        self._stopping = asyncio.Event()
        self.leader = PollLeader(
            Lease(app.db, f"zalo_bot:{token.split(':', 1)[0]}", settings.poll_lease_seconds),
            "zalo bot",
            self._start_polling,
            self._stop_polling,
            self.polling,
        )

    @property
    def public_url(self) -> str | None:
        url = self.app.settings.public_url
        return url.rstrip("/") if url else None

    # Life cycle ------------------------------------------------------------------------------------------
    async def start(self) -> None:
        self._stopping.clear()
        # Every platform call happens in the background, so a platform that is down or misconfigured never keeps
        # the app from starting; each failed call is said at WARNING with why and when it is tried again.
        if self.public_url:
            self._poller = self.app.spawn(self._register_webhook(), "zalo-bot-webhook")
            return
        self._poller = self.app.spawn(self.leader.run(), "zalo-bot-poll-lease")

    def polling(self) -> bool:
        """Whether this process polls the bot now (it holds the lease)."""
        return self._polling is not None and not self._polling.done()

    async def _start_polling(self) -> None:
        self._polling = self.app.spawn(self._poll(), "zalo-bot-poll")

    async def _stop_polling(self) -> None:
        if self._polling is not None:
            self._polling.cancel()
            await asyncio.gather(self._polling, return_exceptions=True)
            self._polling = None
        if self._handling is not None:  # only the waiting getUpdates is cut off: updates taken are answered
            await asyncio.gather(self._handling, return_exceptions=True)
            self._handling = None

    async def _register_webhook(self) -> None:
        """setWebhook, retried with backoff: a platform hiccup at start must not keep the whole app down."""
        backoff, url = Backoff(FIRST_BACKOFF, MAX_BACKOFF), f"{self.public_url}{WEBHOOK_PATH}"
        while not self._stopping.is_set():
            try:
                await self.api.call("setWebhook", {"url": url, "secret_token": self.webhook_secret})
            except DeliveryError as error:
                await self._pause("setWebhook", error, backoff)
                continue
            log.info("zalo bot webhook set")
            return

    async def _pause(self, method: str, error: DeliveryError, backoff: Backoff) -> None:
        """Say which call failed and why, then wait (growing delays, or what Zalo asked for) unless stopping."""
        delay = error.seconds if isinstance(error, RetryAfter) else backoff.next()
        why = redact(error.reason.removeprefix(f"{method}: "), self._token)
        log.warning(
            "zalo bot %s failed (%s); retrying in %.1f s",
            method,
            why,
            delay,
            extra={"method": method, "reason": why, "retry_in": round(delay, 1)},
        )
        try:
            await asyncio.wait_for(self._stopping.wait(), delay)
        except TimeoutError:
            pass

    async def stop(self) -> None:
        self._stopping.set()
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None
            if not self.public_url:
                await self.leader.close()  # the next process polls at once, not when the lease lapses
        await self.api.close()

    async def _poll(self) -> None:
        """One update per getUpdates; an idle poll is HTTP 408. Errors back off up to a minute, then resume.

        Polling and a webhook are mutually exclusive: the webhook is deleted first, and until that has worked
        once it is tried again before each poll that follows a failure (a failed delete alone does not stop
        polling: there may be no webhook at all)."""
        backoff = Backoff(FIRST_BACKOFF, MAX_BACKOFF)
        webhook_gone = False
        while not self._stopping.is_set():
            if not webhook_gone:
                try:
                    await self.api.call("deleteWebhook", {})
                    webhook_gone = True
                except DeliveryError as error:
                    why = redact(error.reason.removeprefix("deleteWebhook: "), self._token)
                    log.warning(
                        "zalo bot deleteWebhook failed (%s); polling anyway",
                        why,
                        extra={"method": "deleteWebhook", "reason": why},
                    )
            try:
                result = await self.api.call(
                    "getUpdates", {"timeout": str(POLL_TIMEOUT)}, timeout=POLL_TIMEOUT + 10
                )
            except Idle:
                webhook_gone = True  # getUpdates works, so no webhook is in the way
                backoff.reset()
                continue
            except DeliveryError as error:
                await self._pause("getUpdates", error, backoff)
                continue
            webhook_gone = True
            backoff.reset()
            # Handled in a task of its own, before the next poll (the conversation's order): handing polling over
            # or stopping cancels this loop, never updates Zalo already gave us (it would not give them again).
            self._handling = self.app.spawn(self._process_all(unwrap(result)), "zalo-bot-updates")
            await asyncio.shield(self._handling)

    async def _process_all(self, updates: list[dict[str, Any]]) -> None:
        for update in updates:
            try:
                await self._process(update)
            except Exception:
                log.exception("zalo bot update failed")

    # Webhook and media links -----------------------------------------------------------------------------
    def routes(self) -> list[web.RouteDef]:
        return [web.post(WEBHOOK_PATH, self.webhook), web.get(MEDIA_PATH, self.media_link)]

    async def webhook(self, request: web.Request) -> web.StreamResponse:
        """Secret first, then a bounded parse (a body too large, broken or not JSON is answered 4xx by the
        server's middleware)."""
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), self.webhook_secret.encode()):
            return web.Response(status=401)
        settings = self.app.settings
        body = await read_json(request, settings.webhook_max_kb * 1024, max_depth=settings.json_max_depth)
        if not isinstance(body, dict | list):
            return web.Response(status=400)
        # Answered at once, the work continues after the 200; events without a message are acknowledged and ignored.
        for update in unwrap(body):
            self.app.spawn(self._process(update), "zalo-bot-update")
        return web.json_response({"ok": True})

    def _media_sig(self, media_id: str, expires: int) -> str:
        return self.app.keyring.keyed_hash("zalo-media", media_id, str(expires))[:40]

    def media_url(self, ref: str) -> str:
        media_id = ref.removeprefix(PREFIX)
        expires = int(clock.now().timestamp()) + MEDIA_LINK_SECONDS
        return (
            f"{self.public_url}/media/zalo/{media_id}?exp={expires}&sig={self._media_sig(media_id, expires)}"
        )

    async def media_link(self, request: web.Request) -> web.StreamResponse:
        media_id = request.match_info["media_id"]
        try:
            expires = int(request.query.get("exp", ""))
        except ValueError:
            raise web.HTTPNotFound() from None
        if not hmac.compare_digest(request.query.get("sig", ""), self._media_sig(media_id, expires)):
            raise web.HTTPNotFound()
        if expires < clock.now().timestamp():
            raise web.HTTPGone()
        item = await self.app.media.get(media_id)
        if item is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=item.data,
            content_type=item.mime_type,
            headers={
                "Content-Disposition": f'inline; filename="{quote(item.filename)}"',
                "Cache-Control": "private",
            },
        )

    # Inbound ---------------------------------------------------------------------------------------------
    async def _process(self, update: dict[str, Any]) -> None:
        if not is_message(update):
            log.info("zalo bot event ignored", extra={"event_name": str(update.get("event_name"))[:64]})
            return
        event = to_event(update) or unreadable(update)
        if event is not None:
            await respond(self.app, self, event)

    def unreadable_text(self) -> str:
        return unsupported_text()

    async def download(self, attachment: Attachment) -> bytes:
        return await zalo_download(self.app, self.api.http, attachment)

    # Outbound --------------------------------------------------------------------------------------------
    async def deliver(self, chat_id: str, reply: Reply) -> list[str]:
        ids: list[str] = []
        for media in reply.media:
            ids += await self._send_media(chat_id, media)
        text = numbered(reply)
        if text.strip():
            for part in split_text(text, self.text_limit):
                ids.append(await self._send("sendMessage", {"chat_id": chat_id, "text": part}))
        return ids

    async def _send(self, method: str, body: dict[str, Any]) -> str:
        started = time.monotonic()
        result = await self.api.call(method, body)
        log.debug("zalo bot sent", extra={"method": method, "ms": round((time.monotonic() - started) * 1000)})
        return str(result.get("message_id", "")) if isinstance(result, dict) else ""

    async def _send_media(self, chat_id: str, media: Media) -> list[str]:
        url = media.url
        if media.data is not None and not url and self.public_url:
            url = await self.app.media.put(
                media.data,
                "image/jpeg" if media.kind == "image" else "application/octet-stream",
                media.filename or "file",
            )
        if is_ref(url):
            url = self.media_url(url) if self.public_url else None  # type: ignore[arg-type]
        if not url or not url.startswith(("https://", "http://")):
            text = media_unavailable_text(media.caption, media.filename)
            return [await self._send("sendMessage", {"chat_id": chat_id, "text": text[: self.text_limit]})]
        if media.kind == "image":
            body: dict[str, Any] = {"chat_id": chat_id, "photo": url}
            if media.caption:
                body["caption"] = media.caption[: self.text_limit]
            return [await self._send("sendPhoto", body)]
        # No document method on Zalo bots: a file goes out as a link.
        label = media.caption or media.filename or ""
        return [await self._send("sendMessage", {"chat_id": chat_id, "text": f"📎 {label}\n{url}".strip()})]
