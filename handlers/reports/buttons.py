"""Every button of the reports feature: the typed data each one carries (wire strings as in earlier versions)."""

from __future__ import annotations

from typing import Literal

from bot.core.payloads import Payload
from handlers.reports.periods import QuestionKind

# /caidatbaocao (report setup) --------------------------------------------------------------------------------


class SetupMenu(Payload, prefix="rs"):
    """An entry of the setup menu: what to change, or "done"."""

    item: Literal["cadence", "day", "time", "add", "remove", "defaults", "chat", "digest", "done"]


class Cadence(Payload, prefix="rc"):
    """How often groups report."""

    cadence: Literal["weekly", "monthly"]


class DueWeekday(Payload, prefix="rd"):
    """The weekday a weekly report is due (Monday = 0)."""

    weekday: int


class DueTime(Payload, prefix="rt"):
    """The suggested due time ("17:00"); the admin may type another."""

    time: str


class AnswerKind(Payload, prefix="rk"):
    """The kind of answer a new question takes."""

    kind: QuestionKind


class RemoveQuestion(Payload, prefix="rr"):
    """The question to remove, by its id."""

    question_id: str


class DigestWeekday(Payload, prefix="dd"):
    """The weekday the ward's weekly digest goes out (Monday = 0)."""

    weekday: int


class DigestTime(Payload, prefix="dt"):
    """The suggested digest time ("07:00"); the admin may type another."""

    time: str


# /baocao (a group admin's report) ----------------------------------------------------------------------------


class RemindedReport(Payload, prefix="rrem"):
    """Under a report reminder sent before reminders named their period ("rrem:<group>"): open this group's report
    as /baocao would. Kept so the reminders already in people's chats still work."""

    group_id: int


class RemindedPeriod(Payload, prefix="rrem"):
    """Under a report reminder: open this group's report of the period the reminder named (its key, "2026-12-04"),
    not whichever period is first on the day it is pressed ("có" or "1" typed answers it too). Shares the prefix
    with RemindedReport, so one handler serves both; each reads only its own shape."""

    group_id: int
    key: str


class ReportGroup(Payload, prefix="rg"):
    """The group an admin of several groups reports for."""

    group_id: int


class Intro(Payload, prefix="rp"):
    """The first choice of a report: start or continue, nothing to report, change a sent one, keep it, or the
    report of the other period the group owes (a late one, or this period's)."""

    action: Literal["start", "none", "edit", "keep", "other"]


class QuickAnswer(Payload, prefix="ra"):
    """A question's answer given by a button: "yes"/"no" to a yes/no question, "0" to a number one, "" (nothing
    to note) to a free-text one. One kind for all three, so an earlier question's button cannot be mistaken for
    another kind; the step checks that the value fits its question."""

    value: Literal["yes", "no", "0", ""]


class Review(Payload, prefix="rv"):
    """Send the reviewed report, or change an answer first."""

    action: Literal["send", "change"]


class ChangeAnswer(Payload, prefix="rq"):
    """The answer to change, by the question's position (0-based)."""

    index: int


# /xembaocao (police and ward admins read the reports) --------------------------------------------------------


class ViewPeriod(Payload, prefix="vp"):
    """The period to look at, by its key (the deadline's local date, "2026-11-27")."""

    key: str


class ReadReport(Payload, prefix="vg"):
    """The group whose report to read."""

    group_id: int


class ViewAction(Payload, prefix="vx"):
    """Export the period as CSV or Excel, or go back to the list of groups."""

    action: Literal["csv", "xlsx", "list"]


# /bantin (anyone's weekly digest) ----------------------------------------------------------------------------


class DigestSwitch(Payload, prefix="dg"):
    """Turn one's weekly digest on or off (a button outside any flow)."""

    state: Literal["on", "off"]

    def typed_as(self) -> tuple[str, ...]:
        return DIGEST_OFF if self.state == "off" else DIGEST_ON


# Typed under the button, besides its label ("Tắt bản tin"): "tắt", "tắt đi", "đừng gửi nữa" turn the digest off;
# bot.core.typed reads them as it reads a label ("thôi không nhận nữa" is said by "không nhận nữa", not by "nhận").
DIGEST_OFF = ("tắt", "tắt đi", "thôi đừng gửi nữa", "thôi không nhận nữa", "off", "stop")
DIGEST_ON = ("bật lại", "gửi lại", "nhận lại", "on")
