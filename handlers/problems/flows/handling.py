"""Short forms of the ward's handling of a report: merge it into another (the same light reported by five
people), give it to a group leader, mark it passed to an office, ask its reporters a question (and take their
answer back), close it with a sentence the reporters see.

Each re-reads the report when answered (someone else may have closed it meanwhile), is written to the audit log,
and tells every reporter who asked for progress, those of the duplicates merged into it included (a question also
reaches a named reporter who did not: the form told them the ward may contact them).
"""

from __future__ import annotations

import hmac
import re
import secrets

from sqlmodel import col, select

from bot import clock
from bot.core import forms
from bot.core.context import Context
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, finish, goto, retry
from bot.core.replies import Choice
from bot.core.router import Router
from bot.i18n import _
from bot.security import Keyring
from handlers.problems import notify
from handlers.problems.buttons import AnswerWard, AssignTo, MergeInto, OfficeSplit, PassedTo
from handlers.problems.store import duplicates, group_leaders, manages, may_view, merge, scope_filter
from handlers.problems.texts import OFFICES, category_name
from models.base import pk
from models.problems import OPEN_STATUSES, Problem, ProblemStatus

router = Router("problems.handling")
merge_flow = Flow("problem_merge", steps=("target",))
assign_flow = Flow("problem_assign", steps=("leader",))
pass_flow = Flow("problem_pass", steps=("office", "split"))
close_flow = Flow("problem_close", steps=("note",))
ask_flow = Flow("problem_ask", steps=("question",))
# The reporter's answer: private like the report form (a reporter without a name stays unlinkable to it).
answer_flow = Flow("problem_answer", steps=("text",), private=True)
OFFICE_MAX = 80
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
        quiet_hours=ctx.app.settings.quiet_hours,
    )
    ctx.reply(
        _("Report no. {number} was given to {name}; they have been told.").format(
            number=pk(problem), name=leader.display_name or _("the group leader")
        )
    )
    return finish()


# Passed to an office ----------------------------------------------------------------------------------------
# The office's name is read by every reporter word for word. A line that holds more than a name (a phone number,
# who was called, a remark: "Điện lực - đã gọi anh Tâm 0912…, người báo hay báo sai") is split before the first
# separator, and the admin confirms what the reporters read and what stays a note for the ward, kept only in the
# ward's audit log.
PHONE_LIKE = re.compile(r"\d[\d .]{5,}\d")
MORE_THAN_A_NAME = re.compile(r"[,;\n]")
SEPARATOR = re.compile(r"\s+[-–—]\s+|[,;:(\n]")


@pass_flow.ask("office")
async def ask_office(ctx: Context) -> None:
    ctx.reply(
        _(
            "Which office was it passed to? Choose one, or type the office's name. Every reporter of this "
            "problem reads it word for word (for example: Your report was passed to Điện lực Cao Lãnh), so "
            "keep phone numbers and notes out of it."
        ),
        [Choice(_(label), PassedTo(key)) for key, label in OFFICES.items()],
    )


def holds_a_note(line: str) -> bool:
    return bool(PHONE_LIKE.search(line) or MORE_THAN_A_NAME.search(line)) or len(line) > OFFICE_MAX


def split_note(line: str) -> tuple[str, str] | None:
    """(office, note) of a line that holds both, when the part before the first separator is a plain name."""
    parts = SEPARATOR.split(line, maxsplit=1)
    if len(parts) != 2:
        return None
    office, note = " ".join(parts[0].split()), " ".join(parts[1].split()).strip(" )")
    if not 2 <= len(office) <= OFFICE_MAX or holds_a_note(office) or not note:
        return None
    return office, note[:NOTE_MAX]


