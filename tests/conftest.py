from pathlib import Path

import pytest

from sim.model import RecoveryModel
from sim.scenario_files import load_scenario

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL = FIXTURES / "small.yaml"


@pytest.fixture(scope="session")
def small_scenario():
    return load_scenario(SMALL)


@pytest.fixture(scope="session")
def small_run(small_scenario):
    """One finished run of the small scenario (shared, read-only)."""
    return RecoveryModel(small_scenario, rng=7).run()
