"""What a feature declares about the plain words that lead to its commands (its `intents.toml` and `examples.tsv`,
loaded by `router.intents(...)`): the intents, their phrases and weights, "together" rules, words against them,
and the examples the model learns from. The format: `load`. Reading a message is bot/core/intents.py."""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from bot.core.wording import STRICT, WORD, Words

# The raw text → a score to add (0 when it sees nothing), or the score and what to run the command with (for mode
# "run": the receipt code found in "tra cứu giúp tôi mã K7QM-...").
Detector = Callable[[str], "float | tuple[float, str]"]

STRONG, NORMAL, WEAK = 3.0, 2.0, 1.0
AGAINST = 1.5  # what each word against an intent takes off (at most two): one phrase for it no longer reads
NONE = "none"  # the label of examples that open nothing: greetings, thanks, chit-chat, near misses
ALL = "all"  # the table of what a data file says once for all the "offer" intents of a command (`load`)


class Mode(StrEnum):
    OFFER = "offer"  # offer the command in one press (the default: no form starts without a press)
    RUN = "run"  # run the command on the text at once (a look-up or a check: nothing is started or stored)
    EMERGENCY = "emergency"  # emergency numbers first, then the offer


@dataclass(frozen=True)
class Together:
    """Words that mean something only together, in any order, close to one another ("đang" and "đánh", "tin
    báo" and "tới đâu"): one phrase of each group within WINDOW words."""

    groups: tuple[tuple[Words, ...], ...]
    weight: float


@dataclass(frozen=True)
class Intent:
    name: str
    command: str
    mode: Mode = Mode.OFFER
    carry: bool = False  # the text goes along into the form when the offer is pressed
    private: bool = False  # the text is handled like a tip's: kept unlinkable to the person
    hint: str | None = None  # what the form may preselect (a tip's category)
    phrases: tuple[tuple[Words, float], ...] = ()  # each with its weight
    against: tuple[tuple[Words, float], ...] = ()  # words that speak against it (the best one is subtracted)
    # Words that give one of its phrases another sense ("chạy về": running, not burning; "tra cứu": looking up, not
    # a rescue): a match of its phrases on the same words does not count; elsewhere in the message they say nothing.
    unless: tuple[Words, ...] = ()
    # Words that say "now" after an earlier story ("mà giờ", "bây giờ"): words against it said before them
    # ("hôm qua", "đã báo rồi") do not count, the story having come back to the present.
    now: tuple[Words, ...] = ()
    together: tuple[Together, ...] = ()
    detector: Detector | None = field(default=None, compare=False)
    # Messages that mean it, as residents write them (its feature's examples file): the model learns from them.
    examples: tuple[str, ...] = ()
    # Messages of its feature's file labelled "none": near its words but opening nothing ("cháy túi rồi").
    counterexamples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reading:
    intent: Intent
    score: float
    # What the command runs with (mode "run"): what its detector found; None: the whole text (the detector saw
    # something in it, or there is none); "": nothing (the detector saw nothing: the command asks for it).
    args: str | None = None
    decisive: bool = (
        False  # its detector is sure (a receipt code, a number pasted alone): it is offered alone
    )


