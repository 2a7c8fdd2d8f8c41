"""Per white-list batch: the share of its leading firms' critical inputs (value bought from
Shanghai suppliers) whose supplier is listed by then, for each selection rule.

Economies are drawn with the replicate seeds of the scenario, the same for every rule.

    PYTHONPATH=. python benchmarks/whitelist_coverage.py --replicates 4
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.economy_build import build_economy  # noqa: E402
from sim.model import DEFAULT_SCENARIO  # noqa: E402
from sim.replicates import replicate_seed  # noqa: E402
from sim.scenario_files import load_scenario  # noqa: E402
from sim.whitelist import coverage  # noqa: E402

RULES = ("chain_led", "by_size", "random")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(DEFAULT_SCENARIO))
    ap.add_argument("--replicates", type=int, default=4)
    args = ap.parse_args(argv)
    rows = {}
    for rule in RULES:
        # scale only sizes the workforce, not the firms or links
        sc = load_scenario(args.scenario, ["scale=400", f"policy.whitelist.selection={rule}"])
        seeds = [replicate_seed(sc.seed, r) for r in range(args.replicates)]
        per = [coverage(*_firms_links(sc, s), len(sc.policy.whitelist.batches)) for s in seeds]
        rows[rule] = per
    print(f"{args.replicates} seeds; median [min-max] over seeds\n")
    print("| batch | " + " | ".join(RULES) + " | leaders (chain_led) |")
    print("|---|" + "---|" * (len(RULES) + 1))
    for b in range(len(rows[RULES[0]][0])):
        cells = []
        for rule in RULES:
            v = np.array([r[b]["critical_inputs_listed"] for r in rows[rule]])
            cells.append(f"{np.median(v):.0%} [{v.min():.0%}-{v.max():.0%}]")
        lead = int(np.median([r[b]["leaders"] for r in rows["chain_led"]]))
        print(f"| {b + 1} | " + " | ".join(cells) + f" | {lead} |")


def _firms_links(sc, seed):
    econ = build_economy(sc, np.random.default_rng(seed))
    return econ.firms, econ.links


if __name__ == "__main__":
    main()
