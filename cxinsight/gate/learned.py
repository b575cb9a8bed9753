"""A learned token tagger: the gate's detector that was taught, not written.

The redactor (:mod:`cxinsight.privacy`) and the gate's recognisers (:mod:`cxinsight.gate`) are rules
people wrote, so they share what their writers did not think of. This detector is a linear model
(scikit-learn's multinomial logistic regression) that reads each word of a note with the two words
either side of it and says whether it is part of a name, an address, an identifying number or an
online identity. It was fitted on notes other people wrote: the blind corpora written for issue 28
by helpers that had read none of the rules (``tests/data/blind_personal_data``: development, held_out,
second, dev5, dev6 and dev7; about 4,600 notes), each personal note also written three more times with
its values swapped for others of the same shape, so that it learns from the words around a value, not
the value itself; and about 2,000 real FixMyStreet and SeeClickFix reports and written council notes
(``tests/data/demand_corpus``) in which neither rule-based detector finds anything, as notes with
nothing personal in them. The third and fourth corpora are never used here: they judge it. dev6 and
dev7 were each scored before they were taught (their ``FIRST_RUN.md``): the tagger alone found 0.84
and 0.86 of their items, flagging 9% and 6% of their ordinary notes.

What a word is, for the model: its lower-case form, its shape (``Xxxx``, ``dddd``, ``XXdd``), its last
three letters, whether it is a known forename or surname (:func:`cxinsight.gate.known_forenames`), an
everyday word, a title, a street word, and whether it ends a sentence, each at its offset from the word
scored (-2 to +2). Every feature belongs to one word at one offset, so a word's contribution at each
offset is worked out once per distinct word and summed per token by array indexing: a note costs a few
dictionary look-ups per word.

The weights ship in ``tagger.npz`` (no pickle: arrays and feature names, half precision, features
whose weights are all under 0.01 left out), made by ``python -m cxinsight.gate.learned`` from the
corpora; a slow test checks that fitting again reads the corpora the same way. It reads free text
only (:func:`cxinsight.gate.free_text_findings`: an approved quote before it is published, the blind
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
#: The corpora's kinds, as the model's classes.
KIND_CLASS = {"name": "NAME", "address": "ADDRESS", "postcode": "ADDRESS", "phone": "NUMBER",
              "date_of_birth": "NUMBER", "ni_number": "NUMBER", "nhs_number": "NUMBER", "bank": "NUMBER",
              "vehicle": "NUMBER", "reference": "NUMBER", "email": "ONLINE", "staff_login": "ONLINE"}
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


# ----------------------------------------------------------------------------------------------
# Fitting
# ----------------------------------------------------------------------------------------------
#: The corpora it learns from (paths under tests/data/blind_personal_data): never third or fourth.
TRAINING = ("development.tsv", "held_out.tsv", "second/items.tsv", "dev5/items.tsv", "dev6/items.tsv",
            "dev7/items.tsv")
#: Notes written with each personal value swapped for another of the same shape, per note.
VARIANTS = 3
SEED = 20261207
#: Words kept when a value is swapped: the words of the way it is written, not the value.
_KEEP = frozenset("at dot com co uk org net gov nhs gmail hotmail yahoo outlook btinternet sky live icloud "
                  "aol mail of the and on in no number flat apt apartment house road street lane avenue "
                  "close drive way court place crescent gardens terrace mr mrs ms miss dr mx sir".split())


#: Real residents' and call handlers' writing with no personal data marked (``tests/data/demand_corpus``:
#: FixMyStreet and SeeClickFix reports, written council notes; their SOURCE.md): every word of a text
#: in which neither the gate nor the redactor finds anything is taught as "not personal"; a text where
#: either finds something is left out, not guessed at.
NEGATIVES = ("fixmystreet.csv", "fixmystreet_extra.csv", "seeclickfix_newport.csv", "seeclickfix_newport_rest.csv",
             "seeclickfix_us2024.csv", "written.csv")


def negative_texts() -> list[str]:
    """The texts of :data:`NEGATIVES` in which neither rule-based detector finds anything."""
    import csv

    from cxinsight import gate, privacy

    texts = []
    for name in NEGATIVES:
        with open(corpus_dir().parent / "demand_corpus" / name, encoding="utf-8", newline="") as fh:
            texts += [r["text"] for r in csv.DictReader(fh) if r["text"].strip()]
    redacted = privacy.redact_text(__import__("pandas").Series(texts, dtype=object)).tolist()
    return [t for t, r in zip(texts, redacted, strict=True)
            if r in (t, privacy.normalise(t)) and not gate.findings(gate.normalise(t))]


def read_corpus(path: Path) -> list[tuple[str, str, list[str]]]:
    """``(kind, text, personal substrings)`` for each row of one corpus file."""
    rows = []
    lines = path.read_text(encoding="utf-8").split("\n")
    for line in lines[1:]:
        if line:
            _, kind, text, personal = line.split("\t")
            rows.append((kind, text, [p for p in personal.split(" || ") if p]))
    return rows


def _labels(text: str, kind: str, personal: list[str], toks) -> list[str]:
    spans = [(m.start(), m.end()) for p in personal for m in re.finditer(re.escape(p), text)]
    cls = KIND_CLASS.get(kind, "O")
    return [cls if any(s < e2 and e > s2 for s2, e2 in spans) else "O" for s, e, _ in toks]


def _swap(value: str, kind: str, rng: np.random.Generator) -> str:
    """Another value of the same shape: names from the gazetteers in the same case, letters and
    digits drawn afresh for everything else, the words around them kept."""
    names = _name_pool()

    def word(m: re.Match) -> str:
        w = m.group()
        if w.lower() in _KEEP:
            return w
        if kind in ("name", "address") and w.isalpha() and len(w) > 1:
            new = names[int(rng.integers(len(names)))]
            return new.upper() if w.isupper() else new.lower() if w.islower() else new.title()
        return "".join(str(rng.integers(10)) if c.isdigit() else
                       chr(65 + int(rng.integers(26))) if c.isupper() else
                       chr(97 + int(rng.integers(26))) if c.islower() else c for c in w)

    return re.sub(r"[^\W_]+", word, value)


@cache
def _name_pool() -> list[str]:
    from cxinsight.gate import known_forenames, known_surnames

    return sorted(n for n in known_forenames() | known_surnames() if n.isascii() and n.isalpha())


def _variants(kind: str, text: str, personal: list[str], rng) -> list[tuple[str, list[str]]]:
    out = []
    for _ in range(VARIANTS):
        new_text, new_personal = text, []
        for p in sorted(set(personal), key=len, reverse=True):
            q = _swap(p, kind, rng)
            new_text = new_text.replace(p, q)
            new_personal.append(q)
        out.append((new_text, [q for q in new_personal if q in new_text]))
    return out


def training_rows(files: list[Path], variants: int = VARIANTS, seed: int = SEED, negatives: bool = True):
    """``(features, labels)`` for every token of the corpora's notes and their swapped variants, and
    of the real texts with nothing found in them (:func:`negative_texts`)."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for t in (negative_texts() if negatives else []):
        chunks = [c for _, _, c in tokens(t)]
        X += [token_features(chunks, i) for i in range(len(chunks))]
        y += ["O"] * len(chunks)
    for path in files:
        for kind, text, personal in read_corpus(path):
            versions = [(text, personal)]
            if personal and variants:
                versions += _variants(kind, text, personal, rng)[:variants]
            for t, ps in versions:
                toks = tokens(t)
                chunks = [c for _, _, c in toks]
                X += [token_features(chunks, i) for i in range(len(chunks))]
                y += _labels(t, kind, ps, toks)
    return X, y


