"""`fugong export`: a results folder's timeseries for spreadsheets and other tools.

CSV is the tidy table as it is (one row per replicate, date, group, metric; optionally only
some groups and metrics). Excel gets one workbook with the KPIs, the per-replicate summary,
the medians over replicates as a wide sheet (a date per row, a column per group and metric)
and, when it fits in a sheet, the tidy table itself.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pandas as pd

from sim import labels
from sim.errors import FugongError

EXCEL_ROWS = 1_048_575  # rows of a sheet, less the header


def load_timeseries(folder: Path, groups: list[str] = (), metrics: list[str] = ()) -> pd.DataFrame:
    """The tidy timeseries of a run or sweep folder, filtered by group and metric patterns."""
    path = Path(folder) / "timeseries.parquet"
    if not path.is_file():
        raise FugongError(f"{folder}: no timeseries.parquet (not a results folder)")
    ts = pd.read_parquet(path)
    for column, patterns in (("group", groups), ("metric", metrics)):
        if patterns:
            values = ts[column].unique()
            keep = [v for v in values if any(fnmatch.fnmatchcase(v, p) for p in patterns)]
            if not keep:
                raise FugongError(
                    f"--{column} {', '.join(patterns)}: matches none of "
                    f"{', '.join(sorted(values)[:12])}, ..."
                )
            ts = ts[ts[column].isin(keep)]
    return ts


def export(
    folder: Path, fmt: str, out: Path | None = None, groups: list[str] = (), metrics: list[str] = ()
) -> Path:
    """Write the export file (default `<folder>/timeseries.csv` or `<folder>/<name>.xlsx`)."""
    folder = Path(folder)
    ts = load_timeseries(folder, groups, metrics)
    if fmt == "csv":
        path = Path(out) if out else folder / "timeseries.csv"
        ts.to_csv(path, index=False, date_format="%Y-%m-%d")
        return path
    if fmt != "xlsx":
        raise FugongError(f"--format {fmt}: expected csv or xlsx")
    path = Path(out) if out else folder / f"{folder.name}.xlsx"
    keys = [c for c in ("scenario", "point") if c in ts.columns]
    medians = (
        ts.groupby([*keys, "date", "group", "metric"])["value"]
        .median()
        .unstack(["group", "metric"])
    )
    medians.columns = [
        f"{labels.series(m, g)} [{labels.metric(m).unit}]" for g, m in medians.columns
    ]
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        _sheets(folder, xl)
        medians.reset_index().to_excel(xl, sheet_name="medians", index=False)
        if len(ts) <= EXCEL_ROWS:
            ts.to_excel(xl, sheet_name="timeseries", index=False)
        else:
            pd.DataFrame(
                {
                    "note": [
                        f"{len(ts):,} rows do not fit in a sheet; export as CSV or "
                        "filter with --group/--metric"
                    ]
                }
            ).to_excel(xl, sheet_name="timeseries", index=False)
    return path


def _sheets(folder: Path, xl) -> None:
    from sim.kpis import headline_kpis

    if (folder / "summary.csv").is_file():
        summary = pd.read_csv(folder / "summary.csv")
        headline_kpis(summary).reset_index().to_excel(xl, sheet_name="kpis", index=False)
        summary.to_excel(xl, sheet_name="summary", index=False)
    if (folder / "points.csv").is_file():
        pd.read_csv(folder / "points.csv").to_excel(xl, sheet_name="points", index=False)
