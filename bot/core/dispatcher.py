"""Turns one incoming event into replies: de-duplicate, lock the conversation, load state, route, save, commit.

Everything a handler changes, the conversation state and the de-duplication mark are committed in one
transaction before any reply leaves, so a confirmation is never sent for something that was not stored and a
process killed mid-update leaves the conversation at its previous step. A channel that stores the exchange
itself (the web transcript) adds it to that same transaction (`keep`), so a stored update never lacks its replies.

The rows every update reads and writes (identity, person, state, the handled mark) go through the plain statements
of bot.core.conversation_rows; moving through a form, and out of it, is bot.core.forms.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import configure_mappers

from bot import clock, metrics
from bot.core import conversation_rows as rows
from bot.core import forms, menu
from bot.core.context import Context
from bot.core.errors import NotChosen, Refusal
from bot.core.events import Incoming, Kind
from bot.core.menu import command_of
from bot.core.offers import PUSHED, PushedChoices, left_beside, offered, typed_choice
from bot.core.replies import Reply
from bot.core.understand import CARRY_KEY, before_joining, typed_button, understand
from bot.db import UPDATE_SLOTS, once_more_if_dropped
from bot.delivery.held import back_after_quiet, release
from bot.i18n import _, fmt_date, use_locale
from bot.textnorm import fold
from models import ConversationState, ProcessedUpdate

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.app import App

log = logging.getLogger(__name__)

# When an identity last wrote is kept to this step: it decides the Zalo OA's 7-day window and which of a person's
# chats is the most recently used, where a minute is nothing. Written on every message, it was an UPDATE per update
# of a registered person (~0.4 ms of CPU, a sixth of a short step); now at most one a minute per chat.
INTERACTION_STEP = timedelta(minutes=1)


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


class Dispatcher(PushedChoices):
    def __init__(self, app: App) -> None:
        self.app = app
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        # Objects built without the ORM's loading (bot.core.conversation_rows) need the mappers set up for their
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
            await rows.lock(session, keys)

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

        async def on_one_connection() -> None:
            async with self.app.db.session() as session:
                await rows.warm(session, postgres=not self.app.db.is_sqlite)
                await session.rollback()

        # Each connection prepares a statement the first time it runs it (asyncpg's statement cache, SQLite's):
        # warmed on one connection only, the first updates on each of the others paid it while the rest waited.
        await asyncio.gather(*(on_one_connection() for _ in range(UPDATE_SLOTS)))

    async def _handle_locked(self, event: Incoming, key: str, keep: Keep | None = None) -> DispatchResult:
        # Hashed: a web update key contains the session, and the ledger's times must not link to it.
        claim = (
            None
            if event.update_key is None
            else (event.channel, self.app.keyring.keyed_hash("update", event.update_key))
        )
        started, outcome = time.monotonic(), "failed"  # for the figures of GET /metrics

        async def attempt() -> DispatchResult:
            nonlocal outcome
            settings, begun = self.app.settings, clock.now()
            async with self.app.db.session() as session:
                # Identity, person, state and the update's mark in one statement, read after the conversation's
                # lock across processes (PostgreSQL: lock and read in one round trip, see rows.read). The
                # mark is only looked up here and written with everything else at the end: written first, it
                # took SQLite's one write lock for as long as the handler ran (a photo being fetched and
                # cleaned), stalling every other conversation.
                loaded = await rows.read(
                    session,
                    channel=event.channel,
                    user_id=event.user_id,
                    key=key,
                    claim=claim,
                    lock=not self.app.db.is_sqlite,
                )
                if loaded is None:
                    outcome = "duplicate"
                    return DispatchResult(duplicate=True)
                identity, person, state, existed = (
                    loaded.identity,
                    loaded.person,
                    loaded.state,
                    loaded.existed,
                )
                locale = (person.locale if person else None) or state.locale or settings.default_locale
                # Read now: after a failed write the session refuses to load anything, the row's id included.
                person_id = person.id if person else None

                with use_locale(locale):
                    ctx = Context(self.app, session, event, state, person, identity)
                    try:
                        await self._route(ctx)
                    except Refusal as refusal:
                        outcome = "refused"
                        log.warning(
                            "update refused", extra={"channel": event.channel, "reason": refusal.reason}
                        )
                        await session.rollback()
                        return DispatchResult(
                            replies=[Reply(refusal.text)], person_id=person_id, locale=locale
                        )
                    except Exception:
                        outcome = "failed"
                        log.exception("handler failed", extra={"channel": event.channel, "flow": state.flow})
                        await session.rollback()
                        return self._sorry(person_id, locale)
                    remember = self._prepare_state(ctx)
                    identity = ctx.identity
                    if identity is not None and not event.is_group and back_after_quiet(identity):
                        # Back after a silence: what a platform refused to send meanwhile goes out now (in a
                        # private form too: the platform's window opened again all the same).
                        await release(session, self.app.keyring, identity)
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
                        await rows.write(
                            await session.connection(),
                            state,
                            existed=existed,
                            remember=remember,
                            claim=claim,
                            together=not self.app.db.is_sqlite,
                        )
                    except IntegrityError:
                        # Another process handled the same update meanwhile (SQLite has no advisory lock):
                        # theirs stands. Any other conflict is a failure of ours, reported as one.
                        await session.rollback()
                        if claim is not None and await session.get(ProcessedUpdate, claim) is not None:
                            outcome = "duplicate"
                            return DispatchResult(duplicate=True)
                        # Any other conflict (two officers' same press at the same moment, a row another update
                        # wrote first): nothing was saved, and the person is told so, not left without an answer.
                        outcome = "failed"
                        log.exception("update's writes conflicted", extra={"channel": event.channel})
                        return self._sorry(person_id, locale)
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

    @staticmethod
    def _sorry(person_id: int | None, locale: str) -> DispatchResult:
        """The answer to an update that failed on our side: nothing of it was kept."""
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

    # Routing ---------------------------------------------------------------------------------------------
    async def _route(self, ctx: Context) -> None:
        event = ctx.event
        registry = self.app.registry
        settings = self.app.settings

        aside = ctx.data.get(forms.ASIDE) or {}
        for name in (ctx.state.flow, aside.get("flow")):
            current = registry.flows.get(name or "")
            if current is not None and current.private:
                ctx.private = True  # a private form set aside keeps what is said beside it private too
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
            # The form's clean-up may say what it kept (a report's draft); otherwise nothing of it is left.
            if not await forms.leave_all(ctx) and event.kind != Kind.COMMAND:
                ctx.reply(
                    _(
                        "Your unfinished form expired after a long pause, so nothing from it was kept. "
                        "Let's start again."
                    )
                )

        # A text carried from free words into a form waits for one press only (bot.core.understand).
        carry = None if ctx.state.flow else ctx.data.pop(CARRY_KEY, None)
        event = ctx.event = typed_choice(ctx, event)
        if event.kind == Kind.CHOICE:
            ctx.choice_label = next(
                (c["label"] for c in ctx.state.choices if c["payload"] == event.choice), None
            )
            if await forms.about_leaving(ctx):
                await forms.apply_requests(ctx)
                return
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
        elif event.kind == Kind.CHOICE and not offered(ctx, event.choice):
            prefix = (event.choice or "").split(":", 1)[0]
            handler = registry.choices.get(prefix)
            if handler is not None:
                pushed = [c for c in ctx.state.choices if c.get(PUSHED)] if ctx.state.flow else []
                try:
                    await handler(ctx)
                except NotChosen:
                    ctx.reply(_("That button is no longer valid. Type /help to see what you can do."))
                # A button of another message, pressed during a form: the form's own buttons stay the ones a
                # typed number answers, unless the handler offered new ones or moved to another form; after one of
                # a message pushed during it (PUSHED), the form's question comes back, its numbers with it, and
                # the other pushed messages' choices stay beside it, typed by their labels.
                if ctx.state.flow and not any(r.choices for r in ctx.replies):
                    if not pushed:
                        ctx.keep_choices = (ctx.state.flow, ctx.state.step)
                    elif ctx.stays_in_form():
                        ctx.keep_choices = None
                        ctx.pushed_left = left_beside(pushed, event.choice)
                        await forms.reask(ctx)
            elif ctx.state.flow:
                # A button of an earlier question (or a forged payload) must not answer the current one.
                ctx.reply(_("That button belongs to an earlier question. Please answer this one:"))
                await forms.reask(ctx)
            else:
                ctx.reply(
                    _(
                        "That button belongs to an earlier message and is no longer active. "
                        "Type /help to see what you can do."
                    )
                )
        elif ctx.state.flow:
            await forms.step(ctx)
        elif event.is_group:
            return  # in group chats the bot answers commands only
        elif event.kind == Kind.UNREADABLE:
            ctx.reply(self.app.channels[event.channel].unreadable_text())
        elif ctx.person is None:
            await before_joining(ctx)
        elif event.kind == Kind.TEXT and fold(event.text) in menu.MENU_WORDS:
            await menu.show(ctx)
        elif event.kind == Kind.TEXT:
            await understand(ctx)
        elif event.kind == Kind.MEDIA and await typed_button(ctx):
            pass  # a photo under a police question: its answer
        elif (
            event.kind == Kind.MEDIA
            and self.app.registry.photos_outside is not None
            and any(a.kind == "photo" for a in event.attachments)
        ):
            await self.app.registry.photos_outside(ctx)  # kept for one question: the police, or the ward?
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
        await forms.apply_requests(ctx)
        if ctx.resumed and ctx.state.flow:
            ctx.resumed = False
            await forms.reask(ctx)  # the form set aside comes back where it stood

    async def run_command(self, ctx: Context, command: str, args: str = "") -> None:
        """Run `command` with `args` as if the person had typed it (roles and person checks included)."""
        event = ctx.event = replace(
            ctx.event, kind=Kind.COMMAND, command=command, args=args, text=f"/{command} {args}".strip()
        )
        await self._command(ctx, event)

    async def _command(self, ctx: Context, event: Incoming) -> None:
        name = event.command or ""
        if name in forms.CANCEL:
            if ctx.state.flow in self.app.registry.flows:
                if not await forms.leave(ctx) and not ctx.resumed:
                    ctx.reply(_("Cancelled. Nothing from that form was saved."))
            elif event.is_group or ctx.person is None:
                ctx.reply(_("There is nothing to cancel."))
            else:
                # With the menu: the menu shown before stays what a typed "1" means.
                await menu.show(ctx, _("There is nothing to cancel. What would you like to do?"))
            return
        if name in forms.BACK:
            await forms.back(ctx)
            return
        command = self.app.registry.commands.get(name)
        if command is None:
            ctx.reply(
                _("I don't know the command /{name}. Type /help to see what you can do.").format(
                    name=name[:40]
                )
            )
            await forms.reask(ctx)
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
            if ctx.state.flow in self.app.registry.flows:
                # Setting up already (an old menu button pressed meanwhile): go on, keeping what was answered.
                ctx.reply(_("First, let's finish setting you up:"))
                await forms.reask(ctx)
                return
            ctx.reply(_("First, let's get you set up. It takes a minute."))
            await forms.leave_all(ctx)
            ctx.begin("onboarding")
            return
        if command.roles is not None and not (await ctx.roles()) & command.roles:
            ended = await ctx.role_ended(command.roles)
            if ended is not None and not ctx.state.flow:
                # An entry of an old menu (or the command typed out of habit) after the role it needs ended: a
                # leader who stepped down, an officer whose grant ended. Before, "for people with another role",
                # as if they had never held it; now what changed, and the menu they have now.
                await menu.show(
                    ctx,
                    _(
                        "/{name} is no longer open to you: the role it needs ended on {date}. Here is what you can "
                        "do now:"
                    ).format(name=command.name, date=fmt_date(ended)),
                )
                return
            ctx.reply(
                _(
                    "Sorry, /{name} is for people with another role. Type /help to see what you can do."
                ).format(name=command.name)
            )
            await forms.reask(ctx)
            return
        aside = None
        if ctx.state.flow and command.beside_form:
            aside = await forms.set_aside(ctx)
        elif ctx.state.flow:
            await forms.leave_all(ctx)  # a new command replaces an unfinished form
        ctx.private = ctx.private or command.private
        await command.handler(ctx)
        if aside is not None:
            await forms.beside(ctx, aside)

    def _prepare_state(self, ctx: Context) -> bool:
        """Bring the state up to date with what the update did; whether it is still worth a row."""
        state = ctx.state
        state.data = copy.deepcopy(ctx.data)
        offered = [r for r in ctx.replies if r.choices]
        if ctx.replies and ctx.keep_choices != (state.flow, state.step):
            state.choices = (
                [{"label": c.label, "payload": c.payload} for c in offered[-1].choices] if offered else []
            )
            if state.flow and ctx.pushed_left:
                state.choices += ctx.pushed_left
        now = clock.now()
        state.updated_at = now
        state.expires_at = (
            now + timedelta(minutes=self.app.settings.flow_idle_minutes)
            if state.flow or CARRY_KEY in ctx.data
            else None
        )
        return bool(state.flow or state.choices or (state.locale and ctx.person is None))

    async def forget_idle(self, before: datetime) -> int:
        """Delete the conversations idle since before `before`. A form left unfinished runs its own clean-up first,
        as when it is left in any other way (a half-made report's photos deleted, a report's answers kept as a
        draft); its replies have no one to go to. Each one under its conversation's lock, like an update."""
        table, forgotten = ConversationState.__table__, 0  # type: ignore[attr-defined]
        idle = table.c.expires_at < before
        async with self.app.db.session() as session:
            flows = (await session.connection()).execute(select(table.c.key, table.c.flow).where(idle))
            keys = [key for key, name in (await flows).all() if name is not None]
        for key in keys:
            async with self._lock(key), self.app.db.session() as session:
                await self._lock_across_processes(session, key)
                state = await session.get(ConversationState, key)
                if state is None or state.expires_at is None or state.expires_at >= before:
                    continue  # the person came back meanwhile
                try:
                    nobody = Incoming(channel="", user_id="", chat_id="", kind=Kind.TEXT)
                    with use_locale(state.locale or self.app.settings.default_locale):
                        # A form set aside beside it (forms.ASIDE) is cleaned up too.
                        await forms.leave_all(Context(self.app, session, nobody, state, None, None))
                    await session.delete(state)
                    await session.commit()
                    forgotten += 1
                except Exception:
                    # One form's failing clean-up must not keep every other idle conversation: the row goes with
                    # the rest below, and the log says what may be left behind.
                    log.exception("clean-up of an idle form failed", extra={"flow": state.flow})
                    await session.rollback()
        async with self.app.db.session() as session:
            result = await (await session.connection()).execute(table.delete().where(idle))
            await session.commit()
        return forgotten + result.rowcount
