"""Matching the phrases intents declare (bot/core/intent_data.py) against a message's words: the half of reading
what a person wants that is precise where it is sure (bot.core.intents blends it with the model's half).

Text and phrases are turned into words the same way (bot/core/wording.py: chat shorthand expanded, run-together
words split, links left out) and compared without accents, except that accents count when both sides write them:
"cháy nhà" is not "chạy nhà", while "chay nha" typed without any accents may still be a fire (and a phrase written
"=…" wants its accents typed).

A phrase matches when its words appear in order; one other word between two of them makes it support rather
than a reading. A word of five letters or more may be one letter off (a typo, two letters swapped), unless the
word typed is itself a Vietnamese syllable ("thiệt" is not "thief"); a held-down letter ("cứuuu") and an English
plural are forgiven; numbers are never "almost" another number. An intent's score is its best phrase's weight,
plus a little of its other matches and of the other intents of its command, plus a point when a phrase is the
whole message ("karaoke"), minus words against it ("hôm qua" against an emergency, its words written together),
plus "together" rules (words that mean it only near one another: "đang" and "đánh"). Words that bring a story back
to the present ("mà giờ") undo words against danger said before them, when danger is said after them.

Each distinct word is looked up once (typos through an index of the phrase words with one letter deleted), and
only the phrases whose words all occur are walked, so matching stays linear in the length of the message.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from rapidfuzz.distance import OSA

from bot.core.intent_data import STRONG, Intent
from bot.core.wording import (
    DIGIT,
    HELD_LETTER,
    SYLLABLE,
    Token,
    agrees,
    compiled,
    deletions,
    phrase_tokens,
    split_known,
)

MORE = 0.3  # how much each further matching phrase adds (at most three of them)
ALONE = 1.0  # added when a phrase is the whole message: "karaoke" or "bản tin" sent alone is a request
TYPO = 0.85  # a phrase word matched with one letter off
HELD = (
    1.0  # a phrase word matched once a held-down letter is dropped ("cứuuuu", "tuyy"): emphasis, not a typo
)
GAP = 0.65  # a phrase word matched with one other word before it: support, not a reading on its own
WINDOW = 8  # the most words between the phrases of a "together" rule
BACKGROUND = 8  # words against danger this far past it, once back in the present, tell the background
TYPO_MIN = 5  # the least length of a phrase word that may be matched with a typo
TYPO_MIN_TYPED = 4  # ... and of the word typed for it
RUN_TOGETHER = 5  # the least length of a word that may be words typed together ("cuutoi")
# "giờ" that tells the hour, not "now": after a number or a word asking or telling which hour ("hai giờ sáng", "mấy
# giờ", "đúng giờ"), or, said alone, before a time of day or what the hours are for ("giờ sáng", "giờ làm việc")
HOUR_BEFORE = tuple(
    phrase_tokens((w,))[0]
    for w in (
        "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười", "mươi", "mấy", "bao", "đúng",
        "trễ", "muộn", "nửa", "vài", "giờ",
    )
)  # fmt: skip
HOUR_AFTER = tuple(
    phrase_tokens((w,))[0]
    for w in ("sáng", "chiều", "tối", "trưa", "đêm", "khuya", "làm", "học", "giấc", "hành", "mở", "đóng")
)


@dataclass(frozen=True)
class _Phrase:
    intent: int  # index into Reader.intents
    words: tuple[Token, ...]
    strict: bool  # written "=…": its accented words match only when typed with those accents
    weight: float
    kind: str  # "for", "against", "unless", "now", or "together"
    rule: int = 0  # for "together": which rule of the intent, and which of its groups
    group: int = 0
    rest: frozenset[str] = field(init=False)  # its other words: unless all occur, it is not walked at all

    def __post_init__(self) -> None:
        # A lone syllable in a "together" group is strict by itself: without accents "no" is "nổ" (explodes) or
        # "nó" (he), "xong" is "xông" (rush in) or "xong" (done).
        if self.kind == "together" and len(self.words) == 1 and self.words[0][1]:
            object.__setattr__(self, "strict", True)
        object.__setattr__(self, "rest", frozenset(folded for folded, _marks in self.words[1:]))


class Phrases:
    """Every intent's phrases, indexed by their first word; `scores` reads a message's words against them."""

    def __init__(self, intents: Sequence[Intent]) -> None:
        self.intents = intents
        # Phrases by their first word, so that a message is compared only with phrases that may match it.
        self._starts: dict[str, list[_Phrase]] = {}
        for number, intent in enumerate(self.intents):
            entries = [_Phrase(number, *compiled(w), weight, "for") for w, weight in intent.phrases]
            entries += [_Phrase(number, *compiled(w), weight, "against") for w, weight in intent.against]
            entries += [_Phrase(number, *compiled(w), 0.0, "unless") for w in intent.unless]
            entries += [_Phrase(number, *compiled(w), 0.0, "now") for w in intent.now]
            for rule_number, rule in enumerate(intent.together):
                for group_number, group in enumerate(rule.groups):
                    entries += [
                        _Phrase(number, *compiled(w), rule.weight, "together", rule_number, group_number)
                        for w in group
                    ]
            for entry in entries:
                self._starts.setdefault(entry.words[0][0], []).append(entry)
        self.vocabulary = frozenset(
            folded for entries in self._starts.values() for e in entries for folded, _m in e.words
        )
        # Every long phrase word and each of its one-letter deletions → the words: a typed word's own deletions
        # find every word one edit away without comparing it with the whole vocabulary.
        self._typos: dict[str, set[str]] = {}
        for word in self.vocabulary:
            if len(word) >= TYPO_MIN and not DIGIT.search(word):
                for key in {word, *deletions(word)}:
                    self._typos.setdefault(key, set()).add(word)
        self._commands = {i.command: n for n, i in enumerate(self.intents)}
        self._siblings = {
            n: [
                m
                for m, other in enumerate(self.intents)
                if m != n and (other.command, other.mode, other.carry) == (i.command, i.mode, i.carry)
            ]
            for n, i in enumerate(self.intents)
        }

    def stands_for(self, word: str) -> dict[str, float]:
        """The phrase words a typed word may be: itself, without a held-down letter, or one letter off."""
        if word in self.vocabulary:
            return {word: 1.0}
        if DIGIT.search(word):
            return {}  # "hẻm 5" is never "hẻm 6"
        # A held-down letter is emphasis, not a typo; an English plural is the word ("neighbors", "scams"): no
        # Vietnamese word ends in "s".
        for shorter in (HELD_LETTER.sub(r"\1\1", word), HELD_LETTER.sub(r"\1", word), word.removesuffix("s")):
            if shorter != word and shorter in self.vocabulary:
                return {shorter: HELD}
        if len(word) < TYPO_MIN_TYPED or SYLLABLE.fullmatch(word):
            return {}
        near: dict[str, float] = {}
        for key in {word, *deletions(word)}:
            for candidate in self._typos.get(key, ()):
                if OSA.distance(word, candidate, score_cutoff=1) <= 1:
                    near[candidate] = TYPO
        return near

    def apart(self, tokens: list[Token], syllables: frozenset[str]) -> list[Token]:
        """Words typed run together ("chaynha", "toimuonbaocongan") split into the known words they are made of.
        Only a word nobody knows is split, one that is no syllable itself, nor a typo of a phrase word; `syllables`:
        the known words it may be split into."""
        out: list[Token] = []
        for folded, marks in tokens:
            pieces = None
            if (
                len(folded) >= RUN_TOGETHER
                and folded not in syllables
                and folded not in self.vocabulary
                and not DIGIT.search(folded)
                and not SYLLABLE.fullmatch(folded)
                and not self.stands_for(folded)
            ):
                pieces = split_known(folded, syllables)
            if pieces is None:
                out.append((folded, marks))
            else:
                out += [(piece, None) for piece in pieces]
        return out

    def scores(self, tokens: list[Token]) -> tuple[dict[int, float], set[int]]:
        """Each intent's score from its phrases, "together" rules and words against it (none: not read at all),
        and the intents that words against them were found for. A phrase matched on words that the intent's
        "unless" phrases give another sense ("chay ve": "chạy về") does not count."""
        # For each position, the phrase words it may stand for and how well; for each phrase word, where.
        at: list[dict[str, float]] = []
        where: dict[str, list[int]] = {}
        seen: dict[str, dict[str, float]] = {}
        for position, (folded, _mark) in enumerate(tokens):
            stands = seen.get(folded)
            if stands is None:
                stands = seen[folded] = self.stands_for(folded)
            at.append(stands)
            for word in stands:
                where.setdefault(word, []).append(position)
        matched: list[tuple[_Phrase, list[tuple[int, int, float]]]] = []
        other_sense: dict[int, set[int]] = {}  # intent → the positions its "unless" words cover
        back: dict[int, int] = {}  # intent → where the message last comes back to the present ("mà giờ")
        nows: dict[int, list[int]] = {}  # intent → where words that may bring it back start
        for word, positions in where.items():
            for phrase in self._starts.get(word, ()):
                if not phrase.rest <= where.keys():
                    continue
                hits = list(_occurrences(phrase.words, positions, tokens, at, phrase.strict))
                if phrase.kind == "against":
                    # Only the words written together: "tôi thấy qua camera" is no "tối qua" (typed without
                    # accents, "toi [thay] qua").
                    hits = [(s, e, q) for s, e, q in hits if e - s + 1 == len(phrase.words)]
                if not hits:
                    continue
                if phrase.kind == "unless":
                    # Only the words written together: "hình như [đang] cháy" is no "như cháy".
                    covered = other_sense.setdefault(phrase.intent, set())
                    for start, end, _q in hits:
                        if end - start + 1 == len(phrase.words):
                            covered.update(range(start, end + 1))
                elif phrase.kind == "now":
                    # "giờ" after a number is an hour ("11 giờ tối qua", "hai giờ sáng"), not "now"
                    starts = [s for s, e, _q in hits if not _an_hour(tokens, s, e)]
                    nows.setdefault(phrase.intent, []).extend(starts)
                else:
                    matched.append((phrase, hits))
        # Words that bring the story back inside words against it are part of them: "mấy hôm nay" is days on end,
        # not today.
        spans: dict[int, set[int]] = {}
        for phrase, hits in matched:
            if phrase.kind == "against" and phrase.intent in nows:
                spans.setdefault(phrase.intent, set()).update(p for s, e, _q in hits for p in range(s, e + 1))
        for number, starts in nows.items():
            starts = [s for s in starts if s not in spans.get(number, ())]
            if starts:
                back[number] = max(starts)
        # The story comes back to the present only when danger is said after the words that bring it back: "hôm
        # kia nó cầm dao dọa, bữa nay thì nó ngủ rồi" is still a story of the day before yesterday.
        # Where the danger said after that ends: words against it said far beyond ("hiện tại có người lạ đang khuân
        # đồ từ nhà ông Hải ra xe tải, trong khi gia đình ông Hải đi nước ngoài từ tuần trước") tell the background,
        # not when the danger was; said close to it ("mà giờ nghĩ lại vụ cướp hôm qua") they still do.
        said_now: dict[int, int] = {}
        for phrase, hits in matched:
            if phrase.intent in back and (
                phrase.kind == "for" or (phrase.kind == "together" and phrase.group > 0)
            ):
                for s, e, _q in hits:
                    if s >= back[phrase.intent]:
                        said_now[phrase.intent] = max(said_now.get(phrase.intent, -1), e)
        back = {intent: start for intent, start in back.items() if intent in said_now}
        found: dict[int, list[float]] = {}
        against: dict[int, list[float]] = {}
        groups: dict[
            tuple[int, int, int], list[tuple[int, float]]
        ] = {}  # (intent, rule, group) → (where, how well)
        for phrase, hits in matched:
            blocked = other_sense.get(phrase.intent)
            if phrase.kind == "against" and phrase.intent in back:
                hits = [
                    (s, e, q)
                    for s, e, q in hits
                    if back[phrase.intent] < e and s <= said_now[phrase.intent] + BACKGROUND
                ]
                if not hits:
                    continue
            elif blocked and phrase.kind != "against":
                hits = [(s, e, q) for s, e, q in hits if blocked.isdisjoint(range(s, e + 1))]
                if not hits:
                    continue
            if phrase.kind == "together":
                groups.setdefault((phrase.intent, phrase.rule, phrase.group), []).extend(
                    (start, q) for start, _end, q in hits
                )
                continue
            quality = max(q for _start, _end, q in hits)
            if phrase.kind == "against":
                against.setdefault(phrase.intent, []).append(phrase.weight * quality)
                continue
            whole = len(phrase.words) == len(tokens) and any(q == quality and s == 0 for s, _e, q in hits)
            found.setdefault(phrase.intent, []).append(phrase.weight * quality + (ALONE if whole else 0.0))
        for number, intent in enumerate(self.intents):
            for rule_number, rule in enumerate(intent.together):
                quality = _together(
                    [groups.get((number, rule_number, g), []) for g in range(len(rule.groups))]
                )
                if quality:
                    found.setdefault(number, []).append(rule.weight * quality)
        # The command's own name typed without the slash ("tracuu", "hoa giai") says it alone.
        named = self._commands.get("".join(folded for folded, _mark in tokens))
        if named is not None:
            found.setdefault(named, []).append(STRONG + ALONE)
        own = {n: _combine(scores) for n, scores in found.items()}
        scores: dict[int, float] = {}
        for number in own.keys() | against.keys():
            score = own.get(number, 0.0)
            if score:
                # The intents of one command and mode are one reading seen from several sides (a tip's category,
                # the generic "nghi ngờ"): each supports the others a little.
                score += MORE * sum(own[n] for n in self._siblings[number] if n in own)
            # "hôm kia", "nghe nói": doubly past
            scores[number] = score - sum(sorted(against.get(number, ()), reverse=True)[:2])
        return scores, set(against)


def _an_hour(tokens: list[Token], start: int, end: int) -> bool:
    """Whether words that may bring the story back to the present, found at start..end, tell an hour instead: after
    a number ("11 giờ tối qua"), and "giờ" after a word counting or asking the hours ("hai giờ", "mấy giờ") or,
    said alone, before a time of day or what the hours are for ("giờ sáng", "giờ làm việc")."""

    def one_of(token: Token, words_: tuple[Token, ...]) -> bool:
        return any(token[0] == folded and agrees(marks, token[1]) for folded, marks in words_)

    if start and DIGIT.search(tokens[start - 1][0]):
        return True
    if tokens[start][0] != "gio":
        return False
    return (start > 0 and one_of(tokens[start - 1], HOUR_BEFORE)) or (
        start == end and end + 1 < len(tokens) and one_of(tokens[end + 1], HOUR_AFTER)
    )


def _combine(scores: list[float]) -> float:
    """An intent's score from its matches: the best, and a little of the next three."""
    ranked = sorted(scores, reverse=True)
    return ranked[0] + MORE * sum(ranked[1:4])


