"""What the alerts feature holds about a person, for /toi and /xoadulieu: acknowledgements and authored alerts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import execute
from bot.i18n import _, fmt_date
from models import Person
from models.alerts import Alert, AlertAck


async def export(session: AsyncSession, person: Person) -> dict[str, Any]:
    acks = (await session.exec(select(AlertAck).where(AlertAck.person_id == person.id))).all()
    authored = (await session.exec(select(Alert).where(Alert.author_person_id == person.id))).all()
    data: dict[str, Any] = {}
    if acks:
        data["read_alerts"] = [{"alert_id": a.alert_id, "at": a.at} for a in acks]
    if authored:
        data["alerts_written"] = [
            {"id": a.id, "title": a.title, "status": a.status, "created_at": a.created_at} for a in authored
        ]
    return data


async def erase(session: AsyncSession, person: Person) -> list[str]:
    await execute(session, delete(AlertAck).where(col(AlertAck.person_id) == person.id))
    authored = (await session.exec(select(Alert.id).where(Alert.author_person_id == person.id))).all()
    if not authored:
        return []
    # The alerts themselves are warnings the ward issued: they stay, signed by the place, no longer by the person.
    await execute(
        session, update(Alert).where(col(Alert.author_person_id) == person.id).values(author_person_id=None)
    )
    return [
        _(
            "The {n} alerts you sent are records of the ward and stay, signed by your group or ward, no longer "
            "linked to you."
        ).format(n=len(authored))
    ]


async def summary(session: AsyncSession, person: Person) -> list[str]:
    """/toi: how many alerts the person confirmed reading, and the alerts they wrote."""
    data = await export(session, person)
    lines = []
    if data.get("read_alerts"):
        lines.append(_("Alerts you confirmed reading: {n}.").format(n=len(data["read_alerts"])))
    if data.get("alerts_written"):
        lines.append(
            _("Alerts you wrote: {titles}.").format(
                titles="; ".join(
                    _("“{title}” ({when})").format(title=a["title"], when=fmt_date(a["created_at"]))
                    for a in data["alerts_written"]
                )
            )
        )
    return lines
