"""The standard PNG charts of a run folder: utilization by chain, resumption by batch,
staff and permits, passes and trucks, binding constraints, anchor firms.

Reads a tidy timeseries (and reported figures, policy events); writes PNG files only. Shares
are drawn in %, the 80% level of the headline KPI is a target line, anchor firms' staff sit on
their own panel so their reported figures can be read.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim import labels
from sim.chart_marks import Target
from sim.chart_style import (
    ALL_COLOR,
    BOUND_COLORS,
    BOUNDS,
    CHAINS,
    DPI,
    PALETTE,
    SIZE,
    chain_order,
    colored,
    label_of,
)
from sim.plots import Line, Panel, Plotter, plotter

HEADLINE = Target(level=0.8)  # the level of the headline KPI, days to 80%


def make_charts(
    timeseries: pd.DataFrame,
    out_dir: Path,
    reported: pd.DataFrame | None = None,
    events: Iterable[tuple[date, str]] = (),
    target: Target = HEADLINE,
) -> list[Path]:
    """Write the standard charts into `out_dir`; return the paths written.

    `target`: the level (and date) drawn on utilization panels (default the 80% level of the
    headline KPI). A chart with no data at all is skipped; missing series show as absent.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    p = plotter(timeseries, reported, events, target)
    written = []
    for name, build in CHARTS.items():
        fig = build(p)
        if fig is None:
            continue
        path = out_dir / name
        fig.savefig(path, dpi=DPI)
        fig.clear()
        written.append(path)
    return written


def _stacked(
    p: Plotter, title: str, panels: Sequence[Panel], height: float = SIZE[1]
) -> Figure | None:
    """Panels stacked vertically, sharing the date axis."""
    if not any(p.has(panel.series) for panel in panels):
        return None
    fig = p.figure(len(panels), 1, title, height=height)
    for i, (ax, panel) in enumerate(zip(fig.axes, panels, strict=True)):
        p.panel(ax, panel, label_events=i == 0)
    p.footnote(fig)
    return fig


def _utilization(p: Plotter) -> Figure | None:
    chains = sorted(p.groups("capacity_utilization", "chain:"), key=chain_order)
    top = [Line("capacity_utilization", "all", "all firms", ALL_COLOR)]
    top += [Line("capacity_utilization", g, label_of(g), c) for g, c in colored(chains)]
    bottom = [Line("output_index", "all", "all firms", ALL_COLOR)]
    return _stacked(
        p,
        "Capacity utilization and output",
        [
            Panel(
                "Capacity utilization by industry chain",
                top,
                "% of normal capacity",
                1.0,
                percent=True,
                level=p.target.level,
            ),
            Panel(
                "Industrial output, all firms", bottom, "% of no-lockdown output", 1.0, percent=True
            ),
        ],
    )


def _utilization_by_tier(p: Plotter) -> Figure | None:
    """Each key chain's OEMs (final producers) against their tier-1 and tier-2 suppliers."""
    panels = []
    for chain in CHAINS[:4]:
        groups = [f"chain_tier:{chain}/{t}" for t in ("oem", "1", "2")]
        series = [Line("capacity_utilization", g, _tier_label(g), c) for g, c in colored(groups)]
        panels.append(
            Panel(
                labels.group(f"chain:{chain}"),
                series,
                "% of normal capacity",
                1.0,
                percent=True,
                level=p.target.level,
            )
        )
    return _stacked(
        p,
        "Capacity utilization by tier along the key chains",
        panels,
        height=SIZE[1] + 2.4 * (len(panels) - 2),
    )


def _tier_label(group: str) -> str:
    tier = group.rpartition("/")[2]
    return "OEMs / final producers" if tier == "oem" else f"tier {tier} suppliers"


def _resumption(p: Plotter) -> Figure | None:
    numbered = [g for g in p.groups("resumption_rate", "batch:") if g[6:].isdigit()]
    groups = sorted(numbered, key=lambda g: int(g[6:])) + p.groups("resumption_rate", "batch:none")
    series = [Line("resumption_rate", g, label_of(g), c) for g, c in colored(groups)]
    return _stacked(
        p,
        "Resumption of work by white-list batch",
        [
            Panel(
                "Share of firms producing above the resumption threshold",
                series,
                "% of firms resumed",
                percent=True,
            ),
        ],
    )


def _staff_permits(p: Plotter) -> Figure | None:
    staff = [
        Line("staff_on_site", "all", "on site, all firms", ALL_COLOR),
        Line("staff_on_site", "whitelist", "on site, white list", PALETTE[0]),
        Line("staff_returned", "whitelist", "returned, white list", PALETTE[1]),
    ]
    firms = sorted(
        g
        for g in p.groups("staff_returned", "firm:")
        if ((p.reported["metric"] == "staff_returned") & (p.reported["group"] == g)).any()
    )
    anchors = [
        Line("staff_returned", g, f"returned, {labels.group(g)}", c)
        for g, c in zip(firms, PALETTE[4:], strict=False)
    ]
    permits = [
        Line("permits_issued_cum", "all", "permits issued (cumulative)", PALETTE[2]),
        Line("permits_pending", "all", "applications pending", PALETTE[3]),
    ]
    panels = [Panel("Staff", staff, "persons", thousands=True, others=False)]
    if anchors:
        panels.append(
            Panel(
                "Staff of anchor firms with reported figures",
                anchors,
                "persons",
                thousands=True,
                others=False,
            )
        )
    panels.append(Panel("Return-to-work permits, all firms", permits, "persons", thousands=True))
    return _stacked(
        p,
        "Staff back at work and return-to-work permits",
        panels,
        height=SIZE[1] + 2.4 * (len(panels) - 2),
    )


