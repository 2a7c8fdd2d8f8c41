"""The explorer without a browser: controls become scenario overrides, charts follow the model."""

from __future__ import annotations

import numpy as np
import pytest

from sim.explorer.charts import CHARTS, DistrictGrid, recorded
from sim.explorer.controls import CONTROLS, control_overrides
from sim.explorer.model import ExplorerModel
from sim.model import RecoveryModel
from sim.scenario_files import load_scenario
from tests.conftest import SMALL

SCALE = 200  # the small fixture's own scale


def _schedule(sc, key):
    node = sc.model_dump(mode="python")
    for part in key.split("."):
        node = node[part]
    return node


def test_a_peak_control_scales_the_whole_schedule_to_its_value():
    sc = load_scenario(SMALL)
    default = _schedule(sc, "permits.daily_capacity")
    peak = max(default.values())
    changed = control_overrides(sc, {"permit_capacity": peak / 2, "test_interval": 4})
    assert changed["workforce.test_interval_days"] == 4
    assert list(changed["permits.daily_capacity"]) == list(default)  # same dates
    assert max(changed["permits.daily_capacity"].values()) == pytest.approx(peak / 2)
    for day, value in default.items():
        assert changed["permits.daily_capacity"][day] == pytest.approx(value / 2)


def test_a_share_control_never_leaves_zero_to_one():
    sc = load_scenario(SMALL)
    sealed = control_overrides(sc, {"sealed_peak": 1.0})["zoning.sealed"]
    assert max(sealed.values()) == 1.0
    assert all(0.0 <= v <= 1.0 for v in sealed.values())


def test_sliders_start_at_the_scenario_values_on_their_grid():
    sc = load_scenario(SMALL)
    for c in CONTROLS:
        w = c.widget(sc)
        if c.flag:
            assert w["value"] is sc.policy.whitelist.priority
            continue
        assert w["min"] <= w["value"] <= w["max"]
        assert w["value"] == pytest.approx(c.value_in(sc))
        steps = (w["value"] - w["min"]) / w["step"]
        assert steps == pytest.approx(round(steps))  # the slider will not snap it


def test_explorer_model_without_control_changes_is_the_recovery_model():
    explorer = ExplorerModel(scenario_file=str(SMALL), scale=SCALE, seed=3)
    plain = RecoveryModel(load_scenario(SMALL), rng=3)
    assert explorer.changes == {}
    for _ in range(40):
        explorer.step()
        plain.step()
    np.testing.assert_array_equal(explorer.recorder.data, plain.recorder.data)


def test_a_scarce_permit_control_binds_in_the_model():
    kw = {"scenario_file": str(SMALL), "scale": SCALE, "seed": 3}
    base, low = ExplorerModel(**kw), ExplorerModel(**kw, permit_capacity=100)
    for _ in range(61):
        base.step()
        low.step()
    assert low.permits_issued_cum < base.permits_issued_cum / 10
    assert low.capacity_utilization < base.capacity_utilization


def test_every_chart_draws_at_the_start_and_changes_as_days_pass():
    model = ExplorerModel(scenario_file=str(SMALL), scale=SCALE, seed=3)
    charts = [cls(model) for cls in CHARTS]
    start = [c.png() for c in charts]
    for _ in range(40):
        model.step()
    later = [c.png() for c in charts]
    for chart, a, b in zip(charts, start, later, strict=True):
        assert a[:8] == b"\x89PNG\r\n\x1a\n"
        assert a != b, type(chart).__name__
    assert recorded(model, "capacity_utilization", ["all"]).shape == (40, 1)


def test_district_grid_colours_follow_district_utilization():
    model = ExplorerModel(scenario_file=str(SMALL), scale=SCALE, seed=3)
    grid = DistrictGrid(model)
    for _ in range(45):
        model.step()
    grid.update()
    util = recorded(model, "capacity_utilization", [f"district:{d}" for d in grid.names])[-1]
    lo, hi = int(np.argmin(util)), int(np.argmax(util))
    assert util[lo] < util[hi]
    # RdYlGn: the best district is greener (more green than red) than the worst
    red_lo, green_lo = grid.tiles[lo].get_facecolor()[:2]
    red_hi, green_hi = grid.tiles[hi].get_facecolor()[:2]
    assert green_hi - red_hi > green_lo - red_lo
    assert grid.values[hi].get_text() == f"{util[hi]:.0%}"
