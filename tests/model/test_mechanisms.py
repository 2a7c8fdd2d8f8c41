"""One test per mechanism, on the small scenario."""

import numpy as np
import pytest

from sim.agents.worker import APPLIED, ISSUED, NO_PERMIT
from sim.economy import MARKET
from sim.model import RecoveryModel
from sim.scenario_files import with_overrides


@pytest.fixture()
def model(small_scenario):
    return RecoveryModel(small_scenario, rng=3)


def test_permit_offices_never_exceed_capacity_and_respect_the_delay(small_scenario):
    """Each office issues at most its capacity over any run of days; on a single day it may
    go over by less than one simulated worker (capacity below one worker's weight carries)."""
    sc = with_overrides(
        small_scenario, {"permits.processing_delay_days": 3, "permits.daily_capacity": 2000}
    )
    m = RecoveryModel(sc, rng=1)
    w_max = m.economy.workers.weight.max()
    offices = m.permit_offices
    issued = np.zeros(len(offices))
    allowed = np.zeros(len(offices))
    while m.running:
        m.step()
        today = np.array([o.issued_today for o in offices])
        capacity = m.calendar.permit_capacity[m.today] * np.array([o.share for o in offices])
        assert np.all(today <= capacity + w_max + 1e-6)
        issued += today
        allowed += capacity
        assert np.all(issued <= allowed + 1e-6)
    wf = m.workforce
    done = wf.permit == ISSUED
    assert done.sum() > 0
    assert np.all(wf.issued_day[done] - wf.applied_day[done] >= 3)


def test_worker_on_site_only_with_every_gate_open(model):
    wf, cal = model.workforce, model.calendar
    checked = 0
    while model.running:
        model.step()
        t = model.today
        on = wf.on_site
        employer = model.economy.workers.employer
        assert np.all(cal.operating[employer[on]])
        assert np.all(wf.isolated_until[on] <= t)
        regime = cal.regime[employer]
        commuting = on & regime & ~wf.in_loop
        assert np.all(wf.permit[commuting] == ISSUED)
        assert np.all(wf.test_valid(t)[commuting])
        assert np.all(cal.compound_free[model.economy.workers.compound[commuting]])
        outside = on & ~regime
        assert np.all(cal.compound_free[model.economy.workers.compound[outside]])
        checked += int(commuting.sum())
    assert checked > 0, "no commuter was ever on site under the regime"


def test_critical_inputs_bind_fully_non_critical_not_at_all(model):
    book = model.book
    firm = int(np.flatnonzero(np.bincount(book.cust[book.crit == 0], minlength=book.n))[0])
    links = np.flatnonzero(book.cust == firm)
    capacity = np.ones(book.n)
    crit = links[book.crit[links] == 0]
    others = links[book.crit[links] == 2]
    book.stock[links] = book.use_normal[links] * 10
    book.stock[crit] = book.use_normal[crit] * 0.3
    book.stock[others] = 0.0
    assert book.input_factor(capacity)[firm] == pytest.approx(0.3)
    important = links[book.crit[links] == 1]
    if len(important):
        book.stock[links] = book.use_normal[links] * 10
        book.stock[important] = 0.0
        w = book.w_imp
        assert book.input_factor(capacity)[firm] == pytest.approx(1 - w)


def test_rationing_conserves_goods_and_is_proportional(model):
    fr = model.freight
    rng = np.random.default_rng(0)
    fr.outstanding = rng.random(len(fr.outstanding)) * fr.links.flow * 2
    want = np.bincount(fr.links.supplier, weights=fr.outstanding, minlength=fr.n_prod)
    available = want * rng.uniform(0.2, 1.5, fr.n_prod)
    for priority in (None, fr.links.customer % 2 == 0):
        alloc = fr._ration(available, priority)
        got = np.bincount(fr.links.supplier, weights=alloc, minlength=fr.n_prod)
        assert np.all(got <= available + 1e-6)
        assert np.allclose(got, np.minimum(available, want))
        assert np.all(alloc <= fr.outstanding + 1e-9)
    alloc = fr._ration(available, None)
    share = np.divide(alloc, fr.outstanding, out=np.ones_like(alloc), where=fr.outstanding > 0)
    s = fr.links.supplier
    expected = np.minimum(1.0, available / np.maximum(want, 1e-12))[s]
    assert np.allclose(share[fr.outstanding > 0], expected[fr.outstanding > 0])


def test_transit_delays_shipments_by_the_transit_time(model):
    fr, cal = model.freight, model.calendar
    lk = fr.links
    link = int(np.flatnonzero((lk.customer != MARKET) & (lk.transit == 2))[0])
    fr.pipeline[:] = 0.0
    fr.in_transit[:] = 0.0
    fr.outstanding[:] = 0.0
    fr.outstanding[link] = 5.0
    fr.capacity = np.full(lk.n, 1e9)
    fg = np.full(model.economy.firms.n, 1e9)
    fr.external_supply[:] = 1e9
    arrivals = []
    for t in range(4):
        fr.ship(t, cal, fg, None)
        arrivals.append(fr.arrived[link])
    assert arrivals == [0.0, 0.0, 5.0, 0.0]


def test_overproduction_never_exceeds_alpha_max(model):
    alpha_max = model.params.production.alpha_max
    peak = 0.0
    while model.running:
        model.step()
        peak = max(peak, float(np.max(model.book.output / model.book.normal)))
    assert 1.0 < peak <= alpha_max + 1e-9


