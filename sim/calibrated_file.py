"""calibrated.yaml: a scenario that inherits the calibration's base and sets only the
calibrated parameters, rounded to 4 significant digits, with a header saying how it was
fitted. Schedules get date keys and a list is written whole (a child's list replaces the
base's), so the file passes ``fugong validate``.

Reads the base scenario file; writes ``calibrated.yaml`` into the calibration folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

from sim.keys import apply_override, get_key
from sim.levers import Lever
from sim.scenario_files import load_scenario, resolve_raw
from sim.schedule import is_schedule_key, schedule_date


def write_calibrated(
    out: Path,
    base_path: Path,
    targets_path: Path,
    levers: list[Lever],
    params: dict[str, float],
    *,
    overrides: tuple[str, ...],
    replicates: int,
    seed: int,
) -> None:
    """Write calibrated.yaml into `out`: the base inherited, the calibrated parameters set.

    Schedules are written with date keys and a list (``centralized_return.1.daily_staff``)
    whole, since a child's list replaces the base's: the file must pass ``validate``."""
    base = load_scenario(base_path).model_dump(mode="python")  # schedules as floats
    full = resolve_raw(Path(base_path))
    cuts = []
    for lever in levers:
        value = _dated(_rounded(lever.value(get_key(base, lever.key), params[lever.key])))
        full = apply_override(full, lever.key, value, "calibrated.yaml")
        cuts.append(_written_part(full, lever.key))
    child: dict[str, Any] = {}
    for cut in cuts:
        node = child
        for part in cut[:-1]:
            node = node.setdefault(part, {})
        node[cut[-1]] = get_key(full, ".".join(cut))
    base = Path(os.path.relpath(Path(base_path).resolve(), out.resolve()))
    shown = {k: float(f"{v:.4g}") for k, v in params.items()}
    fixed = " ".join(f"--set {o}" for o in overrides) or "none"
    header = (
        f"# Calibrated by `fugong calibrate` against {targets_path}\n"
        f"# best parameters: {json.dumps(shown)} (schedules: multipliers)\n"
        f"# fitted with overrides: {fixed}; {replicates} replicate(s) per "
        f"trial, seed {seed}\n"
    )
    text = yaml.safe_dump(
        {"description": f"{base.stem} calibrated", "base": str(base), **child}, sort_keys=False
    )
    (out / "calibrated.yaml").write_text(header + text)


def _rounded(value: Any) -> Any:
    """Calibrated values to 4 significant digits (whole numbers from 1,000 up)."""
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, float):
        return float(round(value)) if abs(value) >= 1000 else float(f"{value:.4g}")
    return value


def _dated(value: Any) -> Any:
    """Schedule keys as dates, so YAML writes them unquoted like the scenario files."""
    if isinstance(value, dict):
        return {
            (schedule_date(k) if is_schedule_key(k) else k): _dated(v) for k, v in value.items()
        }
    return value


def _written_part(data: dict[str, Any], key: str) -> list[str]:
    """The key path a child scenario sets for ``key``: up to its first list, which a child
    can only replace whole, else the key itself."""
    parts = key.split(".")
    for i in range(1, len(parts)):
        if isinstance(get_key(data, ".".join(parts[:i])), list):
            return parts[:i]
    return parts
