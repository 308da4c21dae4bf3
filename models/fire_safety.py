"""Household fire safety (PCCC, issue 19): the ward's choices and advice, the yearly household checklists, the
"tổ liên gia an toàn PCCC" and the public fire points with their monthly checks.

Households are referred to by id without a foreign key: a group admin may remove a household from the list, and
its fire-safety history stays on the ward's record (like a pledge signature keeps its address).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import timestamp


class FireSafetyWard(SQLModel, table=True):
    """What a ward uses: the household checklist (on unless turned off) and liên gia teams (off unless turned on)."""

    __tablename__ = "fire_safety_ward"
    ward_code: int = Field(foreign_key="ward.code", primary_key=True)
    checklist_enabled: bool = True
    teams_enabled: bool = False
    updated_by: int | None = None
    updated_at: datetime = timestamp()


class FireSafetyAdvice(SQLModel, table=True):
    """The ward's own advice for one checklist item, replacing the shipped (translated) default."""

    __tablename__ = "fire_safety_advice"
    __table_args__ = (UniqueConstraint("ward_code", "item"),)
    id: int | None = Field(default=None, primary_key=True)
    ward_code: int = Field(foreign_key="ward.code", index=True)
    item: str  # a checklist item's key (handlers/firesafety/texts.py ITEMS)
    text: str
    updated_by: int | None = None
    updated_at: datetime = timestamp()


class FireSafetyChecklist(SQLModel, table=True):
    """A household's fire-safety checklist of one year. Signing again replaces it: the old row stays as history
    (`replaced_at`), and at most one row per household and year is current (`current_key`)."""

    __tablename__ = "fire_safety_checklist"
    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(index=True)  # no foreign key: see the module docstring
    group_id: int = Field(foreign_key="community_group.id", index=True)
    address: str  # the household as signed
    year: int = Field(index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)  # None after /forget
    has_extinguisher: bool
    extinguisher_expires_on: date | None = None  # None: no extinguisher, or its date is not known
    smoke_alarm: bool
    escape_route_clear: bool
    electrical_checked: bool
    gas: str  # "checked" | "unchecked" | "none" (no gas in the house)
    has_shop: bool
    second_exit: bool | None = None  # asked only of houses with a shop
    signed_at: datetime = timestamp()
    replaced_at: datetime | None = None
    # "<household>:<year>" while current, NULL once replaced: a unique column both databases enforce.
    current_key: str | None = Field(default=None, unique=True)


class FireSafetyTeam(SQLModel, table=True):
    """A "tổ liên gia an toàn PCCC": 5–10 neighbouring households of a group, led by a member of one of them."""

    __tablename__ = "fire_safety_team"
    id: int | None = Field(default=None, primary_key=True)
    ward_code: int = Field(foreign_key="ward.code", index=True)
    group_id: int = Field(foreign_key="community_group.id", index=True)
    name: str
    leader_household_id: int
    leader_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    created_by: int | None = None
    created_at: datetime = timestamp()
    retired_at: datetime | None = None


class FireSafetyTeamHousehold(SQLModel, table=True):
    """A household of a liên gia team; a household is in one team at a time."""

    __tablename__ = "fire_safety_team_household"
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="fire_safety_team.id", index=True)
    household_id: int = Field(unique=True)


class FirePoint(SQLModel, table=True):
    """A public fire point ("điểm chữa cháy công cộng") of an area, what it holds, and who keeps it."""

    __tablename__ = "fire_point"
    id: int | None = Field(default=None, primary_key=True)
    ward_code: int = Field(foreign_key="ward.code", index=True)
    area_id: int = Field(foreign_key="area.id", index=True)
    place: str
    holds: str
    keeper_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    created_by: int | None = None
    created_at: datetime = timestamp()
    retired_at: datetime | None = None


class FirePointCheck(SQLModel, table=True):
    """A keeper's monthly check of a fire point: all in order, or what needs repair."""

    __tablename__ = "fire_point_check"
    id: int | None = Field(default=None, primary_key=True)
    point_id: int = Field(foreign_key="fire_point.id", index=True)
    month: str = Field(index=True)  # "2027-01", the ward's local month
    ok: bool
    note: str | None = None
    checked_by: int | None = None
    checked_at: datetime = timestamp()
