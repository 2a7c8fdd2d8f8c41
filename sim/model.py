"""RecoveryModel: the daily stages of workforce return and production recovery.

A day, top to bottom in ``step``: policy (calendar) -> authorities (desk, permit offices,
pass office) -> workforce -> logistics opens (passes in, today's capacity and orders) ->
production -> logistics ships -> orders -> record. Each component writes only its own
columns; the model passes each stage's result to the next.
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from sim.agents.authority import (
    PassOffice,
    PermitOffice,
    PermitQueue,
    RedYellowDesk,
    queue_rank,
)
from sim.agents.enterprise import Enterprise, EnterpriseBook, Supplier
from sim.agents.logistics import Freight, LogisticsLink
from sim.agents.worker import Workforce
from sim.centralized import CentralizedReturn
from sim.economy import build_economy
from sim.policy import PolicyCalendar
from sim.recorder import Recorder
from sim.scenario import Scenario
from sim.scenario_files import load_scenario, no_lockdown, with_overrides

DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "shanghai_2022.yaml"
STAGES = ("policy", "authorities", "workforce", "production", "logistics", "orders", "recording")


def centralized_return(sc: Scenario, econ, dates: np.ndarray) -> CentralizedReturn:
    """The scenario's organized transfers into the closed loop, for this economy."""
    f = econ.firms
    return CentralizedReturn(
        sc, f.names, f.district, econ.district_names, dates, econ.workers.weight
    )


