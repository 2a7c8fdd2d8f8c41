"""One stored run of a sweep: what a worker sends back (`RunResult`), the run file's format
(a tidy timeseries in Parquet, with the run's seed, timing, KPIs and the sweep's fingerprint
in the file's metadata), the failed-run record, and the checks a stored run must pass before
a resume trusts it.

Reads run files and failed-run records; writes nothing (``sim.sweep_store`` writes them).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.sweep_plan import Plan, run_name

COLUMN_TYPES = {  # every column of the sweep's stored tables, with its Arrow type
    "point": pa.int32(),
    "replicate": pa.int32(),
    "seed": pa.int64(),
    "date": pa.timestamp("s"),
    "group": pa.string(),
    "metric": pa.string(),
    "value": pa.float64(),
    "median": pa.float64(),
    "p10": pa.float64(),
    "p90": pa.float64(),
}


def schema(*columns: str) -> pa.Schema:
    """The Arrow schema of a stored table with these columns, in this order."""
    return pa.schema([(c, COLUMN_TYPES[c]) for c in columns])


TS_SCHEMA = schema("point", "replicate", "seed", "date", "group", "metric", "value")
META_KEY = b"fugong.run"
RUN_FILE = re.compile(r"^p(\d{4,})_r(\d{3,})\.(parquet|json)$")


@dataclass
class RunResult:
    """What a worker sends back: KPIs and a compact timeseries, never model objects."""

    point: int
    replicate: int
    seed: int
    seconds: float
    kpis: dict[str, float] = field(default_factory=dict)
    timeseries: pd.DataFrame | None = None  # date, group, metric, value
    error: str | None = None

    @property
    def name(self) -> str:
        return run_name(self.point, self.replicate)


def key_cols(rec: dict[str, Any]) -> dict[str, Any]:
    return {
        "point": rec["point"],
        "replicate": rec["replicate"],
        "seed": rec["seed"],
        "seconds": rec["seconds"],
    }


def last_line(text: str) -> str:
    lines = [s for s in text.strip().splitlines() if s.strip()]
    return lines[-1] if lines else text


def run_meta(path: Path) -> dict[str, Any] | str:
    """A run file's metadata, or what is wrong with it."""
    try:
        raw = (pq.read_schema(path).metadata or {}).get(META_KEY)
        meta = json.loads(raw) if raw else None
    except (OSError, ValueError, pa.ArrowException) as exc:
        return f"unreadable ({last_line(str(exc))})"
    if not isinstance(meta, dict) or not {"point", "replicate", "seed", "kpis"} <= set(meta):
        return "no run metadata"
    return meta


def failed_record(path: Path) -> dict[str, Any] | str:
    try:
        rec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"unreadable ({exc})"
    if not isinstance(rec, dict) or not {"point", "replicate", "seed", "error"} <= set(rec):
        return "not a failed-run record"
    return rec


def check_run(path: Path, plan: Plan, fingerprint: str) -> str | None:
    """What is wrong with a stored run (None if it is sound): readable, the sweep's
    fingerprint, the run its name says, the seed of its replicate, all its rows."""
    meta = run_meta(path)
    if isinstance(meta, str):
        return meta
    if meta.get("fingerprint") != fingerprint:
        return "written by a different sweep"
    m = RUN_FILE.match(path.name)
    point, rep = int(m.group(1)), int(m.group(2))
    if (meta["point"], meta["replicate"]) != (point, rep):
        return f"holds run p{meta['point']}_r{meta['replicate']}, not its name's"
    if point not in plan.points.index or rep >= plan.sweep.replicates:
        return "not a run of this sweep's design"
    if meta["seed"] != plan.seeds[rep]:
        return f"seed {meta['seed']} is not replicate {rep}'s ({plan.seeds[rep]})"
    try:
        rows = pq.read_table(path, schema=TS_SCHEMA).num_rows
    except (OSError, ValueError, pa.ArrowException) as exc:
        return f"unreadable ({last_line(str(exc))})"
    if rows != meta.get("rows"):
        return f"{rows} rows, expected {meta.get('rows')}"
    return None
