"""Calibration targets: reported figures as bounds on model metrics, and the fit loss.

A target names a date or a period, a metric and group of the results contract, a value
and a bound (``>=``, ``<=``, ``~`` with a tolerance, or ``range``). The loss treats bounds
as bounds: no penalty inside, a squared, scaled penalty outside. A lower bound whose
wording ("more than 10,000") gives the order of magnitude (``magnitude: true``) is also missed
when the model overshoots it more than ``OVERSHOOT_LIMIT`` times.

A reported figure the scenario already uses as an input (Tesla's ~8,000 staff in closed loop
are its beds) is not a target: the model could not miss it. Such figures are listed under
``inputs`` in the targets file with the scenario key that holds them, and a target that
repeats one is refused.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import ConfigDict, Field, ValidationError, model_validator

from sim.errors import FugongError, ScenarioError
from sim.recorder import METRICS
from sim.schema import Checked, describe_error
from sim.yaml_io import read_yaml

KNOWN_METRICS = (*METRICS, "output_index", "output_yoy", "staff_returned", "units_produced")
OVERSHOOT_LIMIT = 3.0  # a `magnitude` lower bound overshot more than this many times is missed
HUBER = 3.0  # misses (in units of the target's scale) beyond which the penalty grows linearly
GROUP_PATTERN = re.compile(
    r"^(all|whitelist|chain:\w+|batch:(\d+|none|\d+-\d+)|"
    r"district:\w+|firm:\w+)$"
)


class Period(Checked):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    start: dt.date
    end: dt.date


class Target(Checked):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str
    date: dt.date | None = None
    period: Period | None = None
    metric: str
    group: str
    value: float
    bound: Literal[">=", "<=", "~", "range"]
    tolerance: Annotated[float, Field(gt=0)] | None = None
    weight: Annotated[float, Field(ge=0)] = 1.0
    source: str = ""
    mappable: bool = True
    magnitude: bool = False  # ">=" whose wording sets the order of magnitude (see module doc)
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> Target:
        if self.magnitude and self.bound != ">=":
            raise ValueError(
                f"magnitude: only a '>=' bound can set an order of magnitude, "
                f"got bound '{self.bound}'"
            )
        if (self.date is None) == (self.period is None):
            raise ValueError("date: expected exactly one of `date` or `period`, got both or none")
        if self.metric not in KNOWN_METRICS:
            raise ValueError(
                f"metric: expected a model metric ({', '.join(KNOWN_METRICS)}), got '{self.metric}'"
            )
        if not GROUP_PATTERN.match(self.group):
            raise ValueError(
                f"group: expected all, chain:<name>, batch:<n>, district:<name> "
                f"or firm:<name>, got '{self.group}'"
            )
        if self.bound in ("~", "range") and self.tolerance is None:
            raise ValueError(f"tolerance: expected a tolerance for bound '{self.bound}'")
        return self

    @property
    def start(self) -> dt.date:
        return self.date or self.period.start

    @property
    def end(self) -> dt.date:
        return self.date or self.period.end

    @property
    def scale(self) -> float:
        """What one unit of miss means: the tolerance, or a tenth of the value."""
        return self.tolerance or max(abs(self.value) * 0.1, 1e-9)

    def penalty(self, simulated: float) -> float:
        """Weighted penalty: 0 inside the bound, squared just outside, linear far outside
        (Huber, so one far-off figure cannot drown all the others)."""
        m = self.miss(simulated)
        return self.weight * (m * m if m <= HUBER else 2 * HUBER * m - HUBER * HUBER)

    def miss(self, simulated: float) -> float:
        """Scaled distance outside the bound (0 inside)."""
        if not np.isfinite(simulated):
            return np.inf
        if self.bound == ">=":
            limit = OVERSHOOT_LIMIT * self.value
            if self.magnitude and simulated > limit:  # each further `value` counts as one miss
                return (simulated - limit) / max(abs(self.value), 1e-9)
            gap = self.value - simulated
        elif self.bound == "<=":
            gap = simulated - self.value
        else:
            gap = abs(simulated - self.value) - self.tolerance
        return max(gap, 0.0) / self.scale

    def overshoot(self, simulated: float) -> float:
        """How many times a lower bound is exceeded (NaN for other bounds)."""
        if self.bound != ">=" or not self.value:
            return np.nan
        return simulated / self.value

    def describe_bound(self) -> str:
        if self.bound in ("~", "range"):
            return f"{self.value:g} ± {self.tolerance:g}"
        if self.magnitude:
            return f"{self.bound} {self.value:g} (<= {OVERSHOOT_LIMIT * self.value:g})"
        return f"{self.bound} {self.value:g}"


class InputFigure(Checked):
    """A reported figure the scenario uses as an input, with the key that holds it."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str
    key: str  # dotted scenario key (list items by index)
    value: float
    metric: str  # the figure it would be as a target
    group: str
    source: str
    note: str = ""


class TargetFile(Checked):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    description: str = ""
    targets: list[Target]
    inputs: list[InputFigure] = []


def load_target_file(path: str | Path) -> TargetFile:
    """Read and validate a targets file, errors naming the file and key path."""
    path = Path(path)
    data = read_yaml(path)
    try:
        parsed = TargetFile.model_validate(data)
    except ValidationError as exc:
        message, key = describe_error(exc, TargetFile)
        raise ScenarioError(str(path), message, key) from None
    names = [t.name for t in parsed.targets]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ScenarioError(str(path), f"duplicate target names {dupes}", "targets")
    for i, t in enumerate(parsed.targets):
        for figure in parsed.inputs:
            if (t.metric, t.group, t.value) == (figure.metric, figure.group, figure.value):
                raise ScenarioError(
                    str(path),
                    f"target '{t.name}' is the input '{figure.name}' "
                    f"({figure.key} = {figure.value:g}): the model cannot miss it; "
                    "keep it under inputs only",
                    f"targets.{i}",
                )
    return parsed


