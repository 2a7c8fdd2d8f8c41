"""An economy built from an input-output table instead of the Shanghai templates.

Every industry of the table (``sim/io_table.py``) becomes one or ``N`` firms, every input an
industry buys becomes supply links from the supplying industry's firms, and final demand
becomes market links, all in the same ``Economy`` structure the Shanghai builder produces,
so the engine (``EnterpriseBook``, ``Freight``) runs on it unchanged. Used to dock fugong
against BoARIO and as the path to another city's table.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import spsolve

from sim.economy import (
    CRITICALITY,
    IN_CITY,
    INTER_PROVINCIAL,
    MARKET,
    Economy,
    Firms,
    Links,
    Slots,
    Workers,
)
from sim.errors import ScenarioError
from sim.io_table import IOTable


def build_io_economy(
    table: IOTable,
    *,
    firms_per_industry: int = 1,
    suppliers_per_input: int | None = None,
    period_days: float = 365.0,
    inventory_days: float = 90.0,
    input_threshold: float = 1e-5,
    transit_days: tuple[int, int] = (0, 0),
    pool_regions: bool = True,
    rng: np.random.Generator | None = None,
    source: str = "io table",
) -> Economy:
    """Firms and links of an IO table, in the engine's ``Economy`` structure.

    Each industry becomes ``firms_per_industry`` equal firms. Each firm buys every input
    industry's goods from ``suppliers_per_input`` of that industry's firms drawn at random
    (default: all of them, which makes N firms behave as one); firm outputs then solve
    x = A_firms x + y so every firm's sales match its output. Inputs whose coefficient is
    below ``input_threshold`` are non-critical (BoARIO's technology threshold); all others
    bind. Outputs are per day (table flows / ``period_days``). Labour, permits and passes
    are not part of such an economy: every firm has one simulated worker and no crew floor.

    A firm's input slot is one *product* (sector): with ``pool_regions`` (BoARIO's
    product-level stocks) its supplier links in every region feed one stock; without it
    each supplier industry (region and sector) is a slot of its own.
    """
    x_ind = table.x
    n_ind = len(x_ind)
    used = table.z.sum(axis=0)
    if (x_ind <= 0).any():
        k = int(np.flatnonzero(x_ind <= 0)[0])
        raise ScenarioError(source, f"industry {table.industries[k]} has no output")
    if (used <= 0).any():
        k = int(np.flatnonzero(used <= 0)[0])
        raise ScenarioError(source, f"industry {table.industries[k]} buys no inputs")
    n_f = firms_per_industry
    k_sup = n_f if suppliers_per_input is None else min(suppliers_per_input, n_f)
    if k_sup < n_f and rng is None:
        raise ValueError("random supplier choice needs a generator")
    a_ind = table.z / x_ind[None, :]
    ind_of = np.repeat(np.arange(n_ind), n_f)  # industry of each firm
    n = n_ind * n_f
    sup, cust, coef = [], [], []
    s_idx, u_idx = np.nonzero(a_ind)
    for s, u in zip(s_idx, u_idx, strict=True):
        users = u * n_f + np.arange(n_f)
        if k_sup == n_f:
            chosen = np.tile(s * n_f + np.arange(n_f), (n_f, 1))
        else:
            chosen = s * n_f + np.argsort(rng.random((n_f, n_f)), axis=1)[:, :k_sup]
        sup.append(chosen.ravel())
        cust.append(np.repeat(users, k_sup))
        coef.append(np.full(n_f * k_sup, a_ind[s, u] / k_sup))
    sup_a, cust_a, coef_a = np.concatenate(sup), np.concatenate(cust), np.concatenate(coef)
    y_firm = table.y[ind_of] / n_f / period_days
    a_firm = sparse.csr_matrix((coef_a, (sup_a, cust_a)), shape=(n, n))
    output = np.asarray(spsolve((sparse.eye(n) - a_firm).tocsc(), y_firm))
    if (output <= 0).any():
        raise ScenarioError(source, "the table is not productive (outputs would be negative)")
    flow = coef_a * output[cust_a]
    n_s = len(table.sectors)
    region_of = ind_of // n_s
    route = np.where(region_of[sup_a] == region_of[cust_a], IN_CITY, INTER_PROVINCIAL)
    product = ind_of[sup_a] % n_s if pool_regions else ind_of[sup_a]
    n_prod = n_s if pool_regions else n_ind
    key = cust_a.astype(np.int64) * n_prod + product
    slot_key, link_slot = np.unique(key, return_inverse=True)  # sorted by firm
    n_slot = len(slot_key)
    slot_coef = np.bincount(link_slot, weights=coef_a, minlength=n_slot)
    slot_crit = np.where(slot_coef >= input_threshold, 0, CRITICALITY.index("non_critical"))
    critical = slot_crit[link_slot]
    share = coef_a / slot_coef[link_slot]
    slots = Slots(
        firm=(slot_key // n_prod).astype(np.int32),
        criticality=slot_crit.astype(np.int8),
        coefficient=slot_coef,
        n_suppliers=np.bincount(link_slot, minlength=n_slot).astype(np.int16),
        inventory_days=np.full(n_slot, float(inventory_days)),
    )
    has_fd = y_firm > 0
    m_sup = np.flatnonzero(has_fd)
    supplier = np.concatenate([sup_a, m_sup])
    customer = np.concatenate([cust_a, np.full(len(m_sup), MARKET)])
    routes = np.concatenate([route, np.full(len(m_sup), IN_CITY)]).astype(np.int8)
    flows = np.concatenate([flow, y_firm[m_sup]])
    crit = np.concatenate([critical, np.full(len(m_sup), -1)]).astype(np.int8)
    coefs = np.concatenate([coef_a, np.zeros(len(m_sup))])
    slot_of = np.concatenate([link_slot, np.full(len(m_sup), -1)]).astype(np.int32)
    shares = np.concatenate([share, np.zeros(len(m_sup))])
    truck_value = np.ones(len(flows))
    fleet = np.maximum(flows, 1e-9) * 1e3  # logistics never binds: 1,000x the normal trips
    transit = np.asarray(transit_days, np.int64)[routes]
    order = np.lexsort((supplier, np.where(customer < 0, n, customer)))
    links = Links(
        supplier[order],
        customer[order],
        routes[order],
        crit[order],
        coefs[order],
        flows[order],
        truck_value[order],
        fleet[order],
        transit[order],
        slot_of[order],
        shares[order],
    )
    names = [
        f"{table.industries[i][0]}/{table.industries[i][1]}/{j}"
        for i in range(n_ind)
        for j in range(n_f)
    ]
    firms = Firms(
        chain=(ind_of % n_s).astype(np.int16),
        tier=np.zeros(n, np.int8),
        district=region_of.astype(np.int16),
        batch=np.zeros(n, np.int8),
        continuing=np.ones(n, bool),
        output=output,
        staff=np.ones(n),
        min_crew=np.zeros(n),
        beds=np.ones(n, np.int64),
        seats=np.zeros(n, np.int64),
        inventory_days=np.full(n, float(inventory_days)),
        names=names,
        units_per_day=np.zeros(n),
        city_priority=np.zeros(n, bool),
        key_channel=np.zeros(n, bool),
    )
    workers = Workers(
        employer=np.arange(n, dtype=np.int32),
        home=region_of.astype(np.int8),
        compound=np.arange(n, dtype=np.int32),
        starts=np.arange(n + 1),
        weight=np.ones(n),
    )
    empty = np.zeros(0, np.int8)
    return Economy(
        firms,
        links,
        slots,
        workers,
        empty,
        empty,
        np.zeros(0),
        np.zeros(n, np.int8),
        list(table.sectors),
        list(table.regions),
    )


def industry_of_firms(econ: Economy) -> np.ndarray:
    """Industry index (region-major) of each firm of an IO economy."""
    n_s = len(econ.chain_names)
    return econ.firms.district.astype(np.int64) * n_s + econ.firms.chain
