"""Failure demand: the default classifier, behaviour, the learned model, review and measures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import f1_score

from cxinsight.demand import classify, classify_text, load_taxonomy, score_text
from cxinsight.demand.learn import (
    LearnedDemandClassifier,
    RuleDemandClassifier,
    bootstrap_labels,
    cross_validated_report,
    f1_at_thresholds,
)
from cxinsight.demand.measures import (
    avoidable_contact,
    failure_share,
    top_drivers,
    weekly_failure_xmr,
    wilson,
    xmr,
)
from cxinsight.demand.review import (
    ReviewError,
    evaluate,
    read_review,
    sample_for_review,
    write_review,
)
from cxinsight.demand.rules import RuleEngine, TaxonomyError
from cxinsight.demand.signals import behaviour_signals

LABELLED = Path(__file__).parent / "data" / "labelled_contacts.csv"


@pytest.fixture(scope="module")
def labelled():
    return pd.read_csv(LABELLED)


@pytest.fixture(scope="module")
def classified(demo):
    contacts = demo["result"].tables["contacts"]
    return classify(contacts, complaints=demo["result"].tables["complaints"])


@pytest.fixture(scope="module")
def truth(demo):
    return demo["key"]["contacts_truth"].set_index("contact_id")


# ---------------------------------------------------------------------------------- public API


def test_classify_text_returns_an_array_of_failure_or_value():
    out = classify_text(["still waiting for my HB decision", "pay council tax", ""])
    assert isinstance(out, np.ndarray)
    assert out.tolist() == ["failure", "value", "value"]


def test_classify_adds_the_promised_columns_without_touching_the_input(demo):
    contacts = demo["result"].tables["contacts"].head(500)
    before = contacts.copy()
    out = classify(contacts)
    assert {"demand", "failure_type", "demand_confidence", "demand_evidence", "demand_source"} <= set(out.columns)
    assert set(out["demand"].astype(str)) <= {"failure", "value"}
    assert out["demand_confidence"].between(0.5, 1).all()
    assert (out.loc[out["demand"] == "value", "failure_type"].astype(str) == "").all()
    pd.testing.assert_frame_equal(contacts, before)


# ---------------------------------------------------------------------------------- the words


@pytest.mark.parametrize("text, demand, ftype", [
    ("misd bin x2 Oak Rd", "failure", "not_done"),
    ("How do I report a missed bin?", "value", ""),
    ("bin missed again", "failure", "not_done"),
    ("chsing HB clm, 3rd call", "failure", "progress_chasing"),
    ("I'm not chasing, just letting you know my address changed", "value", ""),
    ("Noise complaint about next door's dog", "value", ""),
    ("wants to make a formal complaint about staff attitude", "failure", "complaint"),
    ("the bill is wong", "failure", "not_done_right"),
    ("doesnt undrstand the award letter", "failure", "clarification"),
    ("online form crashed so rang in", "failure", "information_not_found"),
    ("transferred from switchboard, wrong dept", "failure", "wrong_place"),
    ("what happens if my bin is missed over Christmas?", "value", ""),
    ("Many thanks for sorting my bins, no complaints", "value", ""),
    ("Order new recycling box. Thanks", "value", ""),
])
def test_how_residents_and_handlers_write(text, demand, ftype):
    s = score_text([text]).iloc[0]
    assert (s["demand"], s["failure_type"]) == (demand, ftype), s["demand_evidence"]


def test_evidence_names_the_words_that_decided():
    s = score_text(["cust chasing refund, promised callback never came"]).iloc[0]
    assert "progress_chasing: chasing" in s["demand_evidence"]


def test_independent_labelled_set_reaches_failure_f1_of_at_least_085(labelled):
    """235 texts written by hand, not from the generator's phrases; 25 services, many styles."""
    assert len(labelled) >= 200 and labelled["service"].nunique() >= 15
    predicted = classify_text(labelled["text"])
    assert f1_score(labelled["demand"], predicted, pos_label="failure") >= 0.85
    test = labelled["split"] == "test"  # rows never looked at while writing the cues
    assert f1_score(labelled.loc[test, "demand"], predicted[test.to_numpy()], pos_label="failure") >= 0.85


