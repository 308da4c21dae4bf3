"""The web chat channel: the chat page, its JSON API (send, long-poll), delivery of pushes into the transcript, and
Web Push for people who asked to be told of new messages with the page closed.

API (same origin, session bound to the HttpOnly cookie `andan_session`):
- `POST /api/messages` — JSON `{"text"}` | `{"choice", "label"?}` | `{"location": {"latitude", "longitude"}}`,
  optional `"id"` (client message id, makes retries idempotent); or multipart with `file` (+ `caption`).
  A pressed button's `label` (what the person saw) is what the transcript echoes when the bot no longer offers it.
  Sent as `application/json` or `multipart/form-data` (415 otherwise), from the page's own origin (403 when a
  browser sends it from another site's page). 200 → `{"messages": [Msg], "lang"}`; 4xx → `{"error": "<text>"}`.
- `POST /api/hello` — JSON `{}`: the greeting of an empty chat (the start for a new person, the main menu for a
  registered one), without an echo. Same answer as a message.
- `GET /api/messages?after=<id>&wait=<s≤25>` — messages with id > after, waiting up to `wait` seconds.
- `GET /api/page` — `{"lang", "strings", "push", "timezone"}`: the page's own words in the person's language (the page asks
  again when a reply's `lang` differs from its own), and whether Web Push is offered, with the VAPID key.
- `POST /api/push` — JSON PushSubscription `{"endpoint", "keys": {"p256dh", "auth"}}` of a registered person's
  browser; `DELETE /api/push` — JSON `{"endpoint"}`. 200 → `{"ok": true}`.
- Msg: `{"id", "ephemeral", "direction": "in"|"out", "text", "choices": [{"label","payload"}], "media", "at",
  "at_display", "urgent", "codes"}`. Before consent nothing is stored: such messages have `"id": null,
  "ephemeral": true`. `urgent`: an urgent alert; `codes`: the receipt codes in the text, shown once.
- A request without a session cookie opens a new session; beyond ANDAN_RATE_WEB_SESSIONS_PER_HOUR from one client
  network it is answered 429 with `Retry-After` and `{"error"}` (bot.guard.ratelimit).
"""

from __future__ import annotations

import asyncio
import hmac
import html
import json
import logging
import math
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web
from sqlmodel import col, delete, select

