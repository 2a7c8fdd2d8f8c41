"""Calibration honesty: order-of-magnitude bounds, inputs that are not targets, output_yoy."""

from pathlib import Path

import numpy as np
import pytest

from sim.errors import ScenarioError
from sim.replicates import run_replicate
from sim.scenario_files import load_scenario, with_overrides
from sim.targets import Target, check_inputs, load_target_file

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ROOT / "data" / "targets" / "shanghai_2022.yaml"
DEFAULT = ROOT / "scenarios" / "shanghai_2022.yaml"


def _lower(magnitude: bool) -> Target:
    return Target(
        name="p",
        date="2022-04-30",
        metric="permits_issued_cum",
        group="all",
        value=10_000,
        bound=">=",
        magnitude=magnitude,
    )


def test_a_magnitude_bound_fails_when_overshot_more_than_three_times():
    t = _lower(True)
    assert t.miss(12_000) == 0 and t.miss(30_000) == 0
    assert t.miss(290_000) == pytest.approx(26.0)  # (290,000 - 30,000) / 10,000
    assert t.miss(5_000) > 0
    assert _lower(False).miss(290_000) == 0
    assert t.overshoot(290_000) == pytest.approx(29.0)
    assert "<= 30000" in t.describe_bound()


def test_magnitude_is_only_for_lower_bounds():
    with pytest.raises(ValueError, match="magnitude"):
        Target(
            name="u",
            date="2022-04-19",
            metric="units_produced",
            group="all",
            value=1200,
            bound="<=",
            magnitude=True,
        )


def test_default_targets_repeat_no_input_and_the_scenario_holds_the_inputs():
    file = load_target_file(TARGETS)
    assert {f.key for f in file.inputs} >= {
        "anchors.0.closed_loop_beds",
        "anchors.1.closed_loop_beds",
    }
    data = load_scenario(DEFAULT).model_dump(mode="python")
    check_inputs(TARGETS, data)
    with pytest.raises(ScenarioError, match="cannot be calibrated"):
        check_inputs(TARGETS, data, ["anchors.0.closed_loop_beds"])
    data["anchors"][0]["closed_loop_beds"] = 9000
    with pytest.raises(ScenarioError, match="reported input is 8000"):
        check_inputs(TARGETS, data)


def test_a_target_that_is_an_input_is_refused(tmp_path):
    text = TARGETS.read_text().replace(
        "  - name: tesla_units_2022_05_10",
        """  - name: tesla_staff
    date: 2022-04-19
    metric: staff_returned
    group: firm:tesla_shanghai
    value: 8000
    bound: "~"
    tolerance: 1000

  - name: tesla_units_2022_05_10""",
    )
    bad = tmp_path / "t.yaml"
    bad.write_text(text)
    with pytest.raises(ScenarioError, match="model cannot miss it"):
        load_target_file(bad)


def test_output_yoy_is_the_index_grown_by_the_baseline_trend(small_scenario):
    sc = with_overrides(small_scenario, {"baseline.growth_yoy": 0.119, "end_date": "2022-04-10"})
    ts = run_replicate(sc, 0, 4).timeseries
    idx = ts[(ts.metric == "output_index") & (ts.group == "all")].value.to_numpy()
    yoy = ts[(ts.metric == "output_yoy") & (ts.group == "all")].value.to_numpy()
    assert np.allclose(yoy, 1.119 * idx - 1)
    assert yoy[0] == pytest.approx(0.119, abs=0.02)  # before the lockdown: the trend
