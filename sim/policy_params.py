"""Scenario sections of policy: reopening and the white lists, permit offices, centralized
return, vehicle passes and their quotas, compound zoning, and the red/yellow-light desk.

Declares the schema only (fields with defaults and units); ``sim.scenario`` assembles it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.param_types import NonNeg, PositiveSchedule, Share, ShareSchedule
from sim.schema import Strict


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


class QuotasParams(Strict):
    in_city: PositiveSchedule  # trucks a day
    inter_provincial: PositiveSchedule  # trucks a day on inter-provincial routes


class PassesParams(Strict):
    daily_quota: QuotasParams  # vehicle passes issued a day per route class (trucks)
    required_from: date | None = None  # default: first district lockdown
    required_until: date  # passes no longer needed after this date
    validity_days: Annotated[int, Field(ge=1)] = 7  # a pass lapses this many days after issue
    #   and is renewed through the same daily quota


class DistrictZoningParams(Strict):
    """A district's own zoning schedule (replaces the citywide one for its compounds)."""

    sealed: ShareSchedule = 0.0  # share of the district's compounds sealed
    controlled: ShareSchedule = 0.0  # share controlled


class ZoningParams(Strict):
    sealed: ShareSchedule = 0.0  # share of compounds sealed (nobody leaves)
    controlled: ShareSchedule = 0.0  # share of compounds controlled (nobody leaves the compound)
    churn: Share = 0.05  # daily share of compounds whose status is redrawn
    districts: dict[str, DistrictZoningParams] = {}  # a district's own schedule (else citywide)


class RedYellowParams(Strict):
    opens: date  # first day the supply-chain desk takes cases
    daily_cases: Annotated[int, Field(ge=0)] = 50  # firms the desk can take on a day
    red_days: NonNeg = 3.0  # critical-input cover (days) that raises a red light
    yellow_days: NonNeg = 7.0  # cover that raises a yellow light
