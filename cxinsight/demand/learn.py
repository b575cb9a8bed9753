"""Classifiers with scikit-learn's conventions: the default rules, and one that learns.

- :class:`RuleDemandClassifier` wraps the default lexicon so it can be evaluated, cross-validated
  and compared exactly like a learned model. ``fit`` learns nothing (it checks its input and
  records the classes); ``target="demand"`` predicts failure/value, ``target="failure_type"``
  predicts the type (``"value"`` for value demand).
- :class:`LearnedDemandClassifier` learns from an analyst-labelled sample: word and character
  n-grams (character n-grams cope with "chsing", "misd" and typos) and, by default, the rules' own
  evidence (:class:`RuleFeatures`: each failure type's weight, the value weight and the calibrated
  log-odds), into a logistic regression whose probabilities are calibrated on out-of-fold scores. For
  failure/value it calls "failure" above the threshold that gave the best cross-validated F1 on
  its own training labels (``threshold_``), because failure demand is the minority class. It can
  start from the rules' suggestions (:func:`bootstrap_labels`) and learns from review
  (:func:`cxinsight.demand.review.learn_from_review`).

Text estimators are skipped by ``check_estimator``, so ``tests/test_demand.py`` checks ``clone``,
``get_params``/``set_params``, ``fit`` returning ``self`` and the not-fitted error directly.

>>> clf = LearnedDemandClassifier(cv=2).fit(["still waiting for my refund", "chasing repair",
...     "bin not emptied", "pay my council tax", "order a new bin", "book bulky waste"],
...     ["failure", "failure", "failure", "value", "value", "value"])
>>> clf.predict(["chasing my refund"])[0]
'failure'
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils.validation import check_is_fitted

from cxinsight.demand.agreement import evaluate
from cxinsight.demand.rules import Taxonomy, score_text
from cxinsight.demand.rules import engine as rule_engine

TARGETS = ("demand", "failure_type")


def _texts(X) -> pd.Series:
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise ValueError(f"expected one text column, found {X.shape[1]}: {list(X.columns)}")
        X = X.iloc[:, 0]
    series = pd.Series(np.asarray(X, dtype=object).ravel() if not isinstance(X, pd.Series) else X)
    return series.astype("str").fillna("")


class RuleDemandClassifier(ClassifierMixin, BaseEstimator):
    """The default lexicon classifier as a scikit-learn estimator.

    >>> RuleDemandClassifier().fit(["x"], ["value"]).predict(["misd bin again"]).tolist()
    ['failure']
    """

    def __init__(self, taxonomy: Taxonomy | Path | str | None = None, target: str = "demand"):
        self.taxonomy = taxonomy
        self.target = target

    def fit(self, X, y=None):
        if self.target not in TARGETS:
            raise ValueError(f"target must be one of {TARGETS}, found {self.target!r}")
        _texts(X)
        engine = rule_engine(self.taxonomy)
        self.classes_ = (np.array(["failure", "value"], dtype=object) if self.target == "demand"
                         else np.array(sorted(engine.failure_types) + ["value"], dtype=object))
        self.n_features_in_ = 1
        return self

    def _scores(self, X) -> pd.DataFrame:
        check_is_fitted(self, "classes_")
        return score_text(_texts(X), self.taxonomy)

    def predict(self, X) -> np.ndarray:
        s = self._scores(X)
        if self.target == "demand":
            return s["demand"].astype(str).to_numpy(dtype=object)
        return np.where(s["demand"].astype(str) == "failure", s["failure_type"].astype(str), "value").astype(object)

    def predict_proba(self, X) -> np.ndarray:
        """For ``target="demand"``: ``[p(failure), p(value)]`` from the rules' confidence."""
        if self.target != "demand":
            raise AttributeError("predict_proba is only available for target='demand'")
        p = self._scores(X)["p_failure"].to_numpy(float)
        return np.column_stack([p, 1 - p])


class RuleFeatures(TransformerMixin, BaseEstimator):
    """The rules' evidence for each text as numbers a model can weigh.

    Columns: the weight of each failure type's cues, the value cues' weight, and the rules'
    calibrated log-odds of failure (clipped to +/-6, divided by 3). Texts are scored once per
    distinct text, like the rules themselves.

    >>> RuleFeatures().fit(["x"]).transform(["chasing my repair again", "order a bin"]).shape[0]
    2
    """

    def __init__(self, taxonomy: Taxonomy | Path | str | None = None):
        self.taxonomy = taxonomy

    def fit(self, X, y=None):
        _texts(X)
        self.n_features_in_ = 1
        return self

    def transform(self, X) -> np.ndarray:
        check_is_fitted(self, "n_features_in_")
        engine = rule_engine(self.taxonomy)
        w, value, _ = engine.weights(_texts(X))
        p = np.clip(engine.decide(w, value)[3], 1e-9, 1 - 1e-9)  # the rules' own p_failure
        log_odds = np.clip(np.log(p / (1 - p)), -6, 6) / 3
        return np.column_stack([w, value, log_odds])


