"""`fugong report`: one self-contained HTML file (charts inline, no external resource)."""

import re
import shutil

import pytest

from sim.diff import differences, flatten
from sim.errors import FugongError
from sim.report import kind_of, write_report


@pytest.fixture(scope="module")
def run_folder(small_results, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report") / "run"
    shutil.copytree(small_results, folder)
    return folder


def test_html_report_is_self_contained(run_folder):
    path = write_report(run_folder)
    text = path.read_text()
    assert path == run_folder / "report.html"
    for heading in (
        "Key results",
        "Fit against reported figures",
        "Charts",
        "Scenario: what it changes",
        "Manifest in brief",
    ):
        assert f"<h2>{heading}</h2>" in text
    assert len(re.findall(r"src='data:image/png;base64,", text)) >= 5
    assert not re.search(r"(src|href)=['\"]?https?:", text)  # readable offline
    assert "@media print" in text
    assert re.search(r"Met \d+ of \d+ mapped targets", text)
    assert "days to 80% utilization (days from first lockdown)" in text
    assert "e+0" not in text.split("<h2>Charts")[0]  # no scientific notation in tables


def test_markdown_report_links_images(run_folder, tmp_path):
    path = write_report(run_folder, out=tmp_path / "r.md", markdown=True)
    text = path.read_text()
    assert text.startswith("# Run report")
    assert "| group |" in text
    images = re.findall(r"!\[[^]]*\]\(([^)]+)\)", text)
    assert images and all((tmp_path / p).is_file() for p in images)


def test_not_a_results_folder(tmp_path):
    with pytest.raises(FugongError, match="not a results folder"):
        kind_of(tmp_path)


def test_differences_of_resolved_scenarios():
    a = {
        "permits": {"daily_capacity": {"2022-04-16": 100.0}, "delay": 1},
        "seed": 1,
        "anchors": [{"name": "x", "staff": 5}],
    }
    b = {
        "permits": {"daily_capacity": {"2022-04-16": 200.0}, "delay": 1},
        "seed": 1,
        "anchors": [{"name": "x", "staff": 6}],
    }
    assert set(flatten(a)) == {
        "permits.daily_capacity",
        "permits.delay",
        "seed",
        "anchors.0.name",
        "anchors.0.staff",
    }
    assert [c.key for c in differences(a, b)] == ["anchors.0.staff", "permits.daily_capacity"]
