"""Benchmark: follow 6,000,000 classified contacts into journeys and measure them (issue 30).

The contacts are the demo council's (150,000 a year, generated once and classified, not timed),
copied side by side until there are enough: each copy's customer and case numbers are its own, so a
copy is another council's year of the same shape (the journeys, chases and hops the demo plants, at
the same rates). In a fresh process it times :func:`cxinsight.journeys.with_journeys` (the link:
one sort and a cumulative sum) and the journey table with every measure (by service and by channel),
the patterns and the flows. Target (issue 30): 6M contacts within 60 s and 4 GB on 2 cores. The work
is single-threaded: on a machine shared with other jobs the wall-clock time (``total s``) includes
waiting for a core, and ``CPU s`` is the time the work itself took.

    python benchmarks/bench_journeys.py --sizes 1000000 6000000
"""

from __future__ import annotations

import sys

from bench_load_clean import CACHE, ensure_demo, run_child, sizes_from_command_line

TARGET_SECONDS = 60
TARGET_GB = 4.0
BASE = 150_000

PREPARE = r"""
import sys
import cxinsight as cx
from cxinsight.demand import classify
from cxinsight.pipeline import build_processed, read_optional, read_processed
raw, out = sys.argv[1], sys.argv[2]
build_processed(f"{raw}/sources.yaml", out)
contacts = read_processed("contacts", out)
classified = classify(contacts, complaints=read_optional("complaints", out))
keep = ["contact_id", "received_at", "channel", "service", "customer_id", "case_id", "closed_at", "demand",
        "failure_type"]
classified[keep].to_parquet(f"{out}/classified.parquet", index=False)
print('{"ok": true}')
"""

CHILD = r"""
import json, resource, sys, time
import numpy as np
import pandas as pd
from cxinsight import journeys
base = pd.read_parquet(sys.argv[1])
size = int(sys.argv[2])
copies = -(-size // len(base))
parts = []
for i in range(copies):  # another council's year: its own customer and case numbers
    part = base.assign(contact_id=base["contact_id"] + f"-{i}", customer_id=base["customer_id"] + f"-{i}",
                       case_id=base["case_id"] + f"-{i}")
    parts.append(part)
contacts = pd.concat(parts, ignore_index=True).iloc[:size]
for col in ("channel", "service", "demand", "failure_type"):
    contacts[col] = contacts[col].astype("category")
before_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
t0, cpu0 = time.perf_counter(), time.process_time()
linked = journeys.with_journeys(contacts)
t_link = time.perf_counter()
found = journeys.follow(linked)
t_table = time.perf_counter()
overall = journeys.measures(found)
by_service = journeys.measures(found, by="service")
by_channel = journeys.measures(found, by="channel")
extra = journeys.extra_contacts(linked, found)
common = journeys.patterns(found)
flow = journeys.flows(found)
xmr = journeys.end_to_end_xmr(found)
t_done, cpu = time.perf_counter(), time.process_time() - cpu0
m = overall.set_index("measure")["estimate"]
print(json.dumps({"contacts": len(contacts), "journeys": len(found.table), "link_s": t_link - t0,
                  "table_s": t_table - t_link, "measures_s": t_done - t_table, "total_s": t_done - t0, "cpu_s": cpu,
                  "fcr": float(m["first_contact_resolution"]), "per_journey": float(m["contacts_per_journey"]),
                  "input_gb": before_gb, "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2}))
"""


def main() -> int:
    sizes = sizes_from_command_line(__doc__)
    classified = CACHE / f"journeys_{BASE}" / "classified.parquet"
    if not classified.exists():
        print(f"processing and classifying {BASE:,} demo contacts (not timed)...", flush=True)
        run_child(PREPARE, str(ensure_demo(BASE)), str(classified.parent))
    print(f"{'contacts':>10} {'journeys':>10} {'link s':>7} {'table s':>8} {'measures s':>11} {'total s':>8} "
          f"{'CPU s':>6} {'FCR %':>6} {'per journey':>12} {'input GB':>9} {'peak GB':>8}")
    ok = True
    for size in sizes:
        r = run_child(CHILD, str(classified), str(size))
        print(f"{r['contacts']:>10,} {r['journeys']:>10,} {r['link_s']:>7.1f} {r['table_s']:>8.1f} "
              f"{r['measures_s']:>11.1f} {r['total_s']:>8.1f} {r['cpu_s']:>6.1f} {100 * r['fcr']:>6.1f} "
              f"{r['per_journey']:>12.3f} "
              f"{r['input_gb']:>9.2f} {r['peak_gb']:>8.2f}", flush=True)
        if size >= 6_000_000:
            ok = r["total_s"] <= TARGET_SECONDS and r["peak_gb"] <= TARGET_GB
            print(f"target 6M: <= {TARGET_SECONDS} s and <= {TARGET_GB:g} GB: {'met' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
