"""Daily measures per group, recorded as columns (never agent reporters over workers).

Each day a firm-level matrix of raw quantities is summed into groups with one sparse
matrix product; ratios (utilization, shares, indices) are formed when the run ends.

Reads: every component's columns at the end of the day. Writes: only its own arrays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from sim.agents.enterprise import BOUND
from sim.agents.worker import GATES
from sim.economy import MARKET

RAW = (
    "output",
    "normal_output",
    "resumed",
    "firms",
    "staff_on_site",
    "staff_required",
    "staff_in_closed_loop",
    "staff_transferred_cum",
    *(f"staff_kept_home_by_{g}" for g in GATES),
    "permits_applied_cum",
    "permits_issued_cum",
    "passes_issued",
    "passes_used",
    "truck_trips",
    "normal_trips",
    "cover_weighted",
    "cover_weight",
    *(f"bound_{b}" for b in BOUND),
    "units_produced",
    "lead_critical",
    "lead_critical_listed",
)
COL = {name: i for i, name in enumerate(RAW)}

METRICS = (
    "capacity_utilization",
    "output",
    "resumption_rate",
    "staff_on_site",
    "staff_required",
    "staff_in_closed_loop",
    "staff_transferred_cum",
    *(f"staff_kept_home_by_{g}" for g in GATES),
    "permits_applied_cum",
    "permits_issued_cum",
    "permits_pending",
    "passes_issued",
    "passes_used",
    "truck_trips",
    "truck_trips_index",
    "input_cover_days",
    *(f"share_bound_{b}" for b in BOUND),
    "critical_inputs_listed",
)
TIERS = ("oem", "1", "2")  # tier 0 sells to final demand (OEMs, final producers)
COVER_CAP = 120.0  # days; cover above this counts as this much (firms not using inputs)


def build_groups(econ, batches: int) -> tuple[list[str], sparse.csr_matrix]:
    """Group names and a (groups x firms) membership matrix."""
    f = econ.firms
    names: list[str] = ["all"]
    masks: list[np.ndarray] = [np.ones(f.n, bool)]
    for i, c in enumerate(econ.chain_names):
        names.append(f"chain:{c}")
        masks.append(f.chain == i)
    for b in range(1, batches + 1):
        names.append(f"batch:{b}")
        masks.append(f.batch == b)
    for t, label in enumerate(TIERS):
        names.append(f"tier:{label}")
        masks.append(f.tier == t)
    for i, c in enumerate(econ.chain_names):
        for t, label in enumerate(TIERS):
            names.append(f"chain_tier:{c}/{label}")
            masks.append((f.chain == i) & (f.tier == t))
    names += ["batch:none", "whitelist", "batch:1-2"]
    masks += [f.batch == 0, f.batch > 0, (f.batch == 1) | (f.batch == 2)]
    for i, d in enumerate(econ.district_names):
        names.append(f"district:{d}")
        masks.append(f.district == i)
    for i, name in enumerate(f.names):
        if name:
            names.append(f"firm:{name}")
            masks.append(np.arange(f.n) == i)
    matrix = sparse.csr_matrix(np.vstack(masks).astype(float))
    return names, matrix


class Recorder:
    """Columnar daily recorder: days x groups x raw quantities."""

    def __init__(self, model, outputs_only: bool = False) -> None:
        econ = model.economy
        self.outputs_only = outputs_only  # baseline runs need output and nothing else
        self.groups, self.matrix = build_groups(econ, len(model.params.policy.whitelist.batches))
        self.data = np.zeros((model.n_days, len(self.groups), len(RAW)))
        self.firm_values = np.zeros((econ.firms.n, len(RAW)))
        n = econ.firms.n
        lk = econ.links
        owner = np.where(lk.customer == MARKET, lk.supplier, lk.customer)
        self.link_owner = np.where(owner < n, owner, 0)
        self.firm_values[:, COL["firms"]] = 1.0
        self.firm_values[:, COL["normal_output"]] = econ.firms.output
        self.firm_values[:, COL["normal_trips"]] = np.bincount(
            self.link_owner, weights=lk.flow / lk.truck_value, minlength=n
        )
        # final producers' critical inputs bought in Shanghai: is their supplier listed?
        f = econ.firms
        cust = np.maximum(lk.customer, 0)
        lead = (lk.customer != MARKET) & (lk.criticality == 0) & (lk.supplier < n)
        lead &= f.tier[cust] == 0
        self.lead_links = np.flatnonzero(lead)
        self.firm_values[:, COL["lead_critical"]] = np.bincount(
            cust[lead], weights=lk.flow[lead], minlength=n
        )

    def record(self, t: int, model) -> None:
        econ, book, wf, fr = model.economy, model.book, model.workforce, model.freight
        v, n, w = self.firm_values, econ.firms.n, econ.workers.weight
        v[:, COL["output"]] = book.output
        if self.outputs_only:
            self.data[t, :, COL["output"]] = self.matrix @ book.output
            return
        v[:, COL["resumed"]] = book.output > model.params.resumption_threshold * book.normal
        v[:, COL["staff_on_site"]] = wf.present * w
        v[:, COL["staff_required"]] = model.calendar.operating * econ.firms.staff
        v[:, COL["staff_in_closed_loop"]] = wf.loop_count * w
        v[:, COL["staff_transferred_cum"]] = wf.transferred_count * w
        kept = COL[f"staff_kept_home_by_{GATES[0]}"]
        v[:, kept : kept + len(GATES)] = wf.kept_home * w[:, None]
        v[:, COL["permits_applied_cum"]] = wf.applied_count * w
        v[:, COL["permits_issued_cum"]] = wf.issued_count * w
        owner = self.link_owner
        v[:, COL["passes_issued"]] = np.bincount(owner, weights=fr.passes, minlength=n)
        v[:, COL["passes_used"]] = np.bincount(owner, weights=fr.trucks_used, minlength=n)
        v[:, COL["truck_trips"]] = np.bincount(owner, weights=fr.trips, minlength=n)
        finite = np.isfinite(book.cover)
        cover = np.minimum(np.where(finite, book.cover, 0.0), COVER_CAP)
        v[:, COL["cover_weighted"]] = cover * book.normal * finite
        v[:, COL["cover_weight"]] = book.normal * finite
        first = COL[f"bound_{BOUND[0]}"]
        v[:, first : first + len(BOUND)] = book.bound[:, None] == np.arange(len(BOUND))
        v[:, COL["units_produced"]] = book.output / book.normal * econ.firms.units_per_day
        lk, idx = econ.links, self.lead_links
        listed = model.calendar.listed_batch[lk.supplier[idx]]
        v[:, COL["lead_critical_listed"]] = np.bincount(
            lk.customer[idx], weights=lk.flow[idx] * listed, minlength=n
        )
        self.data[t] = self.matrix @ v

    def value(self, metric: str, group: str, t: int) -> float:
        """One metric of one group on day ``t`` (0 where undefined, as in ``tidy``)."""
        g = self.groups.index(group)
        return float(np.nan_to_num(measures(self.data[t : t + 1, g : g + 1])[metric][0, 0]))

    def tidy(self, dates: np.ndarray) -> pd.DataFrame:
        """Long table: date, group, metric, value."""
        d = self.data
        out = measures(d)
        frames = []
        n_days, n_groups = d.shape[:2]
        date_col = np.repeat(dates, n_groups)
        group_col = np.tile(np.array(self.groups, dtype=object), n_days)
        for name, arr in out.items():
            frames.append(_frame(date_col, group_col, name, arr.reshape(-1)))
        firm_groups = [i for i, g in enumerate(self.groups) if g.startswith("firm:")]
        if firm_groups:
            units = d[:, firm_groups, COL["units_produced"]].reshape(-1)
            frames.append(
                _frame(
                    np.repeat(dates, len(firm_groups)),
                    np.tile(np.array([self.groups[i] for i in firm_groups], object), n_days),
                    "units_produced",
                    units,
                )
            )
        return pd.concat(frames, ignore_index=True)


def measures(data: np.ndarray) -> dict[str, np.ndarray]:
    """Each metric of ``METRICS`` as a (days x groups) array, from raw daily sums."""
    col = {k: data[:, :, i] for k, i in COL.items()}
    with np.errstate(divide="ignore", invalid="ignore"):
        out = {
            "capacity_utilization": col["output"] / col["normal_output"],
            "output": col["output"],
            "resumption_rate": col["resumed"] / col["firms"],
            "staff_on_site": col["staff_on_site"],
            "staff_required": col["staff_required"],
            "staff_in_closed_loop": col["staff_in_closed_loop"],
            "staff_transferred_cum": col["staff_transferred_cum"],
            **{f"staff_kept_home_by_{g}": col[f"staff_kept_home_by_{g}"] for g in GATES},
            "permits_applied_cum": col["permits_applied_cum"],
            "permits_issued_cum": col["permits_issued_cum"],
            "permits_pending": col["permits_applied_cum"] - col["permits_issued_cum"],
            "passes_issued": col["passes_issued"],
            "passes_used": col["passes_used"],
            "truck_trips": col["truck_trips"],
            "truck_trips_index": col["truck_trips"] / col["normal_trips"],
            "input_cover_days": np.where(
                col["cover_weight"] > 0, col["cover_weighted"] / col["cover_weight"], 0.0
            ),
        }
        for b in BOUND:
            out[f"share_bound_{b}"] = col[f"bound_{b}"] / col["firms"]
        out["critical_inputs_listed"] = np.where(
            col["lead_critical"] > 0, col["lead_critical_listed"] / col["lead_critical"], 0.0
        )
    return out


def _frame(dates, groups, metric: str, values) -> pd.DataFrame:
    return pd.DataFrame(
        {"date": dates, "group": groups, "metric": metric, "value": np.nan_to_num(values)}
    )
