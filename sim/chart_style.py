"""The look every chart shares: figure size and resolution, the colour of each chain, group
and binding cause, line styles per scenario, and the order and legend names of groups.

Reads and writes nothing; `sim.plots`, `sim.run_charts` and `sim.calibration_chart` draw
with it, so the run charts, compare charts and the report look the same.
"""

from __future__ import annotations

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
