"""Global sensitivity of a recovery KPI to a sweep's levers, with SALib.

The sweep file's ranged parameters define the problem (log ranges are sampled on a log
scale; integer keys are rounded after sampling). SALib's Sobol (Saltelli) or Morris sample
becomes a table design that runs through the ordinary sweep machinery (same store, resume and
executors). Replicates of a sample point are averaged before the analysis; days never reached
are censored at the horizon plus one day, and how many were is reported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim import labels
from sim.errors import FugongError
from sim.locks import folder_lock
from sim.replicate_stats import kpi_values
from sim.results_folder import RESULTS_DIR
from sim.sweep_file import Sweep, load_sweep, sweep_from_options
from sim.sweep_plan import Plan, from_unit, load_base, make_plan
from sim.sweep_run import execute_sweep

Method = Literal["sobol", "morris"]
MORRIS_LEVELS = 4


@dataclass
class Sensitivity:
    indices: pd.DataFrame
    censored: int  # runs whose days were censored
    folder: Path


def problem(sweep: Sweep) -> dict:
    """SALib problem over the unit cube (log and integer handling happen on mapping)."""
    ranged = [k for k, p in sweep.parameters.items() if p.range is not None]
    if len(ranged) < 2 or len(ranged) != len(sweep.parameters):
        raise FugongError(
            "sensitivity needs a sweep whose parameters are all ranges "
            f"(range: {{lo, hi}}), at least two; got {list(sweep.parameters)}"
        )
    return _problem(ranged)


def _problem(names: list[str]) -> dict:
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def sample(sweep: Sweep, method: Method, n: int, seed: int) -> np.ndarray:
    """The SALib sample in the unit cube: N(D+2) rows for Sobol, N(D+1) for Morris."""
    prob = problem(sweep)
    if method == "sobol":
        from SALib.sample import sobol

        if n & (n - 1):
            raise FugongError(f"Sobol sensitivity needs a power of 2 samples, got {n}")
        return sobol.sample(prob, n, calc_second_order=False, seed=seed)
    from SALib.sample import morris

    return morris.sample(prob, n, num_levels=MORRIS_LEVELS, seed=seed)


def sensitivity_plan(sweep: Sweep, root: Path, method: Method, n: int) -> tuple[Plan, np.ndarray]:
    """A table-design plan whose points are the SALib sample mapped onto the ranges."""
    _, scenario = load_base(sweep, root)
    seed = scenario.seed if sweep.seed is None else sweep.seed
    unit = sample(sweep, method, n, seed)
    points = from_unit(sweep, scenario, unit)
    table_sweep = sweep.model_copy(
        update={
            "design": "table",
            "table": "design.csv",
            "samples": None,
            "reference": None,
            "parameters": {
                k: p.model_copy(update={"range": None}) for k, p in sweep.parameters.items()
            },
        }
    )
    return make_plan(table_sweep, root, points=points), unit


def analyse(
    plan: Plan, runs: pd.DataFrame, unit: np.ndarray, method: Method, column: str, seed: int
) -> tuple[pd.DataFrame, int]:
    """Indices with 95% confidence intervals; replicates averaged per sample point."""
    ok = runs[runs["status"] == "ok"]
    missing = sorted(set(plan.points.index) - set(ok["point"]))
    if missing:
        raise FugongError(
            f"{len(missing)} sample point(s) have no finished run (e.g. "
            f"{missing[:5]}); fix the cause and rerun with --resume"
        )
    if column not in ok.columns:
        kpis = sorted(c for c in ok.columns if "/" in c)
        raise FugongError(f"no KPI '{column}' in the runs; available: {kpis}")
    censored = int(ok[column].isna().sum())
    y = ok.assign(v=kpi_values(ok, column)).groupby("point")["v"].mean()
    y = y.reindex(plan.points.index).to_numpy(float)
    if np.nanstd(y) == 0:
        raise FugongError(
            f"{column} is the same at every sample point, so it has no "
            "sensitivity to these levers (is the horizon long enough?)"
        )
    prob = _problem(list(plan.points.columns))
    if method == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(prob, y, calc_second_order=False, seed=seed)
        table = pd.DataFrame(
            {
                "parameter": prob["names"],
                "S1": res["S1"],
                "S1_conf": res["S1_conf"],
                "ST": res["ST"],
                "ST_conf": res["ST_conf"],
            }
        )
    else:
        from SALib.analyze import morris

        res = morris.analyze(prob, unit, y, num_levels=MORRIS_LEVELS, seed=seed)
        table = pd.DataFrame(
            {
                "parameter": prob["names"],
                "mu_star": res["mu_star"],
                "mu_star_conf": res["mu_star_conf"],
                "sigma": res["sigma"],
                "mu": res["mu"],
            }
        )
    return table, censored


SMALL_SOBOL_N = 64  # below this Sobol intervals are usually as wide as the indices


def small_sample_warning(table: pd.DataFrame, method: Method, n: int) -> str | None:
    """A warning when the sample is too small for the indices' intervals to mean anything."""
    if method != "sobol":
        return None
    widest = float(table[["S1_conf", "ST_conf"]].max().max())
    if n >= SMALL_SOBOL_N and widest < 0.2:
        return None
    return (
        f"warning: Sobol N={n} is small: 95% intervals reach ±{widest:.2f} (indices lie in "
        f"0-1); use -n {max(SMALL_SOBOL_N, 4 * n)} or more before reading the ranking"
    )