#: Features whose weights are all smaller than this are left out of the shipped model (half of them; the
#: blind corpora's figures are the same), and weights are kept to half precision: a smaller file.
SMALLEST_WEIGHT = 0.01


def fit(files: list[Path], c: float = 1.0, negatives: bool = True):
    """The model fitted on ``files``: ``(features, coef (features x classes), intercept)``."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    X, y = training_rows(files, negatives=negatives)
    vec = DictVectorizer(sort=True)
    M = vec.fit_transform(X)
    clf = LogisticRegression(C=c, max_iter=2000, fit_intercept=False)
    clf.fit(M, y)
    order = [list(clf.classes_).index(k) for k in CLASSES]
    coef = clf.coef_[order].T
    names = list(vec.get_feature_names_out())
    intercept = coef[names.index("bias")]
    keep = (np.abs(coef).max(axis=1) >= SMALLEST_WEIGHT) & (np.array(names) != "bias")
    features = [f for f, k in zip(names, keep, strict=True) if k]
    return features, coef[keep].astype(np.float16), intercept.astype(np.float16)


def corpus_dir() -> Path:
    return HERE.parents[1] / "tests" / "data" / "blind_personal_data"


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    features, coef, intercept = fit([corpus_dir() / f for f in TRAINING])
    np.savez_compressed(WEIGHTS, features=np.array(features), coef=coef, intercept=intercept)
    log.info("wrote %s: %d features", WEIGHTS, len(features))


if __name__ == "__main__":
    main()
