"""/phananh (/issue) for the reporter: their reports and where each stands, followed by number (named reports,
from any chat app they linked) or by receipt code (reports sent without a name, from any chat app at all).

`/phananh` alone lists the person's own reports with a button for a new one (or opens the form when there are
none); `/phananh 12` shows report no. 12 if it is theirs; `/phananh <code>` shows the report with that receipt
code; `/phananh <words>` opens the form with the words as its description. A receipt code typed where a tip's is
asked (or pasted alone) reaches the report through `show_code`.

A named report closed as fixed while the problem is still there can be reopened by its reporter for REOPEN_DAYS:
a button on the report's screen, or words ("đèn vẫn chưa sáng", read as /chuasua) that show their latest such
report with that button. Reopening puts the same report back in the ward's open list and tells those who handle
it; it is recorded (audit "problem.reopen") so the figures count a reopening, not a second problem.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.core import menu
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.replies import Choice, Reply
from bot.core.router import Router
from bot.core.understand import CARRY_KEY, MAX_CARRY
from bot.delivery.outbox import enqueue_to_person
from bot.guard import ratelimit
from bot.i18n import N_, _, fmt_date
from handlers.problems.buttons import MyReport, NewReport, OpenProblem, StillBroken
from handlers.problems.flows.report import begin
from handlers.problems.store import find_by_code, looks_like_code, managers_of, own_reports
from handlers.problems.texts import category_name, status_text
from models import Person, Priority
from models.base import pk
from models.problems import Problem, ProblemStatus

router = Router("problems.mine")
# How long after a report is closed as fixed its reporter may say it is not: long enough for a light that goes
# out again the next nights, short enough that a problem come back months later is a new report.
REOPEN_DAYS = 14


@router.command(
    "phananh",
    "issue",
    help=N_("Report a problem in your neighbourhood, or follow your reports"),
    private=True,
)
async def start(ctx: Context) -> None:
    typed = ctx.event.args.strip()
    if typed and looks_like_code(typed):
        await by_code(ctx, typed)
        return
    if typed.isdigit():
        await by_number(ctx, int(typed))
        return
    words = typed or (ctx.carried or "")
    if words or ctx.carried_photos:  # a photo sent first: a new report, not the list of one's reports
        await begin(ctx, words, ctx.hint)
        return
    mine = await own_reports(ctx.session, ctx.person_id)
    if not mine:
        await begin(ctx, "", ctx.hint)
        return
    lines = [_("Your reports (type /phananh and a number to see one):")]
    choices = [Choice(_("Report a new problem"), NewReport())]
    for problem in mine:
        lines.append(
            _("No. {number}, {date}: {category} — {status}").format(
                number=pk(problem),
                date=fmt_date(problem.created_at),
                category=category_name(problem.category),
                status=await status_of(ctx, problem),
            )
        )
        choices.append(Choice(_("Report no. {number}").format(number=pk(problem)), MyReport(pk(problem))))
    ctx.reply("\n".join(lines), choices)


@router.choice("prm")
async def pressed(ctx: Context) -> None:
    if NewReport.read(ctx) is not None:
        await begin(ctx)
        return
    if (broken := StillBroken.read(ctx)) is not None:
        await reopen(ctx, broken.problem_id)
        return
    chosen = MyReport.read(ctx)
    if chosen is None:
        raise NotChosen()
    await by_number(ctx, chosen.problem_id)


async def by_number(ctx: Context, number: int) -> None:
    problem = await own_report(ctx, number)
    if problem is None:
        return
    choices = []
    if reopenable(await followed(ctx.session, problem)):
        choices.append(Choice(_("Still not fixed"), StillBroken(pk(problem))))
    ctx.reply(await view(ctx, problem), choices)


async def own_report(ctx: Context, number: int) -> Problem | None:
    """The person's own named report no. `number`; otherwise says so."""
    problem = await ctx.session.get(Problem, number)
    if problem is None or problem.anonymous or problem.person_id != ctx.person_id:
        ctx.reply(
            _(
                "You have no report no. {number}. Type /phananh to see your reports; a report sent without your "
                "name is followed with its receipt code."
            ).format(number=number)
        )
        return None
    return problem


async def by_code(ctx: Context, typed: str) -> None:
    # Each look-up costs scrypt work: it runs behind the wrong-guess limit shared with tips' receipt codes.
    async def look_up() -> Problem | None:
        found = await find_by_code(ctx.session, ctx.app.keyring, typed)
        if found is None:
            ctx.reply(
                _("No report matches that code. Please check it (letters and digits, dashes optional).")
            )
        return found

    def paused(verdict: ratelimit.Verdict) -> str:
        return _(
            "Too many wrong codes have been typed from here, so looking up codes is paused for a while. "
            "Please try again after {time}."
        ).format(time=verdict.retry_time())

    problem = await ratelimit.guarded(ctx, ratelimit.RECEIPT_CODES, paused, look_up)
    if problem is not None:
        ctx.reply(await view(ctx, problem))


async def show_code(ctx: Context, typed: str) -> bool:
    """Show the report whose receipt code this is and say True, or say nothing and give False. For the tips'
    look-up: a code is a code, and people paste the one they kept wherever a code is asked. The caller runs it
    behind its wrong-guess limit (each look-up costs scrypt work) and counts nothing when it finds one."""
    problem = await find_by_code(ctx.session, ctx.app.keyring, typed)
    if problem is None:
        return False
    ctx.reply(await view(ctx, problem))
    return True


