"""Key performance indicators of recovery per group and replicate, and the headline table
of their medians (the one KPI table of the run output, the report and `Results.kpis`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.replicate_stats import kpi_median

THRESHOLDS = (0.5, 0.8, 0.9)
CHAIN_GROUPS = (  # all firms and each chain: the groups compared across scenarios
    "all",
    "chain:automobile",
    "chain:integrated_circuits",
    "chain:biomedicine",
    "chain:chemicals",
    "chain:other",
)
BATCH_GROUPS = ("batch:1", "batch:2", "batch:3", "batch:none")
KPI_GROUPS = (*CHAIN_GROUPS, *BATCH_GROUPS)
KPIS = (  # the KPI columns of a summary, in the order tables show them
    "days_to_50pct",
    "days_to_80pct",
    "days_to_90pct",
    "output_lost_days",
    "output_lost",
    "min_utilization",
)
HEADLINE_KPIS = tuple(k for k in KPIS if k != "output_lost")  # the terminal table's
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


def headline_kpis(
    summary: pd.DataFrame,
    groups: tuple[str, ...] = KPI_GROUPS,
    columns: tuple[str, ...] = HEADLINE_KPIS,
) -> pd.DataFrame:
    """Median over replicates of each KPI per group (indexed by group, in `groups` order).

    Days to a level count never reached as longer than any run, so a group whose median run
    never reaches the level shows NaN ('never'), not the median of the runs that did.
    """
    rows = {
        group: {c: kpi_median(s[c], c) for c in columns}
        for group, s in summary.groupby("group", sort=False)
        if group in groups
    }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(columns))
    table.index.name = "group"
    return table.reindex([g for g in groups if g in table.index])
