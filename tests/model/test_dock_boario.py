"""fugong's engine with the ARIO rules against BoARIO itself (needs the ``dock`` extra)."""

import warnings

import numpy as np
import pytest

pytest.importorskip("boario")
pymrio = pytest.importorskip("pymrio")

from benchmarks.dock_boario import dock, one_region  # noqa: E402
from sim.io_scenario import CapacityShockParams  # noqa: E402
from sim.io_table import from_pymrio  # noqa: E402


@pytest.fixture(scope="module")
def table():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return from_pymrio(pymrio.load_test().calc_all())


def test_one_region_table_reproduces_boario(table, tmp_path):
    shock = CapacityShockParams(
        region="all",
        sector="manufactoring",
        loss=0.5,
        start_day=5,
        duration_days=30,
        recovery_days=60,
    )
    curves, rows = dock(one_region(table), shock, 120, 1, tmp_path)
    diff = np.abs(curves["fugong, ARIO rules"] - curves["BoARIO ARIOPsiModel"]).max()
    assert diff < 1e-5
    assert abs(rows[1]["total vs BoARIO"]) < 1e-4


def test_multi_region_total_loss_within_ten_percent(table, tmp_path):
    shock = CapacityShockParams(
        region="reg2",
        sector="manufactoring",
        loss=0.5,
        start_day=5,
        duration_days=30,
        recovery_days=60,
    )
    _, rows = dock(table, shock, 180, 1, tmp_path)
    assert abs(rows[1]["total vs BoARIO"]) < 0.10
