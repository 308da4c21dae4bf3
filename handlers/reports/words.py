"""A report's answers said in words, as a group leader tells them to the ward police officer: a yes or a no with what
was seen after it ("có, nhà bà Sáu số 14 câu điện ra chợ"), a count inside a sentence ("có 2 hộ mới thuê trọ ở số
133 và 135"). The answer is read from the words, and the words that say more than the answer are kept beside it
(the house, the hazard), for the officer who goes to check.

bot.core.typed reads a yes or a no typed alone; here one also starts a sentence, so it is read more strictly: a
word typed with accents is that word ("cờ bạc" does not start with "có", "Cô Sáu" neither), and only the plain
words of a yes or a no start one ("đã", "được", "rồi" are yes alone, not at the head of a sentence).
"""

from __future__ import annotations

import re

from bot import numberwords
from bot.core.typed import yes_or_no
from bot.textnorm import fold

MAX_WORDS = 1000  # characters of a leader's words kept beside an answer, as for a text answer

# How a sentence that answers yes or no starts (folded words); the longest that fits is the answer.
YES_HEADS = frozenset("co|co chu|co roi|co a|vang co|da co|u co|yes|yep".split("|"))
NO_HEADS = frozenset(
    (
        "khong|ko|k|kh|khg|kg|hong|hok|hk|khum|chua|no|khong co|ko co|k co|kh co|kg co|khg co|hong co|hok co|"
        "chua co|khong thay|ko thay|k thay|chua thay|khong thay co|chua thay co|khong phat hien|ko phat hien|"
        "k phat hien|chua phat hien|khong he|chua he|khong co gi|ko co gi|k co gi|chua co gi|co gi dau|co dau"
    ).split("|")
)
LONGEST_HEAD = 4
# Neither a yes nor a no, though they start like one: "không rõ", "chưa biết", "có lẽ", "có thể" (folded).
UNSURE = frozenset(
    "khong ro|ko ro|k ro|chua ro|khong biet|ko biet|k biet|chua biet|khong chac|ko chac|chua chac|khong nho|"
    "co le|co the|co khi|co ve|chac co|chac khong|hinh nhu".split("|")
)
# Said before the answer, not an answer themselves when more follows: "dạ có", "vâng, không", "thưa anh, có".
COURTESY = frozenset("dạ da vâng vang thưa thua ạ".split())
COURTESY_AFTER_THUA = frozenset("anh chị chi đồng chí dong chi".split())
# The words typed with accents that a yes or a no is made of; any other accented word folds into one by chance
# ("cờ", "cỏ", "cô" fold to "co", "nợ" to "no").
ACCENTED = frozenset("có không hông chưa chứ rồi thấy phát hiện gì đâu hề dạ vâng ừ".split())
# Words after a yes or a no that say nothing more ("không phát hiện nguy cơ nào ạ", "chưa thấy gì cả"), folded.
EMPTY = frozenset(
    (
        "a ah nhe nha nhen luon ca het gi nao dau thay phat hien co ai van de chi xay ra nguy chay no "
        "tuan nay thang ky dot trong to khu vuc dia ban em toi minh roi nua bat thuong hien tuong dieu "
        "khong ko k chua hong ha vang da u yes no none nothing"
    ).split()
)
_WORD = re.compile(r"\w+")
_LEAD = re.compile(r"^[\s,.;:!?\-–—…/()]+")


def said_yes_or_no(text: str) -> tuple[str, str | None] | None:
    """("yes" or "no", the words after it that say more, or None) for a yes/no question answered in words: "có ạ",
    "k có", "chưa thấy gì", "có, nhà bà Sáu số 14 câu điện ra chợ" (the house kept); None when the words say
    neither."""
    alone = yes_or_no(text)
    if alone is not None:
        return ("yes" if alone else "no"), None
    tokens = list(_WORD.finditer(text))
    for start in _starts(tokens):
        opening = fold(" ".join(t.group(0) for t in tokens[start : start + 2]))
        if opening in UNSURE:
            return None
        for end in range(min(len(tokens), start + LONGEST_HEAD), start, -1):
            head = [t.group(0) for t in tokens[start:end]]
            side = _side(head)
            if side is None:
                continue
            rest = _LEAD.sub("", text[tokens[end - 1].end() :]).strip()
            if side is True and fold(rest).split()[:2] in (["dau"], ["gi", "dau"]):
                return "no", None  # "có đâu", "có gì đâu": nothing at all
            return ("yes" if side else "no"), rest[:MAX_WORDS] if says_more(rest) else None
    return None


