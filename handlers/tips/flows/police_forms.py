"""Short police forms on one tip: a reply or a question to the tipster, closing with a reason, extending a deadline.

Each form re-checks at the end that the officer is still police of the tip's ward.
"""

from __future__ import annotations

from bot import clock
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, finish, goto, retry
from bot.core.replies import Choice
from bot.i18n import _, fmt_date
from handlers.tips.buttons import ExtendBy, SkipNote
from handlers.tips.clocks import Rules, extended_due
from handlers.tips.flows.police import delivered_note, officer_tip
from handlers.tips.notify import destroy_route, tell_tipster
from handlers.tips.texts import status_for_tipster, status_name
from models import TipMessage, TipStatus
from models.base import pk

answer_flow = Flow("tip_answer", steps=("text",))
close_flow = Flow("tip_close", steps=("reason",))
extend_flow = Flow("tip_extend", steps=("months", "why"))
MAX_POLICE_TEXT = 2000


@answer_flow.ask("text")
async def ask_text(ctx: Context) -> None:
    if ctx.data["kind"] == "ask":
        ctx.reply(
            _("Type your question to the tipster about tip no. {number}:").format(number=ctx.data["tip"])
        )
    else:
        ctx.reply(_("Type your reply to the tipster about tip no. {number}:").format(number=ctx.data["tip"]))


@answer_flow.on("text")
async def on_text(ctx: Context) -> Outcome:
    text = ctx.event.text.strip()
    if ctx.event.kind != Kind.TEXT or not text:
        return retry(_("Please type the message."))
    if len(text) > MAX_POLICE_TEXT:
        return retry(_("Please keep it under {max} characters.").format(max=MAX_POLICE_TEXT))
    tip = await officer_tip(ctx, ctx.data["tip"])
    if tip is None or tip.status in TipStatus.CLOSED:
        return finish()
    kind, number = ctx.data["kind"], pk(tip)
    message = TipMessage(
        tip_id=number, direction="police", kind=kind, text=text, author_person_id=ctx.person_id
    )
    ctx.session.add(message)
    await ctx.session.flush()
    if kind == "ask":

        def render() -> str:
            return _(
                "The ward police ask for more information about your tip no. {number}:\n\n{text}\n\n"
                "To answer, type /tracuu followed by your receipt code, then choose Add information."
            ).format(number=number, text=text)
    else:

        def render() -> str:
            return _("The ward police replied about your tip no. {number}:\n\n{text}").format(
                number=number, text=text
            )

    sent = await tell_tipster(ctx.session, tip, render, dedupe=f"tip:{number}:msg:{message.id}")
    ctx.audit(f"tip.{kind}", "tip", str(number), tip.ward_code, delivered=sent)
    ctx.reply(_("Saved on tip no. {number}.").format(number=number) + " " + delivered_note(sent))
    return finish()


@close_flow.ask("reason")
async def ask_reason(ctx: Context) -> None:
    status = ctx.data["status"]
    if status == TipStatus.VERIFYING:
        ctx.reply(
            _("A short note for the record (what will be checked), or press Skip:"),
            [Choice(_("Skip"), SkipNote())],
        )
    else:
        ctx.reply(
            _(
                "Why is tip no. {number} {status}? The reason is kept in the record, and the tipster is told "
                "the outcome."
            ).format(number=ctx.data["tip"], status=status_name(status))
        )


@close_flow.on("reason")
async def on_reason(ctx: Context) -> Outcome:
    status = ctx.data["status"]
    skipped = SkipNote.read(ctx) is not None and status == TipStatus.VERIFYING
    reason = "" if skipped else ctx.event.text.strip()[:MAX_POLICE_TEXT]
    if not skipped and (ctx.event.kind != Kind.TEXT or len(reason) < 3):
        return retry(_("Please type the reason."))
    tip = await officer_tip(ctx, ctx.data["tip"])
    if tip is None or tip.status in TipStatus.CLOSED:
        return finish()
    number, now = pk(tip), clock.now()
    tip.status = status
    if status in TipStatus.CLOSED:
        tip.closed_at, tip.outcome_reason = now, reason
        if tip.acknowledged_at is None:
            tip.acknowledged_at = now  # the outcome notice also tells the tipster the tip was received
    ctx.session.add(tip)
    if reason:
        ctx.session.add(
            TipMessage(
                tip_id=number,
                direction="police",
                kind="status",
                text=reason,
                author_person_id=ctx.person_id,
                detail={"status": status},
            )
        )
    sent = False
    if status in TipStatus.CLOSED:

        def render() -> str:
            return _(
                "Your tip no. {number} has been handled: {status}. Thank you for helping keep the "
                "neighbourhood safe."
            ).format(number=number, status=status_for_tipster(status))

        sent = await tell_tipster(ctx.session, tip, render, dedupe=f"tip:{number}:closed")
        await destroy_route(ctx.session, tip)  # the queued notice carries its own sealed copy
    ctx.audit("tip.status", "tip", str(number), tip.ward_code, status=status)
    text = _("Tip no. {number} is now: {status}.").format(number=number, status=status_name(status))
    ctx.reply(text + (" " + delivered_note(sent) if status in TipStatus.CLOSED else ""))
    return finish()


@extend_flow.ask("months")
async def ask_months(ctx: Context) -> None:
    ctx.reply(
        _(
            "Extend the decision deadline of tip no. {number} by how long? (Allowed once, for complex "
            "cases, up to 2 months.)"
        ).format(number=ctx.data["tip"]),
        [Choice(_("1 month"), ExtendBy(1)), Choice(_("2 months"), ExtendBy(2))],
    )


@extend_flow.on("months")
async def on_months(ctx: Context) -> Outcome:
    months = ExtendBy.expect(ctx).months
    if not 1 <= months <= Rules.of(ctx.app.settings).extension_months:
        raise NotChosen()
    ctx.data["months"] = months
    return goto("why")


@extend_flow.ask("why")
async def ask_why(ctx: Context) -> None:
    ctx.reply(_("Why does this tip need more time? (Kept in the record.)"))


@extend_flow.on("why")
async def on_why(ctx: Context) -> Outcome:
    reason = ctx.event.text.strip()[:MAX_POLICE_TEXT]
    if ctx.event.kind != Kind.TEXT or len(reason) < 3:
        return retry(_("Please type the reason."))
    tip = await officer_tip(ctx, ctx.data["tip"])
    if tip is None or tip.status in TipStatus.CLOSED or tip.extended_at is not None:
        if tip is not None:
            ctx.reply(_("This deadline cannot be extended."))
        return finish()
    tip.decision_due_at = extended_due(tip.decision_due_at, ctx.data["months"], Rules.of(ctx.app.settings))
    tip.extended_at, tip.extension_reason = clock.now(), reason
    ctx.session.add(tip)
    ctx.audit("tip.extend", "tip", str(tip.id), tip.ward_code, months=ctx.data["months"])
    ctx.reply(
        _("The decision on tip no. {number} is now due by {date}.").format(
            number=tip.id, date=fmt_date(tip.decision_due_at)
        )
    )
    return finish()
