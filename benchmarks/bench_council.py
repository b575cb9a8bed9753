"""Benchmark: the report on the path a council runs, beside DuckDB and the read floor on the same files.

For each size (demo contacts: 150,000, 1,000,000 and 6,000,000 by default), a demo council in a data
folder of its own (``benchmarks/.cache/council_<size>``: ``cxinsight demo --contacts <size>``, generated
once, not timed). Its answer key sits beside its exports, so the analysis reads a labelled review
(the answer key standing in for the analyst's labels) and every figure is the review-corrected one,
as on a council that has labelled its review. Then, each in a fresh process tree, on a machine that
should be otherwise idle:

- ``report``: ``cxinsight report --no-pdf`` from nothing (processed, interim, figures and reports
  deleted first): the pipeline, the analysis, the figures, every page, the index and the last gate.
  Wall time, CPU (user + system of every process it started) and peak memory (the largest sum of
  PSS over the process tree, sampled every 0.3 s: :func:`bench_scale.measure`), and the stage split
  the report logs (``stages: pipeline ... s, analysis ... s, ...``);
- ``duckdb``: plain DuckDB (its defaults) reading the same CSV exports (the four quarterly CRM files
  and the complaints register) and making the core aggregates (distinct contact rows by service,
  channel and month; complaints by service): the demo's own column names, no cleaning, no text;
- ``read floor``: pyarrow's multi-threaded CSV reader reading the same files into memory, nothing
  else: no tool can do the report's work faster than this.

It prints each size's figures and the ratios report / DuckDB and report / read floor. The survey
(an Excel workbook) is read by the report but by neither comparison (DuckDB reads no Excel without an
extension from the internet).

Targets (issue 31): 6M contacts at most 180 s wall and 6 GB peak PSS on 2 cores; 1M at most 45 s.

    python benchmarks/bench_council.py --sizes 150000 1000000
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
from pathlib import Path

from bench_load_clean import CACHE, sizes_from_command_line
from bench_scale import measure

TARGETS = {1_000_000: (45, None), 6_000_000: (180, 6.0)}

#: Each export's encoding and delimiter, sniffed as a person would set them (the demo's exports differ on
#: purpose: a Windows-1252 quarter, a byte-order mark, a semicolon-separated one): both comparisons are told.
SNIFF = r"""
def sniff(path):
    head = open(path, "rb").read(1 << 20)
    try:
        head.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError as e:
        encoding = "utf-8" if e.start > len(head) - 4 else "cp1252"
    first = head.split(b"\n", 1)[0]
    return encoding, ";" if first.count(b";") > first.count(b",") else ","
"""

DUCKDB = SNIFF + r"""
import json, sys, time
import duckdb
crm, complaints = json.loads(sys.argv[1]), sys.argv[2]
t0 = time.perf_counter()
con = duckdb.connect()
def table(path):
    encoding, delimiter = sniff(path)
    # DuckDB reads Latin-1 without an extension; Windows-1252 differs from it only in 27 printable characters
    encoding = "latin-1" if encoding == "cp1252" else encoding
    quoted = path.replace("'", "''")
    return con.sql(f"SELECT * FROM read_csv('{quoted}', all_varchar = true, delim = '{delimiter}', encoding = '{encoding}')")
parts = [table(f) for f in crm]
every = parts[0]
for part in parts[1:]:
    every = every.union(part)  # UNION, not UNION ALL: distinct rows (the exports' duplicates dropped)
contacts = con.sql('SELECT "Service Area" AS service, "Channel" AS channel, substr("Date/Time", 4, 7) AS month, '
                   'count(*) AS contacts FROM every GROUP BY ALL').df()
register = table(complaints)
complaints_by = con.sql('SELECT "Service" AS service, count(*) AS complaints FROM register GROUP BY ALL').df()
print(json.dumps({"contacts": int(contacts["contacts"].sum()), "groups": len(contacts),
                  "complaints": int(complaints_by["complaints"].sum()), "seconds": time.perf_counter() - t0}))
"""

READ_FLOOR = SNIFF + r"""
import json, sys, time
import pyarrow.csv as csv
files = json.loads(sys.argv[1])
t0 = time.perf_counter()
rows = 0
for f in files:
    encoding, delimiter = sniff(f)
    rows += csv.read_csv(f, read_options=csv.ReadOptions(encoding=encoding),
                         parse_options=csv.ParseOptions(delimiter=delimiter, newlines_in_values=True)).num_rows
