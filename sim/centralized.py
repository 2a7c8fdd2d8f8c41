"""Centralized return: organized transfers of staff into the closed loop.

Besides the individual permit (point-to-point commuting), districts "support the centralized
return to work of some enterprise organizations": a bulk check of the staff's identity and
test results, then district transport to the plant, where they live in the closed loop. A
transfer is dated and either for one firm (Tesla's ~8,000 staff before the 19 April
restart) or for the operating firms of some districts, at a transport capacity in persons a
day. It is capped by each firm's free beds; who may go is decided by the workforce (valid
test, not isolated, compound open), how many by this office.
"""

from __future__ import annotations

import numpy as np

from sim.scenario import Scenario


class CentralizedReturn:
    """Daily allowances of the scenario's transfers (persons), and what is left of each."""

    def __init__(
        self,
        sc: Scenario,
        firm_names: list[str],
        firm_district: np.ndarray,
        district_names: list[str],
        dates: np.ndarray,
        weight: np.ndarray,
    ) -> None:
        first = dates[0]
        day = lambda d: int((np.datetime64(d, "D") - first).astype(int))  # noqa: E731
        self.weight = weight  # persons per simulated worker, per firm
        self.firm_transfers: list[tuple[int, int, int]] = []  # (firm, first day, last day)
        self.left: list[float] = []  # persons each firm transfer may still move
        self.pools: list[tuple[np.ndarray, int, int, float]] = []  # (firms, days, persons/day)
        for tr in sc.centralized_return:
            start, end = day(tr.start), day(tr.end or tr.start)
            if tr.firm is not None:
                self.firm_transfers.append((firm_names.index(tr.firm), start, end))
                self.left.append(float(tr.staff) if tr.staff is not None else np.inf)
                continue
            names = tr.districts or district_names
            in_area = np.isin(firm_district, [district_names.index(d) for d in names])
            daily = tr.daily_staff if tr.daily_staff is not None else np.inf
            if tr.staff is not None and tr.daily_staff is None:  # all in, spread over the window
                daily = tr.staff / (end - start + 1)
            self.pools.append((in_area, start, end, float(daily)))
        n_days = len(dates)
        self.active = np.zeros(n_days, bool)
        for _, s, e in self.firm_transfers:
            self.active[max(s, 0) : min(e + 1, n_days)] = True
        for _, s, e, _ in self.pools:
            self.active[max(s, 0) : min(e + 1, n_days)] = True

    def grant(self, t: int, demand: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Simulated workers each firm may bring in today, given its ``demand`` (eligible
        staff it has beds for) and the order firms are served in (``order``: firm indices);
        and which firms a transfer served today (their staff left over lack beds or transport)."""
        granted = np.zeros(len(demand), np.int64)
        covered = np.zeros(len(demand), bool)
        if not self.active[t]:
            return granted, covered
        demand = demand.astype(np.int64).copy()
        for k, (firm, start, end) in enumerate(self.firm_transfers):
            if start <= t <= end:
                covered[firm] = True
            if start <= t <= end and demand[firm] > 0:
                n = int(min(demand[firm], self.left[k] // self.weight[firm]))
                granted[firm] += n
                demand[firm] -= n
                self.left[k] -= n * self.weight[firm]
        for in_area, start, end, daily in self.pools:
            if not start <= t <= end:
                continue
            covered |= in_area
            served = order[in_area[order] & (demand[order] > 0)]
            if not len(served):
                continue
            persons = demand[served] * self.weight[served]
            before = np.cumsum(persons) - persons
            room = np.clip(daily - before, 0.0, persons)
            n = np.floor(room / self.weight[served] + 1e-9).astype(np.int64)
            granted[served] += n
            demand[served] -= n
        return granted, covered
