"""What a chart draws on an axes besides the curves: dashed policy dates with labels that
never overlap (staggered rows, or numbers explained under the chart in narrow panels),
target lines, reported figures as markers, the date axis with the year, headroom and the
legend beside the axes.

Reads and writes nothing; `Plotter` (``sim.plots``) calls these on each axes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from sim.chart_style import TARGET_COLOR

SYMBOL = {">=": "≥", "<=": "≤", "~": "≈", "range": "±"}
REPORTED_COLUMNS = ["date", "date_end", "metric", "group", "value", "bound", "tolerance", "unit"]
EVENT_FONT = 7.0  # points


@dataclass(frozen=True)
class Target:
    """A level to reach (share of normal capacity), optionally by a date; drawn as lines."""

    level: float | None = None
    by: date | None = None


def event_lines(
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


def event_note(events: list[tuple[pd.Timestamp, str]], numbered: bool) -> str:
    if not events:
        return ""
    if not numbered:
        return "Dashed: policy dates."
    listed = "; ".join(
        f"{i} {text} ({d.day} {d:%b})" for i, (d, text) in enumerate(events, start=1)
    )
    return f"Dashed: policy dates: {listed}."


def headroom(ax: Axes, rows: int, top: float | None) -> None:
    """Y from 0 to above the data, leaving room at the top for `rows` of event labels."""
    data_top = top if top is not None else ax.get_ylim()[1]
    fig = ax.get_figure()
    height_px = ax.get_position().height * fig.get_figheight() * fig.dpi
    label_px = (rows * EVENT_FONT * 1.7 + 6) * fig.dpi / 72 if rows else 0.0
    free = max(0.45, 1.0 - label_px / max(height_px, 1.0))
    ax.set_ylim(0, data_top * (1.0 if top is not None and not rows else 1.04) / free)


def target_lines(ax: Axes, target: Target) -> bool:
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


def date_axis(ax: Axes) -> None:
    max_ticks = 9 if ax.get_gridspec().ncols == 1 else 5
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=max_ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(_day_label))


def legend_right(ax: Axes, handles: list, **title) -> None:
    """The legend outside the axes, on the right, so it never hides a line."""
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        frameon=False,
        **title,
    )


def reported_marker(ax: Axes, row, color: str, label: str | None = None) -> None:
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


def short_number(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}"


def wrap(text: str, width: int = 190) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def _day_label(x: float, pos: int | None = None) -> str:
    """'1 Apr'; the first tick also carries the year ('1 Mar 2022')."""
    d = mdates.num2date(x)
    return f"{d.day} {d:%b %Y}" if pos == 0 else f"{d.day} {d:%b}"
