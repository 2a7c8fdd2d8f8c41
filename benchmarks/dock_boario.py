"""Docking against BoARIO: the same IO table and capacity shock in both models, one process.

The table is pymrio's test MRIO (6 regions x 8 sectors), final-demand categories summed per
row and negative totals set to zero, given to BoARIO as a pymrio ``IOSystem`` and to fugong
through its IO-table builder (``sim/io_economy.py``, via the CSV it writes). The shock: one
industry loses half its capacity for 30 days, then recovers linearly over 60 days. BoARIO's
``ARIOPsiModel`` (psi 0.8, 90-day inventories, inventory restoration tau 60 days,
alpha_tau 365 days, alpha_max 1.25, "alt" orders) is stepped day by day with its own
methods (overproduction, production, distribution, orders), the same stages as
``boario.simulation.Simulation.next_step``, with the capacity loss set each day through
``prod_cap_delta_arbitrary``. fugong runs its engine with the ARIO rules on (``inventory_rule:
ario``, ``unmet_orders: reorder``, the same parameters) and, for contrast, today's default
rules. Needs the ``dock`` extra: ``pip install -e ".[dock]"``.

    python benchmarks/dock_boario.py [--firms 1] [--days 180] [--region reg2 --sector manufactoring]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.economy_params import DemandParams, ProductionParams  # noqa: E402
from sim.io_model import IOModel  # noqa: E402
from sim.io_scenario import (  # noqa: E402
    ARIO_PRODUCTION,
    CapacityShockParams,
    IOEconomyParams,
    IOScenario,
)
from sim.io_table import IOTable, from_pymrio, read_io_table  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
OTHER_SHOCKS = [
    ("reg1", "manufactoring"),
    ("reg3", "electricity"),
    ("reg4", "trade"),
    ("reg5", "mining"),
    ("reg6", "food"),
    ("reg2", "transport"),
]


def pymrio_table(table: IOTable):
    """The cleaned table as a pymrio IOSystem (one final-demand column per region)."""
    import pymrio

    idx = pd.MultiIndex.from_tuples(table.industries, names=["region", "sector"])
    z = pd.DataFrame(table.z, index=idx, columns=idx)
    y_by_region = np.zeros((len(idx), len(table.regions)))
    # all final demand of an industry is booked to its own region (totals are what matter)
    for k, (r, _) in enumerate(table.industries):
        y_by_region[k, table.regions.index(r)] = table.y[k]
    ycols = pd.MultiIndex.from_tuples(
        [(r, "final_demand") for r in table.regions], names=["region", "category"]
    )
    y = pd.DataFrame(y_by_region, index=idx, columns=ycols)
    io = pymrio.IOSystem(Z=z, Y=y)
    io.calc_all()
    return io


def run_boario(
    table: IOTable, shock: CapacityShockParams, n_days: int, p: ProductionParams
) -> np.ndarray:
    """Daily output per industry (days x industries) of BoARIO's ARIOPsiModel."""
    from boario.extended_models import ARIOPsiModel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ARIOPsiModel(
            pymrio_table(table),
            order_type="alt",
            alpha_max=p.alpha_max,
            alpha_tau=int(p.alpha_tau),
            main_inv_dur=90,
            psi_param=float(p.psi),
            inventory_restoration_tau=int(p.tau),
        )
    k = table.industries.index((shock.region, shock.sector))
    loss = 1.0 - shock.capacity(n_days)
    out = np.zeros((n_days, len(table.industries)))
    for t in range(n_days):
        delta = np.zeros(len(table.industries))
        delta[k] = loss[t]
        model.prod_cap_delta_arbitrary = delta
        if t > 1:  # as Simulation.next_step: overproduction from the second step on
            model.calc_overproduction()
        model.calc_production(t)
        model.distribute_production()
        model.calc_orders()
        out[t] = model.production
    return out


def run_fugong(
    table_csv: Path,
    shock: CapacityShockParams,
    n_days: int,
    firms: int,
    p: ProductionParams,
    demand: DemandParams,
    stock_per: str = "product",
) -> tuple[np.ndarray, IOModel]:
    sc = IOScenario(
        n_days=n_days,
        economy=IOEconomyParams(
            io_table=str(table_csv), firms_per_industry=firms, stock_per=stock_per
        ),
        production=p,
        demand=demand,
        shocks=[shock],
    )
    model = IOModel(sc, read_io_table(table_csv)).run()
    return model.industry_output(), model


def losses(out: np.ndarray, normal: np.ndarray) -> np.ndarray:
    return (normal[None, :] - out).sum(axis=1)


def one_region(table: IOTable) -> IOTable:
    """The table with its regions summed: BoARIO's product-level stocks become exactly
    fugong's per-supplier stocks (one supplier industry per product)."""
    nr, ns = len(table.regions), len(table.sectors)
    z = table.z.reshape(nr, ns, nr, ns).sum(axis=(0, 2))
    return IOTable(["all"], list(table.sectors), z, table.y.reshape(nr, ns).sum(axis=0))


