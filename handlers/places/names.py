"""How a place's name is written, wherever it is made: the chat's "Thêm tổ" and "Thêm khu vực" (/diaban) and the
import of the ward office's list (handlers/places/sheet.py). Which names are one place is bot.textnorm.place_key."""

from __future__ import annotations

import re

from bot.textnorm import strip_accents

# The kinds of places a ward names with a number ("Tổ 7", "Khóm 5", "Tổ dân phố 3"), as typed without accents.
KINDS = {
    strip_accents(written).lower(): written
    for written in (
        "Tổ dân phố",
        "Tổ",
        "Khóm",
        "Khu phố",
        "Khu vực",
        "Khu",
        "Thôn",
        "Ấp",
        "Xóm",
        "Bản",
        "Buôn",
        "Làng",
        "Sóc",
        "Phum",
        "Liên gia",
    )
}
NUMBERED = re.compile(r"(?P<kind>[a-z ]+?)\s*(?P<number>\d+[a-z]?)", re.IGNORECASE)


def written(name: str) -> str:
    """The name as the ward writes it: "to 7" typed without accents is "Tổ 7", "khom 5" "Khóm 5", "TO 8a" "Tổ 8A"
    (as the examples and the other groups are written). Any other name, or one typed with accents, stays as typed."""
    found = NUMBERED.fullmatch(name)
    if found is None or strip_accents(name) != name:
        return name
    kind = KINDS.get(" ".join(found["kind"].lower().split()))
    return f"{kind} {found['number'].upper()}" if kind else name


def kind_of(name: str) -> str | None:
    """The kind a numbered name is written with ("Tổ dân phố" of "Tổ dân phố 3", "Khóm" of "khom 5"), if any."""
    found = NUMBERED.fullmatch(strip_accents(name))
    return KINDS.get(" ".join(found["kind"].lower().split())) if found else None


def numbered(typed: str, siblings: list[str], default: str | None) -> str | None:
    """A bare number typed as a name ("3", "3a": on Zalo, where numbers are what one types) written as its
    siblings are ("Tổ 3" beside "Tổ 1" and "Tổ 2"), else with `default`; None when it is not a bare number, or
    when there is no kind to give it (the ward's first area: "3" says nothing of Khu phố, Thôn or Tổ dân phố)."""
    if not re.fullmatch(r"\d+[a-zA-Z]?", typed):
        return None
    kinds = {kind_of(name) for name in siblings}
    kind = kinds.pop() if len(kinds) == 1 else default
    return f"{kind} {typed.upper()}" if kind else None
