"""Closing a case: agreement reached (hòa giải thành, with its summary), not reached (hòa giải không thành, with
where the parties can go next) or withdrawn; a week after an agreement the parties are asked whether it holds
(ticks.follow_up), and a broken agreement, reported then or later by either party, reopens the case with its
mediator."""

from __future__ import annotations

from datetime import timedelta

from bot import clock
from bot.core.context import Context
from bot.core.flow import Flow, Outcome, finish, goto, retry
from bot.core.replies import Choice
from bot.core.router import Router
from bot.delivery.outbox import cancel
from bot.i18n import _
from handlers.mediation import store
from handlers.mediation.buttons import FollowUp, NextStep, OpenCase, RecordOutcome, Result
from handlers.mediation.flows.case import load_visible, said_closed
from handlers.mediation.notify import SOURCE, push
from models import Priority, Role
from models.mediation import OPEN_STATUSES, CaseStatus, MediationCase

router = Router("mediation.outcome")
flow = Flow("mediation_outcome", steps=("result", "agreement", "next_steps"))
FOLLOW_UP_AFTER = timedelta(days=7)


@router.choice(RecordOutcome)
async def start(ctx: Context) -> None:
    case = await load_visible(ctx, RecordOutcome.expect(ctx).case_id)
    if case is None or said_closed(ctx, case):
        return
    if case.mediator_id != ctx.person_id:
        ctx.reply(_("Only the mediator in charge of an open case records its outcome."))
        return
    ctx.begin("mediation_outcome", case=case.id)


@flow.ask("result")
async def ask_result(ctx: Context) -> None:
    ctx.reply(
        _("How did the mediation end?"),
        [
            Choice(_("Agreement reached (hòa giải thành)"), Result("agreed")),
            Choice(_("No agreement (hòa giải không thành)"), Result("not_agreed")),
            Choice(_("The request was withdrawn"), Result("withdrawn")),
        ],
    )


@flow.on("result")
async def on_result(ctx: Context) -> Outcome:
    result = Result.expect(ctx).result
    if result == "agreed":
        return goto("agreement")
    if result == "not_agreed":
        return goto("next_steps")
    return await close(ctx, CaseStatus.WITHDRAWN)


@flow.ask("agreement")
async def ask_agreement(ctx: Context) -> None:
    ctx.reply(
        _("Summarise what the parties agreed (it is written in the mediation book and sent to the parties).")
    )


@flow.on("agreement")
async def on_agreement(ctx: Context) -> Outcome:
    text = ctx.event.text.strip()
    if not 5 <= len(text) <= 1500:
        return retry(_("Please summarise the agreement in 5 to 1,500 characters."))
    ctx.data["agreement"] = text
    return await close(ctx, CaseStatus.AGREED)


@flow.ask("next_steps")
async def ask_next_steps(ctx: Context) -> None:
    ctx.reply(
        _("Where can the parties go next? Choose, or type your own advice."),
        [
            Choice(_("The People's Committee of the commune or ward"), NextStep("ubnd")),
            Choice(_("The People's Court"), NextStep("court")),
        ],
    )


NEXT_STEPS = {
    "ubnd": lambda: _(
        "The People's Committee of the commune or ward (land disputes must be brought there for "
        "conciliation before going to court)."
    ),
    "court": lambda: _("The People's Court, with a lawsuit."),
}


@flow.on("next_steps")
async def on_next_steps(ctx: Context) -> Outcome:
    chosen = NextStep.read(ctx)
    text = NEXT_STEPS[chosen.where]() if chosen is not None else ctx.event.text.strip()
    if not 5 <= len(text) <= 600:
        return retry(_("Please choose an option or type your advice (5 to 600 characters)."))
    ctx.data["next_steps"] = text
    return await close(ctx, CaseStatus.NOT_AGREED)


async def close(ctx: Context, status: str) -> Outcome:
    case = await ctx.session.get(MediationCase, ctx.data["case"])
    if case is None or case.mediator_id != ctx.person_id or case.status not in OPEN_STATUSES:
        ctx.reply(_("This case is no longer yours to close."))
        return finish()
    now = clock.now()
    case.status, case.closed_at = status, now
    case.agreement = ctx.data.get("agreement") if status == CaseStatus.AGREED else None
    case.next_steps = ctx.data.get("next_steps") if status == CaseStatus.NOT_AGREED else None
    case.followup_due_at = now + FOLLOW_UP_AFTER if status == CaseStatus.AGREED else None
    case.followup_sent_at = case.followup_answer = None
    ctx.session.add(case)
    await cancel(ctx.session, SOURCE, str(case.id))  # reminders still waiting for quiet hours to end are moot
    store.log(ctx.session, case, status, ctx.person_id, note=case.agreement or case.next_steps)
    ctx.audit("mediation.closed", "mediation_case", str(case.id), case.ward_code, outcome=status)

    def text() -> str:
        if status == CaseStatus.AGREED:
            return _(
                "Mediation of case {number}: agreement reached (hòa giải thành). What was agreed: {text}"
            ).format(number=case.number, text=case.agreement)
        if status == CaseStatus.NOT_AGREED:
            return _(
                "Mediation of case {number} ended without agreement (hòa giải không thành). Where you can go "
                "next: {text}"
            ).format(number=case.number, text=case.next_steps)
        return _("Case {number} is closed as withdrawn.").format(number=case.number)

    await push(
        ctx.session,
        await store.party_people(ctx.session, case),
        case,
        f"closed-{status}",
        text,
        key=str(int(now.timestamp())),
    )
    ctx.reply(_("Case {number} is closed and written in the mediation book.").format(number=case.number))
    return finish()


