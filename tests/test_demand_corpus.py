"""The classifier on real residents' words it was not written from (tests/data/demand_corpus),
every text labelled by hand: 600 FixMyStreet reports and 500 Newport SeeClickFix requests (rules
developed on their dev splits; their test splits are the measure) and 500 SeeClickFix requests to
213 US bodies held out from the rules' development altogether. Issue 14's target is F1 0.92 on
test and 0.90 on each real source; these floors stop it sliding back while the work goes on (the
README there records every run). The held-out source is also where the review loop is tested:
review 300 of its contacts, learn, and score the rest."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sklearn.metrics import precision_recall_fscore_support

from cxinsight.demand import classify_text
from cxinsight.demand.check import as_contacts
from cxinsight.demand.review import learn_from_review, learning_gain, sample_for_review

CORPUS = Path(__file__).parent / "data" / "demand_corpus"


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    texts = pd.read_csv(CORPUS / "fixmystreet.csv")
    labels = pd.read_csv(CORPUS / "labels.csv")
    frame = texts.merge(labels, on="id", validate="one_to_one")
    assert len(frame) == len(texts) == 600  # every sampled report labelled, none twice
    return frame.assign(predicted=classify_text(frame["text"].tolist()))


def _as_classified(csv_name: str, expected: int) -> pd.DataFrame:
    """A SeeClickFix source as a council's classified contacts would look (request type as service)."""
    texts = pd.read_csv(CORPUS / csv_name, keep_default_na=False)
    labels = pd.read_csv(CORPUS / "labels.csv")
    frame = texts.merge(labels, on="id", validate="one_to_one")
    assert len(frame) == len(texts) == expected  # every sampled request labelled, none twice
    contacts = as_contacts(frame["text"], frame["id"], frame["category"].replace("", "Not given"))
    return contacts.assign(split=frame["split"].to_numpy(), truth=frame["demand"].to_numpy())


@pytest.fixture(scope="module")
def newport() -> pd.DataFrame:
    """Newport: held out until 30 Nov 2026, since then developed on (dev) and measured (test)."""
    return _as_classified("seeclickfix_newport.csv", 500)


@pytest.fixture(scope="module")
def heldout() -> pd.DataFrame:
    """The source held out from the rules' development: 500 requests to 213 US bodies, 347 request types."""
    return _as_classified("seeclickfix_us2024.csv", 500)


def _failure_prf(truth, predicted, weight=None) -> tuple[float, float, float]:
    """Precision, recall and F1 with failure demand as the positive class."""
    p, r, f, _ = precision_recall_fscore_support(truth, predicted, labels=["failure"], sample_weight=weight,
                                                 zero_division=0)
    return float(p[0]), float(r[0]), float(f[0])


def _scores(frame: pd.DataFrame, weighted: bool) -> tuple[float, float, float]:
    return _failure_prf(frame["demand"], frame["predicted"], frame["weight"] if weighted else None)


def test_labels_follow_the_guide(corpus):
    """Every label in labels.csv (all six sets) is failure with a guide's type, or value without one;
    every text of every set has exactly one label."""
    labels = pd.read_csv(CORPUS / "labels.csv")
    assert labels["id"].is_unique
    texts = pd.concat([pd.read_csv(CORPUS / f, usecols=["id"]) for f in
                       ("fixmystreet.csv", "fixmystreet_extra.csv", "seeclickfix_newport.csv", "seeclickfix_newport_rest.csv",
                        "seeclickfix_us2024.csv",
                        "written.csv")])
    assert sorted(texts["id"]) == sorted(labels["id"])
    assert set(labels["demand"]) == {"failure", "value"}
    allowed = {"progress_chasing", "not_done", "not_done_right", "clarification", "information_not_found",
               "wrong_place", "complaint"}
    assert labels.loc[labels["demand"] == "failure", "failure_type"].isin(allowed).all()
    assert labels.loc[labels["demand"] == "value", "failure_type"].isna().all()
    assert (corpus.groupby("split").size() > 200).all()


@pytest.mark.parametrize("weighted", [False, True], ids=["as_sampled", "weighted_to_all_reports"])
def test_failure_demand_on_the_held_out_reports(corpus, weighted):
    """FixMyStreet test split (README: 0.83 after round 1; 0.81, then 0.82 after the 30 Nov 2026 cues;
    weighted 0.82, 0.78, 0.80)."""
    precision, recall, f1 = _scores(corpus.loc[corpus["split"] == "test"], weighted)
    assert f1 >= (0.75 if weighted else 0.80) and precision >= 0.75 and recall >= 0.75, (precision, recall, f1)


