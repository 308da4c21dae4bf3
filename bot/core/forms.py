"""The form engine: how an update moves a person through a flow's steps, back one question, into a flow a handler
began, and out of one however it is left (finished, /huy, another command, its expiry, the idle sweep), its own
clean-up run first. A command declared beside_form (/ngonngu) sets an open form aside (ASIDE) instead of replacing
it; the form comes back at the same question when that command's flow ends.

A button that opens another command (a menu entry of an earlier message, the web chat's Menu control) pressed in a
form with answers in it does not drop them silently: the person is asked first (`about_leaving`,
`ask_before_leaving`), and `GoOn` (also what a reopened chat page sends) asks the form's question again,
`LeaveFor` leaves it for the command.
A command typed in full is meant: it replaces the form as before."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.core import menu
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.events import Kind
from bot.core.flow import Flow, Outcome, pick_reason, retry
from bot.core.menu import MENU_COMMAND, command_of
from bot.core.payloads import Payload, payload_of
from bot.core.replies import Choice
from bot.i18n import _, ngettext

CANCEL_NAMES = ("huy", "cancel")  # the commands that leave the open form (Vietnamese name, English name)
BACK_NAMES = ("quaylai", "back")  # ... and that go back one question
CANCEL, BACK = frozenset(CANCEL_NAMES), frozenset(BACK_NAMES)
# In the data of a flow started beside an open form (Command.beside_form): that form, resumed when the flow ends.
ASIDE = "_form_aside"
DANGER_WORDS = 4  # fewer words are an answer ("cháy" for the kind of problem), not a cry for help


class GoOn(Payload, prefix="form:on"):
    """Go on with the open form: its question asked again (or, with none open, the main menu)."""


class LeaveFor(Payload, prefix="form:leave"):
    """Leave the open form, its clean-up run, and open `command` as if it had been typed."""

    command: str


def has_answers(ctx: Context) -> bool:
    """Whether leaving the open form now would lose something the person gave it: a question answered. (Words
    carried into a form's first question are still in the chat above, where the person wrote them.)"""
    return bool(ctx.state.history)


def ask_before_leaving(
    ctx: Context, command: str = MENU_COMMAND, label: str | None = None, *, stopping: bool = False
) -> None:
    """The question for a button that would replace a form holding answers, or for words that may mean "stop"
    (`stopping`: "thôi", "không gửi nữa"): go on with it, or leave it and open `command` (the main menu when
    stopping)."""
    if stopping:
        text = _("Do you want to stop this form? What you wrote in it will not be kept.")
        leave = _("Stop, keep nothing")
    else:
        text = _(
            "You have not finished the form you were filling in. If you open “{label}” now, what you wrote in "
            "it will be lost. What would you like to do?"
        ).format(label=label)
        leave = _("Leave it and open “{label}”").format(label=label)
    ctx.reply(text, [Choice(_("Go on with the form"), GoOn()), Choice(leave, LeaveFor(command))])


async def about_leaving(ctx: Context) -> bool:
    """A pressed button that would leave a form with answers in it, or the person's answer to the question that
    asks first (`ask_before_leaving`); whether it was one and has been handled."""
    pressed = payload_of(ctx.event.choice)
    if isinstance(pressed, GoOn):
        if ctx.state.flow:
            ctx.reply(_("Let's go on where you stopped:"))
            await reask(ctx)
        else:
            await menu.show(ctx)
        return True
    if isinstance(pressed, LeaveFor):
        if ctx.state.flow and not await leave_all(ctx):
            ctx.reply(_("The unfinished form was left; nothing from it was saved."))
        await ctx.app.dispatcher.run_command(ctx, pressed.command)
        return True
    registry = ctx.app.registry
    command = registry.commands.get(command_of(ctx.event.choice) or "")
    if (
        command is None
        or command.beside_form
        or command.name in CANCEL | BACK
        or (command.needs_person and ctx.person is None)
        or ctx.state.flow not in registry.flows
        or not has_answers(ctx)
    ):
        return False
    # The two buttons become the conversation's current ones: a typed "1" or "2" picks one of them, and an answer
    # typed instead still goes to the form's question.
    ask_before_leaving(ctx, command.name, menu.label_for(registry, command.name))
    return True


async def set_aside(ctx: Context) -> dict[str, Any]:
    """The open form, to be set aside while a command beside it runs (Command.beside_form)."""
    if ASIDE in ctx.data:
        # Beside a form already (/ngonngu typed twice): that flow ends, the form is set aside again.
        await leave(ctx)
        ctx.resumed = False
    return {"flow": ctx.state.flow, "step": ctx.state.step, "history": ctx.state.history, "data": ctx.data}


async def beside(ctx: Context, aside: dict[str, Any]) -> None:
    """After a command typed beside the form `aside`: the flow it began carries the form, to give it back when it
    ends; a command that began none leaves the form open, and its question is asked again."""
    if ctx._next_flow is not None:
        name, data = ctx._next_flow
        ctx._next_flow = (name, {**data, ASIDE: aside})
    else:
        await reask(ctx)


async def step(ctx: Context) -> None:
    flow = ctx.app.registry.flows.get(ctx.state.flow or "")
    step = ctx.state.step
    if flow is None or step not in flow.handlers:
        clear(ctx)  # a flow or step removed by an upgrade: start clean rather than fail
        ctx.reply(_("Let's start again. Type /help to see what you can do."))
        return
    if danger_said(ctx):
        # Danger typed into a form ("cháy nhà hàng xóm rồi cứu với" where a problem's kind is asked): the numbers
        # first, whatever the form makes of the words. Before, the form only asked its question again.
        ctx.reply(
            _(
                "If someone is in danger right now, call first:\n113 — police\n114 — fire and rescue\n"
                "115 — ambulance\n\nThis form stays open below."
            )
        )
    outcome = None
    if ctx.event.kind == Kind.UNREADABLE:  # a sticker: what the bot reads here, and the same question
        outcome = retry(ctx.app.channels[ctx.event.channel].unreadable_text())
    elif ctx.event.kind == Kind.MEDIA and step not in flow.file_steps:
        outcome = await files_beside(ctx, flow)
    try:
        if outcome is None:
            outcome = await flow.handlers[step](ctx)
    except NotChosen:
        outcome = retry(pick_reason())
    if ctx._next_flow is not None or ctx._end_flow:
        return
    if outcome.action == "goto":
        assert outcome.step is not None
        ctx.state.history = [*ctx.state.history, step]
        ctx.state.step = outcome.step
        await flow.asks[outcome.step](ctx)
    elif outcome.action == "retry":
        if outcome.reason:
            ctx.reply(outcome.reason)
        await flow.asks[step](ctx)
    elif outcome.action == "finish":
        clear(ctx)
        if outcome.keep and not ctx.resumed:
            ctx.data.update(outcome.keep)


async def files_beside(ctx: Context, flow: Flow) -> Outcome | None:
    """A photo or file sent at a step that does not ask for one: kept by a form that keeps files, then the same
    question; elsewhere said not kept, and its caption (None returned) answers the step as typed words. Before,
    "please choose one of the options" was all a photo at a tip's last question got, and it was lost."""
    if flow.keep_files is not None:
        kept = await flow.keep_files(ctx)
        if isinstance(kept, Outcome):
            return kept
        return retry("\n\n".join(kept or [received_beside(len(ctx.event.attachments))]))
    note = _("This form keeps words only, so your file was not kept.")
    if not ctx.event.text.strip():
        return retry(note)
    ctx.reply(note)
    ctx.event = replace(ctx.event, kind=Kind.TEXT, attachments=())
    return None


def received_beside(files: int) -> str:
    if files == 1:
        return _("Received: it is kept with the rest of this form.")
    return ngettext(
        "Received {n} file: it is kept with the rest of this form.",
        "Received {n} files: they are kept with the rest of this form.",
        files,
    ).format(n=files)


def danger_said(ctx: Context) -> bool:
    """Whether words typed in a form read as danger happening now (a sentence, not a one-word answer: "cháy" may
    be the kind of problem asked for)."""
    text = ctx.event.text
    if ctx.event.kind != Kind.TEXT or len(text.split()) < DANGER_WORDS:
        return False
    return ctx.app.registry.reader.says_danger(text)


async def back(ctx: Context) -> None:
    flow = ctx.app.registry.flows.get(ctx.state.flow or "")
    if flow is None:
        ctx.reply(_("There is no form to go back in."))
        return
    if not ctx.state.history:
        ctx.reply(_("This is the first question."))
        await flow.asks[ctx.state.step or flow.start](ctx)
        return
    *rest, previous = ctx.state.history
    ctx.state.history = rest
    ctx.state.step = previous
    await flow.asks[previous](ctx)


async def reask(ctx: Context) -> None:
    flow = ctx.app.registry.flows.get(ctx.state.flow or "")
    if flow is not None and ctx.state.step in flow.asks:
        await flow.asks[ctx.state.step](ctx)


async def apply_requests(ctx: Context) -> None:
    if ctx._end_flow:
        clear(ctx)
        ctx._end_flow = False
    while ctx._next_flow is not None:
        name, data = ctx._next_flow
        ctx._next_flow = None
        flow = ctx.app.registry.flows[name]
        ctx.private = ctx.private or flow.private
        ctx.state.flow, ctx.state.step, ctx.state.history = name, flow.start, []
        ctx.data = dict(data)
        await flow.asks[flow.start](ctx)
        if ctx._end_flow:
            clear(ctx)
            ctx._end_flow = False


async def leave(ctx: Context) -> bool:
    """Leave the open form however it is left (/huy, another command, its expiry): its own clean-up runs first
    (a half-made report's photos deleted, a draft kept). Whether the clean-up said anything."""
    flow = ctx.app.registry.flows.get(ctx.state.flow or "")
    said = len(ctx.replies)
    if flow is not None and flow.on_cancel is not None:
        await flow.on_cancel(ctx)
    clear(ctx)
    return len(ctx.replies) > said


async def leave_all(ctx: Context) -> bool:
    """Leave the open form and a form set aside beside it, each with its clean-up; whether either spoke."""
    spoke = False
    for _level in range(2):  # a form is set aside one level deep at most (ASIDE)
        if ctx.state.flow:
            spoke = await leave(ctx) or spoke
    ctx.resumed = False
    return spoke


def clear(ctx: Context) -> None:
    """End the open form; a form it was started beside (ASIDE) is taken up again."""
    aside = ctx.data.get(ASIDE)
    ctx.state.flow = ctx.state.step = None
    ctx.state.history = []
    ctx.data = {}
    if isinstance(aside, dict) and aside.get("flow") in ctx.app.registry.flows:
        ctx.state.flow, ctx.state.step = aside["flow"], aside["step"]
        ctx.state.history = list(aside.get("history") or [])
        ctx.data = dict(aside.get("data") or {})
        ctx.resumed = True
