"""Synthesis of the economy: firms, outside suppliers, supply links and the workforce.

Everything is drawn from the model's seeded generator, so a scenario and seed fix the
economy. Firms are not scaled (all 9,000+ exist at every ``scale``); workers are, each
simulated worker standing for ``staff / simulated workers`` real ones. The links are drawn
in ``sim.supply_links``.

Reads: the scenario. Writes: the static ``Economy`` (never changed after setup).
"""

from __future__ import annotations

import numpy as np

from sim.apportion import split
from sim.economy import Economy, Firms, Links, Workers
from sim.errors import ScenarioError
from sim.scenario import Scenario
from sim.supply_links import Outside, build_links
from sim.whitelist import assign_batches


def build_economy(sc: Scenario, rng: np.random.Generator) -> Economy:
    """Draw the synthetic economy of a scenario."""
    chains = list(sc.chains)
    districts = list(sc.districts)
    firms = _build_firms(sc, rng, chains, districts)
    outside = Outside(sc, rng, chains)
    links, slots = build_links(sc, rng, firms, chains, outside)
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