def load(
    path: Path, detectors: Mapping[str, Detector] | None = None, examples: Path | None = None
) -> list[Intent]:
    """Intents from a feature's data file. Each table is one intent:

    [tip]
    command = "togiac"          # the command it leads to
    mode = "offer"              # offer | run | emergency
    carry = true                # optional; private, hint likewise
    strong = ["tố giác", ...]   # weight 3: says it alone
    phrases = ["cong an", ...]  # weight 2
    weak = ["hang xom", ...]    # weight 1: only with support, or as the whole message
    against = ["hom qua", ...]  # optional: the two best of these are subtracted (AGAINST each)
    unless = ["chạy về", ...]   # optional: its phrases matched on these words do not count ("chay" is "chạy")
    now = ["bây giờ", ...]      # optional: words against it said before these do not count

    [[tip.together]]            # optional, any number: one phrase of each group, close together
    weight = "strong"           # strong (the default) | normal | weak
    groups = [["đang", "vừa"], ["đánh", "chém"]]

    [all.togiac]                # optional: said once for every "offer" intent of a command (its categories)
    against = ["haha", ...]     # a joke told with crime words is no tip of any kind; danger keeps its own list

    A phrase written without accents matches with or without them; one written with accents matches a message
    word that has the same accents or none (typed without accents); one written "=đang cháy" matches only when
    typed with its accents (without them it may be "đang chạy").

    `examples`: a file of messages as residents write them, one a line, `intent<TAB>message` ("\\n" a line
    break; blank lines and "#" comments skipped), the intent one of this file's or "none" (opens nothing). The
    model (see Reader) learns from them; they are what makes words nobody listed read well.
    """
    detectors = dict(detectors or {})
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    shared = data.pop(ALL, {})
    for command, spec in shared.items():
        if not isinstance(spec, dict) or set(spec) - {"against"}:
            raise ValueError(
                f"{path.name} [{ALL}.{command}]: only 'against' may be said for all of a command"
            )
    found: list[Intent] = []
    for name, spec in data.items():
        unknown = set(spec) - {
            *_WEIGHTS,
            "command",
            "mode",
            "carry",
            "private",
            "hint",
            "against",
            "unless",
            "now",
            "together",
        }
        if unknown or "command" not in spec:
            raise ValueError(f"{path.name} [{name}]: needs 'command'; unknown keys {sorted(unknown)}")

        def words_of(phrase: str, where: str = name) -> Words:
            tokens = tuple(WORD.findall(unicodedata.normalize("NFC", phrase.lower())))
            if not tokens:
                raise ValueError(f"{path.name} [{where}]: the phrase {phrase!r} has no words")
            return (STRICT, *tokens) if phrase.lstrip().startswith(STRICT) else tokens

        together: list[Together] = []
        for rule in spec.get("together", []):
            weight = _RULE_WEIGHTS.get(rule.get("weight", "strong"))
            groups = rule.get("groups", [])
            if weight is None or len(groups) < 2 or set(rule) - {"weight", "groups"}:
                raise ValueError(
                    f"{path.name} [{name}.together]: needs 2+ groups and a weight strong|normal|weak"
                )
            together.append(Together(tuple(tuple(words_of(p) for p in group) for group in groups), weight))
        found.append(
            Intent(
                name=name,
                command=spec["command"],
                mode=Mode(spec.get("mode", "offer")),
                carry=bool(spec.get("carry", False)),
                private=bool(spec.get("private", False)),
                hint=spec.get("hint"),
                phrases=tuple((words_of(p), w) for key, w in _WEIGHTS.items() for p in spec.get(key, [])),
                against=tuple(
                    (words_of(p), AGAINST)
                    for p in dict.fromkeys(
                        [
                            *spec.get("against", []),
                            # Danger happening now is never silenced by what is said of a command's other intents.
                            *(
                                shared.get(spec["command"], {}).get("against", [])
                                if spec.get("mode", "offer") == Mode.OFFER
                                else []
                            ),
                        ]
                    )
                ),
                unless=tuple(words_of(p) for p in spec.get("unless", [])),
                now=tuple(words_of(p) for p in spec.get("now", [])),
                together=tuple(together),
                detector=detectors.pop(name, None),
            )
        )
    if detectors:
        raise ValueError(f"{path.name}: detectors for intents it does not declare: {sorted(detectors)}")
    return _with_examples(found, examples) if examples is not None else found


def read_examples(path: Path) -> list[tuple[str, str]]:
    """(intent, message) from an examples file (the format: `load`)."""
    lines: list[tuple[str, str]] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        name, sep, text = raw.partition("\t")
        if not sep or not name.strip() or not text.strip():
            raise ValueError(f"{path.name}:{number}: expected 'intent<TAB>message'")
        lines.append((name.strip(), text.strip().replace("\\n", "\n")))
    return lines


def _with_examples(intents: list[Intent], path: Path) -> list[Intent]:
    by_name: dict[str, list[str]] = {i.name: [] for i in intents}
    by_name[NONE] = []
    for name, text in read_examples(path):
        if name not in by_name:
            raise ValueError(
                f"{path.name}: examples of {name!r}, which is neither an intent of the file nor none"
            )
        by_name[name].append(text)
    # The "none" lines go with every intent of the file: the reader takes each message once.
    nothing = tuple(dict.fromkeys(by_name[NONE]))
    return [
        replace(i, examples=tuple(dict.fromkeys(by_name[i.name])), counterexamples=nothing) for i in intents
    ]


_WEIGHTS = {"strong": STRONG, "phrases": NORMAL, "weak": WEAK}  # the lists of phrases and their weights
_RULE_WEIGHTS = {"strong": STRONG, "normal": NORMAL, "weak": WEAK}
