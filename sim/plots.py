"""Charts of simulated timeseries against reported 2022 figures.

`make_charts` writes the standard PNG set of a run; `band` (median and 10-90% band over
replicates) is public for reuse by the compare command. Figures are built with the
object API (`matplotlib.figure.Figure`, rendered by Agg), so no pyplot state is touched.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
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
class Series:
    """One plotted quantity: a metric of a group, drawn in one colour."""

    metric: str
    group: str
    label: str
    color: str


@dataclass(frozen=True)
class Panel:
    """One axes of a stacked-panel chart."""

    title: str
    series: Sequence[Series]
    ylabel: str
    ref: float | None = None
    thousands: bool = False


@dataclass
class _Plotter:
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

    def has(self, series: Iterable[Series]) -> bool:
        return any((s.metric, s.group) in self.bands for s in series)

    def draw(self, ax: Axes, s: Series) -> bool:
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
            names = ", ".join(_label(r.group) for r in same)
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


def make_charts(
    timeseries: pd.DataFrame,
    out_dir: Path,
    reported: pd.DataFrame | None = None,
    events: Iterable[tuple[date, str]] = (),
) -> list[Path]:
    """Write the standard charts into `out_dir`; return the paths written.

    A chart with no data at all is skipped; missing series or panels show as absent.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    p = _plotter(timeseries, reported, events)
    charts = (
        ("utilization_by_chain.png", _utilization),
        ("resumption_by_batch.png", _resumption),
        ("staff_and_permits.png", _staff_permits),
        ("passes_and_trucks.png", _passes_trucks),
        ("binding_constraints.png", _binding),
        ("anchor_firms.png", _anchor_firms),
    )
    written = []
    for name, build in charts:
        fig = build(p)
        if fig is None:
            continue
        path = out_dir / name
        fig.savefig(path, dpi=DPI)
        fig.clear()
        written.append(path)
    return written


