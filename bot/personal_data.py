"""What each feature holds about a person: it registers how to export it and how to erase it (/me, /forget)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from models import Person

ExportFn = Callable[[AsyncSession, Person], Awaitable[dict[str, Any]]]
# Erase what may be erased; return translated notes about what must be kept and why.
EraseFn = Callable[[AsyncSession, Person], Awaitable[list[str]]]


@dataclass(frozen=True)
class Provider:
    name: str
    export: ExportFn
    erase: EraseFn


PROVIDERS: list[Provider] = []


def register(name: str, export: ExportFn, erase: EraseFn) -> None:
    if any(p.name == name for p in PROVIDERS):
        return  # importing a handler module twice must not register twice
    PROVIDERS.append(Provider(name, export, erase))