def test_failure_types_on_the_labelled_set(labelled):
    s = score_text(labelled["text"])
    both = (labelled["demand"] == "failure") & (s["demand"].astype(str) == "failure").to_numpy()
    agree = (labelled.loc[both, "failure_type"].to_numpy() == s.loc[both.to_numpy(), "failure_type"].astype(str).to_numpy())
    assert agree.mean() >= 0.8


def test_prefilter_gives_exactly_what_running_every_cue_gives(labelled, demo):
    engine = RuleEngine(load_taxonomy())
    notes = demo["result"].tables["contacts"]["notes"].drop_duplicates().head(3000)
    texts = pd.concat([labelled["text"], notes, pd.Series(["", "???", "x" * 500])], ignore_index=True)
    fast, slow = engine.weights(texts, workers=1), engine.weights(texts, exhaustive=True)
    assert np.array_equal(fast[0], slow[0]) and np.array_equal(fast[1], slow[1])
    assert (fast[2] == slow[2]).all()


def test_parallel_scoring_matches_serial():
    engine = RuleEngine(load_taxonomy())
    texts = pd.Series([f"chasing refund ref {i}" if i % 3 else f"order bin {i}" for i in range(2_000)])
    from cxinsight.demand import rules

    serial = engine.weights(texts, workers=1)
    old = rules.PARALLEL_MIN
    rules.PARALLEL_MIN = 100
    try:
        parallel = engine.weights(texts, workers=2)
    finally:
        rules.PARALLEL_MIN = old
    assert np.array_equal(serial[0], parallel[0]) and (serial[2] == parallel[2]).all()


def test_taxonomy_errors_name_the_cue(tmp_path):
    bad = tmp_path / "tax.yaml"
    bad.write_text("value_types: {a: {}}\nfailure_types: {chase: {}}\ncues:\n"
                   "  - {type: chase, weight: 1, pattern: 'ok'}\n  - {type: nonsense, pattern: 'x'}\n")
    with pytest.raises(TaxonomyError, match=r"cues\[1\].*'nonsense'"):
        load_taxonomy(bad)
    bad.write_text("value_types: {a: {}}\nfailure_types: {chase: {}}\ncues:\n  - {type: chase, pattern: '(('}\n")
    with pytest.raises(TaxonomyError, match=r"cues\[0\] pattern"):
        load_taxonomy(bad)


def test_a_council_can_edit_the_taxonomy(tmp_path):
    text = Path(load_taxonomy().path).read_text(encoding="utf-8")
    custom = tmp_path / "ours.yaml"
    custom.write_text(text.replace("cues:\n", "cues:\n  - {type: wrong_place, weight: 4, pattern: '\\bnot our borough\\b'}\n", 1),
                      encoding="utf-8")
    assert classify_text(["caller lives in the next district, not our borough"], taxonomy=str(custom)).tolist() == ["failure"]
    assert classify_text(["caller lives in the next district, not our borough"]).tolist() == ["value"]


# ---------------------------------------------------------------------------------- behaviour


def test_channel_hop_is_web_then_assisted_within_48_hours():
    c = pd.DataFrame({
        "contact_id": list("abcdef"), "customer_id": ["1", "1", "2", "2", "3", "3"],
        "service": ["parking"] * 4 + ["waste", "parking"], "channel": ["web", "phone", "web", "phone", "web", "phone"],
        "received_at": pd.to_datetime(["2024-05-01 10:00", "2024-05-02 09:00", "2024-05-01 10:00", "2024-05-04 10:01",
                                       "2024-05-01 10:00", "2024-05-01 11:00"]),
    })
    sig = behaviour_signals(c).set_index(c["contact_id"])
    assert sig["channel_hop"].to_dict() == {"a": False, "b": True, "c": False, "d": False, "e": False, "f": False}


def test_behaviour_turns_value_words_into_failure_with_lower_confidence():
    c = pd.DataFrame({"contact_id": ["a", "b"], "customer_id": ["1", "1"], "service": ["waste"] * 2,
                      "channel": ["phone", "phone"], "notes": ["order a new bin", "order a new bin"],
                      "received_at": pd.to_datetime(["2024-05-01", "2024-05-06"])})
    out = classify(c)
    assert out["demand_source"].astype(str).tolist() == ["none", "repeat"]
    assert out["failure_type"].astype(str).tolist() == ["", "repeat_contact"]
    assert out["demand_confidence"].iloc[1] < 0.7
    assert classify(c, use_behaviour=False)["demand"].astype(str).tolist() == ["value", "value"]


