"""The Zalo Official Account adapter: a signed webhook in, consultation messages out.

Zalo gives a webhook 2 seconds, so the event is checked (signature over the raw bytes), answered 200, and
handled in the background. Choices become a button template (oa.query.hide: the press comes back as text
carrying our payload) when they fit, and a numbered list otherwise. Photos are uploaded, then sent by id.

Beyond the consultation window (bot.delivery.reach decides which): `promote` sends a promotion message to a
follower, `zns` a ZNS template message to a phone number, and a chat id "group:<id>" is a GMF group chat of
the OA, posted to with the group endpoint (its events arrive on the same webhook).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from aiohttp import web

from bot.channels.answer import respond, say, send_replies
from bot.channels.base import Channel, RetryAfter
from bot.channels.zalo_common import (
    download as zalo_download,
)
from bot.channels.zalo_common import (
    mark_reachable,
    mark_unreachable,
    media_unavailable_text,
    too_large_text,
)
from bot.channels.zalo_oa.api import (
    PROMOTION_HEADER_LIMIT,
    PROMOTION_MAX_BUTTONS,
    PROMOTION_TEXT_LIMIT,
    OAApi,
    OAuthFailed,
    TokenRejected,
)
from bot.channels.zalo_oa.tokens import BROKEN_PAUSE, TokenKeeper
from bot.channels.zalo_oa.webhook import (
    BUTTON_MARK,
    CHANNEL,
    GROUP_PREFIX,
    SIGNATURE_HEADER,
    Followed,
    parse,
    signed_at,
    signed_timestamp,
    timestamps_in,
)
from bot.core.events import Attachment, Incoming, Kind
from bot.core.replies import Choice, Media, Reply, numbered, split_text
from bot.guard.http_input import loads, read_body
from bot.i18n import _, use_locale
from bot.logs import Throttle
from bot.media import is_ref

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhook/zalo-oa"
MAX_BUTTONS = 5  # no primary source states the limit for consultation messages; 5 is what SDKs use
TITLE_LIMIT = 100
FUTURE_SKEW = 120.0  # seconds an event may seem to come from the future (clocks differ a little)
T = TypeVar("T")


class ZaloOAChannel(Channel):
    name = CHANNEL
    text_limit = 2000
    supports_buttons = True

    def __init__(self, app: App) -> None:
        self.app = app
        settings = app.settings
        assert settings.zalo_oa_app_id is not None and settings.zalo_oa_secret_key is not None, (
            "ANDAN_ZALO_OA_SECRET_KEY is required with ANDAN_ZALO_OA_APP_ID"
        )
        self.app_id = settings.zalo_oa_app_id
        app_secret = settings.zalo_oa_secret_key.get_secret_value()
        webhook_secret = settings.zalo_oa_webhook_secret
        self._webhook_secret = webhook_secret.get_secret_value() if webhook_secret else app_secret
        self.api = OAApi(
            settings.zalo_oa_api_url, settings.zalo_oa_oauth_url, self.app_id, app_secret, settings.timezone
        )
        self.tokens = TokenKeeper(app, self.api)
        self.max_buttons = MAX_BUTTONS
        self._forged = Throttle()

    async def start(self) -> None:
        if not self.app.settings.public_url:
            log.warning(
                "zalo oa receives messages only by webhook: set ANDAN_PUBLIC_URL and register "
                "<public url>/webhook/zalo-oa in the Zalo developer console"
            )

    async def stop(self) -> None:
        await self.api.close()

    # Webhook ---------------------------------------------------------------------------------------------
    def routes(self) -> list[web.RouteDef]:
        return [web.post(WEBHOOK_PATH, self.webhook)]

    async def webhook(self, request: web.Request) -> web.StreamResponse:
        """Signature first (over the raw bytes, with the timestamp read from them), then parse, then freshness.
        A body too large, broken or not JSON is answered 4xx by the server's middleware (bot.guard.http_input)."""
        header = request.headers.get(SIGNATURE_HEADER, "")
        if not header:
            return web.Response(status=401)
        raw = await read_body(request, self.app.settings.webhook_max_kb * 1024)
        if not timestamps_in(raw):
            return web.Response(status=400)  # every event carries a timestamp: this is not one
        timestamp = signed_timestamp(header, self.app_id, raw, self._webhook_secret)
        if timestamp is None:
            # Anyone can send a forged event: one line a minute, with how many were left out.
            if (left_out := self._forged.allow()) is not None:
                log.warning("zalo oa webhook with a bad signature refused", extra={"suppressed": left_out})
            return web.Response(status=401)
        body = loads(raw, max_depth=self.app.settings.json_max_depth)
        if not isinstance(body, dict) or str(body.get("timestamp")) != timestamp:
            return web.Response(status=400)  # the signed timestamp must be the event's own
        # The signature proves who signed, not when this copy was sent: a captured event could be replayed.
        # msg_id de-duplication covers what the database still remembers; the signed timestamp covers the rest (the
        # window is shorter than that memory, bot.settings, and long enough for Zalo's redeliveries after an outage).
        # A stale event is answered 200 all the same: Zalo retries a non-2xx answer for hours (it only grows
        # older) and may disable a webhook that keeps failing, and a replayer learns nothing either way.
        age = time.time() - signed_at(timestamp)  # the wall clock: Zalo stamps events with its own
        if age > self.app.settings.zalo_oa_event_max_age_seconds or age < -FUTURE_SKEW:
            log.warning(
                "zalo oa webhook event outside the replay window ignored", extra={"age_seconds": round(age)}
            )
            return web.json_response({"error": 0})
        self.app.spawn(self._process(body), "zalo-oa-event")  # Zalo waits 2 s at most
        return web.json_response({"error": 0})

    async def _process(self, body: dict[str, Any]) -> None:
        parsed = parse(body)
        if isinstance(parsed, Followed):
            if parsed.following:
                await mark_reachable(self.app, self.name, parsed.user_id)
            else:
                await mark_unreachable(self.app, self.name, parsed.user_id, "unfollowed the OA")
            return
        if parsed is None:
            return
        if parsed.is_group:
            await self._in_group(parsed)
            return
        if parsed.kind == Kind.MEDIA and self._too_large(parsed):
            limit_mb = self.app.settings.web_max_upload_mb
            await say(self.app, self, parsed.chat_id, parsed.user_id, lambda: too_large_text(limit_mb))
            return
        await respond(self.app, self, parsed)

    async def _in_group(self, event: Incoming) -> None:
        """A GMF group chat: the core answers commands only; one meant for a private chat gets the OA's link."""
        result = await self.app.dispatcher.handle(event)
        if result.duplicate:
            return
        replies = list(result.replies)
        command = self.app.registry.commands.get(event.command or "")
        oa_id = self.app.settings.zalo_oa_id
        if replies and oa_id and event.kind == Kind.COMMAND and command is not None and command.private_only:
            with use_locale(result.locale):
                note = _("Open a private chat with me: {link}").format(link=f"https://zalo.me/{oa_id}")
            last = replies[-1]
            replies[-1] = replace(last, text=f"{last.text}\n\n{note}")
        await send_replies(self.app, self, event.chat_id, replies, result.locale)

    def _too_large(self, event: Incoming) -> bool:
        limit = self.app.settings.web_max_upload_mb * 1024 * 1024
        return any(a.size is not None and a.size > limit for a in event.attachments)

    async def download(self, attachment: Attachment) -> bytes:
        return await zalo_download(self.app, self.api.http, attachment)

    # Sending ---------------------------------------------------------------------------------------------
    async def _authorized(self, call: Callable[[str], Awaitable[T]]) -> T:
        """Run an API call with a fresh token; on a token error refresh once and try again."""
        token = await self.tokens.access_token()
        try:
            return await call(token)
        except TokenRejected:
            try:
                pair = await self.tokens.refresh(token)
            except OAuthFailed as error:
                log.error(
                    "zalo oa token refresh refused: authorize the app again", extra={"code": error.code}
                )
                raise RetryAfter(BROKEN_PAUSE, "zalo oa credentials need renewal") from None
            try:
                return await call(pair.access)
            except TokenRejected as error:
                raise RetryAfter(60, f"token rejected right after a refresh: {error.reason}") from None

    async def _send(self, chat_id: str, message: dict[str, Any]) -> str:
        if chat_id.startswith(GROUP_PREFIX):
            settings, group_id = self.app.settings, chat_id.removeprefix(GROUP_PREFIX)
            return await self._authorized(
                lambda token: self.api.to_group(
                    token, settings.zalo_oa_group_path, settings.zalo_oa_group_recipient, group_id, message
                )
            )
        return await self._authorized(lambda token: self.api.send(token, chat_id, message))

    async def promote(self, user_id: str, reply: Reply) -> list[str]:
        """One promotion message: the first line as its header, the rest as its text, the first choices as
        buttons (the rest numbered in the text). Photos are left out: a promotion has one banner at most."""
        text = numbered(reply, start=PROMOTION_MAX_BUTTONS + 1).strip()
        header, _sep, body = text.partition("\n")
        elements: list[dict[str, Any]] = [{"type": "header", "content": header[:PROMOTION_HEADER_LIMIT]}]
        body = body.strip()
        if len(body) > PROMOTION_TEXT_LIMIT:
            body = body[: PROMOTION_TEXT_LIMIT - 1] + "…"
        if body:
            elements.append({"type": "text", "align": "left", "content": body})
        payload: dict[str, Any] = {"template_type": "promotion", "language": "VI", "elements": elements}
        if reply.choices:
            payload["buttons"] = [
                {"title": c.label[:TITLE_LIMIT], "type": "oa.query.hide", "payload": BUTTON_MARK + c.payload}
                for c in reply.choices[:PROMOTION_MAX_BUTTONS]
            ]
        message = {"attachment": {"type": "template", "payload": payload}}
        return [await self._authorized(lambda token: self.api.promote(token, user_id, message))]

    async def zns(
        self, phone: str, template_id: str, data: dict[str, Any], tracking_id: str
    ) -> tuple[str, int | None]:
        """A ZNS template message to a phone number ("84…"); (message id, quota left when Zalo says)."""
        body = {"phone": phone, "template_id": template_id, "template_data": data, "tracking_id": tracking_id}
        url = self.app.settings.zalo_zns_api_url
        return await self._authorized(lambda token: self.api.zns(url, token, body))

    def _buttons(self, choices: tuple[Choice, ...]) -> dict[str, Any]:
        buttons = [
            {"title": c.label[:TITLE_LIMIT], "type": "oa.query.hide", "payload": BUTTON_MARK + c.payload}
            for c in choices
        ]
        return {"type": "template", "payload": {"buttons": buttons}}

    async def deliver(self, chat_id: str, reply: Reply) -> list[str]:
        ids: list[str] = []
        for media in reply.media:
            ids.append(await self._send_media(chat_id, media))
        # The first choices as buttons, the rest numbered under the text (a typed number reads the same list).
        as_buttons = bool(reply.choices)
        text = numbered(reply, start=self.max_buttons + 1)
        parts = [p for p in split_text(text, self.text_limit) if p.strip()]
        if as_buttons and not parts:
            parts = [""]
        for index, part in enumerate(parts):
            message: dict[str, Any] = {"text": part} if part else {}
            if as_buttons and index == len(parts) - 1:
                message["attachment"] = self._buttons(reply.choices[: self.max_buttons])
            ids.append(await self._send(chat_id, message))
        return ids

    async def _send_media(self, chat_id: str, media: Media) -> str:
        caption = (media.caption or "")[: self.text_limit]
        data, mime, filename = media.data, "image/jpeg", media.filename or "image.jpg"
        if is_ref(media.url):
            item = await self.app.media.get(media.url)  # type: ignore[arg-type]
            if item is not None:
                data, mime, filename = item.data, item.mime_type, item.filename
        if media.kind == "image" and data is not None and mime.startswith("image/"):
            image = data
            attachment_id = await self._authorized(
                lambda token: self.api.upload_image(token, image, mime, filename)
            )
            element = {"media_type": "image", "attachment_id": attachment_id}
        elif media.kind == "image" and media.url and media.url.startswith(("https://", "http://")):
            element = {"media_type": "image", "url": media.url}
        else:
            return await self._send(chat_id, {"text": media_unavailable_text(media.caption, media.filename)})
        message: dict[str, Any] = {
            "attachment": {"type": "template", "payload": {"template_type": "media", "elements": [element]}}
        }
        if caption:
            message["text"] = caption
        return await self._send(chat_id, message)
