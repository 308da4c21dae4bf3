"""/hoagiai: a person's cases and, for mediators and leaders, the open cases of their area or group; a code typed
after it makes the person a party of the case it was made for (see flows/invite.py)."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.replies import Choice
from bot.core.router import Router
from bot.directory.people import home_grant
from bot.i18n import N_, _
from handlers.mediation import store
from handlers.mediation.buttons import EditProfile, NewRequest, OpenCase
from handlers.mediation.flows import invite
from handlers.mediation.texts import kind_label, status_label
from handlers.mediation.typed import asks_after_a_case, asks_after_cases
from models import Role
from models.mediation import MediationCase

router = Router("mediation.overview")
# Leaders follow their area's or group's cases (the menu's "Mediation cases"): a list, not a new request.
LEADERS = (Role.AREA_LEADER, Role.GROUP_ADMIN, Role.WARD_ADMIN)


@router.command("hoagiai", "mediate", help=N_("Ask for mediation of a dispute, or follow your cases"))
async def mediate(ctx: Context) -> None:
    code = ctx.event.args.strip()
    if code:
        await invite.redeem(ctx, code)
        return
    if ctx.carried and not await asks_after(ctx, ctx.carried):
        # Pressed after describing a dispute in their own words: the request starts with those words.
        await begin_request(ctx, ctx.carried)
        return
    await overview(ctx)


async def asks_after(ctx: Context, carried: str) -> bool:
    """Whether the words carried in ask after cases the person has to see rather than describe a new dispute: their
    own case ("vụ tranh chấp đất với nhà bên tới đâu rồi"), or, for a leader or mediator, whether anyone of theirs
    asked for mediation ("tổ mình có ai nhờ hòa giải không"). The cases are shown instead."""
    if asks_after_a_case(carried) and await store.own_cases(ctx.session, ctx.person_id):
        return True
    if not asks_after_cases(carried):
        return False
    grants = await ctx.grants()
    return any(g.role in LEADERS or g.role in store.MEDIATOR_ROLES for g in grants)


@router.choice(NewRequest)
async def new_request(ctx: Context) -> None:
    NewRequest.expect(ctx)
    await begin_request(ctx)


def line(case: MediationCase) -> str:
    return f"{case.number} · {kind_label(case.kind)} · {status_label(case.status)}"


async def overview(ctx: Context) -> None:
    own = await store.own_cases(ctx.session, ctx.person_id)
    grants = await ctx.grants()
    duty = await store.open_cases_for(ctx.session, ctx.person_id, grants)
    is_mediator = any(g.role in store.MEDIATOR_ROLES for g in grants)
    follows = is_mediator or any(g.role in LEADERS for g in grants)
    if not own and not duty and not follows:
        await begin_request(ctx)
        return
    choices: list[Choice] = []
    lines: list[str] = []
    if own:
        lines.append(_("Your mediation cases:"))
        lines += [f"• {line(c)}" for c in own[:10]]
        choices += [Choice(c.number or "", OpenCase(c.id or 0)) for c in own[:10]]
    if follows:
        others = [c for c in duty if c.id not in {o.id for o in own}]
        lines.append(_("Open cases of your area:") if others else _("No open cases in your area."))
        lines += [f"• {line(c)}" + (" · " + _("private") if c.private else "") for c in others[:15]]
        choices += [Choice(c.number or "", OpenCase(c.id or 0)) for c in others[:15]]
    if is_mediator:
        choices.append(Choice(_("My mediator profile"), EditProfile()))
    choices.append(Choice(_("New mediation request"), NewRequest()))
    ctx.reply("\n".join(lines), choices)


async def begin_request(ctx: Context, described: str | None = None) -> None:
    """Start the request form, once we know which area's mediation group the request goes to."""
    if home_grant(await ctx.grants()) is None:
        ctx.reply(
            _(
                "Please join your residential group first (/start), so your request reaches the right "
                "mediation group."
            )
        )
        return
    ctx.begin("mediation_request", **({"carried": described} if described else {}))
