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
from datetime import date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from sim.locks import folder_lock
from sim.outdir import clean_leftovers, prepare_target, remove_tree

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "results"
PACKAGES = ("fugong", "mesa", "numpy", "scipy", "pandas", "pyarrow", "pydantic", "matplotlib")


def default_folder(scenario_path: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return RESULTS_DIR / f"{scenario_path.stem}-{stamp}"


@contextmanager
def atomic_folder(target: Path, force: bool = False):
    """Yield a temporary folder that becomes ``target`` only if the block completes.

    The folder's lock is held throughout, so a second writer is refused rather than mixed in.
    """
    target = Path(target)
    prepare_target(target, force)
    with folder_lock(target):
        prepare_target(target, force)  # again: another session may have written it meanwhile
        clean_leftovers(target)
        tmp = target.parent / f".{target.name}.partial-{os.getpid()}"
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
            remove_tree(old)
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
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
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
    text = json.dumps(json_keys(manifest), indent=2, default=str)
    (folder / "manifest.json").write_text(text + "\n")


def json_keys(value: Any) -> Any:
    """Mapping keys JSON can hold: a dated schedule given with ``--set`` has date keys,
    written as YYYY-MM-DD (which a schedule reads back as the same dates)."""
    if isinstance(value, dict):
        return {
            (k.isoformat() if isinstance(k, date) else k): json_keys(v) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [json_keys(v) for v in value]
    return value


def write_table(df: pd.DataFrame, path: Path) -> None:
    if path.suffix == ".parquet":
        df.to_parquet(path, index=False)
    else:
        df.to_csv(path, index=False)
