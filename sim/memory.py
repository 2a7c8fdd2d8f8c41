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


def check_memory(sc: Scenario, processes: int = 1, what: str = "this run") -> None:
    """Stop early with a clear message if ``processes`` replicates at once would not fit."""
    need = estimated_bytes(sc) * processes
    have = available_bytes()
    if have is not None and need > 0.9 * have:
        raise FugongError(
            f"{what} needs about {need / 1e9:.1f} GB ({sc.economy.workers / sc.scale:,.0f} "
            f"simulated workers x {processes} process(es)) but only {have / 1e9:.1f} GB is "
            "available; raise `scale` (--set scale=N) or use fewer --jobs"
        )


def largest(scenarios) -> Scenario:
    """The scenario with the largest memory estimate."""
    return max(scenarios, key=estimated_bytes)


def check_sweep_memory(plan, processes: int) -> None:
    """A sweep's workers each hold one run: check its largest point, ``processes`` at once
    (points are built only if a lever changes the workforce or the scale)."""
    sized = [k for k in plan.points.columns if k == "scale" or k.startswith("economy")]
    scenarios = [plan.scenario]
    if sized:
        for point in plan.points.index:
            try:
                scenarios.append(plan.point_scenario(point))
            except FugongError:
                continue  # an invalid point fails without building anything
    check_memory(largest(scenarios), processes, "this sweep")
