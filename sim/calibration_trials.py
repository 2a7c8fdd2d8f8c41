"""One trial of a calibration on the executor: each replicate's run reduced to the value of
every target (`target_values`, failures as error records), the trial's loss from them, and
the full run of the best trial.

Reads scenarios and targets sent as task dicts; writes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from sim.executors import Executor
from sim.replicates import run_replicate
from sim.scenario import Scenario
from sim.targets import Target, simulated_values


def target_values(task: dict[str, Any]) -> dict[str, Any]:
    """Executor task: one replicate of one trial, returning only each target's value."""
    sc = Scenario.model_validate(task["scenario"])
    targets = [Target.model_validate(t) for t in task["targets"]]
    ts = run_replicate(sc, task["replicate"], task["seed"]).timeseries
    values = {}
    for t in targets:
        v = simulated_values(ts, t)
        values[t.name] = float(v.mean()) if len(v) else math.nan
    return {"trial": task["trial"], "replicate": task["replicate"], "values": values}


def outcomes(executor: Executor, fn, tasks: list[dict[str, Any]]) -> Iterator[dict]:
    """Run tasks on the executor; a task that raised becomes an error record."""
    for task, result in executor.map_unordered(fn, tasks):
        if isinstance(result, BaseException):  # a failed trial scores as infinitely bad
            result = {"trial": task["trial"], "replicate": task["replicate"], "error": repr(result)}
        yield result


def guarded(task: dict[str, Any]) -> dict[str, Any]:
    try:
        return target_values(task)
    except Exception as exc:  # the model raised for these parameters: the search goes on
        return {"trial": task["trial"], "replicate": task["replicate"], "error": repr(exc)}


def trial_loss(values: pd.DataFrame, targets: list[Target]) -> float:
    """Loss of a trial from its per-replicate target values (averaged first)."""
    mean = values.mean(axis=0)
    total = 0.0
    for t in targets:
        if t.mappable and t.name in mean and np.isfinite(mean[t.name]):
            total += t.penalty(float(mean[t.name]))
    return total


def full_run(task: dict[str, Any]):
    return run_replicate(Scenario.model_validate(task["scenario"]), task["replicate"], task["seed"])
