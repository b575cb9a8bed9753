#!/usr/bin/env python3
"""Structural check for /work/blind4/items.tsv (standard library only).

Verifies: exact header, 4 tab-separated columns per row, LF endings,
unique ids, id prefix matches kind (p = personal, o = ordinary), allowed kinds,
unique texts, word counts, every personal substring occurs verbatim in its
text, no personal substrings on ordinary rows, and counts per kind against
the minimums in the brief.
"""
import collections
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PATH = os.path.join(HERE, "items.tsv")
HEADER = "id\tkind\ttext\tpersonal"
KINDS = ["name", "email", "phone", "address", "postcode", "date_of_birth",
         "ni_number", "nhs_number", "bank", "vehicle", "reference",
         "staff_login", "ordinary"]
MIN_PER_PERSONAL_KIND = 30
MIN_NAME = 100
MIN_PERSONAL = 420
MIN_ORDINARY = 280
SEP = " || "

# Ofcom ranges reserved for drama/fiction (digits after normalising +44/0044 to 0)
DRAMA_PREFIXES = ("07700900", "01134960", "01144960", "01154960", "01164960",
                  "01174960", "01184960", "01214960", "01314960", "01414960",
                  "01514960", "01614960", "02079460", "02920180", "02890180",
                  "01632960", "0808157")
WORD_DIGITS = {"oh": "0", "o": "0", "zero": "0", "nought": "0", "one": "1",
               "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
               "seven": "7", "eight": "8", "nine": "9"}
TITLES = ("Mr ", "Mrs ", "Ms ", "Miss ", "Dr ", "Cllr ", "Fr ", "Mx ")


def phone_digits(s):
    """Digits of a phone number written in figures or in words."""
    words = re.findall(r"[a-z]+|\d", s.lower())
    out = []
    i = 0
    while i < len(words):
        w = words[i]
        if w in ("double", "triple") and i + 1 < len(words):
            d = WORD_DIGITS.get(words[i + 1], words[i + 1])
            out.append(d * (2 if w == "double" else 3))
            i += 2
            continue
        if w.isdigit():
            out.append(w)
        elif w in WORD_DIGITS:
            out.append(WORD_DIGITS[w])
        elif w == "ext":
            break
        i += 1
    d = "".join(out)
    if d.startswith("0044"):
        d = "0" + d[4:]
    elif d.startswith("44") and s.strip().startswith("+"):
        d = "0" + d[2:]
    if d.startswith("00"):
        d = d[1:]
    return d


