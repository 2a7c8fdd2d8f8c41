"""Live charts of a running model, drawn from its recorder up to the day it has reached.

Each chart keeps one matplotlib Figure (no pyplot: the server draws from several threads).
Axes, ticks and legends are drawn once into a cached background; each day only the artists
that change (lines, stacks, tiles) are drawn over it ("blitting"), more than ten times
cheaper than drawing the figure anew. The x axis spans the whole scenario, so a chart fills
in as days pass; a y axis that must grow does so in 1-2-5 steps, redrawing the background.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib import colormaps
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter
from PIL import Image

from sim.agents.enterprise import BOUND
from sim.recorder import measures

SIZE = (5.6, 3.3)  # inches
DPI = 80
# schematic tile positions (column, row) of Shanghai's 16 districts, north at the top
SHANGHAI_TILES = {
    "Jiading": (0, 0),
    "Baoshan": (1, 0),
    "Yangpu": (2, 0),
    "Chongming": (3, 0),
    "Qingpu": (0, 1),
    "Putuo": (1, 1),
    "Jingan": (2, 1),
    "Hongkou": (3, 1),
    "Songjiang": (0, 2),
    "Changning": (1, 2),
    "Huangpu": (2, 2),
    "Pudong": (3, 2),
    "Jinshan": (0, 3),
    "Minhang": (1, 3),
    "Xuhui": (2, 3),
    "Fengxian": (3, 3),
}


def recorded(model, metric: str, groups: list[str]) -> np.ndarray:
    """(days so far x groups) values of one metric."""
    rec = model.recorder
    values = measures(rec.data[: model.steps])[metric]
    return np.nan_to_num(values[:, [rec.groups.index(g) for g in groups]])


def nice_top(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten above ``value`` (at least 1)."""
    if value <= 1:
        return 1.0
    power = 10.0 ** np.floor(np.log10(value))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= value)


class Chart:
    """One figure of a model; ``png()`` brings it to the model's current day."""

    title = ""

    def __init__(self, model) -> None:
        self.model = model
        self.fig = Figure(figsize=SIZE, dpi=DPI)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = self.fig.subplots()
        self.ax.set_title(self.title, fontsize=11)
        self.ax.tick_params(labelsize=8)
        self._background = None
        self._key = None

    def update(self) -> list[Artist]:
        """Set today's data; return the artists that change from day to day."""
        raise NotImplementedError

    def background_key(self) -> tuple:
        """What the cached background depends on besides the figure's layout (axis limits)."""
        return ()

    def png(self) -> bytes:
        dynamic = self.update()
        for artist in dynamic:
            artist.set_animated(True)  # left out of the background
        key = self.background_key()
        if self._background is None or key != self._key:
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            self._key = key
        else:
            self.canvas.restore_region(self._background)
        for artist in dynamic:
            self.fig.draw_artist(artist)
        width, height = self.canvas.get_width_height()
        image = Image.frombuffer(
            "RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1
        )
        buf = io.BytesIO()
        image.save(buf, format="PNG", compress_level=1)
        return buf.getvalue()

    def _time_axis(self, ylabel: str, top: float | None = 1.05, right: float = 0.71) -> None:
        dates = self.model.calendar.dates
        self.ax.set_xlim(dates[0], dates[-1])
        if top:
            self.ax.set_ylim(0, top)
        self.ax.set_ylabel(ylabel, fontsize=9)
        self.ax.grid(alpha=0.3)
        self.fig.autofmt_xdate()
        self.fig.subplots_adjust(left=0.15, right=right, top=0.9, bottom=0.19)

    def _legend(self, handles, labels) -> None:
        """Outside the axes, on the right, so it never hides a line."""
        self.ax.legend(
            handles,
            labels,
            fontsize=7,
            loc="upper left",
            bbox_to_anchor=(1.02, 1),
            borderaxespad=0,
            frameon=False,
        )

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

    def update(self) -> list[Artist]:
        values = recorded(self.model, self.metric, self.groups)
        for i, line in enumerate(self.lines):
            line.set_data(self.dates, values[:, i])
        return self.lines


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
        super().__init__(
            model, groups, ["all", *(f"batch {b}" for b in range(1, n + 1)), "not listed"]
        )


