"""How a typed message becomes the words the intent reader compares (bot/core/intents.py): lower case, links left
out, chat shorthand expanded to the words it stands for ("ko" → "không", "cs" → "công an"), letters Vietnamese does
not write read for their sound ("wá" → "quá"), accents kept apart from the letters (a message typed without any
leaves every word's accents open), and a word nobody knows split into known words typed together ("chaynha")."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from bot.textnorm import fold

ACCENTED = 0.4  # the share of Vietnamese words with accents above which a message counts as typed with them
STRICT = "="  # a phrase written "=đang cháy" is strict about accents ("dang chay" may be "đang chạy")
LONGEST_SYLLABLE = 7  # "nghiêng" folded

Words = tuple[str, ...]  # a phrase: its words, lower case, accents as the data file writes them
Token = tuple[str, str | None]  # a word folded, and its accents ("" none, None unknown: typed without any)

# Chat shorthand residents type, expanded before matching (both sides), to the words they stand for with their
# accents (in a message typed with accents, "cháy oy" is "cháy rồi"). Only unambiguous ones: "ca" (công an / ca
# hát), "bt" (biết / bình thường), "ck" (chuyển khoản / chồng) or "v" (vậy / và) would mislead more often than help.
# Keys without accents are looked up by the word without accents only when it was typed without any ("hông" is
# "không", "hỏng" is not).
ABBREVIATIONS = {
    "ko": "không",
    "k": "không",
    "kh": "không",
    "khg": "không",
    "kg": "không",
    "kô": "không",
    "hok": "không",
    "hk": "không",
    "hong": "không",
    "hông": "không",
    "hem": "không",
    "khum": "không",
    "hum": "hôm",
    "dc": "được",
    "đc": "được",
    "dk": "được",
    "đk": "được",
    "dag": "đang",
    "đag": "đang",
    "dg": "đang",
    "đg": "đang",
    "cs": "công an",
    "csgt": "công an giao thông",
    "cand": "công an nhân dân",
    "sdt": "số điện thoại",
    "sđt": "số điện thoại",
    "dt": "điện thoại",
    "đt": "điện thoại",
    "dth": "điện thoại",
    "stk": "số tài khoản",
    "tk": "tài khoản",
    "ck": "chuyển khoản",
    "tn": "tin nhắn",
    "ntin": "nhắn tin",
    "kt": "kiểm tra",
    "ktra": "kiểm tra",
    "j": "gì",
    "ntn": "như thế nào",
    "vs": "với",
    "ng": "người",
    "ngta": "người ta",
    "mn": "mọi người",
    "mng": "mọi người",
    "mk": "mình",
    "mik": "mình",
    "t": "tôi",
    "lm": "làm",
    "r": "rồi",
    "oy": "rồi",
    "rùi": "rồi",
    "rầu": "rồi",
    "trc": "trước",
    "ms": "mới",
    "bik": "biết",
    "bjt": "biết",
    "bít": "biết",
    "mún": "muốn",
    "nhìu": "nhiều",
    "thui": "thôi",
    "ns": "nói",
    "ik": "đi",
    "cx": "cũng",
    "cg": "cũng",
    "z": "vậy",
    "zậy": "vậy",
    "dzậy": "vậy",
    "vk": "vợ",
    "bh": "bao giờ",
    "bjo": "bây giờ",
    "bgio": "bây giờ",
    "gd": "gia đình",
    "gđ": "gia đình",
    "kp": "khu phố",
    "tdp": "tổ dân phố",
    "fb": "facebook",
    "zl": "zalo",
    "ctv": "cộng tác viên",
    "pls": "please",
    "plz": "please",
}
# Letters Vietnamese does not write, typed for the sound ("wá" quá, "fải" phải, "jờ" giờ, "zô" vô): read back only
# on a word that writes Vietnamese accents, where it cannot be English ("win", "fan" stay as they are).
SOUNDED = {"w": "qu", "f": "ph", "j": "gi", "z": "v"}

DIGIT = re.compile(r"\d")
# Laughter typed as emoji or emoticons ("😂", "🤣", "=))", ":))"): read as the word "haha", so that it can speak
# against danger and the model can learn it (a run of them is one laugh).
LAUGHTER = re.compile(
    r"(?:[\U0001F602\U0001F923\U0001F606\U0001F605\U0001F601\U0001F604\U0001F639]|[=:]\)\)+)+"
)
WORD = re.compile(r"\w+")
HELD_LETTER = re.compile(r"(\w)\1+")
LINK = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|\S+\.(?:com|net|org|vn|info|xyz|top|cc|vip|shop|online|me|ly|io|co|site|club|store|app|link|live|pro|asia|biz)"
    r"(?![\w-])\S*"
)
# A Vietnamese syllable without its accents. A typed word that is one ("thiet", "thuong") is a word of its own, not
# a typo of another ("thief", "truong"): typos almost always make a word that does not exist.
SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?"
)


@lru_cache(maxsize=8192)
def accents_of(word: str) -> str:
    """The accents of a word regardless of where they sit ("hoà" and "hòa" agree), "" when it has none."""
    marks = sorted(ch for ch in unicodedata.normalize("NFD", word) if unicodedata.combining(ch))
    if "đ" in word:
        marks.append("đ")
    return "".join(marks)


@lru_cache(maxsize=8192)
def expand(word: str) -> tuple[tuple[str, str | None, bool], ...]:
    """One typed word (lower case) → the words it stands for, each folded, with its accents ("" for none) and
    whether it came from shorthand (whose accents nobody typed: they do not make a message one typed with
    accents)."""
    marks = accents_of(word)
    folded = fold(word).replace(" ", "")
    long = ABBREVIATIONS.get(word) or (ABBREVIATIONS.get(folded) if not marks else None)
    if long is None and marks and word[:1] in SOUNDED:
        sounded = SOUNDED[word[:1]] + word[1:]
        if SYLLABLE.fullmatch(fold(sounded)):
            long = sounded
    if long is not None:
        return tuple((fold(each), accents_of(each), True) for each in long.split())
    return ((folded, marks, False),) if folded else ()


def tokens_of(text: str) -> list[Token]:
    """A message's words. In a message typed without accents a word may have been meant with any: its accents
    are unknown (None). In one typed with accents, a word without any has none ("con" is not "cơn"), and a word of
    shorthand has the accents of what it stands for ("oy" is "rồi").
    Links are left out: "…/tra-cuu" in a pasted link is not the person asking to look something up."""
    words_ = [
        t
        for w in WORD.findall(
            LAUGHTER.sub(" haha ", LINK.sub(" ", unicodedata.normalize("NFC", text.lower())))
        )
        for t in expand(w)
    ]
    marked = sum(1 for _folded, marks, short in words_ if marks and not short)
    syllables = sum(1 for folded, accents_of, short in words_ if not short and SYLLABLE.fullmatch(folded))
    if marked and marked >= ACCENTED * syllables:
        return [(folded, marks) for folded, marks, _short in words_]
    return [(folded, (marks if not short else None) or None) for folded, marks, short in words_]


def compiled(words_: Words) -> tuple[tuple[Token, ...], bool]:
    """A phrase's words as the reader compares them, and whether it is strict about accents. A strict phrase wants
    its words as written, a word written without accents too: "=ngay" (right away) is not "ngày" (day) typed
    with its accents, though it may be "ngay" typed in a message without any."""
    strict = bool(words_) and words_[0] == STRICT
    if not strict:
        return phrase_tokens(words_), strict
    return tuple((folded, marks or "") for folded, marks in phrase_tokens(words_[1:])), strict


def phrase_tokens(words_: Iterable[str]) -> tuple[Token, ...]:
    """A phrase's words. When the phrase writes accents, a word it writes without them has none ("có dao" is not
    "có dạo"); a phrase written without any accents leaves them all open."""
    tokens = tuple((folded, marks, short) for word in words_ for folded, marks, short in expand(word))
    if not any(marks for _folded, marks, short in tokens if not short):
        return tuple((folded, None) for folded, accents_of, _short in tokens)
    return tuple((folded, marks) for folded, marks, _short in tokens)


def same(text: str) -> tuple[str, ...]:
    """What two messages share when they are the same to the reader: their words (or the text, when it has none)."""
    return words(text) or (text.strip(),)


def words(text: str) -> tuple[str, ...]:
    """The words of `text` as the reader sees them: folded, abbreviations expanded, digits kept apart."""
    return tuple(folded for folded, accents_of in tokens_of(text))


def beyond_asking(text: str, asking: frozenset[str], enough: int) -> bool:
    """Whether `text` tells something of its own: `enough` words or more besides `asking` (the folded words that only
    ask for a form, name who asks and for when) and bare numbers. A leader's "gửi báo cáo tuần này" only asks; "tổ 3
    bình thường, 1 vụ mất xe" tells the report itself."""
    return sum(1 for w in words(text) if w not in asking and not w.isdigit()) >= enough


