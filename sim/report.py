"""A briefing report of a results folder: one self-contained HTML file (or Markdown).

The report of a run, a comparison or a sweep holds its charts (inline, as base64 PNG), the
KPI table with units, the fit against reported figures, the scenario's differences from its
base and the manifest in brief. It needs no network and prints cleanly (print stylesheet), so
it can be mailed or filed as it is.
"""

from __future__ import annotations

import base64
import html
import json
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import kpis, labels
from sim.errors import FugongError
from sim.results_folder import ROOT

TARGETS = ROOT / "data" / "targets" / "shanghai_2022.yaml"
RUN_CHARTS = (
    "utilization_by_chain.png",
    "resumption_by_batch.png",
    "staff_and_permits.png",
    "passes_and_trucks.png",
    "binding_constraints.png",
    "anchor_firms.png",
)
# the run KPI groups with the white list as a whole beside the batches
KPI_GROUPS = (*kpis.KPI_GROUPS[:6], "whitelist", *kpis.KPI_GROUPS[6:])
MAX_SWEEP_CURVES = 10


@dataclass
class Block:
    """One piece of a section: a paragraph, a table, an image or a key-value list."""

    kind: str  # "p" | "table" | "img" | "kv"
    content: Any
    caption: str = ""


@dataclass
class Section:
    heading: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Report:
    title: str
    subtitle: str
    sections: list[Section]


def kind_of(folder: Path) -> str:
    """'run', 'sweep', 'compare' or 'calibration', from the files a folder holds."""
    folder = Path(folder)
    if (folder / "sweep.yaml").is_file():
        return "sweep"
    if (folder / "compare_kpis.csv").is_file():
        return "compare"
    if (folder / "calibration.json").is_file():
        return "calibration"
    if (folder / "manifest.json").is_file() and (folder / "timeseries.parquet").is_file():
        return "run"
    raise FugongError(
        f"{folder}: not a results folder of fugong run, compare, sweep or "
        "calibrate (no manifest.json, sweep.yaml or compare_kpis.csv)"
    )


def write_report(
    folder: Path, *, out: Path | None = None, markdown: bool = False, targets: Path | None = TARGETS
) -> Path:
    """Build the report of a results folder and write it (default `<folder>/report.html`)."""
    folder = Path(folder)
    builders = {
        "run": _run_report,
        "sweep": _sweep_report,
        "compare": _compare_report,
        "calibration": _run_report,
    }
    report = builders[kind_of(folder)](folder, targets)
    if markdown:
        path = Path(out) if out else folder / "report.md"
        path.write_text(to_markdown(report, path.parent))
    else:
        path = Path(out) if out else folder / "report.html"
        path.write_text(to_html(report))
    return path


# --- runs -------------------------------------------------------------------------------


def kpi_table(summary: pd.DataFrame, groups: tuple[str, ...] = KPI_GROUPS) -> pd.DataFrame:
    """Median over replicates of each KPI per group, with readable column names and units.

    Days-to-level KPIs are 'never' when the median run does not reach the level.
    """
    from sim.replicate_stats import median_censored

    rows = []
    for g in [g for g in groups if g in set(summary["group"])]:
        s = summary[summary["group"] == g]
        row = {"group": labels.group(g)}
        for kpi in ("days_to_50pct", "days_to_80pct", "days_to_90pct"):
            row[kpi] = median_censored(s[kpi], s[kpi].isna().to_numpy())
        for kpi in ("output_lost_days", "output_lost", "min_utilization"):
            row[kpi] = float(s[kpi].median())
        rows.append(row)
    return pd.DataFrame(rows)


def format_kpis(table: pd.DataFrame) -> pd.DataFrame:
    """KPI values as text (no scientific notation; % for shares; 'never'), unit headers."""
    out = pd.DataFrame({"group": table["group"]})
    for col in table.columns.drop("group"):
        m = labels.metric(col)
        header = f"{m.name} ({m.unit})" if m.unit else m.name
        out[header] = [_fmt_value(v, m.share, days=col.startswith("days_to")) for v in table[col]]
    return out


