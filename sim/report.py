"""A briefing report of a results folder: one self-contained HTML file (or Markdown).

The report of a run, a comparison or a sweep holds its charts (inline, as base64 PNG), the
KPI table with units, the fit against reported figures, the scenario's differences from its
base and the manifest in brief. It needs no network and prints cleanly (print stylesheet), so
it can be mailed or filed as it is.

The report of each kind is built in its own module (report_run, report_sweep,
report_compare) from shared sections (report_sections) into a document (report_document).
"""

from __future__ import annotations

from pathlib import Path

from sim.errors import FugongError
from sim.report_compare import compare_report
from sim.report_document import to_html, to_markdown
from sim.report_run import run_report
from sim.report_sweep import sweep_report
from sim.results_folder import ROOT

TARGETS = ROOT / "data" / "targets" / "shanghai_2022.yaml"


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
        "run": run_report,
        "sweep": sweep_report,
        "compare": compare_report,
        "calibration": run_report,
    }
    report = builders[kind_of(folder)](folder, targets)
    if markdown:
        path = Path(out) if out else folder / "report.md"
        path.write_text(to_markdown(report, path.parent))
    else:
        path = Path(out) if out else folder / "report.html"
        path.write_text(to_html(report))
    return path
