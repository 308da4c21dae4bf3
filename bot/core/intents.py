"""Reading what a person wants from the words they type outside a form ("có người bán ma túy ở hẻm 5" → a tip).

Each feature declares its intents in a data file next to its router (`intents.toml`, loaded by
`router.intents(...)`; what it holds: bot/core/intent_data.py): the command an intent leads to and the phrases
people use for it, with weights, words against it and "together" rules. How phrases are matched against a message
(accents, typos, words against, a story brought back to the present) is bot/core/phrases.py; what a detector (a
function the feature gives: a pasted phone number, a receipt code) finds is added to its intent's phrase score.

Phrases are precise but nobody can list every way of saying a thing, so each feature also gives examples: messages
as residents write them, labelled with the intent they mean or "none" (greetings, thanks, chit-chat), in a file
beside its router (`examples.tsv`, the format: `load`). At start-up a naive Bayes model (bot/core/intent_model.py)
learns from every feature's examples and phrases which words and pairs of words go with which intent, accents
folded away except where typed. A message is then read by both: for each command (a tip's categories together) the model's
odds are multiplied by e^(PHRASES × its phrase score), and what beats "nothing" by a margin is a reading (one no
phrase supports only when the model finds it likelier than not). Phrases keep their word where they are sure: danger
its phrases read with no words against it, and a detector that is sure (a receipt code, a number pasted alone), are
readings whatever the model says; a message of a few words is read only where phrases read it too. Missing danger
is worse than showing 113 to someone who did not need it: an emergency is offered whenever it is read, and the model alone offers one already when it is fairly likely (DANGER); otherwise the best
reading, and a second one of another command when it is close.

Phrases walk only the phrases whose words all occur, and the model looks up each feature once, so reading stays
linear in the length of the message.

Nothing here stores anything: the reader is a pure function of the text, so the corpus test (tests/corpus/) can
measure it, and the maintainers can measure it again on their own corpus (bot/tools/intents.py; a corpus the
examples hold is measured by cross-validation, never by a model that learnt it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import lru_cache
from math import exp, log
from typing import NamedTuple

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
from bot.core.phrases import Phrases
from bot.core.wording import (
    DIGIT,
    SYLLABLE,
    Token,
    Words,
    compiled,
    same,
    tokens_of,
)

ENOUGH = 2.0  # the least score that is a reading at all: one normal phrase, or a weak one said alone
CLOSE = 0.7  # a second reading at least this close to the first is offered too

PHRASE_EXAMPLE = {STRONG: 1.0, NORMAL: 0.6, WEAK: 0.25}  # a listed phrase learnt as a (weighted) example
PHONE = 6  # digits from which a number is a phone or an account rather than a house or an hour
PHRASES = 1.0  # each point of phrase score multiplies a reading's odds by e ** PHRASES
DANGER = 0.4  # an emergency this likely is offered even when something else is likelier (it comes first)
# Folded: "dang" is also "đáng" (worth) typed plainly, which only keeps a reading of danger (the safe side).
SAYS_NOW = (
    "dang", "gio", "bay gio", "luc nay", "hien tai", "hien gio", "toi nay", "dem nay", "nay lai", "vua xong",
    "now", "tonight", "happening",
)  # fmt: skip
TOLD_LATER = 0.9  # a tip this likely, where danger only its phrases read, is offered as a tip (told_later)
ALARM = 0.7  # ... and one the model alone is this sure of, whatever the phrases say of other readings
SURELY_NOTHING = 0.8  # danger its phrases read is a reading unless the model is this sure the message is
# nothing (the most it said of an emergency in 497 unseen ones was 0.34)
MARGIN = 2.0  # "nothing" starts this far ahead (log-odds): a reading must beat it clearly
SHORT = 7  # a message of fewer words is read by the model only where its phrases read it too
LIKELY = 0.1  # a reading less likely than this is not one at all, even when "nothing" is less likely still
UNSAID = 0.5  # ... and one no phrase of it supports (the model's alone) less likely than this
FLOOR = 1e-6  # the least the model says of anything: phrases can always outweigh it
DECISIVE = 4.0  # a detector this sure (a receipt code, a number pasted alone) decides whatever else is read


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


@lru_cache(maxsize=16)
def _phrases(intents: tuple[Intent, ...]) -> Phrases:
    """The intents' phrases compiled and indexed once per process (every App of a test run shares them: built per
    App, they were a fifth of the test suite's CPU). Only the fields intents compare by go into them."""
    return Phrases(intents)


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
        self.phrases = _phrases(tuple(self.intents))
        self._order = {i.name: n for n, i in enumerate(self.intents)}
        # The readings the model chooses between: one per command, mode and whether it carries the words (a tip's
        # categories are one reading; following one's reports is not a new report of the same command).
        self._groups: dict[tuple[str, Mode, bool], list[int]] = {}
        for number, intent in enumerate(self.intents):
            self._groups.setdefault(reading_of(intent), []).append(number)
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
                w for w in (*self.phrases.vocabulary, *self._bayes.words()) if SYLLABLE.fullmatch(w)
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
        phrases, doubted = self.phrases.scores(tokens)
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

    def _work(self, text: str, own: Callable[[str], bool]) -> Reading | None:
        """The best reading of one of the person's own commands that its phrases read alone (ENOUGH), if any."""
        scores, _doubted = self.phrases.scores(self._apart(tokens_of(text)))
        found = [
            (score, -n)
            for n, score in scores.items()
            if score >= ENOUGH and self.intents[n].mode != Mode.EMERGENCY and own(self.intents[n].command)
        ]
        if not found:
            return None
        _score, negative = max(found)
        intent = self.intents[-negative]
        return Reading(intent, 1.0, "" if intent.detector else None)

    def _apart(self, tokens: list[Token]) -> list[Token]:
        """Words typed run together ("chaynha") split into the known words: the phrases' and, once it has learnt,
        the model's."""
        if not self._syllables:
            if not self.phrases.vocabulary:
                return tokens
            self._syllables = frozenset(w for w in self.phrases.vocabulary if SYLLABLE.fullmatch(w))
        return self.phrases.apart(tokens, self._syllables)

    def says_danger(self, text: str) -> bool:
        """Whether the words read as danger happening now by its phrases, not by the model alone: an answer typed
        in a form ("trước cửa chợ, số 5 Lê Lợi", an address) is unlike anything the model learnt, which then reads
        danger in it more than half the time."""
        readings = self.best(text)
        if not readings or readings[0].intent.mode != Mode.EMERGENCY:
            return False
        scores, doubted = self.phrases.scores(self._apart(tokens_of(text)))
        return any(
            score >= ENOUGH and self.intents[n].mode == Mode.EMERGENCY and n not in doubted
            for n, score in scores.items()
        )

    def best(
        self,
        text: str,
        allowed: Callable[[str], bool] | None = None,
        own: Callable[[str], bool] | None = None,
    ) -> list[Reading]:
        """What to offer: an emergency whenever one is read (it may not be missed); otherwise the best reading,
        and the next one of another command when it is close. `allowed` drops commands the person may not use.
        `own`: the commands of the person's work (an officer's tips, a leader's report); when their phrases read
        the words, they come first: "xem tin báo" from an officer is the ward's tips, from a resident the look-up
        of their own tip. The model learnt from everyone's words and cannot tell the two apart."""
        readings = [r for r in self.read(text) if allowed is None or allowed(r.intent.command)]
        emergency = next((r for r in readings if r.intent.mode == Mode.EMERGENCY), None)
        if emergency is not None and not told_later(text, readings, emergency):
            return [emergency]
        readings = [r for r in readings if r.intent.mode != Mode.EMERGENCY]
        work = self._work(text, own) if own is not None else None
        if work is not None:
            return [work, *(r for r in readings if r.intent.command != work.intent.command)][:2]
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


