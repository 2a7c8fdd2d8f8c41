"""The docs site builds (strict: no broken link, no missing page) and its generated reference
pages cover every scenario key and every command."""

import re
import subprocess
import sys
from pathlib import Path

from run import cli
from sim.docs_reference import cli_reference, scenario_rows
from sim.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]


def test_docs_site_builds(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for page in (
        "index.html",
        "tutorial/index.html",
        "ODD/index.html",
        "reference/cli/index.html",
        "reference/scenario_keys/index.html",
    ):
        assert (tmp_path / page).is_file(), page


def test_every_scenario_key_has_a_meaning():
    rows = scenario_rows(Scenario)
    assert len(rows) > 100
    missing = [r["key"] for r in rows if not r["meaning"]]
    assert not missing, f"add a comment (unit and meaning) to these schema fields: {missing}"


def test_cli_reference_lists_every_command():
    text = cli_reference()
    for name in cli.commands:
        assert f"## `fugong {name}`" in text


def test_package_map_names_every_module_and_no_other():
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    modules = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "sim").rglob("*.py")
        if p.name != "__init__.py"
    }
    named = set(re.findall(r"`(sim/[\w/]+\.py)`", text))
    assert not sorted(modules - named), f"add to docs/ARCHITECTURE.md: {sorted(modules - named)}"
    assert not sorted(named - modules), f"no such module: {sorted(named - modules)}"
