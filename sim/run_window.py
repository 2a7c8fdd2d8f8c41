"""Checks of a scenario's run window against its dates: schedules that never change inside
the window, a window after every policy date, and windows too long to be meant."""

from __future__ import annotations

import warnings
from datetime import date
from typing import Any

from pydantic import BaseModel

from sim.errors import FugongWarning, ScenarioError
from sim.scenario import Scenario

LONG_DAYS = 366  # warned with an estimate: the data and policies cover one spring
MAX_DAYS = 3660  # refused: ten years of daily steps is no lockdown scenario
DEFAULT_DAYS = 122  # the default window (March to June), for the estimate
METRICS_PER_GROUP = 24  # recorded series per group and day


def schedules(model: BaseModel, prefix: str = "") -> list[tuple[str, dict[date, float]]]:
    """Every dated schedule in a validated scenario, with its key path."""
    found = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        found += _walk(value, f"{prefix}{name}")
    return found


def _walk(value: Any, key: str) -> list[tuple[str, dict[date, float]]]:
    if isinstance(value, BaseModel):
        return schedules(value, key + ".")
    if isinstance(value, dict) and value and all(isinstance(k, date) for k in value):
        return [(key, value)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _walk(v, f"{key}.{k}")]
    if isinstance(value, list):
        return [s for i, v in enumerate(value) for s in _walk(v, f"{key}.{i}")]
    return []


def check_window(sc: Scenario, source: str) -> None:
    """Refuse absurd windows; warn about schedules and policies the window never reaches."""
    lo, hi = sc.start_date, sc.end_date
    window = f"the run window {lo}..{hi}"
    if sc.n_days > MAX_DAYS:
        raise ScenarioError(
            source,
            f"expected a run window of at most {MAX_DAYS} days, got {sc.n_days:,} ({window})",
            "end_date",
        )
    late = [f"{key} (first value {s[min(s)]:g})" for key, s in schedules(sc) if min(s) > hi]
    if late:  # (a schedule ending before the window holds its last value, as meant)
        warnings.warn(
            FugongWarning(
                f"{source}: {len(late)} schedule(s) start after {window}, so their first value "
                f"applies throughout: {', '.join(late)}"
            ),
            stacklevel=2,
        )
    policy = _policy_dates(sc)
    if policy and lo > max(policy):
        warnings.warn(
            FugongWarning(
                f"{source}: {window} starts after every policy date (the last is {max(policy)}); "
                "no lockdown, white list or reopening happens in it"
            ),
            stacklevel=2,
        )
    if sc.n_days > LONG_DAYS:
        groups = (
            4
            + len(sc.chains)
            + len(sc.districts)
            + len(sc.anchors)
            + len(sc.policy.whitelist.batches)
        )
        rows = sc.n_days * groups * METRICS_PER_GROUP * 2  # with the counterfactual
        warnings.warn(
            FugongWarning(
                f"{source}: {window} is {sc.n_days:,} days, {sc.n_days / DEFAULT_DAYS:.1f} times "
                f"the default {DEFAULT_DAYS}: expect about that many times the run time and "
                f"{rows * 40 / 1e6:,.0f} MB of timeseries per replicate, and inputs that end in "
                "2022 held at their last values"
            ),
            stacklevel=2,
        )


def _policy_dates(sc: Scenario) -> list[date]:
    dates = [d.lockdown for d in sc.districts.values() if d.lockdown]
    dates += [b.approved for b in sc.policy.whitelist.batches]
    dates += [sc.policy.reopening, sc.passes.required_until]
    return dates
