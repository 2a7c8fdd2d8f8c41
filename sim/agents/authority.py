"""Authorities: district permit offices, the vehicle-pass office, the red/yellow-light desk.

They are few, so they are ordinary Mesa agents, stepped by Mesa once a day in a fixed
order (``model.authorities``: desk, permit offices, pass office) over queues held as arrays
(workers' permit applications, links' pass applications).

Reads: the policy calendar, the workforce's applications, the firms' input cover, the
links' passes. Writes: only their own state (budgets, desk cases, the desk's queue
ranks). What they decide goes back through the owner of the state it changes: permits
through ``Workforce.issue``, desk approvals through ``PolicyCalendar.unblock`` (the firms
the desk returns), passes
through ``Freight.take_passes`` (the ``PassGrant`` the pass office returns).
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from sim.agents.logistics import operating_links
from sim.economy import MARKET
from sim.scenario import ROUTES

KEY_ENTERPRISE = -1  # queue rank of key firms in closed loop (key-enterprise passes)
CITY_PRIORITY = 0  # queue rank of plants whose restart the city coordinated (first served)
RED_LIGHT = 1  # queue rank of firms the desk flags red (critical input almost gone)
YELLOW_LIGHT = 2  # then yellow; white-list batch b ranks YELLOW_LIGHT + b
UNLISTED = 99  # queue rank of firms approved by their district, not on a batch list
NO_FIRMS = np.zeros(0, np.int64)


def queue_rank(model) -> np.ndarray:
    """Queue rank per firm: key firms in closed loop, city-coordinated plants, red-light
    firms, then white-list batches in order (if prioritised), then firms approved by their
    district."""
    batch = model.economy.firms.batch.astype(np.int64)
    rank = np.full(len(batch), UNLISTED)
    if model.params.policy.whitelist.priority:
        rank = np.where(batch > 0, batch + YELLOW_LIGHT, UNLISTED)
    desk = model.desk
    rank = np.where(desk.flagged, np.where(desk.red, RED_LIGHT, YELLOW_LIGHT), rank)
    f = model.economy.firms
    rank = np.where(f.city_priority, CITY_PRIORITY, rank)
    return np.where(f.key_channel, KEY_ENTERPRISE, rank)


class PermitQueue:
    """Today's processable applications, sorted once and cut into one slice per district.

    Order within a district: red-light firms, then white-list batches (if prioritised),
    then application day, then each firm's minimum crew before the rest of its staff,
    then firms in their (random) arrival order.
    """

    def __init__(self, n_districts: int) -> None:
        self.workers = np.zeros(0, np.int64)
        self.bounds = np.zeros(n_districts + 1, np.int64)
        self.day = -1  # the day it was last sorted

    def refresh(self, model) -> None:
        self.day = model.today
        self.workers = np.zeros(0, np.int64)
        self.bounds[:] = 0
        if not model.calendar.regime.any():
            return
        wf = model.workforce
        cand = wf.pending(model.today, model.params.permits.processing_delay_days)
        if not len(cand):
            return
        employer = model.economy.workers.employer[cand]
        district = model.economy.firms.district[employer]
        order = np.lexsort(
            (
                wf.firm_order[employer],
                wf.tranche[cand],
                wf.applied_day[cand],
                model.firm_rank[employer],
                district,
            )
        )
        self.workers = cand[order]
        counts = np.bincount(district, minlength=len(self.bounds) - 1)
        self.bounds[1:] = np.cumsum(counts)

    def of(self, model, district: int) -> np.ndarray:
        """Today's queue of one district (sorted once a day, when the first office opens)."""
        if self.day != model.today:
            self.refresh(model)
        return self.workers[self.bounds[district] : self.bounds[district + 1]]


class PermitOffice(mesa.Agent):
    """Issues electronic return-to-work permits for one district, up to a daily capacity."""

    def __init__(self, model, district: int, share: float) -> None:
        super().__init__(model)
        self.district = district
        self.share = share  # share of the citywide daily capacity
        self.budget = 0.0  # persons it can still issue today (carry below one worker)
        self.issued_today = 0.0

    def step(self) -> None:
        m = self.model
        self.issued_today = 0.0
        weight = m.economy.workers.weight
        capacity = m.calendar.permit_capacity[m.today] * self.share
        self.budget = min(self.budget, float(weight.max())) + capacity
        queue = m.permit_queue.of(m, self.district)
        if not len(queue):
            return
        cum = np.cumsum(weight[m.economy.workers.employer[queue]])
        take = int(np.searchsorted(cum, self.budget, side="right"))
        if take:
            m.workforce.issue(queue[:take], m.today)
            self.issued_today = float(cum[take - 1])
            self.budget -= self.issued_today


