"""A browser's session of the web chat: the HttpOnly cookie, the keyed hash that stands for it everywhere, the
session's language, and the limit on how many new sessions one client network may open."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from bot.directory.people import identity_for
from bot.guard import ratelimit
from bot.i18n import _, use_locale
from models import ConversationState, Person

if TYPE_CHECKING:
    from bot.app import App

COOKIE = "andan_session"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Sessions:
    """Part of WebChannel (bot.channels.web.channel): what every route needs to know whose request it is."""

    name: str
    app: App
    _networks: ratelimit.ClientNetworks

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
