"""The value types of scenario parameters: shares, positive and non-negative numbers, and
schedules whose every value is bounded. Every ``*_params`` module declares its fields with them.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field

from sim.schedule import Schedule, schedule_values

Share = Annotated[float, Field(ge=0.0, le=1.0)]
PosFloat = Annotated[float, Field(gt=0.0)]
NonNeg = Annotated[float, Field(ge=0.0)]


def bounded(lo: float, hi: float | None = None, strict: bool = False):
    """A validator keeping every value of a schedule within [lo, hi] (or > lo if strict)."""

    def check(value: Any) -> Any:
        for v in schedule_values(value):
            if (v <= lo if strict else v < lo) or (hi is not None and v > hi):
                if strict:
                    bound = f"> {lo:g}"
                elif hi is None:
                    bound = f">= {lo:g}"
                else:
                    bound = f"between {lo:g} and {hi:g} (a share)"
                raise ValueError(f"expected every value {bound}, got {v:g}")
        return value

    return AfterValidator(check)


PositiveSchedule = Annotated[Schedule, bounded(0.0, strict=True)]
NonNegSchedule = Annotated[Schedule, bounded(0.0)]
ShareSchedule = Annotated[Schedule, bounded(0.0, 1.0)]
