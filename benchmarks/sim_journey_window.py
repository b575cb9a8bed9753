"""Simulation: what the journeys' time window costs, on the demo council's planted journeys (issue 30).

Without case numbers, a contact joins its customer's previous journey about the same service when it
came within the window of it (:mod:`cxinsight.journeys`). This follows the demo council (150,000
contacts, seed 20240401: exports, pipeline, classification) into journeys with windows of 7 to 56
days, splitting at value demand or not, with its case numbers and without them, and compares
first-contact resolution, contacts per journey and the channel-hop share with the planted truth
(``planted.yaml``). The numbers the module's note and benchmarks/README.md quote come from here.

    python benchmarks/sim_journey_window.py
"""

from __future__ import annotations

import sys

import pandas as pd
import yaml
from bench_journeys import BASE, PREPARE
from bench_load_clean import CACHE, ensure_demo, run_child

from cxinsight import journeys

MEASURES = {"first_contact_resolution": "first_contact_resolution", "contacts_per_journey": "contacts_per_journey",
            "channel_hop": "channel_hop_share"}


def main() -> int:
    folder = CACHE / f"journeys_{BASE}"
    if not (folder / "classified.parquet").exists():
        run_child(PREPARE, str(ensure_demo(BASE)), str(folder))
    contacts = pd.read_parquet(folder / "classified.parquet")
    complaints = pd.read_parquet(folder / "complaints.parquet")
    planted = yaml.safe_load((CACHE / f"demo_{BASE}_answer_key" / "planted.yaml").read_text())["journeys"]
    truth = {m: planted[k] for m, k in MEASURES.items()}
    print("| case numbers | window (days) | split at value demand | first-contact resolution | contacts per journey "
          "| channel hop | journeys judged |")
    print("|---|---|---|---|---|---|---|")
    print(f"| planted truth | | | {truth['first_contact_resolution']:.3f} | {truth['contacts_per_journey']:.3f} | "
          f"{truth['channel_hop']:.3f} | {planted['judged_journeys']:,} |")
    for cases in (True, False):
        frame = contacts if cases else contacts.drop(columns=["case_id"])
        for window in (7, 14, 28, 56):
            for split in (True, False):
                found = journeys.follow(frame, complaints, window_days=window, split_on_value=split)
                m = journeys.measures(found).set_index("measure")["estimate"]
                cells = " | ".join(f"{m[k]:.3f} ({m[k] - truth[k]:+.3f})" for k in MEASURES)
                print(f"| {'yes' if cases else 'no'} | {window} | {'yes' if split else 'no'} | {cells} | "
                      f"{int(found.table['judged'].sum()):,} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
