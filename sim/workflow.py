"""The `run` workflow: replicates, summary, charts and manifest into one results folder."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from sim.errors import FugongError
from sim.experiment import combine, replicate_seed, run_replicates, stage_shares
from sim.resources import check_memory
from sim.results import (
    ROOT,
    atomic_folder,
    default_folder,
    file_hash,
    git_commit,
    read_reported,
    scenario_hash,
    versions,
    write_manifest,
    write_table,
)
from sim.scenario import Scenario, load_scenario, parse_override
from sim.summary import summarize

REPORTED = ROOT / "data" / "reported" / "shanghai_2022.csv"
KPI_GROUPS = ("all", "chain:automobile", "chain:integrated_circuits", "chain:biomedicine",
              "chain:chemicals", "chain:other", "batch:1", "batch:2", "batch:3", "batch:none")


@dataclass
class RunOutcome:
    folder: Path
    kpis: pd.DataFrame
    seconds: float


def policy_events(sc: Scenario) -> list[tuple[date, str]]:
    """Dated policy events to mark on charts."""
    events: dict[date, str] = {}
    for name, d in sc.districts.items():
        if d.lockdown:
            events.setdefault(d.lockdown, f"lockdown {name}")
    locks = sorted({d.lockdown for d in sc.districts.values() if d.lockdown})
    if len(locks) > 1:
        events[locks[-1]] = "citywide lockdown"
    for i, b in enumerate(sc.policy.whitelist.batches, start=1):
        events[b.approved] = f"white list {i}"
    events[sc.logistics.transfer_stations.opens] = "transfer stations"
    events[sc.policy.reopening] = "reopening"
    lo, hi = sc.start_date, sc.end_date
    return sorted((d, label) for d, label in events.items() if lo <= d <= hi)


def run_scenario(
    path: Path,
    *,
    seed: int | None = None,
    replicates: int = 1,
    overrides: list[str] = (),
    out: Path | None = None,
    jobs: int = 1,
    force: bool = False,
    charts: bool = True,
) -> RunOutcome:
    """Run a scenario file's replicates and write the results contract."""
    sc = load_scenario(path, list(overrides))
    parsed = dict(parse_override(o) for o in overrides)
    return execute(sc, Path(path), Path(path).stem, seed=seed, replicates=replicates,
                   overrides=parsed, out=out, jobs=jobs, force=force, charts=charts)


def rerun(manifest_path: Path, *, out: Path | None = None, jobs: int = 1,
          force: bool = False) -> RunOutcome:
    """Run again exactly what a manifest recorded: its resolved scenario, seed, replicates."""
    manifest_path = Path(manifest_path)
    if not manifest_path.is_file():
        raise FugongError(f"{manifest_path}: manifest not found")
    try:
        manifest = json.loads(manifest_path.read_text())
        sc = Scenario.model_validate(manifest["resolved_scenario"])
        name, seed, reps = manifest["scenario_name"], manifest["seed"], manifest["replicates"]
    except (json.JSONDecodeError, KeyError, TypeError, ValidationError) as exc:
        raise FugongError(f"{manifest_path}: not a fugong run manifest ({exc})") from None
    if scenario_hash(sc.model_dump(mode="json")) != manifest["scenario_hash"]:
        raise FugongError(f"{manifest_path}: the resolved scenario does not match its hash")
    folder = Path(out) if out else manifest_path.parent.with_name(
        manifest_path.parent.name + "-rerun")
    return execute(sc, Path(manifest["scenario_file"]), name, seed=seed, replicates=reps,
                   overrides=manifest.get("overrides", {}), out=folder, jobs=jobs,
                   force=force, charts=True)


