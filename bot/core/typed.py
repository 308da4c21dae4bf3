"""Buttons typed instead of pressed: which offered button the typed words mean ("đèn đường" for "Đèn đường hỏng",
"chọn 2", "có" for the yes of a yes/no question, "xong" for a tip's status "resolved" as the button's kind says),
a number typed alone, and whether a person sees choices as a numbered list. Payload.read (bot/core/payloads.py)
asks here when no button was pressed."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from bot.core.events import Kind
from bot.core.payloads import YesNo, payload_of
from bot.core.wording import words
from bot.i18n import _
from bot.textnorm import fold

if TYPE_CHECKING:
    from bot.core.context import Context
    from bot.core.replies import Choice


def typed_number(ctx: Context) -> int | None:
    """A whole number typed alone ("3"), also when the dispatcher took it for the position of a button: at a step
    that offers numbers as buttons and takes any number typed, "3" may mean three, not the third button."""
    text = ctx.event.text.strip().rstrip(".")
    if ctx.event.kind not in (Kind.TEXT, Kind.CHOICE) or not (text.isascii() and text.isdigit()):
        return None
    return int(text) if len(text) <= 9 else None


def numbers_shown(ctx: Context) -> bool:
    """Whether the person sees the offered choices as a numbered list (a channel without buttons): there "3" typed
    is the third line, as they read it."""
    channel = ctx.app.channels.get(ctx.event.channel)
    return channel is not None and not channel.supports_buttons


# Typed answers ---------------------------------------------------------------------------------------------------
# Yes and no as people type them, compared in lower case without punctuation: accented words as written, and the
# folded ones (typed without accents) only where folding makes no other word of a yes/no answer ("khói" is smoke).
YES = frozenset(
    (
        "có|có chứ|vâng|vâng có|dạ|dạ có|dạ vâng|ừ|ừ có|ừm|đúng|đúng rồi|đúng vậy|phải|đồng ý|được|rồi|có rồi|đã"
    ).split("|")
)
YES_FOLDED = frozenset(
    "co|co chu|vang|vang co|da|da co|da vang|u|uh|um|uk|ukm|ok|oke|okay|oki|okie|yes|y|yep|sure|dong y|duoc|dc|"
    "roi|co roi|dung roi|dung vay|yeah|yea|ya|yup|of course|sure thing|fine|that s fine|thats fine|that s ok|"
    "alright|all right|go ahead|ok then".split("|")
)
NO = frozenset(
    "không|hông|hổng|chưa|không có|hổng có|không cần|không đồng ý|không phải|thôi|khỏi|chưa có".split("|")
)
NO_FOLDED = frozenset(
    "khong|ko|k|kh|khg|kg|hok|hk|khum|no|n|nope|chua|khong co|ko co|k co|khong can|ko can|k can|"
    "khong dong y|khong phai|chua co|nah|no way|not now|not really".split("|")
)
PARTICLES = frozenset(
    "ạ a nhé nhe nha ah ha luôn luon please pls plz thanks thx".split()
)  # "có ạ", "yes please"
# Said on their own beside a yes or a no, and saying nothing more: "no, thank you", "sure, that's fine" (folded).
COURTESY_PARTS = frozenset("thank you|thanks|thx|please|pls|cam on|cam on nhe|cam on nha".split("|"))
# How a label that answers yes or no starts ("Có, ban đêm vẫn ghi", "Tôi có", "Không cần"), in its own words with
# their accents: a label is written, not typed, and folded "Nợ nhỏ" (a small debt) would start with "no", "Cờ bạc"
# (gambling) with "co".
YES_LABEL = (["có"], ["yes"], ["vâng"], ["đồng", "ý"], ["tôi", "có"], ["tôi", "đồng", "ý"])
NO_LABEL = (["không"], ["no"], ["chưa"], ["tôi", "không"])
_LABEL_PUNCT = re.compile(r"[^\w\s]")
# Said alone under a button that records a reading ("Tôi đã đọc"), these say the person read it, besides a yes or an
# assent ("có", "ok", "rồi"); compared folded, without punctuation. A thumbs-up is typed as often as a word.
READ = frozenset(
    "da doc|doc roi|da doc roi|doc|da xem|xem roi|da xem roi|da nhan|nhan roi|da nhan duoc|nhan duoc roi|da biet|"
    "biet roi|da ro|ro roi|ro|hieu roi|da hieu|nam ro|da nam|read|seen|got it|noted|understood|i read it|read it|"
    "i have read it|i ve read it|i got it".split("|")
)
# Said before or after those without changing them: "ok, got it, thanks", "dạ, đọc rồi ạ" (folded words).
READ_AROUND = frozenset("ok oke okay oki da vang u uh thanks thank you thx tks cam on".split())
READ_MARKS = frozenset("👍 👌 🙏 ✅ 👍🏻 👍🏼 👍🏽".split())
ASSENT_READ = frozenset("ok oke okay oki okie u uh um uk ukm vang da roi duoc y yep sure".split())
# "chọn 2", "nút 2": the second button. Not "số 2", which names a report or a camera no. 2 as often.
NUMBERED = re.compile(r"(?:chon|nut|muc|option|choice)\s*(\d{1,2})")
UNIT = re.compile(r"(\d)([^\W\d_])")  # "100m" is "100 m"
LONGEST_TYPED = 6  # words: more is an answer in words, not a button typed
# Letters of a single typed word found inside a label (not as its first word) for it to mean that label.
SURE_WORD = 4
# A label's word right after one of these says its opposite: "xử lý" is not "Đã đóng, không xử lý", "nhận" is not
# "thôi không nhận nữa" (folded; "đừng" folds like "dùng", rare in a label before the word typed).
NEGATIONS = frozenset("khong chua chang dung".split())
# ... or after one of these words that follow the negation: "báo cáo" is not "Kỳ này không có gì báo cáo".
NEGATED_WITH = frozenset("co gi can phai".split())


def yes_or_no(text: str) -> bool | None:
    """True for a typed yes ("có", "ừ", "ok", "đồng ý ạ", "yes please", "sure, that's fine"), False for a no
    ("không", "ko", "chưa", "no thanks"), else None. Parts set apart by commas must agree ("không, có" is neither);
    thanks said beside one are nothing more."""
    parts = [p for p in re.split(r"[,;.!?]+", text) if p.strip()]
    if len(parts) > 1:
        read = {_yes_or_no(p) for p in parts if fold(" ".join(p.lower().split())) not in COURTESY_PARTS}
        return read.pop() if len(read) == 1 else None
    return _yes_or_no(text)


def _yes_or_no(text: str) -> bool | None:
    said = re.sub(r"[^\w\s]", " ", text.lower()).split()
    while len(said) > 1 and said[-1] in PARTICLES:
        said.pop()
    joined = " ".join(said)
    folded = fold(joined)
    if joined in YES or folded in YES_FOLDED:
        return True
    if joined in NO or folded in NO_FOLDED:
        return False
    return None


def read_it(text: str) -> bool:
    """Whether the typed text, alone, says "I have read it": "đã đọc", "ok", "rồi ạ", "có", 👍."""
    if text.strip() in READ_MARKS:
        return True
    said = re.sub(r"[^\w\s]", " ", text.lower()).split()
    while len(said) > 1 and said[-1] in PARTICLES:
        said.pop()
    folded = fold(" ".join(said))
    if bool(said) and (folded in READ or folded in ASSENT_READ or yes_or_no(text) is True):
        return True
    core = fold(" ".join(said)).split()
    while len(core) > 1 and core[0] in READ_AROUND:
        core.pop(0)
    while len(core) > 1 and core[-1] in READ_AROUND:
        core.pop()
    return " ".join(core) in READ


# Of those, the words that say "I read it" with nothing else to lean on (no button on offer): not an assent, a yes,
# a thumbs-up or "rõ", which answer whatever was said last (folded).
READ_ALONE = frozenset(
    "da doc|doc roi|da doc roi|da xem|xem roi|da xem roi|da doc canh bao|doc canh bao roi|da xem canh bao|"
    "da nhan duoc canh bao|nhan duoc canh bao roi|i read it|read it|i have read it".split("|")
)


def said_read(text: str) -> bool:
    """Whether the typed text, alone, says in words that the person read something ("đã đọc", "đọc rồi ạ")."""
    said = re.sub(r"[^\w\s]", " ", text.lower()).split()
    while len(said) > 1 and said[-1] in PARTICLES:
        said.pop()
    return fold(" ".join(said)) in READ_ALONE


def guessed_first(ctx: Context, choices: list[Choice], guessed: str) -> list[Choice]:
    """The choices with the guessed one (its payload) first, for the person to confirm with one press; where the
    choices are numbered lines (the Zalo Bot), in their usual order: there a number means the same every time it
    is shown (a "2" typed from memory of the last list chose "Ma túy" for a stolen bicycle)."""
    if numbers_shown(ctx):
        return choices
    return sorted(choices, key=lambda c: c.payload != guessed)


def guess_offered(ctx: Context, choices: list[Choice], guessed: str, what: str) -> tuple[str, list[Choice]]:
    """The words that offer the kind guessed from the person's own words (`what`, the button `guessed`), and the
    choices as `guessed_first` orders them: where the lines are numbered the guess keeps its place, so the words
    name its number ("1" is not the guess unless it is the first line)."""
    ordered = guessed_first(ctx, choices, guessed)
    if numbers_shown(ctx):
        number = next((n for n, c in enumerate(ordered, 1) if c.payload == guessed), 1)
        return (
            _(
                'From what you wrote, it seems to be about "{what}" (number {n} below): type "yes" or {n} to '
                "confirm, or the number of another one."
            ).format(what=what, n=number),
            ordered,
        )
    return _(
        'From what you wrote, it seems to be about "{what}": press it to confirm, or choose another.'
    ).format(what=what), ordered


def says_nothing(text: str) -> bool:
    """A yes, a no, an assent or "đã đọc" typed alone ("dạ", "vâng", "ok", "không"): neither a place nor a
    description nor a name, whatever a step asked for. Before, "vâng" became a tip's place, "dạ" a line of it."""
    return bool(text.strip()) and (yes_or_no(text) is not None or read_it(text))


