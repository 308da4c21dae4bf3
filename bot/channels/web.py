"""The web chat channel: the chat page, its JSON API (send, long-poll), and delivery of pushes into the transcript.

API (same origin, session bound to the HttpOnly cookie `andan_session`):
- `POST /api/messages` — JSON `{"text"}` | `{"choice"}` | `{"location": {"latitude", "longitude"}}`, optional
  `"id"` (client message id, makes retries idempotent); or multipart with `file` (+ `caption`).
  200 → `{"messages": [Msg]}`; 4xx → `{"error": "<translated text>"}`.
- `GET /api/messages?after=<id>&wait=<s≤25>` — messages with id > after, waiting up to `wait` seconds.
- Msg: `{"id", "ephemeral", "direction": "in"|"out", "text", "choices": [{"label","payload"}], "media", "at",
  "at_display"}`. Before consent nothing is stored: such messages have `"id": null, "ephemeral": true`.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web
from sqlmodel import col, delete, select

from bot.channels.base import Channel
from bot.core.events import Attachment, Incoming, Kind, Location, parse_text
from bot.core.replies import Reply
from bot.i18n import _, fmt_time, use_locale
from bot.media import is_ref
from models import WebMessage

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.app import App

STATIC_DIR = Path(__file__).with_name("web_static")
COOKIE = "andan_session"
MAX_WAIT = 25.0


class WebChannel(Channel):
    name = "web"
    text_limit = 20000
    supports_buttons = True

    def __init__(self, app: App) -> None:
        self.app = app
        self._waiters: dict[str, asyncio.Event] = {}
        self._closing = False
        self._page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")

    # Delivery (replies and pushes both land in the transcript) -------------------------------------------
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
        await session.exec(delete(WebMessage).where(  # type: ignore[call-overload]
            col(WebMessage.session_id).in_([chat_id, self._private_id(chat_id)])))

    async def release_polls(self, _http: web.Application) -> None:
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
            web.get("/", self.page),
            web.get("/join/{code}", self.join),
            web.static("/static", STATIC_DIR),
            web.post("/api/messages", self.post_message),
            web.get("/api/messages", self.get_messages),
            web.get("/media/{media_id}", self.get_media),
        ]

    def _session_id(self, request: web.Request) -> tuple[str, str | None]:
        """The hashed session id, and a new cookie value when the browser had none."""
        token = request.cookies.get(COOKIE)
        fresh = None
        if not token or len(token) > 128:
            token = fresh = secrets.token_urlsafe(32)
        return self.app.keyring.keyed_hash("web-session", token), fresh

    def _with_cookie(self, response: web.StreamResponse, fresh: str | None) -> web.StreamResponse:
        if fresh:
            response.set_cookie(COOKIE, fresh, httponly=True, samesite="Lax", max_age=365 * 86400,
                                secure=bool(self.app.settings.public_url and self.app.settings.public_url.startswith("https")))
        return response

    async def page(self, request: web.Request) -> web.StreamResponse:
        _sid, fresh = self._session_id(request)
        html = self._page
        with use_locale(self.app.settings.default_locale) as locale:
            values = {
                "lang": locale, "title": "An Dân", "subtitle": _("Neighbourhood safety, together"),
                "placeholder": _("Type a message…"), "send": _("Send"), "attach": _("Attach a photo or file"),
                "location": _("Share my location"), "offline": _("Cannot reach the server. Retrying…"),
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
                return self._with_cookie(web.json_response({"error": bad.message()}, status=bad.status), fresh)
        result = await self.app.dispatcher.handle(event)
        echo = WebMessage(session_id=sid, direction="in", payload=_echo(event, result.choice_label))
        replies = [WebMessage(session_id=sid, direction="out", payload=r.to_payload()) for r in result.replies]
        if result.duplicate:
            echo_rows: list[WebMessage] = []
        else:
            echo_rows = [echo]
        async with self.app.db.session() as session:
            # A private flow (an anonymous tip) is shown once and never kept: a stored transcript would link it.
            if result.person_id is not None and not result.private:
                session.add_all(echo_rows + replies)
                await session.commit()
                rows = echo_rows + replies
            else:
                rows = echo_rows + replies  # before consent, after /forget, or private: nothing is kept
        with use_locale(result.locale):
            messages = [self._render(r, sid) for r in rows]
        return self._with_cookie(web.json_response({"messages": messages}), fresh)

    async def _read_event(self, request: web.Request, sid: str) -> Incoming:
        limit = self.app.settings.web_max_upload_mb * 1024 * 1024
        if request.content_length is not None and request.content_length > limit + 64 * 1024:
            raise _BadInput("too_large", 413)
        if request.content_type.startswith("multipart/"):
            return await self._read_upload(request, sid, limit)
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise _BadInput("malformed", 400) from None
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
        reader = await request.multipart()
        data = b""
        filename = mime = None
        caption = ""
        while (part := await reader.next()) is not None:
            if part.name == "file":  # type: ignore[union-attr]
                filename = part.filename  # type: ignore[union-attr]
                mime = part.headers.get("Content-Type")  # type: ignore[union-attr]
                data = bytes(await part.read(decode=False))  # type: ignore[union-attr]
                if len(data) > limit:
                    raise _BadInput("too_large", 413)
            elif part.name == "caption":  # type: ignore[union-attr]
                caption = (await part.text())[:4000]  # type: ignore[union-attr]
        if not data:
            raise _BadInput("empty", 400)
        kind = "photo" if (mime or "").startswith("image/") else "voice" if (mime or "").startswith("audio/") else "file"
        attachment = Attachment(kind=kind, fetch="upload", filename=filename, mime_type=mime, size=len(data), data=data)
        return Incoming("web", sid, sid, Kind.MEDIA, text=caption, attachments=(attachment,))

    async def get_messages(self, request: web.Request) -> web.StreamResponse:
        sid, fresh = self._session_id(request)
        try:
            after = int(request.query.get("after", "0"))
            wait = min(max(float(request.query.get("wait", "0")), 0.0), MAX_WAIT)
        except ValueError:
            with use_locale(self.app.settings.default_locale):
                return web.json_response({"error": _BadInput("malformed", 400).message()}, status=400)
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
        with use_locale(await self._locale_for(sid)):
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
        return web.Response(body=item.data, content_type=item.mime_type, headers={
            "Content-Disposition": f'{disposition}; filename="{quote(item.filename)}"', "Cache-Control": "private"})

    async def _since(self, sid: str, after: int) -> list[WebMessage]:
        async with self.app.db.session() as session:
            result = await session.exec(
                select(WebMessage).where(col(WebMessage.session_id).in_([sid, self._private_id(sid)]),
                                         col(WebMessage.id) > after)
                .order_by(col(WebMessage.id)).limit(200)
            )
            return list(result.all())

    async def _locale_for(self, sid: str) -> str:
        from bot.people import identity_for
        from models import Person

        async with self.app.db.session() as session:
            identity = await identity_for(session, "web", sid)
            person = await session.get(Person, identity.person_id) if identity else None
            return person.locale if person else self.app.settings.default_locale


class _BadInput(Exception):
    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status

    def message(self) -> str:
        if self.reason == "too_large":
            return _("That file is too large for the chat. Please send a smaller photo or file.")
        if self.reason == "empty":
            return _("The message was empty, so nothing was sent.")
        return _("The message could not be read. Please try again.")


def _echo(event: Incoming, choice_label: str | None) -> dict[str, Any]:
    """What the person sent, as the transcript shows it back to them (a pressed choice shows its label)."""
    if event.kind == Kind.CHOICE:
        return {"text": choice_label or event.choice or "", "choices": [], "media": []}
    if event.kind == Kind.LOCATION and event.location:
        return {"text": f"📍 {event.location.latitude:.5f}, {event.location.longitude:.5f}", "choices": [], "media": []}
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
