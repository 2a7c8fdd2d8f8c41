"""Run-window checks (issue 15, row 6): schedules the window never reaches are named in a
warning, an implausibly long window is warned with an estimate, an absurd one refused."""

from click.testing import CliRunner

from run import cli
from tests.conftest import SMALL


def validate(*sets: str):
    args = ["validate", str(SMALL)]
    for s in sets:
        args += ["--set", s]
    return CliRunner().invoke(cli, args)


def warnings_of(result) -> list[str]:
    return [s for s in result.output.splitlines() if s.startswith("warning: ")]


def test_schedules_that_start_after_the_window_are_named_with_the_window():
    result = validate("end_date=2022-03-12")
    assert result.exit_code == 0, result.output
    late = [w for w in warnings_of(result) if "start after the run window" in w]
    assert len(late) == 1, result.output
    assert "2022-03-01..2022-03-12" in late[0]
    assert "permits.daily_capacity" in late[0]


def test_the_default_window_warns_about_nothing():
    result = validate()
    assert result.exit_code == 0, result.output
    assert not [w for w in warnings_of(result) if "run window" in w], result.output


def test_a_window_over_a_year_is_warned_with_an_estimate():
    result = validate("end_date=2023-06-30")
    assert result.exit_code == 0, result.output
    long = [w for w in warnings_of(result) if "487 days" in w]
    assert len(long) == 1, result.output
    assert "MB of timeseries" in long[0]


def test_a_window_of_a_century_is_refused_in_one_line():
    result = validate("end_date=2122-06-30")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = [s for s in result.output.splitlines() if s.strip() and not s.startswith("warning: ")]
    assert len(lines) == 1 and "end_date" in lines[0] and "at most 3660 days" in lines[0]