def test_each_real_source_on_text_the_rules_were_not_developed_on(corpus, newport, heldout):
    """Each real source separately, and precision on all their unseen text pooled (README table:
    FixMyStreet test 0.82, Newport test 0.50, the held-out US source 0.59; pooled precision 0.79)."""
    fms = corpus.loc[corpus["split"] == "test"]
    nw = newport.loc[newport["split"] == "test"]
    assert _f1(fms["demand"], fms["predicted"]) >= 0.80
    assert _f1(nw["truth"], nw["demand"]) >= 0.45
    assert _f1(heldout["truth"], heldout["demand"]) >= 0.55
    truth = pd.concat([fms["demand"], nw["truth"], heldout["truth"]])
    predicted = pd.concat([fms["predicted"].astype(str), nw["demand"], heldout["demand"]])
    assert _failure_prf(truth, predicted)[0] >= 0.75


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


def _f1(truth, predicted) -> float:
    return _failure_prf(truth, predicted)[2]


def test_held_out_source_is_labelled_and_scored(heldout):
    """The rules on a source nobody tuned them to (first run, before the 30 Nov 2026 cues: P 0.73,
    R 0.43, F1 0.54; README)."""
    assert set(heldout["truth"]) == {"failure", "value"}
    assert 0.10 <= (heldout["truth"] == "failure").mean() <= 0.25
    assert heldout["service"].nunique() > 300  # hundreds of request types, as a real export has


def test_confidence_is_calibrated_on_the_held_out_source(heldout):
    """Calibrated on FixMyStreet and Newport dev text, p_failure still means what it says on requests
    from 213 other bodies (README: ECE 0.04)."""
    assert _ece(heldout["p_failure"], (heldout["truth"] == "failure").to_numpy()) <= 0.05


def _review(frame: pd.DataFrame, seed: int, by=("service",)) -> pd.DataFrame:
    sample = sample_for_review(frame, n=300, by=by, seed=seed)
    assert len(sample) == 300  # 347 request types: the smallest are pooled so the sample is n
    return sample.assign(analyst_demand=sample["contact_id"].map(frame.set_index("contact_id")["truth"]),
                         analyst_failure_type="")


def test_reviewing_300_contacts_of_a_new_source_raises_f1_on_the_rest(heldout):
    """The review loop on a real source held out from the rules' development: an analyst reviews a
    stratified sample of 300 of its contacts, the learned classifier (with the rules' evidence as
    features) is taught by them, and on the contacts nobody reviewed it finds failure demand better
    than the rules alone, on average over five review draws (README: +0.06 over eight; draws from
    -0.03 to +0.16), and never much worse."""
    gains = []
    for seed in range(5):
        review = _review(heldout, seed)
        rest = heldout.loc[~heldout["contact_id"].isin(review["contact_id"])]
        after = _f1(rest["truth"], learn_from_review(review).predict(rest["notes"]))
        gains.append(after - _f1(rest["truth"], rest["demand"]))
    assert sum(gains) / len(gains) >= 0.03 and min(gains) >= -0.06, gains


def test_learning_gain_scores_each_model_only_on_contacts_it_did_not_learn_from(heldout):
    review = _review(heldout, seed=1)
    gain = learning_gain(review).set_index("classifier")
    assert list(gain.index) == ["rules", "learned from review"]
    assert (gain["n"] == len(review)).all()
    rules_f1 = _f1(review["analyst_demand"], review["suggested_demand"])
    assert gain.loc["rules", "f1"] == pytest.approx(rules_f1, abs=1e-3)
    learned = learn_from_review(review).predict(review["text"])
    in_sample = _f1(review["analyst_demand"], learned)
    assert gain.loc["learned from review", "f1"] < in_sample  # out-of-fold, not scored on what it learned


def test_written_texts_for_the_services_real_sources_lack():
    """147 texts written for council tax, benefits, housing and other services no public source
    covers, in call handlers', emails' and web forms' styles (written.csv). Written by the project,
    so they overstate; the README records the first run (F1 0.83) and the cues added after it."""
    texts = pd.read_csv(CORPUS / "written.csv")
    frame = texts.merge(pd.read_csv(CORPUS / "labels.csv"), on="id", validate="one_to_one")
    assert len(frame) == len(texts) == 147
    assert {"council_tax", "benefits", "housing"} <= set(frame["service"])
    predicted = classify_text(frame["text"].tolist())
    precision, recall, f1 = _failure_prf(frame["demand"], predicted)
    assert f1 >= 0.85 and precision >= 0.90, (precision, recall, f1)


