"""The event loop every An Dân process runs on (uvloop where installed, else asyncio's own), and GC tuning.

uvloop does the socket work of a loop in C; a broadcast spends most of its CPU there (one HTTPS request per
message), so the same sender delivers noticeably more per CPU second. Nothing in the app depends on it.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:  # Windows: uvloop does not exist there
        return None
    return uvloop.new_event_loop


def run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` on the preferred loop."""
    with asyncio.Runner(loop_factory=factory()) as runner:
        return runner.run(main)


def started() -> None:
    """Call once a process has finished starting: what exists now (modules, models, the app) lives as long as
    the process, so the cyclic garbage collector stops walking it on every full collection. A broadcast
    allocates fast enough that those walks otherwise cost several per cent of the CPU."""
    gc.collect()
    gc.freeze()
