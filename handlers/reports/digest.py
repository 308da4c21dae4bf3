"""The reports feature in the weekly digest: report status for group admins and police, the "reported" column,
and /bantin (/digest) for anyone to turn their digest off or on."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.context import Context
from bot.core.replies import Choice
from bot.digest import memo
from bot.extensions.digest_sections import Scope, Section
from bot.i18n import N_, _, fmt_datetime, fmt_number
from bot.textnorm import fold
from handlers.common import picked
from handlers.reports.periods import Period, config_of, current_period, last_closed_period
from handlers.reports.store import ward_groups
from handlers.reports.ui import router
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
            lines.append(_("Next report due {due}.").format(due=fmt_datetime(upcoming.due)))
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


OFF, ON = {"tat", "off", "khong"}, {"bat", "on", "co"}


@router.command("bantin", "digest", help=N_("Turn the weekly digest off or on"))
async def digest_command(ctx: Context) -> None:
    word = fold((ctx.event.args or "").strip())
    if word in OFF or word in ON:
        set_digest(ctx, word in ON)
        return
    person = ctx.person
    assert person is not None
    state = _("on") if person.digest_enabled else _("off")
    ctx.reply(
        _("Your weekly digest (Monday morning) is {state}.").format(state=state),
        [Choice(_("Turn it off"), "dg:off") if person.digest_enabled else Choice(_("Turn it on"), "dg:on")],
    )


@router.choice("dg")
async def digest_choice(ctx: Context) -> None:
    value = picked(ctx, "dg")
    if value not in ("on", "off") or ctx.person is None:
        ctx.reply(_("Type /bantin to see your digest setting."))
        return
    set_digest(ctx, value == "on")


def set_digest(ctx: Context, enabled: bool) -> None:
    person = ctx.person
    assert person is not None
    person.digest_enabled = enabled
    ctx.session.add(person)
    if enabled:
        ctx.reply(
            _("The weekly digest is on: you will get it on Monday mornings. Type /bantin tat to stop it.")
        )
    else:
        ctx.reply(_("The weekly digest is off. Type /bantin bat to get it again."))
