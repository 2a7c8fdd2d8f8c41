"""Charts of simulated timeseries against reported 2022 figures, ready for a briefing.

`Plotter` holds the state of one chart set (bands per metric and group, a line style per
scenario, reported figures, policy events) and draws panels; the run charts
(``sim.run_charts``) are built from it, as are `compare_chart` (the overlay of several runs
or sweep points) and `plot_series` (for notebooks). The look is in
``sim.chart_style``, the marks on each axes in ``sim.chart_marks``, the spread over
replicates in ``sim.replicate_bands``. Figures are built with the object API
(`matplotlib.figure.Figure`, rendered by Agg), so no pyplot state is touched.

Reads a tidy timeseries or bands, reported figures and policy events; writes PNG files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, PercentFormatter

from sim import labels
from sim.chart_marks import (
    REPORTED_COLUMNS,
    SYMBOL,
    Target,
    date_axis,
    event_lines,
    event_note,
    headroom,
    legend_right,
    reported_marker,
    short_number,
    target_lines,
    wrap,
)
from sim.chart_style import DPI, LINESTYLES, OTHER_COLOR, PALETTE, SIZE
from sim.replicate_bands import quantiles, spread_columns, spread_note


@dataclass(frozen=True)
class Line:
    """One plotted quantity: a metric of a group, drawn in one colour."""

    metric: str
    group: str
    label: str
    color: str


@dataclass(frozen=True)
class Panel:
    """One axes of a stacked-panel chart; `percent` draws shares (0-1) as %."""

    title: str
    series: Sequence[Line]
    ylabel: str
    ref: float | None = None
    thousands: bool = False
    percent: bool = False
    others: bool = True  # mark reported figures of groups not drawn (grey, labelled)
    level: float | None = None  # target level line


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
    target: Target = field(default_factory=Target)
    styles: dict[str, str] = field(init=False)
    marked: int = field(init=False, default=0)  # reported markers drawn on the current figure
    numbered: bool = field(init=False, default=False)  # events shown as numbers on this figure
    targeted: bool = field(init=False, default=False)  # a target line drawn on this figure

    def __post_init__(self) -> None:
        self.styles = {s: LINESTYLES[i % len(LINESTYLES)] for i, s in enumerate(self.scenarios)}

    def groups(self, metric: str, prefix: str) -> list[str]:
        """Groups with data for `metric` whose name starts with `prefix`."""
        return [g for m, g in self.bands if m == metric and g.startswith(prefix)]

    def has(self, series: Iterable[Line]) -> bool:
        return any((s.metric, s.group) in self.bands for s in series)

    def draw(self, ax: Axes, s: Line) -> bool:
        """Median line and spread band per scenario; False if there is no data."""
        frame = self.bands.get((s.metric, s.group))
        if frame is None:
            return False
        alpha = 0.25 if len(self.scenarios) == 1 else 0.12
        lo, hi = spread_columns(self.replicates)
        for scenario, f in frame.groupby("scenario", sort=False):
            if self.replicates > 1:
                ax.fill_between(f["date"], f[lo], f[hi], color=s.color, alpha=alpha, lw=0)
            ax.plot(f["date"], f["median"], color=s.color, ls=self.styles[scenario], lw=1.6)
        return True

    def mark(
        self,
        ax: Axes,
        metrics: set[str],
        colors: dict[tuple[str, str], str],
        others: bool,
        percent: bool = False,
    ) -> None:
        """Reported figures for `metrics`: in the series colour when the group is drawn,
        else (if `others`) grey with a text label, one per identical figure."""
        rows = self.reported[self.reported["metric"].isin(metrics)]
        grey: dict[tuple, list] = {}
        for row in rows.itertuples(index=False):
            color = colors.get((row.metric, row.group))
            if color is not None:
                reported_marker(ax, row, color)
                self.marked += 1
            elif others:
                key = (row.metric, row.date, row.date_end, row.value, row.bound, row.tolerance)
                grey.setdefault(key, []).append(row)
        for same in grey.values():
            row = same[0]
            names = ", ".join(labels.group(r.group) for r in same)
            value = f"{row.value:.0%}" if percent else short_number(row.value)
            reported_marker(ax, row, OTHER_COLOR, f"{names} {SYMBOL.get(row.bound, '')}{value}")
            self.marked += 1

    def panel(self, ax: Axes, p: Panel, *, label_events: bool = True, legend: bool = True) -> None:
        """Draw one panel: series, reference line, reported markers, events, legend."""
        drawn = [s for s in p.series if self.draw(ax, s)]
        if not drawn:
            ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", color="0.5")
        if p.ref is not None:
            ax.axhline(p.ref, color="0.4", lw=0.9, zorder=1)
        colors = {(s.metric, s.group): s.color for s in drawn}
        self.mark(ax, {s.metric for s in p.series}, colors, p.others, p.percent)
        ax.set_title(p.title, loc="left", fontsize=10)
        target = Target(p.level, self.target.by) if p.level is not None else Target()
        self.decorate(
            ax,
            p.ylabel,
            label_events=label_events,
            thousands=p.thousands,
            percent=p.percent,
            target=target,
        )
        handles = [Line2D([], [], color=s.color, lw=1.8, label=s.label) for s in drawn]
        handles += self.scenario_handles()
        if legend and handles:
            legend_right(ax, handles)

    def decorate(
        self,
        ax: Axes,
        ylabel: str,
        *,
        label_events: bool,
        thousands: bool,
        percent: bool = False,
        target: Target = Target(),
        top: float | None = None,
    ) -> None:
        """Policy events, target lines, date axis, y label and limits (room for labels)."""
        rows = event_lines(
            ax, self.events, self.start, self.end, numbered=self.numbered, label=label_events
        )
        self.targeted |= target_lines(ax, target)
        ax.set_xlim(self.start, self.end)
        headroom(ax, rows, top)
        if top is not None:
            ax.set_yticks([top * k / 5 for k in range(6)])
        ax.set_ylabel(ylabel, fontsize=9)
        date_axis(ax)
        if percent:
            ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        elif thousands:
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3, lw=0.5)

    def decorate_metric(self, ax: Axes, metric: str, target: Target) -> None:
        """`decorate` an axes of one metric: its unit as the y label, shares in %."""
        measure = labels.metric(metric)
        self.decorate(
            ax,
            measure.unit or measure.name,
            label_events=True,
            thousands=not measure.share,
            percent=measure.share,
            target=target,
        )

    def scenario_handles(self) -> list[Line2D]:
        if len(self.scenarios) < 2:
            return []
        return [
            Line2D([], [], color="0.45", lw=1.2, ls=self.styles[s], label=s) for s in self.scenarios
        ]

    def figure(self, nrows: int, ncols: int, title: str, height: float = SIZE[1]) -> Figure:
        self.marked = 0
        self.targeted = False
        self.numbered = ncols > 1
        fig = Figure(figsize=(SIZE[0], height), dpi=DPI, layout="constrained")
        if len(self.scenarios) == 1:
            title = f"{title} (scenario: {self.scenarios[0]})"
        fig.suptitle(title, fontsize=13)
        fig.subplots(nrows, ncols, sharex=True, squeeze=False)
        return fig

    def footnote(self, fig: Figure, lead: str | None = None) -> None:
        parts = [lead or spread_note(self.replicates)]
        if self.marked:
            parts.append(
                "Markers: reported (▲ at least, ▼ at most, ● about ± tolerance, "
                "◆ range; bar = period)."
            )
        if self.targeted:
            parts.append("Red dotted: target.")
        parts.append(event_note(self.events, self.numbered))
        fig.supxlabel(wrap(" ".join(p for p in parts if p)), fontsize=8, color="0.35")


def compare_chart(
    bands: pd.DataFrame,
    metric: str,
    group: str,
    path: Path,
    *,
    replicates: int,
    reported: pd.DataFrame | None = None,
    events: Iterable[tuple[date, str]] = (),
    target: Target = Target(),
) -> None:
    """Median lines with spread bands per series (`bands` as from `band`, one `scenario` per
    series), reported figures as markers, policy dates and target lines."""
    table = bands.assign(date=pd.to_datetime(bands["date"]))
    measure = labels.metric(metric)
    p = plotter(
        pd.DataFrame(columns=["scenario", "replicate", "date", "group", "metric", "value"]),
        reported,
        events,
        target,
        span=(table["date"].min(), table["date"].max()),
    )
    p.replicates = replicates
    fig = p.figure(1, 1, labels.series(metric, group))
    ax = fig.axes[0]
    names = list(dict.fromkeys(table["scenario"]))
    cmap = colormaps["tab10" if len(names) <= 10 else "viridis"]
    lo, hi = spread_columns(replicates)
    colors = {}
    handles = []
    for i, name in enumerate(names):
        color = cmap(i if len(names) <= 10 else i / max(len(names) - 1, 1))
        b = table[table["scenario"] == name]
        if replicates > 1:
            ax.fill_between(b["date"], b[lo], b[hi], color=color, alpha=0.18, lw=0)
        ax.plot(b["date"], b["median"], color=color, lw=1.8)
        handles.append(Line2D([], [], color=color, lw=1.8, label=name))
        colors[(metric, group)] = "black"
    p.mark(ax, {metric}, colors, others=False, percent=measure.share)
    level = target.level if metric == "capacity_utilization" else None
    p.decorate_metric(ax, metric, Target(level, target.by))
    legend_right(ax, handles, title="series", title_fontsize=8)
    p.footnote(fig)
    fig.savefig(path, dpi=DPI)


def plotter(
    ts: pd.DataFrame,
    reported: pd.DataFrame | None,
    events: Iterable[tuple[date, str]],
    target: Target = Target(),
    span: tuple[pd.Timestamp, pd.Timestamp] | None = None,
) -> Plotter:
    ts = ts.loc[~ts["group"].astype(str).str.startswith("district:")]
    ts = ts.assign(date=pd.to_datetime(ts["date"]))
    table = quantiles(ts, ["metric", "group", "scenario"])
    bands = {key: frame for key, frame in table.groupby(["metric", "group"], sort=False)}
    start, end = span or (ts["date"].min(), ts["date"].max())
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
        target=target,
    )


def plot_series(
    timeseries: pd.DataFrame,
    metric: str,
    groups: list[str],
    *,
    ax: Axes | None = None,
    events: Iterable[tuple[date, str]] = (),
    level: float | None = None,
    by: date | None = None,
    title: str = "",
) -> Axes:
    """Median and spread of one metric for several groups on one axes (a new figure if none
    is given), with policy dates and optional target lines; for notebooks."""
    measure = labels.metric(metric)
    ts = timeseries[(timeseries["metric"] == metric) & timeseries["group"].isin(groups)]
    if ts.empty:
        raise ValueError(f"no {metric!r} for groups {groups}")
    p = plotter(ts, None, events, Target(level, by))
    if ax is None:
        ax = Figure(figsize=SIZE, dpi=DPI, layout="constrained").add_subplot()
    for group, color in zip(groups, PALETTE * 3, strict=False):
        if p.draw(ax, Line(metric, group, labels.group(group), color)):
            ax.plot([], [], color=color, label=labels.group(group))
    p.decorate_metric(ax, metric, p.target)
    ax.set_title(f"{title}: {measure.name}" if title else measure.name, loc="left", fontsize=10)
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    return ax
