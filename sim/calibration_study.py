"""The Optuna study of a calibration seen from fugong: each lever's distribution, the trials
that count toward the total, the history table and the parameters' importance (fANOVA).

Reads the study (its journal file); writes nothing.
"""

from __future__ import annotations

import math
import warnings

import pandas as pd

from sim.levers import Lever


def distribution(lever: Lever):
    from optuna.distributions import FloatDistribution, IntDistribution

    if lever.kind == "int":
        return IntDistribution(int(math.ceil(lever.lo)), int(math.floor(lever.hi)))
    return FloatDistribution(lever.lo, lever.hi)


def finished(study) -> int:
    """Trials that count toward the total: scored, or failed with a model error (trials cut
    off by a killed process are failed without one, and are run again)."""
    from optuna.trial import TrialState

    done = study.get_trials(states=(TrialState.COMPLETE, TrialState.FAIL))
    return sum(t.state == TrialState.COMPLETE or "error" in t.user_attrs for t in done)


def has_complete(study) -> bool:
    from optuna.trial import TrialState

    return bool(study.get_trials(states=(TrialState.COMPLETE,)))


def history_table(study) -> pd.DataFrame:
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


def param_importance(study) -> dict[str, float]:
    import optuna

    try:
        with warnings.catch_warnings():  # optuna warns when few trials separate the params
            warnings.simplefilter("ignore")
            found = optuna.importance.get_param_importances(study)
        return {k: float(v) for k, v in found.items()}
    except (RuntimeError, ValueError, ZeroDivisionError):
        return {}  # too few complete trials, or a single parameter