@pytest.mark.slow  # analyses a council from the corpus: in `make test-slow` and CI (issue 31: `make test` in under 3 minutes)
def test_the_analysis_can_classify_by_what_the_review_taught(heldout):
    """Options(learn_from_review=True) on the held-out source, 300 reviewed contacts: where the model
    taught by the review beats the rules on reviewed contacts it did not learn from, the contacts
    decided by their words take its call and F1 on the 200 nobody reviewed does not fall (README:
    adopted in about half the draws, +0.01 to +0.06; otherwise the rules stay); the reviewed contacts'
    suggestions are out-of-fold, the corrected share (which rests on the reviewers' labels and the
    strata) is unchanged, and the output keeps classify's schema."""
    from cxinsight.demand.measures import failure_share
    from cxinsight.demand.review import reclassify_with_review
    from cxinsight.demand.rules import engine
    from cxinsight.schemas import classified_schema

    contacts = heldout.assign(demand_source=lambda d: pd.Categorical(d["demand"].map({"failure": "text", "value": "none"})),
                              demand=lambda d: pd.Categorical(d["demand"], categories=["failure", "value"]),
                              failure_type=lambda d: pd.Categorical(d["failure_type"]))
    adopted = 0
    # one draw where the learned model wins and one where the rules do (seeds 2 and 4 since issue 28 redacted
    # an address's town with it, which changed some of this source's texts; 2 and 3 before)
    for seed in (2, 4):
        review = _review(contacts, seed, by=("service", "demand_source"))
        learned, review_after, sentence = reclassify_with_review(contacts, review)
        rest = ~learned["contact_id"].isin(review["contact_id"])
        before = _f1(contacts.loc[rest, "truth"], contacts.loc[rest, "demand"].astype(str))
        after = _f1(learned.loc[rest, "truth"], learned.loc[rest, "demand"].astype(str))
        classified_schema(engine().failure_types).validate(learned, lazy=True)
        share = failure_share(contacts, review=review)
        assert failure_share(learned, review=review_after)["estimate"].iloc[0] == pytest.approx(share["estimate"].iloc[0])
        if sentence.startswith("Learned from this council's review"):
            adopted += 1
            assert set(learned["demand_model"]) == {"learned from review"}
            assert after > before, (seed, before, after)
            oof = review_after.set_index("contact_id")["suggested_demand"]
            in_sample = learned.set_index("contact_id").loc[oof.index, "demand"].astype(str)
            assert (oof != in_sample).any()  # the reviewed contacts' suggestions are not the in-sample calls
        else:
            assert set(learned["demand_model"]) == {"rules"} and after == before, sentence
    assert adopted == 1  # seed 4: the review says the rules are better; seed 2: the learned model
    # too few reviewed contacts of a kind: the rules stay
    kept, _, why = reclassify_with_review(contacts, review.head(15))
    assert set(kept["demand_model"]) == {"rules"} and "fewer than" in why


def test_labels_agree_with_a_second_blind_labelling():
    """120 dev reports labelled again, blind to the stored labels (README: kappa 0.94, F1 0.96): the
    labels are steadier than the classifier's targets, so label noise does not explain the gap."""
    from sklearn.metrics import cohen_kappa_score

    second = pd.read_csv(CORPUS / "relabelled.csv").merge(pd.read_csv(CORPUS / "labels.csv"), on="id",
                                                          validate="one_to_one")
    assert len(second) == 120
    assert cohen_kappa_score(second["demand"], second["second_label"]) >= 0.90
    assert _f1(second["demand"], second["second_label"]) >= 0.92


def test_the_shipped_reliability_record_is_the_corpus_own():
    """Notebook 02 draws the reliability chart from cxinsight/demand/reliability.json, not from tests/:
    the record must be what the corpus gives today (rerun make_reliability.py after changing a cue)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_reliability", CORPUS / "make_reliability.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from cxinsight.demand.measures import reliability_record

    assert reliability_record() == module.record()
    assert reliability_record()["ece"] <= 0.05


TODAY_HALF_WIDTH_300 = 0.0917  # the review design to a86ea80 (service x demand_source) at 300 reviewed: benchmarks/README.md


@pytest.mark.slow  # a simulation of many reviews: in `make test-slow` and CI (issue 31: `make test` in under 3 minutes)
def test_the_classifiers_call_buys_precision_with_coverage_held():
    """Issue 27: the review's strata hold the classifier's call and how sure it is, so every reviewed
    contact buys more precision. On the corpus' 2,139 real texts (benchmarks/sim_review_design.py,
    200 of its seeded draws here; 1,000 in benchmarks/README.md), reviews of 300: the 95% interval
    covers the hand-labelled share (not shown to fall short of 0.95: the upper Wilson bound of the
    simulated coverage is above it, the point at least 0.92), and its half-width is at most 0.75 of
    today's (0.0917)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from sim_review_design import corpus_contacts, simulate

    result = simulate(corpus_contacts(), {}, n=300, draws=200)
    assert result["coverage"] >= 0.92 and result["coverage_high"] >= 0.95, result
    assert result["half_width"] <= 0.75 * TODAY_HALF_WIDTH_300, result
