"""`python -m bot.tools.intents CORPUS.tsv [--show-misses] [--retyped]`: how well free text is read (bot.core.intents).

A corpus is a UTF-8 file of lines `label<TAB>message`, the label being the command a person writing that message
wants ("togiac", "kiemtra", …), "emergency" for danger happening now, or "none"; blank lines and lines starting
with "#" are skipped. It prints precision and recall per label and the overall accuracy, measured with the app's
own intents (every router's data file, examples and detectors), so anyone can measure it on a corpus of their own.
Each message is read as the bot reads its writer: a registered resident, who also has the role that the label's
command needs when it needs one (a group leader's "nộp báo cáo").
Messages of the corpus that the features' examples files also hold are never read by a model that learnt them
(see `measure`).

`--retyped` measures the corpus again as other people would type the same messages (`RETYPED`): without accents,
in chat shorthand, with one-letter slips, with words run together. It shows how the reader holds up on spellings
nobody wrote examples in; the messages stay out of what the model learns exactly as they do for `measure`.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from bot.core.intents import Reader, label_of
from bot.core.router import Registry
from bot.core.wording import same
from bot.textnorm import strip_accents
from models.people import Role

FOLDS = 5  # parts a corpus the model learnt from is measured in
SEED = 14  # the retyped corpus is the same on every run
# Words as chat shorthand writes them (what `RETYPED` swaps in, most of the time: some people spell them out).
SHORTHAND = {
    "không": ("ko", "k", "hok", "khum"), "được": ("dc", "đc"), "người": ("ng",), "gì": ("j",), "vậy": ("z",),
    "rồi": ("r", "oy", "rùi"), "biết": ("bik", "bít"), "quá": ("wá", "qá"), "với": ("vs",), "mình": ("mk", "mik"),
    "tôi": ("t",), "muốn": ("mún",), "đang": ("đg", "dag"), "cũng": ("cx",), "nhiều": ("nhìu",), "thôi": ("thui",),
    "vợ": ("vk",), "công an": ("cs",), "điện thoại": ("dt", "đt"), "số điện thoại": ("sdt",), "tin nhắn": ("tn",),
    "bây giờ": ("bjo",), "nói": ("ns",), "đi": ("ik",), "hôm": ("hum",), "giờ": ("jờ",), "phải": ("fải",),
    "trước": ("trc",),
}  # fmt: skip
SHORTHAND_SHARE = 0.8  # how often a word that has shorthand is written in it
SLIPS = 0.25  # the share of longer words typed with one letter dropped, swapped or wrong
RUN_ON = 0.2  # the share of words typed together with the next one


@dataclass(frozen=True)
class Example:
    line: int
    label: str
    text: str


@dataclass
class Scores:
    examples: list[tuple[Example, str]]  # each example with the label the reader gave

    @property
    def accuracy(self) -> float:
        return sum(e.label == got for e, got in self.examples) / max(1, len(self.examples))

    def recall(self, label: str) -> float:
        wanted = [got for e, got in self.examples if e.label == label]
        return sum(got == label for got in wanted) / len(wanted) if wanted else 1.0

    def precision(self, label: str) -> float:
        given = [e.label for e, got in self.examples if got == label]
        return sum(want == label for want in given) / len(given) if given else 1.0

    def labels(self) -> list[str]:
        return sorted({e.label for e, _got in self.examples} | {got for _e, got in self.examples})

    def misses(self) -> list[tuple[Example, str]]:
        return [(e, got) for e, got in self.examples if e.label != got]


def read_corpus(path: Path) -> list[Example]:
    examples: list[Example] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        label, sep, text = raw.partition("\t")
        if not sep or not label.strip() or not text.strip():
            raise ValueError(f"{path}:{number}: expected 'label<TAB>message'")
        examples.append(Example(number, label.strip(), text.strip().replace("\\n", "\n")))
    return examples


def _shorthand(text: str, rnd: random.Random) -> str:
    def swap(short: tuple[str, ...]) -> Callable[[re.Match[str]], str]:
        return lambda m: rnd.choice(short) if rnd.random() < SHORTHAND_SHARE else m.group(0)

    out = text.lower()
    for word, short in SHORTHAND.items():
        out = re.sub(rf"(?<!\w){word}(?!\w)", swap(short), out)
    return out


def _slips(text: str, rnd: random.Random) -> str:
    words = text.split(" ")
    for n, word in enumerate(words):
        if len(word) >= 4 and word.isalpha() and rnd.random() < SLIPS:
            at, kind = rnd.randrange(len(word)), rnd.randrange(3)
            if kind == 0:
                word = word[:at] + word[at + 1 :]
            elif kind == 1 and at < len(word) - 1:
                word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
            else:
                word = word[:at] + rnd.choice("aeiouhntcg") + word[at + 1 :]
            words[n] = word
    return " ".join(words)


def _run_on(text: str, rnd: random.Random) -> str:
    words, out = text.split(" "), []
    while words:
        word = words.pop(0)
        out.append(word + words.pop(0) if words and rnd.random() < RUN_ON else word)
    return " ".join(out)


# How other people type the same messages: each a function of the text and the run's random source.
RETYPED: dict[str, Callable[[str, random.Random], str]] = {
    "without accents": lambda text, _rnd: strip_accents(text),
    "shorthand": _shorthand,
    "shorthand, no accents": lambda text, rnd: strip_accents(_shorthand(text, rnd)),
    "one-letter slips": _slips,
    "run together": _run_on,
}


def retyped(
    reader: Reader, examples: list[Example], how: Callable[[str, random.Random], str], folds: int = FOLDS
) -> Scores:
    """How `reader` reads the corpus retyped by `how`, each part by a model that never learnt it (as `measure`
    does: the retyped messages are not the ones the examples files hold, their originals may be)."""
    rnd = random.Random(SEED)
    learnt = reader.learnt()
    parts = range(folds) if any(same(e.text) in learnt for e in examples) else range(1)
    step = len(parts)
    got: list[tuple[Example, str]] = []
    for part in parts:
        held = examples[part::step]
        without = reader.without(e.text for e in held) if step > 1 else reader
        for e in held:
            again = replace(e, text=how(e.text, rnd))
            got.append((again, _label(without, again)))
    return Scores(sorted(got, key=lambda pair: pair[0].line))


def measure(reader: Reader, examples: list[Example], folds: int = FOLDS) -> Scores:
    """How `reader` reads the corpus. The model is never measured on messages it learnt: when the corpus shares
    messages with the features' examples files, it is measured in `folds` parts, each read by a model learnt
    without that part (cross-validation); a corpus nobody wrote examples from is read as it is."""
    learnt = reader.learnt()
    if not any(same(e.text) in learnt for e in examples):
        return Scores([(e, _label(reader, e)) for e in examples])
    got: list[tuple[Example, str]] = []
    for part in range(folds):
        held = examples[part::folds]
        without = reader.without(e.text for e in held)
        got += [(e, _label(without, e)) for e in held]
    return Scores(sorted(got, key=lambda pair: pair[0].line))


def _label(reader: Reader, example: Example) -> str:
    # Read as the bot reads its writer (bot/core/understand.py): a registered resident, and, when the label is a
    # command only some roles may use (a group leader's report), a resident who also has such a role, whose work's
    # commands come first where their words are said. A resident writing "báo cáo" is not offered the group
    # report; the group leader writing it is.
    return label_of(reader.best(example.text, allows_writer_of(example.label), works_of(example.label)))


def allows_writer_of(label: str) -> Callable[[str], bool]:
    """What the person who wrote a message with this label may open: every command for anyone, and the commands of
    the roles that the label's command needs."""
    found = _registry().commands.get(label)
    roles = found.roles if found is not None and found.roles is not None else frozenset()

    def allowed(command: str) -> bool:
        other = _registry().commands.get(command)
        return other is not None and (other.roles is None or bool(other.roles & roles))

    return allowed


