"""How long reading plain words takes (bot/core/intents.py): the average cost of a 200-character message, of the same
messages with words run together (each such word is split into known words first), and how the cost grows with
length (a 4× longer message should cost about 4×, never 16×), as ratios taken in one run.

    .venv/bin/python -m benchmarks intents [--quick]
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from bot.tools.intents import RETYPED, SEED, app_reader, read_corpus

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "intents.tsv"
SENTENCE = "có người lạ đang đứng trước nhà số 5 hẻm 12, nghi trộm xe, sđt 0912 345 678. "


def fastest(read, text: str, runs: int) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        read(text)
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks intents", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    reader = app_reader()
    learnt = time.perf_counter() - started
    messages = [(e.text * 8)[:200] for e in read_corpus(CORPUS)[: 100 if args.quick else 400]]
    reader.best(messages[0])  # caches warmed
    rnd = random.Random(SEED)
    run_on = [RETYPED["run together"](text, rnd) for text in messages]

    def each(texts: list[str]) -> float:
        rounds = []
        for _ in range(3):
            start = time.perf_counter()
            for text in texts:
                reader.best(text)
            rounds.append((time.perf_counter() - start) / len(texts))
        return min(rounds)

    plain, joined = each(messages), each(run_on)
    runs = 3 if args.quick else 7
    short, long = SENTENCE * 25, SENTENCE * 100  # about 2,000 and 8,000 characters
    ratio = fastest(reader.best, long, runs) / fastest(reader.best, short, runs)
    print("intents: reading plain words")
    print(f"  start-up (load every feature's intents and examples, learn): {learnt * 1000:.0f} ms")
    print(f"  200-character message, best of 3 rounds of {len(messages)}: {plain * 1000:.3f} ms each")
    print(f"  ... the same with words run together: {joined * 1000:.3f} ms each")
    print(f"  8,000 ÷ 2,000 characters: {ratio:.2f}× (4 when linear, 16 when quadratic; goal < 8)")
    return 0 if ratio < 8 else 1


if __name__ == "__main__":
    raise SystemExit(main())
