"""Customer segments and shiftable volume."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import precision_score, recall_score

from cxinsight import pseudonym
from cxinsight.exclusion import deri_scores
from cxinsight.exclusion.customers import (
    SegmentRules,
    cluster_view,
    customer_features,
    segment_customers,
    segment_sizes,
    shiftable_volume,
)


def _contacts():
    return pd.DataFrame({
        "contact_id": list("abcdefgh"),
        "customer_id": ["1", "1", "1", "2", "2", "3", None, "4"],
        "service": ["waste"] * 8,
        "channel": ["phone", "face_to_face", "phone", "web", "web", "phone", "phone", "email"],
        "age_band": ["75+", None, None, "35-49", None, None, None, None],
        "lsoa_code": ["E01000001"] * 8,
        "received_at": pd.to_datetime(["2024-04-01", "2024-04-05", "2024-06-01", "2024-04-01", "2024-05-01",
                                       "2024-04-01", "2024-04-01", "2024-04-01"]),
        "days_since_previous": [np.nan, 4, 57, np.nan, 30, np.nan, np.nan, np.nan],
    })


def test_features_by_hand():
    f = customer_features(_contacts()).set_index("customer_id")
    assert f.loc["1", ["contacts", "digital", "assisted", "counter_or_letter", "repeat_assisted"]].tolist() == [3, 0, 3, 1, 1]
    assert f.loc["2", "digital_share"] == 1.0 and f.loc["1", "age_band"] == "75+"
    assert "7" not in f.index and len(f) == 4  # anonymous contacts have no customer


def test_segments_and_their_reasons_by_hand():
    s = segment_customers(customer_features(_contacts())).set_index("customer_id")
    # customer 1: 2 extra assisted (+2) + counter (+1.5) + 75+ (+3) = 6.5 points, no digital
    assert s.loc["1", "points"] == pytest.approx(6.5) and s.loc["1", "segment"] == "likely_excluded"
    assert "aged 75+ (+3)" in s.loc["1", "reasons"]
    assert s.loc["2", "segment"] == "self_serve" and s.loc["4", "segment"] == "self_serve"
    assert s.loc["3", "segment"] == "could_shift_with_support" and s.loc["3", "evidence"] == "thin"


def test_rules_are_parameters():
    strict = SegmentRules(excluded_threshold=10)
    s = segment_customers(customer_features(_contacts()), strict).set_index("customer_id")
    assert s.loc["1", "segment"] == "could_shift_with_support"
    assert "excluded_threshold" in strict.as_table()["rule"].tolist()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["1", "2", "3", None]),
                          st.sampled_from(["phone", "web", "email", "face_to_face", "letter", "webchat", "other"]),
                          st.sampled_from(["waste", "parking"])), min_size=1, max_size=40),
       st.floats(0, 1))
def test_shiftable_volume_never_exceeds_non_digital_volume(rows, take_up):
    contacts = pd.DataFrame(rows, columns=["customer_id", "channel", "service"]).assign(
        contact_id=lambda d: [f"c{i}" for i in range(len(d))], received_at=pd.Timestamp("2024-04-01"))
    segments = segment_customers(customer_features(contacts))
    vol = shiftable_volume(contacts, segments, low_take_up=take_up)
    for col in ("shiftable_low", "shiftable_central", "shiftable_high"):
        assert (vol[col] <= vol["non_digital"] + 1e-9).all()
        assert (vol[col] >= 0).all()
    assert (vol["shiftable_low"] <= vol["shiftable_central"] + 1e-9).all()
    assert (vol["shiftable_central"] <= vol["shiftable_high"] + 1e-9).all()


def test_likely_excluded_recovered_on_the_demo(demo):
    """Against the answer key, for every customer with a customer number. The rules were set on
    the default demo (seed 20240401); this fixture is another seed and size, so it was not tuned on.
    Customers with two or more contacts give more evidence and are recovered better."""
    areas = deri_scores(demo["result"].tables["areas"].assign(lad_code="demo"))
    s = segment_customers(customer_features(demo["result"].tables["contacts"], areas))
    truth = demo["key"]["customers_truth"]
    truth = truth.set_index(pseudonym.pseudonymise(truth["customer_id"], "customer"))  # as the processed data holds them
    y = (truth.loc[s["customer_id"], "digital_capability"] == "likely_excluded").to_numpy()
    p = (s["segment"] == "likely_excluded").to_numpy()
    assert precision_score(y, p) >= 0.8 and recall_score(y, p) >= 0.8
    enough = (s["evidence"] == "enough").to_numpy()
    assert recall_score(y[enough], p[enough]) > recall_score(y[~enough], p[~enough])


def test_segment_sizes_have_bases_and_intervals(demo):
    contacts = demo["result"].tables["contacts"]
    s = segment_customers(customer_features(contacts))
    sizes = segment_sizes(s, contacts, by="service")
    assert set(sizes["segment"]) == {"self_serve", "could_shift_with_support", "likely_excluded"}
    per_group = sizes.groupby("group")["share"].sum()
    assert np.allclose(per_group, 1.0)
    assert ((sizes["low"] <= sizes["share"]) & (sizes["share"] <= sizes["high"])).all()
    overall = segment_sizes(s)
    assert overall["base"].iloc[0] == len(s)


def test_cluster_view_is_exploratory_and_reproducible(demo):
    f = customer_features(demo["result"].tables["contacts"]).head(3000)
    a, profile = cluster_view(f, k=3, seed=1)
    b, _ = cluster_view(f, k=3, seed=1)
    assert (a["cluster"] == b["cluster"]).all() and profile["customers"].sum() == len(f)


def test_segment_share_with_the_rules_error_covers_93_to_97_percent():
    """The rule misses a quarter of the truly excluded and wrongly flags 5% of the rest. A checked
    random sample of 300 customers corrects the share: its 95% interval covers the true share 93-97%
    of the time, where the rule's own (sampling-only) interval almost never does."""
    from cxinsight.exclusion.customers import check_sample, corrected_share
    from cxinsight.stats import wilson

    rng = np.random.default_rng(12)
    n = 20_000
    truly = rng.random(n) < 0.2
    flagged = np.where(truly, rng.random(n) < 0.75, rng.random(n) < 0.05)
    segments = pd.DataFrame({"customer_id": [f"C{i}" for i in range(n)],
                             "segment": np.where(flagged, "likely_excluded", "self_serve")})
    truth = pd.Series(np.where(truly, "likely_excluded", "self_serve"), index=segments["customer_id"])
    target = truly.mean()
    covered = naive = 0
    sims = 1000
    for i in range(sims):
        check = check_sample(segments, n=300, seed=i)
        check["checked_segment"] = truth.reindex(check["customer_id"]).to_numpy()
        est = corrected_share(segments, check)
        covered += est["low"] <= target <= est["high"]
        _, lo, hi = wilson(int(flagged.sum()), n)
        naive += lo <= target <= hi
    assert 0.93 <= covered / sims <= 0.97, covered / sims
    assert naive == 0


def test_a_checked_sample_is_read_back_with_clear_errors(tmp_path):
    from cxinsight.exclusion.customers import check_sample, read_check

    segments = pd.DataFrame({"customer_id": ["1", "2", "3"], "segment": ["self_serve", "likely_excluded", "self_serve"]})
    path = tmp_path / "check.csv"
    sample = check_sample(segments, n=3, seed=1)
    sample["checked_segment"] = ["self_serve", "excluded?", ""]
    sample.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"row 3, column 'checked_segment'.*found 'excluded\?'"):
        read_check(path, segments)
    sample["checked_segment"] = ["self_serve", "likely_excluded", ""]
    sample.to_csv(path, index=False)
    assert len(read_check(path, segments)) == 2
