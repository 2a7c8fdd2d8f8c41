"""One-lever-at-a-time table of the default scenario (issue 10): April and May mean output.

Every variant runs the same replicate seeds as the default (common random numbers), so the
differences come from the lever. Levers written ``xF`` multiply every dated value of a schedule.

    PYTHONPATH=. python benchmarks/oat_levers.py --scale 1 -r 4 -j 2 --out notes.md
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.keys import get_key, scale_value  # noqa: E402
from sim.replicates import combine, run_replicates  # noqa: E402
from sim.scenario_files import load_scenario, resolve_raw  # noqa: E402

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "shanghai_2022.yaml"
LEVERS: list[tuple[str, dict[str, object]]] = [
    ("default", {}),
    ("permit capacity x0.1", {"permits.daily_capacity": "x0.1"}),
    ("permit capacity x3", {"permits.daily_capacity": "x3"}),
    ("permit delay 7 d", {"permits.processing_delay_days": 7}),
    ("in-city passes x0.1", {"passes.daily_quota.in_city": "x0.1"}),
    ("in-city passes x4", {"passes.daily_quota.in_city": "x4"}),
    ("inter-provincial passes x0.1", {"passes.daily_quota.inter_provincial": "x0.1"}),
    ("inter-provincial passes x4", {"passes.daily_quota.inter_provincial": "x4"}),
    ("pass regime lifted 15 April", {"passes.required_until": "2022-04-14"}),
    ("rotation 7 d", {"workforce.rotation_days": 7}),
    ("zoning off", {"zoning.sealed": 0.0, "zoning.controlled": 0.0, "zoning.districts": {}}),
]
MONTHS = {"April": ("2022-04-01", "2022-04-30"), "May": ("2022-05-01", "2022-05-31")}


def resolve(levers: dict[str, object], raw: dict) -> dict[str, object]:
    out = {}
    for key, value in levers.items():
        if isinstance(value, str) and value.startswith("x"):
            value = scale_value(get_key(raw, key), float(value[1:]))
        out[key] = value
    return out


def month_means(ts: pd.DataFrame, metric: str) -> dict[str, list[float]]:
    sub = ts[(ts.group == "all") & (ts.metric == metric)]
    res = {}
    for name, (lo, hi) in MONTHS.items():
        m = sub[(sub.date >= lo) & (sub.date <= hi)].groupby("replicate").value.mean()
        res[name] = m.sort_index().tolist()
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", type=Path, default=SCENARIO)
    ap.add_argument("--scale", type=float, default=1)
    ap.add_argument("-r", "--replicates", type=int, default=4)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--only", nargs="*", help="lever labels to run (default all)")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    raw = resolve_raw(args.scenario)
    rows, ref = [], {}
    for label, levers in LEVERS:
        if args.only and label not in args.only and label != "default":
            continue
        start = time.perf_counter()
        overrides = {"scale": args.scale, **resolve(levers, raw)}
        sc = load_scenario(args.scenario, overrides)
        ts = combine(run_replicates(sc, args.replicates, jobs=args.jobs), label)
        row = {"lever": label}
        for metric, tag in (("capacity_utilization", "util"), ("output_index", "index")):
            means = month_means(ts, metric)
            for month, vals in means.items():
                row[f"{month} {tag}"] = float(np.mean(vals))
                if label == "default":
                    ref[(metric, month)] = vals
                else:
                    d = np.subtract(vals, ref[(metric, month)])
                    row[f"{month} {tag} diff"] = float(d.mean())
        rows.append(row)
        print(f"{label}: {time.perf_counter() - start:.0f} s", row, flush=True)
    table = pd.DataFrame(rows)
    cols = ["lever"]
    for tag in ("util", "index"):
        for month in MONTHS:
            cols += [f"{month} {tag}"]
    lines = [
        f"scenario {args.scenario.name}, scale {args.scale}, {args.replicates} replicates "
        "(paired seeds); util = capacity_utilization, index = output_index (vs the no-lockdown "
        "run), monthly means of group `all`; paired difference from the default in brackets",
        "",
        "| lever | April util | May util | April index | May index |",
        "|---|---|---|---|---|",
    ]
    for _, r in table.iterrows():
        cells = []
        for tag in ("util", "index"):
            for month in MONTHS:
                v = r[f"{month} {tag}"]
                d = r.get(f"{month} {tag} diff")
                cells.append(
                    f"{v:.3f}" if r.lever == "default" or pd.isna(d) else f"{v:.3f} ({d:+.3f})"
                )
        lines.append(f"| {r.lever} | " + " | ".join(cells) + " |")
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
