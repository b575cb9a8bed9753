"""Classifiers with scikit-learn's conventions: the default rules, and one that learns.

- :class:`RuleDemandClassifier` wraps the default lexicon so it can be evaluated, cross-validated
  and compared exactly like a learned model. ``fit`` learns nothing (it checks its input and
  records the classes); ``target="demand"`` predicts failure/value, ``target="failure_type"``
  predicts the type (``"value"`` for value demand).
- :class:`LearnedDemandClassifier` learns from an analyst-labelled sample: word and character
  n-grams (character n-grams cope with "chsing", "misd" and typos) into a linear model whose
  probabilities are calibrated by cross-validation. It can start from the rules' suggestions
  (:func:`bootstrap_labels`) and be corrected by review.

Text estimators are skipped by ``check_estimator``, so ``tests/test_demand.py`` checks ``clone``,
``get_params``/``set_params``, ``fit`` returning ``self`` and the not-fitted error directly.

>>> clf = LearnedDemandClassifier(cv=2).fit(["still waiting for my refund", "chasing repair",
...     "bin not emptied", "pay my council tax", "order a new bin", "book bulky waste"],
...     ["failure", "failure", "failure", "value", "value", "value"])
>>> clf.predict(["chasing my refund"])[0]
'failure'
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils.validation import check_is_fitted

TARGETS = ("demand", "failure_type")


def _texts(X) -> pd.Series:
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise ValueError(f"expected one text column, found {X.shape[1]}: {list(X.columns)}")
        X = X.iloc[:, 0]
    series = pd.Series(np.asarray(X, dtype=object).ravel() if not isinstance(X, pd.Series) else X)
    return series.fillna("").astype(str)


class RuleDemandClassifier(ClassifierMixin, BaseEstimator):
    """The default lexicon classifier as a scikit-learn estimator.

    >>> RuleDemandClassifier().fit(["x"], ["value"]).predict(["misd bin again"]).tolist()
    ['failure']
    """

    def __init__(self, taxonomy: str | None = None, target: str = "demand"):
        self.taxonomy = taxonomy
        self.target = target

    def fit(self, X, y=None):
        if self.target not in TARGETS:
            raise ValueError(f"target must be one of {TARGETS}, found {self.target!r}")
        from cxinsight.demand import _engine

        _texts(X)
        engine = _engine(str(self.taxonomy) if self.taxonomy else None)
        self.classes_ = (np.array(["failure", "value"], dtype=object) if self.target == "demand"
                         else np.array(sorted(engine.failure_types) + ["value"], dtype=object))
        self.n_features_in_ = 1
        return self

    def _scores(self, X) -> pd.DataFrame:
        check_is_fitted(self, "classes_")
        from cxinsight.demand import score_text

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


class LearnedDemandClassifier(ClassifierMixin, BaseEstimator):
    """Word + character n-grams into a calibrated logistic regression.

    Parameters are stored as given (scikit-learn convention); everything learned ends in ``_``.
    """

    def __init__(self, word_ngrams: tuple[int, int] = (1, 2), char_ngrams: tuple[int, int] = (2, 5),
                 min_df: int = 1, C: float = 4.0, class_weight: str | None = "balanced", cv: int = 3,
                 random_state: int = 0):
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.C = C
        self.class_weight = class_weight
        self.cv = cv
        self.random_state = random_state

    def _pipeline(self) -> Pipeline:
        features = FeatureUnion([
            ("words", TfidfVectorizer(ngram_range=tuple(self.word_ngrams), min_df=self.min_df,
                                      sublinear_tf=True, lowercase=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(self.char_ngrams),
                                      min_df=self.min_df, sublinear_tf=True, lowercase=True)),
        ])
        model = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=2000,
                                   random_state=self.random_state)
        return Pipeline([("features", features),
                         ("model", CalibratedClassifierCV(model, cv=self.cv, method="sigmoid"))])

    def fit(self, X, y):
        texts = _texts(X)
        labels = np.asarray(y, dtype=object).ravel()
        if len(texts) != len(labels):
            raise ValueError(f"X has {len(texts)} texts but y has {len(labels)} labels")
        classes, counts = np.unique(labels, return_counts=True)
        if len(classes) < 2:
            raise ValueError(f"need at least two classes to learn, found {classes.tolist()}")
        if counts.min() < self.cv:
            raise ValueError(f"every class needs at least cv={self.cv} examples; counts are "
                             f"{dict(zip(classes.tolist(), counts.tolist(), strict=True))}")
        self.pipeline_ = self._pipeline().fit(texts, labels)
        self.classes_ = self.pipeline_.classes_
        self.n_features_in_ = 1
        return self

    def predict(self, X) -> np.ndarray:
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.predict(_texts(X))

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.predict_proba(_texts(X))


def bootstrap_labels(texts, min_confidence: float = 0.8, taxonomy: str | None = None) -> pd.DataFrame:
    """The rules' confident suggestions as starting labels for a learned model.

    Returns ``text, demand, failure_type, confidence`` for the texts the rules are at least
    ``min_confidence`` sure about; analysts then correct a sample (see :mod:`.review`).
    """
    from cxinsight.demand import score_text

    s = pd.Series(texts).fillna("").astype(str)
    scored = score_text(s, taxonomy)
    keep = scored["demand_confidence"] >= min_confidence
    return pd.DataFrame({"text": s[keep].to_numpy(), "demand": scored.loc[keep, "demand"].astype(str).to_numpy(),
                         "failure_type": scored.loc[keep, "failure_type"].astype(str).to_numpy(),
                         "confidence": scored.loc[keep, "demand_confidence"].to_numpy()})


def cross_validated_report(estimator, texts, labels, folds: int = 5, random_state: int = 0) -> pd.DataFrame:
    """Per-class precision, recall and F1 from stratified k-fold predictions (never on training rows)."""
    from cxinsight.demand.review import evaluate

    texts = _texts(texts)
    labels = np.asarray(labels, dtype=object)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    predicted = cross_val_predict(estimator, texts, labels, cv=splitter)
    return evaluate(labels, predicted)["per_class"]
