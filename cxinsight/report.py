"""The main job: run the notebooks, turn them into HTML a head of service can open, check it all.

:func:`build_reports` does, in order:

1. notebook 01 (the pipeline: load, clean, redact, validate; rows in = rows out + quarantined);
2. the analysis (:func:`cxinsight.analysis.build_analysis`): every contact classified, the review
   sample drawn (written for an analyst to label) and customers segmented, once;
3. in parallel, ``workers`` at a time: notebooks 02-06 for the whole council, and
   ``07_at_a_glance`` once for the council and once per service, all reading that analysis
   (papermill parameters, passed as text: ``service``, ``period``, paths);
4. ``reports/index.html``: the council at a glance and a row per service, each figure with its
   range and base, linking to every report;
5. the last gate (:mod:`cxinsight.publish`): every generated file is scanned for personal data,
   and the run fails if any is found.

Each executed notebook's recorded status is checked, not only the exit code. HTML pages carry no
code and no prompts, embed their images, use no external script, font or style sheet, and keep
hidden the cells tagged ``invariant``, ``remove`` or ``evaluation``.
"""

from __future__ import annotations

import html
import json
import logging
import multiprocessing
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cxinsight import outputs, paths

log = logging.getLogger(__name__)
# A successful run is quiet: papermill's "Input Notebook:" lines and the kernel's own start-up and
# shut-down messages (TCP transport warning, KeyboardInterrupt at shutdown) are not the analyst's
# business. A failing cell still raises NotebookFailed with its error and the executed copy.
logging.getLogger("papermill").setLevel(logging.WARNING)
QUIET_KERNEL = ["--IPKernelApp.log_level=CRITICAL"]

COUNCIL_NOTEBOOKS: tuple[str, ...] = ("01_data_quality.ipynb", "02_failure_demand.ipynb", "03_digital_exclusion.ipynb",
                                      "04_channel_shift.ipynb", "05_complaints.ipynb",
                                      "06_customer_experience.ipynb")
GLANCE = "07_at_a_glance.ipynb"
HIDDEN_TAGS = {"invariant", "remove", "evaluation"}
TITLES = {
    "01_data_quality.ipynb": "Data quality: what came in and what we could use",
    "02_failure_demand.ipynb": "Failure demand",
    "03_digital_exclusion.ipynb": "Digital exclusion",
    "04_channel_shift.ipynb": "Channel shift: savings and their range",
    "05_complaints.ipynb": "Complaints against the codes",
    "06_customer_experience.ipynb": "Customer experience",
}


# What each council report needs beyond the contacts (tables, or table.field with some values).
NEEDS: dict[str, tuple[str, ...]] = {
    "03_digital_exclusion.ipynb": ("contacts.customer_id|areas",),  # either half runs alone
    "04_channel_shift.ipynb": ("contacts.customer_id",),
    "05_complaints.ipynb": ("complaints", "complaints.responded_on"),
    "06_customer_experience.ipynb": ("survey",),
}


KERNEL_START_SECONDS = 180  # papermill's default of 60 s is too short on a busy two-core machine


class NotebookFailed(RuntimeError):
    """A notebook did not run to the end."""


def notebook_dir() -> Path:
    return paths.project_root() / "notebooks"


# A kernel kept warm for the notebooks one worker runs in turn: started once, it keeps the modules
# every notebook imports (pandas, matplotlib, seaborn, scikit-learn, cxinsight: about 2 s a notebook)
# and nothing else: between notebooks its namespace is cleared, figures closed and display options
# reset (RESET). A kernel that has grown large (a big council's notebook) is restarted rather than
# kept, so a warm kernel never holds more memory than a cold one would.
WARM_MAX_BYTES = 1_500_000_000
RESET = """%reset -f
import sys as _sys
if "matplotlib.pyplot" in _sys.modules:
    _sys.modules["matplotlib.pyplot"].close("all")
if "pandas" in _sys.modules:
    _sys.modules["pandas"].reset_option("^display")
del _sys
"""


