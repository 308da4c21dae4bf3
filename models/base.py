"""Shared column helpers for the SQLModel tables."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import JSON, Column
from sqlmodel import Field

from bot import clock

F = TypeVar("F", bound=Callable[[], Any])


def _factory(fn: F) -> F:
    """A default factory with its signature given up front. pydantic asks every default factory's signature
    each time it builds an object (to see whether it wants the validated data): `inspect.signature` of a builtin
    such as `dict` fails slowly and of a plain function takes ~20 µs, four times per ConversationState. A
    precomputed `__signature__` answers at once."""
    setattr(fn, "__signature__", inspect.Signature())  # noqa: B010 - a function attribute mypy does not know
    return fn


@_factory
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
    factory = _factory((lambda: {}) if default is None else (lambda: type(default)(default)))
    return Field(default_factory=factory, sa_column=Column(JSON, nullable=False))
