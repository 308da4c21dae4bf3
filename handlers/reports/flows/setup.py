"""/caidatbaocao (/reportsetup): a ward admin sets the ward's periodic report and when its weekly digest goes out.

Each change is saved as soon as it is made (the scheduler reads the table on every tick, so no restart is needed).
"""

from __future__ import annotations

from typing import Any

from bot import clock
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.flow import Flow, Outcome, finish, goto, retry
from bot.core.replies import Choice
from bot.core.router import Router
from bot.i18n import N_, _
from handlers.reports.buttons import (
    AnswerKind,
    Cadence,
    DigestTime,
    DigestWeekday,
    DueTime,
    DueWeekday,
    RemoveQuestion,
    SetupMenu,
)
from handlers.reports.periods import KINDS, WEEKDAYS, default_questions, describe, parse_time, question_text
from models import DigestSetting, ReportConfig, Role

router = Router("reports.setup")
flow = Flow(
    "report_setup",
    steps=(
        "menu",
        "cadence",
        "day",
        "time",
        "add_text",
        "add_kind",
        "remove",
        "digest_day",
        "digest_time",
    ),
)
KIND_NAMES = {"text": N_("free text"), "number": N_("a number"), "yesno": N_("yes or no")}


@router.command(
    "caidatbaocao",
    "reportsetup",
    help=N_("Set up your ward's periodic group reports and digest"),
    roles={Role.WARD_ADMIN},
)
async def setup(ctx: Context) -> None:
    wards = sorted({g.ward_code for g in await ctx.grants() if g.role == Role.WARD_ADMIN})
    ctx.begin("report_setup", ward=wards[0])


async def config(ctx: Context) -> ReportConfig:
    cfg = await ctx.session.get(ReportConfig, ctx.data["ward"])
    if cfg is None:
        cfg = ReportConfig(
            ward_code=ctx.data["ward"], questions=default_questions(), updated_by=ctx.person_id
        )
        ctx.session.add(cfg)
        await ctx.session.flush()
    return cfg


async def digest_setting(ctx: Context) -> DigestSetting:
    row = await ctx.session.get(DigestSetting, ctx.data["ward"])
    if row is None:
        row = DigestSetting(ward_code=ctx.data["ward"])
        ctx.session.add(row)
    return row


def touched(ctx: Context, cfg: ReportConfig, what: str) -> None:
    cfg.updated_at, cfg.updated_by = clock.now(), ctx.person_id
    cfg.questions = list(cfg.questions)
    ctx.session.add(cfg)
    ctx.audit("report.config_changed", "report_config", str(cfg.ward_code), cfg.ward_code, what=what)


@flow.ask("menu")
async def ask_menu(ctx: Context) -> None:
    cfg = await config(ctx)
    digest = await digest_setting(ctx)
    lines = [
        _("Group reports: {schedule}.").format(schedule=describe(cfg)),
        _("Questions ({n}):").format(n=len(cfg.questions)),
        *[
            _("{number}. {question} ({kind})").format(number=i, question=question_text(q), kind=kind_name(q))
            for i, q in enumerate(cfg.questions, 1)
        ],
        _("Reminders also go to group chats: {state}.").format(
            state=_("on") if cfg.remind_group_chat else _("off")
        ),
        _("Weekly digest: {weekday} at {time}.").format(
            weekday=_(WEEKDAYS[digest.weekday]), time=digest.send_time
        ),
    ]
    ctx.reply(
        "\n".join(lines),
        [
            Choice(_("Weekly or monthly"), SetupMenu("cadence")),
            Choice(_("Due day"), SetupMenu("day")),
            Choice(_("Due time"), SetupMenu("time")),
            Choice(_("Add a question"), SetupMenu("add")),
            Choice(_("Remove a question"), SetupMenu("remove")),
            Choice(_("Default questions"), SetupMenu("defaults")),
            Choice(_("Group chat reminders on/off"), SetupMenu("chat")),
            Choice(_("Digest day and time"), SetupMenu("digest")),
            Choice(_("Done"), SetupMenu("done")),
        ],
    )


@flow.on("menu")
async def on_menu(ctx: Context) -> Outcome:
    choice = SetupMenu.expect(ctx).item
    cfg = await config(ctx)
    if choice == "done":
        ctx.reply(
            _(
                "Saved. Group admins report {schedule}; they are reminded the day before and on the morning "
                "of the due day."
            ).format(schedule=describe(cfg))
        )
        return finish()
    if choice == "chat":
        cfg.remind_group_chat = not cfg.remind_group_chat
        touched(ctx, cfg, "chat")
        return goto("menu")
    if choice == "defaults":
        cfg.questions = default_questions()
        touched(ctx, cfg, "questions")
        return goto("menu")
    if choice == "remove" and len(cfg.questions) <= 1:
        return retry(_("A report needs at least one question."))
    steps = {
        "cadence": "cadence",
        "day": "day",
        "time": "time",
        "add": "add_text",
        "remove": "remove",
        "digest": "digest_day",
    }
    return goto(steps[choice])


@flow.ask("cadence")
async def ask_cadence(ctx: Context) -> None:
    ctx.reply(
        _("How often do groups report?"),
        [Choice(_("Every week"), Cadence("weekly")), Choice(_("Every month"), Cadence("monthly"))],
    )


