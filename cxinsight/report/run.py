"""Run notebooks: papermill jobs, a worker at a time or several at once, on warm kernels.

:func:`execute` runs one notebook with its parameters (passed as text) and checks its recorded
status, not only the exit code. :func:`run_all` runs a list of :class:`Job`, each worker keeping one
:class:`WarmKernel` for the notebooks it runs in turn. :func:`analyse_apart` builds the analysis
every notebook reads in a process of its own.
"""

from __future__ import annotations

import json
import logging
import time
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field
from pathlib import Path

from cxinsight.pools import CHEAPEST, on_orphaned, process_pool
from cxinsight.report.notebooks import notebook_dir
from cxinsight.report.render import to_html

log = logging.getLogger(__name__)
# A successful run is quiet: papermill's "Input Notebook:" lines and the kernel's own start-up and
# shut-down messages (TCP transport warning, KeyboardInterrupt at shutdown) are not the analyst's
# business. A failing cell still raises NotebookFailed with its error and the executed copy.
logging.getLogger("papermill").setLevel(logging.WARNING)
QUIET_KERNEL = ["--IPKernelApp.log_level=CRITICAL"]
KERNEL_START_SECONDS = 180  # papermill's default of 60 s is too short on a busy two-core machine


class NotebookFailed(RuntimeError):
    """A notebook did not run to the end."""


# A kernel kept warm for the notebooks one worker runs in turn: started once, it keeps the modules
# every notebook imports (pandas, matplotlib, seaborn, scikit-learn, cxinsight: about 2 s a notebook)
# and nothing else: between notebooks its namespace is cleared, figures closed, matplotlib's and
# pandas' display settings reset and the working folder restored (RESET); what is left (the modules and
# their caches) is then set aside from Python's cycle collector (``gc.freeze``), which otherwise walks
# those millions of objects again in every reset and every collection a notebook triggers (0.2 s a
# reset before). A kernel that has grown large (a big council's notebook) is restarted rather than
# kept, so a warm kernel never holds more memory than a cold one would.
WARM_MAX_BYTES = 1_500_000_000
RESET = """%reset -f
import os as _os, sys as _sys
if "matplotlib.pyplot" in _sys.modules:
    _sys.modules["matplotlib.pyplot"].close("all")
if "matplotlib" in _sys.modules:
    _sys.modules["matplotlib"].rcdefaults()  # each notebook sets its style again (charts.setup)
if "pandas" in _sys.modules:
    _sys.modules["pandas"].reset_option("^display")
_os.chdir({folder!r})
import gc as _gc
_gc.collect()  # (the figures just closed) before what is left is set aside
_gc.freeze()
del _os, _sys, _gc
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
            reply = kc.execute_interactive(RESET.format(folder=self.folder), timeout=60, store_history=False,
                                           output_hook=lambda msg: None)
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


def _start_warm() -> None:
    """This process keeps one warm kernel for the notebooks it runs in turn (:func:`run_job` uses it)."""
    global _warm
    _warm = WarmKernel()


def _stop_warm() -> None:
    """Stop this process's warm kernel, if it has one."""
    global _warm
    if _warm is not None:
        _warm.shutdown()
    _warm = None