#: Each text's analysis into words or character n-grams, per vectoriser settings, while
#: :func:`analysed_once` is in force (None otherwise).
_ANALYSED: dict | None = None
#: Texts remembered per vectoriser's settings: a text's character n-grams hold some 25 KB.
ANALYSED_MAX = 5_000


@contextmanager
def analysed_once() -> Iterator[None]:
    """Within it, each text is analysed into words and character n-grams once, however many models
    learn from it or score it: a cross-validation fits the same texts' vectorisers many times
    (``learning_gain``: 5 folds of 4 fits each, every text analysed 20 times; a third of its time).
    The matrices, and so every model, are exactly as without it; what was remembered is dropped at
    the end.

    >>> with analysed_once():
    ...     a = _Tfidf(analyzer="char_wb", ngram_range=(2, 3)).fit(["bin missed", "bin missed again"])
    >>> b = _Tfidf(analyzer="char_wb", ngram_range=(2, 3)).fit(["bin missed", "bin missed again"])
    >>> a.vocabulary_ == b.vocabulary_, _ANALYSED is None
    (True, True)
    """
    global _ANALYSED
    outer = _ANALYSED
    if outer is None:
        _ANALYSED = {}
    try:
        yield
    finally:
        if outer is None:
            _ANALYSED = None


class _Tfidf(TfidfVectorizer):
    """scikit-learn's :class:`~sklearn.feature_extraction.text.TfidfVectorizer`, remembering each text's
    analysis while :func:`analysed_once` is in force (the same parameters, the same matrices)."""

    def build_analyzer(self):
        analyse = super().build_analyzer()
        memo = _ANALYSED
        if (memo is None or callable(self.analyzer) or self.preprocessor is not None or self.tokenizer is not None
                or self.input != "content"):
            return analyse
        seen = memo.setdefault((self.analyzer, tuple(self.ngram_range), self.lowercase, str(self.strip_accents),
                                self.token_pattern, str(self.stop_words)), {})

        def remembered(doc):
            found = seen.get(doc)
            if found is None:
                found = analyse(doc)
                if len(seen) < ANALYSED_MAX:
                    seen[doc] = found
            return found

        return remembered


