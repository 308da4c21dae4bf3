"""/rutlai (/withdraw) <receipt code>: a tipster asks to withdraw a tip she sent.

A tip once received is the ward police's record (BLTTHS art. 144-146): it is never deleted nor closed from here.
The police are told the tipster withdrew it and decide what follows; the tipster is told just that. Like /tracuu
it needs only the receipt code, and what is kept of the request has no trace of who made it: an anonymous tip
stays unlinked.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from bot.core import menu
from bot.core.context import Context
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, finish, retry, stay
from bot.core.payloads import YesNo
from bot.core.replies import Choice, Reply
from bot.core.router import Router
from bot.core.typed import says_nothing
from bot.core.understand import understand
from bot.i18n import N_, _, fmt_date, fmt_datetime, use_locale
from handlers.tips.buttons import OpenTip
from handlers.tips.detect import FOUND, receipt_code
from handlers.tips.flows.lookup import by_code, could_be_a_code, forgot
from handlers.tips.notify import notify_officers
from handlers.tips.texts import category_name, status_for_tipster
from models import Tip, TipMessage, TipStatus

router = Router("tips.withdraw")
code_flow = Flow("tip_withdraw_code", steps=("code",), private=True)
confirm_flow = Flow("tip_withdraw", steps=("confirm",), private=True)
KIND = "withdraw"  # TipMessage.kind of the tipster's request


class Withdraw(YesNo, prefix="twd"):
    """Under "Withdraw tip no. N?": withdraw it, or keep it as it is."""


@router.command(
    "rutlai",
    "withdraw",
    help=N_("Withdraw a tip you sent, with its receipt code"),
    needs_person=False,
    private=True,
)
async def withdraw(ctx: Context) -> None:
    # "tôi muốn rút lại tin báo" comes here whole (the intent runs the command with the words): only a code in
    # them opens a tip; otherwise the code is asked for.
    found = receipt_code(ctx.event.args)
    if isinstance(found, tuple) and found[0] >= FOUND:
        await open_by_code(ctx, found[1])
    else:
        ctx.begin(code_flow.name)


def begin_withdraw(ctx: Context, tip_id: int) -> None:
    """Ask to confirm withdrawing a tip already opened by its code (the /tracuu view's button)."""
    ctx.begin(confirm_flow.name, tip=tip_id)


async def open_by_code(ctx: Context, typed: str) -> bool:
    """The tip with this code goes on to the confirmation; wrong codes count against the same limit as /tracuu (a
    problem report's code shows that report, as everywhere a code is typed)."""
    found = await by_code(ctx, typed)
    if isinstance(found, Tip) and found.id is not None:
        begin_withdraw(ctx, found.id)
    return found is not None


@code_flow.ask("code")
async def ask_code(ctx: Context) -> None:
    ctx.reply(
        _(
            "To withdraw a tip, type the receipt code you got when you sent it. The police are told you withdrew "
            "it; nothing about you is added. (/tracuu with the code shows the tip first.)"
        )
    )


@code_flow.on("code")
async def on_code(ctx: Context) -> Outcome:
    if ctx.event.kind != Kind.TEXT:
        return retry(_("Please type the code."))
    text = ctx.event.text
    if says_nothing(text):
        await menu.show(ctx, _("All right, the tip stays as it is."))
        return finish()
    if forgot(text):
        await menu.show(
            ctx,
            _(
                "Without its receipt code a tip cannot be found: An Dân keeps nothing else that leads from you "
                "to an anonymous tip. If you find the code, type /rutlai and the code."
            ),
        )
        return finish()
    if not could_be_a_code(text):
        ctx.end()  # words, not a mistyped code (those are limited): read them as said outside this question
        await understand(ctx)
        return stay()
    await open_by_code(ctx, text)  # on success the confirmation replaces this question
    return stay()


@confirm_flow.ask("confirm")
async def ask_confirm(ctx: Context) -> None:
    tip = await ctx.session.get(Tip, ctx.data["tip"])
    if tip is None or tip.purged_at is not None:
        ctx.end()
        return
    heading = _("Tip no. {number} ({category}), sent {when}. Status: {status}").format(
        number=tip.id,
        category=category_name(tip.category),
        when=fmt_date(tip.received_at),
        status=status_for_tipster(tip.status),
    )
    if tip.status in TipStatus.CLOSED:
        ctx.reply(heading + "\n\n" + _("This tip is closed already: there is nothing left to withdraw."))
        ctx.end()
        return
    earlier = await withdrawn_at(ctx, tip)
    if earlier is not None:
        ctx.reply(
            heading
            + "\n\n"
            + _(
                "You withdrew this tip on {when}; the police were told. To tell them more, type /tracuu with "
                "the code."
            ).format(when=fmt_datetime(earlier))
        )
        ctx.end()
        return
    ctx.reply(
        heading
        + "\n\n"
        + _(
            "Withdraw it? The police are told that you withdrew it. A tip once received stays on record, as the "
            "law requires, and the police decide whether to keep checking it. Nothing about you is added."
        ),
        [Choice(_("Withdraw it"), Withdraw(True)), Choice(_("Keep the tip"), Withdraw(False))],
    )


async def withdrawn_at(ctx: Context, tip: Tip) -> datetime | None:
    """When the tipster withdrew this tip, or None."""
    found = await ctx.session.exec(
        select(TipMessage.at).where(TipMessage.tip_id == tip.id, col(TipMessage.kind) == KIND)
    )
    return found.first()


@confirm_flow.on("confirm")
async def on_confirm(ctx: Context) -> Outcome:
    if not Withdraw.expect(ctx).yes:
        ctx.reply(_("Nothing was changed: the tip stays with the police as it was."))
        return finish()
    tip = await ctx.session.get(Tip, ctx.data["tip"])
    if tip is None or tip.status in TipStatus.CLOSED or tip.purged_at is not None:
        ctx.reply(_("This tip is closed already: there is nothing left to withdraw."))
        return finish()
    await record(ctx, tip)
    ctx.reply(
        _(
            "Done. The police of the ward are told that you withdrew tip no. {number}. It stays on their record "
            "as the law requires, and they decide whether to keep checking it or close it; they may still write "
            "to you if you allowed replies. Nothing about you was added. /tracuu with your code shows it."
        ).format(number=tip.id)
    )
    return finish()


async def record(ctx: Context, tip: Tip) -> None:
    """The request on the tip, in the ward's language (the police read it there), and a push to the officers.
    Not audited: an audit entry names who acted, and an anonymous tip must stay unlinked."""
    assert tip.id is not None
    number = tip.id
    with use_locale(ctx.app.settings.default_locale):
        text = _("The tipster withdrew this tip. It stays on record; the police decide what follows.")
    message = TipMessage(tip_id=number, direction="tipster", kind=KIND, text=text)
    ctx.session.add(message)
    await ctx.session.flush()
    await notify_officers(
        ctx.session,
        tip,
        lambda: Reply(
            _(
                "The tipster withdrew tip no. {number}. The tip stays on record; you decide whether to keep "
                "checking it or close it."
            ).format(number=number),
            (Choice(_("Open it"), OpenTip(number)),),
        ),
        dedupe=f"tip:{number}:withdrawn",
    )


# Registered here, after their steps: the tips router only includes this one.
router.flow(code_flow)
router.flow(confirm_flow)
