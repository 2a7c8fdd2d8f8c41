"""Enterprises: partially binding Leontief production, inventories and ARIO-style orders.

Each firm is a Mesa agent; its state lives in the columns of ``EnterpriseBook`` so that the
daily production and ordering rules run over all 9,000+ firms at once.

Production (10k yuan/day) of firm i:
    x_i = xbar_i * min(f_demand, alpha_i * f_labour, f_inputs, f_logistics)
with f_labour = present/required (0 below the minimum crew), f_inputs the partially
binding Leontief factor (Pichler et al. 2022): critical inputs bind fully (S/(a xbar)),
important inputs bind with weight w (w S/(a xbar) + (1-w) alpha f_labour), non-critical
inputs not at all.

``production.inventory_rule: ario`` swaps S/(a xbar) for BoARIO's S/(psi s a xbar) (s the
target days): an input starts to bind once its stock falls below psi x target instead of
below one day's use, so inventory targets and the order time constant shape output (the
Leontief rule hardly ever binds with 20-day stocks). Under that rule the stock target
follows today's optimal output min(demand, capacity) and overproduction grows with the
scarcity (demand - output) / demand, as in BoARIO's ``ARIOPsiModel``.

Reads: which firms operate (policy calendar), staff on site (workforce), logistics' ``Offer``
(orders and shipping capacity) and ``Shipment`` (goods taken, goods arrived). Writes: only
the ``EnterpriseBook`` columns (output, stocks, finished goods, overtime, binding constraint).
Returns new input orders per link for logistics.
"""

from __future__ import annotations

import numpy as np

from sim.agents.views import AgentView
from sim.agents.worker import GATES
from sim.economy import MARKET, Economy
from sim.scenario import Scenario

# what binds a firm's output: not approved to operate, its own capacity (all staff on site,
# demand above what they make), the gate keeping most of its missing staff home, inputs,
# shipping, demand
LABOUR_CAUSES = tuple(g for g in GATES if g != "approval")
BOUND = ("approval", "capacity", *LABOUR_CAUSES, "inputs", "logistics", "demand")
APPROVAL, CAPACITY = 0, 1
INPUTS, LOGISTICS, DEMAND = (BOUND.index(b) for b in ("inputs", "logistics", "demand"))


