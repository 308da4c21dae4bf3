"""/baocao (/report): a group admin answers the ward's questions privately, one by one, and submits.

Every answer is stored in the group's draft row as soon as it is given, so a pause, /huy or a restart loses
nothing; "nothing to report this period" is one press; a submitted report can be changed until the deadline.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot import clock
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.flow import Flow, Outcome, finish, goto, pick_reason, retry
from bot.core.replies import Choice
from bot.core.router import Router
from bot.core.typed import typed_number
from bot.core.understand import QUOTED
from bot.i18n import N_, _, fmt_date, fmt_datetime
from handlers.reports.buttons import (
    ChangeAnswer,
    Intro,
    QuickAnswer,
    RemindedPeriod,
    RemindedReport,
    ReportGroup,
    Review,
)
from handlers.reports.flows.told import first_words_question, report_told
from handlers.reports.periods import (
    OVERDUE_WINDOW,
    Period,
    config_of,
    current_period,
    last_closed_period,
    named_period,
    period_by_key,
    question_text,
)
from handlers.reports.store import answered, draft_for, editable, save_answer, submission, with_answer
from handlers.reports.texts import show_answers
from handlers.reports.ticks import withdraw_late_notes
from handlers.reports.words import MAX_WORDS, counted, said_yes_or_no
from models import Group, ReportConfig, ReportSubmission, Role

router = Router("reports.submit")
flow = Flow("report", steps=("intro", "q", "review", "pick"))
pick_group = Flow("report_group", steps=("pick",))


async def owed_late(ctx: Context, cfg: ReportConfig, group_id: int, now: datetime) -> Period | None:
    """The period that closed last, if the group has not sent its report (and it was due after reports began)."""
    closed = last_closed_period(cfg, now)
    if closed.due <= cfg.created_at:
        return None
    row = await submission(ctx.session, group_id, closed)
    return closed if row is None or row.status != "submitted" else None


async def report_periods(ctx: Context, cfg: ReportConfig, group_id: int) -> tuple[Period, Period | None]:
    """(the period /baocao opens, the other one the group owes, offered in one press). A late report comes first
    while it is still chased (OVERDUE_WINDOW: the police have its list, the leader was told to send it with
    /baocao); after that, this period's, whose deadline is the next the police will look at."""
    now = clock.now()
    current = current_period(cfg, now)
    late = await owed_late(ctx, cfg, group_id, now)
    if late is None:
        return current, None
    return (late, current) if now - late.due <= OVERDUE_WINDOW else (current, late)


@router.command("baocao", "report", help=N_("Send your group's periodic report"), roles={Role.GROUP_ADMIN})
async def report(ctx: Context) -> None:
    groups = [g.group_id for g in await ctx.grants() if g.role == Role.GROUP_ADMIN and g.group_id is not None]
    if not groups:
        ctx.reply(_("You are not the admin of a group."))
        return
    # The report itself, written in words before the offer was pressed, goes into it (flows/told.py).
    told = report_told(ctx.carried)
    if len(set(groups)) > 1:
        ctx.begin("report_group", groups=sorted(set(groups)), **({"told": told} if told else {}))
        return
    await open_report(ctx, groups[0], told=told)


@router.choice(RemindedReport)
async def reminded(ctx: Context) -> None:
    """The reminder's button: the report of the group and period it named, if the person still leads that group.
    An older reminder's button names no period: it opens what /baocao would."""
    named = RemindedPeriod.read(ctx)
    pressed = named or RemindedReport.expect(ctx)
    groups = {g.group_id for g in await ctx.grants() if g.role == Role.GROUP_ADMIN}
    if pressed.group_id not in groups:
        ctx.reply(_("You are not the admin of that group any more, so there is no report to send for it."))
        return
    if ctx.state.flow:
        # Pressed in the middle of another form: that form is not dropped unasked (its photos, its answers).
        ctx.reply(_("Please finish this form first, or type /huy to leave it; then type /baocao."))
        return
    await open_report(ctx, pressed.group_id, named.key if named else None)


async def already_sent(ctx: Context, cfg: ReportConfig, group: Group, period: Period) -> bool:
    """A reminder pressed after its period's report was sent and its deadline passed: say so, and offer this
    period's report, which is most likely what the leader meant to open."""
    group_id = group.id or 0
    row = await submission(ctx.session, group_id, period)
    now = clock.now()
    if row is None or row.status != "submitted" or editable(row, now):
        return False
    current = current_period(cfg, now)
    ctx.reply(
        _("The report of {group} for the period ending {due} was already sent on {when}. Thank you!").format(
            group=group.name,
            due=fmt_datetime(period.due),
            when=fmt_datetime(row.submitted_at or row.updated_at),
        ),
        [
            Choice(
                _("This period's report, due {date}").format(date=fmt_date(current.due)),
                RemindedPeriod(group_id, current.key),
            )
        ],
    )
    return True


