"""Start the explorer's Solara server for one scenario on a host and port."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from sim.errors import FugongError
from sim.explorer.model import EXPLORE_SCALE
from sim.model import DEFAULT_SCENARIO
from sim.scenario_files import load_scenario

APP = "sim.explorer.app:Page"
ENV = "FUGONG_EXPLORE_"


@dataclass(frozen=True)
class Settings:
    scenario_file: str
    scale: int
    seed: int | None
    render_interval: int

    @classmethod
    def from_env(cls) -> Settings:
        seed = os.environ.get(ENV + "SEED")
        return cls(
            scenario_file=os.environ.get(ENV + "SCENARIO", str(DEFAULT_SCENARIO)),
            scale=int(os.environ.get(ENV + "SCALE", EXPLORE_SCALE)),
            seed=int(seed) if seed else None,
            render_interval=int(os.environ.get(ENV + "RENDER_INTERVAL", 1)),
        )

    def to_env(self) -> dict[str, str]:
        env = {
            ENV + "SCENARIO": self.scenario_file,
            ENV + "SCALE": str(self.scale),
            ENV + "RENDER_INTERVAL": str(self.render_interval),
        }
        if self.seed is not None:
            env[ENV + "SEED"] = str(self.seed)
        return env


def serve(
    scenario: Path, host: str, port: int, *, scale: int, seed: int | None, render_interval: int
) -> None:
    """Check the scenario, then serve the page until interrupted (blocks)."""
    missing = [m for m in ("solara", "altair") if importlib.util.find_spec(m) is None]
    if missing:
        raise FugongError(
            f"fugong explore needs the 'explore' extra ({', '.join(missing)} not installed): "
            "pip install -e '.[explore]'"
        )
    load_scenario(scenario, {"scale": scale})  # a bad file fails here, with its one-line error
    settings = Settings(str(Path(scenario).resolve()), scale, seed, render_interval)
    os.environ.update(settings.to_env())
    # no usage telemetry and no version check: the page talks to this machine only
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "false"
    from solara.__main__ import run

    run.main(
        [
            APP,
            "--host",
            host,
            "--port",
            str(port),
            "--production",
            "--no-open",
            "--no-check-version",
            "--log-level-uvicorn",
            "warning",
        ],
        standalone_mode=False,
    )
