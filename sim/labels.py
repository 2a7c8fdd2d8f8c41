"""Readable names and units for metrics, groups and scenario levers.

Charts, reports and exported tables speak to analysts, so a raw key such as
``capacity_utilization`` of ``chain:automobile`` is shown as "Automobile chain: capacity
utilization". One table here keeps every place that shows a metric consistent.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measure:
    """How a metric is named and shown: `share` values (0-1) are drawn and printed in %."""

    name: str
    unit: str
    share: bool = False


METRICS: dict[str, Measure] = {
    "capacity_utilization": Measure("capacity utilization", "% of normal capacity", True),
    "output_index": Measure("output index", "% of no-lockdown output", True),
    "output": Measure("output", "10k yuan/day"),
    "resumption_rate": Measure("resumption rate", "% of firms resumed", True),
    "staff_on_site": Measure("staff on site", "persons"),
    "staff_required": Measure("staff required", "persons"),
    "staff_in_closed_loop": Measure("staff in closed loop", "persons"),
    "staff_returned": Measure("staff returned", "persons"),
    "permits_applied_cum": Measure("permits applied for (cumulative)", "persons"),
    "permits_issued_cum": Measure("permits issued (cumulative)", "persons"),
    "permits_pending": Measure("permit applications pending", "persons"),
    "passes_issued": Measure("vehicle passes held (cumulative grants)", "passes"),
    "passes_used": Measure("vehicle passes in use", "trucks/day"),
    "truck_trips": Measure("truck trips", "trips/day"),
    "truck_trips_index": Measure("truck trips index", "% of normal trips", True),
    "input_cover_days": Measure("input cover", "days"),
    "units_produced": Measure("units produced", "units/day"),
    "share_bound_approval": Measure("share bound by approval", "% of firms", True),
    "share_bound_labour": Measure("share bound by labour", "% of firms", True),
    "share_bound_inputs": Measure("share bound by inputs", "% of firms", True),
    "share_bound_logistics": Measure("share bound by logistics", "% of firms", True),
    "share_bound_demand": Measure("share bound by demand", "% of firms", True),
}

KPIS: dict[str, Measure] = {
    "days_to_50pct": Measure("days to 50% utilization", "days from first lockdown"),
    "days_to_80pct": Measure("days to 80% utilization", "days from first lockdown"),
    "days_to_90pct": Measure("days to 90% utilization", "days from first lockdown"),
    "output_lost": Measure("output lost", "10k yuan"),
    "output_lost_days": Measure("output lost", "days of normal output"),
    "min_utilization": Measure("lowest utilization", "% of normal capacity", True),
}

LEVERS: dict[str, tuple[str, str]] = {  # scenario key: (name, unit of its value)
    "permits.daily_capacity": ("permit capacity", "permits/day"),
    "permits.processing_delay_days": ("permit processing delay", "days"),
    "passes.daily_quota": ("vehicle-pass quota", "passes/day"),
    "passes.daily_quota.in_city": ("in-city pass quota", "passes/day"),
    "passes.daily_quota.inter_provincial": ("inter-provincial pass quota", "passes/day"),
    "workforce.test_access": ("access to tests", "share of workers"),
    "red_yellow.daily_cases": ("red/yellow-light desk", "cases/day"),
    "zoning.churn": ("zoning churn", "share of compounds per day"),
    "zoning.sealed": ("sealed compounds", "share of compounds"),
}

_SPECIAL_GROUPS = {
    "all": "All firms",
    "whitelist": "White list",
    "batch:none": "Firms not white-listed",
    "batch:1-2": "White-list batches 1-2",
}


def metric(name: str) -> Measure:
    """The measure of a metric (an unknown one is named after its key, without a unit)."""
    return METRICS.get(name) or KPIS.get(name) or Measure(name.replace("_", " "), "")


def group(name: str) -> str:
    """'chain:automobile' -> 'Automobile chain'; 'firm:tesla_shanghai' -> 'Tesla Shanghai'."""
    if name in _SPECIAL_GROUPS:
        return _SPECIAL_GROUPS[name]
    kind, _, rest = name.partition(":")
    words = rest.replace("_", " ")
    match kind:
        case "chain":
            return f"{words[:1].upper()}{words[1:]} chain"
        case "batch":
            return f"White-list batch {rest}"
        case "district":
            return f"{words.title()} district"
        case "firm":
            return _firm(rest)
    return name.replace("_", " ")


def series(metric_name: str, group_name: str) -> str:
    """'Automobile chain: capacity utilization'."""
    return f"{group(group_name)}: {metric(metric_name).name}"


def lever(key: str) -> str:
    """Readable name of a scenario key used as a lever."""
    if key in LEVERS:
        return LEVERS[key][0]
    return key.rsplit(".", 1)[-1].replace("_", " ")


def lever_unit(key: str) -> str:
    return LEVERS.get(key, ("", ""))[1]


def plural(n: int, word: str) -> str:
    """'1 replicate', '2 replicates'."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _firm(name: str) -> str:
    known = {
        "smic": "SMIC",
        "saic_plants": "SAIC plants",
        "hua_hong": "Hua Hong",
        "tesla_shanghai": "Tesla Shanghai",
    }
    return known.get(name, name.replace("_", " ").title())