def execute(
    sc: Scenario,
    path: Path,
    name: str,
    *,
    seed: int | None,
    replicates: int,
    overrides: dict,
    out: Path | None,
    jobs: int,
    force: bool,
    charts: bool,
) -> RunOutcome:
    """Run a resolved scenario's replicates into a results folder, atomically."""
    started = datetime.now().astimezone()
    clock = time.perf_counter()
    base_seed = sc.seed if seed is None else seed
    folder = Path(out) if out else default_folder(path)
    check_memory(sc, min(jobs, replicates))
    with atomic_folder(folder, force=force) as tmp:
        results = run_replicates(sc, replicates, base_seed, jobs)
        ts = combine(results, name)
        write_table(ts, tmp / "timeseries.parquet")
        summary = summarize(ts, sc.lockdown_start)
        write_table(summary, tmp / "summary.csv")
        reported = read_reported(REPORTED) if REPORTED.exists() else None
        if charts:
            from sim.plots import make_charts

            make_charts(ts, tmp, reported=reported, events=policy_events(sc))
        resolved = sc.model_dump(mode="json")
        write_manifest(
            tmp,
            {
                "scenario_file": str(Path(path)),
                "scenario_name": name,
                "scenario_hash": scenario_hash(resolved),
                "overrides": overrides,
                "seed": base_seed,
                "replicates": replicates,
                "replicate_seeds": [replicate_seed(base_seed, i) for i in range(replicates)],
                "jobs": jobs,
                "data_files": {str(REPORTED.relative_to(ROOT)): file_hash(REPORTED)}
                if REPORTED.exists() else {},
                "versions": versions(),
                "git_commit": git_commit(),
                "started": started.isoformat(),
                "finished": datetime.now().astimezone().isoformat(),
                "seconds": {f"replicate_{r.replicate}": r.seconds for r in results},
                "stage_shares": stage_shares(results),
                "resolved_scenario": resolved,
            },
        )
    return RunOutcome(folder, kpi_table(summary), time.perf_counter() - clock)


def kpi_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Median over replicates of the headline KPIs for the main groups."""
    cols = ["days_to_50pct", "days_to_80pct", "days_to_90pct", "output_lost_days",
            "min_utilization"]
    s = summary[summary.group.isin(KPI_GROUPS)]
    table = s.groupby("group", sort=False)[cols].median()
    return table.reindex([g for g in KPI_GROUPS if g in table.index])


def calibrate_scenario(
    path: Path,
    targets: Path,
    params: list[str],
    *,
    trials: int,
    replicates: int,
    overrides: list[str],
    until: date | None,
    seed: int | None,
    jobs: int | None,
    scheduler: str | None,
    out: Path | None,
    progress=print,
) -> dict:
    """The `calibrate` workflow: levers from --param or the scenario, trials on an executor."""
    from sim.calibrate import Calibration, parse_levers
    from sim.executors import make_executor
    from sim.results import RESULTS_DIR
    from sim.targets import load_targets

    load_targets(targets)  # fail early on a bad targets file
    sc = load_scenario(path, list(overrides))
    specs = params or [f"{k}={lo}:{hi}" for k, (lo, hi) in sc.calibration.parameters.items()]
    if not specs:
        raise FugongError(f"{path}: no parameters to calibrate; give --param KEY=LO:HI or "
                          "list them under calibration.parameters")
    folder = Path(out) if out else RESULTS_DIR / (
        f"calibrate-{Path(path).stem}-{datetime.now():%Y%m%d-%H%M%S}")
    cal = Calibration(Path(path), Path(targets), parse_levers(specs, sc), trials, replicates,
                      until, folder, sc.seed if seed is None else seed, tuple(overrides))
    executor = make_executor(jobs, scheduler)
    try:
        result = cal.run(executor, batch=max(executor.jobs, 4), progress=progress)
    except BaseException:
        executor.close(cancel=True)
        raise
    executor.close()
    return {**result, "folder": folder}


def fit_results(folder: Path, targets: Path, until: date | None) -> tuple[pd.DataFrame, Path]:
    """The fit table of a finished run folder against a targets file."""
    from sim.targets import fit_table, load_targets

    found = load_targets(targets)
    series = Path(folder) / "timeseries.parquet"
    if not series.is_file():
        raise FugongError(f"{folder}: no timeseries.parquet (not a results folder)")
    table = fit_table(pd.read_parquet(series), found, until)
    path = Path(folder) / "fit.csv"
    table.to_csv(path, index=False)
    return table, path
