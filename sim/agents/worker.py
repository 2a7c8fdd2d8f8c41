"""Workers as numpy columns, advanced with vectorized gate rules.

A worker is on site today only if every gate is open. Under the lockdown regime that is:
employer operating, return-to-work permit issued, nucleic-acid test valid, not isolated,
home compound allows leaving (or already living on site in the closed loop), and a
closed-loop bed or a shuttle seat. Outside the regime: employer operating, not isolated,
compound allows leaving.

Reads: the policy calendar (operating firms, regime, zoning), today's infection hazard and
test access. Writes: only the worker columns (permits, tests, isolation, closed loop, on site)
and ``present`` (staff on site per firm), which production reads next. Permit offices issue
through ``issue``; firms apply through ``apply``.
"""

from __future__ import annotations

import numpy as np

from sim.economy import Workers
from sim.scenario import Scenario

NO_PERMIT, APPLIED, ISSUED = 0, 1, 2


class Workforce:
    """State and daily update of all simulated workers (struct of arrays)."""

    def __init__(self, sc: Scenario, workers: Workers, beds, seats, min_crew, rng) -> None:
        self.cols = workers
        self.rng = rng
        n = workers.n
        self.sizes = np.diff(workers.starts)
        self.firm_starts = workers.starts[:-1]
        self.beds = beds
        self.seats = seats
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
        if not cal.regime.any() and self._nobody_kept_home(t, cal):
            self.in_loop[:] = False
            self.loop_count[:] = 0
            self.on_site[:] = True
            self.present = self.sizes.copy()
            return
        isolated = self.isolated_until > t
        free = cal.compound_free[self.cols.compound]
        if not cal.regime.any():  # no lockdown rules today: only isolation and zoning
            self.in_loop[:] = False
            self.loop_count[:] = 0
            self.on_site = self.expand(cal.operating) & ~isolated & free
            self.present = self.per_firm(self.on_site)
            return
        self._regime_day(t, cal, isolated, free)

    def _nobody_kept_home(self, t: int, cal) -> bool:
        """True when no gate can be closed for anyone (normal times): skip the columns."""
        return self.isolated_max <= t and cal.operating.all() and cal.compound_free.all()

    def _regime_day(self, t: int, cal, isolated: np.ndarray, free: np.ndarray) -> None:
        operating = self.expand(cal.operating)
        regime = self.expand(cal.regime)
        test_valid = self.test_valid(t)
        was_on_site = self.on_site
        # the closed loop: leave it when isolated, released, or rotated out
        stay = operating & regime & ~isolated
        if self.rotation:
            stay &= (t - self.loop_since) < self.rotation
        left = self.in_loop & ~stay  # rotated or released today: home for at least a day
        self.in_loop &= stay
        # who may travel to work today under the regime
        permitted = self.permit == ISSUED
        locked_in = was_on_site & self.expand(cal.regime_started) & operating & ~isolated
        travel = operating & regime & ~self.in_loop & ~left & ~isolated & (
            (permitted & test_valid & free) | locked_in
        )
        self.loop_count = self.per_firm(self.in_loop)
        free_beds = self.expand(np.maximum(self.beds - self.loop_count, 0))
        # beds first, then shuttle seats; workers locked in at lockdown get beds only
        enter = travel & (self._rank_within_firm(travel) < free_beds)
        riders = travel & ~enter & ~locked_in
        shuttle = riders & (self._rank_within_firm(riders) < self.expand(self.seats))
        self.in_loop |= enter
        self.loop_since[enter] = t
        self.loop_count += self.per_firm(enter)
        normal = operating & ~regime & ~isolated & free
        self.on_site = normal | self.in_loop | shuttle
        self.present = self.per_firm(self.on_site)

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
        took = np.ones(len(idx), bool)
        if access < 1.0:
            took = (self.rng.random(len(idx)) < access) | self.in_loop[idx]
        idx = idx[took]
        self.prev_test[idx] = self.last_test[idx]
        self.last_test[idx] = t

    def test_valid(self, t: int) -> np.ndarray:
        """A valid negative result: the latest returned sample is within its validity."""
        since = t - self.last_test
        back = since >= self.turnaround
        return np.where(back, since, t - self.prev_test) <= self.validity

    def apply(self, t: int, may_apply_firm: np.ndarray) -> None:
        """Firms allowed to apply name their staff who have no permit and are not on site."""
        if not may_apply_firm.any():
            return
        new = (
            self.expand(may_apply_firm)
            & (self.permit == NO_PERMIT)
            & ~self.in_loop
            & self.in_apply_list
        )
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
