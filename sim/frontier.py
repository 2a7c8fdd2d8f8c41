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

from sim import labels
from sim.errors import FugongError
from sim.keys import get_key
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
        rows.append(
            {
                "point": point,
                x: lever[x],
                y: lever[y],
                "label": plan.label(point),
                "replicates": len(d),
                "median_days": median,
                "p10_days": _quantile(d["days"], never, 0.1),
                "p90_days": _quantile(d["days"], never, 0.9),
                "share_meeting": float(np.mean(d["days"].fillna(np.inf) <= target))
                if len(d)
                else np.nan,
            }
        )
    table = pd.DataFrame(rows)
    table["meets"] = table["median_days"] <= target
    table["cost"] = sum(w * table[k] / table[k].max() for k, w in costs.items())
    table["pareto"] = _pareto(table, x, y)
    best = table.loc[table["meets"], "cost"].min()
    table["cheapest"] = table["meets"] & np.isclose(table["cost"], best)
    out = Path(out) if out else folder / "frontier"
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "frontier.csv", index=False)
    title = (
        f"{labels.group(group)}: days to {level:.0%} utilization "
        f"(target: by {by:%d %b %Y}, {target} days after the first lockdown)"
    )
    _heatmap(table, x, y, target, title, plan, by, out / "frontier.png")
    return Frontier(table, target, out)


def _days(folder: Path, group: str, level: float, start: np.datetime64) -> pd.DataFrame:
    """Days to the level for every run, from the stored utilization series."""
    ts = pd.read_parquet(
        folder / "timeseries.parquet",
        filters=[("metric", "==", "capacity_utilization"), ("group", "==", group)],
        columns=["point", "replicate", "date", "value"],
    )
    if ts.empty:
        raise FugongError(f"no capacity_utilization of group '{group}' in {folder}")
    rows = []
    for (point, rep), g in ts.groupby(["point", "replicate"]):
        g = g.sort_values("date")
        dates = g["date"].to_numpy().astype("datetime64[D]")
        first = int(np.searchsorted(dates, start))
        rows.append(
            {"point": point, "replicate": rep, "days": days_to(g["value"].to_numpy(), first, level)}
        )
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
        dominated = (ok[x] <= r[x]) & (ok[y] <= r[y]) & ((ok[x] < r[x]) | (ok[y] < r[y]))
        flags.append(bool(r["meets"]) and not dominated.any())
    return pd.Series(flags, index=table.index)


def _heatmap(
    table: pd.DataFrame, x: str, y: str, target: int, title: str, plan, by: date, path: Path
) -> None:
    """Median days per cell with the share of replicates meeting the target; the cells that
    meet it are outlined in red, frontier cells boxed in white, the cheapest starred in a
    corner, so no mark hides a number."""
    xs, ys = sorted(table[x].unique()), sorted(table[y].unique())
    cells = table.set_index([y, x])
    grid = table.pivot_table(index=y, columns=x, values="median_days", dropna=False)
    z = grid.reindex(index=ys, columns=xs).to_numpy(float)
    fig = Figure(figsize=(9.5, 7.4), layout="constrained")
    ax = fig.add_subplot()
    ax.add_patch(
        Rectangle(
            (-0.5, -0.5),
            len(xs),
            len(ys),
            facecolor="0.85",
            hatch="//",
            edgecolor="0.6",
            lw=0,
            zorder=0,
        )
    )
    image = ax.imshow(
        np.ma.masked_invalid(z), origin="lower", cmap="viridis_r", aspect="auto", zorder=1
    )
    fig.colorbar(image, ax=ax, label="median days from the first lockdown")
    for (i, j), v in np.ndenumerate(z):
        row = cells.loc[(ys[i], xs[j])]
        dark = not np.isnan(v) and image.norm(v) > 0.5  # viridis_r is dark at high values
        met = round(row["share_meeting"] * row["replicates"])
        ax.text(
            j,
            i,
            f"{'never' if np.isnan(v) else f'{v:.0f} days'}\n{met} of {row['replicates']} met",
            ha="center",
            va="center",
            fontsize=8,
            color="white" if dark else "black",
            zorder=3,
            linespacing=1.4,
        )
        if row["meets"]:
            _outline(ax, i, j, z, target)
        if row["pareto"]:
            ax.add_patch(
                Rectangle(
                    (j - 0.45, i - 0.45), 0.9, 0.9, fill=False, edgecolor="white", lw=1.8, zorder=5
                )
            )
        if row["cheapest"]:
            ax.plot(j + 0.36, i + 0.33, marker="*", color=TARGET, ms=12, mec="white", zorder=6)
    ax.set_xticks(range(len(xs)), [_level(plan, x, v, by) for v in xs], fontsize=8)
    ax.set_yticks(range(len(ys)), [_level(plan, y, v, by) for v in ys], fontsize=8)
    ax.set_xlabel(_axis_label(plan, x, by))
    ax.set_ylabel(_axis_label(plan, y, by))
    ax.set_title(title, fontsize=11)
    fig.supxlabel(
        f"Red outline: the median reaches the level within {target} days; white "
        "boxes: combinations on the frontier (no cheaper one meets it);\nstar: "
        "cheapest meeting the target; hatched: never reached; 'k of N met': "
        "replicates reaching the level by the date.",
        fontsize=8,
        color="0.35",
    )
    fig.savefig(path, dpi=110)


