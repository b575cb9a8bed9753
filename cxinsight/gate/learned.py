"""A learned token tagger: the gate's detector that was taught, not written.

The redactor (:mod:`cxinsight.privacy`) and the gate's recognisers (:mod:`cxinsight.gate`) are rules
people wrote, so they share what their writers did not think of. This detector is a linear model
(scikit-learn's multinomial logistic regression) that reads each word of a note with the two words
either side of it and says whether it is part of a name, an address, an identifying number or an
online identity. It was fitted on notes other people wrote: the blind corpora written for issue 28
by helpers that had read none of the rules (``tests/data/blind_personal_data``: development, held_out,
second, dev5, dev6, dev7 and dev8; about 5,800 notes), each personal note also written three more times with
its values swapped for others of the same shape, so that it learns from the words around a value, not
the value itself; and about 2,000 real FixMyStreet and SeeClickFix reports and written council notes
(``tests/data/demand_corpus``) in which neither rule-based detector finds anything, as notes with
nothing personal in them. The third and fourth corpora are never used here: they judge it. dev6, dev7
and dev8 were each scored before they were taught (their ``FIRST_RUN.md``): the tagger alone found
0.84, 0.86 and 0.91 of their items, flagging 9%, 6% and 10% of their ordinary notes.

What a word is, for the model: its lower-case form, its shape (``Xxxx``, ``dddd``, ``XXdd``), its last
three letters, whether it is a known forename or surname (:func:`cxinsight.gate.known_forenames`), an
everyday word, a title, a street word, and whether it ends a sentence, each at its offset from the word
scored (-2 to +2). Every feature belongs to one word at one offset, so a word's contribution at each
offset is worked out once per distinct word and summed per token by array indexing: a note costs a few
dictionary look-ups per word.

The weights ship in ``tagger.npz`` (no pickle: arrays and feature names, half precision, features
whose weights are all under 0.01 left out), made by ``python -m cxinsight.gate_learning`` (:mod:`cxinsight.gate_learning`) from the
corpora; a slow test checks that fitting again reads the corpora the same way. It reads free text
only (:func:`free_text_findings`: an approved quote before it is published, the blind
scoring), never a report's prose or a system's names: it was taught on notes, not on report sentences.
The threshold is the model's own even odds (:data:`THRESHOLD`), fixed before the judges were scored.

>>> spans = tag("neighbour kwame mensah keeps leaving bags out")
>>> [("neighbour kwame mensah keeps leaving bags out")[s:e] for _, s, e in spans]
['kwame mensah']
>>> tag("the bins were not collected on Monday")
[]
"""

from __future__ import annotations

import logging
import re
from functools import cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
WEIGHTS = HERE / "tagger.npz"
#: The model's classes: not personal, and four coarse kinds of personal data.
CLASSES = ("O", "NAME", "ADDRESS", "NUMBER", "ONLINE")
#: The gate's kind for each class.
GATE_KIND = {"NAME": "NAME", "ADDRESS": "ADDRESS", "NUMBER": "ID_NUMBER", "ONLINE": "EMAIL"}
OFFSETS = (-2, -1, 0, 1, 2)
#: A word is flagged when the model gives "not personal" less than this probability: even odds. Fitting on
#: three of the first four development corpora and scoring the fourth (2026-12-07) put the tagger at 0.87 of
#: items with 13% of ordinary notes flagged at 0.5, 0.77 and 6% at 0.2, 0.64 and 2% at 0.05.
THRESHOLD = 0.5

_CHUNK = re.compile(r"\S+")
_EDGE = "()[]{}<>\"'`‘’“”,.;:!?*"
_POSTCODE = re.compile(r"(?i)^[a-z]{1,2}\d[a-z\d]?(?:\d[a-z]{2})?$")


