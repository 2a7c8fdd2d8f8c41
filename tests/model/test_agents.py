"""The Mesa agent layer: lazily built views over the columns, authorities stepped by Mesa."""

from __future__ import annotations

import numpy as np
import pytest

from sim.agents.authority import PassOffice, PermitOffice, RedYellowDesk
from sim.agents.enterprise import BOUND, Enterprise, Supplier
from sim.agents.logistics import LogisticsLink
from sim.agents.worker import PERMIT_STATES
from sim.model import RecoveryModel


def _run(sc, days: int, seed: int = 7) -> RecoveryModel:
    m = RecoveryModel(sc, rng=seed)
    for _ in range(days):
        m.step()
    return m


def test_views_are_built_only_when_asked_for(small_scenario):
    m = _run(small_scenario, 5)
    n_authorities = 1 + len(m.economy.district_names) + 1
    assert len(m._all_agents) == n_authorities  # a run that never asks builds none
    firms = m.agents_by_type[Enterprise]
    assert len(firms) == m.economy.firms.n
    assert LogisticsLink not in m._views_built  # only the kind asked for
    assert len(m.agents) == n_authorities + m.economy.n_producers + m.economy.links.n
    assert len(m.agents_by_type[Supplier]) == len(m.economy.external_chain)


def test_asking_for_views_mid_run_changes_no_result(small_scenario):
    quiet = _run(small_scenario, 122)
    asked = _run(small_scenario, 30)
    asked.agents.select(lambda a: isinstance(a, Enterprise)).agg("utilization", np.mean)
    while asked.running:
        asked.step()
    np.testing.assert_array_equal(quiet.recorder.data, asked.recorder.data)


def test_views_read_their_row_live(small_scenario):
    m = _run(small_scenario, 20)
    tesla = m.firm("tesla_shanghai")
    before = tesla.utilization
    assert before == m.book.output[tesla.index] / m.book.normal[tesla.index]
    for _ in range(40):
        m.step()
    assert tesla.utilization == m.book.output[tesla.index] / m.book.normal[tesla.index]
    assert tesla.utilization != before
    link = m.agents_by_type[LogisticsLink][3]
    assert link.passes_held == m.freight.passes[3]


def test_agentset_queries_match_the_columns(small_scenario):
    m = _run(small_scenario, 50)
    firms = m.agents_by_type[Enterprise]
    auto = m.economy.chain_names.index("automobile")
    cols = m.book.output / m.book.normal
    mean = firms.select(lambda a: a.chain == "automobile").agg("utilization", np.mean)
    assert mean == pytest.approx(cols[m.economy.firms.chain == auto].mean())
    counts = firms.groupby("binding_constraint").count()
    expected = np.bincount(m.book.bound, minlength=len(BOUND))
    assert counts == {b: int(c) for b, c in zip(BOUND, expected, strict=True) if c}


def test_firm_by_name_and_a_clear_error_for_an_unknown_one(small_scenario):
    m = _run(small_scenario, 1)
    smic = m.firm("smic")
    assert (smic.name, smic.chain, smic.district) == ("smic", "integrated_circuits", "Pudong")
    with pytest.raises(KeyError, match="anchors: tesla_shanghai"):
        m.firm("no_such_firm")


def test_worker_view_reads_the_worker_columns(small_scenario):
    m = _run(small_scenario, 60)
    wf = m.workforce
    valid = wf.test_valid(m.today)
    for i in (0, wf.cols.n // 2, wf.cols.n - 1):
        w = wf.worker(i)
        assert w.employer.index == wf.cols.employer[i]
        assert w.district == m.economy.district_names[wf.cols.home[i]]
        assert w.compound == wf.cols.compound[i]
        assert w.permit == PERMIT_STATES[wf.permit[i]]
        assert w.on_site == wf.on_site[i]
        assert w.test_valid == valid[i]
    with pytest.raises(IndexError):
        wf.worker(wf.cols.n)


def test_authorities_stepped_by_mesa_report_their_daily_work(small_run):
    m = small_run
    order = [type(a) for a in m.authorities]
    assert order == [RedYellowDesk, *[PermitOffice] * len(m.permit_offices), PassOffice]
    offices = m.datacollector.get_agenttype_vars_dataframe(PermitOffice)
    issued_per_day = offices.groupby(level="Step").permits_issued.sum().to_numpy()
    cum = m.datacollector.get_model_vars_dataframe().permits_issued_cum.to_numpy()
    assert issued_per_day.sum() > 0
    np.testing.assert_allclose(issued_per_day, np.diff(cum, prepend=0.0), rtol=1e-9, atol=1e-6)
    desk = m.datacollector.get_agenttype_vars_dataframe(RedYellowDesk)
    assert len(desk) == m.n_days and desk.cases_opened.sum() > 0


def test_mesa_counts_the_days(small_run):
    assert small_run.steps == small_run.n_days and small_run.time == small_run.n_days
    assert not small_run.running
