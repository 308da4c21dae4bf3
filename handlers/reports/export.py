"""A period's reports of a whole ward as one table (exported as CSV and XLSX by bot.digest.table)."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import _, fmt_datetime
from handlers.reports.periods import question_text
from handlers.reports.store import detail_of, submitted_in, ward_groups
from handlers.reports.texts import sent_late
from models import ReportConfig


def _cell(question: dict[str, Any], value: Any) -> Any:
    if value is None:
        return ""
    if question["kind"] == "yesno":
        return _("Yes") if value == "yes" else _("No")
    return value


async def table(session: AsyncSession, cfg: ReportConfig, period_key: str) -> list[list[Any]]:
    """Header row, then one row per group of the ward (reported or not). A yes/no or a count keeps its own column
    (to filter and add up); the leader's words beside it (the houses of the newcomers, the hazard seen) go in
    the column after it, where some report of the period has them."""
    reports = await submitted_in(session, cfg.ward_code, period_key)
    questions: list[dict[str, Any]] = []
    seen: set[str] = set()
    for q in [*cfg.questions, *(q for r in reports.values() for q in r.questions)]:
        if q["id"] not in seen:
            seen.add(q["id"])
            questions.append(q)
    worded = {q["id"] for q in questions if any(detail_of(r.answers, q["id"]) for r in reports.values())}
    # "Sent late" beside "Sent at", by the rule of the year's figures, so a filter on it gives the reports /tongket
    # counts as not on time; blank for a group that sent nothing ("Sent" says so).
    header = [_("Area"), _("Group"), _("Sent"), _("Sent at"), _("Sent late"), _("Nothing to report")]
    for q in questions:
        header.append(question_text(q))
        if q["id"] in worded:
            header.append(_("{question}: details").format(question=question_text(q)))
    rows: list[list[Any]] = [header]
    blank = [""] * (len(header) - 6)
    for gid, group, area in await ward_groups(session, cfg.ward_code):
        report = reports.get(gid)
        if report is None:
            rows.append([area, group, _("No"), "", "", "", *blank])
            continue
        cells: list[Any] = []
        for q in questions:
            cells.append(_cell(q, report.answers.get(q["id"])))
            if q["id"] in worded:
                cells.append(detail_of(report.answers, q["id"]) or "")
        rows.append(
            [
                area,
                group,
                _("Yes"),
                fmt_datetime(report.submitted_at) if report.submitted_at else "",
                _("Yes") if sent_late(report.submitted_at, report.due_at) else _("No"),
                _("Yes") if report.nothing_to_report else _("No"),
                *cells,
            ]
        )
    return rows
