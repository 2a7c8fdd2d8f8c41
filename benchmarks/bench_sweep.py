"""Sweep throughput (runs per minute) with and without the shared counterfactual.

Runs ``fugong sweep`` on a sweep file (default: sweeps/permits_x_passes.yaml at scale 20)
in fresh processes, alternating the two settings so machine noise hits both alike: the
default (each worker keeps the no-lockdown counterfactual per economy and seed, see
sim/counterfactual.py) and ``FUGONG_COUNTERFACTUALS_KEPT=0`` (every run computes its own).
Prints wall time, runs/min and the ratio per pair, and the medians.

    python benchmarks/bench_sweep.py                       # 5x5 points x 2 replicates, 2 jobs
    python benchmarks/bench_sweep.py --replicates 8 --repeat 3 --jobs 2
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = {"shared": {}, "not shared": {"FUGONG_COUNTERFACTUALS_KEPT": "0"}}


def one_sweep(sweep: Path, replicates: int, jobs: int, env: dict[str, str]) -> float:
    """Wall seconds of one ``fugong sweep`` in a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "run", "sweep", str(sweep), "-r", str(replicates)]
        cmd += ["--jobs", str(jobs), "--out", f"{tmp}/out"]
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True)
        return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sweep", type=Path, default=ROOT / "sweeps" / "permits_x_passes.yaml")
    p.add_argument("--points", type=int, default=25, help="points in the sweep file")
    p.add_argument("--replicates", type=int, default=2)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    runs = args.points * args.replicates
    walls: dict[str, list[float]] = {k: [] for k in SETTINGS}
    print(f"{args.sweep.name}: {runs} runs, --jobs {args.jobs}, load {os.getloadavg()[0]:.1f}")
    for r in range(args.repeat):
        for name, env in SETTINGS.items():
            walls[name].append(one_sweep(args.sweep, args.replicates, args.jobs, env))
        a, b = walls["shared"][-1], walls["not shared"][-1]
        print(
            f"  pair {r + 1}: shared {a:.1f} s ({60 * runs / a:.0f} runs/min), not shared "
            f"{b:.1f} s ({60 * runs / b:.0f} runs/min), ratio {b / a:.2f}",
            flush=True,
        )
    for name, w in walls.items():
        m = statistics.median(w)
        print(f"{name}: median {m:.1f} s, {60 * runs / m:.0f} runs/min")
    ratios = [b / a for a, b in zip(walls["shared"], walls["not shared"], strict=True)]
    print(f"speed-up from sharing (median of pairs): {statistics.median(ratios):.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