def ni_never_issued(part):
    """True if an NI number uses a prefix that is never issued (or QQ)."""
    letters = re.sub(r"[^A-Za-z0-9]", "", part).upper()
    m = re.fullmatch(r"([A-Z]{2})\d{6}[A-D]?", letters)
    if not m:
        return None
    pre = m.group(1)
    return (pre == "QQ" or pre[0] in "DFIQUV" or pre[1] in "DFIOQUV"
            or pre in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"))


def luhn_ok(digits):
    total = 0
    for i, c in enumerate(reversed(digits)):
        n = int(c)
        if i % 2:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def nhs_valid(digits):
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(c) * w for c, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def main():
    errors = []
    warnings = []
    raw = open(PATH, "rb").read()
    try:
        data = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        print("FAIL: not UTF-8:", exc)
        return 1
    if data.startswith("\ufeff"):
        errors.append("file starts with a BOM")
    if "\r" in data:
        errors.append("file contains CR characters (must be LF only)")
    if not data.endswith("\n"):
        errors.append("file does not end with a newline")
    lines = data.split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    if not lines or lines[0] != HEADER:
        errors.append("header is not exactly %r" % HEADER)
    ids = set()
    texts = {}
    counts = collections.Counter()
    long_rows = 0
    n_substrings = 0
    for lineno, line in enumerate(lines[1:], start=2):
        if line.strip() == "":
            errors.append("line %d: blank line" % lineno)
            continue
        cols = line.split("\t")
        if len(cols) != 4:
            errors.append("line %d: %d columns, expected 4" % (lineno, len(cols)))
            continue
        rid, kind, text, personal = cols
        if not re.fullmatch(r"[po]\d{3}", rid):
            errors.append("line %d: bad id %r" % (lineno, rid))
        if rid in ids:
            errors.append("line %d: duplicate id %s" % (lineno, rid))
        ids.add(rid)
        if kind not in KINDS:
            errors.append("line %d (%s): unknown kind %r" % (lineno, rid, kind))
        counts[kind] += 1
        if text != text.strip():
            errors.append("%s: text has leading/trailing whitespace" % rid)
        if text in texts:
            errors.append("%s: duplicate text (same as %s)" % (rid, texts[text]))
        texts[text] = rid
        nwords = len(text.split())
        if nwords < 5 or nwords > 120:
            errors.append("%s: %d words (allowed 5-120)" % (rid, nwords))
        elif nwords > 60:
            long_rows += 1
        if text.startswith('"'):
            warnings.append("%s: text starts with a double quote" % rid)
        if kind == "ordinary" or rid.startswith("o"):
            if kind != "ordinary":
                errors.append("%s: o-id but kind %s" % (rid, kind))
            if not rid.startswith("o"):
                errors.append("%s: ordinary kind but p-id" % rid)
            if personal != "":
                errors.append("%s: ordinary row has personal substrings %r" % (rid, personal))
            continue
        if not rid.startswith("p"):
            errors.append("%s: personal kind but o-id" % rid)
        if personal == "":
            errors.append("%s: personal row with empty personal column" % rid)
            continue
        if personal != personal.strip():
            errors.append("%s: personal column has leading/trailing whitespace" % rid)
        parts = personal.split(SEP)
        seen = set()
        for part in parts:
            n_substrings += 1
            if part == "" or part != part.strip():
                errors.append("%s: empty or padded substring %r" % (rid, part))
                continue
            if "||" in part:
                errors.append("%s: malformed separator in %r" % (rid, part))
            if part in seen:
                warnings.append("%s: substring listed twice %r" % (rid, part))
            seen.add(part)
            if part not in text:
                errors.append("%s: substring not in text: %r" % (rid, part))
            if part.startswith(TITLES) and not re.fullmatch(r"\w+ [A-Z]", part):
                errors.append("%s: title included in name substring %r" % (rid, part))
            if kind == "nhs_number" and re.sub(r"\D", "", part):
                digits = re.sub(r"\D", "", part)
                if not digits.startswith("999") or not nhs_valid(digits):
                    errors.append("%s: NHS number fails 999 prefix or mod-11 check: %r" % (rid, part))
            if kind == "ni_number":
                ok = ni_never_issued(part)
                if ok is None:
                    warnings.append("%s: NI number not in a standard shape %r" % (rid, part))
                elif not ok:
                    errors.append("%s: NI prefix may be issued: %r" % (rid, part))
            if kind == "bank":
                digits = re.sub(r"[ -]", "", part)
                if digits.isdigit() and len(digits) in (15, 16) and not luhn_ok(digits):
                    errors.append("%s: card number fails Luhn: %r" % (rid, part))
            if (kind == "phone" and phone_digits(part)) or re.fullmatch(r"[+(]?0[\d ()+.\-]{9,}(ext \d+)?", part):
                d = phone_digits(part)
                if len(d) >= 10 and not d.startswith(DRAMA_PREFIXES):
                    errors.append("%s: phone not in Ofcom drama range: %r -> %s" % (rid, part, d))
                elif len(d) < 10:
                    warnings.append("%s: could not read phone number %r" % (rid, part))

    personal_total = sum(v for k, v in counts.items() if k != "ordinary")
    for k in KINDS:
        if k == "ordinary":
            continue
        need = MIN_NAME if k == "name" else MIN_PER_PERSONAL_KIND
        if counts[k] < need:
            errors.append("kind %s: %d rows, need at least %d" % (k, counts[k], need))
    if personal_total < MIN_PERSONAL:
        errors.append("personal rows: %d, need at least %d" % (personal_total, MIN_PERSONAL))
    if counts["ordinary"] < MIN_ORDINARY:
        errors.append("ordinary rows: %d, need at least %d" % (counts["ordinary"], MIN_ORDINARY))

    print("file:", PATH)
    print("rows (excluding header):", len(lines) - 1)
    print("personal rows:", personal_total)
    print("ordinary rows:", counts["ordinary"])
    print("personal substrings listed:", n_substrings)
    print("rows over 60 words:", long_rows)
    print("counts per kind:")
    for k in KINDS:
        print("  %-14s %d" % (k, counts[k]))
    for w in warnings:
        print("WARNING:", w)
    for e in errors:
        print("ERROR:", e)
    print("RESULT:", "OK" if not errors else "FAIL (%d errors)" % len(errors))
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