from bot.channels.base import Channel
from bot.channels.web_push import WebPush, checked_subscription
from bot.channels.zalo_common import Refused, check_url
from bot.core.events import Attachment, Incoming, Kind, Location, parse_text
from bot.core.menu import command_of, label_for
from bot.core.replies import Reply
from bot.directory.people import identity_for
from bot.guard import ratelimit
from bot.guard.http_input import InputRefused, cross_site, read_json, read_upload
from bot.i18n import _, fmt_time, use_locale
from bot.media import is_ref
from bot.security import CODE_ALPHABET
from models import ConversationState, Person, WebMessage
from models.web import WebPushSubscription

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.app import App
    from bot.core.dispatcher import DispatchResult

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("web_static")
COOKIE = "andan_session"
MAX_WAIT = 25.0
MAX_MESSAGE_ID = 2**31 - 1
JSON_LIMIT = 256 * 1024  # a message is at most a few thousand characters; ten times that still reads politely
SMALL_JSON_LIMIT = 8 * 1024  # a greeting or a push subscription
LABEL_LIMIT = 200  # a button label echoed back: longer than any label the bot makes
# A tab whose long poll ended this recently is still open (it polls again at once): no Web Push for it.
OPEN_TAB_SECONDS = 5.0
# A tip's receipt code (handlers/tips/store.py: 4 groups of 4 from the code alphabet); no other code has 4 groups.
RECEIPT_CODE = re.compile(
    rf"(?<![0-9A-Za-z-])[{CODE_ALPHABET}]{{4}}(?:-[{CODE_ALPHABET}]{{4}}){{3}}(?![0-9A-Za-z-])"
)
# How an urgent alert's text begins (handlers/alerts/texts.py ICONS): the page gives it a style of its own.
URGENT_MARK = "🔴"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def page_strings() -> dict[str, str]:
    """The page's own words, in the current locale: the template and the script both take them from here."""
    return {
        "title": "An Dân",
        "subtitle": _("Neighbourhood safety, together"),
        "placeholder": _("Type a message…"),
        "send": _("Send"),
        "attach": _("Attach a photo or file"),
        "location": _("Share my location"),
        "offline": _("Cannot reach the server. Retrying…"),
        "retry": _("Retry now"),
        "menu": _("Menu"),
        "menu_hint": _("Show the main menu"),
        "large_text": _("Large text"),
        "notify": _("Notifications"),
        "notify_hint": _("Tell me about new messages when this page is not open"),
        "notify_denied": _(
            "Notifications are blocked for this page. You can allow them in your browser's site settings."
        ),
        "newline_hint": _("Enter sends; Shift+Enter starts a new line."),
        "you": _("You:"),
        "bot": _("An Dân:"),
        "urgent": _("Urgent alert"),
        "code_label": _("Your receipt code"),
        "code_once": _(
            "An Dân does not keep this code. Once you leave this page it cannot be shown again: copy it or save "
            "it as a picture now."
        ),
        "copy": _("Copy the code"),
        "copied": _("Copied"),
        "copy_failed": _("Could not copy. Please write the code down."),
        "save_picture": _("Save as picture"),
        "picture_title": _("An Dân: receipt code of your tip"),
        "picture_hint": _("To follow your tip, type in any An Dân chat: /tracuu {code}"),
        "picture_name": _("andan-receipt-code"),
        "uploading": _("Sending… {percent}%"),
        "upload_failed": _("The file could not be sent. Please try again."),
        "your_photo": _("Your photo"),
        "unread_title": _("({n}) An Dân"),
        "urgent_title": _("🔴 Urgent alert · An Dân"),
        "push_new": _("You have a new message in An Dân."),
        "push_urgent": _("Urgent alert: open An Dân to read it."),
    }


