"""One-time codes that link a second chat account to a person, or a group chat to a group or a ward's police."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.base import timestamp


class LinkCode(SQLModel, table=True):
    """Only the code's keyed hash is kept; a code works once, for a few minutes."""

    __tablename__ = "link_code"
    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(unique=True, index=True)
    purpose: str  # "identity" | "community" | "police"
    person_id: int = Field(foreign_key="person.id", index=True)
    ward_code: int | None = Field(default=None, foreign_key="ward.code")
    group_id: int | None = Field(default=None, foreign_key="community_group.id")
    created_at: datetime = timestamp()
    expires_at: datetime = Field(index=True)
    used_at: datetime | None = None
