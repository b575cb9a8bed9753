"""Made-up councils classified and reviewed, for the tests of change over time (test_headlines,
test_change_flags): each contact's words decide its demand, and a review of 6,000 in which the
analyst disagrees with one call in twenty (an unreviewed council publishes a provisional share,
never compared)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cxinsight.analysis import Analysis, Options
from cxinsight.demand.review import sample_for_review


def reviewed_council(when: np.ndarray, service: np.ndarray, failure: np.ndarray, seed: int) -> Analysis:
    """An analysis of contacts received ``when`` by ``service``, failure demand where ``failure``."""
    contacts = pd.DataFrame({"contact_id": [f"C{i}" for i in range(len(when))], "received_at": when,
                             "service": service, "channel": "phone",
                             "notes": np.where(failure, "still not done", "new bin please"),  # the words decided
                             "demand": np.where(failure, "failure", "value"),
                             "failure_type": np.where(failure, "not_done", ""), "demand_confidence": 0.9,
                             "demand_source": np.where(failure, "text", "none")})
    review = sample_for_review(contacts, n=6000, seed=seed)
    agree = np.random.default_rng(seed + 1).random(len(review)) >= 0.05
    flipped = np.where(review["suggested_demand"] == "failure", "value", "failure")
    review["analyst_demand"] = np.where(agree, review["suggested_demand"], flipped)
    return Analysis(Path("."), Options(), contacts, None, None, None, None, review, "reviewed", None)


def two_years(seed: int) -> np.ndarray:
    """30,000 contact times from April 2023 to March 2025, in order."""
    days = pd.date_range("2023-04-01", "2025-03-31 12:00", freq="2h")
    return pd.Series(days).sample(30_000, replace=True, random_state=seed).sort_values().to_numpy()
