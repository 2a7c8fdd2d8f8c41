"""Comparing scenarios and sweep points: recovery curves overlaid, and a KPI table with
paired differences from a reference.

Inputs are results folders of `fugong run` (each is one series, named by its scenario) or
of `fugong sweep` (each point is one series, named by its lever values). Runs pair by seed:
replicate i has the same seed everywhere (common random numbers), so the per-replicate
difference isolates the policy's effect from noise.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure

from sim.errors import FugongError
from sim.plots import band
from sim.replicate_stats import interval_text, kpi_values, median_censored, paired_against
from sim.reported import REPORTED, read_reported
from sim.results_folder import RESULTS_DIR
from sim.scenario_files import validate
from sim.sweep_store import open_plan

COMPARE_GROUPS = ("all", "chain:automobile", "chain:integrated_circuits", "chain:biomedicine",
              "chain:chemicals", "chain:other")
MARKERS = {">=": "^", "<=": "v", "~": "o", "range": "D"}


@dataclass
class ResultSeries:
    """One compared series: its curves (a filter on a timeseries file) and its KPIs."""

    name: str
    timeseries: Path
    filters: list[tuple]  # pyarrow filters selecting this series' rows
    kpis: pd.DataFrame  # one row per replicate: seed, horizon_days, "<group>/<kpi>" columns


def load_series(folders: list[Path], points: list[int] | None = None) -> list[ResultSeries]:
    """Series of every folder (sweep folders: the chosen points, default all)."""
    out: list[ResultSeries] = []
    prefix = len(folders) > 1
    for folder in map(Path, folders):
        if (folder / "sweep.yaml").exists():
            out.extend(_sweep_series(folder, points, prefix))
        elif (folder / "timeseries.parquet").exists() and (folder / "summary.csv").exists():
            out.append(_run_series(folder))
        else:
            raise FugongError(f"{folder}: not a results folder of `fugong run` or `fugong sweep`")
    names = [s.name for s in out]
    if len(set(names)) != len(names):
        raise FugongError(f"two series have the same name ({names}); rename a results folder")
    return out


def _run_series(folder: Path) -> ResultSeries:
    manifest = json.loads((folder / "manifest.json").read_text())
    sc = validate(manifest["resolved_scenario"], str(folder / "manifest.json"))
    summary = pd.read_csv(folder / "summary.csv")
    kpi_cols = [c for c in summary.columns if c not in ("scenario", "replicate", "seed", "group")]
    wide = summary.pivot(index=["replicate", "seed"], columns="group", values=kpi_cols)
    wide.columns = [f"{group}/{kpi}" for kpi, group in wide.columns]
    wide = wide.reset_index()
    wide["horizon_days"] = (sc.end_date - sc.lockdown_start).days
    name = manifest.get("scenario_name") or folder.name
    return ResultSeries(name, folder / "timeseries.parquet", [], wide)


def _sweep_series(folder: Path, points: list[int] | None, prefix: bool) -> list[ResultSeries]:
    plan = open_plan(folder)
    runs = pd.read_parquet(folder / "runs.parquet")
    runs = runs[runs["status"] == "ok"]
    chosen = list(plan.points.index) if points is None else points
    missing = sorted(set(chosen) - set(plan.points.index))
    if missing:
        raise FugongError(f"{folder}: no sweep point(s) {missing} "
                          f"(points 0-{len(plan.points) - 1})")
    # the reference point first, so it is the default reference of the comparison
    chosen = sorted(chosen, key=lambda p: (p != plan.reference, p))
    series = []
    for point in chosen:
        label = plan.label(point)
        name = f"{plan.sweep.name}: {label}" if prefix else label
        series.append(ResultSeries(name, folder / "timeseries.parquet", [("point", "==", point)],
                             runs[runs["point"] == point].reset_index(drop=True)))
    return series


def curves(series: list[ResultSeries], metric: str, group: str) -> pd.DataFrame:
    """Median and 10-90% band per series and date (reads only the rows needed)."""
    frames = []
    for s in series:
        filters = [*s.filters, ("metric", "==", metric), ("group", "==", group)]
        ts = pd.read_parquet(s.timeseries, filters=filters,
                             columns=["replicate", "date", "group", "metric", "value"])
        frames.append(band(ts.assign(scenario=s.name), metric, group))
    table = pd.concat(frames, ignore_index=True)
    if table.empty:
        raise FugongError(f"no '{metric}' of group '{group}' in the results (a sweep stores the "
                          "groups and metrics its sweep file lists)")
    return table


def paired_kpi_table(series: list[ResultSeries], reference: str, days_kpi: str = "days_to_80pct",
              groups: tuple[str, ...] = COMPARE_GROUPS) -> pd.DataFrame:
    """Per series and group: median days to the level (never reached counted as longer than
    any), median output lost, and paired differences from the reference series."""
    rows = []
    for group in groups:
        days, lost = f"{group}/{days_kpi}", f"{group}/output_lost"
        if not all(days in s.kpis and lost in s.kpis for s in series):
            continue
        long = pd.concat([s.kpis.assign(series=s.name) for s in series], ignore_index=True)
        long = long.assign(days=kpi_values(long, days), lost=kpi_values(long, lost))
        diff_days = paired_against(long, "series", reference, "days").set_index("series")
        diff_lost = paired_against(long, "series", reference, "lost").set_index("series")
        for s in series:
            k = s.kpis
            never = k[days].isna()
            d, dl = diff_days.loc[s.name], diff_lost.loc[s.name]
            rows.append({
                "series": s.name, "group": group, "replicates": len(k),
                days_kpi: median_censored(k[days], never.to_numpy()),
                "never_reached": int(never.sum()),
                "output_lost": float(k[lost].median()),
                f"{days_kpi}_diff": d["diff"], f"{days_kpi}_diff_lo": d["diff_lo"],
                f"{days_kpi}_diff_hi": d["diff_hi"],
                "output_lost_diff": dl["diff"], "output_lost_diff_lo": dl["diff_lo"],
                "output_lost_diff_hi": dl["diff_hi"], "pairs": int(d["pairs"]),
            })
    if not rows:
        raise FugongError(f"no KPIs '{days_kpi}' and 'output_lost' for groups {list(groups)}")
    return pd.DataFrame(rows)


def printable(table: pd.DataFrame, days_kpi: str = "days_to_80pct") -> str:
    """The KPI table for the terminal, differences with their 90% paired intervals."""
    show = pd.DataFrame({
        "series": table["series"], "group": table["group"],
        days_kpi: [("never" if np.isnan(v) else f"{v:.1f}") for v in table[days_kpi]],
        "vs ref (90% CI)": [interval_text(*r) for r in table[
            [f"{days_kpi}_diff", f"{days_kpi}_diff_lo", f"{days_kpi}_diff_hi"]].to_numpy()],
        "output lost": [f"{v:,.0f}" for v in table["output_lost"]],
        "lost vs ref (90% CI)": [interval_text(*r, digits=0) for r in table[
            ["output_lost_diff", "output_lost_diff_lo", "output_lost_diff_hi"]].to_numpy()],
    })
    return show.to_string(index=False)


def chart(table: pd.DataFrame, metric: str, group: str, reported: pd.DataFrame | None,
          path: Path) -> None:
    """Median lines with 10-90% bands per series, reported figures as markers."""
    fig = Figure(figsize=(11.0, 6.4), layout="constrained")
    ax = fig.add_subplot()
    names = list(dict.fromkeys(table["scenario"]))
    cmap = colormaps["tab10" if len(names) <= 10 else "viridis"]
    for i, name in enumerate(names):
        color = cmap(i if len(names) <= 10 else i / max(len(names) - 1, 1))
        b = table[table["scenario"] == name]
        ax.fill_between(b["date"], b["p10"], b["p90"], color=color, alpha=0.15, lw=0)
        ax.plot(b["date"], b["median"], color=color, lw=1.8, label=name)
    rep = reported[(reported["metric"] == metric) & (reported["group"] == group)] \
        if reported is not None else pd.DataFrame()
    for r in rep.itertuples(index=False):
        x = r.date
        if pd.notna(r.date_end):  # a period: a bar across it, the marker in the middle
            end = r.date_end + pd.Timedelta(days=1)
            ax.plot([r.date, end], [r.value, r.value], color="black", lw=2.5)
            x = r.date + (end - r.date) / 2
        tol = r.tolerance if pd.notna(r.tolerance) else 0.0
        ax.errorbar([x], [r.value], yerr=[tol], marker=MARKERS.get(r.bound, "o"), color="black",
                    ls="none", ms=7, capsize=3, label=f"reported ({r.bound})")
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), fontsize=8, loc="best", frameon=False)
    ax.set_title(f"{metric} — {group}")
    ax.set_ylabel(metric)
    ax.grid(alpha=0.3)
    note = "Lines: median over replicates; shaded: 10-90% band."
    if len(rep):
        note += (" Markers: reported figures (▲ at least, ▼ at most, ● about, ◆ range; "
                 "whiskers: tolerance; bar: period).")
    fig.supxlabel(note, fontsize=8, color="0.35")
    fig.savefig(path, dpi=110)


@dataclass
class Comparison:
    folder: Path
    table: pd.DataFrame
    reference: str


def compare(
    folders: list[Path],
    *,
    metric: str = "capacity_utilization",
    group: str = "all",
    points: list[int] | None = None,
    reference: str | None = None,
    days_kpi: str = "days_to_80pct",
    out: Path | None = None,
) -> Comparison:
    """Write compare.png, compare_kpis.csv and compare_curves.csv into ``out``."""
    series = load_series(folders, points)
    names = [s.name for s in series]
    ref = reference if reference is not None else names[0]
    if ref not in names:
        raise FugongError(f"--reference {ref!r} is not a series; series: {names}")
    out = Path(out) if out else RESULTS_DIR / f"compare-{datetime.now():%Y%m%d-%H%M%S}"
    out.mkdir(parents=True, exist_ok=True)
    bands = curves(series, metric, group)
    table = paired_kpi_table(series, ref, days_kpi)
    reported = read_reported(REPORTED) if REPORTED.exists() else None
    chart(bands, metric, group, reported, out / "compare.png")
    table.to_csv(out / "compare_kpis.csv", index=False)
    bands.rename(columns={"scenario": "series"}).to_csv(out / "compare_curves.csv", index=False)
    return Comparison(out, table, ref)
