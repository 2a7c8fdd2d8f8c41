"""From scenario files and overrides to a validated Scenario.

A file may name a ``base:`` scenario and change only what differs (child wins, mappings
merge key by key); ``--set key.path=value`` overrides any key; the result is validated by the
schema in ``sim.scenario`` with one readable error line. Also the no-lockdown counterfactual.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.errors import ScenarioError
from sim.keys import apply_override, deep_merge, parse_override
from sim.run_window import check_window
from sim.scenario import Scenario
from sim.schema import describe_error
from sim.yaml_io import read_yaml


def resolve_raw(path: Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Load a scenario file with its ``base:`` chain merged in (child wins)."""
    path = path.resolve()
    if path in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, path))
        raise ScenarioError(str(_chain[0]), f"inheritance cycle ({cycle})", "base")
    data = read_yaml(path)
    base = data.pop("base", None)
    if base is None:
        return data
    if not isinstance(base, str):
        raise ScenarioError(str(path), f"expected a file name, got {base!r}", "base")
    base_path = (path.parent / base).resolve()
    if not base_path.exists():
        raise ScenarioError(str(path), f"base scenario '{base}' not found ({base_path})", "base")
    return deep_merge(resolve_raw(base_path, (*_chain, path)), data)


def validate(data: dict[str, Any], source: str) -> Scenario:
    """Validate a raw mapping, turning pydantic's report into one readable message."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        message, key = describe_error(exc, Scenario)
        raise ScenarioError(source, message, key) from None


def load_scenario(
    path: str | Path, overrides: dict[str, Any] | list[str] | None = None
) -> Scenario:
    """Load, inherit, override and validate a scenario file."""
    path = Path(path)
    data = resolve_raw(path)
    pairs = (
        [parse_override(o) for o in overrides]
        if isinstance(overrides, list)
        else list((overrides or {}).items())
    )
    for key, value in pairs:
        data = apply_override(data, key, value, "--set")
    source = str(path) + (" (with --set overrides)" if pairs else "")
    sc = validate(data, source)
    check_window(sc, source)
    return sc


def with_overrides(sc: Scenario, overrides: dict[str, Any], source: str = "overrides") -> Scenario:
    """A validated copy of a scenario with dotted-key overrides applied."""
    data = sc.model_dump(mode="python")
    for key, value in overrides.items():
        data = apply_override(data, key, value, source)
    return validate(data, source)


def no_lockdown(sc: Scenario) -> Scenario:
    """The counterfactual: the same economy and seed with no epidemic measures or shocks.

    No district locks down (so no approvals, permits, closed loop or passes are needed),
    no compound is zoned, nobody is infected, outside suppliers, drivers and final demand
    stay at normal. Output relative to this run is the model's analogue of year-on-year.
    """
    data = sc.model_dump(mode="python")
    for d in data["districts"].values():
        d["lockdown"] = None
    data["zoning"].update(sealed=0.0, controlled=0.0, districts={})
    data["epidemic"]["infection_hazard"] = 0.0
    for region in data["external"]["regions"]:
        region["capacity"] = 1.0
        region["handover_share"] = 0.0
    data["logistics"]["driver_availability"] = {"in_city": 1.0, "inter_provincial": 1.0}
    for chain in data["chains"].values():
        chain["demand"] = 1.0
    data["passes"]["required_from"] = None
    data["policy"]["whitelist"]["district_approval_rate"] = 0.0
    return validate(data, "counterfactual")


def describe_folder(folder: Path) -> list[tuple[str, str]]:
    """(file name, description) for every scenario file in a folder."""
    rows = []
    for path in sorted(Path(folder).glob("*.yaml")):
        try:
            data = resolve_raw(path)
            text = str(read_yaml(path).get("description") or data.get("description", ""))
        except ScenarioError as exc:
            text = f"(invalid: {exc.message})"
        rows.append((path.name, text))
    return rows
