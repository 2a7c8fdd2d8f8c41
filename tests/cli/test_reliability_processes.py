"""Reliability v2 (issue 15) with real processes: two writers on one results folder, stale
locks, workers outliving a killed parent, SIGTERM, and a Dask worker killed mid-sweep."""

import json
import os
import signal
import time

import pandas as pd
import psutil
import pytest
from click.testing import CliRunner

from run import cli
from tests.cli_helpers import start as start_cli
from tests.conftest import SMALL

pytestmark = pytest.mark.slow
SWEEP = [
    "sweep",
    "--scenario",
    str(SMALL),
    "--grid",
    "permits.daily_capacity=x1,x2,x3",
    "-r",
    "2",
    "--set",
    "end_date=2022-04-05",
]
RUNS = 6  # of ~0.3 s each
LONG = [*SWEEP[:5], "-r", "6", *SWEEP[7:]]  # 18 runs: still running after three refusals


def start(*args, jobs="1"):
    return start_cli(*args, "--jobs", jobs)


def wait_for(condition, proc, what, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if proc.poll() is not None:
            raise AssertionError(f"exited before {what}: {proc.communicate()}")
        time.sleep(0.05)
    raise AssertionError(f"no {what} after {timeout} s")


def runs_in(out):
    return len(list((out / "runs").glob("p*.parquet"))) if (out / "runs").is_dir() else 0


def one_line(text):
    lines = [
        s for s in text.splitlines() if s.strip() and not s.startswith(("sweep: ", "warning: "))
    ]
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


def gone(pids, timeout=30):
    """Wait until none of ``pids`` runs (zombies count as gone); the ones left."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = [
            p
            for p in pids
            if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE
        ]
        if not left:
            return []
        time.sleep(0.2)
    return left


def test_a_second_writer_is_refused_and_sigterm_stops_the_first_like_ctrl_c(tmp_path):
    """While a sweep runs, another sweep with --force, a second --resume and a run on its
    folder are refused; SIGTERM then stops it like Ctrl-C (exit 143, one line, session
    recorded, workers gone, lock released) and --resume completes it."""
    out = tmp_path / "shared"
    first = start(*LONG, "--out", out, jobs="2")
    wait_for(lambda: runs_in(out) >= 1, first, "a finished run")
    workers = [c.pid for c in psutil.Process(first.pid).children(recursive=True)]
    other = [
        "sweep",
        "--scenario",
        SMALL,
        "--grid",
        "passes.daily_quota=x0.5,x1",
        "--set",
        "end_date=2022-03-12",
        "--jobs",
        "1",
        "--out",
        out,
    ]
    for args in (
        [*other, "--force"],
        [*LONG, "--jobs", "1", "--out", out, "--resume"],
        ["run", SMALL, "--out", out, "--force", "--no-charts"],
    ):
        result = CliRunner().invoke(cli, [str(a) for a in args])
        assert result.exit_code == 2, result.output
        line = one_line(result.output)
        assert f"{out}: in use by another fugong process (PID {first.pid} on" in line
    first.terminate()
    _, err = first.communicate(timeout=60)
    assert first.returncode == 143, err
    line = one_line(err)
    assert line.startswith("interrupted: ") and f"fugong sweep --resume --out {out}" in line
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert [s["status"] for s in sessions] == ["interrupted"]
    assert gone(workers) == []
    assert not (tmp_path / ".shared.lock").exists()
    result = CliRunner().invoke(cli, [*LONG, "--jobs", "2", "--out", str(out), "--resume"])
    assert result.exit_code == 0, result.output
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 18 and (runs.status == "ok").all()
    assert set(runs["permits.daily_capacity"]) == {1, 2, 3}


def test_a_killed_sweep_leaves_a_stale_lock_that_resume_takes_over(tmp_path):
    """SIGKILL of the parent alone: its workers exit by themselves, the lock it left is
    recognised as stale, and --resume completes the sweep."""
    out = tmp_path / "s"
    proc = start(*SWEEP, "--out", out, jobs="2")
    wait_for(lambda: runs_in(out) >= 1, proc, "a finished run")
    workers = [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
    assert len(workers) >= 2
    proc.kill()
    proc.communicate(timeout=30)
    assert gone(workers) == []
    lock = tmp_path / ".s.lock"
    assert json.loads(lock.read_text())["pid"] == proc.pid  # left behind, stale
    result = CliRunner().invoke(cli, [*SWEEP, "--jobs", "1", "--out", str(out), "--resume"])
    assert result.exit_code == 0, result.output
    assert len(pd.read_parquet(out / "runs.parquet")) == RUNS
    assert not lock.exists()


def test_sigterm_stops_a_run_and_removes_its_partial_folder(tmp_path):
    out = tmp_path / "r"
    proc = start("run", SMALL, "--replicates", "40", "--out", out, "--no-charts", jobs="2")
    wait_for(lambda: any(tmp_path.glob(".r.partial-*")), proc, "a partial folder")
    time.sleep(1.0)
    workers = [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
    proc.terminate()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert one_line(err).startswith("interrupted: ")
    assert not out.exists() and not list(tmp_path.glob(".r.*"))
    assert gone(workers) == []


def test_a_dask_worker_killed_mid_sweep_loses_no_finished_run(tmp_path):
    """One of two Dask workers dies mid-sweep: the sweep finishes on the other (Dask
    reschedules its tasks) or stops with one line; finished runs are kept; resume completes."""
    from distributed import LocalCluster

    out = tmp_path / "d"
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        proc = start(*SWEEP, "--out", out, "--scheduler", cluster.scheduler_address)
        wait_for(lambda: runs_in(out) >= 1, proc, "a finished run", timeout=120)
        victim = next(iter(cluster.workers.values())).pid
        before = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("p*.parquet")}
        os.kill(victim, signal.SIGKILL)
        _, err = proc.communicate(timeout=180)
        if proc.returncode != 0:
            assert "Traceback" not in err, err
        after = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("p*.parquet")}
        assert all(after.get(name) == t for name, t in before.items())  # none lost or redone
        result = CliRunner().invoke(
            cli, [*SWEEP, "--out", str(out), "--resume", "--scheduler", cluster.scheduler_address]
        )
        assert result.exit_code == 0, result.output
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == RUNS and (runs.status == "ok").all()
