"""Charts render from a small synthetic timeseries; band quantiles are ordered."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from sim.replicate_bands import band
from sim.run_charts import make_charts

CHARTS = (
    "utilization_by_chain.png",
    "resumption_by_batch.png",
    "staff_and_permits.png",
    "passes_and_trucks.png",
    "binding_constraints.png",
    "anchor_firms.png",
)
EVENTS = [(date(2022, 4, 1), "lockdown Puxi"), (date(2022, 4, 16), "white list 1")]
GROUPS = (
    "all",
    "chain:automobile",
    "chain:integrated_circuits",
    "batch:1",
    "batch:2",
    "batch:none",
    "whitelist",
    "batch:1-2",
)
RATIOS = ("capacity_utilization", "output_index", "resumption_rate", "truck_trips_index")
COUNTS = {
    "staff_on_site": 60_000,
    "staff_returned": 45_000,
    "permits_issued_cum": 120_000,
    "permits_pending": 8_000,
    "passes_issued": 3_000,
    "passes_used": 2_400,
}
BOUNDS = ("approval", "permit", "inputs", "logistics", "demand")


def synthetic_timeseries(scenarios=("baseline",), replicates=2, days=30) -> pd.DataFrame:
    """Tidy frame shaped like the model's: logistic recoveries with replicate noise."""
    rng = np.random.default_rng(0)
    dates = pd.date_range("2022-04-01", periods=days, freq="D")
    t = np.arange(days)
    rows = []

    def add(scenario, rep, group, metric, values):
        rows.append(
            pd.DataFrame(
                {
                    "scenario": scenario,
                    "replicate": rep,
                    "seed": 100 + rep,
                    "date": dates,
                    "group": group,
                    "metric": metric,
                    "value": values,
                }
            )
        )

    for k, scenario in enumerate(scenarios):
        for rep in range(replicates):
            for j, group in enumerate(GROUPS):
                curve = 1 / (1 + np.exp(-(t - 12 - 2 * j - 3 * k) / 3))
                for metric in RATIOS:
                    add(scenario, rep, group, metric, curve + rng.normal(0, 0.03, days))
                for metric, scale in COUNTS.items():
                    add(scenario, rep, group, metric, scale * curve * rng.uniform(0.9, 1.1))
                shares = np.vstack(
                    [1 - curve, 0.5 * curve, 0.2 * curve, 0.2 * curve, 0.1 * curve]
                ) + rng.uniform(0, 0.02, (5, days))
                for b, share in zip(BOUNDS, shares / shares.sum(axis=0), strict=True):
                    add(scenario, rep, group, f"share_bound_{b}", share)
            for firm, normal in (("firm:tesla_shanghai", 2300), ("firm:smic", 900)):
                curve = 1 / (1 + np.exp(-(t - 18) / 2))
                add(scenario, rep, firm, "units_produced", normal * curve * rng.uniform(0.8, 1))
    return pd.concat(rows, ignore_index=True)


def synthetic_reported() -> pd.DataFrame:
    rows = [
        ("2022-04-22", None, "resumption_rate", "batch:1", 0.7, "~", 0.05, "share of firms"),
        ("2022-04-25", None, "resumption_rate", "batch:1", 0.8, ">=", None, "share of firms"),
        ("2022-04-20", None, "resumption_rate", "batch:1-2", 0.7, ">=", None, "share of firms"),
        ("2022-04-25", None, "permits_issued_cum", "all", 100_000, ">=", None, "persons"),
        ("2022-04-20", None, "staff_returned", "whitelist", 40_000, ">=", None, "persons"),
        ("2022-04-01", "2022-04-10", "truck_trips_index", "all", 0.15, "~", 0.05, "ratio"),
        ("2022-04-01", "2022-04-30", "output_index", "all", 0.385, "~", 0.05, "ratio"),
        ("2022-04-24", None, "capacity_utilization", "firm:smic", 0.9, ">=", None, "share"),
        (
            "2022-04-19",
            None,
            "units_produced",
            "firm:tesla_shanghai",
            1200,
            "<=",
            None,
            "vehicles per day",
        ),
        (
            "2022-04-26",
            None,
            "units_produced",
            "firm:tesla_shanghai",
            2350,
            "range",
            250,
            "vehicles per day",
        ),
        ("2022-03-01", None, "output_index", "all", 0.9, "~", 0.05, "ratio"),  # before start
    ]
    columns = ["date", "date_end", "metric", "group", "value", "bound", "tolerance", "unit"]
    df = pd.DataFrame(rows, columns=columns)
    df["date"] = pd.to_datetime(df["date"])
    df["date_end"] = pd.to_datetime(df["date_end"])
    return df


