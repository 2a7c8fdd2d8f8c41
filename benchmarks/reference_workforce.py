"""Reference formulation of the worker rules: one Mesa ``Agent`` per worker.

``sim/agents/worker.py`` holds workers as numpy columns and applies each gate to all of them
at once. This module states the same rules the textbook Mesa way, one ``WorkerAgent`` per
worker with a Python method called per worker per day, so that the vectorized code can be
checked against it (``tests/test_reference_workforce.py``) and timed against it
(``benchmarks/bench_workforce.py``). It is slow on purpose; nothing in ``sim/`` uses it.

A day runs in two passes over the workers, in worker order (sorted by employer):

1. ``morning``: infection (hazard, times the closed-loop risk for those inside the loop),
   the staggered nucleic-acid test of today's phase group (outside the loop a share
   ``1 - access`` miss it), and leaving the closed loop (isolated, employer not operating
   under the regime, or rotated out; who left stays home today). Each firm then knows its
   free beds.
2. ``commute``: who may travel (permit, valid test, compound open, or locked in on site when
   the regime started), beds claimed in worker order within the firm, then shuttle seats in
   worker order among the travellers left without a bed who were not locked in, and
   on-site status.

Permit applications are filed before the offices open (``apply``, called by the model's
authorities stage, as for ``Workforce``): each worker of a firm allowed to apply who is on
its apply list, has no permit and is not in the closed loop applies.

Random draws come from the host model's seeded generator (``model.random``); they are not
the same sequence as the vectorized code's, so the two agree in distribution only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mesa
import numpy as np
from mesa.agent import AgentSet

from sim.agents.worker import APPLIED, ISSUED, NO_PERMIT
from sim.economy import Workers
from sim.scenario import Scenario


@dataclass
class DayInputs:
    """Today's calendar as Python lists (cheap scalar reads for per-agent code)."""

    any_regime: bool
    operating: list[bool]
    regime: list[bool]
    regime_started: list[bool]
    compound_free: list[bool]
    hazard: float
    access: float

    @classmethod
    def of(cls, cal, hazard: float, access: float) -> DayInputs:
        regime = np.asarray(cal.regime)
        return cls(
            any_regime=bool(regime.any()),
            operating=np.asarray(cal.operating).tolist(),
            regime=regime.tolist(),
            regime_started=np.asarray(cal.regime_started).tolist(),
            compound_free=np.asarray(cal.compound_free).tolist(),
            hazard=float(hazard),
            access=float(access),
        )