def says_any(said: tuple[str, ...], phrases: Iterable[str]) -> bool:
    """Whether the words `said` (as `words` gives them) hold one of `phrases` (folded words) as whole words."""
    padded = f" {' '.join(said)} "
    return any(f" {phrase} " in padded for phrase in phrases)


def holds_any(text: str, phrases: Iterable[str]) -> bool:
    """Whether `text` holds one of `phrases` as whole words, accents agreeing where both wrote them: "nó hát"
    does not hold "nợ", "no hat" (typed without any) may."""
    return holds(tokens_of(text), phrases)


def holds(typed: list[Token], phrases: Iterable[str]) -> bool:
    """`holds_any` for words already read (`tokens_of`), when one message is compared with many lists."""
    for phrase in phrases:
        wanted = _phrase(phrase)
        for start in range(len(typed) - len(wanted) + 1):
            if all(
                typed[start + i][0] == folded and agrees(marks, typed[start + i][1])
                for i, (folded, marks) in enumerate(wanted)
            ):
                return True
    return False


@lru_cache(maxsize=4096)
def _phrase(phrase: str) -> tuple[Token, ...]:
    return phrase_tokens(unicodedata.normalize("NFC", phrase.lower()).split())


@lru_cache(maxsize=4096)
def split_known(word: str, known: frozenset[str]) -> tuple[str, ...] | None:
    """`word` as the fewest known syllables typed together, or None when it is not made of them."""
    best: list[tuple[str, ...] | None] = [()] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - LONGEST_SYLLABLE), end):
            before = best[start]
            if before is not None and word[start:end] in known:
                if best[end] is None or len(before) + 1 < len(best[end] or ()):
                    best[end] = (*before, word[start:end])
    found = best[len(word)]
    return found if found is not None and len(found) > 1 else None


def deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def agrees(wanted: str | None, typed: str | None, strict: bool = False) -> bool:
    # Accents count only when both sides wrote them: most residents type without any. A strict phrase wants its
    # accented words typed with their accents.
    if strict and wanted:
        return typed == wanted
    return wanted is None or typed is None or wanted == typed