def _assert_pngs(paths, out_dir):
    assert [p.name for p in paths] == list(CHARTS)
    for name in CHARTS:
        path = out_dir / name
        assert path.exists()
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size > 10_000


def test_make_charts_writes_all_pngs(tmp_path):
    paths = make_charts(synthetic_timeseries(), tmp_path, synthetic_reported(), EVENTS)
    _assert_pngs(paths, tmp_path)


def test_make_charts_several_scenarios(tmp_path):
    ts = synthetic_timeseries(scenarios=("baseline", "faster_permits"))
    paths = make_charts(ts, tmp_path, synthetic_reported(), EVENTS)
    _assert_pngs(paths, tmp_path)


def test_missing_metrics_and_groups_do_not_crash(tmp_path):
    ts = synthetic_timeseries()
    ts = ts[~ts["metric"].isin(["output_index", "staff_returned", "passes_used"])]
    ts = ts[~ts["group"].str.startswith(("firm:", "chain:"))]
    paths = make_charts(ts, tmp_path)
    assert "anchor_firms.png" not in {p.name for p in paths}
    assert all(p.exists() for p in paths)
    empty = make_charts(ts.iloc[:0], tmp_path / "empty", synthetic_reported(), EVENTS)
    assert empty == []


@pytest.mark.parametrize("scenario", [None, "faster_permits"])
def test_band_median_between_quantiles(scenario):
    ts = synthetic_timeseries(scenarios=("baseline", "faster_permits"), replicates=3)
    b = band(ts, "capacity_utilization", "chain:automobile", scenario=scenario)
    assert list(b.columns) == ["scenario", "date", "median", "p10", "p90", "min", "max"]
    assert (b["min"] <= b["p10"]).all() and (b["p90"] <= b["max"]).all()
    assert len(b) == 30 * (2 if scenario is None else 1)
    assert (b["p10"] <= b["median"]).all() and (b["median"] <= b["p90"]).all()
    assert (b["p10"] < b["p90"]).any()
    assert band(ts, "capacity_utilization", "no_such_group").empty


def test_event_labels_do_not_overlap_and_years_show(tmp_path):
    """Policy labels two days apart are staggered into rows, so no two overlap."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from sim.plots import plotter
    from sim.run_charts import _utilization

    close = [
        (date(2022, 4, 1), "citywide lockdown"),
        (date(2022, 4, 2), "white list 1"),
        (date(2022, 4, 3), "transfer stations"),
        (date(2022, 4, 20), "reopening"),
    ]
    fig = _utilization(plotter(synthetic_timeseries(), synthetic_reported(), close))
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    ax = fig.axes[0]
    names = {text for _, text in close}
    boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text() in names]
    assert len(boxes) == len(close)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)
    ticks = [t.get_text() for t in fig.axes[-1].get_xticklabels() if t.get_text()]
    assert "2022" in ticks[0]
    assert fig.axes[0].yaxis.get_major_formatter()(0.8, 0) == "80%"


def test_readable_labels_and_plural():
    from sim import labels
    from sim.replicate_bands import spread_note

    assert (
        labels.series("capacity_utilization", "chain:automobile")
        == "Automobile chain: capacity utilization"
    )
    assert labels.group("firm:tesla_shanghai") == "Tesla Shanghai"
    assert "median of 1 replicate." in spread_note(1)
    assert "range of the 2 replicates" in spread_note(2)
    assert "10-90% band" in spread_note(12)