def chart(
    table: pd.DataFrame, method: Method, title: str, path: Path, warning: str | None = None
) -> None:
    """Bars of the indices with their confidence intervals."""
    pairs = (
        [("S1", "first order"), ("ST", "total")]
        if method == "sobol"
        else [("mu_star", "mu* (mean |elementary effect|)"), ("sigma", "sigma (interactions)")]
    )
    fig = Figure(figsize=(9.0, 1.2 + 0.7 * len(table)), layout="constrained")
    ax = fig.add_subplot()
    pos = np.arange(len(table))
    height = 0.38
    for i, (col, label) in enumerate(pairs):
        err = table.get(f"{col}_conf")
        ax.barh(
            pos + (i - 0.5) * height,
            table[col],
            height,
            xerr=None if err is None else err,
            capsize=3,
            label=label,
        )
    ax.set_yticks(pos, [f"{labels.lever(k)}\n({k})" for k in table["parameter"]], fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="0.4", lw=0.8)
    ax.legend(frameon=False, fontsize=9)
    ax.set_title(title, fontsize=10)
    note = "Error bars: 95% confidence intervals (bootstrap)."
    if warning:
        text = warning.removeprefix("warning: ")
        note += "\n" + text[:1].upper() + text[1:]
    fig.supxlabel(note, fontsize=8, color="0.35")
    fig.savefig(path, dpi=110)


def write_outputs(
    folder: Path,
    table: pd.DataFrame,
    method: Method,
    column: str,
    n: int,
    censored: int,
    runs: int,
    unit: np.ndarray,
    plan: Plan,
) -> None:
    folder = Path(folder)
    table.to_csv(folder / "indices.csv", index=False)
    pd.DataFrame(unit, columns=plan.points.columns).to_csv(folder / "sample_unit.csv", index=False)
    group, _, kpi = column.rpartition("/")
    reps = labels.plural(plan.sweep.replicates, "replicate")
    chart(
        table,
        method,
        f"{method.capitalize()} indices of {labels.group(group)}: "
        f"{labels.metric(kpi).name} (N={n}, {reps} averaged per point)",
        folder / "indices.png",
        small_sample_warning(table, method, n),
    )
    (folder / "sensitivity.json").write_text(
        json.dumps(
            {
                "method": method,
                "N": n,
                "kpi": column,
                "sample_points": len(plan.points),
                "replicates": plan.sweep.replicates,
                "runs": runs,
                "censored_runs": censored,
                "censoring": "days never reached replaced by the horizon plus one day",
                "confidence": 0.95,
            },
            indent=2,
        )
        + "\n"
    )


@dataclass
class SensitivityRun:
    """A sensitivity command resolved: its SALib sample as a sweep plan, and where it goes."""

    plan: Plan
    unit: np.ndarray  # the sample in the unit cube
    method: Method
    n: int  # SALib base sample
    out: Path


def prepare_sensitivity(
    sweep_file: Path,
    method: Method,
    samples: int | None = None,
    replicates: int | None = None,
    out: Path | None = None,
) -> SensitivityRun:
    """The plan of `fugong sensitivity`: default N is the sweep's samples (or 64) for Sobol,
    10 trajectories for Morris."""
    sw = load_sweep(sweep_file)
    if replicates is not None:
        sw = sweep_from_options(sw, replicates=replicates)
    n = samples or ((sw.samples or 64) if method == "sobol" else 10)
    plan, unit = sensitivity_plan(sw, Path(sweep_file).parent, method, n)
    stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
    folder = Path(out) if out else RESULTS_DIR / f"sensitivity-{sw.name}-{method}-{stamp}"
    return SensitivityRun(plan, unit, method, n, folder)


def run_sensitivity(
    job: SensitivityRun,
    *,
    kpi: str,
    group: str,
    jobs: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    force: bool = False,
) -> Sensitivity:
    """Run the sample's sweep (resumable), then the indices of ``group/kpi`` and outputs."""
    with folder_lock(job.out):  # held from the first run to the last output
        outcome = execute_sweep(
            job.plan,
            job.out,
            jobs=jobs,
            scheduler=scheduler,
            resume=resume,
            force=force,
            resume_command=f"the same command with --resume --out {job.out}",
        )
        column = f"{group}/{kpi}"
        plan = job.plan
        table, censored = analyse(plan, outcome.runs, job.unit, job.method, column, seed=plan.seed)
        write_outputs(
            job.out, table, job.method, column, job.n, censored, len(outcome.runs), job.unit, plan
        )
    return Sensitivity(table, censored, job.out)
