"""The main job: run the notebooks, turn them into HTML a head of service can open, check it all.

:func:`build_reports` does, in order:

1. the pipeline (:func:`cxinsight.pipeline.build_processed`: load, clean, redact, validate; rows in =
   rows out + quarantined), in a process of its own;
2. the analysis (:func:`cxinsight.analysis.build_analysis`): every contact classified, the review
   sample drawn (written for an analyst to label) and customers segmented, once;
2b. the figures (:func:`cxinsight.figures.build_figures`): every page's headline figures and the
   tables it charts, for the council and each service, once;
3. in parallel, ``workers`` at a time: notebooks 01-06 for the whole council (01 shows what the
   pipeline did), and
   ``07_at_a_glance`` once for the council and once per service, reading those figures
   (papermill parameters, passed as text: ``service`` and paths);
4. ``reports/index.html``: the council at a glance and a row per service, each figure with its
   range and base, linking to every report;
5. the last gate (:mod:`cxinsight.publish`): every generated file is scanned for personal data,
   and the run fails if any is found;
6. a PDF of every page that passed the gate, for committee papers (:mod:`.pdf`: ``reports/pdf/``),
   when the machine has Chromium; without it, a warning and no PDFs, never a failed run.

Three rooms: :mod:`.run` runs notebooks (papermill jobs on warm kernels, the analysis in a process
of its own), :mod:`.render` turns them and the index into pages (nbconvert and autoescaped Jinja2
templates, one style sheet), :mod:`.gate` checks what was written (an HTML parser for the pages, an
independent scan for personal data). This module only decides what runs, in which order.

Each executed notebook's recorded status is checked, not only the exit code. HTML pages carry no
code and no prompts, embed their images, use no external script, font or style sheet, and keep
hidden the cells tagged ``invariant``, ``remove`` or ``evaluation``. Nothing here imports a
plotting library: the charts are drawn in the notebooks' kernels.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime
from pathlib import Path

from cxinsight import outputs, paths
from cxinsight.report import startup  # noqa: F401 (first: before anything here imports nbformat)
from cxinsight.report.gate import PageProblem, check_pages, last_gate
from cxinsight.report.notebooks import (
    COUNCIL_NOTEBOOKS,
    GLANCE,
    HISTORY,
    MAX_SERVICE_REPORTS,
    MIN_SERVICE_CONTACTS,
    NEEDS,
    TITLES,
    notebook_dir,
    page_name,
)
from cxinsight.report.render import (
    GLOSSARY,
    HIDDEN_TAGS,
    for_the_reader,
    notebook_body,
    page,
    to_html,
    write_index,
    write_unavailable,
)
from cxinsight.report.run import (
    KERNEL_START_SECONDS,
    Job,
    NotebookFailed,
    WarmKernel,
    analyse_apart,
    execute,
    figures_apart,
    process_apart,
    run_all,
    run_job,
)

__all__ = ["COUNCIL_NOTEBOOKS", "GLANCE", "GLOSSARY", "HIDDEN_TAGS", "HISTORY", "KERNEL_START_SECONDS",
           "MAX_SERVICE_REPORTS", "MIN_SERVICE_CONTACTS", "NEEDS", "TITLES", "Job", "NotebookFailed", "PageProblem",
           "WarmKernel", "analyse_apart", "figures_apart", "process_apart", "build_history_report", "build_reports", "check_pages", "execute",
           "for_the_reader", "last_gate", "notebook_body", "notebook_dir", "page", "page_name", "reporting_period",
           "run_all", "run_job", "to_html", "write_index", "write_unavailable"]

log = logging.getLogger(__name__)
DEMO_BANNER = ("Demonstration: these figures come from a synthetic council generated for testing, not from any "
               "real council's data.")


def _footer(text_note: str, rule=None) -> str:
    """Every page's footer: when and by what it was made, how counts are shown (``rule``: the
    council's publishing rule, default the one in force), and ``text_note``."""
    from cxinsight import publish

    said = (rule or publish.rules()).said()
    return f"Generated {datetime.now().strftime('%d %B %Y %H:%M')} by cxinsight. {said} {text_note}"


def _council_name(processed: Path) -> str:
    """The council's name as sources.yaml gives it (the processed data's manifest), or ""."""
    manifest = Path(processed) / "manifest.json"
    return str(json.loads(manifest.read_text(encoding="utf-8")).get("council") or "") if manifest.exists() else ""


