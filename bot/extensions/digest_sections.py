"""What a feature contributes to the weekly digest, declared on its router (`router.digest_section(...)`,
`router.digest_column(...)`); the digest builder (bot/digest) assembles them.

A section function is called inside the recipient's locale and returns translated lines and raw figures; a
group-column function returns one figure per group of a ward for the police table, computed with set-based SQL
(one query for the whole ward, never a loop over groups).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession


@dataclass(frozen=True)
class Scope:
    ward_code: int
    group_id: int | None  # None: the whole ward
    audience: str  # "resident" | "group_admin" | "police"


@dataclass
class Section:
    title: str
    lines: list[str] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)


SectionFn = Callable[[AsyncSession, Scope, datetime, datetime], Awaitable[Section | None]]
# (session, ward_code, start, end) -> {group_id: value}
GroupColumnFn = Callable[[AsyncSession, int, datetime, datetime], Awaitable[dict[int, float | str]]]


@dataclass(frozen=True)
class Registered:
    name: str
    order: int
    fn: SectionFn


@dataclass(frozen=True)
class Column:
    name: str
    order: int
    header: str  # an N_() string, translated when shown
    fn: GroupColumnFn
