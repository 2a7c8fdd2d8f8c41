"""The economy built from an input-output table, and the engine running on it."""

import numpy as np
import pytest

from sim.economy_params import DemandParams, ProductionParams
from sim.errors import ScenarioError
from sim.io_economy import build_io_economy
from sim.io_model import IOModel
from sim.io_run import lockdown_losses
from sim.io_scenario import CapacityShockParams, IOEconomyParams, IOScenario, load_io_scenario
from sim.io_table import IOTable, read_io_table, synthetic_table


@pytest.fixture
def table():
    return synthetic_table(np.random.default_rng(5), ["north", "south"], ["farm", "mill", "shop"])


def scenario(**changes):
    base = {"n_days": 80, "economy": IOEconomyParams(io_table="t.csv")}
    return IOScenario(**{**base, **changes})


def test_csv_round_trip_and_firm_outputs_match_the_table(table, tmp_path):
    table.to_csv(tmp_path / "t.csv")
    back = read_io_table(tmp_path / "t.csv")
    assert back.regions == table.regions and back.sectors == table.sectors
    np.testing.assert_allclose(back.z, table.z)
    np.testing.assert_allclose(back.y, table.y)
    econ = build_io_economy(back, firms_per_industry=3, period_days=365)
    assert econ.firms.n == 18
    out = np.bincount(np.repeat(np.arange(6), 3), weights=econ.firms.output)
    np.testing.assert_allclose(out, table.x / 365)
    lk = econ.links
    sold = np.bincount(lk.supplier, weights=lk.flow, minlength=econ.firms.n)
    np.testing.assert_allclose(sold, econ.firms.output)  # every firm sells what it makes


def test_no_shock_is_a_steady_state_for_both_rule_sets(table):
    for prod in (ProductionParams(), IOScenario.model_fields["production"].default):
        m = IOModel(scenario(production=prod), table).run()
        np.testing.assert_allclose(m.output, m.book.normal[None, :].repeat(80, 0), rtol=1e-9)


def test_n_equal_firms_behave_as_one(table):
    shock = CapacityShockParams(
        region="north", sector="mill", loss=0.5, start_day=2, duration_days=20, recovery_days=10
    )
    one = IOModel(scenario(shocks=[shock]), table).run().industry_output()
    eco = IOEconomyParams(io_table="t.csv", firms_per_industry=4)
    four = IOModel(scenario(shocks=[shock], economy=eco), table).run().industry_output()
    np.testing.assert_allclose(one, four, rtol=1e-8)
    assert one.sum() < table.x.sum() / 365 * 80  # the shock costs output


def test_capacity_shock_schedule():
    cap = CapacityShockParams(
        region="r", sector="s", loss=0.5, start_day=2, duration_days=3, recovery_days=4
    ).capacity(12)
    np.testing.assert_allclose(cap, [1, 1, 0.5, 0.5, 0.5, 0.625, 0.75, 0.875, 1, 1, 1, 1])


def test_bad_tables_and_scenarios_give_one_line_naming_the_file(tmp_path, table):
    bad = tmp_path / "bad.csv"
    bad.write_text("from_region,from_sector,to_region,value\na,b,c,1\n")
    with pytest.raises(ScenarioError, match=r"bad.csv: expected columns .*missing \['to_sector'\]"):
        read_io_table(bad)
    bad.write_text("from_region,from_sector,to_region,to_sector,value\na,b,a,b,-3\n")
    with pytest.raises(ScenarioError, match=r"row 2: expected a non-negative number"):
        read_io_table(bad)
    table.to_csv(tmp_path / "t.csv")
    yml = tmp_path / "s.yaml"
    yml.write_text(
        "economy: {io_table: t.csv}\nshocks: [{region: west, sector: mill, loss: 0.5}]\n"
    )
    with pytest.raises(ScenarioError, match=r"s.yaml: shocks.0.region: expected a region"):
        load_io_scenario(yml)
    yml.write_text("economy: {io_table: t.csv, firms_per_industy: 2}\n")
    with pytest.raises(ScenarioError, match=r"economy.firms_per_industy"):
        load_io_scenario(yml)
    yml.write_text(
        "economy: {io_table: t.csv}\nshocks: [{region: north, sector: mill, loss: 0.5}]\n"
    )
    sc, tab = load_io_scenario(yml)
    assert tab.industries == table.industries and sc.shocks[0].loss == 0.5


def test_an_industry_without_inputs_is_rejected():
    z = np.array([[0.0, 1.0], [0.0, 0.0]])
    with pytest.raises(ScenarioError, match=r"\('r', 'a'\) buys no inputs"):
        build_io_economy(IOTable(["r"], ["a", "b"], z, np.array([5.0, 5.0])))


def test_inoue_todo_ordering_indirect_over_direct_rises_with_lockdown_length():
    """Inoue & Todo 2020, Table 1: the longer the lockdown, the larger the indirect loss
    relative to the direct one (stocks outside the city run out)."""
    t = synthetic_table(np.random.default_rng(2), ["city", "r1", "r2"], ["a", "b", "c", "d"])
    eco = IOEconomyParams(
        io_table="-",
        firms_per_industry=4,
        suppliers_per_input=2,
        inventory_days=9,
        stock_per="supplier",
    )
    sc = IOScenario(
        economy=eco, production=ProductionParams(), demand=DemandParams(backlog_share=0.0)
    )
    rows = lockdown_losses(sc, t, "city", 0.8, [5, 15, 40], after=60)
    ratios = [r["ratio"] for r in rows]
    assert ratios[0] < ratios[1] < ratios[2]
    assert ratios[2] > 1.0  # a long lockdown costs more outside than inside


def test_the_example_io_scenario_runs():
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scenarios" / "io" / "two_regions.yaml"
    sc, table = load_io_scenario(path)
    m = IOModel(sc, table).run()
    assert m.economy.firms.n == 18
    assert m.total_loss > m.direct_loss > 0  # the city's shortfall propagates


def test_io_run_command_writes_results_and_rejects_bad_input(tmp_path):
    from pathlib import Path

    from click.testing import CliRunner

    from run import cli

    example = Path(__file__).resolve().parents[2] / "scenarios" / "io" / "two_regions.yaml"
    res = CliRunner().invoke(cli, ["io-run", str(example), "--out", str(tmp_path / "r")])
    assert res.exit_code == 0, res.output
    assert "indirect" in res.output
    assert (tmp_path / "r" / "industry_output.csv").exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text("economy: {io_table: missing.csv}\n")
    res = CliRunner().invoke(cli, ["io-run", str(bad), "--out", str(tmp_path / "b")])
    assert res.exit_code == 2
    assert "missing.csv: economy.io_table: IO table file not found" in res.output
