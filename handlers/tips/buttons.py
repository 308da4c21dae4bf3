"""Every button of the tips feature, typed (bot.core.payloads). The wire strings are those buttons already sent
and forms already saved carry, so a prefix or field order here never changes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from bot.core.payloads import Payload, YesNo

# The tip form (flows/report.py, flows/submit.py) -----------------------------------------------------------


class Emergency(Payload, prefix="emg"):
    """After the emergency numbers: go on with the tip, or stop to call."""

    answer: Literal["go", "stop"]


class Category(Payload, prefix="cat"):
    """What the tip is about: a key of texts.CATEGORIES."""

    key: str


class What(Payload, prefix="what"):
    """While describing: finished, or keep or remove the files that may identify the tipster."""

    action: Literal["done", "keep", "drop"]


class NoPlace(Payload, prefix="where"):
    """No place to give: "skip" when a location was shared, "unknown" when none was."""

    why: Literal["skip", "unknown"]


class When(Payload, prefix="when"):
    """When it happened, roughly; "earlier" asks for the day, "often" is a habit (a drug corner every night)."""

    answer: Literal["now", "today", "often", "earlier"]


class DayUnknown(Payload, prefix="when:unknown"):
    """The tipster does not remember the day."""


class TipWard(Payload, prefix="tward"):
    """The ward whose police receive the tip."""

    code: int


class OtherWard(Payload, prefix="tward:other"):
    """Look up another ward than the tipster's own by name."""


class Identity(Payload, prefix="ident"):
    """An anonymous tip, or one with name and phone (tố giác)."""

    kind: Literal["anon", "named"]


class MayReply(YesNo, prefix="mayreply"):
    """Whether the police may reply through the chat the tip came from."""


class SendTip(YesNo, prefix="tsend"):
    """On the summary: send the tip, or cancel it."""


class DropRiskyFiles(Payload, prefix="tsend:dropfiles"):
    """On the summary: remove the files that may identify an anonymous tipster."""


# Following a tip by its receipt code (flows/lookup.py) -----------------------------------------------------


class AnswerQuestion(Payload, prefix="tqa"):
    """Under the police's question to a tipster: answer it. `key` is a one-time secret whose keyed hash the question
    keeps (TipMessage.detail["answer_key"]): the button answers that question only, and opens nothing of the tip.
    Words typed under it are the answer itself (Payload.takes_words)."""

    takes_words = True
    tip_id: int
    key: str


class MyTip(Payload, prefix="tmine"):
    """Where a receipt code is asked: one of the person's own named tips, opened without its code (a named tip is
    linked to its sender anyway: /toi lists it). An anonymous tip is never offered: nothing links it to anyone."""

    tip_id: int


class StatusView(Payload, prefix="tstat"):
    """On the tipster's view of a tip: add information, withdraw it, or done."""

    action: Literal["add", "withdraw", "done"]


class Addition(Payload, prefix="tadd"):
    """While adding information: send or cancel it, or keep or remove a file that may identify the tipster."""

    action: Literal["send", "cancel", "keep", "drop"]


# The police inbox (flows/police.py, flows/police_actions.py) -----------------------------------------------


class ListTips(Payload, prefix="tipp:list"):
    """A list of tips by `wanted`, as /tinbao also takes it typed: a key of flows/police.FILTERS (or its Vietnamese
    alias), or "cat:<key>" for the open tips of one category."""

    wanted: str

    @classmethod
    def of_category(cls, key: str) -> ListTips:
        return cls(f"cat:{key}")

    @staticmethod
    def category_in(wanted: str) -> str | None:
        """The category key that `wanted` names ("cat:drugs" gives "drugs"), or None for another filter."""
        return wanted.removeprefix("cat:") if wanted.startswith("cat:") else None


class CategoryFilters(Payload, prefix="tipp:cats"):
    """The categories to list by; `page` is always 0 (all fit on one)."""

    page: int


class OpenTip(Payload, prefix="tipp:open"):
    """One tip in full, with its actions."""

    tip_id: int


class AckTip(Payload, prefix="tipp:ack"):
    """Send the notice of receipt."""

    tip_id: int


class ReplyToTipster(Payload, prefix="tipp:reply"):
    """Write a reply to the tipster. Typed, as officers on the Zalo OA do: "trả lời" (two of the label's five words
    were too few outside a form: "chưa hiểu")."""

    tip_id: int

    def typed_as(self) -> tuple[str, ...]:
        return ("trả lời", "trả lời tin báo", "nhắn người báo tin", "reply")


