"""Scenario sections of logistics: drivers, transit times, trips per truck, fleet slack and
the inter-provincial transfer stations.

Declares the schema only (fields with defaults and units); ``sim.scenario`` assembles it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from sim.param_types import NonNeg, PosFloat, ShareSchedule
from sim.schema import Strict


class RouteSharesParams(Strict):
    in_city: ShareSchedule  # share on in-city routes
    inter_provincial: ShareSchedule  # share on inter-provincial routes


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
