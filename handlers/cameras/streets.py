"""Which street an address typed in the chat names, so that a camera known by its address only is matched with
the place the police type by its street ("số 12 Nguyễn Huệ" and "10 nguyen hue"), never by words any two
addresses of a ward share ("số", "đường", "Nguyễn"): a wrong match sends a police request to a household that
could not have seen anything.

The street is the words after the house number (or after "đường"/"phố", or the words typed alone), without the
words around it ("nhà", "trước", "đầu hẻm", "gần chợ"), accents optional. An alley's number ("hẻm 7", "kiệt 12",
"ngõ 5", "12/5" for house 5 of alley 12) is kept apart: two addresses that name different alleys are not the same
place. A word that marks a place ("đường", "ngõ") is only taken as such with its own accents or with none:
"Ngô Quyền" is a street, "ngõ 5" an alley.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Parts of one address that name different places: "ngã tư Trần Phú - Lý Thường Kiệt", "12 Lê Lợi, khóm 2".
_PARTS = re.compile(r"[,;()]|\s+[-–—]+\s*|\s*[-–—]+\s+|\s+và\s+")
_TOKEN = re.compile(r"[^\W_]+(?:/[^\W_]+)*")
_AREA_CODE = re.compile(r"(?:p|f|q|kp|to|khom|ap)\d+")  # "P4", "KP2", "tổ3" typed as one word
_NUMBER = re.compile(r"k?\d+[a-z]?(?:/\d+[a-z]?)*")  # "12", "12a", "12/5", "k12/5" (kiệt 12 in Đà Nẵng)

ALLEY = ("hẻm", "kiệt", "ngõ", "ngách", "hxh")
STREET = ("đường", "phố", "đ", "đại lộ")
# Around the street's name, before it: what the place is or where near it ("nhà số 14", "trước cổng").
BEFORE = (
    "số", "nhà", "số nhà", "trước", "đầu", "cuối", "gần", "cạnh", "đối diện", "góc", "ngã ba", "ngã tư",
    "ngã năm", "bên", "tại", "ở", "khu vực", "quanh", "phía", "mặt tiền", "ngay", "cổng", "sau", "giữa",
    "trên", "dưới", "chỗ", "đoạn", "khúc", "vỉa hè", "the", "in", "at", "near", "no",
)  # fmt: skip
# ... and after it, where the name ends ("Lê Lợi gần chợ"); a house or alley number after it too ("Lê Lợi số 5",
# "Lê Lợi hẻm 7"), while "Kiệt" alone is a word of "Lý Thường Kiệt".
AFTER = (
    "gần", "cạnh", "đối diện", "trước", "sau", "phía", "bên", "ngay", "cách", "quay", "hướng", "nhìn", "giữa",
    "góc", "chỗ", "đoạn",
)  # fmt: skip
NUMBERED = ("số", "nhà", "số nhà", *ALLEY, *STREET)
# Administrative places: a part that starts with one names no street ("phường Cao Lãnh"); after a street's name
# one ends it ("Lê Lợi phường 4"). Those that are also words of street names ("Tổ", "Ấp Bắc") count only before a
# number ("tổ 3", "ấp 2").
AREA = (
    "phường",
    "xã",
    "quận",
    "huyện",
    "tỉnh",
    "thành phố",
    "tp",
    "thị xã",
    "thị trấn",
    "khu phố",
    "kp",
    "tdp",
)
AREA_NUMBERED = (
    "khóm",
    "tổ",
    "ấp",
    "thôn",
    "khu",
    "tổ dân phố",
    "bản",
    "xóm",
    "phường",
    "quận",
    "p",
    "f",
    "q",
)


@dataclass(frozen=True)
class Street:
    names: frozenset[tuple[str, ...]]  # each street named, as words without accents ("le", "loi")
    alleys: frozenset[str]  # the alleys named, by number ("7")


def _bare(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _is(token: str, word: str) -> bool:
    """The typed token is `word` (given with its accents): with the same accents, or typed without any."""
    return token == word or (token == _bare(token) and token == _bare(word))


def _starts(tokens: list[str], at: int, words: tuple[str, ...]) -> int:
    """How many tokens from `at` say one of `words` (each one word or several), the longest; 0 for none."""
    best = 0
    for phrase in words:
        parts = phrase.split()
        if len(parts) > best and all(
            at + i < len(tokens) and _is(tokens[at + i], p) for i, p in enumerate(parts)
        ):
            best = len(parts)
    return best


def _before_number(tokens: list[str], at: int, words: tuple[str, ...]) -> int:
    """How many tokens from `at` say one of `words` right before a number ("hẻm 7", "tổ 3"); 0 otherwise."""
    n = _starts(tokens, at, words)
    return n if n and at + n < len(tokens) and _number(tokens[at + n]) else 0


def _number(token: str) -> bool:
    return _NUMBER.fullmatch(_bare(token)) is not None


def _alley_of(token: str) -> str | None:
    """The alley a house number names: "12/5" is house 5 of alley 12, "k12" kiệt 12."""
    bare = _bare(token)
    first = bare.split("/")[0]
    if "/" in bare or bare.startswith("k"):
        return first.removeprefix("k")
    return None


def _part(tokens: list[str], names: set[tuple[str, ...]], alleys: set[str]) -> None:
    name: list[str] = []
    ended = False  # the street's name is read: what follows may still name its alley ("Lê Lợi hẻm 7")
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if n := _before_number(tokens, i, ALLEY):
            alleys.add(_bare(tokens[i + n]).split("/")[0].removeprefix("k"))
            i += n + 1
            continue
        if _number(token):
            if (alley := _alley_of(token)) is not None:
                alleys.add(alley)
            ended = ended or bool(name)
            i += 1
            continue
        if ended:
            i += 1
            continue
        if name:
            if (
                _starts(tokens, i, AFTER)
                or _starts(tokens, i, AREA)
                or _before_number(tokens, i, AREA_NUMBERED)
                or _before_number(tokens, i, NUMBERED)
                or _AREA_CODE.fullmatch(_bare(token))
            ):
                ended = True
                continue
            name.append(_bare(token))
            i += 1
            continue
        if n := _starts(tokens, i, STREET):
            j = i + n + (1 if i + n < len(tokens) and _is(tokens[i + n], "số") else 0)
            if j < len(tokens) and _number(tokens[j]):
                name, ended = ["duong", _bare(tokens[j])], True  # a street named by a number: "đường số 3"
                i = j + 1
                continue
            i += n
            continue
        if n := _before_number(tokens, i, AREA_NUMBERED):
            i += n + 1
            continue
        if _starts(tokens, i, AREA) or _AREA_CODE.fullmatch(_bare(token)):
            break  # "phường Cao Lãnh": the ward, not a street
        if n := _starts(tokens, i, BEFORE):
            i += n
            continue
        name.append(_bare(token))
        i += 1
    if len(name) > 1 or (name and len(name[0]) > 2 and not name[0].isdigit()):
        names.add(tuple(name))  # not a stray letter ("P.4" typed as "P 4") that would match any other


def street_of(address: str) -> Street:
    """The streets and alleys an address names ("nhà số 14 hẻm 7 đường Lê Lợi": Lê Lợi, alley 7)."""
    names: set[tuple[str, ...]] = set()
    alleys: set[str] = set()
    text = unicodedata.normalize("NFC", address.lower())
    for part in _PARTS.split(text):
        _part(_TOKEN.findall(part), names, alleys)
    return Street(frozenset(names), frozenset(alleys))


def _same_name(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    # "Lê Lợi" in "Lê Lợi nối dài"; a single word ("Nguyễn") is never enough.
    return len(short) >= 2 and any(
        long[i : i + len(short)] == short for i in range(len(long) - len(short) + 1)
    )


def same_street(a: Street, b: Street) -> bool:
    """Whether two addresses name one street (and, where both name an alley of it, the same alley)."""
    if a.alleys and b.alleys and not a.alleys & b.alleys:
        return False
    return any(_same_name(x, y) for x in a.names for y in b.names)
