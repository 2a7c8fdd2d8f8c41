"""Workers as numpy columns, advanced with vectorized gate rules.

A worker is on site today only if every gate is open. Under the lockdown regime a worker
either lives on site in the closed loop (locked in when the regime started, or brought in
by a centralized return: valid test, not isolated, compound open, a free bed) or commutes
point to point: return-to-work permit issued, valid test, not isolated, compound open, and
a shuttle seat. Outside the regime: employer operating, not isolated, compound allows
leaving, and not away (staff who left the city come back at a rate once the rules end).
Each day every worker kept home is counted under the first gate that stopped them.

Reads: the policy calendar (operating firms, regime, zoning, regime end, queue order), today's
infection hazard and test access. Writes: only the worker columns (permits, tests, isolation,
closed loop, away, gate, on site) and the per-firm ``present``, ``kept_home`` and
``transferred_count``, which production and the recorder read next. Permit offices issue
through ``issue``; firms apply through ``apply``; the centralized return grants through
``CentralizedReturn.grant``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

import numpy as np

from sim.agents.kernel_choice import use_kernels
from sim.agents.views import RowView
from sim.centralized import CentralizedReturn
from sim.economy import Workers
from sim.scenario import Scenario

NO_PERMIT, APPLIED, ISSUED = 0, 1, 2
# why a worker is not on site: the first gate that stopped them (ON_SITE: nothing did)
GATES = ("approval", "isolation", "rotation", "compound", "test", "permit", "bed_or_seat", "away")
ON_SITE = 0
APPROVAL, ISOLATION, ROTATION, COMPOUND, TEST, PERMIT, BED_OR_SEAT, AWAY = range(1, 9)
PERMIT_STATES = ("none", "applied", "issued")


class Workforce:
    """State and daily update of all simulated workers (struct of arrays)."""

    def __init__(
        self,
        sc: Scenario,
        workers: Workers,
        beds,
        seats,
        min_crew,
        rng,
        transfers: CentralizedReturn | None = None,
    ) -> None:
        self.cols = workers
        # fused numba loops (an optional extra, ~1 s to load) or the numpy rules below
        self.compiled = use_kernels(workers.n)
        self.kernels = import_module("sim.agents.worker_kernels") if self.compiled else None
        self.model: Any = None  # set by the model that owns it (for worker views)
        self.rng = rng
        n = workers.n
        self.sizes = np.diff(workers.starts)
        self.firm_starts = workers.starts[:-1]
        self.beds = beds
        self.seats = seats
        self.transfers = transfers
        self.left_city_share = sc.labour.left_city_share
        self.return_rate = sc.labour.return_rate
        self.away = np.zeros(n, bool)  # left the city (or the job) during lockdown, not back
        self.away_any = False
        self.gate = np.zeros(n, np.int8)  # why each worker is off site today (GATES, 1-based)
        self.kept_home = np.zeros((len(self.sizes), len(GATES)), np.int64)
        wf = sc.workforce
        self.interval = wf.test_interval_days
        self.validity = wf.test_validity_days
        self.turnaround = wf.test_turnaround_days
        self.rotation = wf.rotation_days
        self.iso_days = sc.epidemic.isolation_days
        self.loop_risk = sc.epidemic.closed_loop_risk
        self.apply_share = sc.permits.apply_share
        self.permit = np.zeros(n, np.int8)
        self.applied_day = np.full(n, -1, np.int16)
        self.issued_day = np.full(n, -1, np.int16)
        self.in_loop = np.zeros(n, bool)
        self.loop_since = np.zeros(n, np.int16)
        phase = rng.integers(0, self.interval, n).astype(np.int16)
        self.last_test = (-self.interval + phase).astype(np.int16)  # latest sample
        self.prev_test = (self.last_test - self.interval).astype(np.int16)  # the one before
        self.test_groups = [np.flatnonzero(phase == k) for k in range(self.interval)]
        self.isolated_until = np.zeros(n, np.int16)
        self.isolated_max = 0  # last day anyone is still isolated
        self.on_site = np.ones(n, bool)
        # position of each worker within its firm: who a firm names first
        self.position = np.arange(n) - np.repeat(self.firm_starts, self.sizes)
        self.in_apply_list = self.position < np.ceil(self.apply_share * self.sizes).repeat(
            self.sizes
        )
        # firms name their minimum crew first; offices serve firms in a random arrival order
        self.tranche = (self.position >= self.expand(np.ceil(min_crew * self.sizes))).astype(
            np.int8
        )
        self.firm_order = rng.permutation(len(self.sizes))
        self.present = self.sizes.copy()
        self.loop_count = np.zeros(len(self.sizes), np.int64)
        self.applied_count = np.zeros(len(self.sizes), np.int64)
        self.issued_count = np.zeros(len(self.sizes), np.int64)
        self.transferred_count = np.zeros(len(self.sizes), np.int64)  # centralized return

    def worker(self, i: int) -> Worker:
        """A live view of simulated worker ``i``, for inspection."""
        if not 0 <= i < self.cols.n:
            raise IndexError(f"no worker {i}: there are {self.cols.n:,} simulated workers")
        return Worker(self.model, int(i))

    # ------------------------------------------------------------------ per-firm views
    def per_firm(self, mask: np.ndarray) -> np.ndarray:
        """Count of True per employer (workers are sorted by employer)."""
        return np.add.reduceat(mask, self.firm_starts, dtype=np.int64)

    def expand(self, firm_values: np.ndarray) -> np.ndarray:
        """Broadcast a per-firm array to workers."""
        return np.repeat(firm_values, self.sizes)

    # ------------------------------------------------------------------ daily stage
    def step(self, t: int, cal, hazard: float, access: float) -> None:
        self._infect(t, hazard)
        self._test(t, access)
        self._labour_market(cal)
        if not cal.regime.any() and self._nobody_kept_home(t, cal):
            self.in_loop[:] = False
            self.loop_count[:] = 0
            self.on_site[:] = True
            self.present = self.sizes.copy()
            self.gate[:] = ON_SITE
            self.kept_home[:] = 0
            return
        if not cal.regime.any():  # no lockdown rules today: only isolation, zoning, absence
            self.in_loop[:] = False
            self.loop_count[:] = 0
            if self.compiled:
                self._open_day_compiled(t, cal)
            else:
                self._open_day(t, cal)
        elif self.compiled:
            self._regime_day_compiled(t, cal)
        else:
            self._regime_day(t, cal, self.isolated_until > t, cal.compound_free[self.cols.compound])

    def _open_day(self, t: int, cal) -> None:
        isolated = self.isolated_until > t
        free = cal.compound_free[self.cols.compound]
        operating = self.expand(cal.operating)
        self.on_site = operating & ~isolated & free & ~self.away
        self._count_kept_home(operating, isolated, free, None)
        self.present = self.per_firm(self.on_site)

    def _nobody_kept_home(self, t: int, cal) -> bool:
        """True when no gate can be closed for anyone (normal times): skip the columns."""
        return (
            self.isolated_max <= t
            and not self.away_any
            and cal.operating.all()
            and cal.compound_free.all()
        )

    def _labour_market(self, cal) -> None:
        """Staff kept home when their firm's rules end may have left the city; those away
        come back (or are replaced by a hire) at a daily rate."""
        if self.away_any:
            back = self.away.copy()
            idx = np.flatnonzero(back)
            back[idx] = self.rng.random(len(idx)) < self.return_rate
            self.away &= ~back
        ended = cal.regime_ended
        if self.left_city_share > 0 and ended.any():
            cand = np.flatnonzero(self.expand(ended) & ~self.on_site)
            self.away[cand] = self.rng.random(len(cand)) < self.left_city_share
        self.away_any = bool(self.away.any()) if (self.away_any or ended.any()) else False

    def _regime_day(self, t: int, cal, isolated: np.ndarray, free: np.ndarray) -> None:
        operating = self.expand(cal.operating)
        regime = self.expand(cal.regime)
        test_valid = self.test_valid(t)
        was_on_site = self.on_site
        # the closed loop: leave it when isolated, released, or rotated out
        stay = operating & regime & ~isolated
        locked_in = was_on_site & self.expand(cal.regime_started) & operating & ~isolated
        # staff at home who pass the bulk check (valid test, compound open, not isolated)
        fit = operating & regime & ~self.in_loop & ~isolated & ~locked_in & test_valid & free
        swap = None
        if self.rotation:  # a crew swap: as many rotate out as replacements pass the checks
            due = self.in_loop & stay & ((t - self.loop_since) >= self.rotation)
            swap = np.minimum(self.per_firm(due), self.per_firm(fit))
            stay &= ~(due & (self._rank_within_firm(due) < self.expand(swap)))
        left = self.in_loop & ~stay  # rotated or released today: home for at least a day
        self.in_loop &= stay
        self.loop_count = self.per_firm(self.in_loop)
        # workers on site when the regime started are locked in, beds permitting
        room = np.maximum(self.beds - self.loop_count, 0)
        enter = locked_in & (self._rank_within_firm(locked_in) < self.expand(room))
        entered = self.per_firm(enter)
        room -= entered
        moved = np.zeros_like(fit)
        covered = np.zeros(len(self.sizes), bool)
        if self._admits_today(t):
            granted, covered = self._admitted(t, cal, self.per_firm(fit), room, swap)
            if granted.any():
                moved = fit & (self._rank_within_firm(fit) < self.expand(granted))
                n_moved = self.per_firm(moved)
                entered += n_moved
                self.transferred_count += n_moved
        self.in_loop |= enter | moved
        self.loop_since[enter | moved] = t
        self.loop_count += entered
        # point-to-point commuting: a permit and a shuttle seat
        riders = fit & ~moved & (self.permit == ISSUED)
        shuttle = riders & (self._rank_within_firm(riders) < self.expand(self.seats))
        normal = operating & ~regime & ~isolated & free & ~self.away
        self.on_site = normal | self.in_loop | shuttle
        served = fit & self.expand(covered)
        self._count_kept_home(operating, isolated, free, (regime, left, test_valid, served))
        self.present = self.per_firm(self.on_site)

    def _admits_today(self, t: int) -> bool:
        """Staff at home may be brought into the loop today: a crew swap or a transfer."""
        return bool(self.rotation) or (self.transfers is not None and self.transfers.active[t])

    def _admitted(self, t: int, cal, n_fit, room, swap) -> tuple[np.ndarray, np.ndarray]:
        """Fit staff each firm brings into its closed loop today (the crew swap's
        replacements first, then centralized transfers, within free beds), and which firms a
        swap or a transfer served (their staff left over lack a bed or transport)."""
        granted = np.zeros(len(self.sizes), np.int64)
        covered = np.zeros(len(self.sizes), bool)
        if not self._admits_today(t):
            return granted, covered
        demand = np.minimum(n_fit, room)
        if self.rotation:
            granted = np.minimum(swap, demand)
            covered = swap > 0
        if self.transfers is not None and self.transfers.active[t]:
            more, by_transfer = self.transfers.grant(t, demand - granted, cal.queue_order)
            granted = granted + more
            covered |= by_transfer
        return granted, covered

    def _regime_day_compiled(self, t: int, cal) -> None:
        """``_regime_day`` in two fused passes per firm (sim.agents.worker_kernels)."""
        starts, c = self.cols.starts, self.cols
        flags = np.empty(c.n, np.uint8)
        n_fit, swap, loop_count, room, entered = self.kernels.regime_first_pass(
            t,
            starts,
            cal.operating,
            cal.regime,
            cal.regime_started,
            self.beds,
            self.rotation or 0,
            self.in_loop,
            self.on_site,
            self.isolated_until,
            c.compound,
            cal.compound_free,
            self.last_test,
            self.prev_test,
            self.loop_since,
            self.turnaround,
            self.validity,
            flags,
        )
        granted, covered = self._admitted(t, cal, n_fit, room, swap)
        self.on_site = np.empty(c.n, bool)
        self.gate = np.empty(c.n, np.int8)
        self.kept_home = np.zeros((len(self.sizes), len(GATES)), np.int64)
        self.present, moved = self.kernels.regime_second_pass(
            t,
            starts,
            cal.operating,
            cal.regime,
            granted,
            covered,
            self.seats,
            self.in_loop,
            self.isolated_until,
            c.compound,
            cal.compound_free,
            self.last_test,
            self.prev_test,
            self.loop_since,
            self.permit,
            self.away,
            self.turnaround,
            self.validity,
            flags,
            self.on_site,
            self.gate,
            self.kept_home,
        )
        self.transferred_count += moved
        self.loop_count = loop_count + entered + moved

    def _open_day_compiled(self, t: int, cal) -> None:
        """The no-lockdown-rules day in one fused pass per firm."""
        c = self.cols
        self.on_site = np.empty(c.n, bool)
        self.gate = np.empty(c.n, np.int8)
        self.kept_home = np.zeros((len(self.sizes), len(GATES)), np.int64)
        self.present = self.kernels.open_day(
            t,
            c.starts,
            cal.operating,
            self.isolated_until,
            c.compound,
            cal.compound_free,
            self.away,
            self.on_site,
            self.gate,
            self.kept_home,
        )

    def _count_kept_home(self, operating, isolated, free, regime_gates) -> None:
        """Today's gate per worker (the first that kept them home) and counts per firm."""
        gate = np.where(free, ON_SITE, COMPOUND).astype(np.int8)
        if regime_gates is None:
            gate[self.away & free] = AWAY
        else:
            regime, left, test_valid, served = regime_gates
            off = free & regime
            gate[off & ~test_valid] = TEST
            gate[off & test_valid & (self.permit != ISSUED)] = PERMIT
            gate[off & test_valid & (self.permit == ISSUED)] = BED_OR_SEAT  # no seat
            gate[served] = BED_OR_SEAT  # a transfer was running: no bed or no transport
            gate[free & ~regime & self.away] = AWAY
            gate[left & regime] = ROTATION
        gate[isolated] = ISOLATION
        gate[~operating] = APPROVAL
        gate[self.on_site] = ON_SITE
        self.gate = gate
        n_firms = len(self.sizes)
        counts = np.bincount(
            self.cols.employer * (len(GATES) + 1) + gate, minlength=n_firms * (len(GATES) + 1)
        )
        self.kept_home = counts.reshape(n_firms, len(GATES) + 1)[:, 1:]

    def _rank_within_firm(self, mask: np.ndarray) -> np.ndarray:
        c = np.cumsum(mask, dtype=np.int64)
        before = np.concatenate([[0], c])[self.firm_starts]
        return c - 1 - self.expand(before)

    def _infect(self, t: int, hazard: float) -> None:
        if hazard <= 0:
            return
        n = len(self.permit)
        k = self.rng.binomial(n, hazard)
        idx = self.rng.integers(0, n, k)
        hit = ~self.in_loop[idx] | (self.rng.random(k) < self.loop_risk)
        self.isolated_until[idx[hit]] = t + self.iso_days
        if hit.any():
            self.isolated_max = t + self.iso_days

    def _test(self, t: int, access: float) -> None:
        """Today's phase group is due; a share ``1 - access`` of those outside the loop miss."""
        idx = self.test_groups[t % self.interval]
        draws = self.rng.random(len(idx)) if access < 1.0 else np.empty(0)
        if self.compiled:
            k = self.kernels
            k.take_tests(t, idx, draws, access, self.in_loop, self.last_test, self.prev_test)
            return
        if access < 1.0:
            idx = idx[(draws < access) | self.in_loop[idx]]
        self.prev_test[idx] = self.last_test[idx]
        self.last_test[idx] = t

    def test_valid(self, t: int, idx: Any = slice(None)) -> np.ndarray:
        """A valid negative result: the latest returned sample is within its validity."""
        since = t - self.last_test[idx]
        back = since >= self.turnaround
        return np.where(back, since, t - self.prev_test[idx]) <= self.validity

    def apply(self, t: int, may_apply_firm: np.ndarray) -> None:
        """Firms allowed to apply name staff who have no permit and are not in the closed
        loop, as commuters: at most as many permits (applied or issued) as shuttle seats."""
        if not may_apply_firm.any():
            return
        if self.compiled:
            self.kernels.apply_for_permits(
                t,
                self.cols.starts,
                may_apply_firm,
                self.seats,
                self.permit,
                self.in_loop,
                self.in_apply_list,
                self.applied_day,
                self.applied_count,
            )
            return
        held = self.per_firm(self.permit != NO_PERMIT)
        cand = (
            self.expand(may_apply_firm)
            & (self.permit == NO_PERMIT)
            & ~self.in_loop
            & self.in_apply_list
        )
        new = cand & (self._rank_within_firm(cand) < self.expand(self.seats - held))
        self.permit[new] = APPLIED
        self.applied_day[new] = t
        self.applied_count += self.per_firm(new)

    def issue(self, idx: np.ndarray, t: int) -> None:
        """Mark permits issued (called by the permit offices)."""
        self.permit[idx] = ISSUED
        self.issued_day[idx] = t
        self.issued_count += np.bincount(self.cols.employer[idx], minlength=len(self.sizes))

    def pending(self, t: int, delay: int) -> np.ndarray:
        """Applications old enough to be processed today."""
        return np.flatnonzero((self.permit == APPLIED) & (self.applied_day <= t - delay))


