"""Tables for the terminal and for scripts: fixed-point numbers with units in narrow columns
(no scientific notation, under 120 characters), or JSON records with the raw values.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from sim import labels

WIDTH = 120
KPI_COLUMNS = {  # column: (header, unit line, format)
    "days_to_50pct": ("to 50%", "days", "days"),
    "days_to_80pct": ("to 80%", "days", "days"),
    "days_to_90pct": ("to 90%", "days", "days"),
    "output_lost_days": ("output lost", "days", "1"),
    "output_lost": ("output lost", "M yuan", "myuan"),
    "min_utilization": ("lowest util.", "%", "pct"),
}


def number(v: Any, kind: str = "auto") -> str:
    """One value as fixed-point text: 'never' for a missing days value, % for shares."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "never" if kind == "days" else "-"
    if isinstance(v, bool | str):
        return str(v)
    v = float(v)
    if kind == "pct":
        return f"{v:.0%}"
    if kind == "days":
        return f"{v:.0f}" if v.is_integer() else f"{v:.1f}"
    if kind == "myuan":  # 10k yuan -> million yuan
        return f"{v / 100:,.0f}"
    if kind == "1":
        return f"{v:,.1f}"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.3g}" if abs(v) >= 0.001 or v == 0 else f"{v:.2g}"


def kpi_text(table: pd.DataFrame) -> str:
    """The headline KPI table (groups x KPIs, medians) with a unit line under the headers."""
    frame = table.reset_index() if "group" not in table.columns else table
    cols = [c for c in KPI_COLUMNS if c in frame.columns]
    rows = [[labels.group(g) for g in frame["group"]]]
    rows += [[number(v, KPI_COLUMNS[c][2]) for v in frame[c]] for c in cols]
    heads = [("group", "")] + [KPI_COLUMNS[c][:2] for c in cols]
    return _grid(
        heads,
        rows,
        note="Days from the first lockdown to the 7-day mean utilization "
        "reaching the level; medians over replicates.",
    )


def fit_text(fit: pd.DataFrame) -> str:
    """The fit table: each target's reported bound, model median [10-90%] and whether met."""
    cols = {
        "target": ("target", ""),
        "sample": ("sample", ""),
        "reported": ("reported", ""),
        "model": ("model median [10-90%]", ""),
        "met": ("met", ""),
    }
    model = [
        _range(m, lo, hi)
        for m, lo, hi in zip(fit["model_median"], fit["model_p10"], fit["model_p90"], strict=True)
    ]
    met = ["" if pd.isna(v) else ("yes" if bool(v) else "NO") for v in fit["met"]]
    data = {
        "target": list(fit["target"]),
        "sample": list(fit["sample"]),
        "reported": list(fit["reported"]),
        "model": model,
        "met": met,
    }
    if (fit["sample"] == "fit").all():
        del cols["sample"], data["sample"]
    return _grid(list(cols.values()), list(data.values()))


def records(table: pd.DataFrame) -> str:
    """A table as JSON records (NaN as null), for `--json`."""
    frame = (
        table.reset_index() if table.index.name or isinstance(table.index, pd.MultiIndex) else table
    )
    data = json.loads(frame.to_json(orient="records", date_format="iso"))
    return json.dumps(data, indent=2, ensure_ascii=False)


def _range(m: float, lo: float, hi: float) -> str:
    if pd.isna(m):
        return "not mappable"
    a, b, c = number(m), number(lo), number(hi)
    return a if a == b == c else f"{a} [{b}-{c}]"


def _grid(heads: list[tuple[str, str]], columns: list[list[str]], note: str = "") -> str:
    widths = [
        max(len(h), len(u), *(len(v) for v in col))
        for (h, u), col in zip(heads, columns, strict=True)
    ]
    first = max(8, WIDTH - 1 - sum(w + 2 for w in widths[1:]))
    widths[0] = min(widths[0], first)

    def line(cells: list[str]) -> str:
        out = [cells[0][: widths[0]].ljust(widths[0])]
        out += [
            c.rjust(w) if i else c
            for i, (c, w) in enumerate(zip(cells[1:], widths[1:], strict=True), start=1)
        ]
        return "  ".join(out).rstrip()

    lines = [line([h for h, _ in heads])]
    if any(u for _, u in heads):
        lines.append(line([u for _, u in heads]))
    lines += [line([col[i] for col in columns]) for i in range(len(columns[0]))]
    if note:
        lines.append(note)
    return "\n".join(lines)
