"""Where a benchmark's CPU went: processes' own CPU time read from /proc, and how busy the whole host was
(Linux only, as the benchmarks are).

On a 2-CPU host the bots, the driver and the database share the CPUs: a process's throughput can only be read
against what the others took at the same time. The database's share is read as the host's busy time less the
bots' and the driver's: a PostgreSQL backend that ends during a trial takes its CPU time with it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def process_seconds(pid: int) -> float:
    """User and system CPU seconds of one process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def processes_seconds(pids: Iterable[int]) -> float:
    return sum(process_seconds(pid) for pid in pids)


def host_busy_seconds() -> float:
    """CPU seconds the host spent busy (all CPUs together): everything but idle and I/O wait."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICK


@dataclass(frozen=True)
class Reading:
    """CPU seconds of the driver (this process, with whatever fake it serves) and of the whole host."""

    driver: float
    host: float

    @classmethod
    def now(cls) -> Reading:
        return cls(time.process_time(), host_busy_seconds())

    def since(self, before: Reading) -> Reading:
        return Reading(self.driver - before.driver, self.host - before.host)
