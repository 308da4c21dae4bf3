"""What a feature contributes to the year's review (handlers/review): figures per place of a ward, computed from
the records the feature holds, declared on its router (`router.year_figure(...)`).

A figure function is called once per ward and period and returns every place's figure at once, computed with
set-based SQL (a query for the whole ward, never a loop over groups): the groups (`Place("group", id)`), the
residential areas (`Place("area", id)`) and the ward itself (`Place("ward", ward_code)`). A place missing from the
answer has no data for the measure (shown as "no data", never as 0).

Every figure is traceable: it names the table its records come from and the ids of the records it counted, so
the recognition file can list the evidence behind each number; what was due and left no record at all (a report
never sent) is named by where and by when it was due (`Missing`). A count with records but no ids is anonymous
(tips). Figures are counts and shares only: nothing here may name a tipster, and small counts are hidden where
they are shown, their evidence with them (bot.digest.small).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlmodel.ext.asyncio.session import AsyncSession

PlaceKind = Literal["group", "area", "ward"]
Unit = Literal["count", "share", "days"]


@dataclass(frozen=True, order=True)
class Place:
    kind: PlaceKind
    id: int  # Group.id, Area.id, or the ward's code


@dataclass(frozen=True, order=True)
class Missing:
    """Something a place owed that left no record to name (a periodic report never sent): the place that owed it
    (a group, within an area's or the ward's figure) and when it was due."""

    place: Place
    due: datetime


@dataclass(frozen=True)
class Figure:
    value: float  # a count, a share in [0, 1], or a number of days (the measure's unit)
    numerator: int | None = None  # for a share: what was counted ...
    denominator: int | None = None  # ... out of how many
    source: str = ""  # the table the records come from, e.g. "pledge_signature"
    record_ids: tuple[int, ...] = field(default=())  # the records counted (empty for anonymous counts)
    # Counted, but with no record to name: what was due, and when.
    missing: tuple[Missing, ...] = field(default=())


# (session, ward_code, start, end) -> {place: figure}; start inclusive, end exclusive, both aware UTC datetimes
FigureFn = Callable[[AsyncSession, int, datetime, datetime], Awaitable[dict[Place, Figure]]]


@dataclass(frozen=True)
class YearFigure:
    name: str  # "<feature>.<measure>", e.g. "pledges.signed_share"; criteria refer to figures by this name
    label: str  # an N_() string, translated when shown
    unit: Unit
    order: int
    fn: FigureFn