class Worker(RowView):
    """One simulated worker (standing for ``weight`` real ones): a live view of its row."""

    fields = (
        "employer",
        "district",
        "compound",
        "permit",
        "test_valid",
        "on_site",
        "in_closed_loop",
        "isolated",
        "weight",
    )

    def __init__(self, model, index: int) -> None:
        self.model, self.index = model, index

    @property
    def _wf(self) -> Workforce:
        return self.model.workforce

    @property
    def employer(self):
        """The employing firm's Enterprise view."""
        return self.model.enterprise(int(self._wf.cols.employer[self.index]))

    @property
    def district(self) -> str:
        """Home district (where its compound is)."""
        return self.model.economy.district_names[self._wf.cols.home[self.index]]

    @property
    def compound(self) -> int:
        return int(self._wf.cols.compound[self.index])

    @property
    def compound_free(self) -> bool:
        """Its compound lets residents leave today."""
        return bool(self.model.calendar.compound_free[self.compound])

    @property
    def permit(self) -> str:
        """Return-to-work permit: none, applied or issued."""
        return PERMIT_STATES[self._wf.permit[self.index]]

    @property
    def permit_issued_day(self) -> int | None:
        day = int(self._wf.issued_day[self.index])
        return day if day >= 0 else None

    @property
    def last_test_day(self) -> int:
        return int(self._wf.last_test[self.index])

    @property
    def test_valid(self) -> bool:
        """Holds a valid negative nucleic-acid result today."""
        return bool(self._wf.test_valid(max(self.model.today, 0), self.index))

    @property
    def on_site(self) -> bool:
        return bool(self._wf.on_site[self.index])

    @property
    def in_closed_loop(self) -> bool:
        return bool(self._wf.in_loop[self.index])

    @property
    def isolated(self) -> bool:
        return bool(self._wf.isolated_until[self.index] > max(self.model.today, 0))

    @property
    def weight(self) -> float:
        """Real workers this simulated worker stands for."""
        return float(self.model.economy.workers.weight[self._wf.cols.employer[self.index]])