def _services(processed: Path) -> tuple[list[str], int]:
    """The services that get a page of their own (the largest, each with enough contacts, as the
    council's publishing rule in council.yaml says), and how many smaller ones are left to the
    council reports."""
    import pandas as pd

    from cxinsight.settings import load_settings

    rule = load_settings(Path(processed) / "council.yaml").publishing
    counts = pd.read_parquet(processed / "contacts.parquet", columns=["service"])["service"].astype(str).value_counts()
    chosen = counts.loc[counts >= rule.min_service_contacts].index[:rule.max_service_reports]
    if len(chosen) < len(counts):
        log.info("%d services get their own report; %d smaller ones appear in the council reports only",
                 len(chosen), len(counts) - len(chosen))
    return sorted(chosen), len(counts) - len(chosen)


def build_reports(sources: Path | str | None = None, reports: Path | str | None = None,
                  processed: Path | str | None = None, services: list[str] | None = None,
                  period: str | None = None, workers: int = 2, options=None, pdfs: bool = True) -> list[Path]:
    """Run every notebook on ``sources`` (default: the demo) and write the HTML reports.

    ``services``: the service codes to report on (default: every service in the contacts).
    ``period``: ``"YYYY-MM-DD/YYYY-MM-DD"`` to limit the at-a-glance reports to those dates.
    ``options``: the analysis options (:class:`cxinsight.analysis.Options`; default the defaults),
    used by every page.
    ``pdfs``: also print every page to ``reports/pdf/`` once the last gate has passed (:mod:`.pdf`;
    skipped with a warning when Chromium is missing).
    Returns every page written, index first. Raises :class:`NotebookFailed` if a notebook fails
    and :class:`cxinsight.publish.PersonalDataFound` if the last gate finds personal data.
    """
    from cxinsight import availability, figures
    from cxinsight.preflight import preflight
    from cxinsight.wording import label

    t_start = time.perf_counter()
    # Absolute paths: papermill runs each notebook in the notebooks folder, not the caller's.
    sources = Path(sources).resolve() if sources else None
    # sources.yaml and every profile against the files' headers, before any notebook starts (seconds)
    preflight(sources)
    out = Path(reports).resolve() if reports else paths.reports_dir()
    processed_dir = Path(processed).resolve() if processed else paths.processed_dir()
    final = out
    # Built in a staging folder and swapped in whole when the last gate has passed: a run that fails
    # or is killed leaves the previous complete reports (cxinsight.outputs).
    with outputs.replacing(final) as out:
        work = out / "_work"
        banner = DEMO_BANNER if sources is None else ""
        base = {"processed_dir": str(processed_dir)}

        def council_job(nb: str, params: dict | None = None) -> Job:
            return Job(nb, out / "council" / page_name(nb), work / "council" / nb, TITLES[nb],
                       {**base, **(params or {})}, nav=[("All reports", "../index.html")], footer=footer, banner=banner,
                       period=whole)

        # The stages run in the library, each in a process of its own (the pipeline's warnings are
        # printed as it runs); the notebooks only read what they wrote and show it.
        stages: dict[str, float] = {}  # each stage's wall time, said in one line at the end (benchmarks read it)
        t_stage = time.perf_counter()
        process_apart(sources, processed_dir)
        stages["pipeline"] = time.perf_counter() - t_stage
        log.info("pipeline: the exports processed in %.0f s", stages["pipeline"])
        from cxinsight.settings import load_settings

        footer = _footer("Free text is redacted.", load_settings(processed_dir / "council.yaml").publishing)
        whole = reporting_period(processed_dir)
        glance_period = reporting_period(processed_dir, period) if period else whole
        # Classified, reviewed and segmented once; every notebook below reads this (cxinsight.analysis).
        t_stage = time.perf_counter()
        analyse_apart(processed_dir, options)
        stages["analysis"] = time.perf_counter() - t_stage

        t_stage = time.perf_counter()
        services, others = (list(services), 0) if services else _services(processed_dir)
        # Every page's figures, computed once (cxinsight.figures): the pages and the index only read them.
        figures_apart(processed_dir, services, period)
        stages["figures"] = time.perf_counter() - t_stage
        have = availability.supplied(processed_dir)
        unavailable = {nb: [availability.unlock(n) for n in NEEDS.get(nb, ()) if not availability.available(have, n)]
                       for nb in COUNCIL_NOTEBOOKS[1:]}
        for nb, why in unavailable.items():
            if why:
                log.info("%s: not run, the data it needs was not supplied", nb)
                write_unavailable(out / "council" / page_name(nb), TITLES[nb], why, footer, banner, whole)
        glance = {**base, "downloads_dir": str(out / "downloads"), "downloads_href": "../downloads/"}
        rest = [council_job(nb) for nb in COUNCIL_NOTEBOOKS if not unavailable.get(nb)]
        rest.append(Job(GLANCE, out / "council" / "at_a_glance.html", work / "council" / GLANCE,
                        "The whole council at a glance", {**glance, "service": "council"},
                        nav=[("All reports", "../index.html")], footer=footer, banner=banner, period=glance_period))
        for code in services:
            rest.append(Job(GLANCE, out / "services" / f"{code}.html", work / "services" / f"{code}.ipynb",
                            f"{label(code)} at a glance", {**glance, "service": str(code)},
                            nav=[("All reports", "../index.html")], footer=footer, banner=banner, period=glance_period))
        log.info("running %d reports, %d at a time", len(rest), workers)
        t_stage = time.perf_counter()
        run_all(rest, workers, "reports")
        stages["pages"] = time.perf_counter() - t_stage
        t_stage = time.perf_counter()

        index = write_index(out, figures.read_headlines(processed_dir), services, footer=footer, banner=banner,
                            others=others, period=glance_period, actions=figures.read_actions(processed_dir))
        log.info("index: %s", final / index.relative_to(out))
        last_gate(out, processed_dir)
        stages["index and last gate"] = time.perf_counter() - t_stage
        log.info("last gate passed: no personal data in the new reports; all reports in %.0f s", time.perf_counter() - t_start)
        pages = [index, out / "by_service.html"] + [j.html for j in rest]
        if pdfs:  # after the gate, from the pages that passed it; swapped in with them (cxinsight.report.pdf)
            from cxinsight.report.pdf import pages_of, write_pdfs_or_warn

            t_stage = time.perf_counter()
            if printed := write_pdfs_or_warn(out, _council_name(processed_dir), pages_of(out)):
                log.info("%d PDFs for committee papers in %s", len(printed), final / "pdf")
            stages["PDFs"] = time.perf_counter() - t_stage
        log.info("stages: %s", ", ".join(f"{name} {seconds:.1f} s" for name, seconds in stages.items()))
    log.info("reports in %s", final)
    return [final / p.relative_to(out) for p in pages]


