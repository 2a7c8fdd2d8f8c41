"""Levers: the scenario keys a sweep, a calibration or a sensitivity analysis varies.

One type for all three. A lever's level is either the key's value (``value``, or ``int``
rounded to a whole number) or a ``multiplier`` of the base scenario's value: a number, every
dated value of a schedule, or every schedule of a section (``passes.daily_quota``), through
``sim.keys.scale_value``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from sim.errors import FugongError
from sim.keys import apply_override, get_key, scale_value
from sim.scenario import Scenario

Kind = Literal["value", "int", "multiplier"]


@dataclass(frozen=True)
class Lever:
    """A scenario key and how a level becomes its value; ``lo``/``hi`` bound searched levels."""

    key: str
    lo: float | None = None
    hi: float | None = None
    kind: Kind = "value"
    log: bool = False  # levels spread on a log scale (sampled designs)

    def value(self, current: Any, level: Any, tidy: Callable[[float], float] = float) -> Any:
        """The key's value at ``level``, given its base value ``current``.

        Raises TypeError when a multiplier meets something that is not a number or schedule.
        """
        if self.kind == "multiplier":
            return scale_value(current, level, tidy)
        return int(round(level)) if self.kind == "int" else level

    def apply(self, data: dict[str, Any], level: Any, source: str) -> dict[str, Any]:
        """A copy of raw scenario ``data`` with this lever set to ``level``."""
        return apply_override(data, self.key, self.value(get_key(data, self.key), level), source)

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Map samples in [0, 1) onto [lo, hi] (on a log scale for log levers)."""
        u = np.asarray(u, float)
        if self.log:
            return np.exp(np.log(self.lo) + u * (np.log(self.hi) - np.log(self.lo)))
        return self.lo + u * (self.hi - self.lo)


def kind_of(current: Any) -> Kind | None:
    """How a lever over a key holding ``current`` is searched: schedules (and sections of
    them) as multipliers, integers as integers, floats as values; None if not a number."""
    if isinstance(current, dict):
        return "multiplier"
    if isinstance(current, bool):
        return None
    if isinstance(current, int):
        return "int"
    return "value" if isinstance(current, float) else None


def parse_levers(specs: Iterable[str], sc: Scenario) -> list[Lever]:
    """``KEY=LO:HI`` specs (``--param``) over a scenario; schedules become multipliers of
    their dated values."""
    data = sc.model_dump(mode="python")
    levers = []
    for spec in specs:
        key, sep, rng = spec.partition("=")
        lo, sep2, hi = rng.partition(":")
        try:
            lo_f, hi_f = float(lo), float(hi)
        except ValueError:
            lo_f = hi_f = math.nan
        if not sep or not sep2 or not lo_f < hi_f:
            raise FugongError(f"--param {spec!r}: expected KEY=LO:HI with LO < HI")
        try:
            current = get_key(data, key)
        except KeyError:
            raise FugongError(f"--param {spec!r}: the scenario has no key '{key}'") from None
        kind = kind_of(current)
        if kind is None:
            raise FugongError(f"--param {spec!r}: '{key}' is not a number or a schedule")
        levers.append(Lever(key, lo_f, hi_f, kind))
    return levers
