"""Calibration of scenario parameters against reported figures with Optuna.

Each trial runs R replicates with common random numbers (the same seeds in every trial),
averages each target's model value over them and scores the bound-aware loss of
``sim.targets``. Trials run through the sweep executor (local pool or Dask); the study
lives in an Optuna journal file, so an interrupted calibration resumes where it stopped.
Targets enter only through the loss: nothing in the model is set from a target.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.errors import FugongError, FugongWarning, ScenarioError
from sim.executors import Executor, capped_jobs, executor_session
from sim.keys import apply_override, get_key
from sim.levers import Lever, parse_levers
from sim.locks import folder_lock
from sim.memory import check_memory
from sim.progress import TrialStatus
from sim.replicates import replicate_seed, run_replicate
from sim.results_folder import RESULTS_DIR
from sim.scenario import Scenario
from sim.scenario_files import load_scenario, resolve_raw, validate
from sim.schedule import is_schedule_key, schedule_date
from sim.targets import (
    Target,
    check_inputs,
    fit_table,
    load_targets,
    simulated_values,
    unscorable,
)
from sim.targets import loss as target_loss


def apply_levers(sc: Scenario, levers: list[Lever], values: dict[str, float]) -> Scenario:
    data = sc.model_dump(mode="python")
    for lever in levers:
        data = lever.apply(data, values[lever.key], "calibration")
    return validate(data, "calibration trial")


def check_ranges(sc: Scenario, levers: list[Lever]) -> None:
    """Reject, before the search, a range that would push a bounded value out of its bounds
    (a share schedule scaled above 1, say), naming the widest valid range.

    Scaling is linear and the schema's bounds are intervals, so both ends valid means every
    value between them is valid.
    """
    for lever in levers:
        bad = [x for x in (lever.lo, lever.hi) if _invalid(sc, lever, x)]
        if not bad:
            continue
        valid = [x for x in (lever.lo, lever.hi) if x not in bad]
        reason = _invalid(sc, lever, bad[0])
        spec = f"--param {lever.key}={lever.lo:g}:{lever.hi:g}"
        if not valid:
            raise FugongError(f"{spec}: both ends make the scenario invalid ({reason})")
        edge = _valid_edge(sc, lever, valid[0], bad[0])
        lo, hi = (lever.lo, edge) if bad[0] == lever.hi else (edge, lever.hi)
        lo, hi = math.ceil(lo * 1000) / 1000, math.floor(hi * 1000) / 1000
        raise FugongError(
            f"{spec}: at {bad[0]:g} the scenario is invalid ({reason}); the "
            f"valid range is {lo:g} to {hi:g}: use --param {lever.key}={lo:g}:{hi:g}"
        )


def _invalid(sc: Scenario, lever: Lever, x: float) -> str:
    """Why the scenario is invalid with the lever at `x` ('' if it is valid)."""
    try:
        apply_levers(sc, [lever], {lever.key: x})
    except ScenarioError as exc:
        return str(exc).split(": ", 1)[-1]
    return ""


def _valid_edge(sc: Scenario, lever: Lever, good: float, bad: float) -> float:
    """The valid end of [good, bad] nearest to bad, by bisection."""
    for _ in range(40):
        mid = (good + bad) / 2
        good, bad = (mid, bad) if not _invalid(sc, lever, mid) else (good, mid)
    return good


def _rounded(value: Any) -> Any:
    """Calibrated values to 4 significant digits (whole numbers from 1,000 up)."""
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, float):
        return float(round(value)) if abs(value) >= 1000 else float(f"{value:.4g}")
    return value


def _dated(value: Any) -> Any:
    """Schedule keys as dates, so YAML writes them unquoted like the scenario files."""
    if isinstance(value, dict):
        return {
            (schedule_date(k) if is_schedule_key(k) else k): _dated(v) for k, v in value.items()
        }
    return value


def _written_part(data: dict[str, Any], key: str) -> list[str]:
    """The key path a child scenario sets for ``key``: up to its first list, which a child
    can only replace whole, else the key itself."""
    parts = key.split(".")
    for i in range(1, len(parts)):
        if isinstance(get_key(data, ".".join(parts[:i])), list):
            return parts[:i]
    return parts


# ---------------------------------------------------------------------- one run


def target_values(task: dict[str, Any]) -> dict[str, Any]:
    """Executor task: one replicate of one trial, returning only each target's value."""
    sc = Scenario.model_validate(task["scenario"])
    targets = [Target.model_validate(t) for t in task["targets"]]
    ts = run_replicate(sc, task["replicate"], task["seed"]).timeseries
    values = {}
    for t in targets:
        v = simulated_values(ts, t)
        values[t.name] = float(v.mean()) if len(v) else math.nan
    return {"trial": task["trial"], "replicate": task["replicate"], "values": values}


