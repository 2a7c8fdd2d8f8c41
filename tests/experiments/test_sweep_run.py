"""Sweeps end to end on the small economy: the store, failures, Dask, compare, frontier."""

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from run import cli
from sim.executors import DaskExecutor, LocalPoolExecutor, SerialExecutor
from sim.report import write_report
from sim.run_folder import run_scenario
from sim.sweep_file import load_sweep, sweep_from_options
from sim.sweep_plan import make_plan
from sim.sweep_run import run_sweep
from tests.conftest import FIXTURES, SMALL
from tests.experiments.test_sweep import TINY


@pytest.fixture(scope="module")
def tiny_plan():
    return make_plan(load_sweep(TINY), FIXTURES)


@pytest.fixture(scope="module")
def tiny(tiny_plan, tmp_path_factory):
    """The tiny sweep (4 points x 2 replicates) on a local pool of 2 processes."""
    out = tmp_path_factory.mktemp("sweeps") / "tiny"
    pool = LocalPoolExecutor(2)
    try:
        outcome = run_sweep(tiny_plan, out, pool, progress=None)
    finally:
        pool.close()
    return outcome


def test_sweep_writes_every_output(tiny, tiny_plan):
    out = tiny.folder
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 8 and (runs["status"] == "ok").all() and tiny.failed == 0
    assert {
        "point",
        "replicate",
        "seed",
        "status",
        "permits.daily_capacity",
        "passes.daily_quota",
        "all/days_to_80pct",
        "chain:automobile/output_lost",
        "batch:1/min_utilization",
        "horizon_days",
    } <= set(runs.columns)
    assert runs.groupby("replicate")["seed"].nunique().eq(1).all()  # common random numbers
    ts = pd.read_parquet(out / "timeseries.parquet", filters=[("point", "==", 3)])
    assert set(ts["replicate"]) == {0, 1}
    assert set(ts["metric"]) == set(tiny_plan.sweep.metrics)
    assert {"all", "chain:automobile", "batch:none"} <= set(ts["group"])
    assert not ts["group"].str.startswith("district:").any()
    bands = pd.read_parquet(out / "bands.parquet")
    assert (bands["p10"] <= bands["median"]).all() and (bands["median"] <= bands["p90"]).all()
    points = pd.read_csv(out / "points.csv")
    assert len(points) == 4 and points["runs_ok"].eq(2).all()
    ref = points.set_index("point").loc[tiny_plan.reference]
    assert ref["all/output_lost_days diff"] == 0.0
    assert (out / "sweep.yaml").exists() and (out / "scenario.yaml").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sessions"][0]["runs_computed"] == 8
    # the saved sweep reproduces itself: same plan from the folder alone
    saved = make_plan(load_sweep(out / "sweep.yaml"), out)
    assert saved.fingerprint() == tiny_plan.fingerprint()


def test_more_permits_and_passes_mean_less_output_lost(tiny):
    runs = pd.read_parquet(tiny.folder / "runs.parquet")
    lost = runs.groupby(["permits.daily_capacity", "passes.daily_quota"])["all/output_lost"].mean()
    assert lost[(4, 1)] < lost[(1, 0.25)]


