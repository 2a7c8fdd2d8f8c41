"""Synthesis of the economy: firms, outside suppliers, supply links and the workforce.

Everything is drawn from the model's seeded generator, so a scenario and seed fix the
economy. Firms are not scaled (all 9,000+ exist at every ``scale``); workers are, each
simulated worker standing for ``staff / simulated workers`` real ones.

Reads: the scenario. Writes: the static ``Economy`` (never changed after setup).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.apportion import split
from sim.errors import ScenarioError
from sim.scenario import ROUTES, Scenario
from sim.whitelist import assign_batches

CRITICALITY = ("critical", "important", "non_critical")
MARKET = -1  # customer index of links that deliver to final demand
IN_CITY, INTER_PROVINCIAL = 0, 1
MAX_LOCAL_LOAD = 0.8  # share of a Shanghai supplier's output other Shanghai firms may buy


@dataclass
class Firms:
    """Shanghai enterprises, one row each."""

    chain: np.ndarray  # int8, index into scenario chain names
    tier: np.ndarray  # int8, 0 = final producer
    district: np.ndarray  # int8, index into district names
    batch: np.ndarray  # int8, white-list batch (0 = on no list)
    continuing: np.ndarray  # bool, kept running in closed loop through lockdown
    output: np.ndarray  # normal output, 10k yuan/day
    staff: np.ndarray  # persons required at normal output
    min_crew: np.ndarray
    beds: np.ndarray  # int, closed-loop beds in simulated workers
    seats: np.ndarray  # int, shuttle seats in simulated workers
    inventory_days: np.ndarray
    names: list[str]  # anchor name or "" for synthetic firms
    units_per_day: np.ndarray  # anchors: units at normal output, else 0
    city_priority: np.ndarray  # bool, restart coordinated by the city (anchors that say so)
    key_channel: np.ndarray  # bool, key firm with priority passes and point-to-point freight

    @property
    def n(self) -> int:
        return len(self.chain)


@dataclass
class Links:
    """Supply links: supplier -> customer (or final demand), sorted by customer."""

    supplier: np.ndarray  # producer index (firms first, then outside suppliers)
    customer: np.ndarray  # firm index, or MARKET
    route: np.ndarray  # int8: IN_CITY or INTER_PROVINCIAL
    criticality: np.ndarray  # int8 index into CRITICALITY, -1 for market links
    coefficient: np.ndarray  # input value per unit of the customer's output
    flow: np.ndarray  # normal daily flow, 10k yuan
    truck_value: np.ndarray  # goods value per truck trip
    fleet: np.ndarray  # trucks the link keeps (and needs passes for)
    transit: np.ndarray  # transit days
    slot: np.ndarray  # int32 input slot of the customer the link serves (-1 for market links)
    share: np.ndarray  # normal share of the slot's input bought on this link (0 for market)

    @property
    def n(self) -> int:
        return len(self.supplier)


@dataclass
class Slots:
    """Input slots: one per firm and input it buys (goods of one slot are interchangeable,
    whichever of its 1-3 suppliers delivers them), sorted by firm."""

    firm: np.ndarray  # int32 customer firm
    criticality: np.ndarray  # int8 index into CRITICALITY
    coefficient: np.ndarray  # input value per unit of the firm's output
    n_suppliers: np.ndarray  # int8 supplier links of the slot
    inventory_days: np.ndarray  # target days of cover (the firm's, or an anchor's for
    #   its critical inputs)

    @property
    def n(self) -> int:
        return len(self.firm)


@dataclass
class Workers:
    """Simulated workers as columns, sorted by employer."""

    employer: np.ndarray  # int32 firm index
    home: np.ndarray  # int8 home district
    compound: np.ndarray  # int32 residential compound
    starts: np.ndarray  # first worker of each firm (len firms + 1)
    weight: np.ndarray  # real workers per simulated worker, per firm

    @property
    def n(self) -> int:
        return len(self.employer)


@dataclass
class Economy:
    firms: Firms
    links: Links
    slots: Slots
    workers: Workers
    external_chain: np.ndarray  # chain of each outside supplier
    external_region: np.ndarray  # region index of each outside supplier
    external_capacity: np.ndarray  # normal capacity for Shanghai customers, 10k yuan/day
    compound_district: np.ndarray
    chain_names: list[str] = field(default_factory=list)
    district_names: list[str] = field(default_factory=list)

    @property
    def n_producers(self) -> int:
        return self.firms.n + len(self.external_chain)


def build_economy(sc: Scenario, rng: np.random.Generator) -> Economy:
    """Draw the synthetic economy of a scenario."""
    chains = list(sc.chains)
    districts = list(sc.districts)
    firms = _build_firms(sc, rng, chains, districts)
    outside = Outside(sc, rng, chains)
    links, slots = _build_links(sc, rng, firms, chains, outside)
    _finish_firms(sc, rng, firms, links, chains)
    ext_chain, ext_region = outside.chain, outside.region
    ext_capacity = sc.external.slack * np.bincount(
        links.supplier[links.supplier >= firms.n] - firms.n,
        weights=links.flow[links.supplier >= firms.n],
        minlength=len(ext_chain),
    )
    compound_district = _compounds(sc, districts)
    workers = _build_workers(sc, rng, firms, compound_district)
    return Economy(
        firms,
        links,
        slots,
        workers,
        ext_chain,
        ext_region,
        ext_capacity,
        compound_district,
        chains,
        districts,
    )


class Outside:
    """Suppliers in other provinces: ``economy.external_suppliers`` firms per chain, each in
    one region (drawn by the regions' shares, tilted by their chain weights)."""

    def __init__(self, sc: Scenario, rng, chains: list[str]) -> None:
        n_ext = sc.economy.external_suppliers
        regions = sc.external.regions
        self.offset = sc.economy.firms  # producer index of the first outside supplier
        self.per_chain = n_ext
        self.chain = np.repeat(np.arange(len(chains), dtype=np.int8), n_ext)
        region = np.empty(len(self.chain), np.int8)
        for ci, cname in enumerate(chains):
            p = np.array([r.share * r.chain_weights.get(cname, 1.0) for r in regions])
            if p.sum() <= 0:
                p = np.array([r.share for r in regions])
            counts = split(n_ext, p)
            region[ci * n_ext : (ci + 1) * n_ext] = np.repeat(
                np.arange(len(regions), dtype=np.int8), counts
            )
        self.region = region

    def draw(self, rng, chain: np.ndarray) -> np.ndarray:
        """A random outside supplier (producer index) of each given chain."""
        pick = rng.integers(0, self.per_chain, len(chain))
        return self.offset + chain.astype(np.int64) * self.per_chain + pick

    def draw_in(self, rng, chain: int, region: int, k: int) -> np.ndarray:
        """``k`` outside suppliers of one chain in one region (any region if it has none)."""
        members = np.flatnonzero((self.chain == chain) & (self.region == region))
        if not len(members):
            members = np.flatnonzero(self.chain == chain)
        return self.offset + rng.choice(members, size=k)


def _build_firms(sc: Scenario, rng, chains: list[str], districts: list[str]) -> Firms:
    n = sc.economy.firms
    cfg = [sc.chains[c] for c in chains]
    counts = split(n, np.array([c.firm_share for c in cfg]))
    anchors_by_chain = {c: [a for a in sc.anchors if a.chain == c] for c in chains}
    chain = np.repeat(np.arange(len(chains), dtype=np.int8), counts)
    tier = np.empty(n, np.int8)
    output = np.empty(n)
    staff = np.empty(n)
    district = np.empty(n, np.int8)
    names = [""] * n
    units = np.zeros(n)
    min_crew = np.array([cfg[c].min_crew for c in chain])
    continuing = np.zeros(n, bool)
    batch = np.zeros(n, np.int8)
    start = 0
    dweight = np.array([sc.districts[d].firm_weight for d in districts])
    for ci, cname in enumerate(chains):
        c = cfg[ci]
        sl = slice(start, start + counts[ci])
        k = counts[ci]
        anchors = anchors_by_chain[cname]
        if len(anchors) > k:
            raise ScenarioError("scenario", f"chain '{cname}' has more anchors than firms")
        tier[sl] = np.repeat(np.arange(3, dtype=np.int8), split(k, np.array(c.tiers)))
        size = rng.lognormal(0.0, sc.economy.size_sigma, k)
        size[: len(anchors)] = 0.0
        tier[start : start + len(anchors)] = 0
        chain_output = c.output_share * sc.economy.output_per_day
        chain_staff = c.worker_share * sc.economy.workers
        rest_output = chain_output - sum(a.output for a in anchors)
        rest_staff = chain_staff - sum(a.staff for a in anchors)
        if rest_output <= 0 or rest_staff <= 0:
            raise ScenarioError(
                "scenario",
                f"anchors of chain '{cname}' exceed the chain's output or staff",
                f"chains.{cname}",
            )
        output[sl] = rest_output * size / size.sum()
        staff[sl] = np.maximum(1.0, rest_staff * size / size.sum())
        dw = dweight * np.array([c.district_weights.get(d, 1.0) for d in districts])
        district[sl] = rng.choice(len(districts), size=k, p=dw / dw.sum())
        for j, a in enumerate(anchors):
            i = start + j
            output[i], staff[i], names[i], units[i] = a.output, a.staff, a.name, a.units_per_day
            district[i] = districts.index(a.district)
            continuing[i] = a.continuing
            if a.min_crew is not None:
                min_crew[i] = a.min_crew
            if a.batch is not None:
                batch[i] = a.batch
        start += k
    seats = np.array([cfg[c].shuttle_seats for c in chain])
    inventory = np.array([cfg[c].inventory_days for c in chain])
    for a in sc.anchors:
        if a.inventory_days is not None:
            inventory[names.index(a.name)] = a.inventory_days
    sim = _sim_workers(sc, staff)
    bed_count = np.zeros(n, np.int64)  # set once batches and continuing firms are known
    priority = np.zeros(n, bool)
    key = np.zeros(n, bool)
    for a in sc.anchors:
        priority[names.index(a.name)] = a.city_priority
        key[names.index(a.name)] = a.key_channel
    return Firms(
        chain,
        tier,
        district,
        batch,
        continuing,
        output,
        staff,
        min_crew,
        bed_count,
        np.round(seats * sim).astype(np.int64),
        inventory,
        names,
        units,
        priority,
        key,
    )


def _finish_firms(sc: Scenario, rng, firms: Firms, links: Links, chains: list[str]) -> None:
    """White-list batches (which may follow the supply links), continuing firms, beds."""
    assign_batches(sc, rng, firms, links, chains)
    fixed = np.array([bool(x) for x in firms.names])  # anchors say for themselves
    _assign_continuing(
        sc, rng, chains, firms.chain, firms.output, firms.batch, firms.continuing, fixed
    )
    cfg = [sc.chains[c] for c in chains]
    beds = np.array([cfg[c].closed_loop_beds for c in firms.chain])
    beds = np.where(firms.continuing, np.maximum(beds, sc.economy.continuing_beds), beds)
    sim = _sim_workers(sc, firms.staff)
    firms.beds[:] = np.round(beds * sim).astype(np.int64)
    for a in sc.anchors:
        i = firms.names.index(a.name)
        beds_i = round(a.closed_loop_beds * sim[i] / a.staff)
        if a.continuing:
            beds_i = max(beds_i, round(sc.economy.continuing_beds * sim[i]))
        firms.beds[i] = min(sim[i], beds_i)


def _pick_by_size(rng, pool: np.ndarray, share: float, output: np.ndarray) -> np.ndarray:
    """About ``share`` of ``pool``, larger firms more likely."""
    k = min(round(share * len(pool)), len(pool))
    if not k:
        return pool[:0]
    return rng.choice(pool, size=k, replace=False, p=output[pool] / output[pool].sum())


def _assign_continuing(sc, rng, chains, chain, output, batch, continuing, fixed) -> None:
    """Firms that kept producing in closed loop: big plants more often (continuous process).

    A batch may state the share of its firms still producing when listed (batch 1: "45% of
    them had halted output"); other firms follow their chain's continuing share.
    """
    decided = fixed.copy()
    for b, spec in enumerate(sc.policy.whitelist.batches, start=1):
        if spec.still_producing is not None:
            pool = np.flatnonzero((batch == b) & ~fixed)
            continuing[_pick_by_size(rng, pool, spec.still_producing, output)] = True
            decided[batch == b] = True
    for ci, cname in enumerate(chains):
        pool = np.flatnonzero((chain == ci) & ~decided)
        share = sc.chains[cname].continuing_share
        continuing[_pick_by_size(rng, pool, share, output)] = True


def _sim_workers(sc: Scenario, staff: np.ndarray) -> np.ndarray:
    sim = np.maximum(sc.economy.min_sim_workers, np.round(staff / sc.scale))
    return np.minimum(sim, np.maximum(1, np.ceil(staff))).astype(np.int64)


def _supplier_counts(sc: Scenario, rng, critical: bool, m: int) -> np.ndarray:
    """Suppliers of each of ``m`` input slots: a critical slot is single-sourced with the
    scenario's probability, otherwise 1-3 suppliers by ``economy.suppliers_per_input``."""
    p = np.array(sc.economy.suppliers_per_input, float)
    if not critical:
        return rng.choice(3, size=m, p=p / p.sum()) + 1
    multi = p[1:] / p[1:].sum() if p[1:].sum() > 0 else np.array([1.0, 0.0])
    k = rng.choice(2, size=m, p=multi) + 2
    return np.where(rng.random(m) < sc.economy.single_sourced_critical, 1, k)


def _build_links(
    sc: Scenario, rng, firms: Firms, chains: list[str], outside: Outside
) -> tuple[Links, Slots]:
    n = firms.n
    by_chain = [np.flatnonzero(firms.chain == c) for c in range(len(chains))]
    regions = [r.name for r in sc.external.regions]
    sole = {
        firms.names.index(a.name): regions.index(a.critical_source)
        for a in sc.anchors
        if a.critical_source
    }
    slot_firm, slot_crit, slot_coef = [], [], []
    sup, slot_of, share = [], [], []
    n_slots = 0
    for ci, cname in enumerate(chains):
        c = sc.chains[cname]
        members = by_chain[ci]
        total = sum(s.share for s in c.inputs)
        for spec in c.inputs:
            src = chains.index(spec.source)
            crit = CRITICALITY.index(spec.criticality)
            a = c.intermediate_share * spec.share / total
            same = src == ci
            pool_tier = firms.tier[by_chain[src]]
            for t in range(3):
                cust_t = members[firms.tier[members] == t]
                m = len(cust_t)
                if not m:
                    continue
                pool = by_chain[src][pool_tier == t + 1] if same else by_chain[src]
                if same and t == 2:
                    pool = pool[:0]
                k = _supplier_counts(sc, rng, crit == 0, m)
                fixed = np.array([crit == 0 and int(f) in sole for f in cust_t])
                k[fixed] = 1
                ids = n_slots + np.arange(m)
                rep = np.repeat(np.arange(m), k)
                go_local = (rng.random(len(rep)) < c.local_sourcing) & (len(pool) > 0)
                go_local &= ~fixed[rep]
                chosen = outside.draw(rng, np.full(len(rep), src))
                if go_local.any():
                    p = firms.output[pool] / firms.output[pool].sum()
                    chosen[go_local] = rng.choice(pool, size=int(go_local.sum()), p=p)
                for j in np.flatnonzero(fixed):
                    chosen[rep == j] = outside.draw_in(rng, src, sole[int(cust_t[j])], 1)
                u = rng.uniform(0.5, 1.5, len(rep))
                sup.append(chosen)
                slot_of.append(ids[rep])
                share.append(u / np.bincount(rep, weights=u, minlength=m)[rep])
                slot_firm.append(cust_t)
                slot_crit.append(np.full(m, crit, np.int8))
                slot_coef.append(np.full(m, a))
                n_slots += m
    s_firm = np.concatenate(slot_firm)
    s_coef = np.concatenate(slot_coef)
    sup_a, slot_a, share_a = np.concatenate(sup), np.concatenate(slot_of), np.concatenate(share)
    flow = s_coef[slot_a] * share_a * firms.output[s_firm[slot_a]]
    sup_a = _relieve_overloaded(rng, firms, sup_a, flow, outside)
    sup_a, slot_a, share_a = _merge_duplicates(sup_a, slot_a, share_a, n + len(outside.chain))
    # renumber slots in firm order so that links sorted by slot are sorted by customer
    order_s = np.argsort(s_firm, kind="stable")
    rank = np.empty(n_slots, np.int64)
    rank[order_s] = np.arange(n_slots)
    slot_a = rank[slot_a]
    s_firm, s_crit = s_firm[order_s], np.concatenate(slot_crit)[order_s]
    days = firms.inventory_days[s_firm].astype(float)
    for a in sc.anchors:
        if a.critical_stock_days is not None:
            days[(s_firm == firms.names.index(a.name)) & (s_crit == 0)] = a.critical_stock_days
    slots = Slots(
        s_firm.astype(np.int32),
        s_crit,
        s_coef[order_s],
        np.bincount(slot_a, minlength=n_slots).astype(np.int8),
        days,
    )
    cust_a = slots.firm[slot_a].astype(np.int64)
    coef_a = slots.coefficient[slot_a] * share_a
    flow = coef_a * firms.output[cust_a]
    # final demand: what is left of each firm's output, split between city and beyond
    sold_local = np.bincount(sup_a[sup_a < n], weights=flow[sup_a < n], minlength=n)
    final = firms.output - sold_local
    out_share = np.array([sc.chains[chains[c]].out_of_city_sales for c in firms.chain])
    m_sup = np.concatenate([np.arange(n), np.arange(n)])
    m_route = np.concatenate([np.zeros(n, np.int8), np.ones(n, np.int8)])
    m_flow = np.concatenate([final * (1 - out_share), final * out_share])
    keep = m_flow > 0
    n_m = int(keep.sum())
    supplier = np.concatenate([sup_a, m_sup[keep]])
    customer = np.concatenate([cust_a, np.full(n_m, MARKET)])
    route = np.concatenate([(sup_a >= n).astype(np.int8), m_route[keep]])
    criticality = np.concatenate([slots.criticality[slot_a], np.full(n_m, -1, np.int8)])
    coefficient = np.concatenate([coef_a, np.zeros(n_m)])
    slot = np.concatenate([slot_a, np.full(n_m, -1)]).astype(np.int32)
    link_share = np.concatenate([share_a, np.zeros(n_m)])
    flow = np.concatenate([flow, m_flow[keep]])
    prod_chain = np.concatenate([firms.chain, outside.chain])
    truck_value = np.array([sc.chains[chains[c]].truck_value for c in prod_chain[supplier]])
    log = sc.logistics
    trips_per_truck = np.array([log.trips_per_truck[r] for r in ROUTES])[route]
    fleet = np.ceil(flow / truck_value / trips_per_truck * log.fleet_slack)
    transit = np.array([log.transit_days[r] for r in ROUTES])[route]
    order = np.lexsort((supplier, np.where(slot < 0, n_slots, slot)))
    order = order[np.argsort(np.where(customer[order] < 0, n, customer[order]), kind="stable")]
    links = Links(
        supplier[order],
        customer[order],
        route[order],
        criticality[order],
        coefficient[order],
        flow[order],
        truck_value[order],
        fleet[order],
        transit[order],
        slot[order],
        link_share[order],
    )
    return links, slots


def _merge_duplicates(sup, slot, share, n_prod: int):
    """One link per (slot, supplier): a supplier drawn twice for a slot gets both shares."""
    key = slot.astype(np.int64) * n_prod + sup
    uniq, inv = np.unique(key, return_inverse=True)
    return uniq % n_prod, uniq // n_prod, np.bincount(inv, weights=share)


def _relieve_overloaded(rng, firms: Firms, sup, flow, outside: Outside) -> np.ndarray:
    """Move links off Shanghai suppliers that would sell more than they make to outside ones."""
    n = firms.n
    load = np.bincount(sup[sup < n], weights=flow[sup < n], minlength=n) / firms.output
    ratio = np.where(sup < n, load[np.minimum(sup, n - 1)], 0.0)
    over = ratio > MAX_LOCAL_LOAD
    move = over & (rng.random(len(sup)) > MAX_LOCAL_LOAD / np.maximum(ratio, 1e-12))
    src_chain = firms.chain[np.minimum(sup, n - 1)]
    sup = sup.copy()
    sup[move] = outside.draw(rng, src_chain[move])
    # a second pass catches suppliers still over after random thinning
    load = np.bincount(sup[sup < n], weights=flow[sup < n], minlength=n) / firms.output
    for s in np.flatnonzero(load > MAX_LOCAL_LOAD + 1e-9):
        idx = np.flatnonzero(sup == s)
        moved = idx[np.cumsum(flow[idx]) > MAX_LOCAL_LOAD * firms.output[s]]
        sup[moved] = outside.draw(rng, np.full(len(moved), firms.chain[s]))
    return sup


def _compounds(sc: Scenario, districts: list[str]) -> np.ndarray:
    pop = np.array([sc.districts[d].population for d in districts], float)
    counts = np.maximum(1, split(sc.economy.compounds, pop))
    return np.repeat(np.arange(len(districts), dtype=np.int8), counts)


def _build_workers(sc: Scenario, rng, firms: Firms, compound_district) -> Workers:
    sim = _sim_workers(sc, firms.staff)
    starts = np.concatenate([[0], np.cumsum(sim)])
    employer = np.repeat(np.arange(firms.n, dtype=np.int32), sim)
    n = len(employer)
    districts = list(sc.districts)
    pop = np.array([sc.districts[d].population for d in districts], float)
    # most workers live in their employer's district, the rest anywhere by population
    home = firms.district[employer].copy()
    elsewhere = rng.random(n) < sc.economy.commute_share
    home[elsewhere] = rng.choice(len(districts), size=int(elsewhere.sum()), p=pop / pop.sum())
    first = np.searchsorted(compound_district, np.arange(len(districts)))
    per = np.bincount(compound_district, minlength=len(districts))
    compound = (first[home] + rng.integers(0, 1 << 30, n) % per[home]).astype(np.int32)
    return Workers(employer, home.astype(np.int8), compound, starts, firms.staff / sim)
