"""People, the channel identities they reach us from, the roles they hold in places, and their consent."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import timestamp


class Role(StrEnum):
    RESIDENT = "resident"
    GROUP_ADMIN = "group_admin"
    AREA_LEADER = "area_leader"
    MEDIATOR = "mediator"
    MEDIATION_HEAD = "mediation_head"
    POLICE = "police"
    WARD_ADMIN = "ward_admin"


class Person(SQLModel, table=True):
    """Someone who consented to use the bot. Nothing about a person exists before consent."""

    __tablename__ = "person"
    id: int | None = Field(default=None, primary_key=True)
    display_name: str | None = None
    locale: str = "vi"
    consented_at: datetime
    consent_version: str
    preferred_identity_id: int | None = None  # where pushed messages go; the latest identity when unset
    digest_enabled: bool = True
    mute_info_alerts: bool = False
    created_at: datetime = timestamp()


class ChannelIdentity(SQLModel, table=True):
    """One way to reach a person: a platform user and the private chat with them."""

    __tablename__ = "channel_identity"
    # The sender looks recipients up by chat (reachable? which conversation?) for every batch it sends.
    __table_args__ = (
        UniqueConstraint("channel", "external_user_id"),
        Index("ix_channel_identity_chat", "chat_id", "channel"),
    )
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    channel: str  # "web" | "telegram" | "zalo_bot" | "zalo_oa"
    external_user_id: str
    chat_id: str
    last_interaction_at: datetime | None = None
    unreachable_at: datetime | None = None
    unreachable_reason: str | None = None
    created_at: datetime = timestamp()


class RoleGrant(SQLModel, table=True):
    """A role held in a place: always scoped to a ward, and to an area or group where the role needs it."""

    __tablename__ = "role_grant"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str = Field(index=True)
    ward_code: int = Field(foreign_key="ward.code", index=True)
    area_id: int | None = Field(default=None, foreign_key="area.id", index=True)
    group_id: int | None = Field(default=None, foreign_key="community_group.id", index=True)
    granted_by: int | None = None
    granted_at: datetime = timestamp()
    revoked_at: datetime | None = None


class LinkedChat(SQLModel, table=True):
    """A platform group chat linked to a self-managed group (or to a ward's police), for pushed messages."""

    __tablename__ = "linked_chat"
    __table_args__ = (UniqueConstraint("channel", "chat_id"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str
    chat_id: str
    purpose: str = "community"  # "community" | "police"
    ward_code: int = Field(foreign_key="ward.code", index=True)
    group_id: int | None = Field(default=None, foreign_key="community_group.id", index=True)
    linked_by: int | None = None
    linked_at: datetime = timestamp()
    unreachable_at: datetime | None = None
