"""The long poll (`GET /api/messages?after=&wait=`): a page waits for new rows of its transcript, woken at once when
this process stores one and looking again every second for rows another process stored. An open page is one that
polls: no Web Push is sent to it."""

from __future__ import annotations

import asyncio
import math

from aiohttp import web

from bot.channels.web.incoming import BadInput
from bot.channels.web.transcript import Transcript
from bot.i18n import use_locale

MAX_MESSAGE_ID = 2**31 - 1
# A tab whose long poll ended this recently is still open (it polls again at once): no Web Push for it.
OPEN_TAB_SECONDS = 5.0


class Polling(Transcript):
    """Part of WebChannel (bot.channels.web.channel): pages waiting for messages, and waking them."""

    _waiters: dict[str, asyncio.Event]
    _polls: dict[str, int]  # long polls in flight per session
    _polled_at: dict[str, float]  # when a session's last long poll ended (loop time)
    _closing: bool

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
                return web.json_response({"error": BadInput("malformed", 400).message()}, status=400)
        settings = self.app.settings
        wait = min(max(wait, 0.0), settings.web_poll_max_seconds)
        if wait > 0 and (
            self._polls.get(sid, 0) >= settings.web_polls_per_session
            or sum(self._polls.values()) >= settings.web_polls_max
        ):
            # Each poll looks at the database every second: past the bounds, come back shortly (the page backs
            # off and tries again, showing it is offline meanwhile).
            with use_locale(settings.default_locale):
                refusal = {"error": BadInput("busy", 429).message()}
            return web.json_response(refusal, status=429, headers={"Retry-After": "5"})
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
