"""The recorder on its own: group membership, sums over groups, and ratios formed at the end
agree with the model's own measures."""

import numpy as np
import pandas as pd
import pytest

from sim.recorder import METRICS, build_groups


@pytest.fixture(scope="module")
def tidy(small_run):
    return small_run.recorder.tidy(small_run.calendar.dates)


def wide(tidy: pd.DataFrame, metric: str) -> pd.DataFrame:
    return tidy[tidy.metric == metric].pivot(index="date", columns="group", values="value")


def test_groups_partition_the_firms_by_chain_and_by_batch(small_run):
    econ = small_run.economy
    names, matrix = build_groups(econ, len(small_run.params.policy.whitelist.batches))
    rows = {name: matrix[i].toarray().ravel().astype(bool) for i, name in enumerate(names)}
    assert rows["all"].all()
    chains = sum(rows[f"chain:{c}"].astype(int) for c in econ.chain_names)
    assert (chains == 1).all()
    batches = [g for g in names if g.startswith("batch:") and g[6:].isdigit()]
    assert (sum(rows[g].astype(int) for g in batches) + rows["batch:none"] == 1).all()
    assert np.array_equal(rows["whitelist"], ~rows["batch:none"])
    assert all(rows[g].sum() == 1 for g in names if g.startswith("firm:"))


def test_every_metric_is_recorded_for_every_day(small_run, tidy):
    assert set(METRICS) <= set(tidy.metric)
    per_metric = tidy.groupby("metric")["date"].nunique()
    assert (per_metric == small_run.n_days).all()
    assert np.isfinite(tidy.value).all()


def test_chain_outputs_add_up_to_all_firms(small_run, tidy):
    output = wide(tidy, "output")
    chains = [f"chain:{c}" for c in small_run.economy.chain_names]
    np.testing.assert_allclose(output[chains].sum(axis=1), output["all"], rtol=1e-9)


def test_binding_shares_sum_to_one_in_every_group(tidy):
    shares = tidy[tidy.metric.str.startswith("share_bound_")]
    total = shares.groupby(["date", "group"])["value"].sum()
    np.testing.assert_allclose(total, 1.0, rtol=1e-9)


def test_last_day_agrees_with_the_model_measures(small_run, tidy):
    last = tidy[tidy.date == tidy.date.max()].set_index(["group", "metric"])["value"]
    assert last[("all", "capacity_utilization")] == pytest.approx(small_run.capacity_utilization)
    assert last[("all", "resumption_rate")] == pytest.approx(small_run.resumption_rate)
    assert last[("all", "staff_on_site")] == pytest.approx(small_run.staff_on_site)
    assert last[("all", "permits_issued_cum")] == pytest.approx(small_run.permits_issued_cum)
    assert last[("all", "passes_issued")] == pytest.approx(small_run.passes_issued)
    pending = last[("all", "permits_applied_cum")] - last[("all", "permits_issued_cum")]
    assert last[("all", "permits_pending")] == pytest.approx(pending)
