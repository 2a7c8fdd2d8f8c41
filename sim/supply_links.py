"""Supply links of the synthetic economy: outside suppliers by chain and region (`Outside`),
each firm's input slots with 1-3 suppliers (single-sourced shares of critical inputs),
Shanghai suppliers' loads capped, trucks, fleets and transit per link.

Reads the scenario and the firms; writes the `Links` and `Slots` of the static economy.
"""

from __future__ import annotations

import numpy as np

from sim.apportion import split
from sim.economy import CRITICALITY, MARKET, Firms, Links, Slots
from sim.scenario import ROUTES, Scenario

MAX_LOCAL_LOAD = 0.8  # share of a Shanghai supplier's output other Shanghai firms may buy


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


def _supplier_counts(sc: Scenario, rng, critical: bool, m: int) -> np.ndarray:
    """Suppliers of each of ``m`` input slots: a critical slot is single-sourced with the
    scenario's probability, otherwise 1-3 suppliers by ``economy.suppliers_per_input``."""
    p = np.array(sc.economy.suppliers_per_input, float)
    if not critical:
        return rng.choice(3, size=m, p=p / p.sum()) + 1
    multi = p[1:] / p[1:].sum() if p[1:].sum() > 0 else np.array([1.0, 0.0])
    k = rng.choice(2, size=m, p=multi) + 2
    return np.where(rng.random(m) < sc.economy.single_sourced_critical, 1, k)


def build_links(
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
