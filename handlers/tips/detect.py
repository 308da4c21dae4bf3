"""Seeing a tip's receipt code in free text ("mã của em là k7qm 4hxa 93td rwpc"), so /tracuu runs on it at once.

Declared as the detector of the `tip_lookup` intent (handlers/tips/intents.toml); see bot/core/intents.py.
"""

from __future__ import annotations

import re

from bot.security import CODE_ALPHABET, normalize_code

FOUND = 4.0  # more than any phrase: a code is what /tracuu needs, whatever words come with it
PART = 3.0  # a strong phrase's weight: something printed like a code but short of one (half of it, a slip)

_ANY = "[0-9A-Za-z]{4}"
# Four groups of four, each separator "-" or " ", used the same way throughout, or sixteen together; not inside a
# longer word.
_CODE = re.compile(
    rf"(?<![0-9A-Za-z])(?:{_ANY}(?P<sep>[- ]){_ANY}(?P=sep){_ANY}(?P=sep){_ANY}|{_ANY * 4})(?![0-9A-Za-z])"
)
# Dash-separated groups of capitals and digits, eight or more in all ("K7QM-2PXD", "AD-R2M8WX"): how a code looks
# when a person copied part of it, misread it or remembers it wrongly; /tracuu then says politely that no tip has it.
_PART = re.compile(r"(?<![0-9A-Za-z-])[0-9A-Z]{2,8}(?:-[0-9A-Z]{2,8}){1,3}(?![0-9A-Za-z-])")
PART_LEAST = 8  # letters and digits: "SH-125" or "F0-F1" are something else
_DIGIT = re.compile(r"\d")
_OWN = frozenset(CODE_ALPHABET)
_LETTER = re.compile(r"[A-Za-z]")


def receipt_code(text: str) -> float | tuple[float, str]:
    """(FOUND, the code normalised) when the text holds a receipt code, (PART, it) when it holds part of one as
    codes are printed, else 0."""
    for match in _CODE.finditer(text):
        raw = match.group(0)
        # A code almost always mixes letters and digits; four short words of those letters separated by spaces
        # ("nhan tham chua thua") are ordinary Vietnamese unless typed in capitals as codes are printed.
        if not _LETTER.search(raw):
            continue  # a run of digits is a phone or an account number
        if match.group("sep") == " " and not _DIGIT.search(raw) and not raw.isupper():
            continue
        code = normalize_code(raw)
        # Letters outside the code's alphabet: a person misread "Q" as "0" or typed "l" for "1", and /tracuu then
        # says politely that no tip has it. Such a code still mixes letters and digits in every group; words
        # ("ngay kiem 500k cong") and a bank transfer's reference ("FT24123456789012") do not.
        if not set(code) - {"-"} <= _OWN and not all(
            _DIGIT.search(group) and _LETTER.search(group) for group in code.split("-")
        ):
            continue
        return FOUND, code
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
