"""The one KPI table: medians over replicates, days never reached counted as longer than any."""

import numpy as np
import pandas as pd

from sim.kpis import HEADLINE_KPIS, KPIS, headline_kpis


def summary(days_to_80: list[float]) -> pd.DataFrame:
    """A summary of one replicate per value, for three groups (one not a KPI group)."""
    return pd.DataFrame(
        {
            "scenario": "s",
            "replicate": i,
            "seed": i,
            "group": group,
            "days_to_50pct": 10.0,
            "days_to_80pct": days,
            "days_to_90pct": np.nan,
            "output_lost_days": 2.0,
            "output_lost": 100.0 * (i + 1),
            "min_utilization": 0.3,
        }
        for i, days in enumerate(days_to_80)
        for group in ("batch:1", "all", "firm:x")
    )


def test_days_never_reached_count_as_longer_than_any_run():
    table = headline_kpis(summary([20.0, np.nan, np.nan]))
    assert np.isnan(table.loc["all", "days_to_80pct"])  # the median run never reaches 80%
    table = headline_kpis(summary([20.0, 30.0, np.nan]))
    assert table.loc["all", "days_to_80pct"] == 30.0  # not 25, the median of those that did


def test_groups_in_their_order_and_the_chosen_columns():
    table = headline_kpis(summary([20.0, 30.0, 40.0]))
    assert list(table.index) == ["all", "batch:1"] and tuple(table.columns) == HEADLINE_KPIS
    table = headline_kpis(summary([20.0, 30.0, 40.0]), ("batch:1",), KPIS)
    assert list(table.index) == ["batch:1"] and table.loc["batch:1", "output_lost"] == 200.0
