"""Reading a run's manifest back for ``rerun``: every field it needs, checked, and what
differs from the run that wrote it (package versions, git commit) said out loud."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from sim.errors import FugongError, FugongWarning

MAX_MANIFEST_BYTES = 50_000_000


class RunManifest(BaseModel):
    """The fields of a run manifest that ``rerun`` uses (others are kept, not checked)."""

    model_config = ConfigDict(extra="allow")
    scenario_file: StrictStr
    scenario_name: StrictStr
    scenario_hash: StrictStr
    seed: Annotated[StrictInt, Field(ge=0)]
    replicates: Annotated[StrictInt, Field(ge=1)]
    replicate_seeds: list[StrictInt]
    overrides: dict[str, Any] = {}
    versions: dict[str, StrictStr] = {}
    git_commit: StrictStr | None = None
    resolved_scenario: dict[str, Any]


def read_run_manifest(path: Path) -> RunManifest:
    """The manifest at ``path``, or one line saying what is wrong with it."""
    path = Path(path)
    if not path.is_file():
        raise FugongError(f"{path}: manifest not found")
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise FugongError(f"{path}: too large for a run manifest")
    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise FugongError(f"{path}: not a fugong run manifest (not JSON: {exc})") from None
    if not isinstance(data, dict):
        raise FugongError(f"{path}: not a fugong run manifest (expected a JSON object)")
    try:
        return RunManifest.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        what = "missing" if err["type"] == "missing" else err["msg"].lower()
        raise FugongError(f"{path}: not a complete fugong run manifest: {key}: {what}") from None


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def check_seeds(manifest: RunManifest, path: Path, seed_of) -> None:
    """Refuse replicate seeds that the base seed does not give (edited by hand)."""
    expected = [seed_of(manifest.seed, i) for i in range(manifest.replicates)]
    if manifest.replicate_seeds != expected:
        raise FugongError(
            f"{path}: replicate_seeds {_short(manifest.replicate_seeds)} are not what seed "
            f"{manifest.seed} gives for {manifest.replicates} replicate(s) "
            f"({_short(expected)}); fix seed/replicates or restore the seeds"
        )


def warn_differences(
    manifest: RunManifest, path: Path, now_versions: dict[str, str], now_commit: str | None
) -> None:
    """Warn when the packages or the code differ from those that made the run."""
    changed = [
        f"{k} {v} -> {now_versions.get(k, 'not installed')}"
        for k, v in manifest.versions.items()
        if now_versions.get(k) != v
    ]
    if changed:
        warnings.warn(
            FugongWarning(
                f"{path}: versions differ from the original run "
                f"({', '.join(changed)}); results may differ"
            ),
            stacklevel=2,
        )
    if manifest.git_commit and now_commit and manifest.git_commit != now_commit:
        warnings.warn(
            FugongWarning(
                f"{path}: the run was made at git commit "
                f"{manifest.git_commit[:10]}, this is {now_commit[:10]}; "
                "results may differ"
            ),
            stacklevel=2,
        )


def _short(seeds: list[int]) -> str:
    return str(seeds) if len(seeds) <= 4 else f"[{', '.join(map(str, seeds[:4]))}, ...]"