def load_targets(path: str | Path) -> list[Target]:
    """The targets of a targets file (inputs are checked, not returned)."""
    return load_target_file(path).targets


def check_inputs(path: str | Path, data: dict, calibrated: list[str] = ()) -> None:
    """The scenario holds each listed input at its reported value, and no calibrated
    parameter is one of them (a reported input is not a free parameter)."""
    from sim.keys import get_key

    for i, figure in enumerate(load_target_file(path).inputs):
        if figure.key in calibrated:
            raise ScenarioError(
                str(path),
                f"'{figure.key}' is the reported input '{figure.name}' and cannot be calibrated",
                f"inputs.{i}",
            )
        try:
            value = get_key(data, figure.key)
        except KeyError:
            raise ScenarioError(
                str(path), f"the scenario has no key '{figure.key}'", f"inputs.{i}.key"
            ) from None
        if not isinstance(value, int | float) or abs(value - figure.value) > 1e-9:
            raise ScenarioError(
                str(path),
                f"the scenario sets {figure.key} = {value!r}, "
                f"the reported input is {figure.value:g}",
                f"inputs.{i}.value",
            )


def simulated_values(ts: pd.DataFrame, target: Target) -> pd.Series:
    """The target's model value per replicate (mean over the period)."""
    sel = ts[(ts.metric == target.metric) & (ts.group == target.group)]
    dates = pd.to_datetime(sel.date)
    sel = sel[(dates >= pd.Timestamp(target.start)) & (dates <= pd.Timestamp(target.end))]
    if sel.empty:
        return pd.Series(dtype=float)
    return sel.groupby("replicate").value.mean()


def fit_table(
    ts: pd.DataFrame, targets: list[Target], until: dt.date | None = None
) -> pd.DataFrame:
    """Each target: reported bound, model median and 10-90% range, met or not, penalty."""
    rows = []
    for t in targets:
        values = simulated_values(ts, t) if t.mappable else pd.Series(dtype=float)
        mean = float(values.mean()) if len(values) else np.nan
        median = float(values.median()) if len(values) else np.nan
        miss = t.miss(mean) if len(values) else np.nan
        rows.append(
            {
                "target": t.name,
                "date": t.start.isoformat() + ("" if t.date else f"..{t.end.isoformat()}"),
                "metric": t.metric,
                "group": t.group,
                "reported": t.describe_bound(),
                "model_median": median,
                "model_p10": float(values.quantile(0.1)) if len(values) else np.nan,
                "model_p90": float(values.quantile(0.9)) if len(values) else np.nan,
                "met": bool(miss == 0) if len(values) else None,
                "overshoot": t.overshoot(mean) if len(values) else np.nan,
                "penalty": t.penalty(mean) if len(values) else np.nan,
                "weight": t.weight,
                "sample": "fit" if until is None or t.end <= until else "out-of-sample",
                "status": "mapped" if t.mappable and len(values) else "not mappable",
                "source": t.source,
            }
        )
    return pd.DataFrame(rows)


def loss(ts: pd.DataFrame, targets: list[Target]) -> float:
    """Weighted sum of squared scaled misses, on the replicate mean (common random numbers)."""
    total = 0.0
    for t in targets:
        if not t.mappable:
            continue
        values = simulated_values(ts, t)
        if values.empty:
            continue
        total += t.penalty(float(values.mean()))
    return total


def fit_results(folder: Path, targets: Path, until: dt.date | None) -> tuple[pd.DataFrame, Path]:
    """The fit table of a finished run folder against a targets file."""
    found = load_targets(targets)
    series = Path(folder) / "timeseries.parquet"
    if not series.is_file():
        raise FugongError(f"{folder}: no timeseries.parquet (not a results folder)")
    table = fit_table(pd.read_parquet(series), found, until)
    path = Path(folder) / "fit.csv"
    table.to_csv(path, index=False)
    return table, path


def model_groups(sc) -> set[str]:
    """Every group name a run of scenario ``sc`` records (as ``sim.metrics`` builds them)."""
    groups = {"all", "batch:none", "whitelist", "batch:1-2"}
    groups |= {f"chain:{c}" for c in sc.chains}
    groups |= {f"batch:{b}" for b in range(1, len(sc.policy.whitelist.batches) + 1)}
    groups |= {f"district:{d}" for d in sc.districts}
    groups |= {f"firm:{a.name}" for a in sc.anchors}
    return groups


def unscorable(targets: list[Target], sc) -> list[str]:
    """Targets a run of ``sc`` cannot score, each with the reason: dated (wholly or partly)
    outside the run, or naming a group the run does not record."""
    groups = model_groups(sc)
    problems = []
    for t in targets:
        if not t.mappable:
            continue
        if t.start < sc.start_date or t.end > sc.end_date:
            when = t.start.isoformat() + ("" if t.date else f"..{t.end.isoformat()}")
            problems.append(f"{t.name} ({when} is outside the run, {sc.start_date}..{sc.end_date})")
        elif t.group not in groups:
            problems.append(f"{t.name} (group '{t.group}' does not exist in this scenario)")
    return problems