def works_of(label: str) -> Callable[[str], bool] | None:
    """The commands of the work of the role that the label's command needs (None when everyone may use it)."""
    found = _registry().commands.get(label)
    if found is None or found.roles is None:
        return None
    roles = found.roles - {Role.RESIDENT}

    def own(command: str) -> bool:
        other = _registry().commands.get(command)
        return other is not None and other.roles is not None and bool(other.roles & roles)

    return own if roles else None


@cache
def _registry() -> Registry:
    from handlers import all_routers

    return Registry(all_routers())


def app_reader() -> Reader:
    return _registry().reader


def summary(name: str, scores: Scores) -> str:
    """One line of the figures the issue asks for."""
    opened = sum(1 for e, got in scores.examples if e.label == "none" and got != "none")
    return (
        f"{name:<22} accuracy {scores.accuracy:.3f}  emergency recall {scores.recall('emergency'):.3f}"
        f"  tip recall {scores.recall('togiac'):.3f}  'none' opening a form {opened}"
    )


def report(scores: Scores, show_misses: bool = False) -> str:
    lines = [f"{'label':<14} {'precision':>9} {'recall':>7} {'n':>5}"]
    counts = Counter(e.label for e, _got in scores.examples)
    for label in scores.labels():
        lines.append(
            f"{label:<14} {scores.precision(label):>9.2f} {scores.recall(label):>7.2f} {counts.get(label, 0):>5}"
        )
    lines.append(f"accuracy {scores.accuracy:.3f} over {len(scores.examples)} messages")
    if show_misses:
        lines += [f"  line {e.line}: want {e.label}, got {got}: {e.text[:100]}" for e, got in scores.misses()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.tools.intents", description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--retyped", action="store_true", help="also as others would type it (RETYPED)")
    args = parser.parse_args(argv)
    reader, corpus = app_reader(), read_corpus(args.corpus)
    scores = measure(reader, corpus)
    print(report(scores, args.show_misses))
    if args.retyped:
        print(summary("as written", scores))
        for name, how in RETYPED.items():
            again = retyped(reader, corpus, how)
            print(summary(name, again))
            if args.show_misses:
                print(
                    "\n".join(
                        f"  line {e.line}: want {e.label}, got {got}: {e.text[:100]}"
                        for e, got in again.misses()
                    )
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