# Thanks said under a warning ("ok, cảm ơn", "thank you"): the person read it (folded words; every word of the
# message one of these, and a word of thanks among them).
THANKS_WORDS = frozenset("cam on thank thanks tks thx".split())
THANKED_WITH = THANKS_WORDS | frozenset(
    "ok oke okay oki da vang nhieu nha nhe a ah you ban ad admin nhe nhieu lam so much".split()
)


def thanked(text: str) -> bool:
    """Whether the typed text, alone, is thanks ("cảm ơn", "ok, thanks", "cám ơn nhiều nha")."""
    said = set(words(text))
    return bool(said & THANKS_WORDS) and said <= THANKED_WITH and len(said) <= 6


def acknowledged(offered: Sequence[Mapping[str, str]], text: str) -> str | None:
    """The payload of the one offered button that records a reading (Payload.acknowledges), when the typed text
    says the person read it, thanks included ("ok, cảm ơn" under a warning: before, it was answered "you're
    welcome" and the button's place went to the menu, so the "đã đọc" typed next counted nothing); None
    otherwise."""
    if not (read_it(text) or thanked(text)):
        return None
    hits = [c["payload"] for c in offered if (found := payload_of(c["payload"])) and found.acknowledges]
    return hits[0] if len(hits) == 1 else None