TARGET = "#c0392b"


def _outline(ax, i: int, j: int, z: np.ndarray, target: int) -> None:
    """Red edges of cell (i, j) that border a cell not meeting the target (or the edge)."""

    def meets(a: int, b: int) -> bool:
        inside = 0 <= a < z.shape[0] and 0 <= b < z.shape[1]
        return inside and not np.isnan(z[a, b]) and z[a, b] <= target

    for (di, dj), seg in {
        (-1, 0): ((-0.5, -0.5), (0.5, -0.5)),
        (1, 0): ((-0.5, 0.5), (0.5, 0.5)),
        (0, -1): ((-0.5, -0.5), (-0.5, 0.5)),
        (0, 1): ((0.5, -0.5), (0.5, 0.5)),
    }.items():
        if not meets(i + di, j + dj):
            (x0, y0), (x1, y1) = seg
            ax.plot(
                [j + x0, j + x1],
                [i + y0, i + y1],
                color=TARGET,
                lw=2.5,
                zorder=4,
                solid_capstyle="round",
            )


def absolute(plan, key: str, value: float, on: date) -> float | None:
    """A lever level in the scenario's units on a date: the multiple of the base schedule
    (summed over a section such as both pass quotas); None if the key is not numeric."""
    try:
        base = _value_on(get_key(plan.scenario_data, key), on)
    except (KeyError, TypeError, ValueError):
        return None
    return base * value if plan.is_scaled(key) else float(value)


def _value_on(node, on: date) -> float:
    if isinstance(node, bool) or node is None:
        raise TypeError(node)
    if isinstance(node, int | float):
        return float(node)
    if isinstance(node, dict) and node and all(_is_date(k) for k in node):
        dated = sorted((date.fromisoformat(str(k)), v) for k, v in node.items())
        values = [v for d, v in dated if d <= on] or [dated[0][1]]
        return float(values[-1])
    if isinstance(node, dict):
        return sum(_value_on(v, on) for v in node.values())
    raise TypeError(node)


def _is_date(key) -> bool:
    try:
        date.fromisoformat(str(key))
    except ValueError:
        return False
    return True


def _axis_label(plan, key: str, on: date) -> str:
    unit = labels.lever_unit(key)
    name = labels.lever(key)
    name = name[:1].upper() + name[1:]
    if plan.is_scaled(key):
        return f"{name}: multiple of the default schedule\n({unit} in effect on {on:%d %b})"
    return f"{name} ({unit})" if unit else name


def _level(plan, key: str, value, on: date) -> str:
    amount = absolute(plan, key, value, on)
    if not plan.is_scaled(key):
        return f"{value:g}"
    return f"x{value:g}" if amount is None else f"x{value:g}\n{amount:,.0f}"
