"""How a mediation request's answers typed in words are read: the people of a dispute with their contacts ("Nguyễn
Văn Ba - 0912 345 678"), not knowing the other side's name ("ko biết tên"), words that end the list ("ok", "gửi",
"hết rồi"), and urgency ("gấp lắm", "không gấp lắm"). The steps that use them are handlers/mediation/flows/request.py.
Also "Can you come?" answered in a sentence ("không được, tối mai bà bận, để thứ 7 đi": flows/schedule.py), and
words carried into /hoagiai that ask how a case is going, or whether anyone asked for mediation, rather than tell a
dispute (flows/overview.py).
"""

from __future__ import annotations

import re

from bot.core.typed import PARTICLES, read_it, yes_or_no
from bot.core.wording import holds_any, says_any, words
from bot.textnorm import fold
from handlers.mediation.when import says_when

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


# "Can you come?" (a proposed session) answered in a sentence rather than with its buttons: "không được, tối mai bà
# bận, để thứ 7 đi", "dạ được, tôi sẽ tới". Folded words, as `words` gives them ("ko", "k" are "khong", "dc" "duoc").
# Said before the answer, not an answer themselves: "dạ được", "thưa anh, không được" ("anh ơi" likewise).
COURTESY_FIRST = frozenset("da vang thua a ah".split())
NO_HEADS = ("khong", "chua", "sorry", "xin loi", "tiec qua")
NO_TROUBLE = ("khong sao", "khong van de", "no problem")  # "không sao, tôi tới": no trouble at all, a yes
UNSURE = ("co le", "co the", "co khi", "chac", "hinh nhu", "maybe", "not sure")
# Every word of a yes that says no more than that the person will come ("dạ được ạ, bà sẽ tới đúng giờ"), one of
# them a yes or a coming; "có người bán ma túy" is no yes, whatever its first word.
YES_WORDS = frozenset("co duoc ok oke okay vang u dong y chac chan yes sure den toi di tham du come".split())
COMING = YES_WORDS | frozenset(
    "da a ah nhe nha nhen roi se nhat dinh mat dung gio hen gap lai ba con em anh chi chau minh tui tao bac chu "
    "thay cam on nhieu i will ll be there see you thanks thank".split()
)
# Words that say the person cannot come, or asks to move it (folded; those with accents are read as typed by
# `holds_any`: "bận" busy, not "bạn" friend; "dời" move, not "đời").
CANNOT = (
    "khong den", "khong toi", "khong di", "khong du", "khong tham du", "khong kip", "khong duoc", "chua chac",
    "hen lai", "hom khac", "ngay khac", "gio khac", "luc khac", "buoi khac", "dip khac", "de sau", "cannot", "can t",
    "cant", "busy", "another time", "another day", "reschedule", "not come", "won t", "nhung", "but",
)  # fmt: skip
CANNOT_ACCENTED = ("bận", "kẹt", "vướng", "dời", "đổi", "lùi", "hoãn", "trùng", "đi vắng", "về quê")


def session_answer(text: str) -> str | None:
    """ "yes" or "no" for "Can you come?" answered in a sentence (a no with its reason or another time, a yes with
    its courtesy); "when" for words that only name a day or a time ("để thứ 7 đi", "chủ nhật thì được"), which
    suggest another time unless they say something else ("hàng xóm hát tới 12 giờ đêm"); None when the words
    answer neither (a new question, a new request: read as words)."""
    said = list(words(text))
    while len(said) > 1 and (said[0] in COURTESY_FIRST or said[1] == "oi"):
        del said[: 2 if said[1] == "oi" else 1]
    rest = tuple(said)
    if not rest:
        return None
    cannot = says_any(rest, CANNOT) or holds_any(text, CANNOT_ACCENTED)
    if any(_starts(rest, head) for head in NO_TROUBLE):
        return "no" if cannot else "yes"
    if any(_starts(rest, head) for head in NO_HEADS):
        return "no"
    if any(_starts(rest, head) for head in UNSURE):
        return "no" if cannot else None
    if cannot:
        return "no"
    if set(rest) <= COMING and set(rest) & YES_WORDS:
        return "yes"
    return "when" if says_when(text) else None


def _starts(said: tuple[str, ...], head: str) -> bool:
    wanted = tuple(head.split())
    return said[: len(wanted)] == wanted


# Asking how one's case is going ("vụ hòa giải của tôi sao rồi", "tới đâu rồi", "có kết quả chưa"), in folded words.
HOW_IS_IT = (
    "sao roi", "toi dau roi", "den dau roi", "the nao roi", "ra sao roi", "toi dau", "den dau", "xu ly chua",
    "giai quyet chua", "co ket qua chua", "ket qua sao", "co tin gi chua", "co ai nhan chua", "co ai lien he chua",
    "hen ngay chua", "hen chua", "xong chua", "any news", "how is my", "what happened to my", "status of my",
)  # fmt: skip


def asks_after_a_case(text: str) -> bool:
    """Whether words carried into /hoagiai ask how a case is going rather than describe a new dispute."""
    return says_any(words(text), HOW_IS_IT)


# Asking whether anyone asked for mediation ("tổ mình có ai nhờ hòa giải không", "có hộ nào xin hòa giải chưa"): a
# leader's question about his group's cases, in folded words.
ANYONE_ASKED = (
    "co ai nho hoa giai", "co ai xin hoa giai", "co ai gui hoa giai", "co ai gui don hoa giai", "ho nao nho hoa giai",
    "ho nao xin hoa giai", "nha nao nho hoa giai", "nha nao xin hoa giai", "vu hoa giai nao", "may vu hoa giai",
    "bao nhieu vu hoa giai", "cac vu hoa giai", "anyone asked for mediation", "any mediation cases",
)  # fmt: skip


def asks_after_cases(text: str) -> bool:
    """Whether words carried into /hoagiai ask whether anyone asked for mediation (the cases a leader follows)."""
    return says_any(words(text), ANYONE_ASKED)
