"""Seconds per simulated day in `fugong explore`: the model's step and the charts' redraw.

python benchmarks/bench_explore.py                 # scale 20 (the explorer's default), 3 runs
python benchmarks/bench_explore.py --scale 10 --repeat 5

Each repeat builds the explorer's model and steps through the whole scenario; after every
day it redraws all charts as the page does at render interval 1 (PNG bytes, as sent to the
browser). Reports medians over days and repeats; the page adds its own websocket and
browser time on top, and the "Render Interval" slider divides the redraw share.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.explorer.charts import CHARTS  # noqa: E402
from sim.explorer.model import EXPLORE_SCALE, ExplorerModel  # noqa: E402
from sim.model import DEFAULT_SCENARIO  # noqa: E402


def one_run(scenario: Path, scale: int) -> dict[str, list[float]]:
    start = time.perf_counter()
    model = ExplorerModel(scenario_file=str(scenario), scale=scale)
    charts = [cls(model) for cls in CHARTS]
    out: dict[str, list[float]] = {"setup": [time.perf_counter() - start], "step": [], "redraw": []}
    while model.running:
        t0 = time.perf_counter()
        model.step()
        t1 = time.perf_counter()
        for chart in charts:
            chart.png()
        out["step"].append(t1 - t0)
        out["redraw"].append(time.perf_counter() - t1)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO)
    p.add_argument("--scale", type=int, default=EXPLORE_SCALE)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    runs = [one_run(args.scenario, args.scale) for _ in range(args.repeat)]
    setup = np.median([r["setup"][0] for r in runs])
    step = np.median([np.median(r["step"]) for r in runs])
    redraw = np.median([np.median(r["redraw"]) for r in runs])
    worst = max(max(r["step"]) for r in runs)
    print(
        f"explorer at scale {args.scale}, {args.repeat} runs of {len(runs[0]['step'])} days "
        f"(medians): setup {setup:.2f} s; per day: model step {step:.3f} s "
        f"(slowest day {worst:.3f} s), chart redraw {redraw:.3f} s, "
        f"step + redraw {step + redraw:.3f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