async def status_of(ctx: Context, problem: Problem) -> str:
    """Where it stands for the reporter: a duplicate stands where the report it joined stands."""
    if problem.status == ProblemStatus.MERGED and problem.merged_into is not None:
        target = await ctx.session.get(Problem, problem.merged_into)
        joined = status_text(ProblemStatus.MERGED, merged_into=problem.merged_into)
        if target is None:
            return joined
        return joined + "; " + status_text(target.status, office=target.passed_to)
    return status_text(problem.status, office=problem.passed_to)


async def view(ctx: Context, problem: Problem) -> str:
    lines = [
        _("Report no. {number} ({category}), sent {date}.").format(
            number=pk(problem), category=category_name(problem.category), date=fmt_date(problem.created_at)
        ),
        _("Status: {status}").format(status=await status_of(ctx, problem)),
    ]
    closed = await followed(ctx.session, problem)
    if closed.status == ProblemStatus.FIXED and closed.closing_note:
        lines.append(
            _("The ward office wrote on {date}: {note}").format(
                date=fmt_date(closed.closed_at or closed.created_at), note=closed.closing_note
            )
        )
    return "\n".join(lines)


# Still not fixed ------------------------------------------------------------------------------------------------
async def followed(session: AsyncSession, problem: Problem) -> Problem:
    """The report whose handling a report follows: the one it was merged into, or itself."""
    if problem.status == ProblemStatus.MERGED and problem.merged_into is not None:
        return await session.get(Problem, problem.merged_into) or problem
    return problem


def reopenable(problem: Problem) -> bool:
    """Closed as fixed within REOPEN_DAYS."""
    if problem.status != ProblemStatus.FIXED or problem.closed_at is None:
        return False
    closed = problem.closed_at if problem.closed_at.tzinfo else problem.closed_at.replace(tzinfo=UTC)
    return clock.now() - closed <= timedelta(days=REOPEN_DAYS)


@router.command(
    "chuasua",
    "notfixed",
    help=N_("Say that a problem you reported, closed as fixed, is still there"),
    private=True,
    in_menu=False,
)
async def not_fixed(ctx: Context) -> None:
    """Their latest report closed as fixed lately (or the one numbered), with the button that reopens it."""
    typed = ctx.event.args.strip()
    if typed.isdigit():
        await by_number(ctx, int(typed))
        return
    for problem in await own_reports(ctx.session, ctx.person_id):
        if reopenable(await followed(ctx.session, problem)):
            ctx.reply(
                await view(ctx, problem)
                + "\n\n"
                + _(
                    "Is the problem still there? Press “Still not fixed” and this report is opened again; the ward "
                    "office is told."
                ),
                [Choice(_("Still not fixed"), StillBroken(pk(problem)))],
            )
            return
    # "đèn hư cả tuần vẫn chưa sửa" is as often a first report: offered with its words, as plain words are.
    if typed:
        ctx.data[CARRY_KEY] = {"command": "phananh", "text": typed[:MAX_CARRY], "hint": None}
    ctx.reply(
        _(
            "None of your reports was closed as fixed in the last {days} days. To tell the ward office about the "
            "problem, press below."
        ).format(days=REOPEN_DAYS),
        [Choice(menu.label_for(ctx.app.registry, "phananh"), menu.command_payload("phananh"))],
    )


async def reopen(ctx: Context, number: int) -> None:
    own = await own_report(ctx, number)
    if own is None:
        return
    problem = await followed(ctx.session, own)
    if problem.status != ProblemStatus.FIXED:
        ctx.reply(
            _("Report no. {number} is not closed: the ward office is still seeing to it.").format(
                number=number
            )
        )
        return
    if not reopenable(problem):
        ctx.reply(
            _(
                "Report no. {number} was closed more than {days} days ago. If the problem is back, please report "
                "it again: type /phananh."
            ).format(number=number, days=REOPEN_DAYS)
        )
        return
    closed_at, note = problem.closed_at, problem.closing_note
    problem.status = ProblemStatus.ASSIGNED if problem.assigned_to else ProblemStatus.OPEN
    problem.closed_at, problem.closing_note = None, None
    ctx.session.add(problem)
    # The audit entry is the record the figures count reopenings from (handlers/problems/figures.py).
    ctx.audit(
        "problem.reopen", "problem", str(pk(problem)), problem.ward_code, area=problem.area_id, note=note
    )
    await tell_ward(ctx.session, problem, closed_at or clock.now())
    said = _(
        "Report no. {number} is open again: the ward office has been told that the problem is still there."
    ).format(number=number)
    if own.wants_progress:
        said += " " + _("You will hear when it is fixed.")
    ctx.reply(said)


async def tell_ward(session: AsyncSession, problem: Problem, closed_at: datetime) -> int:
    """Push the reopening to those who handle the report and to the group leader it was given to; returns how
    many pushes were queued."""
    number = pk(problem)
    people = await managers_of(session, problem)
    leader = await session.get(Person, problem.assigned_to) if problem.assigned_to else None
    if leader is not None and all(p.id != leader.id for p in people):
        people.append(leader)
    stamp = f"{clock.now().timestamp():.0f}"

    def render() -> Reply:
        return Reply(
            _(
                "Report no. {number} ({category}) was closed as fixed on {date}, but its reporter says the problem "
                "is still there. It is open again."
            ).format(number=number, category=category_name(problem.category), date=fmt_date(closed_at)),
            (Choice(_("Open it"), OpenProblem(number)),),
        )

    count = 0
    for person in people:
        row = await enqueue_to_person(
            session,
            person,
            render,
            kind="problem_reopened",
            priority=Priority.NOTICE,
            dedupe_key=f"problem:{number}:reopened:{stamp}:p{person.id}",
            source_kind="problem",
            source_id=str(number),
        )
        count += row is not None
    return count
