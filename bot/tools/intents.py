"""`python -m bot.tools.intents CORPUS.tsv [--show-misses]`: how well free text is read (bot.core.intents).

A corpus is a UTF-8 file of lines `label<TAB>message`, the label being the command a person writing that message
wants ("togiac", "kiemtra", …), "emergency" for danger happening now, or "none"; blank lines and lines starting
with "#" are skipped. It prints precision and recall per label and the overall accuracy, measured with the app's
own intents (every router's data file, examples and detectors), so anyone can measure it on a corpus of their own.
Messages of the corpus that the features' examples files also hold are never read by a model that learnt them
(see `measure`).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.core.intents import Reader, label_of, same
from bot.core.router import Registry

FOLDS = 5  # parts a corpus the model learnt from is measured in


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
    # A resident's menu: every command is allowed, as for a registered resident with no other role, except the
    # commands only a role may use (a resident writing "báo cáo" is not offered the group report).
    return label_of(reader.best(example.text, reader_allows_resident))


def reader_allows_resident(command: str) -> bool:
    found = _registry().commands.get(command)
    return found is not None and found.roles is None


@cache
def _registry() -> Registry:
    from handlers import all_routers

    return Registry(all_routers())


def app_reader() -> Reader:
    return _registry().reader


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
    args = parser.parse_args(argv)
    print(report(measure(app_reader(), read_corpus(args.corpus)), args.show_misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
