"""Alerts about criminal methods: the alert, the places it targets, residents' acknowledgements, scam identifiers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import timestamp


class AlertStatus:
    SCHEDULED = "scheduled"  # waits for the release tick
    SENT = "sent"  # its deliveries were written to the outbox
    CANCELLED = "cancelled"  # withdrawn before release


class Alert(SQLModel, table=True):
    """One warning written by a group admin (for their group) or by the ward police (ward, areas or groups)."""

    __tablename__ = "alert"
    id: int | None = Field(default=None, primary_key=True)
    ward_code: int = Field(foreign_key="ward.code", index=True)
    province_code: int = Field(index=True)  # denormalised: the scam check searches a whole province
    # No foreign key: the alert is a record of the ward and outlives its author's account (see erase).
    author_person_id: int | None = Field(default=None, index=True)
    author_role: str  # "police" | "group_admin"
    issuer: str  # the place that speaks, e.g. "Phường Cao Lãnh" or "Tổ 3, Khóm 2"
    category: str  # scam | theft | drugs | fire | traffic | other
    severity: str  # urgent | important | info
    title: str
    body: str
    photo_ref: str | None = None  # "media:<id>"
    link: str | None = None
    watch_for: str = ""  # the identifiers as the author typed them, one per line, shown in the message
    search_folded: str  # folded title and body, for accent-insensitive search
    scope: str  # "ward" | "areas" | "groups"
    verification_code: str | None = Field(default=None, unique=True)  # police alerts only
    status: str = Field(default=AlertStatus.SENT, index=True)
    send_at: datetime
    released_at: datetime | None = None
    created_at: datetime = timestamp()


class AlertTarget(SQLModel, table=True):
    """An area or a group an alert is meant for (none for a ward-wide alert)."""

    __tablename__ = "alert_target"
    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    area_id: int | None = Field(default=None, foreign_key="area.id", index=True)
    group_id: int | None = Field(default=None, foreign_key="community_group.id", index=True)


class AlertAck(SQLModel, table=True):
    """ "I have read this": one per person and alert, counted under the group the person belonged to."""

    __tablename__ = "alert_ack"
    __table_args__ = (UniqueConstraint("alert_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    person_id: int = Field(index=True)
    group_id: int | None = Field(default=None, index=True)
    at: datetime = timestamp()


class AlertIdentifier(SQLModel, table=True):
    """A phone number, account number, link domain or account name criminals use, normalised for matching."""

    __tablename__ = "alert_identifier"
    __table_args__ = (Index("ix_alert_identifier_lookup", "kind", "value", "province_code"),)
    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    kind: str  # "phone" (+84…) | "account" (digits) | "domain" | "name" (folded)
    value: str
    province_code: int
