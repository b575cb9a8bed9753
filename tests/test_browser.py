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


def check_every_report_renders_offline(built_reports, tmp_path_factory):
    """The check behind ``tests/test_reports.py::test_every_report_renders_offline``: it runs there,
    in the file whose tests share the one build of every report (``make test`` hands each test file
    to one pytest-xdist worker, so a second file would build them all again)."""
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
                # what a head of service must see on the page they are handed (issue 13)
                seen = page.inner_text("body")
                for needed in ("Period: 1 April 2024 to 31 March 2025", "What this means", "the quarter before"):
                    if needed not in seen:
                        problems.append(f"{name}: '{needed}' not shown")
                box = page.locator("text=What this means").first
                if not box.is_visible():
                    problems.append(f"{name}: the 'What this means' box is not visible")
                elif page.locator("h2", has_text="What this means").count() and "change" not in seen.lower() \
                        and "on the quarter before" not in seen:
                    problems.append(f"{name}: no change against the last period")
            page.close()
        browser.close()
    assert not outside, outside[:5]
    assert not problems, problems[:10]
    assert len(pages) >= 8


#: The axe-core rule tags for WCAG 2.2 AA (2.0, 2.1 and 2.2, levels A and AA). Public-sector websites and
#: documents must meet it (the Public Sector Bodies Accessibility Regulations 2018).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_FAILS = {"serious", "critical"}


def axe_violations(pages, root) -> list[str]:
    """Every serious or critical WCAG 2.2 AA violation axe-core finds on ``pages`` (HTML files under
    ``root``), each as ``page: rule id (impact): target of a node: what the rule asks``, opened from
    disk in headless Chromium with the network off (the system's Chromium, as
    :func:`check_every_report_renders_offline` opens them)."""
    sync_playwright = _sync_playwright()
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:  # pragma: no cover - the test extra installs it
        if REQUIRED:
            pytest.fail("CXINSIGHT_REQUIRE_BROWSER=1 but the axe-playwright-python package is not installed")
        pytest.skip("the axe-playwright-python package is not installed (pip install -e '.[test]')")
    axe = Axe()
    found: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                      else route.abort())
        for path in sorted(pages):
            page = context.new_page()
            page.goto(path.as_uri(), wait_until="load")
            results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                             "resultTypes": ["violations"]})
            name = str(path.relative_to(root))
            for rule in results.response["violations"]:
                if rule.get("impact") in AXE_FAILS:
                    nodes = rule.get("nodes", [])
                    where = "; ".join(" ".join(map(str, n.get("target", []))) for n in nodes[:3])
                    found.append(f"{name}: {rule['id']} ({rule['impact']}, {len(nodes)} nodes) at {where}: {rule['help']}")
            page.close()
        browser.close()
    return found


def check_every_report_passes_axe(built_reports):
    """The check behind ``tests/test_reports.py::test_every_report_passes_axe``: no page has a serious
    or critical WCAG 2.2 AA violation (issue 29, build point 4)."""
    pages = sorted(built_reports["pages"])
    assert len(pages) >= 8
    found = axe_violations(pages, built_reports["reports"])
    assert not found, "axe-core (WCAG 2.2 AA) found serious or critical violations:\n" + "\n".join(found[:30])


