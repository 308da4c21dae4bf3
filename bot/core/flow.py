"""Multi-step forms: named steps that ask, validate, and move on or re-ask with a reason.

A flow names its steps in order where it is made, so a reader sees the whole form in one line; each step is a
pair of functions registered on it: `ask` sends the question, `on` handles the answer and returns an Outcome.
A router refuses a flow whose named steps and functions disagree. Step names are strings stored in the database,
so renaming one is a data migration.

Whatever a step asks, a person who types a word that means "leave" ("hủy", "thoát": the same as /huy) or "the menu"
("menu", "trợ giúp") leaves the form instead of answering it: otherwise "hủy" would become a description, a
camera's view, or the sentence that closes a report. Where the form holds answers, words that may mean stopping
("thôi", "không gửi nữa") where no button of the step takes them ask first (bot.core.forms): go on, or stop and
keep nothing. "0", a menu word outside forms, is an answer inside one ("0 incidents"; a choice-only step
re-asks). A step that asks for a person's name says so (`names=True`), and there "Huy", a given name, is taken as
the answer; "hủy" with its accent still leaves.

A photo or file sent at a step that does not ask for one (`files=True` says a step does) is never dropped in
silence (bot.core.forms): a form that keeps files names the function that keeps them (`@flow.keeps_files`: a
late photo joins the tip, then the same question again); any other form says it was not kept, and its caption
answers the step as typed words would.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

from bot.core.events import Kind
from bot.core.typed import numbers_shown, typed_choice, typed_number
from bot.i18n import _
from bot.textnorm import fold

if TYPE_CHECKING:
    from bot.core.context import Context

AskFn = Callable[["Context"], Awaitable[None]]
OnFn = Callable[["Context"], Awaitable["Outcome"]]
# Keeps the event's files (and caption) for the form: what to tell the person, or the Outcome that refuses them.
KeepFn = Callable[["Context"], Awaitable["list[str] | Outcome"]]
K = TypeVar("K", bound=KeepFn)
DoneFn = Callable[["Context"], Awaitable[None]]


# Typed alone in a form, these leave it as /huy does. Compared folded ("huỷ", "Hủy!" and "huy" alike), except that
# a name step compares "huy" with its accent (LEAVE_ACCENTED): "Huy" is a given name.
LEAVE = frozenset({"huy", "huy bo", "thoat", "thoat ra", "dung lai", "cancel", "exit", "quit"})
LEAVE_ACCENTED = frozenset({"hủy", "huỷ", "hủy bỏ", "huỷ bỏ"})
# ... and these leave it and show the main menu (bot.core.menu.MENU_WORDS but "0", which may be an answer).
MENU = frozenset(
    {
        "menu", "danh muc", "bat dau", "start", "tro giup", "giup", "help", "chuc nang", "ve menu", "menu chinh",
        "ve menu chinh", "main menu", "back to menu", "back to the menu", "go to menu", "home",
    }
)  # fmt: skip
# ... and these go back one question, as /quaylai does (before, "quay lại" typed in a tip became its place).
BACK = frozenset(
    {
        "quay lai", "tro lai", "lui lai", "quay lai cau truoc", "tro lai cau truoc", "cau truoc", "back", "go back",
        "previous", "previous question",
    }
)  # fmt: skip
# Said alone, these may mean "stop" ("thôi", "không gửi nữa") or answer the question ("thôi" is a no): where none
# of the step's buttons takes them, the person is asked whether to stop (folded; "dừng" only with its accents, as
# "dung" is also "đúng", yes). Before, "thôi" and "không gửi nữa" were written into a tip as its words.
MAYBE_LEAVE = frozenset(
    {
        "thoi", "thoi khoi", "thoi bo di", "bo di", "thoi bo", "thoi dung", "thoi dung lai", "khong gui nua",
        "khong bao nua", "thoi khong gui", "thoi khong gui nua", "thoi khong bao nua", "khong muon gui nua",
        "khong lam nua", "thoi khong lam nua", "khong can nua", "thoi khong can", "stop", "never mind",
        "nevermind", "forget it", "ngung", "ngung lai",
    }
)  # fmt: skip
MAYBE_LEAVE_ACCENTED = frozenset({"dừng", "dừng đi", "thôi dừng"})


@dataclass(frozen=True)
class Outcome:
    action: str  # "goto" | "retry" | "finish" | "stay"
    step: str | None = None
    reason: str | None = None
    keep: dict[str, Any] | None = None  # finish: what the conversation keeps once the form is over


def goto(step: str) -> Outcome:
    """Move to `step` and ask its question."""
    return Outcome("goto", step=step)


def retry(reason: str) -> Outcome:
    """Tell the person why the answer was not accepted and ask the same question again."""
    return Outcome("retry", reason=reason)


def pick_reason() -> str:
    """Why a step that takes only its buttons re-asks (see `Payload.expect`)."""
    return _("Please choose one of the options below (press a button or type its number).")


def finish(keep: dict[str, Any] | None = None) -> Outcome:
    """The flow is over; its state is erased, but for `keep` (an offer's carried words: bot.core.understand)."""
    return Outcome("finish", keep=keep)


def stay() -> Outcome:
    """Keep the current step without re-asking (the handler already replied)."""
    return Outcome("stay")


class Flow:
    def __init__(
        self, name: str, steps: Sequence[str], private: bool = False, menu_words: bool = True
    ) -> None:
        if not steps or len(set(steps)) != len(steps):
            raise ValueError(f"flow {name}: steps must be named once each, the first question first")
        self.name = name
        self.steps = tuple(
            steps
        )  # in the order a person usually meets them; the first is where the flow starts
        self.start = self.steps[0]
        # A private flow's messages are kept unlinkable to the person's account (e.g. an anonymous tip).
        self.private = private
        # Menu words leave the form for the main menu; a form before registration (onboarding) has no menu to show.
        self.menu_words = menu_words
        self.asks: dict[str, AskFn] = {}
        self.handlers: dict[str, OnFn] = {}
        self.on_cancel: DoneFn | None = None
        self.file_steps: set[str] = set()  # steps that take a photo or file themselves
        self.keep_files: KeepFn | None = None

    def ask(self, step: str) -> Callable[[AskFn], AskFn]:
        def register(fn: AskFn) -> AskFn:
            self.asks[step] = fn
            return fn

        return register

    def on(
        self, step: str, *, names: bool = False, numbers: bool = False, files: bool = False
    ) -> Callable[[OnFn], OnFn]:
        """Register the answer of `step`; `names=True` when it asks for a person's name (see the module's doc);
        `files=True` when the step itself takes a photo or file (any other step leaves them to `keeps_files`);
        `numbers=True` when a number typed alone is an answer in words (a house number: "12") rather than the
        position of one of the step's buttons, wherever the buttons are not shown as numbered lines and are not
        a list (one button beside the question, "not on the list")."""

        def register(fn: OnFn) -> OnFn:
            async def answer(ctx: Context) -> Outcome:
                # Under a list (two or more buttons: the results of a search) a number is its line, as always.
                if (
                    numbers
                    and typed_number(ctx) is not None
                    and not numbers_shown(ctx)
                    and len(ctx.state.choices) < 2
                ):
                    ctx.event, ctx.choice_label = replace(ctx.event, kind=Kind.TEXT, choice=None), None
                wish = leaving(ctx, names=names, menu_words=self.menu_words)
                if wish == "maybe" and typed_choice(ctx.state.choices, ctx.event.text) is not None:
                    wish = None  # "thôi" under a yes/no question: its no
                if wish is None:
                    return await fn(ctx)
                from bot.core import forms

                if wish == "maybe" and forms.has_answers(ctx):
                    # Answers would be lost to a word that may not mean it: asked first (go on, or stop), as for an
                    # old menu button. ("menu" and "hủy" are meant: they leave, and say nothing was kept.)
                    forms.ask_before_leaving(ctx, stopping=True)
                    return stay()
                dispatcher = ctx.app.dispatcher
                if wish == "back":
                    await dispatcher.run_command(ctx, "quaylai")
                    return stay()
                await dispatcher.run_command(ctx, "huy")  # the form's own clean-up runs, as on /huy
                if wish == "menu":
                    from bot.core.menu import MENU_COMMAND

                    await dispatcher.run_command(ctx, MENU_COMMAND)
                return stay()

            self.handlers[step] = answer
            if files:
                self.file_steps.add(step)
            return fn

        return register

    def keeps_files(self, fn: K) -> K:
        """Register how this form keeps a photo or file sent at a step that does not ask for one."""
        self.keep_files = fn
        return fn

    def cancelled(self, fn: DoneFn) -> DoneFn:
        """Register what to clean up when a person leaves this flow with /cancel."""
        self.on_cancel = fn
        return fn

    def check(self) -> None:
        """The named steps and the registered functions agree: every step has an ask and an on, and nothing else
        is registered (a renamed or forgotten step fails here, at start-up, not in front of a resident)."""
        named = set(self.steps)
        for kind, registered in (("ask", self.asks), ("on", self.handlers)):
            if set(registered) != named:
                raise ValueError(
                    f"flow {self.name}: steps {sorted(named ^ set(registered))} disagree with its "
                    f"@{kind} functions"
                )


def leaving(ctx: Context, *, names: bool = False, menu_words: bool = True) -> str | None:
    """ "leave" or "menu" when the person typed, alone, a word that means leaving the form, "back" for going back
    one question, "maybe" for one that may leave ("thôi"); None for an answer."""
    event = ctx.event
    if event.kind != Kind.TEXT:
        return None
    typed = event.text.strip()
    if len(typed) > 20:
        return None
    folded = fold(typed)
    if menu_words and folded in MENU:
        return "menu"
    if folded.rstrip("!. ") in BACK:
        return "back"
    if folded in MAYBE_LEAVE or typed.lower().rstrip("!. ") in MAYBE_LEAVE_ACCENTED:
        return "maybe"
    if names and folded in {"huy", "huy bo"}:
        # "Huy" is a name; "hủy" (any case, either accent placement) is not.
        return "leave" if typed.lower().rstrip("!. ") in LEAVE_ACCENTED else None
    return "leave" if folded in LEAVE else None
