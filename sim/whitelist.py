"""Which firms a white-list batch names: chain-led, by size, or at random.

Chain-led (the seed: leading firms "lead the chain with points to drive the upstream and
downstream"): a batch lists its leading firms (OEMs and final producers, largest first, up
to ``leader_share`` of each chain's quota), then their Shanghai suppliers of critical and
important inputs, then those suppliers' suppliers, tier by tier, while each chain's quota
in the batch mix has room; what is left is filled by size.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.apportion import split
from sim.scenario import Scenario

# Firms and Links are sim.economy's columns; typed Any here because economy imports this
# module (the import graph must stay acyclic)
Firms = Links = Any

MARKET = -1


def _quotas(spec, chains: list[str]) -> dict[int, int]:
    mix = list(spec.chain_mix)
    counts = split(spec.firms, np.array([spec.chain_mix[c] for c in mix]))
    return {chains.index(c): int(k) for c, k in zip(mix, counts, strict=True)}


def assign_batches(sc: Scenario, rng, firms: Firms, links: Links, chains: list[str]) -> None:
    """Fill each batch's chain mix with the scenario's selection rule (anchors pre-set)."""
    wl = sc.policy.whitelist
    chain, output, batch = firms.chain, firms.output, firms.batch
    for b, spec in enumerate(wl.batches, start=1):
        quota = _quotas(spec, chains)
        for ci in quota:
            quota[ci] -= int(np.sum((batch == b) & (chain == ci)))
        if wl.selection == "chain_led":
            _chain_led(firms, links, b, quota, wl.leader_share)
        for ci, want in quota.items():
            pool = np.flatnonzero((chain == ci) & (batch == 0))
            want = min(max(want, 0), len(pool))
            if not want:
                continue
            p = None if wl.selection == "random" else output[pool] / output[pool].sum()
            batch[rng.choice(pool, size=want, replace=False, p=p)] = b


def _chain_led(firms: Firms, links: Links, b: int, quota: dict[int, int], lead: float) -> None:
    """Leaders, then their Shanghai suppliers of critical/important inputs, tier by tier."""
    chain, batch, n = firms.chain, firms.batch, firms.n
    for ci in quota:
        pool = np.flatnonzero((chain == ci) & (firms.tier == 0) & (batch == 0))
        k = min(
            max(
                round(lead * (quota[ci] + np.sum((batch == b) & (chain == ci))))
                - int(np.sum((batch == b) & (chain == ci) & (firms.tier == 0))),
                0,
            ),
            quota[ci],
            len(pool),
        )
        top = pool[np.argsort(-firms.output[pool], kind="stable")[:k]]
        batch[top] = b
        quota[ci] -= len(top)
    inputs = (links.customer != MARKET) & (links.supplier < n) & (links.criticality <= 1)
    frontier = np.zeros(n, bool)
    frontier[batch == b] = True
    while frontier.any() and any(q > 0 for q in quota.values()):
        sel = inputs & frontier[np.maximum(links.customer, 0)]
        sel &= batch[np.minimum(links.supplier, n - 1)] == 0
        idx = np.flatnonzero(sel)
        idx = idx[np.lexsort((-links.flow[idx], links.criticality[idx]))]
        _, first = np.unique(links.supplier[idx], return_index=True)
        cand = links.supplier[idx[np.sort(first)]]
        frontier[:] = False
        for s in cand:
            ci = int(chain[s])
            if quota.get(ci, 0) > 0:
                batch[s] = b
                quota[ci] -= 1
                frontier[s] = True


def coverage(firms: Firms, links: Links, n_batches: int) -> list[dict[str, float]]:
    """Per batch: share of its leading firms' critical Shanghai-sourced input value whose
    supplier is listed by then (leaders: the batch's OEMs and final producers)."""
    n = firms.n
    rows = []
    crit = (links.customer != MARKET) & (links.criticality == 0) & (links.supplier < n)
    for b in range(1, n_batches + 1):
        leaders = (firms.batch == b) & (firms.tier == 0)
        sel = crit & leaders[np.maximum(links.customer, 0)]
        sup_batch = firms.batch[np.minimum(links.supplier, n - 1)]
        listed = sel & (sup_batch > 0) & (sup_batch <= b)
        total = float(links.flow[sel].sum())
        rows.append(
            {
                "batch": b,
                "leaders": int(leaders.sum()),
                "critical_inputs_listed": float(links.flow[listed].sum()) / total if total else 0.0,
            }
        )
    return rows