class EnterpriseBook:
    """Columnar state of all Shanghai firms and their input inventories.

    Inventories are held per input slot (a firm's stock of one input, whichever supplier
    delivered it); each slot's orders are split over its 1-3 supplier links by order
    weights that move towards the suppliers that deliver (Inoue & Todo 2020) and back to
    the normal shares once all deliver.
    """

    def __init__(self, sc: Scenario, econ: Economy) -> None:
        f, lk, sl = econ.firms, econ.links, econ.slots
        self.n = f.n
        self.normal = f.output
        self.min_crew = f.min_crew
        self.sim_staff = np.diff(econ.workers.starts)
        p = sc.production
        self.alpha_max, self.alpha_tau = p.alpha_max, p.alpha_tau
        self.tau, self.w_imp = p.tau, p.important_weight
        self.ario = p.inventory_rule == "ario"
        self.psi = p.psi
        self.reorder = p.unmet_orders == "reorder"
        self.shift_days = p.order_shift_days
        self.fg_room = p.finished_goods_days * f.output
        self.n_in = int(np.sum(lk.customer != MARKET))  # input links come first
        self.n_slots = sl.n
        self.cust = sl.firm  # firm of each slot
        self.crit = sl.criticality
        self.coef = sl.coefficient
        self.use_normal = self.coef * f.output[self.cust]  # input use at normal output
        self.seg = np.searchsorted(self.cust, np.arange(f.n))
        self.link_slot = lk.slot[: self.n_in].astype(np.int64)
        self.share_normal = lk.share[: self.n_in]
        self.weight = self.share_normal.copy()  # share of the slot's orders on each link
        days = sl.inventory_days
        transit = self.slot_sum(self.share_normal * lk.transit[: self.n_in])
        self.cover_days = days + transit  # target stock + pipeline, days of normal use
        self.target = self.use_normal * self.cover_days
        self.stock = self.use_normal * days  # input inventories per slot, 10k yuan
        self.bind_days = self.psi * days if self.ario else None  # BoARIO: psi x target
        self.f_opt = np.ones(f.n)  # min(demand, capacity) / normal output
        self.output = f.output.copy()
        self.alpha = np.ones(f.n)
        self.fg = np.zeros(f.n)  # finished goods waiting to ship
        self.bound = np.full(f.n, DEMAND, np.int8)
        self.labour = np.ones(f.n)
        self.cover = np.full(f.n, np.inf)  # days of the scarcest critical input
        self.used = np.zeros(self.n_slots)  # inputs used up today, per slot

    def slot_sum(self, per_link: np.ndarray) -> np.ndarray:
        """Sum a per-input-link quantity over each slot's links."""
        return np.bincount(self.link_slot, weights=per_link, minlength=self.n_slots)

    def receive(self, arrived: np.ndarray) -> None:
        """Goods arriving on input links go into their slot's inventory."""
        self.stock += self.slot_sum(arrived)

    def input_factor(self, capacity: np.ndarray) -> np.ndarray:
        """Partially binding input factor per firm (Leontief, or BoARIO's psi rule)."""
        days = self.stock / np.maximum(self.use_normal, 1e-12)  # cover, days of normal use
        cover = days / self.bind_days if self.ario else days
        crit = np.where(self.crit == 0, cover, np.inf)
        imp = np.where(
            self.crit == 1, self.w_imp * cover + (1 - self.w_imp) * capacity[self.cust], np.inf
        )
        f_crit = np.minimum.reduceat(crit, self.seg)
        if self.ario:  # days of the scarcest critical input (the desk and metrics read it)
            self.cover = np.minimum.reduceat(np.where(self.crit == 0, days, np.inf), self.seg)
        else:
            self.cover = f_crit
        return np.minimum(f_crit, np.minimum.reduceat(imp, self.seg))

    def produce(self, operating, present, offer, kept_home=None) -> np.ndarray:
        """Stage 4: output under labour, input, logistics and demand constraints.

        ``offer`` is logistics' ``Offer`` (orders and shipping capacity per firm); returns
        the finished goods ready to ship. ``kept_home`` (firms x workforce gates) names why
        a labour-bound firm lacks staff.
        """
        demand, ship_capacity = offer.requests, offer.capacity
        lab = present / self.sim_staff
        lab[lab < self.min_crew - 1e-9] = 0.0
        self.labour = lab
        capacity = self.alpha * lab
        f_in = self.input_factor(capacity)
        f_log = (ship_capacity + np.maximum(self.fg_room - self.fg, 0.0)) / self.normal
        f_dem = np.maximum(demand - self.fg, 0.0) / self.normal
        factors = np.stack([f_dem, capacity, f_in, f_log])
        which = np.argmin(factors, axis=0)
        factor = np.maximum(factors[which, np.arange(self.n)], 0.0)
        factor[~operating] = 0.0
        self.bound = np.array([DEMAND, CAPACITY, INPUTS, LOGISTICS], np.int8)[which]
        short = (which == 1) & (lab < 1.0 - 1e-9)  # labour-bound with staff missing
        if short.any() and kept_home is not None:
            # gates after "approval", in LABOUR_CAUSES order
            cause = np.argmax(kept_home[short][:, 1:], axis=1)
            self.bound[short] = BOUND.index(LABOUR_CAUSES[0]) + cause
        self.bound[~operating] = APPROVAL
        self.output = factor * self.normal
        self.f_opt = np.where(operating, np.maximum(np.minimum(f_dem, capacity), 0.0), 0.0)
        used = np.minimum(self.stock, self.coef * self.output[self.cust])
        self.stock -= used
        self.used = used
        self.fg += self.output
        if self.ario:
            # BoARIO: overproduction grows with the scarcity (demand - output) / demand
            # towards alpha_max, and decays back to 1 when there is none
            want = np.maximum(demand - self.fg + self.output, 0.0)
            scarcity = np.where(want > 1e-12, (want - self.output) / np.maximum(want, 1e-12), 0.0)
            scarcity[~operating] = 0.0
            grow = (self.alpha_max - self.alpha) * scarcity
            self.alpha += np.where(scarcity > 1e-12, grow, 1.0 - self.alpha) / self.alpha_tau
            np.maximum(self.alpha, 1.0, out=self.alpha)
            return self.fg
        # overtime capacity grows while an operating firm's demand exceeds what its labour
        # allows (ARIO), and falls back otherwise
        goal = np.where(operating & (f_dem > capacity + 1e-9), self.alpha_max, 1.0)
        self.alpha += (goal - self.alpha) / self.alpha_tau
        return self.fg

    def dispatch(self, shipment) -> None:
        """Book a ``Shipment``: goods shipped leave the finished-goods stock, goods arrived
        enter input stocks, order weights shift towards suppliers that deliver."""
        self.fg = np.maximum(self.fg - shipment.taken, 0.0)
        self.receive(shipment.arrived[: self.n_in])
        self.shift_orders(shipment.fill)

    def shift_orders(self, fill: np.ndarray) -> None:
        """Move each slot's order weights towards suppliers that fill their orders.

        ``fill`` is today's shipped / outstanding per input link (1 where nothing was
        owed). The goal is the normal share times the fill rate, renormalised within the
        slot: a supplier that ships nothing loses its share to those that deliver, and a
        slot whose suppliers all deliver returns to its normal shares.
        """
        goal = self.share_normal * fill
        total = self.slot_sum(goal)[self.link_slot]
        goal = np.where(total > 1e-12, goal / np.maximum(total, 1e-12), self.weight)
        self.weight += (goal - self.weight) / self.shift_days

    def orders(self, operating, in_transit, outstanding) -> np.ndarray:
        """Stage 6: new orders per input link, restoring each slot's target cover with time
        constant tau and split over the slot's suppliers by the order weights.

        With unmet orders kept, the gap is net of what is already ordered and the result
        adds to the supplier's books; with reorder (BoARIO) unfilled orders lapse and the
        day's orders are today's use plus the positive stock gap / tau.
        """
        use = self.coef * self.output[self.cust]
        target = self.target
        if self.ario:  # BoARIO: target cover of today's optimal output
            target = self.use_normal * self.f_opt[self.cust] * self.cover_days
        if self.reorder:
            gap = np.maximum(target - (self.stock + self.slot_sum(in_transit)), 0.0)
            new = use + gap / self.tau
        else:
            gap = target - (self.stock + self.slot_sum(in_transit + outstanding))
            new = np.maximum(use + gap / self.tau, 0.0)
        new[~operating[self.cust]] = 0.0
        return new[self.link_slot] * self.weight