def tokens(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, chunk)`` for each whitespace-separated chunk, the span without the punctuation
    around it (the chunk keeps it: a full stop after a word is a feature).

    >>> tokens("Rang re: Mrs O'Neill.")
    [(0, 4, 'Rang'), (5, 7, 're:'), (9, 12, 'Mrs'), (13, 20, "O'Neill.")]
    """
    out = []
    for m in _CHUNK.finditer(text):
        chunk = m.group()
        word = chunk.strip(_EDGE)
        if not word:
            continue
        start = m.start() + chunk.index(word)
        out.append((start, start + len(word), chunk))
    return out


def _shape(word: str) -> str:
    s = re.sub(r"[A-Z]", "X", re.sub(r"[a-z]", "x", re.sub(r"\d", "d", word)))
    s = re.sub(r"[^\sXxd]", "-", s)
    return re.sub(r"(.)\1+", r"\1\1", s)[:8]


@cache
def word_features(chunk: str) -> tuple[str, ...]:
    """What the model knows of one chunk, wherever it stands (the offset is added by the caller).

    >>> word_features("Mensah,")[:4]
    ('w=mensah', 'shape=Xxx', 'suf=sah', 'known_surname')
    """
    from cxinsight.gate import (
        PLAIN_STREET_TYPES,
        STREET_TYPES,
        TITLES,
        fold,
        is_everyday_word,
        known_forenames,
        known_surnames,
    )

    word = chunk.strip(_EDGE)
    low = word.lower()
    f = [f"w={low}", f"shape={_shape(word)}", f"suf={low[-3:]}"]
    # (rstrip takes every trailing ' and s, so "jones" is looked up as "jone": a quirk the shipped weights
    # were fitted with; removing only a final "'s" needs a refit, and measured once it read the judges no
    # better: 2026-12-08 closing note)
    bare = fold(low.rstrip("'s").replace("’", "'"))
    if bare in known_surnames():
        f.append("known_surname")
    if bare in known_forenames():
        f.append("known_forename")
    if word.isalpha() and is_everyday_word(low):
        f.append("everyday")
    if low.rstrip(".") in TITLES:
        f.append("title")
    if low in STREET_TYPES or low in PLAIN_STREET_TYPES:
        f.append("street")
    if any(c.isdigit() for c in word):
        f.append(f"digits={min(sum(c.isdigit() for c in word), 12)}")
    if "@" in word:
        f.append("at_sign")
    if _POSTCODE.match(word):
        f.append("postcode_shape")
    if word.startswith("[") or chunk.startswith("["):
        f.append("token")
    if chunk[-1:] in ".!?" and len(word) > 1:
        f.append("ends_sentence")
    if chunk[-1:] in ",;:":
        f.append("ends_clause")
    if chunk.endswith(":"):
        f.append("label")
    # the word's case with what the lists know of it, as one feature: a known forename in capitals,
    # in lower case, or an everyday word that is also a name, each learn their own weight
    case = ("upper" if word.isupper() and len(word) > 1 else "title" if word[:1].isupper() else
            "lower" if word[:1].islower() else "other")
    known = [k for k in ("known_forename", "known_surname", "everyday") if k in f]
    f.append("case=" + "+".join([case, *known]))
    f.append(f"len={min(len(word), 10)}")
    return tuple(f)


PAD = {-2: "<s2>", -1: "<s1>", 1: "</s1>", 2: "</s2>"}


def token_features(chunks: list[str], i: int) -> dict[str, float]:
    """Every feature of the token ``i`` of ``chunks``: each word's features at its offset."""
    out = {"bias": 1.0}
    for o in OFFSETS:
        j = i + o
        if 0 <= j < len(chunks):
            for f in word_features(chunks[j]):
                out[f"{o}:{f}"] = 1.0
        else:
            out[f"{o}:{PAD[o]}"] = 1.0
    return out


class Tagger:
    """The fitted model as arrays: a weight vector per feature, summed per word and offset once."""

    def __init__(self, features: list[str], coef: np.ndarray, intercept: np.ndarray):
        self.index = {f: k for k, f in enumerate(features)}
        self.coef = coef.astype(np.float64)  # (features, classes)
        self.intercept = intercept.astype(np.float64)
        self._ids: dict[tuple[int, str], int] = {}
        self._rows: list[np.ndarray] = []
        self._table = np.zeros((0, len(CLASSES)))

    def _id(self, offset: int, chunk: str | None) -> int:
        key = (offset, chunk if chunk is not None else PAD[offset])
        k = self._ids.get(key)
        if k is None:
            feats = ([f"{offset}:{f}" for f in word_features(chunk)] if chunk is not None
                     else [f"{offset}:{PAD[offset]}"])
            rows = [self.index[f] for f in feats if f in self.index]
            self._rows.append(self.coef[rows].sum(axis=0) if rows else np.zeros(len(CLASSES)))
            k = self._ids[key] = len(self._rows) - 1
        return k

    def probabilities(self, chunks: list[str]) -> np.ndarray:
        """Each token's class probabilities, ``(tokens, classes)``."""
        n = len(chunks)
        if not n:
            return np.zeros((0, len(CLASSES)))
        ids = np.array([[self._id(o, chunks[i + o] if 0 <= i + o < n else None) for o in OFFSETS]
                        for i in range(n)])
        if len(self._rows) > len(self._table):
            self._table = np.vstack([self._table, *self._rows[len(self._table):]])
        z = self._table[ids].sum(axis=1) + self.intercept
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)


@cache
def model() -> Tagger:
    data = np.load(WEIGHTS, allow_pickle=False)
    return Tagger([str(f) for f in data["features"]], data["coef"], data["intercept"])


def free_text_findings(text: str) -> list[tuple[str, int, int]]:
    """What the second detector flags in a resident's or call handler's own words: the gate's rules
    (:func:`cxinsight.gate.findings`) and this tagger's, one finding where they overlap.

    The tagger was taught on notes, not on report prose, so only free text is read this way (an
    analyst-approved quote before it is published, the blind corpora's notes); pages and file names
    are read by :func:`cxinsight.gate.findings` alone.

    >>> text = "spoke to agnieszka, she says the bin was missed again"
    >>> [(k, text[s:e]) for k, s, e in free_text_findings(text)]
    [('NAME', 'agnieszka')]
    """
    from cxinsight import gate

    text = gate.normalise(text)
    return gate.merge([*gate.findings(text), *tag(gate._TOKEN.sub(lambda m: " " * len(m.group()), text))])


def tag(text: str, threshold: float = THRESHOLD) -> list[tuple[str, int, int]]:
    """``(kind, start, end)`` for each run of words the model reads as personal data in ``text``."""
    toks = tokens(text)
    if not toks:
        return []
    p = model().probabilities([c for _, _, c in toks])
    out: list[tuple[str, int, int]] = []
    for (start, end, chunk), row in zip(toks, p, strict=True):
        if row[0] >= threshold or chunk.startswith("["):
            continue
        kind = GATE_KIND[CLASSES[1 + int(np.argmax(row[1:]))]]
        if out and out[-1][0] == kind and text[out[-1][2]:start].strip(" ,.-") == "":
            out[-1] = (kind, out[-1][1], end)
        else:
            out.append((kind, start, end))
    return out
