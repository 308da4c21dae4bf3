"""The place hierarchy: province → ward (xã/phường/đặc khu) → residential area → self-managed group → household."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import timestamp


class Province(SQLModel, table=True):
    __tablename__ = "province"
    code: int = Field(primary_key=True)
    name: str  # full name as shown, e.g. "Tỉnh Đồng Tháp", "Thành phố Hà Nội"
    name_folded: str = Field(index=True)


class Ward(SQLModel, table=True):
    """A commune-level unit (3,321 since July 2025), keyed by its official code."""

    __tablename__ = "ward"
    code: int = Field(primary_key=True)
    province_code: int = Field(foreign_key="province.code", index=True)
    name: str  # e.g. "Phường Cao Lãnh"
    kind: str  # "xã" | "phường" | "đặc khu"
    name_folded: str = Field(index=True)


class Area(SQLModel, table=True):
    """A residential area (thôn, tổ dân phố, khóm, ấp, bản) created by the ward."""

    __tablename__ = "area"
    id: int | None = Field(default=None, primary_key=True)
    ward_code: int = Field(foreign_key="ward.code", index=True)
    name: str
    name_folded: str = Field(index=True)
    created_at: datetime = timestamp()
    # Retired areas keep their rows (groups, grants, reports and pledges still point at them) but leave every picker.
    retired_at: datetime | None = None


class Group(SQLModel, table=True):
    """A self-managed group (Tổ Nhân dân tự quản) of 10–40 households, led by a group admin."""

    __tablename__ = "community_group"
    id: int | None = Field(default=None, primary_key=True)
    area_id: int = Field(foreign_key="area.id", index=True)
    ward_code: int = Field(foreign_key="ward.code", index=True)  # denormalised: ward-wide queries stay simple
    name: str
    name_folded: str = Field(index=True)
    created_at: datetime = timestamp()
    retired_at: datetime | None = None  # see Area.retired_at


class Household(SQLModel, table=True):
    """A household (hộ gia đình) of a group: the unit that signs the yearly pledge."""

    __tablename__ = "household"
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="community_group.id", index=True)
    address: str
    head_name: str
    members_count: int = 1
    created_at: datetime = timestamp()


class GroupJoin(SQLModel, table=True):
    """A person who joined a group by its reusable join link (an Invite with max_uses). The unique pair is what
    keeps one person from using the same link twice, however many chat apps they write from at once."""

    __tablename__ = "group_join"
    __table_args__ = (UniqueConstraint("invite_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    invite_id: int = Field(foreign_key="invite.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    group_id: int = Field(foreign_key="community_group.id", index=True)
    joined_at: datetime = timestamp()
