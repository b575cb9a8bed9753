"""Teaching the gate's learned tagger (:mod:`cxinsight.gate.learned`): the corpora it learns from, the
notes written again with their values swapped, and the fit that writes ``cxinsight/gate/tagger.npz``.

Run ``python -m cxinsight.gate_learning`` after a corpus is added to :data:`TRAINING` (a development
set that has had its blind first run recorded); never with the third or fourth corpus, which judge it.
Kept apart from the gate so that the gate, which the redactor imports, never imports the redactor
(the real texts taught as not personal are those neither detector finds anything in).
"""

from __future__ import annotations

import logging
import re
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from cxinsight.gate.learned import CLASSES, WEIGHTS, token_features, tokens

log = logging.getLogger(__name__)
#: The corpora's kinds, as the model's classes.
KIND_CLASS = {"name": "NAME", "address": "ADDRESS", "postcode": "ADDRESS", "phone": "NUMBER",
              "date_of_birth": "NUMBER", "ni_number": "NUMBER", "nhs_number": "NUMBER", "bank": "NUMBER",
              "vehicle": "NUMBER", "reference": "NUMBER", "email": "ONLINE", "staff_login": "ONLINE"}

#: The corpora it learns from (paths under tests/data/blind_personal_data): never third or fourth.
TRAINING = ("development.tsv", "held_out.tsv", "second/items.tsv", "dev5/items.tsv", "dev6/items.tsv",
            "dev7/items.tsv", "dev8/items.tsv")
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
    redacted = privacy.redact_text(pd.Series(texts, dtype=object)).tolist()
    return [t for t, r in zip(texts, redacted, strict=True)
            if r in (t, privacy.normalise(t)) and not gate.findings(gate.normalise(t))]


def read_corpus(path: Path) -> list[tuple[str, str, str, list[str]]]:
    """``(id, kind, text, personal substrings)`` for each row of one corpus file (header ``id, kind,
    text, personal``; the substrings separated by `` || ``)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines[0].split("\t") != ["id", "kind", "text", "personal"]:
        raise ValueError(f"{path}: header 'id, kind, text, personal' expected; found {lines[0]!r}")
    rows = []
    for line in lines[1:]:
        if line:
            ident, kind, text, personal = line.split("\t")
            rows.append((ident, kind, text, [p for p in personal.split(" || ") if p]))
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


def _variants(kind: str, text: str, personal: list[str], rng, n: int) -> list[tuple[str, list[str]]]:
    out = []
    for _ in range(n):
        new_text, new_personal = text, []
        for p in sorted(set(personal), key=len, reverse=True):
            q = _swap(p, kind, rng)
            new_text = new_text.replace(p, q)
            new_personal.append(q)
        out.append((new_text, [q for q in new_personal if q in new_text]))
    return out


def training_rows(files: list[Path], variants: int = VARIANTS, seed: int = SEED):
    """``(features, labels)`` for every token of the corpora's notes and their swapped variants, and
    of the real texts with nothing found in them (:func:`negative_texts`)."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for t in negative_texts():
        chunks = [c for _, _, c in tokens(t)]
        X += [token_features(chunks, i) for i in range(len(chunks))]
        y += ["O"] * len(chunks)
    for path in files:
        for _, kind, text, personal in read_corpus(path):
            versions = [(text, personal)]
            if personal and variants:
                versions += _variants(kind, text, personal, rng, variants)
            for t, ps in versions:
                toks = tokens(t)
                chunks = [c for _, _, c in toks]
                X += [token_features(chunks, i) for i in range(len(chunks))]
                y += _labels(t, kind, ps, toks)
    return X, y


#: Features whose weights are all smaller than this are left out of the shipped model (half of them; the
#: blind corpora's figures are the same), and weights are kept to half precision: a smaller file.
SMALLEST_WEIGHT = 0.01


def fit(files: list[Path], c: float = 1.0):
    """The model fitted on ``files``: ``(features, coef (features x classes), intercept)``."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    X, y = training_rows(files)
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
    return Path(__file__).resolve().parents[1] / "tests" / "data" / "blind_personal_data"


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    features, coef, intercept = fit([corpus_dir() / f for f in TRAINING])
    np.savez_compressed(WEIGHTS, features=np.array(features), coef=coef, intercept=intercept)
    log.info("wrote %s: %d features", WEIGHTS, len(features))


if __name__ == "__main__":
    main()
