"""An interrupted or killed `run` leaves either the complete results folder or none."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli_helpers import start
from tests.conftest import ROOT, SMALL

pytestmark = pytest.mark.slow


def start_run(out: Path) -> subprocess.Popen:
    return start("run", SMALL, "--replicates", "40", "--out", out, "--no-charts")


def wait_until_working(out: Path, proc: subprocess.Popen, timeout: float = 60) -> None:
    """Wait until the run has created its temporary folder (so it is mid-way)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if any(out.parent.glob(f".{out.name}.partial-*")):
            time.sleep(1.0)
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    pytest.fail("run never started writing")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_killed_run_leaves_no_results_folder(tmp_path, sig):
    out = tmp_path / "res"
    proc = start_run(out)
    wait_until_working(out, proc)
    proc.send_signal(sig)
    proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert not out.exists()
    if sig == signal.SIGINT:  # cleaned up on the way out
        assert not list(tmp_path.glob(".res.partial-*"))


def test_existing_results_are_kept_unless_forced(tmp_path):
    out = tmp_path / "res"
    out.mkdir()
    (out / "keep.txt").write_text("analyst's notes")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "run", str(SMALL), "--out", str(out), "--no-charts"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 2
    assert "--force" in proc.stderr
    assert (out / "keep.txt").read_text() == "analyst's notes"
