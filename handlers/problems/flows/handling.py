"""Short forms of the ward's handling of a report: merge it into another (the same light reported by five
people), give it to a group leader, mark it passed to an office, close it with a sentence the reporters see.

Each re-reads the report when answered (someone else may have closed it meanwhile), is written to the audit log,
and tells every reporter who asked for progress, those of the duplicates merged into it included.
"""

from __future__ import annotations

from sqlmodel import col, select

from bot import clock
from bot.core.context import Context
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, finish, retry
from bot.core.replies import Choice
from bot.core.router import Router
from bot.i18n import _
from handlers.problems import notify
from handlers.problems.buttons import AssignTo, MergeInto
from handlers.problems.store import duplicates, group_leaders, manages, may_view, merge, scope_filter
from handlers.problems.texts import category_name
from models.base import pk
from models.problems import OPEN_STATUSES, Problem, ProblemStatus

router = Router("problems.handling")
merge_flow = Flow("problem_merge", steps=("target",))
assign_flow = Flow("problem_assign", steps=("leader",))
pass_flow = Flow("problem_pass", steps=("office",))
close_flow = Flow("problem_close", steps=("note",))
OFFICE_MAX = 200
NOTE_MAX = 500


async def current(ctx: Context, *, manage: bool = True) -> Problem | None:
    """The report of this form, still open and still the person's to handle; otherwise says why."""
    problem = await ctx.session.get(Problem, ctx.data.get("problem", 0))
    grants = await ctx.grants()
    if problem is None or not (
        manages(grants, problem) if manage else may_view(grants, ctx.person_id, problem)
    ):
        ctx.reply(_("That report is not one you handle."))
        return None
    if problem.status not in OPEN_STATUSES:
        ctx.reply(
            _("Report no. {number} was closed meanwhile; nothing was changed.").format(number=pk(problem))
        )
        return None
    return problem


# Merge ------------------------------------------------------------------------------------------------------
async def targets(ctx: Context, problem: Problem) -> list[Problem]:
    """Other open reports of the same ward the person handles, the same category first."""
    where = scope_filter(await ctx.grants())
    if where is None:
        return []
    rows = await ctx.session.exec(
        select(Problem)
        .where(
            where,
            Problem.ward_code == problem.ward_code,
            col(Problem.status).in_(OPEN_STATUSES),
            Problem.id != problem.id,
        )
        .order_by(col(Problem.id))
        .limit(40)
    )
    found = list(rows.all())
    found.sort(key=lambda p: p.category != problem.category)
    return found[:20]


@merge_flow.ask("target")
async def ask_target(ctx: Context) -> None:
    problem = await current(ctx)
    if problem is None:
        ctx.end()
        return
    found = await targets(ctx, problem)
    if not found:
        ctx.reply(_("There is no other open report to merge it into."))
        ctx.end()
        return
    ctx.reply(
        _(
            "Report no. {number} is the same problem as which report? Its reporters will be told with theirs."
        ).format(number=pk(problem)),
        [
            Choice(
                _("No. {number}: {category}").format(number=pk(p), category=category_name(p.category)),
                MergeInto(pk(p)),
            )
            for p in found
        ],
    )


@merge_flow.on("target")
async def on_target(ctx: Context) -> Outcome:
    chosen = MergeInto.expect(ctx)
    problem = await current(ctx)
    if problem is None:
        return finish()
    target = await ctx.session.get(Problem, chosen.target_id)
    if target is None or target not in await targets(ctx, problem):
        return retry(_("That report cannot be chosen: please choose one of the list."))
    moved = await merge(ctx.session, problem, target)
    ctx.audit(
        "problem.merge",
        "problem",
        str(pk(problem)),
        problem.ward_code,
        into=pk(target),
        moved=[pk(p) for p in moved],
    )
    ctx.reply(
        _(
            "Merged: report no. {number} is now handled with no. {target}, which was reported {n} times."
        ).format(number=pk(problem), target=pk(target), n=1 + len(await duplicates(ctx.session, pk(target))))
    )
    return finish()


