"""RecoveryModel follows Mesa conventions and runs under mesa.batch_run."""

import mesa
import pandas as pd

from sim.model import RecoveryModel
from tests.conftest import SMALL


def test_batch_run_with_keyword_parameters():
    rows = mesa.batch_run(
        RecoveryModel,
        parameters={"scenario": str(SMALL), "permits__daily_capacity": [1000, 4000]},
        rng=[1],
        max_steps=200,
        number_processes=1,
        display_progress=False,
    )
    df = pd.DataFrame(rows)
    assert sorted(df.permits__daily_capacity.unique()) == [1000, 4000]
    assert df.Step.max() == 122
    final = df.groupby("permits__daily_capacity").permits_issued_cum.max()
    assert final[4000] > final[1000]


def test_datacollector_holds_model_level_measures_only(small_run):
    vars_ = small_run.datacollector.get_model_vars_dataframe()
    assert len(vars_) == small_run.n_days
    assert {"capacity_utilization", "resumption_rate", "staff_on_site"} <= set(vars_.columns)
    assert not small_run.datacollector.agent_reporters


def test_reporters_carry_dates_and_chains(small_run):
    vars_ = small_run.datacollector.get_model_vars_dataframe()
    assert vars_["date"].iloc[0] == "2022-03-01"
    assert vars_["date"].iloc[-1] == "2022-06-30"
    chains = small_run.economy.chain_names
    assert {f"capacity_utilization_{c}" for c in chains} <= set(vars_.columns)
    # the chains' staff add up to the total, and the recorder agrees on each chain's utilization
    staff = vars_[[f"staff_on_site_{c}" for c in chains]].sum(axis=1)
    assert (abs(staff - vars_["staff_on_site"]) < 1e-6 * vars_["staff_on_site"].max()).all()
    tidy = small_run.recorder.tidy(small_run.calendar.dates)
    auto = tidy[(tidy.group == "chain:automobile") & (tidy.metric == "capacity_utilization")]
    assert abs(auto["value"].to_numpy() - vars_["capacity_utilization_automobile"]).max() < 1e-9
