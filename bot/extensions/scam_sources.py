"""Where the scam check (/kiemtra) looks: routers declare sources of known scam identifiers and texts
(`router.scam_source(...)`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession


@dataclass(frozen=True)
class Query:
    ward_code: int
    province_code: int
    words: tuple[str, ...]  # folded words of the pasted text
    phones: tuple[str, ...]  # normalised "+84…" numbers found in it
    domains: tuple[str, ...]  # registrable domains of links found in it
    accounts: tuple[str, ...]  # bank account numbers (digits) found in it


@dataclass(frozen=True)
class Match:
    source: str  # "alert" | "tip" | ...
    summary: str  # translated, safe to show a resident (never a tipster's identity)
    matched: str  # what matched (a phone, a domain, words)
    score: float


SourceFn = Callable[[AsyncSession, Query], Awaitable[list[Match]]]