def _occurrences(
    phrase: tuple[Token, ...],
    starts: list[int],
    tokens: list[Token],
    at: list[dict[str, float]],
    strict: bool = False,
) -> Iterator[tuple[int, int, float]]:
    """Where the phrase occurs from one of `starts`: (first word, last word, how well: 1.0 word for word, less
    with typos or a word between). `strict`: its accented words must be typed with those accents."""
    first, first_marks = phrase[0]
    for start in starts:
        quality = at[start][first]
        if quality == 1.0 and not agrees(first_marks, tokens[start][1], strict):
            continue
        position = start
        for word, marks in phrase[1:]:
            step = _next(word, marks, position, tokens, at, strict)
            if step is None:
                quality = 0.0
                break
            position, q = step
            quality *= q
        if quality:
            yield start, position, quality


def _next(
    word: str,
    marks: str | None,
    position: int,
    tokens: list[Token],
    at: list[dict[str, float]],
    strict: bool,
) -> tuple[int, float] | None:
    """Where the phrase's next word is (right after `position`, or one word later) and how well it matches."""
    for step, penalty in ((position + 1, 1.0), (position + 2, GAP)):
        if step >= len(tokens):
            return None
        q = at[step].get(word)
        if q and (q < 1.0 or agrees(marks, tokens[step][1], strict)):
            return step, q * penalty
    return None


def _together(groups: list[list[tuple[int, float]]]) -> float:
    """How well one occurrence of each group lies within WINDOW words of the first group's (0: not at all)."""
    if not all(groups):
        return 0.0
    others = [sorted(group) for group in groups[1:]]
    best = 0.0
    for anchor, quality in groups[0]:
        for group in others:
            # Only the occurrences inside the window are looked at, so a long message stays linear.
            low = bisect_left(group, (anchor - WINDOW, 0.0))
            high = bisect_right(group, (anchor + WINDOW, 2.0))
            near = [q for position, q in group[low:high] if position != anchor]
            if not near:
                quality = 0.0
                break
            quality = min(quality, max(near))
        best = max(best, quality)
    return best