class WebChannel(Channel):
    name = "web"
    text_limit = 20000
    supports_buttons = True

    def __init__(self, app: App) -> None:
        self.app = app
        self._waiters: dict[str, asyncio.Event] = {}
        self._polls: dict[str, int] = {}  # long polls in flight per session
        self._polled_at: dict[str, float] = {}  # when a session's last long poll ended (loop time)
        self._closing = False
        self._page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
        self._worker = (STATIC_DIR / "sw.js").read_bytes()
        self._networks = ratelimit.ClientNetworks(app.keyring, app.settings)
        self.push = WebPush(app.settings, app.keyring) if app.settings.web_push_enabled else None

    async def stop(self) -> None:
        if self.push is not None:
            await self.push.close()

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
        if self.push is not None and not self._tab_open(chat_id):
            # The message is stored: whatever happens to the Web Push, the delivery stands (raising here would make
            # the sender store it twice).
            try:
                await self._notify(chat_id, reply)
            except Exception:
                log.exception("web push failed unexpectedly")
        return [str(row.id)]

    def _private_id(self, sid: str) -> str:
        return self.app.keyring.keyed_hash("web-private", sid)

    async def forget(self, session: AsyncSession, chat_id: str) -> None:
        await session.exec(
            delete(WebMessage).where(col(WebMessage.session_id).in_([chat_id, self._private_id(chat_id)]))
        )
        await session.exec(delete(WebPushSubscription).where(col(WebPushSubscription.session_id) == chat_id))

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

    def _tab_open(self, session_id: str) -> bool:
        """A page of this session is long-polling now, or was a moment ago (in this process only: with several, a
        person may get a Web Push while a page is open, where the page's own notification would have come)."""
        if self._polls.get(session_id):
            return True
        ended = self._polled_at.get(session_id)
        return ended is not None and asyncio.get_running_loop().time() - ended < OPEN_TAB_SECONDS

    # HTTP ---------------------------------------------------------------------------------------------
    def routes(self) -> list[web.AbstractRouteDef]:
        return [
            web.get("/", self._counted(self.page)),
            web.get("/join/{code}", self.join),
            web.get("/favicon.ico", self.favicon),
            web.get("/sw.js", self.service_worker),
            web.static("/static", STATIC_DIR),
            web.post("/api/messages", self._counted(self.post_message)),
            web.get("/api/messages", self._counted(self.get_messages)),
            web.post("/api/hello", self._counted(self.hello)),
            web.get("/api/page", self._counted(self.page_info)),
            web.post("/api/push", self.push_subscribe),
            web.delete("/api/push", self.push_unsubscribe),
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
        return self._hash_session(token), fresh

    def _hash_session(self, token: str) -> str:
        return self.app.keyring.keyed_hash("web-session", token)

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

    async def _locale(self, sid: str) -> str:
        """The language of this session's person, or the one chosen before agreeing to the notice, or the default."""
        async with self.app.db.session() as session:
            identity = await identity_for(session, self.name, sid)
            person = await session.get(Person, identity.person_id) if identity else None
            if person is not None:
                return person.locale
            state = await session.get(ConversationState, self.app.dispatcher.state_key(self.name, sid, sid))
        return (state.locale if state else None) or self.app.settings.default_locale

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

    # The page -------------------------------------------------------------------------------------------
    def _page_info(self, locale: str) -> dict[str, Any]:
        with use_locale(locale) as chosen:
            strings = page_strings()
        push = {"enabled": self.push is not None, "key": self.push.public_key if self.push else None}
        return {"lang": chosen, "strings": strings, "push": push, "timezone": self.app.settings.timezone}

    async def page(self, request: web.Request) -> web.StreamResponse:
        sid, fresh = self._session_id(request)
        info = self._page_info(self.app.settings.default_locale if fresh else await self._locale(sid))
        values = {key: html.escape(value) for key, value in info["strings"].items()}
        values["lang"] = info["lang"]
        # Inside <script>: "<" escaped so no text can close the element.
        values["page_json"] = json.dumps(info, ensure_ascii=False).replace("<", "\\u003c")
        page = self._page
        for key, value in values.items():
            page = page.replace("{{" + key + "}}", value)
        response = web.Response(text=page, content_type="text/html", headers={"Cache-Control": "no-store"})
        return self._with_cookie(response, fresh)

    async def page_info(self, request: web.Request) -> web.StreamResponse:
        sid, fresh = self._session_id(request)
        locale = self.app.settings.default_locale if fresh else await self._locale(sid)
        response = web.json_response(self._page_info(locale), headers={"Cache-Control": "no-store"})
        return self._with_cookie(response, fresh)

    async def favicon(self, _request: web.Request) -> web.StreamResponse:
        return web.FileResponse(
            STATIC_DIR / "favicon.ico", headers={"Cache-Control": "public, max-age=86400"}
        )

    async def service_worker(self, _request: web.Request) -> web.StreamResponse:
        # Served from the root so its scope is the whole chat; never cached, so a fixed worker reaches people.
        return web.Response(
            body=self._worker, content_type="text/javascript", headers={"Cache-Control": "no-cache"}
        )

    async def join(self, request: web.Request) -> web.StreamResponse:
        code = request.match_info["code"][:64]
        raise web.HTTPFound(f"/#start={code}")

    # Messages -------------------------------------------------------------------------------------------
    async def post_message(self, request: web.Request) -> web.StreamResponse:
        sid, fresh = self._session_id(request)
        try:
            event, label = await self._read_event(request, sid)
        except _BadInput as bad:
            return self._with_cookie(self._refusal(bad), fresh)
        return self._with_cookie(await self._answer(request, sid, event, label=label), fresh)

    async def hello(self, request: web.Request) -> web.StreamResponse:
        """The greeting of an empty chat: the page asks for it when it has nothing to show, so a person sees at
        once what An Dân is and what to press. Nothing is echoed: the person has said nothing yet."""
        sid, fresh = self._session_id(request)
        try:
            self._check_post(request)
            await self._read_small_json(request)
        except _BadInput as bad:
            return self._with_cookie(self._refusal(bad), fresh)
        async with self.app.db.session() as session:
            registered = await identity_for(session, self.name, sid) is not None
        event = parse_text(self.name, sid, sid, "/menu" if registered else "/start")
        return self._with_cookie(await self._answer(request, sid, event, echo=False), fresh)

    def _refusal(self, bad: _BadInput) -> web.StreamResponse:
        with use_locale(self.app.settings.default_locale):
            return web.json_response({"error": bad.message()}, status=bad.status)

    async def _answer(
        self, request: web.Request, sid: str, event: Incoming, *, label: str | None = None, echo: bool = True
    ) -> web.StreamResponse:
        """Hand the event to the dispatcher; answer with its echo (what the person sent) and the bot's replies."""
        kept: list[WebMessage] = []

        def echoed(result: DispatchResult) -> list[WebMessage]:
            if not echo or result.duplicate:
                return []
            shown = result.choice_label or label or self._command_label(event)
            return [WebMessage(session_id=sid, direction="in", payload=_echo(event, shown))]

        async def keep(session: AsyncSession, result: DispatchResult) -> None:
            # In the update's own transaction: a process killed after it committed still leaves the echo and the
            # replies (a case number, a code) in the transcript, where a retry answered "already handled" finds them.
            if result.person_id is not None and not result.private:
                kept.extend(echoed(result))
                kept.extend(
                    WebMessage(session_id=sid, direction="out", payload=r.to_payload())
                    for r in result.replies
                )
                session.add_all(kept)

        result = await self.app.dispatcher.handle(
            replace(event, client_key=self._client_key(request)), keep=keep
        )
        with use_locale(result.locale):
            if kept:
                rows = kept  # stored with the update itself
            else:
                rows = echoed(result) + [
                    WebMessage(session_id=sid, direction="out", payload=r.to_payload())
                    for r in result.replies
                ]
                if (
                    result.person_id is not None and not result.private
                ):  # the handler failed: keep its apology
                    async with self.app.db.session() as session:
                        session.add_all(rows)
                        await session.commit()
                # Otherwise (before consent, after /forget, or private) nothing is kept: a private flow (an
                # anonymous tip) is shown once, as a stored transcript would link it to the person.
            messages = [self._render(r, sid) for r in rows]
            lang = result.locale
        return web.json_response({"messages": messages, "lang": lang})

    def _command_label(self, event: Incoming) -> str | None:
        """What a `cmd:` button says (the Menu button beside the text box), for its echo."""
        command = command_of(event.choice) if event.kind == Kind.CHOICE else None
        return label_for(self.app.registry, command) if command else None

    def _check_post(self, request: web.Request) -> None:
        """Only what the page sends is accepted: JSON as application/json (a form or text/plain is what another
        site's page can send without asking), from the page's own origin (bot.guard.http_input.cross_site)."""
        if cross_site(request, self.app.settings.public_url):
            raise _BadInput("cross_site", 403)
        if request.content_type != "application/json":
            raise _BadInput("unsupported", 415)

    async def _read_small_json(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await read_json(request, SMALL_JSON_LIMIT)
        except InputRefused as refused:
            raise _BadInput("too_long" if refused.status == 413 else "malformed", refused.status) from None
        if not isinstance(body, dict):
            raise _BadInput("malformed", 400)
        return body

    async def _read_event(self, request: web.Request, sid: str) -> tuple[Incoming, str | None]:
        """The event a request carries, and the label of a pressed button as the page showed it. Files come as
        multipart, everything else as JSON; both only from the page's own origin."""
        if cross_site(request, self.app.settings.public_url):
            raise _BadInput("cross_site", 403)
        limit = self.app.settings.web_max_upload_mb * 1024 * 1024
        if request.content_length is not None and request.content_length > limit + 64 * 1024:
            raise _BadInput("too_large", 413)
        if request.content_type == "multipart/form-data":
            return await self._read_upload(request, sid, limit), None
        self._check_post(request)
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
            event = Incoming("web", sid, sid, Kind.CHOICE, choice=body["choice"][:64], **common)
            return event, _clean_label(body.get("label"))
        loc = body.get("location")
        if isinstance(loc, dict):
            try:
                lat, lon = float(loc["latitude"]), float(loc["longitude"])
            except (KeyError, TypeError, ValueError):
                raise _BadInput("malformed", 400) from None
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise _BadInput("malformed", 400)
            return Incoming("web", sid, sid, Kind.LOCATION, location=Location(lat, lon), **common), None
        if isinstance(body.get("text"), str) and body["text"].strip():
            return parse_text("web", sid, sid, body["text"], **common), None
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
        if wait > 0:
            self._polls[sid] = self._polls.get(sid, 0) + 1
        try:
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
        finally:
            self._poll_ended(sid, loop.time(), long=wait > 0)
        locale = self.app.settings.default_locale if fresh else await self._locale(sid)
        with use_locale(locale) as lang:
            body = {"messages": [self._render(r, sid) for r in rows], "lang": lang}
        return self._with_cookie(web.json_response(body), fresh)

    def _poll_ended(self, sid: str, now: float, *, long: bool) -> None:
        if not long:  # a one-off look (wait=0, an API client) says nothing about an open page
            return
        left = self._polls.get(sid, 1) - 1
        if left > 0:
            self._polls[sid] = left
        else:
            self._polls.pop(sid, None)
        self._polled_at[sid] = now  # the page polls again at once after a long poll
        if len(self._polled_at) > 1000:  # forget tabs long gone, so the map stays as small as the open tabs
            for old in [s for s, at in self._polled_at.items() if now - at > OPEN_TAB_SECONDS]:
                del self._polled_at[old]

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

    # Web Push -------------------------------------------------------------------------------------------
    # A subscription belongs to a browser session whose person registered (nothing is kept before consent); it is
    # erased with the session's transcript (`forget`). A push says only that there is a message, in the person's
    # language: never a word of it, so a lock screen or the push service learns nothing of a tip or an alert.
    async def push_subscribe(self, request: web.Request) -> web.StreamResponse:
        try:
            sid, body = await self._push_request(request)
            try:
                subscription = checked_subscription(body)
            except ValueError:
                raise _BadInput("malformed", 400) from None
            if self.push is None:
                raise _BadInput("push_off", 404)
            try:
                check_url(subscription["endpoint"], self.push.policy)
            except Refused:
                raise _BadInput("push_service", 400) from None
            async with self.app.db.session() as session:
                if await identity_for(session, self.name, sid) is None:
                    raise _BadInput("push_stranger", 403)
                key = self._endpoint_key(subscription["endpoint"])
                # The same browser subscribing again (or for another session) replaces its row.
                await session.exec(
                    delete(WebPushSubscription).where(col(WebPushSubscription.endpoint_key) == key)
                )
                sealed = self.app.keyring.seal("web-push", json.dumps(subscription).encode())
                session.add(WebPushSubscription(session_id=sid, endpoint_key=key, sealed=sealed))
                await session.commit()
        except _BadInput as bad:
            return await self._push_refusal(request, bad)
        return web.json_response({"ok": True})

    async def push_unsubscribe(self, request: web.Request) -> web.StreamResponse:
        try:
            sid, body = await self._push_request(request)
            endpoint = body.get("endpoint")
            if not isinstance(endpoint, str) or not endpoint or len(endpoint) > 2048:
                raise _BadInput("malformed", 400)
        except _BadInput as bad:
            return await self._push_refusal(request, bad)
        async with self.app.db.session() as session:
            await session.exec(
                delete(WebPushSubscription).where(
                    col(WebPushSubscription.endpoint_key) == self._endpoint_key(endpoint),
                    col(WebPushSubscription.session_id) == sid,
                )
            )
            await session.commit()
        return web.json_response({"ok": True})

    async def _push_request(self, request: web.Request) -> tuple[str, dict[str, Any]]:
        """The session and JSON body of a subscription request; a browser without a session has no person."""
        self._check_post(request)
        token = self._cookie(request)
        if token is None:
            raise _BadInput("push_stranger", 403)
        return self._hash_session(token), await self._read_small_json(request)

    async def _push_refusal(self, request: web.Request, bad: _BadInput) -> web.StreamResponse:
        token = self._cookie(request)
        locale = await self._locale(self._hash_session(token)) if token else self.app.settings.default_locale
        with use_locale(locale):
            return web.json_response({"error": bad.message()}, status=bad.status)

    def _endpoint_key(self, endpoint: str) -> str:
        return self.app.keyring.keyed_hash("web-push-endpoint", endpoint)

    async def _notify(self, sid: str, reply: Reply) -> None:
        """Tell this session's subscribed browsers that a message is waiting; forget those the service says are
        gone."""
        assert self.push is not None
        async with self.app.db.session() as session:
            rows = list(
                (
                    await session.exec(
                        select(WebPushSubscription).where(col(WebPushSubscription.session_id) == sid)
                    )
                ).all()
            )
        if not rows:
            return
        urgent = is_urgent(reply.to_payload())
        with use_locale(await self._locale(sid)) as lang:
            text = page_strings()["push_urgent" if urgent else "push_new"]
        data = json.dumps({"title": "An Dân", "body": text, "urgent": urgent, "lang": lang}).encode()
        gone: list[int] = []
        for row in rows:
            opened = self.app.keyring.unseal("web-push", row.sealed)
            if opened is None:
                continue
            status = await self.push.send(json.loads(opened), data, urgent=urgent)
            if status in (404, 410):  # the browser unsubscribed or the subscription expired
                gone.append(row.id or 0)
        if gone:
            async with self.app.db.session() as session:
                await session.exec(delete(WebPushSubscription).where(col(WebPushSubscription.id).in_(gone)))
                await session.commit()


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
        if self.reason == "push_off":
            return _("Notifications are not offered here.")
        if self.reason == "push_stranger":
            return _("Notifications can be turned on once you have joined An Dân. Type /start to begin.")
        if self.reason == "push_service":
            return _("This browser's notification service is not one An Dân can use.")
        return _("The message could not be read. Please try again.")


def _clean_label(value: Any) -> str | None:
    """A button label sent by the page, as its echo shows it: one line of plain text, bounded."""
    if not isinstance(value, str):
        return None
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())
    return text[:LABEL_LIMIT] or None


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


def is_urgent(payload: dict[str, Any]) -> bool:
    """An urgent alert: marked so by its sender (Reply.urgent), or, for rows queued before that flag existed,
    written as alerts write their severity."""
    return bool(payload.get("urgent")) or str(payload.get("text", "")).startswith(URGENT_MARK)


def _render(row: WebMessage) -> dict[str, Any]:
    """A transcript row as JSON; a row never stored has no id and is marked ephemeral (shown once)."""
    payload = row.payload
    text = payload.get("text", "")
    out = row.direction == "out"
    return {
        "id": row.id,
        "ephemeral": row.id is None,
        "direction": row.direction,
        "text": text,
        "choices": payload.get("choices", []),
        "media": [dict(m) for m in payload.get("media", [])],
        "at": row.at.isoformat(),
        "at_display": fmt_time(row.at),
        "urgent": out and is_urgent(payload),
        "codes": list(dict.fromkeys(RECEIPT_CODE.findall(text))) if out else [],
    }
