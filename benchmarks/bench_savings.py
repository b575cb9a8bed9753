"""Benchmark: 10,000 Monte Carlo draws of the channel-shift business case for a 10-service council.

Builds the inputs from the demo council's processed data (baseline volumes, shiftable volume and
failure shares for its ten services), then times ``cxinsight.savings.monte_carlo`` (best of five
runs, each a fresh seed). Target (issue 5): at most 2 s.

    python benchmarks/bench_savings.py
"""

from __future__ import annotations

import sys
import time

from cxinsight.demand import classify
from cxinsight.demand.measures import failure_share
from cxinsight.exclusion.customers import customer_features, segment_customers, shiftable_volume
from cxinsight.pipeline import read_processed
from cxinsight.savings import Inputs, SavingsAssumptions, baseline, monte_carlo

TARGET_SECONDS = 2.0


def main() -> int:
    contacts = read_processed("contacts")
    classified = classify(contacts)
    segments = segment_customers(customer_features(contacts))
    inputs = Inputs.from_frames(baseline(contacts), shiftable_volume(contacts, segments),
                                failure_share(classified, by="service"))
    services = contacts["service"].nunique()
    times = []
    for seed in range(5):
        t0 = time.perf_counter()
        result = monte_carlo(inputs, SavingsAssumptions(), "both", draws=10_000, seed=seed)
        times.append(time.perf_counter() - t0)
    best = min(times)
    print(f"services: {services}  draws: {len(result['npv']):,}  best of 5: {best:.3f} s  "
          f"NPV P10/P50/P90: {[round(x) for x in result['bands'].iloc[-1][['cumulative_p10', 'cumulative_p50', 'cumulative_p90']]]}")
    ok = best <= TARGET_SECONDS
    print(f"target: <= {TARGET_SECONDS} s: {'met' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
