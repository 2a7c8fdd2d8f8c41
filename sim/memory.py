"""Refuse, before building anything, a scenario that would not fit in memory."""

from __future__ import annotations

from pathlib import Path

from sim.errors import FugongError
from sim.scenario import Scenario

BYTES_PER_WORKER = 250  # measured ~185 B at 2 and 4 million workers (columns + temporaries)
BASE_BYTES = 250e6  # interpreter, libraries, firms, links and recorder


def estimated_bytes(sc: Scenario) -> float:
    """Peak memory of one replicate (its counterfactual runs after it, not alongside)."""
    return BASE_BYTES + BYTES_PER_WORKER * sc.economy.workers / sc.scale


def available_bytes() -> float | None:
    """MemAvailable from /proc/meminfo (None where there is no such file)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def check_memory(sc: Scenario, processes: int = 1) -> None:
    """Stop early with a clear message if ``processes`` replicates at once would not fit."""
    need = estimated_bytes(sc) * processes
    have = available_bytes()
    if have is not None and need > 0.9 * have:
        raise FugongError(
            f"this run needs about {need / 1e9:.1f} GB ({sc.economy.workers / sc.scale:,.0f} "
            f"simulated workers x {processes} process(es)) but only {have / 1e9:.1f} GB is "
            "available; raise `scale` (--set scale=N) or use fewer --jobs"
        )
