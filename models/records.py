"""Invites, consent records and the audit log of sensitive actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from models.base import json_column, timestamp


class Invite(SQLModel, table=True):
    """An expiring, revocable invitation to take a role in a place. Only the code's hash is kept.

    Single use (max_uses None: used_at/used_by say who took it), or a group's reusable join link (max_uses set:
    `uses` counts the people who joined, each recorded once in group_join)."""

    __tablename__ = "invite"
    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(unique=True, index=True)
    role: str
    ward_code: int = Field(foreign_key="ward.code", index=True)
    area_id: int | None = Field(default=None, foreign_key="area.id")
    group_id: int | None = Field(default=None, foreign_key="community_group.id")
    created_by: int | None = None  # person id; None when made from the command line
    created_at: datetime = timestamp()
    expires_at: datetime
    used_at: datetime | None = None
    used_by: int | None = None
    revoked_at: datetime | None = None
    max_uses: int | None = None
    uses: int = 0


class ConsentRecord(SQLModel, table=True):
    """Proof of informed consent (Law 91/2025): which notice version, when, in which language."""

    __tablename__ = "consent_record"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    version: str
    locale: str
    given_at: datetime = timestamp()
    withdrawn_at: datetime | None = None


class AuditEntry(SQLModel, table=True):
    """Who did what to which sensitive record. Never holds an anonymous tipster's identity."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = timestamp()
    actor_person_id: int | None = Field(default=None, index=True)
    action: str = Field(index=True)
    target_kind: str
    target_id: str | None = None
    ward_code: int | None = Field(default=None, index=True)
    detail: dict[str, Any] = json_column()
