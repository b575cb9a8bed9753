"""Benchmark: the text work alone, in one process (CPU seconds): redaction of the demo's notes, the
pipeline's second check of the redacted notes, and the classification of the processed contacts.

Uses the demo councils of ``bench_stages.py`` (run it first: the classification reads the processed
contacts it leaves). Every part runs in this one process (no pool), so the CPU is the work itself.

    python benchmarks/bench_text.py --sizes 150000 1000000
"""

from __future__ import annotations

import sys

from bench_load_clean import run_child, sizes_from_command_line
from bench_stages import data_dir

CHILD = r"""
import json, os, sys, time
os.environ["CXINSIGHT_SERIAL"] = "1"
import pandas as pd
import cxinsight as cx
from cxinsight import privacy
from cxinsight.demand import classify, rules
rules.PARALLEL_MIN = 10 ** 12
folder = sys.argv[1]
notes = cx.load_contacts(f"{folder}/raw/demo/crm", profile="demo_crm").data["notes"]
t0 = time.process_time()
redacted = privacy.redact_text(notes)
t1 = time.process_time()
privacy.redact_until_clean(redacted)
t2 = time.process_time()
contacts = pd.read_parquet(f"{folder}/processed/contacts.parquet")
complaints = pd.read_parquet(f"{folder}/processed/complaints.parquet")
t3 = time.process_time()
classify(contacts, complaints=complaints)
t4 = time.process_time()
print(json.dumps({"distinct": int(notes.nunique()), "redact": t1 - t0, "check": t2 - t1, "classify": t4 - t3}))
"""


def main() -> int:
    sizes = sizes_from_command_line(__doc__)
    print(f"{'contacts':>10} {'distinct notes':>15} {'redact CPU':>11} {'check CPU':>10} {'classify CPU':>13}")
    for size in sizes:
        folder = data_dir(size)
        if not (folder / "processed" / "contacts.parquet").exists():
            print(f"{size:,}: run bench_stages.py first (no processed contacts in {folder})")
            continue
        r = run_child(CHILD, str(folder))
        print(f"{size:>10,} {r['distinct']:>15,} {r['redact']:>11.1f} {r['check']:>10.1f} {r['classify']:>13.1f}",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