def reading_of(intent: Intent) -> tuple[str, Mode, bool]:
    """What makes intents one reading, seen from several sides: the same command, mode and carrying."""
    return intent.command, intent.mode, intent.carry


def told_later(text: str, readings: list[Reading], emergency: Reading) -> bool:
    """Danger words in what the model is near sure is a tip of something over ("bị lừa mất 45 triệu: có người
    gọi nói con tui bị tai nạn", "bị cướp giật từ sáng nay, giờ mới về tới nhà"): the danger reading stands only on
    its phrases (the model gave it less than DANGER), a tip of the same command is TOLD_LATER likely, and no word
    says "now" ("đang", "bây giờ": "mà giờ lại đang có 2 thằng lạ mặt cạy cửa" is danger after a story). The tip
    form is offered, which is where the emergency offer leads too."""
    top = readings[0]
    said = f" {' '.join(w for w, _marks in tokens_of(text))} "
    return (
        not any(f" {now} " in said for now in SAYS_NOW)
        and emergency.score <= DANGER
        and top is not emergency
        and top.intent.command == emergency.intent.command
        and top.score >= TOLD_LATER
    )


def label_of(readings: list[Reading]) -> str:
    """The corpus label of what the reader would do: "emergency", the first command offered, or "none"."""
    if not readings:
        return "none"
    first = readings[0].intent
    return "emergency" if first.mode == Mode.EMERGENCY else first.command
