#!/usr/bin/env python3
"""Validate /work/dev5/items.tsv (standard library only).

Errors (exit 1): header, column count, id format/uniqueness, kind values,
id prefix vs personal, duplicate texts, word count, personal substrings
missing from their text, personal data on ordinary rows, number kinds
outside the reserved/fictitious ranges, minimum counts per kind.
Warnings: personal substring glued to a letter/digit (possible partial
match inside a longer word), titles included with full names, text
near-duplicates, ordinary rows containing strings that look personal.
"""
import collections, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ARGS = [a for a in sys.argv[1:] if not a.startswith('-')]
PATH = ARGS[0] if ARGS else os.path.join(HERE, 'items.tsv')
HEADER = 'id\tkind\ttext\tpersonal'
KINDS = ['name', 'email', 'phone', 'address', 'postcode', 'date_of_birth',
         'ni_number', 'nhs_number', 'bank', 'vehicle', 'reference',
         'staff_login', 'ordinary']
MINIMUM = {'name': 200, 'reference': 50, 'staff_login': 50, 'bank': 40,
           'address': 40, 'email': 15, 'phone': 15, 'postcode': 15,
           'date_of_birth': 15, 'ni_number': 15, 'nhs_number': 15,
           'vehicle': 15}
MIN_PERSONAL, MIN_ORDINARY = 500, 300
SEP = ' || '
TEST_CARDS = {'4111111111111111', '4242424242424242', '5555555555554444',
              '4000056655665556', '378282246310005', '5105105105105100',
              '4012888888881881', '6011111111111117'}
DRAMA_PREFIXES = ('07700900', '01134960', '02079460')
TITLES = ('Mr ', 'Mrs ', 'Ms ', 'Miss ', 'Dr ', 'Cllr ', 'MR ', 'MRS ', 'MS ')

errors, warnings = [], []
def err(m): errors.append(m)
def warn(m): warnings.append(m)

raw = open(PATH, 'rb').read()
try:
    data = raw.decode('utf-8')
except UnicodeDecodeError as e:
    sys.exit(f'ERROR: not UTF-8: {e}')
if data.startswith('\ufeff'):
    err('file starts with a BOM')
if '\r' in data:
    err('file contains CR characters (need LF line endings)')
if not data.endswith('\n'):
    err('file does not end with a newline')
lines = data.split('\n')
if lines and lines[-1] == '':
    lines.pop()
if not lines or lines[0] != HEADER:
    err(f'header is {lines[0]!r}, expected {HEADER!r}')

ids, texts, norm_texts = set(), {}, {}
kind_count = collections.Counter()
n_personal = n_ordinary = 0
digits = lambda s: re.sub(r'\D', '', s)

