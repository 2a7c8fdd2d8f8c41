"""Sensitivity analysis: SALib samples become sweep points; indices rank the levers."""

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from run import cli
from sim.errors import FugongError
from sim.sensitivity import analyse, sensitivity_plan
from sim.sweep_file import parse_sweep
from tests.conftest import FIXTURES

LEVERS = {
    "permits.daily_capacity": {"range": {"lo": 0.5, "hi": 4, "log": True}, "scale_schedule": True},
    "workforce.test_access": {"range": {"lo": 0.6, "hi": 1.0}},
    "permits.processing_delay_days": {"range": {"lo": 0, "hi": 4}},
}


def levers_sweep(**changes):
    data = {
        "name": "levers",
        "base": "small.yaml",
        "design": "sobol",
        "samples": 4,
        "overrides": {"end_date": "2022-04-15"},
        "parameters": LEVERS,
    }
    data.update(changes)
    return parse_sweep(data, "levers.yaml")


@pytest.mark.parametrize(("method", "n", "points"), [("sobol", 8, 8 * 5), ("morris", 4, 4 * 4)])
def test_salib_samples_become_sweep_points(method, n, points):
    plan, unit = sensitivity_plan(levers_sweep(), FIXTURES, method, n)
    assert len(plan.points) == len(unit) == points
    assert plan.sweep.design == "table"
    assert plan.points["permits.processing_delay_days"].dtype.kind == "i"
    assert plan.points["permits.daily_capacity"].between(0.5, 4).all()
    again, _ = sensitivity_plan(levers_sweep(), FIXTURES, method, n)
    assert plan.fingerprint() == again.fingerprint()  # deterministic, so resumable


def test_sobol_needs_a_power_of_two_and_ranges():
    with pytest.raises(FugongError, match="power of 2"):
        sensitivity_plan(levers_sweep(), FIXTURES, "sobol", 6)
    grid = levers_sweep(
        design="grid", samples=None, parameters={"permits.daily_capacity": {"values": [1, 2]}}
    )
    with pytest.raises(FugongError, match="all ranges"):
        sensitivity_plan(grid, FIXTURES, "morris", 4)


@pytest.mark.parametrize("method", ["sobol", "morris"])
def test_indices_rank_a_known_function(method):
    plan, unit = sensitivity_plan(levers_sweep(), FIXTURES, method, 64)
    y = 10 * unit[:, 0] + 1 * unit[:, 1]  # the third lever has no effect
    days = np.where(unit[:, 2] > 0.9, np.nan, y)  # a few runs never reach the level
    runs = pd.DataFrame(
        {
            "point": plan.points.index,
            "status": "ok",
            "horizon_days": 50.0,
            "all/output_lost": y,
            "all/days_to_80pct": days,
        }
    )
    runs = pd.concat([runs, runs.assign(**{"all/output_lost": y + 1})])  # 2 replicates
    table, censored = analyse(plan, runs, unit, method, "all/output_lost", seed=1)
    main = "ST" if method == "sobol" else "mu_star"
    ranked = table.sort_values(main, ascending=False)["parameter"].tolist()
    assert ranked[0] == "permits.daily_capacity" and ranked[-1] == "permits.processing_delay_days"
    assert censored == 0 and (table[f"{main}_conf"] >= 0).all()
    _, censored = analyse(plan, runs, unit, method, "all/days_to_80pct", seed=1)
    assert censored == 2 * int(np.isnan(days).sum()) > 0


@pytest.mark.slow
def test_sensitivity_command_end_to_end(tmp_path):
    """Sobol with N=2 over 3 levers: 10 short runs, about 4 s."""
    sweep_file = tmp_path / "levers.yaml"
    data = levers_sweep().model_dump(mode="json", exclude_defaults=True)
    data["base"] = str(FIXTURES / "small.yaml")
    data["overrides"] = {"end_date": "2022-04-30"}
    sweep_file.write_text(json.dumps(data))
    out = tmp_path / "sens"
    result = CliRunner().invoke(
        cli,
        [
            "sensitivity",
            str(sweep_file),
            "--method",
            "sobol",
            "-n",
            "2",
            "--kpi",
            "output_lost_days",
            "--jobs",
            "1",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "indices.csv")
    assert table["parameter"].tolist() == list(LEVERS)
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(table.columns)
    assert (out / "indices.png").stat().st_size > 5_000
    meta = json.loads((out / "sensitivity.json").read_text())
    assert meta["runs"] == 10 and meta["kpi"] == "all/output_lost_days"
    assert len(pd.read_parquet(out / "runs.parquet")) == 10