class RecoveryModel(mesa.Model):
    """Agent-based model of a locked-down city's return to work, one day per step.

    Keyword parameters other than the named ones are scenario overrides, with ``__``
    standing for a dot (``permits__daily_capacity=4000``), so ``mesa.batch_run`` can
    sweep any scenario key. ``views=False`` skips the per-firm and per-link agent objects
    (thin views the daily stages never read), for baseline runs where only totals matter.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path = DEFAULT_SCENARIO,
        *,
        rng: Any = None,
        counterfactual: bool = False,
        views: bool = True,
        overrides: dict[str, Any] | None = None,
        **params: Any,
    ) -> None:
        """Build the economy, the policy calendar, the agents and the recorder of a scenario.

        Args:
            scenario: a `Scenario`, or the path of a scenario file (default: the calibrated
                Shanghai 2022 scenario).
            rng: seed of the model's generator (Mesa convention; default: the scenario's
                `seed`). Every random draw of the run comes from it.
            counterfactual: run the same economy with no lockdown (the baseline that
                `output_index` divides by).
            views: create the per-firm, per-supplier and per-link Mesa agents (thin views of
                the numpy columns); False for faster runs that need only the recorded totals.
            overrides: scenario keys to change, `{"permits.daily_capacity": 4000}`.
            **params: the same as keywords, with `__` for the dots
                (`permits__daily_capacity=4000`), so `mesa.batch_run` can vary any key.

        The DataCollector records model-level measures each day, with the date and each
        chain's capacity utilization and staff on site (`capacity_utilization_automobile`,
        ...), so `mesa.batch_run` returns per-chain results; all groups and metrics are in
        `recorder.tidy(calendar.dates)`.
        """
        sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        changes = {**(overrides or {}), **{k.replace("__", "."): v for k, v in params.items()}}
        if changes:
            sc = with_overrides(sc, changes)
        if counterfactual:
            sc = no_lockdown(sc)
        super().__init__(rng=sc.seed if rng is None else rng)
        self.params = sc
        self.counterfactual = counterfactual
        self.day = 0
        self.n_days = sc.n_days
        self.stage_seconds = dict.fromkeys(STAGES, 0.0)
        start = time.perf_counter()
        self.economy = build_economy(sc, self.rng)
        self.calendar = PolicyCalendar(sc, self.economy, self.rng)
        f = self.economy.firms
        self.workforce = Workforce(
            sc, self.economy.workers, f.beds, f.seats, f.min_crew, self.rng,
            centralized_return(sc, self.economy, self.calendar.dates),
        )
        self.book = EnterpriseBook(sc, self.economy)
        self.freight = Freight(sc, self.economy)
        self._create_agents(views)
        self.firm_rank = queue_rank(self)
        self.permit_queue = PermitQueue(len(self.economy.district_names))
        self.recorder = Recorder(self, outputs_only=not views)
        reporters: dict[str, Any] = {
            "date": lambda m: str(m.date),
            "capacity_utilization": "capacity_utilization",
            "resumption_rate": "resumption_rate",
            "staff_on_site": "staff_on_site",
            "permits_issued_cum": "permits_issued_cum",
            "passes_issued": "passes_issued",
            "truck_trips_index": "truck_trips_index",
        }
        for i, chain in enumerate(self.economy.chain_names):
            reporters[f"capacity_utilization_{chain}"] = partial(_chain_utilization, chain=i)
            reporters[f"staff_on_site_{chain}"] = partial(_chain_staff, chain=i)
        self.datacollector = mesa.DataCollector(model_reporters=reporters)
        self.setup_seconds = time.perf_counter() - start

    def _create_agents(self, views: bool) -> None:
        econ = self.economy
        if views:
            Enterprise.create_agents(self, econ.firms.n, index=list(range(econ.firms.n)))
            Supplier.create_agents(
                self, len(econ.external_chain), index=list(range(econ.firms.n, econ.n_producers))
            )
            LogisticsLink.create_agents(self, econ.links.n, index=list(range(econ.links.n)))
        self.desk = RedYellowDesk(self)
        n_d = len(econ.district_names)
        # offices are staffed in proportion to the workers employed in their district
        staff = np.bincount(econ.firms.district, weights=econ.firms.staff, minlength=n_d)
        share = staff / staff.sum()
        self.permit_offices = [PermitOffice(self, d, float(share[d])) for d in range(n_d)]
        self.pass_office = PassOffice(self)

    # ------------------------------------------------------------------ the day
    def step(self) -> None:
        """One day. Each stage is a call on the component that owns the state it changes,
        and hands the next stage what it needs."""
        t, cal = self.day, self.calendar
        self._timed("policy", cal.advance, t)
        passes = self._timed("authorities", self._authorities)
        hazard, access = cal.infection_hazard[t], cal.test_access[t]
        self._timed("workforce", self.workforce.step, t, cal, hazard, access)
        offer = self._timed("logistics", self._open_logistics, passes)
        present = self.workforce.present
        kept = self.workforce.kept_home
        ready = self._timed("production", self.book.produce, cal.operating, present, offer, kept)
        shipment = self._timed(
            "logistics", self.freight.ship, t, cal, ready, self._ration_priority()
        )
        self._timed("orders", self._orders, shipment)
        self._timed("recording", self._record)
        self.day += 1
        if self.day >= self.n_days:
            self.running = False

    def run(self) -> RecoveryModel:
        """Advance through every day of the scenario."""
        while self.running:
            self.step()
        return self

    def _timed(self, stage: str, fn, *args):
        start = time.perf_counter()
        result = fn(*args)
        self.stage_seconds[stage] += time.perf_counter() - start
        return result

    def _authorities(self):
        """Desk, permit offices and pass office; returns the pass office's grant."""
        cal = self.calendar
        cal.unblock(self.desk.step())
        self.firm_rank = queue_rank(self)
        cal.queue_order = np.lexsort((self.workforce.firm_order, self.firm_rank))
        if cal.regime.any():  # firms file today's applications before the offices open
            self.workforce.apply(self.day, cal.listed & cal.regime)
        self.permit_queue.refresh(self)
        for office in self.permit_offices:
            office.step()
        return self.pass_office.step()

    def _open_logistics(self, passes):
        """Passes granted today reach the links; today's orders and shipping capacity."""
        self.freight.take_passes(passes)
        return self.freight.open_day(self.day, self.calendar)

    def _ration_priority(self) -> np.ndarray | None:
        """Approved white-listed and red-light customers first, while lockdown rules apply."""
        cal = self.calendar
        if not self.params.policy.whitelist.priority or not cal.regime.any():
            return None
        first = cal.listed_batch | self.desk.flagged | self.economy.firms.key_channel
        lk = self.economy.links
        return (lk.customer >= 0) & first[np.maximum(lk.customer, 0)]

    def _orders(self, shipment) -> None:
        """Firms book what shipping did, then order inputs; logistics takes the orders."""
        book, fr = self.book, self.freight
        book.dispatch(shipment)
        n_in = book.n_in
        new = book.orders(self.calendar.operating, fr.in_transit[:n_in], fr.outstanding[:n_in])
        fr.place_orders(self.day, self.calendar, new)

    def _record(self) -> None:
        self.recorder.record(self.day, self)
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ model measures
    @property
    def date(self) -> np.datetime64:
        return self.calendar.dates[min(self.day, self.n_days - 1)]

    @property
    def capacity_utilization(self) -> float:
        return float(self.book.output.sum() / self.book.normal.sum())

    @property
    def resumption_rate(self) -> float:
        return float(np.mean(self.book.output > 0))

    @property
    def staff_on_site(self) -> float:
        return float(self.workforce.present @ self.economy.workers.weight)

    @property
    def permits_issued_cum(self) -> float:
        return float(self.workforce.issued_count @ self.economy.workers.weight)

    @property
    def passes_issued(self) -> float:
        return float(self.freight.passes.sum())

    @property
    def truck_trips_index(self) -> float:
        return float(self.freight.trips.sum() / self.freight.normal_trips.sum())


def _chain_utilization(model: RecoveryModel, chain: int) -> float:
    """Output over normal output of one chain's firms today."""
    mask = model.economy.firms.chain == chain
    return float(model.book.output[mask].sum() / model.book.normal[mask].sum())


def _chain_staff(model: RecoveryModel, chain: int) -> float:
    """Staff on site today at one chain's firms (persons)."""
    econ = model.economy
    mask = econ.firms.chain == chain  # present: simulated workers on site per firm
    return float(model.workforce.present[mask] @ econ.workers.weight[mask])
