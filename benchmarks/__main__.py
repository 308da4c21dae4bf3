"""Run benchmarks: `python -m benchmarks` runs all, `python -m benchmarks broadcast --quick` one with its options.

Without names only the options every benchmark understands (`--quick`) are passed on.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path

COMMON = {"--quick"}


def found() -> list[str]:
    """Public modules of this package that define `main`."""
    names = []
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name.startswith("_"):
            continue
        if hasattr(importlib.import_module(f"benchmarks.{info.name}"), "main"):
            names.append(info.name)
    return sorted(names)


def main(argv: list[str]) -> int:
    available = found()
    names = [a for a in argv if a in available]
    options = [a for a in argv if a not in names]
    if not names and {"-h", "--help"} & set(options):
        # Running every benchmark (about an hour) is no answer to asking how to run them.
        print(__doc__.strip() + "\n\nBenchmarks: " + ", ".join(available) + " (each takes --help)")
        return 0
    unknown = [a for a in options if not a.startswith("-") and not names]
    if unknown:
        print(f"no benchmark named {', '.join(unknown)}; there are: {', '.join(available)}", file=sys.stderr)
        return 2
    if not names:
        names, options = available, [a for a in options if a in COMMON]
    failed = 0
    for name in names:
        print(f"== benchmark {name} {' '.join(options)}".rstrip(), flush=True)
        started = time.monotonic()
        code = importlib.import_module(f"benchmarks.{name}").main(options)
        print(f"== {name} finished in {time.monotonic() - started:.0f} s (exit {code})\n", flush=True)
        failed += bool(code)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
