"""Live charts of a running model, drawn from its recorder up to the day it has reached.

Each chart keeps one matplotlib Figure (no pyplot: the server draws from several threads)
and only updates its artists' data each day, which is several times cheaper than drawing
a new figure. The x axis spans the whole scenario, so a chart fills in as days pass.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from sim.agents.enterprise import BOUND
from sim.metrics import measures

SIZE = (5.6, 3.3)  # inches
DPI = 80
# schematic tile positions (column, row) of Shanghai's 16 districts, north at the top
SHANGHAI_TILES = {
    "Jiading": (0, 0), "Baoshan": (1, 0), "Yangpu": (2, 0), "Chongming": (3, 0),
    "Qingpu": (0, 1), "Putuo": (1, 1), "Jingan": (2, 1), "Hongkou": (3, 1),
    "Songjiang": (0, 2), "Changning": (1, 2), "Huangpu": (2, 2), "Pudong": (3, 2),
    "Jinshan": (0, 3), "Minhang": (1, 3), "Xuhui": (2, 3), "Fengxian": (3, 3),
}


def recorded(model, metric: str, groups: list[str]) -> np.ndarray:
    """(days so far x groups) values of one metric."""
    rec = model.recorder
    values = measures(rec.data[: model.steps])[metric]
    return np.nan_to_num(values[:, [rec.groups.index(g) for g in groups]])


class Chart:
    """One figure of a model; ``png()`` brings it to the model's current day."""

    title = ""

    def __init__(self, model) -> None:
        self.model = model
        self.fig = Figure(figsize=SIZE, dpi=DPI)
        self.ax = self.fig.subplots()
        self.ax.set_title(self.title, fontsize=11)
        self.ax.tick_params(labelsize=8)

    def update(self) -> None:
        raise NotImplementedError

    def png(self) -> bytes:
        self.update()
        buf = io.BytesIO()
        self.fig.savefig(buf, format="png")
        return buf.getvalue()

    def _time_axis(self, ylabel: str, top: float | None = 1.05, right: float = 0.71) -> None:
        dates = self.model.calendar.dates
        self.ax.set_xlim(dates[0], dates[-1])
        if top:
            self.ax.set_ylim(0, top)
        self.ax.set_ylabel(ylabel, fontsize=9)
        self.ax.grid(alpha=0.3)
        self.fig.autofmt_xdate()
        self.fig.subplots_adjust(left=0.13, right=right, top=0.9, bottom=0.19)

    def _legend(self, handles, labels) -> None:
        """Outside the axes, on the right, so it never hides a line."""
        self.ax.legend(handles, labels, fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1),
                       borderaxespad=0, frameon=False)

    @property
    def dates(self) -> np.ndarray:
        return self.model.calendar.dates[: self.model.steps]


class Lines(Chart):
    """One line per group of one metric."""

    metric = ""
    ylabel = ""

    def __init__(self, model, groups: list[str], labels: list[str]) -> None:
        super().__init__(model)
        self.groups = groups
        self._time_axis(self.ylabel)
        self.lines = [
            self.ax.plot([], [], label=label, lw=2.4 if i == 0 else 1.6)[0]
            for i, label in enumerate(labels)
        ]
        self._legend(self.lines, labels)

    def update(self) -> None:
        values = recorded(self.model, self.metric, self.groups)
        for i, line in enumerate(self.lines):
            line.set_data(self.dates, values[:, i])


class UtilizationByChain(Lines):
    title, metric = "Capacity utilization by chain", "capacity_utilization"
    ylabel = "output / normal"

    def __init__(self, model) -> None:
        chains = list(model.economy.chain_names)
        super().__init__(model, ["all", *(f"chain:{c}" for c in chains)], ["all", *chains])


class ResumptionByBatch(Lines):
    title, metric = "Resumption by white-list batch", "resumption_rate"
    ylabel = "share producing"

    def __init__(self, model) -> None:
        n = len(model.params.policy.whitelist.batches)
        groups = ["all", *(f"batch:{b}" for b in range(1, n + 1)), "batch:none"]
        super().__init__(model, groups, ["all", *(f"batch {b}" for b in range(1, n + 1)),
                                         "not listed"])


