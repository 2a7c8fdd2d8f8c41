"""Replicates of a scenario, each paired with its no-lockdown counterfactual.

A replicate returns a compact tidy table (never model objects), so replicates can run in
worker processes and the parent's memory stays flat.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from sim import counterfactual
from sim.executors import executor_session
from sim.model import STAGES, RecoveryModel
from sim.scenario import Scenario


def replicate_seed(seed: int, replicate: int) -> int:
    """Seed of replicate i: the same for every scenario (common random numbers)."""
    return int(np.random.SeedSequence([seed, replicate]).generate_state(1, np.uint32)[0])


@dataclass
class ReplicateResult:
    replicate: int
    seed: int
    timeseries: pd.DataFrame
    seconds: dict[str, float] = field(default_factory=dict)


DayHook = Callable[[int, bool], None]  # (replicate, counterfactual) after each simulated day


def run_replicate(
    sc: Scenario, replicate: int, seed: int, on_day: DayHook | None = None
) -> ReplicateResult:
    """Run one replicate and its counterfactual; add output_index, output_yoy and
    staff_returned. ``on_day`` is called after every simulated day (a progress bar; it must
    not touch the model)."""
    start = time.perf_counter()
    day = cf_day = None
    if on_day is not None:
        day, cf_day = partial(on_day, replicate, False), partial(on_day, replicate, True)
    model = RecoveryModel(sc, rng=seed).run(day)
    dates = model.calendar.dates
    ts = model.recorder.tidy(dates)
    before = counterfactual.stats.seconds
    normal = counterfactual.normal_output(sc, seed, dates, cf_day)
    index = _output_index(ts, normal)
    ts = pd.concat(
        [ts, index, _output_yoy(index, sc.baseline.growth_yoy), _staff_returned(ts, sc)],
        ignore_index=True,
    )
    ts.insert(0, "seed", seed)
    ts.insert(0, "replicate", replicate)
    seconds = {f"stage_{k}": v for k, v in model.stage_seconds.items()}
    seconds["setup"] = model.setup_seconds
    seconds["counterfactual"] = counterfactual.stats.seconds - before  # 0 when reused
    seconds["total"] = time.perf_counter() - start
    return ReplicateResult(replicate, seed, ts, seconds)


def _output_index(ts: pd.DataFrame, normal: pd.DataFrame) -> pd.DataFrame:
    out = ts[ts.metric == "output"].reset_index(drop=True)
    ref = normal  # output rows only
    idx = out.copy()
    idx["metric"] = "output_index"
    with np.errstate(divide="ignore", invalid="ignore"):
        idx["value"] = np.nan_to_num(out.value.to_numpy() / ref.value.to_numpy())
    return idx


def _output_yoy(index: pd.DataFrame, growth: float) -> pd.DataFrame:
    """Year-on-year change: the no-lockdown run is last year's output grown at the trend."""
    yoy = index.copy()
    yoy["metric"] = "output_yoy"
    yoy["value"] = (1.0 + growth) * index.value.to_numpy() - 1.0
    return yoy


def _staff_returned(ts: pd.DataFrame, sc: Scenario) -> pd.DataFrame:
    """Staff on site above the lowest level since the first lockdown (newly returned)."""
    staff = ts[ts.metric == "staff_on_site"].pivot(index="date", columns="group", values="value")
    after = np.asarray(staff.index >= np.datetime64(sc.lockdown_start, "D"))
    trough = staff[after].cummin().reindex(staff.index)
    returned = (staff - trough).fillna(0.0).clip(lower=0.0)
    tidy = returned.reset_index().melt(id_vars="date", var_name="group", value_name="value")
    tidy["metric"] = "staff_returned"
    return tidy[["date", "group", "metric", "value"]]


def run_replicates(
    sc: Scenario,
    replicates: int = 1,
    seed: int | None = None,
    jobs: int = 1,
    on_done: Callable[[ReplicateResult], None] | None = None,
    on_day: DayHook | None = None,
) -> list[ReplicateResult]:
    """All replicates of a scenario, in replicate order, on ``jobs`` processes; ``on_done``
    is called as each replicate finishes, ``on_day`` after each simulated day of replicates
    that run in this process (``jobs`` 1; progress bars)."""
    base_seed = sc.seed if seed is None else seed
    tasks = [(i, replicate_seed(base_seed, i)) for i in range(replicates)]
    results = []
    with executor_session(min(jobs, replicates)) as executor:
        hook = on_day if executor.jobs == 1 and executor.local else None
        for _, result in executor.map_unordered(partial(_replicate_task, sc, hook), tasks):
            if isinstance(result, BaseException):
                raise result  # the session stops the other workers at once
            results.append(result)
            if on_done is not None:
                on_done(result)
    return sorted(results, key=lambda r: r.replicate)


def _replicate_task(sc: Scenario, on_day: DayHook | None, task: tuple[int, int]):
    return run_replicate(sc, *task, on_day=on_day)


def combine(results: list[ReplicateResult], scenario_name: str) -> pd.DataFrame:
    """One tidy table for all replicates, with the contract's column order."""
    ts = pd.concat([r.timeseries for r in results], ignore_index=True)
    ts.insert(0, "scenario", scenario_name)
    ts["date"] = pd.to_datetime(ts["date"])
    return ts[["scenario", "replicate", "seed", "date", "group", "metric", "value"]]


def stage_shares(results: list[ReplicateResult]) -> dict[str, float]:
    """Share of simulated-day time per daily stage, over replicates."""
    totals = {s: sum(r.seconds[f"stage_{s}"] for r in results) for s in STAGES}
    whole = sum(totals.values()) or 1.0
    return {s: v / whole for s, v in totals.items()}
