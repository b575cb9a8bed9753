"""The default failure-demand classifier: a transparent, editable lexicon of cues.

It needs no labelled data. Text is normalised (lower case, shorthand such as "chsing", "misd",
"cb", "appt" expanded, "didn't" -> "did not"), then every cue in the taxonomy (``taxonomy.yaml``)
is matched. Failure cues add weight to their failure type; value cues (first questions such as
"how do I report a missed bin", conditionals such as "what happens if", negations such as "not
chasing", nuisance reports such as "noise complaint about next door") add weight against failure.
A contact is failure demand when its best failure type's weight beats the value weight by the
taxonomy's margin. Confidence rises with that margin; the words that decided it are returned as
evidence so an analyst can check the machine.

It suggests a code with a confidence; it does not replace studying demand (Vanguard's warning,
domain.md s.1). Review a sample (:mod:`cxinsight.demand.review`) and report agreement.

>>> engine = RuleEngine(load_taxonomy())
>>> engine.score("bin missed again, 3rd week running")[:2]
('failure', 'not_done')
>>> engine.score("How do I report a missed bin?")[:2]
('value', '')
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from cxinsight.demand.prefilter import Prefilter

DEFAULT_TAXONOMY = Path(__file__).resolve().parent / "taxonomy.yaml"


def rules_fingerprint() -> str:
    """SHA-256 of the shipped rules (the taxonomy and its word lists): a result classified by other
    rules is stale. Cached analyses and history years use it in their keys."""
    import hashlib

    h = hashlib.sha256()
    for f in sorted(DEFAULT_TAXONOMY.parent.glob("*")):
        if f.suffix in (".yaml", ".txt"):
            h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()
#: Distinct texts from which scoring uses every core. A pool costs about 0.1-0.3 s to start (a
#: process and an engine per core); a distinct text costs about 50-90 microseconds to score, so two
#: cores pay from a few thousand texts (benchmarks/README.md, issue 31).
PARALLEL_MIN = 10_000
# Distinct texts whose weights an engine remembers: a learned model scores the same reviewed texts in
# every cross-validation fold, and notebooks score the same corpus more than once. A text's weights
# depend only on the text and the taxonomy, so remembering them changes no answer.
MEMO_MAX = 50_000


class TaxonomyError(ValueError):
    """The taxonomy file is malformed."""


@dataclass(frozen=True)
class Cue:
    type: str
    weight: float
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Taxonomy:
    """Value and failure types with definitions, plus the classifier's shorthand and cues."""

    value_types: dict[str, dict]
    failure_types: dict[str, dict]
    shorthand: tuple[tuple[re.Pattern[str], str], ...]
    cues: tuple[Cue, ...]
    margin: float = 2.0
    confidence_scale: float = 2.5
    fuzzy_keywords: tuple[str, ...] = ()
    fuzzy_exclude: frozenset[str] = frozenset()
    path: str = ""
    extra: dict = field(default_factory=dict)
    calibration: tuple[float, float] | None = None  # (slope, intercept) on failure minus value weight

    def __deepcopy__(self, memo) -> Taxonomy:
        return self  # immutable: a copy (scikit-learn's clone of a classifier's parameters) is itself

    @property
    def labels(self) -> dict[str, str]:
        """Plain-English label for every type code."""
        return {k: v.get("label", k) for k, v in {**self.value_types, **self.failure_types}.items()}

    def definitions(self) -> pd.DataFrame:
        """The typology as a table: demand, code, label, definition."""
        rows = [{"demand": d, "code": k, "label": v.get("label", k), "definition": v.get("definition", "")}
                for d, types in (("value", self.value_types), ("failure", self.failure_types))
                for k, v in types.items()]
        return pd.DataFrame(rows)


