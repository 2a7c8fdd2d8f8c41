"""Sections every report kind shares: the scenario's differences from its base (and the
command-line overrides), the manifest in brief, and the value formats of report tables.

Reads a results folder's manifest.json and the base scenario file it names; writes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.report_document import Block, Section
from sim.results_folder import ROOT


def scenario_section(manifest: dict, base_note: str = "") -> Section:
    """The scenario's differences from the base it names, and the overrides it ran with."""
    from sim.diff import base_of, differences

    section = Section("Scenario: what it changes")
    resolved_sc = manifest.get("resolved_scenario")
    overrides = manifest.get("overrides") or {}
    path = Path(manifest.get("scenario_file", ""))
    if not path.is_absolute():
        path = ROOT / path
    base = base_of(path) if path.is_file() else None
    if base is not None and base.is_file() and resolved_sc:
        from sim.scenario_files import load_scenario

        changes = [
            c
            for c in differences(load_scenario(base).model_dump(mode="json"), resolved_sc)
            if c.key != "description"
        ]
        section.blocks.append(
            Block(
                "p",
                f"Differences from its base {base.name}"
                f"{' (' + base_note + ')' if base_note else ''}:",
            )
        )
        section.blocks.append(Block("table", changes_frame(changes, base.stem, path.stem)))
    elif resolved_sc:
        section.blocks.append(
            Block(
                "p",
                f"{path.name or 'The scenario'} names no base "
                f"scenario{'; ' + base_note if base_note else ''}.",
            )
        )
    if overrides:
        section.blocks.append(
            Block(
                "kv",
                {f"--set {k}": v for k, v in overrides.items()},
                "Overrides on the command line",
            )
        )
    return section


def manifest_section(manifest: dict, folder: Path) -> Section:
    if not manifest:
        return Section("Manifest")
    versions = manifest.get("versions", {})
    brief = {
        "results folder": str(folder),
        "scenario file": manifest.get("scenario_file"),
        "scenario hash": (manifest.get("scenario_hash") or manifest.get("fingerprint") or "")[:16],
        "base seed": manifest.get("seed"),
        "replicate seeds": ", ".join(map(str, manifest.get("replicate_seeds", []))),
        "git commit": (manifest.get("git_commit") or "unknown")[:12],
        "versions": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "started": manifest.get("started") or manifest.get("created"),
        "finished": manifest.get("finished"),
        "rerun": f"fugong rerun {folder}" if manifest.get("resolved_scenario") else None,
    }
    return Section(
        "Manifest in brief", [Block("kv", {k: v for k, v in brief.items() if v not in (None, "")})]
    )


def read_manifest(folder: Path) -> dict:
    path = folder / "manifest.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def changes_frame(changes, a_name: str, b_name: str) -> pd.DataFrame:
    from sim.diff import show

    if not changes:
        return pd.DataFrame({"key": ["(no differences)"], a_name: [""], b_name: [""]})
    return pd.DataFrame(
        {
            "key": [c.key for c in changes],
            a_name: [show(c.a, 70) for c in changes],
            b_name: [show(c.b, 70) for c in changes],
        }
    )


def fmt_value(v: float, share: bool, days: bool = False) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "never" if days else ""
    if share:
        return f"{v:.0%}"
    if days:
        return f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.1f}"
