"""Analyst-facing commands: --version, validate's differences, diff, export, --json, report."""

import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from run import cli
from sim.tables import kpi_text, number

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ROOT / "data" / "targets" / "shanghai_2022.yaml"


@pytest.fixture()
def folder(small_results, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(small_results, out)
    return out


def invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_version():
    assert invoke("--version").startswith("fugong ")


def test_validate_prints_differences_from_base_and_full_tree():
    out = invoke("validate", ROOT / "scenarios" / "permits_fast.yaml")
    assert "differences from its base shanghai_2022.yaml" in out
    assert "permits.processing_delay_days" in out and "economy.firms" not in out
    full = invoke("validate", ROOT / "scenarios" / "permits_fast.yaml", "--full")
    assert "economy:" in full and "firms: 9200" in full


def test_diff_of_scenarios_and_results_folder(folder):
    out = invoke(
        "diff", ROOT / "scenarios" / "shanghai_2022.yaml", ROOT / "scenarios" / "passes_scarce.yaml"
    )
    assert "passes.daily_quota.in_city[2022-04-11]" in out
    assert "permits" not in out.split("\n", 2)[2]
    assert max(len(line) for line in out.splitlines()) < 120
    out = invoke("diff", folder, ROOT / "scenarios" / "shanghai_2022.yaml")
    assert "scale" in out and "end_date" in out  # the fixture ran with --set


def test_export_csv_and_xlsx(folder):
    out = invoke("export", folder, "--group", "chain:*", "--metric", "capacity_utilization")
    csv = pd.read_csv(out.split("export: ")[1].strip())
    assert set(csv["metric"]) == {"capacity_utilization"}
    assert all(g.startswith("chain:") for g in csv["group"].unique())
    out = invoke("export", folder, "--format", "xlsx")
    wb = openpyxl.load_workbook(out.split("export: ")[1].strip(), read_only=True)
    assert {"kpis", "summary", "medians", "timeseries"} <= set(wb.sheetnames)


def test_fit_json_is_records(folder):
    records = json.loads(invoke("fit", folder, "--targets", TARGETS, "--json"))
    assert {"target", "reported", "model_median", "met"} <= set(records[0])


def test_tables_are_narrow_without_scientific_notation(folder):
    summary = pd.read_csv(folder / "summary.csv")
    from sim.kpis import headline_kpis

    text = kpi_text(headline_kpis(summary))
    assert max(len(line) for line in text.splitlines()) < 120
    assert "e+" not in text and "days" in text and "%" in text
    text = invoke("fit", folder, "--targets", TARGETS)
    assert "e+0" not in text and max(len(line) for line in text.splitlines()) < 120
    assert number(1951.2) == "1,951" and number(float("nan"), "days") == "never"


def test_report_command(folder):
    out = invoke("report", folder)
    assert (folder / "report.html").is_file() and "report.html" in out
