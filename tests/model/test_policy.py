"""The policy calendar on its own: lockdown regime, white-list approvals, desk approvals,
pass days, zoning shares, and the dated events marked on charts."""

from datetime import date

import numpy as np
import pytest

from sim.economy_build import build_economy
from sim.policy import CONTROLLED, SEALED, PolicyCalendar, policy_events
from sim.scenario_files import with_overrides


def make_calendar(sc, seed: int = 5):
    rng = np.random.default_rng(seed)
    econ = build_economy(sc, rng)
    return econ, PolicyCalendar(sc, econ, rng)


def day(cal: PolicyCalendar, when) -> int:
    return int(np.flatnonzero(cal.dates == np.datetime64(when, "D"))[0])


def test_each_district_is_under_the_regime_from_its_lockdown_until_reopening(small_scenario):
    econ, cal = make_calendar(small_scenario)
    city = small_scenario.policy.reopening
    own = [n for n, d in small_scenario.districts.items() if d.reopening]
    assert own  # the default has districts that reopen on their own dates (Jinshan, Fengxian)
    for d, name in enumerate(econ.district_names):
        reopen = day(cal, small_scenario.districts[name].reopening or city)
        lock = day(cal, small_scenario.districts[name].lockdown)
        on = np.flatnonzero(cal.district_regime[d])
        assert on[0] == lock and on[-1] == reopen - 1 and len(on) == reopen - lock, name


def test_white_listed_firms_operate_from_their_batch_date_and_others_wait(small_scenario):
    sc = with_overrides(small_scenario, {"policy.whitelist.district_approval_rate": 0.0})
    _, cal = make_calendar(sc)
    first = day(cal, sc.policy.whitelist.batches[0].approved)
    batch1 = cal.batch == 1
    waiting = (cal.batch == 0) & ~cal.continuing
    for t in range(first + 1):
        cal.advance(t)
        if t == first - 1:
            assert not cal.listed_batch[batch1].any()
            assert not cal.operating[batch1 & ~cal.continuing].any()
    assert cal.listed_batch[batch1].all() and cal.operating[batch1].all()
    assert not cal.operating[waiting & cal.regime].any()
    assert cal.regime_started.sum() == 0  # the regime started weeks before, not today


def test_a_firm_unblocked_by_the_desk_may_operate_from_the_next_day(small_scenario):
    sc = with_overrides(small_scenario, {"policy.whitelist.district_approval_rate": 0.0})
    _, cal = make_calendar(sc)
    t = day(cal, date(2022, 4, 10))
    for i in range(t + 1):
        cal.advance(i)
    firm = int(np.flatnonzero((cal.batch == 0) & ~cal.continuing & cal.regime)[0])
    assert not cal.operating[firm]
    cal.unblock(np.array([firm]))
    cal.advance(t + 1)
    assert cal.listed[firm] and cal.operating[firm]


def test_passes_are_needed_from_the_first_lockdown_to_the_last_required_day(small_scenario):
    _, cal = make_calendar(small_scenario)
    need = np.flatnonzero(cal.pass_regime)
    assert cal.dates[need[0]] == np.datetime64(small_scenario.lockdown_start, "D")
    assert cal.dates[need[-1]] == np.datetime64(small_scenario.passes.required_until, "D")
    assert len(need) == need[-1] - need[0] + 1


@pytest.mark.parametrize(("sealed", "controlled"), [(0.6, 0.2), (0.1, 0.0)])
def test_zoning_shares_follow_the_schedules(small_scenario, sealed, controlled):
    sc = with_overrides(
        small_scenario,
        {"zoning.sealed": sealed, "zoning.controlled": controlled, "zoning.districts": {}},
    )
    _, cal = make_calendar(sc)
    cal.advance(0)
    status = cal.compound_status
    assert abs(np.mean(status == SEALED) - sealed) < 0.03
    assert abs(np.mean(status == CONTROLLED) - controlled) < 0.03
    assert np.array_equal(cal.compound_free, status > CONTROLLED)


def test_a_district_schedule_replaces_the_citywide_one_for_its_compounds(small_scenario):
    """Pudong sealed from its own lockdown (28 March) while Puxi is not yet."""
    econ, cal = make_calendar(small_scenario)
    t = day(cal, "2022-03-29")
    for s in range(t + 1):
        cal.advance(s)
    pudong = econ.compound_district == econ.district_names.index("Pudong")
    sealed = cal.compound_status == SEALED
    assert sealed[pudong].mean() > 0.85
    assert sealed[~pudong].mean() < 0.1


def test_policy_events_are_dated_sorted_and_within_the_run(small_scenario):
    events = policy_events(small_scenario)
    dates = [d for d, _ in events]
    labels = dict((label, d) for d, label in events)
    assert dates == sorted(dates)
    assert all(small_scenario.start_date <= d <= small_scenario.end_date for d in dates)
    assert labels["reopening"] == small_scenario.policy.reopening
    assert labels["white list 1"] == small_scenario.policy.whitelist.batches[0].approved
    assert labels["citywide lockdown"] == max(
        d.lockdown for d in small_scenario.districts.values() if d.lockdown
    )
    short = with_overrides(small_scenario, {"end_date": "2022-03-30"})
    assert [label for _, label in policy_events(short)] == ["lockdown Pudong"]
