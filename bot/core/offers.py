"""The choices a conversation offers and what a typed word presses among them: choices of pushed messages (an
alert's "I have read this", a police question's "Answer") made the current ones of their conversations, so a typed
"1" answers them (`PushedChoices.offer_choices`, part of the Dispatcher, called by the sender, bot.delivery.routes,
after a batch went out), and a typed number or label read as the press it names (`typed_choice`), the form's own
choices and the pushed ones beside it each in their place."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, insert, select, update

from bot import clock
from bot.core import menu
from bot.core.events import Incoming, Kind
from bot.core.typed import yes_or_no
from bot.textnorm import fold
from models import ConversationState

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.app import App
    from bot.core.context import Context

Offer = tuple[str, str, str, list[dict[str, str]]]  # channel, chat id, platform user id, the choices pushed
# Marks the choices of a message pushed, on a platform without buttons (the Zalo Bot), while a form was open: they
# are kept beside the form's own, and a typed number is theirs, the latest message's "1" being the one a person
# types (both are numbered); the form's question comes back once one is used (bot.core.dispatcher).
PUSHED = "pushed"
LATEST, EARLIER = (
    "yes",
    "earlier",
)  # PUSHED's values: the latest pushed message's choices, and those before it
# Choices of earlier pushed messages kept beside a form (their numbers are the latest's, their labels still typed):
# an urgent alert's "Tôi đã đọc" typed after a police question arrived pressed nothing and went into the tip.
EARLIER_KEPT = 8


class PushedChoices:
    """Part of the Dispatcher (bot.core.dispatcher): the conversation locks and keys are its."""

    app: App

    def state_key(self, channel: str, chat_id: str, user_id: str) -> str:
        raise NotImplementedError

    def _lock(self, key: str) -> asyncio.Lock:
        raise NotImplementedError

    async def _lock_across_processes(self, session: AsyncSession, *keys: str) -> None:
        raise NotImplementedError

    def _has_buttons(self, channel: str) -> bool:
        found = self.app.channels.get(channel)
        return found is None or found.supports_buttons

    @staticmethod
    def _beside_form(
        state: tuple[str | None, list[dict[str, str]] | None], pushed: list[dict[str, str]]
    ) -> list[dict[str, str]]:
        """The choices a pushed message leaves: its own, or in an open form the form's, those of messages pushed
        earlier during it (EARLIER: typed by their label) and its own (PUSHED, LATEST: numbered)."""
        flow, choices = state
        if flow is None:
            return pushed
        own = [c for c in choices or [] if not c.get(PUSHED)]
        earlier = [{**c, PUSHED: EARLIER} for c in choices or [] if c.get(PUSHED)][-EARLIER_KEPT:]
        return own + earlier + [{**c, PUSHED: LATEST} for c in pushed]

    async def offer_choices(self, offers: Sequence[Offer]) -> None:
        """Make pushed messages' choices their conversations' current ones, so a typed "1" answers them.

        Each conversation is taken under its lock, like an update, so this never races the person's own
        messages. An open form keeps its own choices; on a platform without buttons the pushed ones are added beside
        them, marked PUSHED: a typed "1" is then the pushed message's (the last the person saw, numbered like the
        form's question above it), never an answer of the form, and the form's question is asked again once it is
        used (`_route`). A broadcast offers hundreds a second, so a batch is
        written in one transaction; locks are taken in one order (sorted keys), so two batches never wait for
        each other in a circle.
        """
        latest = {
            self.state_key(channel, chat_id, user_id): choices
            for channel, chat_id, user_id, choices in offers
        }
        numbered = {  # platforms without buttons, where a pushed message's numbers join an open form's
            self.state_key(channel, chat_id, user_id)
            for channel, chat_id, user_id, _choices in offers
            if not self._has_buttons(channel)
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
                found = {
                    key: (flow, choices)
                    for key, flow, choices in (
                        await connection.execute(
                            select(table.c.key, table.c.flow, table.c.choices).where(table.c.key.in_(keys))
                        )
                    ).all()
                }
                changed = [
                    {"k": key, "choices": self._beside_form(found[key], latest[key]), "updated_at": now}
                    for key in keys
                    if key in found and (found[key][0] is None or key in numbered)
                ]
                new = [
                    {"key": key, "choices": latest[key], "updated_at": now, "data": {}, "history": []}
                    for key in keys
                    if key not in found
                ]
                if changed:
                    await connection.execute(update(table).where(table.c.key == bindparam("k")), changed)
                if new:
                    await connection.execute(insert(table), new)
                await session.commit()


def offered(ctx: Context, payload: str | None) -> bool:
    """Whether `payload` is one of the open form's own choices (not one of a message pushed beside it)."""
    return ctx.state.flow is not None and any(
        c["payload"] == payload and not c.get(PUSHED) for c in ctx.state.choices
    )


def left_beside(pushed: list[dict[str, str]], pressed: str | None) -> list[dict[str, str]]:
    """The pushed messages' choices that stay beside a form once one of them was pressed: typed by their labels."""
    return [{**c, PUSHED: EARLIER} for c in pushed if c["payload"] != pressed]


def typed_choice(ctx: Context, event: Incoming) -> Incoming:
    """ "2", or the label typed without accents, means the same as pressing the second button."""
    if event.kind != Kind.TEXT or not ctx.state.choices:
        return event
    typed = event.text.strip().rstrip(".")
    options = ctx.state.choices
    own = [c for c in options if not c.get(PUSHED)]
    latest = [c for c in options if c.get(PUSHED) == LATEST]  # the latest pushed message's, numbered
    earlier = [c for c in options if c.get(PUSHED) and c.get(PUSHED) != LATEST]
    if typed.isdigit():
        n = int(typed)
        # The latest message's numbers; past them, a number only the form's question has is its answer.
        for numbered in (latest or own, own):
            if 1 <= n <= len(numbered):
                return replace(event, kind=Kind.CHOICE, choice=numbered[n - 1]["payload"])
    folded = fold(typed)
    for option in own + latest + earlier:  # a label of several messages: the form's, then the latest's
        if folded and fold(option["label"]) == folded:
            return replace(event, kind=Kind.CHOICE, choice=option["payload"])
    opened = [menu.command_of(o["payload"]) for o in options]
    if not ctx.state.flow and len(opened) == 2 and opened[1] == menu.MENU_COMMAND and opened[0]:
        # One reading offered beside the main menu asks "Is this what you want to do?" (bot.core.understand):
        # "có", "đúng rồi", "ok" is its press.
        if yes_or_no(typed) is True:
            return replace(event, kind=Kind.CHOICE, choice=options[0]["payload"])
    return event
