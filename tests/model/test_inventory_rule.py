"""BoARIO's inventory rule (psi) beside the Leontief rule, and BoARIO's reorder books."""

import numpy as np
import pytest

from sim.economy_params import DemandParams, ProductionParams
from sim.io_model import IOModel
from sim.io_scenario import ARIO_PRODUCTION, CapacityShockParams, IOEconomyParams, IOScenario
from sim.io_table import IOTable

# two sectors in one region: each buys from the other and from itself
TABLE = IOTable(["r"], ["a", "b"], np.array([[20.0, 30.0], [25.0, 10.0]]), np.array([50.0, 65.0]))


def model(prod: ProductionParams, shocks=(), days=40, inventory=20.0) -> IOModel:
    eco = IOEconomyParams(io_table="-", inventory_days=inventory, period_days=1.0)
    sc = IOScenario(
        n_days=days,
        economy=eco,
        production=prod,
        shocks=list(shocks),
        demand=DemandParams(backlog_share=0.0),
    )
    return IOModel(sc, TABLE)


@pytest.mark.parametrize("rule", ["leontief", "ario"])
def test_an_input_at_half_its_target_binds_only_under_the_ario_rule(rule):
    m = model(ProductionParams(inventory_rule=rule, psi=0.8))
    book = m.book
    link = 0  # firm a's first input
    book.stock[link] = 0.5 * book.use_normal[link] * 20.0
    m.step()
    a = book.output[0] / book.normal[0]
    if rule == "leontief":  # 10 days of cover left: far from binding (below 1 day)
        assert a == pytest.approx(1.0)
    else:  # BoARIO: S / (psi S_target) = 0.5 / 0.8
        assert a == pytest.approx(0.5 / 0.8)
        assert book.cover[0] == pytest.approx(10.0)  # days of cover stay days


def test_reorder_replaces_unfilled_orders_and_keep_accumulates_them():
    shock = [CapacityShockParams(region="r", sector="a", loss=1.0, start_day=0, duration_days=10)]
    keep = model(ProductionParams(), shock)
    reorder = model(ProductionParams(unmet_orders="reorder"), shock)
    for m in (keep, reorder):
        for _ in range(5):
            m.step()
    links_from_a = keep.freight.links.supplier[: keep.book.n_in] == 0
    book_keep = keep.freight.outstanding[: keep.book.n_in][links_from_a].sum()
    book_re = reorder.freight.outstanding[: reorder.book.n_in][links_from_a].sum()
    daily = keep.freight.links.flow[: keep.book.n_in][links_from_a].sum()
    assert book_keep > 3 * daily  # days of unmet orders pile up on the books
    assert book_re < daily  # only today's order: use plus the gap / tau


def test_tau_and_inventory_targets_change_the_loss_under_the_ario_rules():
    shock = [
        CapacityShockParams(
            region="r", sector="a", loss=0.5, start_day=1, duration_days=25, recovery_days=10
        )
    ]

    def loss(tau: float, inventory: float) -> float:
        prod = ARIO_PRODUCTION.model_copy(update={"tau": tau})
        return model(prod, shock, days=120, inventory=inventory).run().total_loss

    base = loss(6.0, 20.0)
    assert loss(60.0, 20.0) > 1.5 * base  # slow restocking: stocks stay below psi longer
    assert loss(6.0, 5.0) > 5 * base  # small stocks run out during the shock
    assert loss(6.0, 80.0) < base  # large stocks carry the customers through