def typed_choice(offered: Sequence[Mapping[str, str]], text: str, *, cover: float = 0.0) -> str | None:
    """The payload of the one button among `offered` ({"label", "payload"}) that the typed `text` means, or None
    when it means none of them. `cover`: the least share of a label's words the text must say (outside a form the
    words may be a new request, not an answer: "camera 1" for "Camera số 1", not "khóm 2" for a button that names
    it among other words). Words that fit several equally press the one button their kind has for asking which
    was meant (Payload.ask_which: a tip's "xác minh xong" under its statuses), or none."""
    found = fitting(offered, text, cover=cover)
    if len(found) == 1:
        return found[0]
    kinds = [p for p in map(payload_of, found) if p is not None]
    if len(found) < 2 or len(kinds) != len(found) or len({type(p) for p in kinds}) != 1:
        return None
    asking = type(kinds[0]).ask_which(kinds)
    return asking.pack() if asking is not None else None


def fitting(offered: Sequence[Mapping[str, str]], text: str, *, cover: float = 0.0) -> list[str]:
    """The payloads of the offered buttons the typed `text` fits best: one when it means one, several when it
    fits them equally ("đèn" under "Đèn đường hỏng" and "Đèn pin"), none when it means none. A button is said by
    its label's words or the words its kind adds (Payload.typed_as), some of them in order, "chọn 2", or a yes or
    a no; of several said so, one whose words the others all have ("Đã đóng" beside "3 · Ma túy · đã đóng") is
    the best fit. Words from more than one button ("giải quyết xong", "xác minh xong") fit the one whose own
    words (no other button has them) they all say, in full for one of its phrasings, when they say no other
    button's own words; they fit equally every button whose own words they say."""
    said = fold(text)
    if not said or len(said.split()) > LONGEST_TYPED:
        return []
    numbered = NUMBERED.fullmatch(said)
    if numbered:
        n = int(numbered.group(1))
        return [offered[n - 1]["payload"]] if 1 <= n <= len(offered) else []
    answer = yes_or_no(text)
    typed = _words(text)
    sides = [_side(c) for c in offered]
    if len(sides) == 2 and None in sides and (True in sides or False in sides):
        # Two buttons, one of them a yes or a no: the other is its opposite ("Kèm tên của tôi" beside "Không kèm
        # tên (ẩn danh)", asked "Gửi kèm tên?": "có" is the first).
        given = next(side for side in sides if side is not None)
        sides = [not given if side is None else side for side in sides]
    if answer is None and 2 <= len(typed) <= 3 and any(side is not None for side in sides):
        # Vietnamese answers a yes/no question with its own word: "không gấp" to "Có, gấp / Không", "có ghi".
        known = {w for c in offered for w in _words(c["label"])}
        first = yes_or_no(text.split()[0])
        answer = first if first is not None and set(typed[1:]) <= known else None
    if answer is not None:
        # The one button that says yes (or no): "Có, báo cho tôi", "Không ghi được gì". A yes or a no names no
        # other button ("có" is no category); "đã chuyển" under buttons that answer no yes/no is their words.
        hits = [c["payload"] for c, side in zip(offered, sides, strict=True) if side is answer]
        return hits if len(hits) == 1 else []
    phrasings = [_phrasings(c) for c in offered]
    said_by = {
        i: min((p for p in found if _says(p, typed) and len(typed) >= cover * len(p)), key=len, default=None)
        for i, found in enumerate(phrasings)
    }
    saying = {i: p for i, p in said_by.items() if p is not None}
    if len(saying) > 1:
        # All of them have every word typed: the best fit is one whose words the others all have.
        best = [i for i, p in saying.items() if all(set(p) <= set(q) for j, q in saying.items() if j != i)]
        return [offered[i]["payload"] for i in (best if len(best) == 1 else list(saying))]
    if saying:
        return [offered[i]["payload"] for i in saying]
    if len(typed) == 1 and not cover and all(side is not None for side in sides) and len(typed[0]) >= 3:
        # Answering a yes/no question in a form, one word that only one of its buttons has names it, short as it
        # may be: "kín" for "Có, hòa giải kín", "gấp" for "Có, gấp".
        naming = [i for i, found in enumerate(phrasings) if any(typed[0] in p for p in found)]
        if len(naming) == 1:
            return [offered[naming[0]]["payload"]]
    return [offered[i]["payload"] for i in _spread(phrasings, typed, cover)]


