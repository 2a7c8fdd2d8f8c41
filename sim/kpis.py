"""Key performance indicators of recovery per group and replicate."""

from __future__ import annotations

import numpy as np
import pandas as pd

THRESHOLDS = (0.5, 0.8, 0.9)
KPI_GROUPS = (
    "all",
    "chain:automobile",
    "chain:integrated_circuits",
    "chain:biomedicine",
    "chain:chemicals",
    "chain:other",
    "batch:1",
    "batch:2",
    "batch:3",
    "batch:none",
)
SMOOTH_DAYS = 7  # utilization is judged on a trailing 7-day mean


def days_to(util: np.ndarray, start: int, level: float) -> float:
    """Days from ``start`` until the 7-day mean utilization, after its trough, reaches level."""
    smooth = pd.Series(util).rolling(SMOOTH_DAYS, min_periods=1).mean().to_numpy()
    if start >= len(util):
        return float("nan")
    trough = start + int(np.argmin(smooth[start:]))
    hit = np.flatnonzero(smooth[trough:] >= level)
    return float(trough + hit[0] - start) if len(hit) else float("nan")


def summarize(ts: pd.DataFrame, lockdown_start) -> pd.DataFrame:
    """Per scenario, replicate and group: days to 50/80/90% and cumulative output lost."""
    wanted = ts[ts.metric.isin(["capacity_utilization", "output", "output_index"])]
    wide = wanted.pivot_table(
        index=["scenario", "replicate", "seed", "group", "date"],
        columns="metric",
        values="value",
    ).reset_index()
    rows = []
    start_date = np.datetime64(lockdown_start, "D")
    for (scenario, rep, seed, group), g in wide.groupby(
        ["scenario", "replicate", "seed", "group"], sort=False
    ):
        g = g.sort_values("date")
        dates = g["date"].to_numpy().astype("datetime64[D]")
        start = int(np.searchsorted(dates, start_date))
        util = g["capacity_utilization"].to_numpy()
        output = g["output"].to_numpy()
        index = g["output_index"].to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            normal = np.where(index > 0, output / index, np.nan)
        normal = pd.Series(normal).ffill().bfill().to_numpy()
        lost = np.nansum(normal - output)
        daily_normal = np.nanmean(normal) if np.isfinite(normal).any() else np.nan
        row = {"scenario": scenario, "replicate": rep, "seed": seed, "group": group}
        for level in THRESHOLDS:
            row[f"days_to_{round(level * 100)}pct"] = days_to(util, start, level)
        row["output_lost"] = lost
        row["output_lost_days"] = lost / daily_normal if daily_normal else np.nan
        row["min_utilization"] = float(np.min(util[start:])) if start < len(util) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def headline_kpis(summary: pd.DataFrame) -> pd.DataFrame:
    """Median over replicates of the headline KPIs for the main groups."""
    cols = [
        "days_to_50pct",
        "days_to_80pct",
        "days_to_90pct",
        "output_lost_days",
        "min_utilization",
    ]
    s = summary[summary.group.isin(KPI_GROUPS)]
    table = s.groupby("group", sort=False)[cols].median()
    return table.reindex([g for g in KPI_GROUPS if g in table.index])
