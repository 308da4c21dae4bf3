"""Tips to the ward police (tin báo, tố giác): the tip, its files, its exchanges, the sealed reply route, rate counters.

Anonymity is structural: an anonymous Tip row has no person, identity, group, chat or channel. The only way back
to an anonymous tipster is a TipRoute row holding the (channel, chat) pair sealed with the server key, which is
destroyed when the tip closes. The receipt code is kept only as a salted scrypt hash.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from models.base import json_column, timestamp


class TipStatus:
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    VERIFYING = "verifying"
    TRANSFERRED = "transferred"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"

    OPEN = (NEW, ACKNOWLEDGED, VERIFYING)
    CLOSED = (TRANSFERRED, RESOLVED, DISMISSED)


class Tip(SQLModel, table=True):
    """One tip. Content columns are emptied by the retention job; category, ward, dates and outcome stay as statistics."""

    __tablename__ = "tip"
    id: int | None = Field(default=None, primary_key=True)
    ward_code: int = Field(foreign_key="ward.code", index=True)
    category: str = Field(index=True)
    status: str = Field(default=TipStatus.NEW, index=True)
    anonymous: bool = True
    may_reply: bool = (
        False  # an anonymous tipster allowed replies through the bot (a TipRoute exists while open)
    )
    # Named tips only (tố giác): the person chose to be known to the ward police.
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    reporter_name: str | None = None
    reporter_phone: str | None = None
    # What, where, when.
    text: str | None = None
    place_text: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    occurred: str | None = None  # "now" | "today" | "often" | "YYYY-MM-DD" | "unknown"
    indicators: list[str] = json_column(
        []
    )  # phones ("+84…") and domains found in the text, for the scam check
    # Receipt code: found through a short keyed bucket, then verified with the slow hash.
    receipt_bucket: str | None = Field(default=None, index=True)
    receipt_salt: str | None = None
    receipt_hash: str | None = None
    # Handling and legal clocks.
    assigned_to: int | None = Field(default=None, foreign_key="person.id")
    received_at: datetime = timestamp()
    receipt_due_at: datetime
    acknowledged_at: datetime | None = None
    # The ward police's own deadline to transfer the tip (art. 145), fixed at receipt like the notice's.
    transfer_due_at: datetime | None = None
    # The investigating body's decision deadline (art. 147): shown as information; after a transfer it runs from
    # the transfer, and an extension the ward police were told of is recorded with who told them (the reason).
    decision_due_at: datetime
    extended_at: datetime | None = None
    extension_reason: str | None = None
    closed_at: datetime | None = Field(default=None, index=True)
    outcome_reason: str | None = None
    purged_at: datetime | None = None


class TipAttachment(SQLModel, table=True):
    """A photo, file or voice note: the copy police see (metadata stripped) and the encrypted original."""

    __tablename__ = "tip_attachment"
    id: int | None = Field(default=None, primary_key=True)
    tip_id: int = Field(foreign_key="tip.id", index=True)
    kind: str  # "photo" | "file" | "voice" | "video"
    police_ref: str  # media: reference of the copy shown to police
    original_ref: str  # media: reference of the original, released only on an audited request
    mime_type: str
    size: int
    stripped: bool = False  # whether metadata could be removed from the police copy
    added_at: datetime = timestamp()


class TipMessage(SQLModel, table=True):
    """An exchange on a tip: police replies and questions, notices, information the tipster added later."""

    __tablename__ = "tip_message"
    id: int | None = Field(default=None, primary_key=True)
    tip_id: int = Field(foreign_key="tip.id", index=True)
    direction: str  # "police" | "tipster"
    kind: str  # "notice" | "reply" | "ask" | "status" | "info"
    text: str
    author_person_id: int | None = None  # the officer; never set for the tipster
    detail: dict[str, Any] = json_column()
    at: datetime = timestamp()


class TipRoute(SQLModel, table=True):
    """The sealed way back to an anonymous tipster. Only the sender can open it; destroyed when the tip closes."""

    __tablename__ = "tip_route"
    id: int | None = Field(default=None, primary_key=True)
    tip_id: int = Field(foreign_key="tip.id", unique=True)
    sealed: str
    locale: str = "vi"
    created_at: datetime = timestamp()


class TipRateCounter(SQLModel, table=True):
    """Tips sent per person and day, keyed by a keyed hash that cannot be reversed to the person."""

    __tablename__ = "tip_rate"
    key: str = Field(primary_key=True)
    day: str = Field(index=True)  # local date, so old counters can be dropped
    count: int = 0