def dock(table: IOTable, shock: CapacityShockParams, n_days: int, firms: int, folder: Path):
    """Loss curves (day x model) of BoARIO and fugong: ARIO rules with BoARIO's
    product-level stocks, the same with one stock per supplier industry, default rules."""
    csv = folder / "table.csv"
    table.to_csv(csv)  # fugong reads the table through its CSV builder
    runs = {"BoARIO ARIOPsiModel": run_boario(table, shock, n_days, ARIO_PRODUCTION)}
    no_backlog = DemandParams(backlog_share=0.0)
    for name, p, d, per in (
        ("fugong, ARIO rules", ARIO_PRODUCTION, no_backlog, "product"),
        ("fugong, ARIO rules, stock per supplier", ARIO_PRODUCTION, no_backlog, "supplier"),
        ("fugong, default rules", ProductionParams(), DemandParams(), "product"),
    ):
        runs[name] = run_fugong(csv, shock, n_days, firms, p, d, per)[0]
    normal = table.x / 365.0  # both models: daily output of an annual table
    k = table.industries.index((shock.region, shock.sector))
    direct = float((normal[k] * (1 - shock.capacity(n_days))).sum())
    curves = pd.DataFrame({m: losses(v, normal) for m, v in runs.items()})
    curves.index.name = "day"
    ref = curves["BoARIO ARIOPsiModel"]
    rows = [
        {
            "model": m,
            "total loss": float(curves[m].sum()),
            "direct loss": direct,
            "indirect loss": float(curves[m].sum()) - direct,
            "total vs BoARIO": float(curves[m].sum() / ref.sum() - 1.0),
            "max daily |diff| (% of output)": float(
                100 * (curves[m] - ref).abs().max() / normal.sum()
            ),
        }
        for m in curves
    ]
    return curves / normal.sum(), rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--region", default="reg2")
    ap.add_argument("--sector", default="manufactoring")  # pymrio's spelling
    ap.add_argument("--days", type=int, default=180)
    ap.add_argument("--firms", type=int, default=1, help="firms per industry in fugong")
    ap.add_argument("--out", default=str(RESULTS / "dock_boario"))
    args = ap.parse_args()
    import tempfile

    import boario
    import pymrio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = from_pymrio(pymrio.load_test().calc_all())
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    cases = {
        f"{len(table.regions)} regions, {args.region}/{args.sector} shocked": (table, args.region),
        f"regions summed, all/{args.sector} shocked": (one_region(table), "all"),
    }
    curves, rows = {}, []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (case, (tab, region)) in enumerate(cases.items()):
            shock = CapacityShockParams(
                region=region,
                sector=args.sector,
                loss=0.5,
                start_day=5,
                duration_days=30,
                recovery_days=60,
            )
            folder = Path(tmp) / str(i)
            folder.mkdir()
            curves[case], case_rows = dock(tab, shock, args.days, args.firms, folder)
            rows += [{"case": case, **r} for r in case_rows]
    others = []  # other shocked industries of the 6-region table: total loss vs BoARIO
    with tempfile.TemporaryDirectory() as tmp:
        for region, sector in OTHER_SHOCKS:
            shock = CapacityShockParams(
                region=region,
                sector=sector,
                loss=0.5,
                start_day=5,
                duration_days=30,
                recovery_days=60,
            )
            _, r = dock(table, shock, args.days, args.firms, Path(tmp))
            others.append(
                {"shocked": f"{region}/{sector}", "BoARIO total loss": r[0]["total loss"]}
                | {f"{x['model']} vs BoARIO": x["total vs BoARIO"] for x in r[1:]}
            )
    all_curves = pd.concat(curves, names=["case", "day"])
    all_curves.to_csv(out.with_suffix(".csv"))
    versions = {
        "boario": boario.__version__,
        "pymrio": pymrio.__version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    title = (
        "Docking: 50% capacity loss on days 5-34, linear recovery over 60 days, "
        f"{args.days} days, pymrio test MRIO, {args.firms} fugong firm(s) per industry"
    )
    lines = [
        title,
        "",
        pd.DataFrame(rows).to_markdown(index=False, floatfmt=".4g"),
        "",
        "Other shocked industries (6 regions, same shock):",
        "",
        pd.DataFrame(others).to_markdown(index=False, floatfmt=".4g"),
        "",
        f"Losses in the table's money per year / 365 (daily output units). versions: {versions}",
    ]
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    meta = {"args": vars(args), "versions": versions, "rows": rows, "others": others}
    out.with_suffix(".json").write_text(json.dumps(meta, indent=1))
    _chart(curves, out.with_suffix(".png"), title)
    print("\n".join(lines))


def _chart(curves: dict[str, pd.DataFrame], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, len(curves), figsize=(6 * len(curves), 6), sharex=True)
    for col, (case, c) in enumerate(curves.items()):
        top, bottom = axes[0, col], axes[1, col]
        ref = c["BoARIO ARIOPsiModel"]
        for i, m in enumerate(c):
            top.plot(c.index, 100 * c[m], label=m, color=f"C{i}")
            if m != ref.name:
                bottom.plot(c.index, 100 * (c[m] - ref), label=f"{m} - BoARIO", color=f"C{i}")
        top.set_title(case, fontsize=9)
        top.set_ylabel("output loss, % of daily output")
        bottom.axhline(0, color="k", lw=0.5)
        bottom.set_ylabel("difference, % of daily output")
        bottom.set_xlabel("day")
        top.legend(fontsize=8)
        bottom.legend(fontsize=8)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
