"""Inoue & Todo 2020, Table 1's ordering on a synthetic firm network.

A synthetic 5-region x 6-sector table (the locked-down "city" ~23% of output, like Tokyo's
21%) becomes 10 firms per industry, each buying every input from 2 of the supplier
industry's firms drawn at random, each supplier industry a stock of its own (firms cannot
replace the city's goods by another region's). The city loses 80% of its capacity for L days
and then reopens at once; the run continues 150 days. Direct loss: the city's lost capacity;
indirect: the rest of the total output loss. Inoue & Todo find the ratio rising with the
lockdown's length (stocks outside the city run out); here it is shown under the Leontief
rule with orders kept (their production and order rules, tau 6 days) and under the ARIO
rules, with 9-day input stocks (assumption).

    python benchmarks/inoue_todo.py [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.economy_params import DemandParams, ProductionParams  # noqa: E402
from sim.io_run import lockdown_losses  # noqa: E402
from sim.io_scenario import ARIO_PRODUCTION, IOEconomyParams, IOScenario  # noqa: E402
from sim.io_table import synthetic_table  # noqa: E402

LENGTHS = [3, 7, 14, 30, 60]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "inoue_todo"))
    args = ap.parse_args()
    regions = ["city", "r1", "r2", "r3", "r4"]
    table = synthetic_table(
        np.random.default_rng(args.seed), regions, [f"s{i}" for i in range(6)], home_bias=0.5
    )
    city = table.x[: len(table.sectors)].sum() / table.x.sum()
    eco = IOEconomyParams(
        io_table="-",
        firms_per_industry=10,
        suppliers_per_input=2,
        inventory_days=9.0,
        stock_per="supplier",  # a firm's suppliers are specific: no region stands in
    )
    rules = {
        "Leontief, orders kept, tau 6": ProductionParams(),
        "ARIO rules (psi 0.8, reorder), tau 6": ARIO_PRODUCTION.model_copy(update={"tau": 6.0}),
    }
    lines = [
        f"Lockdown of 'city' ({100 * city:.0f}% of output) at 80% capacity loss; synthetic "
        f"network, 300 firms, 2 suppliers per input, 9-day stocks, seed {args.seed}, "
        f"Python {platform.python_version()}",
        "",
        "| rules | lockdown days | direct loss | indirect loss | indirect / direct |",
        "|---|---|---|---|---|",
    ]
    results = {}
    for name, prod in rules.items():
        sc = IOScenario(
            seed=args.seed, economy=eco, production=prod, demand=DemandParams(backlog_share=0.0)
        )
        rows = lockdown_losses(sc, table, "city", 0.8, LENGTHS)
        results[name] = rows
        lines += [
            f"| {name} | {r['lockdown_days']} | {r['direct']:.0f} | {r['indirect']:.0f} "
            f"| {r['ratio']:.2f} |"
            for r in rows
        ]
        rising = all(a["ratio"] < b["ratio"] for a, b in zip(rows, rows[1:], strict=False))
        lines.append(f"| {name}: ratio rises with length | {'yes' if rising else 'NO'} | | | |")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    out.with_suffix(".json").write_text(json.dumps({"seed": args.seed, "rows": results}, indent=1))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
