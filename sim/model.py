"""RecoveryModel: the daily stages of workforce return and production recovery.

A day, top to bottom in ``step``: policy (calendar) -> authorities (desk, permit offices,
pass office) -> workforce -> logistics opens (passes in, today's capacity and orders) ->
production -> logistics ships -> orders -> record. Each component writes only its own
columns; the model passes each stage's result to the next.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import mesa
import numpy as np
from mesa.agentset import AgentSet

from sim.agents.authority import (
    PassOffice,
    PermitOffice,
    PermitQueue,
    RedYellowDesk,
)
from sim.agents.enterprise import Enterprise, EnterpriseBook, Supplier
from sim.agents.logistics import Freight, LogisticsLink
from sim.agents.worker import Workforce
from sim.centralized import CentralizedReturn
from sim.economy_build import build_economy
from sim.policy import PolicyCalendar
from sim.recorder import Recorder
from sim.scenario import ROUTES, Scenario
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
    sweep any scenario key. ``outputs_only=True`` records output and nothing else, for the
    no-lockdown baseline.

    Firms, outside suppliers and links are Mesa agents that view the columns
    (``sim.agents.views``); they are built the first time anyone asks for them
    (``agents``, ``agents_by_type``, ``firm``, ``enterprise``), so runs that never ask pay
    nothing. The authorities are Mesa agents stepped by Mesa in a fixed order. Days are
    Mesa's ``steps``: inside ``step`` the day being simulated is ``today``.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path = DEFAULT_SCENARIO,
        *,
        rng: Any = None,
        counterfactual: bool = False,
        outputs_only: bool = False,
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
        self.n_days = sc.n_days
        self.stage_seconds = dict.fromkeys(STAGES, 0.0)
        start = time.perf_counter()
        self.economy = build_economy(sc, self.rng)
        self.calendar = PolicyCalendar(sc, self.economy, self.rng)
        f = self.economy.firms
        self.workforce = Workforce(
            sc,
            self.economy.workers,
            f.beds,
            f.seats,
            f.min_crew,
            self.rng,
            centralized_return(sc, self.economy, self.calendar.dates),
        )
        self.workforce.model = self
        self.book = EnterpriseBook(sc, self.economy)
        self.freight = Freight(sc, self.economy)
        self._views_built: set[type] = set()
        self._create_authorities()
        self.permit_queue = PermitQueue(len(self.economy.district_names))
        self.recorder = Recorder(self, outputs_only=outputs_only)
        # model-level series come from the Recorder (one measurement, in Mesa's format for
        # batch_run): citywide and per chain; the authorities' daily work is the
        # DataCollector's own
        reporters: dict[str, Any] = {"date": lambda m: str(m.date)}
        for metric in MODEL_REPORTERS:
            reporters[metric] = partial(_recorded_today, metric=metric, group="all")
        for chain in self.economy.chain_names:
            for metric in CHAIN_REPORTERS:
                reporters[f"{metric}_{chain}"] = partial(
                    _recorded_today, metric=metric, group=f"chain:{chain}"
                )
        self.datacollector = mesa.DataCollector(
            model_reporters=reporters, agenttype_reporters=AUTHORITY_REPORTERS
        )
        self.setup_seconds = time.perf_counter() - start

    def _create_authorities(self) -> None:
        econ = self.economy
        desk = RedYellowDesk(self)
        n_d = len(econ.district_names)
        # offices are staffed in proportion to the workers employed in their district
        staff = np.bincount(econ.firms.district, weights=econ.firms.staff, minlength=n_d)
        share = staff / staff.sum()
        offices = [PermitOffice(self, d, float(share[d])) for d in range(n_d)]
        self.desk, self.permit_offices, self.pass_office = desk, offices, PassOffice(self)
        desk.rerank()
        # the fixed daily order: the desk flags firms (and re-ranks the queues), then the
        # permit offices issue, then the pass office
        self.authorities = AgentSet([desk, *offices, self.pass_office], random=self.random)

    @property
    def firm_rank(self) -> np.ndarray:
        """Queue rank per firm (the desk's, recomputed at each of its steps)."""
        return self.desk.rank

    # ------------------------------------------------------------------ agent views
    def _build_views(self, kind: type | None = None) -> None:
        """Create the view agents of ``kind`` (all kinds if None) the first time they are asked."""
        econ = self.economy
        rows = {
            Enterprise: range(econ.firms.n),
            Supplier: range(econ.firms.n, econ.n_producers),
            LogisticsLink: range(econ.links.n),
        }
        for view, index in rows.items():
            if (kind is None or kind is view) and view not in self._views_built:
                self._views_built.add(view)
                view.create_agents(self, len(index), index=list(index))

    @property
    def agents(self):
        self._build_views()
        return super().agents

    @property
    def agents_by_type(self):
        return _AgentsByType(self)

    @property
    def agent_types(self) -> list[type]:
        """Every agent type, the view types included whether or not they are built yet."""
        return list(dict.fromkeys([*self._agents_by_type, Enterprise, Supplier, LogisticsLink]))

    def enterprise(self, i: int) -> Enterprise:
        """The Enterprise view of firm ``i``."""
        self._build_views(Enterprise)
        return self._agents_by_type[Enterprise][int(i)]

    def firm(self, name: str) -> Enterprise:
        """The Enterprise view of an anchor firm by its scenario name (e.g. ``"smic"``)."""
        names = self.economy.firms.names
        if name not in names:
            known = ", ".join(n for n in names if n)
            raise KeyError(f"no firm named {name!r}; anchors: {known}")
        return self.enterprise(names.index(name))

    @property
    def today(self) -> int:
        """The day being simulated (inside ``step``), else the last one simulated; -1 before."""
        return self.steps - 1

    # ------------------------------------------------------------------ the day
    def step(self) -> None:
        """One day. Each stage is a call on the component that owns the state it changes,
        and hands the next stage what it needs."""
        t, cal = self.today, self.calendar  # Mesa counted this step before calling us
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
        if self.steps >= self.n_days:
            self.running = False

    def run(self, on_day: Callable[[], None] | None = None) -> RecoveryModel:
        """Advance through every day of the scenario; ``on_day`` is called after each
        (progress bars: it must not touch the model)."""
        while self.running:
            self.step()
            if on_day is not None:
                on_day()
        return self

    def _timed(self, stage: str, fn, *args):
        start = time.perf_counter()
        result = fn(*args)
        self.stage_seconds[stage] += time.perf_counter() - start
        return result

    def _authorities(self):
        """Firms file applications; Mesa steps the desk, the permit offices and the pass
        office in that order. The desk's approvals go to the calendar; returns the pass
        office's grant."""
        cal = self.calendar
        if cal.regime.any():  # firms file today's applications before the offices open
            self.workforce.apply(self.today, cal.listed & cal.regime)
        decided = self.authorities.map("step")  # AgentSet.do, keeping what each returns
        cal.unblock(decided[0])
        cal.queue_order = np.lexsort((self.workforce.firm_order, self.firm_rank))
        return decided[-1]

    def _open_logistics(self, passes):
        """Passes granted today reach the links; today's orders and shipping capacity."""
        self.freight.take_passes(passes)
        return self.freight.open_day(self.today, self.calendar)

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
        fr.place_orders(self.today, self.calendar, new)

    def _record(self) -> None:
        self.recorder.record(self.today, self)
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ model measures
    @property
    def date(self) -> np.datetime64:
        """Date of ``today`` (the first day before any step)."""
        return self.calendar.dates[max(self.today, 0)]

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


MODEL_REPORTERS = (
    "capacity_utilization",
    "resumption_rate",
    "staff_on_site",
    "permits_issued_cum",
    "passes_issued",
    "truck_trips_index",
)
CHAIN_REPORTERS = ("capacity_utilization", "staff_on_site")
AUTHORITY_REPORTERS = {
    PermitOffice: {
        "district": lambda a: a.model.economy.district_names[a.district],
        "permits_issued": "issued_today",
    },
    PassOffice: {
        f"passes_issued_{route}": (lambda a, r=r: float(a.issued_today[r]))
        for r, route in enumerate(ROUTES)
    },
    RedYellowDesk: {
        "cases_opened": "cases_today",
        "firms_flagged": lambda a: int(a.flagged.sum()),
        "firms_red": lambda a: int(a.red.sum()),
    },
}


def _recorded_today(model: RecoveryModel, metric: str, group: str) -> float:
    """Today's value of a Recorder metric for a group (what the DataCollector reports)."""
    return model.recorder.value(metric, group, model.today)


class _AgentsByType(Mapping):
    """``model.agents_by_type`` that builds a kind of view agents only when it is asked for."""

    def __init__(self, model: RecoveryModel) -> None:
        self.model = model

    def __getitem__(self, kind: type):
        self.model._build_views(kind)
        return self.model._agents_by_type[kind]

    def __iter__(self):
        self.model._build_views()
        return iter(self.model._agents_by_type)

    def __len__(self) -> int:
        self.model._build_views()
        return len(self.model._agents_by_type)