def load_taxonomy(path: Taxonomy | Path | str | None = None) -> Taxonomy:
    """Read a taxonomy YAML (default: the shipped one); errors name the cue and the problem. A
    :class:`Taxonomy` already read is returned as it is, so every ``taxonomy`` argument in
    :mod:`cxinsight.demand` takes a path or a Taxonomy. A file is read once per version (path, time
    and size): every call gives the same object, so edit a copy (``dataclasses.replace``), never it.

    >>> load_taxonomy() is load_taxonomy()
    True"""
    if isinstance(path, Taxonomy):
        return path
    path = Path(path) if path else DEFAULT_TAXONOMY
    try:
        stat = path.stat()
    except OSError:
        return _read_taxonomy(path)  # which raises its own error, naming the file
    return _taxonomy_as_read(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _taxonomy_as_read(path: str, mtime_ns: int, size: int) -> Taxonomy:
    """One reading per version of a taxonomy file (its path, time and size): a council's run reads it
    once, not once per table, page and test; an edited file is read again."""
    return _read_taxonomy(Path(path))


def _read_taxonomy(path: Path) -> Taxonomy:
    from cxinsight.profile import ProfileError, read_yaml_quickly

    try:  # bounded: size, no anchors or aliases (a 1 KB alias bomb expands to gigabytes), depth
        data = read_yaml_quickly(path, "taxonomy") or {}
    except ProfileError as exc:
        raise TaxonomyError(str(exc)) from None
    if not isinstance(data, dict):
        raise TaxonomyError(f"{path}: expected a mapping of value_types, failure_types and cues, found "
                            f"{type(data).__name__}")
    for key in ("value_types", "failure_types", "cues"):
        if not data.get(key):
            raise TaxonomyError(f"{path}: needs a non-empty '{key}' section")
    failure_types = data["failure_types"]
    shorthand = []
    for pattern, repl in (data.get("shorthand") or {}).items():
        try:
            shorthand.append((re.compile(pattern), str(repl)))
        except re.error as exc:
            raise TaxonomyError(f"{path}: shorthand pattern {pattern!r} is not a valid regex: {exc}") from exc
    cues = []
    for i, cue in enumerate(data["cues"]):
        ctype = cue.get("type")
        if ctype != "value" and ctype not in failure_types:
            raise TaxonomyError(f"{path}: cues[{i}] has type {ctype!r}; expected 'value' or one of "
                                f"{sorted(failure_types)}")
        try:
            compiled = re.compile(cue["pattern"])
        except (re.error, KeyError) as exc:
            raise TaxonomyError(f"{path}: cues[{i}] pattern {cue.get('pattern')!r} is not valid: {exc}") from exc
        cues.append(Cue(ctype, float(cue.get("weight", 1.0)), compiled))
    decision = data.get("decision") or {}
    calibration = decision.get("calibration")
    if calibration is not None:
        try:
            calibration = (float(calibration["slope"]), float(calibration["intercept"]))
        except (KeyError, TypeError, ValueError):
            raise TaxonomyError(f"{path}: decision.calibration must have numeric 'slope' and 'intercept', found "
                                f"{calibration!r}") from None
    return Taxonomy(data["value_types"], failure_types, tuple(shorthand), tuple(cues),
                    float(decision.get("margin", 2.0)), float(decision.get("confidence_scale", 2.5)),
                    tuple(str(k).lower() for k in data.get("fuzzy_keywords") or ()),
                    frozenset(str(k).lower() for k in data.get("fuzzy_exclude") or ()), str(path),
                    calibration=calibration)


def fit_calibration(weight_difference, is_failure, margin: float | None = None) -> tuple[float, float]:
    """The (slope, intercept) that turn the failure-minus-value weight into a probability of failure
    demand, fitted by logistic regression on labelled texts (for example the reviewed contacts, or
    a corpus's dev split); put them in a taxonomy's ``decision.calibration``.

    With ``margin`` (the taxonomy's ``decision.margin``), the chance is held at one half exactly at
    the margin, so every failure call has a confidence of at least one half and every value call too.

    >>> slope, intercept = fit_calibration([0, 1, 2, 3, 4, 5], [0, 0, 1, 0, 1, 1], margin=2.0)
    >>> round(-intercept / slope, 6)
    2.0
    """
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(weight_difference, dtype=float).reshape(-1, 1)
    y = np.asarray(is_failure, dtype=int)
    if margin is None:
        model = LogisticRegression(C=1e6).fit(x, y)
        return float(model.coef_[0][0]), float(model.intercept_[0])
    model = LogisticRegression(C=1e6, fit_intercept=False).fit(x - margin, y)
    slope = float(model.coef_[0][0])
    return slope, -slope * margin


def failure_weight(w: np.ndarray) -> np.ndarray:
    """A text's failure weight from its weight per failure type: the strongest type in full, the
    others at a quarter (so several weak signs add up, but less than one strong one)."""
    if w.shape[1] == 0:
        return np.zeros(len(w))
    best = w.max(axis=1)
    return best + 0.25 * (w.sum(axis=1) - best)


def weight_difference(engine, texts) -> np.ndarray:
    """Failure weight minus value weight for each text, as :meth:`RuleEngine.decide` combines them."""
    w, v, _ = engine.weights(pd.Series(list(texts)))
    return failure_weight(w) - v


def within_one_edit(a: str, b: str) -> bool:
    """True when ``a`` becomes ``b`` by one keystroke: a letter deleted, inserted or changed, or two
    neighbours swapped (Damerau-Levenshtein distance 1), or when they are equal.

    >>> within_one_edit("chsing", "chasing"), within_one_edit("cofnused", "confused")
    (True, True)
    >>> within_one_edit("causing", "chasing")   # two edits: not a slip of one key
    False
    """
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        return a[i + 1:] == b[i + 1:] or (a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1])
    return a[i + 1:] == b[i:] if la > lb else a[i:] == b[i + 1:]