# ---------------------------------------------------------------------------------- demo back tests


def test_demo_failure_f1_at_least_090(classified, truth):
    y = truth.loc[classified["contact_id"], "demand"].to_numpy()
    assert f1_score(y, classified["demand"].astype(str), pos_label="failure") >= 0.90


def test_demo_service_shares_recovered_and_covered(classified, truth):
    """A stratified review of 3,000 contacts (labelled here from the answer key, standing in for an
    analyst) corrects the classifier: the services' shares are within 2 points of the planted truth on
    average, none further than 5, and every simultaneous 95% interval covers the truth. (Over 20
    review draws: mean error 0.6-1.4 points, largest service error 1.2-4.7 points, every interval
    covering in all 20; a 3-point bound on every service held in 15 of 20 draws, so it is not asserted.)"""
    sample = sample_for_review(classified, n=3000, seed=11)
    sample["analyst_demand"] = truth.loc[sample["contact_id"], "demand"].to_numpy()
    shares = failure_share(classified, by="service", review=sample, simultaneous=True).set_index("service")
    t = truth.loc[classified["contact_id"]]
    planted = (t["demand"] == "failure").groupby(t["service"].to_numpy()).mean()
    assert len(shares) == 10
    error = (shares["estimate"] - planted).abs()
    assert error.mean() <= 0.02 and error.max() <= 0.05, error.round(3).to_dict()
    assert ((shares["low"] <= planted) & (planted <= shares["high"])).all()
    assert (shares["n_reviewed"] > 0).all() and shares["method"].str.contains("stratified").all()


def test_stratified_interval_coverage_by_simulation():
    """Known strata rates; 300 simulated reviews: the 95% interval covers the truth 92-99% of the time."""
    rng = np.random.default_rng(5)
    sizes = {"a": 6000, "b": 3000, "c": 1000}
    rates = {"a": 0.03, "b": 0.9, "c": 0.5}
    frame = pd.DataFrame({"stratum": np.repeat(list(sizes), list(sizes.values()))})
    frame["contact_id"] = [f"c{i}" for i in range(len(frame))]
    frame["demand"] = np.where(frame["stratum"] == "a", "value", "failure")
    frame["demand_confidence"] = 0.8
    frame["true"] = rng.random(len(frame)) < frame["stratum"].map(rates)
    truth_share = frame["true"].mean()
    covered = 0
    for i in range(300):
        sample = frame.groupby("stratum", group_keys=False).apply(lambda g, seed=i: g.sample(40, random_state=seed))
        review = pd.DataFrame({"contact_id": sample["contact_id"], "stratum_by": "stratum", "strategy": "stratified",
                               "analyst_demand": np.where(sample["true"], "failure", "value")})
        est = failure_share(frame, review=review, draws=2000, seed=i).iloc[0]
        covered += est["low"] <= truth_share <= est["high"]
    assert 0.92 <= covered / 300 <= 0.99


def test_uncertainty_samples_cannot_correct_shares(classified):
    sample = sample_for_review(classified, n=50, strategy="uncertain")
    sample["analyst_demand"] = "value"
    with pytest.raises(ValueError, match="not at random"):
        failure_share(classified, review=sample)


def test_uncertainty_targeted_review_sits_beside_the_stratified_one(classified):
    """Drawn beside the stratified sample: the contacts nearest the threshold, none already reviewed;
    they teach the model, and the estimate uses the stratified part only (and says so)."""
    stratified = sample_for_review(classified, n=200, seed=3)
    targeted = sample_for_review(classified, n=100, strategy="uncertain", exclude=stratified["contact_id"], seed=3)
    assert len(targeted) == 100 and not set(targeted["contact_id"]) & set(stratified["contact_id"])
    chosen = classified["contact_id"].astype(str).isin(targeted["contact_id"])
    conf = classified["demand_confidence"]
    distance = (np.where(classified["demand"].astype(str) == "failure", conf, 1 - conf) - 0.5).__abs__()
    distance = pd.Series(distance, index=classified.index)
    assert distance[chosen].max() <= distance[~chosen & ~classified["contact_id"].astype(str)
                                               .isin(stratified["contact_id"])].min() + 1e-9
    truth = dict(zip(classified["contact_id"].astype(str), classified["demand"].astype(str), strict=True))
    both = pd.concat([stratified, targeted], ignore_index=True)
    both["analyst_demand"] = both["contact_id"].map(truth)
    alone = stratified.assign(analyst_demand=stratified["contact_id"].map(truth))
    mixed, plain = failure_share(classified, review=both), failure_share(classified, review=alone)
    assert mixed["estimate"].iloc[0] == pytest.approx(plain["estimate"].iloc[0])
    assert "100 uncertainty-targeted reviews left out" in mixed["method"].iloc[0]


