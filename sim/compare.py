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
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from sim.chart_marks import Target
from sim.errors import FugongError
from sim.kpis import CHAIN_GROUPS
from sim.plots import compare_chart
from sim.policy import policy_events
from sim.replicate_bands import band
from sim.replicate_stats import interval_text, kpi_median, kpi_values, paired_against
from sim.reported import REPORTED, read_reported
from sim.results_folder import RESULTS_DIR
from sim.scenario_files import validate
from sim.sweep_store import open_plan


@dataclass
class ResultSeries:
    """One compared series: its curves (a filter on a timeseries file) and its KPIs."""

    name: str
    folder: Path
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


def scenario_of(folder: Path):
    """The resolved scenario of a run or sweep results folder."""
    if (folder / "sweep.yaml").exists():
        return open_plan(folder).scenario
    manifest = json.loads((folder / "manifest.json").read_text())
    return validate(manifest["resolved_scenario"], str(folder / "manifest.json"))


def _run_series(folder: Path) -> ResultSeries:
    manifest = json.loads((folder / "manifest.json").read_text())
    sc = scenario_of(folder)
    summary = pd.read_csv(folder / "summary.csv")
    kpi_cols = [c for c in summary.columns if c not in ("scenario", "replicate", "seed", "group")]
    wide = summary.pivot(index=["replicate", "seed"], columns="group", values=kpi_cols)
    wide.columns = [f"{group}/{kpi}" for kpi, group in wide.columns]
    wide = wide.reset_index()
    wide["horizon_days"] = (sc.end_date - sc.lockdown_start).days
    name = manifest.get("scenario_name") or folder.name
    return ResultSeries(name, folder, folder / "timeseries.parquet", [], wide)


def _sweep_series(folder: Path, points: list[int] | None, prefix: bool) -> list[ResultSeries]:
    plan = open_plan(folder)
    runs = pd.read_parquet(folder / "runs.parquet")
    runs = runs[runs["status"] == "ok"]
    chosen = list(plan.points.index) if points is None else points
    missing = sorted(set(chosen) - set(plan.points.index))
    if missing:
        raise FugongError(
            f"{folder}: no sweep point(s) {missing} (points 0-{len(plan.points) - 1})"
        )
    # the reference point first, so it is the default reference of the comparison
    chosen = sorted(chosen, key=lambda p: (p != plan.reference, p))
    series = []
    for point in chosen:
        label = plan.label(point)
        name = f"{plan.sweep.name}: {label}" if prefix else label
        series.append(
            ResultSeries(
                name,
                folder,
                folder / "timeseries.parquet",
                [("point", "==", point)],
                runs[runs["point"] == point].reset_index(drop=True),
            )
        )
    return series


def curves(series: list[ResultSeries], metric: str, group: str) -> pd.DataFrame:
    """Median and 10-90% band per series and date (reads only the rows needed)."""
    frames = []
    for s in series:
        filters = [*s.filters, ("metric", "==", metric), ("group", "==", group)]
        ts = pd.read_parquet(
            s.timeseries, filters=filters, columns=["replicate", "date", "group", "metric", "value"]
        )
        frames.append(band(ts.assign(scenario=s.name), metric, group))
    table = pd.concat(frames, ignore_index=True)
    if table.empty:
        stored = pd.read_parquet(
            series[0].timeseries, columns=["group", "metric"], filters=series[0].filters or None
        )
        hint = _did_you_mean("--metric", metric, stored["metric"].unique()) or _did_you_mean(
            "--group", group, stored["group"].unique()
        )
        raise FugongError(
            f"no '{metric}' of group '{group}' in the results{hint} (a sweep "
            "stores the groups and metrics its sweep file lists)"
        )
    return table


def _did_you_mean(option: str, value: str, known) -> str:
    """'; --group: did you mean chain:automobile?' when `value` is not among `known`."""
    import difflib

    known = sorted(map(str, known))
    if value in known:
        return ""
    close = difflib.get_close_matches(value, known, n=3, cutoff=0.5)
    if close:
        return f"; {option} {value!r}: did you mean {' or '.join(close)}?"
    return f"; {option} {value!r} is not stored (e.g. {', '.join(known[:6])})"


