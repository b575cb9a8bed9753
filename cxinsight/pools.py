"""Process pools whose workers end when the process that started them ends.

A worker of Python's :class:`~concurrent.futures.ProcessPoolExecutor` waits on its queue for work;
if the process that made the pool is killed (``kill -9``, the machine's out-of-memory killer, an
analyst closing the terminal), nothing tells the worker, and it waits for ever, holding the memory
it inherited: a forked worker of a large council's analysis holds gigabytes. Every pool in
cxinsight is made here: each worker watches its parent (once a second) and, when the parent is
gone, runs the clean-ups registered with :func:`on_orphaned` (a notebook worker stops its kernel)
and exits.

>>> with process_pool(1) as pool:
...     pool.submit(pow, 2, 10).result()
1024
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

log = logging.getLogger(__name__)

#: How often a worker checks that the process that started it is still there (seconds).
POLL_SECONDS = 1.0
#: How long a worker whose parent is gone gives its clean-ups before it exits regardless (seconds).
CLEAN_UP_SECONDS = 10.0

_CLEAN_UPS: list[Callable[[], object]] = []


def on_orphaned(clean_up: Callable[[], object]) -> None:
    """Run ``clean_up`` in this worker if the process that started it dies before it (for example,
    stop a kernel the worker started): the worker then exits."""
    _CLEAN_UPS.append(clean_up)


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    threading.Timer(CLEAN_UP_SECONDS, os._exit, args=(1,)).start()  # a clean-up that hangs is not waited for
    for clean_up in reversed(_CLEAN_UPS):
        try:
            clean_up()
        except Exception:  # the worker is exiting: nothing to report to, nothing else to do
            pass
    os._exit(1)


def _start_worker(initializer: Callable | None, initargs: tuple) -> None:
    _CLEAN_UPS.clear()  # a forked worker does not inherit its parent's clean-ups
    # the process that started this worker: the pool's owner (fork, spawn), or a fork server that
    # lives as long as the owner does
    parent = os.getppid()
    threading.Thread(target=_exit_when_orphaned, args=(parent,), name="cxinsight-orphan-watch", daemon=True).start()
    if initializer is not None:
        initializer(*initargs)


#: ``context`` for a pool whose workers need only what this process has already imported: forked
#: where the platform can fork (a worker starts in milliseconds, sharing this process's modules),
#: else the platform's default. Not the default start method: inside a process that was itself
#: spawned (as each stage of ``cxinsight report`` was), Python's default becomes ``spawn``, and a
#: spawned worker imports pandas, pyarrow, pandera and cxinsight again (1.5 to 2.5 s of CPU each; at
#: a million contacts a report had started twelve such workers for its redaction and classification).
CHEAPEST = "cheapest"


def process_pool(max_workers: int, context: str | None = None, initializer: Callable | None = None,
                 initargs: tuple = ()) -> ProcessPoolExecutor:
    """A :class:`~concurrent.futures.ProcessPoolExecutor` of ``max_workers`` processes started by
    ``context`` (``"fork"``, ``"spawn"``, :data:`CHEAPEST`, or None for the start method in force
    in this process), each running ``initializer(*initargs)`` first, whose workers exit when this
    process is gone."""
    if context == CHEAPEST:
        context = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    ctx = multiprocessing.get_context(context)
    return ProcessPoolExecutor(max_workers=max_workers, mp_context=ctx, initializer=_start_worker,
                               initargs=(initializer, tuple(initargs)))
