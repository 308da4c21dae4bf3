"""The web chat channel: the chat page, its JSON API (send, long-poll), and delivery of pushes into the transcript.

API (same origin, session bound to the HttpOnly cookie `andan_session`):
- `POST /api/messages` — JSON `{"text"}` | `{"choice"}` | `{"location": {"latitude", "longitude"}}`, optional
  `"id"` (client message id, makes retries idempotent); or multipart with `file` (+ `caption`).
  Sent as `application/json` or `multipart/form-data` (415 otherwise), from the page's own origin (403 when a
  browser sends it from another site's page). 200 → `{"messages": [Msg]}`; 4xx → `{"error": "<translated text>"}`.
- `GET /api/messages?after=<id>&wait=<s≤25>` — messages with id > after, waiting up to `wait` seconds.
- Msg: `{"id", "ephemeral", "direction": "in"|"out", "text", "choices": [{"label","payload"}], "media", "at",
  "at_display"}`. Before consent nothing is stored: such messages have `"id": null, "ephemeral": true`.
- A request without a session cookie opens a new session; beyond ANDAN_RATE_WEB_SESSIONS_PER_HOUR from one client
  network it is answered 429 with `Retry-After` and `{"error"}` (bot.guard.ratelimit).
"""

from __future__ import annotations

import asyncio
import hmac
import math
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web
from sqlmodel import col, delete, select

from bot.channels.base import Channel
from bot.core.events import Attachment, Incoming, Kind, Location, parse_text
from bot.core.replies import Reply
from bot.directory.people import locale_of
from bot.guard import ratelimit
from bot.guard.http_input import InputRefused, cross_site, read_json, read_upload
from bot.i18n import _, fmt_time, use_locale
from bot.media import is_ref
from models import WebMessage

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.app import App
    from bot.core.dispatcher import DispatchResult

