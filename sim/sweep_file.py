"""Sweep files: which scenario levers to vary, how, and with how many replicates.

A sweep is a YAML file validated by pydantic (unknown keys rejected). It names a ``base``
scenario (a path relative to the sweep file), fixed ``overrides``, the ``parameters`` to vary
and a ``design``: a full ``grid`` (``values: [...]`` or ``range: {lo, hi, n, log}``), ``lhs``
(Latin hypercube) or ``sobol`` (scrambled Sobol sequence) samples over ranges, or a CSV
``table`` whose columns are parameter keys. A parameter with ``scale_schedule: true`` is a
multiplier of the base scenario's value: every dated value of a schedule is multiplied, and
a key naming a section of schedules (``passes.daily_quota``) scales all of them.

Every point runs the same replicate seeds (common random numbers), so differences between
points come from the policy, not from noise.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import yaml
from pydantic import BeforeValidator, Field, ValidationError, model_validator

from sim.errors import FugongError
from sim.keys import parse_override
from sim.schema import Strict, describe_error
from sim.yaml_io import UniqueKeyLoader, read_yaml

KPI_NAMES = (
    "days_to_50pct",
    "days_to_80pct",
    "days_to_90pct",
    "output_lost",
    "output_lost_days",
    "min_utilization",
)
DEFAULT_GROUPS = ("all", "chain:*", "batch:*")
DEFAULT_METRICS = (
    "capacity_utilization",
    "output_index",
    "resumption_rate",
    "staff_on_site",
    "permits_issued_cum",
    "passes_issued",
    "truck_trips_index",
)
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"  # a results-folder name, never a path


def _dates_as_text(value: Any) -> Any:
    """A date level becomes its ISO text (the schema reads it back as a date), so design
    tables, labels and fingerprints stay plain."""
    return value.isoformat() if isinstance(value, date) else value


Scalar = Annotated[str | bool | int | float, BeforeValidator(_dates_as_text)]


class SweepError(FugongError):
    """A sweep file or command-line sweep that cannot be used."""


class Range(Strict):
    lo: float
    hi: float
    n: Annotated[int, Field(ge=1)] | None = None  # grid levels (grid design only)
    log: bool = False  # levels evenly spaced on a log scale

    @model_validator(mode="after")
    def _check(self) -> Range:
        if not self.lo < self.hi:
            raise ValueError(f"lo must be below hi, got lo={self.lo:g}, hi={self.hi:g}")
        if self.log and self.lo <= 0:
            raise ValueError(f"a log range needs lo > 0, got lo={self.lo:g}")
        return self


class SweepParameter(Strict):
    values: Annotated[list[Scalar], Field(min_length=1)] | None = None
    range: Range | None = None
    scale_schedule: bool = False  # the value multiplies the base scenario's value or schedule

    @model_validator(mode="after")
    def _check(self) -> SweepParameter:
        if self.values is not None and self.range is not None:
            raise ValueError("give either values or range, not both")
        if self.scale_schedule and any(
            isinstance(v, bool) or not isinstance(v, int | float) for v in self.values or ()
        ):
            raise ValueError("scale_schedule multipliers must be numbers")
        return self

    def levels(self) -> list[Scalar]:
        """Grid levels: the values, or n points spread over the range."""
        if self.values is not None:
            return list(self.values)
        r = self.range
        space = np.geomspace if r.log else np.linspace
        return [tidy(v) for v in space(r.lo, r.hi, r.n)]


class Sweep(Strict):
    name: Annotated[str, Field(pattern=NAME_PATTERN)]
    description: str = ""
    base: str  # scenario file, relative to the sweep file
    replicates: Annotated[int, Field(ge=1)] = 1
    seed: Annotated[int, Field(ge=0)] | None = None  # default: the scenario's seed
    overrides: dict[str, Any] = {}  # fixed scenario overrides (like --set)
    parameters: dict[str, SweepParameter] = {}
    design: Literal["grid", "lhs", "sobol", "table"] = "grid"
    samples: Annotated[int, Field(ge=1)] | None = None  # lhs and sobol designs
    table: str | None = None  # CSV design, relative to the sweep file (table design)
    reference: dict[str, Scalar] | None = None  # lever values of the reference point
    kpis: Annotated[list[Literal[KPI_NAMES]], Field(min_length=1)] = list(KPI_NAMES)
    groups: Annotated[list[str], Field(min_length=1)] = list(DEFAULT_GROUPS)  # fnmatch patterns
    metrics: Annotated[list[str], Field(min_length=1)] = list(DEFAULT_METRICS)

    @model_validator(mode="after")
    def _check(self) -> Sweep:
        sampled = self.design in ("lhs", "sobol")
        if sampled != (self.samples is not None):
            raise ValueError("samples is required by lhs and sobol designs and used by no other")
        if (self.design == "table") != (self.table is not None):
            raise ValueError("table is required by the table design and used by no other")
        if self.design == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(f"a sobol design needs a power of 2 samples, got {self.samples}")
        if self.design != "table" and not self.parameters:
            raise ValueError(f"a {self.design} design needs at least one parameter")
        for key, p in self.parameters.items():
            _check_parameter(self.design, key, p)
        unknown = set(self.reference or {}) - set(self.parameters)
        if unknown and self.design != "table":
            raise ValueError(f"reference names keys that are not parameters: {sorted(unknown)}")
        return self


def _check_parameter(design: str, key: str, p: SweepParameter) -> None:
    where = f"parameters.{key}"
    if design == "grid" and p.values is None and (p.range is None or p.range.n is None):
        raise ValueError(f"{where}: a grid needs values or a range with n levels")
    if design in ("lhs", "sobol") and p.range is None:
        raise ValueError(f"{where}: a {design} design samples a range; give range: {{lo, hi}}")
    if design != "grid" and p.range is not None and p.range.n is not None:
        raise ValueError(f"{where}: range.n sets grid levels; the {design} design does not use it")
    if design == "table" and (p.values is not None or p.range is not None):
        raise ValueError(f"{where}: a table design takes its values from the table")


def tidy(value: float) -> float:
    """Round off float noise (0.30000000000000004) so labels and matching stay clean."""
    return float(f"{float(value):.12g}")


# --------------------------------------------------------------------------- loading


def parse_sweep(data: dict[str, Any], source: str) -> Sweep:
    """Validate a raw mapping into a Sweep, with one readable error line."""
    try:
        return Sweep.model_validate(data)
    except ValidationError as exc:
        message, key = describe_error(exc, Sweep)
        raise SweepError(f"{source}: {key}: {message}") from None


def load_sweep(path: str | Path) -> Sweep:
    return parse_sweep(read_yaml(Path(path)), str(path))


def sweep_from_options(
    sweep: Sweep | None,
    *,
    scenario: Path | None = None,
    grid: list[str] = (),
    replicates: int | None = None,
    seed: int | None = None,
    sets: list[str] = (),
) -> Sweep:
    """Apply command-line shortcuts (``--grid key=v1,v2``, ``--set``...) to a sweep.

    Values written ``x0.5,x1,x2`` are multipliers of the scenario's schedule
    (``scale_schedule``). Without a sweep file, ``scenario`` is the base.
    """
    if sweep is None:
        if scenario is None:
            raise SweepError("give a sweep file, or --scenario with --grid options")
        if not grid:
            raise SweepError("--scenario needs at least one --grid key=v1,v2,... option")
        data: dict[str, Any] = {"name": f"{Path(scenario).stem}-sweep", "base": str(scenario)}
    else:
        data = sweep.model_dump(mode="json", exclude_defaults=True)
        data.setdefault("name", sweep.name)
        data.setdefault("base", sweep.base)
        if scenario is not None:
            data["base"] = str(scenario)
    params = dict(data.get("parameters", {}))
    for text in grid:
        key, param = _grid_option(text)
        params[key] = param
    if params:
        data["parameters"] = params
    if grid:
        data["design"] = "grid"
        data.pop("samples", None)
        data.pop("table", None)
        if not set(data.get("reference", {})) <= set(params):
            data.pop("reference")
    if replicates is not None:
        data["replicates"] = replicates
    if seed is not None:
        data["seed"] = seed
    if sets:
        data["overrides"] = {**data.get("overrides", {}), **dict(parse_override(s) for s in sets)}
    return parse_sweep(data, "command line")


def _grid_option(text: str) -> tuple[str, dict[str, Any]]:
    key, sep, raw = text.partition("=")
    items = [s.strip() for s in raw.split(",") if s.strip()]
    if not sep or not key.strip() or not items:
        raise SweepError(f"--grid {text!r}: expected key=v1,v2,... (or key=x0.5,x1,x2)")
    scaled = [s[1:] if s[:1] in "xX" else None for s in items]
    if any(s is not None for s in scaled) and any(s is None for s in scaled):
        raise SweepError(f"--grid {text!r}: write every level as a multiplier (x2) or none")
    texts = scaled if scaled[0] is not None else items
    values = [yaml.load(s, Loader=UniqueKeyLoader) for s in texts]  # noqa: S506 - safe loader
    return key.strip(), {"values": values, "scale_schedule": scaled[0] is not None}
