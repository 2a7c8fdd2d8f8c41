"""The report of a compare folder: the paired KPI table, the overlaid curves, and what
differs between the compared run scenarios.

Reads compare_kpis.csv, compare.json, compare.png and the compared runs' manifests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sim import labels
from sim.report_document import Block, Report, Section
from sim.report_sections import changes_frame


def compare_report(folder: Path, targets: Path | None) -> Report:
    from sim.compare import printable_frame

    table = pd.read_csv(folder / "compare_kpis.csv")
    meta = (
        json.loads((folder / "compare.json").read_text())
        if (folder / "compare.json").is_file()
        else {}
    )
    days_kpi = meta.get("days_kpi") or next(
        c
        for c in table.columns
        if c.startswith("days_to") and not c.endswith(("_diff", "_lo", "_hi"))
    )
    shown = printable_frame(table, days_kpi)
    shown["group"] = shown["group"].map(labels.group)
    sections = [
        Section(
            "Key results",
            [
                Block(
                    "p",
                    f"Reference: {meta.get('reference', table['series'].iloc[0])}. "
                    f"{labels.metric(days_kpi).name.capitalize()} (days from the first "
                    "lockdown) and output lost (million yuan), median over replicates; differences "
                    "from the reference paired by seed, with 90% t-intervals.",
                ),
                Block("table", shown),
            ],
        )
    ]
    sections.append(
        Section("Charts", [Block("img", folder / "compare.png", "Recovery curves compared")])
    )
    diffs = _compare_diffs(meta)
    if diffs:
        sections.append(Section("What differs between the scenarios", diffs))
    if meta:
        sections.append(
            Section(
                "Inputs",
                [
                    Block(
                        "kv",
                        {
                            "results": ", ".join(meta.get("inputs", [])),
                            "metric": meta.get("metric"),
                            "group": meta.get("group"),
                            "points": meta.get("points") or "all",
                            "created": meta.get("created"),
                        },
                    )
                ],
            )
        )
    return Report("Comparison report", ", ".join(table["series"].unique()), sections)


def _compare_diffs(meta: dict) -> list[Block]:
    from sim.diff import differences, resolved

    inputs = [Path(p) for p in meta.get("inputs", [])]
    runs = [
        p for p in inputs if (p / "manifest.json").is_file() and not (p / "sweep.yaml").is_file()
    ]
    if len(runs) < 2:
        return []
    ref, ref_name = resolved(runs[0])
    blocks = []
    for other in runs[1:]:
        data, name = resolved(other)
        changes = [c for c in differences(ref, data) if c.key not in ("description",)]
        blocks.append(
            Block("table", changes_frame(changes, ref_name, name), f"{name} against {ref_name}")
        )
    return blocks
