"""Charts of simulated timeseries against reported 2022 figures, ready for a briefing.

Helpers shared by the run charts (``sim.run_charts``), `compare_chart` (the overlay of
several runs or sweep points) and `calibration_chart`; `band` (median and spread over
replicates) is public for reuse.
Shares are drawn in %, date axes carry the year, policy dates are dashed lines whose labels
never overlap (staggered rows, or numbers explained under the chart in narrow panels), and
reported figures sit on an axis where they can be read. Figures are built with the object
API (`matplotlib.figure.Figure`, rendered by Agg), so no pyplot state is touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import matplotlib.dates as mdates
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, PercentFormatter

from sim import labels

DPI = 110
SIZE = (11.0, 6.4)
LINESTYLES = ("-", "--", ":", "-.")
PALETTE = (
    "tab:blue",
    "tab:orange",
    "tab:green",
    "tab:red",
    "tab:purple",
    "tab:brown",
    "tab:pink",
    "tab:olive",
    "tab:cyan",
)
ALL_COLOR = "black"
OTHER_COLOR = "0.45"
TARGET_COLOR = "#c0392b"
CHAINS = ("automobile", "integrated_circuits", "biomedicine", "chemicals", "other")
BOUNDS = (  # sim.agents.enterprise.BOUND: labour split by the gate keeping staff home
    "approval",
    "capacity",
    "isolation",
    "rotation",
    "compound",
    "test",
    "permit",
    "bed_or_seat",
    "away",
    "inputs",
    "logistics",
    "demand",
)
BOUND_COLORS = {  # labour causes in blues and greens, the rest as before
    "approval": "#8e6bbf",
    "capacity": "#59a14f",
    "isolation": "#c6dbef",
    "rotation": "#bcbd22",
    "compound": "#1b2f6b",
    "test": "#9ecae1",
    "permit": "#3b7dc4",
    "bed_or_seat": "#e15759",
    "away": "#17becf",
    "inputs": "#f28e2b",
    "logistics": "#a0522d",
    "demand": "#9c9c9c",
}
SYMBOL = {">=": "≥", "<=": "≤", "~": "≈", "range": "±"}
REPORTED_COLUMNS = ["date", "date_end", "metric", "group", "value", "bound", "tolerance", "unit"]
QUANTILE_MIN_REPLICATES = 10  # below this a 10-90% band is mostly interpolation: shade the range
EVENT_FONT = 7.0  # points


@dataclass(frozen=True)
class Target:
    """A level to reach (share of normal capacity), optionally by a date; drawn as lines."""

    level: float | None = None
    by: date | None = None


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
        lo, hi = _spread_columns(self.replicates)
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
                _marker(ax, row, color)
                self.marked += 1
            elif others:
                key = (row.metric, row.date, row.date_end, row.value, row.bound, row.tolerance)
                grey.setdefault(key, []).append(row)
        for same in grey.values():
            row = same[0]
            names = ", ".join(labels.group(r.group) for r in same)
            value = f"{row.value:.0%}" if percent else _number(row.value)
            _marker(ax, row, OTHER_COLOR, f"{names} {SYMBOL.get(row.bound, '')}{value}")
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
            ax.legend(
                handles=handles,
                loc="upper left",
                bbox_to_anchor=(1.01, 1.0),
                fontsize=8,
                frameon=False,
            )

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
        rows = _events(
            ax, self.events, self.start, self.end, numbered=self.numbered, label=label_events
        )
        self.targeted |= _target_lines(ax, target)
        ax.set_xlim(self.start, self.end)
        _headroom(ax, rows, top)
        if top is not None:
            ax.set_yticks([top * k / 5 for k in range(6)])
        ax.set_ylabel(ylabel, fontsize=9)
        _date_axis(ax)
        if percent:
            ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        elif thousands:
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3, lw=0.5)

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
        parts.append(_event_note(self.events, self.numbered))
        fig.supxlabel(_wrap(" ".join(p for p in parts if p)), fontsize=8, color="0.35")


def spread_note(replicates: int) -> str:
    """What the line and the shading of a chart mean, with the right plural."""
    line = f"Lines: median of {labels.plural(replicates, 'replicate')}"
    if replicates <= 1:
        return line + "."
    if replicates < QUANTILE_MIN_REPLICATES:
        return line + f"; shaded: range of the {replicates} replicates."
    return line + "; shaded: 10-90% band."


def band(
    timeseries: pd.DataFrame, metric: str, group: str, scenario: str | None = None
) -> pd.DataFrame:
    """Median, 10% and 90% quantiles, minimum and maximum over replicates per scenario and
    date.

    Columns `scenario, date, median, p10, p90, min, max`, sorted; only `scenario` if given.
    """
    ts = timeseries
    mask = (ts["metric"] == metric) & (ts["group"] == group)
    if scenario is not None:
        mask &= ts["scenario"] == scenario
    return _quantiles(ts.loc[mask], ["scenario"])


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
    lo, hi = _spread_columns(replicates)
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
    p.decorate(
        ax,
        measure.unit or measure.name,
        label_events=True,
        thousands=not measure.share,
        percent=measure.share,
        target=Target(level, target.by),
    )
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        frameon=False,
        title="series",
        title_fontsize=8,
    )
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
    table = _quantiles(ts, ["metric", "group", "scenario"])
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


def _quantiles(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    columns = [*keys, "date", "median", "p10", "p90", "min", "max"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    grouped = frame.groupby([*keys, "date"], sort=True)["value"]
    q = grouped.quantile([0.1, 0.5, 0.9]).unstack()
    q = q.rename(columns={0.1: "p10", 0.5: "median", 0.9: "p90"})
    q["min"], q["max"] = grouped.min(), grouped.max()
    q = q.reset_index()
    q["date"] = pd.to_datetime(q["date"])
    return q[columns]


def _spread_columns(replicates: int) -> tuple[str, str]:
    return ("p10", "p90") if replicates >= QUANTILE_MIN_REPLICATES else ("min", "max")


def _events(
    ax: Axes,
    events: list[tuple[pd.Timestamp, str]],
    start: pd.Timestamp,
    end: pd.Timestamp,
    *,
    numbered: bool,
    label: bool,
) -> int:
    """Dashed policy lines; labels (text, or numbers when `numbered`) horizontally at the
    top, each in the first row where it does not overlap another. Returns the rows used."""
    for x, _ in events:
        ax.axvline(x, color="0.3", ls="--", lw=0.8, zorder=3)
    if not label or not events:
        return 0
    fig = ax.get_figure()
    box = ax.get_position()
    width_px = box.width * fig.get_figwidth() * fig.dpi
    char_px = EVENT_FONT * 0.62 * fig.dpi / 72
    span = (end - start).total_seconds() or 1.0
    right_edges: list[float] = []  # per row, the rightmost pixel taken
    for i, (x, text) in enumerate(events):
        text = str(i + 1) if numbered else text
        pos = (x - start).total_seconds() / span * width_px
        w = (len(text) + 1) * char_px
        left_side = pos + w > width_px
        lo = pos - w - 3 if left_side else pos + 1
        row = next((r for r, edge in enumerate(right_edges) if edge + 3 < lo), len(right_edges))
        if row == len(right_edges):
            right_edges.append(0.0)
        right_edges[row] = lo + w
        ax.annotate(
            text,
            (mdates.date2num(x), 1.0),
            xycoords=ax.get_xaxis_transform(),
            xytext=(-2 if left_side else 2, -3 - row * EVENT_FONT * 1.7),
            textcoords="offset points",
            ha="right" if left_side else "left",
            va="top",
            fontsize=EVENT_FONT,
            color="0.15",
            zorder=7,
            bbox={"fc": "white", "alpha": 0.85, "lw": 0, "pad": 0.6},
        )
    return len(right_edges)


def _event_note(events: list[tuple[pd.Timestamp, str]], numbered: bool) -> str:
    if not events:
        return ""
    if not numbered:
        return "Dashed: policy dates."
    listed = "; ".join(
        f"{i} {text} ({d.day} {d:%b})" for i, (d, text) in enumerate(events, start=1)
    )
    return f"Dashed: policy dates: {listed}."


def _headroom(ax: Axes, rows: int, top: float | None) -> None:
    """Y from 0 to above the data, leaving room at the top for `rows` of event labels."""
    data_top = top if top is not None else ax.get_ylim()[1]
    fig = ax.get_figure()
    height_px = ax.get_position().height * fig.get_figheight() * fig.dpi
    label_px = (rows * EVENT_FONT * 1.7 + 6) * fig.dpi / 72 if rows else 0.0
    free = max(0.45, 1.0 - label_px / max(height_px, 1.0))
    ax.set_ylim(0, data_top * (1.0 if top is not None and not rows else 1.04) / free)


def _target_lines(ax: Axes, target: Target) -> bool:
    """Red dotted lines at the target level and date; True if any was drawn."""
    if target.level is not None:
        ax.axhline(target.level, color=TARGET_COLOR, ls=":", lw=1.3, zorder=4)
        ax.annotate(
            f"target {target.level:.0%}",
            (0.0, target.level),
            xycoords=ax.get_yaxis_transform(),
            xytext=(3, 2),
            textcoords="offset points",
            fontsize=7,
            color=TARGET_COLOR,
            va="bottom",
        )
    if target.by is not None:
        x = pd.Timestamp(target.by)
        ax.axvline(x, color=TARGET_COLOR, ls=":", lw=1.3, zorder=4)
        ax.annotate(
            f"by {x.day} {x:%b}",
            (mdates.date2num(x), 0.0),
            xycoords=ax.get_xaxis_transform(),
            xytext=(3, 3),
            textcoords="offset points",
            fontsize=7,
            color=TARGET_COLOR,
        )
    return target.level is not None or target.by is not None


def _date_axis(ax: Axes) -> None:
    max_ticks = 9 if ax.get_gridspec().ncols == 1 else 5
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=max_ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(_day_label))


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
        ax.annotate(
            "",
            xy=(x, v),
            xytext=(0, 16 if up else -16),
            textcoords="offset points",
            arrowprops={"arrowstyle": "<-", "color": color, "lw": 1.3},
        )
    elif pd.isna(row.date_end):
        ax.errorbar(
            [x],
            [v],
            yerr=[tol],
            fmt="o" if row.bound == "~" else "D",
            capsize=3,
            elinewidth=1.2,
            ecolor=color,
            **style,
        )
    if label:
        dy = {">=": -10, "<=": 10}.get(row.bound, 0)
        ax.annotate(
            label,
            (mdates.date2num(x), v),
            xytext=(7, dy),
            textcoords="offset points",
            va="center",
            fontsize=7,
            color="0.25",
            zorder=7,
            bbox={"fc": "white", "alpha": 0.8, "lw": 0, "pad": 0.5},
        )


def colored(groups: list[str]) -> list[tuple[str, str]]:
    return [(g, PALETTE[i % len(PALETTE)]) for i, g in enumerate(groups)]


def chain_order(group: str) -> tuple[int, str]:
    name = group.removeprefix("chain:")
    return (CHAINS.index(name) if name in CHAINS else len(CHAINS), name)


def label_of(group: str) -> str:
    """Concise legend label for a group in a panel that already names the metric."""
    if group.startswith("chain:"):
        return group.removeprefix("chain:").replace("_", " ")
    return labels.group(group)


def _number(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}"


def _wrap(text: str, width: int = 190) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def _day_label(x: float, pos: int | None = None) -> str:
    """'1 Apr'; the first tick also carries the year ('1 Mar 2022')."""
    d = mdates.num2date(x)
    return f"{d.day} {d:%b %Y}" if pos == 0 else f"{d.day} {d:%b}"


def calibration_chart(history: pd.DataFrame, importance: dict[str, float], path: Path) -> None:
    """Loss of every trial with the best so far (failed trials marked, counted), and the
    share of the loss variance each parameter explains."""
    fig = Figure(figsize=(11.0, 4.8), dpi=DPI, layout="constrained")
    ax1, ax2 = fig.subplots(1, 2, width_ratios=(1.4, 1.0))
    done = history[history["state"] == "COMPLETE"].sort_values("trial")
    failed = history[history["state"] == "FAIL"]
    ax1.plot(
        done["trial"],
        done["loss"],
        "o",
        ms=4,
        alpha=0.6,
        color=PALETTE[0],
        label=f"trial ({len(done)} complete)",
    )
    ax1.step(
        done["trial"], done["loss"].cummin(), where="post", color=PALETTE[1], label="best so far"
    )
    if len(done) and (done["loss"] > 0).all() and done["loss"].max() > 20 * done["loss"].min():
        ax1.set_yscale("log")
    ax1.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.4g}"))
    if len(failed):
        top = done["loss"].max() if len(done) else 1.0
        ax1.plot(
            failed["trial"],
            [top] * len(failed),
            "x",
            color=TARGET_COLOR,
            ms=7,
            label=f"failed ({len(failed)}), drawn at the top",
        )
        fig.supxlabel(
            f"Failed trials: {len(failed)} of {len(history)}; first reason: "
            f"{_first_reason(failed)}",
            fontsize=8,
            color="0.35",
        )
    ax1.xaxis.get_major_locator().set_params(integer=True)
    ax1.set(xlabel="trial", ylabel="loss (bound-aware, lower is better)")
    ax1.set_title("Calibration history", loc="left", fontsize=10)
    ax1.legend(fontsize=8, frameon=False)
    ax1.grid(alpha=0.3, lw=0.5)
    if importance:
        keys = list(importance)[::-1]
        ax2.barh(
            [labels.lever(k.removeprefix("param:")) for k in keys],
            [importance[k] for k in keys],
            color=PALETTE[0],
        )
        ax2.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        ax2.set_xlabel("share of the loss variance (fANOVA)")
    else:
        ax2.text(
            0.5,
            0.5,
            "too few complete trials\nfor parameter importance",
            ha="center",
            va="center",
            transform=ax2.transAxes,
            color="0.4",
        )
        ax2.set_axis_off()
    ax2.set_title("Parameter importance", loc="left", fontsize=10)
    fig.savefig(path, dpi=DPI)


def _first_reason(failed: pd.DataFrame) -> str:
    reasons = failed.get("error", pd.Series(dtype=str)).fillna("").astype(str)
    reason = next((r for r in reasons if r), "no reason recorded")
    return reason if len(reason) <= 160 else reason[:157] + "..."


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
    p.decorate(
        ax,
        measure.unit or measure.name,
        label_events=True,
        thousands=not measure.share,
        percent=measure.share,
        target=p.target,
    )
    ax.set_title(f"{title}: {measure.name}" if title else measure.name, loc="left", fontsize=10)
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    return ax