async def open_report(ctx: Context, group_id: int, key: str | None = None, told: str | None = None) -> None:
    """The group's report of the period `key` names (a reminder's), else of the period /baocao opens first; the
    other period the group owes, if any, is one press away in the report's first message. `told`: the leader's
    words that tell the report, noted in it when it opens (`note_told`)."""
    group = await ctx.session.get(Group, group_id)
    cfg = await config_of(ctx.session, group.ward_code) if group else None
    if group is None or cfg is None:
        ctx.reply(
            _("Your ward has not set up periodic reports yet. The ward admin can do it with /caidatbaocao.")
        )
        return
    first, other = await report_periods(ctx, cfg, group_id)
    named = named_period(cfg, key, clock.now()) if key else None
    if named is not None:
        if await already_sent(ctx, cfg, group, named):
            return
        other = next((p for p in (first, other) if p is not None and p.key != named.key), None)
        first = named
    row = await draft_for(ctx.session, cfg, group_id, first)
    ctx.begin(
        "report",
        sub=row.id,
        group=group.name,
        other=other.key if other else None,
        i=0,
        review=False,
        **({"told": told} if told else {}),
    )


@pick_group.ask("pick")
async def ask_group(ctx: Context) -> None:
    names = []
    for gid in ctx.data["groups"][:40]:
        group = await ctx.session.get(Group, gid)
        names.append(Choice(group.name if group else str(gid), ReportGroup(gid)))
    ctx.reply(_("Which group are you reporting for?"), names)


@pick_group.on("pick")
async def on_group(ctx: Context) -> Outcome:
    pressed = ReportGroup.expect(ctx)
    if pressed.group_id not in ctx.data["groups"]:
        raise NotChosen()
    await open_report(ctx, pressed.group_id, told=ctx.data.get("told"))
    return finish()  # when the report flow begins, it replaces this one


async def row_of(ctx: Context) -> ReportSubmission:
    row = await ctx.session.get(ReportSubmission, ctx.data["sub"])
    assert row is not None
    return row


def answers_of(ctx: Context, row: ReportSubmission) -> dict[str, Any]:
    """The answers as the admin sees them now: a sent report with the changes not yet sent again."""
    answers, details = row.answers, ctx.data.get("edit_details", {})
    for question_id, value in ctx.data.get("edits", {}).items():
        answers = with_answer(answers, question_id, value, details.get(question_id))
    return answers


def record_answer(
    ctx: Context, row: ReportSubmission, question_id: str, value: Any, detail: str | None
) -> None:
    """A draft keeps each answer as it is given; a sent report changes only when it is sent again, so the
    police never see half an edit, and leaving the form leaves the report as it was sent."""
    if row.status == "submitted":
        ctx.data.setdefault("edits", {})[question_id] = value
        ctx.data.setdefault("edit_details", {})[question_id] = detail
    else:
        save_answer(ctx.session, row, question_id, value, detail)


async def other_choice(ctx: Context, row: ReportSubmission) -> list[Choice]:
    """The button to the other period the group owes, last so the numbers of the usual ones stay the same."""
    key = ctx.data.get("other")
    cfg = await config_of(ctx.session, row.ward_code) if key else None
    period = period_by_key(cfg, key) if cfg and key else None
    if period is None:
        return []
    label = (
        _("The late report, period ending {date}")
        if period.key < row.period_key
        else _("This period's report, due {date}")
    )
    return [Choice(label.format(date=fmt_date(period.due)), Intro("other"))]


def note_told(ctx: Context, row: ReportSubmission) -> str:
    """The leader's words carried into the report (flows/told.py), noted as the answer to its first question
    answered in words, after what it held already; what to tell him of it ("" when nothing was carried)."""
    told = ctx.data.pop("told", None)
    index = first_words_question(row.questions) if told else None
    if index is None or (row.status == "submitted" and not editable(row, clock.now())):
        return ""  # no question takes words, or the report sent is frozen: nothing of it can change
    question = row.questions[index]
    before = str(answers_of(ctx, row).get(question["id"]) or "")
    if told not in before:
        record_answer(ctx, row, question["id"], "\n".join(filter(None, (before, told)))[:MAX_WORDS], None)
    shown = told if len(told) <= QUOTED else told[: QUOTED - 1].rstrip() + "…"
    return "\n" + _(
        "What you wrote is noted as the answer to question {i} ({question}): “{words}”. You can change it "
        "before sending."
    ).format(i=index + 1, question=question_text(question), words=shown)


