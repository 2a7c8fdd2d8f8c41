"""Scenario sections of the workforce: testing and closed-loop rotation, infection and
isolation, and the return of staff kept home after their firm's lockdown.

Declares the schema only (fields with defaults and units); ``sim.scenario`` assembles it.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from sim.param_types import Share, ShareSchedule
from sim.schema import Strict


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


class LabourParams(Strict):
    """Return of staff kept home when their firm's lockdown rules end (the labour market)."""

    left_city_share: Share = 0.0  # share of staff kept home at the end who had left the city
    return_rate: Share = 1.0  # daily probability one of them is back (or replaced by a hire)