def _starts(tokens: list[re.Match[str]]) -> list[int]:
    """Where the answer may start: the first word, or after "dạ", "vâng", "thưa anh" said first."""
    said = [t.group(0).lower() for t in tokens]
    starts, at = [0], 0
    while at < len(said) and said[at] in COURTESY:
        at += 1
        if said[at - 1] in ("thưa", "thua"):
            at += next((n for n in (2, 1) if " ".join(said[at : at + n]) in COURTESY_AFTER_THUA), 0)
        starts.append(at)
    return [s for s in dict.fromkeys(starts) if s < len(said)]


def _side(head: list[str]) -> bool | None:
    """True when these words are a yes that starts a sentence, False for a no, None for neither."""
    if any(fold(w) != w.lower() and w.lower() not in ACCENTED for w in head):
        return None
    folded = fold(" ".join(head))
    if folded in YES_HEADS:
        return True
    if folded in NO_HEADS:
        return False
    return None


def says_more(rest: str, *, also: frozenset[str] = frozenset()) -> bool:
    """Whether words besides an answer say something of their own, not only "ạ", "gì cả", "nguy cơ nào"."""
    return any(w not in EMPTY and w not in also for w in fold(rest).split())


# A count as a leader writes it in a sentence: "có 2 hộ mới thuê trọ ở số 133 và 135" is 2 (house numbers are not
# counts), "có ba hộ mới", "mười hai người" in words (a leader speaking to a phone types no digits).
UNITS = (
    "hộ|ho|người|nguoi|vụ|vu|lần|lan|trường hợp|truong hop|gia đình|gia dinh|nhà|nha|households?|people|persons?|"
    "cases?"
)
_COUNTED = re.compile(rf"(?<![\d/.,])(\d{{1,4}})\s*(?:{UNITS})\b", re.IGNORECASE)
# A number said first and set apart, then what it counts: "2, số 133 và 135", "2 - nhà 133, 135" (not "133 và
# 135", house numbers said first).
_LEADING = re.compile(r"^\s*(\d{1,4})\s*(?:[,:;(\-–—]|$)")
# The first word of what is counted, folded: a number said in words before one counts it ("ba hộ", "hai gia đình").
COUNTED_WORDS = frozenset(
    "ho nguoi vu lan truong gia nha household households people persons person case cases".split()
)
# "How many?" answered with none, as people write it (folded).
NOTHING = frozenset(
    "khong co ai|khong co ho nao|khong co gi|chua co ai|khong ai|none|nobody|no one".split("|")
)
# Words beside a count that say nothing more than it: "có 2 hộ", "2 hộ mới ạ", "không có ai" (folded).
COUNT_WORDS = frozenset(
    "ho nguoi vu lan truong hop gia dinh nha household households people person persons case cases moi thoi "
    "khoang tong cong tat".split()
)


def counted(typed: str) -> tuple[int, str | None] | None:
    """(the count, the leader's words when they say more than it) for a "how many" question answered in words:
    "không", "chưa có ai" are 0; the one count before a word for what is counted ("2 hộ") is that count, and the
    rest of the sentence ("mới thuê trọ ở số 133 và 135") is kept with it, as written; None when no count is
    read, or counts disagree."""
    words = typed.strip()[:MAX_WORDS]
    if yes_or_no(typed) is False or fold(typed).strip(" .!") in NOTHING:
        return 0, None
    found = {int(n) for n in _COUNTED.findall(typed)} | _counted_in_words(typed)
    if len(found) > 1:
        return None
    if not found:
        leading = _LEADING.match(typed)
        if leading is not None:
            found = {int(leading.group(1))}
    if found:
        rest = _WORD.sub(lambda m: "" if m.group(0).isdigit() else m.group(0), typed)
        return found.pop(), words if says_more(rest, also=COUNT_WORDS) else None
    said = said_yes_or_no(typed)
    if said is not None and said[0] == "no":
        # "Không, chỉ có người thân về chơi": none, and what the leader said about it.
        return 0, words if said[1] is not None else None
    return None


def _counted_in_words(typed: str) -> set[int]:
    """The numbers said in words before what they count: "có ba hộ mới" is {3}, "hai mươi mốt người" {21}."""
    words = _WORD.findall(typed.lower())
    folded = [fold(w) for w in words]
    found = set()
    for end, word in enumerate(folded):
        if word in COUNTED_WORDS and (said := numberwords.number_before(folded, end, words)) is not None:
            if not words[said[1]].isdigit():  # digits are `_COUNTED`'s
                found.add(said[0])
    return found