def test_stratified_sample_is_the_size_asked_for(classified):
    """n contacts: when the strata's minimums of 10 (or all a stratum has) would need more than n,
    the smallest strata are pooled (one pooled stratum per classifier's call and sureness, so pooling
    never mixes the calls), recorded so the shares rebuild the same strata."""
    from cxinsight.demand.review import DEMAND_BAND, POOLED, stratum_design, stratum_labels

    design = ("service", "demand_source", DEMAND_BAND)
    sizes = stratum_labels(classified, design).value_counts()
    floor = int(np.minimum(10, sizes).sum())
    assert 150 < floor < 1000  # n=150 needs pooling, 1000 does not
    for n in (150, 1000):
        sample = sample_for_review(classified, n=n, by=design, seed=4)
        assert len(sample) == n
        by, pooled_below, within = stratum_design(sample["stratum_by"].iloc[0])
        assert (pooled_below > 0) == (n < floor), sample["stratum_by"].iloc[0]
        assert within == (["demand_source", DEMAND_BAND] if n < floor else [])
        strata = stratum_labels(classified, by, pooled_below, within)
        rebuilt = strata[classified["contact_id"].astype(str).isin(sample["contact_id"])]
        assert sorted(rebuilt) == sorted(sample["stratum"])  # the shares see the strata the sample used
        per = sample["stratum"].value_counts()
        assert (per >= np.minimum(10, strata.value_counts()[per.index])).all()
        pooled = {s for s in set(strata) if s.startswith(POOLED)}
        assert bool(pooled) == (n < floor)
        for label in pooled:  # each pooled stratum holds one call and sureness
            inside = classified.loc[(strata == label).to_numpy()]
            assert inside["demand_source"].nunique() == 1 and inside["demand"].nunique() == 1, label
        review = sample.assign(analyst_demand=sample["suggested_demand"])
        method = failure_share(classified, review=review)["method"].iloc[0]
        assert ("pooled" in method) == (n < floor), method  # the page says the strata were pooled


def test_a_stratum_reviewed_whole_is_known_exactly(classified):
    """Only contacts nobody reviewed are unknown: review every contact and the share has no width."""
    small = classified.groupby("service", observed=True).head(20).reset_index(drop=True)
    sample = sample_for_review(small, n=len(small), by=("service",), min_per_stratum=20, seed=1)
    assert len(sample) == len(small)
    review = sample.assign(analyst_demand=sample["contact_id"].map(
        dict(zip(small["contact_id"].astype(str), small["demand"].astype(str), strict=True))))
    share = failure_share(small, review=review).iloc[0]
    truth = (small["demand"].astype(str) == "failure").mean()
    assert share["estimate"] == pytest.approx(truth)
    assert share["low"] == pytest.approx(truth) and share["high"] == pytest.approx(truth)
    # by channel the groups cut across the strata (service): each cell reviewed whole is known too
    by_channel = failure_share(small, by="channel", review=review).set_index("channel")
    channel_truth = (small["demand"].astype(str) == "failure").groupby(small["channel"], observed=True).mean()
    for col in ("estimate", "low", "high"):
        assert by_channel[col].to_numpy() == pytest.approx(channel_truth.reindex(by_channel.index).to_numpy())


# ---------------------------------------------------------------------------------- review workflow


def test_stratified_sample_covers_every_stratum(classified):
    """The strata are the deciding signal x the classifier's call and sureness (demand_band)."""
    from cxinsight.demand.review import demand_band

    sample = sample_for_review(classified, n=400, seed=1)
    strata = (classified["demand_source"].astype(str) + " / " + demand_band(classified)).value_counts()
    got = sample["stratum"].value_counts()
    assert set(got.index) == set(strata.index)
    assert (got >= np.minimum(10, strata.reindex(got.index))).all()
    assert sample["contact_id"].is_unique
    assert sample["stratum_by"].iloc[0] == "demand_source,demand_band"


