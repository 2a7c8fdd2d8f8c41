"""Wall time, throughput, peak memory and stage shares of full model runs.

Each measurement runs in a fresh Python subprocess (so its peak RSS is its own); the child
prints one JSON line and the parent aggregates repeats into a CSV and a Markdown table,
stamped with the git commit, date and machine, so results compare between commits.

    python benchmarks/bench.py --suite full            # scale 1, replicate + counterfactual
    python benchmarks/bench.py --suite scaling --repeat 5
    python benchmarks/bench.py --scale 1 5 20          # chosen scales
    python benchmarks/bench.py --suite all --out benchmarks/results/mine.csv

See benchmarks/README.md for the columns and how to profile.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.model import DEFAULT_SCENARIO, STAGES  # noqa: E402
from sim.scenario_files import load_scenario  # noqa: E402

MARK = "BENCH_JSON "
SUITES = ("full", "scale10", "scaling", "all")


@dataclass
class Case:
    """One benchmark configuration."""

    suite: str
    name: str
    overrides: list[str] = field(default_factory=list)
    counterfactual: bool = True  # run_replicate (model + no-lockdown run) or the model alone


def suite_cases(suite: str, scenario: Path) -> list[Case]:
    """The configurations of a preset suite."""
    if suite == "all":
        return [c for s in ("full", "scale10", "scaling") for c in suite_cases(s, scenario)]
    if suite == "full":
        return [Case("full", "scale 1 replicate", ["scale=1"])]
    if suite == "scale10":
        return [Case("scale10", "scale 10 replicate", ["scale=10"])]
    if suite == "scaling":
        sc = load_scenario(scenario)
        workers, firms = sc.economy.workers, sc.economy.firms
        batches = [b.firms for b in sc.policy.whitelist.batches]
        cases = [
            Case(
                "scaling",
                f"workers x{f:g}",
                ["scale=1", f"economy.workers={round(workers * f)}"],
                counterfactual=False,
            )
            for f in (0.25, 0.5, 1.0, 2.0)
        ]
        for f in (0.5, 2.0):
            over = ["scale=1", f"economy.firms={round(firms * f)}"]
            over += [
                f"policy.whitelist.batches.{i}.firms={round(b * f)}" for i, b in enumerate(batches)
            ]
            cases.append(Case("scaling", f"firms x{f:g}", over, counterfactual=False))
        return cases
    raise ValueError(f"unknown suite {suite!r}")


# ---------------------------------------------------------------------- child process
def measure(spec: dict[str, Any]) -> dict[str, Any]:
    """Build and run one configuration in this process; timings, sizes and peak RSS."""
    import sim.replicates as experiment
    from sim.model import RecoveryModel
    from sim.replicates import replicate_seed, run_replicate

    rss_imports = _maxrss_mb()
    load = os.getloadavg()[0]
    sc = load_scenario(spec["scenario"], spec["overrides"])
    seed = replicate_seed(sc.seed, 0)  # what `fugong run` uses for replicate 0
    sizes: dict[str, int] = {}

    class Sized(RecoveryModel):
        """Notes the lockdown run's size (run_replicate returns no model)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if not self.counterfactual:
                sizes.update(
                    workers=self.workforce.cols.n, firms=self.economy.firms.n, days=self.n_days
                )

    start = time.perf_counter()
    if spec["counterfactual"]:
        experiment.RecoveryModel = Sized
        seconds = dict(run_replicate(sc, 0, seed).seconds)
    else:
        model = Sized(sc, rng=seed).run()
        seconds = {f"stage_{k}": v for k, v in model.stage_seconds.items()}
        seconds["setup"] = model.setup_seconds
        seconds["counterfactual"] = float("nan")
    wall = time.perf_counter() - start
    if not sizes:
        raise RuntimeError("the lockdown model was not built through sim.replicates.RecoveryModel")
    return {
        **sizes,
        "wall": wall,
        "setup": seconds["setup"],
        "counterfactual": seconds["counterfactual"],
        "stages": {s: seconds[f"stage_{s}"] for s in STAGES},
        "peak_rss_mb": _maxrss_mb(),
        "rss_after_imports_mb": rss_imports,
        "load_before": load,
    }


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# ---------------------------------------------------------------------- parent
def run_child(case: Case, scenario: Path, timeout: float) -> dict[str, Any]:
    """One measurement in a fresh interpreter."""
    spec = {
        "scenario": str(scenario),
        "overrides": case.overrides,
        "counterfactual": case.counterfactual,
    }
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
        ),
    }
    proc = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(spec)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=timeout,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(MARK)]
    if proc.returncode or not lines:
        raise RuntimeError(f"{case.name}: child failed ({proc.returncode})\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][len(MARK) :])


def summarize(case: Case, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Aggregate the repeats of one case into one row."""
    med = statistics.median
    walls = [r["wall"] for r in runs]
    loops = [sum(r["stages"].values()) for r in runs]
    first = runs[0]
    row: dict[str, Any] = {
        "suite": case.suite,
        "case": case.name,
        "overrides": " ".join(case.overrides),
        "counterfactual": case.counterfactual,
        "repeats": len(runs),
        "workers": first["workers"],
        "firms": first["firms"],
        "days": first["days"],
        "wall_median_s": med(walls),
        "wall_min_s": min(walls),
        "wall_max_s": max(walls),
        "day_loop_median_s": med(loops),
        "setup_median_s": med(r["setup"] for r in runs),
        "counterfactual_median_s": med(r["counterfactual"] for r in runs),
        "worker_days_per_s": first["workers"] * first["days"] / med(loops),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "rss_after_imports_mb": med(r["rss_after_imports_mb"] for r in runs),
        "load_median": med(r["load_before"] for r in runs),
    }
    total = sum(loops) or 1.0
    for s in STAGES:
        row[f"{s}_median_s"] = med(r["stages"][s] for r in runs)
        row[f"{s}_share"] = sum(r["stages"][s] for r in runs) / total
    return row


def machine_info() -> dict[str, Any]:
    """Commit, date and machine, stamped on every row."""
    import mesa
    import numpy

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "sim", "run.py")
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    return {
        "commit": git("rev-parse", "--short", "HEAD") + ("+dirty" if dirty else ""),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "mesa": mesa.__version__,
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""),
    }


def markdown(rows: list[dict[str, Any]], info: dict[str, Any], repeat: int) -> str:
    """The results as Markdown: machine header, timing table, stage-share table."""
    out = [
        f"Benchmark: commit `{info['commit']}`, {info['date']}; {info['nproc']} CPUs "
        f"({info['cpu']}); Python {info['python']}, numpy {info['numpy']}, Mesa {info['mesa']}; "
        f"median of {repeat} runs, each in a fresh process.",
        "",
        "| case | workers | firms | days | wall s median [min-max] | day loop s | setup s "
        "| counterfactual s | worker-days/s | peak RSS MB | load |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        cf = r["counterfactual_median_s"]
        out.append(
            f"| {r['case']} | {r['workers']:,} | {r['firms']:,} | {r['days']} "
            f"| {r['wall_median_s']:.2f} [{r['wall_min_s']:.2f}-{r['wall_max_s']:.2f}] "
            f"| {r['day_loop_median_s']:.2f} | {r['setup_median_s']:.2f} "
            f"| {'-' if cf != cf else f'{cf:.2f}'} | {r['worker_days_per_s'] / 1e6:.1f} M "
            f"| {r['peak_rss_mb']:.0f} | {r['load_median']:.1f} |"
        )
    out += [
        "",
        "Share of simulated-day time per daily stage (setup and counterfactual excluded):",
        "",
        "| case | " + " | ".join(STAGES) + " |",
        "|---|" + "---:|" * len(STAGES),
    ]
    for r in rows:
        shares = " | ".join(f"{100 * r[f'{s}_share']:.1f}%" for s in STAGES)
        out.append(f"| {r['case']} | {shares} |")
    return "\n".join(out) + "\n"


def write(
    rows: list[dict[str, Any]],
    raw: list[dict[str, Any]],
    info: dict[str, Any],
    out: Path,
    repeat: int,
) -> str:
    """CSV (one row per case, machine columns repeated), Markdown and raw JSON."""
    out.parent.mkdir(parents=True, exist_ok=True)
    full = [{**r, **info} for r in rows]
    with out.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(full[0]))
        writer.writeheader()
        for r in full:
            writer.writerow({k: f"{v:.6g}" if isinstance(v, float) else v for k, v in r.items()})
    md = markdown(rows, info, repeat)
    out.with_suffix(".md").write_text(md)
    out.with_suffix(".json").write_text(json.dumps({"machine": info, "runs": raw}, indent=1))
    return md


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--suite", choices=SUITES, help="preset cases (default: full)")
    p.add_argument(
        "--scale",
        type=float,
        nargs="+",
        default=[],
        help="also run one replicate (with counterfactual) at each of these scales",
    )
    p.add_argument("--repeat", type=int, default=3, help="measurements per case (default 3)")
    p.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO)
    p.add_argument(
        "--out",
        type=Path,
        help="CSV path; .md and .json are written beside it "
        "(default benchmarks/results/<suite>-<commit>.csv)",
    )
    p.add_argument("--timeout", type=float, default=1800, help="seconds per measurement")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    if args.child:
        print(MARK + json.dumps(measure(json.loads(args.child))), flush=True)
        return 0

    suite = args.suite or ("custom" if args.scale else "full")
    cases = suite_cases(suite, args.scenario) if suite != "custom" else []
    cases += [Case("custom", f"scale {s:g} replicate", [f"scale={s:g}"]) for s in args.scale]
    info = machine_info()
    out = args.out or ROOT / "benchmarks" / "results" / f"{suite}-{info['commit']}.csv"
    rows, raw = [], []
    for case in cases:
        runs = []
        for i in range(args.repeat):
            r = run_child(case, args.scenario, args.timeout)
            print(
                f"{case.name} #{i + 1}: wall {r['wall']:.2f} s, peak {r['peak_rss_mb']:.0f} MB",
                file=sys.stderr,
                flush=True,
            )
            runs.append(r)
        rows.append(summarize(case, runs))
        raw.append({"case": asdict(case), "runs": runs})
    print(write(rows, raw, info, out, args.repeat))
    print(f"wrote {out} (+ .md, .json)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