class WorkerAgent(mesa.Agent):
    """One worker, with the state and gates of one row of ``Workforce``."""

    def __init__(
        self,
        model: mesa.Model,
        crew: PerAgentWorkforce,
        employer: int,
        compound: int,
        phase: int,
        in_apply_list: bool,
    ) -> None:
        super().__init__(model)
        self.crew = crew
        self.employer = employer
        self.compound = compound
        self.phase = phase  # tested on days t with t % interval == phase
        self.in_apply_list = in_apply_list
        self.permit = NO_PERMIT
        self.applied_day = -1
        self.issued_day = -1
        self.in_loop = False
        self.loop_since = 0
        self.last_test = phase - crew.interval  # latest sample
        self.prev_test = self.last_test - crew.interval  # the one before
        self.left_day = -1  # day it last left the closed loop
        self.isolated_until = 0
        self.on_site = True

    def morning(self, t: int, day: DayInputs) -> None:
        """Infection, today's test, and leaving the closed loop."""
        crew = self.crew
        rand = self.random.random
        if day.hazard > 0 and rand() < day.hazard and (not self.in_loop or rand() < crew.loop_risk):
            self.isolated_until = t + crew.iso_days
        if t % crew.interval == self.phase and (
            self.in_loop or day.access >= 1.0 or rand() < day.access
        ):
            self.prev_test = self.last_test
            self.last_test = t
        if not day.any_regime or not self.in_loop:
            return
        e = self.employer
        stay = day.operating[e] and day.regime[e] and self.isolated_until <= t
        if crew.rotation:
            stay = stay and t - self.loop_since < crew.rotation
        if stay:
            crew.loop_today[e] += 1
        else:
            self.in_loop = False
            self.left_day = t  # home for at least a day

    def test_valid(self, t: int) -> bool:
        """A valid negative result: the latest returned sample is within its validity."""
        crew = self.crew
        since = t - self.last_test
        if since >= crew.turnaround:
            return since <= crew.validity
        return t - self.prev_test <= crew.validity

    def commute(self, t: int, day: DayInputs) -> None:
        """Travel, a bed or a shuttle seat, and on-site status."""
        crew = self.crew
        e = self.employer
        operating = day.operating[e]
        isolated = self.isolated_until > t
        free = day.compound_free[self.compound]
        if not day.any_regime:  # no lockdown rules today: only isolation and zoning
            self.in_loop = False
            self.on_site = operating and not isolated and free
        else:
            regime = day.regime[e]
            locked_in = self.on_site and day.regime_started[e] and operating and not isolated
            shuttle = False
            if (
                operating
                and regime
                and not self.in_loop
                and self.left_day != t
                and not isolated
                and ((self.permit == ISSUED and free and self.test_valid(t)) or locked_in)
            ):
                slot = crew.claimed[e]  # travellers before me in my firm, in worker order
                crew.claimed[e] = slot + 1
                if slot < crew.free_beds[e]:
                    self.in_loop = True
                    self.loop_since = t
                    crew.loop_today[e] += 1
                elif not locked_in:
                    seat = crew.riders[e]  # riders before me in my firm, in worker order
                    crew.riders[e] = seat + 1
                    shuttle = seat < crew.seats[e]
            normal = operating and not regime and not isolated and free
            self.on_site = normal or self.in_loop or shuttle
        if self.on_site:
            crew.present_today[e] += 1

    def apply_for_permit(self, t: int) -> None:
        """Named by a firm allowed to apply: apply unless permitted, applied or in the loop."""
        if self.permit == NO_PERMIT and not self.in_loop and self.in_apply_list:
            self.permit = APPLIED
            self.applied_day = t
            self.crew.applied_count[self.employer] += 1


