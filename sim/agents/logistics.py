"""Logistics links: rationing at the supplier, trucks, passes, transfer stations, transit.

Goods move from a producer to a customer (or to final demand) on links. Suppliers ration
what they have proportionally over outstanding orders (optionally white-listed and red-light
customers first); a link ships at most its trip capacity, which under the pass regime is
capped by valid passes held and by drivers with valid tests, who work only on links of
operating firms with loads to carry; inter-provincial links may use the transfer stations'
hand-over capacity (extra days in transit). Shipped goods travel in a
transit-time pipeline and arrive in the customer's input inventory.

Reads: the policy calendar (pass rules, drivers, stations, outside regions, final demand),
the pass office's ``PassGrant``, the firms' finished goods and new input orders. Writes:
only the ``Freight`` columns (the pass book, capacity, orders, pipeline, trips). It returns what
the next stage needs: today's ``Offer`` (orders and shipping capacity per producer) before
production, and the ``Shipment`` (goods taken per firm, goods arrived per link) after it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.agents.views import AgentView
from sim.economy import INTER_PROVINCIAL, MARKET, Economy
from sim.scenario import ROUTES, Scenario


@dataclass
class Offer:
    """What production needs from logistics today, per Shanghai firm."""

    requests: np.ndarray  # outstanding orders (input orders plus final demand), 10k yuan
    capacity: np.ndarray  # goods value the firm's outgoing links can carry today


@dataclass
class Shipment:
    """What the day's shipping did: goods taken from each firm's stock, goods arrived."""

    taken: np.ndarray  # per Shanghai firm, 10k yuan
    arrived: np.ndarray  # per input link (customer's inventory), 10k yuan
    fill: np.ndarray  # shipped / outstanding per input link (1 where nothing was owed)


class PassBook:
    """Vehicle passes held per link, by issue day: they lapse, are renewed and are withdrawn.

    A pass is issued for one vehicle on one route and is valid ``validity_days`` from its
    issue day; within its validity the truck may make any number of trips. When it lapses
    the link applies again and competes for the same daily quota as new applications. A
    link whose Shanghai firm stops operating (either end) loses its passes at once. The
    book is Freight's; the pass office reads it and returns a ``PassGrant``.
    """

    def __init__(self, n_links: int, validity_days: int) -> None:
        self.validity = validity_days
        self.cohort = np.zeros((validity_days, n_links))  # row d % validity: issued on day d
        self.held = np.zeros(n_links)  # trucks holding a valid pass
        self.applied = np.full(n_links, -1, np.int32)  # day the waiting application was filed
        self.expired_today = 0.0
        self.withdrawn_today = 0.0

    def lapsing(self, t: int) -> np.ndarray:
        """Passes per link that lapse today (issued ``validity`` days ago)."""
        return self.cohort[t % self.validity]

    def expire(self, t: int) -> None:
        """Passes issued ``validity`` days ago lapse today."""
        row = self.cohort[t % self.validity]
        self.expired_today = float(row.sum())
        if self.expired_today:
            self.held = np.maximum(self.held - row, 0.0)
            row[:] = 0.0

    def withdraw(self, links: np.ndarray) -> None:
        """Passes of links whose firm stopped (boolean mask) are withdrawn."""
        hit = links & (self.held > 0)
        self.withdrawn_today = float(self.held[hit].sum())
        if self.withdrawn_today:
            self.held[hit] = 0.0
            self.cohort[:, hit] = 0.0

    def grant(self, idx: np.ndarray, amount: np.ndarray, t: int) -> None:
        """Issue ``amount`` passes to links ``idx`` today, valid ``validity`` days."""
        self.cohort[t % self.validity, idx] += amount
        self.held[idx] += amount

    def clear(self) -> None:
        """The regime is over: nothing is held or waiting."""
        if self.held.any():
            self.held[:] = 0.0
            self.cohort[:] = 0.0
        self.applied[:] = -1


def operating_links(lk, n_firms: int, operating: np.ndarray) -> np.ndarray:
    """Links whose both ends may work: the supplier produces, the customer receives."""
    sup_ok = (lk.supplier >= n_firms) | operating[np.minimum(lk.supplier, n_firms - 1)]
    cust_ok = (lk.customer == MARKET) | operating[np.maximum(lk.customer, 0)]
    return sup_ok & cust_ok


class Freight:
    """Columnar state of all links: passes, outstanding orders, goods in transit."""

    def __init__(self, sc: Scenario, econ: Economy) -> None:
        lk = econ.links
        self.links = lk
        self.n_firms = econ.firms.n
        self.n_prod = econ.n_producers
        self.n_in = int(np.sum(lk.customer != MARKET))
        self.trips_per_truck = np.array([sc.logistics.trips_per_truck[r] for r in ROUTES])[lk.route]
        self.inter = lk.route == INTER_PROVINCIAL
        self.route_fleet = np.bincount(lk.route, weights=lk.fleet, minlength=len(ROUTES))
        self.handover = sc.logistics.transfer_stations.handover_days
        self.horizon = int(lk.transit.max()) + self.handover + 1
        self.pipeline = np.zeros((lk.n, self.horizon))
        goods = lk.customer != MARKET
        for lag in range(int(lk.transit.max())):  # goods already on the road at the start
            self.pipeline[:, lag] = np.where((lag < lk.transit) & goods, lk.flow, 0.0)
        self.in_transit = self.pipeline.sum(axis=1)
        self.outstanding = lk.flow.copy()  # orders waiting to be filled, 10k yuan
        self.pass_book = PassBook(lk.n, sc.passes.validity_days)  # valid passes by issue day
        self.capacity = lk.flow.copy()
        self.shipped = lk.flow.copy()
        self.trips = lk.flow / lk.truck_value
        self.trucks_used = np.zeros(lk.n)
        self.normal_trips = lk.flow / lk.truck_value
        self.market = lk.customer == MARKET
        self.market_base = np.where(self.market, lk.flow, 0.0)
        self.backlog = np.zeros(lk.n)
        self.backlog_share = sc.demand.backlog_share
        self.retention = sc.demand.backlog_retention
        self.reorder = sc.production.unmet_orders == "reorder"
        prod_chain = np.concatenate([econ.firms.chain, econ.external_chain])
        self.supplier_chain = prod_chain[lk.supplier]
        self.external_region = econ.external_region
        self.external_normal = econ.external_capacity
        self.external_supply = econ.external_capacity.copy()  # today's production
        # outside suppliers keep what they do not ship, up to stock_days of normal sales
        self.external_room = sc.external.stock_days * econ.external_capacity / sc.external.slack
        self.external_fg = self.external_room.copy()
        self.arrived = np.zeros(lk.n)
        self.fill = np.ones(self.n_in)  # today's shipped / outstanding per input link
        n = econ.firms.n
        owner = np.where(lk.customer == MARKET, lk.supplier, lk.customer)
        self.key = (owner < n) & econ.firms.key_channel[np.minimum(owner, n - 1)]
        inbound = (lk.supplier >= n) & (lk.customer != MARKET) & ~self.key
        # region of the outside supplier of each inbound link (-1: no hand-over rule)
        ext_region = np.append(econ.external_region, -1)  # -1: an economy without any
        self.handover_region = np.where(inbound, ext_region[np.maximum(lk.supplier - n, 0)], -1)

    @property
    def passes(self) -> np.ndarray:
        """Trucks per link holding a valid pass."""
        return self.pass_book.held

    def take_passes(self, grant) -> None:
        """Apply the pass office's decisions (``PassGrant``): today's lapses, withdrawals
        and grants; None when passes are not required (nothing is held)."""
        book = self.pass_book
        if grant is None:
            book.clear()
            return
        book.expire(grant.day)
        book.withdraw(grant.withdrawn)
        given = np.flatnonzero(grant.granted > 0)
        book.grant(given, grant.granted[given], grant.day)
        book.applied[:] = grant.applied

    def open_day(self, t: int, cal) -> Offer:
        """Today's trip capacity and the orders waiting, per Shanghai firm."""
        capacity = self.set_capacity(t, cal)[: self.n_firms]
        return Offer(self.requests()[: self.n_firms], capacity)

    def requests(self) -> np.ndarray:
        """Outstanding orders per producer (input orders plus final demand)."""
        return np.bincount(self.links.supplier, weights=self.outstanding, minlength=self.n_prod)

    def set_capacity(self, t: int, cal) -> np.ndarray:
        """Today's trip capacity per link in goods value; returns it per producer.

        Only links of operating firms run trucks (under the pass regime: those holding
        valid passes), and no more trucks than their outstanding orders fill. Drivers with
        valid tests are a citywide pool per route class, a share of the normal fleet's
        drivers; when those trucks need more drivers than the pool has, every link of that
        route runs the same share of them.
        """
        lk = self.links
        allowed = np.minimum(self.passes, lk.fleet) if cal.pass_regime[t] else lk.fleet
        loads = self.outstanding / (self.trips_per_truck * lk.truck_value)
        active = operating_links(lk, self.n_firms, cal.operating)
        trucks = np.where(active, np.minimum(allowed, loads), 0.0)
        pool = cal.drivers[:, t] * self.route_fleet
        running = np.bincount(lk.route, weights=trucks, minlength=len(pool))
        staffed = np.minimum(1.0, pool / np.maximum(running, 1e-12))
        # key firms' point-to-point freight runs with its own closed-loop drivers
        staffed_link = np.where(self.key, 1.0, staffed[lk.route])
        self.capacity = trucks * staffed_link * self.trips_per_truck * lk.truck_value
        self.external_supply = self.external_normal * cal.region_capacity[self.external_region, t]
        self.external_fg += self.external_supply
        return np.bincount(lk.supplier, weights=self.capacity, minlength=self.n_prod)

    def ship(self, t: int, cal, fg: np.ndarray, priority: np.ndarray | None) -> Shipment:
        """Stage 5: ration, ship within capacity, advance the pipeline.

        Returns goods taken from each Shanghai firm's finished-goods stock ``fg`` and goods
        arrived on each link.
        """
        lk = self.links
        available = np.concatenate([fg, self.external_fg])
        alloc = self._ration(available, priority)
        # trucks from regions whose drivers may not enter must hand over at a station
        must = alloc * self._handover_share(t, cal)
        direct = np.minimum(alloc - must, self.capacity)
        station = self._station(t, cal, must, alloc - must - direct)
        shipped = direct + station
        want = self.outstanding[: self.n_in]
        self.fill = np.where(want > 1e-9, shipped[: self.n_in] / np.maximum(want, 1e-12), 1.0)
        self.shipped = shipped
        self.trips = shipped / lk.truck_value
        self.trucks_used = direct / lk.truck_value / self.trips_per_truck
        # into the pipeline, arrival slot t + transit (+ hand-over via a station)
        goods = ~self.market
        rows = np.flatnonzero(goods)
        slot = (t + lk.transit[rows]) % self.horizon
        self.pipeline[rows, slot] += direct[rows]
        slot_st = (t + lk.transit[rows] + self.handover) % self.horizon
        self.pipeline[rows, slot_st] += station[rows]
        self.in_transit += np.where(goods, shipped, 0.0)
        self.arrived = self.pipeline[:, t % self.horizon].copy()
        self.pipeline[:, t % self.horizon] = 0.0
        self.in_transit -= self.arrived
        self._settle_orders(shipped)
        taken = np.bincount(lk.supplier, weights=shipped, minlength=self.n_prod)
        self.external_fg = np.minimum(
            np.maximum(self.external_fg - taken[self.n_firms :], 0.0), self.external_room
        )
        return Shipment(taken[: self.n_firms], self.arrived, self.fill)

    def _handover_share(self, t: int, cal) -> np.ndarray:
        """Per link, the share of today's goods that must go through a transfer station."""
        if not cal.pass_regime[t]:
            return np.zeros(self.links.n)
        share = cal.region_handover[:, t]
        r = self.handover_region
        return np.where(r >= 0, share[np.maximum(r, 0)], 0.0)

    def _ration(self, available: np.ndarray, priority: np.ndarray | None) -> np.ndarray:
        """Proportional rationing over outstanding orders; priority customers first."""
        sup, want = self.links.supplier, self.outstanding
        if priority is None:
            total = np.bincount(sup, weights=want, minlength=self.n_prod)
            share = np.minimum(1.0, available / np.maximum(total, 1e-12))
            return want * share[sup]
        first = np.bincount(sup, weights=want * priority, minlength=self.n_prod)
        r1 = np.minimum(1.0, available / np.maximum(first, 1e-12))
        rest = np.bincount(sup, weights=want * ~priority, minlength=self.n_prod)
        left = np.maximum(available - r1 * first, 0.0)
        r2 = np.minimum(1.0, left / np.maximum(rest, 1e-12))
        return want * np.where(priority, r1[sup], r2[sup])

    def _station(self, t: int, cal, must: np.ndarray, overflow: np.ndarray) -> np.ndarray:
        """Inter-provincial goods handed over at the transfer stations: first those whose
        trucks may not enter, then what the links' own passes and drivers could not carry."""
        pool = cal.station_trips[t]
        out = np.zeros_like(must)
        for goods in (must, overflow):
            if pool <= 0:
                break
            trips = np.where(self.inter, goods, 0.0) / self.links.truck_value
            total = trips.sum()
            if total <= 0:
                continue
            take = min(1.0, pool / total)
            out += trips * take * self.links.truck_value
            pool -= total * take
        return out

    def _settle_orders(self, shipped: np.ndarray) -> None:
        """Filled orders leave the books; unmet final demand is partly kept as backlog."""
        unmet = self.outstanding - shipped
        m = self.market
        owed = np.where(m, self.backlog, 0.0)
        wanted = np.maximum(self.outstanding, 1e-12)
        from_backlog = unmet * owed / wanted
        from_new = unmet - from_backlog
        self.backlog = np.where(
            m, self.backlog_share * from_new + self.retention * from_backlog, 0.0
        )
        self.outstanding = np.where(m, 0.0, unmet)

    def place_orders(self, t: int, cal, new_input_orders: np.ndarray) -> None:
        """Stage 6: add customers' new orders (or, under reorder, replace the unfilled
        ones with them) and tomorrow's final demand."""
        if self.reorder:
            self.outstanding[: self.n_in] = new_input_orders
        else:
            self.outstanding[: self.n_in] += new_input_orders
        nxt = min(t + 1, cal.chain_demand.shape[1] - 1)
        shock = cal.chain_demand[self.supplier_chain, nxt]
        self.outstanding = np.where(
            self.market, self.market_base * shock + self.backlog, self.outstanding
        )


class LogisticsLink(AgentView):
    """A supplier-to-customer route: a live view of row ``index`` of the freight columns."""

    fields = (
        "supplier",
        "customer",
        "route",
        "passes_held",
        "trips_today",
        "in_transit",
        "outstanding",
    )

    @property
    def supplier(self) -> int:
        """Producer index: a Shanghai firm below ``economy.firms.n``, else an outside supplier."""
        return int(self.model.economy.links.supplier[self.index])

    @property
    def customer(self) -> int:
        """Customer firm index, or MARKET (-1) for final demand."""
        return int(self.model.economy.links.customer[self.index])

    @property
    def route(self) -> str:
        return ROUTES[self.model.economy.links.route[self.index]]

    @property
    def passes_held(self) -> float:
        return float(self.model.freight.passes[self.index])

    @property
    def trips_today(self) -> float:
        return float(self.model.freight.trips[self.index])

    @property
    def in_transit(self) -> float:
        return float(self.model.freight.in_transit[self.index])

    @property
    def outstanding(self) -> float:
        """Orders not yet shipped, 10k yuan."""
        return float(self.model.freight.outstanding[self.index])
