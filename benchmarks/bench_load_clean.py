"""Benchmark: load + clean a year of demo contacts at council scale.

Generates the demo council at each size (cached in ``benchmarks/.cache``, not timed), then, in a
fresh Python process per size so peak memory is that of the work alone, times:

- load: read the four quarterly CRM exports, parse, normalise channels and services, quarantine,
  de-duplicate (``cxinsight.load_contacts``);
- clean: redact every free-text and category field, pseudonymise personal ids (``protect``), sort
  and link repeat contacts (``prepare_contacts``);
- validate: the pandera ``Contacts`` schema.

Target (issue 2): 6,000,000 contacts in at most 60 s and 6 GB on 2 cores.

    python benchmarks/bench_load_clean.py --sizes 1000000 6000000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
TARGET_SECONDS, TARGET_GB = 60, 6.0

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
import cxinsight as cx
from cxinsight import privacy, schemas
from cxinsight.pipeline import prepare_contacts, protect
crm = Path(sys.argv[1])
t_import = time.perf_counter()
loaded = cx.load_contacts(crm, profile="demo_crm")
t_load = time.perf_counter()
contacts, counts = protect("contacts", loaded.data, key="benchmark")
t_protect = time.perf_counter()
contacts = prepare_contacts(contacts)
t_clean = time.perf_counter()
contacts["source_file"] = contacts["source_file"].astype(str)
schemas.validate("contacts", contacts)
t_valid = time.perf_counter()
print(json.dumps({
    "rows_in": loaded.rows_in, "rows_clean": len(contacts), "rows_quarantined": len(loaded.quarantine),
    "import_s": t_import - t0, "load_s": t_load - t_import, "protect_s": t_protect - t_load,
    "clean_s": t_clean - t_load,
    "validate_s": t_valid - t_clean, "total_s": t_valid - t_import,
    "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2,
}))
"""


def ensure_demo(size: int) -> Path:
    raw = CACHE / f"demo_{size}"
    if not (raw / "sources.yaml").exists():
        from cxinsight.synthetic import DemoSpec, generate_demo

        print(f"generating {size:,} demo contacts (not timed)...", flush=True)
        t0 = time.perf_counter()
        generate_demo(raw, CACHE / f"demo_{size}_answer_key", DemoSpec(contacts=size))
        print(f"  generated in {time.perf_counter() - t0:.0f} s", flush=True)
    return raw


def run_child(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh Python (so peak memory is the work's alone); parse its last JSON line."""
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONWARNINGS": "ignore"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(size: int) -> dict:
    return {"contacts": size, **run_child(CHILD, str(ensure_demo(size) / "crm"))}


def sizes_from_command_line(doc: str) -> list[int]:
    """The ``--sizes`` a benchmark runs at; prints the machine it runs on."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 6_000_000])
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}")
    return args.sizes


def main() -> int:
    sizes = sizes_from_command_line(__doc__)
    print(f"{'contacts':>10} {'rows in':>10} {'load s':>7} {'clean s':>8} {'valid s':>8} {'total s':>8} {'peak GB':>8}")
    ok = True
    for size in sizes:
        r = run(size)
        print(f"{r['contacts']:>10,} {r['rows_in']:>10,} {r['load_s']:>7.1f} {r['clean_s']:>8.1f} "
              f"{r['validate_s']:>8.1f} {r['total_s']:>8.1f} {r['peak_gb']:>8.2f}", flush=True)
        if size >= 6_000_000:
            ok = r["total_s"] <= TARGET_SECONDS and r["peak_gb"] <= TARGET_GB
            print(f"target 6M: <= {TARGET_SECONDS} s and <= {TARGET_GB} GB: {'met' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
