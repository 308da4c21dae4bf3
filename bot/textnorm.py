"""Accent-insensitive text folding and matching, for names residents type without diacritics."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]")


def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics (đ → d), drop punctuation, collapse spaces."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", _PUNCT.sub(" ", bare.lower())).strip()


def strip_accents(text: str) -> str:
    """The text as typed on a keyboard without Vietnamese accents (đ → d), case and punctuation kept."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def matches(query: str, candidate_folded: str) -> bool:
    """True when every word of the query appears as a word prefix in the folded candidate."""
    words = candidate_folded.split()
    return all(any(w.startswith(q) for w in words) for q in fold(query).split())
