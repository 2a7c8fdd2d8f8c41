"""Vectorized ``Workforce.step`` against the per-agent Mesa reference, per worker-day.

Runs the default scenario once (``--scale 20``: ~100,000 workers), recording each day's
calendar state and permits issued, then replays the same days into a fresh vectorized
``Workforce`` and fresh ``PerAgentWorkforce``s (``benchmarks/replay.py``; agents stepped
with Mesa's ``AgentSet.do`` and with a plain loop), timing only their ``step`` calls.
Prints nanoseconds per worker-day, the ratio to the vectorized one (all days,
lockdown-regime days, open days) and how closely their daily on-site totals agree.

    python benchmarks/bench_workforce.py                      # ~100,000 workers, 122 days
    python benchmarks/bench_workforce.py --scale 200 --days 60 --repeat 1
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench import machine_info  # noqa: E402
from benchmarks.replay import (  # noqa: E402
    per_agent_workforce,
    record,
    replay,
    vectorized_workforce,
)
from sim.model import DEFAULT_SCENARIO, RecoveryModel  # noqa: E402

IMPLEMENTATIONS = {
    "vectorized": vectorized_workforce,
    "per_agent": per_agent_workforce,
    "per_agent_loop": partial(per_agent_workforce, dispatch="loop"),
}
LABELS = {
    "vectorized": "vectorized `Workforce`",
    "per_agent": "per-agent `WorkerAgent` (`AgentSet.do`)",
    "per_agent_loop": "per-agent `WorkerAgent` (plain loop)",
}


def bench(scale: float, days: int | None, repeat: int, seed: int) -> dict[str, Any]:
    """Record one run, replay it ``repeat`` times into each implementation."""
    model = RecoveryModel(DEFAULT_SCENARIO, scale=scale, rng=seed)
    in_model = time.perf_counter()
    rec = record(model, days)
    in_model = time.perf_counter() - in_model
    n_workers, n_days = model.workforce.cols.n, rec.n_days
    regime = np.array([c.regime.any() for c in rec.calendars])
    result: dict[str, Any] = {
        "workers": n_workers,
        "days": n_days,
        "regime_days": int(regime.sum()),
        "model_workforce_stage_s": model.stage_seconds["workforce"],
        "model_run_s": in_model,
    }
    totals = {}
    for name, make in IMPLEMENTATIONS.items():
        per_day, build = [], []
        for i in range(repeat):
            start = time.perf_counter()
            wf = make(model, seed + 1 + i)
            build.append(time.perf_counter() - start)
            got = replay(wf, rec)
            per_day.append(got.seconds)
            totals[name] = got.on_site
            print(f"{name} #{i + 1}: {got.seconds.sum():.3f} s", file=sys.stderr, flush=True)
        sec = np.median(np.array(per_day), axis=0)  # median over repeats, per day
        result[name] = {
            "build_s": statistics.median(build),
            "step_s": float(sec.sum()),
            "all_ns": 1e9 * sec.sum() / (n_workers * n_days),
            "regime_ns": 1e9 * sec[regime].sum() / (n_workers * regime.sum()),
            "open_ns": 1e9 * sec[~regime].sum() / (n_workers * (~regime).sum()),
        }
    base = result["vectorized"]
    for name in IMPLEMENTATIONS:
        x = result[name]
        for days_kind in ("all", "regime", "open"):
            x[f"ratio_{days_kind}"] = x[f"{days_kind}_ns"] / base[f"{days_kind}_ns"]
        a, b = totals["vectorized"].astype(float), totals[name].astype(float)
        x["max_daily_rel_diff_on_site"] = float(np.max(np.abs(a - b) / np.maximum(b, 1.0)))
    return result


def markdown(r: dict[str, Any], info: dict[str, Any], repeat: int) -> str:
    """The comparison as a Markdown table."""
    rows = [
        f"| {LABELS[name]} | {x['step_s']:.2f} | {x['all_ns']:.1f} | **{x['ratio_all']:.0f}x** "
        f"| {x['regime_ns']:.1f} ({x['ratio_regime']:.0f}x) "
        f"| {x['open_ns']:.1f} ({x['ratio_open']:.0f}x) | {x['build_s']:.2f} "
        f"| {100 * x['max_daily_rel_diff_on_site']:.2f}% |"
        for name, x in ((n, r[n]) for n in IMPLEMENTATIONS)
    ]
    return "\n".join(
        [
            f"Workforce step, {r['workers']:,} workers x {r['days']} days "
            f"({r['regime_days']} under the lockdown regime); commit `{info['commit']}`, "
            f"{info['date']}, {info['nproc']} CPUs; median of {repeat} replays per day.",
            "",
            "| implementation | step s | ns / worker-day | x vectorized | regime days ns (x) "
            "| open days ns (x) | build s | max daily on-site diff |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
            *rows,
            "",
            f"In-model workforce stage while recording: {r['model_workforce_stage_s']:.2f} s. "
            "On-site differences come from different random draws.",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=float, default=20.0, help="20 = ~100,000 workers")
    p.add_argument("--days", type=int, default=None, help="first N days (default all)")
    p.add_argument("--repeat", type=int, default=3, help="replays per implementation")
    p.add_argument("--seed", type=int, default=20220301)
    p.add_argument("--out", type=Path, help="write Markdown here (and .json beside it)")
    args = p.parse_args(argv)
    info = machine_info()
    r = bench(args.scale, args.days, args.repeat, args.seed)
    md = markdown(r, info, args.repeat)
    print(md)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.with_suffix(".md").write_text(md)
        args.out.with_suffix(".json").write_text(json.dumps({"machine": info, **r}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
