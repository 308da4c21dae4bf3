"""Multi-step forms: named steps that ask, validate, and move on or re-ask with a reason.

A flow names its steps in order where it is made, so a reader sees the whole form in one line; each step is a
pair of functions registered on it: `ask` sends the question, `on` handles the answer and returns an Outcome.
A router refuses a flow whose named steps and functions disagree. Step names are strings stored in the database,
so renaming one is a data migration.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.i18n import _

if TYPE_CHECKING:
    from bot.core.context import Context

AskFn = Callable[["Context"], Awaitable[None]]
OnFn = Callable[["Context"], Awaitable["Outcome"]]
DoneFn = Callable[["Context"], Awaitable[None]]


@dataclass(frozen=True)
class Outcome:
    action: str  # "goto" | "retry" | "finish" | "stay"
    step: str | None = None
    reason: str | None = None


def goto(step: str) -> Outcome:
    """Move to `step` and ask its question."""
    return Outcome("goto", step=step)


def retry(reason: str) -> Outcome:
    """Tell the person why the answer was not accepted and ask the same question again."""
    return Outcome("retry", reason=reason)


def pick_reason() -> str:
    """Why a step that takes only its buttons re-asks (see `Payload.expect`)."""
    return _("Please choose one of the options below (press a button or type its number).")


def finish() -> Outcome:
    """The flow is over; its state is erased."""
    return Outcome("finish")


def stay() -> Outcome:
    """Keep the current step without re-asking (the handler already replied)."""
    return Outcome("stay")


class Flow:
    def __init__(self, name: str, steps: Sequence[str], private: bool = False) -> None:
        if not steps or len(set(steps)) != len(steps):
            raise ValueError(f"flow {name}: steps must be named once each, the first question first")
        self.name = name
        self.steps = tuple(
            steps
        )  # in the order a person usually meets them; the first is where the flow starts
        self.start = self.steps[0]
        # A private flow's messages are kept unlinkable to the person's account (e.g. an anonymous tip).
        self.private = private
        self.asks: dict[str, AskFn] = {}
        self.handlers: dict[str, OnFn] = {}
        self.on_cancel: DoneFn | None = None

    def ask(self, step: str) -> Callable[[AskFn], AskFn]:
        def register(fn: AskFn) -> AskFn:
            self.asks[step] = fn
            return fn

        return register

    def on(self, step: str) -> Callable[[OnFn], OnFn]:
        def register(fn: OnFn) -> OnFn:
            self.handlers[step] = fn
            return fn

        return register

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
