"""The run store: a sweep's results folder, written run by run.

Layout (all Parquet, CSV, JSON or YAML; nothing pickled):

- ``sweep.yaml``, ``scenario.yaml``, ``design.csv``: the resolved sweep, its base scenario
  and its points, written before any run, so the folder reproduces the sweep by itself
  (``fugong sweep DIR/sweep.yaml``).
- ``runs/p0000_r000.parquet``: one file per finished run (its tidy timeseries, with the run's
  seed, timing and KPIs in the file's metadata), written to a temporary name and renamed, so
  a killed sweep never leaves a half-written run and ``--resume`` skips every finished one.
- ``failed/p0000_r000.json``: a run that raised, with the error (retried on ``--resume``).
- ``log.jsonl``: one line per run computed, with the session that computed it.
- At the end: ``runs.parquet`` (one row per run: point, parameters, replicate, seed, status,
  KPIs), ``timeseries.parquet`` (all runs, one row group per run, readable lazily),
  ``bands.parquet`` (median and 10-90% band per point, group, metric and date), ``points.csv``
  (per-point medians and paired differences from the reference) and ``manifest.json``.

The format of one run file, and the checks a stored run must pass, are in ``sim.stored_runs``.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from sim.errors import FugongError
from sim.outdir import clean_leftovers, prepare_target, tmp_name
from sim.replicate_stats import interval_text, is_days, kpi_median, kpi_values, paired_against
from sim.results_folder import git_commit, versions
from sim.stored_runs import (
    META_KEY,
    RUN_FILE,
    TS_SCHEMA,
    RunResult,
    check_run,
    failed_record,
    key_cols,
    last_line,
    run_meta,
    schema,
)
from sim.sweep_file import load_sweep
from sim.sweep_plan import Plan, make_plan, stored_sweep

HEADLINE = ("all/days_to_80pct", "all/output_lost_days")  # differences shown per point
BANDS_SCHEMA = schema("point", "group", "metric", "date", "median", "p10", "p90")


class RunStore:
    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.folder = Path(folder)
        self.runs_dir = self.folder / "runs"
        self.failed_dir = self.folder / "failed"
        self.rejected_dir = self.folder / "rejected"
        self.fingerprint = fingerprint  # of the sweep; every stored run carries it
        self.session = f"{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}"

    # ------------------------------------------------------------------ opening
    @classmethod
    def create(cls, folder: Path, plan: Plan, force: bool = False) -> RunStore:
        """A new results folder with the sweep written first (call under the folder's lock).

        ``force`` replaces only a folder fugong wrote."""
        folder = Path(folder)
        prepare_target(folder, force, "use --resume to continue it or --force to replace it")
        if folder.exists():
            shutil.rmtree(folder)
        clean_leftovers(folder)
        store = cls(folder, plan.fingerprint())
        store.runs_dir.mkdir(parents=True)
        store.failed_dir.mkdir()
        store.write_manifest(
            {
                "sweep": plan.sweep.name,
                "fingerprint": store.fingerprint,
                "points": len(plan.points),
                "replicates": plan.sweep.replicates,
                "runs": plan.n_runs,
                "seed": plan.seed,
                "replicate_seeds": plan.seeds,
                "reference_point": plan.reference,
                "versions": versions(),
                "git_commit": git_commit(),
                "created": datetime.now().astimezone().isoformat(),
                "sessions": [],
            }
        )
        _write_yaml(folder / "scenario.yaml", plan.base_data)
        _atomic_text(folder / "design.csv", plan.points.to_csv(index=False))
        _write_yaml(folder / "sweep.yaml", stored_sweep(plan))
        return store

    @classmethod
    def open(cls, folder: Path, plan: Plan) -> RunStore:
        """An existing folder of the same sweep, to resume (call under the folder's lock)."""
        store = cls(folder, plan.fingerprint())
        manifest = store.manifest()
        if manifest.get("fingerprint") != store.fingerprint:
            raise FugongError(
                f"{folder}: holds a different sweep (its sweep, scenario or points changed); "
                "resume it with its own sweep.yaml, or use another --out"
            )
        return store

    def clean(self) -> None:
        """Remove temporary files of killed sessions (call under the folder's lock)."""
        self.runs_dir.mkdir(exist_ok=True)
        self.failed_dir.mkdir(exist_ok=True)
        for folder in (self.folder, self.runs_dir, self.failed_dir):
            for stale in folder.glob(".*.tmp"):
                stale.unlink(missing_ok=True)

    def manifest(self) -> dict[str, Any]:
        path = self.folder / "manifest.json"
        if not path.is_file():
            raise FugongError(f"{self.folder}: not a sweep results folder (no manifest.json)")
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise FugongError(f"{path}: unreadable manifest ({exc})") from None
        if not isinstance(manifest, dict) or not isinstance(manifest.get("sessions"), list):
            raise FugongError(f"{path}: not a sweep manifest (no sessions list)")
        return manifest

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        _atomic_text(self.folder / "manifest.json", json.dumps(manifest, indent=2, default=str))

    # ------------------------------------------------------------------ runs
    def finished(self) -> set[tuple[int, int]]:
        """(point, replicate) of every run with a result file."""
        out = set()
        for path in self.runs_dir.iterdir():
            m = RUN_FILE.match(path.name)
            if m and m.group(3) == "parquet":
                out.add((int(m.group(1)), int(m.group(2))))
        return out

    def write(self, result: RunResult) -> None:
        """Write one run at once, atomically, and log it."""
        name = result.name
        failed = self.failed_dir / f"{name}.json"
        if result.error is None:
            ts = result.timeseries.assign(
                point=result.point, replicate=result.replicate, seed=result.seed
            )
            meta = {**self._record(result), "rows": len(ts), "kpis": result.kpis}
            table = pa.Table.from_pandas(ts, schema=TS_SCHEMA, preserve_index=False)
            table = table.replace_schema_metadata({META_KEY: json.dumps(meta)})
            target = self.runs_dir / f"{name}.parquet"
            tmp = tmp_name(target)
            pq.write_table(table, tmp)
            os.replace(tmp, target)
            failed.unlink(missing_ok=True)
        else:
            record = {**self._record(result), "error": result.error}
            _atomic_text(failed, json.dumps(record, indent=2))
        line = {
            "run": name,
            "status": "ok" if result.error is None else "failed",
            "session": self.session,
            "seconds": round(result.seconds, 3),
            "time": datetime.now().astimezone().isoformat(),
        }
        with open(self.folder / "log.jsonl", "a", encoding="utf-8") as log:
            log.write(json.dumps(line) + "\n")

    def _record(self, result: RunResult) -> dict[str, Any]:
        """What every stored run and failed-run record says of the run and who wrote it."""
        return {
            "point": result.point,
            "replicate": result.replicate,
            "seed": result.seed,
            "seconds": result.seconds,
            "session": self.session,
            "fingerprint": self.fingerprint,
        }

    def log(self) -> pd.DataFrame:
        path = self.folder / "log.jsonl"
        if not path.exists():
            return pd.DataFrame(columns=["run", "status", "session", "seconds", "time"])
        return pd.read_json(path, lines=True)

    def run_files(self, point: int | None = None) -> list[Path]:
        pattern = f"p{point:04d}_r*.parquet" if point is not None else "p*_r*.parquet"
        return sorted(self.runs_dir.glob(pattern))

    # ------------------------------------------------------------------ tables
    def index(self, plan: Plan) -> pd.DataFrame:
        """One row per run attempted: rebuilt from the run files, so never out of date."""
        rows = {}
        for path in sorted(self.failed_dir.glob("p*_r*.json")):
            rec = self._own(path, failed_record(path))
            key = (rec["point"], rec["replicate"])
            rows[key] = {**key_cols(rec), "status": "failed", "error": last_line(rec["error"])}
        for path in self.run_files():
            meta = self._own(path, run_meta(path))
            rows[(meta["point"], meta["replicate"])] = {
                **key_cols(meta),
                "status": "ok",
                "error": None,
                **meta["kpis"],
            }
        runs = pd.DataFrame(list(rows.values()))
        if runs.empty:
            return pd.DataFrame(
                columns=[
                    "point",
                    "replicate",
                    "seed",
                    "status",
                    "error",
                    "seconds",
                    *plan.points.columns,
                ]
            )
        runs = runs.merge(plan.points.reset_index(), on="point", how="left")
        first = ["point", "replicate", "seed", "status", "error", "seconds", *plan.points.columns]
        runs = runs[first + [c for c in runs.columns if c not in first]]
        return runs.sort_values(["point", "replicate"], ignore_index=True)

    def _own(self, path: Path, meta: dict[str, Any] | str) -> dict[str, Any]:
        """A stored run's record, refusing one this sweep did not write."""
        if isinstance(meta, str):
            raise FugongError(f"{path}: {meta}; resume the sweep to run it again")
        if meta.get("fingerprint") != self.fingerprint:
            raise FugongError(
                f"{path}: written by a different sweep (fingerprint differs); "
                "refusing to mix it into these results"
            )
        return meta

    def verify(self, plan: Plan) -> list[str]:
        """Check every stored run before a resume; move bad ones to ``rejected/`` (they are
        run again) and return one description per bad run."""
        bad = []
        for path in sorted(self.failed_dir.glob("p*_r*.json")):
            meta = failed_record(path)
            if isinstance(meta, str) or meta.get("fingerprint") != self.fingerprint:
                bad.append(
                    self._reject(
                        path, meta if isinstance(meta, str) else "written by a different sweep"
                    )
                )
        for path in self.run_files():
            problem = check_run(path, plan, self.fingerprint)
            if problem:
                bad.append(self._reject(path, problem))
        return bad

    def _reject(self, path: Path, why: str) -> str:
        self.rejected_dir.mkdir(exist_ok=True)
        stamp = self.session
        os.replace(path, self.rejected_dir / f"{path.stem}.{stamp}{path.suffix}")
        return f"{path.stem} ({why})"

    def write_index(self, plan: Plan) -> pd.DataFrame:
        runs = self.index(plan)
        _atomic_parquet(runs, self.folder / "runs.parquet")
        return runs

    def consolidate(self, plan: Plan) -> pd.DataFrame:
        """Write runs.parquet, timeseries.parquet, bands.parquet and points.csv."""
        runs = self.write_index(plan)
        self._timeseries()
        self._bands(plan)
        points = point_summary(plan, runs)
        points.to_csv(self.folder / "points.csv", index=False)
        return runs

    def _timeseries(self) -> None:
        """All runs in one Parquet file, streamed one run at a time (memory stays flat)."""
        tmp = tmp_name(self.folder / "timeseries.parquet")
        with pq.ParquetWriter(tmp, TS_SCHEMA) as writer:
            for path in self.run_files():
                self._own(path, run_meta(path))
                writer.write_table(pq.read_table(path, schema=TS_SCHEMA).replace_schema_metadata())
        os.replace(tmp, self.folder / "timeseries.parquet")

    def _bands(self, plan: Plan) -> None:
        tmp = tmp_name(self.folder / "bands.parquet")
        with pq.ParquetWriter(tmp, BANDS_SCHEMA) as writer:
            for point in plan.points.index:
                files = self.run_files(int(point))
                if not files:
                    continue
                ts = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
                q = ts.groupby(["group", "metric", "date"])["value"].quantile([0.1, 0.5, 0.9])
                q = q.unstack().rename(columns={0.1: "p10", 0.5: "median", 0.9: "p90"})
                q = q.reset_index().assign(point=int(point))
                table = pa.Table.from_pandas(q, schema=BANDS_SCHEMA, preserve_index=False)
                writer.write_table(table)
        os.replace(tmp, self.folder / "bands.parquet")

    def add_session(self, record: dict[str, Any]) -> None:
        manifest = self.manifest()
        manifest["sessions"].append(record)
        self.write_manifest(manifest)


def point_summary(plan: Plan, runs: pd.DataFrame) -> pd.DataFrame:
    """Per point: label, levers, runs ok and failed, median KPIs (never reached = NaN), and
    paired differences of the headline KPIs from the reference point."""
    table = plan.points.reset_index()
    table.insert(1, "label", [plan.label(p) for p in plan.points.index])
    status = (
        runs.groupby("point")["status"].value_counts().unstack(fill_value=0)
        if len(runs)
        else pd.DataFrame()
    )
    for s in ("ok", "failed"):
        table[f"runs_{s}"] = table["point"].map(status.get(s, {})).fillna(0).astype(int)
    ok = runs[runs["status"] == "ok"]
    kpi_cols = [c for c in ok.columns if "/" in c]
    for col in kpi_cols:
        meds = {point: kpi_median(g[col], col) for point, g in ok.groupby("point")}
        table[col] = table["point"].map(meds)
    for col in HEADLINE:
        if col not in ok.columns:
            continue
        values = ok[["point", "seed"]].assign(v=kpi_values(ok, col))
        diffs = paired_against(values, "point", plan.reference, "v")
        diffs = diffs.rename(columns={c: f"{col} {c}" for c in diffs.columns if c != "point"})
        table = table.merge(diffs, on="point", how="left")
    return table


def console_table(points: pd.DataFrame, reference: int) -> str:
    """The end-of-sweep summary: one line per point, headline KPIs with paired intervals."""
    rows = []
    for _, r in points.iterrows():
        row = {
            "point": int(r["point"]),
            "levers": r["label"] + (" (ref)" if r["point"] == reference else ""),
            "ok": r["runs_ok"],
            "failed": r["runs_failed"],
        }
        for col in HEADLINE:
            if col not in points.columns:
                continue
            row[f"{col} median"] = "never" if pd.isna(r[col]) and is_days(col) else f"{r[col]:.1f}"
            if f"{col} diff" in points.columns:
                row[f"{col} vs ref (90% CI)"] = interval_text(
                    r[f"{col} diff"], r[f"{col} diff_lo"], r[f"{col} diff_hi"]
                )
        rows.append(row)
    return pd.DataFrame(rows).to_string(index=False)


def _write_yaml(path: Path, data: dict[str, Any]) -> None:
    _atomic_text(path, yaml.safe_dump(data, sort_keys=False, width=100, allow_unicode=True))


def _atomic_text(path: Path, text: str) -> None:
    tmp = tmp_name(path)
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _atomic_parquet(df: pd.DataFrame, path: Path) -> None:
    tmp = tmp_name(path)
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def open_plan(folder: Path) -> Plan:
    """The plan saved in a sweep results folder (its sweep, scenario and design)."""
    folder = Path(folder)
    if not (folder / "sweep.yaml").exists():
        raise FugongError(f"{folder}: not a sweep results folder (no sweep.yaml)")
    points = pd.read_csv(folder / "design.csv")
    return make_plan(load_sweep(folder / "sweep.yaml"), folder, points=points)