STATIC_DIR = Path(__file__).with_name("web_static")
COOKIE = "andan_session"
MAX_WAIT = 25.0
MAX_MESSAGE_ID = 2**31 - 1
JSON_LIMIT = 256 * 1024  # a message is at most a few thousand characters; ten times that still reads politely
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class WebChannel(Channel):
    name = "web"
    text_limit = 20000
    supports_buttons = True

    def __init__(self, app: App) -> None:
        self.app = app
        self._waiters: dict[str, asyncio.Event] = {}
        self._closing = False
        self._page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
        self._networks = ratelimit.ClientNetworks(app.keyring, app.settings)

    # Delivery (replies and pushes both land in the transcript) -------------------------------------------
    # Pushes come here from the outbox. Direct replies do not go through bot.channels.answer.send_replies as on
    # the other channels: they are the HTTP answer itself, and `post_message` stores them in the update's own
    # transaction (a crash keeps the input and its replies, or neither), and shows them without storing them
    # before consent and in private flows. Sending them one by one through `deliver` would lose both.
    async def deliver(self, chat_id: str, reply: Reply) -> list[str]:
        # A private push (to an anonymous tipster) is kept under a keyed pseudonym, never under the session.
        stored_as = self._private_id(chat_id) if reply.private else chat_id
        async with self.app.db.session() as session:
            row = WebMessage(session_id=stored_as, direction="out", payload=reply.to_payload())
            session.add(row)
            await session.commit()
        self._wake(chat_id)
        return [str(row.id)]

    def _private_id(self, sid: str) -> str:
        return self.app.keyring.keyed_hash("web-private", sid)

    async def forget(self, session: AsyncSession, chat_id: str) -> None:
        await session.exec(
            delete(WebMessage).where(col(WebMessage.session_id).in_([chat_id, self._private_id(chat_id)]))
        )

    async def release_requests(self) -> None:
        """On shutdown, answer every waiting long poll now (the browser simply polls again), instead of holding the
        server open for up to 25 seconds."""
        self._closing = True
        for waiter in self._waiters.values():
            waiter.set()

    def _wake(self, session_id: str) -> None:
        waiter = self._waiters.pop(session_id, None)
        if waiter is not None:
            waiter.set()

    # HTTP ---------------------------------------------------------------------------------------------
    def routes(self) -> list[web.AbstractRouteDef]:
        return [
            web.get("/", self._counted(self.page)),
            web.get("/join/{code}", self.join),
            web.static("/static", STATIC_DIR),
            web.post("/api/messages", self._counted(self.post_message)),
            web.get("/api/messages", self._counted(self.get_messages)),
            web.get("/media/{media_id}", self.get_media),
        ]

    @staticmethod
    def _cookie(request: web.Request) -> str | None:
        token = request.cookies.get(COOKIE)
        return token if token and len(token) <= 128 else None

    def _session_id(self, request: web.Request) -> tuple[str, str | None]:
        """The hashed session id, and a new cookie value when the browser had none."""
        token = self._cookie(request)
        fresh = None
        if token is None:
            token = fresh = secrets.token_urlsafe(32)
        return self.app.keyring.keyed_hash("web-session", token), fresh

    def _with_cookie(self, response: web.StreamResponse, fresh: str | None) -> web.StreamResponse:
        if fresh:
            response.set_cookie(
                COOKIE,
                fresh,
                httponly=True,
                samesite="Lax",
                max_age=365 * 86400,
                secure=bool(
                    self.app.settings.public_url and self.app.settings.public_url.startswith("https")
                ),
            )
        return response

    # Abuse limits (bot.guard.ratelimit): by client network, never by who someone is ---------------------------
    def _client_key(self, request: web.Request) -> str | None:
        return self._networks.key(request.remote, request.headers.getall("X-Forwarded-For", []))

    def _counted(self, handler: Handler) -> Handler:
        """A request without a session cookie opens a new session: each client network may open only so many
        an hour, so clearing cookies cannot make one sender into endless new people."""

        async def counted(request: web.Request) -> web.StreamResponse:
            client = None if self._cookie(request) else self._client_key(request)
            if client is not None:
                async with self.app.db.session() as session:
                    verdict = await ratelimit.take(self.app, session, ratelimit.WEB_SESSIONS, client)
                    await session.commit()
                if not verdict.allowed:
                    return self._too_many(request, verdict)
            return await handler(request)

        return counted

    def _too_many(self, request: web.Request, verdict: ratelimit.Verdict) -> web.StreamResponse:
        with use_locale(self.app.settings.default_locale):
            text = _(
                "Many new chats have been opened from your network in the last hour, so new ones are paused "
                "for a while. Please try again after {time}."
            ).format(time=verdict.retry_time())
        headers = {"Retry-After": str(verdict.retry_after()), "Cache-Control": "no-store"}
        if request.path.startswith("/api/"):
            return web.json_response({"error": text}, status=429, headers=headers)
        return web.Response(text=text, status=429, headers=headers)

    async def page(self, request: web.Request) -> web.StreamResponse:
        _sid, fresh = self._session_id(request)
        html = self._page
        with use_locale(self.app.settings.default_locale) as locale:
            values = {
                "lang": locale,
                "title": "An Dân",
                "subtitle": _("Neighbourhood safety, together"),
                "placeholder": _("Type a message…"),
                "send": _("Send"),
                "attach": _("Attach a photo or file"),
                "location": _("Share my location"),
                "offline": _("Cannot reach the server. Retrying…"),
                "retry": _("Retry now"),
            }
        for key, value in values.items():
            html = html.replace("{{" + key + "}}", value)
        response = web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-store"})
        return self._with_cookie(response, fresh)

    async def join(self, request: web.Request) -> web.StreamResponse:
        code = request.match_info["code"][:64]
        raise web.HTTPFound(f"/#start={code}")

    async def post_message(self, request: web.Request) -> web.StreamResponse:
        sid, fresh = self._session_id(request)
        settings = self.app.settings
        try:
            event = await self._read_event(request, sid)
        except _BadInput as bad:
            with use_locale(settings.default_locale):
                return self._with_cookie(
                    web.json_response({"error": bad.message()}, status=bad.status), fresh
                )
        kept: list[WebMessage] = []

        async def keep(session: AsyncSession, result: DispatchResult) -> None:
            # In the update's own transaction: a process killed after it committed still leaves the echo and the
            # replies (a case number, a code) in the transcript, where a retry answered "already handled" finds them.
            if result.person_id is not None and not result.private:
                kept.append(
                    WebMessage(session_id=sid, direction="in", payload=_echo(event, result.choice_label))
                )
                kept.extend(
                    WebMessage(session_id=sid, direction="out", payload=r.to_payload())
                    for r in result.replies
                )
                session.add_all(kept)

        result = await self.app.dispatcher.handle(
            replace(event, client_key=self._client_key(request)), keep=keep
        )
        echo = WebMessage(session_id=sid, direction="in", payload=_echo(event, result.choice_label))
        replies = [
            WebMessage(session_id=sid, direction="out", payload=r.to_payload()) for r in result.replies
        ]
        if result.duplicate:
            echo_rows: list[WebMessage] = []
        else:
            echo_rows = [echo]
        async with self.app.db.session() as session:
            # A private flow (an anonymous tip) is shown once and never kept: a stored transcript would link it.
            if kept:
                rows = kept  # stored with the update itself
            elif result.person_id is not None and not result.private:  # the handler failed: keep its apology
                session.add_all(echo_rows + replies)
                await session.commit()
                rows = echo_rows + replies
            else:
                rows = echo_rows + replies  # before consent, after /forget, or private: nothing is kept
        with use_locale(result.locale):
            messages = [self._render(r, sid) for r in rows]
        return self._with_cookie(web.json_response({"messages": messages}), fresh)

    async def _read_event(self, request: web.Request, sid: str) -> Incoming:
        """The event a request carries. Only what the page sends is accepted: JSON as application/json (a form or
        text/plain is what another site's page can send without asking), files as multipart, from the page's own
        origin (bot.guard.http_input.cross_site)."""
        if cross_site(request, self.app.settings.public_url):
            raise _BadInput("cross_site", 403)
        limit = self.app.settings.web_max_upload_mb * 1024 * 1024
        if request.content_length is not None and request.content_length > limit + 64 * 1024:
            raise _BadInput("too_large", 413)
        if request.content_type == "multipart/form-data":
            return await self._read_upload(request, sid, limit)
        if request.content_type != "application/json":
            raise _BadInput("unsupported", 415)
        try:
            body = await read_json(request, JSON_LIMIT)
        except InputRefused as refused:
            raise _BadInput("too_long" if refused.status == 413 else "malformed", refused.status) from None
        if not isinstance(body, dict):
            raise _BadInput("malformed", 400)
        client_id = body.get("id")
        update_key = f"{sid}:{client_id}" if isinstance(client_id, str | int) and str(client_id) else None
        common: dict[str, Any] = {"update_key": update_key}
        if isinstance(body.get("choice"), str) and body["choice"]:
            return Incoming("web", sid, sid, Kind.CHOICE, choice=body["choice"][:64], **common)
        loc = body.get("location")
        if isinstance(loc, dict):
            try:
                lat, lon = float(loc["latitude"]), float(loc["longitude"])
            except (KeyError, TypeError, ValueError):
                raise _BadInput("malformed", 400) from None
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise _BadInput("malformed", 400)
            return Incoming("web", sid, sid, Kind.LOCATION, location=Location(lat, lon), **common)
        if isinstance(body.get("text"), str) and body["text"].strip():
            return parse_text("web", sid, sid, body["text"], **common)
        raise _BadInput("empty", 400)

    async def _read_upload(self, request: web.Request, sid: str, limit: int) -> Incoming:
        try:
            upload = await read_upload(request, limit)
        except InputRefused as refused:
            raise _BadInput("too_large" if refused.status == 413 else "malformed", refused.status) from None
        filename, mime, data, caption = upload.filename, upload.mime_type, upload.data, upload.caption
        if not data:
            raise _BadInput("empty", 400)
        kind = (
            "photo"
            if (mime or "").startswith("image/")
            else "voice"
            if (mime or "").startswith("audio/")
            else "file"
        )
        attachment = Attachment(
            kind=kind, fetch="upload", filename=filename, mime_type=mime, size=len(data), data=data
        )
        return Incoming("web", sid, sid, Kind.MEDIA, text=caption, attachments=(attachment,))

    async def get_messages(self, request: web.Request) -> web.StreamResponse:
        sid, fresh = self._session_id(request)
        after_text, wait_text = request.query.get("after", "0"), request.query.get("wait", "0")
        try:
            after = int(after_text) if len(after_text) <= 12 else -1
            wait = float(wait_text) if len(wait_text) <= 32 else math.nan
        except ValueError:
            after = -1
        # Message ids are 32-bit (and never negative); a wait must be a finite number of seconds.
        if not 0 <= after <= MAX_MESSAGE_ID or not math.isfinite(wait):
            with use_locale(self.app.settings.default_locale):
                return web.json_response({"error": _BadInput("malformed", 400).message()}, status=400)
        wait = min(max(wait, 0.0), MAX_WAIT)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            rows = await self._since(sid, after)
            remaining = deadline - loop.time()
            if rows or remaining <= 0 or self._closing:
                break
            waiter = self._waiters.setdefault(sid, asyncio.Event())
            try:
                # Another worker may have written the row: look again at least every second.
                await asyncio.wait_for(waiter.wait(), timeout=min(remaining, 1.0))
            except TimeoutError:
                pass
        async with self.app.db.session() as session:
            locale = await locale_of(session, self.name, sid, self.app.settings.default_locale)
        with use_locale(locale):
            body = {"messages": [self._render(r, sid) for r in rows]}
        return self._with_cookie(web.json_response(body), fresh)

    def _media_sig(self, sid: str, media_id: str) -> str:
        return self.app.keyring.keyed_hash("web-media", sid, media_id)[:32]

    def _render(self, row: WebMessage, sid: str) -> dict[str, Any]:
        """A transcript row as the page shows it; stored media become URLs only this browser may open."""
        rendered = _render(row)
        for item in rendered["media"]:
            if is_ref(item.get("url")):
                media_id = item["url"].removeprefix("media:")
                item["url"] = f"/media/{media_id}?sig={self._media_sig(sid, media_id)}"
        return rendered

    async def get_media(self, request: web.Request) -> web.StreamResponse:
        sid, _fresh = self._session_id(request)
        media_id = request.match_info["media_id"]
        if not hmac.compare_digest(request.query.get("sig", ""), self._media_sig(sid, media_id)):
            raise web.HTTPNotFound()
        item = await self.app.media.get(media_id)
        if item is None:
            raise web.HTTPNotFound()
        disposition = "inline" if item.mime_type.startswith("image/") else "attachment"
        return web.Response(
            body=item.data,
            content_type=item.mime_type,
            headers={
                "Content-Disposition": f'{disposition}; filename="{quote(item.filename)}"',
                "Cache-Control": "private",
            },
        )

    async def _since(self, sid: str, after: int) -> list[WebMessage]:
        async with self.app.db.session() as session:
            result = await session.exec(
                select(WebMessage)
                .where(
                    col(WebMessage.session_id).in_([sid, self._private_id(sid)]), col(WebMessage.id) > after
                )
                .order_by(col(WebMessage.id))
                .limit(200)
            )
            return list(result.all())