def test_review_file_round_trip_is_safe_and_checked(tmp_path, classified):
    sample = sample_for_review(classified, n=60, seed=2)
    sample.loc[0, "text"] = "=HYPERLINK(\"http://x\") email j.smith@gmail.com"
    path = write_review(sample, tmp_path / "review.csv")
    raw = path.read_text(encoding="utf-8-sig")
    assert "j.smith@gmail.com" not in raw and "'=HYPERLINK" in raw
    labelled = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    labelled.loc[:29, "analyst_demand"] = labelled.loc[:29, "suggested_demand"]
    labelled.loc[:29, "analyst_failure_type"] = labelled.loc[:29, "suggested_failure_type"]
    labelled.to_csv(path, index=False, encoding="utf-8-sig")
    back = read_review(path)
    assert len(back) == 30 and set(back["analyst_demand"]) <= {"failure", "value"}
    labelled.loc[3, "analyst_demand"] = "maybe"
    labelled.to_csv(path, index=False, encoding="utf-8-sig")
    with pytest.raises(ReviewError, match=r"row 5, column 'analyst_demand'.*found 'maybe'"):
        read_review(path)


def test_evaluate_reports_precision_recall_kappa():
    t = ["failure"] * 6 + ["value"] * 4
    p = ["failure"] * 5 + ["value"] * 4 + ["failure"]
    out = evaluate(t, p)
    per = out["per_class"].set_index("class")
    assert per.loc["failure", "precision"] == pytest.approx(5 / 6, abs=1e-3)
    assert per.loc["failure", "recall"] == pytest.approx(5 / 6, abs=1e-3)
    assert out["confusion"].loc["failure", "value"] == 1
    assert out["kappa"] == pytest.approx(0.583, abs=1e-3)


# ---------------------------------------------------------------------------------- scikit-learn conventions


@pytest.mark.parametrize("estimator", [RuleDemandClassifier(), LearnedDemandClassifier(C=2.0, cv=2)])
def test_estimators_follow_sklearn_conventions(estimator, labelled):
    params = estimator.get_params()
    twin = clone(estimator)
    assert twin.get_params() == params and twin is not estimator
    key = next(iter(params))
    assert estimator.set_params(**{key: params[key]}) is estimator
    with pytest.raises(NotFittedError):
        clone(estimator).predict(["chasing"])
    fitted = estimator.fit(labelled["text"], labelled["demand"])
    assert fitted is estimator
    assert set(fitted.classes_) == {"failure", "value"}
    proba = fitted.predict_proba(["still waiting", "pay my bill"])
    assert proba.shape == (2, 2) and np.allclose(proba.sum(axis=1), 1)


def test_learned_classifier_init_only_stores_arguments():
    clf = LearnedDemandClassifier(word_ngrams=(1, 3), C=0.5)
    assert clf.word_ngrams == (1, 3) and clf.C == 0.5 and not hasattr(clf, "pipeline_")


def test_learned_classifier_cross_validated_on_labelled_texts(labelled):
    report = cross_validated_report(LearnedDemandClassifier(cv=3), labelled["text"], labelled["demand"], folds=5)
    per = report.set_index("class")
    assert per.loc["failure", "f1"] > 0.7  # learned from 188 texts per fold, scored on the other 47
    assert per["support"].sum() == len(labelled)


def test_learned_classifier_can_start_from_rule_suggestions(demo, labelled):
    notes = demo["result"].tables["contacts"]["notes"].dropna().drop_duplicates().head(4000)
    seed_labels = bootstrap_labels(notes, min_confidence=0.8)
    assert {"failure", "value"} == set(seed_labels["demand"])
    model = LearnedDemandClassifier(cv=3).fit(seed_labels["text"], seed_labels["demand"])
    assert f1_score(labelled["demand"], model.predict(labelled["text"]), pos_label="failure") > 0.5


# ---------------------------------------------------------------------------------- measures


def test_wilson_matches_a_hand_calculation():
    p, lo, hi = wilson(45, 100)
    assert (p, lo, hi) == (0.45, 0.356, 0.548)
    assert wilson(0, 10)[1] == 0.0


