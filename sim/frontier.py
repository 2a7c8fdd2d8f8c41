"""Policy frontier of a two-lever sweep: how many days until a group reaches a utilization
level, for every combination of the levers, and the cheapest combinations that make a date.

Days count from the first lockdown and use the 7-day mean after the trough, as in
`sim.kpis`. A point meets the target when the median over replicates reaches the level on
or before the target date; "never" means the median run does not reach it before the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from sim.errors import FugongError
from sim.kpis import days_to
from sim.replicate_stats import median_censored
from sim.sweep_store import open_plan


@dataclass
class Frontier:
    table: pd.DataFrame  # one row per lever combination
    target_days: int
    folder: Path

    @property
    def cheapest(self) -> pd.DataFrame:
        return self.table[self.table["cheapest"]]


def parse_costs(items: list[str], keys: tuple[str, str]) -> dict[str, float]:
    """``KEY=WEIGHT`` items (default weight 1 for each lever)."""
    costs = dict.fromkeys(keys, 1.0)
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or key not in keys:
            raise FugongError(f"--cost {item!r}: expected KEY=WEIGHT with KEY one of {keys}")
        try:
            costs[key] = float(raw)
        except ValueError:
            raise FugongError(f"--cost {item!r}: the weight must be a number") from None
    return costs


def frontier(
    folder: Path,
    x: str,
    y: str,
    *,
    group: str = "chain:automobile",
    level: float = 0.8,
    by: date,
    costs: dict[str, float] | None = None,
    out: Path | None = None,
) -> Frontier:
    """Compute the frontier of a sweep folder and write frontier.png and frontier.csv."""
    folder = Path(folder)
    plan = open_plan(folder)
    points = plan.points
    for key in (x, y):
        if key not in points.columns:
            raise FugongError(f"{key}: not a lever of this sweep (levers: {list(points.columns)})")
    others = [c for c in points.columns if c not in (x, y) and points[c].nunique() > 1]
    if others:
        raise FugongError(f"a frontier needs a two-lever sweep; these levers also vary: {others}")
    if points.duplicated([x, y]).any():
        raise FugongError(f"the sweep repeats combinations of {x} and {y}: use a grid design")
    start = plan.scenario.lockdown_start
    target = (by - start).days
    days = _days(folder, group, level, np.datetime64(start, "D"))
    costs = costs or dict.fromkeys((x, y), 1.0)
    rows = []
    for point, lever in points.iterrows():
        d = days[days["point"] == point]
        never = d["days"].isna().to_numpy()
        median = median_censored(d["days"], never)
        rows.append({
            "point": point, x: lever[x], y: lever[y], "label": plan.label(point),
            "replicates": len(d), "median_days": median,
            "p10_days": _quantile(d["days"], never, 0.1),
            "p90_days": _quantile(d["days"], never, 0.9),
            "share_meeting": float(np.mean(d["days"].fillna(np.inf) <= target)) if len(d)
            else np.nan,
        })
    table = pd.DataFrame(rows)
    table["meets"] = table["median_days"] <= target
    table["cost"] = sum(w * table[k] / table[k].max() for k, w in costs.items())
    table["pareto"] = _pareto(table, x, y)
    best = table.loc[table["meets"], "cost"].min()
    table["cheapest"] = table["meets"] & np.isclose(table["cost"], best)
    out = Path(out) if out else folder / "frontier"
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "frontier.csv", index=False)
    _heatmap(table, x, y, target, f"{group} to {level:.0%} by {by}", plan, out / "frontier.png")
    return Frontier(table, target, out)


def _days(folder: Path, group: str, level: float, start: np.datetime64) -> pd.DataFrame:
    """Days to the level for every run, from the stored utilization series."""
    ts = pd.read_parquet(folder / "timeseries.parquet",
                         filters=[("metric", "==", "capacity_utilization"),
                                  ("group", "==", group)],
                         columns=["point", "replicate", "date", "value"])
    if ts.empty:
        raise FugongError(f"no capacity_utilization of group '{group}' in {folder}")
    rows = []
    for (point, rep), g in ts.groupby(["point", "replicate"]):
        g = g.sort_values("date")
        dates = g["date"].to_numpy().astype("datetime64[D]")
        first = int(np.searchsorted(dates, start))
        rows.append({"point": point, "replicate": rep,
                     "days": days_to(g["value"].to_numpy(), first, level)})
    return pd.DataFrame(rows)


def _quantile(values: pd.Series, never: np.ndarray, q: float) -> float:
    if not len(values):
        return float("nan")
    with np.errstate(invalid="ignore"):  # inf - inf between two never-reached runs
        v = float(np.quantile(np.where(never, np.inf, values.to_numpy(float)), q))
    return v if np.isfinite(v) else float("nan")


def _pareto(table: pd.DataFrame, x: str, y: str) -> pd.Series:
    """Meeting combinations with no other meeting one at or below both lever levels."""
    ok = table[table["meets"]]
    flags = []
    for _, r in table.iterrows():
        dominated = ((ok[x] <= r[x]) & (ok[y] <= r[y]) & ((ok[x] < r[x]) | (ok[y] < r[y])))
        flags.append(bool(r["meets"]) and not dominated.any())
    return pd.Series(flags, index=table.index)


def _heatmap(table: pd.DataFrame, x: str, y: str, target: int, title: str, plan, path: Path):
    xs, ys = sorted(table[x].unique()), sorted(table[y].unique())
    grid = table.pivot_table(index=y, columns=x, values="median_days", dropna=False)
    grid = grid.reindex(index=ys, columns=xs)
    z = grid.to_numpy(float)
    fig = Figure(figsize=(8.5, 6.8), layout="constrained")
    ax = fig.add_subplot()
    ax.add_patch(Rectangle((-0.5, -0.5), len(xs), len(ys), facecolor="0.85", hatch="//",
                           edgecolor="0.6", lw=0, zorder=0))
    image = ax.imshow(np.ma.masked_invalid(z), origin="lower", cmap="viridis_r",
                      aspect="auto", zorder=1)
    fig.colorbar(image, ax=ax, label="median days from first lockdown")
    for (i, j), v in np.ndenumerate(z):
        dark = not np.isnan(v) and image.norm(v) > 0.5  # viridis_r is dark at high values
        ax.text(j, i, "never" if np.isnan(v) else f"{v:.0f}", ha="center", va="center",
                fontsize=8, color="white" if dark else "black", zorder=3)
    filled = np.where(np.isnan(z), np.nanmax(z, initial=target) + 1e6, z)
    if len(xs) > 1 and len(ys) > 1 and filled.min() <= target < filled.max():
        cs = ax.contour(np.arange(len(xs)), np.arange(len(ys)), filled, levels=[target],
                        colors="red", linewidths=2, zorder=4)
        ax.clabel(cs, fmt={target: f"{target} days"}, fontsize=8)
    index = {v: i for i, v in enumerate(xs)}, {v: i for i, v in enumerate(ys)}
    for _, r in table[table["pareto"]].iterrows():
        ax.add_patch(Rectangle((index[0][r[x]] - 0.5, index[1][r[y]] - 0.5), 1, 1, fill=False,
                               edgecolor="white", lw=2, zorder=5))
    for _, r in table[table["cheapest"]].iterrows():
        ax.plot(index[0][r[x]], index[1][r[y]] + 0.3, marker="*", color="red", ms=14,
                mec="white", zorder=6)
    ax.set_xticks(range(len(xs)), [_level(plan, x, v) for v in xs])
    ax.set_yticks(range(len(ys)), [_level(plan, y, v) for v in ys])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"Days until {title} (target: {target} days)")
    fig.supxlabel("Red line: target day count; white boxes: combinations on the frontier; "
                  "star: cheapest meeting the target; hatched: never reached.",
                  fontsize=8, color="0.35")
    fig.savefig(path, dpi=110)


def _level(plan, key: str, value) -> str:
    return f"x{value:g}" if plan.is_scaled(key) else f"{value:g}"
