#!/usr/bin/env python3
"""Sanity checks for /work/blind_pd/items.tsv.

Parses the TSV (plain tab split, no quoting), then asserts:
  * header is exactly id/kind/text/personal, 4 fields on every line
  * ids unique, p### for personal rows and o### for ordinary rows
  * kind is one of the known kinds
  * no duplicate texts; text is 5-60 words, no tabs/newlines
  * every ` || `-separated personal substring occurs verbatim in its text
  * personal is empty for ordinary rows and non-empty otherwise
  * >= 320 personal rows, >= 160 ordinary rows, >= 20 rows of every kind
Also reports NHS checksum validity and NI prefix validity (informational).
"""
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
KINDS = ["name", "email", "phone", "address", "postcode", "date_of_birth",
         "ni_number", "nhs_number", "bank", "vehicle", "reference"]


def nhs_valid(digits):
    if len(digits) != 10:
        return False
    s = sum(int(c) * w for c, w in zip(digits[:9], range(10, 1, -1), strict=False))
    c = 11 - s % 11
    c = 0 if c == 11 else c
    return c != 10 and c == int(digits[9])


def ni_prefix_valid(prefix):
    p = prefix.upper()
    if p[0] in "DFIQUV" or p[1] in "DFIOQUV":
        return False
    return p not in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def main(path=os.path.join(HERE, "items.tsv")):  # noqa: B008
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    assert lines[0].split("\t") == ["id", "kind", "text", "personal"], lines[0]
    rows = []
    for n, line in enumerate(lines[1:], 2):
        parts = line.split("\t")
        assert len(parts) == 4, f"line {n}: {len(parts)} fields"
        rows.append(parts)

    ids = Counter(r[0] for r in rows)
    dup_ids = [i for i, c in ids.items() if c > 1]
    assert not dup_ids, f"duplicate ids: {dup_ids}"
    texts = Counter(r[2] for r in rows)
    dup_texts = [t for t, c in texts.items() if c > 1]
    assert not dup_texts, f"duplicate texts: {dup_texts}"

    counts = Counter()
    n_subs = 0
    nhs_report = []
    ni_report = []
    for rid, kind, text, personal in rows:
        assert kind in KINDS + ["ordinary"], f"{rid}: bad kind {kind}"
        words = len(text.split())
        assert 5 <= words <= 60, f"{rid}: {words} words: {text!r}"
        if kind == "ordinary":
            assert re.fullmatch(r"o\d{3}", rid), rid
            assert personal == "", f"{rid}: ordinary row has personal"
        else:
            assert re.fullmatch(r"p\d{3}", rid), rid
            subs = personal.split(" || ")
            assert all(s.strip() for s in subs), f"{rid}: empty personal substring"
            for s in subs:
                assert s in text, f"{rid}: {s!r} not in {text!r}"
                n_subs += 1
                if kind == "nhs_number" and re.fullmatch(r"[\d .\-]+", s):
                    d = re.sub(r"\D", "", s)
                    if len(d) == 10:
                        nhs_report.append((rid, s, nhs_valid(d), d.startswith("999")))
                if kind == "ni_number":
                    letters = re.sub(r"[^A-Za-z]", "", s)
                    ni_report.append((rid, s, ni_prefix_valid(letters[:2])))
        counts[kind] += 1

    personal_total = sum(v for k, v in counts.items() if k != "ordinary")
    print(f"rows: {len(rows)}  personal rows: {personal_total}  "
          f"ordinary rows: {counts['ordinary']}  personal substrings: {n_subs}")
    for k in KINDS + ["ordinary"]:
        print(f"  {k:14s} {counts[k]}")
    multi = sum(1 for r in rows if " || " in r[3])
    print(f"rows with 2+ personal substrings: {multi}")

    ok_nhs = [r for r in nhs_report if r[2]]
    print(f"NHS numbers: {len(nhs_report)}; valid mod-11 checksum: {len(ok_nhs)} "
          f"(all 999-prefixed: {all(r[3] for r in ok_nhs)}); invalid checksum: "
          f"{len(nhs_report) - len(ok_nhs)}")
    ok_ni = [r for r in ni_report if r[2]]
    print(f"NI numbers: {len(ni_report)}; format-valid prefix: {len(ok_ni)} "
          f"({', '.join(r[1] for r in ok_ni)}); never-issued prefix: {len(ni_report) - len(ok_ni)}")

    assert personal_total >= 320, personal_total
    assert counts["ordinary"] >= 160, counts["ordinary"]
    for k in KINDS:
        assert counts[k] >= 20, f"kind {k}: only {counts[k]}"
    print("ALL CHECKS PASSED")


if __name__ == "__main__":
    main(*sys.argv[1:])
