"""Every report page as a PDF for committee papers: Chromium's print to PDF, A4.

:func:`write_pdfs` prints each page of a reports folder to ``<reports>/pdf/`` with the same tree
(``index.html`` -> ``pdf/index.pdf``, ``council/at_a_glance.html`` -> ``pdf/council/at_a_glance.pdf``,
``services/<service>.html`` -> ``pdf/services/<service>.pdf``). The print style sheet in
``report.css`` (``@media print``) lays the page out for paper; each PDF page has the council's name and
the page's period at the top and the page's title and "Page X of Y" at the foot.

Chromium is the system's (Debian package ``chromium``, or the binary ``CXINSIGHT_CHROMIUM`` names),
driven by Playwright's Python package with the network off; no browser is downloaded. When either
is missing :func:`write_pdfs_or_warn` logs a warning saying how to get the PDFs and the report run
goes on: the HTML pages are the report, the PDFs a copy of them.

The last gate and the PDFs: :func:`cxinsight.report.build_reports` writes the PDFs *after* the last
gate has passed, from the pages that passed it (page checks and the personal-data scan), in the
same staging folder, so they are swapped in with the pages or not at all. The gate does not read
PDFs; a PDF holds nothing but its page's words and, in its header and footer, the council's name
(the manifest's, which the gate vets as a system name), the period and the title already on that page.
"""

from __future__ import annotations

import html
import logging
import os
import re
import shutil
from pathlib import Path

log = logging.getLogger(__name__)

PDF_DIR = "pdf"
#: Flags for headless Chromium in a closed network, as tests/test_browser.py starts it.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
#: A4 margins; the header and footer are printed inside the top and bottom ones.
MARGIN = {"top": "20mm", "bottom": "20mm", "left": "15mm", "right": "15mm"}
HOW_TO_GET_THEM = ("install the Debian package chromium (or set CXINSIGHT_CHROMIUM to a Chromium binary) and "
                   "the playwright Python package (pip install -e '.[test]'), then run the report again")
_STYLE = ("font-family: system-ui, Arial, sans-serif; font-size: 8pt; color: #1b1b1b; width: 100%; box-sizing: border-box; "
          "padding: 0 15mm; display: flex; justify-content: space-between; gap: 5mm;")


class PdfUnavailable(RuntimeError):
    """Chromium or Playwright's Python package is not on this machine."""


def chromium() -> str | None:
    """The Chromium binary: ``CXINSIGHT_CHROMIUM`` if set, else ``chromium`` or ``chromium-browser``
    on the path; ``None`` when there is none."""
    return os.environ.get("CXINSIGHT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def header_template(council: str, period: str) -> str:
    """The header of every PDF page: the council's name and the period, escaped (both come from the
    council's data).

    >>> header_template("<b>Ayr</b> & District", "Period: 1 April 2024 to 31 March 2025")
    '<div style="..."><span>&lt;b&gt;Ayr&lt;/b&gt; &amp; District</span><span>Period: 1 April 2024 to 31 March 2025</span></div>'
    """
    return f'<div style="{_STYLE}"><span>{html.escape(council)}</span><span>{html.escape(period)}</span></div>'


def footer_template(title: str) -> str:
    """The footer of every PDF page: the page's title (escaped) and "Page X of Y" (Chromium fills in
    the ``pageNumber`` and ``totalPages`` spans).

    >>> footer_template("Parking & permits")
    '<div style="..."><span>Parking &amp; permits</span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>'
    """
    return (f'<div style="{_STYLE}"><span>{html.escape(title)}</span>'
            '<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>')


def pdf_path(reports: Path, page: Path) -> Path:
    """Where a page's PDF goes: the same path under ``<reports>/pdf/``, ending ``.pdf``.

    >>> pdf_path(Path("reports"), Path("reports/services/parking.html")).as_posix()
    'reports/pdf/services/parking.pdf'
    """
    return Path(reports) / PDF_DIR / Path(page).relative_to(reports).with_suffix(".pdf")


def pages_of(reports: Path) -> list[Path]:
    """The pages a reader is handed: every ``.html`` under ``reports`` but the analyst's ``_work``."""
    reports = Path(reports)
    return sorted(p for p in reports.rglob("*.html") if "_work" not in p.relative_to(reports).parts)


def _text_of(markup: str, pattern: str) -> str:
    """The text of the first element ``pattern`` finds (tags dropped, entities read).

    >>> _text_of('<p class="period">Period: 1 &amp; 2</p>', r'<p class="period">(.*?)</p>')
    'Period: 1 & 2'
    """
    found = re.search(pattern, markup, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else ""


def write_pdfs(reports: Path | str, council: str = "", pages: list[Path] | None = None) -> list[Path]:
    """Print every page under ``reports`` (or only ``pages``) to PDF under ``<reports>/pdf/``: A4,
    backgrounds printed, the council's name and the page's own period (the one under its navigation)
    in the header, its title and "Page X of Y" in the footer. Returns the PDFs written. Raises
    :class:`PdfUnavailable` when Chromium or Playwright is missing."""
    reports = Path(reports)
    binary = chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:
        raise PdfUnavailable("the playwright Python package is not installed") from err
    if not binary:
        raise PdfUnavailable("Chromium was not found")
    pages = pages_of(reports) if pages is None else sorted(pages)
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=binary, headless=True, args=FLAGS)
        try:
            context = browser.new_context(offline=True)
            # the pages fetch nothing; should one try, nothing leaves the machine
            context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                          else route.abort())
            for page_path in pages:
                markup = page_path.read_text(encoding="utf-8")
                title = _text_of(markup, r"<title>(.*?)</title>")
                period = _text_of(markup, r'<p class="period">(.*?)</p>')
                target = pdf_path(reports, page_path)
                target.parent.mkdir(parents=True, exist_ok=True)
                page = context.new_page()
                page.goto(page_path.resolve().as_uri(), wait_until="load")
                page.pdf(path=str(target), format="A4", print_background=True, display_header_footer=True,
                         header_template=header_template(council, period), footer_template=footer_template(title),
                         margin=MARGIN)
                page.close()
                written.append(target)
        finally:
            browser.close()
    return written


def write_pdfs_or_warn(reports: Path | str, council: str = "", pages: list[Path] | None = None) -> list[Path]:
    """:func:`write_pdfs`, never failing the report: on any error (no Chromium, no Playwright, a page
    Chromium could not print) a warning says the PDFs were not written and how to get them, what was
    half-written is removed, and ``[]`` is returned.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     os.environ["CXINSIGHT_CHROMIUM"] = os.path.join(folder, "no-such-chromium")
    ...     try:
    ...         write_pdfs_or_warn(folder)  # logs: PDFs were not written (...)
    ...     finally:
    ...         del os.environ["CXINSIGHT_CHROMIUM"]
    []
    """
    try:
        written = write_pdfs(reports, council, pages)
    except Exception as err:  # noqa: BLE001 - a missing or failing browser must never fail the report
        shutil.rmtree(Path(reports) / PDF_DIR, ignore_errors=True)
        log.warning("PDFs were not written (%s: %s): the HTML reports are complete. For PDFs of every page, %s.",
                    type(err).__name__, str(err).splitlines()[0] if str(err) else "", HOW_TO_GET_THEM)
        return []
    log.debug("%d PDFs in %s", len(written), Path(reports) / PDF_DIR)
    return written
