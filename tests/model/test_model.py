"""Whole-model behaviour on the small scenario."""

import numpy as np

from sim.model import RecoveryModel


def test_same_seed_gives_identical_results(small_scenario):
    a = RecoveryModel(small_scenario, rng=11).run().recorder.data
    b = RecoveryModel(small_scenario, rng=11).run().recorder.data
    assert np.array_equal(a, b)


def test_no_lockdown_stays_within_two_percent_of_normal(small_scenario):
    m = RecoveryModel(small_scenario, rng=5, counterfactual=True).run()
    ts = m.recorder.tidy(m.calendar.dates)
    util = ts[(ts.group == "all") & (ts.metric == "capacity_utilization")].value
    assert np.all(np.abs(util - 1.0) < 0.02)


def test_lockdown_cuts_output_and_reopening_restores_it(small_run):
    ts = small_run.recorder.tidy(small_run.calendar.dates)
    util = ts[(ts.group == "all") & (ts.metric == "capacity_utilization")].set_index("date").value
    assert util.loc["2022-04-10"] < 0.5
    assert util.loc["2022-06-30"] > 0.8
