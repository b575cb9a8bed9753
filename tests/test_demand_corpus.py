"""The classifier on real residents' words it was not written from: 600 FixMyStreet reports,
labelled by hand (tests/data/demand_corpus). Rules are developed on the dev split; the test split
is the measure. Issue 14's target is F1 0.92 on test; these floors stop it sliding back while the
work goes on (README there records every run)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sklearn.metrics import precision_recall_fscore_support

from cxinsight.demand import classify_text

CORPUS = Path(__file__).parent / "data" / "demand_corpus"


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    texts = pd.read_csv(CORPUS / "fixmystreet.csv")
    labels = pd.read_csv(CORPUS / "labels.csv")
    frame = texts.merge(labels, on="id", validate="one_to_one")
    assert len(frame) == len(texts) == 600  # every sampled report labelled, none twice
    return frame.assign(predicted=classify_text(frame["text"].tolist()))


def _scores(frame: pd.DataFrame, weighted: bool) -> tuple[float, float, float]:
    p, r, f, _ = precision_recall_fscore_support(frame["demand"], frame["predicted"], labels=["failure"],
                                                 sample_weight=frame["weight"] if weighted else None, zero_division=0)
    return float(p[0]), float(r[0]), float(f[0])


def test_labels_follow_the_guide(corpus):
    assert set(corpus["demand"]) == {"failure", "value"}
    failure = corpus.loc[corpus["demand"] == "failure"]
    allowed = {"progress_chasing", "not_done", "not_done_right", "clarification", "information_not_found",
               "wrong_place", "complaint"}
    assert failure["failure_type"].isin(allowed).all()
    assert corpus.loc[corpus["demand"] == "value", "failure_type"].isna().all()
    assert (corpus.groupby("split").size() > 200).all()


@pytest.mark.parametrize("weighted", [False, True], ids=["as_sampled", "weighted_to_all_reports"])
def test_failure_demand_on_the_held_out_reports(corpus, weighted):
    precision, recall, f1 = _scores(corpus.loc[corpus["split"] == "test"], weighted)
    assert f1 >= 0.80 and precision >= 0.78 and recall >= 0.78, (precision, recall, f1)


def test_no_real_word_is_read_as_a_typo():
    """'causing' is not 'chasing', 'crossing' is not 'closing': a resident's real words stay theirs."""
    texts = ["Water is causing a flood across the road", "Cars crossing the junction too fast",
             "The shop is closing early", "Mr Wong's hedge is overgrown"]
    assert list(classify_text(texts)) == ["value"] * 4


def _ece(p, y, bins: int = 10) -> float:
    import numpy as np

    p, y = np.asarray(p, float), np.asarray(y, float)
    idx = np.minimum((p * bins).astype(int), bins - 1)
    return float(sum(abs(y[idx == b].mean() - p[idx == b].mean()) * (idx == b).sum()
                     for b in range(bins) if (idx == b).any()) / len(p))


def test_confidence_is_calibrated_on_the_held_out_reports(corpus):
    """demand_confidence means what it says: on the test split the chance a report is failure demand,
    as the classifier states it, matches how often it is (expected calibration error <= 0.05)."""
    from cxinsight.demand import score_text

    test = corpus.loc[corpus["split"] == "test"]
    p = score_text(test["text"].tolist())["p_failure"].to_numpy()
    assert _ece(p, (test["demand"] == "failure").to_numpy()) <= 0.05
