"""Agreement between an analyst's labels and a classifier's: precision, recall, F1, kappa, accuracy.

Its own module so both the review (:mod:`cxinsight.demand.review`) and the learned classifier
(:mod:`cxinsight.demand.learn`) use it without importing each other.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score, confusion_matrix, precision_recall_fscore_support


def evaluate(y_true, y_pred, labels: list[str] | None = None, weights=None) -> dict:
    """Agreement between analyst (``y_true``) and classifier (``y_pred``).

    Returns ``per_class`` (precision, recall, F1, support), ``confusion`` (rows: analyst,
    columns: classifier; reviewed contacts), ``kappa`` (Cohen's), ``accuracy`` and ``n``.
    ``weights`` (:func:`design_weights`): precision, recall, F1, kappa and accuracy weighted by the
    review's design, so they describe every contact, not the sample; support and the confusion
    table stay counts of reviewed contacts.

    >>> evaluate(["failure", "value", "value"], ["failure", "failure", "value"], weights=[1, 1, 8])["accuracy"]
    0.9
    """
    t = np.asarray(y_true, dtype=object).astype(str)
    p = np.asarray(y_pred, dtype=object).astype(str)
    w = None if weights is None else np.asarray(weights, dtype=float)
    labels = labels or sorted(set(t) | set(p))
    prec, rec, f1, _ = precision_recall_fscore_support(t, p, labels=labels, zero_division=0, sample_weight=w)
    support = np.array([(t == label).sum() for label in labels])
    per_class = pd.DataFrame({"class": labels, "precision": prec.round(3), "recall": rec.round(3),
                              "f1": f1.round(3), "support": support})
    confusion = pd.DataFrame(confusion_matrix(t, p, labels=labels), index=pd.Index(labels, name="analyst"),
                             columns=pd.Index(labels, name="classifier"))
    kappa = (float(cohen_kappa_score(t, p, labels=labels, sample_weight=w)) if len(set(t) | set(p)) > 1 else 1.0)
    accuracy = float(np.average(t == p, weights=w))
    return {"per_class": per_class, "confusion": confusion, "kappa": round(kappa, 3),
            "accuracy": round(accuracy, 3), "n": int(len(t)), "weighted": w is not None}
