"""What the year review holds about a person (/toi, /xoadulieu): what they proposed, confirmed, commented,
decided or edited. The records belong to the ward's year: erasing unlinks the person and keeps the record."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.extensions.personal_data import unlink
from bot.i18n import _
from models import Person
from models.review import ReviewCriterionText, ReviewEntry, ReviewNomination, ReviewRating

TABLES = (ReviewCriterionText, ReviewEntry, ReviewRating, ReviewNomination)
_RATING_ACTORS = ("seen_by", "commented_by", "proposed_by", "decided_by")


async def _rows(session: AsyncSession, person: Person) -> dict[str, list[Any]]:
    pid = person.id
    return {
        "criteria_texts": list(
            (
                await session.exec(select(ReviewCriterionText).where(ReviewCriterionText.created_by == pid))
            ).all()
        ),
        "entries": list(
            (
                await session.exec(
                    select(ReviewEntry).where(
                        or_(col(ReviewEntry.proposed_by) == pid, col(ReviewEntry.confirmed_by) == pid)
                    )
                )
            ).all()
        ),
        "ratings": list(
            (
                await session.exec(
                    select(ReviewRating).where(
                        or_(*(getattr(ReviewRating, c) == pid for c in _RATING_ACTORS))
                    )
                )
            ).all()
        ),
        "nominations": list(
            (await session.exec(select(ReviewNomination).where(ReviewNomination.proposed_by == pid))).all()
        ),
    }


async def export(session: AsyncSession, person: Person) -> dict[str, Any]:
    found = await _rows(session, person)
    if not any(found.values()):
        return {}
    return {
        "year_review": {
            "criteria_texts": [
                {"criterion_id": t.criterion_id, "version": t.number} for t in found["criteria_texts"]
            ],
            "entries": [
                {
                    "criterion_id": e.criterion_id,
                    "place": f"{e.place_kind}:{e.place_id}",
                    "met": e.met,
                    "note": e.note,
                }
                for e in found["entries"]
            ],
            "ratings": [
                {
                    "year": r.year,
                    "place": f"{r.place_kind}:{r.place_id}",
                    "comment": r.comment if r.commented_by == person.id else None,
                    "proposed": r.proposed_grade if r.proposed_by == person.id else None,
                    "decided": r.final_grade if r.decided_by == person.id else None,
                }
                for r in found["ratings"]
            ],
            "nominations": [
                {"year": n.year, "name": n.name, "reason": n.reason} for n in found["nominations"]
            ],
        }
    }


async def erase(session: AsyncSession, person: Person) -> list[str]:
    found = await _rows(session, person)
    await unlink(
        session,
        person,
        ReviewCriterionText.created_by,
        ReviewEntry.proposed_by,
        ReviewEntry.confirmed_by,
        ReviewNomination.proposed_by,
        *(getattr(ReviewRating, c) for c in _RATING_ACTORS),
    )
    if not any(found.values()):
        return []
    return [
        _(
            "What you entered in the year's review stays with the ward, because it is part of its record; your "
            "name is removed from it."
        )
    ]


async def summary(session: AsyncSession, person: Person) -> list[str]:
    found = await _rows(session, person)
    n = sum(len(v) for v in found.values())
    return [_("Entries you made in the year's review: {n}.").format(n=n)] if n else []
