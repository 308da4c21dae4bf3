"""Conversation state of multi-step flows, and the ledger of platform updates already handled."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from models.base import json_column, timestamp


class ConversationState(SQLModel, table=True):
    """Where one conversation stands. Keyed by a keyed hash of (channel, chat, user): no platform id is stored."""

    __tablename__ = "conversation_state"
    key: str = Field(primary_key=True)
    locale: str | None = None  # chosen before consent, when no person exists yet
    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = json_column()
    history: list[str] = json_column([])
    choices: list[dict[str, str]] = json_column([])  # the choices last offered, so "2" or a label resolves
    updated_at: datetime = timestamp()
    expires_at: datetime | None = Field(default=None, index=True)


class ProcessedUpdate(SQLModel, table=True):
    """An inbound update already accepted, so a platform's redelivery is handled once."""

    __tablename__ = "processed_update"
    channel: str = Field(primary_key=True)
    update_key: str = Field(primary_key=True)
    seen_at: datetime = timestamp()
