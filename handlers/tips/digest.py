"""What tips add to the weekly digest: how many tips the ward police received, and for the police how many are
open or past a legal deadline.

Nothing here can point at a tipster: counts are for the whole ward, and small ones are not shown to residents or
group leaders (the police see every tip in /tinbao anyway).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.digest.small import SMALL, hidden
from bot.extensions.digest_sections import Scope, Section
from bot.i18n import _, fmt_number
from handlers.tips.clocks import overdue_where
from models import Tip, TipStatus


async def digest(session: AsyncSession, scope: Scope, start: datetime, end: datetime) -> Section | None:
    received = int(
        (
            await session.exec(
                select(func.count())
                .select_from(Tip)
                .where(
                    Tip.ward_code == scope.ward_code,
                    col(Tip.received_at) >= start,
                    col(Tip.received_at) < end,
                )
            )
        ).one()
    )
    result = Section(title=_("Tips to the ward police"))
    # Officers read every tip in /tinbao, so their digest gives the count they can check; others get a small count
    # hidden (zero is shown: it names nobody).
    if scope.audience != "police" and hidden(received):
        result.lines.append(
            _("Tips received by the ward police this period: fewer than {n}.").format(n=SMALL)
        )
    else:
        result.lines.append(
            _("Tips received by the ward police this period: {n}.").format(n=fmt_number(received))
        )
        result.figures["received"] = received
    if scope.audience == "police":
        now = clock.now()
        open_ = (
            select(func.count())
            .select_from(Tip)
            .where(Tip.ward_code == scope.ward_code, col(Tip.status).in_(TipStatus.OPEN))
        )
        open_count = int((await session.exec(open_)).one())
        overdue = int((await session.exec(open_.where(overdue_where(now)))).one())
        result.lines.append(
            _("Open tips: {open}; past a legal deadline: {overdue}. See /tinbao.").format(
                open=fmt_number(open_count), overdue=fmt_number(overdue)
            )
        )
        result.figures.update({"open": open_count, "overdue": overdue})
    return result
