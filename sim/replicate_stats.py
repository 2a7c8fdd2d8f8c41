"""Statistics over replicates shared by sweeps, comparisons and sensitivity analysis.

Days-to-level KPIs are NaN when the level is never reached before the scenario ends. Where a
number is needed they are censored at the horizon plus one day (a lower bound on the truth),
and the number of censored values is always reported next to the result.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

CONFIDENCE = 0.90  # paired-difference intervals


def is_days(column: str) -> bool:
    return column.rsplit("/", 1)[-1].startswith("days_to")


def censored(values: pd.Series, horizon: pd.Series | float) -> pd.Series:
    """NaN days (level never reached) replaced by the horizon plus one day."""
    return values.fillna(horizon + 1)


def kpi_values(runs: pd.DataFrame, column: str) -> pd.Series:
    """A KPI column of finished runs, with days censored (see module docstring)."""
    values = runs[column].astype(float)
    return censored(values, runs["horizon_days"]) if is_days(column) else values


def median_censored(values: pd.Series, never: pd.Series) -> float:
    """Median where never-reached counts as longer than anything; NaN if the median is."""
    arr = np.where(never, np.inf, values.to_numpy(float))
    if not len(arr):
        return float("nan")
    m = float(np.median(arr))
    return m if np.isfinite(m) else float("nan")


def kpi_median(values: pd.Series, column: str) -> float:
    """Median over replicates of a KPI column: for days, never reached counts as longer than
    anything (NaN when the median run never reaches the level); other KPIs skip NaN."""
    if is_days(column):
        return median_censored(values, values.isna().to_numpy())
    return float(values.median())


def paired_difference(diffs: np.ndarray, confidence: float = CONFIDENCE) -> dict[str, float]:
    """Mean of per-replicate differences and its t-interval (NaN bounds with one pair)."""
    diffs = np.asarray(diffs, float)
    n = len(diffs)
    mean = float(diffs.mean()) if n else float("nan")
    if n < 2:
        return {"diff": mean, "diff_lo": float("nan"), "diff_hi": float("nan"), "pairs": n}
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * diffs.std(ddof=1) / np.sqrt(n)
    return {"diff": mean, "diff_lo": mean - half, "diff_hi": mean + half, "pairs": n}


def paired_against(values: pd.DataFrame, key: str, reference: object, column: str) -> pd.DataFrame:
    """Paired differences of ``column`` against the reference, for every value of ``key``.

    ``values`` has one row per run with ``key``, ``seed`` and ``column``; runs pair by seed
    (common random numbers), so only seeds present at both points count.
    """
    ref = values.loc[values[key] == reference, ["seed", column]]
    rows = []
    for k, group in values.groupby(key, sort=False):
        both = group[["seed", column]].merge(ref, on="seed", suffixes=("", "_ref")).dropna()
        diff = both[column].to_numpy(float) - both[f"{column}_ref"].to_numpy(float)
        rows.append({key: k, **paired_difference(diff)})
    return pd.DataFrame(rows)


def interval_text(diff: float, lo: float, hi: float, digits: int = 1) -> str:
    """'+3.0 [1.2, 4.8]', or '+3.0 [n/a]' when there is no interval."""
    if not np.isfinite(diff):
        return "n/a"
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return f"{diff:+.{digits}f} [n/a]"
    return f"{diff:+.{digits}f} [{lo:+.{digits}f}, {hi:+.{digits}f}]"
