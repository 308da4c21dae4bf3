"""Turns one incoming event into replies: de-duplicate, lock the conversation, load state, route, save, commit.

Everything a handler changes, the conversation state and the de-duplication mark are committed in one
transaction before any reply leaves, so a confirmation is never sent for something that was not stored and a
process killed mid-update leaves the conversation at its previous step. A channel that stores the exchange
itself (the web transcript) adds it to that same transaction (`keep`), so a stored update never lacks its replies.

The rows every update touches go through plain statements, not the ORM's loading and unit of work: identity,
person, conversation state and the handled mark are read in one statement (identity and person then become
persistent objects of the session, for handlers to change); the state and the mark are written with one statement
each, or one together on PostgreSQL. Through the ORM they cost more CPU than the rest of a short step.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import and_, bindparam, exists, insert, inspect, literal, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import configure_mappers, make_transient_to_detached
from sqlalchemy.sql.base import Executable
from sqlmodel import col

from bot import clock, metrics
from bot.core import menu
from bot.core.context import Context
from bot.core.errors import NotChosen, Refusal
from bot.core.events import Incoming, Kind
from bot.core.flow import pick_reason, retry
from bot.core.menu import command_of
from bot.core.replies import Reply
from bot.core.understand import CARRY_KEY, understand
from bot.db import once_more_if_dropped
from bot.i18n import _, use_locale
from bot.textnorm import fold
from models import ChannelIdentity, ConversationState, Person, ProcessedUpdate

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.app import App

log = logging.getLogger(__name__)

Offer = tuple[str, str, str, list[dict[str, str]]]  # channel, chat id, platform user id, the choices pushed
CANCEL = {"huy", "cancel"}
BACK = {"quaylai", "back"}
# When an identity last wrote is kept to this step: it decides the Zalo OA's 7-day window and which of a person's
# chats is the most recently used, where a minute is nothing. Written on every message, it was an UPDATE per update
# of a registered person (~0.4 ms of CPU, a sixth of a short step); now at most one a minute per chat.
INTERACTION_STEP = timedelta(minutes=1)

# The conversation state, read with the update and saved by its key. Its object is built without the model's
# validation (the values come from our own row or are our defaults) and is never added to a session: the ORM
# flushed, tracked and snapshotted it on every update, which cost more than saving it with one statement.
_STATE = ConversationState.__table__  # type: ignore[attr-defined]
_STATE_COLUMNS: tuple[str, ...] = tuple(column.name for column in _STATE.c)
_new_state_object = inspect(ConversationState).class_manager.new_instance
_STATE_BINDS = {column.name: bindparam(f"s_{column.name}", type_=column.type) for column in _STATE.c}
_STATE_WRITES: dict[str, Executable] = {
    "insert": insert(_STATE).values(_STATE_BINDS),
    "update": update(_STATE)
    .where(_STATE.c.key == bindparam("state_key"))
    .values({name: bind for name, bind in _STATE_BINDS.items() if name != "key"}),
    "delete": _STATE.delete().where(_STATE.c.key == bindparam("state_key")),
}
_MARKS = ProcessedUpdate.__table__  # type: ignore[attr-defined]
_MARK = insert(_MARKS).values(
    channel=bindparam("m_channel", type_=_MARKS.c.channel.type),
    update_key=bindparam("m_update_key", type_=_MARKS.c.update_key.type),
    seen_at=bindparam("m_seen_at", type_=_MARKS.c.seen_at.type),
)
# PostgreSQL: the state's write and the handled mark in one statement (the write as a data-modifying WITH), a
# round trip less per update; either fails with the other. SQLite has no such WITH: there they are two statements.
_MARK_WITH_STATE: dict[str, Executable] = {
    name: _MARK.add_cte(write.cte("state_write"))  # type: ignore[attr-defined]
    for name, write in _STATE_WRITES.items()
}
# PostgreSQL: conversations serialised across worker processes for the length of the transaction, in the order
# given (unnest keeps the array's order). Built once: building a text() statement per update cost ~50 µs.
_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(CAST(:keys AS text[])) AS k")


# The identity and the person of the update, read as plain columns with the state and made persistent objects of
# the update's session without a query (make_transient_to_detached: "as if it were loaded that way, without
# emitting SQL"): handlers change them and the session saves them as if loaded. The ORM's loading of the same
# statement cost about 100 µs more per update.
_IDENTITIES = ChannelIdentity.__table__  # type: ignore[attr-defined]
_PEOPLE = Person.__table__  # type: ignore[attr-defined]
_READ = (("identity", _IDENTITIES), ("person", _PEOPLE), ("state", _STATE))
_IDENTITY_COLUMNS: tuple[str, ...] = tuple(column.name for column in _IDENTITIES.c)
_PERSON_COLUMNS: tuple[str, ...] = tuple(column.name for column in _PEOPLE.c)
_IDENTITY_SLICE = slice(0, len(_IDENTITY_COLUMNS))
_PERSON_SLICE = slice(_IDENTITY_SLICE.stop, _IDENTITY_SLICE.stop + len(_PERSON_COLUMNS))
_STATE_SLICE = slice(_PERSON_SLICE.stop, None)
M = TypeVar("M", ChannelIdentity, Person)


def _attached(
    session: AsyncSession, model: type[M], names: tuple[str, ...], values: Sequence[object]
) -> M | None:
    """A row of `model` read as columns, as a persistent object of `session`; None for an outer join's NULLs."""
    if values[names.index("id")] is None:  # its primary key
        return None
    row: M = inspect(model).class_manager.new_instance()
    row.__dict__.update(zip(names, values, strict=True))
    make_transient_to_detached(row)
    session.add(row)
    return row


