"""One-at-a-time table: order time constant, inventory target and the inventory rule.

Each arm changes one lever of the default scenario and runs the same replicate seeds as the
default arm (paired seeds, common random numbers), without the counterfactual: the table
reports capacity utilization (output / normal output), April and May means, and the
share of firm-days bound by inputs in April-May.

    python benchmarks/oat_inventory.py --scale 20 --replicates 2
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

from sim.agents.enterprise import INPUTS  # noqa: E402
from sim.model import DEFAULT_SCENARIO, RecoveryModel  # noqa: E402
from sim.replicates import replicate_seed  # noqa: E402
from sim.scenario_files import load_scenario, with_overrides  # noqa: E402


def arms(sc) -> dict[str, dict]:
    """Lever settings (key -> value): each rule with its default, then one lever changed."""
    inv = {f"chains.{c}.inventory_days": sc.chains[c].inventory_days for c in sc.chains}
    rules = {
        "Leontief, orders kept (default)": {},
        "ARIO rule, orders kept": {"production.inventory_rule": "ario"},
        "ARIO rule, reorder (BoARIO)": {
            "production.inventory_rule": "ario",
            "production.unmet_orders": "reorder",
        },
    }
    levers = {
        f"tau default ({sc.production.tau:g} d)": {},
        "tau 1 d": {"production.tau": 1.0},
        "tau 60 d": {"production.tau": 60.0},
        "inventory targets x0.25": {k: v * 0.25 for k, v in inv.items()},
        "inventory targets x4": {k: v * 4 for k, v in inv.items()},
    }
    return {
        f"{rule} | {lever}": {**rc, **lc}
        for rule, rc in rules.items()
        for lever, lc in levers.items()
    }


def run_arm(sc, seed: int) -> dict[str, float]:
    model = RecoveryModel(sc, rng=seed, views=False)
    util, bound = [], []
    while model.running:
        model.step()
        util.append(model.capacity_utilization)
        bound.append(float(np.mean(model.book.bound == INPUTS)))
    dates = model.calendar.dates.astype("datetime64[M]").astype(str)
    util, bound = np.array(util), np.array(bound)
    apr, may = dates == "2022-04", dates == "2022-05"
    return {
        "april": float(util[apr].mean()),
        "may": float(util[may].mean()),
        "inputs_bound": float(bound[apr | may].mean()),
    }


def table_lines(rows: list[dict], seeds: list[int], scale: float) -> list[str]:
    """Markdown table: means, and paired differences from the rule's default lever in
    percentage points (mean [min, max] over seeds)."""
    by_arm = {r["arm"]: r for r in rows}
    lines = [
        f"One-at-a-time, scale {scale:g}, seeds {seeds} (paired), "
        f"Python {platform.python_version()}. Differences: percentage points of utilization "
        "against the same rule with default levers, mean [min, max] over the paired seeds.",
        "",
        "| rule | lever | April mean | April diff | May mean | May diff "
        "| firm-days bound by inputs (Apr-May) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        rule, lever = r["arm"].split(" | ")
        base = next(v for k, v in by_arm.items() if k.startswith(f"{rule} | tau default"))
        cells = []
        for month in ("april", "may"):
            d = 100 * (np.array(r[f"{month}_by_seed"]) - np.array(base[f"{month}_by_seed"]))
            cells += [f"{r[month]:.3f}", f"{d.mean():+.1f} [{d.min():+.1f}, {d.max():+.1f}]"]
        lines.append(f"| {rule} | {lever} | {' | '.join(cells)} | {r['inputs_bound']:.3f} |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(DEFAULT_SCENARIO))
    ap.add_argument("--scale", type=float, default=20.0)
    ap.add_argument("--replicates", type=int, default=2)
    ap.add_argument("--only", nargs="*", help="arm names to run (default: all)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "oat_inventory"))
    args = ap.parse_args()
    base = with_overrides(load_scenario(args.scenario), {"scale": args.scale})
    seeds = [replicate_seed(base.seed, i) for i in range(args.replicates)]
    rows = []
    for name, change in arms(base).items():
        if args.only and name not in args.only:
            continue
        sc = with_overrides(base, change) if change else base
        res = [run_arm(sc, s) for s in seeds]
        row = {"arm": name, **{k: float(np.mean([r[k] for r in res])) for k in res[0]}}
        row["april_by_seed"] = [r["april"] for r in res]
        row["may_by_seed"] = [r["may"] for r in res]
        rows.append(row)
        print(
            f"{name:60s} April {row['april']:.4f}  May {row['may']:.4f}  "
            f"inputs-bound {row['inputs_bound']:.3f}",
            flush=True,
        )
    lines = table_lines(rows, seeds, args.scale)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    out.with_suffix(".json").write_text(json.dumps({"seeds": seeds, "rows": rows}, indent=1))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
