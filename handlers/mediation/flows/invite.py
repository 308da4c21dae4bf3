"""Bringing the other parties in: the mediator hands a party a single-use code; typed after /hoagiai, it links
the party's account to the case, so they too confirm sessions and get reminders. Only the code's hash is kept."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlmodel import select

from bot import clock
from bot.core.context import Context
from bot.core.replies import Choice
from bot.core.router import Router
from bot.i18n import _, fmt_date
from handlers.mediation import store
from handlers.mediation.buttons import InviteParty, MakeCode
from handlers.mediation.flows.case import load_visible, show
from models.mediation import OPEN_STATUSES, MediationCase, MediationParty

router = Router("mediation.invite")
VALID_FOR = timedelta(days=14)
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I/L: codes are read out over the phone


def code_hash(ctx: Context, code: str) -> str:
    return ctx.app.keyring.keyed_hash(
        "mediation-party", code.strip().upper().replace("-", "").replace(" ", "")
    )


@router.choice(InviteParty)
async def menu(ctx: Context) -> None:
    """The mediator in charge picks which listed party to invite."""
    case = await load_visible(ctx, InviteParty.expect(ctx).case_id)
    if case is None:
        return
    if case.mediator_id != ctx.person_id or case.status not in OPEN_STATUSES:
        ctx.reply(_("Only the mediator in charge of an open case invites its parties."))
        return
    waiting = [p for p in await store.parties(ctx.session, case.id or 0) if p.person_id is None]
    if not waiting:
        ctx.reply(_("Every party of case {number} already follows it in An Dân.").format(number=case.number))
        return
    ctx.reply(
        _("Which party should follow case {number} in An Dân?").format(number=case.number),
        [Choice(p.name[:60], MakeCode(p.id or 0)) for p in waiting],
    )


@router.choice(MakeCode)
async def make_code(ctx: Context) -> None:
    party = await ctx.session.get(MediationParty, MakeCode.expect(ctx).party_id)
    case = await ctx.session.get(MediationCase, party.case_id) if party else None
    if party is None or case is None or case.mediator_id != ctx.person_id or case.status not in OPEN_STATUSES:
        ctx.reply(_("Only the mediator in charge of an open case invites its parties."))
        return
    raw = "".join(secrets.choice(ALPHABET) for _i in range(8))
    party.invite_hash = code_hash(ctx, raw)
    party.invite_expires_at = clock.now() + VALID_FOR
    ctx.session.add(party)
    store.log(ctx.session, case, "party_invited", ctx.person_id, note=party.name)
    ctx.audit("mediation.party_invited", "mediation_case", str(case.id), case.ward_code, party=party.id)
    ctx.reply(
        _(
            "Give {name} this code: {code}\nThey open An Dân (/start), then type /hoagiai {code} to follow case "
            "{number}, confirm sessions and get reminders. The code works once, until {date}."
        ).format(
            name=party.name,
            code=f"{raw[:4]}-{raw[4:]}",
            number=case.number,
            date=fmt_date(party.invite_expires_at),
        )
    )


async def redeem(ctx: Context, code: str) -> bool:
    """Link the person to the party the code was made for; False (after saying why) when it does not apply."""
    found = (
        await ctx.session.exec(
            select(MediationParty).where(MediationParty.invite_hash == code_hash(ctx, code))
        )
    ).first()
    if found is None or found.invite_expires_at is None or found.invite_expires_at < clock.now():
        ctx.reply(
            _("That mediation code is not valid or has expired. Please ask the mediator for a new one.")
        )
        return False
    case = await ctx.session.get(MediationCase, found.case_id)
    if case is None or await store.is_party(ctx.session, ctx.person_id, case):
        ctx.reply(_("You already follow this case."))
        return False
    found.person_id, found.invite_hash, found.invite_expires_at = ctx.person_id, None, None
    ctx.session.add(found)
    store.log(ctx.session, case, "party_joined", ctx.person_id, note=found.name)
    ctx.reply(_("You now follow mediation case {number} as a party.").format(number=case.number))
    await show(ctx, case)
    return True
