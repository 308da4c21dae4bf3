"""Short police forms on one tip: a reply or a question to the tipster, closing with a reason, and recording an
extension of the investigating body's decision deadline that the ward police were told of (for information).

Each form re-checks at the end that the officer is still police of the tip's ward.
"""

from __future__ import annotations

from datetime import date, datetime

from bot import clock
from bot.core.context import Context
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, finish, goto, retry
from bot.core.replies import Choice
from bot.i18n import _, fmt_date, fmt_datetime, local
from handlers.tips.buttons import AnswerQuestion, SkipNote
from handlers.tips.clocks import Rules, decision_deadline, decision_due, end_of, latest_extension
from handlers.tips.flows.answer import key_hash, new_key
from handlers.tips.flows.police import delivered_note, officer_tip
from handlers.tips.notify import destroy_route, tell_tipster
from handlers.tips.store import claim_status, ward_name
from handlers.tips.texts import status_for_tipster, status_name
from handlers.tips.when import written_day
from models import Tip, TipMessage, TipStatus
from models.base import pk

answer_flow = Flow("tip_answer", steps=("text",))
close_flow = Flow("tip_close", steps=("reason",))
# The art. 147 deadline is the investigating body's: the ward police only record an extension they were told of.
# (An earlier form let them extend it themselves; its saved steps are gone, so such a form simply starts over.)
extend_flow = Flow("tip_extension_told", steps=("date", "source"))
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
    if tip is None:
        return finish()
    if tip.status in TipStatus.CLOSED:
        closed_meanwhile(ctx, tip, text)
        return finish()
    kind, number = ctx.data["kind"], pk(tip)
    # A question, and a reply too, carries an Answer button whose one-time key only its hash here matches
    # (flows/answer.py): a tipster writes back under a reply as naturally as under a question ("but they are still
    # there tonight"), and those words belong to this tip, not to a new one.
    key = new_key()
    message = TipMessage(
        tip_id=number,
        direction="police",
        kind=kind,
        text=text,
        author_person_id=ctx.person_id,
        detail={"answer_key": key_hash(ctx.app.keyring, key)},
    )
    ctx.session.add(message)
    await ctx.session.flush()
    ward = await ward_name(ctx.session, tip.ward_code)  # "Phường Cao Lãnh", "Đặc khu Phú Quốc": its own kind
    if kind == "ask":

        def render() -> str:
            return _(
                "The police of {ward} ask for more information about your tip no. {number}:\n\n{text}\n\n"
                "To answer, type your answer here, or press Answer. Later, /tracuu with your receipt code shows "
                "the question too."
            ).format(ward=ward, number=number, text=text)
    else:

        def render() -> str:
            return _(
                "The police of {ward} replied about your tip no. {number}:\n\n{text}\n\n"
                "To write back to them, type here, or press Answer."
            ).format(ward=ward, number=number, text=text)

    def buttons() -> tuple[Choice, ...]:
        return (Choice(_("Answer"), AnswerQuestion(number, key)),)

    sent = await tell_tipster(
        ctx.session,
        tip,
        render,
        dedupe=f"tip:{number}:msg:{message.id}",
        buttons=buttons,
        quiet_hours=ctx.app.settings.quiet_hours,
    )
    ctx.audit(f"tip.{kind}", "tip", str(number), tip.ward_code, delivered=sent)
    ctx.reply(_("Saved on tip no. {number}.").format(number=number) + " " + delivered_note(sent))
    return finish()


