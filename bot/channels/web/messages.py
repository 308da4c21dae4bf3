"""Sending (`POST /api/messages`, `POST /api/hello`): the event goes to the dispatcher, and the HTTP answer is its
echo and the bot's replies, stored in the update's own transaction once the person has agreed to the notice.

An input sent again with the same client id (the page did not see the answer) is not handled again: the answer is
what was stored for it, or, where nothing is stored by design (before consent, in a private form), the person's
words shown back with a line saying they had arrived, under the buttons the conversation offers now."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlmodel import col, select

from bot.channels.web.incoming import BadInput, Reading
from bot.channels.web.transcript import CLIENT_TAG, Transcript, echo_of
from bot.core.events import Incoming, Kind, parse_text
from bot.core.forms import GoOn
from bot.core.menu import command_of, label_for
from bot.core.replies import Choice, Reply
from bot.directory.people import identity_for
from bot.i18n import _, use_locale
from models import ConversationState, WebMessage

# The stored payload as a JSON column, for the look-up of an input's stored rows by their client tag.
WEB_PAYLOAD = WebMessage.__table__.c.payload  # type: ignore[attr-defined]

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
        once what An Dân is and what to press. Nothing is echoed: the person has said nothing yet.

        A form still open (the tab was closed mid-tip: a private form's questions live only in the tab that showed
        them) is taken up instead: its question is asked again. A page that shows a transcript but none of its
        form sends {"resume": true}: it gets that question, or nothing when no form is open."""
        sid, fresh = self._session_id(request)
        try:
            self._check_post(request)
            body = await self._read_small_json(request)
        except BadInput as bad:
            return self._with_cookie(self._refusal(bad), fresh)
        async with self.app.db.session() as session:
            registered = await identity_for(session, self.name, sid) is not None
            state = await session.get(ConversationState, self.app.dispatcher.state_key(self.name, sid, sid))
        if state is not None and state.flow:
            event = Incoming(self.name, sid, sid, Kind.CHOICE, choice=GoOn().pack())
        elif body.get("resume") is True:
            return self._with_cookie(
                web.json_response({"messages": [], "lang": await self._locale(sid)}), fresh
            )
        else:
            event = parse_text(self.name, sid, sid, "/menu" if registered else "/start")
        return self._with_cookie(await self._answer(request, sid, event, echo=False), fresh)

    async def _answer(
        self, request: web.Request, sid: str, event: Incoming, *, label: str | None = None, echo: bool = True
    ) -> web.StreamResponse:
        """Hand the event to the dispatcher; answer with its echo (what the person sent) and the bot's replies."""
        kept: list[WebMessage] = []
        tag = self._client_tag(event)

        def echoed(result: DispatchResult) -> list[WebMessage]:
            if not echo:
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
                if tag is not None:  # what a retry of this input finds (`_answered_before`)
                    for row in kept:
                        row.payload = {**row.payload, CLIENT_TAG: tag}
                session.add_all(kept)

        result = await self.app.dispatcher.handle(
            replace(event, client_key=self._client_key(request)), keep=keep
        )
        if result.duplicate:
            return web.json_response(await self._answered_before(sid, event, label, tag))
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

    def _client_tag(self, event: Incoming) -> str | None:
        """What marks the stored rows of an input sent with a client id: a keyed hash of its update key (which
        holds the session), so the page's ids are not kept as sent."""
        if event.update_key is None:
            return None
        return self.app.keyring.keyed_hash("web-client", event.update_key)[:32]

    async def _answered_before(
        self, sid: str, event: Incoming, label: str | None, tag: str | None
    ) -> dict[str, Any]:
        """The answer to an input already handled (sent again with its client id): its echo and replies as they
        were stored with it; or, when nothing was stored for it, its echo and a line saying it had arrived, with the
        buttons the conversation offers now, all shown once and kept nowhere (a private form's words must not be
        linked to the session)."""
        locale = await self._locale(sid)
        async with self.app.db.session() as session:
            stored = await self._stored_with(session, sid, tag) if tag is not None else []
            state = await session.get(ConversationState, self.app.dispatcher.state_key(self.name, sid, sid))
        with use_locale(locale):
            rows = stored or [
                WebMessage(
                    session_id=sid,
                    direction="in",
                    payload=echo_of(event, label or self._command_label(event)),
                ),
                WebMessage(session_id=sid, direction="out", payload=self._arrived(state).to_payload()),
            ]
            messages = [self._render(r, sid) for r in rows]
        return {"messages": messages, "lang": locale}

    @staticmethod
    async def _stored_with(session: AsyncSession, sid: str, tag: str) -> list[WebMessage]:
        """The rows stored with the input of this client tag (its echo and replies), in order."""
        found = await session.exec(
            select(WebMessage)
            .where(col(WebMessage.session_id) == sid, WEB_PAYLOAD[CLIENT_TAG].as_string() == tag)
            .order_by(col(WebMessage.id))
        )
        return list(found.all())

    @staticmethod
    def _arrived(state: ConversationState | None) -> Reply:
        """The line for an input handled before whose answer was not kept, under the buttons offered now."""
        offered = tuple(Choice(c["label"], c["payload"]) for c in (state.choices if state else []))
        said = _("This message had already reached An Dân, so it was not handled a second time.")
        if offered:
            return Reply(said + " " + _("Choose below to go on."), offered)
        if state is not None and state.flow:
            return Reply(
                said
                + " "
                + _("Please go on answering the last question, or type /cancel to start this form again.")
            )
        return Reply(said)

    def _command_label(self, event: Incoming) -> str | None:
        """What a `cmd:` button says (the Menu button beside the text box), for its echo."""
        command = command_of(event.choice) if event.kind == Kind.CHOICE else None
        return label_for(self.app.registry, command) if command else None
