"""The sweep run store on its own: runs written atomically, failures recorded then replaced,
the index rebuilt from the files, a folder never mixed with another sweep."""

import json

import pandas as pd
import pytest

from sim.errors import FugongError
from sim.stored_runs import RunResult
from sim.sweep_file import load_sweep
from sim.sweep_plan import make_plan
from sim.sweep_store import RunStore, open_plan
from tests.conftest import FIXTURES
from tests.experiments.test_sweep import TINY


@pytest.fixture
def plan():
    return make_plan(load_sweep(TINY), FIXTURES)


def ok_result(point: int, replicate: int, seed: int, value: float = 0.5) -> RunResult:
    ts = pd.DataFrame(
        {
            "date": pd.to_datetime(["2022-04-01", "2022-04-02"]),
            "group": ["all", "all"],
            "metric": ["capacity_utilization", "capacity_utilization"],
            "value": [value, value + 0.1],
        }
    )
    kpis = {"horizon_days": 30.0, "all/days_to_80pct": 10.0 + point, "all/output_lost_days": 5.0}
    return RunResult(point, replicate, seed, 1.0, kpis, ts)


def test_runs_are_written_one_file_each_and_found_again(tmp_path, plan):
    store = RunStore.create(tmp_path / "s", plan)
    assert store.finished() == set()
    store.write(ok_result(0, 0, plan.seeds[0]))
    store.write(ok_result(3, 1, plan.seeds[1]))
    assert store.finished() == {(0, 0), (3, 1)}
    assert not list(store.runs_dir.glob(".*")), "no temporary file is left behind"
    lines = (store.folder / "log.jsonl").read_text().splitlines()
    assert [json.loads(line)["run"] for line in lines] == ["p0000_r000", "p0003_r001"]
    reopened = RunStore.open(tmp_path / "s", plan)
    assert reopened.finished() == {(0, 0), (3, 1)}


def test_a_failed_run_is_recorded_and_cleared_when_it_succeeds(tmp_path, plan):
    store = RunStore.create(tmp_path / "s", plan)
    store.write(RunResult(1, 0, plan.seeds[0], 0.2, error="boom"))
    assert store.finished() == set()
    index = store.index(plan)
    assert index.loc[0, "status"] == "failed" and index.loc[0, "error"] == "boom"
    store.write(ok_result(1, 0, plan.seeds[0]))
    assert not (store.failed_dir / "p0001_r000.json").exists()
    index = store.index(plan)
    assert list(index.status) == ["ok"]
    assert index.loc[0, "all/days_to_80pct"] == 11.0
    assert list(index.columns[:6]) == ["point", "replicate", "seed", "status", "error", "seconds"]


def test_consolidate_writes_every_table_and_streams_all_runs(tmp_path, plan):
    store = RunStore.create(tmp_path / "s", plan)
    for point in plan.points.index:
        for rep, seed in enumerate(plan.seeds):
            store.write(ok_result(int(point), rep, seed, value=0.1 * point))
    runs = store.consolidate(plan)
    assert len(runs) == plan.n_runs
    for name in ("runs.parquet", "timeseries.parquet", "bands.parquet", "points.csv"):
        assert (store.folder / name).is_file(), name
    ts = pd.read_parquet(store.folder / "timeseries.parquet")
    assert len(ts) == 2 * plan.n_runs
    bands = pd.read_parquet(store.folder / "bands.parquet")
    assert (bands["p10"] <= bands["median"]).all() and (bands["median"] <= bands["p90"]).all()


def test_an_existing_folder_needs_force_and_another_sweep_cannot_resume_it(tmp_path, plan):
    RunStore.create(tmp_path / "s", plan)
    with pytest.raises(FugongError, match="--force"):
        RunStore.create(tmp_path / "s", plan)
    other = make_plan(load_sweep(TINY).model_copy(update={"replicates": 3}), FIXTURES)
    with pytest.raises(FugongError, match="different sweep"):
        RunStore.open(tmp_path / "s", other)
    RunStore.create(tmp_path / "s", plan, force=True)


def test_the_folder_reproduces_its_own_plan(tmp_path, plan):
    RunStore.create(tmp_path / "s", plan)
    again = open_plan(tmp_path / "s")
    assert again.fingerprint() == plan.fingerprint()
    assert again.seeds == plan.seeds
