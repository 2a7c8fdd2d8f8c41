"""Memory under load: peak RSS of a sweep's parent and workers at 100 and 1,000 runs.

Runs `fugong sweep` on the small test economy (short horizon) in a subprocess and samples
/proc every 0.2 s for the resident memory of the sweep process and of each worker.
The runs grow by adding sweep points (10 replicates each), so the per-point work is the
same. Memory is flat when the 1,000-run peak is about the 100-run peak.

    python benchmarks/sweep_memory.py --runs 100 1000 --jobs 2
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "tests" / "fixtures" / "small.yaml"
REPLICATES = 10


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    kids = [int(p) for p in out.stdout.split()]
    return kids + [g for k in kids for g in children(k)]


def measure(runs: int, jobs: int, folder: Path) -> dict:
    points = runs // REPLICATES  # more runs = more points; each point's work stays the same
    sweep = folder / f"load{runs}.yaml"
    sweep.write_text(
        f"name: load{runs}\nbase: {SMALL}\nreplicates: {REPLICATES}\n"
        "overrides: {end_date: 2022-04-30}\n"
        "parameters:\n  permits.daily_capacity:\n"
        f"    {{range: {{lo: 0.25, hi: 8, n: {points}, log: true}}, scale_schedule: true}}\n"
    )
    cmd = [
        sys.executable,
        str(ROOT / "run.py"),
        "sweep",
        str(sweep),
        "--jobs",
        str(jobs),
        "--out",
        str(folder / f"out{runs}"),
    ]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    parent = workers = 0.0
    while proc.poll() is None:
        parent = max(parent, rss_mb(proc.pid))
        workers = max([workers] + [rss_mb(k) for k in children(proc.pid)])
        time.sleep(0.2)
    if proc.returncode:
        raise SystemExit(f"sweep of {runs} runs failed ({proc.returncode})")
    return {
        "runs": runs,
        "jobs": jobs,
        "seconds": round(time.perf_counter() - start, 1),
        "parent_peak_rss_mb": round(parent, 1),
        "worker_peak_rss_mb": round(workers, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, nargs="+", default=[100, 1000])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "memory.json")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for runs in args.runs:
            rows.append(measure(runs, args.jobs, Path(tmp)))
            print(json.dumps(rows[-1]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
