"""The no-lockdown counterfactual of a scenario, run once per (economy, seed) and reused.

``output_index`` divides a run's output by the same economy's output with no lockdown. That
run does not depend on the policy levers analysts sweep and calibrate (permits, passes, the
white lists, the red/yellow desk, centralized return): without a lockdown none of them acts.
So its result is kept per process, keyed by a hash of the counterfactual scenario without
those sections (``INERT``) and the seed; any other change (economy, chains, dates, seed) is a
new key and a new run. ``tests/model/test_counterfactual.py`` checks that varying each inert
section leaves the counterfactual unchanged, so the key cannot hide a dependence.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from sim.model import RecoveryModel
from sim.scenario import Scenario
from sim.scenario_files import no_lockdown

# scenario sections the no-lockdown run never reads (dotted paths)
INERT = (
    "description",
    "calibration",
    "permits",
    "passes.daily_quota",
    "red_yellow",
    "centralized_return",
    "policy.whitelist.priority",  # not the batches: they are drawn with the economy
)
# counterfactuals kept per process (each a small table of daily outputs); 0 turns reuse off
# (benchmarks/bench_sweep.py measures the saving that way)
KEEP = int(os.environ.get("FUGONG_COUNTERFACTUALS_KEPT", "16"))


@dataclass
class CounterfactualStats:
    runs: int = 0  # counterfactuals computed in this process
    reused: int = 0  # requests answered from the cache
    seconds: float = 0.0  # time spent computing them


stats = CounterfactualStats()
_cache: OrderedDict[str, pd.DataFrame] = OrderedDict()


def counterfactual_key(sc: Scenario, seed: int) -> str:
    """Hash of what the no-lockdown run of ``sc`` with ``seed`` depends on."""
    data = no_lockdown(sc).model_dump(mode="json")
    for path in INERT:
        *parents, leaf = path.split(".")
        node = data
        for part in parents:
            node = node[part]
        node.pop(leaf, None)
    text = json.dumps({"scenario": data, "seed": int(seed)}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def normal_output(
    sc: Scenario, seed: int, dates, on_day: Callable[[], None] | None = None
) -> pd.DataFrame:
    """Daily output per group with no lockdown (tidy rows of metric ``output``); ``on_day``
    is called after each simulated day when it has to be run (progress bars)."""
    key = counterfactual_key(sc, seed)
    if key in _cache:
        _cache.move_to_end(key)
        stats.reused += 1
        return _cache[key]
    start = time.perf_counter()
    base = RecoveryModel(sc, rng=seed, counterfactual=True, outputs_only=True).run(on_day)
    tidy = base.recorder.tidy(dates)
    out = tidy[tidy.metric == "output"].reset_index(drop=True)
    stats.runs += 1
    stats.seconds += time.perf_counter() - start
    _cache[key] = out
    while len(_cache) > max(KEEP, 0):
        _cache.popitem(last=False)
    return out


def clear() -> None:
    """Forget every kept counterfactual (tests, benchmarks)."""
    _cache.clear()
    stats.runs = stats.reused = 0
    stats.seconds = 0.0