@lru_cache(maxsize=1)
def english_near_keywords() -> frozenset[str]:
    """Real English words one keystroke from a default fuzzy keyword (``make_word_list.py``):
    a word a resident meant is never read as a typo ("causing", "crossing", "wrung")."""
    path = Path(__file__).with_name("english_near_keywords.txt")
    if not path.exists():
        return frozenset()
    return frozenset(w for w in path.read_text(encoding="utf-8").split() if not w.startswith("#"))


def _one_line(text) -> str:
    """Lower case, one line, curly apostrophes straight: the start of :meth:`RuleEngine.normalise`."""
    return " ".join(str(text).replace("’", "'").lower().split())


class TypoCorrector:
    """Reads a misspelling one keystroke away from a keyword as the keyword (SymSpell-style
    deletions, then a check that it really is one keystroke), unless the word is itself a real
    English word (:func:`english_near_keywords`) or listed in ``exclude``.

    Each distinct word is corrected once and remembered (a word's correction depends only on the
    word); :meth:`fix_many` gathers the words of many texts first, then rewrites only the texts that
    hold a word that changes.

    >>> fix = TypoCorrector(["wrong", "confused", "chasing", "closing"])
    >>> fix("bill is wrng, cust cofnused, chsing it")
    'bill is wrong, cust confused, chasing it'
    >>> fix("causing a flood at the crossing")
    'causing a flood at the crossing'
    >>> fix.fix_many(["chsing a refund", "a refund"])
    ['chasing a refund', 'a refund']
    >>> TypoCorrector(["waiting", "awaiting"])("still waaiting")
    'still waiting'
    """

    _WORD = re.compile(r"[a-z]{4,}")
    #: Words remembered at most (then forgotten and learned again): a bound on memory, not on answers.
    REMEMBER = 200_000

    def __init__(self, keywords, exclude=frozenset()) -> None:
        self.keywords = set(keywords)
        self.exclude = set(exclude) | self.keywords | english_near_keywords()
        self.index: dict[str, str] = {}
        for kw in sorted(self.keywords, key=len):
            for variant in {kw, *self._deletions(kw)}:
                self.index.setdefault(variant, kw)
        self._fixed: dict[str, str] = {}

    @staticmethod
    def _deletions(word: str) -> set[str]:
        return {word[:i] + word[i + 1:] for i in range(len(word))}

    def _correct(self, word: str) -> str:
        """The keyword ``word`` was meant to be, or ``word``. A word one keystroke from two keywords
        ("waaiting": waiting, or awaiting with two letters swapped) reads as the shorter, then the
        first in the alphabet (issue 31: it was whichever Python's set order gave first, which
        changed from one process to the next)."""
        if word in self.exclude:
            return word
        kw = self.index.get(word)
        if kw is not None and within_one_edit(word, kw):
            return kw
        found = {kw for variant in self._deletions(word)
                 if (kw := self.index.get(variant)) is not None and within_one_edit(word, kw)}
        return min(found, key=lambda k: (len(k), k)) if found else word

    def _learn(self, words) -> None:
        """Remember the correction of every word not yet seen."""
        fixed = self._fixed
        new = set(words).difference(fixed)
        if len(fixed) + len(new) > self.REMEMBER:
            fixed.clear()
            new = set(words)
        for word in new:
            fixed[word] = self._correct(word)

    def _fix(self, m: re.Match) -> str:
        word = m.group(0)
        kw = self._fixed.get(word)
        if kw is None:
            kw = self._fixed[word] = self._correct(word)
        return kw

    def fix_many(self, texts: list[str]) -> list[str]:
        """:meth:`__call__` on each text: every distinct word of them corrected once, and only the
        texts holding a word that changes rewritten."""
        texts = list(texts)
        if not self.keywords or not texts:
            return texts
        words = set(self._WORD.findall("\n".join(texts)))
        self._learn(words)
        fixed = self._fixed
        changed = {w for w in words if fixed[w] != w}
        if not changed:
            return texts
        find, sub, fix = self._WORD.findall, self._WORD.sub, self._fix
        return [t if changed.isdisjoint(find(t)) else sub(fix, t) for t in texts]

    def __call__(self, text: str) -> str:
        return self._WORD.sub(self._fix, text) if self.keywords else text


