"""Build and run the default scenario once and print its stage times: a target for profilers.

python benchmarks/run_once.py --scale 1
python -m cProfile -o full.prof benchmarks/run_once.py --scale 1
kernprof -l -v -p sim.agents.worker.Workforce._regime_day benchmarks/run_once.py
pyinstrument benchmarks/run_once.py --scale 1        # if pyinstrument is installed
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.model import DEFAULT_SCENARIO, RecoveryModel  # noqa: E402
from sim.scenario_files import load_scenario  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="K=V")
    p.add_argument("--seed", type=int, default=None, help="default: the scenario's seed")
    args = p.parse_args(argv)
    sc = load_scenario(args.scenario, [f"scale={args.scale:g}", *args.overrides])
    start = time.perf_counter()
    model = RecoveryModel(sc, rng=args.seed).run()
    wall = time.perf_counter() - start
    loop = sum(model.stage_seconds.values())
    print(
        f"{model.workforce.cols.n:,} workers x {model.n_days} days: {wall:.2f} s "
        f"(setup {model.setup_seconds:.2f} s, days {loop:.2f} s)"
    )
    for stage, sec in model.stage_seconds.items():
        print(f"  {stage:<12} {sec:6.2f} s  {100 * sec / loop:5.1f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
