#!/usr/bin/env python3
"""Validate items.tsv (standard library only) and print counts per kind."""
import sys, os, collections
PATH = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), 'items.tsv')
KINDS = {'name', 'email', 'phone', 'address', 'postcode', 'date_of_birth', 'ni_number',
         'nhs_number', 'bank', 'vehicle', 'reference', 'staff_login', 'ordinary'}
errors = []
raw = open(PATH, 'rb').read()
if b'\r' in raw:
    errors.append('file contains CR characters (must be LF only)')
try:
    data = raw.decode('utf-8')
except UnicodeDecodeError as e:
    print('not UTF-8:', e); sys.exit(1)
lines = data.split('\n')
if lines and lines[-1] == '':
    lines = lines[:-1]
if not lines or lines[0] != 'id\tkind\ttext\tpersonal':
    errors.append('bad header: %r' % (lines[0] if lines else ''))
ids, texts = set(), {}
counts = collections.Counter()
nsubs = collections.Counter()
for i, line in enumerate(lines[1:], start=2):
    parts = line.split('\t')
    if len(parts) != 4:
        errors.append(f'line {i}: expected 4 fields, got {len(parts)}'); continue
    rid, kind, text, personal = parts
    if rid in ids:
        errors.append(f'line {i}: duplicate id {rid}')
    ids.add(rid)
    if kind not in KINDS:
        errors.append(f'line {i}: invalid kind {kind!r}')
    if kind == 'ordinary':
        if not rid.startswith('q'):
            errors.append(f'line {i}: ordinary id should start with q: {rid}')
        if personal != '':
            errors.append(f'line {i}: ordinary row has personal {personal!r}')
    else:
        if not rid.startswith('p'):
            errors.append(f'line {i}: personal id should start with p: {rid}')
        if personal == '':
            errors.append(f'line {i}: personal row {rid} has empty personal')
        for sub in personal.split(' || ') if personal else []:
            if sub == '' or sub != sub.strip():
                errors.append(f'line {i}: empty or padded substring {sub!r}')
            elif sub not in text:
                errors.append(f'line {i}: substring {sub!r} not in text')
            nsubs[kind] += 1
    key = text.strip()
    if key in texts:
        errors.append(f'line {i}: duplicate text (also line {texts[key]})')
    texts[key] = i
    wc = len(text.split())
    if wc < 5 or wc > 60:
        errors.append(f'line {i}: {wc} words ({rid}): {text[:60]}')
    counts[kind] += 1
print(f'file: {PATH}')
print(f'rows: {sum(counts.values())}')
for k in sorted(counts, key=lambda k: (k == 'ordinary', k)):
    extra = f'  (substrings: {nsubs[k]})' if k != 'ordinary' else ''
    print(f'  {k:14s} {counts[k]:5d}{extra}')
print(f'personal rows: {sum(v for k, v in counts.items() if k != "ordinary")}')
print(f'errors: {len(errors)}')
for e in errors:
    print('  ERROR', e)
sys.exit(1 if errors else 0)
