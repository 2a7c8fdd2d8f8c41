"""Reliability v2 (issue 15), scenario input: one rule for schedules, strict numbers and
dates, and one line (exit 2, no traceback, no hang) for files and values that used to crash."""

import os

import pytest
from click.testing import CliRunner

from run import cli
from tests.cli_helpers import capped, dry_run_sweep, error_line, invoke, one_error
from tests.conftest import ROOT, SMALL

BASE = ROOT / "scenarios" / "shanghai_2022.yaml"


# ---------------------------------------------------------------- row 3: one schedule rule


@pytest.mark.parametrize("key", ['"2022-06-01"', "2022-06-01"])
def test_a_variants_schedule_replaces_the_bases_whatever_the_key_type(tmp_path, key):
    path = tmp_path / "v.yaml"
    path.write_text(f"base: {BASE}\npermits:\n  daily_capacity: {{{key}: 500}}\n")
    result = invoke("validate", path)
    assert result.exit_code == 0, result.output
    rows = [
        r.rstrip() for r in result.output.splitlines() if r.startswith("permits.daily_capacity[")
    ]
    assert any("[2022-06-01]" in r and r.endswith("500") for r in rows), result.output
    assert all(r.endswith("(absent)") for r in rows if "[2022-06-01]" not in r), result.output


def test_integer_schedule_keys_are_named_not_the_base_dates(tmp_path):
    path = tmp_path / "v.yaml"
    path.write_text(f"base: {BASE}\npermits:\n  daily_capacity: {{20220601: 500}}\n")
    line = error_line(invoke("validate", path))
    assert "permits.daily_capacity" in line and "schedule key 20220601 is not a date" in line
    assert "unsorted" not in line


# ---------------------------------------------------------------- row 4: strict numbers, dates


@pytest.mark.parametrize(
    "override, expected",
    [
        ("permits.daily_capacity=.nan", "expected a finite number, got nan"),
        ("permits.daily_capacity={2022-06-01: .nan}", "must be a finite number, got nan"),
        ("zoning.sealed={2022-04-01: .inf}", "must be a finite number, got inf"),
        ("scale=.inf", "scale: expected a finite number, got inf"),
        ("permits.processing_delay_days=true", "expected a number, got a boolean"),
        ("economy.firms=true", "economy.firms: expected a number, got a boolean"),
        ("start_date=1646092800", "start_date: expected a date (YYYY-MM-DD), got 1646092800"),
        ("economy.firms=1000000000000000000000", "economy.firms: expected an integer below 2**53"),
        ("seed=-1", "seed: expected"),
    ],
)
def test_bad_values_are_one_line(override, expected):
    line = error_line(invoke("validate", SMALL, "--set", override))
    assert expected in line, line


def test_1e3_is_a_number_in_set_and_grid(tmp_path):
    result = invoke("validate", SMALL, "--set", "permits.daily_capacity=1e3")
    assert result.exit_code == 0, result.output
    result = dry_run_sweep(
        tmp_path / "s", "--grid", "permits.daily_capacity=1e3,2e3", "--set", "end_date=2022-03-10"
    )
    assert result.exit_code == 0, result.output
    assert "2 points" in result.output


def test_a_sweep_over_dates(tmp_path):
    result = dry_run_sweep(
        tmp_path / "s",
        "--grid",
        "policy.reopening=2022-05-20,2022-06-01",
        "--set",
        "end_date=2022-03-10",
    )
    assert result.exit_code == 0, result.output
    assert "policy.reopening=2022-05-20" in result.output


def test_negative_seed_on_the_command_line_is_one_line(tmp_path):
    result = CliRunner().invoke(
        cli, ["run", str(SMALL), "--seed", "-3", "--out", str(tmp_path / "r")]
    )
    assert "--seed: expected a non-negative integer, got -3" in error_line(result)


# ---------------------------------------------------------------- files that crashed or hung


def test_deep_nesting_is_refused_before_parsing(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "nested more than" in error_line(invoke("validate", path))


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"description: caf\xe9\n", "is not UTF-8 text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is not UTF-8 text"),
        (b"a: 1\n\x00\x00\x00", "holds NUL bytes"),
    ],
)
def test_non_utf8_or_binary_base_files(tmp_path, content, expected):
    (tmp_path / "bad.yaml").write_bytes(content)
    path = tmp_path / "child.yaml"
    path.write_text("base: bad.yaml\n")
    assert expected in error_line(invoke("validate", path))


def test_a_fifo_as_the_scenario_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    assert "is not a regular file" in one_error(capped("validate", fifo))


def test_dev_urandom_as_base_is_refused(tmp_path):
    path = tmp_path / "child.yaml"
    path.write_text("base: /dev/urandom\n")
    assert "is not a regular file" in one_error(capped("validate", path))


def test_a_huge_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.yaml"
    with open(path, "wb") as f:
        f.truncate(20_000_000)
    assert "may have at most" in error_line(invoke("validate", path))


@pytest.mark.parametrize("out", ["/dev/full", "/dev/null", "/dev/full/r", "/dev/null/r"])
def test_out_on_a_device_is_one_line(out):
    result = CliRunner().invoke(
        cli, ["run", str(SMALL), "--set", "end_date=2022-03-05", "--out", out, "--no-charts"]
    )
    line = error_line(result)
    assert "is not a results folder" in line or "is not a folder" in line


def test_a_full_disk_while_writing_is_one_line(tmp_path):
    """A file-size limit makes the Parquet and PNG writers fail as a full disk does."""
    out = tmp_path / "r"
    done = capped("run", SMALL, "--set", "end_date=2022-03-20", "--out", out, fsize=20_000)
    line = one_error(done)
    assert "cannot write" in line
    assert not out.exists() and not list(tmp_path.glob(".r.*"))
