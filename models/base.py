"""Shared column helpers for the SQLModel tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field

from bot import clock


def utcnow() -> datetime:
    return clock.now()


def created_at() -> Any:
    return Field(default_factory=utcnow, nullable=False)


def json_column(default: Any = None) -> Any:
    """A JSON column (dict or list) that works on SQLite and PostgreSQL."""
    factory = dict if default is None else (lambda: type(default)(default))
    return Field(default_factory=factory, sa_column=Column(JSON, nullable=False))