def _passes_trucks(p: Plotter) -> Figure | None:
    passes = [
        Line("passes_issued", "all", "passes held (cumulative grants)", PALETTE[0]),
        Line("passes_used", "all", "passes in use (trucks/day)", PALETTE[1]),
    ]
    trucks = [Line("truck_trips_index", "all", "truck trips, all firms", ALL_COLOR)]
    return _stacked(
        p,
        "Truck passes and freight traffic",
        [
            Panel("Vehicle passes, all firms", passes, "passes", thousands=True),
            Panel("Truck trips", trucks, "% of normal trips", 1.0, percent=True),
        ],
    )


def _binding(p: Plotter) -> Figure | None:
    bounds = sorted(
        {m.removeprefix("share_bound_") for m, _ in p.bands if m.startswith("share_bound_")},
        key=lambda b: (BOUNDS.index(b) if b in BOUNDS else len(BOUNDS), b),
    )
    chains = {g for m, g in p.bands if m.startswith("share_bound_") and g.startswith("chain:")}
    has_all = any(m.startswith("share_bound_") and g == "all" for m, g in p.bands)
    groups = ["all"] * has_all + sorted(chains, key=chain_order)
    if not groups:
        return None
    ncols = min(3, len(groups))
    nrows = math.ceil(len(groups) / ncols)
    fig = p.figure(nrows, ncols, "Binding constraint on output", height=2.9 * nrows + 1.5)
    colors = {b: BOUND_COLORS.get(b, PALETTE[i % len(PALETTE)]) for i, b in enumerate(bounds)}
    for i, ax in enumerate(fig.axes):
        if i >= len(groups):
            ax.set_visible(False)
            continue
        _stack(p, ax, groups[i], bounds, colors)
        ax.set_title(labels.group(groups[i]), loc="left", fontsize=10)
        p.decorate(
            ax,
            "% of firms" if i % ncols == 0 else "",
            label_events=i < ncols,
            thousands=False,
            percent=True,
            top=1.0,
        )
    handles = [Patch(color=colors[b], label=b) for b in reversed(bounds)]
    if len(p.scenarios) > 1:
        first, *rest = p.scenarios
        handles += [Patch(color="0.8", label=f"{first} (areas)")]
        handles += [Line2D([], [], color="black", ls=p.styles[s], label=s) for s in rest]
    fig.legend(
        handles=handles,
        loc="outside right upper",
        fontsize=9,
        frameon=False,
        title="binding constraint",
        title_fontsize=9,
    )
    p.footnote(fig, "Areas: median share of firms by the constraint binding their output.")
    return fig


def _stack(p: Plotter, ax: Axes, group: str, bounds: list[str], colors: dict[str, str]) -> None:
    """Stacked medians for the first scenario; cumulative boundaries for the others."""
    parts = {
        b: p.bands[(f"share_bound_{b}", group)].set_index(["scenario", "date"])["median"]
        for b in bounds
        if (f"share_bound_{b}", group) in p.bands
    }
    wide = pd.concat(parts, axis=1).fillna(0.0)
    present = wide.index.get_level_values("scenario")
    for i, scenario in enumerate(s for s in p.scenarios if s in present):
        f = wide.xs(scenario, level="scenario")
        values = f.to_numpy().T
        if i == 0:
            ax.stackplot(f.index, values, colors=[colors[b] for b in f.columns], alpha=0.9, lw=0)
        else:
            for y in values.cumsum(axis=0):
                ax.plot(f.index, y, color="black", ls=p.styles[scenario], lw=1.0)


def _anchor_firms(p: Plotter) -> Figure | None:
    firms = sorted(p.groups("units_produced", "firm:"))
    if not firms:
        return None
    ncols = min(2, len(firms))
    nrows = math.ceil(len(firms) / ncols)
    fig = p.figure(nrows, ncols, "Anchor firms: daily output", height=max(4.5, 3.0 * nrows + 1.4))
    for i, ax in enumerate(fig.axes):
        if i >= len(firms):
            ax.set_visible(False)
            continue
        firm = firms[i]
        units = p.reported.loc[
            (p.reported["group"] == firm) & (p.reported["metric"] == "units_produced"), "unit"
        ].dropna()
        series = [Line("units_produced", firm, "units produced", PALETTE[0])]
        ylabel = units.iloc[0] if len(units) else "units per day"
        p.panel(
            ax,
            Panel(labels.group(firm), series, ylabel, thousands=True, others=False),
            label_events=i < ncols,
            legend=False,
        )
    if len(p.scenarios) > 1:
        fig.legend(
            handles=p.scenario_handles(), loc="outside right upper", fontsize=9, frameon=False
        )
    p.footnote(fig)
    return fig


CHARTS = {  # file name: what draws it, in the order a report shows them
    "utilization_by_chain.png": _utilization,
    "utilization_by_tier.png": _utilization_by_tier,
    "resumption_by_batch.png": _resumption,
    "staff_and_permits.png": _staff_permits,
    "passes_and_trucks.png": _passes_trucks,
    "binding_constraints.png": _binding,
    "anchor_firms.png": _anchor_firms,
}
