"""Everyday problems reported to the ward ("phản ánh, kiến nghị"): a broken street light, rubbish by the canal,
an alley blocked every night. Not crimes: those are tips (models/tips.py).

A report is named by default. One sent without a name follows the tips' rules: the row holds no person, group,
chat or channel; the reporter follows it with a receipt code kept only as a salted scrypt hash, and progress
reaches them (when they asked for it) only through a sealed route row, destroyed when the report is closed.
Duplicates are merged into one report: the duplicate keeps its reporter and points at the report it joined, so
each reporter is told when the problem is fixed.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.base import timestamp


class ProblemStatus(StrEnum):
    OPEN = "open"  # received, nobody handles it yet
    ASSIGNED = "assigned"  # a group leader sees to it
    PASSED = "passed"  # passed to an office (electricity, sanitation, the ward's works office...)
    FIXED = "fixed"  # closed with a sentence the reporters see
    MERGED = "merged"  # a duplicate: follows the report it was merged into


OPEN_STATUSES = (ProblemStatus.OPEN, ProblemStatus.ASSIGNED, ProblemStatus.PASSED)


class Problem(SQLModel, table=True):
    """One report. Content stays after closing: it is about a public place, not about the reporter."""

    __tablename__ = "problem"
    id: int | None = Field(default=None, primary_key=True)
    ward_code: int = Field(foreign_key="ward.code", index=True)
    # Where the problem is: the reporter's residential area when they have one (an area is hundreds of
    # households: it points at a lane, not at a person). The group only for named reports.
    area_id: int | None = Field(default=None, foreign_key="area.id", index=True)
    group_id: int | None = Field(default=None, foreign_key="community_group.id", index=True)
    category: str = Field(index=True)
    text: str
    place_text: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    anonymous: bool = False
    wants_progress: bool = True
    # Named reports only: who sent it (None once they erase their data, or for an anonymous report).
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    # Anonymous reports only: the receipt code, found through a short keyed bucket, verified with the slow hash.
    receipt_bucket: str | None = Field(default=None, index=True)
    receipt_salt: str | None = None
    receipt_hash: str | None = None
    status: str = Field(default=ProblemStatus.OPEN, index=True)
    merged_into: int | None = Field(default=None, foreign_key="problem.id", index=True)
    assigned_to: int | None = Field(default=None, foreign_key="person.id", index=True)  # a group leader
    passed_to: str | None = None  # the office it was passed to, as the ward admin wrote it
    closing_note: str | None = None  # the sentence every reporter sees when it is fixed
    created_at: datetime = timestamp()
    closed_at: datetime | None = Field(default=None, index=True)


class ProblemPhoto(SQLModel, table=True):
    """A photo of the problem, cleaned of its metadata (place, device, author) and stored encrypted."""

    __tablename__ = "problem_photo"
    id: int | None = Field(default=None, primary_key=True)
    problem_id: int = Field(foreign_key="problem.id", index=True)
    ref: str  # media reference of the cleaned copy (bot/media.py)
    mime_type: str
    size: int
    added_at: datetime = timestamp()


class ProblemRoute(SQLModel, table=True):
    """The sealed way back to an anonymous reporter who asked to hear of progress; destroyed when it is closed."""

    __tablename__ = "problem_route"
    id: int | None = Field(default=None, primary_key=True)
    problem_id: int = Field(foreign_key="problem.id", unique=True)
    sealed: str
    locale: str = "vi"
    created_at: datetime = timestamp()


class ProblemRateCounter(SQLModel, table=True):
    """Reports sent per person and day, under a keyed hash that cannot be turned back into the person."""

    __tablename__ = "problem_rate"
    key: str = Field(primary_key=True)
    day: str = Field(index=True)  # local date, so old counters can be dropped
    count: int = 0
