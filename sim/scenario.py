"""Scenario schema: every parameter of a run, with its default and unit, in one place.

Section classes are named ``*Params`` so they never clash with the engine objects built from
them (``sim.economy.Economy``, ``sim.agents.worker.Workforce``). Loading files, inheritance
and overrides live in ``sim.scenario_files``; dotted keys in ``sim.keys``.
"""

from __future__ import annotations

import difflib
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from sim.schedule import Schedule, schedule_values
from sim.schema import Strict

CHAIN_NAMES = ("automobile", "integrated_circuits", "biomedicine", "chemicals", "other")
ROUTES = ("in_city", "inter_provincial")

Share = Annotated[float, Field(ge=0.0, le=1.0)]
PosFloat = Annotated[float, Field(gt=0.0)]
NonNeg = Annotated[float, Field(ge=0.0)]


def _bounded(lo: float, hi: float | None = None, strict: bool = False):
    """A validator keeping every value of a schedule within [lo, hi] (or > lo if strict)."""

    def check(value: Any) -> Any:
        for v in schedule_values(value):
            if (v <= lo if strict else v < lo) or (hi is not None and v > hi):
                if strict:
                    bound = f"> {lo:g}"
                elif hi is None:
                    bound = f">= {lo:g}"
                else:
                    bound = f"between {lo:g} and {hi:g} (a share)"
                raise ValueError(f"expected every value {bound}, got {v:g}")
        return value

    return AfterValidator(check)


PositiveSchedule = Annotated[Schedule, _bounded(0.0, strict=True)]
NonNegSchedule = Annotated[Schedule, _bounded(0.0)]
ShareSchedule = Annotated[Schedule, _bounded(0.0, 1.0)]


class DistrictZoningParams(Strict):
    """A district's own zoning schedule (replaces the citywide one for its compounds)."""

    sealed: ShareSchedule = 0.0  # share of the district's compounds sealed
    controlled: ShareSchedule = 0.0  # share controlled


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


class BatchParams(Strict):
    approved: date  # date the batch was approved to resume
    firms: Annotated[int, Field(gt=0)]  # number of firms on the batch
    chain_mix: dict[str, Share]  # share of the batch's firms per chain (sums to 1)
    still_producing: Share | None = None  # share of listed firms running in closed loop
    #   when listed (default: the chains' continuing_share)

    @model_validator(mode="after")
    def _check(self) -> BatchParams:
        total = sum(self.chain_mix.values())
        if total <= 0 or abs(total - 1.0) > 0.02:
            raise ValueError(f"chain_mix shares must sum to 1, got {total:.3f}")
        return self


class WhitelistParams(Strict):
    batches: list[BatchParams]  # white-list batches in order of approval
    selection: Literal["chain_led", "by_size", "random"] = "by_size"  # how a batch's firms are
    #   picked: leading firms then their Shanghai suppliers tier by tier; larger firms more
    #   likely; or uniformly within each chain
    leader_share: Share = 0.3  # chain_led: share of a chain's batch quota kept for leaders
    district_approval_rate: ShareSchedule = 0.0  # daily share of unlisted firms approved
    priority: bool = True  # listed firms first in permit and pass queues and in rationing

    @model_validator(mode="after")
    def _check(self) -> WhitelistParams:
        dates = [b.approved for b in self.batches]
        if dates != sorted(dates):
            raise ValueError("batches must be listed in order of approval date")
        return self


class PolicyParams(Strict):
    reopening: date  # approval scrapped, closed loop and permits no longer required
    whitelist: WhitelistParams  # the key-enterprise white lists


class PermitsParams(Strict):
    daily_capacity: PositiveSchedule  # permits a day, citywide (persons)
    processing_delay_days: Annotated[int, Field(ge=0)] = 1  # days from application to issue
    apply_share: Share = 1.0  # share of staff an approved firm applies for


class CentralizedReturnParams(Strict):
    """An organized transfer of staff into the closed loop (bulk check, district transport).

    Either one firm (an anchor) moves up to ``staff`` persons over its window, or the districts
    listed (all if none) carry up to ``daily_staff`` persons a day for their operating firms
    under lockdown rules, in permit-queue order. Transfers need no permit; they are capped by
    the firm's free closed-loop beds and pass the test, isolation and compound gates.
    """

    start: date  # first day of the transfer
    end: date | None = None  # last day (default: ``start``)
    firm: str | None = None  # anchor name: a transfer for this firm only
    districts: list[str] = []  # district transport for these districts (all if empty)
    staff: Annotated[int, Field(gt=0)] | None = None  # persons in all, over the window
    daily_staff: NonNeg | None = None  # persons a day (district transport capacity)
    source: str = ""  # where the figure comes from

    @model_validator(mode="after")
    def _check(self) -> CentralizedReturnParams:
        if self.end is not None and self.end < self.start:
            raise ValueError(
                f"end: expected a date on or after start ({self.start}), got {self.end}"
            )
        if self.firm is not None and self.districts:
            raise ValueError("districts: expected either firm or districts, not both")
        if self.staff is None and self.daily_staff is None:
            raise ValueError("staff: expected staff (persons in all) or daily_staff (a day)")
        return self


