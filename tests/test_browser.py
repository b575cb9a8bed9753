"""Every report opened from disk in headless Chromium with the network off.

Asserts no failed request, no request leaving the page's own files, no console error and every
image rendered; saves screenshots. Needs Chromium (Debian package ``chromium``) and Playwright's
Python package. ``.ci/run`` installs Chromium and sets ``CXINSIGHT_REQUIRE_BROWSER=1``, so in CI a
missing browser fails the test; elsewhere it skips and says why.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CXINSIGHT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRED = os.environ.get("CXINSIGHT_REQUIRE_BROWSER") == "1"
# The flags the machine notes recommend for headless Chromium in a closed network, as root.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def _sync_playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        if REQUIRED:
            pytest.fail("CXINSIGHT_REQUIRE_BROWSER=1 but the playwright package is not installed")
        pytest.skip("the playwright package is not installed (pip install -e '.[test]')")
    if not CHROMIUM:
        if REQUIRED:
            pytest.fail("CXINSIGHT_REQUIRE_BROWSER=1 but Chromium was not found (Debian package 'chromium')")
        pytest.skip("Chromium not found: install the Debian package 'chromium' (CI does, through .ci/run) "
                    "or set CXINSIGHT_CHROMIUM to a Chromium binary")
    return sync_playwright


def test_every_report_renders_offline(built_reports, tmp_path_factory):
    sync_playwright = _sync_playwright()
    shots = tmp_path_factory.mktemp("screenshots")
    pages = sorted(built_reports["pages"])
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
        outside: list[str] = []

        def guard(route):
            url = route.request.url
            if url.startswith(("file:", "data:")):
                route.continue_()
            else:
                outside.append(url)
                route.abort()

        context.route("**/*", guard)
        for path in pages:
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda msg, errors=errors: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
            page.on("requestfailed", lambda req, errors=errors: errors.append(f"failed request {req.url}"))
            page.goto(path.as_uri(), wait_until="load")
            images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt])")
            broken = [alt for done, width, alt in images if not done or width == 0]
            name = str(path.relative_to(built_reports["reports"]))
            problems += [f"{name}: {e}" for e in errors] + [f"{name}: image not rendered ({alt})" for alt in broken]
            if path.name == "index.html" or path.parent.name == "services" and path == min(
                    q for q in pages if q.parent.name == "services"):
                target = shots / (name.replace("/", "_") + ".png")
                page.screenshot(path=str(target), full_page=True)
                assert target.stat().st_size > 10_000
            page.close()
        browser.close()
    assert not outside, outside[:5]
    assert not problems, problems[:10]
    assert len(pages) >= 8
