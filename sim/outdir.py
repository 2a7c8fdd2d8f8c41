"""Where results go: which existing paths may be replaced, and unique temporary names.

``--force`` replaces only a folder fugong wrote (its ``manifest.json`` is there): a folder of
someone's own files, a plain file or a device is never removed.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from sim.errors import FugongError


def tmp_name(path: Path) -> Path:
    """A hidden temporary name next to ``path``, unique to this process and call."""
    path = Path(path)
    return path.parent / f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp"


def prepare_target(folder: Path, force: bool, hint: str = "use --force to replace it") -> None:
    """Refuse an existing ``folder`` unless ``force`` and fugong wrote it; check the parent."""
    folder = Path(folder)
    if folder.exists() or folder.is_symlink():
        if not folder.is_dir() or folder.is_symlink():
            raise FugongError(f"{folder}: exists and is not a results folder; choose another --out")
        if not force:
            raise FugongError(f"{folder}: results folder exists; {hint}")
        if not (folder / "manifest.json").is_file():
            raise FugongError(
                f"{folder}: --force replaces only a results folder fugong wrote "
                "(with a manifest.json); this one has none, so it is left alone"
            )
    parent = folder.absolute().parent
    existing = next(p for p in (parent, *parent.parents) if p.exists() or p.is_symlink())
    if not existing.is_dir():
        raise FugongError(f"{folder}: its parent {existing} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise FugongError(
            f"{folder}: cannot write in {existing} (permission denied or read-only file system)"
        )
    parent.mkdir(parents=True, exist_ok=True)  # e.g. results/ in a fresh clone


def remove_tree(path: Path) -> None:
    """Remove a folder (or a file) completely."""
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def clean_leftovers(folder: Path) -> None:
    """Remove partial and old copies of ``folder`` left by killed sessions (call under its
    lock, so none of them belongs to a live session)."""
    folder = Path(folder).absolute()
    if not folder.parent.is_dir():
        return
    for pattern in (f".{folder.name}.partial-*", f".{folder.name}.old-*"):
        for stale in folder.parent.glob(pattern):
            shutil.rmtree(stale, ignore_errors=True)