def _outcomes(executor: Executor, fn, tasks: list[dict[str, Any]]) -> Iterator[dict]:
    """Run tasks on the executor; a task that raised becomes an error record."""
    for task, result in executor.map_unordered(fn, tasks):
        if isinstance(result, BaseException):  # a failed trial scores as infinitely bad
            result = {"trial": task["trial"], "replicate": task["replicate"], "error": repr(result)}
        yield result


def _guarded(task: dict[str, Any]) -> dict[str, Any]:
    try:
        return target_values(task)
    except Exception as exc:  # the model raised for these parameters: the search goes on
        return {"trial": task["trial"], "replicate": task["replicate"], "error": repr(exc)}


def trial_loss(values: pd.DataFrame, targets: list[Target]) -> float:
    """Loss of a trial from its per-replicate target values (averaged first)."""
    mean = values.mean(axis=0)
    total = 0.0
    for t in targets:
        if t.mappable and t.name in mean and np.isfinite(mean[t.name]):
            total += t.penalty(float(mean[t.name]))
    return total


# ---------------------------------------------------------------------- the search


@dataclass
class Calibration:
    base_path: Path
    targets_path: Path
    levers: list[Lever]
    trials: int
    replicates: int
    until: date | None
    out: Path
    seed: int
    overrides: tuple[str, ...] = ()

    def run(
        self, executor: Executor, batch: int, progress: Callable[[TrialStatus], None] = print
    ) -> dict:
        import optuna
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend
        from optuna.trial import TrialState

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        sc = load_scenario(self.base_path, list(self.overrides))
        targets = load_targets(self.targets_path)
        fit_targets = [t for t in targets if self.until is None or t.end <= self.until]
        if not any(t.mappable for t in fit_targets):
            raise FugongError(f"{self.targets_path}: no mappable target before {self.until}")
        check_scorable(self.targets_path, targets, fit_targets, sc)
        self.out.mkdir(parents=True, exist_ok=True)
        storage = JournalStorage(JournalFileBackend(str(self.out / "journal.log")))
        study = optuna.create_study(
            study_name="fugong",
            storage=storage,
            direction="minimize",
            load_if_exists=True,
            sampler=optuna.samplers.TPESampler(seed=self.seed, multivariate=True),
        )
        for stale in study.get_trials(states=(TrialState.RUNNING,)):
            study.tell(stale.number, state=TrialState.FAIL)  # killed mid-trial: redo
        dists = {lv.key: _distribution(lv) for lv in self.levers}
        seeds = [replicate_seed(self.seed, r) for r in range(self.replicates)]
        target_dicts = [t.model_dump(mode="json") for t in targets]
        while (done := _finished(study)) < self.trials:
            asked = []
            tasks = []
            for _ in range(min(batch, self.trials - done)):
                trial = study.ask(dists)
                try:
                    trial_sc = apply_levers(sc, self.levers, trial.params)
                except ScenarioError as exc:  # parameters outside what the schema allows
                    trial.set_user_attr("error", str(exc))
                    study.tell(trial.number, state=TrialState.FAIL)
                    continue
                asked.append(trial)
                for r, s in enumerate(seeds):
                    tasks.append(
                        {
                            "scenario": trial_sc.model_dump(mode="json"),
                            "targets": target_dicts,
                            "trial": trial.number,
                            "replicate": r,
                            "seed": s,
                        }
                    )
            results: dict[int, list[dict]] = {t.number: [] for t in asked}
            for res in _outcomes(executor, _guarded, tasks):
                results[res["trial"]].append(res)
            for trial in asked:
                self._tell(study, trial, results[trial.number], fit_targets)
            best = study.best_trial if _has_complete(study) else None
            failed = study.get_trials(states=(TrialState.FAIL,))
            reason = failed[-1].user_attrs.get("error", "") if failed else ""
            progress(
                TrialStatus(
                    _finished(study), self.trials, len(failed), best.value if best else None, reason
                )
            )
        return self._report(study, sc, targets, executor)

    def _tell(self, study, trial, results: list[dict], fit_targets: list[Target]) -> None:
        from optuna.trial import TrialState

        errors = [r["error"] for r in results if "error" in r]
        if errors:
            trial.set_user_attr("error", errors[0])
            study.tell(trial.number, state=TrialState.FAIL)
            return
        values = pd.DataFrame([r["values"] for r in results])
        trial.set_user_attr("values", values.mean().to_dict())
        study.tell(trial.number, trial_loss(values, fit_targets))

    def _report(self, study, sc: Scenario, targets: list[Target], executor: Executor) -> dict:
        from sim.replicates import combine

        if not _has_complete(study):
            raise FugongError("calibration: every trial failed; see trials.csv")
        best = study.best_trial
        best_sc = apply_levers(sc, self.levers, best.params)
        tasks = [
            {
                "scenario": best_sc.model_dump(mode="json"),
                "replicate": r,
                "seed": replicate_seed(self.seed, r),
            }
            for r in range(self.replicates)
        ]
        runs = []
        for task, result in executor.map_unordered(_full_run, tasks):
            if isinstance(result, BaseException):
                raise FugongError(
                    f"calibration: the best trial failed on replicate "
                    f"{task['replicate']}: {result!r}"
                )
            runs.append(result)
        runs.sort(key=lambda r: r.replicate)
        ts = combine(runs, "calibrated")
        fit = fit_table(ts, targets, self.until)
        fit.to_csv(self.out / "fit.csv", index=False)
        ts.to_parquet(self.out / "timeseries.parquet", index=False)
        self._write_scenario(best.params)
        history = _history(study)
        history.to_csv(self.out / "trials.csv", index=False)
        importance = _importance(study)
        summary = {
            "best_params": best.params,
            "best_loss": best.value,
            "fit_loss_check": target_loss(
                ts, [t for t in targets if self.until is None or t.end <= self.until]
            ),
            "trials": len(history),
            "failed_trials": int((history.state == "FAIL").sum()),
            "replicates": self.replicates,
            "overrides": list(self.overrides),
            "seed": self.seed,
            "until": self.until.isoformat() if self.until else None,
            "levers": [lv.__dict__ for lv in self.levers],
            "importance": importance,
        }
        (self.out / "calibration.json").write_text(json.dumps(summary, indent=2) + "\n")
        _charts(self.out, ts, history, importance, best_sc)
        return {"summary": summary, "fit": fit, "timeseries": ts}

    def _write_scenario(self, params: dict[str, float]) -> None:
        """A scenario that inherits the base and sets only the calibrated parameters.

        Schedules are written with date keys and a list (``centralized_return.1.daily_staff``)
        whole, since a child's list replaces the base's: the file must pass ``validate``."""
        base = load_scenario(self.base_path).model_dump(mode="python")  # schedules as floats
        full = resolve_raw(Path(self.base_path))
        cuts = []
        for lever in self.levers:
            value = _dated(_rounded(lever.value(get_key(base, lever.key), params[lever.key])))
            full = apply_override(full, lever.key, value, "calibrated.yaml")
            cuts.append(_written_part(full, lever.key))
        child: dict[str, Any] = {}
        for cut in cuts:
            node = child
            for part in cut[:-1]:
                node = node.setdefault(part, {})
            node[cut[-1]] = get_key(full, ".".join(cut))
        base = Path(os.path.relpath(Path(self.base_path).resolve(), self.out.resolve()))
        shown = {k: float(f"{v:.4g}") for k, v in params.items()}
        fixed = " ".join(f"--set {o}" for o in self.overrides) or "none"
        header = (
            f"# Calibrated by `fugong calibrate` against {self.targets_path}\n"
            f"# best parameters: {json.dumps(shown)} (schedules: multipliers)\n"
            f"# fitted with overrides: {fixed}; {self.replicates} replicate(s) per "
            f"trial, seed {self.seed}\n"
        )
        text = yaml.safe_dump(
            {"description": f"{base.stem} calibrated", "base": str(base), **child}, sort_keys=False
        )
        (self.out / "calibrated.yaml").write_text(header + text)


