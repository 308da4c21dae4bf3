"""Periodic group reports: ward admins set them up (/caidatbaocao), group admins answer (/baocao), police read
and export them (/xembaocao); reminders and the list of missing groups come from a tick; the weekly digest
carries the report status, and anyone turns their digest off or on with /bantin."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import execute
from bot.extensions.personal_data import unlink
from bot.i18n import N_, _
from handlers.reports import digest, police, setup, submit, ticks  # noqa: F401  (commands and flows on the router)
from handlers.reports.ui import router
from models import Person, ReportConfig, ReportSubmission

__all__ = ["router"]


async def export_person(session: AsyncSession, person: Person) -> dict[str, Any]:
    rows = await session.exec(select(ReportSubmission).where(ReportSubmission.author_id == person.id))
    return {
        "group_reports_sent": [
            {
                "group_id": r.group_id,
                "period": r.period_key,
                "status": r.status,
                "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
            }
            for r in rows.all()
        ]
    }


async def erase_person(session: AsyncSession, person: Person) -> list[str]:
    result = await execute(
        session,
        update(ReportSubmission).where(col(ReportSubmission.author_id) == person.id).values(author_id=None),
    )
    await unlink(session, person, ReportConfig.updated_by)
    if not result.rowcount:
        return []
    return [
        _(
            "The group reports you sent stay with the ward, because they belong to the group; your name is "
            "removed from them."
        )
    ]


router.tick("reports.reminders", every=timedelta(minutes=15))(ticks.reports_tick)
router.digest_section("reports", order=60)(digest.reports_section)
router.digest_column("reported", order=10, header=N_("Reported"))(digest.reported_column)
router.personal_data(
    "reports", tables=(ReportSubmission, ReportConfig), export=export_person, erase=erase_person
)
