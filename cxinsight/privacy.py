"""Personal data in free text: find it and redact it before anything is written.

Complaint summaries, contact notes and survey comments carry names, email addresses, UK phone
numbers, postcodes, National Insurance numbers, NHS numbers, card numbers and account
references (domain.md s.7). :func:`redact_text` replaces each with a token such as ``[EMAIL]``.
It runs once per distinct text and broadcasts, so it costs what the distinct texts cost.

Names are found only where the text marks them (a title such as ``Mrs``, or "my name is",
"spoke to"): a redactor that removed every capitalised word would destroy the notes. Review a
sample before publishing verbatims.

>>> redact_text(pd.Series(["Mrs Jane Smith rang from DM4 7QT, tel 07700 900123, j.smith@gmail.com"])).tolist()
['[NAME] rang from [POSTCODE], tel [PHONE], [EMAIL]']
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

# Order matters: the first alternative that matches at a position wins. Each group runs only on
# texts that could hold it (an "@", a digit, a title or "my name is"), which keeps redaction cheap.
EMAIL = r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
DIGIT_PATTERNS: dict[str, str] = {
    "CARD": r"(?<!\d)(?:\d{4}[ -]?){3}\d{4}(?!\d)",
    "PHONE": r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)",
    "NI_NUMBER": r"(?<![A-Za-z0-9])[A-CEGHJ-PR-TW-Za-ceghj-pr-tw-z][A-CEGHJ-NPR-TW-Za-ceghj-npr-tw-z]"
                 r"\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-Da-d](?![A-Za-z0-9])",
    "NHS_NUMBER": r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)",
    "POSTCODE": r"(?<![A-Za-z0-9])(?:[A-Za-z]{1,2}\d[A-Za-z\d]?|GIR)\s*\d[A-Za-z]{2}(?![A-Za-z0-9])",
    "REFERENCE": r"(?<![\w/])\d{7,}(?![\w/])",
}
_NAME_WORDS = r"[A-Z][A-Za-zÀ-ÿ'’-]+(?:\s+[A-Z][A-Za-zÀ-ÿ'’-]+)?"
NAME = (r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+" + _NAME_WORDS
        + "".join(f"|(?<=\\b{lead} )" + _NAME_WORDS for lead in ("my name is", "spoke to", "caller", "name:")))
PATTERNS: dict[str, str] = {"EMAIL": EMAIL, **DIGIT_PATTERNS, "NAME": NAME}
KINDS: tuple[str, ...] = tuple(PATTERNS)
_COMBINED = re.compile("|".join(f"(?P<{kind}>{p})" for kind, p in PATTERNS.items()))
_EMAIL = re.compile(f"(?P<EMAIL>{EMAIL})")
_DIGITS = re.compile("|".join(f"(?P<{kind}>{p})" for kind, p in DIGIT_PATTERNS.items()))
_NAME = re.compile(f"(?P<NAME>{NAME})")
_HAS_DIGIT = re.compile(r"\d")
_MAY_NAME = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\b|my name is |spoke to |caller |name: ")
_TOKEN = re.compile(r"\[(?:" + "|".join(KINDS) + r")\]")


def _redact_one(text: str) -> tuple[str, dict[str, int]]:
    counts: dict[str, int] = {}

    def repl(m: re.Match) -> str:
        kind = m.lastgroup or "REDACTED"
        counts[kind] = counts.get(kind, 0) + 1
        return f"[{kind}]"

    if "@" in text:
        text = _EMAIL.sub(repl, text)
    if _HAS_DIGIT.search(text):
        text = _DIGITS.sub(repl, text)
    if _MAY_NAME.search(text):
        text = _NAME.sub(repl, text)
    return text, counts


def redact_text(values: pd.Series, counts: bool = False):
    """Replace personal data in each text with ``[KIND]`` tokens.

    With ``counts=True`` also returns a Series of how many items of each kind were redacted
    (counting every row, not just distinct texts).

    >>> out, n = redact_text(pd.Series(["NI no JH123456C", "NI no JH123456C", "no pii"]), counts=True)
    >>> out.tolist(), n.to_dict()
    (['NI no [NI_NUMBER]', 'NI no [NI_NUMBER]', 'no pii'], {'NI_NUMBER': 2})
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    results = [_redact_one(str(u)) for u in uniques]
    red = np.array([r[0] for r in results], dtype=object)
    out = np.empty(len(values), dtype=object)
    valid = codes >= 0
    out[valid] = red[codes[valid]]
    out[~valid] = None
    series = pd.Series(out, index=values.index, name=values.name)
    if not counts:
        return series
    freq = np.bincount(codes[valid], minlength=len(uniques))
    totals: dict[str, int] = {}
    for (_, c), f in zip(results, freq, strict=True):
        for kind, k in c.items():
            totals[kind] = totals.get(kind, 0) + k * int(f)
    return series, pd.Series(totals, dtype="int64").sort_index()


def contains_personal_data(values: pd.Series) -> pd.Series:
    """True where a text still holds something shaped like personal data (tokens ignored).

    >>> contains_personal_data(pd.Series(["[EMAIL] sent", "ring 07700 900123"])).tolist()
    [False, True]
    """
    def check(uniques: pd.Index) -> list[bool]:
        return [bool(_COMBINED.search(_TOKEN.sub(" ", str(u)))) for u in uniques]

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    flags = np.array(check(pd.Index(uniques)), dtype=bool)
    out = np.zeros(len(values), dtype=bool)
    out[codes >= 0] = flags[codes[codes >= 0]]
    return pd.Series(out, index=values.index, name=values.name)


def redact_frame(frame: pd.DataFrame, columns) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Redact the named text columns of ``frame``; returns the new frame and counts by column/kind."""
    redacted, rows = {}, []
    for col in columns:
        if col in frame.columns:
            redacted[col], n = redact_text(frame[col], counts=True)
            rows += [{"column": col, "kind": k, "redacted": int(v)} for k, v in n.items()]
    return frame.assign(**redacted), pd.DataFrame(rows, columns=["column", "kind", "redacted"])


def find_personal_data(text: str, kinds: tuple[str, ...] = KINDS) -> dict[str, int]:
    """How many items shaped like personal data of each kind a whole text holds (tokens ignored).

    >>> find_personal_data("Call [PHONE] or 07700 900123; write to DM4 7QT.")
    {'PHONE': 1, 'POSTCODE': 1}
    """
    found: dict[str, int] = {}
    for m in _COMBINED.finditer(_TOKEN.sub(" ", text)):
        if m.lastgroup in kinds:
            found[m.lastgroup] = found.get(m.lastgroup, 0) + 1
    return found