@flow.ask("intro")
async def ask_intro(ctx: Context) -> None:
    row = await row_of(ctx)
    begun = bool(row.answers)  # before the words carried in are noted: a draft he started himself
    noted = note_told(ctx, row)
    now = clock.now()
    total = len(row.questions)
    due = fmt_datetime(row.due_at)
    nothing = Choice(_("Nothing to report this period"), Intro("none"))
    other = await other_choice(ctx, row)
    if row.status == "submitted":
        ctx.reply(
            _(
                "The report of {group} for the period ending {due} was sent on {when}. You can change it until "
                "the deadline."
            ).format(group=ctx.data["group"], due=due, when=fmt_datetime(row.submitted_at or now))
            + noted,
            [
                Choice(_("Change answers"), Intro("edit")),
                nothing,
                Choice(_("Keep it as it is"), Intro("keep")),
                *other,
            ],
        )
        return
    late = "" if editable(row, now) else " " + _("It was due on {due}: please send it now.").format(due=due)
    if begun:
        text = _(
            "You have a draft report for {group} for the period ending {due}, with {n} of {total} answers."
        )
        text = text.format(group=ctx.data["group"], due=due, n=answered(row.answers), total=total)
        ctx.reply(text + late + noted, [Choice(_("Continue"), Intro("start")), nothing, *other])
        return
    text = _(
        "Report of {group} for the period ending {due}: {total} questions. Your answers are kept as you go."
    ).format(group=ctx.data["group"], due=due, total=total)
    ctx.reply(text + late + noted, [Choice(_("Start"), Intro("start")), nothing, *other])


async def switch_period(ctx: Context, row: ReportSubmission) -> Outcome:
    """Open the other period's report in place of this one; this one becomes the other, so one press goes back."""
    key = ctx.data.get("other")
    cfg = await config_of(ctx.session, row.ward_code) if key else None
    period = period_by_key(cfg, key) if cfg and key else None
    if cfg is None or period is None:
        raise NotChosen()  # not offered: an old message's button
    other = await draft_for(ctx.session, cfg, row.group_id, period)
    ctx.data.update(sub=other.id, other=row.period_key, i=0, review=False)
    return goto("intro")


def locked(ctx: Context, row: ReportSubmission) -> bool:
    """A sent report is frozen at its deadline; tell the admin instead of changing it."""
    if row.status == "submitted" and not editable(row, clock.now()):
        ctx.reply(_("The deadline has passed, so this report can no longer be changed."))
        return True
    return False


@flow.on("intro")
async def on_intro(ctx: Context) -> Outcome:
    row = await row_of(ctx)
    choice = Intro.expect(ctx).action
    if choice == "other":
        return await switch_period(ctx, row)
    if choice == "keep" or locked(ctx, row):
        if choice == "keep":
            ctx.reply(_("Nothing changed."))
        return finish()
    if choice == "none":
        row.answers, row.nothing_to_report = {}, True
        return await submit(ctx, row)
    if choice == "edit":
        return goto("review")
    unanswered = [i for i, q in enumerate(row.questions) if q["id"] not in row.answers]
    ctx.data["i"] = unanswered[0] if unanswered else 0
    return goto("q") if unanswered else goto("review")


@flow.ask("q")
async def ask_question(ctx: Context) -> None:
    row = await row_of(ctx)
    question = row.questions[ctx.data["i"]]
    text = _("Question {i} of {n}: {question}").format(
        i=ctx.data["i"] + 1, n=len(row.questions), question=question_text(question)
    )
    if question["kind"] == "yesno":
        ctx.reply(text, [Choice(_("Yes"), QuickAnswer("yes")), Choice(_("No"), QuickAnswer("no"))])
    elif question["kind"] == "number":
        ctx.reply(text + "\n" + _("Type a number (0 if none)."), [Choice("0", QuickAnswer("0"))])
    else:
        ctx.reply(text, [Choice(_("Nothing to note"), QuickAnswer(""))])


def parse_answer(ctx: Context, kind: str) -> tuple[bool, Any, str | None]:
    """(accepted, value, the leader's words kept beside it) for the answer to a question of this kind. A yes or a
    no may be said in words, and what was seen after it is kept ("có, nhà bà Sáu số 14 câu điện ra chợ"); so are
    the words around a count ("có 2 hộ mới thuê trọ ở số 133 và 135")."""
    pressed = QuickAnswer.read(ctx)
    typed = (ctx.event.text or "").strip()
    if kind == "yesno":
        said = said_yes_or_no(typed) if typed else None
        if said is not None:
            return True, said[0], said[1]
        if pressed is None or pressed.value not in ("yes", "no"):
            return False, None, None
        return True, pressed.value, None
    if kind == "number":
        # A number typed is that number: "1" is one incident, not the first button (the "0" offered to press).
        number, detail = typed_number(ctx), None
        if number is None and pressed is None:
            number, detail = counted(typed) or (None, None)
        value = (
            str(number)
            if number is not None
            else pressed.value
            if pressed is not None
            else typed.replace(".", "").replace(",", "")
        )
        ok = value.isdigit() and int(value) < 1_000_000
        return ok, int(value) if value.isdigit() else None, detail if ok else None
    if pressed is not None:
        return True, "", None
    return bool(typed), typed[:MAX_WORDS], None


