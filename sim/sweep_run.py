"""Running a sweep: the worker function, the loop that stores each run as it finishes,
progress on stderr, and the time estimate of ``--dry-run``."""

from __future__ import annotations

import json
import sys
import time
import traceback
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, TextIO

import pandas as pd
import yaml

from sim.errors import FugongError, FugongWarning, Interrupted, exit_code
from sim.executors import Executor, capped_jobs, executor_session
from sim.kpis import summarize
from sim.locks import folder_lock
from sim.memory import check_sweep_memory
from sim.replicates import run_replicate
from sim.results_folder import RESULTS_DIR
from sim.scenario import Scenario
from sim.scenario_files import validate, with_overrides
from sim.stored_runs import RunResult
from sim.sweep_file import load_sweep, sweep_from_options
from sim.sweep_plan import Plan, RunTask, make_plan
from sim.sweep_store import RunStore

_BASE: dict[str, Scenario] = {}  # per worker process: the base scenario of the current sweep


class SweepInterrupted(Interrupted):
    """Ctrl-C or SIGTERM during a sweep: finished runs are saved; the message says how to
    resume (exit 130 or 143)."""


def _base(text: str) -> Scenario:
    if text not in _BASE:
        _BASE.clear()
        _BASE[text] = validate(json.loads(text), "sweep base scenario")
    return _BASE[text]


def run_task(task: RunTask) -> RunResult:
    """One run (replicate and counterfactual) of one sweep point; compact result only.

    Errors are returned, not raised, so a failing run is recorded and the sweep goes on.
    """
    start = time.perf_counter()
    try:
        sc = with_overrides(_base(task.scenario), task.overrides, f"sweep point {task.point}")
        ts = run_replicate(sc, task.replicate, task.seed).timeseries
        summary = summarize(ts.assign(scenario=""), sc.lockdown_start)
        kpis: dict[str, float] = {"horizon_days": float((sc.end_date - sc.lockdown_start).days)}
        for row in summary.itertuples(index=False):
            if _matches(row.group, task.groups):
                for k in task.kpis:
                    kpis[f"{row.group}/{k}"] = float(getattr(row, k))
        groups = [g for g in ts["group"].unique() if _matches(g, task.groups)]
        keep = ts["metric"].isin(task.metrics) & ts["group"].isin(groups)
        small = ts.loc[keep, ["date", "group", "metric", "value"]].reset_index(drop=True)
        return RunResult(
            task.point, task.replicate, task.seed, time.perf_counter() - start, kpis, small
        )
    except Exception as exc:
        error = str(exc) if isinstance(exc, FugongError) else traceback.format_exc()
        return RunResult(
            task.point, task.replicate, task.seed, time.perf_counter() - start, error=error
        )


def _matches(group: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatchcase(group, p) for p in patterns)


@dataclass
class SweepOutcome:
    folder: Path
    runs: pd.DataFrame  # runs.parquet
    computed: int  # runs computed in this session
    failed: int  # failed runs in the folder
    seconds: float
    workers: int = 1


def run_sweep(
    plan: Plan,
    out: Path,
    executor: Executor,
    *,
    resume: bool = False,
    force: bool = False,
    progress: TextIO | None = sys.stderr,
    task_fn=run_task,
    resume_command: str | None = None,
) -> SweepOutcome:
    """Run every unfinished run of the plan, writing each as soon as it is done.

    Ctrl-C or SIGTERM cancels the remaining runs and raises SweepInterrupted; runs already
    received are on disk. The folder is locked for the whole session; on resume every stored
    run is checked and bad ones run again. ``task_fn`` is the worker function (tests replace
    it); ``resume_command`` is the command the interruption message suggests.
    """
    if executor.local:
        check_sweep_memory(plan, min(executor.jobs, plan.n_runs))
    with folder_lock(out):
        return _run_locked(plan, out, executor, resume, force, progress, task_fn, resume_command)


