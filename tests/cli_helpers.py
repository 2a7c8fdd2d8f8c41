"""Running the command line from tests: in-process (`invoke`, click's runner) or in a
process of its own (`capped` waits for it, `start` returns at once), and reading the one
error line a refused command prints."""

import os
import resource
import signal
import subprocess
import sys

from click.testing import CliRunner, Result

from run import cli
from tests.conftest import ROOT, SMALL

MEMORY = 2 << 30  # bytes of address space a CLI subprocess may use: regressions fail fast


def invoke(*args) -> Result:
    """`fugong ARGS` in this process (arguments may be paths or numbers)."""
    return CliRunner().invoke(cli, [str(a) for a in args])


def dry_run_sweep(out, *options) -> Result:
    """`fugong sweep --dry-run` of the small scenario with these options (grids, --set)."""
    return invoke("sweep", "--scenario", SMALL, *options, "--out", out, "--dry-run")


def error_line(result: Result) -> str:
    """The single error line of a refused in-process command (exit 2, no traceback)."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [s for s in result.output.splitlines() if s.strip() and not s.startswith("warning: ")]
    assert len(lines) == 1, result.output
    return lines[0]


def one_error(done: subprocess.CompletedProcess) -> str:
    """The single 'error: ' line of a refused CLI subprocess (exit 2; warnings aside)."""
    assert done.returncode == 2, done.stderr
    lines = [s for s in done.stderr.splitlines() if s.strip() and not s.startswith("warning: ")]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


def cli_env() -> dict[str, str]:
    """The environment of a CLI subprocess: this one, with the repository importable."""
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def capped(*args, timeout: float = 120, fsize: int | None = None) -> subprocess.CompletedProcess:
    """`python run.py ARGS` limited to 2 GB of address space (and `fsize` bytes a file) and
    `timeout` seconds, so a regression (a hang on a FIFO, memory eaten by a too-big sweep)
    fails fast instead of exhausting the machine."""

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
        if fsize:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run(
        [sys.executable, "run.py", *map(str, args)],
        cwd=ROOT,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit,
    )


def start(*args, new_session: bool = False) -> subprocess.Popen:
    """`python run.py ARGS` in the background with its output piped; `new_session` gives it
    a process group of its own, so a kill of the group reaches its workers too."""
    return subprocess.Popen(
        [sys.executable, "run.py", *map(str, args)],
        cwd=ROOT,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=new_session,
    )
