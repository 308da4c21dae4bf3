"""Leases: which process does something only one process may do at a time (polling a bot for updates)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class PollLease(SQLModel, table=True):
    """The process that polls one bot, until `expires_at` unless it renews the lease first. No person, no chat:
    the name says which bot ("telegram:<bot id>"), the holder which process (host, pid, a random tag)."""

    __tablename__ = "poll_lease"
    name: str = Field(primary_key=True)
    holder: str
    expires_at: datetime
