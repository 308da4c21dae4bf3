"""A person's name as typed at a step that asks for one: one rule for every form (a pledge's signer, a tipster who
gives their name, a mediation's applicant, a resident asking to join a household).

A name is letters (a hyphen, an apostrophe or the dot of an initial inside a word), no digits, within a length; a
full name has two words or more ("Nguyễn Văn An"; Vietnamese full names always do). What people type when a question
is not one they want to answer ("ok", "có", "không", "cảm ơn", "ẩn danh", 👍) is not a name, whatever its letters:
"ok" must not stand in a mediation book or under a pledge. Words that are yes or no only without their accents
("vang" for "vâng", "Vàng" a given name) are refused only when typed without accents.
"""

from __future__ import annotations

import re

from bot.core.typed import NO, PARTICLES, YES, says_nothing
from bot.textnorm import fold

LONGEST = 80
_WORD = re.compile(r"[^\W\d_]+(?:[-'’.][^\W\d_]*)*")
# Said instead of a name: greetings, thanks, refusals (compared folded, typed without accents; a pronoun alone only
# with its accents below: folded, "mình" is Minh, a name) ...
NOT_NAMES_FOLDED = frozenset(
    "xin chao|chao|chao ban|chao ad|alo|hello|hi|cam on|cam on ban|thanks|thank you|an danh|"
    "anonymous|bi mat|khong biet|ko biet|k biet|khong muon|ko muon|khong noi|no name|ten toi|ho ten|ten|"
    "name|full name|test|abc|asdf".split("|")
)
# ... and with their accents, the same words as written.
NOT_NAMES = frozenset(
    "xin chào|chào|chào bạn|cảm ơn|cám ơn|tôi|em|mình|ẩn danh|bí mật|không biết|không muốn|không nói|tên tôi|"
    "họ tên|tên|ừ|ừm|dạ|vâng".split("|")
)


def person_name(text: str, *, full: bool = False, longest: int = LONGEST) -> str | None:
    """The name typed, spaces tidied; None when it is not one (see the module's doc). `full`: two words or more."""
    name = " ".join(text.split()).strip(" ,;:!?")
    words = name.split()
    if not 2 <= len(name) <= longest or (full and len(words) < 2):
        return None
    if not all(_WORD.fullmatch(word) for word in words):
        return None
    return None if said_instead(name) else name


def said_instead(name: str) -> bool:
    """Whether `name` is a word said instead of a name: a yes, a no, an assent, a greeting, thanks."""
    words = name.lower().rstrip(".").split()
    while len(words) > 1 and words[-1] in PARTICLES:  # "ok ạ", "không nhé"
        words.pop()
    said = " ".join(words)
    if said.isascii():
        return says_nothing(said) or fold(said) in NOT_NAMES_FOLDED
    return said in YES or said in NO or said in NOT_NAMES
