"""The Python API (`import fugong`): runs and sweeps as objects, for notebooks and scripts.

    import fugong
    base = fugong.run("scenarios/shanghai_2022.yaml", replicates=2, overrides={"scale": 50})
    fast = fugong.run("scenarios/permits_fast.yaml", replicates=2, overrides={"scale": 50})
    base.summary; base.kpis; base.timeseries          # pandas frames
    base.plot("capacity_utilization", groups=["chain:automobile"])
    fast.compare(base)                                 # paired differences (same seeds)

Results hold the same tidy tables as a results folder; `out=` writes the folder too, so the
command-line tools (`fugong report`, `compare`, `rerun`) work on it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from sim import labels
from sim.errors import FugongError
from sim.scenario import Scenario


@dataclass
class Results:
    """The replicates of one scenario: tidy timeseries, KPIs per replicate, the scenario."""

    name: str
    scenario: Scenario
    timeseries: pd.DataFrame  # scenario, replicate, seed, date, group, metric, value
    summary: pd.DataFrame  # per replicate and group: days to 50/80/90%, output lost, ...
    seed: int
    folder: Path | None = None

    @property
    def replicates(self) -> int:
        return int(self.timeseries["replicate"].nunique())

    @property
    def kpis(self) -> pd.DataFrame:
        """Headline KPIs: medians over replicates for the main groups."""
        from sim.kpis import headline_kpis

        return headline_kpis(self.summary)

    def series(self, metric: str = "capacity_utilization", group: str = "all") -> pd.DataFrame:
        """One measure over time: columns date, median, p10, p90, min, max."""
        from sim.replicate_bands import band

        b = band(self.timeseries, metric, group)
        if b.empty:
            raise FugongError(
                f"no {metric!r} of group {group!r} in these results "
                f"(groups: {', '.join(sorted(self.timeseries['group'].unique()))})"
            )
        return b.drop(columns="scenario").reset_index(drop=True)

    def plot(
        self,
        metric: str = "capacity_utilization",
        groups: Sequence[str] = ("all",),
        ax=None,
        by: date | None = None,
        level: float | None = None,
    ):
        """Median and spread of `metric` for `groups` with policy dates; returns the Axes."""
        from sim.plots import plot_series
        from sim.policy import policy_events

        return plot_series(
            self.timeseries,
            metric,
            list(groups),
            ax=ax,
            events=policy_events(self.scenario),
            level=level,
            by=by,
            title=self.name,
        )

    def charts(self, out: Path) -> list[Path]:
        """The standard PNG charts of a run, written into `out`."""
        from sim.policy import policy_events
        from sim.reported import REPORTED, read_reported
        from sim.run_charts import make_charts

        reported = read_reported(REPORTED) if REPORTED.exists() else None
        return make_charts(self.timeseries, out, reported, policy_events(self.scenario))

    def compare(
        self, other: Results, kpi: str = "days_to_80pct", groups: Iterable[str] | None = None
    ) -> pd.DataFrame:
        """KPIs of both and the paired difference of `self` from `other` (the reference),
        replicate by replicate (both must share seeds: same base seed and replicates)."""
        from sim.compare import paired_kpi_table
        from sim.kpis import CHAIN_GROUPS

        ref = other.name if other.name != self.name else f"{other.name} (reference)"
        table = paired_kpi_table(
            [self._series(), other._series(ref)],
            ref,
            kpi,
            tuple(groups) if groups is not None else CHAIN_GROUPS,
        )
        return table[table["series"] == self.name].reset_index(drop=True)

    def fit(self, targets: Path | None = None) -> pd.DataFrame:
        """The fit table against reported figures (default: the Shanghai 2022 targets)."""
        from sim.report import TARGETS
        from sim.targets import fit_table, load_targets

        return fit_table(self.timeseries, load_targets(Path(targets or TARGETS)))

    def report(self, path: Path | None = None) -> Path:
        """The HTML briefing report (needs a results folder: run with `out=`)."""
        from sim.report import write_report

        if self.folder is None:
            raise FugongError("these results have no folder; run with out=... to write one")
        return write_report(self.folder, out=path)

    def _series(self, name: str | None = None):
        from sim.compare import ResultSeries

        kpi_cols = [
            c for c in self.summary.columns if c not in ("scenario", "replicate", "seed", "group")
        ]
        wide = self.summary.pivot(index=["replicate", "seed"], columns="group", values=kpi_cols)
        wide.columns = [f"{g}/{k}" for k, g in wide.columns]
        wide = wide.reset_index()
        wide["horizon_days"] = (self.scenario.end_date - self.scenario.lockdown_start).days
        return ResultSeries(name or self.name, self.folder, None, [], wide)

    def __repr__(self) -> str:
        return (
            f"Results({self.name!r}, {labels.plural(self.replicates, 'replicate')}, "
            f"{self.scenario.start_date} to {self.scenario.end_date}, "
            f"scale {self.scenario.scale:g})"
        )


@dataclass
class SweepResults:
    """A finished sweep folder: one row per point, one per run, and tools on top."""

    folder: Path

    @property
    def points(self) -> pd.DataFrame:
        """Per point: lever values and median KPIs (`<group>/<kpi>`), differences from the
        reference point."""
        return pd.read_csv(self.folder / "points.csv")

    @property
    def runs(self) -> pd.DataFrame:
        return pd.read_parquet(self.folder / "runs.parquet")

    def bands(self, metric: str = "capacity_utilization", group: str = "all") -> pd.DataFrame:
        """Median and 10-90% band per point and date of one measure."""
        return pd.read_parquet(
            self.folder / "bands.parquet",
            filters=[("metric", "==", metric), ("group", "==", group)],
        )

    def frontier(
        self,
        x: str,
        y: str,
        *,
        by: date,
        group: str = "chain:automobile",
        level: float = 0.8,
        costs: Mapping[str, float] | None = None,
    ):
        """Days to `level` over two levers and the cheapest combinations meeting `by`."""
        from sim.frontier import frontier

        return frontier(
            self.folder, x, y, group=group, level=level, by=by, costs=dict(costs) if costs else None
        )

    def compare(
        self, points: Sequence[int] | None = None, *, group: str = "all", out: Path | None = None
    ):
        from sim.compare import compare

        return compare(
            [self.folder],
            group=group,
            points=list(points) if points else None,
            out=out or self.folder / "compare",
        )

    def __repr__(self) -> str:
        p = self.points
        return f"SweepResults({str(self.folder)!r}, {len(p)} points)"


def run(
    scenario: str | Path | Scenario,
    *,
    replicates: int = 1,
    overrides: Mapping[str, Any] | None = None,
    seed: int | None = None,
    jobs: int = 1,
    out: str | Path | None = None,
    charts: bool = False,
    name: str | None = None,
) -> Results:
    """Run a scenario's replicates (each with its no-lockdown counterfactual).

    `overrides` sets scenario keys like `--set` (`{"permits.daily_capacity": 4000}`);
    replicate i uses the same seed as `fugong run`, so results match the command line. With
    `out` the results folder is written as `fugong run --out` would (charts if `charts`).
    """
    from sim.kpis import summarize
    from sim.replicates import combine, run_replicates
    from sim.run_folder import execute
    from sim.scenario_files import load_scenario, with_overrides

    changes = dict(overrides or {})
    if isinstance(scenario, Scenario):
        sc = with_overrides(scenario, changes) if changes else scenario
        path, label = Path("scenario"), name or "scenario"
    else:
        path = Path(scenario)
        sc = load_scenario(path, [f"{k}={_yaml(v)}" for k, v in changes.items()])
        label = name or path.stem
    if out is not None:
        execute(
            sc,
            path,
            label,
            seed=seed,
            replicates=replicates,
            overrides=changes,
            out=Path(out),
            jobs=jobs,
            force=True,
            charts=charts,
        )
        return load(out)
    base_seed = sc.seed if seed is None else seed
    ts = combine(run_replicates(sc, replicates, base_seed, jobs), label)
    return Results(label, sc, ts, summarize(ts, sc.lockdown_start), base_seed)


def sweep(
    scenario: str | Path,
    grid: Mapping[str, Sequence[Any]],
    *,
    replicates: int = 1,
    overrides: Mapping[str, Any] | None = None,
    seed: int | None = None,
    jobs: int | None = 1,
    out: str | Path | None = None,
) -> SweepResults:
    """A grid sweep like `fugong sweep --scenario S --grid KEY=V1,V2`: values written
    "x0.5" are multiples of the scenario's schedule. Returns the finished sweep folder."""
    from sim.executors import make_executor
    from sim.sweep_run import prepare, run_sweep

    grid_opts = [f"{k}={','.join(str(v) for v in values)}" for k, values in grid.items()]
    sets = [f"{k}={_yaml(v)}" for k, v in (overrides or {}).items()]
    plan, folder = prepare(
        None,
        scenario=Path(scenario),
        grid=grid_opts,
        replicates=replicates,
        seed=seed,
        sets=sets,
        out=Path(out) if out else None,
    )
    executor = make_executor(jobs)
    try:
        done = run_sweep(plan, folder, executor, force=True, progress=None)
    finally:
        executor.close()
    if done.failed:
        raise FugongError(f"{done.failed} run(s) of the sweep failed; see {folder}/failed")
    return SweepResults(Path(folder))


def load(folder: str | Path) -> Results | SweepResults:
    """The results of a `fugong run` or `fugong sweep` folder."""
    from sim.scenario_files import validate

    folder = Path(folder)
    if (folder / "sweep.yaml").is_file():
        return SweepResults(folder)
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise FugongError(f"{folder}: not a results folder (no manifest.json)")
    manifest = json.loads(manifest_path.read_text())
    sc = validate(manifest["resolved_scenario"], str(manifest_path))
    return Results(
        manifest.get("scenario_name") or folder.name,
        sc,
        pd.read_parquet(folder / "timeseries.parquet"),
        pd.read_csv(folder / "summary.csv"),
        manifest["seed"],
        folder,
    )


def _yaml(value: Any) -> str:
    """A value as `--set` text (YAML), so lists, dicts and dates survive."""
    import yaml

    if isinstance(value, str):
        return value
    return yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()
