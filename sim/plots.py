"""Plotting helpers: bands over replicates, reported-figure markers, shared chart styling.

`band` (median and 10-90% band over replicates) is used by the run charts
(``sim.run_charts``) and the compare command. Figures are built with the object API
(`matplotlib.figure.Figure`, rendered by Agg), so no pyplot state is touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

DPI = 110
SIZE = (11.0, 6.4)
LINESTYLES = ("-", "--", ":", "-.")
PALETTE = (
    "tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple",
    "tab:brown", "tab:pink", "tab:olive", "tab:cyan",
)
ALL_COLOR = "black"
OTHER_COLOR = "0.45"
CHAINS = ("automobile", "integrated_circuits", "biomedicine", "chemicals", "other")
BOUNDS = ("approval", "labour", "inputs", "logistics", "demand")
BOUND_COLORS = {
    "approval": "#8e6bbf", "labour": "#3b7dc4", "inputs": "#f28e2b", "logistics": "#a0522d",
    "demand": "#9c9c9c",
}
SYMBOL = {">=": "≥", "<=": "≤", "~": "≈", "range": "±"}
REPORTED_COLUMNS = ["date", "date_end", "metric", "group", "value", "bound", "tolerance", "unit"]


@dataclass(frozen=True)
class Line:
    """One plotted quantity: a metric of a group, drawn in one colour."""

    metric: str
    group: str
    label: str
    color: str


@dataclass(frozen=True)
class Panel:
    """One axes of a stacked-panel chart."""

    title: str
    series: Sequence[Line]
    ylabel: str
    ref: float | None = None
    thousands: bool = False


@dataclass
class Plotter:
    """Shared state for one chart set: bands per (metric, group), styles, reported, events."""

    bands: dict[tuple[str, str], pd.DataFrame]
    scenarios: list[str]
    replicates: int
    start: pd.Timestamp
    end: pd.Timestamp
    reported: pd.DataFrame
    events: list[tuple[pd.Timestamp, str]]
    styles: dict[str, str] = field(init=False)
    marked: int = field(init=False, default=0)  # reported markers drawn on the current figure

    def __post_init__(self) -> None:
        self.styles = {s: LINESTYLES[i % len(LINESTYLES)] for i, s in enumerate(self.scenarios)}

    def groups(self, metric: str, prefix: str) -> list[str]:
        """Groups with data for `metric` whose name starts with `prefix`."""
        return [g for m, g in self.bands if m == metric and g.startswith(prefix)]

    def has(self, series: Iterable[Line]) -> bool:
        return any((s.metric, s.group) in self.bands for s in series)

    def draw(self, ax: Axes, s: Line) -> bool:
        """Median line and 10-90% band per scenario; False if there is no data."""
        frame = self.bands.get((s.metric, s.group))
        if frame is None:
            return False
        alpha = 0.2 if len(self.scenarios) == 1 else 0.08
        for scenario, f in frame.groupby("scenario", sort=False):
            ax.fill_between(f["date"], f["p10"], f["p90"], color=s.color, alpha=alpha, lw=0)
            ax.plot(f["date"], f["median"], color=s.color, ls=self.styles[scenario], lw=1.6)
        return True

    def mark(
        self, ax: Axes, metrics: set[str], colors: dict[tuple[str, str], str], others: bool
    ) -> None:
        """Reported figures for `metrics`: in the series colour when the group is drawn,
        else (if `others`) grey with a text label, one per identical figure."""
        rows = self.reported[self.reported["metric"].isin(metrics)]
        grey: dict[tuple, list] = {}
        for row in rows.itertuples(index=False):
            color = colors.get((row.metric, row.group))
            if color is not None:
                _marker(ax, row, color)
                self.marked += 1
            elif others:
                key = (row.metric, row.date, row.date_end, row.value, row.bound, row.tolerance)
                grey.setdefault(key, []).append(row)
        for same in grey.values():
            row = same[0]
            names = ", ".join(label_of(r.group) for r in same)
            label = f"{names} {SYMBOL.get(row.bound, '')}{_number(row.value)}"
            _marker(ax, row, OTHER_COLOR, label)
            self.marked += 1

    def panel(
        self, ax: Axes, p: Panel, *, label_events: bool = True, others: bool = True,
        legend: bool = True,
    ) -> None:
        """Draw one panel: series, reference line, reported markers, events, legend.

        `others`: also mark reported figures of groups not drawn (grey, labelled).
        """
        drawn = [s for s in p.series if self.draw(ax, s)]
        if not drawn:
            ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", color="0.5")
        if p.ref is not None:
            ax.axhline(p.ref, color="0.4", lw=0.9, zorder=1)
        colors = {(s.metric, s.group): s.color for s in drawn}
        self.mark(ax, {s.metric for s in p.series}, colors, others)
        ax.set_title(p.title, loc="left", fontsize=10)
        self.decorate(ax, p.ylabel, label_events=label_events, thousands=p.thousands)
        handles = [Line2D([], [], color=s.color, lw=1.8, label=s.label) for s in drawn]
        handles += self.scenario_handles()
        if legend and handles:
            ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                      fontsize=8, frameon=False)

    def decorate(self, ax: Axes, ylabel: str, *, label_events: bool, thousands: bool) -> None:
        """Policy events, date axis, y label and limits."""
        near_end = self.end - (self.end - self.start) * 0.04
        for x, label in self.events:
            ax.axvline(x, color="0.3", ls="--", lw=0.8, zorder=3)
            if label_events:
                ax.text(x, 0.98, f" {label} ", transform=ax.get_xaxis_transform(), rotation=90,
                        ha="right" if x > near_end else "left", va="top", fontsize=7,
                        color="0.2", zorder=7,
                        bbox={"fc": "white", "alpha": 0.6, "lw": 0, "pad": 0.5})
        ax.set_xlim(self.start, self.end)
        ax.set_ylim(0, ax.get_ylim()[1] * 1.08)
        ax.set_ylabel(ylabel, fontsize=9)
        max_ticks = 9 if ax.get_gridspec().ncols == 1 else 6
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=max_ticks))
        ax.xaxis.set_major_formatter(FuncFormatter(_day_label))
        if thousands:
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3, lw=0.5)

    def scenario_handles(self) -> list[Line2D]:
        if len(self.scenarios) < 2:
            return []
        return [Line2D([], [], color="0.45", lw=1.2, ls=self.styles[s], label=s)
                for s in self.scenarios]

    def figure(self, nrows: int, ncols: int, title: str, height: float = SIZE[1]) -> Figure:
        self.marked = 0
        fig = Figure(figsize=(SIZE[0], height), dpi=DPI, layout="constrained")
        if len(self.scenarios) == 1:
            title = f"{title} (scenario: {self.scenarios[0]})"
        fig.suptitle(title, fontsize=13)
        fig.subplots(nrows, ncols, sharex=True, squeeze=False)
        return fig

    def footnote(self, fig: Figure, lead: str | None = None) -> None:
        parts = [lead or f"Lines: median of {self.replicates} replicates; shaded: 10-90% band."]
        if self.marked:
            parts.append("Markers: reported (▲ at least, ▼ at most, ● about ± tolerance, "
                         "◆ range; bar = period).")
        if self.events:
            parts.append("Dashed: policy dates.")
        fig.supxlabel(" ".join(parts), fontsize=8, color="0.35")


def band(
    timeseries: pd.DataFrame, metric: str, group: str, scenario: str | None = None
) -> pd.DataFrame:
    """Median, 10% and 90% quantiles over replicates per scenario and date.

    Columns `scenario, date, median, p10, p90`, sorted; only `scenario` if given.
    """
    ts = timeseries
    mask = (ts["metric"] == metric) & (ts["group"] == group)
    if scenario is not None:
        mask &= ts["scenario"] == scenario
    return _quantiles(ts.loc[mask], ["scenario"])


def plotter(
    ts: pd.DataFrame, reported: pd.DataFrame | None, events: Iterable[tuple[date, str]]
) -> Plotter:
    ts = ts.loc[~ts["group"].str.startswith("district:")]
    ts = ts.assign(date=pd.to_datetime(ts["date"]))
    table = _quantiles(ts, ["metric", "group", "scenario"])
    bands = {key: frame for key, frame in table.groupby(["metric", "group"], sort=False)}
    start, end = ts["date"].min(), ts["date"].max()
    rep = pd.DataFrame(columns=REPORTED_COLUMNS) if reported is None else reported.copy()
    rep["date"] = pd.to_datetime(rep["date"])
    rep["date_end"] = pd.to_datetime(rep["date_end"])
    rep["value"] = pd.to_numeric(rep["value"])
    rep["tolerance"] = pd.to_numeric(rep["tolerance"]).fillna(0.0)
    rep = rep[(rep["date_end"].fillna(rep["date"]) >= start) & (rep["date"] <= end)]
    dated = sorted((pd.Timestamp(d), label) for d, label in events)
    return Plotter(
        bands=bands,
        scenarios=list(pd.unique(ts["scenario"])),
        replicates=int(ts.groupby("scenario")["replicate"].nunique().max()) if len(ts) else 0,
        start=start,
        end=end,
        reported=rep,
        events=[(d, label) for d, label in dated if start <= d <= end],
    )


def _quantiles(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    columns = [*keys, "date", "median", "p10", "p90"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    q = frame.groupby([*keys, "date"], sort=True)["value"].quantile([0.1, 0.5, 0.9]).unstack()
    q = q.rename(columns={0.1: "p10", 0.5: "median", 0.9: "p90"}).reset_index()
    q["date"] = pd.to_datetime(q["date"])
    return q[columns]


def _marker(ax: Axes, row, color: str, label: str | None = None) -> None:
    """One reported figure: ▲/▼ with an arrow for bounds, ● or ◆ with ± tolerance for
    approximate values and ranges; a horizontal bar across the period if it has an end."""
    style = {"color": color, "mec": "black", "mew": 0.6, "ms": 7, "zorder": 6, "ls": "none"}
    v, tol = row.value, row.tolerance
    x = row.date
    if pd.notna(row.date_end):
        span = [row.date, row.date_end + pd.Timedelta(days=1)]  # the end day is included
        if row.bound in ("~", "range") and tol > 0:
            ax.fill_between(span, v - tol, v + tol, color=color, alpha=0.25, lw=0, zorder=5)
        ax.plot(span, [v, v], color=color, lw=2.5, solid_capstyle="butt", zorder=5)
        x = span[0] + (span[1] - span[0]) / 2
    if row.bound in (">=", "<="):
        up = row.bound == ">="
        ax.plot([x], [v], marker="^" if up else "v", **style)
        ax.annotate("", xy=(x, v), xytext=(0, 16 if up else -16), textcoords="offset points",
                    arrowprops={"arrowstyle": "<-", "color": color, "lw": 1.3})
    elif pd.isna(row.date_end):
        ax.errorbar([x], [v], yerr=[tol], fmt="o" if row.bound == "~" else "D", capsize=3,
                    elinewidth=1.2, ecolor=color, **style)
    if label:
        dy = {">=": 12, "<=": -12}.get(row.bound, 0)
        ax.annotate(label, (x, v), xytext=(5, dy), textcoords="offset points", va="center",
                    fontsize=7, color="0.25", zorder=7,
                    bbox={"fc": "white", "alpha": 0.7, "lw": 0, "pad": 0.5})


def colored(groups: list[str]) -> list[tuple[str, str]]:
    return [(g, PALETTE[i % len(PALETTE)]) for i, g in enumerate(groups)]


def chain_order(group: str) -> tuple[int, str]:
    name = group.removeprefix("chain:")
    return (CHAINS.index(name) if name in CHAINS else len(CHAINS), name)


def label_of(group: str) -> str:
    """Concise legend label for a group name."""
    special = {"all": "all firms", "whitelist": "white list", "batch:none": "not white-listed",
               "batch:1-2": "batches 1-2"}
    if group in special:
        return special[group]
    kind, _, name = group.partition(":")
    return f"batch {name}" if kind == "batch" else name.replace("_", " ")


def _number(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}"


def _day_label(x: float, _pos: int | None = None) -> str:
    d = mdates.num2date(x)
    return f"{d:%b} {d.day}"