@flow.on("cadence")
async def on_cadence(ctx: Context) -> Outcome:
    value = Cadence.expect(ctx).cadence
    cfg = await config(ctx)
    cfg.cadence = value
    touched(ctx, cfg, "cadence")
    return goto("day")


@flow.ask("day")
async def ask_day(ctx: Context) -> None:
    cfg = await config(ctx)
    if cfg.cadence == "monthly":
        ctx.reply(_("On which day of the month is the report due? Type a number from 1 to 28."))
    else:
        ctx.reply(
            _("On which day of the week is the report due?"),
            [Choice(_(name), DueWeekday(i)) for i, name in enumerate(WEEKDAYS)],
        )


@flow.on("day")
async def on_day(ctx: Context) -> Outcome:
    cfg = await config(ctx)
    if cfg.cadence == "monthly":
        typed = (ctx.event.text or "").strip()
        if not typed.isdigit() or not 1 <= int(typed) <= 28:
            return retry(_("Please type a day from 1 to 28 (so every month has it)."))
        cfg.due_day = int(typed)
    else:
        weekday = DueWeekday.expect(ctx).weekday
        if not 0 <= weekday <= 6:
            raise NotChosen()
        cfg.due_weekday = weekday
    touched(ctx, cfg, "day")
    return goto("menu")


@flow.ask("time")
async def ask_time(ctx: Context) -> None:
    ctx.reply(_("At what time is the report due? Type it like 17:00."), [Choice("17:00", DueTime("17:00"))])


@flow.on("time")
async def on_time(ctx: Context) -> Outcome:
    pressed = DueTime.read(ctx)
    moment = parse_time(pressed.time if pressed else ctx.event.text or "")
    if moment is None:
        return retry(_("I could not read that time. Please type it like 17:00."))
    cfg = await config(ctx)
    cfg.due_time = moment.strftime("%H:%M")
    touched(ctx, cfg, "time")
    return goto("menu")


@flow.ask("add_text")
async def ask_add_text(ctx: Context) -> None:
    ctx.reply(_("Type the new question."))


@flow.on("add_text")
async def on_add_text(ctx: Context) -> Outcome:
    text = (ctx.event.text or "").strip()
    if len(text) < 3 or len(text) > 200:
        return retry(_("Please type a question of 3 to 200 characters."))
    ctx.data["new"] = text
    return goto("add_kind")


@flow.ask("add_kind")
async def ask_add_kind(ctx: Context) -> None:
    ctx.reply(
        _("What kind of answer does it take?"), [Choice(_(KIND_NAMES[k]), AnswerKind(k)) for k in KINDS]
    )


@flow.on("add_kind")
async def on_add_kind(ctx: Context) -> Outcome:
    kind = AnswerKind.expect(ctx).kind
    cfg = await config(ctx)
    taken = {q["id"] for q in cfg.questions}
    number = len(cfg.questions) + 1
    while f"q{number}" in taken:
        number += 1
    cfg.questions = [*cfg.questions, {"id": f"q{number}", "text": ctx.data.pop("new"), "kind": kind}]
    touched(ctx, cfg, "questions")
    return goto("menu")


@flow.ask("remove")
async def ask_remove(ctx: Context) -> None:
    cfg = await config(ctx)
    ctx.reply(
        _("Which question do you want to remove?"),
        [
            Choice(f"{i}. {question_text(q)}"[:60], RemoveQuestion(q["id"]))
            for i, q in enumerate(cfg.questions, 1)
        ],
    )


@flow.on("remove")
async def on_remove(ctx: Context) -> Outcome:
    value = RemoveQuestion.expect(ctx).question_id
    cfg = await config(ctx)
    kept = [q for q in cfg.questions if q["id"] != value]
    if len(kept) == len(cfg.questions):
        raise NotChosen()
    cfg.questions = kept
    touched(ctx, cfg, "questions")
    return goto("menu")


@flow.ask("digest_day")
async def ask_digest_day(ctx: Context) -> None:
    ctx.reply(
        _("On which day should the weekly digest go out?"),
        [Choice(_(name), DigestWeekday(i)) for i, name in enumerate(WEEKDAYS)],
    )


@flow.on("digest_day")
async def on_digest_day(ctx: Context) -> Outcome:
    weekday = DigestWeekday.expect(ctx).weekday
    if not 0 <= weekday <= 6:
        raise NotChosen()
    row = await digest_setting(ctx)
    row.weekday, row.updated_at = weekday, clock.now()
    ctx.session.add(row)
    return goto("digest_time")


@flow.ask("digest_time")
async def ask_digest_time(ctx: Context) -> None:
    ctx.reply(_("At what time? Type it like 07:00."), [Choice("07:00", DigestTime("07:00"))])


@flow.on("digest_time")
async def on_digest_time(ctx: Context) -> Outcome:
    pressed = DigestTime.read(ctx)
    moment = parse_time(pressed.time if pressed else ctx.event.text or "")
    if moment is None:
        return retry(_("I could not read that time. Please type it like 07:00."))
    row = await digest_setting(ctx)
    row.send_time, row.updated_at = moment.strftime("%H:%M"), clock.now()
    ctx.session.add(row)
    ctx.audit("digest.schedule_changed", "digest_setting", str(row.ward_code), row.ward_code)
    return goto("menu")


def kind_name(question: dict[str, Any]) -> str:
    name = KIND_NAMES[question["kind"]]
    return _(name)
