"""The review of a ward's year: every declared figure for this year and the year before, each criterion judged
per place (met, not met, no data, waiting for the police) with its reason, and each group's grade.

Figures come from the registry (`router.year_figure`), one call per figure and year for the whole ward. A figure
missing from the registry, or a place missing from a figure's answer, is "no data", never 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.core.router import Registry
from bot.extensions.year_figures import Figure, Place, YearFigure
from bot.i18n import _, local, zone
from bot.settings import Settings
from handlers.review import texts
from handlers.review.criteria import Criterion, of_year
from models import Area, Group, Ward
from models.review import ReviewEntry

Figures = dict[str, tuple[dict[Place, Figure], dict[Place, Figure]]]  # name -> (this year, last year)


def review_year() -> int:
    """The year under review: the current one, or the one just ended until the end of January."""
    today = local(clock.now())
    return today.year - 1 if today.month == 1 else today.year


def bounds(year: int) -> tuple[datetime, datetime]:
    """The local calendar year as aware UTC moments, start inclusive, end exclusive."""
    start = datetime(year, 1, 1, tzinfo=zone()).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=zone()).astimezone(UTC)
    return start, end


@dataclass(frozen=True)
class PlaceInfo:
    place: Place
    name: str
    area_id: int | None  # a group's area; an area's own id; None for the ward


@dataclass(frozen=True)
class Result:
    criterion: Criterion
    status: str  # "met" | "unmet" | "missing" | "waiting"
    reason: str
    this_year: Figure | None = None
    last_year: Figure | None = None
    entry: ReviewEntry | None = None


@dataclass
class Review:
    ward_code: int
    ward_name: str
    year: int
    specs: dict[str, YearFigure]
    figures: Figures
    places: list[PlaceInfo]
    criteria: list[Criterion]
    results: dict[Place, list[Result]] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[PlaceInfo]:
        return [p for p in self.places if p.place.kind == kind]

    def info(self, place: Place) -> PlaceInfo | None:
        return next((p for p in self.places if p.place == place), None)

    def not_met(self, place: Place) -> list[Result]:
        return [r for r in self.results.get(place, []) if r.status != "met"]

    def meets(self, place: Place) -> bool:
        return bool(self.results.get(place)) and not self.not_met(place)


async def places_of(session: AsyncSession, ward_code: int, year: int) -> tuple[str, list[PlaceInfo]]:
    """The ward, its areas and its groups as the review of `year` knows them: every place not retired before the
    year began (one retired since keeps its year's record: the file of the year it worked through lists it)."""
    ward = await session.get(Ward, ward_code)
    found = [PlaceInfo(Place("ward", ward_code), ward.name if ward else str(ward_code), None)]
    start, _end = bounds(year)
    areas = (
        await session.exec(
            select(Area)
            .where(
                Area.ward_code == ward_code,
                or_(col(Area.retired_at).is_(None), col(Area.retired_at) >= start),
            )
            .order_by(col(Area.id))
        )
    ).all()
    groups = (
        await session.exec(
            select(Group)
            .where(
                Group.ward_code == ward_code,
                or_(col(Group.retired_at).is_(None), col(Group.retired_at) >= start),
            )
            .order_by(col(Group.area_id), col(Group.id))
        )
    ).all()
    for area in areas:
        found.append(PlaceInfo(Place("area", int(area.id or 0)), area.name, area.id))
        found += [
            PlaceInfo(Place("group", int(g.id or 0)), f"{g.name}, {area.name}", area.id)
            for g in groups
            if g.area_id == area.id
        ]
    return (ward.name if ward else str(ward_code)), found


async def compute_figures(session: AsyncSession, registry: Registry, ward_code: int, year: int) -> Figures:
    this_start, this_end = bounds(year)
    last_start, last_end = bounds(year - 1)
    found: Figures = {}
    for spec in registry.year_figures_in_order():
        found[spec.name] = (
            await spec.fn(session, ward_code, this_start, this_end),
            await spec.fn(session, ward_code, last_start, last_end),
        )
    return found


def _compare(value: float, comparison: str, limit: float) -> bool:
    return value <= limit + 1e-9 if comparison == "<=" else value >= limit - 1e-9


def judge(review: Review, criterion: Criterion, place: Place, entry: ReviewEntry | None) -> Result:
    row = criterion.row
    if row.figure is None:
        if entry is None:
            missing = (
                _("not entered yet: the group leader proposes it, the police confirm it")
                if place.kind == "group"
                else _("not entered yet: the police enter it in /tongket")
            )
            return Result(criterion, "missing", missing)
        if entry.confirmed is None:
            said = _("proposed as met") if entry.met else _("proposed as not met")
            return Result(criterion, "waiting", said, entry=entry)
        met = entry.met if entry.confirmed else not entry.met
        if not entry.confirmed:
            reason = _("the police did not confirm the proposal")
        elif entry.proposed_by is not None and entry.proposed_by == entry.confirmed_by:
            # An officer's own entry (flows/notes.py): nobody else proposed it.
            reason = _("entered by the police")
        else:
            reason = _("confirmed by the police")
        return Result(criterion, "met" if met else "unmet", reason, entry=entry)
    spec = review.specs.get(row.figure)
    this_year, last_year = review.figures.get(row.figure, ({}, {}))
    now, before = this_year.get(place), last_year.get(place)
    label = _(spec.label) if spec is not None else row.figure
    if now is None:
        if not row.required:
            # Read in January too, about the year just ended: the year by its number, never "this year".
            nothing = _("{label}: nothing to measure in {year}").format(label=label, year=review.year)
            return Result(criterion, "met", nothing)
        return Result(criterion, "missing", _("{label}: no data").format(label=label), None, before)
    shown = texts.value(now, spec, hide_small=False)
    if row.threshold is None:
        return Result(criterion, "met", f"{label}: {shown}", now, before)
    met = _compare(now.value, row.comparison, row.threshold)
    reason = _("{label}: {value} (required {threshold})").format(
        label=label, value=shown, threshold=texts.threshold(spec, row.comparison, row.threshold)
    )
    return Result(criterion, "met" if met else "unmet", reason, now, before)


async def build(
    session: AsyncSession, registry: Registry, ward_code: int, year: int, figures: Figures | None = None
) -> Review:
    """The whole ward's review of `year` (the criteria must exist: criteria.ensure_year)."""
    ward_name, places = await places_of(session, ward_code, year)
    review = Review(
        ward_code=ward_code,
        ward_name=ward_name,
        year=year,
        specs=dict(registry.year_figures),
        figures=figures if figures is not None else await compute_figures(session, registry, ward_code, year),
        places=places,
        criteria=await of_year(session, ward_code, year),
    )
    ids = [c.id for c in review.criteria]
    entries = {
        (e.criterion_id, e.place_kind, e.place_id): e
        for e in (await session.exec(select(ReviewEntry).where(col(ReviewEntry.criterion_id).in_(ids)))).all()
    }
    for info in places:
        place = info.place
        review.results[place] = [
            judge(review, c, place, entries.get((c.id, place.kind, place.id)))
            for c in review.criteria
            if c.row.place_kind == place.kind
        ]
    return review


def grade(settings: Settings, review: Review, place: Place) -> str | None:
    """A group's grade from the number of its criteria not met (or still without data); None for a place the
    review judged on nothing (not in the year's review): no criterion unmet is not every criterion met."""
    if not review.results.get(place):
        return None
    unmet = len(review.not_met(place))
    if unmet == 0:
        return "strong"
    if unmet <= settings.review_grade_good_max_unmet:
        return "good"
    if unmet <= settings.review_grade_fair_max_unmet:
        return "fair"
    return "weak"


def reasons(review: Review, place: Place) -> list[str]:
    """Why a place is not (yet) at the top: one line per criterion not met, in the reader's language."""
    return [f"{texts.status_name(r.status)}: {r.reason}" for r in review.not_met(place)]