class LabourParams(Strict):
    """Return of staff kept home when their firm's lockdown rules end (the labour market)."""

    left_city_share: Share = 0.0  # share of staff kept home at the end who had left the city
    return_rate: Share = 1.0  # daily probability one of them is back (or replaced by a hire)


class QuotasParams(Strict):
    in_city: PositiveSchedule  # trucks a day
    inter_provincial: PositiveSchedule  # trucks a day on inter-provincial routes


class RouteSharesParams(Strict):
    in_city: ShareSchedule  # share on in-city routes
    inter_provincial: ShareSchedule  # share on inter-provincial routes


class PassesParams(Strict):
    daily_quota: QuotasParams  # vehicle passes issued a day per route class (trucks)
    required_from: date | None = None  # default: first district lockdown
    required_until: date  # passes no longer needed after this date
    validity_days: Annotated[int, Field(ge=1)] = 7  # a pass lapses this many days after issue
    #   and is renewed through the same daily quota


class WorkforceParams(Strict):
    test_interval_days: Annotated[int, Field(ge=1)] = 2  # days between nucleic-acid tests
    test_validity_days: Annotated[int, Field(ge=1)] = 2  # a result is valid this long
    test_turnaround_days: Annotated[int, Field(ge=0)] = 1  # sample to result
    test_access: ShareSchedule = 0.9  # probability a due test is taken (site capacity)
    rotation_days: Annotated[int, Field(ge=0)] = 0  # days in closed loop before rotating out
    #   (0 = no rotation)


class EpidemicParams(Strict):
    infection_hazard: ShareSchedule = 0.0  # daily probability a worker is infected
    isolation_days: Annotated[int, Field(ge=1)] = 14  # isolation after infection
    closed_loop_risk: Share = 0.3  # hazard multiplier inside the closed loop


class ZoningParams(Strict):
    sealed: ShareSchedule = 0.0  # share of compounds sealed (nobody leaves)
    controlled: ShareSchedule = 0.0  # share of compounds controlled (nobody leaves the compound)
    churn: Share = 0.05  # daily share of compounds whose status is redrawn
    districts: dict[str, DistrictZoningParams] = {}  # a district's own schedule (else citywide)


class TransferStationsParams(Strict):
    opens: date  # first day the inter-provincial transfer stations operate
    count: Annotated[int, Field(ge=0)] = 0  # stations operating
    trucks_per_day: NonNeg = 30.0  # hand-over capacity of one station (trucks)
    handover_days: Annotated[int, Field(ge=0)] = 1  # extra transit through a station


class LogisticsParams(Strict):
    driver_availability: RouteSharesParams  # share of drivers with valid tests and no quarantine
    transit_days: Annotated[
        dict[Literal["in_city", "inter_provincial"], Annotated[int, Field(ge=0)]],
        Field(description="days a shipment is on the road, per route class"),
    ] = {
        "in_city": 1,
        "inter_provincial": 2,
    }
    trips_per_truck: Annotated[
        dict[Literal["in_city", "inter_provincial"], PosFloat],
        Field(description="trips a truck makes a day, per route class"),
    ] = {
        "in_city": 2.0,
        "inter_provincial": 0.5,
    }
    fleet_slack: Annotated[float, Field(ge=1.0)] = 1.3  # trucks kept per truck needed normally
    transfer_stations: TransferStationsParams  # inter-provincial transfer stations


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


class RedYellowParams(Strict):
    opens: date  # first day the supply-chain desk takes cases
    daily_cases: Annotated[int, Field(ge=0)] = 50  # firms the desk can take on a day
    red_days: NonNeg = 3.0  # critical-input cover (days) that raises a red light
    yellow_days: NonNeg = 7.0  # cover that raises a yellow light


class BaselineParams(Strict):
    """The pre-lockdown trend that year-on-year figures compare against."""

    growth_yoy: Annotated[float, Field(gt=-1.0)] = 0.0  # no-lockdown output over the same
    #   period of the previous year, minus 1 (output_yoy = (1 + growth_yoy) * output_index - 1)


class CalibrationParams(Strict):
    """Parameters `fugong calibrate` searches when none are given on the command line."""

    parameters: dict[str, tuple[float, float]] = {}  # key.path -> (lo, hi); schedules scale


