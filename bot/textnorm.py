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
    """True when every word of the query appears as a word prefix in the folded candidate; a number only as that
    whole number ("1" is Tổ 1, not Tổ 10 to Tổ 19; "to1" is "to 1")."""
    words = _numbers_apart(candidate_folded).split()
    return all(
        any(w == q if q.isdigit() else w.startswith(q) for w in words)
        for q in _numbers_apart(fold(query)).split()
    )


_NUMBER_EDGE = re.compile(r"(?<=[^\d\s])(?=\d)|(?<=\d)(?=[^\d\s])")
_BETWEEN_LETTERS = re.compile(r"(?<=[^\W\d_]) (?=[^\W\d_])")


def _numbers_apart(folded: str) -> str:
    """Numbers stood apart from the letters beside them ("to01" → "to 1"), leading zeros dropped."""
    if not any(ch.isdigit() for ch in folded):
        return folded  # most names: nothing to do (matched against every ward of the country)
    return " ".join(
        (w.lstrip("0") or "0") if w.isdigit() else w for w in _NUMBER_EDGE.sub(" ", folded).split()
    )


def place_key(name: str) -> str:
    """What two names of one place have in common when a list typed by hand writes it twice, or a person types it:
    they differ only in accents, case, punctuation, spacing ("Khu vực2", "Tổ dânphố 1") or a number's leading
    zeros ("Tổ 01"). "Tổ 1" and "Tổ 10", "Tổ 1A" and "Tổ 1B", "Tổ 12" and "Tổ 1 2" stay apart."""
    return _BETWEEN_LETTERS.sub("", _numbers_apart(fold(name)))