def test_share_without_review_is_the_classifier_share_and_says_so(classified):
    s = failure_share(classified).iloc[0]
    assert s["estimate"] == pytest.approx((classified["demand"] == "failure").mean())
    assert "not classifier error" in s["method"]
    by = failure_share(classified, by=["service", "channel"])
    assert by["n"].sum() == len(classified)


def test_avoidable_contact_and_contacts_per_request(classified):
    out = avoidable_contact(classified).set_index("measure")
    f = out.loc["Avoidable contact (NI 14)", "estimate"]
    assert out.loc["Contacts per resolved request", "estimate"] == pytest.approx(1 / (1 - f))
    # before any review: the classifier's expected share (mean probability), provisional, no range
    conf = classified["demand_confidence"].to_numpy(float)
    expected = np.where(classified["demand"].astype(str) == "failure", conf, 1 - conf).mean()
    assert f == pytest.approx(expected) and out[["low", "high"]].isna().all().all()


def test_xmr_flags_points_outside_limits_and_long_runs():
    chart = xmr(pd.Series([0.4, 0.41, 0.39, 0.4, 0.42, 0.4, 0.41, 0.39, 0.4, 0.75]))
    assert chart["signal"].iloc[-1] == "outside limits"
    base = [0.40, 0.42, 0.38, 0.41, 0.39, 0.42, 0.38, 0.40]
    shifted = [0.43, 0.45, 0.42, 0.44, 0.43, 0.45, 0.42, 0.44, 0.43]
    run = xmr(pd.Series(base + shifted + base))
    assert (run["signal"] == "run of 8").sum() == 9
    assert (run["signal"] == "outside limits").sum() == 0
    assert (chart["ucl"] > chart["centre"]).all()


def test_weekly_chart_and_drivers_on_demo(classified, demo):
    chart = weekly_failure_xmr(classified)
    assert len(chart) >= 40 and chart["n"].min() >= 30
    assert top_drivers(classified, top=2)["examples"].eq("").all()  # nothing quoted unless approved
    drivers = top_drivers(classified, top=2, approved=set(classified["contact_id"].astype(str)))
    assert drivers.groupby("service").size().max() <= 2 and drivers["examples"].ne("").any()
    pii = demo["key"]["pii"]["value"]
    blob = " ".join(drivers["examples"])
    assert not any(v in blob for v in pii)


def test_xmr_limits_are_not_floored_unless_asked():
    values = pd.Series([-10.0, -12, -8, -11, -9, -10, -12, -8, -9, -11])
    assert xmr(values)["lcl"].iloc[0] < -10 and (xmr(values)["signal"] == "").all()
    assert xmr(pd.Series([0.01, 0.03, 0.0, 0.02] * 3), floor=0.0)["lcl"].iloc[0] == 0.0


def _coverage_by_group(by: str, groups: dict[str, float], shifts: dict[str, float], sims: int, seed: int,
                       per_stratum: int = 80):
    """Simulated councils where the classifier's accuracy differs by ``by`` within each stratum: the
    share of 95% intervals (one per group and review) that cover each group's true failure share, and
    each group's mean number of reviewed contacts."""
    rng = np.random.default_rng(seed)
    sizes = {"a": 5000, "b": 2500, "c": 1000}
    rates = {"a": 0.06, "b": 0.85, "c": 0.5}
    frame = pd.DataFrame({"stratum": np.repeat(list(sizes), list(sizes.values()))})
    frame[by] = rng.choice(list(groups), size=len(frame), p=list(groups.values()))
    frame["contact_id"] = [f"c{i}" for i in range(len(frame))]
    frame["demand"] = np.where(frame["stratum"] == "a", "value", "failure")
    rate = np.clip(frame["stratum"].map(rates) + frame[by].map(shifts), 0.01, 0.99)
    frame["true"] = rng.random(len(frame)) < rate
    truth = frame.groupby(by)["true"].mean()
    covered = pd.Series(0, index=truth.index)
    reviewed = pd.Series(0.0, index=truth.index)
    positions = {s: np.flatnonzero(frame["stratum"].to_numpy() == s) for s in sizes}
    for i in range(sims):
        pick = np.concatenate([np.random.default_rng(i).choice(p, per_stratum, replace=False) for p in positions.values()])
        sample = frame.iloc[pick]
        review = pd.DataFrame({"contact_id": sample["contact_id"], "stratum_by": "stratum", "strategy": "stratified",
                               "analyst_demand": np.where(sample["true"], "failure", "value")})
        est = failure_share(frame, by=by, review=review, draws=1000, seed=i).set_index(by)
        covered += ((est["low"] <= truth) & (truth <= est["high"])).astype(int)
        reviewed += est["n_reviewed"]
    return covered / sims, reviewed / sims


