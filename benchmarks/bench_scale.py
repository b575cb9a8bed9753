"""Benchmark: the whole report and history mode at council scale, beside plain DuckDB and naive pandas.

For each size (one council-year of demo contacts: 150,000, 1,000,000 and 6,000,000 by default) and
for a five-year history of 6,000,000 contacts a year (30,000,000 rows), each step runs as its own
process tree, and the benchmark records its wall time and peak memory: the largest sum over every
process of the tree (notebook kernels, Dask workers, forked pools) of its proportional set size
(PSS on Linux: a page a forked worker shares with its parent counts once; RSS elsewhere), sampled
every 0.3 s, and the largest single process's resident memory.

Steps, per size:

- ``report``: ``cxinsight report`` on that council (pipeline, one analysis, every notebook, the gate);
- ``process``: ``cxinsight history`` processing that council-year (load, clean, redact, classify,
  segment) into partitioned Parquet; on a second run it is only the hash check (``unchanged``);
- the same aggregates (contacts and repeats by council, year, month, service, channel, demand,
  failure type, segment) on the same Parquet files, three ways:
  ``cxinsight`` (:func:`cxinsight.history.aggregate`, DuckDB with a 4 GB memory limit),
  ``plain DuckDB`` (one SQL query, DuckDB's defaults) and ``naive pandas`` (every file read whole
  into one frame, one group-by), with the time and memory ratios to ``cxinsight``; the three must
  count the same contacts.

The history's four earlier years are generated once (distinct seeds and dates) and cached in
``benchmarks/.cache`` (about 1.1 GB of CSV a year), not timed.

Targets (issue 15): the 6M report <= 600 s and <= 8 GB; the 30M history's aggregates <= 300 s and
<= 8 GB, on 2 cores.

    python benchmarks/bench_scale.py                       # 150k, 1M, 6M and the 30M history
    python benchmarks/bench_scale.py --sizes 150000 --history-years 0 --skip-report
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from bench_load_clean import CACHE, ensure_demo

REPORT_TARGET = (600, 8.0)
HISTORY_TARGET = (300, 8.0)
YEAR_SIZE = 6_000_000
PSS = sys.platform.startswith("linux")
KEYS = "council, year, month, service, channel, demand, failure_type, segment"

CXINSIGHT = r"""
import json, sys
from cxinsight import history
a = history.aggregate(sys.argv[1])
print(json.dumps({"contacts": int(a["contacts"].sum()), "groups": len(a)}))
"""

PLAIN_DUCKDB = r"""
import json, sys
import duckdb
files = json.loads(sys.argv[1])
a = duckdb.connect().execute("SELECT KEYS, count(*) AS contacts, sum(CAST(is_repeat AS BIGINT)) AS repeats "
                             "FROM read_parquet(?) GROUP BY KEYS", [files]).df()
