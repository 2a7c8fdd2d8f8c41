"""The compiled workforce kernels give the numpy rules' results, worker by worker, day by day.

``sim/agents/worker_kernels.py`` fuses the lockdown day into one or two numba passes per firm;
``FUGONG_KERNEL=numpy`` forces the numpy rules. Two models of the same scenario and seed, one
on each path, are stepped side by side and every worker column and per-firm count must be
identical on every day, through lockdown, white-list batches, rotation, the centralized
return, staff leaving the city and reopening. Skipped when numba is not installed.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.agents.kernel_choice import use_kernels
from sim.model import RecoveryModel

pytest.importorskip("numba")

WORKER = (
    "on_site",
    "in_loop",
    "gate",
    "permit",
    "applied_day",
    "issued_day",
    "last_test",
    "prev_test",
    "loop_since",
    "isolated_until",
    "away",
)
FIRM = ("present", "kept_home", "loop_count", "applied_count", "issued_count", "transferred_count")


def model_on(path: str, monkeypatch, scenario, **overrides) -> RecoveryModel:
    monkeypatch.setenv("FUGONG_KERNEL", path)
    model = RecoveryModel(scenario, rng=11, **overrides)
    assert model.workforce.compiled == (path == "numba")
    return model


def test_auto_picks_the_kernels_only_for_a_large_workforce(monkeypatch):
    monkeypatch.setenv("FUGONG_KERNEL", "auto")
    assert not use_kernels(10_000)
    assert use_kernels(2_000_000)
    monkeypatch.setenv("FUGONG_KERNEL", "numpy")
    assert not use_kernels(2_000_000)


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"workforce__rotation_days": 7},
        {"labour__left_city_share": 0.6, "labour__return_rate": 0.1},
        {"workforce__test_access": 0.5, "epidemic__closed_loop_risk": 0.5},
    ],
    ids=["default", "rotation", "away", "missed-tests"],
)
def test_compiled_days_equal_numpy_days(small_scenario, monkeypatch, overrides):
    fast = model_on("numba", monkeypatch, small_scenario, **overrides)
    slow = model_on("numpy", monkeypatch, small_scenario, **overrides)
    regime_days = 0
    while fast.running:
        fast.step()
        slow.step()
        regime_days += bool(fast.calendar.regime.any())
        for name in WORKER + FIRM:
            got, want = getattr(fast.workforce, name), getattr(slow.workforce, name)
            assert np.array_equal(got, want), f"day {fast.today}: {name}"
    assert regime_days > 30  # the lockdown branch ran, not only open days
    assert fast.workforce.transferred_count.sum() > 0  # the centralized return moved staff
    a = fast.recorder.tidy(fast.calendar.dates)
    b = slow.recorder.tidy(slow.calendar.dates)
    assert a.equals(b)


def test_kernel_choice_is_checked(monkeypatch):
    monkeypatch.setenv("FUGONG_KERNEL", "fortran")
    with pytest.raises(ValueError, match="FUGONG_KERNEL"):
        use_kernels(10)
