"""Every button of mediation, as typed button data (bot.core.payloads).

The wire strings are those the feature always sent ("hgo:12", "hqk:noise"): buttons already delivered, and the
choices kept with a conversation in the database, still answer. "hg…" buttons act on a case from any message;
"hq…" buttons answer a question of a form and only mean something while that question is asked.
"""

from __future__ import annotations

from typing import Literal

from bot.core.payloads import Payload, YesNo

# The request form -------------------------------------------------------------------------------------------


class DisputeKind(Payload, prefix="hqk"):
    """What the dispute is about: a key of texts.KINDS. Typed, the words of its kind choose it ("xay lan")."""

    key: str

    def typed_as(self) -> tuple[str, ...]:
        from handlers.mediation.texts import KIND_WORDS

        return KIND_WORDS.get(self.key, ())


class PoliceAnswer(Payload, prefix="hqp"):
    """What to do with a description that names a police matter."""

    answer: Literal["tip", "rewrite", "stop"]


class KnownName(Payload, prefix="hqn:known"):
    """The requester's name is the one An Dân already knows."""


class PartiesDone(Payload, prefix="hqd:done"):
    """Every other party is listed (one message with several lines, or several messages on a phone)."""


class Urgent(YesNo, prefix="hqu"):
    """Whether the dispute is urgent."""


class AnyTime(Payload, prefix="hqt:any"):
    """The requester can meet at any time."""


class Private(YesNo, prefix="hqv"):
    """Whether the case is handled in private."""


class SendRequest(Payload, prefix="hqs"):
    """Send the checked request, or cancel it."""

    answer: Literal["send", "cancel"]


# Sessions and outcome (the mediator's forms) ----------------------------------------------------------------


class ProposeSession(Payload, prefix="hqss"):
    """Propose the session as typed, or type it again."""

    answer: Literal["yes", "again"]


class Result(Payload, prefix="hqo"):
    """How the mediation ended."""

    result: Literal["agreed", "not_agreed", "withdrawn"]

    def typed_as(self) -> tuple[str, ...]:
        """How a mediator says it: "thành công", "không thành công", "họ rút đơn rồi"."""
        return {
            "agreed": (
                "thành công",
                "hòa giải thành công",
                "đã thỏa thuận",
                "thỏa thuận được",
                "hai bên đồng ý",
            ),
            "not_agreed": (
                "không thành công",
                "hòa giải không thành công",
                "thất bại",
                "không thỏa thuận được",
                "hai bên không đồng ý",
            ),
            "withdrawn": (
                "rút",
                "rút đơn",
                "rút đơn rồi",
                "họ rút đơn",
                "họ rút đơn rồi",
                "đã rút đơn",
                "rút rồi",
            ),
        }[self.result]


class NextStep(Payload, prefix="hqn"):
    """Where the parties can go after no agreement: a key of flows.outcome.NEXT_STEPS."""

    where: Literal["ubnd", "court"]


class KeepName(Payload, prefix="hqpn:keep"):
    """The mediator keeps the name they have."""


class Relatives(Payload, prefix="hqpr"):
    """Keep the declared relatives, or declare none."""

    answer: Literal["keep", "none"]


# Buttons on a case, pressed from any message ----------------------------------------------------------------


class OpenCase(Payload, prefix="hgo"):
    """Show a case with its history and the actions this viewer may take."""

    case_id: int


class NewRequest(Payload, prefix="hgn:new"):
    """Start a new mediation request."""


class EditProfile(Payload, prefix="hgpf:edit"):
    """Edit the mediator's profile (name and relatives)."""


class TakeCase(Payload, prefix="hgt"):
    """A mediator takes an unassigned case."""

    case_id: int

    def typed_as(self) -> tuple[str, ...]:
        """What a mediator says for taking a case: "tôi nhận", "để tôi làm"."""
        return ("nhận", "tôi nhận", "nhận vụ", "nhận việc", "để tôi nhận", "để tôi làm", "tôi làm")


class AssignMenu(Payload, prefix="hga"):
    """The head of the mediation group chooses who mediates a case."""

    case_id: int

    def typed_as(self) -> tuple[str, ...]:
        """What the head says for choosing who mediates: "phân công", "giao cho ai"."""
        return ("phân công", "giao", "giao việc", "giao cho", "chọn người hòa giải")


class AssignTo(Payload, prefix="hgm"):
    """The head gives the case to this mediator."""

    case_id: int
    person_id: int


class DeclareConflict(Payload, prefix="hgc"):
    """A mediator declares a conflict of interest in a case."""

    case_id: int


class Withdraw(Payload, prefix="hgw"):
    """The requester withdraws their request."""

    case_id: int


class PlanSession(Payload, prefix="hgs"):
    """The mediator in charge proposes a session of a case."""

    case_id: int

    def typed_as(self) -> tuple[str, ...]:
        """What a mediator says for scheduling: "hẹn gặp", "lên lịch", "đặt lịch"."""
        return ("hẹn", "hẹn gặp", "hẹn lịch", "hẹn ngày", "lên lịch", "đặt lịch", "xếp lịch", "lịch hòa giải")


class ConfirmSession(Payload, prefix="hgy"):
    """A party confirms a proposed session."""

    session_id: int


class AskOtherTime(Payload, prefix="hgr"):
    """A party cannot come to a proposed session and suggests other times. Words typed under "Can you come?" come
    to it (Payload.takes_words): "không được, tối mai bà bận, để thứ 7 đi" is the no and the time suggested, "dạ
    được, bà sẽ tới" the yes, anything else is read as words (flows/schedule.py `ask_change`)."""

    takes_words = True
    session_id: int


class RecordOutcome(Payload, prefix="hgx"):
    """The mediator in charge records how the mediation ended."""

    case_id: int

    def typed_as(self) -> tuple[str, ...]:
        """What the mediator says when the mediation is over: "hòa giải xong rồi", "kết thúc", "đóng vụ việc"."""
        return (
            "xong",
            "xong rồi",
            "hòa giải xong",
            "hòa giải xong rồi",
            "đã hòa giải xong",
            "kết thúc",
            "kết thúc rồi",
            "kết thúc vụ việc",
            "đóng vụ việc",
            "kết quả",
        )


class FollowUp(Payload, prefix="hgf"):
    """A party says whether an agreement is kept: asked a week after it, or said from the case later on ("broken":
    the case goes back to its mediator)."""

    case_id: int
    answer: Literal["kept", "broken"]


class InviteParty(Payload, prefix="hgi"):
    """The mediator in charge chooses which party of a case to invite."""

    case_id: int


class MakeCode(Payload, prefix="hgip"):
    """Make a single-use code for this party to follow the case."""

    party_id: int


class RecordAbsence(Payload, prefix="hgab"):
    """The mediator in charge records who did not come to a session that is over."""

    session_id: int


class Absent(Payload, prefix="hgaa"):
    """This party did not come to this past session."""

    session_id: int
    party_id: int
