"""The explorer's levers: slider values in real units, turned into scenario overrides.

A lever that holds a dated schedule (permit capacity, pass quotas, sealed compounds) is set
by its peak: the whole schedule is scaled so that its largest value equals the slider's,
keeping the scenario's dates and shape. Other levers set their key directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.model import DEFAULT_SCENARIO, RecoveryModel
from sim.scenario import Scenario, get_key, load_scenario, scale_value, with_overrides
from sim.schedule import schedule_values

EXPLORE_SCALE = 20  # each simulated worker stands for 20: interactive on a laptop core


@dataclass(frozen=True)
class Lever:
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
        """The lever's value in a scenario (a schedule's peak)."""
        value = get_key(sc.model_dump(mode="python"), self.key)
        if self.peak:
            return max(schedule_values(value))
        return bool(value) if self.flag else value

    def override(self, sc: Scenario, value: Any) -> Any:
        """The scenario value that puts this lever at ``value``."""
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
            "type": kind, "label": self.label, "value": cast(value),
            "min": cast(min(self.lo, value)), "max": cast(max(self.hi, value)), "step": step,
        }


LEVERS = (
    Lever("permit_capacity", "permits.daily_capacity", "Permits/day, peak", 100, 150_000,
          peak=True),
    Lever("processing_delay", "permits.processing_delay_days", "Permit delay, days", 0, 10),
    Lever("in_city_passes", "passes.daily_quota.in_city", "In-city passes/day, peak",
          10, 20_000, peak=True),
    Lever("inter_provincial_passes", "passes.daily_quota.inter_provincial",
          "Inter-prov. passes/day, peak", 10, 30_000, peak=True),
    Lever("whitelist_priority", "policy.whitelist.priority", "White-list priority",
          flag=True),
    Lever("test_interval", "workforce.test_interval_days", "Test interval, days", 1, 7),
    Lever("sealed_peak", "zoning.sealed", "Sealed compounds, peak share", 0.0, 1.0,
          peak=True, share=True),
)


def lever_overrides(sc: Scenario, values: dict[str, Any]) -> dict[str, Any]:
    """Scenario overrides for the levers given (None keeps the scenario's value)."""
    by_name = {lever.name: lever for lever in LEVERS}
    return {
        by_name[name].key: by_name[name].override(sc, value)
        for name, value in values.items()
        if value is not None
    }


class ExplorerModel(RecoveryModel):
    """The recovery model with the explorer's levers as keyword parameters.

    SolaraViz rebuilds the model as ``ExplorerModel(**slider_values)`` on Reset, so every
    lever is a named keyword here; ``None`` keeps the scenario file's value.
    """

    def __init__(
        self,
        *,
        scenario_file: str = str(DEFAULT_SCENARIO),
        scale: int = EXPLORE_SCALE,
        seed: int | None = None,
        permit_capacity: float | None = None,
        processing_delay: int | None = None,
        in_city_passes: float | None = None,
        inter_provincial_passes: float | None = None,
        whitelist_priority: bool | None = None,
        test_interval: int | None = None,
        sealed_peak: float | None = None,
    ) -> None:
        sc = load_scenario(Path(scenario_file), {"scale": scale})
        levers = {
            "permit_capacity": permit_capacity, "processing_delay": processing_delay,
            "in_city_passes": in_city_passes, "inter_provincial_passes": inter_provincial_passes,
            "whitelist_priority": whitelist_priority, "test_interval": test_interval,
            "sealed_peak": sealed_peak,
        }
        changes = lever_overrides(sc, levers)
        if changes:
            sc = with_overrides(sc, changes, f"{scenario_file} (explorer levers)")
        super().__init__(sc, rng=seed)
        self.scenario_file = scenario_file
        self.lever_changes = changes