class WarmKernel:
    """One IPython kernel reused for several notebooks, run one after another (never at once).

    :meth:`manager` gives the kernel manager papermill should run the next notebook on (the kernel
    starts with the first notebook); :meth:`clean` clears what a notebook left behind, or restarts the
    kernel if it grew past ``max_bytes``; :meth:`shutdown` stops it.
    """

    def __init__(self, max_bytes: int = WARM_MAX_BYTES):
        self.max_bytes = max_bytes
        self.km = None
        self.folder: str | None = None

    def manager(self, folder: str | Path):
        """The kernel manager for a notebook run in ``folder`` (the kernel's working folder: a notebook
        elsewhere gets a fresh kernel there)."""
        if self.km is not None and self.folder != str(folder):
            self.shutdown()
        self.folder = str(folder)
        if self.km is None:
            from jupyter_client.manager import AsyncKernelManager

            self.km = AsyncKernelManager(kernel_name="python3")
        return self.km

    def _pid(self) -> int | None:
        provisioner = getattr(self.km, "provisioner", None) if self.km is not None else None
        return getattr(provisioner, "pid", None)

    def _bytes(self) -> int:
        import psutil

        pid = self._pid()
        try:
            return psutil.Process(pid).memory_info().rss if pid else 0
        except psutil.Error:
            return 0

    def clean(self) -> None:
        """After a notebook: restart-free reset, or a full stop if the kernel is too big or not answering."""
        if self.km is None or not self.km.has_kernel:
            return
        if self._bytes() > self.max_bytes:
            log.debug("warm kernel grew to %.1f GB: starting a fresh one for the next notebook", self._bytes() / 1e9)
            self.shutdown()
            return
        from jupyter_client import BlockingKernelClient

        kc = BlockingKernelClient()
        kc.load_connection_info(self.km.get_connection_info())
        kc.start_channels()
        try:
            reply = kc.execute_interactive(RESET, timeout=60, store_history=False, output_hook=lambda msg: None)
            ok = reply["content"]["status"] == "ok"
        except Exception as exc:  # a kernel that cannot be reset is not reused
            log.debug("warm kernel did not reset (%s): starting a fresh one", exc)
            ok = False
        finally:
            kc.stop_channels()
        if not ok:
            self.shutdown()

    def shutdown(self) -> None:
        if self.km is not None and self.km.has_kernel:
            from jupyter_core.utils import run_sync

            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception as exc:  # already gone
                log.debug("warm kernel shut down with %s", exc)
        self.km = None


_warm: WarmKernel | None = None  # this process's warm kernel, when it runs notebooks in turn