class _BadInput(Exception):
    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status

    def message(self) -> str:
        if self.reason == "too_large":
            return _("That file is too large for the chat. Please send a smaller photo or file.")
        if self.reason == "too_long":
            return _("That message is far too long to send. Please shorten it.")
        if self.reason == "cross_site":
            return _(
                "This request did not come from the chat page, so it was refused. Please open the chat page "
                "and write there."
            )
        if self.reason == "unsupported":
            return _("The chat cannot read this kind of request. Please use the chat page.")
        if self.reason == "empty":
            return _("The message was empty, so nothing was sent.")
        return _("The message could not be read. Please try again.")


def _echo(event: Incoming, choice_label: str | None) -> dict[str, Any]:
    """What the person sent, as the transcript shows it back to them (a pressed choice shows its label)."""
    if event.kind == Kind.CHOICE:
        return {"text": choice_label or event.choice or "", "choices": [], "media": []}
    if event.kind == Kind.LOCATION and event.location:
        return {
            "text": f"📍 {event.location.latitude:.5f}, {event.location.longitude:.5f}",
            "choices": [],
            "media": [],
        }
    if event.kind == Kind.MEDIA:
        names = ", ".join(a.filename or a.kind for a in event.attachments)
        return {"text": f"📎 {names}\n{event.text}".strip(), "choices": [], "media": []}
    return {"text": event.text, "choices": [], "media": []}


def _render(row: WebMessage) -> dict[str, Any]:
    """A transcript row as JSON; a row never stored has no id and is marked ephemeral (shown once)."""
    payload = row.payload
    return {
        "id": row.id,
        "ephemeral": row.id is None,
        "direction": row.direction,
        "text": payload.get("text", ""),
        "choices": payload.get("choices", []),
        "media": [dict(m) for m in payload.get("media", [])],
        "at": row.at.isoformat(),
        "at_display": fmt_time(row.at),
    }