def check_every_page_has_its_pdf(reports, council: str):
    """Each page under ``reports`` has its PDF in ``reports/pdf/`` (cxinsight.report.pdf, written at the
    end of the run): at least one page, and extractable text holding the page's title and main
    heading, the council's name and "Page 1 of" (issue 29, build point 4). Skips, or fails in CI,
    as the browser tests do: without Chromium the run writes no PDFs."""
    import html
    import re
    import unicodedata

    _sync_playwright()  # the PDFs need the browser the other checks need
    try:
        from pypdf import PdfReader
    except ImportError:  # pragma: no cover - the test extra installs it
        if REQUIRED:
            pytest.fail("CXINSIGHT_REQUIRE_BROWSER=1 but the pypdf package is not installed")
        pytest.skip("the pypdf package is not installed (pip install -e '.[test]')")
    from cxinsight.htmlcheck import read_page
    from cxinsight.report.pdf import pages_of, pdf_path

    def plain(text: str) -> str:  # ligatures ("ﬁ") read as letters, every run of space as one
        return " ".join(unicodedata.normalize("NFKC", text).split())

    pages = pages_of(reports)
    assert len(pages) >= 8
    problems = []
    for page in pages:
        name = str(page.relative_to(reports))
        pdf = pdf_path(reports, page)
        if not pdf.exists():
            problems.append(f"{name}: no PDF at {pdf.relative_to(reports)}")
            continue
        reader = PdfReader(pdf)
        text = plain(" ".join(p.extract_text() or "" for p in reader.pages))
        markup = page.read_text(encoding="utf-8")
        title = plain(re.search(r"<title>(.*?)</title>", markup, flags=re.S).group(1))
        heading = plain(next(t for level, t in read_page(page).headings if level == 1))
        for needed in (html.unescape(title), heading, plain(council), "Page 1 of"):
            if needed not in text:
                problems.append(f"{name}: {needed!r} is not in its PDF's text")
        if len(reader.pages) < 1:
            problems.append(f"{name}: its PDF has no page")
    assert council.strip()
    assert not problems, problems[:10]
    assert len(list((reports / "pdf").rglob("*.pdf"))) == len(pages)


def test_the_axe_check_names_page_rule_impact_and_target(tmp_path):
    """A check that cannot fail is a defect: a page with a chart without alt text and grey-on-white
    text fails, naming the page, the rule, its impact and where."""
    (tmp_path / "council").mkdir()
    bad = tmp_path / "council" / "bad.html"
    bad.write_text('<!DOCTYPE html><html lang="en-GB"><head><title>Bad</title></head><body><main><h1>Bad</h1>'
                   '<p style="color:#bbbbbb">Failure demand: 43%</p>'
                   '<img id="chart" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
                   "</main></body></html>", encoding="utf-8")
    found = axe_violations([bad], tmp_path)
    assert any(f.startswith("council/bad.html: image-alt (critical") and "#chart" in f for f in found), found
    assert any(f.startswith("council/bad.html: color-contrast (serious") and " p" in f for f in found), found


#: Markup and formulas a careless or hostile system could have written into any field. Each script
#: would set ``window.__pwned``; each outside URL would be a request the browser makes.
HOSTILE = [
    "<script>window.__pwned=1</script>", '<img src=x onerror="window.__pwned=1">',
    '<svg onload="window.__pwned=1"></svg>', '"><script>window.__pwned=1</script>',
    "<a href='javascript:window.__pwned=1'>click</a>", '<iframe src="https://evil.example/"></iframe>',
    '<link rel=stylesheet href="https://evil.example/x.css">', '=HYPERLINK("https://evil.example","x")',
    "<style>body{background:url(https://evil.example/x.png)}</style>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">', "+cmd|' /C calc'!A0",
    '<body onload="window.__pwned=1">', "<object data='https://evil.example/x'></object>",
]


