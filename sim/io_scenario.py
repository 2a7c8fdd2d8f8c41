"""IO scenarios: an economy from an input-output table, its production rules and shocks.

An IO scenario names a table (``economy.io_table``) instead of the Shanghai templates and
lists capacity shocks by region and sector (BoARIO-style: a loss, held for some days, then
a linear recovery). Production rules default to BoARIO's ``ARIOPsiModel``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, ValidationError

from sim.economy_params import DemandParams, ProductionParams
from sim.errors import ScenarioError
from sim.io_table import IOTable, read_io_table
from sim.param_types import NonNeg, PosFloat, Share
from sim.schema import Strict, describe_error
from sim.yaml_io import read_yaml

Days = Annotated[int, Field(ge=0)]

# BoARIO's ARIOPsiModel defaults (inventory_restoration_tau 60, alpha_tau 365, psi 0.8)
ARIO_PRODUCTION = ProductionParams(
    inventory_rule="ario", unmet_orders="reorder", tau=60.0, alpha_tau=365.0, psi=0.8
)


class CapacityShockParams(Strict):
    """Production capacity lost by one industry: ``loss`` from ``start_day`` for
    ``duration_days``, then recovered linearly over ``recovery_days``."""

    region: str
    sector: str
    loss: Share  # share of capacity lost
    start_day: Days = 0
    duration_days: Days = 30
    recovery_days: Days = 0

    def capacity(self, n_days: int) -> np.ndarray:
        """Capacity factor (1 = normal) on each day."""
        t = np.arange(n_days, dtype=float)
        since = t - (self.start_day + self.duration_days)
        rec = max(self.recovery_days, 1)
        lost = np.where(since < 0, 1.0, np.clip(1.0 - (since + 1) / rec, 0.0, 1.0))
        lost[t < self.start_day] = 0.0
        return 1.0 - self.loss * lost


class IOEconomyParams(Strict):
    io_table: str  # long-format CSV (see sim/io_economy.py), relative to the scenario file
    period_days: PosFloat = 365.0  # days the table's flows cover
    firms_per_industry: Annotated[int, Field(ge=1)] = 1
    suppliers_per_input: Annotated[int, Field(ge=1)] | None = None  # default: all firms
    inventory_days: PosFloat = 90.0  # target input stock, days of use (BoARIO main_inv_dur)
    input_threshold: NonNeg = 1e-5  # smaller input coefficients never bind
    transit_days: Days = 0  # days goods travel between firms (BoARIO: none)
    stock_per: Literal["product", "supplier"] = "product"  # product: a firm's stock of a
    #   sector's goods pools every region and firm that makes them (BoARIO); supplier: one
    #   stock per supplier industry


class IOScenario(Strict):
    """An economy from an IO table, its production rules and its capacity shocks."""

    description: str = ""
    seed: int = 0
    n_days: Annotated[int, Field(gt=0)] = 365
    economy: IOEconomyParams
    production: ProductionParams = ARIO_PRODUCTION
    demand: DemandParams = DemandParams(backlog_share=0.0)  # BoARIO: unmet final demand is lost
    shocks: list[CapacityShockParams] = []


def load_io_scenario(path: Path) -> tuple[IOScenario, IOTable]:
    """Validate an IO scenario file and read the table it names (paths relative to it)."""
    data = read_yaml(Path(path))
    try:
        sc = IOScenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(str(path), *describe_error(exc, IOScenario)) from None
    table_path = (Path(path).parent / sc.economy.io_table).resolve()
    table = read_io_table(table_path)
    check_shocks(sc, table, str(path))
    return sc, table


def check_shocks(sc: IOScenario, table: IOTable, source: str) -> None:
    for i, s in enumerate(sc.shocks):
        for kind, name, names in (
            ("region", s.region, table.regions),
            ("sector", s.sector, table.sectors),
        ):
            if name not in names:
                raise ScenarioError(
                    source,
                    f"expected a {kind} of the table ({', '.join(names)}), got {name!r}",
                    f"shocks.{i}.{kind}",
                )
