"""A killed calibration keeps its journal readable and resumes to the full trial count."""

import os
import signal
import subprocess
import sys
import time

import optuna
import pandas as pd
import pytest
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend
from optuna.trial import TrialState

from tests.conftest import ROOT, SMALL

pytestmark = pytest.mark.slow

TRIALS = 10


def command(out):
    return [
        sys.executable,
        str(ROOT / "run.py"),
        "calibrate",
        str(SMALL),
        "--targets",
        str(ROOT / "data" / "targets" / "shanghai_2022.yaml"),
        "--param",
        "permits.daily_capacity=0.5:3",
        "--param",
        "zoning.churn=0.02:0.3",
        "--trials",
        str(TRIALS),
        "--replicates",
        "1",
        "--jobs",
        "1",
        "--set",
        "end_date=2022-05-15",
        "--until",
        "2022-05-15",
        "--out",
        str(out),
    ]


def complete_trials(out) -> int:
    storage = JournalStorage(JournalFileBackend(str(out / "journal.log")))
    study = optuna.load_study(study_name="fugong", storage=storage)
    return len(study.get_trials(states=(TrialState.COMPLETE,)))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_killed_calibration_resumes_without_losing_trials(tmp_path, sig):
    out = tmp_path / "cal"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        command(out), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if (out / "journal.log").exists() and complete_trials(out) >= 3:
            break
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.2)
    proc.send_signal(sig)
    proc.communicate(timeout=60)
    assert proc.returncode != 0
    before = complete_trials(out)  # the journal is still readable
    assert 3 <= before < TRIALS
    done = subprocess.run(
        command(out), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert complete_trials(out) == TRIALS
    history = pd.read_csv(out / "trials.csv")
    assert (history.state == "COMPLETE").sum() == TRIALS
    assert (out / "calibrated.yaml").exists() and (out / "fit.csv").exists()
