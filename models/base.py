"""Shared column helpers for the SQLModel tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field

from bot import clock


def utcnow() -> datetime:
    return clock.now()


def timestamp() -> Any:
    """A non-null aware-UTC column defaulting to now (use for created_at, updated_at, ...)."""
    return Field(default_factory=utcnow, nullable=False)


def pk(row: Any) -> int:
    """The primary key of a row that has been flushed (SQLModel types it `int | None` until then)."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id yet: flush the session first")
    return int(row.id)


def json_column(default: Any = None) -> Any:
    """A JSON column (dict or list) that works on SQLite and PostgreSQL."""
    factory = dict if default is None else (lambda: type(default)(default))
    return Field(default_factory=factory, sa_column=Column(JSON, nullable=False))
