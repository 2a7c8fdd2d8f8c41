"""The briefing report opened in a real browser: every section renders and every inline chart
decodes (naturalWidth > 0), with no network. Same browser and skip rules as the explorer test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sim.report import write_report
from tests.explorer.test_explorer_browser import browser, pytestmark  # noqa: F401

SHOTS = Path(os.environ["FUGONG_SCREENSHOTS"]) if os.environ.get("FUGONG_SCREENSHOTS") else None


def test_the_report_of_a_run_renders_in_chromium(small_results, browser, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By

    folder = tmp_path / "run"
    shutil.copytree(small_results, folder)
    page = write_report(folder)
    browser.get(page.as_uri())
    headings = [h.text for h in browser.find_elements(By.TAG_NAME, "h2")]
    for heading in ("Key results", "Fit against reported figures", "Charts", "Manifest in brief"):
        assert heading in headings, headings
    images = browser.find_elements(By.TAG_NAME, "img")
    assert len(images) >= 5
    widths = [browser.execute_script("return arguments[0].naturalWidth", i) for i in images]
    assert min(widths) > 0, widths  # every inline PNG decoded
    browser.save_screenshot(str(tmp_path / "report.png"))
    if SHOTS:
        shutil.copy(tmp_path / "report.png", SHOTS / "report_default.png")