def _run_report(folder: Path, targets: Path | None) -> Report:
    manifest = _manifest(folder)
    calibration = folder / "calibration.json"
    if not manifest and calibration.is_file() and (folder / "calibrated.yaml").is_file():
        from sim.scenario_files import load_scenario

        calibrated = folder / "calibrated.yaml"
        manifest = {
            "scenario_file": str(calibrated),
            "scenario_name": calibrated.stem,
            "resolved_scenario": load_scenario(calibrated).model_dump(mode="json"),
        }
    name = manifest.get("scenario_name") or folder.name
    sc = manifest.get("resolved_scenario", {})
    ts = pd.read_parquet(folder / "timeseries.parquet")
    reps = int(ts["replicate"].nunique())
    sections = []
    summary_path = folder / "summary.csv"
    if summary_path.is_file():
        sections.append(
            Section(
                "Key results",
                [
                    Block(
                        "p",
                        f"Median over {labels.plural(reps, 'replicate')}. Days count from the "
                        "first lockdown to the 7-day mean utilization reaching the level after "
                        "its trough; 'never' means not before the end of the run.",
                    ),
                    Block("table", format_kpis(kpi_table(pd.read_csv(summary_path)))),
                ],
            )
        )
    if calibration.is_file():
        sections.append(_calibration_section(json.loads(calibration.read_text())))
    sections.append(_fit_section(folder, ts, targets))
    sections.append(Section("Charts", _charts(folder, ts, sc)))
    sections.append(_scenario_section(manifest))
    sections.append(_manifest_section(manifest, folder))
    period = f"{sc.get('start_date', '?')} to {sc.get('end_date', '?')}"
    subtitle = (
        f"Scenario {name}; {period}; {labels.plural(reps, 'replicate')}; "
        f"scale {sc.get('scale', '?')} (workers per simulated worker)"
    )
    kind = "Calibration" if (folder / "calibration.json").is_file() else "Run"
    return Report(f"{kind} report: {name}", subtitle, [s for s in sections if s.blocks])


def _calibration_section(summary: dict) -> Section:
    failed = summary.get("failed_trials", 0)
    return Section(
        "Calibration",
        [
            Block(
                "kv",
                {
                    "best parameters": ", ".join(
                        f"{k} x{v:.3g}"
                        if any(
                            lv["key"] == k and lv.get("kind") == "multiplier"
                            for lv in summary.get("levers", [])
                        )
                        else f"{k} = {v:.3g}"
                        for k, v in summary.get("best_params", {}).items()
                    ),
                    "best loss": f"{summary.get('best_loss', float('nan')):.4g}",
                    "trials": f"{summary.get('trials')} ({failed} failed)",
                    "replicates per trial": summary.get("replicates"),
                    "fitted until": summary.get("until") or "all targets",
                    "scale": summary.get("scale", "see the scenario"),
                },
            )
        ],
    )


def _fit_section(folder: Path, ts: pd.DataFrame, targets: Path | None) -> Section:
    section = Section("Fit against reported figures")
    fit_path = folder / "fit.csv"
    if fit_path.is_file():
        fit = pd.read_csv(fit_path)
    elif targets is not None and Path(targets).is_file():
        from sim.targets import fit_table, load_targets

        fit = fit_table(ts, load_targets(targets))
    else:
        return section
    mapped = fit[fit["met"].notna()]
    met = int(mapped["met"].astype(bool).sum())
    section.blocks.append(
        Block(
            "p",
            f"Met {met} of {len(mapped)} mapped targets. Model: "
            "median and 10-90% range over replicates.",
        )
    )
    shown = pd.DataFrame(
        {
            "date": fit["date"],
            "measure": [
                labels.series(m, g) for m, g in zip(fit["metric"], fit["group"], strict=True)
            ],
            "reported": fit["reported"],
            "model median [10-90%]": [
                _fit_value(m, lo, hi)
                for m, lo, hi in zip(
                    fit["model_median"], fit["model_p10"], fit["model_p90"], strict=True
                )
            ],
            "met": ["" if pd.isna(v) else ("yes" if bool(v) else "NO") for v in fit["met"]],
        }
    )
    if "sample" in fit and (fit["sample"] != "fit").any():
        shown.insert(1, "sample", fit["sample"])
    section.blocks.append(Block("table", shown))
    return section


