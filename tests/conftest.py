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


@pytest.fixture(scope="session")
def small_results(tmp_path_factory):
    """A results folder of the small scenario (2 replicates to 20 May, no charts); copy it
    before writing into it."""
    from sim.run_folder import run_scenario

    out = tmp_path_factory.mktemp("small_results") / "small"
    run_scenario(
        SMALL,
        replicates=2,
        out=out,
        jobs=1,
        charts=False,
        overrides=["end_date=2022-05-20", "scale=400"],
    )
    return out