class PerAgentWorkforce:
    """Drop-in stand-in for ``Workforce`` whose workers are ``WorkerAgent``s.

    Exposes what the model and the permit offices use (``step``, ``apply``, ``issue``,
    ``pending``, ``present``, ``loop_count``, ``applied_count``, ``issued_count``,
    ``applied_day``, ``tranche``, ``firm_order``), so it can replace ``model.workforce``.
    The agents register with ``model``, whose generators supply every random draw.
    ``dispatch="agentset"`` steps them the Mesa way (``AgentSet.do``); ``"loop"`` calls the
    same methods in the same order from a plain Python loop (about twice as fast).
    """

    def __init__(
        self,
        model: mesa.Model,
        sc: Scenario,
        workers: Workers,
        beds: np.ndarray,
        seats: np.ndarray,
        min_crew: np.ndarray,
        dispatch: str = "agentset",
    ) -> None:
        if dispatch not in ("agentset", "loop"):
            raise ValueError(f"dispatch must be 'agentset' or 'loop', not {dispatch!r}")
        self.dispatch = dispatch
        self.cols = workers
        wf = sc.workforce
        self.interval = wf.test_interval_days
        self.validity = wf.test_validity_days
        self.turnaround = wf.test_turnaround_days
        self.rotation = wf.rotation_days
        self.iso_days = sc.epidemic.isolation_days
        self.loop_risk = sc.epidemic.closed_loop_risk
        self.sizes = np.diff(workers.starts)
        n_firms = len(self.sizes)
        self.beds = [int(b) for b in beds]
        self.seats = [int(s) for s in seats]
        starts = workers.starts.tolist()
        employer = workers.employer.tolist()
        compound = workers.compound.tolist()
        sizes = self.sizes.tolist()
        apply_n = [math.ceil(sc.permits.apply_share * s) for s in sizes]
        crew_n = [math.ceil(m * s) for m, s in zip(min_crew.tolist(), sizes, strict=True)]
        rnd = model.random
        agents = []
        tranche = np.zeros(workers.n, np.int8)
        for i, e in enumerate(employer):
            position = i - starts[e]
            tranche[i] = position >= crew_n[e]
            phase = rnd.randrange(self.interval)
            agents.append(WorkerAgent(model, self, e, compound[i], phase, position < apply_n[e]))
        self.workers: list[WorkerAgent] = agents
        self.agents = AgentSet(agents, random=rnd)
        self.tranche = tranche
        order = list(range(n_firms))
        rnd.shuffle(order)
        self.firm_order = np.array(order)
        self.present = self.sizes.copy()
        self.loop_count = np.zeros(n_firms, np.int64)
        self.applied_count = np.zeros(n_firms, np.int64)
        self.issued_count = np.zeros(n_firms, np.int64)
        # per-firm tallies of the day being stepped (Python lists)
        self.loop_today = [0] * n_firms
        self.claimed = [0] * n_firms
        self.free_beds = [0] * n_firms
        self.riders = [0] * n_firms
        self.present_today = [0] * n_firms

    def step(self, t: int, cal, hazard: float, access: float) -> None:
        """One day: every agent's morning, then every agent's commute."""
        day = DayInputs.of(cal, hazard, access)
        n_firms = len(self.beds)
        self.loop_today = [0] * n_firms
        self.claimed = [0] * n_firms
        self.riders = [0] * n_firms
        self.present_today = [0] * n_firms
        if self.dispatch == "agentset":
            self.agents.do("morning", t, day)
        else:
            for agent in self.workers:
                agent.morning(t, day)
        self.free_beds = [max(b - c, 0) for b, c in zip(self.beds, self.loop_today, strict=True)]
        if self.dispatch == "agentset":
            self.agents.do("commute", t, day)
        else:
            for agent in self.workers:
                agent.commute(t, day)
        self.present = np.array(self.present_today, np.int64)
        self.loop_count = np.array(self.loop_today, np.int64)

    def apply(self, t: int, may_apply_firm: np.ndarray) -> None:
        """Firms allowed to apply name their staff; each named worker decides."""
        starts = self.cols.starts
        for f in np.flatnonzero(may_apply_firm).tolist():
            for agent in self.workers[starts[f] : starts[f + 1]]:
                agent.apply_for_permit(t)

    def issue(self, idx: np.ndarray, t: int) -> None:
        """Mark permits issued (as the permit offices do)."""
        for i in np.asarray(idx).tolist():
            agent = self.workers[i]
            agent.permit = ISSUED
            agent.issued_day = t
            self.issued_count[agent.employer] += 1

    def pending(self, t: int, delay: int) -> np.ndarray:
        """Applications old enough to be processed today."""
        cut = t - delay
        return np.array(
            [i for i, a in enumerate(self.workers) if a.permit == APPLIED and a.applied_day <= cut],
            np.int64,
        )

    # column views, built on demand (for the permit queue and for comparisons)
    def column(self, name: str) -> np.ndarray:
        """One attribute of every worker, as an array in worker order."""
        return np.array([getattr(a, name) for a in self.workers])

    @property
    def applied_day(self) -> np.ndarray:
        return self.column("applied_day")

    @property
    def issued_day(self) -> np.ndarray:
        return self.column("issued_day")

    @property
    def permit(self) -> np.ndarray:
        return self.column("permit")

    @property
    def in_loop(self) -> np.ndarray:
        return self.column("in_loop")

    @property
    def on_site(self) -> np.ndarray:
        return self.column("on_site")

    @property
    def isolated_until(self) -> np.ndarray:
        return self.column("isolated_until")
