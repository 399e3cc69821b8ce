"""The report in a real browser: Chromium, headless and offline, opens the page; it renders
with no console error, every image loads, and the outcome table shows the run's numbers.

Playwright drives the system's Chromium (it downloads no browser). Without a Chromium the
test is skipped, unless ``ESCALSIM_REQUIRE_CHROMIUM`` is set (``.ci/run`` sets it when it has
installed Debian's ``chromium``), so that CI never passes by skipping it. The screenshot is
saved beside the report (``ESCALSIM_SCREENSHOT`` names another place to keep it).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import escalsim as es
from escalsim.report.sections import interval, pct

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "venezuela_2025.yaml"
GUARANTEE = ROOT / "scenarios" / "venezuela_2025_guarantee.yaml"
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
"""No sandbox (CI runs as root), no GPU, and nothing that reaches the network."""
PATIENCE_MS = 300_000
"""Playwright's waits, far above what a page of local data needs (a hang guard only)."""


def chromium() -> str | None:
    """The Chromium to drive: ``ESCALSIM_CHROMIUM``, else the first of NAMES on the PATH."""
    given = os.environ.get("ESCALSIM_CHROMIUM")
    if given:
        return given
    return next((path for path in map(shutil.which, NAMES) if path), None)


@pytest.fixture(scope="module")
def browser_path() -> str:
    path = chromium()
    if path is None:
        if os.environ.get("ESCALSIM_REQUIRE_CHROMIUM"):
            pytest.fail("ESCALSIM_REQUIRE_CHROMIUM is set but no Chromium was found")
        pytest.skip("no Chromium found (apt-get install chromium, or set ESCALSIM_CHROMIUM)")
    return path


def open_page(report: Path, browser: str, screenshot: Path) -> dict:
    """Open the report headless; return what the page showed and logged."""
    import tempfile

    from playwright.sync_api import sync_playwright

    logged: list[str] = []
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as play:
        context = play.chromium.launch_persistent_context(
            profile,  # a new, empty --user-data-dir
            executable_path=browser,
            headless=True,
            args=list(FLAGS),
            viewport={"width": 1200, "height": 900},
            offline=True,
        )
        try:
            page = context.new_page()
            page.set_default_timeout(PATIENCE_MS)
            page.on("console", lambda m: logged.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: logged.append(f"pageerror: {e}"))
            page.on("requestfailed", lambda r: logged.append(f"requestfailed: {r.url}"))
            page.goto(report.as_uri(), wait_until="load")
            shown = page.evaluate(
                """() => ({
                    title: document.title,
                    images: [...document.images].map(i => [i.complete, i.naturalWidth, i.alt]),
                    outcomes: [...document.querySelectorAll('#outcome-table tbody tr')].map(
                        tr => [tr.dataset.outcome, ...[...tr.querySelectorAll('td.num')].map(
                            td => td.innerText.trim())]),
                    height: document.documentElement.scrollHeight,
                })"""
            )
            page.screenshot(path=str(screenshot), full_page=False)
        finally:
            context.close()
    return {**shown, "logged": logged}


def test_the_report_renders_in_chromium(browser_path, tmp_path):
    settings = es.RunSettings(executor="serial", keep_events=True, progress=False)
    res = es.simulate(FLAGSHIP, runs=300, seed=7, settings=settings)
    from escalsim.report import what_if

    variant = what_if(res, GUARANTEE, settings=settings)
    report = res.report(tmp_path / "report.html", comparisons=[variant], dpi=60)
    screenshot = Path(os.environ.get("ESCALSIM_SCREENSHOT") or tmp_path / "report.png")
    shown = open_page(report, browser_path, screenshot)

    errors = [
        m for m in shown["logged"] if m.startswith(("error:", "pageerror:", "requestfailed:"))
    ]
    assert errors == [], errors
    assert shown["title"].startswith(res.scenario.title)
    assert len(shown["images"]) >= 6
    for complete, width, alt in shown["images"]:
        assert complete and width > 0, f"image not loaded: {alt}"
    summary = res.summary().set_index("outcome")
    expected = {
        name: [pct(r.p), interval(r.ci_low, r.ci_high), f"{int(r['count']):,}"]
        for name, r in summary.iterrows()
    }
    assert {row[0]: row[1:] for row in shown["outcomes"]} == expected
    assert shown["height"] > 5000  # the whole report laid out, not an error page
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
