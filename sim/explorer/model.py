"""ExplorerModel: the recovery model with the explorer's controls as keyword parameters."""

from __future__ import annotations

from pathlib import Path

from sim.explorer.controls import control_overrides
from sim.model import DEFAULT_SCENARIO, RecoveryModel
from sim.scenario_files import load_scenario, with_overrides

EXPLORE_SCALE = 20  # each simulated worker stands for 20: a day takes well under 0.2 s


class ExplorerModel(RecoveryModel):
    """The recovery model with the explorer's controls as keyword parameters.

    SolaraViz rebuilds the model as ``type(model)(**slider_values)`` on Reset, so every
    control is a named keyword here (no ``**kwargs`` and no ``scenario`` keyword, which
    SolaraViz would fill with a Mesa scenario); ``None`` keeps the scenario file's value.
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
        values = {
            "permit_capacity": permit_capacity,
            "processing_delay": processing_delay,
            "in_city_passes": in_city_passes,
            "inter_provincial_passes": inter_provincial_passes,
            "whitelist_priority": whitelist_priority,
            "test_interval": test_interval,
            "sealed_peak": sealed_peak,
        }
        changes = control_overrides(sc, values)
        if changes:
            sc = with_overrides(sc, changes, f"{scenario_file} (explorer controls)")
        super().__init__(sc, rng=seed)
        self.scenario_file = scenario_file
        self.changes = changes  # scenario keys the controls set
