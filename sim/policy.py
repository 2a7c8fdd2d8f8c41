"""Policy calendar: which rules are in force on each day, per district and per firm;
and the dated policy events marked on charts.

Dated inputs are turned into daily arrays once; each day the calendar updates firm
approvals (white-list batches, district approvals, reopening) and compound zoning.

Reads: the scenario and the economy's firms and compounds; the red/yellow desk's approvals
(through ``unblock``). Writes: only the calendar's own columns (regime, listed, operating,
compound status), which every later stage reads.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from sim.economy import Economy
from sim.scenario import ROUTES, Scenario
from sim.schedule import daily

SEALED, CONTROLLED, PRECAUTION = 0, 1, 2


class PolicyCalendar:
    """Daily policy state of one run."""

    def __init__(self, sc: Scenario, econ: Economy, rng: np.random.Generator) -> None:
        self.rng = rng
        first, last = np.datetime64(sc.start_date, "D"), np.datetime64(sc.end_date, "D")
        self.dates = np.arange(first, last + np.timedelta64(1, "D"))
        day = self._day_index
        reopen = day(sc.policy.reopening)
        districts = [sc.districts[d] for d in econ.district_names]
        own_end = np.array([day(d.reopening) if d.reopening else reopen for d in districts])
        lock = np.array(
            [day(d.lockdown) if d.lockdown else e for d, e in zip(districts, own_end, strict=True)]
        )
        t = np.arange(len(self.dates))
        self.district_regime = (t[None, :] >= lock[:, None]) & (t[None, :] < own_end[:, None])
        self.reopen_day = reopen
        self.batch_days = np.array([day(b.approved) for b in sc.policy.whitelist.batches], int)
        self.approval_rate = daily(sc.policy.whitelist.district_approval_rate, self.dates)
        # zoning shares per district and day: a district's own schedule, else the citywide one
        z = sc.zoning
        own = [z.districts.get(d) for d in econ.district_names]
        self.sealed = np.stack([daily((o or z).sealed, self.dates) for o in own])
        self.controlled = np.stack([daily((o or z).controlled, self.dates) for o in own])
        self.compound_district = econ.compound_district
        self.churn = sc.zoning.churn
        self.pass_regime = self._pass_days(sc)
        self.quota = {r: daily(getattr(sc.passes.daily_quota, r), self.dates) for r in ROUTES}
        self.permit_capacity = daily(sc.permits.daily_capacity, self.dates)
        self.drivers = np.stack(
            [daily(getattr(sc.logistics.driver_availability, r), self.dates) for r in ROUTES]
        )
        st = sc.logistics.transfer_stations
        self.station_trips = np.where(
            (t >= day(st.opens)) & self.pass_regime, st.count * st.trucks_per_day, 0.0
        )
        self.desk_open = t >= day(sc.red_yellow.opens)
        regions = sc.external.regions
        self.region_capacity = np.stack([daily(r.capacity, self.dates) for r in regions])
        self.region_handover = np.stack([daily(r.handover_share, self.dates) for r in regions])
        self.chain_demand = np.stack([daily(c.demand, self.dates) for c in sc.chains.values()])
        self.test_access = daily(sc.workforce.test_access, self.dates)
        self.infection_hazard = daily(sc.epidemic.infection_hazard, self.dates)

        firms = econ.firms
        self.firm_district = firms.district
        self.batch = firms.batch
        self.continuing = firms.continuing
        self.listed = np.zeros(firms.n, bool)  # may apply for permits and passes
        self.listed_batch = np.zeros(firms.n, bool)  # on a white-list batch approved by now
        self.unblocked = np.zeros(firms.n, bool)  # approved through the red/yellow desk
        self.district_approved = np.zeros(firms.n, bool)
        self.compound_u = rng.random(len(econ.compound_district))
        self.compound_status = np.full(len(econ.compound_district), PRECAUTION, np.int8)
        self.regime = np.zeros(firms.n, bool)
        self.regime_started = np.zeros(firms.n, bool)
        self.regime_ended = np.zeros(firms.n, bool)  # the firm's lockdown rules end today
        self.operating = np.ones(firms.n, bool)
        self.queue_order = np.arange(firms.n)  # firms in permit-queue order (set by the model)

    def _day_index(self, when) -> int:
        return int((np.datetime64(when, "D") - self.dates[0]).astype(int))

    def _pass_days(self, sc: Scenario) -> np.ndarray:
        start = sc.passes.required_from or (
            min((d.lockdown for d in sc.districts.values() if d.lockdown), default=None)
        )
        t = np.arange(len(self.dates))
        if start is None:
            return np.zeros(len(t), bool)
        return (t >= self._day_index(start)) & (t <= self._day_index(sc.passes.required_until))

    def advance(self, t: int) -> None:
        """Switch today's events on: approvals, lockdown regime, zoning."""
        previous = self.district_regime[self.firm_district, max(t - 1, 0)] & (t > 0)
        self.regime = self.district_regime[self.firm_district, t]
        self.regime_started = self.regime & ~previous
        self.regime_ended = previous & ~self.regime
        approved_batch = (self.batch > 0) & (self.batch_days[np.maximum(self.batch - 1, 0)] <= t)
        rate = self.approval_rate[t]
        if rate > 0:
            waiting = (self.batch == 0) & ~self.district_approved
            self.district_approved |= waiting & (self.rng.random(len(waiting)) < rate)
        self.listed_batch = approved_batch
        self.listed = approved_batch | self.district_approved | self.unblocked
        # firms outside the lockdown regime operate freely; continuing firms keep their loop
        self.operating = ~self.regime | self.listed | self.continuing
        self._rezone(t)

    def unblock(self, firms: np.ndarray) -> None:
        """Approve firms through the red/yellow desk; they may operate from the next day."""
        self.unblocked[firms] = True

    def _rezone(self, t: int) -> None:
        redraw = self.rng.random(len(self.compound_u)) < self.churn
        self.compound_u[redraw] = self.rng.random(int(redraw.sum()))
        d = self.compound_district
        s, c = self.sealed[d, t], self.controlled[d, t]
        u = self.compound_u
        self.compound_status = np.where(
            u < s, SEALED, np.where(u < s + c, CONTROLLED, PRECAUTION)
        ).astype(np.int8)

    @property
    def compound_free(self) -> np.ndarray:
        """Compounds whose residents may leave (precaution zones)."""
        return self.compound_status == PRECAUTION


def policy_events(sc: Scenario) -> list[tuple[date, str]]:
    """Dated policy events to mark on charts."""
    events: dict[date, str] = {}
    for name, d in sc.districts.items():
        if d.lockdown:
            events.setdefault(d.lockdown, f"lockdown {name}")
    locks = sorted({d.lockdown for d in sc.districts.values() if d.lockdown})
    if len(locks) > 1:
        events[locks[-1]] = "citywide lockdown"
    for i, b in enumerate(sc.policy.whitelist.batches, start=1):
        events[b.approved] = f"white list {i}"
    events[sc.logistics.transfer_stations.opens] = "transfer stations"
    events[sc.policy.reopening] = "reopening"
    lo, hi = sc.start_date, sc.end_date
    return sorted((d, label) for d, label in events.items() if lo <= d <= hi)
