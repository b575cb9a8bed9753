"""The planted personal-data corpus and the ordinary council phrases, and how a detector is scored.

An item counts as caught by the redactor when neither the planted value nor any identifying part of
it (a word of four or more letters that is not a street type or title, or any run of digits) is
left in the redacted text. An item counts as caught by a detector when a span it flags overlaps the
planted value.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

HERE = Path(__file__).parent
GENERIC = {"road", "street", "lane", "avenue", "close", "drive", "way", "view", "walk", "park", "green",
           "gardens", "grove", "terrace", "mews", "court", "house", "rise", "flat", "apartment", "crescent",
           "sort", "code", "account", "acct", "bank", "iban", "plate", "number", "registration", "the"}


def planted(name: str = "planted.tsv") -> pd.DataFrame:
    """``kind, secret, text`` for every planted item of one file."""
    with open(HERE / name, encoding="utf-8", newline="") as f:
        frame = pd.DataFrame(list(csv.DictReader(f, delimiter="\t")))
    bad = [r.text for r in frame.itertuples() if r.secret not in r.text]
    assert not bad, f"secret not in its text: {bad}"
    return frame


def ordinary() -> list[str]:
    lines = (HERE / "ordinary.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def identifying_parts(secret: str) -> list[str]:
    words = re.findall(r"[^\W\d_]{4,}", secret)
    digits = re.findall(r"\d+", re.sub(r"[\s.\-\u200b-\u200d()]", "", secret))
    return [w for w in words if w.lower() not in GENERIC] + [d for d in digits if len(d) >= 2]


def redacted_away(secret: str, output: str, text: str = "") -> bool:
    """True when nothing identifying of ``secret`` is left in ``output``.

    A part that the original ``text`` also holds outside the secret ("From mike: mike.j@...") is
    not held against the redactor.
    """
    if secret in output:
        return False
    rest = text.replace(secret, " ")
    flat = re.sub(r"[\s.\-\u200b-\u200d()]", "", output)
    for part in identifying_parts(secret):
        if part.lower() in rest.lower():
            continue
        if part.isdigit():
            if len(part) >= 4 and part in flat:
                return False
        elif re.search(rf"(?<!\w){re.escape(part)}(?!\w)", output, flags=re.IGNORECASE):
            return False
    return True
