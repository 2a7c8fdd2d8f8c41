"""What changed between two scenarios: the resolved keys whose values differ.

Scenarios are compared after resolution (inheritance and overrides applied, defaults filled),
so a variant that says `base: shanghai_2022.yaml` shows only what it really changes. A results
folder stands for the scenario recorded in its manifest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import FugongError

MISSING = "(absent)"


@dataclass(frozen=True)
class Change:
    key: str
    a: Any
    b: Any


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted key -> leaf value; a dated schedule (a mapping of dates) counts as one leaf."""
    if isinstance(data, dict) and data and not _is_schedule(data):
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}{key}."))
        return out
    if isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        out = {}
        for i, value in enumerate(data):
            out.update(flatten(value, f"{prefix}{i}."))
        return out
    return {prefix.rstrip("."): data}


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
    """Keys whose values differ between two resolved scenarios (sorted by key)."""
    fa, fb = flatten(a), flatten(b)
    keys = sorted(set(fa) | set(fb))
    return [
        Change(k, fa.get(k, MISSING), fb.get(k, MISSING))
        for k in keys
        if fa.get(k, MISSING) != fb.get(k, MISSING)
    ]


def resolved(path: Path, overrides: list[str] = ()) -> tuple[dict[str, Any], str]:
    """The resolved scenario of a scenario file or of a results folder, and its name."""
    from sim.scenario_files import load_scenario

    path = Path(path)
    if path.is_dir() or path.name == "manifest.json":
        manifest = (path / "manifest.json") if path.is_dir() else path
        if path.is_dir() and (path / "scenario.yaml").is_file():  # a sweep folder
            return resolved(path / "scenario.yaml", overrides)
        if not manifest.is_file():
            raise FugongError(
                f"{path}: neither a scenario file nor a results folder (no manifest.json)"
            )
        data = json.loads(manifest.read_text())
        if "resolved_scenario" not in data:
            raise FugongError(f"{manifest}: no resolved_scenario in this manifest")
        return data["resolved_scenario"], data.get("scenario_name") or path.name
    return load_scenario(path, list(overrides)).model_dump(mode="json"), path.stem


def base_of(path: Path) -> Path | None:
    """The file a scenario names as its `base:`, if any (resolved relative to it)."""
    from sim.yaml_io import read_yaml

    path = Path(path)
    if not path.is_file():
        return None
    base = read_yaml(path).get("base")
    return (path.parent / base).resolve() if base else None


def show(value: Any, width: int = 60) -> str:
    """A value on one line: schedules as 'date: value, ...'."""
    if isinstance(value, dict):
        text = ", ".join(f"{k}: {_num(v)}" for k, v in value.items())
        text = "{" + text + "}"
    elif isinstance(value, list):
        text = "[" + ", ".join(_num(v) for v in value) + "]"
    else:
        text = _num(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def table(changes: list[Change], a_name: str, b_name: str, width: int = 118) -> str:
    """Changes as a fixed-width text table no wider than `width` columns; a schedule that
    differs shows one row per date."""
    if not changes:
        return "no differences"
    rows = [row for c in changes for row in _expand(c)]
    key_w = min(max(len(r.key) for r in rows), 48)
    col = max(12, (width - key_w - 4) // 2)
    lines = [
        f"{'key':<{key_w}}  {a_name[:col]:<{col}}  {b_name[:col]}",
        f"{'-' * key_w}  {'-' * col}  {'-' * col}",
    ]
    for c in rows:
        key = c.key if len(c.key) <= key_w else "..." + c.key[-(key_w - 3) :]
        lines.append(f"{key:<{key_w}}  {show(c.a, col):<{col}}  {show(c.b, col)}".rstrip())
    return "\n".join(lines)


def _expand(c: Change) -> list[Change]:
    """Two dated schedules -> one change per date whose value differs."""
    if isinstance(c.a, dict) and isinstance(c.b, dict) and _is_schedule(c.a | c.b):
        dates = sorted(set(c.a) | set(c.b))
        return [
            Change(f"{c.key}[{d}]", c.a.get(d, MISSING), c.b.get(d, MISSING))
            for d in dates
            if c.a.get(d, MISSING) != c.b.get(d, MISSING)
        ]
    return [c]


def _num(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.6g}" if abs(v) >= 1e3 else f"{v:.6g}"
    return str(v)


def _is_schedule(d: dict) -> bool:
    from datetime import date

    try:
        return all(isinstance(k, date) or date.fromisoformat(str(k)) for k in d)
    except ValueError:
        return False


def validation_text(path: Path, overrides: list[str] = (), full: bool = False) -> str:
    """What `fugong validate` prints: the scenario's differences from its base (or those of
    ``--set`` when it has none), or with ``full`` the whole resolved tree; then the verdict.
    A scenario that does not validate raises, naming the file and key."""
    import yaml

    from sim.scenario_files import load_scenario

    sc = load_scenario(path, list(overrides))
    resolved_tree = sc.model_dump(mode="json")
    base = base_of(path)
    if full:
        lines = [yaml.safe_dump(resolved_tree, sort_keys=False, width=100)]
    elif base is not None:
        changes = differences(load_scenario(base).model_dump(mode="json"), resolved_tree)
        lines = [
            f"differences from its base {base.name} (--full for the whole scenario):",
            table(changes, base.stem, Path(path).stem),
        ]
    elif overrides:
        changes = differences(load_scenario(path).model_dump(mode="json"), resolved_tree)
        lines = [
            "no base scenario; differences made by --set:",
            table(changes, "file", "with --set"),
        ]
    else:
        lines = ["no base scenario (--full prints the whole scenario)"]
    lines.append(f"ok: {path} is valid ({sc.n_days} days, {sc.economy.firms} firms)")
    return "\n".join(lines)