class BindingConstraints(Chart):
    """Share of firms held back by each constraint (approval, labour, inputs, ...)."""

    title = "Binding constraint, all firms"

    def __init__(self, model) -> None:
        super().__init__(model)
        self._time_axis("share of firms")
        self.stack = []
        handles = [Rectangle((0, 0), 1, 1, color=f"C{i}") for i in range(len(BOUND))]
        self._legend(handles, BOUND)

    def update(self) -> list[Artist]:
        for artist in self.stack:
            artist.remove()
        shares = np.column_stack(
            [recorded(self.model, f"share_bound_{b}", ["all"])[:, 0] for b in BOUND]
        )
        colours = [f"C{i}" for i in range(len(BOUND))]
        self.stack = (
            self.ax.stackplot(self.dates, shares.T, colors=colours, alpha=0.85)
            if len(shares)
            else []
        )
        return self.stack


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
        for axis in (ax.yaxis, self.right.yaxis):
            axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        self.right.tick_params(labelsize=8)
        lines = [self.permits, self.pending, self.passes]
        ax.legend(lines, [ln.get_label() for ln in lines], fontsize=7, loc="upper left")

    def update(self) -> list[Artist]:
        permits = recorded(self.model, "permits_issued_cum", ["all"])[:, 0]
        pending = recorded(self.model, "permits_pending", ["all"])[:, 0]
        passes = recorded(self.model, "passes_issued", ["all"])[:, 0]
        self.permits.set_data(self.dates, permits)
        self.pending.set_data(self.dates, pending)
        self.passes.set_data(self.dates, passes)
        self.ax.set_ylim(0, nice_top(max(permits.max(initial=0), pending.max(initial=0))))
        self.right.set_ylim(0, nice_top(passes.max(initial=0)))
        return [self.permits, self.pending, self.passes]

    def background_key(self) -> tuple:
        return self.ax.get_ylim(), self.right.get_ylim()


class DistrictGrid(Chart):
    """Districts as tiles coloured by today's capacity utilization; (L): lockdown rules.

    Each cell has its name above a coloured tile, so the names (which change only when a
    district's rules do) stay in the background and only tiles and values are redrawn.
    """

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
            tile = Rectangle((col + 0.03, row + 0.3), 0.94, 0.67, edgecolor="white")
            self.ax.add_patch(tile)
            self.tiles.append(tile)
            self.labels.append(
                self.ax.text(col + 0.5, row + 0.16, name, ha="center", va="center", fontsize=8)
            )
            self.values.append(
                self.ax.text(
                    col + 0.5, row + 0.64, "", ha="center", va="center", fontsize=10, weight="bold"
                )
            )
        self.ax.set_xlim(0, side)
        self.ax.set_ylim(int(np.ceil(len(names) / side)), 0)
        self.ax.axis("off")
        self.fig.subplots_adjust(left=0.01, right=0.9, top=0.9, bottom=0.02)
        self.fig.colorbar(
            ScalarMappable(norm=self.norm, cmap=self.cmap),
            ax=self.ax,
            fraction=0.04,
            pad=0.01,
            label="output / normal",
        )
        self.regime = np.zeros(len(names), bool)

    def update(self) -> list[Artist]:
        m, day = self.model, self.model.steps - 1
        groups = [f"district:{d}" for d in self.names]
        util = (
            recorded(m, "capacity_utilization", groups)[day]
            if day >= 0
            else np.ones(len(self.names))
        )
        self.regime = m.calendar.district_regime[:, max(day, 0)] & (day >= 0)
        for i, name in enumerate(self.names):
            self.tiles[i].set_facecolor(self.cmap(self.norm(util[i])))
            self.labels[i].set_text(f"{name} (L)" if self.regime[i] else name)
            self.values[i].set_text(f"{util[i]:.0%}")
        when = m.calendar.dates[day] if day >= 0 else "start"
        self.ax.set_title(f"Utilization by district, {when}  (L: lockdown rules)", fontsize=10)
        return [*self.tiles, *self.values, self.ax.title]

    def background_key(self) -> tuple:
        return tuple(self.regime)


CHARTS = (DistrictGrid, UtilizationByChain, ResumptionByBatch, BindingConstraints, PermitsAndPasses)