def paired_kpi_table(
    series: list[ResultSeries],
    reference: str,
    days_kpi: str = "days_to_80pct",
    groups: tuple[str, ...] = CHAIN_GROUPS,
) -> pd.DataFrame:
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
            rows.append(
                {
                    "series": s.name,
                    "group": group,
                    "replicates": len(k),
                    days_kpi: kpi_median(k[days], days),
                    "never_reached": int(never.sum()),
                    "output_lost": kpi_median(k[lost], lost),
                    f"{days_kpi}_diff": d["diff"],
                    f"{days_kpi}_diff_lo": d["diff_lo"],
                    f"{days_kpi}_diff_hi": d["diff_hi"],
                    "output_lost_diff": dl["diff"],
                    "output_lost_diff_lo": dl["diff_lo"],
                    "output_lost_diff_hi": dl["diff_hi"],
                    "pairs": int(d["pairs"]),
                }
            )
    if not rows:
        raise FugongError(f"no KPIs '{days_kpi}' and 'output_lost' for groups {list(groups)}")
    return pd.DataFrame(rows)


def printable(table: pd.DataFrame, days_kpi: str = "days_to_80pct") -> str:
    """The KPI table for the terminal, differences with their 90% paired intervals."""
    return printable_frame(table, days_kpi).to_string(index=False)


def printable_frame(table: pd.DataFrame, days_kpi: str = "days_to_80pct") -> pd.DataFrame:
    """The KPI table as text columns (no scientific notation, output lost in million yuan),
    for the terminal and the report."""
    level = days_kpi.removeprefix("days_to_").removesuffix("pct")
    days = [f"{days_kpi}_diff", f"{days_kpi}_diff_lo", f"{days_kpi}_diff_hi"]
    lost = ["output_lost_diff", "output_lost_diff_lo", "output_lost_diff_hi"]
    return pd.DataFrame(
        {
            "series": table["series"],
            "group": table["group"],
            f"days to {level}%": [
                ("never" if np.isnan(v) else f"{v:.1f}") for v in table[days_kpi]
            ],
            "vs ref [90% CI]": [interval_text(*r) for r in table[days].to_numpy()],
            "lost (M yuan)": [f"{v / 100:,.0f}" for v in table["output_lost"]],
            "lost vs ref [90% CI]": [_million_interval(*r) for r in table[lost].to_numpy()],
        }
    )


def _million_interval(diff: float, lo: float, hi: float) -> str:
    """A difference in 10k yuan as million yuan with its interval: '-8,948 [-9,371, -8,525]'."""
    if not np.isfinite(diff):
        return "n/a"
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return f"{diff / 100:+,.0f} [n/a]"
    return f"{diff / 100:+,.0f} [{lo / 100:+,.0f}, {hi / 100:+,.0f}]"


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
    by: date | None = None,
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
    level = int(days_kpi.removeprefix("days_to_").removesuffix("pct")) / 100
    compare_chart(
        bands,
        metric,
        group,
        out / "compare.png",
        replicates=int(min(len(s.kpis) for s in series)),
        reported=reported,
        events=policy_events(scenario_of(series[0].folder)),
        target=Target(level, by),
    )
    table.to_csv(out / "compare_kpis.csv", index=False)
    (out / "compare.json").write_text(
        json.dumps(
            {
                "inputs": [str(Path(f).resolve()) for f in folders],
                "metric": metric,
                "group": group,
                "points": points,
                "reference": ref,
                "days_kpi": days_kpi,
                "by": by.isoformat() if by else None,
                "created": datetime.now().isoformat(),
            },
            indent=2,
        )
        + "\n"
    )
    bands.rename(columns={"scenario": "series"}).to_csv(out / "compare_curves.csv", index=False)
    return Comparison(out, table, ref)
