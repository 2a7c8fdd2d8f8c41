"""SIGTERM stops a command the way Ctrl-C does (finished work saved, partial folders removed),
and worker processes never outlive the process that started them."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from pathlib import Path

from sim.errors import Stopped
from sim.locks import pid_alive

PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 1.0


_STOP = (signal.SIGINT, signal.SIGTERM)
_held: list[int] | None = None  # signals received while deferred (None: not deferring)


def _interrupt(signum, frame) -> None:
    if _held is not None:
        _held.append(signum)
        return
    raise Stopped(signum)


def install_stop_handlers() -> dict:
    """In the main process: Ctrl-C and SIGTERM raise ``Stopped`` (so both stop cleanly,
    with exit 130 or 143). Returns the previous handlers (empty off the main thread, where
    signals cannot be handled)."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {s: signal.signal(s, _interrupt) for s in _STOP}


def restore_handlers(previous: dict) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)


@contextlib.contextmanager
def deferred_signals():
    """Hold Ctrl-C and SIGTERM until the block is done, then stop (used while a worker is
    being started: interrupted half-way it would print a traceback)."""
    global _held
    if _held is not None or signal.getsignal(signal.SIGTERM) is not _interrupt:
        yield
        return
    _held = []
    try:
        yield
    finally:
        held, _held = _held, None
        if held:
            raise Stopped(held[0])


def worker_init(parent_pid: int) -> None:
    """Pool-worker initializer: signals are the parent's to handle (it stops the workers),
    and the worker exits as soon as the parent is gone, however it died."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if sys.platform.startswith("linux"):  # immediate, when the direct parent exits
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    first_parent = os.getppid()

    def watch() -> None:  # also covers the original parent (a fork server sits between)
        while True:
            time.sleep(WATCH_SECONDS)
            if os.getppid() != first_parent or not running(parent_pid):
                os._exit(1)

    threading.Thread(target=watch, name="fugong-parent-watch", daemon=True).start()


def running(pid: int) -> bool:
    """Alive and not a zombie (a killed parent stays a zombie until its own parent reaps it,
    and the fork server keeps running while its workers do, so neither is a sign of life)."""
    if not pid_alive(pid):
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: the signal check is all there is
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")
