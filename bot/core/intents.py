"""Reading what a person wants from the words they type outside a form ("có người bán ma túy ở hẻm 5" → a tip).

Each feature declares its intents in a data file next to its router (`intents.toml`, loaded by
`router.intents(...)`; what it holds: bot/core/intent_data.py): the command an intent leads to and the phrases
people use for it, with weights. Text and phrases are turned into words the same way (bot/core/wording.py: chat
shorthand expanded, run-together words split, links left out) and compared without accents, except that accents
count when both sides write them: "cháy nhà" is not "chạy nhà", while "chay nha" typed without any accents may
still be a fire (and a phrase written "=…" wants its accents typed).

A phrase matches when its words appear in order; one other word between two of them makes it support rather
than a reading. A word of five letters or more may be one letter off (a typo, two letters swapped), unless the
word typed is itself a Vietnamese syllable ("thiệt" is not "thief"); a held-down letter ("cứuuu") and an English
plural are forgiven; numbers are never "almost" another number. An intent's score is its best phrase's weight,
plus a little of its other matches and of the other intents of its command, plus a point when a phrase is the
whole message ("karaoke"), minus words against it ("hôm qua" against an emergency, its words written together),
plus "together" rules (words that mean it only near one another: "đang" and "đánh"), plus what its detector (a
function the feature gives: a pasted phone number, a receipt code) adds.

Phrases are precise but nobody can list every way of saying a thing, so each feature also gives examples: messages
as residents write them, labelled with the intent they mean or "none" (greetings, thanks, chit-chat), in a file
beside its router (`examples.tsv`, the format: `load`). At start-up a naive Bayes model (`bot/core/intent_model.py`) learns from
every feature's examples and phrases which words and pairs of words go with which intent, accents folded away
except where typed. A message is then read by both: for each command (a tip's categories together) the model's
odds are multiplied by e^(PHRASES × its phrase score), and what beats "nothing" by a margin is a reading (one no
phrase supports only when the model finds it likelier than not). Phrases keep their word where they are sure: danger
its phrases read with no words against it, and a detector that is sure (a receipt code, a number pasted alone), are
readings whatever the model says; a message of a few words is read only where phrases read it too. Missing danger is worse than showing 113 to someone who did not need it: an emergency is offered
whenever it is read, and the model alone offers one already when it is fairly likely (DANGER); otherwise the best
reading, and a second one of another command when it is close.

Each distinct word is looked up once (typos through an index of the phrase words with one letter deleted), only
the phrases whose words all occur are walked, and the model looks up each feature once, so reading stays linear
in the length of the message.

Nothing here stores anything: the reader is a pure function of the text, so the corpus test (tests/corpus/) can
measure it, and the maintainers can measure it again on their own corpus (bot/tools/intents.py; a corpus the
examples hold is measured by cross-validation, never by a model that learnt it).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from math import exp, log
from typing import NamedTuple

from rapidfuzz.distance import OSA

from bot.core.intent_data import (
    NONE,
    NORMAL,
    STRONG,
    WEAK,
    Intent,
    Mode,
    Reading,
)
from bot.core.intent_model import NaiveBayes
from bot.core.wording import (
    DIGIT,
    HELD_LETTER,
    SYLLABLE,
    Token,
    Words,
    agrees,
    compiled,
    deletions,
    phrase_tokens,
    same,
    split_known,
    tokens_of,
)

ENOUGH = 2.0  # the least score that is a reading at all: one normal phrase, or a weak one said alone
CLOSE = 0.7  # a second reading at least this close to the first is offered too
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

PHRASE_EXAMPLE = {STRONG: 1.0, NORMAL: 0.6, WEAK: 0.25}  # a listed phrase learnt as a (weighted) example
PHONE = 6  # digits from which a number is a phone or an account rather than a house or an hour
PHRASES = 1.0  # each point of phrase score multiplies a reading's odds by e ** PHRASES
DANGER = 0.4  # an emergency this likely is offered even when something else is likelier (it comes first)
ALARM = 0.7  # ... and one the model alone is this sure of, whatever the phrases say of other readings
SURELY_NOTHING = 0.8  # danger its phrases read is a reading unless the model is this sure the message is
# nothing (the most it said of an emergency in 497 unseen ones was 0.34)
MARGIN = 2.0  # "nothing" starts this far ahead (log-odds): a reading must beat it clearly
SHORT = 7  # a message of fewer words is read by the model only where its phrases read it too
LIKELY = 0.1  # a reading less likely than this is not one at all, even when "nothing" is less likely still
UNSAID = 0.5  # ... and one no phrase of it supports (the model's alone) less likely than this
FLOOR = 1e-6  # the least the model says of anything: phrases can always outweigh it
DECISIVE = 4.0  # a detector this sure (a receipt code, a number pasted alone) decides whatever else is read
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


def _shape(word: str) -> str:
    """A word as the model sees it: numbers by their kind only (a house number, a phone), not their digits."""
    if not DIGIT.search(word):
        return word
    if word.isdigit():
        return "<n>" if len(word) < PHONE else "<nnn>"
    return "<n+>"  # "12h", "20tr", "2am"


def _features(tokens: list[Token] | tuple[Token, ...]) -> frozenset[str]:
    """What the model looks at in a message: its words and pairs of words without accents, and the words typed with
    accents as typed ("cháy" fire and "chạy" run differ when both are written)."""
    shapes = [_shape(folded) for folded, _marks in tokens]
    found = set(shapes)
    found.update(f"{a} {b}" for a, b in zip(shapes, shapes[1:], strict=False))
    found.update(f"{folded}'{marks}" for folded, marks in tokens if marks)
    return frozenset(found)


# What the model learns from, per intent: its name, examples, counterexamples and phrases with their weights.
Learnt = tuple[tuple[str, tuple[str, ...], tuple[str, ...], tuple[tuple[Words, float], ...]], ...]


@lru_cache(maxsize=16)
def _trained(learnt: Learnt) -> NaiveBayes:
    """The model for these examples: learnt once per process (every App of a test run shares it)."""
    documents: list[tuple[str, frozenset[str], float]] = []
    nothing: dict[str, None] = {}
    for name, examples, counterexamples, phrases in learnt:
        documents += [(name, _features(tokens_of(text)), 1.0) for text in dict.fromkeys(examples)]
        documents += [
            (name, _features(compiled(words_)[0]), PHRASE_EXAMPLE[weight]) for words_, weight in phrases
        ]
        nothing.update(dict.fromkeys(counterexamples))
    documents += [(NONE, _features(tokens_of(text)), 1.0) for text in nothing]
    return NaiveBayes(documents)


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


class _Candidate(NamedTuple):
    """A command (and mode) as `Reader._blend` weighs it."""

    intent: int  # the intent that stands for it: its phrases' best, else the model's
    said: float  # its phrase score, detector included
    detector: float
    certainty: float  # what the model says of it (0..1)
    odds: float  # log-odds, the model's and the phrases' together
    phrases_only: bool  # only its phrases may read it (a short message, words against it)
    against: bool  # words against it were found ("hôm qua" against danger happening now)


class Reader:
    """All intents of the app; `read` ranks them for a text."""

    def __init__(self, intents: Iterable[Intent]) -> None:
        self.intents = list(intents)
        names = [i.name for i in self.intents]
        if len(set(names)) != len(names):
            raise ValueError("an intent is declared twice")
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
        vocabulary = {folded for entries in self._starts.values() for e in entries for folded, _m in e.words}
        self._vocabulary = frozenset(vocabulary)
        # Every long phrase word and each of its one-letter deletions → the words: a typed word's own deletions
        # find every word one edit away without comparing it with the whole vocabulary.
        self._typos: dict[str, set[str]] = {}
        for word in vocabulary:
            if len(word) >= TYPO_MIN and not DIGIT.search(word):
                for key in {word, *deletions(word)}:
                    self._typos.setdefault(key, set()).add(word)
        self._commands = {i.command: n for n, i in enumerate(self.intents)}
        self._order = {i.name: n for n, i in enumerate(self.intents)}
        self._siblings = {
            n: [
                m
                for m, other in enumerate(self.intents)
                if m != n and (other.command, other.mode) == (i.command, i.mode)
            ]
            for n, i in enumerate(self.intents)
        }
        # The readings the model chooses between: one per command and mode (a tip's categories are one reading).
        self._groups: dict[tuple[str, Mode], list[int]] = {}
        for number, intent in enumerate(self.intents):
            self._groups.setdefault((intent.command, intent.mode), []).append(number)
        # The model needs examples, and "none" among them: without, it would read every message as something.
        taught = any(i.examples for i in self.intents) and any(i.counterexamples for i in self.intents)
        self._learnt: Learnt | None = (
            tuple((i.name, i.examples, i.counterexamples, i.phrases) for i in self.intents)
            if taught
            else None
        )
        self._bayes: NaiveBayes | None = None
        self._syllables: frozenset[str] = frozenset()  # the known words a run-together word may be split into

    def learnt(self) -> frozenset[tuple[str, ...]]:
        """The messages the model learns from, as `same` sees them."""
        return frozenset(same(t) for i in self.intents for t in (*i.examples, *i.counterexamples))

    def without(self, texts: Iterable[str]) -> Reader:
        """The same intents with these messages (and any written with the same words) left out of what the model
        learns: to measure it on them honestly."""
        left = {same(text) for text in texts}

        def kept(examples: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(t for t in examples if same(t) not in left)

        return Reader(
            replace(i, examples=kept(i.examples), counterexamples=kept(i.counterexamples))
            for i in self.intents
        )

    def _model(self) -> NaiveBayes | None:
        """The model learnt from the intents' examples, or None when they have none (phrases alone then)."""
        if self._bayes is None and self._learnt is not None:
            self._bayes = _trained(self._learnt)  # on first use: a Registry built for a tool need not learn
            self._syllables = frozenset(
                w for w in (*self._vocabulary, *self._bayes.words()) if SYLLABLE.fullmatch(w)
            )
        return self._bayes

    def _blend(
        self,
        found: dict[int, tuple[float, float, str | None]],
        model: dict[str, float],
        doubted: set[int],
        short: bool,
    ) -> list[Reading]:
        """One reading per command and mode, its score how likely it is. The model's odds for it are multiplied by
        e^(PHRASES × its phrase score); "nothing" starts MARGIN ahead, and what beats it is a reading (one no phrase
        supports, when likelier than UNSAID). Danger its phrases read with no words against it ("hôm qua", "nghe
        tin", "như ăn cướp"), and a detector that is sure, are readings whatever the model says (unless, for danger,
        it is near sure the message is nothing: SURELY_NOTHING); danger the model
        sees is one when fairly likely after the phrases (DANGER), or when the model alone is sure of it and no words
        speak against it (ALARM: a tip's phrases, "mất" in "xe mất thắng", must not hide danger). A short message, or
        one with words against a reading ("mưa bão" against the ward's alerts), is read by the model only where its
        phrases read it: a few words say too little for the model ("ê", "gửi nhầm"), and it does not know what speaks
        against a reading."""
        candidates: list[_Candidate] = []
        for members in self._groups.values():
            said = [(found[n][0] + found[n][1], -n) for n in members if n in found]
            if said:
                score, negative = max(said)
                number = -negative
            else:
                score, number = 0.0, max(members, key=lambda n: model.get(self.intents[n].name, 0.0))
            if self.intents[number].hint is None and self.intents[number].detector is None:
                # What the form may preselect comes from the words that name it, even when the words that ask for
                # the command weigh more ("tôi muốn báo công an, có người bán ma túy": a tip, about drugs).
                hinted = [
                    (found[n][0], -n) for n in members if n in found and found[n][0] and self.intents[n].hint
                ]
                if hinted:
                    number = -max(hinted)[1]
            certainty = sum(model.get(self.intents[n].name, 0.0) for n in members)
            danger = self.intents[number].mode == Mode.EMERGENCY
            against = any(n in doubted for n in members)
            candidates.append(
                _Candidate(
                    number,
                    score,
                    found[number][1] if number in found else 0.0,
                    certainty,
                    log(max(certainty, FLOOR)) + PHRASES * score,
                    # Words against danger ("hôm qua") do not silence the model for it: danger is missed last.
                    short or (against and not danger),
                    against,
                )
            )
        nothing = log(max(model.get(NONE, 0.0), FLOOR)) + MARGIN
        top = max(nothing, *(c.odds for c in candidates))
        total = exp(nothing - top) + sum(exp(c.odds - top) for c in candidates)
        readings: list[Reading] = []
        # Danger words in a film, a game, an idiom or a story the model has learnt to be nothing ("GTA cướp xe
        # bắn nhau", "chém gió", "nóng như đổ lửa"): its phrases no longer force the reading, the model decides.
        surely_nothing = model.get(NONE, 0.0) >= SURELY_NOTHING
        for c in candidates:
            intent = self.intents[c.intent]
            likely = exp(c.odds - top) / total
            danger = intent.mode == Mode.EMERGENCY
            # Danger its phrases read is a reading whatever the model says, unless words speak against it ("hôm
            # qua", "nghe tin", "như ăn cướp"): then it is one only where the model, weighed with the phrases, finds
            # it fairly likely (DANGER), as for danger the phrases do not read.
            if c.detector >= DECISIVE or (
                danger and c.said >= ENOUGH and not c.against and not surely_nothing
            ):
                likely = max(likely, DANGER) + (1.0 if c.detector >= DECISIVE else 0.0)
            elif danger and c.certainty >= ALARM and not c.phrases_only and not c.against:
                likely = max(likely, DANGER)
            elif (
                c.odds <= nothing
                or likely < (DANGER if danger else LIKELY if c.said > 0 else UNSAID)
                or (c.phrases_only and c.said < ENOUGH)
            ):
                continue
            readings.append(
                Reading(
                    intent,
                    round(likely, 3),
                    found[c.intent][2] if c.intent in found else None,
                    decisive=c.detector >= DECISIVE,
                )
            )
        return readings

    def read(self, text: str) -> list[Reading]:
        """The readings, best first (ties: the order intents were declared): with the model, one per command and
        mode (`_blend`); without it, every intent that reaches ENOUGH."""
        model = self._model()
        tokens = self._apart(tokens_of(text))
        phrases, doubted = self._phrases(tokens)
        found: dict[int, tuple[float, float, str | None]] = {}  # intent → (phrases, detector, args)
        for number, intent in enumerate(self.intents):
            extra, args = 0.0, None
            if intent.detector is not None:
                seen_by = intent.detector(text)
                extra, args = seen_by if isinstance(seen_by, tuple) else (seen_by, None)
                if not extra:
                    args = ""  # it saw nothing to run the command on: the command asks for it
            if number in phrases or intent.detector is not None:
                found[number] = (phrases.get(number, 0.0), extra, args)
        # Without examples, or when the model knows none of the words (an emoji, a pasted link), phrases decide.
        likely = model.probabilities(_features(tokens)) if model is not None else {}
        if likely:
            readings = self._blend(found, likely, doubted, len(tokens) < SHORT)
        else:
            readings = [
                Reading(self.intents[n], round(said + extra, 3), args, decisive=extra >= DECISIVE)
                for n, (said, extra, args) in found.items()
                if said + extra >= ENOUGH
            ]
        readings.sort(key=lambda r: (-r.score, self._order[r.intent.name]))
        return readings

    def _apart(self, tokens: list[Token]) -> list[Token]:
        """Words typed run together ("chaynha", "toimuonbaocongan") split into the known words they are made of.
        Only a word nobody knows is split, one that is no syllable itself, nor a typo of a phrase word."""
        if not self._syllables:
            if not self._vocabulary:
                return tokens
            self._syllables = frozenset(w for w in self._vocabulary if SYLLABLE.fullmatch(w))
        out: list[Token] = []
        for folded, marks in tokens:
            pieces = None
            if (
                len(folded) >= RUN_TOGETHER
                and folded not in self._syllables
                and folded not in self._vocabulary
                and not DIGIT.search(folded)
                and not SYLLABLE.fullmatch(folded)
                and not self._stands_for(folded)
            ):
                pieces = split_known(folded, self._syllables)
            if pieces is None:
                out.append((folded, marks))
            else:
                out += [(piece, None) for piece in pieces]
        return out

    def _phrases(self, tokens: list[Token]) -> tuple[dict[int, float], set[int]]:
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
                stands = seen[folded] = self._stands_for(folded)
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

    def _stands_for(self, word: str) -> dict[str, float]:
        """The phrase words a typed word may be: itself, without a held-down letter, or one letter off."""
        if word in self._vocabulary:
            return {word: 1.0}
        if DIGIT.search(word):
            return {}  # "hẻm 5" is never "hẻm 6"
        # A held-down letter is emphasis, not a typo; an English plural is the word ("neighbors", "scams"): no
        # Vietnamese word ends in "s".
        for shorter in (HELD_LETTER.sub(r"\1\1", word), HELD_LETTER.sub(r"\1", word), word.removesuffix("s")):
            if shorter != word and shorter in self._vocabulary:
                return {shorter: HELD}
        if len(word) < TYPO_MIN_TYPED or SYLLABLE.fullmatch(word):
            return {}
        near: dict[str, float] = {}
        for key in {word, *deletions(word)}:
            for candidate in self._typos.get(key, ()):
                if OSA.distance(word, candidate, score_cutoff=1) <= 1:
                    near[candidate] = TYPO
        return near

    def best(self, text: str, allowed: Callable[[str], bool] | None = None) -> list[Reading]:
        """What to offer: an emergency whenever one is read (it may not be missed); otherwise the best reading,
        and the next one of another command when it is close. `allowed` drops commands the person may not use."""
        readings = [r for r in self.read(text) if allowed is None or allowed(r.intent.command)]
        emergency = next((r for r in readings if r.intent.mode == Mode.EMERGENCY), None)
        if emergency is not None:
            return [emergency]
        if not readings:
            return []
        top = readings[0]
        if top.decisive:
            return [top]
        close = next(
            (
                r
                for r in readings[1:]
                if r.intent.command != top.intent.command and r.score >= CLOSE * top.score
            ),
            None,
        )
        return [top, close] if close is not None else [top]


def label_of(readings: list[Reading]) -> str:
    """The corpus label of what the reader would do: "emergency", the first command offered, or "none"."""
    if not readings:
        return "none"
    first = readings[0].intent
    return "emergency" if first.mode == Mode.EMERGENCY else first.command


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
