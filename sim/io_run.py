"""IO-scenario runs: ``fugong io-run`` and the lockdown-length experiment (Inoue & Todo)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sim.io_model import IOModel
from sim.io_scenario import CapacityShockParams, IOScenario, load_io_scenario
from sim.io_table import IOTable
from sim.results_folder import versions


def lockdown_losses(
    sc: IOScenario, table: IOTable, region: str, loss: float, days: list[int], after: int = 150
) -> list[dict[str, float]]:
    """Direct and indirect output loss of locking ``region`` down for each length in ``days``.

    Every sector of the region loses ``loss`` of its capacity from day 1 for the lockdown's
    length and recovers at once (Inoue & Todo 2020); the run continues ``after`` days so the
    aftermath is counted. Direct loss is the region's lost capacity; indirect is the rest of
    the total loss (other regions, and the region itself beyond its own capacity loss).
    """
    rows = []
    for length in days:
        shocks = [
            CapacityShockParams(
                region=region, sector=s, loss=loss, start_day=1, duration_days=length
            )
            for s in table.sectors
        ]
        run = sc.model_copy(update={"shocks": shocks, "n_days": length + after})
        m = IOModel(run, table).run()
        direct, total = m.direct_loss, m.total_loss
        rows.append(
            {
                "lockdown_days": length,
                "direct": direct,
                "indirect": total - direct,
                "total": total,
                "ratio": (total - direct) / direct,
            }
        )
    return rows


def run_io_scenario(path: Path, out: Path) -> dict[str, float]:
    """Run an IO scenario file and write ``industry_output.csv`` (day x industry, output per
    day) and ``summary.json`` (total, direct and indirect loss: the table's money per
    period / period_days, summed over days)."""
    sc, table = load_io_scenario(path)
    model = IOModel(sc, table).run()
    summary = {
        "total_loss": model.total_loss,
        "direct_loss": model.direct_loss,
        "indirect_loss": model.total_loss - model.direct_loss,
        "normal_output_per_day": float(model.book.normal.sum()),
        "loss_in_days_of_output": model.total_loss / float(model.book.normal.sum()),
    }
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cols = [f"{r}/{s}" for r, s in table.industries]
    frame = pd.DataFrame(model.industry_output(), columns=cols)
    frame.index.name = "day"
    frame.to_csv(out / "industry_output.csv")
    meta = {"scenario": str(path), "seed": sc.seed, "versions": versions()}
    (out / "summary.json").write_text(json.dumps({**summary, **meta}, indent=1))
    return summary
