"""Synthesis of the economy: firms, outside suppliers, supply links and the workforce.

Everything is drawn from the model's seeded generator, so a scenario and seed fix the
economy. Firms are not scaled (all 9,000+ exist at every ``scale``); workers are, each
simulated worker standing for ``staff / simulated workers`` real ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.errors import ScenarioError
from sim.scenario import ROUTES, Scenario

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

    @property
    def n(self) -> int:
        return len(self.supplier)


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
    n_ext = sc.economy.external_suppliers
    ext_chain = np.repeat(np.arange(len(chains), dtype=np.int8), n_ext)
    region_p = np.array([r.share for r in sc.external.regions])
    ext_region = rng.choice(len(region_p), size=len(ext_chain), p=region_p / region_p.sum())
    links = _build_links(sc, rng, firms, chains, ext_chain)
    ext_capacity = sc.external.slack * np.bincount(
        links.supplier[links.supplier >= firms.n] - firms.n,
        weights=links.flow[links.supplier >= firms.n],
        minlength=len(ext_chain),
    )
    compound_district = _compounds(sc, districts)
    workers = _build_workers(sc, rng, firms, compound_district)
    return Economy(
        firms, links, workers, ext_chain, ext_region.astype(np.int8), ext_capacity,
        compound_district, chains, districts,
    )


def _split(total: int, shares: np.ndarray) -> np.ndarray:
    """Integer counts summing to ``total`` in proportion to ``shares`` (largest remainder)."""
    raw = total * shares / shares.sum()
    counts = np.floor(raw).astype(int)
    counts[np.argsort(counts - raw)[: total - counts.sum()]] += 1
    return counts


def _build_firms(sc: Scenario, rng, chains: list[str], districts: list[str]) -> Firms:
    n = sc.economy.firms
    cfg = [sc.chains[c] for c in chains]
    counts = _split(n, np.array([c.firm_share for c in cfg]))
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
        tier[sl] = np.repeat(np.arange(3, dtype=np.int8), _split(k, np.array(c.tiers)))
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
    _assign_batches(sc, rng, chains, chain, output, batch)
    fixed = np.array([bool(x) for x in names])  # anchors say for themselves
    _assign_continuing(sc, rng, chains, chain, output, batch, continuing, fixed)
    beds = np.array([cfg[c].closed_loop_beds for c in chain])
    beds = np.where(continuing, np.maximum(beds, sc.economy.continuing_beds), beds)
    seats = np.array([cfg[c].shuttle_seats for c in chain])
    inventory = np.array([cfg[c].inventory_days for c in chain])
    sim = _sim_workers(sc, staff)
    bed_count = np.round(beds * sim).astype(np.int64)
    for a in sc.anchors:
        i = names.index(a.name)
        beds_i = round(a.closed_loop_beds * sim[i] / a.staff)
        if a.continuing:
            beds_i = max(beds_i, round(sc.economy.continuing_beds * sim[i]))
        bed_count[i] = min(sim[i], beds_i)
    priority = np.zeros(n, bool)
    for a in sc.anchors:
        priority[names.index(a.name)] = a.city_priority
    return Firms(
        chain, tier, district, batch, continuing, output, staff, min_crew, bed_count,
        np.round(seats * sim).astype(np.int64), inventory, names, units, priority,
    )


def _assign_batches(sc, rng, chains, chain, output, batch) -> None:
    """Fill each white-list batch with its chain mix, larger firms more likely (key firms)."""
    for b, spec in enumerate(sc.policy.whitelist.batches, start=1):
        mix = list(spec.chain_mix)
        counts = _split(spec.firms, np.array([spec.chain_mix[c] for c in mix]))
        quota = dict(zip(mix, counts, strict=True))
        for cname in mix:
            ci = chains.index(cname)
            want = quota[cname] - int(np.sum((batch == b) & (chain == ci)))
            pool = np.flatnonzero((chain == ci) & (batch == 0))
            want = min(max(want, 0), len(pool))
            if want:
                p = output[pool] / output[pool].sum()
                batch[rng.choice(pool, size=want, replace=False, p=p)] = b


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


def _build_links(sc: Scenario, rng, firms: Firms, chains: list[str], ext_chain) -> Links:
    n = firms.n
    n_ext = sc.economy.external_suppliers
    by_chain = [np.flatnonzero(firms.chain == c) for c in range(len(chains))]
    sup, cust, crit, coef, local = [], [], [], [], []
    for ci, cname in enumerate(chains):
        c = sc.chains[cname]
        members = by_chain[ci]
        total = sum(s.share for s in c.inputs)
        for slot in c.inputs:
            src = chains.index(slot.source)
            a = c.intermediate_share * slot.share / total
            same = src == ci
            pool_tier = firms.tier[by_chain[src]]
            for t in range(3):
                cust_t = members[firms.tier[members] == t]
                if not len(cust_t):
                    continue
                pool = by_chain[src][pool_tier == t + 1] if same else by_chain[src]
                if same and t == 2:
                    pool = pool[:0]
                go_local = (rng.random(len(cust_t)) < c.local_sourcing) & (len(pool) > 0)
                chosen = np.full(len(cust_t), -1, np.int64)
                if len(pool) and go_local.any():
                    p = firms.output[pool] / firms.output[pool].sum()
                    chosen[go_local] = rng.choice(pool, size=int(go_local.sum()), p=p)
                ext = n + src * n_ext + rng.integers(0, n_ext, len(cust_t))
                chosen = np.where(chosen >= 0, chosen, ext)
                sup.append(chosen)
                cust.append(cust_t)
                crit.append(np.full(len(cust_t), CRITICALITY.index(slot.criticality)))
                coef.append(np.full(len(cust_t), a))
                local.append(chosen < n)
    sup_a = np.concatenate(sup)
    cust_a = np.concatenate(cust)
    coef_a = np.concatenate(coef)
    flow = coef_a * firms.output[cust_a]
    sup_a = _relieve_overloaded(rng, firms, sup_a, flow, n, n_ext)
    # final demand: what is left of each firm's output, split between city and beyond
    sold_local = np.bincount(sup_a[sup_a < n], weights=flow[sup_a < n], minlength=n)
    final = firms.output - sold_local
    out_share = np.array([sc.chains[chains[c]].out_of_city_sales for c in firms.chain])
    m_sup = np.concatenate([np.arange(n), np.arange(n)])
    m_route = np.concatenate([np.zeros(n, np.int8), np.ones(n, np.int8)])
    m_flow = np.concatenate([final * (1 - out_share), final * out_share])
    keep = m_flow > 0
    supplier = np.concatenate([sup_a, m_sup[keep]])
    customer = np.concatenate([cust_a, np.full(int(keep.sum()), MARKET)])
    route = np.concatenate([(sup_a >= n).astype(np.int8), m_route[keep]])
    criticality = np.concatenate([np.concatenate(crit).astype(np.int8), np.full(keep.sum(), -1)])
    coefficient = np.concatenate([coef_a, np.zeros(int(keep.sum()))])
    flow = np.concatenate([flow, m_flow[keep]])
    prod_chain = np.concatenate([firms.chain, ext_chain])
    truck_value = np.array([sc.chains[chains[c]].truck_value for c in prod_chain[supplier]])
    log = sc.logistics
    trips_per_truck = np.array([log.trips_per_truck[r] for r in ROUTES])[route]
    fleet = np.ceil(flow / truck_value / trips_per_truck * log.fleet_slack)
    transit = np.array([log.transit_days[r] for r in ROUTES])[route]
    order = np.lexsort((supplier, np.where(customer < 0, n, customer)))
    return Links(
        supplier[order], customer[order], route[order], criticality[order],
        coefficient[order], flow[order], truck_value[order], fleet[order], transit[order],
    )


def _relieve_overloaded(rng, firms: Firms, sup, flow, n: int, n_ext: int) -> np.ndarray:
    """Move links off Shanghai suppliers that would sell more than they make to outside ones."""
    load = np.bincount(sup[sup < n], weights=flow[sup < n], minlength=n) / firms.output
    ratio = np.where(sup < n, load[np.minimum(sup, n - 1)], 0.0)
    over = ratio > MAX_LOCAL_LOAD
    move = over & (rng.random(len(sup)) > MAX_LOCAL_LOAD / np.maximum(ratio, 1e-12))
    src_chain = firms.chain[np.minimum(sup, n - 1)].astype(np.int64)
    sup = sup.copy()
    sup[move] = n + src_chain[move] * n_ext + rng.integers(0, n_ext, int(move.sum()))
    # a second pass catches suppliers still over after random thinning
    load = np.bincount(sup[sup < n], weights=flow[sup < n], minlength=n) / firms.output
    for s in np.flatnonzero(load > MAX_LOCAL_LOAD + 1e-9):
        idx = np.flatnonzero(sup == s)
        moved = idx[np.cumsum(flow[idx]) > MAX_LOCAL_LOAD * firms.output[s]]
        sup[moved] = n + int(firms.chain[s]) * n_ext + rng.integers(0, n_ext, len(moved))
    return sup


def _compounds(sc: Scenario, districts: list[str]) -> np.ndarray:
    pop = np.array([sc.districts[d].population for d in districts], float)
    counts = np.maximum(1, _split(sc.economy.compounds, pop))
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
