"""Sweep definitions: validation, designs, scaled schedules, seeds and CLI shortcuts."""

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from run import cli
from sim.sweep_file import SweepError, load_sweep, parse_sweep, sweep_from_options
from sim.sweep_plan import make_plan
from tests.cli_helpers import dry_run_sweep
from tests.conftest import FIXTURES, SMALL

TINY = FIXTURES / "tiny_sweep.yaml"


def sweep(**changes):
    data = {
        "name": "t",
        "base": "small.yaml",
        "parameters": {"permits.daily_capacity": {"values": [1000, 2000]}},
    }
    data.update(changes)
    return parse_sweep(data, "t.yaml")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"replicate": 2}, "unknown key; did you mean 'replicates'?"),
        ({"parameters": {"permits.daily_capacity": {"valuse": [1]}}}, "did you mean 'values'?"),
        ({"parameters": {"a.b": {"range": {"lo": 5, "hi": 1, "n": 3}}}}, "lo must be below hi"),
        ({"parameters": {"a.b": {"range": {"lo": 0, "hi": 1, "n": 0}}}}, "greater than or equal"),
        ({"parameters": {"a.b": {"range": {"lo": 0, "hi": 1}}}}, "a grid needs values or a range"),
        ({"parameters": {"a.b": {"range": {"lo": 0, "hi": 1, "log": True}}}}, "log range needs lo"),
        (
            {
                "design": "sobol",
                "samples": 12,
                "parameters": {"a.b": {"range": {"lo": 0, "hi": 1}}},
            },
            "power of 2",
        ),
        ({"design": "lhs", "parameters": {"a.b": {"range": {"lo": 0, "hi": 1}}}}, "samples"),
        ({"name": "../escape"}, "name"),
        ({"parameters": {}}, "at least one parameter"),
    ],
)
def test_invalid_sweeps_give_one_clear_line(changes, message):
    with pytest.raises(SweepError) as err:
        sweep(**changes)
    assert message in str(err.value)
    assert str(err.value).startswith("t.yaml: ")


def test_grid_lhs_and_sobol_sizes_ranges_and_determinism():
    grid = sweep(
        parameters={
            "permits.daily_capacity": {"values": [1000, 2000]},
            "workforce.test_access": {"range": {"lo": 0.5, "hi": 0.9, "n": 3}},
            "zoning.churn": {"range": {"lo": 0.01, "hi": 0.1, "n": 2, "log": True}},
        }
    )
    plan = make_plan(grid, FIXTURES)
    assert len(plan.points) == 12
    assert sorted(plan.points["workforce.test_access"].unique()) == [0.5, 0.7, 0.9]
    ranges = {
        "permits.processing_delay_days": {"range": {"lo": 0, "hi": 4}},
        "zoning.churn": {"range": {"lo": 0.02, "hi": 0.1, "log": True}},
    }
    for design, n in (("lhs", 10), ("sobol", 8)):
        s = sweep(design=design, samples=n, parameters=ranges)
        a, b = make_plan(s, FIXTURES).points, make_plan(s, FIXTURES).points
        assert len(a) == n and a.equals(b)
        days = a["permits.processing_delay_days"]
        assert days.dtype.kind == "i" and days.between(0, 4).all()  # integer key: rounded
        assert a["zoning.churn"].between(0.02, 0.1).all()
        assert isinstance(make_plan(s, FIXTURES).overrides(0)["permits.processing_delay_days"], int)
        other = make_plan(s.model_copy(update={"seed": 1}), FIXTURES).points
        assert not a.equals(other)


