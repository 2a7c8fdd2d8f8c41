"""Cost of the agent views: one full-scale run with every view built against one that never asks.

python benchmarks/bench_views.py                 # scale 1, 3 repeats of each, alternating
python benchmarks/bench_views.py --scale 10 --repeat 5

Each measurement is a fresh subprocess (``--child``) that builds and runs the default scenario
(setup + 122 days). "views" builds all Enterprise, Supplier and LogisticsLink agents before
the first day (so they exist through the whole run, as eager agents would) and runs the
AgentSet queries at the end; "no views" never asks. Same seed; medians and their ratio.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def child(scale: float, views: bool) -> dict:
    from sim.agents.enterprise import Enterprise
    from sim.model import DEFAULT_SCENARIO, RecoveryModel
    from sim.scenario_files import load_scenario

    sc = load_scenario(DEFAULT_SCENARIO, [f"scale={scale:g}"])
    start = time.perf_counter()
    model = RecoveryModel(sc)
    if views:
        n_agents = len(model.agents)
    model.run()
    if views:
        firms = model.agents_by_type[Enterprise]
        firms.select(lambda a: a.chain == "automobile").agg("utilization", np.mean)
        firms.groupby("binding_constraint").count()
    wall = time.perf_counter() - start
    return {"views": views, "wall": wall, "agents": n_agents if views else len(model._all_agents)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--child", choices=["views", "none"])
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.scale, args.child == "views")))
        return 0
    rows = []
    for _ in range(args.repeat):
        for kind in ("none", "views"):
            out = subprocess.run(
                [sys.executable, __file__, "--child", kind, "--scale", str(args.scale)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            rows.append(json.loads(out.strip().splitlines()[-1]))
            print(rows[-1], flush=True)
    med = {v: float(np.median([r["wall"] for r in rows if r["views"] == v])) for v in (0, 1)}
    print(
        f"scale {args.scale:g}, {args.repeat} runs each: no views {med[0]:.2f} s, "
        f"all views built {med[1]:.2f} s (median), ratio {med[1] / med[0]:.3f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
