"""Sending (`POST /api/messages`, `POST /api/hello`): the event goes to the dispatcher, and the HTTP answer is its
echo and the bot's replies, stored in the update's own transaction once the person has agreed to the notice."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from aiohttp import web

from bot.channels.web.incoming import BadInput, Reading
from bot.channels.web.transcript import Transcript, echo_of
from bot.core.events import Incoming, Kind, parse_text
from bot.core.menu import command_of, label_for
from bot.directory.people import identity_for
from bot.i18n import use_locale
from models import WebMessage

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.core.dispatcher import DispatchResult


class Messages(Reading, Transcript):
    """Part of WebChannel (bot.channels.web.channel): what a person sends, and the answer to it."""

    async def post_message(self, request: web.Request) -> web.StreamResponse:
        sid, fresh = self._session_id(request)
        try:
            event, label = await self._read_event(request, sid)
        except BadInput as bad:
            return self._with_cookie(self._refusal(bad), fresh)
        return self._with_cookie(await self._answer(request, sid, event, label=label), fresh)

    async def hello(self, request: web.Request) -> web.StreamResponse:
        """The greeting of an empty chat: the page asks for it when it has nothing to show, so a person sees at
        once what An Dân is and what to press. Nothing is echoed: the person has said nothing yet."""
        sid, fresh = self._session_id(request)
        try:
            self._check_post(request)
            await self._read_small_json(request)
        except BadInput as bad:
            return self._with_cookie(self._refusal(bad), fresh)
        async with self.app.db.session() as session:
            registered = await identity_for(session, self.name, sid) is not None
        event = parse_text(self.name, sid, sid, "/menu" if registered else "/start")
        return self._with_cookie(await self._answer(request, sid, event, echo=False), fresh)

    async def _answer(
        self, request: web.Request, sid: str, event: Incoming, *, label: str | None = None, echo: bool = True
    ) -> web.StreamResponse:
        """Hand the event to the dispatcher; answer with its echo (what the person sent) and the bot's replies."""
        kept: list[WebMessage] = []

        def echoed(result: DispatchResult) -> list[WebMessage]:
            if not echo or result.duplicate:
                return []
            shown = result.choice_label or label or self._command_label(event)
            return [WebMessage(session_id=sid, direction="in", payload=echo_of(event, shown))]

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
