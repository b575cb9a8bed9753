"""Benchmark: CPU seconds and wall time of the pipeline and of the analysis, as a council runs them.

For each size, a demo council in a data folder of its own (``benchmarks/.cache/stages_<size>``,
generated once, not timed), then, each in a fresh process as ``cxinsight report`` runs them:

- pipeline: ``cxinsight -q pipeline`` (load, clean, redact, validate, write ``processed/``);
- analysis: ``cxinsight.analysis.build_analysis()`` (classify every contact, review sample, areas,
  segments; written to ``interim/``).

CPU is user plus system time of the process and every process it started (a process pool's
workers too), from ``getrusage(RUSAGE_CHILDREN)``. Issue 31 gives the numbers before and after.

    python benchmarks/bench_stages.py --sizes 150000 1000000
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench_load_clean import CACHE, sizes_from_command_line

ANALYSE = "from cxinsight.analysis import build_analysis; build_analysis()"


def data_dir(size: int) -> Path:
    folder = CACHE / f"stages_{size}"
    if not (folder / "raw" / "demo" / "sources.yaml").exists():
        print(f"generating {size:,} demo contacts (not timed)...", flush=True)
        _run([sys.executable, "-m", "cxinsight.cli", "-q", "demo", "--contacts", str(size)], folder)
    return folder


def _run(command: list[str], folder: Path) -> tuple[float, float]:
    """Wall and CPU seconds of ``command`` (and its children) with ``folder`` as the data folder."""
    env = {**os.environ, "CXINSIGHT_DATA_DIR": str(folder), "CXINSIGHT_REPORTS_DIR": str(folder / "reports"),
           "PYTHONWARNINGS": "ignore"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(command, env=env, check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    sizes = sizes_from_command_line(__doc__)
    print(f"{'contacts':>10} {'pipeline wall':>14} {'pipeline CPU':>13} {'analysis wall':>14} {'analysis CPU':>13}")
    for size in sizes:
        folder = data_dir(size)
        p_wall, p_cpu = _run([sys.executable, "-m", "cxinsight.cli", "-q", "pipeline"], folder)
        a_wall, a_cpu = _run([sys.executable, "-c", ANALYSE], folder)
        print(f"{size:>10,} {p_wall:>14.1f} {p_cpu:>13.1f} {a_wall:>14.1f} {a_cpu:>13.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
