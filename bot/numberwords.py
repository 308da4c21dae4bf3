"""Whole numbers said in words, as people type them to a form that asks for a count, a number of days or a day:
"mười lăm" (15), "hai mươi mốt" (21), "ba lăm" (35, as it is said), "một trăm linh năm" (105), "four". Read once
here for every form: a camera's days kept, mediation's "mười lăm ngày nữa", a report's "ba hộ".

Words are folded (bot.textnorm.fold) before they are read; a caller that knows the words were typed with their
accents may also use ACCENTED, where "bà" (grandmother) is no three and "tầm" (about) no eight."""

from __future__ import annotations

from collections.abc import Sequence

# Folded. "tư" (four, as in "hai mươi tư") folds to "tu", which is also "từ" (from): a caller reading one word alone
# decides whether it may be a number where it stands.
VIETNAMESE_DIGITS = {
    "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9,
}  # fmt: skip
ENGLISH_DIGITS = {
    "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9,
}  # fmt: skip
DIGITS = VIETNAMESE_DIGITS | ENGLISH_DIGITS
# As typed with accents: one word from one to ten.
ACCENTED = {
    "một": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8, "chín": 9,
    "mười": 10,
}  # fmt: skip
# Every word of a number as typed with accents: a word typed with other accents is another word ("tầm", "bà").
SPOKEN = frozenset(ACCENTED) | frozenset("mươi trăm linh lẻ mốt lăm nhăm".split())
TEN = frozenset(("muoi", "ten"))
HUNDRED = "tram"
_UNITS_AFTER_TENS = frozenset(
    ("mot", "tu", "lam", "nham")
)  # "hai mốt", "ba tư", "ba lăm": "mươi" left unsaid
_FIVE = frozenset(("lam", "nham"))  # "mười lăm", "hai mươi lăm": five after a ten
_ENGLISH_ONE = frozenset(("a", "an", "one"))
LONGEST = 6  # words of the longest number read: "chín trăm chín mươi chín" is five


def may_be_number(typed: str, folded: str) -> bool:
    """Whether a word as typed may be a word of a number: typed without accents, or with a number's own."""
    return typed == folded or typed in SPOKEN


def number_in_words(said: Sequence[str]) -> int | None:
    """The whole number below 1,000 that these folded words say, all of them and nothing else, or one number in
    digits ("12"); None for anything else."""
    said = list(said)
    if len(said) == 1 and said[0].isdigit():
        return int(said[0])
    if HUNDRED in said:
        if said.index(HUNDRED) != 1 or not 1 <= DIGITS.get(said[0], 0) <= 9:
            return None
        hundreds, rest = DIGITS[said[0]] * 100, said[2:]
        if rest[:1] in (["linh"], ["le"]):
            return hundreds + DIGITS[rest[1]] if len(rest) == 2 and rest[1] in DIGITS else None
        below = _below_hundred(rest) if rest else 0
        return None if below is None else hundreds + below
    return _below_hundred(said) if said else None


def _below_hundred(said: list[str]) -> int | None:
    if len(said) == 1:
        return 10 if said[0] in TEN else DIGITS.get(said[0])
    if said[0] == "muoi":
        tens, rest = 1, said[1:]
    elif len(said) >= 2 and said[1] == "muoi" and 2 <= DIGITS.get(said[0], 0) <= 9:
        tens, rest = DIGITS[said[0]], said[2:]
    elif len(said) == 2 and 2 <= DIGITS.get(said[0], 0) <= 9 and said[1] in _UNITS_AFTER_TENS:
        tens, rest = DIGITS[said[0]], said[1:]
    else:
        return None
    if not rest:
        return tens * 10
    if len(rest) != 1:
        return None
    unit = 5 if rest[0] in _FIVE else DIGITS.get(rest[0])
    return None if unit is None or not 1 <= unit <= 9 or rest[0] in _ENGLISH_ONE else tens * 10 + unit


def number_before(
    folded: Sequence[str], end: int, typed: Sequence[str] | None = None, *, least: int = 1
) -> tuple[int, int] | None:
    """(the number, where its words begin) said by the words just before `end` (folded; at least `least` of
    them), the longest reading first: "mười lăm" before "ngày" is 15, not 5. Given the words as `typed`, a word
    typed with accents that are not a number's is none ("tầm mười": about ten, not eighty)."""
    for start in range(max(0, end - LONGEST), end - least + 1):
        if typed is not None and not all(map(may_be_number, typed[start:end], folded[start:end])):
            continue
        number = number_in_words(folded[start:end])
        if number is not None:
            return number, start
    return None
