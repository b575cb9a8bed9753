"""Benchmark: staff and customer ids pseudonymised at scale (issue 28, build point 2).

Six million contact rows holding about a million distinct customer ids (8 digits, as the pipeline
has them after restoring leading zeros; 15% missing) and 500 staff ids, hashed with
:func:`cxinsight.pseudonym.pseudonymise` (each distinct id normalised and hashed once, the tokens
broadcast back by their codes). Best of three runs, in one process; the key is a throwaway one in a
temporary folder (never the analyst's). Target: a few seconds for the customer column.

    python benchmarks/bench_pseudonym.py [--rows 6000000] [--customers 1000000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import numpy as np
import pandas as pd

TARGET_SECONDS = 5.0


def ids(rows: int, customers: int, seed: int = 0) -> tuple[pd.Series, pd.Series]:
    rng = np.random.default_rng(seed)
    number = rng.integers(0, customers * 10, customers)[rng.integers(0, customers, rows)]
    text = pd.Series(np.char.zfill(number.astype(str), 8), dtype="str")
    text = text.where(rng.random(rows) >= 0.15)  # no customer number given
    staff = pd.Series(np.char.add("agent.", rng.integers(0, 500, rows).astype(str)), dtype="str")
    return text, staff


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=6_000_000)
    parser.add_argument("--customers", type=int, default=1_000_000)
    args = parser.parse_args()
    os.environ["CXINSIGHT_PSEUDONYM_KEY_FILE"] = os.path.join(tempfile.mkdtemp(), "bench.key")
    from cxinsight import pseudonym

    key = pseudonym.load_key()
    customer, staff = ids(args.rows, args.customers)
    distinct = customer.nunique()
    best = {}
    for name, values, kind, pad in (("customer_id", customer, "customer", None), ("staff_id", staff, "staff", None)):
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            out = pseudonym.pseudonymise(values, kind, key, zero_pad=pad)
            times.append(time.perf_counter() - t0)
        assert out.isna().equals(values.isna())
        best[name] = min(times)
        print(f"{name}: {len(values):,} rows, {values.nunique():,} distinct: best of 3 {best[name]:.2f} s "
              f"(runs {', '.join(f'{t:.2f}' for t in times)})")
    print(f"customer ids distinct: {distinct:,}")
    ok = best["customer_id"] <= TARGET_SECONDS
    print(f"target: customer ids <= {TARGET_SECONDS} s: {'met' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
