"""A mediator's profile: the name written in the mediation book and the relatives they declare, so that disputes
of their family are never offered to them (art. 18)."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import col, select

from bot.core.context import Context
from bot.core.flow import Flow, Outcome, finish, goto, retry
from bot.core.names import person_name
from bot.core.replies import Choice
from bot.core.router import Router
from bot.db import execute
from bot.i18n import _
from bot.textnorm import fold
from handlers.mediation.buttons import EditProfile, KeepName, Relatives, TakeCase
from handlers.mediation.store import MEDIATOR_ROLES
from models.mediation import MediationCase, MediatorRelative

router = Router("mediation.profile")
flow = Flow("mediator_profile", steps=("name", "relatives"))
MAX_RELATIVES = 30


@router.choice(EditProfile)
async def start(ctx: Context) -> None:
    EditProfile.expect(ctx)
    if not any(g.role in MEDIATOR_ROLES for g in await ctx.grants()):
        ctx.reply(_("This is for mediators."))
        return
    ctx.begin("mediator_profile")


@flow.ask("name")
async def ask_name(ctx: Context) -> None:
    known = ctx.person.display_name if ctx.person else None
    text = _("Your full name, as it stands in the mediation book:")
    if known:
        text += "\n" + _("Now: {name}").format(name=known)
    ctx.reply(text, [Choice(_("Keep it"), KeepName())] if known else [])


@flow.on("name", names=True)
async def on_name(ctx: Context) -> Outcome:
    assert ctx.person is not None
    if KeepName.read(ctx) is not None and ctx.person.display_name:
        return goto("relatives")
    name = person_name(ctx.event.text)
    if name is None:
        return retry(_("Please type your name (2 to 80 characters)."))
    ctx.person.display_name = name
    ctx.session.add(ctx.person)
    return goto("relatives")


@flow.ask("relatives")
async def ask_relatives(ctx: Context) -> None:
    rows = (
        await ctx.session.exec(
            select(MediatorRelative)
            .where(MediatorRelative.person_id == ctx.person_id)
            .order_by(col(MediatorRelative.id))
        )
    ).all()
    text = _(
        "Type the full names of your close relatives living in the area (spouse, parents, children, "
        "siblings, in-laws), one per line. Cases where they are a party will not be offered to you."
    )
    if rows:
        text += "\n" + _("Declared now: {names}").format(names="; ".join(r.name for r in rows))
    ctx.reply(
        text,
        [
            Choice(_("Keep the list"), Relatives("keep")),
            Choice(_("No relatives to declare"), Relatives("none")),
        ],
    )


@flow.on("relatives")
async def on_relatives(ctx: Context) -> Outcome:
    pressed = Relatives.read(ctx)
    answer = pressed.answer if pressed else None
    if answer == "keep":
        ctx.reply(_("Your mediator profile is saved."), await _then(ctx))
        return finish()
    names = [] if answer == "none" else [n.strip(" -•*\t") for n in ctx.event.text.splitlines()]
    names = [n[:80] for n in names if len(fold(n)) >= 2]
    if answer != "none" and not names:
        return retry(_("Please type at least one full name, one per line, or choose an option."))
    if len(names) > MAX_RELATIVES:
        return retry(_("Please list at most {n} names.").format(n=MAX_RELATIVES))
    await execute(
        ctx.session, delete(MediatorRelative).where(col(MediatorRelative.person_id) == ctx.person_id)
    )
    for name in names:
        ctx.session.add(MediatorRelative(person_id=ctx.person_id, name=name, name_folded=fold(name)))
    ctx.reply(
        _("Your mediator profile is saved ({n} relative(s) declared).").format(n=len(names)), await _then(ctx)
    )
    return finish()


async def _then(ctx: Context) -> list[Choice]:
    """The case the mediator was taking when asked for their name (handling.take), offered again."""
    case = await ctx.session.get(MediationCase, ctx.data["take"]) if ctx.data.get("take") else None
    if case is None or case.id is None:
        return []
    return [Choice(_("Take case {number}").format(number=case.number), TakeCase(case.id))]
