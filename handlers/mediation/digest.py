"""Mediation figures for the weekly digest: received, in progress, agreed, not agreed, the share mediated
successfully, and the median days from request to outcome. Counts only: private cases count like any other."""

from __future__ import annotations

from datetime import datetime
from statistics import median

from sqlalchemy import case, func
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.digest.memo import memo
from bot.extensions.digest_sections import Scope, Section
from bot.i18n import _, fmt_number, fmt_percent
from models.mediation import CaseStatus, MediationCase


async def mediation_section(
    session: AsyncSession, scope: Scope, start: datetime, end: datetime
) -> Section | None:
    """Figures of the scope's group (or the whole ward), from one memoised query over the whole ward."""
    ward_rows = await memo(
        ("mediation", scope.ward_code, start, end), lambda: ward_cases(session, scope.ward_code, start, end)
    )
    rows = [
        (status, created, closed)
        for group_id, status, created, closed in ward_rows
        if scope.group_id is None or group_id == scope.group_id
    ]
    received = sum(1 for _s, created, _c in rows if created >= start)
    in_progress = sum(
        1 for _s, _cr, closed_at in rows if closed_at is None or closed_at >= end
    )  # open at `end`
    closed = [
        (status, (closed_at - created).total_seconds() / 86400)
        for status, created, closed_at in rows
        if closed_at is not None and start <= closed_at < end and status != CaseStatus.WITHDRAWN
    ]
    agreed = sum(1 for status, _d in closed if status == CaseStatus.AGREED)
    not_agreed = sum(1 for status, _d in closed if status == CaseStatus.NOT_AGREED)
    if not rows:
        return None
    figures: dict[str, float] = {
        "received": received,
        "in_progress": in_progress,
        "agreed": agreed,
        "not_agreed": not_agreed,
    }
    lines = [
        _("Requests received: {n}").format(n=fmt_number(received)),
        _("In progress: {n}").format(n=fmt_number(in_progress)),
        _("Agreement reached: {n}; no agreement: {m}").format(n=fmt_number(agreed), m=fmt_number(not_agreed)),
    ]
    if closed:
        share = agreed / len(closed)
        days = median(d for _s, d in closed)
        figures["success_share"], figures["median_days"] = share, round(days, 1)
        lines.append(_("Mediated successfully: {share}").format(share=fmt_percent(share)))
        lines.append(_("Median time to an outcome: {days} days").format(days=fmt_number(round(days, 1))))
    return Section(title=_("Mediation"), lines=lines, figures=figures)


async def ward_cases(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> list[tuple[int | None, str, datetime, datetime | None]]:
    """Every case of the ward received before `end` and still open, or closed, in the period: one query."""
    rows = await session.exec(
        select(
            MediationCase.group_id, MediationCase.status, MediationCase.created_at, MediationCase.closed_at
        ).where(
            MediationCase.ward_code == ward_code,
            MediationCase.created_at < end,
            or_(col(MediationCase.closed_at).is_(None), col(MediationCase.closed_at) >= start),
        )
    )
    return list(rows.all())


async def mediation_column(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> dict[int, float | str]:
    """Per group, in one grouped query: cases closed with an agreement / cases closed with an outcome."""
    agreed = func.sum(case((col(MediationCase.status) == CaseStatus.AGREED, 1), else_=0))
    rows = (
        await session.exec(
            select(MediationCase.group_id, agreed, func.count())
            .where(
                MediationCase.ward_code == ward_code,
                col(MediationCase.group_id).is_not(None),
                col(MediationCase.status).in_((CaseStatus.AGREED, CaseStatus.NOT_AGREED)),
                col(MediationCase.closed_at) >= start,
                col(MediationCase.closed_at) < end,
            )
            .group_by(col(MediationCase.group_id))
        )
    ).all()
    return {
        int(group_id): f"{int(n_agreed or 0)}/{int(total)}"
        for group_id, n_agreed, total in rows
        if group_id is not None
    }