class AskTipster(Payload, prefix="tipp:ask"):
    """Ask the tipster for more information; typed "hỏi thêm", as an officer says it (the label has no "hỏi")."""

    tip_id: int

    def typed_as(self) -> tuple[str, ...]:
        return ("hỏi thêm", "hỏi lại", "hỏi người báo tin", "hỏi thêm thông tin", "ask")


class AssignTip(Payload, prefix="tipp:assign"):
    """Choose the officer who handles the tip."""

    tip_id: int


class AssignTo(Payload, prefix="tipp:to"):
    """Assign the tip to this officer (a person id)."""

    tip_id: int
    officer_id: int


class ChangeStatus(Payload, prefix="tipp:status"):
    """Choose the tip's next status. Under the tip, a status typed ("giải quyết", "xong") is this button, and
    its handler takes the status the words name (police_actions.status)."""

    tip_id: int

    def typed_as(self) -> tuple[str, ...]:
        from handlers.tips.texts import STATUS_TYPED, status_name

        return tuple(word for key, also in STATUS_TYPED.items() for word in (status_name(key), *also))


class SetStatus(Payload, prefix="tipp:st"):
    """Move the tip to this status (a TipStatus value), then ask the reason."""

    tip_id: int
    status: str

    def typed_as(self) -> tuple[str, ...]:
        from handlers.tips.texts import STATUS_TYPED

        return STATUS_TYPED.get(self.status, ())

    @classmethod
    def ask_which(cls, among: Sequence[SetStatus]) -> Payload | None:
        """Words that fit two statuses equally ("xác minh xong") ask again with those two (ChangeStatus reads them)."""
        tips = {found.tip_id for found in among}
        return ChangeStatus(tips.pop()) if len(tips) == 1 else None


class ExtendDeadline(Payload, prefix="tipp:extend"):
    """On a transferred tip: record an extension of the investigating body's decision deadline that the ward
    police were told of (on an open tip, where it once extended that deadline, it says it is no longer valid)."""

    tip_id: int


class ExportTip(Payload, prefix="tipp:export"):
    """A CSV record of the tip for the case file."""

    tip_id: int


class OriginalFiles(Payload, prefix="tipp:orig"):
    """Ask for the original files, with the warning first."""

    tip_id: int


class ReleaseOriginals(Payload, prefix="tipp:origok"):
    """Release the original files (written to the audit log)."""

    tip_id: int


# The police's short forms (flows/police_forms.py) ----------------------------------------------------------


class SkipNote(Payload, prefix="treason:skip"):
    """No note when a tip is being verified."""


# Rewards for useful tips (flows/rewards.py, flows/reward_claim.py) ----------------------------------------------------------------


class RewardView(Payload, prefix="tiprw:view"):
    """Police: the tip's reward screen (useful, decision, how the tipster receives it)."""

    tip_id: int


class MarkUseful(Payload, prefix="tiprw:useful"):
    """Police: mark the tip as useful (counted in the year's review)."""

    tip_id: int


class DecideReward(Payload, prefix="tiprw:decide"):
    """Police: record the reward decision (marks the tip useful too)."""

    tip_id: int


class PayNamed(Payload, prefix="tiprw:paid"):
    """Police: record that a tipster who chose their name was given the reward (asks first)."""

    tip_id: int


class PayNamedOk(Payload, prefix="tiprw:paidok"):
    """Police: confirmed, the reward was given."""

    tip_id: int


class CheckClaimCode(Payload, prefix="tiprw:check"):
    """Police: type a claim code a person shows (the same as /nhanthuong)."""


class DecisionToday(Payload, prefix="trwd:today"):
    """The reward decision is dated today."""


class SaveDecision(YesNo, prefix="trwd:save"):
    """On the decision's summary: save it, or cancel."""


class ConfirmPayout(YesNo, prefix="trwv:pay"):
    """After a valid claim code: the reward was given (the code stops working), or cancel."""


class RewardOpen(Payload, prefix="trwt:open"):
    """The tipster, in /tracuu: choose how to receive the reward (the tip is the one the receipt code opened)."""


class RewardWay(Payload, prefix="trwt:way"):
    """The tipster's choice: under their name, anonymously with a claim code, or later."""

    way: Literal["named", "code", "later"]


class RevealName(YesNo, prefix="trwt:reveal"):
    """The tipster confirms that the police may see their name and phone with the reward."""


class ShowClaimCode(YesNo, prefix="trwt:show"):
    """The tipster is ready to write down the claim code, shown once."""
