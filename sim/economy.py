"""The static economy as numpy columns: Shanghai firms, outside suppliers, supply links,
input slots and simulated workers (`Economy`), one row per entity.

Built once at setup (``sim.economy_build``, or ``sim.io_economy`` from an IO table) and
never changed after: each engine component keeps its own state beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

CRITICALITY = ("critical", "important", "non_critical")
MARKET = -1  # customer index of links that deliver to final demand
IN_CITY, INTER_PROVINCIAL = 0, 1


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
