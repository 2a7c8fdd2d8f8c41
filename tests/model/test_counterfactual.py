"""The shared no-lockdown counterfactual: its key holds everything the run depends on.

``sim.counterfactual`` reuses one counterfactual for every scenario that differs only in the
sections listed in ``INERT``. Each test below varies one of them to an extreme and checks
that the no-lockdown output is still identical, run from scratch; and that changing
something the run does depend on (the economy, the seed) gives another key.
"""

from __future__ import annotations

import pandas as pd
import pytest

from sim import counterfactual
from sim.model import RecoveryModel
from sim.replicates import run_replicate
from sim.scenario_files import with_overrides

INERT_CHANGES = {
    "permits": {"permits.daily_capacity": 1.0, "permits.processing_delay_days": 9},
    "passes.daily_quota": {"passes.daily_quota.in_city": 1.0},
    "red_yellow": {"red_yellow.daily_cases": 0},
    "centralized_return": {"centralized_return": []},
    "policy.whitelist.priority": {"policy.whitelist.priority": False},
    "calibration": {"calibration.parameters": {}},
    "description": {"description": "another"},
}


def no_lockdown_output(sc, seed: int = 3) -> pd.DataFrame:
    model = RecoveryModel(sc, rng=seed, counterfactual=True, outputs_only=True).run()
    tidy = model.recorder.tidy(model.calendar.dates)
    return tidy[tidy.metric == "output"].reset_index(drop=True)


def test_every_inert_section_has_a_check():
    assert set(INERT_CHANGES) == set(counterfactual.INERT)


@pytest.mark.parametrize("section", sorted(INERT_CHANGES))
def test_an_inert_section_leaves_the_counterfactual_unchanged(small_scenario, section):
    changed = with_overrides(small_scenario, INERT_CHANGES[section])
    assert changed != small_scenario
    assert counterfactual.counterfactual_key(changed, 3) == counterfactual.counterfactual_key(
        small_scenario, 3
    )
    pd.testing.assert_frame_equal(no_lockdown_output(changed), no_lockdown_output(small_scenario))


def test_the_economy_and_the_seed_are_in_the_key(small_scenario):
    key = counterfactual.counterfactual_key(small_scenario, 3)
    assert counterfactual.counterfactual_key(small_scenario, 4) != key
    more = with_overrides(small_scenario, {"economy.continuing_beds": 0.9})
    assert counterfactual.counterfactual_key(more, 3) != key


def test_a_replicate_reuses_the_counterfactual_and_its_results_do_not_change(small_scenario):
    counterfactual.clear()
    first = run_replicate(small_scenario, 0, 3)
    other = with_overrides(small_scenario, {"permits.daily_capacity": 50.0})
    run_replicate(other, 0, 3)
    assert (counterfactual.stats.runs, counterfactual.stats.reused) == (1, 1)
    counterfactual.clear()
    again = run_replicate(small_scenario, 0, 3)  # from scratch
    pd.testing.assert_frame_equal(first.timeseries, again.timeseries)
    assert first.seconds["counterfactual"] > 0
