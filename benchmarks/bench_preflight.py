"""Benchmark: the configuration check before a run (issue 26: within 5 s for any export).

Builds a 100 MB export from the real NYC 311 sample (its rows repeated; cached in
``benchmarks/.cache``, not timed) and times :func:`cxinsight.preflight.preflight` on it, plain
and gzip-compressed, in a fresh process.

    python benchmarks/bench_preflight.py --mb 100
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
REAL = HERE.parent / "tests" / "data" / "real" / "nyc311"
TARGET_SECONDS = 5.0

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from cxinsight.preflight import preflight
t1 = time.perf_counter()
checked = preflight(sys.argv[1])
print(json.dumps({"import_s": t1 - t0, "preflight_s": time.perf_counter() - t1, "files": len(checked.files)}))
"""


def ensure_export(mb: int, compressed: bool) -> Path:
    folder = CACHE / f"preflight_{mb}mb{'_gz' if compressed else ''}"
    name = "nyc311_big.csv.gz" if compressed else "nyc311_big.csv"
    if not (folder / name).exists():
        folder.mkdir(parents=True, exist_ok=True)
        lines = (REAL / "nyc311_2022-05-01.csv").read_bytes().splitlines(keepends=True)
        body = b"".join(lines[1:])
        opener = gzip.open if compressed else open
        with opener(folder / name, "wb") as fh:
            fh.write(lines[0])
            for _ in range(mb * (1 << 20) // len(body) + 1):
                fh.write(body)
        (folder / "sources.yaml").write_text("council: NYC 311 (repeated)\nexports:\n"
                                             f"  - {{table: contacts, path: {name}, profile: nyc311_requests}}\n")
    return folder / "sources.yaml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=100)
    args = parser.parse_args()
    ok = True
    for compressed in (False, True):
        sources = ensure_export(args.mb, compressed)
        out = subprocess.run([sys.executable, "-c", CHILD, str(sources)], capture_output=True, text=True, check=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        size = sum(f.stat().st_size for f in sources.parent.glob("nyc311_big*")) / (1 << 20)
        passed = result["import_s"] + result["preflight_s"] <= TARGET_SECONDS
        ok &= passed
        print(f"{args.mb} MB export{' (gzip, ' + f'{size:.0f} MB on disk)' if compressed else ''}: "
              f"import {result['import_s']:.2f} s, preflight {result['preflight_s']:.3f} s "
              f"({'within' if passed else 'OVER'} {TARGET_SECONDS:g} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
