"""The spread of a measure over replicates: median, 10-90% quantiles, minimum and maximum per
scenario and date, and which of them a chart shades (the range below 10 replicates).

Reads a tidy timeseries; writes nothing.
"""

from __future__ import annotations

import pandas as pd

from sim import labels

QUANTILE_MIN_REPLICATES = 10  # below this a 10-90% band is mostly interpolation: shade the range


def spread_note(replicates: int) -> str:
    """What the line and the shading of a chart mean, with the right plural."""
    line = f"Lines: median of {labels.plural(replicates, 'replicate')}"
    if replicates <= 1:
        return line + "."
    if replicates < QUANTILE_MIN_REPLICATES:
        return line + f"; shaded: range of the {replicates} replicates."
    return line + "; shaded: 10-90% band."


def band(
    timeseries: pd.DataFrame, metric: str, group: str, scenario: str | None = None
) -> pd.DataFrame:
    """Median, 10% and 90% quantiles, minimum and maximum over replicates per scenario and
    date.

    Columns `scenario, date, median, p10, p90, min, max`, sorted; only `scenario` if given.
    """
    ts = timeseries
    mask = (ts["metric"] == metric) & (ts["group"] == group)
    if scenario is not None:
        mask &= ts["scenario"] == scenario
    return quantiles(ts.loc[mask], ["scenario"])


def quantiles(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    columns = [*keys, "date", "median", "p10", "p90", "min", "max"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    grouped = frame.groupby([*keys, "date"], sort=True)["value"]
    q = grouped.quantile([0.1, 0.5, 0.9]).unstack()
    q = q.rename(columns={0.1: "p10", 0.5: "median", 0.9: "p90"})
    q["min"], q["max"] = grouped.min(), grouped.max()
    q = q.reset_index()
    q["date"] = pd.to_datetime(q["date"])
    return q[columns]


def spread_columns(replicates: int) -> tuple[str, str]:
    return ("p10", "p90") if replicates >= QUANTILE_MIN_REPLICATES else ("min", "max")
