"""Every button of the problems feature, typed (bot.core.payloads). The wire strings are what buttons already
sent and forms already saved carry: a prefix or a field order here never changes."""

from __future__ import annotations

from typing import Literal

from bot.core.payloads import Payload, YesNo

# The report form (flows/report.py) -------------------------------------------------------------------------


class Category(Payload, prefix="prc"):
    """What the problem is: a key of texts.CATEGORIES."""

    key: str


class Described(Payload, prefix="prd"):
    """While describing: finished with the words and photos."""

    action: Literal["done"]


class Crime(Payload, prefix="prx"):
    """The description reads like a crime: tell the ward police instead (the tip form), or go on here."""

    answer: Literal["tip", "go"]


class NoPlace(Payload, prefix="prw"):
    """No more to say about the place: "skip" after a shared location."""

    why: Literal["skip"]


class Progress(YesNo, prefix="prp"):
    """Whether the reporter wants to hear of progress."""


class Named(Payload, prefix="prn"):
    """Send with the reporter's name (the default) or without it."""

    kind: Literal["named", "anon"]


class SendReport(YesNo, prefix="prs"):
    """On the summary: send, or cancel."""


# The reporter's own reports (flows/mine.py) ----------------------------------------------------------------


class NewReport(Payload, prefix="prm:new"):
    """Start a new report from the list of one's own."""


class MyReport(Payload, prefix="prm:open"):
    """One of the reporter's own reports (named: checked against the person)."""

    problem_id: int


# The ward's inbox (flows/inbox.py, flows/handling.py) ------------------------------------------------------


class ListProblems(Payload, prefix="pri:list"):
    """The inbox: "open" reports or the recently "closed" ones."""

    which: Literal["open", "closed"]


class OpenProblem(Payload, prefix="pri:open"):
    """One report in full, with its actions."""

    problem_id: int


class Act(Payload, prefix="pri:act"):
    """An action on a report: merge it into another, assign it, mark it passed to an office, ask its reporters a
    question, close it."""

    problem_id: int
    action: Literal["merge", "assign", "pass", "ask", "close"]


class MergeInto(Payload, prefix="prh:into"):
    """In the merge form: the report the duplicate joins."""

    target_id: int


class AssignTo(Payload, prefix="prh:to"):
    """In the assign form: the group leader (a person id)."""

    person_id: int


class PassedTo(Payload, prefix="prh:office"):
    """In the pass form: one of the usual offices (a key of texts.OFFICES); any other is typed."""

    key: str


class AnswerWard(Payload, prefix="pra"):
    """Under the ward's question to the reporters of a report: answer it. `key` is a keyed hash of the report's
    number (flows/handling.answer_key): only a reporter who was sent the question holds it, and it opens nothing of
    the report. Words typed under it are the answer itself (Payload.takes_words)."""

    takes_words = True
    problem_id: int
    key: str


class OfficeSplit(YesNo, prefix="prh:split"):
    """In the pass form: whether the typed line was rightly split into the office's name (the reporters read it)
    and a note kept for the ward only."""


class StillBroken(Payload, prefix="prm:reopen"):
    """The reporter says their report, closed as fixed, is not: reopen it (checked against the person; a
    duplicate's number reopens the report it was merged into)."""

    problem_id: int
