"""`fugong run` and `rerun`: a scenario's replicates into one results folder.

Reads a scenario (file + overrides, or a manifest's resolved scenario) and the reported
figures; writes timeseries.parquet, summary.csv, charts and manifest.json atomically.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from sim.errors import FugongError
from sim.executors import capped_jobs
from sim.keys import parse_override
from sim.kpis import headline_kpis, summarize
from sim.manifests import check_seeds, read_run_manifest, warn_differences
from sim.memory import check_memory
from sim.policy import policy_events
from sim.progress import RunProgress
from sim.replicates import combine, replicate_seed, run_replicates, stage_shares
from sim.reported import REPORTED, read_reported
from sim.results_folder import (
    ROOT,
    atomic_folder,
    default_folder,
    file_hash,
    git_commit,
    scenario_hash,
    versions,
    write_manifest,
    write_table,
)
from sim.scenario import Scenario
from sim.scenario_files import load_scenario, validate


@dataclass
class RunOutcome:
    folder: Path
    kpis: pd.DataFrame
    seconds: float


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
    progress: bool = False,
) -> RunOutcome:
    """Run a scenario file's replicates and write the results contract; `progress` shows
    bars of finished replicates and simulated days on stderr (only when it is a terminal)."""
    sc = load_scenario(path, list(overrides))
    parsed = dict(parse_override(o) for o in overrides)
    return execute(
        sc,
        Path(path),
        Path(path).stem,
        seed=seed,
        replicates=replicates,
        overrides=parsed,
        out=out,
        jobs=jobs,
        force=force,
        charts=charts,
        progress=progress,
    )


def rerun(
    manifest_path: Path, *, out: Path | None = None, jobs: int = 1, force: bool = False
) -> RunOutcome:
    """Run again exactly what a manifest recorded: its resolved scenario, seed, replicates
    (and charts or not). `manifest_path` may be the results folder itself."""
    manifest_path = Path(manifest_path)
    if manifest_path.is_dir():
        manifest_path = manifest_path / "manifest.json"
    m = read_run_manifest(manifest_path)
    sc = validate(m.resolved_scenario, f"{manifest_path}: resolved_scenario")
    if scenario_hash(sc.model_dump(mode="json")) != m.scenario_hash:
        raise FugongError(f"{manifest_path}: the resolved scenario does not match its hash")
    check_seeds(m, manifest_path, replicate_seed)
    warn_differences(m, manifest_path, versions(), git_commit())
    folder = (
        Path(out) if out else manifest_path.parent.with_name(manifest_path.parent.name + "-rerun")
    )
    return execute(
        sc,
        Path(m.scenario_file),
        m.scenario_name,
        seed=m.seed,
        replicates=m.replicates,
        overrides=m.overrides,
        out=folder,
        jobs=jobs,
        force=force,
        charts=bool(getattr(m, "charts", True)),
    )


def same_results(a: Path, b: Path) -> bool:
    """Whether two results folders hold identical timeseries and summaries, bit for bit."""
    for name in ("timeseries.parquet", "summary.csv"):
        read = pd.read_parquet if name.endswith(".parquet") else pd.read_csv
        x, y = read(Path(a) / name), read(Path(b) / name)
        if not (x.shape == y.shape and list(x.columns) == list(y.columns) and x.equals(y)):
            return False
    return True


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
    progress: bool = False,
) -> RunOutcome:
    """Run a resolved scenario's replicates into a results folder, atomically."""
    started = datetime.now().astimezone()
    clock = time.perf_counter()
    base_seed = sc.seed if seed is None else seed
    folder = Path(out) if out else default_folder(path)
    jobs = capped_jobs(jobs)
    check_memory(sc, min(jobs, replicates))
    with atomic_folder(folder, force=force) as tmp:
        with RunProgress(name, replicates, sc.n_days, progress) as bar:
            results = run_replicates(
                sc, replicates, base_seed, jobs, on_done=bar.replicate_done, on_day=bar.day
            )
        ts = combine(results, name)
        write_table(ts, tmp / "timeseries.parquet")
        summary = summarize(ts, sc.lockdown_start)
        write_table(summary, tmp / "summary.csv")
        reported = read_reported(REPORTED) if REPORTED.exists() else None
        if charts:
            from sim.run_charts import make_charts

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
                "charts": charts,
                "data_files": {str(REPORTED.relative_to(ROOT)): file_hash(REPORTED)}
                if REPORTED.exists()
                else {},
                "versions": versions(),
                "git_commit": git_commit(),
                "started": started.isoformat(),
                "finished": datetime.now().astimezone().isoformat(),
                "seconds": {f"replicate_{r.replicate}": r.seconds for r in results},
                "stage_shares": stage_shares(results),
                "resolved_scenario": resolved,
            },
        )
    return RunOutcome(folder, headline_kpis(summary), time.perf_counter() - clock)
