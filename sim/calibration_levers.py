"""The levers of a calibration applied to its scenario, and the check, before the search,
that each lever's range keeps the scenario valid (naming the widest range that does).

Reads a `Scenario`; writes nothing.
"""

from __future__ import annotations

import math

from sim.errors import FugongError, ScenarioError
from sim.levers import Lever
from sim.scenario import Scenario
from sim.scenario_files import validate


def apply_levers(sc: Scenario, levers: list[Lever], values: dict[str, float]) -> Scenario:
    data = sc.model_dump(mode="python")
    for lever in levers:
        data = lever.apply(data, values[lever.key], "calibration")
    return validate(data, "calibration trial")


def check_ranges(sc: Scenario, levers: list[Lever]) -> None:
    """Reject, before the search, a range that would push a bounded value out of its bounds
    (a share schedule scaled above 1, say), naming the widest valid range.

    Scaling is linear and the schema's bounds are intervals, so both ends valid means every
    value between them is valid.
    """
    for lever in levers:
        bad = [x for x in (lever.lo, lever.hi) if _invalid(sc, lever, x)]
        if not bad:
            continue
        valid = [x for x in (lever.lo, lever.hi) if x not in bad]
        reason = _invalid(sc, lever, bad[0])
        spec = f"--param {lever.key}={lever.lo:g}:{lever.hi:g}"
        if not valid:
            raise FugongError(f"{spec}: both ends make the scenario invalid ({reason})")
        edge = _valid_edge(sc, lever, valid[0], bad[0])
        lo, hi = (lever.lo, edge) if bad[0] == lever.hi else (edge, lever.hi)
        lo, hi = math.ceil(lo * 1000) / 1000, math.floor(hi * 1000) / 1000
        raise FugongError(
            f"{spec}: at {bad[0]:g} the scenario is invalid ({reason}); the "
            f"valid range is {lo:g} to {hi:g}: use --param {lever.key}={lo:g}:{hi:g}"
        )


def _invalid(sc: Scenario, lever: Lever, x: float) -> str:
    """Why the scenario is invalid with the lever at `x` ('' if it is valid)."""
    try:
        apply_levers(sc, [lever], {lever.key: x})
    except ScenarioError as exc:
        return str(exc).split(": ", 1)[-1]
    return ""


def _valid_edge(sc: Scenario, lever: Lever, good: float, bad: float) -> float:
    """The valid end of [good, bad] nearest to bad, by bisection."""
    for _ in range(40):
        mid = (good + bad) / 2
        good, bad = (mid, bad) if not _invalid(sc, lever, mid) else (good, mid)
    return good
