"""The durable outbox: one row per message to push to one chat, drained by the rate-limited sender; and every
attempt to deliver a row, per recipient (which channel and kind was tried, and what came of it)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from models.base import json_column, timestamp


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a sender; reclaimed if the claim expires
    SENT = "sent"
    FAILED = "failed"  # permanent failure, reason in `error`
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # recipient unreachable or opted out when its turn came
    # A reply or notice to one person that Zalo refused because the person has not written for a while (the
    # OA's window): kept until they write again, then sent (bot.delivery.held).
    HELD = "held"


class Priority:
    URGENT = 0
    IMPORTANT = 10
    NOTICE = 20  # replies and notices to one person
    ROUTINE = 30  # digests, reminders, information-level alerts


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"
    # The sender's queue order (status, then urgent first, then oldest), with not_before read from the index
    # itself: a claim walks it in order and stops after a handful, however many rows wait.
    __table_args__ = (Index("ix_outbox_queue", "status", "priority", "id", "not_before"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str  # "alert" | "reminder" | "digest" | "tip_notice" | "reply" | ...
    priority: int = Priority.ROUTINE
    person_id: int | None = Field(default=None, index=True)
    channel: str | None = None
    chat_id: str | None = None
    # For anonymous tipsters: channel and chat sealed with the server key instead of the two fields above.
    sealed_route: str | None = None
    linked_chat_id: int | None = None
    # How the current route is used (bot.delivery.reach): "message", "cs" (Zalo OA consultation), "promotion"
    # (Zalo OA promotion), "zns" (Zalo Notification Service by phone) or "group"; None for rows written
    # before there was a choice, read as the channel's ordinary message.
    via: str | None = None
    payload: dict[str, Any] = json_column()  # a rendered Reply (see bot.core.replies)
    status: str = Field(default=OutboxStatus.PENDING, index=True)
    not_before: datetime = timestamp()
    attempts: int = 0
    claimed_by: str | None = None
    claimed_until: datetime | None = None
    sent_at: datetime | None = None
    platform_message_id: str | None = None
    error: str | None = None
    dedupe_key: str | None = Field(default=None, unique=True)
    source_kind: str | None = Field(default=None, index=True)
    source_id: str | None = Field(default=None, index=True)
    created_at: datetime = timestamp()


class DeliveryAttempt(SQLModel, table=True):
    """One try of one outbox row on one route, and its outcome: the trail of how a person was (not) reached.

    `person_id` is empty for sealed rows (an anonymous tipster): nothing here may tie them to a person.
    """

    __tablename__ = "delivery_attempt"
    __table_args__ = (
        Index("ix_delivery_attempt_source", "source_kind", "source_id"),
        Index("ix_delivery_attempt_person_via", "person_id", "via", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    outbox_id: int = Field(index=True)
    person_id: int | None = None
    linked_chat_id: int | None = None
    source_kind: str | None = None
    source_id: str | None = None
    channel: str | None = None
    via: str | None = None
    outcome: str  # "sent" | "unreachable" | "failed" | "retry" | "held" | "quota" | "no_route"
    error: str | None = None
    at: datetime = timestamp()
