"""Periodic group reports: ward admins set them up (/caidatbaocao), group admins answer (/baocao), police read
and export them (/xembaocao); reminders and the list of missing groups come from a tick; the weekly digest
carries the report status, and anyone turns their digest off or on with /bantin."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import _
from bot.personal_data import register
from handlers.reports import digest, police, setup, submit, ticks  # noqa: F401  (they register on the router)
from handlers.reports.ui import router
from models import Person, ReportSubmission

__all__ = ["router"]


async def export_person(session: AsyncSession, person: Person) -> dict[str, Any]:
    rows = await session.exec(select(ReportSubmission).where(ReportSubmission.author_id == person.id))
    return {"group_reports_sent": [
        {"group_id": r.group_id, "period": r.period_key, "status": r.status,
         "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None} for r in rows.all()]}


async def erase_person(session: AsyncSession, person: Person) -> list[str]:
    result = await session.exec(  # type: ignore[call-overload]
        update(ReportSubmission).where(col(ReportSubmission.author_id) == person.id).values(author_id=None))
    if not result.rowcount:
        return []
    return [_("The group reports you sent stay with the ward, because they belong to the group; your name is "
              "removed from them.")]


register("reports", export_person, erase_person)