def test_invariants_hold_every_day(model):
    wf, fr = model.workforce, model.freight
    sizes = np.diff(model.economy.workers.starts)
    while model.running:
        model.step()
        assert np.all(model.book.stock >= -1e-9)
        assert np.all(model.book.fg >= -1e-9)
        assert np.all(fr.in_transit >= -1e-6)
        assert np.all(wf.present <= sizes)
        assert np.all(wf.issued_count <= wf.applied_count)
        assert np.all(fr.trucks_used <= np.maximum(fr.passes, model.economy.links.fleet) + 1e-9)
        if model.calendar.pass_regime[model.today]:
            assert np.all(fr.trucks_used <= fr.passes + 1e-9)
        assert np.all(fr.passes <= model.economy.links.fleet)
    assert set(np.unique(wf.permit)) <= {NO_PERMIT, APPLIED, ISSUED}


def test_doubling_permit_capacity_never_slows_recovery(small_scenario):
    from sim.kpis import summarize
    from sim.replicates import run_replicate

    doubled = with_overrides(
        small_scenario,
        {
            "permits.daily_capacity": {
                k: 2 * v for k, v in small_scenario.permits.daily_capacity.items()
            }
        },
    )
    for seed in (1, 2, 3):
        base = run_replicate(small_scenario, 0, seed).timeseries.assign(scenario="b")
        fast = run_replicate(doubled, 0, seed).timeseries.assign(scenario="f")
        kb = summarize(base, small_scenario.lockdown_start).set_index("group")
        kf = summarize(fast, small_scenario.lockdown_start).set_index("group")
        for group in ("all", "batch:1", "whitelist"):
            assert kf.loc[group, "days_to_50pct"] <= kb.loc[group, "days_to_50pct"], (seed, group)
            # 80% is crossed near the reopening, where the slower run's larger backlog can lift
            # it a day earlier; cumulative output must still never be lower on any date
            assert kf.loc[group, "days_to_80pct"] <= kb.loc[group, "days_to_80pct"] + 1, (
                seed,
                group,
            )
            assert kf.loc[group, "output_lost"] <= kb.loc[group, "output_lost"] * 1.001
        out_b = base[(base.metric == "output") & (base.group == "all")].value.cumsum()
        out_f = fast[(fast.metric == "output") & (fast.group == "all")].value.cumsum()
        assert np.all(out_f.to_numpy() >= out_b.to_numpy() * (1 - 1e-6)), seed


def test_a_retest_keeps_the_previous_result_valid_until_the_new_one_returns(model):
    wf = model.workforce
    wf.last_test[:] = 9
    wf.prev_test[:] = 7
    # day 10: the day-9 sample is back (turnaround 1) and valid; day 11 still valid
    assert wf.test_valid(10).all() and wf.test_valid(11).all()
    wf.prev_test[:] = 9
    wf.last_test[:] = 11  # sampled again on day 11: the day-9 result still counts that day
    assert wf.test_valid(11).all()
    assert not wf.test_valid(14).any()


def test_zero_processing_delay_issues_permits_the_day_firms_apply(small_scenario):
    sc = with_overrides(small_scenario, {"permits.processing_delay_days": 0})
    m = RecoveryModel(sc, rng=2).run()
    wf = m.workforce
    done = wf.permit == ISSUED
    assert np.any(wf.issued_day[done] == wf.applied_day[done])


def test_closed_firms_do_not_build_up_overtime(model):
    while model.steps < 60:
        model.step()
    closed = ~model.calendar.operating
    assert closed.any()
    assert np.allclose(model.book.alpha[closed], 1.0, atol=0.05)


def _tesla(m) -> int:
    return m.economy.firms.names.index("tesla_shanghai")


def test_centralized_return_fills_beds_without_permits_and_never_above_beds(small_scenario):
    """Tesla's dated transfer brings staff into its closed loop on 16-19 April with no
    permit; without it the plant's loop stays emptier. Beds cap every firm's loop."""

    def run(transfers):
        sc = with_overrides(
            small_scenario, {"centralized_return": transfers, "end_date": "2022-04-20"}
        )
        m = RecoveryModel(sc, rng=5)
        while m.running:
            m.step()
            assert np.all(m.workforce.loop_count <= m.economy.firms.beds)
        return m

    default = small_scenario.model_dump(mode="json")["centralized_return"]
    with_all, without = run(default), run([])
    i = _tesla(with_all)
    wf = with_all.workforce
    assert wf.transferred_count[i] > 0
    moved = wf.in_loop & (wf.cols.employer == i) & (wf.permit != ISSUED)
    assert moved.any()  # in the loop without a permit
    assert with_all.workforce.loop_count[i] > without.workforce.loop_count[i]
    assert without.workforce.transferred_count.sum() == 0


def test_staff_kept_home_are_counted_once_by_their_first_closed_gate(model):
    """Every simulated worker is on site or under exactly one gate, every day."""
    while model.running:
        model.step()
        wf = model.workforce
        assert np.array_equal(wf.kept_home.sum(axis=1) + wf.present, wf.sizes)
        lab = model.book.bound
        assert not np.any((lab == 1) & (wf.present < wf.sizes))  # capacity: all on site


def test_staff_who_left_the_city_return_at_the_rate(small_scenario):
    """At reopening a share of the staff kept home are away; they come back at ~1/30 a day."""
    sc = with_overrides(
        small_scenario, {"labour.left_city_share": 0.5, "labour.return_rate": 1 / 30}
    )
    m = RecoveryModel(sc, rng=2)
    away = []
    while m.running:
        m.step()
        away.append(int(m.workforce.away.sum()))
    reopen = int(np.flatnonzero(m.calendar.dates == np.datetime64("2022-06-01"))[0])
    assert away[reopen - 1] >= 0 and away[reopen] > 0
    ratio = away[reopen + 20] / away[reopen]
    assert 0.4 < ratio < 0.7  # (29/30)^20 = 0.51