class LearnedDemandClassifier(ClassifierMixin, BaseEstimator):
    """Word + character n-grams (and the rules' evidence) into a calibrated logistic regression.

    Parameters are stored as given (scikit-learn convention); everything learned ends in ``_``.
    ``rule_features=True`` adds :class:`RuleFeatures`, so the model starts from what the rules
    know and learns where they are wrong. ``threshold="f1"``: for failure/value labels, the
    probability above which a text is called failure is chosen by cross-validation on the training
    labels to give the best F1 (``threshold_``); a number fixes it; other labels use the most
    probable class.
    """

    def __init__(self, word_ngrams: tuple[int, int] = (1, 2), char_ngrams: tuple[int, int] = (2, 5),
                 min_df: int = 1, C: float = 4.0, class_weight: str | None = "balanced", cv: int = 3,
                 rule_features: bool = True, threshold="f1", taxonomy: Taxonomy | Path | str | None = None,
                 random_state: int = 0):
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.C = C
        self.class_weight = class_weight
        self.cv = cv
        self.rule_features = rule_features
        self.threshold = threshold
        self.taxonomy = taxonomy
        self.random_state = random_state

    def _model(self, calibrated: bool = False) -> Pipeline:
        parts = [
            ("words", _Tfidf(ngram_range=tuple(self.word_ngrams), min_df=self.min_df,
                             sublinear_tf=True, lowercase=True)),
            ("chars", _Tfidf(analyzer="char_wb", ngram_range=tuple(self.char_ngrams),
                             min_df=self.min_df, sublinear_tf=True, lowercase=True)),
        ]
        if self.rule_features:
            parts.append(("rules", RuleFeatures(self.taxonomy)))
        model = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=2000,
                                   random_state=self.random_state)
        if calibrated:
            model = CalibratedClassifierCV(model, cv=self.cv, method="sigmoid", ensemble=False)
        return Pipeline([("features", FeatureUnion(parts)), ("model", model)])

    def fit(self, X, y):
        """Learn from labelled texts (each analysed once: :func:`analysed_once`).

        Failure/value labels: ``cv``-fold out-of-fold scores (each text scored by a model that did
        not see it) give a sigmoid calibration and, with ``threshold="f1"``, the threshold with the
        best F1; then one model is fitted on every text. ``cv`` + 1 fits in all. Other labels: a
        model calibrated the same way, predicting the most probable class.
        """
        with analysed_once():
            return self._fit(X, y)

    def _fit(self, X, y):
        texts = _texts(X)
        labels = np.asarray(y, dtype=object).ravel()
        if len(texts) != len(labels):
            raise ValueError(f"X has {len(texts)} texts but y has {len(labels)} labels")
        classes, counts = np.unique(labels.astype(str), return_counts=True)
        if len(classes) < 2:
            raise ValueError(f"need at least two classes to learn, found {classes.tolist()}")
        if counts.min() < self.cv:
            raise ValueError(f"every class needs at least cv={self.cv} examples; counts are "
                             f"{dict(zip(classes.tolist(), counts.tolist(), strict=True))}")
        if not isinstance(self.threshold, str | float | int) or (isinstance(self.threshold, str)
                                                                   and self.threshold != "f1"):
            raise ValueError(f"threshold must be 'f1' or a number, found {self.threshold!r}")
        labels = labels.astype(str)
        self.n_features_in_ = 1
        if set(classes) != {"failure", "value"}:
            self.pipeline_ = self._model(calibrated=True).fit(texts, labels)
            self.classes_ = self.pipeline_.classes_
            self.calibrator_, self.threshold_ = None, None
            return self
        is_failure = labels == "failure"
        folds = StratifiedKFold(n_splits=self.cv, shuffle=True, random_state=self.random_state)
        # the model's decision score is for "value" (the second class): its negative is failure's
        oof = -cross_val_predict(self._model(), texts, labels, cv=folds, method="decision_function")
        self.calibrator_ = LogisticRegression(C=1e4).fit(oof[:, None], is_failure)
        p = self.calibrator_.predict_proba(oof[:, None])[:, 1]
        if isinstance(self.threshold, str):
            grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
            scores = f1_at_thresholds(is_failure, p, grid)
            self.threshold_ = float(grid[int(np.argmax(scores))])  # the lowest of equally good thresholds
        else:
            self.threshold_ = float(self.threshold)
        self.pipeline_ = self._model().fit(texts, labels)
        self.classes_ = np.array(["failure", "value"], dtype=object)
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Calibrated probabilities, one column per class in ``classes_`` order."""
        check_is_fitted(self, "pipeline_")
        if self.calibrator_ is None:
            return self.pipeline_.predict_proba(_texts(X))
        score = -self.pipeline_.decision_function(_texts(X))
        p = self.calibrator_.predict_proba(score[:, None])[:, 1]
        return np.column_stack([p, 1 - p])

    def predict(self, X) -> np.ndarray:
        check_is_fitted(self, "pipeline_")
        if self.threshold_ is None:
            return self.pipeline_.predict(_texts(X))
        p = self.predict_proba(X)[:, 0]
        return np.where(p >= self.threshold_, "failure", "value").astype(object)


def f1_at_thresholds(is_positive, p, thresholds) -> np.ndarray:
    """F1 of calling ``p >= t`` positive, for every ``t`` in ``thresholds`` at once: the same numbers
    as scikit-learn's ``f1_score(is_positive, p >= t, zero_division=0)`` one threshold at a time
    (``2 tp / (positives + predicted positives)``, computed as it does), without its checks per call.

    >>> f1_at_thresholds([True, True, False, False], [0.9, 0.4, 0.6, 0.1], [0.3, 0.5, 0.95]).round(3).tolist()
    [0.8, 0.5, 0.0]
    """
    truth = np.asarray(is_positive, dtype=bool)
    called = np.asarray(p, dtype=float)[None, :] >= np.asarray(thresholds, dtype=float)[:, None]
    tp = (called & truth).sum(axis=1).astype(float)
    denom = float(truth.sum()) + called.sum(axis=1).astype(float)
    return np.where(denom > 0, 2.0 * tp / np.where(denom > 0, denom, 1.0), 0.0)


def bootstrap_labels(texts, min_confidence: float = 0.8,
                     taxonomy: Taxonomy | Path | str | None = None) -> pd.DataFrame:
    """The rules' confident suggestions as starting labels for a learned model.

    Returns ``text, demand, failure_type, confidence`` for the texts the rules are at least
    ``min_confidence`` sure about; analysts then correct a sample (see :mod:`.review`).
    """
    s = pd.Series(texts).fillna("").astype(str)
    scored = score_text(s, taxonomy)
    keep = scored["demand_confidence"] >= min_confidence
    return pd.DataFrame({"text": s[keep].to_numpy(), "demand": scored.loc[keep, "demand"].astype(str).to_numpy(),
                         "failure_type": scored.loc[keep, "failure_type"].astype(str).to_numpy(),
                         "confidence": scored.loc[keep, "demand_confidence"].to_numpy()})


def cross_validated_report(estimator, texts, labels, folds: int = 5, random_state: int = 0) -> pd.DataFrame:
    """Per-class precision, recall and F1 from stratified k-fold predictions (never on training rows)."""
    texts = _texts(texts)
    labels = np.asarray(labels, dtype=object)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    predicted = cross_val_predict(estimator, texts, labels, cv=splitter)
    return evaluate(labels, predicted)["per_class"]
