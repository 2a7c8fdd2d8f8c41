"""Reliability v2 (issue 15), in one process through the CLI: --force only replaces folders
fugong wrote, resume checks every stored run, duplicate sweep points, --jobs beyond the
cores, memory checks for sweeps and calibrations, rerun checks its manifest, calibration
targets that cannot be scored."""

import json
import shutil

import pandas as pd
import pytest

from tests.cli_helpers import capped, error_line, invoke, one_error
from tests.conftest import ROOT, SMALL

SHORT = ["--set", "end_date=2022-03-12"]
SWEEP = [
    "sweep",
    "--scenario",
    str(SMALL),
    "--grid",
    "permits.daily_capacity=x1,x2",
    *SHORT,
    "--jobs",
    "1",
]
TARGETS = ROOT / "data" / "targets" / "shanghai_2022.yaml"


def warnings_of(result) -> list[str]:
    """Warnings other than the short test window's (schedules starting after it)."""
    return [
        s
        for s in result.output.splitlines()
        if s.startswith("warning: ") and "start after the run window" not in s
    ]


@pytest.fixture(scope="module")
def done_sweep(tmp_path_factory):
    """A finished two-point sweep (copied by tests that damage it)."""
    out = tmp_path_factory.mktemp("done") / "sweep"
    result = invoke(*SWEEP, "--out", out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def done_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("done") / "run"
    result = invoke("run", SMALL, *SHORT, "--out", out, "--no-charts")
    assert result.exit_code == 0, result.output
    return out


def copy(folder, tmp_path):
    target = tmp_path / folder.name
    shutil.copytree(folder, target)
    return target


# ---------------------------------------------------------------- row 2: --force


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_force_refuses_a_folder_fugong_did_not_write(tmp_path, command):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my own work")
    args = [*SWEEP] if command == "sweep" else ["run", SMALL, *SHORT, "--no-charts"]
    line = error_line(invoke(*args, "--out", out, "--force"))
    assert "only a results folder fugong wrote" in line and str(out) in line
    assert (out / "notes.txt").read_text() == "my own work"


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_force_refuses_a_plain_file_and_leaves_nothing_behind(tmp_path, command):
    out = tmp_path / "file.txt"
    out.write_text("data")
    args = [*SWEEP] if command == "sweep" else ["run", SMALL, *SHORT, "--no-charts"]
    line = error_line(invoke(*args, "--out", out, "--force"))
    assert "is not a results folder" in line
    assert out.read_text() == "data"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def test_force_replaces_a_fugong_run_folder_without_leftovers(done_run, tmp_path):
    out = copy(done_run, tmp_path)
    (out / "stale.txt").write_text("from before")
    result = invoke("run", SMALL, *SHORT, "--out", out, "--no-charts", "--force")
    assert result.exit_code == 0, result.output
    assert not (out / "stale.txt").exists() and (out / "manifest.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]  # no .old-, .partial-, lock


# ---------------------------------------------------------------- row 7: resume verifies


def test_resume_reruns_a_truncated_run_file_and_says_so(done_sweep, tmp_path):
    out = copy(done_sweep, tmp_path)
    bad = out / "runs" / "p0001_r000.parquet"
    bad.write_bytes(bad.read_bytes()[:500])
    result = invoke(*SWEEP, "--out", out, "--resume")
    assert result.exit_code == 0, result.output
    (warning,) = warnings_of(result)
    assert "1 stored run(s) are bad and will be run again" in warning
    assert "p0001_r000 (unreadable" in warning
    assert "1 runs computed" in result.output
    assert len(list((out / "rejected").iterdir())) == 1
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 2 and (runs.status == "ok").all()
    # the recomputed run equals the original (same seed)
    original = pd.read_parquet(done_sweep / "runs" / "p0001_r000.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(bad), original)


def test_resume_rejects_a_run_file_of_another_sweep(done_sweep, tmp_path):
    other = tmp_path / "other"
    result = invoke(
        "sweep",
        "--scenario",
        SMALL,
        "--grid",
        "permits.daily_capacity=x3,x4",
        *SHORT,
        "--jobs",
        "1",
        "--out",
        other,
    )
    assert result.exit_code == 0, result.output
    out = copy(done_sweep, tmp_path)
    shutil.copy(other / "runs" / "p0000_r000.parquet", out / "runs" / "p0000_r000.parquet")
    result = invoke(*SWEEP, "--out", out, "--resume")
    assert result.exit_code == 0, result.output
    (warning,) = warnings_of(result)
    assert "p0000_r000 (written by a different sweep)" in warning
    fingerprint = json.loads((out / "manifest.json").read_text())["fingerprint"]
    import pyarrow.parquet as pq

    for path in (out / "runs").glob("p*.parquet"):
        meta = json.loads(pq.read_schema(path).metadata[b"fugong.run"])
        assert meta["fingerprint"] == fingerprint


def test_resume_of_a_sound_folder_computes_nothing(done_sweep, tmp_path):
    out = copy(done_sweep, tmp_path)
    result = invoke(*SWEEP, "--out", out, "--resume")
    assert result.exit_code == 0, result.output
    assert not warnings_of(result) and "0 runs computed" in result.output


# ---------------------------------------------------------------- row 9: points, jobs, memory


def test_duplicate_sweep_levels_run_once_with_a_warning(tmp_path):
    result = invoke(
        "sweep",
        "--scenario",
        SMALL,
        "--grid",
        "permits.daily_capacity=1000,1000.0",
        *SHORT,
        "--out",
        tmp_path / "s",
        "--dry-run",
    )
    assert result.exit_code == 0, result.output
    (warning,) = warnings_of(result)
    assert "parameters.permits.daily_capacity: duplicate value(s) [1000.0] dropped" in warning
    assert "1 points x 1 replicates = 1 runs" in result.output


def test_duplicate_levels_with_a_reference_can_be_satisfied(tmp_path):
    sweep = tmp_path / "dup.yaml"
    sweep.write_text(
        f"name: dup\nbase: {SMALL}\noverrides: {{end_date: 2022-03-12}}\n"
        "parameters:\n"
        "  permits.daily_capacity: {values: [1, 1.0, 2], scale_schedule: true}\n"
        "reference: {permits.daily_capacity: 1}\n"
    )
    result = invoke("sweep", sweep, "--out", tmp_path / "s", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "2 points x 1 replicates" in result.output and len(warnings_of(result)) == 1


def test_jobs_beyond_the_cores_are_capped_with_a_message(tmp_path):
    from sim.executors import available_cores

    cores = available_cores()
    result = invoke(
        "sweep",
        "--scenario",
        SMALL,
        "--grid",
        "permits.daily_capacity=x1",
        *SHORT,
        "--jobs",
        "1000",
        "--out",
        tmp_path / "s",
    )
    assert result.exit_code == 0, result.output
    assert (
        f"warning: --jobs 1000 is more than the {cores} core(s) available; using {cores}"
        in result.output
    )
    assert f"{cores} workers" in result.output and "1000 workers" not in result.output


def test_a_sweep_too_big_for_memory_stops_before_running(tmp_path):
    done = capped(
        "sweep",
        "--scenario",
        SMALL,
        "--grid",
        "scale=200,1",
        "--set",
        "economy.workers=200000000",
        *SHORT,
        "--jobs",
        "1",
        "--out",
        tmp_path / "s",
        timeout=300,
    )
    line = one_error(done)
    assert "this sweep needs about" in line and "raise `scale`" in line
    assert not (tmp_path / "s").exists()


def test_a_calibration_too_big_for_memory_stops_before_the_search(tmp_path):
    done = capped(
        "calibrate",
        SMALL,
        "--targets",
        TARGETS,
        "--param",
        "permits.daily_capacity=0.5:2",
        "--set",
        "economy.workers=1000000000",
        "--set",
        "scale=1",
        "--jobs",
        "1",
        "--out",
        tmp_path / "c",
        timeout=300,
    )
    assert "this calibration needs about" in one_error(done)
    assert not (tmp_path / "c").exists()


# ---------------------------------------------------------------- row 5: unscorable targets


def test_calibration_refuses_targets_it_cannot_score_naming_each(tmp_path):
    targets = tmp_path / "t.yaml"
    targets.write_text(
        "targets:\n"
        "  - {name: ok, date: 2022-03-10, metric: output_index, group: all, value: 1,"
        " bound: '>='}\n"
        "  - {name: late, date: 2022-09-01, metric: output_index, group: all, value: 1,"
        " bound: '>='}\n"
        "  - {name: nogroup, date: 2022-03-10, metric: output_index, group: firm:nobody,"
        " value: 1, bound: '>='}\n"
    )
    out = tmp_path / "cal"
    line = error_line(
        invoke(
            "calibrate",
            SMALL,
            "--targets",
            targets,
            "--param",
            "permits.daily_capacity=0.5:2",
            *SHORT,
            "--trials",
            "1",
            "-r",
            "1",
            "--jobs",
            "1",
            "--out",
            out,
        )
    )
    assert "2 target(s) cannot be scored" in line
    assert "late (2022-09-01 is outside the run, 2022-03-01..2022-03-12)" in line
    assert "nogroup (group 'firm:nobody' does not exist in this scenario)" in line
    assert not (out / "calibrated.yaml").exists()


# ---------------------------------------------------------------- row 10: rerun checks


def _manifest(done_run, tmp_path, edit):
    data = json.loads((done_run / "manifest.json").read_text())
    edit(data)
    path = copy(done_run, tmp_path) / "manifest.json"  # next to its results, as rerun expects
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("field", ["scenario_hash", "scenario_file", "seed", "resolved_scenario"])
def test_rerun_of_a_manifest_missing_a_field_is_one_line(done_run, tmp_path, field):
    path = _manifest(done_run, tmp_path, lambda d: d.pop(field))
    line = error_line(invoke("rerun", path, "--out", tmp_path / "again"))
    assert f"not a complete fugong run manifest: {field}: missing" in line


@pytest.mark.parametrize("text", ["[1, 2]", "{not json", '{"seed": NaN}', ""])
def test_rerun_of_a_malformed_manifest_is_one_line(tmp_path, text):
    path = tmp_path / "manifest.json"
    path.write_text(text)
    line = error_line(invoke("rerun", path, "--out", tmp_path / "again"))
    assert "not a fugong run manifest" in line


def test_rerun_refuses_edited_replicate_seeds(done_run, tmp_path):
    path = _manifest(done_run, tmp_path, lambda d: d.update(replicate_seeds=[12345]))
    line = error_line(invoke("rerun", path, "--out", tmp_path / "again"))
    assert "replicate_seeds [12345] are not what seed" in line
    assert not (tmp_path / "again").exists()


def test_rerun_warns_when_versions_or_commit_differ(done_run, tmp_path):
    def edit(d):
        d["versions"]["numpy"] = "0.0.1"
        d["git_commit"] = "0" * 40

    path = _manifest(done_run, tmp_path, edit)
    result = invoke("rerun", path, "--out", tmp_path / "again")
    assert result.exit_code == 0, result.output
    found = warnings_of(result)
    assert any("versions differ" in w and "numpy 0.0.1 ->" in w for w in found), found
    assert any("git commit 0000000000" in w for w in found) or result.output.count("git") == 0


def test_out_under_missing_folders_creates_them(tmp_path):
    """A fresh clone has no results/ folder: the run creates the missing parents."""
    out = tmp_path / "results" / "deeper" / "run"
    result = invoke("run", SMALL, *SHORT, "--no-charts", "--quiet", "--out", out)
    assert result.exit_code == 0, result.output
    assert (out / "manifest.json").is_file()
