"""The report of a run or a calibration folder: key results (KPI medians with units), the
calibration's best parameters, the fit against reported figures, the run's charts.

Reads timeseries.parquet, summary.csv, fit.csv, calibration.json and the charts of the folder
(a --no-charts run's charts are drawn into a temporary folder); writes nothing itself.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd

from sim import kpis, labels
from sim.report_document import Block, Report, Section
from sim.report_sections import fmt_value, manifest_section, read_manifest, scenario_section
from sim.run_charts import CHARTS, make_charts

# the run KPI groups with the white list as a whole beside the batches
KPI_GROUPS = (*kpis.CHAIN_GROUPS, "whitelist", *kpis.BATCH_GROUPS)


def kpi_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The headline KPI medians of the report's groups (readable names), output lost too."""
    table = kpis.headline_kpis(summary, KPI_GROUPS, kpis.KPIS).reset_index()
    return table.assign(group=table["group"].map(labels.group))


def format_kpis(table: pd.DataFrame) -> pd.DataFrame:
    """KPI values as text (no scientific notation; % for shares; 'never'), unit headers."""
    out = pd.DataFrame({"group": table["group"]})
    for col in table.columns.drop("group"):
        m = labels.metric(col)
        header = f"{m.name} ({m.unit})" if m.unit else m.name
        out[header] = [fmt_value(v, m.share, days=col.startswith("days_to")) for v in table[col]]
    return out


def run_report(folder: Path, targets: Path | None) -> Report:
    manifest = read_manifest(folder)
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
    sections.append(scenario_section(manifest))
    sections.append(manifest_section(manifest, folder))
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
    found = [folder / n for n in CHARTS if (folder / n).is_file()]
    extra = [folder / "calibration_history.png"]
    if not found:  # a --no-charts run: draw them now, outside the results folder
        from sim.policy import policy_events
        from sim.reported import REPORTED, read_reported
        from sim.scenario_files import validate

        tmp = Path(tempfile.mkdtemp(prefix="fugong-report-"))
        events = policy_events(validate(sc, str(folder / "manifest.json"))) if sc else []
        reported = read_reported(REPORTED) if REPORTED.exists() else None
        found = make_charts(ts, tmp, reported, events)
    return [Block("img", p, _caption(p)) for p in [*found, *extra] if p.is_file()]


def _caption(path: Path) -> str:
    return path.stem.replace("_", " ").capitalize()


def _fit_value(m: float, lo: float, hi: float) -> str:
    """Model values in the units of the reported figure (shares as 0-1, like the targets)."""
    if pd.isna(m):
        return "not mappable"

    def f(v: float) -> str:
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"

    return f(m) if f(lo) == f(hi) == f(m) else f"{f(m)} [{f(lo)}-{f(hi)}]"