@dataclass
class PassGrant:
    """Today's pass decisions per link (``Freight.take_passes`` applies them)."""

    day: int
    applied: np.ndarray  # day the waiting application was filed (-1: not waiting)
    granted: np.ndarray  # trucks given a pass today
    withdrawn: np.ndarray  # links whose firm stopped: their passes are withdrawn


class PassOffice(mesa.Agent):
    """Issues vehicle passes to links up to a daily quota per route class (trucks).

    Each day passes issued ``validity_days`` ago lapse, links of firms that stopped lose
    theirs, and links of operating firms short of passes for their fleet queue (key firms,
    city priority and red-light firms, then white-list batches, then application day) for
    today's quota; renewals queue with new applications.
    """

    def __init__(self, model) -> None:
        super().__init__(model)
        self.issued_today = np.zeros(len(ROUTES))

    def step(self) -> PassGrant | None:
        """Serve today's applications in queue order; None when no passes are required."""
        m = self.model
        t = m.today
        self.issued_today[:] = 0.0
        if not m.calendar.pass_regime[t]:
            return None
        book, lk = m.freight.pass_book, m.economy.links
        active = operating_links(lk, m.economy.firms.n, m.calendar.operating)
        held = np.where(active, book.held - book.lapsing(t), 0.0)  # after today's lapses
        need = lk.fleet - held
        waiting = active & (need > 1e-9)
        applied = np.where(active, book.applied, -1)
        applied = np.where(waiting & (applied < 0), t, applied)
        granted = np.zeros(lk.n)
        owner = np.where(lk.customer == MARKET, lk.supplier, lk.customer)
        owner_rank = m.firm_rank[np.minimum(owner, m.economy.firms.n - 1)]
        for r, route in enumerate(ROUTES):
            idx = np.flatnonzero(waiting & (lk.route == r))
            if not len(idx):
                continue
            idx = idx[np.lexsort((applied[idx], owner_rank[idx]))]
            quota = m.calendar.quota[route][t]
            cum = np.cumsum(need[idx])
            grant = np.clip(quota - (cum - need[idx]), 0.0, need[idx])
            granted[idx] = grant
            self.issued_today[r] = grant.sum()
        applied = np.where(need - granted > 1e-9, applied, -1)  # served in full: not waiting
        return PassGrant(t, applied.astype(np.int32), granted, ~active)


class RedYellowDesk(mesa.Agent):
    """Supply-chain desk: flags firms about to run out of a critical input and unblocks them.

    A flagged firm (red below ``red_days`` of cover, yellow below ``yellow_days``) goes to the
    front of the permit and pass queues and of its suppliers' rationing, and its Shanghai
    suppliers of critical and important inputs are approved to resume. A case closes when
    the firm's cover is back above the yellow threshold; approvals stay.
    """

    def __init__(self, model) -> None:
        super().__init__(model)
        cfg = model.params.red_yellow
        self.capacity = cfg.daily_cases
        self.red_days, self.yellow_days = cfg.red_days, cfg.yellow_days
        n = model.economy.firms.n
        self.flagged = np.zeros(n, bool)
        self.red = np.zeros(n, bool)
        self.cases_today = 0
        self.rank = np.full(n, UNLISTED)  # queue rank per firm: rerank() at setup and each step

    def step(self) -> np.ndarray:
        """Close solved cases, take new ones and re-rank the permit and pass queues with
        today's flags; returns the Shanghai suppliers to approve."""
        suppliers = self._review()
        self.rerank()
        return suppliers

    def rerank(self) -> None:
        """Queue ranks from the white lists, the city's priorities and today's flags."""
        self.rank = queue_rank(self.model)

    def _review(self) -> np.ndarray:
        m = self.model
        self.cases_today = 0
        cover = m.book.cover
        self.flagged &= cover < self.yellow_days  # solved cases close
        self.red &= self.flagged
        if not m.calendar.desk_open[m.today] or not self.capacity:
            return NO_FIRMS
        cand = np.flatnonzero(
            m.calendar.operating & m.calendar.regime & ~self.flagged & (cover < self.yellow_days)
        )
        if not len(cand):
            return NO_FIRMS
        # key firms' cases are taken first (their own channel), then by cover
        key = m.economy.firms.key_channel[cand]
        cand = cand[np.lexsort((cover[cand], ~key))][: max(self.capacity, int(key.sum()))]
        self.flagged[cand] = True
        self.red[cand] = cover[cand] < self.red_days
        self.cases_today = len(cand)
        return self._suppliers_to_unblock(cand)

    def _suppliers_to_unblock(self, firms: np.ndarray) -> np.ndarray:
        lk, n = self.model.economy.links, self.model.economy.firms.n
        hit = np.zeros(n, bool)
        hit[firms] = True
        sel = (lk.customer >= 0) & (lk.supplier < n) & (lk.criticality <= 1)
        sel &= hit[np.maximum(lk.customer, 0)]
        return lk.supplier[sel]