def closed_meanwhile(ctx: Context, tip: Tip, typed: str) -> None:
    """Another officer closed the tip while this one was typing: say so, and give back what was typed (it was not
    sent, and after closing the tipster's reply route is gone)."""
    ctx.reply(
        _(
            "Tip no. {number} was closed in the meantime ({status}, {when}), so nothing was sent or changed. "
            "What you typed, to keep if you need it:\n\n{typed}"
        ).format(
            number=pk(tip),
            status=status_name(tip.status),
            when=fmt_datetime(tip.closed_at) if tip.closed_at else "—",
            typed=typed or "—",
        )
    )


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
    if tip is None:
        return finish()
    if tip.status in TipStatus.CLOSED or not await claim_status(ctx.session, pk(tip), status):
        await ctx.session.refresh(tip)
        closed_meanwhile(ctx, tip, reason)
        return finish()
    number, now = pk(tip), clock.now()
    tip.status = status
    if status in TipStatus.CLOSED:
        tip.closed_at, tip.outcome_reason = now, reason
        if tip.acknowledged_at is None:
            tip.acknowledged_at = now  # the outcome notice also tells the tipster the tip was received
    if status == TipStatus.TRANSFERRED:
        # From here the investigating body's 20 days run (art. 147), from the day it receives the tip.
        tip.decision_due_at = decision_due(now, Rules.of(ctx.app.settings))
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

        sent = await tell_tipster(
            ctx.session, tip, render, dedupe=f"tip:{number}:closed", quiet_hours=ctx.app.settings.quiet_hours
        )
        await destroy_route(ctx.session, tip)  # the queued notice carries its own sealed copy
    ctx.audit("tip.status", "tip", str(number), tip.ward_code, status=status)
    text = _("Tip no. {number} is now: {status}.").format(number=number, status=status_name(status))
    ctx.reply(text + (" " + delivered_note(sent) if status in TipStatus.CLOSED else ""))
    return finish()


@extend_flow.ask("date")
async def ask_date(ctx: Context) -> None:
    ctx.reply(
        _(
            "Tip no. {number}: the investigating body decides by {date} (Criminal Procedure Code, art. 147). It "
            "may extend this for a complex case, and the procuracy may extend it once more. If they told you of "
            "a new date, type it (day/month/year). It is recorded for information only."
        ).format(number=ctx.data["tip"], date=fmt_date(datetime.fromisoformat(ctx.data["due"])))
    )


@extend_flow.on("date")
async def on_date(ctx: Context) -> Outcome:
    tip = await officer_tip(ctx, ctx.data["tip"])
    if tip is None or tip.status != TipStatus.TRANSFERRED or tip.closed_at is None:
        return finish()
    day = (
        written_day(ctx.event.text, local(clock.now()).date(), ahead=True)
        if ctx.event.kind == Kind.TEXT
        else None
    )
    if day is None:
        return retry(_("Please type the date like 15/01/2027."))
    rules = Rules.of(ctx.app.settings)
    current, latest = decision_deadline(tip, rules), latest_extension(tip.closed_at, rules)
    if end_of(day) <= current:
        return retry(
            _("That is not later than the deadline already recorded ({date}).").format(date=fmt_date(current))
        )
    if end_of(day) > latest:
        return retry(
            _(
                "The law allows extensions up to {date} at most (art. 147: up to {months} months each, by the "
                "investigating body and once by the procuracy). Please check the date."
            ).format(date=fmt_date(latest), months=rules.extension_months)
        )
    ctx.data["day"] = day.isoformat()
    return goto("source")


@extend_flow.ask("source")
async def ask_source(ctx: Context) -> None:
    ctx.reply(
        _(
            "Who told you, and how? (For example the investigator's name or the decision's number; kept in the record.)"
        )
    )


@extend_flow.on("source")
async def on_source(ctx: Context) -> Outcome:
    source = ctx.event.text.strip()[:MAX_POLICE_TEXT]
    if ctx.event.kind != Kind.TEXT or len(source) < 3:
        return retry(_("Please type who told you."))
    tip = await officer_tip(ctx, ctx.data["tip"])
    if tip is None or tip.status != TipStatus.TRANSFERRED:
        return finish()
    tip.decision_due_at = end_of(date.fromisoformat(ctx.data["day"]))
    tip.extended_at, tip.extension_reason = clock.now(), source
    ctx.session.add(tip)
    ctx.audit("tip.extension_told", "tip", str(tip.id), tip.ward_code, due=ctx.data["day"])
    ctx.reply(
        _(
            "Recorded for information: the investigating body now decides on tip no. {number} by {date}. The "
            "ward police's own clocks are not changed."
        ).format(number=tip.id, date=fmt_date(tip.decision_due_at))
    )
    return finish()
