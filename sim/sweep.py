"""Sweep definitions: which scenario levers to vary, how, and with how many replicates.

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

import difflib
import hashlib
import itertools
import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from scipy.stats import qmc

from sim.errors import FugongError, ScenarioError
from sim.experiment import replicate_seed
from sim.scenario import (
    Scenario,
    get_key,
    load_scenario,
    parse_override,
    read_yaml,
    scale_value,
    with_overrides,
)

KPI_NAMES = ("days_to_50pct", "days_to_80pct", "days_to_90pct", "output_lost",
             "output_lost_days", "min_utilization")
DEFAULT_GROUPS = ("all", "chain:*", "batch:*")
DEFAULT_METRICS = ("capacity_utilization", "output_index", "resumption_rate", "staff_on_site",
                   "permits_issued_cum", "passes_issued", "truck_trips_index")
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"  # a results-folder name, never a path

Scalar = str | bool | int | float


class SweepError(FugongError):
    """A sweep file or command-line sweep that cannot be used."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(_Strict):
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


class Parameter(_Strict):
    values: Annotated[list[Scalar], Field(min_length=1)] | None = None
    range: Range | None = None
    scale_schedule: bool = False  # the value multiplies the base scenario's value or schedule

    @model_validator(mode="after")
    def _check(self) -> Parameter:
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
        return [_tidy(v) for v in space(r.lo, r.hi, r.n)]


class Sweep(_Strict):
    name: Annotated[str, Field(pattern=NAME_PATTERN)]
    description: str = ""
    base: str  # scenario file, relative to the sweep file
    replicates: Annotated[int, Field(ge=1)] = 1
    seed: int | None = None  # default: the scenario's seed
    overrides: dict[str, Any] = {}  # fixed scenario overrides (like --set)
    parameters: dict[str, Parameter] = {}
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


def _check_parameter(design: str, key: str, p: Parameter) -> None:
    where = f"parameters.{key}"
    if design == "grid" and p.values is None and (p.range is None or p.range.n is None):
        raise ValueError(f"{where}: a grid needs values or a range with n levels")
    if design in ("lhs", "sobol") and p.range is None:
        raise ValueError(f"{where}: a {design} design samples a range; give range: {{lo, hi}}")
    if design != "grid" and p.range is not None and p.range.n is not None:
        raise ValueError(f"{where}: range.n sets grid levels; the {design} design does not use it")
    if design == "table" and (p.values is not None or p.range is not None):
        raise ValueError(f"{where}: a table design takes its values from the table")


def _tidy(value: float) -> float:
    """Round off float noise (0.30000000000000004) so labels and matching stay clean."""
    return float(f"{float(value):.12g}")


# --------------------------------------------------------------------------- loading


def parse_sweep(data: dict[str, Any], source: str) -> Sweep:
    """Validate a raw mapping into a Sweep, with one readable error line."""
    try:
        return Sweep.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(p) for p in err["loc"]]
        key = ".".join(loc) or "(top level)"
        if err["type"] == "extra_forbidden":
            known = _fields_at(loc[:-1])
            hint = difflib.get_close_matches(loc[-1], known, n=1)
            suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
            raise SweepError(f"{source}: {key}: unknown key{suggestion} "
                             f"(allowed here: {', '.join(known)})") from None
        if err["type"] == "missing":
            raise SweepError(f"{source}: {key}: required key is missing") from None
        got = err.get("input")
        shown = "" if isinstance(got, dict | list) else f", got {got!r}"
        message = err["msg"].removeprefix("Value error, ")
        raise SweepError(f"{source}: {key}: {message}{shown}") from None


def _fields_at(loc: list[str]) -> list[str]:
    """Allowed keys at a location, for the did-you-mean hint."""
    models: dict[tuple[str, ...], type[BaseModel]] = {
        (): Sweep, ("parameters",): Parameter, ("parameters", "range"): Range,
    }
    path = tuple(p for i, p in enumerate(loc) if not (i == 1 and loc[0] == "parameters"))
    model = models.get(path)
    return list(model.model_fields) if model else []


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
    values = [yaml.safe_load(s) for s in texts]
    return key.strip(), {"values": values, "scale_schedule": scaled[0] is not None}


# --------------------------------------------------------------------------- the plan


@dataclass
class RunTask:
    """Everything a worker needs for one run, as plain picklable values."""

    point: int
    replicate: int
    seed: int
    scenario: str  # the base scenario as JSON text (workers cache it by content)
    overrides: dict[str, Any]
    groups: tuple[str, ...]
    metrics: tuple[str, ...]
    kpis: tuple[str, ...]

    @property
    def name(self) -> str:
        return run_name(self.point, self.replicate)


