"""Failure demand against value demand (Vanguard Method, domain.md s.1).

Public API, kept stable:

- :func:`classify_text` (texts -> array of ``"failure"`` / ``"value"``), the default classifier with
  no training;
- :func:`classify` (contacts -> contacts plus ``demand``, ``failure_type``, ``demand_confidence``,
  ``demand_evidence``, ``demand_source``), text and behaviour combined.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from cxinsight.demand.rules import RuleEngine, Taxonomy, TaxonomyError, load_taxonomy

__all__ = ["RuleEngine", "Taxonomy", "TaxonomyError", "classify", "classify_text", "load_taxonomy",
           "score_text"]


@lru_cache(maxsize=4)
def _engine(path: str | None = None) -> RuleEngine:
    return RuleEngine(load_taxonomy(path))


def score_text(texts, taxonomy: str | None = None) -> pd.DataFrame:
    """Scores for each text: ``demand, failure_type, demand_confidence, demand_evidence, p_failure``.

    >>> score_text(["still waiting for my refund", "pay council tax"])[["demand", "failure_type"]].values.tolist()
    [['failure', 'progress_chasing'], ['value', '']]
    """
    return _engine(str(taxonomy) if taxonomy else None).score_many(pd.Series(list(texts) if not isinstance(
        texts, pd.Series) else texts))


def classify_text(texts, taxonomy: str | None = None) -> np.ndarray:
    """``"failure"`` or ``"value"`` for each text, with the default classifier (no training).

    >>> classify_text(["misd bin x2 Oak Rd", "How do I report a missed bin?", "noise complaint re next door"]).tolist()
    ['failure', 'value', 'value']
    """
    return score_text(texts, taxonomy)["demand"].astype(str).to_numpy(dtype=object)


from cxinsight.demand.signals import classify  # noqa: E402  (uses score_text)
