"""Progress bars on a terminal (stderr a pseudo-terminal), none off a terminal or with
--quiet, and the same results either way."""

import fcntl
import os
import struct
import subprocess
import sys
import termios

import pandas as pd
import pytest

from sim.scenario_files import load_scenario
from tests.conftest import ROOT, SMALL

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120"}
SHORT = ["--set", "end_date=2022-04-10", "--no-charts"]


def fugong(*args, terminal: bool) -> tuple[int, str, str]:
    """Run the command line with stderr on a pseudo-terminal (or a pipe): exit code,
    stdout and everything written to stderr."""
    if not terminal:
        done = subprocess.run(
            [sys.executable, "run.py", *map(str, args)],
            cwd=ROOT,
            env=ENV,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        return done.returncode, done.stdout, done.stderr
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "run.py", *map(str, args)],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=slave,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    stdout = proc.stdout.read().decode()
    proc.wait(60)
    return proc.returncode, stdout, b"".join(chunks).decode(errors="replace")


def test_a_run_shows_replicates_and_days_on_a_terminal_only(tmp_path):
    n_days = load_scenario(SMALL, ["end_date=2022-04-10"]).n_days
    code, _, err = fugong("run", SMALL, *SHORT, "--out", tmp_path / "tty", terminal=True)
    assert code == 0, err
    assert "replicate 0: days" in err and "counterfactual days" in err
    assert f"/{2 * n_days}" in err  # the lockdown run's days, then the counterfactual's

    code, _, err = fugong("run", SMALL, *SHORT, "-r", "2", "--out", tmp_path / "r2", terminal=True)
    assert code == 0, err
    assert "small: replicates" in err and "1/2" in err and "replicate 1: days" in err

    code, _, err = fugong("run", SMALL, *SHORT, "--out", tmp_path / "pipe", terminal=False)
    assert code == 0, err
    assert "days" not in err and "\r" not in err

    code, _, err = fugong("run", SMALL, *SHORT, "-q", "--out", tmp_path / "quiet", terminal=True)
    assert code == 0, err
    assert "days" not in err and "replicate" not in err and "\r" not in err

    for name in ("timeseries.parquet", "summary.csv"):
        read = pd.read_parquet if name.endswith(".parquet") else pd.read_csv
        shown, quiet = read(tmp_path / "tty" / name), read(tmp_path / "quiet" / name)
        pd.testing.assert_frame_equal(shown, quiet)


@pytest.mark.slow
def test_calibrate_shows_trials_failures_and_best_loss(tmp_path):
    args = [
        "calibrate",
        SMALL,
        "--targets",
        ROOT / "data" / "targets" / "shanghai_2022.yaml",
        "--param",
        "permits.daily_capacity=0.5:3",
        "--trials",
        "4",
        "-r",
        "1",
        "--jobs",
        "1",
        "--set",
        "end_date=2022-05-15",
        "--until",
        "2022-05-15",
    ]
    code, _, err = fugong(*args, "--out", tmp_path / "tty", terminal=True)
    assert code == 0, err
    assert "trials:" in err and "4/4" in err and "0 failed" in err and "best loss" in err
    assert "\r" in err  # a bar redrawn in place

    code, _, err = fugong(*args, "--out", tmp_path / "pipe", terminal=False)
    assert code == 0, err
    assert "trials 4/4, 0 failed, best loss" in err and "\r" not in err

    code, _, err = fugong(*args, "-q", "--out", tmp_path / "quiet", terminal=True)
    assert code == 0, err
    assert "trials" not in err

    tty, quiet = (pd.read_csv(tmp_path / d / "trials.csv") for d in ("tty", "quiet"))
    pd.testing.assert_frame_equal(tty, quiet)
