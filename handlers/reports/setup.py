"""/caidatbaocao (/reportsetup): a ward admin sets the ward's periodic report and when its weekly digest goes out.

Each change is saved as soon as it is made (the scheduler reads the table on every tick, so no restart is needed).
"""

from __future__ import annotations

from bot import clock
from bot.core.context import Context
from bot.core.flow import Flow, Outcome, finish, goto, retry
from bot.core.replies import Choice
from bot.i18n import N_, _
from handlers.common import pick_reason, picked
from handlers.reports.periods import KINDS, WEEKDAYS, default_questions, describe, parse_time, question_text
from handlers.reports.ui import router
from models import DigestSetting, ReportConfig, Role

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
        *[f"{i}. {question_text(q)} ({_(KIND_NAMES[q['kind']])})" for i, q in enumerate(cfg.questions, 1)],
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
            Choice(_("Weekly or monthly"), "rs:cadence"),
            Choice(_("Due day"), "rs:day"),
            Choice(_("Due time"), "rs:time"),
            Choice(_("Add a question"), "rs:add"),
            Choice(_("Remove a question"), "rs:remove"),
            Choice(_("Default questions"), "rs:defaults"),
            Choice(_("Group chat reminders on/off"), "rs:chat"),
            Choice(_("Digest day and time"), "rs:digest"),
            Choice(_("Done"), "rs:done"),
        ],
    )


@flow.on("menu")
async def on_menu(ctx: Context) -> Outcome:
    choice = picked(ctx, "rs")
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
    if choice not in steps:
        return retry(pick_reason())
    return goto(steps[choice])


@flow.ask("cadence")
async def ask_cadence(ctx: Context) -> None:
    ctx.reply(
        _("How often do groups report?"),
        [Choice(_("Every week"), "rc:weekly"), Choice(_("Every month"), "rc:monthly")],
    )


@flow.on("cadence")
async def on_cadence(ctx: Context) -> Outcome:
    value = picked(ctx, "rc")
    if value not in ("weekly", "monthly"):
        return retry(pick_reason())
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
            [Choice(_(name), f"rd:{i}") for i, name in enumerate(WEEKDAYS)],
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
        value = picked(ctx, "rd")
        if value is None or not value.isdigit() or int(value) > 6:
            return retry(pick_reason())
        cfg.due_weekday = int(value)
    touched(ctx, cfg, "day")
    return goto("menu")


@flow.ask("time")
async def ask_time(ctx: Context) -> None:
    ctx.reply(_("At what time is the report due? Type it like 17:00."), [Choice("17:00", "rt:17:00")])


@flow.on("time")
async def on_time(ctx: Context) -> Outcome:
    moment = parse_time(picked(ctx, "rt") or ctx.event.text or "")
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
    ctx.reply(_("What kind of answer does it take?"), [Choice(_(KIND_NAMES[k]), f"rk:{k}") for k in KINDS])


@flow.on("add_kind")
async def on_add_kind(ctx: Context) -> Outcome:
    kind = picked(ctx, "rk")
    if kind not in KINDS:
        return retry(pick_reason())
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
        [Choice(f"{i}. {question_text(q)}"[:60], f"rr:{q['id']}") for i, q in enumerate(cfg.questions, 1)],
    )


@flow.on("remove")
async def on_remove(ctx: Context) -> Outcome:
    value = picked(ctx, "rr")
    cfg = await config(ctx)
    kept = [q for q in cfg.questions if q["id"] != value]
    if value is None or len(kept) == len(cfg.questions):
        return retry(pick_reason())
    cfg.questions = kept
    touched(ctx, cfg, "questions")
    return goto("menu")


@flow.ask("digest_day")
async def ask_digest_day(ctx: Context) -> None:
    ctx.reply(
        _("On which day should the weekly digest go out?"),
        [Choice(_(name), f"dd:{i}") for i, name in enumerate(WEEKDAYS)],
    )


@flow.on("digest_day")
async def on_digest_day(ctx: Context) -> Outcome:
    value = picked(ctx, "dd")
    if value is None or not value.isdigit() or int(value) > 6:
        return retry(pick_reason())
    row = await digest_setting(ctx)
    row.weekday, row.updated_at = int(value), clock.now()
    ctx.session.add(row)
    return goto("digest_time")


@flow.ask("digest_time")
async def ask_digest_time(ctx: Context) -> None:
    ctx.reply(_("At what time? Type it like 07:00."), [Choice("07:00", "dt:07:00")])


@flow.on("digest_time")
async def on_digest_time(ctx: Context) -> Outcome:
    moment = parse_time(picked(ctx, "dt") or ctx.event.text or "")
    if moment is None:
        return retry(_("I could not read that time. Please type it like 07:00."))
    row = await digest_setting(ctx)
    row.send_time, row.updated_at = moment.strftime("%H:%M"), clock.now()
    ctx.session.add(row)
    ctx.audit("digest.schedule_changed", "digest_setting", str(row.ward_code), row.ward_code)
    return goto("menu")


router.flow(flow)