def run_name(point: int, replicate: int) -> str:
    return f"p{point:04d}_r{replicate:03d}"


@dataclass
class Plan:
    """A sweep resolved against its base scenario: the points and the seeds to run."""

    sweep: Sweep
    scenario: Scenario  # the base with the sweep's fixed overrides applied
    base_data: dict[str, Any]  # the base scenario before the fixed overrides (JSON form)
    points: pd.DataFrame  # one row per point, one column per parameter key (lever values)
    reference: int

    @property
    def seed(self) -> int:
        return self.scenario.seed if self.sweep.seed is None else self.sweep.seed

    @property
    def seeds(self) -> list[int]:
        return [replicate_seed(self.seed, i) for i in range(self.sweep.replicates)]

    @property
    def n_runs(self) -> int:
        return len(self.points) * self.sweep.replicates

    def is_scaled(self, key: str) -> bool:
        p = self.sweep.parameters.get(key)
        return bool(p and p.scale_schedule)

    def levers(self, point: int) -> dict[str, Any]:
        """Lever values of a point as plain Python values (column types kept: a row would
        turn integers into floats)."""
        return {k: _plain(self.points.at[point, k]) for k in self.points.columns}

    @cached_property
    def scenario_data(self) -> dict[str, Any]:
        return self.scenario.model_dump(mode="json")

    def overrides(self, point: int) -> dict[str, Any]:
        """Scenario overrides of a point (multipliers turned into scaled schedules)."""
        base = self.scenario_data
        out = {}
        for key, value in self.levers(point).items():
            out[key] = _scaled(_lookup(base, key), value, key) if self.is_scaled(key) else value
        return out

    def point_scenario(self, point: int) -> Scenario:
        return with_overrides(self.scenario, self.overrides(point), f"sweep point {point}")

    def label(self, point: int) -> str:
        parts = []
        for key, value in self.levers(point).items():
            shown = _fmt(value)
            parts.append(f"{key}=x{shown}" if self.is_scaled(key) else f"{key}={shown}")
        return ", ".join(parts)

    def tasks(self, skip: set[tuple[int, int]] = frozenset()):
        """Runs not yet finished, replicate by replicate (all points of replicate 0 first)."""
        text = json.dumps(self.scenario_data)  # key order matters: districts, chains
        s = self.sweep
        cache = {}
        for rep, seed in enumerate(self.seeds):
            for point in self.points.index:
                if (point, rep) in skip:
                    continue
                if point not in cache:
                    cache[point] = self.overrides(point)
                yield RunTask(point, rep, seed, text, cache[point], tuple(s.groups),
                              tuple(s.metrics), tuple(s.kpis))

    def invalid_points(self) -> dict[int, str]:
        """Points whose scenario does not validate, with the reason."""
        bad = {}
        for point in self.points.index:
            try:
                self.point_scenario(point)
            except FugongError as exc:
                bad[int(point)] = str(exc)
        return bad

    def fingerprint(self) -> str:
        """Hash of what determines the results: the sweep, the base scenario, the points."""
        content = {
            "sweep": self.sweep.model_dump(mode="json", exclude={"base", "table", "description"}),
            "scenario": self.base_data,
            "points": json.loads(self.points.to_json(orient="split", double_precision=12)),
        }
        return hashlib.sha256(json.dumps(content).encode()).hexdigest()


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{float(value):g}"
    return str(value)


def make_plan(sweep: Sweep, root: Path, points: pd.DataFrame | None = None) -> Plan:
    """Resolve a sweep: load its base scenario (relative to ``root``) and build the points.

    ``points`` replaces the design (used by the sensitivity command for SALib samples).
    """
    base_data, scenario = load_base(sweep, root)
    if points is None:
        points = design_points(sweep, root, scenario)
    points = points.reset_index(drop=True)
    points.index.name = "point"
    plan = Plan(sweep, scenario, base_data, points, 0)
    plan.reference = find_reference(plan)
    try:
        plan.point_scenario(plan.reference)
    except ScenarioError as exc:
        raise SweepError(f"reference point {plan.reference} is invalid: {exc}") from None
    return plan


def load_base(sweep: Sweep, root: Path) -> tuple[dict[str, Any], Scenario]:
    """The base scenario (JSON form, as saved) and the scenario with the fixed overrides."""
    base_sc = load_scenario((Path(root) / sweep.base).resolve())
    scenario = with_overrides(base_sc, sweep.overrides, "sweep overrides") if sweep.overrides \
        else base_sc
    return base_sc.model_dump(mode="json"), scenario


