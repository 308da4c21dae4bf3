"""Seeing a tip's receipt code in free text ("mã của em là k7qm 4hxa 93td rwpc"), so /tracuu runs on it at once.

Declared as the detector of the `tip_lookup` intent (handlers/tips/intents.toml); see bot/core/intents.py.
"""

from __future__ import annotations

import re

from bot.security import CODE_ALPHABET, normalize_code

FOUND = 4.0  # more than any phrase: a code is what /tracuu needs, whatever words come with it
PART = 3.0  # a strong phrase's weight: something printed like a code but short of one (half of it, a slip)

_ANY = "[0-9A-Za-z]{4}"
# Between groups a dash or a dot (spaces around it allowed), spaces, or nothing, mixed as a person copies a code
# from paper ("qk7m3xac-9pwe-4hdr", "QK7M 3XAC-9PWE 4HDR"); tabs and spaces only, never a line break.
_SEP = r"(?:[ \t]*[-.][ \t]*|[ \t]+)?"
# Four groups of four, not inside a longer word nor joined to one by a dash or a dot. Searched at every word's
# start (a lookahead), so "code R2VD-8YKF-Q6NA-T3WL" still finds the code after a word of four letters.
_CODE = re.compile(
    rf"(?<![0-9A-Za-z])(?<![0-9A-Za-z][-.])(?=({_ANY}{_SEP}{_ANY}{_SEP}{_ANY}{_SEP}{_ANY})(?![0-9A-Za-z])"
    r"(?![-.][0-9A-Za-z]))"
)
_SPACE = re.compile(r"[ \t]")
_NOT_CODE = re.compile(r"[^0-9A-Za-z]")
# Dash-separated groups of capitals and digits, eight or more in all ("K7QM-2PXD", "AD-R2M8WX"): how a code looks
# when a person copied part of it, misread it or remembers it wrongly; /tracuu then says politely that no tip has it.
_PART = re.compile(r"(?<![0-9A-Za-z-])[0-9A-Z]{2,8}(?:-[0-9A-Z]{2,8}){1,3}(?![0-9A-Za-z-])")
PART_LEAST = 8  # letters and digits: "SH-125" or "F0-F1" are something else
_DIGIT = re.compile(r"\d")
CODE_GROUPS = 4
_OWN = frozenset(CODE_ALPHABET)
_LETTER = re.compile(r"[A-Za-z]")


def receipt_code(text: str) -> float | tuple[float, str]:
    """(FOUND, the code normalised) when the text holds a receipt code, (PART, it) when it holds part of one as
    codes are printed, else 0."""
    found = [raw for raw in (match.group(1) for match in _CODE.finditer(text)) if could_be_code(raw)]
    if found:
        # A word of four letters beside the code ("nhan K7QM 3XAC 9PWE 4HDR") makes a second reading: the one with
        # more groups holding a digit is the code (the first, when they tie).
        return FOUND, normalize_code(max(found, key=groups_with_digits))
    for match in _PART.finditer(text):
        groups = match.group(0).split("-")
        # Every group of a code almost always has a letter; a number plate's ("59X1-2345") or a mediation case's
        # number ("HG-2026-0001") does not.
        if (
            sum(len(group) for group in groups) >= PART_LEAST
            and _DIGIT.search(match.group(0))
            and all(_LETTER.search(group) for group in groups)
        ):
            return PART, match.group(0)
    return 0.0


def could_be_code(raw: str) -> bool:
    """Whether four groups of four read in a text are a code, not words or a number."""
    # A code almost always mixes letters and digits; four short words of those letters separated by spaces
    # ("nhan tham chua thua") are ordinary Vietnamese unless typed in capitals as codes are printed.
    if not _LETTER.search(raw):
        return False  # a run of digits is a phone or an account number
    if _SPACE.search(raw) and not _DIGIT.search(raw) and not raw.isupper():
        return False
    # Letters outside the code's alphabet, as typed: a person misread "Q" as "0" (read back as Q) or typed "l"
    # for "1", and /tracuu then says politely that no tip has it. Such a code still mixes letters and digits in
    # every group; words ("ngay kiem 500k cong") and a bank transfer's reference ("FT24123456789012") do not.
    bare = _NOT_CODE.sub("", raw).upper()
    return (
        set(bare) <= _OWN
        or groups_with_digits(raw) == CODE_GROUPS
        and all(_LETTER.search(group) for group in _groups(bare))
    )


def groups_with_digits(raw: str) -> int:
    return sum(1 for group in _groups(_NOT_CODE.sub("", raw)) if _DIGIT.search(group))


def _groups(bare: str) -> list[str]:
    return [bare[i : i + 4] for i in range(0, len(bare), 4)]