@pytest.mark.slow
def test_dask_cluster_gives_the_same_results_as_the_local_pool(tiny, tiny_plan, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        executor = DaskExecutor(cluster.scheduler_address)
        try:
            outcome = run_sweep(tiny_plan, tmp_path / "dask", executor, progress=None)
        finally:
            executor.close()
    kpis = [c for c in tiny.runs.columns if "/" in c]
    local = tiny.runs.set_index(["point", "replicate"])
    dask = outcome.runs.set_index(["point", "replicate"])
    pd.testing.assert_frame_equal(dask[["seed", *kpis]], local[["seed", *kpis]])
    ts_local = pd.read_parquet(tiny.folder / "timeseries.parquet")
    ts_dask = pd.read_parquet(tmp_path / "dask" / "timeseries.parquet")
    pd.testing.assert_frame_equal(ts_dask, ts_local)


def test_a_failing_run_is_recorded_and_the_rest_complete(tmp_path):
    sw = sweep_from_options(
        None,
        scenario=SMALL,
        grid=["permits.processing_delay_days=1,-1"],
        sets=["end_date=2022-03-31"],
    )
    plan = make_plan(sw, FIXTURES)
    outcome = run_sweep(plan, tmp_path / "s", SerialExecutor(), progress=None)
    runs = outcome.runs.set_index("point")
    assert runs.loc[0, "status"] == "ok" and runs.loc[1, "status"] == "failed"
    assert "processing_delay_days" in runs.loc[1, "error"]
    assert (tmp_path / "s" / "failed" / "p0001_r000.json").exists()
    # --resume retries the failed run (and only it)
    again = run_sweep(plan, tmp_path / "s", SerialExecutor(), resume=True, progress=None)
    assert again.computed == 1 and again.failed == 1


def test_compare_run_folder_and_sweep_points(tiny, tmp_path):
    run_out = tmp_path / "run"
    run_scenario(SMALL, replicates=2, overrides=["end_date=2022-04-30"], out=run_out, charts=False)
    result = CliRunner().invoke(
        cli,
        [
            "compare",
            str(run_out),
            str(tiny.folder),
            "--group",
            "chain:automobile",
            "--reference",
            "small",
            "--out",
            str(tmp_path / "cmp"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cmp" / "compare.png").stat().st_size > 10_000
    table = pd.read_csv(tmp_path / "cmp" / "compare_kpis.csv")
    assert len(table["series"].unique()) == 5
    # the sweep point at x1, x1 is the base scenario: same seeds, so identical KPIs
    same = table[table["series"].str.endswith("daily_capacity=x1, passes.daily_quota=x1")]
    assert np.allclose(same["output_lost_diff"], 0.0) and (same["pairs"] == 2).all()
    curves = pd.read_csv(tmp_path / "cmp" / "compare_curves.csv")
    assert {"series", "date", "median", "p10", "p90"} <= set(curves.columns)
    text = write_report(tmp_path / "cmp").read_text()
    assert "<h1>Comparison report</h1>" in text and "<h2>Key results</h2>" in text
    assert text.count("src='data:image/png;base64,") == 1  # compare.png


def test_sweep_report_has_the_design_points_and_curves(tiny, tmp_path):
    text = write_report(tiny.folder, out=tmp_path / "r.html").read_text()
    assert "<h1>Sweep report: tiny</h1>" in text
    for heading in ("Design", "Key results by point", "Charts", "Manifest in brief"):
        assert f"<h2>{heading}</h2>" in text
    assert text.count("src='data:image/png;base64,") == 2  # all firms, automobile chain
    assert "days to 80% utilization vs reference" in text


def test_frontier_heat_map_and_cheapest(tiny, tmp_path):
    result = CliRunner().invoke(
        cli,
        [
            "frontier",
            str(tiny.folder),
            "--x",
            "permits.daily_capacity",
            "--y",
            "passes.daily_quota",
            "--group",
            "chain:automobile",
            "--level",
            "0.5",
            "--by",
            "2022-04-30",
            "--cost",
            "passes.daily_quota=2",
            "--out",
            str(tmp_path / "f"),
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "f" / "frontier.csv")
    assert len(table) == 4
    assert {"median_days", "share_meeting", "meets", "cost", "pareto", "cheapest"} <= set(table)
    assert (tmp_path / "f" / "frontier.png").stat().st_size > 10_000
    assert "target: 33 days from the first lockdown" in result.output
    assert (table["meets"] == (table["median_days"] <= 33)).all()
    assert not (table["pareto"] & ~table["meets"]).any()
    if table["meets"].any():
        cheapest = table[table["cheapest"]]
        assert cheapest["cost"].min() == table.loc[table["meets"], "cost"].min()
        assert cheapest["pareto"].all()