@pass_flow.on("office")
async def on_office(ctx: Context) -> Outcome:
    # Only a press (or the label's number, or the whole label): typed words are the office the admin means, which
    # some words of a listed label ("Phòng Kinh tế – Hạ tầng") must not turn into another name.
    chosen = PassedTo.read(ctx) if ctx.event.kind == Kind.CHOICE else None
    if chosen is not None and chosen.key in OFFICES:
        return await passed(ctx, _(OFFICES[chosen.key]), "")
    line = ctx.event.text.strip()
    if ctx.event.kind != Kind.TEXT or len(" ".join(line.split())) < 2:
        return retry(_("Please type the office's name (at most {n} characters).").format(n=OFFICE_MAX))
    if not holds_a_note(line):
        return await passed(ctx, " ".join(line.split()), "")
    split = split_note(line)
    if split is None:
        return retry(
            _(
                "Please type only the office's name: the reporters read it word for word. A phone number, who "
                "you spoke to or any other note is for the ward only: write it after the name, separated by "
                "a dash (for example: Điện lực - called Mr Tâm)."
            )
        )
    ctx.data["office"], ctx.data["note"] = split
    return goto("split")


@pass_flow.ask("split")
async def ask_split(ctx: Context) -> None:
    ctx.reply(
        _(
            'The reporters will read only: "passed to {office}".\nKept for the ward only, never shown to them: '
            '"{note}".\nIs that right?'
        ).format(office=ctx.data["office"], note=ctx.data["note"]),
        [
            Choice(_("Yes, that's right"), OfficeSplit(True)),
            Choice(_("No, type it again"), OfficeSplit(False)),
        ],
    )


@pass_flow.on("split")
async def on_split(ctx: Context) -> Outcome:
    if not OfficeSplit.expect(ctx).yes:
        return goto("office")
    return await passed(ctx, str(ctx.data["office"]), str(ctx.data["note"]))


async def passed(ctx: Context, office: str, note: str) -> Outcome:
    """Mark the report passed to `office`, tell its reporters that much, and keep `note` for the ward only."""
    problem = await current(ctx)
    if problem is None:
        return finish()
    problem.passed_to = office
    problem.status = ProblemStatus.PASSED
    ctx.session.add(problem)
    ctx.audit(
        "problem.pass", "problem", str(pk(problem)), problem.ward_code, office=office, note=note or None
    )
    await notify.tell_reporters(
        ctx.session,
        problem,
        f"passed:{clock.now().timestamp():.0f}",
        lambda number: _("Your report no. {number} was passed to {office}.").format(
            number=number, office=office
        ),
        quiet_hours=ctx.app.settings.quiet_hours,
    )
    done = _("Noted: report no. {number} was passed to {office}; its reporters are told that much.").format(
        number=pk(problem), office=office
    )
    if note:
        done += " " + _("Your note is kept in the ward's log only.")
    ctx.reply(done)
    return finish()


# Ask the reporters --------------------------------------------------------------------------------------------
# A question reaches each reporter as progress does (a named one in their chat, one without a name through the
# sealed route of their report), under an Answer button whose key only the report's number and the ward's secret
# make: it answers that report, opens nothing of it, and the answer comes back to those who handle the report
# with nothing of who typed it.
def answer_key(keyring: Keyring, number: int) -> str:
    return keyring.keyed_hash("problem-answer", str(number))[:16]


@ask_flow.ask("question")
async def ask_question(ctx: Context) -> None:
    ctx.reply(
        _(
            "Type your question to the reporters of report no. {number} (for example: Which lane exactly?). They "
            "read it word for word; their answer comes back to you here. Those who sent it without a name stay "
            "unknown."
        ).format(number=ctx.data["problem"])
    )


@ask_flow.on("question")
async def on_question(ctx: Context) -> Outcome:
    question = ctx.event.text.strip()
    if ctx.event.kind != Kind.TEXT or not 3 <= len(question) <= NOTE_MAX:
        return retry(_("Please type the question (at most {n} characters).").format(n=NOTE_MAX))
    problem = await current(ctx)
    if problem is None:
        return finish()
    keyring = ctx.app.keyring
    told = await notify.tell_reporters(
        ctx.session,
        problem,
        f"ask:{secrets.token_hex(4)}",
        lambda number: _(
            "The ward office asks about your problem report no. {number}:\n\n{text}\n\nTo answer, type your "
            "answer here, or press Answer. It goes to the officers handling the report, with its number only."
        ).format(number=number, text=question),
        buttons=lambda number: (Choice(_("Answer"), AnswerWard(number, answer_key(keyring, number))),),
        asking=True,
        quiet_hours=ctx.app.settings.quiet_hours,
    )
    ctx.audit("problem.ask", "problem", str(pk(problem)), problem.ward_code, question=question, reached=told)
    if not told:
        ctx.reply(
            _(
                "No reporter of report no. {number} can be reached: those who sent it without a name did not ask "
                "to hear of progress, so nothing leads back to them. Nothing was sent."
            ).format(number=pk(problem))
        )
    else:
        ctx.reply(
            _(
                "Your question was sent to the reporters of report no. {number}: {n}. Their answers come here."
            ).format(number=pk(problem), n=told)
        )
    return finish()