def _spread(phrasings: list[list[list[str]]], typed: list[str], cover: float) -> list[int]:
    """The buttons (their positions) that words from several buttons' phrasings fit (see `fitting`)."""
    content = set(typed)
    everyone = [{w for p in found for w in p} for found in phrasings]
    if len(typed) < 2 or not content <= set().union(*everyone):
        return []  # a word of no button: an answer in words, or a new request ("gửi đi" sends nothing)
    own = [
        mine - set().union(*(w for j, w in enumerate(everyone) if j != i)) for i, mine in enumerate(everyone)
    ]
    touched = [i for i, mine in enumerate(own) if mine & content]
    if len(touched) != 1:
        return touched  # several buttons' own words: they fit equally
    i = touched[0]
    whole = [
        p
        for p in phrasings[i]
        if own[i] & set(p) <= content
        and own[i] & set(p)
        and content <= everyone[i]
        and not (content & NEGATIONS) - set(p)  # "không giải quyết" is not "Đã giải quyết"
        and len(content & set(p)) >= cover * len(p)
    ]
    return [i] if whole else []


def _phrasings(choice: Mapping[str, str]) -> list[list[str]]:
    """A button's label and the other words its kind names it by (Payload.typed_as), as words."""
    found = payload_of(choice["payload"])
    return [_words(choice["label"]), *(_words(t) for t in (found.typed_as() if found else ()))]


def _words(text: str) -> list[str]:
    """Words as the intent reader compares them ("ko" is "không", accents aside), a number apart from its unit."""
    return list(words(UNIT.sub(r"\1 \2", text)))


def _side(choice: Mapping[str, str]) -> bool | None:
    """Whether a button answers yes (True) or no (False) to a yes/no question, as its kind or its label says."""
    found = payload_of(choice["payload"])
    if isinstance(found, YesNo):
        return found.yes
    label = _LABEL_PUNCT.sub(" ", unicodedata.normalize("NFC", choice["label"]).lower()).split()
    if not label:
        return None
    if label[1:2] and label[1].isdigit():
        return None  # "No. 12: …" names report no. 12
    if any(label[: len(start)] == start for start in YES_LABEL):
        return True
    if any(label[: len(start)] == start for start in NO_LABEL):
        return False
    return None


def _says(label: list[str], typed: list[str]) -> bool:
    """The typed words are words of the label, in its order; a single word is its first, or a long one. A word
    the label negates ("xử lý" in "Đã đóng, không xử lý") is said only with its negation."""
    if not label or (len(typed) == 1 and typed[0] != label[0] and len(typed[0]) < SURE_WORD):
        return False
    at = -1
    for word in typed:
        try:
            found = label.index(word, at + 1)
        except ValueError:
            return False
        before = found - 1
        while before > at + 1 and label[before] in NEGATED_WITH:
            before -= 1
        if before > at and label[before] in NEGATIONS:
            return False
        at = found
    return True