def _run_locked(plan, out, executor, resume, force, progress, task_fn, resume_command):
    store = RunStore.open(out, plan) if resume else RunStore.create(out, plan, force)
    store.clean()
    if resume and (bad := store.verify(plan)):
        warnings.warn(
            FugongWarning(
                f"{out}: {len(bad)} stored run(s) are bad and will be run again (moved to "
                f"rejected/): {'; '.join(bad[:5])}{' ...' if len(bad) > 5 else ''}"
            ),
            stacklevel=2,
        )
    skip = store.finished()
    bar = Progress(plan.n_runs, len(skip), progress)
    started = datetime.now().astimezone()
    clock = time.perf_counter()
    computed = 0
    try:
        for task, outcome in executor.map_unordered(task_fn, plan.tasks(skip)):
            result = outcome if isinstance(outcome, RunResult) else _failure(task, outcome)
            store.write(result)
            computed += 1
            bar.update(result.error is None)
        bar.close()
        runs = store.consolidate(plan)
        _session(store, started, clock, computed, executor, "finished")
    except KeyboardInterrupt as stop:
        executor.close(cancel=True)
        bar.close()
        store.write_index(plan)
        _session(store, started, clock, computed, executor, "interrupted")
        done = len(store.finished())
        raise SweepInterrupted(
            f"interrupted: {done} of {plan.n_runs} runs are finished and saved in {out}; "
            f"continue with: {resume_command or f'fugong sweep --resume --out {out}'}",
            exit_code(stop),
        ) from None
    failed = int((runs["status"] == "failed").sum()) if len(runs) else 0
    return SweepOutcome(
        Path(out), runs, computed, failed, time.perf_counter() - clock, executor.jobs
    )


def execute_sweep(
    plan: Plan,
    out: Path,
    *,
    jobs: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    force: bool = False,
    resume_command: str | None = None,
) -> SweepOutcome:
    """`run_sweep` on the executor of ``--jobs`` / ``--scheduler``, released at the end."""
    with executor_session(jobs, scheduler) as executor:
        return run_sweep(
            plan, out, executor, resume=resume, force=force, resume_command=resume_command
        )


def _failure(task: RunTask, exc: BaseException) -> RunResult:
    return RunResult(
        task.point, task.replicate, task.seed, 0.0, error=f"{type(exc).__name__}: {exc}"
    )


def _session(store: RunStore, started, clock: float, computed: int, executor, status: str):
    seconds = time.perf_counter() - clock
    store.add_session(
        {
            "session": store.session,
            "status": status,
            "started": started.isoformat(),
            "finished": datetime.now().astimezone().isoformat(),
            "runs_computed": computed,
            "seconds": round(seconds, 2),
            "executor": type(executor).__name__,
            "workers": executor.jobs,
            "runs_per_minute": round(60 * computed / seconds, 2) if seconds > 0 else None,
        }
    )