def check_scorable(
    path: Path, targets: list[Target], fit_targets: list[Target], sc: Scenario
) -> None:
    """Refuse, before any trial, targets of the fit that the runs cannot score (they would
    drop out of the loss silently); out-of-sample ones are only warned about."""
    bad = unscorable(fit_targets, sc)
    if bad:
        raise FugongError(
            f"{path}: {len(bad)} target(s) cannot be scored by this scenario: "
            f"{'; '.join(bad)}; shorten the targets file, move the run window "
            "(start_date/end_date) or use --until"
        )
    later = unscorable([t for t in targets if t not in fit_targets], sc)
    if later:
        warnings.warn(
            FugongWarning(
                f"{path}: {len(later)} out-of-sample target(s) cannot be "
                f"reported: {'; '.join(later)}"
            ),
            stacklevel=2,
        )


def _full_run(task: dict[str, Any]):
    return run_replicate(Scenario.model_validate(task["scenario"]), task["replicate"], task["seed"])


def _distribution(lever: Lever):
    from optuna.distributions import FloatDistribution, IntDistribution

    if lever.kind == "int":
        return IntDistribution(int(math.ceil(lever.lo)), int(math.floor(lever.hi)))
    return FloatDistribution(lever.lo, lever.hi)


def _finished(study) -> int:
    """Trials that count toward the total: scored, or failed with a model error (trials cut
    off by a killed process are failed without one, and are run again)."""
    from optuna.trial import TrialState

    done = study.get_trials(states=(TrialState.COMPLETE, TrialState.FAIL))
    return sum(t.state == TrialState.COMPLETE or "error" in t.user_attrs for t in done)