def _plotter(
    ts: pd.DataFrame, reported: pd.DataFrame | None, events: Iterable[tuple[date, str]]
) -> _Plotter:
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
    return _Plotter(
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


def _stacked(p: _Plotter, title: str, panels: Sequence[Panel]) -> Figure | None:
    """Panels stacked vertically, sharing the date axis."""
    if not any(p.has(panel.series) for panel in panels):
        return None
    fig = p.figure(len(panels), 1, title)
    for i, (ax, panel) in enumerate(zip(fig.axes, panels, strict=True)):
        p.panel(ax, panel, label_events=i == 0)
    p.footnote(fig)
    return fig


def _utilization(p: _Plotter) -> Figure | None:
    chains = sorted(p.groups("capacity_utilization", "chain:"), key=_chain_order)
    top = [Series("capacity_utilization", "all", "all firms", ALL_COLOR)]
    top += [Series("capacity_utilization", g, _label(g), c) for g, c in _colored(chains)]
    bottom = [Series("output_index", "all", "all firms", ALL_COLOR)]
    return _stacked(p, "Capacity utilization and output", [
        Panel("Capacity utilization by industry chain", top, "share of normal capacity", 1.0),
        Panel("Industrial output, all firms", bottom, "ratio to normal output", 1.0),
    ])


def _resumption(p: _Plotter) -> Figure | None:
    numbered = [g for g in p.groups("resumption_rate", "batch:") if g[6:].isdigit()]
    groups = sorted(numbered, key=lambda g: int(g[6:])) + p.groups("resumption_rate", "batch:none")
    series = [Series("resumption_rate", g, _label(g), c) for g, c in _colored(groups)]
    return _stacked(p, "Resumption of work by white-list batch", [
        Panel("Share of firms producing above the resumption threshold", series,
              "share of firms resumed"),
    ])


def _staff_permits(p: _Plotter) -> Figure | None:
    staff = [
        Series("staff_on_site", "all", "on site, all firms", ALL_COLOR),
        Series("staff_on_site", "whitelist", "on site, white list", PALETTE[0]),
        Series("staff_returned", "whitelist", "returned, white list", PALETTE[1]),
    ]
    permits = [
        Series("permits_issued_cum", "all", "permits issued (cumulative)", PALETTE[2]),
        Series("permits_pending", "all", "applications pending", PALETTE[3]),
    ]
    return _stacked(p, "Staff back at work and return-to-work permits", [
        Panel("Staff", staff, "persons", thousands=True),
        Panel("Return-to-work permits, all firms", permits, "persons", thousands=True),
    ])


def _passes_trucks(p: _Plotter) -> Figure | None:
    passes = [
        Series("passes_issued", "all", "passes issued", PALETTE[0]),
        Series("passes_used", "all", "passes used", PALETTE[1]),
    ]
    trucks = [Series("truck_trips_index", "all", "truck trips, all firms", ALL_COLOR)]
    return _stacked(p, "Truck passes and freight traffic", [
        Panel("Truck passes, all firms", passes, "passes per day", thousands=True),
        Panel("Truck trips", trucks, "ratio to normal trips", 1.0),
    ])


def _binding(p: _Plotter) -> Figure | None:
    bounds = sorted(
        {m.removeprefix("share_bound_") for m, _ in p.bands if m.startswith("share_bound_")},
        key=lambda b: (BOUNDS.index(b) if b in BOUNDS else len(BOUNDS), b),
    )
    chains = {g for m, g in p.bands if m.startswith("share_bound_") and g.startswith("chain:")}
    has_all = any(m.startswith("share_bound_") and g == "all" for m, g in p.bands)
    groups = ["all"] * has_all + sorted(chains, key=_chain_order)
    if not groups:
        return None
    ncols = min(3, len(groups))
    nrows = math.ceil(len(groups) / ncols)
    fig = p.figure(nrows, ncols, "Binding constraint on output", height=2.9 * nrows + 1.3)
    colors = {b: BOUND_COLORS.get(b, PALETTE[i % len(PALETTE)]) for i, b in enumerate(bounds)}
    for i, ax in enumerate(fig.axes):
        if i >= len(groups):
            ax.set_visible(False)
            continue
        _stack(p, ax, groups[i], bounds, colors)
        ax.set_title("all firms" if groups[i] == "all" else _label(groups[i]), loc="left",
                     fontsize=10)
        p.decorate(ax, "share of firms" if i % ncols == 0 else "", label_events=i < ncols,
                   thousands=False)
        ax.set_ylim(0, 1.0)
    handles = [Patch(color=colors[b], label=b) for b in reversed(bounds)]
    if len(p.scenarios) > 1:
        first, *rest = p.scenarios
        handles += [Patch(color="0.8", label=f"{first} (areas)")]
        handles += [Line2D([], [], color="black", ls=p.styles[s], label=s) for s in rest]
    fig.legend(handles=handles, loc="outside right upper", fontsize=9, frameon=False,
               title="binding constraint", title_fontsize=9)
    p.footnote(fig, "Areas: median share of firms by the constraint binding their output.")
    return fig


def _stack(p: _Plotter, ax: Axes, group: str, bounds: list[str], colors: dict[str, str]) -> None:
    """Stacked medians for the first scenario; cumulative boundaries for the others."""
    parts = {
        b: p.bands[(f"share_bound_{b}", group)].set_index(["scenario", "date"])["median"]
        for b in bounds if (f"share_bound_{b}", group) in p.bands
    }
    wide = pd.concat(parts, axis=1).fillna(0.0)
    present = wide.index.get_level_values("scenario")
    for i, scenario in enumerate(s for s in p.scenarios if s in present):
        f = wide.xs(scenario, level="scenario")
        values = f.to_numpy().T
        if i == 0:
            ax.stackplot(f.index, values, colors=[colors[b] for b in f.columns], alpha=0.9,
                         lw=0)
        else:
            for y in values.cumsum(axis=0):
                ax.plot(f.index, y, color="black", ls=p.styles[scenario], lw=1.0)


def _anchor_firms(p: _Plotter) -> Figure | None:
    firms = sorted(p.groups("units_produced", "firm:"))
    if not firms:
        return None
    ncols = min(3, len(firms))
    nrows = math.ceil(len(firms) / ncols)
    fig = p.figure(nrows, ncols, "Anchor firms: daily output", height=max(4.5, 3.0 * nrows + 1.2))
    for i, ax in enumerate(fig.axes):
        if i >= len(firms):
            ax.set_visible(False)
            continue
        firm = firms[i]
        units = p.reported.loc[
            (p.reported["group"] == firm) & (p.reported["metric"] == "units_produced"), "unit"
        ].dropna()
        series = [Series("units_produced", firm, "units produced", PALETTE[0])]
        ylabel = units.iloc[0] if len(units) else "units per day"
        p.panel(ax, Panel(_label(firm), series, ylabel, thousands=True),
                label_events=i < ncols, others=False, legend=False)
    if len(p.scenarios) > 1:
        fig.legend(handles=p.scenario_handles(), loc="outside right upper", fontsize=9,
                   frameon=False)
    p.footnote(fig)
    return fig


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


def _colored(groups: list[str]) -> list[tuple[str, str]]:
    return [(g, PALETTE[i % len(PALETTE)]) for i, g in enumerate(groups)]


def _chain_order(group: str) -> tuple[int, str]:
    name = group.removeprefix("chain:")
    return (CHAINS.index(name) if name in CHAINS else len(CHAINS), name)


def _label(group: str) -> str:
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
