"""One lever type: a sweep multiplier, a calibration multiplier and a sampled range agree."""

import pytest

from sim.calibration_levers import apply_levers
from sim.errors import FugongError
from sim.levers import Lever, kind_of, parse_levers
from sim.sweep_file import parse_sweep
from sim.sweep_plan import make_plan
from tests.conftest import FIXTURES


def test_kinds_follow_the_value_a_key_holds():
    assert kind_of({"a": 1.0}) == "multiplier"
    assert kind_of(3) == "int"
    assert kind_of(0.5) == "value"
    assert kind_of(True) is None and kind_of("x") is None


def test_a_multiplier_scales_every_dated_value_and_every_schedule_of_a_section():
    sched = {"2022-04-01": 1000.0, "2022-05-01": 3000.0}
    lever = Lever("passes.daily_quota", 0.5, 2.0, "multiplier")
    section = {"in_city": sched, "inter_provincial": 400.0}
    assert lever.value(section, 2.0) == {
        "in_city": {"2022-04-01": 2000.0, "2022-05-01": 6000.0},
        "inter_provincial": 800.0,
    }
    assert Lever("k", kind="int").value(None, 2.6) == 3
    with pytest.raises(TypeError):
        lever.value("text", 2.0)


def test_sweep_and_calibration_set_the_same_scaled_schedule(small_scenario):
    key = "permits.daily_capacity"
    sweep = parse_sweep(
        {"name": "t", "base": "small.yaml",
         "parameters": {key: {"values": [1.5], "scale_schedule": True}}},
        "t.yaml",
    )  # fmt: skip
    plan = make_plan(sweep, FIXTURES)
    from_sweep = plan.point_scenario(0).permits.daily_capacity
    (lever,) = parse_levers([f"{key}=0.5:3"], small_scenario)
    assert lever.kind == "multiplier"
    from_calibration = apply_levers(small_scenario, [lever], {key: 1.5}).permits.daily_capacity
    base = small_scenario.permits.daily_capacity
    assert from_calibration == {d: v * 1.5 for d, v in base.items()}
    assert from_sweep == from_calibration


def test_sampled_levels_map_onto_the_range_linear_or_log():
    lin = Lever("a", 1.0, 3.0)
    log = Lever("b", 1.0, 100.0, log=True)
    assert list(lin.from_unit([0.0, 0.5])) == [1.0, 2.0]
    assert log.from_unit([0.5])[0] == pytest.approx(10.0)


def test_bad_param_specs_name_the_problem(small_scenario):
    with pytest.raises(FugongError, match="LO < HI"):
        parse_levers(["permits.daily_capacity=3:1"], small_scenario)
    with pytest.raises(FugongError, match="no key"):
        parse_levers(["permits.daily_capacty=1:3"], small_scenario)
    with pytest.raises(FugongError, match="not a number"):
        parse_levers(["policy.whitelist.priority=0:1"], small_scenario)
