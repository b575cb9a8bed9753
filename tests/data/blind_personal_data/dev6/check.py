#!/usr/bin/env python3
"""Validate items.tsv (standard library only) and print counts per kind."""
import sys, os, collections
HERE = os.path.dirname(os.path.abspath(__file__))
PATH = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "items.tsv")
KINDS = ["name", "email", "phone", "address", "postcode", "date_of_birth", "ni_number",
         "nhs_number", "bank", "vehicle", "reference", "staff_login", "ordinary"]
MIN = {k: 20 for k in KINDS}
MIN.update(name=200, staff_login=40, reference=40, address=40, bank=40, ordinary=450)
errors = []
raw = open(PATH, "rb").read()
if b"\r" in raw:
    errors.append("file contains CR characters (must be LF only)")
text = raw.decode("utf-8")
lines = text.split("\n")
if lines and lines[-1] == "":
    lines = lines[:-1]
if not lines or lines[0] != "id\tkind\ttext\tpersonal":
    errors.append("bad header: %r" % (lines[0] if lines else None))
ids, texts = set(), {}
counts = collections.Counter()
for n, line in enumerate(lines[1:], start=2):
    cols = line.split("\t")
    if len(cols) != 4:
        errors.append("line %d: expected 4 columns, got %d" % (n, len(cols))); continue
    rid, kind, t, pers = cols
    if rid in ids:
        errors.append("line %d: duplicate id %s" % (n, rid))
    ids.add(rid)
    if kind not in KINDS:
        errors.append("line %d: invalid kind %r" % (n, kind)); continue
    counts[kind] += 1
    exp_prefix = "q" if kind == "ordinary" else "p"
    if not (rid.startswith(exp_prefix) and rid[1:].isdigit()):
        errors.append("line %d: id %s does not match kind %s" % (n, rid, kind))
    nw = len(t.split())
    if not 6 <= nw <= 60:
        errors.append("line %d (%s): text has %d words (need 6-60)" % (n, rid, nw))
    if t in texts:
        errors.append("line %d (%s): duplicate text of %s" % (n, rid, texts[t]))
    texts[t] = rid
    if kind == "ordinary":
        if pers != "":
            errors.append("line %d (%s): ordinary row has personal" % (n, rid))
    else:
        if pers == "":
            errors.append("line %d (%s): personal row has empty personal" % (n, rid)); continue
        for s in pers.split(" || "):
            if s == "" or s != s.strip():
                errors.append("line %d (%s): empty/space-padded personal item %r" % (n, rid, s))
            elif s not in t:
                errors.append("line %d (%s): personal %r not found in text" % (n, rid, s))
personal_total = sum(v for k, v in counts.items() if k != "ordinary")
print("Counts per kind:")
for k in KINDS:
    flag = "" if counts[k] >= MIN[k] else "   <-- below target %d" % MIN[k]
    print("  %-14s %4d%s" % (k, counts[k], flag))
print("  personal total %4d (target >= 550)" % personal_total)
print("  ordinary total %4d (target >= 450)" % counts["ordinary"])
print("  all rows       %4d" % (len(lines) - 1))
if personal_total < 550:
    errors.append("personal total below 550")
for k in KINDS:
    if counts[k] < MIN[k]:
        errors.append("kind %s below target (%d < %d)" % (k, counts[k], MIN[k]))
if errors:
    print("\nERRORS (%d):" % len(errors))
    for e in errors:
        print("  " + e)
    sys.exit(1)
print("\nOK: no errors")
