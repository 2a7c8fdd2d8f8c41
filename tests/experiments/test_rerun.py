"""A manifest reproduces its run bit for bit; results do not depend on the number of jobs."""

import json

import pandas as pd
import pytest

from sim.errors import FugongError
from sim.run_folder import rerun, run_scenario
from tests.conftest import SMALL


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "first"
    run_scenario(
        SMALL, replicates=2, out=out, jobs=1, charts=False, overrides=["end_date=2022-05-20"]
    )
    return out


def test_rerun_reproduces_the_timeseries_bit_for_bit(first_run, tmp_path):
    again = rerun(first_run / "manifest.json", out=tmp_path / "again").folder
    a = pd.read_parquet(first_run / "timeseries.parquet")
    b = pd.read_parquet(again / "timeseries.parquet")
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    ma = json.loads((first_run / "manifest.json").read_text())
    mb = json.loads((again / "manifest.json").read_text())
    assert ma["scenario_hash"] == mb["scenario_hash"]
    assert ma["replicate_seeds"] == mb["replicate_seeds"]
    assert ma["data_files"] == mb["data_files"]


def test_one_job_and_two_jobs_give_identical_results(first_run, tmp_path):
    two = run_scenario(
        SMALL,
        replicates=2,
        out=tmp_path / "two",
        jobs=2,
        charts=False,
        overrides=["end_date=2022-05-20"],
    ).folder
    a = pd.read_parquet(first_run / "timeseries.parquet")
    b = pd.read_parquet(two / "timeseries.parquet")
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_rerun_rejects_a_tampered_manifest(first_run, tmp_path):
    manifest = json.loads((first_run / "manifest.json").read_text())
    manifest["resolved_scenario"]["permits"]["processing_delay_days"] = 5
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    with pytest.raises(FugongError, match="does not match its hash"):
        rerun(path, out=tmp_path / "x")


def test_rerun_accepts_the_folder_and_says_it_matches(first_run, tmp_path):
    from click.testing import CliRunner

    from run import cli

    out = CliRunner().invoke(cli, ["rerun", str(first_run), "--out", str(tmp_path / "again")])
    assert out.exit_code == 0, out.output
    assert "identical: timeseries and summary match" in out.output