# Numerical libraries' thread pools (OpenBLAS, OpenMP) each default to every core: with one kernel per
# core already running, more threads only queue for the same cores (and OpenBLAS's spin-waits slow
# both kernels). Each kernel gets its share of the cores.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _warm_worker(workers: int = 1) -> None:
    """Pool initialiser: this worker keeps one warm kernel, stopped when the worker exits; the kernels
    it starts use their share of the machine's cores for numerical work."""
    import atexit
    import os

    global _warm
    share = str(max(1, (os.cpu_count() or 1) // max(1, workers)))
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, share)
    _warm = WarmKernel()
    atexit.register(_warm.shutdown)


def execute(notebook: str, target: Path, parameters: dict | None = None, warm: WarmKernel | None = None) -> Path:
    """Execute one notebook to ``target`` and check its recorded status (not only the exit code).

    ``warm``: run it on that warm kernel (see :class:`WarmKernel`) instead of a kernel of its own."""
    import papermill as pm

    src = Path(notebook) if Path(notebook).is_absolute() else notebook_dir() / notebook
    target = Path(target)
    if target.suffix != ".ipynb":  # a folder, as in earlier versions
        target = target / src.name
    target.parent.mkdir(parents=True, exist_ok=True)
    params = {k: (str(v) if isinstance(v, Path) else v) for k, v in (parameters or {}).items()}
    for attempt in (1, 2):
        kernel = {"km": warm.manager(src.parent)} if warm is not None else {}
        try:
            pm.execute_notebook(str(src), str(target), parameters=params, cwd=str(src.parent),
                                progress_bar=False, log_output=False, kernel_name="python3",
                                start_timeout=KERNEL_START_SECONDS, extra_arguments=QUIET_KERNEL, **kernel)
            break
        except pm.PapermillExecutionError as exc:
            raise NotebookFailed(f"{notebook} {params.get('service') or ''}: {exc.ename}: {exc.evalue} "
                                 f"(executed copy: {target})") from None
        except RuntimeError as exc:
            # The kernel never started: a busy machine, or two kernels given the same free port at
            # once ("Address already in use", then "Kernel died before replying"). Once more, then give up.
            starting = "didn't respond" in str(exc) or "died before replying" in str(exc)
            if warm is not None:
                warm.shutdown()
            if not starting or attempt == 2:
                raise NotebookFailed(f"{notebook} {params.get('service') or ''}: the Python kernel did not "
                                     f"start ({exc})") from None
            log.warning("%s: the kernel did not start (%s); trying once more", notebook, exc)
        finally:
            if warm is not None:
                warm.clean()
    nb = json.loads(target.read_text(encoding="utf-8"))
    status = nb.get("metadata", {}).get("papermill", {}).get("exception")
    errors = [c for c in nb["cells"] if c.get("cell_type") == "code"
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    if status or errors:
        raise NotebookFailed(f"{notebook}: execution recorded an error; see {target}")
    return target


APPENDIX_TAG = "appendix"
# Plain English for the terms the pages use; printed at the end of every council report.
GLOSSARY: dict[str, str] = {
    "Failure demand": "contact that exists because the council did not do something, or did not do it right, "
                      "for the customer first (chasing, things not done, unclear letters, repeat contacts). "
                      "Value demand is everything else: what the council is there to do.",
    "95% interval": "the range the true figure very probably lies in, given how many contacts, customers or "
                    "responses it rests on (and, for failure demand, how often the classifier is right).",
    "P10 to P90": "for savings: 8 in 10 of the simulated outcomes, varying every assumption, fall in this range.",
    "NPV": "net present value: savings minus costs over the years, with later years discounted (HM Treasury "
           "Green Book, 3.5% a year).",
    "Base": "how many contacts, customers, complaints or responses a figure rests on.",
    "* and rounding": "counts of 1 to 7 are shown as *, and other counts rounded to the nearest 5, so that no "
                      "person can be picked out; a share that would give such a count away is not shown either.",
    "Within the noise": "a change smaller than chance alone could produce; 'a clear change' is one it could not.",
    "Review sample": "contacts chosen at random (more where the classifier is unsure) and labelled by a person, "
                     "to correct the shares and measure how often the classifier is right.",
    "Precision, recall, kappa": "how often the classifier's 'failure' is right (precision), how much of the real "
                                "failure demand it finds (recall), and agreement beyond chance (kappa, 1 is perfect).",
    "Control chart (XmR)": "a week-by-week chart with limits set by the data's own variation: points outside "
                           "them, or long runs on one side, signal a real change.",
    "DERI": "GMCA's Digital Exclusion Risk Index for small areas: 0 is the lowest risk and 10 the highest in "
            "the comparison; it ranks areas, it is not a target.",
    "Likely digitally excluded": "customers whose contact with the council shows no digital use and signs of "
                                 "needing help; an estimate, not a label on a person.",
    "NPS": "Net Promoter Score: the share of survey responses scoring 9-10 minus the share scoring 0-6, "
           "from -100 to +100.",
}


def for_the_reader(cells: list) -> list:
    """The cells in the order a head of service reads them: analyst material (cells tagged
    ``appendix``: agreement tables, control charts, correlation checks) moved to an appendix at the
    end, followed by a plain glossary; "How to run" paragraphs (for analysts in JupyterLab) left out;
    numbered sections numbered again in the order they now appear."""
    import re

    import nbformat

    def strip(cell):
        if cell.cell_type == "markdown":
            paragraphs = re.split(r"\n\s*\n", cell.source)
            cell.source = "\n\n".join(p for p in paragraphs if not p.lstrip().startswith("**How to run.**"))
        return cell

    main = [strip(c) for c in cells if APPENDIX_TAG not in c.get("metadata", {}).get("tags", [])]
    extra = [strip(c) for c in cells if APPENDIX_TAG in c.get("metadata", {}).get("tags", [])]
    counter = iter(range(1, 100))
    for c in main:
        if c.cell_type == "markdown":
            c.source = re.sub(r"^## \d+\. ", lambda m: f"## {next(counter)}. ", c.source, flags=re.M)
    if not extra:
        return main
    letters = iter("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    for c in extra:
        if c.cell_type == "markdown":
            c.source = re.sub(r"^##+ (?:\d+\. )?", lambda m: f"### {next(letters)}. ", c.source, flags=re.M)
    head = nbformat.v4.new_markdown_cell("## Appendix: how far to trust the figures, for analysts\n\n"
                                         "The checks behind the figures above. A head of service can skip them.")
    words = "\n".join(f"- **{term}**: {meaning}" for term, meaning in GLOSSARY.items())
    glossary = nbformat.v4.new_markdown_cell(f"## Glossary\n\n{words}")
    return main + [head, *extra, glossary]


def notebook_body(executed: Path) -> str:
    """The executed notebook as HTML body content: no code, no prompts, no warnings, no hidden cells."""
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    nb = nbformat.read(str(executed), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":  # warnings and logs are for the analyst, not the reader
            cell.outputs = [o for o in cell.outputs if not (o.get("output_type") == "stream")]
    nb.cells = for_the_reader(nb.cells)
    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = set(HIDDEN_TAGS)
    config.TagRemovePreprocessor.enabled = True
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.exclude_anchor_links = True
    exporter = HTMLExporter(config=config, template_name="basic")
    body, _ = exporter.from_notebook_node(nb)
    return body


CSS = """
:root { --ink: #1b1b1b; --muted: #505a5f; --rule: #b1b4b6; --link: #1d70b8; --visited: #4c2c92;
        --focus: #ffdd00; --panel: #f3f2f1; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink);
       line-height: 1.5; margin: 0; font-size: 1.05rem; }
header, main, footer { max-width: 70rem; margin: 0 auto; padding: 0 1.25rem; }
header { border-bottom: 4px solid var(--link); padding-top: .75rem; padding-bottom: .75rem; }
header a { margin-right: 1.25rem; }
footer { border-top: 1px solid var(--rule); color: var(--muted); font-size: .9rem; margin-top: 3rem; padding-bottom: 2rem; }
a { color: var(--link); } a:visited { color: var(--visited); }
a:focus { outline: 3px solid var(--focus); background: var(--focus); color: var(--ink); }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; }
h1 { font-size: 2rem; margin-top: 1.5rem; } h2 { font-size: 1.5rem; margin-top: 2.25rem; }
h3 { font-size: 1.2rem; }
table { border-collapse: collapse; margin: 1rem 0 .5rem; font-size: .95rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0 .5rem; caption-side: top; }
th, td { border-bottom: 1px solid var(--rule); padding: .35rem .75rem .35rem 0; text-align: left; vertical-align: top; }
th { font-weight: 600; }
figure { margin: 1.25rem 0; } figure img { max-width: 100%; height: auto; }
figcaption.takeaway { background: var(--panel); border-left: 5px solid var(--link); padding: .6rem .9rem; margin-top: .5rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr)); gap: 1rem; margin: 1rem 0; padding: 0; }
.card { list-style: none; border: 1px solid var(--rule); border-top: 5px solid var(--link); padding: .75rem 1rem; }
.card .name { font-weight: 600; display: block; }
.card .value { font-size: 2rem; font-weight: 700; display: block; }
.card .range, .card .base, .note { color: var(--muted); display: block; font-size: .9rem; }
.period { color: var(--muted); margin: .2rem 0 0; font-size: .95rem; }
blockquote, .actions { background: var(--panel); border-left: 5px solid #00703c; margin: 1.25rem 0;
                      padding: .4rem 1.1rem .6rem; }
blockquote h2, .actions h2 { margin-top: .6rem; font-size: 1.3rem; }
.change { color: var(--muted); display: block; font-size: .85rem; margin-top: .3rem; }
.banner { background: var(--panel); border-left: 5px solid #d4351c; padding: .6rem .9rem; margin: 1rem 0; }
"""

PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<a class="skip" href="#main">Skip to the report</a>
<header><nav aria-label="Reports">{nav}</nav>{period}</header>
<main id="main">
{banner}{body}
</main>
<footer><p>{footer}</p></footer>
</body>
</html>
"""


def page(title: str, body: str, nav: list[tuple[str, str]], footer: str, banner: str = "", period: str = "") -> str:
    """A whole, self-contained HTML page (inline styles, no scripts, no external resources).

    ``period``: the reporting period, shown under the navigation of every page."""
    links = "".join(f'<a href="{html.escape(href)}">{html.escape(text)}</a>' for text, href in nav)
    note = f'<p class="banner">{html.escape(banner)}</p>\n' if banner else ""
    when = f'<p class="period">{html.escape(period)}</p>' if period else ""
    return PAGE.format(title=html.escape(title), css=CSS, nav=links, banner=note, body=body,
                       footer=html.escape(footer), period=when)


def to_html(executed: Path, html_path: Path, title: str = "", nav: list[tuple[str, str]] | None = None,
            footer: str = "", banner: str = "", period: str = "") -> Path:
    """Convert an executed notebook into a self-contained, code-free HTML page."""
    html_path = Path(html_path)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(page(title or html_path.stem, notebook_body(executed), nav or [], footer, banner, period),
                         encoding="utf-8")
    return html_path


@dataclass
class Job:
    """One notebook run: what to execute, with which parameters, and where its page goes."""

    notebook: str
    html: Path
    executed: Path
    title: str
    parameters: dict = field(default_factory=dict)
    nav: list[tuple[str, str]] = field(default_factory=list)
    footer: str = ""
    banner: str = ""
    period: str = ""

    @property
    def label(self) -> str:
        service = self.parameters.get("service")
        return f"{self.notebook}" + (f" (service={service})" if service else "")


def run_job(job: Job) -> tuple[Path, float]:
    """Execute one job (on this process's warm kernel, if it has one) and write its page; returns the
    page and the seconds taken."""
    t0 = time.perf_counter()
    execute(job.notebook, job.executed, job.parameters, warm=_warm)
    to_html(job.executed, job.html, job.title, job.nav, job.footer, job.banner, job.period)
    return job.html, time.perf_counter() - t0


def _analyse(processed: str, level: int) -> None:
    from cxinsight.analysis import build_analysis

    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    build_analysis(processed)


def analyse_apart(processed: Path) -> None:
    """:func:`cxinsight.analysis.build_analysis` in a process of its own: the whole council's
    classified contacts (GBs at 6M contacts) are not held by this process while the pages run."""
    level = logging.getLogger().getEffectiveLevel()
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        pool.submit(_analyse, str(processed), level).result()


def _run_all(jobs: list[Job], workers: int, stage: str) -> None:
    """Run ``jobs``, ``workers`` at a time, logging progress per notebook and service."""
    done = 0
    if workers <= 1 or len(jobs) <= 1:
        global _warm
        _warm = WarmKernel() if len(jobs) > 1 else None  # one notebook gains nothing from a warm kernel
        try:
            for job in jobs:
                path, secs = run_job(job)
                done += 1
                log.info("%s [%d/%d] %s -> %s (%.0f s)", stage, done, len(jobs), job.label, path.name, secs)
        finally:
            if _warm is not None:
                _warm.shutdown()
            _warm = None
        return
    # Each worker runs its notebooks in turn on one warm kernel (WarmKernel), stopped when it exits.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_warm_worker, initargs=(workers,)) as pool:
        futures = {pool.submit(run_job, job): job for job in jobs}
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                job = futures[fut]
                if fut.exception() is not None:
                    for other in pending:
                        other.cancel()
                    raise fut.exception()
                path, secs = fut.result()
                done += 1
                log.info("%s [%d/%d] %s -> %s (%.0f s)", stage, done, len(jobs), job.label, path.name, secs)


MAX_SERVICE_REPORTS = 30   # a real feed can have hundreds of categories: report on the largest
MIN_SERVICE_CONTACTS = 30  # a service page needs enough contacts for its figures to mean anything


def _services(processed: Path) -> tuple[list[str], int]:
    """The services that get a page of their own (the largest, each with enough contacts), and how
    many smaller ones are left to the council reports."""
    import pandas as pd

    counts = pd.read_parquet(processed / "contacts.parquet", columns=["service"])["service"].astype(str).value_counts()
    chosen = counts.loc[counts >= MIN_SERVICE_CONTACTS].index[:MAX_SERVICE_REPORTS]
    if len(chosen) < len(counts):
        log.info("%d services get their own report; %d smaller ones appear in the council reports only",
                 len(chosen), len(counts) - len(chosen))
    return sorted(chosen), len(counts) - len(chosen)


def build_reports(sources: Path | str | None = None, reports: Path | str | None = None,
                  processed: Path | str | None = None, services: list[str] | None = None,
                  period: str | None = None, workers: int = 2) -> list[Path]:
    """Run every notebook on ``sources`` (default: the demo) and write the HTML reports.

    ``services``: the service codes to report on (default: every service in the contacts).
    ``period``: ``"YYYY-MM-DD/YYYY-MM-DD"`` to limit the at-a-glance reports to those dates.
    Returns every page written, index first. Raises :class:`NotebookFailed` if a notebook fails
    and :class:`cxinsight.publish.PersonalDataFound` if the last gate finds personal data.
    """
    from cxinsight import availability, headlines, publish
    from cxinsight.charts import label

    t_start = time.perf_counter()
    # Absolute paths: papermill runs each notebook in the notebooks folder, not the caller's.
    sources = Path(sources).resolve() if sources else None
    out = Path(reports).resolve() if reports else paths.reports_dir()
    processed_dir = Path(processed).resolve() if processed else paths.processed_dir()
    final = out
    # Built in a staging folder and swapped in whole when the last gate has passed: a run that fails
    # or is killed leaves the previous complete reports (cxinsight.outputs).
    with outputs.replacing(final) as out:
        work = out / "_work"
        headlines_dir = work / "headlines"
        for stale in list(headlines_dir.glob("*.json")) if headlines_dir.exists() else []:
            stale.unlink()
        demo = sources is None
        banner = ("Demonstration: these figures come from a synthetic council generated for testing, not from "
                  "any real council's data.") if demo else ""
        generated = datetime.now().strftime("%d %B %Y %H:%M")
        footer = (f"Generated {generated} by cxinsight. Counts of 1 to 7 are shown as *; other counts are rounded "
                  "to the nearest 5. Free text is redacted.")
        base = {"processed_dir": str(processed_dir)}

        def council_job(nb: str, params: dict | None = None) -> Job:
            return Job(nb, out / "council" / nb.replace(".ipynb", ".html"), work / "council" / nb, TITLES[nb],
                       {**base, **(params or {})}, nav=[("All reports", "../index.html")], footer=footer, banner=banner,
                       period=whole if nb != COUNCIL_NOTEBOOKS[0] else "")

        first = [council_job(COUNCIL_NOTEBOOKS[0], {"sources": str(sources)} if sources else {})]
        _run_all(first, 1, "pipeline")
        whole = reporting_period(processed_dir)
        first[0].period = whole
        to_html(first[0].executed, first[0].html, first[0].title, first[0].nav, footer, banner, whole)
        glance_period = reporting_period(processed_dir, period) if period else whole
        # Classified, reviewed and segmented once; every notebook below reads this (cxinsight.analysis).
        analyse_apart(processed_dir)

        services, others = (list(services), 0) if services else _services(processed_dir)
        have = availability.supplied(processed_dir)
        unavailable = {nb: [availability.unlock(n) for n in NEEDS.get(nb, ()) if not availability.available(have, n)]
                       for nb in COUNCIL_NOTEBOOKS[1:]}
        for nb, why in unavailable.items():
            if why:
                log.info("%s: not run, the data it needs was not supplied", nb)
                write_unavailable(out / "council" / nb.replace(".ipynb", ".html"), TITLES[nb], why, footer, banner, whole)
        glance = {**base, "headlines_dir": str(headlines_dir), "downloads_dir": str(out / "downloads"),
                  "downloads_href": "../downloads/", **({"period": period} if period else {})}
        rest = [council_job(nb) for nb in COUNCIL_NOTEBOOKS[1:] if not unavailable[nb]]
        rest.append(Job(GLANCE, out / "council" / "at_a_glance.html", work / "council" / GLANCE,
                        "The whole council at a glance", {**glance, "service": "council"},
                        nav=[("All reports", "../index.html")], footer=footer, banner=banner, period=glance_period))
        for code in services:
            rest.append(Job(GLANCE, out / "services" / f"{code}.html", work / "services" / f"{code}.ipynb",
                            f"{label(code)} at a glance", {**glance, "service": str(code)},
                            nav=[("All reports", "../index.html")], footer=footer, banner=banner, period=glance_period))
        log.info("running %d reports, %d at a time", len(rest), workers)
        _run_all(rest, workers, "reports")

        index = write_index(out, headlines.read_all(headlines_dir), services, footer=footer, banner=banner,
                            others=others, period=glance_period, actions=headlines.read_actions(headlines_dir))
        log.info("index: %s", final / index.relative_to(out))
        check_pages(out)
        publish.assert_no_personal_data(out)
        log.info("last gate passed: no personal data in the new reports; all reports in %.0f s", time.perf_counter() - t_start)
        pages = [index] + [j.html for j in first + rest]
    log.info("reports in %s", final)
    return [final / p.relative_to(out) for p in pages]


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


class PageProblem(RuntimeError):
    """A generated page is not fit to hand over (see :func:`cxinsight.htmlcheck.problems`)."""


def check_pages(out: Path) -> None:
    """Fail the run if any page has a table without a caption, a count from 1 to 7 in a table, an
    image without alt text, headings out of order or anything fetched from outside the page."""
    from cxinsight.htmlcheck import problems, read_page

    found, failed = [], []
    for p in sorted(out.rglob("*.html")):
        if "_work" in p.parts:
            continue
        msgs = problems(read_page(p))
        found += [f"{p.relative_to(out)}: {msg}" for msg in msgs]
        if msgs:
            failed.append(p)
    for p in failed:  # no live page is left behind: kept for the analyst under a name no browser runs
        p.replace(p.with_name(p.name + ".rejected"))
    if found:
        raise PageProblem("pages not fit to hand over (renamed *.html.rejected): " + "; ".join(found[:20]))


def write_unavailable(path: Path, title: str, reasons: list[str], footer: str, banner: str, period: str = "") -> Path:
    """A page for a report the council's data cannot support, saying what would unlock it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    items = "".join(f"<li>{html.escape(r)}</li>" for r in reasons)
    body = (f"<h1>{html.escape(title)}</h1>\n<p>This report needs data this council's exports do not "
            f"include yet:</p>\n<ul>{items}</ul>\n<p>The other reports use what was supplied.</p>")
    path.write_text(page(title, body, [("All reports", "../index.html")], footer, banner, period), encoding="utf-8")
    return path


def write_index(out: Path, figures: list, services: list[str], footer: str = "", banner: str = "",
                others: int = 0, period: str = "", actions: list[str] | None = None) -> Path:
    """``index.html``: what the figures mean, the council's figures (each linking to the report that
    explains it, with its change against earlier quarters) and a row per service, each with range
    and base."""
    from cxinsight.charts import label
    from cxinsight.headlines import MEASURES, PAGES, SAVINGS_MEASURES, describe

    by_scope: dict[str, dict[str, dict]] = {}
    for h in figures:
        by_scope.setdefault(h.scope, {})[h.measure] = describe(h) | {"interval_kind": h.interval,
                                                                     "changes": h.changes}
    esc = html.escape
    council = by_scope.get("council", {})
    cards = []
    for measure in MEASURES:
        d = council.get(measure)
        if d is None:
            continue
        rng = f"{d['interval_kind']}: {d['interval']}" if d["interval"] else (d.get("note", "") if d["value"] == "*" else "")
        base = f"Base: {d['base']}" if d["base"] else d.get("note", "")
        changes = "".join(f'<span class="change">{esc(text)}</span>' for key, text, _ in d["changes"] if key != "latest")
        latest = next((f'<span class="change">Latest quarter ({esc(words)}): {esc(text)}</span>'
                       for key, text, words in d["changes"] if key == "latest"), "")
        cards.append(f'<li class="card"><a class="name" href="council/{PAGES[measure]}">{esc(d["name"])}</a>'
                     f'<span class="value">{esc(d["value"])}</span><span class="range">{esc(rng)}</span>'
                     f'<span class="base">{esc(base)}</span>{latest}{changes}</li>')
    shown = [m for m in MEASURES if m not in SAVINGS_MEASURES or m == "savings_npv"]
    head = "".join(f"<th scope=\"col\">{esc(MEASURES[m][0])}</th>" for m in shown)
    rows = []
    for code in services:
        cells = []
        for m in shown:
            d = by_scope.get(code, {}).get(m)
            if d is None:
                cells.append("<td>not reported</td>")
                continue
            rng = f" ({d['interval']})" if d["interval"] else ""
            since = next((short for key, _, short in d["changes"] if key == "previous"), "")
            since = f'<span class="change">Since the quarter before: {esc(since)}</span>' if since else ""
            cells.append(f"<td>{esc(d['value'])}{esc(rng)}<br><span class=\"note\">{esc(d['base'])}</span>{since}</td>")
        rows.append(f'<tr><th scope="row"><a href="services/{esc(code)}.html">{esc(label(code))}</a></th>{"".join(cells)}</tr>')
    todo = "".join(f"<li>{esc(a)}</li>" for a in (actions or []))
    box = (f'<div class="actions"><h2>What this means'
           f'</h2><ul>{todo}</ul></div>' if todo else "")
    chapters = "".join(f'<li><a href="council/{nb.replace(".ipynb", ".html")}">{esc(TITLES[nb])}</a></li>'
                       for nb in COUNCIL_NOTEBOOKS)
    body = f"""<h1>Customer contact: what the council's own data says</h1>
<p>Five questions every customer-experience strategy asks, answered from the council's exports: how much
contact exists because something went wrong first, who would be stranded by digital-only services, what
moving contacts online could save, whether complaints are answered in time, and what customers think.
Every figure carries its range and the number it rests on.</p>
{box}
<h2>The whole council at a glance</h2>
<ul class="cards">{''.join(cards)}</ul>
<p><a href="council/at_a_glance.html">The whole council at a glance, with charts</a></p>
<h2>By service</h2>
<table>
<caption>Each service's figures: estimate, range (95% interval; savings: P10 to P90), base and the change
since the quarter before. Select a service for its report.</caption>
<thead><tr><th scope="col">Service</th>{head}</tr></thead>
<tbody>{''.join(rows)}</tbody>
</table>
{f'<p>{others:,} smaller services (fewer than {MIN_SERVICE_CONTACTS} contacts each, or beyond the largest '
   f'{MAX_SERVICE_REPORTS}) are counted in the council reports.</p>' if others else ''}
<h2>Detailed council reports</h2>
<ul>{chapters}</ul>
<h2>About these figures</h2>
<ul>
<li>Shares carry 95% intervals; savings carry the 10th to 90th percentile of a Monte Carlo over every
assumption. A figure on too small a base (fewer than 8; for NPS fewer than 30 responses) is not shown.</li>
<li>Failure demand is estimated by a classifier and corrected by a review sample a person labels.</li>
<li>Digital exclusion risk is relative: use it to prioritise, not as a target or to measure change over time.</li>
<li>Channel-shift investment costs are placeholders until the council supplies its own.</li>
</ul>"""
    path = out / "index.html"
    path.write_text(page("Customer contact reports", body, [("All reports", "index.html")], footer, banner, period),
                    encoding="utf-8")
    return path