class Enterprise(AgentView):
    """A Shanghai industrial firm: a live view of row ``index`` of the model's columns."""

    fields = (
        "name",
        "chain",
        "district",
        "batch",
        "utilization",
        "binding_constraint",
        "operating",
        "staff_on_site",
        "staff_required",
        "input_cover_days",
    )

    @property
    def name(self) -> str:
        f = self.model.economy.firms
        return f.names[self.index] or f"firm_{self.index}"

    @property
    def chain(self) -> str:
        return self.model.economy.chain_names[self.model.economy.firms.chain[self.index]]

    @property
    def district(self) -> str:
        return self.model.economy.district_names[self.model.economy.firms.district[self.index]]

    @property
    def batch(self) -> int:
        """White-list batch (0: on no list)."""
        return int(self.model.economy.firms.batch[self.index])

    @property
    def utilization(self) -> float:
        """Today's output over normal output."""
        book = self.model.book
        return float(book.output[self.index] / book.normal[self.index])

    @property
    def binding_constraint(self) -> str:
        return BOUND[self.model.book.bound[self.index]]

    @property
    def operating(self) -> bool:
        """Allowed to work today (outside the lockdown rules, approved or continuing)."""
        return bool(self.model.calendar.operating[self.index])

    @property
    def staff_on_site(self) -> float:
        wf = self.model.workforce
        return float(wf.present[self.index] * self.model.economy.workers.weight[self.index])

    @property
    def staff_required(self) -> float:
        return float(self.model.economy.firms.staff[self.index])

    @property
    def input_cover_days(self) -> float:
        """Days of output the scarcest critical input still covers (inf: none used)."""
        return float(self.model.book.cover[self.index])


class Supplier(AgentView):
    """A supplier firm in another province: its region's own disruption schedule sets its
    output; what it does not ship stays in its stock."""

    fields = ("chain", "region", "capacity", "stock")

    @property
    def _row(self) -> int:
        return self.index - self.model.economy.firms.n

    @property
    def chain(self) -> str:
        econ = self.model.economy
        return econ.chain_names[econ.external_chain[self._row]]

    @property
    def region(self) -> str:
        r = self.model.economy.external_region[self._row]
        return self.model.params.external.regions[r].name

    @property
    def capacity(self) -> float:
        """Goods it makes for Shanghai customers today, 10k yuan."""
        return float(self.model.freight.external_supply[self._row])

    @property
    def stock(self) -> float:
        """Finished goods it holds for Shanghai customers, 10k yuan."""
        return float(self.model.freight.external_fg[self._row])
