"""The explorer's controls: sliders and checkboxes in real units, as scenario overrides.

A control whose key holds a dated schedule (permit capacity, pass quotas, sealed compounds) is set
by its peak: the whole schedule is scaled so that its largest value equals the slider's,
keeping the scenario's dates and shape. Other controls set their key directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.keys import get_key, scale_value
from sim.scenario import Scenario
from sim.schedule import schedule_values


@dataclass(frozen=True)
class Control:
    """One slider or checkbox: the scenario key it sets and its range in real units."""

    name: str  # keyword of ExplorerModel
    key: str  # dotted scenario key
    label: str
    lo: float = 0
    hi: float = 1
    peak: bool = False  # a schedule set by its largest value
    share: bool = False  # a float slider in steps of 0.001 (others move in whole units)
    flag: bool = False  # a checkbox

    def value_in(self, sc: Scenario) -> Any:
        """The control's value in a scenario (a schedule's peak)."""
        value = get_key(sc.model_dump(mode="python"), self.key)
        if self.peak:
            return max(schedule_values(value))
        return bool(value) if self.flag else value

    def override(self, sc: Scenario, value: Any) -> Any:
        """The scenario value that puts this control at ``value``."""
        if self.flag:
            return bool(value)
        if not self.peak:
            return int(value)
        current = get_key(sc.model_dump(mode="python"), self.key)
        top = max(schedule_values(current))
        if top <= 0:
            return float(value)
        peak = float(value)  # the largest scaled value is exactly the peak (a share stays <= 1)
        return scale_value(current, peak / top, tidy=lambda v: min(round(v, 9), peak))

    def widget(self, sc: Scenario) -> dict[str, Any]:
        """SolaraViz ``model_params`` entry, starting at the scenario's value."""
        if self.flag:
            return {"type": "Checkbox", "value": self.value_in(sc), "label": self.label}
        # fine steps, so the scenario's own value sits on the slider's grid: a slider
        # snaps an off-grid value, which would change the model at the next Reset
        kind, cast, step = ("SliderFloat", float, 0.001) if self.share else ("SliderInt", int, 1)
        value = self.value_in(sc)
        return {
            "type": kind,
            "label": self.label,
            "value": cast(value),
            "min": cast(min(self.lo, value)),
            "max": cast(max(self.hi, value)),
            "step": step,
        }


CONTROLS = (
    Control(
        "permit_capacity", "permits.daily_capacity", "Permits/day, peak", 100, 150_000, peak=True
    ),
    Control("processing_delay", "permits.processing_delay_days", "Permit delay, days", 0, 10),
    Control(
        "in_city_passes",
        "passes.daily_quota.in_city",
        "In-city passes/day, peak",
        10,
        20_000,
        peak=True,
    ),
    Control(
        "inter_provincial_passes",
        "passes.daily_quota.inter_provincial",
        "Inter-prov. passes/day, peak",
        10,
        30_000,
        peak=True,
    ),
    Control("whitelist_priority", "policy.whitelist.priority", "White-list priority", flag=True),
    Control("test_interval", "workforce.test_interval_days", "Test interval, days", 1, 7),
    Control(
        "sealed_peak",
        "zoning.sealed",
        "Sealed compounds, peak share",
        0.0,
        1.0,
        peak=True,
        share=True,
    ),
)


def control_overrides(sc: Scenario, values: dict[str, Any]) -> dict[str, Any]:
    """Scenario overrides for the controls given (None keeps the scenario's value)."""
    by_name = {c.name: c for c in CONTROLS}
    return {
        by_name[name].key: by_name[name].override(sc, value)
        for name, value in values.items()
        if value is not None
    }
