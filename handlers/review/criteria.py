"""A ward's criteria of one year: the shipped defaults (criteria.toml, Thông tư 124/2021/TT-BCA), copied into the
database the first time the year is opened, and their versioned texts (an edit adds a version, like pledge texts)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.review import ReviewCriterion, ReviewCriterionText

KINDS = ("group", "area", "ward", "organisation")
MAX_TEXT = 2000


@dataclass(frozen=True)
class Criterion:
    """A criterion with its current text."""

    row: ReviewCriterion
    text: str
    version: int

    @property
    def id(self) -> int:
        return int(self.row.id or 0)

    @property
    def entered(self) -> bool:
        return self.row.figure is None


@cache
def defaults() -> tuple[dict[str, Any], ...]:
    with Path(__file__).with_name("criteria.toml").open("rb") as file:
        return tuple(tomllib.load(file)["criterion"])


async def ensure_year(session: AsyncSession, ward_code: int, year: int, locale: str) -> None:
    """Copy the shipped criteria into the ward's year if it has none yet (the ward's language for the texts)."""
    found = (
        await session.exec(
            select(ReviewCriterion.id).where(
                ReviewCriterion.ward_code == ward_code, ReviewCriterion.year == year
            )
        )
    ).first()
    if found is not None:
        return
    for position, item in enumerate(defaults()):
        row = ReviewCriterion(
            ward_code=ward_code,
            year=year,
            place_kind=item["kind"],
            key=item["key"],
            position=position,
            legal_ref=item["legal_ref"],
            figure=item.get("figure"),
            comparison=item.get("comparison", ">="),
            threshold=item.get("threshold"),
            required=item.get("required", True),
        )
        session.add(row)
        await session.flush()
        text = item["en"] if locale.startswith("en") else item["vi"]
        session.add(ReviewCriterionText(criterion_id=int(row.id or 0), number=1, text=text))
    await session.flush()


async def of_year(
    session: AsyncSession, ward_code: int, year: int, kind: str | None = None
) -> list[Criterion]:
    """The year's criteria (of one kind of place, or all), in order, each with its latest text."""
    query = select(ReviewCriterion).where(
        ReviewCriterion.ward_code == ward_code, ReviewCriterion.year == year
    )
    if kind is not None:
        query = query.where(ReviewCriterion.place_kind == kind)
    rows = list((await session.exec(query.order_by(col(ReviewCriterion.position)))).all())
    if not rows:
        return []
    texts: dict[int, ReviewCriterionText] = {}
    for text in (
        await session.exec(
            select(ReviewCriterionText)
            .where(col(ReviewCriterionText.criterion_id).in_([r.id for r in rows]))
            .order_by(col(ReviewCriterionText.number))
        )
    ).all():
        texts[text.criterion_id] = text  # the highest number wins
    return [Criterion(r, texts[int(r.id or 0)].text, texts[int(r.id or 0)].number) for r in rows]


async def new_text(session: AsyncSession, criterion: Criterion, text: str, person_id: int) -> int:
    """Save an edited text as the criterion's next version; returns its number."""
    number = criterion.version + 1
    session.add(
        ReviewCriterionText(criterion_id=criterion.id, number=number, text=text, created_by=person_id)
    )
    await session.flush()
    return number
