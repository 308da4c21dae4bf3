"""Alerts over time: the weekly digest's section and per-group column."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import distinct, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.digest.memo import memo
from bot.extensions.digest_sections import Scope, Section
from bot.i18n import _, fmt_date, fmt_percent
from handlers.alerts.delivery import SOURCE
from handlers.alerts.places import concerns
from handlers.alerts.texts import ICONS
from models import Group, OutboxMessage, OutboxStatus, RoleGrant
from models.alerts import Alert, AlertAck, AlertStatus, AlertTarget


def released_between(start: datetime, end: datetime) -> Any:
    return (
        (col(Alert.status) == AlertStatus.SENT)
        & (col(Alert.released_at) >= start)
        & (col(Alert.released_at) < end)
    )


async def ward_figures(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> dict[str, Any]:
    """Every figure of the week's alerts for the whole ward, in a few queries (memoised per digest build)."""
    alerts = list(
        (
            await session.exec(
                select(Alert)
                .where(released_between(start, end), col(Alert.ward_code) == ward_code)
                .order_by(col(Alert.released_at))
            )
        ).all()
    )
    found: dict[str, Any] = {
        "alerts": alerts,
        "targets": defaultdict(list),
        "delivered": {},
        "acked": {},
        "all_delivered": 0,
        "all_acked": 0,
        "area_of": {},
    }
    ids = [a.id for a in alerts]
    if not ids:
        return found
    for alert_id, area_id, group_id in (
        await session.exec(
            select(AlertTarget.alert_id, AlertTarget.area_id, AlertTarget.group_id).where(
                col(AlertTarget.alert_id).in_(ids)
            )
        )
    ).all():
        found["targets"][alert_id].append((area_id, group_id))
    # source_id IN (...) uses the outbox's source index; a join on CAST(alert.id AS TEXT) would scan the outbox.
    sent = (
        (col(OutboxMessage.source_kind) == SOURCE)
        & col(OutboxMessage.source_id).in_([str(i) for i in ids])
        & (col(OutboxMessage.status) == OutboxStatus.SENT)
        & col(OutboxMessage.person_id).is_not(None)
    )
    found["delivered"] = {
        int(g): int(n)  # type: ignore[arg-type]  # NULL groups excluded in SQL
        for g, n in (
            await session.exec(
                select(RoleGrant.group_id, func.count(distinct(col(OutboxMessage.id))))
                .join(RoleGrant, col(RoleGrant.person_id) == col(OutboxMessage.person_id))
                .where(
                    sent,
                    col(RoleGrant.ward_code) == ward_code,
                    col(RoleGrant.group_id).is_not(None),
                    col(RoleGrant.revoked_at).is_(None),
                )
                .group_by(col(RoleGrant.group_id))
            )
        ).all()
    }
    found["all_delivered"] = int(
        (await session.exec(select(func.count(distinct(col(OutboxMessage.id)))).where(sent))).one()
    )
    found["acked"] = {
        int(g): int(n)  # type: ignore[arg-type]
        for g, n in (
            await session.exec(
                select(AlertAck.group_id, func.count())
                .where(col(AlertAck.alert_id).in_(ids), col(AlertAck.group_id).is_not(None))
                .group_by(col(AlertAck.group_id))
            )
        ).all()
    }
    found["all_acked"] = int(
        (
            await session.exec(
                select(func.count()).select_from(AlertAck).where(col(AlertAck.alert_id).in_(ids))
            )
        ).one()
    )
    found["area_of"] = dict(
        (await session.exec(select(Group.id, Group.area_id).where(Group.ward_code == ward_code))).all()
    )
    return found


async def _figures(session: AsyncSession, ward_code: int, start: datetime, end: datetime) -> dict[str, Any]:
    return await memo(("alerts", ward_code, start, end), lambda: ward_figures(session, ward_code, start, end))


async def alerts_section(
    session: AsyncSession, scope: Scope, start: datetime, end: datetime
) -> Section | None:
    data = await _figures(session, scope.ward_code, start, end)
    alerts = data["alerts"]
    if scope.group_id is not None:
        area_id = data["area_of"].get(scope.group_id)
        alerts = [a for a in alerts if concerns(a, data["targets"][a.id], area_id, scope.group_id)]
        delivered, acked = data["delivered"].get(scope.group_id, 0), data["acked"].get(scope.group_id, 0)
    else:
        delivered, acked = data["all_delivered"], data["all_acked"]
    if not alerts:
        return None
    lines = [
        f"{ICONS.get(a.severity, '')} {fmt_date(a.released_at or a.send_at, 'short')} · {a.title}"
        for a in alerts[:8]
    ]
    share = acked / delivered if delivered else 0.0
    lines.append(
        _("Read and confirmed by {acked} of {delivered} people who received them ({share}).").format(
            acked=acked, delivered=delivered, share=fmt_percent(share)
        )
    )
    return Section(
        title=_("Alerts this week"),
        lines=lines,
        figures={"alerts": len(alerts), "delivered": delivered, "acknowledged": acked, "ack_share": share},
    )


async def alert_acks(
    session: AsyncSession, ward_code: int, start: datetime, end: datetime
) -> dict[int, float | str]:
    data = await _figures(session, ward_code, start, end)
    return {group: f"{data['acked'].get(group, 0)}/{n}" for group, n in data["delivered"].items()}