def _charts(folder: Path, ts: pd.DataFrame, sc: dict) -> list[Block]:
    found = [folder / n for n in RUN_CHARTS if (folder / n).is_file()]
    extra = [folder / "calibration_history.png"]
    if not found:  # a --no-charts run: draw them now, outside the results folder
        from sim.policy import policy_events
        from sim.reported import REPORTED, read_reported
        from sim.run_charts import make_charts
        from sim.scenario_files import validate

        tmp = Path(tempfile.mkdtemp(prefix="fugong-report-"))
        events = policy_events(validate(sc, str(folder / "manifest.json"))) if sc else []
        reported = read_reported(REPORTED) if REPORTED.exists() else None
        found = make_charts(ts, tmp, reported, events)
    return [Block("img", p, _caption(p)) for p in [*found, *extra] if p.is_file()]


def _caption(path: Path) -> str:
    return path.stem.replace("_", " ").capitalize()


# --- sweeps -----------------------------------------------------------------------------


def _sweep_report(folder: Path, targets: Path | None) -> Report:
    from sim.sweep_store import open_plan

    plan = open_plan(folder)
    manifest = _manifest(folder)
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
        _scenario_section(
            {
                "scenario_file": str(folder / "scenario.yaml"),
                "overrides": plan.sweep.overrides,
                "resolved_scenario": plan.scenario_data,
            },
            base_note="the sweep's base scenario; levers vary on top of it",
        )
    )
    sections.append(_manifest_section(manifest, folder))
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
                _fmt_value(v, False, days=True) for v in points[col]
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
        from sim.plots import Target, compare_chart
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


# --- comparisons ------------------------------------------------------------------------


def _compare_report(folder: Path, targets: Path | None) -> Report:
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
            Block("table", _changes_frame(changes, ref_name, name), f"{name} against {ref_name}")
        )
    return blocks


# --- shared sections --------------------------------------------------------------------


def _scenario_section(manifest: dict, base_note: str = "") -> Section:
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
        section.blocks.append(Block("table", _changes_frame(changes, base.stem, path.stem)))
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


def _manifest_section(manifest: dict, folder: Path) -> Section:
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


def _manifest(folder: Path) -> dict:
    path = folder / "manifest.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _changes_frame(changes, a_name: str, b_name: str) -> pd.DataFrame:
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


def _fmt_value(v: float, share: bool, days: bool = False) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "never" if days else ""
    if share:
        return f"{v:.0%}"
    if days:
        return f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.1f}"


def _fit_value(m: float, lo: float, hi: float) -> str:
    """Model values in the units of the reported figure (shares as 0-1, like the targets)."""
    if pd.isna(m):
        return "not mappable"

    def f(v: float) -> str:
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"

    return f(m) if f(lo) == f(hi) == f(m) else f"{f(m)} [{f(lo)}-{f(hi)}]"


def _interval(d: float, lo: float, hi: float) -> str:
    if pd.isna(d):
        return ""
    if pd.isna(lo):
        return f"{d:+,.1f}"
    return f"{d:+,.1f} [{lo:+,.1f}, {hi:+,.1f}]"


# --- rendering --------------------------------------------------------------------------

CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: #222; max-width: 1180px; margin: 2em auto; padding: 0 1.5em; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.1em; }
.subtitle { color: #555; margin-top: 0; }
h2 { font-size: 1.2em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 1.8em; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.6em 0 1em; }
th, td { border-bottom: 1px solid #e2e2e2; padding: 0.25em 0.7em; text-align: right;
         vertical-align: top; }
th { background: #f3f3f3; text-align: center; }
td:first-child, th:first-child { text-align: left; }
td.text { text-align: left; }
td.no { color: #b03a2e; font-weight: 600; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1.2em;
     font-size: 0.85em; }
dt { color: #555; } dd { margin: 0; word-break: break-all; }
figure { margin: 1em 0 1.6em; page-break-inside: avoid; break-inside: avoid; }
figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.85em; }
.caption { color: #555; font-size: 0.85em; margin-bottom: 0.2em; }
footer { color: #777; font-size: 0.8em; margin-top: 3em; }
@media print {
  body { max-width: none; margin: 0; font-size: 10pt; }
  h2 { page-break-after: avoid; break-after: avoid; }
  table, dl { page-break-inside: avoid; break-inside: avoid; }
  figure img { max-height: 24cm; border: none; }
  @page { size: A4; margin: 1.4cm; }
}
"""


def to_html(report: Report) -> str:
    """The report as one HTML document: styles and images inline, no external resources."""
    esc = html.escape
    parts = [
        f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{esc(report.title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{esc(report.title)}</h1><p class='subtitle'>{esc(report.subtitle)}</p>",
    ]
    for section in report.sections:
        parts.append(f"<h2>{esc(section.heading)}</h2>")
        for b in section.blocks:
            if b.caption and b.kind != "img":
                parts.append(f"<div class='caption'>{esc(b.caption)}</div>")
            if b.kind == "p":
                parts.append(f"<p>{esc(b.content)}</p>")
            elif b.kind == "table":
                parts.append(_html_table(b.content))
            elif b.kind == "kv":
                items = "".join(
                    f"<dt>{esc(str(k))}</dt><dd>{esc(str(v))}</dd>" for k, v in b.content.items()
                )
                parts.append(f"<dl>{items}</dl>")
            elif b.kind == "img":
                data = base64.b64encode(Path(b.content).read_bytes()).decode()
                parts.append(
                    f"<figure><img alt='{esc(b.caption)}' "
                    f"src='data:image/png;base64,{data}'>"
                    f"<figcaption>{esc(b.caption)}</figcaption></figure>"
                )
    parts.append(
        f"<footer>Generated by fugong report on {datetime.now():%Y-%m-%d %H:%M}."
        "</footer></body></html>\n"
    )
    return "\n".join(parts)


def _html_table(df: pd.DataFrame) -> str:
    esc = html.escape
    head = "".join(f"<th>{esc(str(c))}</th>" for c in df.columns)
    rows = []
    for r in df.itertuples(index=False):
        cells = []
        for v in r:
            text = "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
            numeric = text.replace(",", "").replace("%", "").lstrip("+-").split(" ")[0]
            cls = "no" if text == "NO" else ("" if _is_number(numeric) else "text")
            cells.append(f"<td class='{cls}'>{esc(text)}</td>" if cls else f"<td>{esc(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def to_markdown(report: Report, where: Path) -> str:
    """The report as Markdown; images are linked (relative to `where`), not embedded."""
    import os
    import shutil

    lines = [f"# {report.title}", "", report.subtitle, ""]
    for section in report.sections:
        lines += [f"## {section.heading}", ""]
        for b in section.blocks:
            if b.caption and b.kind != "img":
                lines += [f"*{b.caption}*", ""]
            if b.kind == "p":
                lines += [b.content, ""]
            elif b.kind == "table":
                lines += [_md_table(b.content), ""]
            elif b.kind == "kv":
                lines += [f"- **{k}**: {v}" for k, v in b.content.items()] + [""]
            elif b.kind == "img":
                src = Path(b.content)
                if not src.resolve().is_relative_to(where.resolve()):
                    (where / "report_img").mkdir(exist_ok=True)
                    src = Path(shutil.copy(src, where / "report_img" / src.name))
                lines += [f"![{b.caption}]({os.path.relpath(src, where)})", ""]
    return "\n".join(lines)


def _md_table(df: pd.DataFrame) -> str:
    def cell(v) -> str:
        return (
            ""
            if v is None or (isinstance(v, float) and np.isnan(v))
            else str(v).replace("|", "\\|")
        )

    head = "| " + " | ".join(map(cell, df.columns)) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in r) + " |" for r in df.itertuples(index=False)]
    return "\n".join([head, rule, *body])