def test_failure_share_by_channel_covers_large_and_small_channels():
    """Within a stratum the classifier is right more often on one channel than another: the by-channel
    intervals still cover 93-97% of the time where a channel has a fair number of reviews, and never
    less than 93% for a channel with a handful (they are wider, not wrong)."""
    coverage, reviewed = _coverage_by_group(
        "channel", {"phone": 0.55, "web": 0.37, "email": 0.05, "letter": 0.03},
        {"phone": 0.04, "web": -0.07, "email": 0.12, "letter": 0.2}, sims=200, seed=3)
    large = reviewed >= 40
    assert large.sum() == 2 and (~large).sum() == 2
    pooled = coverage[large].mean()
    assert 0.93 <= pooled <= 0.97, coverage.round(3).to_dict()
    assert (coverage >= 0.93).all(), coverage.round(3).to_dict()


def test_failure_share_by_month_covers_93_to_97_percent():
    """Twelve months, the classifier's accuracy drifting with the season within each stratum."""
    months = {f"2024-{m:02d}": 1 / 12 for m in range(1, 13)}
    shifts = {m: 0.08 * np.sin(2 * np.pi * i / 12) for i, m in enumerate(months)}
    coverage, reviewed = _coverage_by_group("month", months, shifts, sims=100, seed=4, per_stratum=240)
    assert reviewed.min() >= 50
    assert 0.93 <= coverage.mean() <= 0.97, coverage.round(3).to_dict()
    assert (coverage >= 0.88).all(), coverage.round(3).to_dict()


def test_classify_output_has_a_schema_that_catches_a_broken_classification():
    import pandera.errors

    from cxinsight.demand import classify
    from cxinsight.schemas import classified_schema

    contacts = pd.DataFrame({"contact_id": ["1", "2"], "notes": ["chasing my refund again", "pay council tax"]})
    done = classify(contacts, use_behaviour=False)
    schema = classified_schema(sorted(set(done["failure_type"].astype(str)) - {""}))
    schema.validate(done, lazy=True)
    broken = done.assign(failure_type=pd.Categorical(["", "progress_chasing"]))  # the type on the value contact
    with pytest.raises(pandera.errors.SchemaErrors, match="a failure type on value demand"):
        schema.validate(broken, lazy=True)
    with pytest.raises(pandera.errors.SchemaErrors, match="demand_confidence"):
        schema.validate(done.assign(demand_confidence=[0.5, 1.5]), lazy=True)


def test_every_taxonomy_argument_takes_a_path_or_a_taxonomy(tmp_path):
    from dataclasses import replace

    from cxinsight.demand.learn import RuleFeatures
    from cxinsight.demand.rules import DEFAULT_TAXONOMY, RuleEngine

    texts = ["chasing my refund again", "pay council tax", "bin not emptied again", "misd bin x2"]
    by_path, by_object = str(DEFAULT_TAXONOMY), load_taxonomy()
    expected = score_text(texts)["demand"].astype(str).tolist()
    for taxonomy in (by_path, Path(by_path), by_object):
        assert score_text(texts, taxonomy)["demand"].astype(str).tolist() == expected
        assert classify_text(texts, taxonomy).tolist() == expected
        assert classify(pd.DataFrame({"notes": texts}), taxonomy=taxonomy)["demand"].astype(str).tolist() == expected
        assert RuleDemandClassifier(taxonomy=taxonomy).fit(texts, expected).predict(texts).tolist() == expected
        features = RuleFeatures(taxonomy=taxonomy).fit(texts).transform(texts)
        assert np.allclose(features, RuleFeatures().fit(texts).transform(texts))
        assert clone(RuleFeatures(taxonomy=taxonomy)).get_params()["taxonomy"] == taxonomy
    # A taxonomy edited in a notebook is the one used, in one process or several.
    no_cues = replace(by_object, cues=tuple(c for c in by_object.cues if c.type == "value"))
    assert set(score_text(texts, no_cues)["demand"].astype(str)) == {"value"}
    serial = RuleEngine(no_cues).weights(pd.Series(texts * 20), workers=1)[0]
    from cxinsight.demand import rules

    before, rules.PARALLEL_MIN = rules.PARALLEL_MIN, 10
    try:
        parallel = RuleEngine(no_cues).weights(pd.Series([f"{t} {i}" for i in range(20) for t in texts]), workers=2)[0]
    finally:
        rules.PARALLEL_MIN = before
    assert not serial.any() and not parallel.any()