def _state_of(values: dict[str, object]) -> ConversationState:
    state = _new_state_object()
    state.__dict__.update(values)
    return state


def _state_params(state: ConversationState) -> dict[str, object]:
    """The state's columns as the parameters of _STATE_WRITES."""
    values = state.__dict__
    params = {f"s_{name}": values[name] for name in _STATE_COLUMNS}
    params["state_key"] = values["key"]
    return params


def _mark_params(claim: tuple[str, str]) -> dict[str, object]:
    return {"m_channel": claim[0], "m_update_key": claim[1], "m_seen_at": clock.now()}


def _state_write(existed: bool, remember: bool) -> str | None:
    """Which of _STATE_WRITES saves the state. The row was read with the update, under the conversation's lock,
    so whether it exists is known without a look-up; a conversation with nothing left to remember keeps no row."""
    if existed:
        return "update" if remember else "delete"
    return "insert" if remember else None


def _fresh_state(key: str) -> ConversationState:
    """A conversation without a row: the model's defaults (JSON columns empty), built the same cheap way."""
    return _state_of({**dict.fromkeys(_STATE_COLUMNS), "key": key, "data": {}, "history": [], "choices": []})


@dataclass
class DispatchResult:
    replies: list[Reply] = field(default_factory=list)
    person_id: int | None = None
    locale: str = "vi"
    duplicate: bool = False
    private: bool = False  # part of a private flow: channels must not keep it linked to the person
    choice_label: str | None = None  # the label of the pressed choice, for channels that echo it


# What a channel stores about the exchange itself (the web chat's transcript rows), added to the update's own
# transaction: a crash then keeps both or neither, so a handled input is never missing its stored replies.
Keep = Callable[["AsyncSession", DispatchResult], Awaitable[None]]


