"""Calibration recovers known parameters from targets the model itself produced."""

from pathlib import Path

import pytest
import yaml

from sim.calibrate import Calibration
from sim.calibration_levers import apply_levers
from sim.errors import FugongError
from sim.executors import SerialExecutor
from sim.levers import parse_levers
from sim.replicates import replicate_seed, run_replicate
from sim.targets import Target, load_targets, simulated_values
from tests.conftest import ROOT, SMALL

TRUE = {"permits.daily_capacity": 1.6, "permits.processing_delay_days": 3}
TOLERANCE = {"permits.daily_capacity": 0.1, "permits.processing_delay_days": 0.0}  # relative
LEVERS = ["permits.daily_capacity=0.5:3", "permits.processing_delay_days=0:8"]
SEED = 4


def synthetic_targets(tmp_path: Path, small_scenario) -> Path:
    levers = parse_levers(LEVERS, small_scenario)
    truth = apply_levers(small_scenario, levers, TRUE)
    ts = run_replicate(truth, 0, replicate_seed(SEED, 0)).timeseries
    targets = []
    for day in ("2022-04-20", "2022-05-08"):
        for metric, group in (("permits_issued_cum", "all"), ("staff_on_site", "whitelist")):
            t = Target(
                name=f"{metric}_{day}",
                date=day,
                metric=metric,
                group=group,
                value=1.0,
                bound="~",
                tolerance=1.0,
            )
            value = float(simulated_values(ts, t).mean())
            targets.append(
                {
                    "name": t.name,
                    "date": day,
                    "metric": metric,
                    "group": group,
                    "value": value,
                    "bound": "~",
                    "tolerance": 0.02 * value,
                }
            )
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump({"targets": targets}))
    return path


@pytest.mark.slow
def test_calibration_recovers_known_parameters(tmp_path, small_scenario):
    scenario = tmp_path / "short.yaml"
    scenario.write_text(f"base: {SMALL}\nend_date: 2022-05-10\n")
    targets = synthetic_targets(tmp_path, small_scenario)
    levers = parse_levers(LEVERS, small_scenario)
    cal = Calibration(
        scenario,
        targets,
        levers,
        trials=40,
        replicates=1,
        until=None,
        out=tmp_path / "cal",
        seed=SEED,
    )
    result = cal.run(SerialExecutor(), batch=8, progress=lambda _: None)
    best = result["summary"]["best_params"]
    for key, truth in TRUE.items():
        assert best[key] == pytest.approx(truth, rel=TOLERANCE[key]), (key, best)
    assert (tmp_path / "cal" / "calibrated.yaml").exists()
    assert (result["fit"].status == "mapped").all()


def test_targets_file_loads_and_every_target_maps():
    root = ROOT
    targets = load_targets(root / "data" / "targets" / "shanghai_2022.yaml")
    assert len(targets) >= 14
    assert all(t.mappable for t in targets)


def test_unknown_metric_in_targets_is_named(tmp_path):
    from sim.errors import ScenarioError

    path = tmp_path / "t.yaml"
    path.write_text(
        "targets:\n  - {name: a, date: 2022-04-30, metric: output_idx, group: all,"
        " value: 1, bound: '>='}\n"
    )
    with pytest.raises(ScenarioError) as err:
        load_targets(path)
    assert "targets.0" in str(err.value) and "output_idx" in str(err.value)


@pytest.mark.slow
def test_a_trial_with_invalid_parameters_fails_and_the_search_goes_on(tmp_path, small_scenario):
    scenario = tmp_path / "short.yaml"
    scenario.write_text(f"base: {SMALL}\nend_date: 2022-04-20\n")
    targets = tmp_path / "t.yaml"
    targets.write_text(
        "targets:\n  - {name: p, date: 2022-04-18, metric: permits_issued_cum, "
        "group: all, value: 1000, bound: '>='}\n"
    )
    # multipliers above 1/0.95 push a driver share above 1: those trials are invalid
    levers = parse_levers(["logistics.driver_availability.in_city=0.5:2.0"], small_scenario)
    cal = Calibration(
        scenario, targets, levers, trials=8, replicates=1, until=None, out=tmp_path / "cal", seed=1
    )
    result = cal.run(SerialExecutor(), batch=4, progress=lambda _: None)
    assert result["summary"]["failed_trials"] >= 1
    assert result["summary"]["best_params"]["logistics.driver_availability.in_city"] <= 1.06


def test_a_range_that_breaks_a_bound_is_rejected_before_the_search():
    from sim.calibration_levers import check_ranges
    from sim.scenario_files import load_scenario
    from tests.conftest import SMALL

    sc = load_scenario(SMALL)
    top = max(sc.zoning.sealed.values()) if isinstance(sc.zoning.sealed, dict) else sc.zoning.sealed
    with pytest.raises(FugongError, match=r"zoning.sealed.*valid range is 0.5 to") as err:
        check_ranges(sc, parse_levers(["zoning.sealed=0.5:1.5"], sc))
    edge = float(str(err.value).rsplit(":", 1)[1])
    assert edge * top <= 1.0 < (edge + 0.002) * top  # the widest valid multiplier
    check_ranges(sc, parse_levers([f"zoning.sealed=0.5:{edge}"], sc))  # accepted


def test_calibrated_values_are_rounded():
    from sim.calibrated_file import _rounded

    assert _rounded({"2022-04-16": 33879.97666986835, "2022-05-01": 0.514861612864397}) == {
        "2022-04-16": 33880.0,
        "2022-05-01": 0.5149,
    }


def test_calibrated_yaml_passes_validate_with_a_schedule_and_a_list_item(tmp_path):
    """The file calibrate writes is a scenario: schedules with date keys, a list item's
    lever (centralized return) written as the whole list, which a child replaces."""
    from click.testing import CliRunner

    from run import cli
    from sim.scenario_files import load_scenario

    scenario = tmp_path / "short.yaml"
    scenario.write_text(f"base: {SMALL}\nend_date: 2022-04-20\n")
    targets = tmp_path / "t.yaml"
    targets.write_text(
        "targets:\n  - {name: p, date: 2022-04-18, metric: permits_issued_cum, "
        "group: all, value: 1000, bound: '>='}\n"
    )
    out = tmp_path / "cal"
    args = ["calibrate", str(scenario), "--targets", str(targets), "--trials", "2", "-r", "1"]
    args += ["--param", "permits.daily_capacity=0.5:2"]
    args += ["--param", "centralized_return.1.daily_staff=3000:30000", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    checked = CliRunner().invoke(cli, ["validate", str(out / "calibrated.yaml")])
    assert checked.exit_code == 0, checked.output
    base, fitted = load_scenario(scenario), load_scenario(out / "calibrated.yaml")
    assert len(fitted.centralized_return) == len(base.centralized_return)
    assert fitted.centralized_return[0] == base.centralized_return[0]  # kept whole
    assert 3000 <= fitted.centralized_return[1].daily_staff <= 30000
    assert fitted.permits.daily_capacity.keys() == base.permits.daily_capacity.keys()