def test_typo_correction_of_many_texts_is_the_one_by_one_correction():
    """Issue 31: words are corrected once each and the texts rewritten from what was learned; every
    text reads as the word-by-word correction of it alone would read it."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from cxinsight.demand.rules import TypoCorrector

    keywords = load_taxonomy().fuzzy_keywords
    words = st.sampled_from(list(keywords) + ["wrng", "chsing", "cofnused", "causing", "crossing", "closng", "a",
                                              "bin", "refnud", "chasingg", "x2", "it's", "café"])
    texts = st.lists(st.lists(words, max_size=8).map(" ".join), max_size=20)

    @settings(max_examples=60, deadline=None)
    @given(texts)
    def check(batch):
        fresh = TypoCorrector(keywords)
        one_by_one = [fresh._WORD.sub(lambda m: fresh._correct(m.group(0)), t) for t in batch]
        assert TypoCorrector(keywords).fix_many(batch) == one_by_one
        assert [TypoCorrector(keywords)(t) for t in batch] == one_by_one

    check()


def test_the_prefilter_on_every_option_never_drops_a_cue_that_matches(labelled):
    """The cue prefilter needs one literal of each of a cue's literal sets (issue 31): a cue that
    matches a text is always among the text's candidates."""
    from tests.text_record import corpus_texts

    engine = RuleEngine(load_taxonomy())
    for text in engine.normalise_many(corpus_texts() + labelled["text"].tolist()):
        matched = {i for i, cue in enumerate(engine.taxonomy.cues) if cue.pattern.search(text)}
        assert matched <= engine._cue_filter.candidates(text), text


def test_f1_at_every_threshold_at_once_is_scikit_learns_f1_to_the_last_digit():
    """The learned classifier picks its threshold by F1 over 91 thresholds in one pass: each value is
    exactly what scikit-learn's f1_score gives for that threshold (so the threshold chosen is the same)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.tuples(st.booleans(), st.floats(0, 1)), min_size=1, max_size=30))
    def check(rows):
        truth = np.array([r[0] for r in rows])
        p = np.array([r[1] for r in rows])
        sklearn_f1 = {}  # thresholds that call the same texts positive share one call of scikit-learn
        for t in grid:
            called = p >= t
            if called.tobytes() not in sklearn_f1:
                sklearn_f1[called.tobytes()] = f1_score(truth, called, zero_division=0)
        expected = [sklearn_f1[(p >= t).tobytes()] for t in grid]
        assert f1_at_thresholds(truth, p, grid).tolist() == expected

    check()


def test_an_edited_taxonomy_file_is_read_again_and_an_unchanged_one_is_not(tmp_path):
    """A council edits its taxonomy between runs in one session (a notebook): the next classification
    uses the edit; an unchanged file is read once and its engine kept."""
    from cxinsight.demand.rules import DEFAULT_TAXONOMY, engine

    path = tmp_path / "taxonomy.yaml"
    path.write_text(DEFAULT_TAXONOMY.read_text(encoding="utf-8"), encoding="utf-8")
    before = engine(path)
    assert engine(str(path)) is before and load_taxonomy(path) is load_taxonomy(path)
    assert score_text(["the hedge on the corner is very overgrown"], path)["demand"].tolist() == ["value"]
    path.write_text(path.read_text(encoding="utf-8").replace(
        "cues:\n", "cues:\n  - {type: progress_chasing, weight: 9, pattern: '\\bhedge\\b'}\n", 1), encoding="utf-8")
    assert engine(path) is not before
    assert score_text(["the hedge on the corner is very overgrown"], path)["demand"].tolist() == ["failure"]