class BindingConstraints(Chart):
    """Share of firms held back by each constraint (approval, labour, inputs, ...)."""

    title = "Binding constraint, all firms"

    def __init__(self, model) -> None:
        super().__init__(model)
        self._time_axis("share of firms")
        self.stack = []
        handles = [Rectangle((0, 0), 1, 1, color=f"C{i}") for i in range(len(BOUND))]
        self._legend(handles, BOUND)

    def update(self) -> None:
        for artist in self.stack:
            artist.remove()
        shares = np.column_stack(
            [recorded(self.model, f"share_bound_{b}", ["all"])[:, 0] for b in BOUND]
        )
        colours = [f"C{i}" for i in range(len(BOUND))]
        self.stack = (
            self.ax.stackplot(self.dates, shares.T, colors=colours, alpha=0.85)
            if len(shares) else []
        )


class PermitsAndPasses(Chart):
    title = "Permits and passes"

    def __init__(self, model) -> None:
        super().__init__(model)
        self._time_axis("persons", top=None, right=0.86)
        ax = self.ax
        self.permits = ax.plot([], [], color="C0", lw=2.2, label="permits issued (cum.)")[0]
        self.pending = ax.plot([], [], color="C0", lw=1.2, ls="--", label="permits pending")[0]
        self.right = ax.twinx()
        self.passes = self.right.plot([], [], color="C3", lw=1.8, label="vehicle passes held")[0]
        self.right.set_ylabel("passes (trucks)", fontsize=9)
        self.right.tick_params(labelsize=8)
        lines = [self.permits, self.pending, self.passes]
        ax.legend(lines, [ln.get_label() for ln in lines], fontsize=7, loc="upper left")

    def update(self) -> None:
        permits = recorded(self.model, "permits_issued_cum", ["all"])[:, 0]
        pending = recorded(self.model, "permits_pending", ["all"])[:, 0]
        passes = recorded(self.model, "passes_issued", ["all"])[:, 0]
        self.permits.set_data(self.dates, permits)
        self.pending.set_data(self.dates, pending)
        self.passes.set_data(self.dates, passes)
        top = max(1.0, permits.max(initial=0), pending.max(initial=0))
        self.ax.set_ylim(0, top * 1.1)
        self.right.set_ylim(0, max(1.0, passes.max(initial=0)) * 1.1)


class DistrictGrid(Chart):
    """Districts as tiles coloured by today's capacity utilization; (L): lockdown rules."""

    def __init__(self, model) -> None:
        super().__init__(model)
        names = list(model.economy.district_names)
        self.names = names
        tiles = SHANGHAI_TILES if set(names) <= set(SHANGHAI_TILES) else None
        side = 4 if tiles else int(np.ceil(np.sqrt(len(names))))
        self.norm, self.cmap = Normalize(0, 1), colormaps["RdYlGn"]
        self.tiles, self.labels, self.values = [], [], []
        for i, name in enumerate(names):
            col, row = tiles[name] if tiles else (i % side, i // side)
            tile = Rectangle((col + 0.03, row + 0.03), 0.94, 0.94, edgecolor="white")
            self.ax.add_patch(tile)
            self.tiles.append(tile)
            self.labels.append(self.ax.text(col + 0.5, row + 0.32, name, ha="center",
                                            va="center", fontsize=8))
            self.values.append(self.ax.text(col + 0.5, row + 0.68, "", ha="center",
                                            va="center", fontsize=10, weight="bold"))
        self.ax.set_xlim(0, side)
        self.ax.set_ylim(int(np.ceil(len(names) / side)), 0)
        self.ax.axis("off")
        self.fig.subplots_adjust(left=0.01, right=0.9, top=0.9, bottom=0.02)
        self.fig.colorbar(ScalarMappable(norm=self.norm, cmap=self.cmap), ax=self.ax,
                          fraction=0.04, pad=0.01, label="output / normal")

    def update(self) -> None:
        m, day = self.model, self.model.steps - 1
        groups = [f"district:{d}" for d in self.names]
        util = recorded(m, "capacity_utilization", groups)[day] if day >= 0 else np.ones(
            len(self.names)
        )
        regime = m.calendar.district_regime[:, max(day, 0)] & (day >= 0)
        for i, name in enumerate(self.names):
            self.tiles[i].set_facecolor(self.cmap(self.norm(util[i])))
            self.labels[i].set_text(f"{name} (L)" if regime[i] else name)
            self.values[i].set_text(f"{util[i]:.0%}")
        when = m.calendar.dates[day] if day >= 0 else "start"
        self.ax.set_title(f"Utilization by district, {when}  (L: lockdown rules)", fontsize=10)


CHARTS = (DistrictGrid, UtilizationByChain, ResumptionByBatch, BindingConstraints,
          PermitsAndPasses)
