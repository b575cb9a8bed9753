"""Benchmark: classify a year of demo contacts as failure or value demand (text + behaviour).

Prepares the contacts as the pipeline does (load, clean, redact; not timed), then times
``cxinsight.demand.classify`` in a fresh process. Target (issue 3): 6,000,000 contacts in at most
60 s on 2 cores.

    python benchmarks/bench_classify.py --sizes 6000000
"""

from __future__ import annotations

import sys

from bench_load_clean import ensure_demo, run_child, sizes_from_command_line

TARGET_SECONDS = 60

CHILD = r"""
import json, resource, sys, time
import cxinsight as cx
from cxinsight import privacy
from cxinsight.demand import classify
from cxinsight.pipeline import prepare_contacts
contacts = prepare_contacts(cx.load_contacts(sys.argv[1], profile="demo_crm").data)
contacts, _ = privacy.redact_frame(contacts, ["notes"])
t0 = time.perf_counter()
result = classify(contacts)
seconds = time.perf_counter() - t0
print(json.dumps({"contacts": len(result), "seconds": seconds,
                  "distinct_notes": int(contacts["notes"].nunique()),
                  "failure_share": float((result["demand"] == "failure").mean()),
                  "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2}))
"""


def main() -> int:
    sizes = sizes_from_command_line(__doc__)
    print(f"{'contacts':>10} {'distinct notes':>15} {'classify s':>11} {'failure %':>10} {'peak GB':>8}")
    ok = True
    for size in sizes:
        r = run_child(CHILD, str(ensure_demo(size) / "crm"))
        print(f"{r['contacts']:>10,} {r['distinct_notes']:>15,} {r['seconds']:>11.1f} "
              f"{100 * r['failure_share']:>10.1f} {r['peak_gb']:>8.2f}", flush=True)
        if size >= 6_000_000:
            ok = r["seconds"] <= TARGET_SECONDS
            print(f"target 6M: <= {TARGET_SECONDS} s: {'met' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
