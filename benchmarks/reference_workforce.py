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
2. ``lock_in``: workers on site when the regime started claim beds in worker order; the
   others note whether they pass the bulk check of a centralized return (at home, valid
   test, compound open). The district transport then grants each firm a number of them
   (``sim.centralized.CentralizedReturn``, the same office the model uses).
3. ``commute``: the granted ones move into the loop in worker order, permit holders who pass
   the same checks take shuttle seats in worker order, on-site status, and the gate that
   kept each worker home.

Before the first pass, staff away from the city come back at the labour-return rate, and
when a firm's rules end its staff kept home leave the city with the left-city share.

Permit applications are filed before the offices open (``apply``, called by the model's
authorities stage, as for ``Workforce``): in worker order, each worker of a firm allowed to
apply who is on its apply list, has no permit and is not in the closed loop applies, while
the firm holds fewer permits (applied or issued) than shuttle seats.

Random draws come from the host model's seeded generator (``model.random``); they are not
the same sequence as the vectorized code's, so the two agree in distribution only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mesa
import numpy as np
from mesa.agent import AgentSet

from sim.agents.worker import (
    APPLIED,
    APPROVAL,
    AWAY,
    BED_OR_SEAT,
    COMPOUND,
    GATES,
    ISOLATION,
    ISSUED,
    NO_PERMIT,
    ON_SITE,
    PERMIT,
    ROTATION,
    TEST,
)
from sim.centralized import CentralizedReturn
from sim.economy import Workers
from sim.scenario import Scenario


