"""Results folders and their provenance: written under a temporary name and renamed only
when complete; manifest, versions, git commit and content hashes."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
from contextlib import contextmanager
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import FugongError

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "results"
PACKAGES = ("fugong", "mesa", "numpy", "scipy", "pandas", "pyarrow", "pydantic", "matplotlib")


def default_folder(scenario_path: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return RESULTS_DIR / f"{scenario_path.stem}-{stamp}"


@contextmanager
def atomic_folder(target: Path, force: bool = False):
    """Yield a temporary folder that becomes ``target`` only if the block completes."""
    target = Path(target)
    if target.exists() and not force:
        raise FugongError(f"{target}: results folder exists; use --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if target.exists():
        old = target.parent / f".{target.name}.old-{os.getpid()}"
        target.rename(old)
        tmp.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(target)


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=5, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def file_hash(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def scenario_hash(resolved: dict[str, Any]) -> str:
    text = json.dumps(resolved, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")


def write_table(df: pd.DataFrame, path: Path) -> None:
    if path.suffix == ".parquet":
        df.to_parquet(path, index=False)
    else:
        df.to_csv(path, index=False)