def test_scaled_schedules_and_sections():
    plan = make_plan(load_sweep(TINY), FIXTURES)
    base = plan.scenario
    point = plan.points.index[
        (plan.points["permits.daily_capacity"] == 4) & (plan.points["passes.daily_quota"] == 0.25)
    ][0]
    sc = plan.point_scenario(point)
    assert {d: v / 4 for d, v in sc.permits.daily_capacity.items()} == base.permits.daily_capacity
    for route in ("in_city", "inter_provincial"):
        scaled = getattr(sc.passes.daily_quota, route)
        assert {d: v * 4 for d, v in scaled.items()} == getattr(base.passes.daily_quota, route)
    assert sc.end_date.isoformat() == "2022-04-30"  # the fixed override
    assert plan.label(point) == "permits.daily_capacity=x4, passes.daily_quota=x0.25"


def test_every_point_uses_the_same_replicate_seeds():
    plan = make_plan(load_sweep(TINY), FIXTURES)
    tasks = list(plan.tasks())
    assert len(tasks) == plan.n_runs == 8
    for rep in range(2):
        assert len({t.seed for t in tasks if t.replicate == rep}) == 1
    assert tasks[0].seed != tasks[-1].seed
    skip = {(0, 0), (3, 1)}
    assert {(t.point, t.replicate) for t in plan.tasks(skip)}.isdisjoint(skip)


def test_reference_point_is_found_or_explained():
    plan = make_plan(load_sweep(TINY), FIXTURES)
    assert plan.points.loc[plan.reference].tolist() == [1, 1]
    bad = load_sweep(TINY).model_copy(update={"reference": {"permits.daily_capacity": 3}})
    with pytest.raises(SweepError, match="matches no point"):
        make_plan(bad, FIXTURES)


def test_grid_option_builds_the_same_sweep_as_a_file():
    from_file = load_sweep(TINY)
    built = sweep_from_options(
        None,
        scenario=FIXTURES / "small.yaml",
        grid=["permits.daily_capacity=x1,x4", "passes.daily_quota=x0.25,x1"],
        replicates=2,
        sets=["end_date=2022-04-30"],
    )
    assert built.parameters == from_file.parameters
    assert built.replicates == 2
    plan_a = make_plan(from_file, FIXTURES)
    plan_b = make_plan(built, Path.cwd())
    assert np.array_equal(plan_a.points.to_numpy(), plan_b.points.to_numpy())
    with pytest.raises(SweepError, match="multiplier"):
        sweep_from_options(None, scenario=SMALL, grid=["permits.daily_capacity=x1,2"])


def test_dry_run_prints_runs_and_estimate(tmp_path):
    result = dry_run_sweep(
        tmp_path / "out",
        "--grid",
        "permits.daily_capacity=x1,x2,x4",
        "--grid",
        "permits.processing_delay_days=1,-1",
        "--set",
        "end_date=2022-03-31",
        "--jobs",
        "2",
    )
    assert result.exit_code == 0, result.output
    assert "6 points x 1 replicates = 6 runs" in result.output
    assert "invalid point 1" in result.output and "processing_delay_days" in result.output
    assert "estimate:" in result.output and "on 2 local worker(s)" in result.output
    assert not (tmp_path / "out").exists()


def test_bad_sweep_file_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nbase: nowhere.yaml\nparameters: {a.b: {values: [1]}}\n")
    result = CliRunner().invoke(cli, ["sweep", str(bad), "--dry-run"])
    assert result.exit_code == 2
    assert "nowhere.yaml" in result.output and "Traceback" not in result.output


def test_grid_takes_the_baseline_as_reference_and_hints_at_keys():
    grid = sweep_from_options(
        None, scenario=FIXTURES / "small.yaml", grid=["permits.daily_capacity=x0.5,x1,x2"]
    )
    plan = make_plan(grid, FIXTURES)
    assert plan.label(plan.reference) == "permits.daily_capacity=x1"
    typo = sweep_from_options(
        None, scenario=FIXTURES / "small.yaml", grid=["permits.daily_capasity=x0.5,x1"]
    )
    with pytest.raises(SweepError, match="did you mean permits.daily_capacity"):
        make_plan(typo, FIXTURES)
