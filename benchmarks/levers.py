"""One lever at a time on the default scenario: paired seeds, April and May mean output.

python benchmarks/levers.py --scale 20 --seeds 2 --out benchmarks/results/levers-<commit>.csv

Each row runs the default scenario with one override (or none) on the same replicate seeds
(common random numbers) and reports the mean capacity utilization over April and over May,
and on 30 April and 13 May the permits issued, the staff newly returned at white-listed
firms, the staff in the closed loop and those brought in by centralized return.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.model import DEFAULT_SCENARIO  # noqa: E402
from sim.replicates import replicate_seed, run_replicate  # noqa: E402
from sim.scenario_files import load_scenario  # noqa: E402

LEVERS: dict[str, list[str]] = {
    "default": [],
    "permit capacity x0.1": ["permits.daily_capacity=x0.1"],
    "permit capacity x3": ["permits.daily_capacity=x3"],
    "permit delay 7 d": ["permits.processing_delay_days=7"],
    "rotation 7 d": ["workforce.rotation_days=7"],
    "zoning off": ["zoning.sealed=0.0", "zoning.controlled=0.0", "zoning.districts={}"],
}
DATES = ("2022-04-30", "2022-05-13")


def scaled(sc_path: Path, pairs: list[str]) -> list[str]:
    """Turn ``key=xF`` into the scenario value times F (numbers and schedules)."""
    from sim.keys import get_key, scale_value
    from sim.scenario_files import resolve_raw

    raw = resolve_raw(sc_path)
    out = []
    for p in pairs:
        key, _, val = p.partition("=")
        if val.startswith("x"):
            v = scale_value(get_key(raw, key), float(val[1:]))
            val = (
                "{" + ", ".join(f"{k}: {x}" for k, x in v.items()) + "}"
                if isinstance(v, dict)
                else str(v)
            )
        out.append(f"{key}={val}")
    return out


def measure(ts: pd.DataFrame) -> dict[str, float]:
    all_ = ts[ts.group == "all"]
    util = all_[all_.metric == "capacity_utilization"].set_index("date").value
    util.index = pd.to_datetime(util.index)
    row = {
        "april": float(util["2022-04"].mean()),
        "may": float(util["2022-05"].mean()),
    }
    for d in DATES:
        day = np.datetime64(d)
        at = ts[ts.date == day]

        def get(m: str, g: str = "all", at=at) -> float:
            return float(at[(at.metric == m) & (at.group == g)].value.sum())

        tag = d[5:].replace("-", "")
        row[f"permits_{tag}"] = get("permits_issued_cum")
        row[f"returned_wl_{tag}"] = get("staff_returned", "whitelist")
        row[f"in_loop_{tag}"] = get("staff_in_closed_loop")
        if (ts.metric == "staff_transferred_cum").any():
            row[f"transferred_{tag}"] = get("staff_transferred_cum")
    return row


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO)
    p.add_argument("--scale", type=float, default=20.0)
    p.add_argument("--seeds", type=int, default=2)
    p.add_argument("--only", nargs="*", default=None, help="lever names to run")
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args(argv)
    rows = []
    for name, pairs in LEVERS.items():
        if args.only and name not in args.only:
            continue
        sc = load_scenario(args.scenario, [f"scale={args.scale:g}", *scaled(args.scenario, pairs)])
        reps = []
        for r in range(args.seeds):
            seed = replicate_seed(sc.seed, r)
            reps.append(measure(run_replicate(sc, r, seed).timeseries))
        row = {"lever": name, **pd.DataFrame(reps).mean().to_dict()}
        rows.append(row)
        print(
            f"{name:<22} April {row['april']:.3f}  May {row['may']:.3f}  "
            f"permits 30/4 {row['permits_0430']:,.0f}  returned(wl) {row['returned_wl_0430']:,.0f}"
            f"  loop {row['in_loop_0430']:,.0f}",
            flush=True,
        )
    table = pd.DataFrame(rows)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.out, index=False, float_format="%.4g")
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.3f}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