@dataclass
class DayInputs:
    """Today's calendar as Python lists (cheap scalar reads for per-agent code)."""

    any_regime: bool
    operating: list[bool]
    regime: list[bool]
    regime_started: list[bool]
    regime_ended: list[bool]
    compound_free: list[bool]
    queue_order: np.ndarray
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
            regime_ended=np.asarray(cal.regime_ended).tolist(),
            compound_free=np.asarray(cal.compound_free).tolist(),
            queue_order=np.asarray(cal.queue_order),
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
        self.away = False
        self.gate = ON_SITE
        self.locked_in = False
        self.fit = False  # passes the bulk check today (at home, valid test, compound open)
        self.due = False  # in the loop long enough to rotate out

    def morning(self, t: int, day: DayInputs) -> None:
        """Infection, today's test, and leaving the closed loop."""
        crew = self.crew
        rand = self.random.random
        self.due = False
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
        self.due = bool(crew.rotation and stay and t - self.loop_since >= crew.rotation)
        crew.due[e] += self.due  # may rotate out if a replacement passes the checks
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

    def labour_market(self, day: DayInputs) -> None:
        """Back from away at the return rate; away if kept home when the firm's rules end."""
        crew = self.crew
        if self.away and self.random.random() < crew.return_rate:
            self.away = False
        if crew.left_city_share > 0 and day.regime_ended[self.employer] and not self.on_site:
            self.away = self.random.random() < crew.left_city_share

    def rotate(self, t: int) -> None:
        """Due for rotation: the first ``swap`` of my firm's due crew leave, in worker order."""
        crew = self.crew
        e = self.employer
        if self.due and crew.rotated[e] < crew.swap[e]:
            crew.rotated[e] += 1
            self.in_loop = False
            self.left_day = t
            crew.loop_today[e] -= 1

    def lock_in(self, t: int, day: DayInputs) -> None:
        """Workers on site when the regime started claim beds; the others take the check."""
        crew = self.crew
        e = self.employer
        operating, regime = day.operating[e], day.regime[e]
        isolated = self.isolated_until > t
        self.locked_in = self.on_site and day.regime_started[e] and operating and not isolated
        self.fit = False
        if self.locked_in:
            slot = crew.claimed[e]  # locked-in workers before me in my firm, in worker order
            crew.claimed[e] = slot + 1
            if slot < crew.free_beds[e]:
                self.in_loop = True
                self.loop_since = t
                crew.loop_today[e] += 1
                crew.entered[e] += 1
        elif (
            operating
            and regime
            and not self.in_loop
            and self.left_day != t
            and not isolated
            and day.compound_free[self.compound]
            and self.test_valid(t)
        ):
            self.fit = True
            crew.fit_count[e] += 1

    def commute(self, t: int, day: DayInputs) -> None:
        """Centralized return, a shuttle seat, on-site status and the gate that kept me home."""
        crew = self.crew
        e = self.employer
        operating = day.operating[e]
        isolated = self.isolated_until > t
        free = day.compound_free[self.compound]
        regime = day.any_regime and day.regime[e]
        if not day.any_regime:  # no lockdown rules today: only isolation, zoning, absence
            self.in_loop = False
            self.on_site = operating and not isolated and free and not self.away
        else:
            moved = shuttle = False
            if self.fit:
                k = crew.moved[e]  # granted workers before me in my firm
                if k < crew.granted[e]:
                    crew.moved[e] = k + 1
                    moved = True
                    self.in_loop = True
                    self.loop_since = t
                    crew.loop_today[e] += 1
                    crew.transferred_count[e] += 1
                elif self.permit == ISSUED:
                    seat = crew.riders[e]  # riders before me in my firm, in worker order
                    crew.riders[e] = seat + 1
                    shuttle = seat < crew.seats[e]
            normal = operating and not regime and not isolated and free and not self.away
            self.on_site = normal or self.in_loop or shuttle or moved
        self.gate = self._gate(t, day, operating, isolated, free, regime)
        if self.on_site:
            crew.present_today[e] += 1
        else:
            crew.kept[e][self.gate - 1] += 1

    def _gate(self, t, day, operating, isolated, free, regime) -> int:
        if self.on_site:
            return ON_SITE
        if not operating:
            return APPROVAL
        if isolated:
            return ISOLATION
        if not regime:
            return COMPOUND if not free else AWAY
        if self.left_day == t:
            return ROTATION
        if not free:
            return COMPOUND
        if not self.test_valid(t):
            return TEST
        if (self.fit and self.crew.covered[self.employer]) or self.permit == ISSUED:
            return BED_OR_SEAT
        return PERMIT

    def apply_for_permit(self, t: int, held: list[int]) -> None:
        """Named by a firm allowed to apply: apply unless permitted, applied or in the loop,
        while the firm holds fewer permits than shuttle seats (``held``: per firm)."""
        e = self.employer
        if (
            self.permit == NO_PERMIT
            and not self.in_loop
            and self.in_apply_list
            and held[e] < self.crew.seats[e]
        ):
            self.permit = APPLIED
            self.applied_day = t
            held[e] += 1
            self.crew.applied_count[e] += 1


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
        transfers: CentralizedReturn | None = None,
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
        self.left_city_share = sc.labour.left_city_share
        self.return_rate = sc.labour.return_rate
        self.transfers = transfers
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
        self.transferred_count = np.zeros(n_firms, np.int64)
        self.kept_home = np.zeros((n_firms, len(GATES)), np.int64)
        self._reset_tallies(n_firms)

    def _reset_tallies(self, n_firms: int) -> None:
        """Per-firm tallies of the day being stepped (Python lists)."""
        self.loop_today = [0] * n_firms
        self.claimed = [0] * n_firms
        self.free_beds = [0] * n_firms
        self.entered = [0] * n_firms
        self.fit_count = [0] * n_firms
        self.granted = [0] * n_firms
        self.covered = [False] * n_firms
        self.moved = [0] * n_firms
        self.riders = [0] * n_firms
        self.present_today = [0] * n_firms
        self.swap = [0] * n_firms
        self.due = [0] * n_firms
        self.rotated = [0] * n_firms
        self.kept = [[0] * len(GATES) for _ in range(n_firms)]

    def step(self, t: int, cal, hazard: float, access: float) -> None:
        """One day: every agent's morning, then lock-in and checks, transfers, commute."""
        day = DayInputs.of(cal, hazard, access)
        n_firms = len(self.beds)
        self._reset_tallies(n_firms)
        self._each("morning", t, day)
        self._each("labour_market", day)
        self.free_beds = [max(b - c, 0) for b, c in zip(self.beds, self.loop_today, strict=True)]
        if day.any_regime:
            self._each("lock_in", t, day)
            granted = np.zeros(n_firms, np.int64)
            covered = np.zeros(n_firms, bool)
            swap = np.zeros(n_firms, np.int64)
            if self.rotation:  # a crew swap: as many rotate out as replacements pass
                swap = np.minimum(np.array(self.due), np.array(self.fit_count))
                self.swap = swap.tolist()
                self._each("rotate", t)
            room = np.array(self.free_beds) + swap - np.array(self.entered)
            demand = np.minimum(np.array(self.fit_count), room)
            if self.rotation:
                granted = np.minimum(swap, demand)
                covered = swap > 0
            if self.transfers is not None and self.transfers.active[t]:
                more, by_transfer = self.transfers.grant(t, demand - granted, day.queue_order)
                granted, covered = granted + more, covered | by_transfer
            self.granted, self.covered = granted.tolist(), covered.tolist()
        self._each("commute", t, day)
        self.present = np.array(self.present_today, np.int64)
        self.loop_count = np.array(self.loop_today, np.int64)
        self.kept_home = np.array(self.kept, np.int64)

    def _each(self, method: str, *args) -> None:
        if self.dispatch == "agentset":
            self.agents.do(method, *args)
        else:
            for agent in self.workers:
                getattr(agent, method)(*args)

    def apply(self, t: int, may_apply_firm: np.ndarray) -> None:
        """Firms allowed to apply name their staff; each named worker decides."""
        starts = self.cols.starts
        held = [0] * len(self.beds)
        for agent in self.workers:
            held[agent.employer] += agent.permit != NO_PERMIT
        for f in np.flatnonzero(may_apply_firm).tolist():
            for agent in self.workers[starts[f] : starts[f + 1]]:
                agent.apply_for_permit(t, held)

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
