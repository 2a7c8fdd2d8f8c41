"""The explorer in a real browser: start `fugong explore`, move the permit slider, step, compare.

Needs Debian's chromium and chromium-driver and the `explore` extra; skipped where they are
missing, except under CI (CI=true), where a missing browser is a failure: .ci/run installs it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
# set FUGONG_SCREENSHOTS=docs/img to keep the before/after screenshots (for the README)
SHOTS = Path(os.environ["FUGONG_SCREENSHOTS"]) if os.environ.get("FUGONG_SCREENSHOTS") else None
DAYS_PER_STEP, CLICKS = 15, 4  # reach day 60 (end of April), when permits are being issued


def _missing() -> str | None:
    for path in (CHROMIUM, DRIVER):
        if not os.path.exists(path):
            return f"{path} not installed (apt-get install chromium chromium-driver)"
    for module in ("selenium", "solara"):
        try:
            __import__(module)
        except ImportError:
            return f"{module} not installed (pip install -e '.[test,explore]')"
    return None


MISSING = _missing()
if MISSING and os.environ.get("CI"):
    pytest.fail(f"browser test cannot run in CI: {MISSING}", pytrace=False)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(MISSING is not None, reason=MISSING or ""),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 (closed below)
    fugong = Path(sys.executable).with_name("fugong")
    proc = subprocess.Popen(
        [
            str(fugong),
            "explore",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--render-interval",
            str(DAYS_PER_STEP),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("fugong explore did not start listening within 90 s")
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--window-size=1400,1700",
    ):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver, condition, what: str, timeout: float = 90):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(
        driver, timeout, poll_frequency=0.25, ignored_exceptions=[StaleElementReferenceException]
    )
    return wait.until(condition, message=what)


def _text(driver, css: str) -> str:
    """Text of the first match, read in one script call (Solara replaces nodes as it renders)."""
    return driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css
    )


def _button(driver, label: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.XPATH, f"//button[normalize-space(.)='{label}']")


def _run_to_day(driver, day_css: str) -> None:
    """Click Step until the summary shows day DAYS_PER_STEP * CLICKS."""
    for k in range(1, CLICKS + 1):
        _button(driver, "Step").click()
        _wait(
            driver,
            lambda d, k=k: f"Day {k * DAYS_PER_STEP} of" in _text(d, day_css),
            f"day {k * DAYS_PER_STEP} after Step",
        )


def _chart_png(driver, name: str) -> bytes:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, f"img.fugong-{name}").screenshot_as_png


def _number(text: str) -> float:
    return float(text.replace(",", "").rstrip("%"))


def test_permit_slider_reset_and_step_change_the_charts(server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(server)
    day = ".fugong-summary .fugong-day"
    _wait(
        browser,
        lambda d: d.find_elements(By.CSS_SELECTOR, "img.fugong-PermitsAndPasses"),
        "the explorer page with its charts",
    )
    assert "Day 0 of 122" in _text(browser, day)
    first_png = _chart_png(browser, "PermitsAndPasses")

    _run_to_day(browser, day)
    default_permits = _number(_text(browser, ".fugong-summary td.fugong-permits"))
    default_png = _chart_png(browser, "PermitsAndPasses")
    assert default_png != first_png  # stepping draws the days run so far
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(tmp_path / "explore_before.png"))

    slider = browser.find_element(
        By.XPATH,
        "//div[contains(@class,'v-input')][.//label[contains(., 'Permits/day')]]"
        "//*[@role='slider']",
    )
    before = slider.get_attribute("aria-valuenow")
    slider.send_keys(Keys.HOME)  # to the slider's minimum
    _wait(
        browser,
        lambda d: slider.get_attribute("aria-valuenow") != before,
        "the permit slider to move",
    )
    low = float(slider.get_attribute("aria-valuenow"))
    assert low < float(before)

    _button(browser, "Reset").click()
    _wait(browser, lambda d: "Day 0 of" in _text(d, day), "the model rebuilt by Reset")
    shown = _number(_text(browser, ".fugong-summary td.fugong-permit_capacity"))
    assert shown == low  # the new model runs with the slider's value
    _run_to_day(browser, day)
    low_permits = _number(_text(browser, ".fugong-summary td.fugong-permits"))
    low_png = _chart_png(browser, "PermitsAndPasses")
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(tmp_path / "explore_after.png"))

    assert low_png != default_png  # the permits chart changed with the lever
    assert low_permits < default_permits / 10  # a hundredth of the capacity: few permits
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        for name in ("explore_before.png", "explore_after.png"):
            shutil.copy(tmp_path / name, SHOTS / name)
