"""Time-varying scenario inputs: a constant or a dated step schedule.

A schedule written as ``{2022-04-16: 1000, 2022-05-01: 5000}`` holds each value from its
date until the next one; before the first date the first value applies. Schedules are
evaluated once per run into a daily numpy array, so the daily loop only indexes.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Annotated, Any

import numpy as np
from pydantic import BeforeValidator, PlainSerializer


def _check_schedule(value: Any) -> float | dict[date, float]:
    if isinstance(value, bool):
        raise ValueError("expected a number or a {date: number} schedule, got a boolean")
    if isinstance(value, int | float):
        return _finite(value, "expected a finite number")
    if isinstance(value, dict):
        if not value:
            raise ValueError("a schedule needs at least one {date: value} entry")
        out: dict[date, float] = {}
        previous: date | None = None
        for key, val in value.items():
            day = schedule_date(key)
            if isinstance(val, bool) or not isinstance(val, int | float):
                raise ValueError(f"schedule value for {day} must be a number, got {val!r}")
            if previous is not None and day <= previous:
                kind = "a duplicate" if day == previous else "an unsorted"
                raise ValueError(
                    f"expected schedule dates in increasing order, got {kind} date {day} "
                    f"after {previous}"
                )
            out[day] = _finite(val, f"schedule value for {day} must be a finite number")
            previous = day
        return out
    raise ValueError(f"expected a number or a {{date: number}} schedule, got {value!r}")


def _finite(value: int | float, message: str) -> float:
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"{message}, got {value!r}")
    return number


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def is_schedule_key(key: Any) -> bool:
    """A key that makes a mapping a schedule: a date, or a number or string where a date
    belongs (always read as a date, so a quoted date is a date; a number is an error)."""
    if isinstance(key, bool):
        return False
    return isinstance(key, date | int) or (isinstance(key, str) and bool(ISO_DATE.match(key)))


def schedule_date(key: Any) -> date:
    """A schedule key as a date: a YAML date or a quoted YYYY-MM-DD, nothing else."""
    if isinstance(key, datetime):
        raise ValueError(f"schedule key {key} has a time of day; expected a date (YYYY-MM-DD)")
    if isinstance(key, date):
        return key
    if isinstance(key, str) and ISO_DATE.match(key):
        try:
            return date.fromisoformat(key)
        except ValueError as exc:
            raise ValueError(f"schedule key {key!r} is not a valid date ({exc})") from None
    raise ValueError(f"schedule key {key!r} is not a date (YYYY-MM-DD)")


def _serialize(value: float | dict[date, float]) -> float | dict[str, float]:
    if isinstance(value, dict):
        return {d.isoformat(): v for d, v in value.items()}
    return value


Schedule = Annotated[
    float | dict[date, float],
    BeforeValidator(_check_schedule),
    PlainSerializer(_serialize),
]
"""A number, or a mapping of dates to numbers (step function)."""


def schedule_values(schedule: float | dict[date, float]) -> list[float]:
    """All values a schedule takes, for range checks."""
    return list(schedule.values()) if isinstance(schedule, dict) else [schedule]


def daily(schedule: float | dict[date, float], dates: np.ndarray) -> np.ndarray:
    """Evaluate a schedule on an array of ``datetime64[D]`` dates."""
    if not isinstance(schedule, dict):
        return np.full(len(dates), float(schedule))
    keys = np.array(list(schedule), dtype="datetime64[D]")
    vals = np.array(list(schedule.values()), dtype=float)
    idx = np.searchsorted(keys, dates, side="right") - 1
    return vals[np.clip(idx, 0, len(vals) - 1)]
