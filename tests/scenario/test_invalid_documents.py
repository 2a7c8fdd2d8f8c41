"""Random invalid scenario, sweep and targets documents (wrong types, NaN, inf, negatives,
bad dates, unknown keys at random depths) all end in one line and exit 2, never a traceback.
Derandomized: the same examples on every run."""

import math
from datetime import date

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from run import cli
from tests.conftest import SMALL

SETTINGS = settings(
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
NAN, INF = math.nan, math.inf
D = date(2022, 4, 20)

POSITIVE = [
    "economy.firms",
    "economy.workers",
    "scale",
    "permits.processing_delay_days",
    "workforce.test_interval_days",
    "production.tau",
    "red_yellow.daily_cases",
]
SHARES = [
    "workforce.test_access",
    "zoning.churn",
    "demand.backlog_share",
    "chains.automobile.min_crew",
]
SCHEDULES = [
    "permits.daily_capacity",
    "passes.daily_quota.in_city",
    "zoning.sealed",
    "logistics.driver_availability.in_city",
]
DATES = [
    "start_date",
    "end_date",
    "policy.reopening",
    "red_yellow.opens",
    "logistics.transfer_stations.opens",
]
SECTIONS = [
    "",
    "permits",
    "economy",
    "logistics.transfer_stations",
    "production",
    "chains.automobile",
    "districts.Pudong",
]

bad_number = st.sampled_from([NAN, INF, -INF, True, False, "abc", None, [1], -5, 10**25])
bad_share = st.sampled_from([NAN, INF, 1.5, -0.1, True, "x", 10**30])
bad_schedule = st.sampled_from(
    [
        {D: NAN},
        {D: INF},
        {D: -1},
        {20220601: 5},
        {"2022-13-01": 5},
        {D: True},
        {},
        "fast",
        True,
        NAN,
        {D: "x"},
    ]
)
bad_date = st.sampled_from(
    [1646092800, "2022-13-01", "2022-02-30", "yesterday", True, 3.5, "2022-03-01T10:00:00"]
)
unknown = st.sampled_from(["zz_unknown", "daily_capacty", "seeds", "firm"])


def nested(path: str, value) -> dict:
    out = value
    for part in reversed(path.split(".")):
        out = {part: out}
    return out


def invalid_scenario():
    return st.one_of(
        st.tuples(st.sampled_from(POSITIVE), bad_number),
        st.tuples(st.sampled_from(SHARES), bad_share),
        st.tuples(st.sampled_from(SCHEDULES), bad_schedule),
        st.tuples(st.sampled_from(DATES), bad_date),
        st.tuples(st.sampled_from(SECTIONS), unknown).map(
            lambda t: (f"{t[0]}.{t[1]}".strip("."), 1)
        ),
    )


def assert_one_line(result) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output, result.output
    lines = [s for s in result.output.splitlines() if s.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output


def dump(path, data) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


@SETTINGS
@given(case=invalid_scenario())
def test_random_invalid_scenarios_are_one_line(tmp_path, case):
    key, value = case
    path = tmp_path / "bad.yaml"
    dump(path, {"base": str(SMALL), **nested(key, value)})
    assert_one_line(CliRunner().invoke(cli, ["validate", str(path)]))


SWEEP_CASES = st.one_of(
    st.tuples(st.just("replicates"), st.sampled_from([0, -1, True, NAN, "x", 10**30])),
    st.tuples(st.just("seed"), st.sampled_from([-1, True, NAN, "x", 2.5])),
    st.tuples(st.just("design"), st.sampled_from(["foo", 1, True])),
    st.tuples(
        st.just("parameters"),
        st.sampled_from(
            [
                {"permits.daily_capacity": {"values": [NAN]}},
                {"permits.daily_capacity": {"values": [INF], "scale_schedule": True}},
                {"permits.daily_capacity": {"range": {"lo": NAN, "hi": 1, "n": 2}}},
                {"permits.daily_capacity": {"range": {"lo": 2, "hi": 1, "n": 2}}},
                {"permits.daily_capacity": {"range": {"lo": 1, "hi": INF, "n": 2}}},
                {"permits.daily_capacity": {"values": [True], "scale_schedule": True}},
                {"permits.daily_capacity": {"values": []}},
                {"permits.daily_capacity": {"valuez": [1]}},
                {"no.such.key": {"values": [1, 2]}},
            ]
        ),
    ),
    st.tuples(unknown, st.just(1)),
)


@SETTINGS
@given(case=SWEEP_CASES)
def test_random_invalid_sweeps_are_one_line(tmp_path, case):
    key, value = case
    doc = {
        "name": "bad",
        "base": str(SMALL),
        "overrides": {"end_date": "2022-03-05"},
        "parameters": {"permits.daily_capacity": {"values": [1, 2], "scale_schedule": True}},
    }
    doc[key] = value
    path = tmp_path / "sweep.yaml"
    dump(path, doc)
    result = CliRunner().invoke(
        cli, ["sweep", str(path), "--dry-run", "--out", str(tmp_path / "out")]
    )
    assert_one_line(result)


TARGET_CASES = st.one_of(
    st.tuples(st.just("value"), st.sampled_from([NAN, INF, True, "x", None])),
    st.tuples(st.just("date"), bad_date),
    st.tuples(st.just("bound"), st.sampled_from(["==", 1, True])),
    st.tuples(st.just("tolerance"), st.sampled_from([-1, 0, NAN, INF, True])),
    st.tuples(st.just("weight"), st.sampled_from([-1, NAN, INF, True, "heavy"])),
    st.tuples(st.just("metric"), st.sampled_from(["nope", 3, True])),
    st.tuples(st.just("group"), st.sampled_from(["bad group", "chain:", 4])),
    st.tuples(unknown, st.just(1)),
)


@SETTINGS
@given(case=TARGET_CASES)
def test_random_invalid_targets_are_one_line(tmp_path, case):
    key, value = case
    target = {
        "name": "t",
        "date": D,
        "metric": "output_index",
        "group": "all",
        "value": 0.8,
        "bound": "~",
        "tolerance": 0.05,
    }
    target[key] = value
    path = tmp_path / "targets.yaml"
    dump(path, {"targets": [target]})
    result = CliRunner().invoke(cli, ["fit", str(tmp_path / "none"), "--targets", str(path)])
    assert_one_line(result)
