"""Grassroots mediation (Luật Hòa giải ở cơ sở 2013): cases, their parties, proposed sessions, the timestamped
history of each case, and the relatives mediators declare so that nobody mediates a dispute of their own family."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel

from models.base import json_column, timestamp


class CaseStatus(StrEnum):
    RECEIVED = "received"  # waiting for a mediator
    ASSIGNED = "assigned"
    SCHEDULED = "scheduled"  # a session is proposed or confirmed
    REOPENED = "reopened"  # an agreement was reported broken; back with its mediator
    AGREED = "agreed"  # hòa giải thành
    NOT_AGREED = "not_agreed"  # hòa giải không thành
    WITHDRAWN = "withdrawn"


OPEN_STATUSES = (CaseStatus.RECEIVED, CaseStatus.ASSIGNED, CaseStatus.SCHEDULED, CaseStatus.REOPENED)
CLOSED_STATUSES = (CaseStatus.AGREED, CaseStatus.NOT_AGREED, CaseStatus.WITHDRAWN)


class MediationCase(SQLModel, table=True):
    """One dispute brought to the mediation group of a residential area; a line of its mediation book."""

    __tablename__ = "mediation_case"
    id: int | None = Field(default=None, primary_key=True)
    number: str | None = Field(default=None, unique=True)  # "HG-2026-0007", shown to the requester
    ward_code: int = Field(foreign_key="ward.code", index=True)
    area_id: int | None = Field(default=None, foreign_key="area.id", index=True)
    group_id: int | None = Field(default=None, foreign_key="community_group.id", index=True)
    requester_id: int | None = Field(default=None, foreign_key="person.id", index=True)  # None once erased
    requester_name: str
    kind: str  # neighbours | land | noise | family | debt | other
    description: str
    urgent: bool = False
    preferred_times: str | None = None
    private: bool = False  # art. 21: mediated in private, as the parties wish
    status: str = Field(default=CaseStatus.RECEIVED, index=True)
    mediator_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    mediator_name: str | None = None  # as it stands in the book when the mediator was assigned
    assigned_at: datetime | None = None
    agreement: str | None = None  # summary of the agreement (hòa giải thành)
    next_steps: str | None = None  # where the parties can go (hòa giải không thành)
    closed_at: datetime | None = Field(default=None, index=True)
    followup_due_at: datetime | None = Field(default=None, index=True)
    followup_sent_at: datetime | None = None
    followup_answer: str | None = None  # "kept" | "broken"
    reopened_count: int = 0
    created_at: datetime = timestamp()


class MediationParty(SQLModel, table=True):
    """Someone in the dispute: the requester (role "requester") or another party they named."""

    __tablename__ = "mediation_party"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="mediation_case.id", index=True)
    role: str = "other"  # "requester" | "other"
    name: str
    name_folded: str = Field(index=True)
    contact: str | None = None  # how to reach them, as the requester wrote it
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)  # when they use the bot
    # A single-use code the mediator hands to this party so they can follow the case in the bot (hash only).
    invite_hash: str | None = Field(default=None, unique=True)
    invite_expires_at: datetime | None = None


class MediationSession(SQLModel, table=True):
    """A meeting the mediator proposes; parties who use the bot confirm it or ask for another time."""

    __tablename__ = "mediation_session"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="mediation_case.id", index=True)
    starts_at: datetime = Field(index=True)
    place: str
    status: str = Field(default="proposed", index=True)  # proposed | confirmed | replaced | cancelled
    responses: dict[str, Any] = (
        json_column()
    )  # person id → {"answer": "yes" | "change", "note": ..., "at": ...}
    proposed_by: int | None = None
    reminded_day_at: datetime | None = None
    reminded_hours_at: datetime | None = None
    created_at: datetime = timestamp()


class MediationEvent(SQLModel, table=True):
    """One timestamped line of a case's history (received, assigned, conflict declared, session, outcome...)."""

    __tablename__ = "mediation_event"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="mediation_case.id", index=True)
    at: datetime = timestamp()
    actor_id: int | None = Field(default=None, index=True)
    action: str = Field(index=True)
    note: str | None = None


class MediatorRelative(SQLModel, table=True):
    """A relative a mediator declared: cases where this name is a party are not offered to them (art. 18)."""

    __tablename__ = "mediator_relative"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    name: str
    name_folded: str
    created_at: datetime = timestamp()
