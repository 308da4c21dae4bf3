"""How a report's answers are shown, both to the group admin who gives them and to the police who read them."""

from __future__ import annotations

from typing import Any

from bot.i18n import _, fmt_number


def show_answer(question: dict[str, Any], value: Any) -> str:
    if value is None:
        return "—"
    if question["kind"] == "yesno":
        return _("Yes") if value == "yes" else _("No")
    if question["kind"] == "number":
        return fmt_number(value)
    return _("nothing to note") if value == "" else str(value)