class Scenario(Strict):
    """The whole parameter set of one run."""

    description: str = ""  # one line shown by `fugong scenarios`
    start_date: date  # first simulated day
    end_date: date  # last simulated day
    seed: Annotated[int, Field(ge=0)] = 20220301  # base seed (>= 0); replicate i derives its own
    scale: Annotated[float, Field(ge=1.0)] = 10.0  # each simulated worker stands for N
    resumption_threshold: Share = 0.0  # output share above which a firm counts as resumed
    districts: dict[str, DistrictParams]  # the city's districts by name
    chains: dict[str, ChainParams]  # industry chains by name
    economy: EconomyParams = EconomyParams()  # size of the synthetic economy
    baseline: BaselineParams = BaselineParams()  # the trend year-on-year figures compare with
    anchors: list[AnchorParams] = []  # named plants with reported figures
    policy: PolicyParams  # white lists and reopening
    permits: PermitsParams  # return-to-work permit offices
    passes: PassesParams  # vehicle passes
    workforce: WorkforceParams = WorkforceParams()  # testing and closed-loop rotation
    epidemic: EpidemicParams = EpidemicParams()  # infections and isolation
    zoning: ZoningParams = ZoningParams()  # sealed and controlled compounds
    logistics: LogisticsParams  # trucks, drivers, transit, transfer stations
    production: ProductionParams = ProductionParams()  # production and ordering (ARIO)
    demand: DemandParams = DemandParams()  # final-demand backlog
    external: ExternalParams  # suppliers outside Shanghai and their regions
    red_yellow: RedYellowParams  # the red/yellow-light supply-chain desk
    centralized_return: list[CentralizedReturnParams] = []  # organized transfers into loops
    labour: LabourParams = LabourParams()  # return of staff after their firm's lockdown
    calibration: CalibrationParams = CalibrationParams()  # what `fugong calibrate` searches

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        if self.end_date <= self.start_date:
            raise ValueError(
                f"end_date: expected a date after start_date ({self.start_date}), "
                f"got {self.end_date}"
            )
        missing = [c for c in CHAIN_NAMES if c not in self.chains]
        if missing:
            raise ValueError(f"chains: missing required chain(s) {missing}")
        for name, chain in self.chains.items():
            for slot in chain.inputs:
                _known("chain", slot.source, self.chains, f"chains.{name}.inputs.source")
            for district in chain.district_weights:
                _known("district", district, self.districts, f"chains.{name}.district_weights")
        regions = {r.name: r for r in self.external.regions}
        for i, anchor in enumerate(self.anchors):
            _known("chain", anchor.chain, self.chains, f"anchors.{i}.chain")
            _known("district", anchor.district, self.districts, f"anchors.{i}.district")
            if anchor.critical_source is not None:
                _known("region", anchor.critical_source, regions, f"anchors.{i}.critical_source")
        for i, region in enumerate(self.external.regions):
            for chain in region.chain_weights:
                _known("chain", chain, self.chains, f"external.regions.{i}.chain_weights")
        if len(regions) != len(self.external.regions):
            raise ValueError("external.regions: expected unique region names")
        anchors = {a.name: a for a in self.anchors}
        for i, tr in enumerate(self.centralized_return):
            if tr.firm is not None:
                _known("anchor", tr.firm, anchors, f"centralized_return.{i}.firm")
            for district in tr.districts:
                _known("district", district, self.districts, f"centralized_return.{i}.districts")
        for district in self.zoning.districts:
            _known("district", district, self.districts, "zoning.districts")
        for name, d in self.districts.items():
            if d.reopening and d.lockdown and d.reopening <= d.lockdown:
                raise ValueError(
                    f"districts.{name}.reopening: expected a date after its lockdown "
                    f"({d.lockdown}), got {d.reopening}"
                )
        total_share = sum(c.firm_share for c in self.chains.values())
        for i, batch in enumerate(self.policy.whitelist.batches):
            for chain in batch.chain_mix:
                _known("chain", chain, self.chains, f"policy.whitelist.batches.{i}.chain_mix")
        self._check_batch_sizes(total_share)
        return self

    def _check_batch_sizes(self, total_share: float) -> None:
        listed = dict.fromkeys(self.chains, 0.0)
        for i, batch in enumerate(self.policy.whitelist.batches):
            for chain, share in batch.chain_mix.items():
                listed[chain] += share * batch.firms
                available = self.economy.firms * self.chains[chain].firm_share / total_share
                if listed[chain] > available + 0.5:
                    raise ValueError(
                        f"policy.whitelist.batches.{i}.firms: expected at most "
                        f"{available:.0f} firms of chain '{chain}' (all the economy has) in "
                        f"batches up to this one, got {listed[chain]:.0f}"
                    )

    @property
    def lockdown_start(self) -> date:
        """First district lockdown, the reference date for recovery timings."""
        dates = [d.lockdown for d in self.districts.values() if d.lockdown]
        return min(dates) if dates else self.start_date

    @property
    def n_days(self) -> int:
        return (self.end_date - self.start_date).days + 1


def _known(kind: str, name: str, names: dict[str, Any], where: str) -> None:
    if name not in names:
        hint = difflib.get_close_matches(name, list(names), n=1)
        suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
        raise ValueError(
            f"{where}: expected a known {kind} ({', '.join(sorted(names))}), "
            f"got '{name}'{suggestion}"
        )
