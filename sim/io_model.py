"""The production engine on an input-output economy with exogenous capacity shocks.

The labour, permit, pass and policy layers are switched off: every firm operates, its
capacity is 1 minus its industry's shock, logistics never binds and there are no outside
suppliers. What runs is the same ``EnterpriseBook`` (production, inventories, orders) and
``Freight`` (rationing, shipping, order books) as in the Shanghai model.
"""

from __future__ import annotations

from types import SimpleNamespace

import mesa
import numpy as np

from sim.agents.enterprise import EnterpriseBook
from sim.agents.logistics import Freight
from sim.io_economy import build_io_economy, industry_of_firms
from sim.io_scenario import IOScenario, check_shocks
from sim.io_table import IOTable


class IOModel(mesa.Model):
    """The production engine on an IO economy, one day per step."""

    def __init__(self, sc: IOScenario, table: IOTable, *, rng=None) -> None:
        super().__init__(rng=sc.seed if rng is None else rng)
        check_shocks(sc, table, "scenario")
        e = sc.economy
        self.params = sc
        self.table = table
        self.economy = build_io_economy(
            table,
            firms_per_industry=e.firms_per_industry,
            suppliers_per_input=e.suppliers_per_input,
            period_days=e.period_days,
            inventory_days=e.inventory_days,
            input_threshold=e.input_threshold,
            transit_days=(e.transit_days, e.transit_days),
            pool_regions=e.stock_per == "product",
            rng=self.rng,
        )
        econ = self.economy
        self.industry = industry_of_firms(econ)
        self.n_days = sc.n_days
        engine = SimpleNamespace(  # the engine's view of the scenario: layers switched off
            production=sc.production,
            demand=sc.demand,
            logistics=SimpleNamespace(
                trips_per_truck={"in_city": 1.0, "inter_provincial": 1.0},
                transfer_stations=SimpleNamespace(handover_days=0),
            ),
            external=SimpleNamespace(stock_days=0.0, slack=1.0),  # no outside suppliers
            passes=SimpleNamespace(validity_days=1),  # no pass regime
        )
        self.book = EnterpriseBook(engine, econ)
        self.freight = Freight(engine, econ)
        n_sec = len(econ.chain_names)
        self.calendar = SimpleNamespace(
            pass_regime=np.zeros(sc.n_days, bool),
            drivers=np.ones((2, sc.n_days)),
            region_capacity=np.ones((0, sc.n_days)),
            station_trips=np.zeros(sc.n_days),
            chain_demand=np.ones((n_sec, sc.n_days + 1)),
            operating=np.ones(econ.firms.n, bool),  # every firm works: every link may run
        )
        self.capacity = np.ones((sc.n_days, econ.firms.n))
        for s in sc.shocks:
            k = table.regions.index(s.region) * n_sec + table.sectors.index(s.sector)
            self.capacity[:, self.industry == k] *= s.capacity(sc.n_days)[:, None]
        self.operating = np.ones(econ.firms.n, bool)
        self.output = np.zeros((sc.n_days, econ.firms.n))
        self.day = 0

    def step(self) -> None:
        """One day in the order of ``RecoveryModel.step`` without its policy, authority and
        workforce stages: logistics opens, firms produce, logistics ships, firms order."""
        t, book, fr = self.day, self.book, self.freight
        offer = fr.open_day(t, self.calendar)
        ready = book.produce(self.operating, self.capacity[t].copy(), offer)
        shipment = fr.ship(t, self.calendar, ready, None)
        book.dispatch(shipment)
        new = book.orders(self.operating, fr.in_transit[: book.n_in], fr.outstanding[: book.n_in])
        fr.place_orders(t, self.calendar, new)
        self.output[t] = book.output
        self.day += 1
        self.running = self.day < self.n_days

    def run(self) -> IOModel:
        while self.running:
            self.step()
        return self

    def industry_output(self) -> np.ndarray:
        """Daily output per industry (days x industries, region-major), per day of the
        table's money unit."""
        n = len(self.table.industries)
        out = np.zeros((self.n_days, n))
        for k in range(n):
            out[:, k] = self.output[:, self.industry == k].sum(axis=1)
        return out

    @property
    def direct_loss(self) -> float:
        """Output the shocks themselves remove: normal output x capacity lost, summed."""
        return float(((1.0 - self.capacity) * self.book.normal[None, :]).sum())

    @property
    def total_loss(self) -> float:
        return float((self.book.normal[None, :] - self.output).sum())
