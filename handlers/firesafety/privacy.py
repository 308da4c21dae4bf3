"""What the fire-safety feature holds about a person, for /toi (/me) and /xoadulieu (/forget).

Erasing (Law 91/2025): a household's checklist is the household's record on the ward's fire-safety file, so it
stays, no longer linked to the person who signed it; a team the person led stays without a leader, and a fire
point they kept without a keeper (the ward admin names another); their checks stay, unlinked.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.extensions.personal_data import unlink
from bot.i18n import _, fmt_date
from models import Person
from models.fire_safety import (
    FirePoint,
    FirePointCheck,
    FireSafetyAdvice,
    FireSafetyChecklist,
    FireSafetyTeam,
    FireSafetyWard,
)

# Every table of the feature that holds a person's id (checked by a test against the models).
TABLES = (FireSafetyChecklist, FireSafetyTeam, FirePoint, FirePointCheck, FireSafetyAdvice, FireSafetyWard)


async def export(session: AsyncSession, person: Person) -> dict[str, Any]:
    checklists = (
        await session.exec(
            select(FireSafetyChecklist)
            .where(FireSafetyChecklist.person_id == person.id)
            .order_by(col(FireSafetyChecklist.id))
        )
    ).all()
    teams = (
        await session.exec(select(FireSafetyTeam).where(FireSafetyTeam.leader_person_id == person.id))
    ).all()
    points = (await session.exec(select(FirePoint).where(FirePoint.keeper_person_id == person.id))).all()
    data: dict[str, Any] = {}
    if checklists:
        data["checklists"] = [
            {
                "household": c.address,
                "year": c.year,
                "signed_at": c.signed_at,
                "extinguisher_expires_on": c.extinguisher_expires_on,
                "replaced": c.replaced_at is not None,
            }
            for c in checklists
        ]
    if teams:
        data["teams_led"] = [{"team": t.name, "dissolved": t.retired_at is not None} for t in teams]
    if points:
        data["fire_points_kept"] = [{"place": p.place, "holds": p.holds} for p in points]
    return data


async def erase(session: AsyncSession, person: Person) -> list[str]:
    notes: list[str] = []
    if (
        await session.exec(select(FireSafetyChecklist.id).where(FireSafetyChecklist.person_id == person.id))
    ).first():
        notes.append(
            _(
                "The fire-safety checklists you signed stay on the ward's record as your household's; they are no "
                "longer linked to you."
            )
        )
    await unlink(
        session,
        person,
        FireSafetyChecklist.person_id,
        FireSafetyTeam.leader_person_id,
        FireSafetyTeam.created_by,
        FirePoint.keeper_person_id,
        FirePoint.created_by,
        FirePointCheck.checked_by,
        FireSafetyAdvice.updated_by,
        FireSafetyWard.updated_by,
    )
    await session.flush()
    return notes


async def summary(session: AsyncSession, person: Person) -> list[str]:
    """/toi: the checklists signed, the team led, the fire points kept, in sentences."""
    data = await export(session, person)
    lines = [
        _("You signed the fire-safety checklist of {year} for the household at {address} on {when}.").format(
            year=c["year"], address=c["household"], when=fmt_date(c["signed_at"])
        )
        for c in data.get("checklists", [])
        if not c["replaced"]
    ]
    lines += [
        _("You lead the liên gia fire-safety team “{team}”.").format(team=t["team"])
        for t in data.get("teams_led", [])
        if not t["dissolved"]
    ]
    lines += [
        _("You keep the public fire point “{place}”.").format(place=p["place"])
        for p in data.get("fire_points_kept", [])
    ]
    return lines
