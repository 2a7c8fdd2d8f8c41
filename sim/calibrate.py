"""Calibration of scenario parameters against reported figures with Optuna.

Each trial runs R replicates with common random numbers (the same seeds in every trial),
averages each target's model value over them and scores the bound-aware loss of
``sim.targets``. Trials run through the sweep executor (local pool or Dask); the study
lives in an Optuna journal file, so an interrupted calibration resumes where it stopped.
Targets enter only through the loss: nothing in the model is set from a target.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from sim.calibrated_file import write_calibrated
from sim.calibration_levers import apply_levers, check_ranges
from sim.calibration_study import (
    distribution,
    finished,
    has_complete,
    history_table,
    param_importance,
)
from sim.calibration_trials import full_run, guarded, outcomes, trial_loss
from sim.errors import FugongError, FugongWarning, ScenarioError
from sim.executors import Executor, capped_jobs, executor_session
from sim.levers import Lever, parse_levers
from sim.locks import folder_lock
from sim.memory import check_memory
from sim.progress import TrialStatus
from sim.replicates import replicate_seed
from sim.results_folder import RESULTS_DIR
from sim.scenario import Scenario
from sim.scenario_files import load_scenario
from sim.targets import Target, check_inputs, fit_table, load_targets, unscorable
from sim.targets import loss as target_loss

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
        dists = {lv.key: distribution(lv) for lv in self.levers}
        seeds = [replicate_seed(self.seed, r) for r in range(self.replicates)]
        target_dicts = [t.model_dump(mode="json") for t in targets]
        while (done := finished(study)) < self.trials:
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
            for res in outcomes(executor, guarded, tasks):
                results[res["trial"]].append(res)
            for trial in asked:
                self._tell(study, trial, results[trial.number], fit_targets)
            best = study.best_trial if has_complete(study) else None
            failed = study.get_trials(states=(TrialState.FAIL,))
            reason = failed[-1].user_attrs.get("error", "") if failed else ""
            progress(
                TrialStatus(
                    finished(study), self.trials, len(failed), best.value if best else None, reason
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

        if not has_complete(study):
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
        for task, result in executor.map_unordered(full_run, tasks):
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
        write_calibrated(
            self.out,
            self.base_path,
            self.targets_path,
            self.levers,
            best.params,
            overrides=self.overrides,
            replicates=self.replicates,
            seed=self.seed,
        )
        history = history_table(study)
        history.to_csv(self.out / "trials.csv", index=False)
        importance = param_importance(study)
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


def _charts(out: Path, ts, history: pd.DataFrame, importance: dict, sc: Scenario) -> None:
    """Model curves against the reported markers, the search history and importances."""
    from sim.calibration_chart import calibration_chart
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