def _has_complete(study) -> bool:
    from optuna.trial import TrialState

    return bool(study.get_trials(states=(TrialState.COMPLETE,)))


def _history(study) -> pd.DataFrame:
    rows = []
    for t in study.trials:
        rows.append(
            {
                "trial": t.number,
                "state": t.state.name,
                "loss": t.value,
                **{f"param:{k}": v for k, v in t.params.items()},
                "error": t.user_attrs.get("error", ""),
            }
        )
    return pd.DataFrame(rows)


def _importance(study) -> dict[str, float]:
    import optuna

    try:
        with warnings.catch_warnings():  # optuna warns when few trials separate the params
            warnings.simplefilter("ignore")
            found = optuna.importance.get_param_importances(study)
        return {k: float(v) for k, v in found.items()}
    except (RuntimeError, ValueError, ZeroDivisionError):
        return {}  # too few complete trials, or a single parameter


def _charts(out: Path, ts, history: pd.DataFrame, importance: dict, sc: Scenario) -> None:
    """Model curves against the reported markers, the search history and importances."""
    from sim.plots import calibration_chart
    from sim.policy import policy_events
    from sim.reported import REPORTED, read_reported
    from sim.run_charts import make_charts

    make_charts(ts, out, reported=read_reported(REPORTED), events=policy_events(sc))
    calibration_chart(history, importance, out / "calibration_history.png")


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
    sc = load_scenario(path, list(overrides))
    specs = params or [f"{k}={lo}:{hi}" for k, (lo, hi) in sc.calibration.parameters.items()]
    if not specs:
        raise FugongError(
            f"{path}: no parameters to calibrate; give --param KEY=LO:HI or "
            "list them under calibration.parameters"
        )
    # fail early on a bad targets file, a reported input calibrated or not at its value
    check_inputs(targets, sc.model_dump(mode="python"), [s.partition("=")[0] for s in specs])
    folder = (
        Path(out)
        if out
        else RESULTS_DIR / (f"calibrate-{Path(path).stem}-{datetime.now():%Y%m%d-%H%M%S}")
    )
    levers = parse_levers(specs, sc)
    check_ranges(sc, levers)
    cal = Calibration(
        Path(path),
        Path(targets),
        levers,
        trials,
        replicates,
        until,
        folder,
        sc.seed if seed is None else seed,
        tuple(overrides),
    )
    if scheduler is None:
        jobs = capped_jobs(jobs)
        check_memory(sc, min(jobs, max(jobs, 4) * replicates), "this calibration")
    if folder.exists() and not folder.is_dir():
        raise FugongError(f"{folder}: exists and is not a folder; choose another --out")
    with folder_lock(folder), executor_session(jobs, scheduler) as executor:
        result = cal.run(executor, batch=max(executor.jobs, 4), progress=progress)
    return {**result, "folder": folder}
