"""Every kind of bad scenario input exits with code 2 and one readable line, no traceback."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from run import cli
from tests.conftest import ROOT

BASE = ROOT / "scenarios" / "shanghai_2022.yaml"
ANCHOR = (
    "{name: x, label: X, chain: %s, district: %s, staff: 10, output: 1, units: u, units_per_day: 1}"
)

CASES = {
    "unknown_key": (
        "permits:\n  daily_capacty: 5\n",
        ["permits.daily_capacty", "unknown key", "did you mean 'daily_capacity'"],
    ),
    "wrong_type": (
        "permits:\n  daily_capacity: fast\n",
        ["permits.daily_capacity", "expected a number or a {date: number} schedule", "'fast'"],
    ),
    "zero_capacity": (
        "permits:\n  daily_capacity: 0\n",
        ["permits.daily_capacity", "expected every value > 0, got 0"],
    ),
    "negative_capacity": (
        "passes:\n  daily_quota:\n    in_city: {2022-04-01: -5}\n",
        ["passes.daily_quota.in_city", "expected every value > 0, got -5"],
    ),
    "share_above_one": (
        "workforce:\n  test_access: 1.5\n",
        ["workforce.test_access", "between 0 and 1", "got 1.5"],
    ),
    "end_before_start": (
        "end_date: 2022-02-01\n",
        ["end_date", "expected a date after start_date (2022-03-01), got 2022-02-01"],
    ),
    "unsorted_schedule": (
        "permits:\n  daily_capacity: {2022-05-01: 5, 2022-04-01: 6}\n",
        ["permits.daily_capacity", "increasing order", "unsorted date 2022-04-01 after 2022-05-01"],
    ),
    "duplicate_schedule_date": (
        "permits:\n  daily_capacity:\n    2022-05-01: 5\n    2022-05-01: 6\n",
        ["line 5", "duplicate key '2022-05-01'"],
    ),
    "batch_too_big": (
        "policy:\n  whitelist:\n    batches:\n"
        "      - {approved: 2022-04-16, firms: 5000, chain_mix: {automobile: 1.0}}\n",
        ["policy.whitelist.batches.0.firms", "at most 920 firms of chain 'automobile'", "got 5000"],
    ),
    "unknown_chain": (
        f"anchors:\n  - {ANCHOR % ('automobil', 'Pudong')}\n",
        ["anchors.0.chain", "got 'automobil'", "did you mean 'automobile'"],
    ),
    "unknown_district": (
        f"anchors:\n  - {ANCHOR % ('automobile', 'Pudongg')}\n",
        ["anchors.0.district", "got 'Pudongg'", "did you mean 'Pudong'"],
    ),
    "impossible_date": ("start_date: 2022-13-01\n", ["month must be in 1..12"]),
}


def run_validate(path: Path, *extra: str):
    return CliRunner().invoke(cli, ["validate", str(path), *extra])


def assert_clean_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    for fragment in fragments:
        assert fragment in result.output, (fragment, result.output)


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_scenario_value(tmp_path, case):
    body, fragments = CASES[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(f"base: {BASE}\n{body}")
    assert_clean_error(run_validate(path), str(path.name), *fragments)


def test_missing_base(tmp_path):
    path = tmp_path / "child.yaml"
    path.write_text("base: nothere.yaml\n")
    assert_clean_error(run_validate(path), "child.yaml", "base", "'nothere.yaml' not found")


def test_base_cycle(tmp_path):
    (tmp_path / "a.yaml").write_text("base: b.yaml\n")
    (tmp_path / "b.yaml").write_text("base: a.yaml\n")
    assert_clean_error(
        run_validate(tmp_path / "a.yaml"), "inheritance cycle", "a.yaml -> b.yaml -> a.yaml"
    )


def test_yaml_syntax_error(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("start_date: [2022\n")
    assert_clean_error(run_validate(path), "s.yaml", "line 2", "YAML syntax error")


def test_empty_file(tmp_path):
    path = tmp_path / "e.yaml"
    path.write_text("")
    assert_clean_error(run_validate(path), "e.yaml", "file is empty")


def test_missing_file(tmp_path):
    assert_clean_error(run_validate(tmp_path / "nope.yaml"), "nope.yaml", "file not found")


@pytest.mark.parametrize("bad", ["permits.daily_capacity", "=5", "permits..x=1", "scale="])
def test_malformed_set(bad):
    assert_clean_error(run_validate(BASE, "--set", bad), "--set")


def test_set_with_a_bad_value_names_the_key():
    assert_clean_error(
        run_validate(BASE, "--set", "permits.daily_capacity=-1"),
        "--set",
        "permits.daily_capacity",
        "> 0",
    )


def test_debug_flag_shows_the_traceback(tmp_path):
    path = tmp_path / "e.yaml"
    path.write_text("")
    result = CliRunner().invoke(cli, ["--debug", "validate", str(path)])
    assert result.exit_code != 0
    assert result.exception is not None


def test_a_scenario_too_big_for_memory_stops_before_building(tmp_path):
    result = CliRunner().invoke(
        cli,
        [
            "run",
            str(BASE),
            "--set",
            "economy.workers=1000000000",
            "--out",
            str(tmp_path / "r"),
            "--no-charts",
        ],
    )
    assert_clean_error(result, "needs about", "GB", "raise `scale`")
    assert not (tmp_path / "r").exists()


def test_names_from_scenarios_cannot_become_paths():
    assert_clean_error(
        run_validate(BASE, "--set", "anchors.0.name=../../etc"),
        "anchors.0.name",
        "expected a name matching",
    )
