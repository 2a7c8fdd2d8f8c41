"""One-at-a-time experiment on the chain levers, paired seeds (common random numbers).

Each variant changes one lever from the default scenario; every variant runs the same
replicate seeds, so differences from the default are paired. Reports April and May mean
capacity utilization (all firms, automobile, integrated circuits), Tesla's vehicles around
10 May and SMIC/Hua Hong's lowest utilization in April.

    PYTHONPATH=. python benchmarks/chain_levers.py --scale 20 --replicates 4 \
        --out benchmarks/results/chain_levers.md
    python benchmarks/chain_levers.py --variant "stations 0=logistics.transfer_stations.count=0"
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.model import DEFAULT_SCENARIO, RecoveryModel  # noqa: E402
from sim.replicates import replicate_seed  # noqa: E402
from sim.scenario_files import load_scenario  # noqa: E402


def variants(sc) -> dict[str, list[str]]:
    """The built-in levers, each at an extreme, one at a time."""
    regions = range(len(sc.external.regions))
    out = {
        "default": [],
        "outside disruption off": [f"external.regions.{i}.capacity=1.0" for i in regions]
        + [
            f"external.regions.{i}.handover_share=0.0"
            for i in regions
            if "handover_share" in type(sc.external.regions[0]).model_fields
        ],
        "stations 0": ["logistics.transfer_stations.count=0"],
        "hand-over 5 days": ["logistics.transfer_stations.handover_days=5"],
    }
    if "single_sourced_critical" in type(sc.economy).model_fields:
        out["single-sourcing 0"] = ["economy.single_sourced_critical=0"]
        out["single-sourcing 1"] = ["economy.single_sourced_critical=1"]
    if "order_shift_days" in type(sc.production).model_fields:
        out["no order shift"] = ["production.order_shift_days=1000000"]
    return out


def measure(sc, seed: int) -> dict[str, float]:
    model = RecoveryModel(sc, rng=seed).run()
    rec = model.recorder
    dates = model.calendar.dates
    from sim.recorder import COL

    util = rec.data[:, :, COL["output"]] / rec.data[:, :, COL["normal_output"]]
    g = {name: i for i, name in enumerate(rec.groups)}
    month = dates.astype("datetime64[M]")
    apr, may = month == np.datetime64("2022-04"), month == np.datetime64("2022-05")
    row: dict[str, float] = {}
    for label, group in (
        ("all", "all"),
        ("auto", "chain:automobile"),
        ("ic", "chain:integrated_circuits"),
    ):
        row[f"{label} Apr"] = float(util[apr, g[group]].mean())
        row[f"{label} May"] = float(util[may, g[group]].mean())
    units = rec.data[:, g["firm:tesla_shanghai"], COL["units_produced"]]
    d10 = int(np.flatnonzero(dates == np.datetime64("2022-05-10"))[0])
    row["tesla 10 May"] = float(units[d10])
    row["tesla 8-12 May"] = float(units[d10 - 2 : d10 + 3].mean())
    for anchor in ("smic", "hua_hong"):
        row[f"{anchor} Apr min"] = float(util[apr, g[f"firm:{anchor}"]].min())
    return row


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(DEFAULT_SCENARIO))
    ap.add_argument("--scale", type=float, default=20)
    ap.add_argument("--replicates", type=int, default=4)
    ap.add_argument(
        "--variant",
        action="append",
        default=[],
        help="NAME=key=value[;key=value] (replaces the built-in list)",
    )
    ap.add_argument(
        "--set",
        dest="base",
        action="append",
        default=[],
        help="key=value applied to every variant (e.g. smaller inventories)",
    )
    ap.add_argument("--only", action="append", default=[], help="run only these variants")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    base = [f"scale={args.scale:g}", *args.base]
    base_sc = load_scenario(args.scenario, base)
    chosen = variants(base_sc)
    if args.only:
        chosen = {k: v for k, v in chosen.items() if k == "default" or k in args.only}
    if args.variant:
        chosen = {"default": []}
        for spec in args.variant:
            name, _, rest = spec.partition("=")
            chosen[name] = rest.split(";")
    seeds = [replicate_seed(base_sc.seed, r) for r in range(args.replicates)]
    results: dict[str, list[dict[str, float]]] = {}
    for name, overrides in chosen.items():
        sc = load_scenario(args.scenario, [*base, *overrides])
        results[name] = [measure(sc, s) for s in seeds]
        print(
            name,
            {
                k: round(float(np.median([r[k] for r in results[name]])), 3)
                for k in results[name][0]
            },
            flush=True,
        )
    keys = list(results["default"][0])
    lines = [
        f"scale {args.scale:g}, {args.replicates} paired seeds"
        + (f", every variant with {' '.join(args.base)}" if args.base else "")
        + "; median over seeds, [5-95%] of the paired difference from the default",
        "",
        "| variant | " + " | ".join(keys) + " |",
        "|---" * (len(keys) + 1) + "|",
    ]
    for name, rows in results.items():
        cells = []
        for k in keys:
            vals = np.array([r[k] for r in rows])
            ref = np.array([r[k] for r in results["default"]])
            cell = f"{np.median(vals):.3f}" if "tesla" not in k else f"{np.median(vals):.0f}"
            if name != "default":
                d = vals - ref
                lo, hi = np.percentile(d, [5, 95])
                fmt = ".0f" if "tesla" in k else ".3f"
                cell += f" [{lo:+{fmt}},{hi:+{fmt}}]"
            cells.append(cell)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main([a for a in sys.argv[1:]] or None)
