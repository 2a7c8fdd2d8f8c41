"""Scenario sections of the economy: districts, industry chains and their inputs, anchor
plants, the size of the synthetic economy, outside suppliers and their regions, production
and ordering (ARIO), final demand, and the no-lockdown baseline.

Declares the schema only (fields with defaults and units); ``sim.scenario`` assembles it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.param_types import NonNeg, NonNegSchedule, PosFloat, Share, ShareSchedule
from sim.schema import Strict


class DistrictParams(Strict):
    population: Annotated[int, Field(gt=0)]  # residents, 2020 census
    firm_weight: NonNeg = 1.0  # relative density of industrial firms (assumption)
    lockdown: date | None = None  # date the district entered lockdown
    reopening: date | None = None  # the district's own end of lockdown (default: policy.reopening)


class InputSlotParams(Strict):
    source: str  # chain that supplies this input
    criticality: Literal["critical", "important", "non_critical"]  # how a shortage binds output
    share: PosFloat  # share of the firm's input value (normalised per chain)


class ChainParams(Strict):
    description: str = ""  # free text shown in listings
    firm_share: Share  # share of above-size firms
    output_share: Share  # share of above-size output
    worker_share: Share  # share of industrial workers
    tiers: list[Share] = [0.3, 0.4, 0.3]  # share of firms in tier 0 (final), 1, 2
    inputs: list[InputSlotParams]  # the chain's input slots (Leontief recipe)
    intermediate_share: Share = 0.6  # value of inputs per unit of output
    local_sourcing: Share = 0.5  # share of input slots sourced from Shanghai firms
    inventory_days: PosFloat = 20.0  # target days of input cover
    min_crew: Share = 0.3  # share of staff below which lines cannot run
    closed_loop_beds: Share = 0.2  # on-site beds per required worker
    shuttle_seats: Share = 0.3  # point-to-point shuttle seats per required worker
    continuing_share: Share = 0.1  # firms that kept running in closed loop through lockdown
    out_of_city_sales: Share = 0.6  # share of final sales shipped to other provinces
    truck_value: PosFloat = 15.0  # goods value per truck trip, 10k yuan
    demand: NonNegSchedule = 1.0  # final-demand multiplier (shock schedule)
    district_weights: dict[str, NonNeg] = {}  # where the chain's firms cluster (x firm_weight)

    @model_validator(mode="after")
    def _check(self) -> ChainParams:
        if len(self.tiers) != 3 or abs(sum(self.tiers) - 1.0) > 1e-6:
            raise ValueError("tiers must be three shares that sum to 1")
        if not self.inputs:
            raise ValueError("inputs: a chain needs at least one input slot")
        return self


class AnchorParams(Strict):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+$")]  # group names: firm:<name>
    label: str  # name shown on charts
    chain: str  # industry chain the firm belongs to
    district: str  # district the plant is in
    staff: Annotated[int, Field(gt=0)]  # persons required at normal output
    output: PosFloat  # normal output, 10k yuan per day
    units: str  # what units_produced counts
    units_per_day: PosFloat  # units at normal output
    batch: int | None = None  # white-list batch, or None
    continuing: bool = False  # kept running in closed loop through the lockdown
    closed_loop_beds: Annotated[int, Field(ge=0)] = 0  # on-site beds (persons)
    min_crew: Share | None = None  # overrides the chain's minimum crew
    inventory_days: PosFloat | None = None  # overrides the chain's days of input cover
    critical_stock_days: PosFloat | None = None  # days of cover kept of its critical inputs
    #   (just-in-time parts), if not its inventory_days
    city_priority: bool = False  # restart coordinated by the city: head of permit/pass queues
    key_channel: bool = False  # key-enterprise passes, point-to-point logistics, desk first
    critical_source: str | None = None  # region of the sole outside supplier of each critical
    #   input (e.g. the wire-harness maker), or None to draw suppliers like any firm


class EconomyParams(Strict):
    firms: Annotated[int, Field(gt=0)] = 9200  # above-size industrial firms
    workers: Annotated[int, Field(gt=0)] = 2_000_000  # industrial workers (assumption)
    output_per_day: PosFloat = 1_000_000.0  # normal output of all firms, 10k yuan/day
    size_sigma: NonNeg = 1.0  # lognormal dispersion of firm size
    external_suppliers: Annotated[int, Field(gt=0)] = 12  # supplier firms per chain, outside
    suppliers_per_input: list[Share] = [0.4, 0.4, 0.2]  # chance an input slot has 1, 2, 3
    #   suppliers (Shanghai or outside); critical slots not single-sourced use the 2-3 part
    single_sourced_critical: Share = 0.3  # share of critical input slots with one supplier
    compounds: Annotated[int, Field(gt=0)] = 13000  # residential compounds in the city
    commute_share: Share = 0.3  # workers living outside their employer's district
    continuing_beds: Share = 0.6  # closed-loop beds per worker, at least, in continuing firms
    min_sim_workers: Annotated[int, Field(ge=1)] = 3  # simulated workers per firm, at least

    @model_validator(mode="after")
    def _check(self) -> EconomyParams:
        if len(self.suppliers_per_input) != 3 or sum(self.suppliers_per_input) <= 0:
            raise ValueError(
                "suppliers_per_input: expected three chances (1, 2, 3 suppliers), not all zero"
            )
        return self


class RegionParams(Strict):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+$")]  # region name
    share: Share  # share of outside suppliers in this region
    capacity: NonNegSchedule = 1.0  # production factor over time (own disruptions)
    chain_weights: dict[str, NonNeg] = {}  # where each chain's outside suppliers sit (x share)
    handover_share: ShareSchedule = 0.0  # share of its trucks to Shanghai that may not enter
    #   while passes are required and hand over at a transfer station (risk-area origin)


class ExternalParams(Strict):
    regions: list[RegionParams]  # regions of the outside suppliers (shares sum to 1)
    slack: Annotated[float, Field(ge=1.0)] = 1.1  # capacity over normal Shanghai orders
    stock_days: NonNeg = 5.0  # finished goods an outside supplier keeps for its customers

    @model_validator(mode="after")
    def _check(self) -> ExternalParams:
        total = sum(r.share for r in self.regions)
        if abs(total - 1.0) > 0.02:
            raise ValueError(f"regions: shares must sum to 1, got {total:.3f}")
        return self


class ProductionParams(Strict):
    alpha_max: Annotated[float, Field(ge=1.0)] = 1.25  # overproduction ceiling (ARIO)
    alpha_tau: PosFloat = 10.0  # days for overproduction capacity to adjust
    tau: PosFloat = 6.0  # order time constant for restoring inventories, days
    order_shift_days: PosFloat = 10.0  # time constant of moving orders between a slot's
    #   suppliers towards those that deliver (Inoue & Todo 2020)
    important_weight: Share = 0.5  # how strongly an important input binds (Pichler et al.)
    finished_goods_days: NonNeg = 3.0  # warehouse room for unshipped output, days
    inventory_rule: Literal["leontief", "ario"] = "leontief"  # leontief: an input binds
    #   when its stock is below one day's use; ario (BoARIO): below psi x target, and the
    #   target, orders and overproduction follow BoARIO's ARIOPsiModel
    psi: Annotated[float, Field(gt=0.0, le=1.0)] = 0.8  # ario: share of the target stock
    #   below which output is cut in proportion (BoARIO psi_param)
    unmet_orders: Literal["keep", "reorder"] = "keep"  # keep: unfilled input orders stay
    #   on the supplier's books; reorder (BoARIO): they lapse and each day's orders are
    #   use plus the stock gap / tau


class DemandParams(Strict):
    backlog_share: Share = 0.5  # share of unmet final demand carried as backlog
    backlog_retention: Share = 0.98  # daily share of backlog still wanted


class BaselineParams(Strict):
    """The pre-lockdown trend that year-on-year figures compare against."""

    growth_yoy: Annotated[float, Field(gt=-1.0)] = 0.0  # no-lockdown output over the same
    #   period of the previous year, minus 1 (output_yoy = (1 + growth_yoy) * output_index - 1)
