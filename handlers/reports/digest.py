"""The reports feature in the weekly digest: report status for group admins and police, and the "reported"
column (/bantin, to turn one's digest off or on, is in flows/digest_switch.py)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.digest import memo
from bot.extensions.digest_sections import Scope, Section
from bot.i18n import N_, _, fmt_datetime, fmt_number
from handlers.reports.periods import Period, config_of, current_period, last_closed_period
from handlers.reports.store import ward_groups
from models import ReportConfig, ReportSubmission


async def _status(
    session: AsyncSession, cfg: ReportConfig, periods: tuple[Period, ...]
) -> dict[tuple[int, str], str]:
    """{(group id, period key): status} for the ward and these periods (one query, memoised per build)."""
    keys = [p.key for p in periods]

    async def load() -> dict[tuple[int, str], str]:
        rows = await session.exec(
            select(ReportSubmission.group_id, ReportSubmission.period_key, ReportSubmission.status).where(
                ReportSubmission.ward_code == cfg.ward_code, col(ReportSubmission.period_key).in_(keys)
            )
        )
        return {(int(g), k): s for g, k, s in rows.all()}

    return await memo(("reports.status", cfg.ward_code, *keys), load)


async def reports_section(
    session: AsyncSession, scope: Scope, start: datetime, end: datetime
) -> Section | None:
    if scope.audience == "resident":
        return None
    cfg = await memo(("reports.config", scope.ward_code), lambda: config_of(session, scope.ward_code))
    if cfg is None:
        return None
    closed, upcoming = last_closed_period(cfg, end), current_period(cfg, end)
    status = await _status(session, cfg, (closed, upcoming))
    if scope.audience == "group_admin" and scope.group_id is not None:
        sent = status.get((scope.group_id, closed.key)) == "submitted"
        lines = [
            (
                _("Your report for the period ending {due}: sent.")
                if sent
                else _("Your report for the period ending {due}: not sent yet (/baocao).")
            ).format(due=fmt_datetime(closed.due))
        ]
        if status.get((scope.group_id, upcoming.key)) != "submitted":
            # The week ends at midnight; a deadline between then and the digest's sending has already passed.
            passed = upcoming.due <= clock.now()
            lines.append(
                (
                    _("Your report for the period ending {due}: not sent yet (/baocao).")
                    if passed
                    else _("Next report due {due}.")
                ).format(due=fmt_datetime(upcoming.due))
            )
        return Section(_("Group report"), lines, {"reported": 1.0 if sent else 0.0})
    total = len(
        await memo(("reports.groups", scope.ward_code), lambda: ward_groups(session, scope.ward_code))
    )
    sent_n = sum(1 for (_g, key), s in status.items() if key == closed.key and s == "submitted")
    lines = [
        _("{n} of {total} groups sent their report for the period ending {due}.").format(
            n=fmt_number(sent_n), total=fmt_number(total), due=fmt_datetime(closed.due)
        )
    ]
    return Section(_("Group reports"), lines, {N_("reports sent"): float(sent_n)})


async def reported_column(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> dict[int, float | str]:
    cfg = await config_of(session, ward_code)
    if cfg is None:
        return {}
    closed = last_closed_period(cfg, end)
    status = await _status(session, cfg, (closed,))
    groups = await ward_groups(session, ward_code)
    return {gid: "✓" if status.get((gid, closed.key)) == "submitted" else "✗" for gid, _n, _a in groups}