async def asked(ctx: Context, pressed: AnswerWard) -> Problem | None:
    """The open report this Answer button answers (a duplicate's answer goes to the report it joined), or None: a
    forged key, a closed report."""
    if not hmac.compare_digest(pressed.key, answer_key(ctx.app.keyring, pressed.problem_id)):
        return None
    problem = await ctx.session.get(Problem, pressed.problem_id)
    if problem is not None and problem.merged_into is not None:
        problem = await ctx.session.get(Problem, problem.merged_into)
    if problem is None or problem.status not in OPEN_STATUSES:
        return None
    return problem


async def send_answer(ctx: Context, problem: Problem, number: int, text: str) -> None:
    await notify.answered(ctx.session, problem, text[:NOTE_MAX])
    ctx.reply(
        _("Thank you: your answer about report no. {number} was sent to the ward office.").format(
            number=number
        )
    )


@router.choice(AnswerWard)
async def on_answer(ctx: Context) -> None:
    ctx.private = True  # a reporter without a name must stay unlinkable to the words they send
    pressed = AnswerWard.expect(ctx)
    problem = await asked(ctx, pressed)
    if problem is None:
        ctx.reply(
            _(
                "This question can no longer be answered here: the report may be closed. Type /phananh to see yours."
            )
        )
        return
    text = ctx.event.text.strip()
    if ctx.event.kind == Kind.TEXT and text:  # words typed under the question: the answer itself
        await send_answer(ctx, problem, pressed.problem_id, text)
        return
    if ctx.event.kind == Kind.MEDIA:
        ctx.reply(_("Please type your answer in words."))
        return
    # Pressed in the middle of another form: the question is answered beside it, and that form takes up again.
    aside = await forms.set_aside(ctx) if ctx.state.flow not in (None, answer_flow.name) else None
    ctx.begin(answer_flow.name, problem=pressed.problem_id, key=pressed.key)
    if aside is not None:
        await forms.beside(ctx, aside)


@answer_flow.ask("text")
async def ask_answer(ctx: Context) -> None:
    ctx.reply(
        _("Type your answer to the ward office about report no. {number}:").format(number=ctx.data["problem"])
    )


@answer_flow.on("text")
async def on_answer_text(ctx: Context) -> Outcome:
    text = ctx.event.text.strip()
    if ctx.event.kind != Kind.TEXT or not text:
        return retry(_("Please type your answer in words."))
    problem = await asked(ctx, AnswerWard(ctx.data["problem"], ctx.data["key"]))
    if problem is None:
        ctx.reply(_("This report is closed. To report something new, type /phananh."))
        return finish()
    await send_answer(ctx, problem, ctx.data["problem"], text)
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
        f"fixed:{problem.closed_at.timestamp():.0f}",  # closed again after a reopening: told again
        lambda number: _("Your report no. {number} is fixed. The ward office wrote: {note}").format(
            number=number, note=note
        ),
        quiet_hours=ctx.app.settings.quiet_hours,
    )
    await notify.destroy_routes(ctx.session, problem)
    ctx.reply(
        _(
            "Report no. {number} is closed. Reporters who asked to hear of progress are being told: {n}."
        ).format(number=pk(problem), n=told)
    )
    return finish()


# Declared on this module's router, which the feature's router includes (once their steps are all registered).
router.flow(ask_flow)
router.flow(answer_flow)
