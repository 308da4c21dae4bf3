"""/xulyphananh (/problems): the reports the ward admin (the whole ward) or an area leader (their area) handles,
and those a group leader was given to see to; one report in full, with what may be done with it. Who sent a
named report is shown to the ward office alone.

Actions start short forms (flows/handling.py). A button of a report already closed, or of one the person does
not handle (another area, a role since revoked), changes nothing and says why.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.replies import Choice, Media
from bot.core.router import Router
from bot.directory.people import holds
from bot.i18n import N_, _, fmt_date
from handlers.problems.buttons import Act, ListProblems, OpenProblem
from handlers.problems.store import (
    area_name,
    assigned_to,
    duplicates,
    inbox,
    manages,
    may_view,
    photos_of,
    scope_filter,
)
from handlers.problems.texts import category_name, status_text
from models import Person, Role
from models.base import pk
from models.problems import OPEN_STATUSES, Problem

router = Router("problems.inbox")
ROLES = (Role.WARD_ADMIN, Role.AREA_LEADER, Role.GROUP_ADMIN)


@router.command(
    "xulyphananh",
    "problems",
    help=N_("Problems residents reported: merge, assign, pass on, ask, close"),
    roles=ROLES,
)
async def show_inbox(ctx: Context) -> None:
    await listing(ctx, "open")


@router.choice("pri")
async def pressed(ctx: Context) -> None:
    if (wanted := ListProblems.read(ctx)) is not None:
        await listing(ctx, wanted.which)
    elif (opened := OpenProblem.read(ctx)) is not None:
        await show(ctx, opened.problem_id)
    elif (act := Act.read(ctx)) is not None:
        await start_action(ctx, act)
    else:
        raise NotChosen()


async def listing(ctx: Context, which: str) -> None:
    grants = await ctx.grants()
    problems = await inbox(ctx.session, grants, which)
    given = await assigned_to(ctx.session, ctx.person_id) if which == "open" else []
    problems += [p for p in given if p not in problems]
    if which == "open":
        heading = (
            _("Open problem reports: {n}").format(n=len(problems))
            if problems
            else _("No open problem reports.")
        )
        other = Choice(_("Recently fixed"), ListProblems("closed"))
    else:
        heading = _("Recently fixed: {n}").format(n=len(problems)) if problems else _("Nothing fixed yet.")
        other = Choice(_("Open reports"), ListProblems("open"))
    choices = []
    for problem in problems:
        more = len(await duplicates(ctx.session, pk(problem)))
        label = _("No. {number}: {category}").format(
            number=pk(problem), category=category_name(problem.category)
        )
        if more:
            label += " " + _("(+{n} same)").format(n=more)
        choices.append(Choice(label, OpenProblem(pk(problem))))
    if scope_filter(grants) is not None:
        choices.append(other)
    ctx.reply(heading, choices)


async def load(ctx: Context, problem_id: int, *, manage: bool) -> Problem | None:
    """The report if this person may see it (or handle it, with `manage`); otherwise says so and gives None."""
    problem = await ctx.session.get(Problem, problem_id)
    grants = await ctx.grants()
    allowed = problem is not None and (
        manages(grants, problem) if manage else may_view(grants, ctx.person_id, problem)
    )
    if problem is None or not allowed:
        ctx.reply(_("That report is not one you handle."))
        return None
    return problem


async def show(ctx: Context, problem_id: int) -> None:
    problem = await load(ctx, problem_id, manage=False)
    if problem is None:
        return
    number = pk(problem)
    lines = [
        _("Problem report no. {number}: {category}").format(
            number=number, category=category_name(problem.category)
        ),
        _("Received {date}.").format(date=fmt_date(problem.created_at)),
    ]
    area = await area_name(ctx.session, problem.area_id)
    if area:
        lines.append(_("Area: {area}").format(area=area))
    lines.append(_("What: {text}").format(text=problem.text or "—"))
    if problem.place_text:
        lines.append(_("Where: {place}").format(place=problem.place_text))
    if problem.latitude is not None and problem.longitude is not None:
        lines.append(
            _("Location: https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}").format(
                lat=problem.latitude, lon=problem.longitude
            )
        )
    lines.append(await sender_line(ctx, problem))
    same = await duplicates(ctx.session, number)
    if same:
        lines.append(
            _("Reported {n} times in all (merged: {numbers}).").format(
                n=len(same) + 1, numbers=", ".join(str(pk(p)) for p in same)
            )
        )
    if problem.assigned_to:
        leader = await ctx.session.get(Person, problem.assigned_to)
        lines.append(_("Given to: {name}").format(name=(leader.display_name if leader else None) or "—"))
    lines.append(
        _("Status: {status}").format(
            status=status_text(problem.status, office=problem.passed_to, merged_into=problem.merged_into)
        )
    )
    if problem.closing_note:
        lines.append(_("Closing note: {note}").format(note=problem.closing_note))
    media = tuple(
        Media(
            kind="image",
            url=photo.ref,
            filename=f"phan-anh-{number}-{i}.{photo.mime_type.rpartition('/')[2]}",
        )
        for i, photo in enumerate(await photos_of(ctx.session, number), 1)
    )
    choices: list[Choice] = []
    if problem.status in OPEN_STATUSES:
        if manages(await ctx.grants(), problem):
            choices += [
                Choice(_("Merge into another report"), Act(number, "merge")),
                Choice(_("Give to a group leader"), Act(number, "assign")),
                Choice(_("Passed to an office"), Act(number, "pass")),
                Choice(_("Ask the reporter"), Act(number, "ask")),
            ]
        choices.append(Choice(_("Close: fixed"), Act(number, "close")))
    ctx.reply("\n".join(lines), choices, media)


async def sender_line(ctx: Context, problem: Problem) -> str:
    """Who sent it, for the ward office only: the reporter was told the ward office knows. An area or group
    leader lives among the reporter's neighbours (a noise report about the builder next door), so they read only
    that a name is on it; a question goes through "Ask the reporter"."""
    if problem.anonymous:
        return _("Sent without a name.")
    if not holds(await ctx.grants(), Role.WARD_ADMIN, ward_code=problem.ward_code):
        return _("Sent with a name, which only the ward office sees.")
    reporter = await ctx.session.get(Person, problem.person_id) if problem.person_id else None
    name = reporter.display_name if reporter is not None else None
    return _("Sent by: {name}").format(name=name or _("a resident"))


async def start_action(ctx: Context, act: Act) -> None:
    # The assigned group leader may close what they fixed; everything else is for those who handle the report.
    problem = await load(ctx, act.problem_id, manage=act.action != "close")
    if problem is None:
        return
    if problem.status not in OPEN_STATUSES:
        ctx.reply(
            _("Report no. {number} is already closed ({status}); nothing was changed.").format(
                number=pk(problem),
                status=status_text(problem.status, office=problem.passed_to, merged_into=problem.merged_into),
            )
        )
        return
    ctx.begin(f"problem_{act.action}", problem=pk(problem))