def build_history_report(history_dir: Path | str | None = None, out: Path | str | None = None) -> Path:
    """Notebook 08 on a history folder (what ``cxinsight history`` writes; default ``data/history``),
    as one page: ``<history_dir>/report/index.html`` unless ``out`` names another folder. Kept
    beside the history it reads, not in ``reports/``, which every ``cxinsight report`` replaces
    whole. The page passes the same last gate as the reports (page checks, personal-data scan)."""
    history = Path(history_dir).resolve() if history_dir else paths.history_dir()
    final = Path(out).resolve() if out else history / "report"
    t0 = time.perf_counter()
    with outputs.replacing(final) as stage:
        executed = execute(HISTORY, stage / "_work" / HISTORY, {"history_dir": str(history)})
        listing = json.loads((history / "history.json").read_text(encoding="utf-8"))
        to_html(executed, stage / "index.html", TITLES[HISTORY], [], _footer("No free text is used."),
                DEMO_BANNER if listing.get("synthetic") else "")
        last_gate(stage)
    log.info("history report in %.0f s: %s", time.perf_counter() - t0, final / "index.html")
    return final / "index.html"


def reporting_period(processed: Path, period: str | None = None) -> str:
    """The period the figures cover, in words: ``period`` (``YYYY-MM-DD/YYYY-MM-DD``) if given, else
    the one sources.yaml names, else the first and last contact in the data."""
    import pandas as pd

    start = end = None
    if period:
        start, end = period.split("/", 1)
    else:
        manifest = Path(processed) / "manifest.json"
        named = json.loads(manifest.read_text(encoding="utf-8")).get("period") if manifest.exists() else None
        if isinstance(named, dict) and named.get("start") and named.get("end"):
            start, end = named["start"], named["end"]
        else:
            when = pd.read_parquet(Path(processed) / "contacts.parquet", columns=["received_at"])["received_at"]
            start, end = when.min(), when.max()
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    return f"Period: {start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