def design_points(sweep: Sweep, root: Path, scenario: Scenario) -> pd.DataFrame:
    keys = list(sweep.parameters)
    if sweep.design == "grid":
        levels = [p.levels() for p in sweep.parameters.values()]
        return pd.DataFrame(list(itertools.product(*levels)), columns=keys)
    if sweep.design == "table":
        return read_table(Path(root) / sweep.table)
    sampler_seed = sweep.seed if sweep.seed is not None else scenario.seed
    d = len(keys)
    if sweep.design == "lhs":
        unit = qmc.LatinHypercube(d=d, seed=sampler_seed).random(sweep.samples)
    else:
        unit = qmc.Sobol(d=d, scramble=True, seed=sampler_seed).random(sweep.samples)
    return from_unit(sweep, scenario, unit)


def from_unit(sweep: Sweep, scenario: Scenario, unit: np.ndarray) -> pd.DataFrame:
    """Map samples in [0, 1) onto the parameters' ranges (log ranges on a log scale).

    Keys that hold integers in the scenario (days, case counts) are rounded.
    """
    base = scenario.model_dump(mode="json")
    columns = {}
    for j, (key, p) in enumerate(sweep.parameters.items()):
        r = p.range
        if r.log:
            values = np.exp(np.log(r.lo) + unit[:, j] * (np.log(r.hi) - np.log(r.lo)))
        else:
            values = r.lo + unit[:, j] * (r.hi - r.lo)
        if not p.scale_schedule and _is_int(_lookup(base, key, missing_ok=True)):
            columns[key] = np.round(values).astype(int)
        else:
            columns[key] = [_tidy(v) for v in values]
    return pd.DataFrame(columns)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def read_table(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise SweepError(f"{path}: design table not found")
    try:
        table = pd.read_csv(path)
    except (ValueError, pd.errors.ParserError) as exc:
        raise SweepError(f"{path}: cannot read the design table ({exc})") from None
    if table.empty or table.isna().any().any():
        raise SweepError(f"{path}: the design table needs rows and no empty cells")
    bad = [c for c in table.columns if not re.fullmatch(r"[A-Za-z0-9_.]+", str(c))]
    if bad:
        raise SweepError(f"{path}: column(s) {bad} are not scenario keys (key.path)")
    return table


def find_reference(plan: Plan) -> int:
    """Index of the point matching the sweep's reference values (default: the first)."""
    ref = plan.sweep.reference
    if not ref:
        return int(plan.points.index[0])
    unknown = set(ref) - set(plan.points.columns)
    if unknown:
        raise SweepError(f"reference names keys that are not parameters: {sorted(unknown)}")
    mask = np.ones(len(plan.points), bool)
    for key, want in ref.items():
        col = plan.points[key]
        if isinstance(want, int | float) and not isinstance(want, bool):
            mask &= np.isclose(pd.to_numeric(col, errors="coerce"), want, rtol=1e-9, atol=0)
        else:
            mask &= (col == want).to_numpy()
    hits = np.flatnonzero(mask)
    if len(hits) != 1:
        what = "no point" if not len(hits) else f"{len(hits)} points"
        raise SweepError(f"reference {ref} matches {what}; name one point by all its levers")
    return int(plan.points.index[hits[0]])


# --------------------------------------------------------------------------- scaling


def _lookup(data: dict[str, Any], key: str, missing_ok: bool = False) -> Any:
    try:
        return get_key(data, key)
    except KeyError:
        if missing_ok:
            return None
        raise SweepError(f"parameters.{key}: no such key in the base scenario") from None


def _scaled(value: Any, factor: float, key: str) -> Any:
    """A number, a dated schedule, or a section of them, multiplied by ``factor``."""
    try:
        return scale_value(value, factor, _tidy)
    except TypeError:
        raise SweepError(f"parameters.{key}: scale_schedule cannot scale {value!r}") from None


# --------------------------------------------------------------------------- saving


def stored_sweep(plan: Plan) -> dict[str, Any]:
    """The sweep as saved with its results: base and table point at the folder's copies."""
    data = plan.sweep.model_dump(mode="json", exclude_defaults=True)
    data["name"] = plan.sweep.name
    data["base"] = "scenario.yaml"
    if plan.sweep.design == "table":
        data["table"] = "design.csv"
    return data
