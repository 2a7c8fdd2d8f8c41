"""The report of a sweep folder: the design, key results by point with paired differences
from the reference point, utilization curves of the first points, frontier charts.

Reads the folder's plan (sweep.yaml, scenario.yaml, design.csv), points.csv, bands.parquet
and frontier*/frontier.png; draws its curves into a temporary folder.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from sim import labels
from sim.report_document import Block, Report, Section
from sim.report_sections import fmt_value, manifest_section, read_manifest, scenario_section

MAX_SWEEP_CURVES = 10


def sweep_report(folder: Path, targets: Path | None) -> Report:
    from sim.sweep_store import open_plan

    plan = open_plan(folder)
    manifest = read_manifest(folder)
    points = pd.read_csv(folder / "points.csv") if (folder / "points.csv").is_file() else None
    levers = list(plan.points.columns)
    sections = [
        Section(
            "Design",
            [
                Block(
                    "kv",
                    {
                        "levers": ", ".join(
                            f"{labels.lever(k)} ({k}"
                            f"{', multiple of the default' if plan.is_scaled(k) else ''})"
                            for k in levers
                        ),
                        "points": len(plan.points),
                        "replicates per point": plan.sweep.replicates,
                        "runs": manifest.get("runs", len(plan.points) * plan.sweep.replicates),
                        "reference point": plan.label(plan.reference),
                        "design": plan.sweep.design,
                    },
                )
            ],
        )
    ]
    if points is not None:
        sections.append(
            Section(
                "Key results by point",
                [
                    Block(
                        "p",
                        "Median over replicates; differences from the reference point are the "
                        "mean paired (same seed) difference with a 90% t-interval.",
                    ),
                    Block("table", _points_table(points, levers)),
                ],
            )
        )
    sections.append(Section("Charts", _sweep_charts(folder, plan)))
    sections.append(
        scenario_section(
            {
                "scenario_file": str(folder / "scenario.yaml"),
                "overrides": plan.sweep.overrides,
                "resolved_scenario": plan.scenario_data,
            },
            base_note="the sweep's base scenario; levers vary on top of it",
        )
    )
    sections.append(manifest_section(manifest, folder))
    return Report(
        f"Sweep report: {plan.sweep.name}",
        f"{len(plan.points)} points x {labels.plural(plan.sweep.replicates, 'replicate')}"
        f" over {', '.join(labels.lever(k) for k in levers)}",
        [s for s in sections if s.blocks],
    )


def _points_table(points: pd.DataFrame, levers: list[str]) -> pd.DataFrame:
    out = pd.DataFrame({"point": points["point"], "levers": points["label"]})
    for group in ("all", "chain:automobile"):
        col = f"{group}/days_to_80pct"
        if col in points:
            out[f"{labels.group(group)}: days to 80%"] = [
                fmt_value(v, False, days=True) for v in points[col]
            ]
    for col in ("all/days_to_80pct", "all/output_lost_days"):
        if f"{col} diff" in points:
            m = labels.metric(col.split("/")[1])
            out[f"all firms: {m.name} vs reference ({m.unit})"] = [
                _interval(d, lo, hi)
                for d, lo, hi in zip(
                    points[f"{col} diff"],
                    points[f"{col} diff_lo"],
                    points[f"{col} diff_hi"],
                    strict=True,
                )
            ]
    if "runs_failed" in points and points["runs_failed"].any():
        out["failed runs"] = points["runs_failed"]
    return out


def _sweep_charts(folder: Path, plan) -> list[Block]:
    blocks = []
    bands_path = folder / "bands.parquet"
    if bands_path.is_file():
        from sim.chart_marks import Target
        from sim.plots import compare_chart
        from sim.policy import policy_events

        bands = pd.read_parquet(bands_path, filters=[("metric", "==", "capacity_utilization")])
        chosen = [plan.reference] + [p for p in plan.points.index if p != plan.reference]
        chosen = chosen[:MAX_SWEEP_CURVES]
        tmp = Path(tempfile.mkdtemp(prefix="fugong-report-"))
        for group in ("all", "chain:automobile"):
            b = bands[(bands["group"] == group) & bands["point"].isin(chosen)]
            if b.empty:
                continue
            b = b.assign(scenario=b["point"].map(plan.label), min=b["p10"], max=b["p90"])
            order = {plan.label(p): i for i, p in enumerate(chosen)}
            b = b.sort_values(
                ["scenario", "date"], key=lambda s: s.map(order) if s.name == "scenario" else s
            )
            path = tmp / f"sweep_{group.replace(':', '_')}.png"
            compare_chart(
                b,
                "capacity_utilization",
                group,
                path,
                replicates=max(plan.sweep.replicates, 10),  # bands hold p10-p90
                events=policy_events(plan.scenario),
                target=Target(0.8),
            )
            blocks.append(
                Block(
                    "img",
                    path,
                    f"{labels.series('capacity_utilization', group)}"
                    f" by point (first {len(chosen)} points; reference first)",
                )
            )
    for sub in sorted(folder.glob("frontier*/frontier.png")):
        blocks.append(Block("img", sub, "Policy frontier"))
    return blocks


def _interval(d: float, lo: float, hi: float) -> str:
    if pd.isna(d):
        return ""
    if pd.isna(lo):
        return f"{d:+,.1f}"
    return f"{d:+,.1f} [{lo:+,.1f}, {hi:+,.1f}]"