print(json.dumps({"rows": rows, "seconds": time.perf_counter() - t0}))
"""

STAGES = re.compile(r"stages: (.*)$", re.MULTILINE)


def council(size: int) -> Path:
    """The data folder of a demo council of ``size`` contacts, generated once."""
    folder = CACHE / f"council_{size}"
    if not (folder / "raw" / "demo" / "sources.yaml").exists():
        print(f"generating {size:,} demo contacts (not timed)...", flush=True)
        env = {**os.environ, "CXINSIGHT_DATA_DIR": str(folder), "CXINSIGHT_PSEUDONYM_KEY_FILE": str(key(size))}
        subprocess.run([sys.executable, "-m", "cxinsight.cli", "-q", "demo", "--contacts", str(size)], env=env,
                       check=True)
    return folder


def key(size: int) -> Path:
    """The council's pseudonym key: outside its data folder, as cxinsight insists."""
    return CACHE / "keys" / f"council_{size}.key"


def report(folder: Path, size: int) -> dict:
    """``cxinsight report`` from nothing on ``folder``: wall, CPU, peak PSS and the stage split."""
    for layer in ("processed", "interim", "figures", "reports"):
        shutil.rmtree(folder / layer, ignore_errors=True)
    os.environ.update(CXINSIGHT_DATA_DIR=str(folder), CXINSIGHT_REPORTS_DIR=str(folder / "reports"),
                      CXINSIGHT_PSEUDONYM_KEY_FILE=str(key(size)))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = measure([sys.executable, "-m", "cxinsight.cli", "report", "--no-pdf"])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    found = STAGES.findall(out.pop("log"))
    out["stages"] = dict((part.rsplit(" ", 2)[0], float(part.rsplit(" ", 2)[1])) for part in found[-1].split(", ")) \
        if found else {}
    return out


def exports(folder: Path) -> tuple[list[str], str]:
    raw = folder / "raw" / "demo"
    return sorted(str(f) for f in (raw / "crm").glob("*.csv")), str(next((raw / "complaints").glob("*.csv")))


def main() -> int:
    sizes = sizes_from_command_line(__doc__)
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    rows = []
    for size in sizes:
        folder = council(size)
        crm, complaints = exports(folder)
        r = report(folder, size)
        duck = measure([sys.executable, "-c", DUCKDB, json.dumps(crm), complaints])
        floor = measure([sys.executable, "-c", READ_FLOOR, json.dumps([*crm, complaints])])
        rows.append((size, r, duck, floor))
        stages = ", ".join(f"{k} {v:.1f}" for k, v in r["stages"].items())
        print(f"\n{size:,} contacts: report {r['seconds']:.1f} s wall, {r['cpu']:.0f} CPU-s, peak PSS "
              f"{r['peak_gb']:.2f} GB; stages (s): {stages}", flush=True)
        print(f"  DuckDB {duck['seconds']:.1f} s ({duck['contacts']:,} distinct rows, {duck['peak_gb']:.2f} GB); "
              f"read floor {floor['seconds']:.1f} s ({floor['rows']:,} rows); report / DuckDB "
              f"{r['seconds'] / duck['seconds']:.1f}x, report / read floor {r['seconds'] / floor['seconds']:.1f}x",
              flush=True)
    print("\n| contacts | report wall s | CPU s | peak PSS GB | " + " | ".join(rows[0][1]["stages"]) +
          " | DuckDB s | read floor s | report / DuckDB | report / read floor | target |")
    print("|" + "---|" * (9 + len(rows[0][1]["stages"])))
    ok = True
    for size, r, duck, floor in rows:
        wall, memory = TARGETS.get(size, (None, None))
        met = (wall is None or r["seconds"] <= wall) and (memory is None or r["peak_gb"] <= memory)
        ok &= met
        target = "-" if wall is None else f"{wall} s{f', {memory:g} GB' if memory else ''}: {'met' if met else 'NOT met'}"
        print(f"| {size:,} | {r['seconds']:.1f} | {r['cpu']:.0f} | {r['peak_gb']:.2f} | "
              + " | ".join(f"{v:.1f}" for v in r["stages"].values())
              + f" | {duck['seconds']:.1f} | {floor['seconds']:.1f} | {r['seconds'] / duck['seconds']:.1f}x | "
                f"{r['seconds'] / floor['seconds']:.1f}x | {target} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
