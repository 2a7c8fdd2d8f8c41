"""The chart of a calibration: the loss of every trial with the best so far (failed trials
marked and counted, with the first reason), and the share of the loss variance each
parameter explains.

Reads the study's history table and importances; writes ``calibration_history.png``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from sim import labels
from sim.chart_style import DPI, PALETTE, TARGET_COLOR


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
