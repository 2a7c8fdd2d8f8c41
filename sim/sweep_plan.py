"""The run plan of a sweep: its points, seeds and per-run tasks, resolved against the base.

Every point runs the same replicate seeds (common random numbers), so differences between
points come from the policy, not from noise. Multipliers (``scale_schedule``) become scaled
copies of the base scenario's values here.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import warnings
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from sim.errors import FugongError, FugongWarning, ScenarioError
from sim.keys import get_key
from sim.levers import Lever
from sim.replicates import replicate_seed
from sim.scenario import Scenario
from sim.scenario_files import load_scenario, with_overrides
from sim.sweep_file import Sweep, SweepError, tidy


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

    @cached_property
    def levers(self) -> dict[str, Lever]:
        """Every column of the points as a lever (a table's extra columns are plain values)."""
        found = sweep_levers(self.sweep, self.scenario_data)
        return {k: found.get(k, Lever(k)) for k in self.points.columns}

    def is_scaled(self, key: str) -> bool:
        return key in self.levers and self.levers[key].kind == "multiplier"

    def levels(self, point: int) -> dict[str, Any]:
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
        for key, level in self.levels(point).items():
            lever = self.levers[key]
            current = _lookup(base, key) if lever.kind == "multiplier" else None
            try:
                out[key] = lever.value(current, level, tidy)
            except TypeError:
                raise SweepError(
                    f"parameters.{key}: scale_schedule cannot scale {current!r}"
                ) from None
        return out

    def point_scenario(self, point: int) -> Scenario:
        return with_overrides(self.scenario, self.overrides(point), f"sweep point {point}")

    def label(self, point: int) -> str:
        parts = []
        for key, value in self.levels(point).items():
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
                yield RunTask(
                    point,
                    rep,
                    seed,
                    text,
                    cache[point],
                    tuple(s.groups),
                    tuple(s.metrics),
                    tuple(s.kpis),
                )

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
    scenario = (
        with_overrides(base_sc, sweep.overrides, "sweep overrides") if sweep.overrides else base_sc
    )
    return base_sc.model_dump(mode="json"), scenario


def _distinct(key: str, levels: list[Any]) -> list[Any]:
    """Levels without repeats (1 and 1.0 are one level, true is not 1), with a warning."""
    seen, out, dropped = set(), [], []
    for v in levels:
        tag = (
            ("bool", v)
            if isinstance(v, bool)
            else (("num", float(v)) if isinstance(v, int | float) else ("str", v))
        )
        if tag in seen:
            dropped.append(v)
            continue
        seen.add(tag)
        out.append(v)
    if dropped:
        warnings.warn(
            FugongWarning(
                f"parameters.{key}: duplicate value(s) {dropped} dropped; each point runs once"
            ),
            stacklevel=3,
        )
    return out


def design_points(sweep: Sweep, root: Path, scenario: Scenario) -> pd.DataFrame:
    keys = list(sweep.parameters)
    if sweep.design == "grid":
        levels = [_distinct(key, p.levels()) for key, p in sweep.parameters.items()]
        return pd.DataFrame(list(itertools.product(*levels)), columns=keys)
    if sweep.design == "table":
        table = read_table(Path(root) / sweep.table)
        dupes = table.duplicated()
        if dupes.any():
            warnings.warn(
                FugongWarning(
                    f"{sweep.table}: {int(dupes.sum())} duplicate row(s) dropped (rows "
                    f"{', '.join(str(i + 2) for i in np.flatnonzero(dupes)[:5])}); each point runs "
                    "once"
                ),
                stacklevel=2,
            )
        return table[~dupes]
    sampler_seed = sweep.seed if sweep.seed is not None else scenario.seed
    d = len(keys)
    if sweep.design == "lhs":
        unit = qmc.LatinHypercube(d=d, seed=sampler_seed).random(sweep.samples)
    else:
        unit = qmc.Sobol(d=d, scramble=True, seed=sampler_seed).random(sweep.samples)
    return from_unit(sweep, scenario, unit)


def sweep_levers(sweep: Sweep, base: dict[str, Any]) -> dict[str, Lever]:
    """The sweep's parameters as levers over the base scenario's data: multipliers
    (``scale_schedule``), integers (ranges over keys that hold integers), or plain values."""
    out = {}
    for key, p in sweep.parameters.items():
        r = p.range
        if p.scale_schedule:
            kind = "multiplier"
        elif r is not None and _is_int(_lookup(base, key, missing_ok=True)):
            kind = "int"
        else:
            kind = "value"
        lo, hi = (r.lo, r.hi) if r is not None else (None, None)
        out[key] = Lever(key, lo, hi, kind, bool(r is not None and r.log))
    return out


def from_unit(sweep: Sweep, scenario: Scenario, unit: np.ndarray) -> pd.DataFrame:
    """Map samples in [0, 1) onto the parameters' ranges (log ranges on a log scale).

    Keys that hold integers in the scenario (days, case counts) are rounded.
    """
    levers = sweep_levers(sweep, scenario.model_dump(mode="json"))
    columns = {}
    for j, (key, lever) in enumerate(levers.items()):
        values = lever.from_unit(unit[:, j])
        if lever.kind == "int":
            columns[key] = np.round(values).astype(int)
        else:
            columns[key] = [tidy(v) for v in values]
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
    """Index of the point matching the sweep's reference values; by default the baseline
    (every scaled lever at x1, every other lever at the base scenario's value) when the
    design has it, else the first point."""
    ref = plan.sweep.reference
    if not ref:
        return _baseline(plan)
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


def _baseline(plan: Plan) -> int:
    mask = np.ones(len(plan.points), bool)
    for key in plan.points.columns:
        if plan.is_scaled(key):
            want = 1.0
        else:
            want = _lookup(plan.scenario_data, key, missing_ok=True)
            if isinstance(want, bool) or not isinstance(want, int | float):
                return int(plan.points.index[0])
        mask &= np.isclose(
            pd.to_numeric(plan.points[key], errors="coerce"), float(want), rtol=1e-9, atol=0
        )
    hits = np.flatnonzero(mask)
    return int(plan.points.index[hits[0] if len(hits) else 0])


# --------------------------------------------------------------------------- scaling


def _lookup(data: dict[str, Any], key: str, missing_ok: bool = False) -> Any:
    try:
        return get_key(data, key)
    except KeyError:
        if missing_ok:
            return None
        raise SweepError(
            f"parameters.{key}: no such key in the base scenario{_did_you_mean(data, key)}"
        ) from None


def _did_you_mean(data: dict[str, Any], key: str) -> str:
    """'; did you mean permits.daily_capacity?' from the scenario's keys and sections."""
    import difflib

    from sim.diff import flatten

    leaves = list(flatten(data))
    known = set(leaves) | {k.rsplit(".", i)[0] for k in leaves for i in range(1, k.count(".") + 1)}
    close = difflib.get_close_matches(key, sorted(known), n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(close)}?" if close else ""


# --------------------------------------------------------------------------- saving


def stored_sweep(plan: Plan) -> dict[str, Any]:
    """The sweep as saved with its results: base and table point at the folder's copies."""
    data = plan.sweep.model_dump(mode="json", exclude_defaults=True)
    data["name"] = plan.sweep.name
    data["base"] = "scenario.yaml"
    if plan.sweep.design == "table":
        data["table"] = "design.csv"
    return data
