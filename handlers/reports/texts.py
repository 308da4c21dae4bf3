"""How a report's answers are shown, both to the group admin who gives them and to the police who read them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.i18n import _, fmt_number
from handlers.reports.periods import question_text
from handlers.reports.store import detail_of


def sent_late(submitted_at: datetime | None, due_at: datetime) -> bool:
    """Whether a submitted report came after its deadline: the one rule for "late", for the police's screens, the
    export and the year's figures alike, so they never disagree. A report sent at the very minute of its deadline
    is on time; one with no sending time recorded cannot be shown on time, so it counts late."""
    return submitted_at is None or submitted_at > due_at


def show_answer(question: dict[str, Any], value: Any, detail: str | None = None) -> str:
    """The answer, and the leader's words that say more than a yes, a no or a count (the houses, the hazard)."""
    if value is None:
        return "—"
    if question["kind"] == "yesno":
        shown = _("Yes") if value == "yes" else _("No")
    elif question["kind"] == "number":
        shown = fmt_number(value)
    else:
        return _("nothing to note") if value == "" else str(value)
    return _("{answer} ({words})").format(answer=shown, words=detail) if detail else shown


def show_answers(questions: list[dict[str, Any]], answers: dict[str, Any]) -> list[str]:
    """One numbered line per question: "4. Fire hazards noticed?: Yes (the wiring at no. 14)"."""
    return [
        f"{n}. {question_text(q)}: {show_answer(q, answers.get(q['id']), detail_of(answers, q['id']))}"
        for n, q in enumerate(questions, 1)
    ]
