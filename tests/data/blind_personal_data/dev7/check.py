#!/usr/bin/env python3
"""Validate items.tsv (standard library only) and print counts per kind."""
import os, sys
from collections import Counter
HERE = os.path.dirname(os.path.abspath(__file__))
KINDS = ["name","email","phone","address","postcode","date_of_birth","ni_number",
         "nhs_number","bank","vehicle","reference","staff_login","ordinary"]
MIN = {"name":250,"staff_login":50,"reference":50,"address":50,"postcode":35,"ordinary":800}
errors = []
with open(os.path.join(HERE, "items.tsv"), "rb") as f:
    raw = f.read()
if b"\r" in raw:
    errors.append("file contains CR characters")
text = raw.decode("utf-8")
lines = text.split("\n")
if lines and lines[-1] == "":
    lines = lines[:-1]
if not lines or lines[0] != "id\tkind\ttext\tpersonal":
    errors.append("bad header: %r" % (lines[0] if lines else None))
ids, texts, counts = set(), {}, Counter()
for n, line in enumerate(lines[1:], start=2):
    cols = line.split("\t")
    if len(cols) != 4:
        errors.append("line %d: %d columns" % (n, len(cols))); continue
    rid, kind, t, pers = cols
    if rid in ids: errors.append("line %d: duplicate id %s" % (n, rid))
    ids.add(rid)
    if kind not in KINDS:
        errors.append("line %d: bad kind %r" % (n, kind)); continue
    counts[kind] += 1
    if kind == "ordinary":
        if not rid.startswith("q"): errors.append("line %d: ordinary id %s" % (n, rid))
        if pers: errors.append("line %d: ordinary row has personal" % n)
    else:
        if not rid.startswith("p"): errors.append("line %d: personal id %s" % (n, rid))
        if not pers: errors.append("line %d: personal row with empty personal" % n)
        else:
            for v in pers.split(" || "):
                if not v or v != v.strip():
                    errors.append("line %d: empty/padded value %r" % (n, v))
                elif v not in t:
                    errors.append("line %d: %r not in text" % (n, v))
    wc = len(t.split())
    if wc < 6 or wc > 60: errors.append("line %d: %d words" % (n, wc))
    key = t.strip()
    if key in texts: errors.append("line %d: duplicate text of line %d" % (n, texts[key]))
    texts[key] = n
personal = sum(v for k, v in counts.items() if k != "ordinary")
print("rows:", len(lines) - 1)
for k in KINDS:
    need = MIN.get(k, 20 if k != "ordinary" else 800)
    flag = "" if counts[k] >= need else "  (below target %d)" % need
    print("%-14s %5d%s" % (k, counts[k], flag))
print("%-14s %5d%s" % ("ALL PERSONAL", personal, "" if personal >= 600 else "  (below target 600)"))
if errors:
    print("ERRORS (%d):" % len(errors))
    for e in errors[:200]: print("  " + e)
    sys.exit(1)
print("OK: no errors")
