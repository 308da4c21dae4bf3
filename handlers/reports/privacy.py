"""What the reports feature holds about a person (/toi, /xoadulieu): the group reports they sent, and the report
setup they last changed."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import execute
from bot.extensions.personal_data import unlink
from bot.i18n import _, fmt_date
from models import Person, ReportConfig, ReportSubmission


async def export_person(session: AsyncSession, person: Person) -> dict[str, Any]:
    rows = (await session.exec(select(ReportSubmission).where(ReportSubmission.author_id == person.id))).all()
    if not rows:
        return {}
    return {
        "group_reports_sent": [
            {
                "group_id": r.group_id,
                "period": r.period_key,
                "status": r.status,
                "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
            }
            for r in rows
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


async def summary(session: AsyncSession, person: Person) -> list[str]:
    """/toi: how many group reports the person sent, and when the last one went."""
    rows = (await session.exec(select(ReportSubmission).where(ReportSubmission.author_id == person.id))).all()
    if not rows:
        return []
    sent = [r.submitted_at for r in rows if r.submitted_at]
    if not sent:
        return [_("Group reports you started but did not send: {n}.").format(n=len(rows))]
    return [
        _("Group reports you sent: {n}, the last on {when}.").format(n=len(sent), when=fmt_date(max(sent)))
    ]