# Assign -----------------------------------------------------------------------------------------------------
@assign_flow.ask("leader")
async def ask_leader(ctx: Context) -> None:
    problem = await current(ctx)
    if problem is None:
        ctx.end()
        return
    leaders = await group_leaders(ctx.session, problem)
    if not leaders:
        ctx.reply(_("No group leader of this area uses An Dân yet."))
        ctx.end()
        return
    nameless = _("the group leader")
    ctx.reply(
        _("Which group leader should see to report no. {number}?").format(number=pk(problem)),
        [
            Choice(f"{person.display_name or nameless} ({group})", AssignTo(pk(person)))
            for person, group in leaders
        ],
    )


@assign_flow.on("leader")
async def on_leader(ctx: Context) -> Outcome:
    chosen = AssignTo.expect(ctx)
    problem = await current(ctx)
    if problem is None:
        return finish()
    leaders = {pk(person): person for person, _group in await group_leaders(ctx.session, problem)}
    leader = leaders.get(chosen.person_id)
    if leader is None:
        return retry(_("That person cannot be chosen: please choose one of the list."))
    problem.assigned_to = pk(leader)
    problem.status = ProblemStatus.ASSIGNED
    ctx.session.add(problem)
    ctx.audit("problem.assign", "problem", str(pk(problem)), problem.ward_code, to=pk(leader))
    await notify.assigned(ctx.session, problem, leader)
    await notify.tell_reporters(
        ctx.session,
        problem,
        f"assigned:{pk(leader)}",
        lambda number: _("Your report no. {number}: a group leader is seeing to it.").format(number=number),
    )
    ctx.reply(
        _("Report no. {number} was given to {name}; they have been told.").format(
            number=pk(problem), name=leader.display_name or _("the group leader")
        )
    )
    return finish()


# Passed to an office ----------------------------------------------------------------------------------------
@pass_flow.ask("office")
async def ask_office(ctx: Context) -> None:
    ctx.reply(_("Which office was it passed to? (for example: Điện lực Cao Lãnh, the ward's works office)"))


@pass_flow.on("office")
async def on_office(ctx: Context) -> Outcome:
    office = " ".join(ctx.event.text.split())
    if ctx.event.kind != Kind.TEXT or not 2 <= len(office) <= OFFICE_MAX:
        return retry(_("Please type the office's name (at most {n} characters).").format(n=OFFICE_MAX))
    problem = await current(ctx)
    if problem is None:
        return finish()
    problem.passed_to = office
    problem.status = ProblemStatus.PASSED
    ctx.session.add(problem)
    ctx.audit("problem.pass", "problem", str(pk(problem)), problem.ward_code, office=office)
    await notify.tell_reporters(
        ctx.session,
        problem,
        f"passed:{clock.now().timestamp():.0f}",
        lambda number: _("Your report no. {number} was passed to {office}.").format(
            number=number, office=office
        ),
    )
    ctx.reply(
        _("Noted: report no. {number} was passed to {office}.").format(number=pk(problem), office=office)
    )
    return finish()


# Close ------------------------------------------------------------------------------------------------------
@close_flow.ask("note")
async def ask_note(ctx: Context) -> None:
    ctx.reply(
        _(
            "In one sentence, what was done? Every reporter of this problem sees it (for example: The light was "
            "replaced on 25/11)."
        )
    )


@close_flow.on("note")
async def on_note(ctx: Context) -> Outcome:
    note = " ".join(ctx.event.text.split())
    if ctx.event.kind != Kind.TEXT or not 3 <= len(note) <= NOTE_MAX:
        return retry(_("Please write one sentence (at most {n} characters).").format(n=NOTE_MAX))
    problem = await current(ctx, manage=False)
    if problem is None:
        return finish()
    problem.status = ProblemStatus.FIXED
    problem.closing_note = note
    problem.closed_at = clock.now()
    ctx.session.add(problem)
    ctx.audit("problem.close", "problem", str(pk(problem)), problem.ward_code, note=note)
    told = await notify.tell_reporters(
        ctx.session,
        problem,
        "fixed",
        lambda number: _("Your report no. {number} is fixed. The ward office wrote: {note}").format(
            number=number, note=note
        ),
    )
    await notify.destroy_routes(ctx.session, problem)
    ctx.reply(
        _(
            "Report no. {number} is closed. Reporters who asked to hear of progress are being told: {n}."
        ).format(number=pk(problem), n=told)
    )
    return finish()
