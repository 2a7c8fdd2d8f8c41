"""Scenario schema: the whole parameter set of one run (`Scenario`) and its cross-checks.

Its sections are declared, each field with its default and unit, by topic in
``sim.economy_params``, ``sim.policy_params``, ``sim.workforce_params`` and
``sim.logistics_params`` (value types in ``sim.param_types``). Section classes are named
``*Params`` so they never clash with the engine objects built from them
(``sim.economy.Economy``, ``sim.agents.worker.Workforce``). Loading files, inheritance and
overrides live in ``sim.scenario_files``; dotted keys in ``sim.keys``.
"""

from __future__ import annotations

import difflib
from datetime import date
from typing import Annotated, Any

from pydantic import Field, model_validator

from sim.economy_params import (
    AnchorParams,
    BaselineParams,
    ChainParams,
    DemandParams,
    DistrictParams,
    EconomyParams,
    ExternalParams,
    ProductionParams,
)
from sim.logistics_params import LogisticsParams
from sim.param_types import Share
from sim.policy_params import (
    CentralizedReturnParams,
    PassesParams,
    PermitsParams,
    PolicyParams,
    RedYellowParams,
    ZoningParams,
)
from sim.schema import Strict
from sim.workforce_params import EpidemicParams, LabourParams, WorkforceParams

CHAIN_NAMES = ("automobile", "integrated_circuits", "biomedicine", "chemicals", "other")
ROUTES = ("in_city", "inter_provincial")


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
