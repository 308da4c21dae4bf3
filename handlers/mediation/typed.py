"""How a mediation request's answers typed in words are read: the people of a dispute with their contacts ("Nguyễn
Văn Ba - 0912 345 678"), not knowing the other side's name ("ko biết tên"), words that end the list ("ok", "gửi",
"hết rồi"), and urgency ("gấp lắm", "không gấp lắm"). The steps that use them are handlers/mediation/flows/request.py.
"""

from __future__ import annotations

import re

from bot.core.typed import PARTICLES, read_it, yes_or_no
from bot.core.wording import says_any, words
from bot.textnorm import fold

# Said where a name is asked by someone who does not know it ("không biết tên"): not a party's name.
UNKNOWN_NAME = frozenset(
    "khong biet|ko biet|k biet|kh biet|khong ro|ko ro|chua biet|khong biet ten|ko biet ten|k biet ten|"
    "khong biet ho ten|chua biet ten|khong nho|ko nho|khong nho ten|dont know|don t know|i don t know|"
    "i dont know|unknown|no idea|not sure".split("|")
)
_SPLIT = re.compile(r"\s+[-–—]\s+|\s*[:;,(]\s*")  # names never hold these: what follows is a contact


def split_parties(text: str) -> list[tuple[str, str | None]]:
    """ "Nguyễn Văn Ba - 0912 345 678" → ("Nguyễn Văn Ba", "0912 345 678"); one person per line."""
    found = []
    for line in text.splitlines():
        line = line.strip(" \t•-*")
        if not line:
            continue
        parts = _SPLIT.split(line, maxsplit=1)
        name = parts[0].strip()
        contact = parts[1].strip(" )") if len(parts) > 1 and parts[1].strip(" )") else None
        found.append((name[:80], contact[:120] if contact else None))
    return found


def no_name(text: str) -> bool:
    """ "không", "ko biết tên", "I don't know": a person who cannot name the other side, not a name."""
    words = re.sub(r"[^\w\s]", " ", fold(text)).split()
    while len(words) > 1 and words[-1] in PARTICLES:
        words.pop()
    return yes_or_no(text) is False or " ".join(words) in UNKNOWN_NAME


# Typed under the list of people so far: the list is complete (folded, alone).
DONE_WORDS = frozenset(
    "gui|gui di|xong|xong roi|het|het roi|vay thoi|the thoi|chi vay|vay do|done|send|that's all".split("|")
)


def said_done(text: str) -> bool:
    """ "ok", "có", "gửi", "hết rồi": words that end the list of people, never a person's name."""
    return read_it(text) or fold(text.strip(" .!")) in DONE_WORDS


# How urgency is typed instead of pressed ("gấp lắm", "hơi gấp", "căng lắm rồi"), in folded words; with a "not"
# among the words it is no ("không gấp lắm", "chưa căng").
URGENCY = ("gap", "khan cap", "cang thang", "cang lam", "cang qua", "nghiem trong", "urgent", "asap")
NOT_SO = frozenset(("khong", "chua", "not", "no", "hong"))


def typed_urgency(text: str) -> bool | None:
    said = words(text)
    if not says_any(said, URGENCY):
        return None
    return not NOT_SO & set(said)
