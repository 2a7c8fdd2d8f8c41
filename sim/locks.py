"""One writer per results folder: a lock held for a whole session.

The lock is a sibling file ``.NAME.lock`` (a sibling, so ``--force`` can replace the folder
while the lock stays put) holding the owner's PID, host and start time, and an advisory
``flock`` on it. The kernel drops the ``flock`` when its process exits in any way (SIGKILL
included), so a lock left behind by a dead process is recognised as stale and taken over.
Where ``flock`` is not supported, the PID and host decide: a lock of a process that is no
longer running on this host is stale; one from another host is refused.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import socket
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from sim.errors import FugongError

_HELD: dict[Path, tuple[int, int]] = {}  # lock path -> (fd, depth), this process's locks


def lock_path(folder: Path) -> Path:
    folder = Path(folder).absolute()
    return folder.parent / f".{folder.name}.lock"


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[Path]:
    """Hold the results folder's lock for the block (re-entrant within a process)."""
    path = lock_path(folder)
    if path in _HELD:
        fd, depth = _HELD[path]
        _HELD[path] = (fd, depth + 1)
        try:
            yield path
        finally:
            fd, depth = _HELD[path]
            _HELD[path] = (fd, depth - 1)
        return
    fd = _acquire(path, Path(folder))
    _HELD[path] = (fd, 1)
    try:
        yield path
    finally:
        del _HELD[path]
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)


def _acquire(path: Path, folder: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FugongError(f"{folder}: cannot create its parent folder ({exc.strerror})") from None
    for _ in range(20):  # retry if the file is replaced between open and lock
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise FugongError(f"{folder}: cannot write here ({exc.strerror})") from None
        try:
            locked = _flock(fd)
            if locked is False:
                holder = _read(path)
                raise FugongError(
                    f"{folder}: in use by {_describe(holder)}; wait for it to "
                    f"finish or use another --out"
                )
            if locked is None and not _stale(_read(path)):  # no flock: PID and host decide
                raise FugongError(
                    f"{folder}: in use by {_describe(_read(path))}; if that "
                    f"process is gone, delete {path}"
                )
            if _same_file(fd, path):
                _write(fd)
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    raise FugongError(f"{folder}: could not take its lock {path}")


def _flock(fd: int) -> bool | None:
    """True if locked, False if another process holds it, None if unsupported here."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    except OSError as exc:
        if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
            return None
        raise


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == path.stat().st_ino
    except FileNotFoundError:
        return False


def _write(fd: int) -> None:
    record = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(record).encode(), 0)


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _stale(holder: dict) -> bool:
    """A lock whose process is gone (same host), or an empty or unreadable lock file."""
    pid, host = holder.get("pid"), holder.get("host")
    if not isinstance(pid, int) or not host:
        return True
    if host != socket.gethostname():
        return False
    return not pid_alive(pid)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _describe(holder: dict) -> str:
    if not holder:
        return "another fugong process"
    return (
        f"another fugong process (PID {holder.get('pid')} on {holder.get('host')}, "
        f"since {holder.get('since')})"
    )