print(json.dumps({"contacts": int(a["contacts"].sum()), "groups": len(a)}))
""".replace("KEYS", KEYS)

NAIVE_PANDAS = r"""
import json, sys
import pandas as pd
files = json.loads(sys.argv[1])
frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
keys = [k.strip() for k in "KEYS".split(",")]
a = frame.groupby(keys, observed=True).agg(contacts=("contact_id", "size"), repeats=("is_repeat", "sum"))
print(json.dumps({"contacts": int(a["contacts"].sum()), "groups": len(a)}))
""".replace("KEYS", KEYS)


def measure(cmd: list[str]) -> dict:
    """Run ``cmd``; its wall time, exit code, last JSON line (if any) and the peak of the summed
    resident memory of it and all its descendants (GB)."""
    t0 = time.perf_counter()
    out = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"})
    peak = {"sum": 0, "single": 0}
    root = psutil.Process(proc.pid)

    def sample():
        while proc.poll() is None:
            total = single = 0
            try:
                for p in [root, *root.children(recursive=True)]:
                    try:
                        rss = p.memory_info().rss
                        # PSS: a page shared by a forked worker and its parent counted once, not
                        # twice (RSS sums overstate a tree of forked pools); RSS where PSS is not kept
                        pss = getattr(p.memory_full_info(), "pss", rss) if PSS else rss
                    except psutil.Error:
                        continue
                    total, single = total + pss, max(single, rss)
            except psutil.Error:
                pass
            peak["sum"], peak["single"] = max(peak["sum"], total), max(peak["single"], single)
            time.sleep(0.3)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    code = proc.wait()
    watcher.join()
    seconds = time.perf_counter() - t0
    out.seek(0)
    text = out.read()
    last = {}
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            last = json.loads(line)
            break
    if code != 0:
        print(text[-3000:], file=sys.stderr)
        raise SystemExit(f"{' '.join(cmd[:4])}... failed with exit code {code}")
    return {"seconds": seconds, "peak_gb": peak["sum"] / 1024 ** 3, "single_gb": peak["single"] / 1024 ** 3,
            "log": text, **last}


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "cxinsight.cli", *args]


def history_file(name: str, years: dict[str, Path]) -> Path:
    """A history.yaml in the cache naming one council with these years."""
    lines = ["councils:", "  - name: Benchmark District", "    years:"]
    lines += [f'      "{y}": {p.relative_to(CACHE).as_posix()}/sources.yaml' for y, p in years.items()]
    path = CACHE / f"{name}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def earlier_year(size: int, start_year: int) -> Path:
    """The demo council for the year starting April ``start_year`` (cached; generated once, not timed)."""
    raw = CACHE / f"demo_{size}_{start_year}"
    if not (raw / "sources.yaml").exists():
        from cxinsight.synthetic import DemoSpec, generate_demo

        print(f"generating {size:,} contacts for {start_year}-{(start_year + 1) % 100:02d} (not timed)...", flush=True)
        generate_demo(raw, CACHE / f"demo_{size}_{start_year}_answer_key",
                      DemoSpec(contacts=size, seed=20240401 + start_year, start=f"{start_year}-04-01",
                               end=f"{start_year + 1}-03-31"))
    return raw


def aggregates(label: str, out: Path) -> list[dict]:
    files = json.dumps([str(p) for p in sorted((out / "units").glob("council=*/year=*/contacts.parquet"))])
    rows = [{"step": f"{label} aggregates: cxinsight", **measure([sys.executable, "-c", CXINSIGHT, str(out)])},
            {"step": f"{label} aggregates: plain DuckDB", **measure([sys.executable, "-c", PLAIN_DUCKDB, files])},
            {"step": f"{label} aggregates: naive pandas", **measure([sys.executable, "-c", NAIVE_PANDAS, files])}]
    counts = {r["contacts"] for r in rows}
    if len(counts) != 1:
        raise SystemExit(f"{label}: the three ways count different contacts: {[r['contacts'] for r in rows]}")
    for r in rows:
        r["ratio_s"], r["ratio_gb"] = r["seconds"] / rows[0]["seconds"], r["peak_gb"] / rows[0]["peak_gb"]
    return rows


def show(row: dict) -> None:
    ratio = f"{row['ratio_s']:>7.2f}x {row['ratio_gb']:>7.2f}x" if "ratio_s" in row else " " * 17
    extra = f"  {row['contacts']:,} contacts" if "contacts" in row else ""
    print(f"{row['step']:<42} {row['seconds']:>9.1f} {row['peak_gb']:>9.2f} {row['single_gb']:>9.2f} {ratio}{extra}",
          flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[150_000, 1_000_000, 6_000_000])
    parser.add_argument("--history-years", type=int, default=5, help="years of 6M contacts (0: none)")
    parser.add_argument("--skip-report", action="store_true", help="only the history steps")
    parser.add_argument("--fresh", action="store_true", help="process every council-year again")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cxinsight-bench-"))
    results: list[dict] = []
    print(f"{'step':<42} {'seconds':>9} {'peak GB':>9} {'1 proc GB':>9} {'time':>8} {'memory':>8}", flush=True)
    print(f"{'':<42} {'':>9} {'(tree)' if not PSS else '(tree PSS)':>9} {'(RSS)':>9} {'vs cxinsight':>17}", flush=True)
    ok = True
    try:
        for size in args.sizes:
            raw = ensure_demo(size)
            if not args.skip_report:
                row = {"step": f"{size:,}: report", **measure(cli("-q", "report", "--sources", str(raw / "sources.yaml"),
                                                                  "--out", str(work / f"reports_{size}"),
                                                                  "--processed", str(work / f"processed_{size}")))}
                show(row)
                results.append(row)
                shutil.rmtree(work / f"reports_{size}", ignore_errors=True)
                if size >= 6_000_000:
                    met = row["seconds"] <= REPORT_TARGET[0] and row["peak_gb"] <= REPORT_TARGET[1]
                    ok &= met
                    print(f"target: 6M report <= {REPORT_TARGET[0]} s and <= {REPORT_TARGET[1]} GB: "
                          f"{'met' if met else 'NOT MET'}", flush=True)
            out = CACHE / f"history_out_{size}"
            row = {"step": f"{size:,}: process (history mode)",
                   **measure(cli("history", str(history_file(f"history_{size}", {"2024-25": raw})), "--out", str(out),
                                 *(["--force"] if args.fresh else [])))}
            row["step"] += " (unchanged)" if "0 processed" in row["log"] else ""
            show(row)
            results.append(row)
            for r in aggregates(f"{size:,}", out):
                show(r)
                results.append(r)
        if args.history_years:
            years = {f"{y}-{(y + 1) % 100:02d}": earlier_year(YEAR_SIZE, y)
                     for y in range(2024 - args.history_years + 1, 2024)}
            years["2024-25"] = ensure_demo(YEAR_SIZE)
            label = f"{args.history_years * YEAR_SIZE / 1e6:.0f}M history"
            out = CACHE / f"history_out_{args.history_years}y"
            row = {"step": f"{label}: process", **measure(cli("history", str(history_file("history_years", years)),
                                                              "--out", str(out), *(["--force"] if args.fresh else [])))}
            row["step"] += " (unchanged)" if "0 processed" in row["log"] else ""
            show(row)
            results.append(row)
            rows = aggregates(label, out)
            for r in rows:
                show(r)
            results += rows
            met = rows[0]["seconds"] <= HISTORY_TARGET[0] and rows[0]["peak_gb"] <= HISTORY_TARGET[1]
            ok &= met
            print(f"target: {label} aggregates <= {HISTORY_TARGET[0]} s and <= {HISTORY_TARGET[1]} GB: "
                  f"{'met' if met else 'NOT MET'}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps([{k: v for k, v in r.items() if k != "log"} for r in results], indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
