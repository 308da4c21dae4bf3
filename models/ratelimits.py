"""Abuse-limit counters: how often one client network (or chat account) did something in one time window."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class RateCounter(SQLModel, table=True):
    """One count in one fixed window. The key is a keyed hash of (limit, client, window start): a row holds no
    address, no platform id and no content, and is purged once its window is over."""

    __tablename__ = "rate_limit"
    key: str = Field(primary_key=True)
    window_end: datetime = Field(index=True)
    count: int = 0
