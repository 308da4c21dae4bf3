"""/phananh (/issue) for the reporter: their reports and where each stands, followed by number (named reports,
from any chat app they linked) or by receipt code (reports sent without a name, from any chat app at all).

`/phananh` alone lists the person's own reports with a button for a new one (or opens the form when there are
none); `/phananh 12` shows report no. 12 if it is theirs; `/phananh <code>` shows the report with that receipt
code; `/phananh <words>` opens the form with the words as its description.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.replies import Choice
from bot.core.router import Router
from bot.guard import ratelimit
from bot.i18n import N_, _, fmt_date
from handlers.problems.buttons import MyReport, NewReport
from handlers.problems.flows.report import begin
from handlers.problems.store import find_by_code, looks_like_code, own_reports
from handlers.problems.texts import category_name, status_text
from models.base import pk
from models.problems import Problem, ProblemStatus

router = Router("problems.mine")


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
    chosen = MyReport.read(ctx)
    if chosen is None:
        raise NotChosen()
    await by_number(ctx, chosen.problem_id)


async def by_number(ctx: Context, number: int) -> None:
    problem = await ctx.session.get(Problem, number)
    if problem is None or problem.anonymous or problem.person_id != ctx.person_id:
        ctx.reply(
            _(
                "You have no report no. {number}. Type /phananh to see your reports; a report sent without your "
                "name is followed with its receipt code."
            ).format(number=number)
        )
        return
    ctx.reply(await view(ctx, problem))


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
    closed = problem
    if problem.status == ProblemStatus.MERGED and problem.merged_into is not None:
        closed = await ctx.session.get(Problem, problem.merged_into) or problem
    if closed.status == ProblemStatus.FIXED and closed.closing_note:
        lines.append(
            _("The ward office wrote on {date}: {note}").format(
                date=fmt_date(closed.closed_at or closed.created_at), note=closed.closing_note
            )
        )
    return "\n".join(lines)
