"""Failure demand against value demand (Vanguard Method, domain.md s.1).

Public API, kept stable:

- :func:`classify_text` (texts -> array of ``"failure"`` / ``"value"``), the default classifier with
  no training;
- :func:`classify` (contacts -> contacts plus ``demand``, ``failure_type``, ``demand_confidence``,
  ``demand_evidence``, ``demand_source``), text and behaviour combined.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cxinsight.demand.rules import RuleEngine, Taxonomy, TaxonomyError, load_taxonomy, score_text
from cxinsight.demand.signals import classify

__all__ = ["RuleEngine", "Taxonomy", "TaxonomyError", "classify", "classify_text", "load_taxonomy",
           "score_text"]


def classify_text(texts, taxonomy: Taxonomy | Path | str | None = None) -> np.ndarray:
    """``"failure"`` or ``"value"`` for each text, with the default classifier (no training).

    >>> classify_text(["misd bin x2 Oak Rd", "How do I report a missed bin?", "noise complaint re next door"]).tolist()
    ['failure', 'value', 'value']
    """
    return score_text(texts, taxonomy)["demand"].astype(str).to_numpy(dtype=object)