class Progress:
    """Runs done of total, failures, rate and ETA on one stderr line (redrawn on a terminal,
    printed about every 5% otherwise)."""

    def __init__(self, total: int, done: int, stream: TextIO | None) -> None:
        self.total, self.done, self.failed, self.new = total, done, 0, 0
        self.stream = stream
        self.start = time.perf_counter()
        self.tty = bool(stream and stream.isatty())
        self.every = max(1, (total - done) // 20)
        self._draw(force=True)

    def update(self, ok: bool) -> None:
        self.done += 1
        self.new += 1
        self.failed += not ok
        self._draw(force=self.done == self.total)

    def line(self) -> str:
        elapsed = time.perf_counter() - self.start
        rate = self.new / elapsed * 60 if elapsed > 0 and self.new else 0.0
        left = self.total - self.done
        eta = _duration(left / rate * 60) if rate else ("0:00:00" if not left else "?")
        return (
            f"sweep: {self.done}/{self.total} runs, {self.failed} failed, "
            f"{rate:.1f} runs/min, ETA {eta}"
        )

    def _draw(self, force: bool = False) -> None:
        if self.stream is None:
            return
        if self.tty:
            self.stream.write("\r" + self.line().ljust(70))
        elif force or self.new % self.every == 0:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None and self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _duration(seconds: float) -> str:
    return str(timedelta(seconds=round(seconds)))


def estimate_run_seconds(plan: Plan) -> float:
    """Seconds of one run, timed on the reference point's first replicate (the daily cost
    changes over the lockdown, so short runs do not extrapolate well)."""
    task = next(t for t in plan.tasks() if t.point == plan.reference)
    result = run_task(task)
    if result.error is not None:
        raise FugongError(f"the reference point fails: {result.error}")
    return result.seconds


def prepare(
    sweep_file: Path | None,
    *,
    scenario: Path | None = None,
    grid: list[str] = (),
    replicates: int | None = None,
    seed: int | None = None,
    sets: list[str] = (),
    resume: bool = False,
    out: Path | None = None,
    reference: list[str] = (),
) -> tuple[Plan, Path]:
    """The plan and results folder of a `fugong sweep` command line.

    ``--resume --out DIR`` without a sweep file continues the sweep saved in DIR;
    ``--reference KEY=VALUE`` (``xM`` for a multiplier) picks the reference point.
    """
    if resume and out is None:
        raise FugongError("--resume needs --out DIR, the folder of the sweep to continue")
    if sweep_file is None and resume and scenario is None and not grid:
        sweep_file = Path(out) / "sweep.yaml"
    base = load_sweep(sweep_file) if sweep_file is not None else None
    if scenario is not None:
        scenario = Path(scenario).resolve()
    if scenario is not None or grid or replicates is not None or seed is not None or sets:
        base = sweep_from_options(
            base, scenario=scenario, grid=grid, replicates=replicates, seed=seed, sets=sets
        )
    root = Path(sweep_file).parent if sweep_file is not None else Path.cwd()
    if reference:
        base = base.model_copy(update={"reference": dict(map(_reference_level, reference))})
    plan = make_plan(base, root)
    if out is None:
        out = RESULTS_DIR / f"sweep-{plan.sweep.name}-{datetime.now():%Y%m%d-%H%M%S}"
    return plan, Path(out)


def _reference_level(item: str) -> tuple[str, Any]:
    key, _, value = item.partition("=")
    return key, float(value[1:]) if value.startswith("x") else yaml.safe_load(value)


def dry_run_text(
    plan: Plan, out: Path, *, resume: bool, jobs: int | None, scheduler: str | None
) -> str:
    """What a sweep would run, which points are invalid, and how long it should take."""
    s = plan.sweep
    done = RunStore.open(out, plan).finished() if resume else set()
    todo = plan.n_runs - len(done)
    lines = [
        f"sweep {s.name}: {s.design} design, {len(plan.points)} points x {s.replicates} "
        f"replicates = {plan.n_runs} runs"
        + (f" ({len(done)} finished, {todo} to run)" if resume else ""),
        f"levers: {', '.join(plan.points.columns)}",
        f"reference point {plan.reference}: {plan.label(plan.reference)}",
        f"seeds: {plan.seeds[:4]}{' ...' if len(plan.seeds) > 4 else ''} (base seed {plan.seed})",
    ]
    for point, error in plan.invalid_points().items():
        lines.append(f"invalid point {point} (its runs will fail): {error}")
    per_run = estimate_run_seconds(plan)
    workers = 1 if scheduler else min(capped_jobs(jobs), max(todo, 1))
    where = "per Dask worker" if scheduler else f"on {workers} local worker(s)"
    lines.append(
        f"estimate: {per_run:.1f} s per run; {_duration(todo * per_run / workers)} "
        f"{where} (timed on one run of the reference point)"
    )
    lines.append(f"results folder: {out}")
    return "\n".join(lines)