@router.choice(FollowUp)
async def answer(ctx: Context) -> None:
    """Whether the agreement is kept: the answer to the follow-up question, or "broken" said later from the case.
    Any party may say so, for as long as store.may_report_broken allows; "kept" once never stops a later "broken"."""
    pressed = FollowUp.expect(ctx)
    case = await ctx.session.get(MediationCase, pressed.case_id)
    if case is None or ctx.person is None or not await store.is_party(ctx.session, ctx.person_id, case):
        ctx.reply(_("That question is not yours to answer."))
        return
    if case.status == CaseStatus.REOPENED:
        await _already_reopened(ctx, case)
        return
    if not store.may_report_broken(case):
        ctx.reply(_no_agreement_in_force(case))
        return
    if pressed.answer == "kept":
        if not await _said_kept(ctx, case):
            case.followup_answer = case.followup_answer or "kept"
            ctx.session.add(case)
            store.log(ctx.session, case, "followup_kept", ctx.person_id)
        ctx.reply(
            _(
                "Good to hear. Thank you for telling us. If it stops being kept, open the case (/hoagiai) and "
                "say so."
            )
        )
        return
    await reopen(ctx, case)


async def _said_kept(ctx: Context, case: MediationCase) -> bool:
    return any(
        e.action == "followup_kept" and e.actor_id == ctx.person_id
        for e in await store.history(ctx.session, case.id or 0)
    )


async def _already_reopened(ctx: Context, case: MediationCase) -> None:
    reported = [e for e in await store.history(ctx.session, case.id or 0) if e.action == "reopened"]
    if reported and reported[-1].actor_id == ctx.person_id:
        ctx.reply(
            _(
                "You already answered about case {number}: it is reopened and its mediator will contact you "
                "again."
            ).format(number=case.number)
        )
        return
    ctx.reply(
        _(
            "Case {number} is already reopened: the agreement was reported not kept, and its mediator will "
            "contact the parties again."
        ).format(number=case.number)
    )


def _no_agreement_in_force(case: MediationCase) -> str:
    if case.status == CaseStatus.AGREED:
        return _(
            "The agreement of case {number} was reached more than a year ago. If the dispute has started again, "
            "please ask for mediation again with /hoagiai."
        ).format(number=case.number)
    return _("Case {number} has no agreement to report on.").format(number=case.number)


async def reopen(ctx: Context, case: MediationCase) -> None:
    """A party reports the agreement broken: the case goes back to its mediator, who with the head of the
    mediation group is told who reported it. It leaves the settled cases until it is closed again (year.py)."""
    undone, undone_at = case.status, case.closed_at
    case.followup_answer = "broken"
    case.status, case.closed_at, case.reopened_count = CaseStatus.REOPENED, None, case.reopened_count + 1
    ctx.session.add(case)
    store.log(ctx.session, case, "reopened", ctx.person_id)
    # The case row keeps only its latest state: the closing this undoes is kept here, so the year it was settled in
    # still counts it as settled (year.py), however late in the next year the agreement broke.
    ctx.audit(
        "mediation.reopened",
        "mediation_case",
        str(case.id),
        case.ward_code,
        outcome=str(undone),
        closed_at=undone_at.isoformat() if undone_at else None,
    )
    reporter = await _party_name(ctx, case)
    heads = [p.id for p in await store.mediators_of(ctx.session, case, Role.MEDIATION_HEAD.value)]
    await push(
        ctx.session,
        [case.mediator_id, *heads],
        case,
        "reopened",
        lambda: _(
            "{name}, a party of case {number}, reports that the agreement is not being kept. The case is "
            "reopened."
        ).format(name=reporter, number=case.number),
        lambda: [Choice(_("Open the case"), OpenCase(case.id or 0))],
        priority=Priority.IMPORTANT,
        key=str(case.reopened_count),
    )
    ctx.reply(
        _("Case {number} is reopened and its mediator is told. They will contact you again.").format(
            number=case.number
        )
    )


async def _party_name(ctx: Context, case: MediationCase) -> str:
    """The reporter's name as the book holds it."""
    if case.requester_id == ctx.person_id:
        return case.requester_name
    named = [p.name for p in await store.parties(ctx.session, case.id or 0) if p.person_id == ctx.person_id]
    return named[0] if named else "—"
