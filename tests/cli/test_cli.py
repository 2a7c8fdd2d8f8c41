"""The command line, end to end through click's test runner."""

import json

import pandas as pd
from click.testing import CliRunner

from run import cli
from tests.conftest import SMALL


def test_run_writes_the_results_contract(tmp_path):
    out = tmp_path / "res"
    result = CliRunner().invoke(
        cli, ["run", str(SMALL), "--replicates", "2", "--out", str(out), "--no-charts"]
    )
    assert result.exit_code == 0, result.output
    assert str(out) in result.output
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert list(ts.columns) == ["scenario", "replicate", "seed", "date", "group", "metric", "value"]
    assert set(ts.replicate) == {0, 1}
    for metric in (
        "capacity_utilization",
        "output_index",
        "resumption_rate",
        "staff_on_site",
        "permits_issued_cum",
        "passes_issued",
        "truck_trips_index",
        "share_bound_permit",
        "staff_kept_home_by_permit",
        "staff_transferred_cum",
        "units_produced",
    ):
        assert metric in set(ts.metric), metric
    summary = pd.read_csv(out / "summary.csv")
    assert {"days_to_50pct", "days_to_80pct", "days_to_90pct", "output_lost"} <= set(summary)
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["replicate_seeds"]) == 2
    assert manifest["versions"]["mesa"].startswith("3.")


def test_bad_scenario_exits_nonzero_without_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("start_date: [\n")
    result = CliRunner().invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "YAML syntax error" in result.output
    assert "Traceback" not in result.output


def test_scenarios_lists_descriptions():
    result = CliRunner().invoke(cli, ["scenarios"])
    assert result.exit_code == 0
    assert "permits_fast.yaml" in result.output and "passes_scarce.yaml" in result.output


def test_fit_scores_a_results_folder(tmp_path):
    out = tmp_path / "res"
    runner = CliRunner()
    assert runner.invoke(cli, ["run", str(SMALL), "--out", str(out), "--no-charts"]).exit_code == 0
    targets = SMALL.parent.parent.parent / "data" / "targets" / "shanghai_2022.yaml"
    result = runner.invoke(cli, ["fit", str(out), "--targets", str(targets)])
    assert result.exit_code == 0, result.output
    assert "mapped targets met" in result.output
    fit = pd.read_csv(out / "fit.csv")
    assert {"target", "reported", "model_median", "met"} <= set(fit.columns)


def test_run_with_a_dated_schedule_in_set_records_it_and_reruns(tmp_path):
    """`--set` with a flow mapping of dates: the manifest holds it (date keys as text) and
    `rerun` reproduces the run from it."""
    out = tmp_path / "res"
    schedule = "permits.daily_capacity={2022-03-02: 500, 2022-03-05: 3000}"
    args = ["run", str(SMALL), "--set", "end_date=2022-03-08", "--set", schedule]
    result = CliRunner().invoke(cli, [*args, "--out", str(out), "--no-charts"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["overrides"]["permits.daily_capacity"] == {
        "2022-03-02": 500,
        "2022-03-05": 3000,
    }
    again = CliRunner().invoke(cli, ["rerun", str(out), "--out", str(tmp_path / "again")])
    assert again.exit_code == 0, again.output
    assert "identical" in again.output
