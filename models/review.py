"""The year in review (issue 19): the criteria a ward applies to its groups, areas and itself (Thông tư
124/2021/TT-BCA by default), their versioned texts, what people enter where An Dân holds no data, each place's
rating from draft to final decision, and the households and people proposed for recognition."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import json_column, timestamp


class ReviewCriterion(SQLModel, table=True):
    """One criterion of one ward's year for one kind of place ("group", "area", "ward", "organisation").

    Its measure is a figure a feature declares (`figure`, compared with `threshold` by `comparison`) or, when
    `figure` is None, a yes/no a person enters (the group leader proposes, the police confirm)."""

    __tablename__ = "review_criterion"
    __table_args__ = (UniqueConstraint("ward_code", "year", "place_kind", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    ward_code: int = Field(foreign_key="ward.code", index=True)
    year: int = Field(index=True)
    place_kind: str  # "group" | "area" | "ward" | "organisation"
    key: str  # stable within a year, e.g. "area.1" (criterion 1 for residential areas)
    position: int = 0
    legal_ref: str = ""  # where the criterion comes from, e.g. "Thông tư 124/2021/TT-BCA, tiêu chí 1"
    figure: str | None = None  # a year figure's name; None: entered by a person
    comparison: str = ">="  # ">=" | "<="
    threshold: float | None = None
    required: bool = True  # False: a place with no data for the figure (nothing happened) meets it
    created_at: datetime = timestamp()


class ReviewCriterionText(SQLModel, table=True):
    """A frozen text of a criterion: an edit adds a version, the file shows the latest, the old ones stay."""

    __tablename__ = "review_criterion_text"
    __table_args__ = (UniqueConstraint("criterion_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    criterion_id: int = Field(foreign_key="review_criterion.id", index=True)
    number: int
    text: str
    created_by: int | None = None  # person id; None for the shipped text, and after /xoadulieu
    created_at: datetime = timestamp()


class ReviewEntry(SQLModel, table=True):
    """A criterion entered by people for one place: the group leader (or police) proposes met / not met with a
    note, the police confirm or reject with a note. Every change is also written to the audit log."""

    __tablename__ = "review_entry"
    __table_args__ = (UniqueConstraint("criterion_id", "place_kind", "place_id"),)

    id: int | None = Field(default=None, primary_key=True)
    criterion_id: int = Field(foreign_key="review_criterion.id", index=True)
    ward_code: int = Field(foreign_key="ward.code", index=True)
    place_kind: str
    place_id: int  # Group.id, Area.id or the ward's code
    met: bool
    note: str = ""
    proposed_by: int | None = None
    proposed_at: datetime = timestamp()
    confirmed: bool | None = None  # None: waiting for the police
    confirm_note: str = ""
    confirmed_by: int | None = None
    confirmed_at: datetime | None = None


class ReviewRating(SQLModel, table=True):
    """A place's rating of one year: the draft computed when it was shown to its leaders, who saw it and what they
    said, the police's proposal and the ward admin's final decision (only once the draft was seen)."""

    __tablename__ = "review_rating"
    __table_args__ = (UniqueConstraint("ward_code", "year", "place_kind", "place_id"),)

    id: int | None = Field(default=None, primary_key=True)
    ward_code: int = Field(foreign_key="ward.code", index=True)
    year: int
    place_kind: str  # "group" (graded) | "area" | "ward" (meets the standard or not)
    place_id: int
    draft_grade: str | None = None  # as shown to the leaders
    draft_reasons: list[str] = json_column([])
    shown_at: datetime | None = None
    seen_at: datetime | None = None  # the first time a leader of the place opened the draft
    seen_by: int | None = None
    comment: str = ""
    commented_by: int | None = None
    commented_at: datetime | None = None
    proposed_grade: str | None = None
    proposed_note: str = ""
    proposed_by: int | None = None
    proposed_at: datetime | None = None
    final_grade: str | None = None
    final_note: str = ""
    decided_by: int | None = None
    decided_at: datetime | None = None


class ReviewNomination(SQLModel, table=True):
    """A household or a person a group leader proposes for recognition in the year's file."""

    __tablename__ = "review_nomination"

    id: int | None = Field(default=None, primary_key=True)
    ward_code: int = Field(foreign_key="ward.code", index=True)
    year: int
    group_id: int = Field(foreign_key="community_group.id", index=True)
    household_id: int | None = Field(default=None, foreign_key="household.id")
    name: str  # the household's head or the person, as the leader wrote it
    reason: str
    proposed_by: int | None = None
    proposed_at: datetime = timestamp()