class RuleEngine:
    """Scores texts against a :class:`Taxonomy`'s cues.

    Scoring is split in two so that several text fields can be combined: :meth:`weights` gives,
    per distinct text, the weight of every failure type and of value; :meth:`decide` turns summed
    weights into a demand, a failure type and a confidence, for whole arrays at once.
    """

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.failure_types = list(taxonomy.failure_types)
        self._type_index = {t: i for i, t in enumerate(self.failure_types)}
        self._shorthand_filter = Prefilter([p for p, _ in taxonomy.shorthand])
        self._typos = TypoCorrector(taxonomy.fuzzy_keywords, taxonomy.fuzzy_exclude)
        self._cue_filter = Prefilter([c.pattern for c in taxonomy.cues], every_option=True)
        self._memo: dict[str, tuple[np.ndarray, float, str]] = {}

    def normalise(self, text: str) -> str:
        """Lower case, one line, shorthand and contractions expanded.

        >>> RuleEngine(load_taxonomy()).normalise("Cust CHSING appt, didn't turn up")
        'customer chasing appointment, did not turn up'
        """
        return self._shorthand(self._typos(_one_line(text)))

    def normalise_many(self, texts) -> list[str]:
        """:meth:`normalise` on each text, the typos corrected once per distinct word."""
        return [self._shorthand(t) for t in self._typos.fix_many([_one_line(t) for t in texts])]

    def _shorthand(self, t: str) -> str:
        shorthand = self.taxonomy.shorthand
        for i in sorted(self._shorthand_filter.candidates(t)):
            pattern, repl = shorthand[i]
            t = pattern.sub(repl, t)
        return t

    def _weights_one(self, text: str, exhaustive: bool = False) -> tuple[np.ndarray, float, str]:
        return self._weights_normalised(self.normalise(text), exhaustive)

    def _weights_normalised(self, t: str, exhaustive: bool = False) -> tuple[np.ndarray, float, str]:
        """Weights of a text already normalised (:meth:`normalise`)."""
        w = np.zeros(len(self.failure_types))
        value = 0.0
        evidence: list[str] = []
        cues = self.taxonomy.cues
        todo = range(len(cues)) if exhaustive else sorted(self._cue_filter.candidates(t))
        for i in todo:
            cue = cues[i]
            m = cue.pattern.search(t)
            if m is None:
                continue
            if cue.type == "value":
                value += cue.weight
            else:
                w[self._type_index[cue.type]] += cue.weight
            evidence.append(f"{cue.type}: {m.group(0)}")
        return w, value, "; ".join(evidence)

    def weights(self, texts: pd.Series, exhaustive: bool = False,
                workers: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per text: failure-type weights ``(n, types)``, value weights ``(n,)`` and evidence.

        Computed once per distinct text and broadcast; with more than ``PARALLEL_MIN`` distinct
        texts the work is split across ``workers`` processes (default: every core).
        ``exhaustive=True`` runs every cue on every text (no prefilter): slower, same answer.
        """
        values = pd.Series(texts).fillna("").astype("str")
        codes, uniques = pd.factorize(values)
        uniq = pd.Series(uniques, dtype="str").to_numpy(dtype=object)
        workers = workers or os.cpu_count() or 1
        if workers > 1 and len(uniq) >= PARALLEL_MIN and not exhaustive:
            w_u, v_u, e_u = self._weights_parallel(uniq, workers)
        else:
            w_u, v_u, e_u = self._weights_unique(uniq, exhaustive)
        w_u = np.vstack([w_u, np.zeros((1, len(self.failure_types)))])
        v_u = np.append(v_u, 0.0)
        e_u = np.append(e_u, np.array([""], dtype=object))
        return w_u[codes], v_u[codes], e_u[codes]

    def _weights_unique(self, uniq: np.ndarray, exhaustive: bool = False):
        k = len(self.failure_types)
        w_u = np.zeros((len(uniq), k))
        v_u = np.zeros(len(uniq))
        e_u = np.empty(len(uniq), dtype=object)
        memo = self._memo if not exhaustive and len(uniq) <= MEMO_MAX else None
        todo = []
        for j, text in enumerate(uniq):
            found = memo.get(text) if memo is not None else None
            if found is None:
                todo.append(j)
            else:
                w_u[j], v_u[j], e_u[j] = found
        for j, t in zip(todo, self.normalise_many(uniq[j] for j in todo), strict=True):
            found = self._weights_normalised(t, exhaustive)
            if memo is not None and len(memo) < MEMO_MAX:
                memo[uniq[j]] = found
            w_u[j], v_u[j], e_u[j] = found
        return w_u, v_u, e_u

    def _weights_parallel(self, uniq: np.ndarray, workers: int):
        from cxinsight.pools import CHEAPEST, process_pool

        chunks = np.array_split(uniq, workers)
        with process_pool(workers, CHEAPEST) as pool:
            parts = list(pool.map(_score_chunk, [self.taxonomy] * len(chunks), chunks))
        return (np.vstack([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
                np.concatenate([p[2] for p in parts]))

    def decide(self, w: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(demand, failure_type, confidence, p_failure)`` arrays from summed weights."""
        n = len(value)
        if w.shape[1] == 0 or n == 0:
            empty = np.full(n, "", dtype=object)
            return np.full(n, "value", dtype=object), empty, np.ones(n), np.zeros(n)
        best = w.argmax(axis=1)  # ties go to the earlier type in the taxonomy
        best_w = w[np.arange(n), best]
        failure = failure_weight(w)
        z = failure - value - self.taxonomy.margin
        if self.taxonomy.calibration is not None:  # fitted on labelled real text: p means what it says
            slope, intercept = self.taxonomy.calibration
            p_failure = 1.0 / (1.0 + np.exp(-(slope * (failure - value) + intercept)))
        else:
            p_failure = 1.0 / (1.0 + np.exp(-2.0 * z / self.taxonomy.confidence_scale))  # 0.5 at the margin
        is_failure = (z >= 0) & (best_w > 0)
        demand = np.where(is_failure, "failure", "value").astype(object)
        ftype = np.where(is_failure, np.array(self.failure_types, dtype=object)[best], "").astype(object)
        confidence = np.round(np.where(is_failure, p_failure, 1.0 - p_failure), 3)
        return demand, ftype, confidence, p_failure

    def score(self, text: str) -> tuple[str, str, float, str, float]:
        """``(demand, failure_type, confidence, evidence, p_failure)`` for one text."""
        w, v, evidence = self._weights_one(text)
        demand, ftype, conf, p = self.decide(w[None, :], np.array([v]))
        return str(demand[0]), str(ftype[0]), float(conf[0]), evidence, float(p[0])

    def score_many(self, texts: pd.Series) -> pd.DataFrame:
        """Score every text (once per distinct text) into a frame."""
        values = pd.Series(texts)
        w, v, evidence = self.weights(values)
        demand, ftype, conf, p = self.decide(w, v)
        return pd.DataFrame({"demand": pd.Categorical(demand, categories=["failure", "value"]),
                             "failure_type": pd.Categorical(ftype), "demand_confidence": conf,
                             "demand_evidence": evidence, "p_failure": p}, index=values.index)


def _score_chunk(taxonomy: Taxonomy, texts: np.ndarray):
    """Worker: score a chunk of distinct texts (module level so processes can run it)."""
    return RuleEngine(taxonomy)._weights_unique(texts)


_ENGINES_FOR_OBJECTS: dict[int, tuple[Taxonomy, RuleEngine]] = {}


def engine(taxonomy: Taxonomy | Path | str | None = None) -> RuleEngine:
    """The rule engine for a taxonomy: a file (default: the shipped one) or a :class:`Taxonomy`
    already read (one built or edited in a notebook), built once and kept. A file gives the engine of
    the :class:`Taxonomy` :func:`load_taxonomy` reads from it (one per version of the file: an edited
    file gets a new engine).

    >>> engine(load_taxonomy()) is engine(load_taxonomy()) is engine()
    True
    """
    taxonomy = load_taxonomy(taxonomy)
    kept = _ENGINES_FOR_OBJECTS.get(id(taxonomy))
    if kept is None or kept[0] is not taxonomy:
        if len(_ENGINES_FOR_OBJECTS) >= 4:
            _ENGINES_FOR_OBJECTS.pop(next(iter(_ENGINES_FOR_OBJECTS)))
        kept = _ENGINES_FOR_OBJECTS[id(taxonomy)] = (taxonomy, RuleEngine(taxonomy))
    return kept[1]


def score_text(texts, taxonomy: Taxonomy | Path | str | None = None) -> pd.DataFrame:
    """Scores for each text: ``demand, failure_type, demand_confidence, demand_evidence, p_failure``.

    >>> score_text(["still waiting for my refund", "pay council tax"])[["demand", "failure_type"]].values.tolist()
    [['failure', 'progress_chasing'], ['value', '']]
    """
    return engine(taxonomy).score_many(pd.Series(list(texts) if not isinstance(
        texts, pd.Series) else texts))