@flow.on("q")
async def on_question(ctx: Context) -> Outcome:
    row = await row_of(ctx)
    if locked(ctx, row):
        return finish()
    question = row.questions[ctx.data["i"]]
    ok, value, detail = parse_answer(ctx, question["kind"])
    if not ok:
        reasons = {
            # Said plainly, so the words meant for the next question are not typed here believing this one
            # answered (they would be this question's answer, and every later one shift by one).
            "yesno": pick_reason()
            + " "
            + _(
                "Or type yes or no, and after it what you noticed if you like, for example “Yes, at no. 14”."
            ),
            "number": _(
                "Please type how many as a number, for example 0 or 3; you can add words after it, for example "
                "“2, at no. 133 and 135”."
            ),
            "text": _("Please write your answer, or press “Nothing to note”."),
        }
        return retry(reasons[question["kind"]])
    record_answer(ctx, row, question["id"], value, detail)
    if ctx.data.get("review"):
        return goto("review")
    answers = answers_of(ctx, row)
    following = [i for i, q in enumerate(row.questions) if i > ctx.data["i"] and q["id"] not in answers]
    if following:
        ctx.data["i"] = following[0]
        return goto("q")
    return goto("review")


@flow.ask("review")
async def ask_review(ctx: Context) -> None:
    row = await row_of(ctx)
    lines = [_("Your report for {group}:").format(group=ctx.data["group"])]
    lines += show_answers(row.questions, answers_of(ctx, row))
    ctx.reply(
        "\n".join(lines),
        [Choice(_("Send the report"), Review("send")), Choice(_("Change an answer"), Review("change"))],
    )


@flow.on("review")
async def on_review(ctx: Context) -> Outcome:
    row = await row_of(ctx)
    choice = Review.expect(ctx).action
    if locked(ctx, row):
        return finish()
    if choice == "change":
        return goto("pick")
    return await submit(ctx, row)


@flow.ask("pick")
async def ask_pick(ctx: Context) -> None:
    row = await row_of(ctx)
    ctx.reply(
        _("Which answer do you want to change?"),
        [
            Choice(f"{n}. {question_text(q)}"[:60], ChangeAnswer(n - 1))
            for n, q in enumerate(row.questions, 1)
        ],
    )


@flow.on("pick")
async def on_pick(ctx: Context) -> Outcome:
    row = await row_of(ctx)
    pressed = ChangeAnswer.expect(ctx)
    if not 0 <= pressed.index < len(row.questions):
        raise NotChosen()
    ctx.data["i"], ctx.data["review"] = pressed.index, True
    return goto("q")


async def submit(ctx: Context, row: ReportSubmission) -> Outcome:
    details = ctx.data.pop("edit_details", {})
    for question_id, value in ctx.data.pop("edits", {}).items():
        save_answer(ctx.session, row, question_id, value, details.get(question_id))
    now = clock.now()
    first = row.status != "submitted"
    row.status, row.updated_at, row.author_id = "submitted", now, ctx.person_id
    if first:
        row.submitted_at = now
        await withdraw_late_notes(ctx.session, row.ward_code, row.period_key, row.group_id)
    ctx.session.add(row)
    ctx.audit(
        "report.submitted" if first else "report.changed",
        "report_submission",
        str(row.id),
        row.ward_code,
        period=row.period_key,
        nothing=row.nothing_to_report,
    )
    if row.nothing_to_report:
        ctx.reply(
            _("Sent: nothing to report this period for {group}. Thank you!").format(group=ctx.data["group"])
        )
    else:
        ctx.reply(_("Your report for {group} was sent. Thank you!").format(group=ctx.data["group"]))
    if editable(row, now):
        ctx.reply(_("You can change it with /baocao until {due}.").format(due=fmt_datetime(row.due_at)))
    return finish()


@flow.cancelled
async def keep_draft(ctx: Context) -> None:
    row = await ctx.session.get(ReportSubmission, ctx.data.get("sub"))
    if row is not None and row.status == "draft" and row.answers:
        ctx.reply(_("Your answers so far are kept as a draft: type /baocao to continue."))
    elif row is not None and ctx.data.get("edits"):
        ctx.reply(
            _("Your changes were not sent: the report stays as it was sent. Type /baocao to change it again.")
        )