for ln, line in enumerate(lines[1:], 2):
    cols = line.split('\t')
    if len(cols) != 4:
        err(f'line {ln}: {len(cols)} columns'); continue
    rid, kind, text, pers = cols
    where = f'line {ln} ({rid})'
    if not re.fullmatch(r'[dq]\d{3,}', rid):
        err(f'{where}: bad id format')
    if rid in ids:
        err(f'{where}: duplicate id')
    ids.add(rid)
    if kind not in KINDS:
        err(f'{where}: unknown kind {kind!r}')
    if text in texts:
        err(f'{where}: duplicate text (also {texts[text]})')
    texts[text] = rid
    nt = re.sub(r'\W+', ' ', text.lower()).strip()
    if nt in norm_texts:
        warn(f'{where}: near-duplicate text of {norm_texts[nt]}')
    norm_texts[nt] = rid
    if text != text.strip():
        err(f'{where}: leading/trailing whitespace in text')
    wc = len(text.split())
    if not 5 <= wc <= 80:
        err(f'{where}: {wc} words (need 5-80)')
    plist = pers.split(SEP) if pers else []
    kind_count[kind] += 1

    if kind == 'ordinary' or rid.startswith('q'):
        if kind != 'ordinary':
            err(f'{where}: q id but kind {kind}')
        if rid.startswith('d'):
            err(f'{where}: ordinary kind but d id')
        if plist:
            err(f'{where}: ordinary row has personal substrings')
        n_ordinary += 1
        # things on ordinary rows that look like personal data
        for pat, what in [(r'07700\s?900\s?\d{3}', 'drama mobile'),
                          (r'\b999[\s-]?\d{3}[\s-]?\d{4}\b', 'NHS-like number'),
                          (r'\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b', 'NI-like number'),
                          (r'[\w.\'-]+@example\.', 'example.* e-mail')]:
            if re.search(pat, text):
                warn(f'{where}: ordinary row contains {what}')
        continue

    n_personal += 1
    if not rid.startswith('d'):
        err(f'{where}: personal row without d id')
    if not plist:
        err(f'{where}: kind {kind} but no personal substrings'); continue
    if len(set(plist)) != len(plist):
        err(f'{where}: repeated personal substring')
    for p in plist:
        if p != p.strip() or not p:
            err(f'{where}: personal substring {p!r} has stray whitespace')
        if '\t' in p or '||' in p:
            err(f'{where}: bad characters in personal substring {p!r}')
        if p not in text:
            err(f'{where}: personal substring {p!r} not found in text'); continue
        covered = [(m2.start(), m2.end()) for q in plist if q != p and p in q
                   for m2 in re.finditer(re.escape(q), text)]
        for m in re.finditer(re.escape(p), text):
            a, b = m.start(), m.end()
            if any(x <= a and b <= y for x, y in covered):
                continue
            before = text[a - 1] if a > 0 else ' '
            after = text[b] if b < len(text) else ' '
            if (before.isalnum() and p[0].isalnum()) or (after.isalnum() and p[-1].isalnum()):
                warn(f'{where}: {p!r} occurs glued to a letter/digit at {a}')
        if p.startswith(TITLES) and len(p.split()) > 2:
            warn(f'{where}: title included in name {p!r}')
        d = digits(p)
        # number-kind plausibility: only invented / reserved numbers
        if kind == 'phone' and d:
            n = d
            if n.startswith('0044'): n = '0' + n[4:]
            elif n.startswith('44') and len(n) == 12: n = '0' + n[2:]
            if not (len(n) == 11 and n.startswith(DRAMA_PREFIXES)):
                err(f'{where}: phone {p!r} not in Ofcom drama ranges')
        if len(d) in (15, 16) and not p.upper().startswith(('GB', 'PL')) and kind == 'bank':
            if d not in TEST_CARDS:
                err(f'{where}: card-like number {p!r} is not a known test card')
        if kind == 'nhs_number' and len(d) == 10 and not d.startswith('999'):
            err(f'{where}: NHS number {p!r} does not start with 999')
        if len(d) == 10 and d.startswith('9') and kind != 'nhs_number' and re.fullmatch(r'[\d\s-]+', p):
            warn(f'{where}: 10-digit number {p!r} on a non-NHS row')
        ni = re.fullmatch(r'([A-Za-z]{2})[\s-]?\d{2}[\s-]?\d{2}[\s-]?\d{2}[\s-]?([A-Da-d])', p)
        if ni:
            pre = ni.group(1).upper()
            never = (pre[0] in 'DFIQUV' or pre[1] in 'DFIOQUV' or
                     pre in {'BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ'})
            if not never:
                err(f'{where}: NI number {p!r} has an issuable prefix {pre}')

    # the row must contain at least one substring of its main kind
    def any_match(fn): return any(fn(p) for p in plist)
    checks = {
        'email': lambda p: '@' in p or ' at ' in p,
        'phone': lambda p: len(digits(p)) >= 10 or ' double ' in p,
        'nhs_number': lambda p: digits(p).startswith('999') or p.startswith('nine nine nine'),
        'ni_number': lambda p: bool(re.fullmatch(r'[A-Za-z]{2}[\s-]?(\d{2}[\s-]?){3}[A-Da-d]', p)),
        'postcode': lambda p: bool(re.fullmatch(r'[A-Za-z]{1,2}\d[A-Za-z\d]? \d[A-Za-z]{2}', p)),
        'vehicle': lambda p: bool(re.fullmatch(r'[A-Za-z]{2}\d{2}\s?[A-Za-z]{3}|[A-Z]\s?\d{1,3}\s?[A-Z]{3}|[A-Z]\d\s[A-Z]{3}', p)),
        'date_of_birth': lambda p: bool(re.search(r'\d', p)),
        'bank': lambda p: len(digits(p)) >= 4 or p.count(',') >= 3,
        'reference': lambda p: len(digits(p)) >= 4,
        'address': lambda p: bool(re.search(r'\d|Cottage|Forge|House|Farm|Ty ', p)),
    }
    if kind in checks and not any_match(checks[kind]):
        err(f'{where}: no substring looks like its main kind {kind}')

    # report substrings that occur more than once (review by eye)
    for p in plist:
        if text.count(p) > 1 and '-v' in sys.argv:
            print(f'INFO: {where}: {p!r} occurs {text.count(p)}x')

for k, m in MINIMUM.items():
    if kind_count[k] < m:
        err(f'kind {k}: {kind_count[k]} rows, need at least {m}')
if n_personal < MIN_PERSONAL:
    err(f'{n_personal} personal rows, need at least {MIN_PERSONAL}')
if n_ordinary < MIN_ORDINARY:
    err(f'{n_ordinary} ordinary rows, need at least {MIN_ORDINARY}')

print(f'rows: {len(lines) - 1}  personal: {n_personal}  ordinary: {n_ordinary}')
for k in KINDS:
    print(f'  {k:<14} {kind_count[k]}')
for w in warnings:
    print('WARNING:', w)
for e in errors:
    print('ERROR:', e)
print(f'{len(errors)} errors, {len(warnings)} warnings')
sys.exit(1 if errors else 0)