def _hostile_council(root):
    """A small demo council whose exports carry hostile markup in notes, reasons, outcomes, service
    names, complaint categories and summaries, and the council's own name."""
    import csv

    from cxinsight.synthetic import DemoSpec, generate_demo
    from tests.demo_exports import read_export, write_export

    raw = root / "data" / "raw" / "demo"
    generate_demo(raw, root / "data" / "raw" / "demo_answer_key", DemoSpec(contacts=4_000, seed=13))
    shutil.rmtree(root / "data" / "raw" / "demo_answer_key")  # edited exports no longer match the planted truth
    for path in sorted((raw / "crm").glob("*.csv")):
        rows, encoding, delimiter = read_export(path)  # one quarter is Windows-1252, one uses ;
        header, body = rows[0], rows[1:]
        col = {name.strip(): i for i, name in enumerate(header)}
        for k, row in enumerate(body):
            if len(row) < len(header):
                continue  # a blank or broken line the demo plants: left as it is
            bad = HOSTILE[k % len(HOSTILE)]
            if k % 7 == 0:
                row[col["Notes"]] = f"still waiting for the repair {bad} chased again"
            if k % 11 == 0:
                row[col["Reason"]] = bad
            if k % 13 == 0:
                row[col["Outcome"]] = bad
            if k % 9 == 0:
                row[col["Service Area"]] = '<b onmouseover="window.__pwned=1">Pest control</b>'
        write_export(path, [header, *body], encoding, delimiter)
    for path in sorted((raw / "complaints").glob("*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        col = {name.strip(): i for i, name in enumerate(header)}
        for k, row in enumerate(body):
            if len(row) == len(header):
                row[col["Category"]] = HOSTILE[k % len(HOSTILE)] if k % 5 == 0 else row[col["Category"]]
                row[col["Summary"]] = f"{row[col['Summary']]} {HOSTILE[k % len(HOSTILE)]}"
        with open(path, "w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([header, *body])
    sources = (raw / "sources.yaml").read_text(encoding="utf-8")
    sources = "\n".join('council: "<script>window.__pwned=1</script> Hostile District"' if line.startswith("council:")
                        else line for line in sources.splitlines())
    (raw / "sources.yaml").write_text(sources + "\n", encoding="utf-8")
    return raw / "sources.yaml"


@pytest.mark.slow  # builds every report from hostile exports (about 1.5 minutes): make test-slow, and CI
def test_a_report_from_hostile_exports_has_no_live_markup(tmp_path_factory):
    """Built from exports full of markup: no script runs, no dialog opens, no request leaves the
    page's own files, no markup element from the data is in any page, and every CSV reads back safe."""
    import csv

    sync_playwright = _sync_playwright()
    from cxinsight.report import build_reports

    root = tmp_path_factory.mktemp("hostile")
    sources = _hostile_council(root)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CXINSIGHT_DATA_DIR", str(root / "data"))
        build_reports(sources=sources, reports=root / "reports", processed=root / "data" / "processed", workers=2)
    pages = sorted((root / "reports").rglob("*.html"))
    pages = [p for p in pages if "_work" not in p.parts]
    assert len(pages) >= 8
    text = "".join(p.read_text(encoding="utf-8") for p in pages)
    assert "&lt;script&gt;" in text or "&lt;img" in text  # the markup is there, as text
    problems, outside, dialogs = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        context = browser.new_context(offline=True)

        def guard(route):
            if route.request.url.startswith(("file:", "data:")):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        for path in pages:
            page = context.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_timeout(50)
            page.hover("body")
            state = page.evaluate("""() => ({
                pwned: window.__pwned !== undefined,
                live: document.querySelectorAll('script, iframe, object, embed, svg, link, meta[http-equiv], '
                                                + 'form, [onload], [onerror], [onmouseover]').length,
                jsLinks: Array.from(document.links).filter(a => a.protocol === 'javascript:').length,
                url: location.href})""")
            name = str(path.relative_to(root / "reports"))
            if state["pwned"] or state["live"] or state["jsLinks"] or state["url"] != path.as_uri():
                problems.append(f"{name}: {state}")
            page.close()
        browser.close()
    assert not problems, problems[:5]
    assert not dialogs and not outside, (dialogs[:3], outside[:3])
    for path in (root / "reports").rglob("*.csv"):
        with open(path, encoding="utf-8-sig", newline="") as f:
            for row in csv.reader(f):
                assert not any(c.lstrip().startswith(("=", "+", "-", "@")) and not _number(c) for c in row), (path, row)


def _number(cell: str) -> bool:
    try:
        float(cell.replace(",", ""))
    except ValueError:
        return False
    return True