class Dispatcher:
    def __init__(self, app: App) -> None:
        self.app = app
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        # Objects built without the ORM's loading (_state_of, _attached) need the mappers set up for their
        # attributes to work; the ORM's first query would do it, but no query may come before them.
        configure_mappers()

    def state_key(self, channel: str, chat_id: str, user_id: str) -> str:
        return self.app.keyring.keyed_hash("state", channel, chat_id, user_id)

    def _lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    async def _lock_across_processes(self, session: AsyncSession, *keys: str) -> None:
        if not self.app.db.is_sqlite:
            connection = await session.connection()
            await connection.execute(_LOCK, {"keys": list(keys)})

    async def handle(self, event: Incoming, keep: Keep | None = None) -> DispatchResult:
        key = self.state_key(event.channel, event.chat_id, event.user_id)
        started = time.monotonic()
        async with self._lock(key):
            result = await self._handle_locked(event, key, keep)
        log.info(
            "update handled",
            extra={
                "channel": event.channel,
                "kind": event.kind.value,
                "command": event.command,
                "duplicate": result.duplicate,
                "ms": round((time.monotonic() - started) * 1000),
            },
        )
        return result

    async def warm(self) -> None:
        """Do once, before the first update, what the first update would otherwise do while others wait: the
        ORM's mappers configured, and each statement every update runs compiled and cached (run against no
        conversation, the writes rolled back). Measured: the first update took 320 ms, later ones 2–3 ms,
        so a process started under load answered its first second's updates hundreds of ms late."""
        configure_mappers()
        await self.app.db.warm()
        params = {"channel": "", "user_id": "", "key": "", "update_channel": "", "update_key": ""}
        async with self.app.db.session() as session:
            await self._lock_across_processes(session, "")
            connection = await session.connection()
            await connection.execute(self._update_read(), params)
            # A conversation's first state, then a later one, then nothing left; the handled mark.
            state = _fresh_state("")
            state.updated_at = clock.now()
            for name in ("insert", "update", "delete"):
                await connection.execute(_STATE_WRITES[name], _state_params(state))
            await connection.execute(_MARK, _mark_params(("", "")))
            if not self.app.db.is_sqlite:
                for name in ("insert", "update", "delete"):
                    await connection.execute(
                        _MARK_WITH_STATE[name], {**_state_params(state), **_mark_params((name, ""))}
                    )
            await session.rollback()

    def _update_read(self) -> Executable:
        """Whether the update was handled, and the columns of the identity, the person and the state, in one
        statement. Built once: a statement reused with new parameters skips building and keying it every time."""
        read: Executable | None = self.__dict__.get("_read")
        if read is None:
            anchor = select(literal(1).label("one")).subquery()
            seen = exists().where(
                col(ProcessedUpdate.channel) == bindparam("update_channel"),
                col(ProcessedUpdate.update_key) == bindparam("update_key"),
            )
            read = self.__dict__["_read"] = (
                select(
                    seen.label("seen"),
                    *(
                        column.label(f"{prefix}_{column.name}")
                        for prefix, table in _READ
                        for column in table.c
                    ),
                )
                .select_from(anchor)
                .outerjoin(
                    _IDENTITIES,
                    and_(
                        _IDENTITIES.c.channel == bindparam("channel"),
                        _IDENTITIES.c.external_user_id == bindparam("user_id"),
                    ),
                )
                .outerjoin(_PEOPLE, _PEOPLE.c.id == _IDENTITIES.c.person_id)
                .outerjoin(_STATE, _STATE.c.key == bindparam("key"))
            )
        return read

    async def _handle_locked(self, event: Incoming, key: str, keep: Keep | None = None) -> DispatchResult:
        # Hashed: a web update key contains the session, and the ledger's times must not link to it.
        claim = (
            None
            if event.update_key is None
            else (event.channel, self.app.keyring.keyed_hash("update", event.update_key))
        )
        started, outcome = time.monotonic(), "failed"  # for the figures of GET /metrics
        read = self._update_read()

        async def attempt() -> DispatchResult:
            nonlocal outcome
            settings, begun = self.app.settings, clock.now()
            async with self.app.db.session() as session:
                await self._lock_across_processes(session, key)
                # Identity, person, state and the update's mark in one statement, read after the lock (on
                # PostgreSQL a statement's snapshot is taken when it starts: the lock has to come first). The
                # mark is only looked up here and written with everything else at the end: written first, it
                # took SQLite's one write lock for as long as the handler ran (a photo being fetched and
                # cleaned), stalling every other conversation.
                connection = await session.connection()
                params = {
                    "channel": event.channel,
                    "user_id": event.user_id,
                    "key": key,
                    "update_channel": event.channel,
                    "update_key": claim[1] if claim else None,
                }
                duplicate, *columns = (await connection.execute(read, params)).one()
                if duplicate:
                    outcome = "duplicate"
                    return DispatchResult(duplicate=True)
                identity = _attached(session, ChannelIdentity, _IDENTITY_COLUMNS, columns[_IDENTITY_SLICE])
                person = _attached(session, Person, _PERSON_COLUMNS, columns[_PERSON_SLICE])
                stored = columns[_STATE_SLICE]
                existed = stored[0] is not None  # the state's key: NULL when the conversation has no row
                state = (
                    _state_of(dict(zip(_STATE_COLUMNS, stored, strict=True)))
                    if existed
                    else _fresh_state(key)
                )
                locale = (person.locale if person else None) or state.locale or settings.default_locale

                with use_locale(locale):
                    ctx = Context(self.app, session, event, state, person, identity)
                    try:
                        await self._route(ctx)
                    except Refusal as refusal:
                        outcome = "refused"
                        person_id = person.id if person else None
                        log.warning(
                            "update refused", extra={"channel": event.channel, "reason": refusal.reason}
                        )
                        await session.rollback()
                        return DispatchResult(
                            replies=[Reply(refusal.text)], person_id=person_id, locale=locale
                        )
                    except Exception:
                        outcome = "failed"
                        person_id = person.id if person else None  # read before the rollback expires the row
                        log.exception("handler failed", extra={"channel": event.channel, "flow": state.flow})
                        await session.rollback()
                        return DispatchResult(
                            replies=[
                                Reply(
                                    _(
                                        "Sorry, something went wrong on our side and nothing was saved. "
                                        "Please try again in a moment."
                                    )
                                )
                            ],
                            person_id=person_id,
                            locale=locale,
                        )
                    remember = self._prepare_state(ctx)
                    identity = ctx.identity
                    # An identity made by this update (onboarding, linking) already says "now", and one written
                    # within INTERACTION_STEP is recent enough: no second write.
                    if (
                        identity is not None
                        and not event.is_group
                        and not ctx.private
                        and (
                            identity.last_interaction_at is None
                            or identity.last_interaction_at < begun - INTERACTION_STEP
                            or identity.unreachable_at is not None
                        )
                    ):
                        identity.last_interaction_at = clock.now()
                        identity.unreachable_at = None
                        identity.unreachable_reason = None
                        session.add(identity)
                    try:
                        # A person created by this update gets its id before `keep` sees it.
                        await session.flush()
                        # Plain statements: no model object to build and track (see _STATE_WRITES).
                        write = _state_write(existed, remember)
                        connection = await session.connection()
                        if write is not None and claim is not None and not self.app.db.is_sqlite:
                            together = {**_state_params(state), **_mark_params(claim)}
                            await connection.execute(_MARK_WITH_STATE[write], together)
                        else:
                            if write is not None:
                                await connection.execute(_STATE_WRITES[write], _state_params(state))
                            if claim is not None:
                                await connection.execute(_MARK, _mark_params(claim))
                    except IntegrityError:
                        # Another process handled the same update meanwhile (SQLite has no advisory lock):
                        # theirs stands. Any other conflict is a failure of ours, reported as one.
                        await session.rollback()
                        if claim is not None and await session.get(ProcessedUpdate, claim) is not None:
                            outcome = "duplicate"
                            return DispatchResult(duplicate=True)
                        raise
                    final_locale = ctx.person.locale if ctx.person else (ctx.state.locale or locale)
                    result = DispatchResult(
                        replies=ctx.replies,
                        person_id=ctx.person.id if ctx.person else None,
                        locale=final_locale,
                        private=ctx.private,
                        choice_label=ctx.choice_label,
                    )
                    if keep is not None:
                        await keep(session, result)
                    await session.commit()
                    outcome = "handled"
                    return result

        try:
            # Without a ping per checkout, a connection dropped while idle shows on the first statement: nothing
            # was done yet, so the whole update is tried once more on a new connection.
            async with self.app.db.slots():
                result = await once_more_if_dropped(attempt)
        finally:
            metrics.of(self.app).update_done(event.channel, outcome, time.monotonic() - started)
        return result

    # Routing ---------------------------------------------------------------------------------------------
    async def _route(self, ctx: Context) -> None:
        event = ctx.event
        registry = self.app.registry
        settings = self.app.settings

        current = registry.flows.get(ctx.state.flow or "")
        if current is not None and current.private:
            ctx.private = True
        if len(event.text) > settings.max_text_length:
            ctx.reply(
                _(
                    "Your message is too long ({n} characters; at most {max}). Nothing was saved: please "
                    "shorten it or send it in several messages."
                ).format(n=len(event.text), max=settings.max_text_length)
            )
            return

        if ctx.state.expires_at and ctx.state.expires_at < clock.now() and not ctx.state.flow:
            ctx.data.pop(CARRY_KEY, None)  # a text offered for a form long ago is not carried anymore
        if ctx.state.flow and ctx.state.expires_at and ctx.state.expires_at < clock.now():
            self._clear_flow(ctx)
            if event.kind != Kind.COMMAND:
                ctx.reply(
                    _(
                        "Your unfinished form expired after a long pause, so nothing from it was kept. "
                        "Let's start again."
                    )
                )

        # A text carried from free words into a form waits for one press only (bot.core.understand).
        carry = None if ctx.state.flow else ctx.data.pop(CARRY_KEY, None)
        event = ctx.event = self._resolve_typed_choice(ctx, event)
        if event.kind == Kind.CHOICE:
            ctx.choice_label = next(
                (c["label"] for c in ctx.state.choices if c["payload"] == event.choice), None
            )
            opened = command_of(event.choice)
            if opened is not None:
                # A menu entry or an offer: the same as typing the command, whatever message it came with.
                event = ctx.event = replace(
                    event, kind=Kind.COMMAND, command=opened, args="", text=f"/{opened}"
                )
                if carry and carry.get("command") == opened:
                    ctx.carried, ctx.hint = carry.get("text") or None, carry.get("hint")

        if event.kind == Kind.COMMAND:
            await self._command(ctx, event)
        elif event.kind == Kind.CHOICE and not self._offered(ctx, event.choice):
            prefix = (event.choice or "").split(":", 1)[0]
            handler = registry.choices.get(prefix)
            if handler is not None:
                try:
                    await handler(ctx)
                except NotChosen:
                    ctx.reply(_("That button is no longer valid. Type /help to see what you can do."))
                # A button of another message, pressed during a form: the form's own buttons stay the ones a
                # typed number answers, unless the handler offered new ones or moved to another form.
                if ctx.state.flow and not any(r.choices for r in ctx.replies):
                    ctx.keep_choices = (ctx.state.flow, ctx.state.step)
            elif ctx.state.flow:
                # A button of an earlier question (or a forged payload) must not answer the current one.
                ctx.reply(_("That button belongs to an earlier question. Please answer this one:"))
                await self._reask(ctx)
            else:
                ctx.reply(
                    _(
                        "That button belongs to an earlier message and is no longer active. "
                        "Type /help to see what you can do."
                    )
                )
        elif ctx.state.flow:
            await self._step(ctx)
        elif event.is_group:
            return  # in group chats the bot answers commands only
        elif ctx.person is None:
            ctx.begin("onboarding")
        elif event.kind == Kind.TEXT and fold(event.text) in menu.MENU_WORDS:
            await menu.show(ctx)
        elif event.kind == Kind.TEXT:
            await understand(ctx)
        elif event.kind == Kind.MEDIA:
            # A file outside a form is not kept: say so plainly, and where it can go; its caption is read as words.
            ctx.reply(
                _(
                    "I received your file but did not keep it, because it is not part of a form. To send it to the "
                    "police, press “{report}” and send it again there."
                ).format(report=menu.label_for(registry, "togiac"))
            )
            if event.text.strip():
                await understand(ctx)
            else:
                await menu.show(ctx)
        else:
            await menu.show(ctx, _("I can't use that here. Choose below what you would like to do."))
        await self._apply_flow_requests(ctx)

    async def run_command(self, ctx: Context, command: str, args: str = "") -> None:
        """Run `command` with `args` as if the person had typed it (roles and person checks included)."""
        event = ctx.event = replace(
            ctx.event, kind=Kind.COMMAND, command=command, args=args, text=f"/{command} {args}".strip()
        )
        await self._command(ctx, event)

    async def _command(self, ctx: Context, event: Incoming) -> None:
        name = event.command or ""
        if name in CANCEL:
            flow = self.app.registry.flows.get(ctx.state.flow or "")
            if flow is not None:
                said = len(ctx.replies)
                if flow.on_cancel is not None:
                    await flow.on_cancel(ctx)  # it may keep a draft, and say so itself
                self._clear_flow(ctx)
                if len(ctx.replies) == said:
                    ctx.reply(_("Cancelled. Nothing from that form was saved."))
            else:
                ctx.reply(_("There is nothing to cancel."))
            return
        if name in BACK:
            await self._back(ctx)
            return
        command = self.app.registry.commands.get(name)
        if command is None:
            ctx.reply(
                _("I don't know the command /{name}. Type /help to see what you can do.").format(
                    name=name[:40]
                )
            )
            await self._reask(ctx)
            return
        if event.is_group and command.private_only:
            ctx.reply(
                _(
                    "Please use /{name} in a private chat with me: in a group, others would see your answers."
                ).format(name=command.name)
            )
            return
        if command.needs_person and ctx.person is None:
            if event.is_group:
                ctx.reply(
                    _("Please message me privately first to register; then /{name} works here too.").format(
                        name=command.name
                    )
                )
                return
            ctx.reply(_("First, let's get you set up. It takes a minute."))
            self._clear_flow(ctx)
            ctx.begin("onboarding")
            return
        if command.roles is not None and not (await ctx.roles()) & command.roles:
            ctx.reply(
                _(
                    "Sorry, /{name} is for people with another role. Type /help to see what you can do."
                ).format(name=command.name)
            )
            await self._reask(ctx)
            return
        if ctx.state.flow:
            self._clear_flow(ctx)  # a new command replaces an unfinished form
        ctx.private = ctx.private or command.private
        await command.handler(ctx)

    # Flows -----------------------------------------------------------------------------------------------
    async def _step(self, ctx: Context) -> None:
        flow = self.app.registry.flows.get(ctx.state.flow or "")
        step = ctx.state.step
        if flow is None or step not in flow.handlers:
            self._clear_flow(ctx)  # a flow or step removed by an upgrade: start clean rather than fail
            ctx.reply(_("Let's start again. Type /help to see what you can do."))
            return
        try:
            outcome = await flow.handlers[step](ctx)
        except NotChosen:
            outcome = retry(pick_reason())
        if ctx._next_flow is not None or ctx._end_flow:
            return
        if outcome.action == "goto":
            assert outcome.step is not None
            ctx.state.history = [*ctx.state.history, step]
            ctx.state.step = outcome.step
            await flow.asks[outcome.step](ctx)
        elif outcome.action == "retry":
            if outcome.reason:
                ctx.reply(outcome.reason)
            await flow.asks[step](ctx)
        elif outcome.action == "finish":
            self._clear_flow(ctx)

    async def _back(self, ctx: Context) -> None:
        flow = self.app.registry.flows.get(ctx.state.flow or "")
        if flow is None:
            ctx.reply(_("There is no form to go back in."))
            return
        if not ctx.state.history:
            ctx.reply(_("This is the first question."))
            await flow.asks[ctx.state.step or flow.start](ctx)
            return
        *rest, previous = ctx.state.history
        ctx.state.history = rest
        ctx.state.step = previous
        await flow.asks[previous](ctx)

    async def _reask(self, ctx: Context) -> None:
        flow = self.app.registry.flows.get(ctx.state.flow or "")
        if flow is not None and ctx.state.step in flow.asks:
            await flow.asks[ctx.state.step](ctx)

    async def _apply_flow_requests(self, ctx: Context) -> None:
        if ctx._end_flow:
            self._clear_flow(ctx)
            ctx._end_flow = False
        while ctx._next_flow is not None:
            name, data = ctx._next_flow
            ctx._next_flow = None
            flow = self.app.registry.flows[name]
            ctx.private = ctx.private or flow.private
            ctx.state.flow, ctx.state.step, ctx.state.history = name, flow.start, []
            ctx.data = dict(data)
            await flow.asks[flow.start](ctx)
            if ctx._end_flow:
                self._clear_flow(ctx)
                ctx._end_flow = False

    def _clear_flow(self, ctx: Context) -> None:
        ctx.state.flow = ctx.state.step = None
        ctx.state.history = []
        ctx.data = {}

    # Choices ---------------------------------------------------------------------------------------------
    def _offered(self, ctx: Context, payload: str | None) -> bool:
        return ctx.state.flow is not None and any(c["payload"] == payload for c in ctx.state.choices)

    def _resolve_typed_choice(self, ctx: Context, event: Incoming) -> Incoming:
        """ "2", or the label typed without accents, means the same as pressing the second button."""
        if event.kind != Kind.TEXT or not ctx.state.choices:
            return event
        typed = event.text.strip().rstrip(".")
        options = ctx.state.choices
        if typed.isdigit() and 1 <= int(typed) <= len(options):
            return replace(event, kind=Kind.CHOICE, choice=options[int(typed) - 1]["payload"])
        folded = fold(typed)
        for option in options:
            if folded and fold(option["label"]) == folded:
                return replace(event, kind=Kind.CHOICE, choice=option["payload"])
        return event

    def _prepare_state(self, ctx: Context) -> bool:
        """Bring the state up to date with what the update did; whether it is still worth a row."""
        state = ctx.state
        state.data = copy.deepcopy(ctx.data)
        offered = [r for r in ctx.replies if r.choices]
        if ctx.replies and ctx.keep_choices != (state.flow, state.step):
            state.choices = (
                [{"label": c.label, "payload": c.payload} for c in offered[-1].choices] if offered else []
            )
        now = clock.now()
        state.updated_at = now
        state.expires_at = (
            now + timedelta(minutes=self.app.settings.flow_idle_minutes)
            if state.flow or CARRY_KEY in ctx.data
            else None
        )
        return bool(state.flow or state.choices or (state.locale and ctx.person is None))

    async def offer_choices(self, offers: Sequence[Offer]) -> None:
        """Make pushed messages' choices their conversations' current ones, so a typed "1" answers them.

        Each conversation is taken under its lock, like an update, so this never races the person's own
        messages; an open form keeps its own choices. A broadcast offers hundreds a second, so a batch is
        written in one transaction; locks are taken in one order (sorted keys), so two batches never wait for
        each other in a circle.
        """
        latest = {
            self.state_key(channel, chat_id, user_id): choices
            for channel, chat_id, user_id, choices in offers
        }
        keys = sorted(latest)
        if not keys:
            return
        async with AsyncExitStack() as held:
            for key in keys:
                await held.enter_async_context(self._lock(key))
            async with self.app.db.session() as session:
                await self._lock_across_processes(session, *keys)
                # Core statements: building a model object per recipient cost more than the SQL.
                table, now = ConversationState.__table__, clock.now()  # type: ignore[attr-defined]
                connection = await session.connection()
                flows: dict[str, str | None] = dict(
                    (
                        await connection.execute(
                            select(table.c.key, table.c.flow).where(table.c.key.in_(keys))
                        )
                    ).all()
                )
                changed = [
                    {"k": key, "choices": latest[key], "updated_at": now}
                    for key in keys
                    if key in flows and flows[key] is None
                ]
                new = [
                    {"key": key, "choices": latest[key], "updated_at": now, "data": {}, "history": []}
                    for key in keys
                    if key not in flows
                ]
                if changed:
                    await connection.execute(update(table).where(table.c.key == bindparam("k")), changed)
                if new:
                    await connection.execute(insert(table), new)
                await session.commit()
