"""A sweep interrupted (Ctrl-C) or killed (SIGKILL) loses no finished run, and --resume
completes it without computing any run twice. The sweep runs in a subprocess on 2 workers
(about 2 s of start-up each), so this module takes ~10 s."""

import json
import os
import signal
import time

import pandas as pd
import pytest
from click.testing import CliRunner

from run import cli
from tests.cli_helpers import start as start_cli
from tests.conftest import SMALL

pytestmark = pytest.mark.slow

RUNS = 18  # 3 x 2 points x 3 replicates, each run ~0.2 s
SWEEP = [
    "sweep",
    "--scenario",
    str(SMALL),
    "--grid",
    "permits.daily_capacity=x1,x2,x4",
    "--grid",
    "passes.daily_quota=x0.5,x1",
    "-r",
    "3",
    "--set",
    "end_date=2022-04-15",
]


def start(out, *extra):
    return start_cli(*SWEEP, "--jobs", "2", "--out", out, *extra, new_session=True)


def wait_for_files(out, n, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = out / "runs"
        if runs.exists() and len(list(runs.glob("p*.parquet"))) >= n:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    raise AssertionError(f"fewer than {n} runs after {timeout} s")


def snapshot(out):
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (out / "runs").glob("p*")}


def test_interrupt_and_kill_lose_nothing_and_resume_repeats_nothing(tmp_path):
    out = tmp_path / "sweep"
    # 1. Ctrl-C: exits 130, says how to resume, finished runs are on disk and indexed
    proc = start(out)
    wait_for_files(out, 2, proc)
    os.kill(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert f"fugong sweep --resume --out {out}" in err
    first = snapshot(out)
    assert 2 <= len(first) < RUNS
    indexed = pd.read_parquet(out / "runs.parquet")
    assert set(indexed["status"]) == {"ok"} and len(indexed) == len(first)

    # 2. resume, then SIGKILL the whole process group part-way
    proc = start(out, "--resume")
    wait_for_files(out, len(first) + 3, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    second = snapshot(out)
    assert len(second) < RUNS, "the sweep finished before it could be killed"
    assert all(second[name] == first[name] for name in first)  # nothing rewritten

    # 3. resume to the end (in this process, one job)
    lines_before = len((out / "log.jsonl").read_text().splitlines())
    result = CliRunner().invoke(cli, [*SWEEP, "--jobs", "1", "--out", str(out), "--resume"])
    assert result.exit_code == 0, result.output
    final = snapshot(out)
    assert len(final) == RUNS
    assert all(final[name] == second[name] for name in second)
    assert not list((out / "runs").glob(".*"))  # no temporary file left behind
    log = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    computed_last = {entry["run"] for entry in log[lines_before:]}
    assert computed_last == {n.removesuffix(".parquet") for n in set(final) - set(second)}
    counts = pd.Series([entry["run"] for entry in log]).value_counts()
    assert counts.max() == 1  # no run computed twice across the three sessions
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == RUNS and (runs["status"] == "ok").all()
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert [s["status"] for s in sessions] == ["interrupted", "finished"]