def _warm_worker(workers: int = 1) -> None:
    """Pool initialiser: this worker keeps one warm kernel, stopped when the worker exits; the kernels
    it starts use their share of the machine's cores for numerical work."""
    import atexit
    import os

    share = str(max(1, (os.cpu_count() or 1) // max(1, workers)))
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, share)
    _start_warm()
    atexit.register(_stop_warm)
    on_orphaned(_stop_warm)  # the report killed: the worker stops its kernel as it exits (cxinsight.pools)


#: papermill's engine, registered under this name by :func:`_engine` (see there).
ENGINE = "cxinsight"


def _engine() -> str:
    """papermill's nbclient engine, writing the executed notebook once, when the run ends (it also
    ends in error), not before and after every cell as papermill's own does: 45 writes of a page's
    notebook (each serialised and checked against the notebook schema) were half a second a page,
    for a progress file nobody reads while a report runs. Registered once per process; returns its name.
    """
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.iorw import write_ipynb

    class SaveOnce(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, **kwargs):
            try:  # no path for the cell-by-cell saves; papermill writes the finished notebook itself
                return super().execute_notebook(nb, kernel_name, output_path=None, **kwargs)
            except BaseException:  # (a dead kernel, an interrupt: papermill writes nothing then)
                if output_path:
                    write_ipynb(nb, output_path)
                raise

    try:
        papermill_engines.get_engine(ENGINE)
    except Exception:  # (PapermillException: not registered in this process yet)
        papermill_engines.register(ENGINE, SaveOnce)
    return ENGINE


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
                                start_timeout=KERNEL_START_SECONDS, extra_arguments=QUIET_KERNEL,
                                engine_name=_engine(), **kernel)
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


#: How a stage's process starts: forked where the platform can, so it begins with the modules this
#: process has already imported rather than importing pandas, pyarrow, pandera and cxinsight again
#: (1.5 to 2 s of each stage's wall time, three stages in turn); spawned elsewhere. Either way the
#: stage's memory is its own and is returned when it ends. The pages' workers are always spawned:
#: they drive kernels over ZeroMQ, which a forked child must not inherit half-made.
STAGE_START = CHEAPEST


def _analyse(processed: str, level: int, options=None) -> None:
    from cxinsight.analysis import build_analysis

    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    build_analysis(processed, options)


def _process(sources: str | None, processed: str, level: int) -> None:
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    from cxinsight.pipeline import build_processed

    build_processed(sources, processed)


def process_apart(sources: Path | None, processed: Path) -> None:
    """:func:`cxinsight.pipeline.build_processed` (load, clean, redact, validate, write ``processed``)
    in a process of its own, as the analysis is: the stage runs in the library, and notebook 01 only
    reads and shows what it wrote."""
    level = logging.getLogger().getEffectiveLevel()
    with process_pool(1, STAGE_START) as pool:
        pool.submit(_process, str(sources) if sources else None, str(processed), level).result()


def _figures(processed: str, services: list[str], period: str | None, level: int) -> None:
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    from cxinsight.figures import build_figures

    build_figures(processed, services, period)


def figures_apart(processed: Path, services: list[str], period: str | None = None) -> None:
    """:func:`cxinsight.figures.build_figures` (every page's figures, from the analysis as built) in a
    process of its own, as the analysis is: this process never holds the council's contacts."""
    level = logging.getLogger().getEffectiveLevel()
    with process_pool(1, STAGE_START) as pool:
        pool.submit(_figures, str(processed), [str(s) for s in services], period, level).result()


def analyse_apart(processed: Path, options=None) -> None:
    """:func:`cxinsight.analysis.build_analysis` (with ``options``, default the defaults) in a process
    of its own: the whole council's classified contacts (GBs at 6M contacts) are not held by this
    process while the pages run. The notebooks, run with no analysis parameters, read it as built."""
    level = logging.getLogger().getEffectiveLevel()
    with process_pool(1, STAGE_START) as pool:
        pool.submit(_analyse, str(processed), level, options).result()


def run_all(jobs: list[Job], workers: int, stage: str) -> None:
    """Run ``jobs``, ``workers`` at a time, logging progress per notebook and service."""
    done = 0
    if workers <= 1 or len(jobs) <= 1:
        if len(jobs) > 1:  # one notebook gains nothing from a warm kernel
            _start_warm()
        try:
            for job in jobs:
                path, secs = run_job(job)
                done += 1
                log.info("%s [%d/%d] %s -> %s (%.0f s)", stage, done, len(jobs), job.label, path.name, secs)
        finally:
            _stop_warm()
        return
    # Each worker runs its notebooks in turn on one warm kernel (WarmKernel), stopped when it exits.
    with process_pool(workers, "spawn", initializer=_warm_worker, initargs=(workers,)) as pool:
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
