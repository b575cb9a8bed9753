#!/usr/bin/env python3
"""Verify /tmp/blind3/items.tsv and write the report to check_output.txt.
Standard library only.  Exit status 1 if any check fails."""
import collections
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TSV = os.path.join(HERE, "items.tsv")
OUT = os.path.join(HERE, "check_output.txt")

KINDS = ["name", "email", "phone", "address", "postcode", "date_of_birth",
         "ni_number", "nhs_number", "bank", "vehicle", "reference",
         "staff_login", "ordinary"]
MIN_PER_KIND = {k: 25 for k in KINDS if k != "ordinary"}
MIN_PER_KIND["name"] = 60
MIN_PERSONAL = 360
MIN_ORDINARY = 180
SEP = " || "

errors = []
report = []


def err(msg):
    errors.append(msg)


with open(TSV, "rb") as f:
    raw = f.read()
try:
    data = raw.decode("utf-8")
except UnicodeDecodeError as e:
    print("not UTF-8: %s" % e)
    sys.exit(1)
if data.startswith("\ufeff"):
    err("file starts with a BOM")
if "\r" in data:
    err("file contains carriage returns")

lines = data.split("\n")
if lines and lines[-1] == "":
    lines = lines[:-1]
if not lines or lines[0] != "id\tkind\ttext\tpersonal":
    err("bad header: %r" % (lines[0] if lines else None))

counts = collections.Counter()
seen_ids = set()
next_p, next_o = 1, 1
n_spans = 0
for ln, line in enumerate(lines[1:], 2):
    cols = line.split("\t")
    if len(cols) != 4:
        err("line %d: %d columns" % (ln, len(cols)))
        continue
    rid, kind, text, personal = cols
    if '"' in line:
        err("line %d: contains a double quote" % ln)
    if rid in seen_ids:
        err("line %d: duplicate id %s" % (ln, rid))
    seen_ids.add(rid)
    if kind not in KINDS:
        err("line %d: invalid kind %r" % (ln, kind))
        continue
    counts[kind] += 1
    nwords = len(text.split())
    if not 5 <= nwords <= 60:
        err("line %d (%s): text has %d words" % (ln, rid, nwords))
    if text != text.strip():
        err("line %d (%s): leading/trailing whitespace in text" % (ln, rid))
    if kind == "ordinary":
        want = "o%03d" % next_o
        next_o += 1
        if rid != want:
            err("line %d: id %s, expected %s" % (ln, rid, want))
        if personal != "":
            err("line %d (%s): ordinary row has personal %r" % (ln, rid, personal))
    else:
        want = "p%03d" % next_p
        next_p += 1
        if rid != want:
            err("line %d: id %s, expected %s" % (ln, rid, want))
        if personal == "":
            err("line %d (%s): personal row with empty personal" % (ln, rid))
            continue
        spans = personal.split(SEP)
        if len(spans) != len(set(spans)):
            err("line %d (%s): repeated span" % (ln, rid))
        for sp in spans:
            n_spans += 1
            if sp == "" or sp != sp.strip():
                err("line %d (%s): empty or padded span %r" % (ln, rid, sp))
            elif sp not in text:
                err("line %d (%s): span %r not in text" % (ln, rid, sp))

# ids in sequence: all p-rows must come before o-rows? Not required; only
# that each series is contiguous from 001, which the loop above checks.

n_personal = sum(v for k, v in counts.items() if k != "ordinary")
report.append("file: %s" % TSV)
report.append("rows: %d (personal %d, ordinary %d), personal spans: %d"
              % (len(lines) - 1, n_personal, counts["ordinary"], n_spans))
report.append("")
report.append("%-15s %6s %6s  %s" % ("kind", "count", "min", "status"))
for k in KINDS:
    mn = MIN_PER_KIND.get(k, MIN_ORDINARY)
    ok = counts[k] >= mn
    if not ok:
        err("kind %s has %d rows, minimum %d" % (k, counts[k], mn))
    report.append("%-15s %6d %6d  %s" % (k, counts[k], mn, "ok" if ok else "TOO FEW"))
if n_personal < MIN_PERSONAL:
    err("only %d personal rows, minimum %d" % (n_personal, MIN_PERSONAL))

# Informational heuristics on ordinary rows (not failures): show anything
# that looks like an e-mail, long digit run or full postcode so a reviewer can
# confirm it is intended as non-personal.
report.append("")
report.append("ordinary rows with personal-looking tokens (intended, for review):")
pat = re.compile(r"@|\d[\d ]{8,}\d|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
for line in lines[1:]:
    cols = line.split("\t")
    if len(cols) == 4 and cols[1] == "ordinary" and pat.search(cols[2]):
        report.append("  %s: %s" % (cols[0], cols[2]))

report.append("")
report.append("checks: header, 4 columns, UTF-8, no tab/newline/double quote in fields, "
              "ids unique and sequential (p001.., o001..), kinds valid, 5-60 words, "
              "personal spans verbatim in text, ordinary personal empty, minimum counts")
if errors:
    report.append("RESULT: FAIL (%d problems)" % len(errors))
    report.extend("  " + e for e in errors)
else:
    report.append("RESULT: PASS")

text = "\n".join(report) + "\n"
with open(OUT, "w", encoding="utf-8") as f:
    f.write(text)
sys.stdout.write(text)
sys.exit(1 if errors else 0)
