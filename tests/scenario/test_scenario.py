"""Scenario files: loading, inheritance, overrides and clear errors."""

import pytest

from sim.errors import ScenarioError
from sim.keys import parse_override
from sim.scenario_files import load_scenario
from tests.conftest import ROOT

SCEN = ROOT / "scenarios"


@pytest.mark.parametrize("name", sorted(p.name for p in SCEN.glob("*.yaml")))
def test_every_shipped_scenario_validates(name):
    sc = load_scenario(SCEN / name)
    assert sc.n_days == 122
    assert sc.economy.firms >= 9000


def test_variants_inherit_and_change_only_their_keys():
    base = load_scenario(SCEN / "shanghai_2022.yaml")
    fast = load_scenario(SCEN / "permits_fast.yaml")
    assert fast.permits != base.permits
    assert fast.passes == base.passes and fast.chains == base.chains


def test_analyst_keys_exist_with_their_names():
    sc = load_scenario(
        SCEN / "shanghai_2022.yaml",
        [
            "permits.daily_capacity=4000",
            "permits.processing_delay_days=2",
            "passes.daily_quota.in_city=900",
            "passes.daily_quota.inter_provincial=300",
            "scale=50",
            "seed=3",
            "start_date=2022-03-02",
            "end_date=2022-06-29",
        ],
    )
    assert sc.permits.daily_capacity == 4000.0
    assert sc.passes.daily_quota.in_city == 900.0
    assert sc.scale == 50 and sc.seed == 3


def write(tmp_path, text, name="s.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_unknown_key_is_named_with_a_suggestion(tmp_path):
    path = write(tmp_path, f"base: {SCEN / 'shanghai_2022.yaml'}\npermits:\n  daily_capacty: 5\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert "permits.daily_capacty" in str(err.value)
    assert "did you mean 'daily_capacity'" in str(err.value)
    assert str(path) in str(err.value)


def test_end_before_start_is_rejected(tmp_path):
    with pytest.raises(ScenarioError, match="end_date"):
        load_scenario(SCEN / "shanghai_2022.yaml", ["end_date=2022-02-01"])


def test_unsorted_schedule_is_rejected():
    with pytest.raises(ScenarioError, match="increasing order"):
        load_scenario(
            SCEN / "shanghai_2022.yaml",
            ["permits.daily_capacity={2022-05-01: 10, 2022-04-01: 20}"],
        )


def test_malformed_override():
    with pytest.raises(ScenarioError, match="key.path=value"):
        parse_override("permits.daily_capacity")


def test_permits_fast_is_twice_the_default_with_no_delay():
    base = load_scenario(SCEN / "shanghai_2022.yaml").permits
    fast = load_scenario(SCEN / "permits_fast.yaml").permits
    assert list(fast.daily_capacity) == list(base.daily_capacity)
    for day, value in base.daily_capacity.items():
        assert fast.daily_capacity[day] == 2 * value
    assert fast.processing_delay_days == 0


def test_passes_scarce_is_a_quarter_of_the_default():
    base = load_scenario(SCEN / "shanghai_2022.yaml").passes.daily_quota
    scarce = load_scenario(SCEN / "passes_scarce.yaml").passes.daily_quota
    for route in ("in_city", "inter_provincial"):
        b, s = getattr(base, route), getattr(scarce, route)
        assert list(s) == list(b)
        assert all(s[d] == b[d] / 4 for d in b)
