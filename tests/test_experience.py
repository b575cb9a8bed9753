"""Customer-experience measures: formulas by hand, interval coverage by simulation, staff minimum."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxinsight.experience import MIN_STAFF_RESPONSES, by_group, ces, csat, net_satisfaction, nps


def test_nps_by_hand():
    scores = pd.Series([10] * 50 + [8] * 30 + [3] * 20)
    out = nps(scores)
    assert out["estimate"] == pytest.approx(30.0)
    p, d = 51 / 103, 21 / 103  # one pseudo-response per category (adjusted Wald)
    var = 100**2 * ((p + d) - (p - d) ** 2) / 103
    assert out["high"] - 100 * (p - d) == pytest.approx(1.959964 * np.sqrt(var), rel=1e-5)
    assert (out["promoters"], out["detractors"], out["n"]) == (50, 20, 100)


def test_nps_interval_covers_the_truth_93_to_97_percent_of_1000_draws():
    rng = np.random.default_rng(2024)
    probs = np.array([0.04, 0.02, 0.03, 0.04, 0.05, 0.07, 0.08, 0.12, 0.15, 0.18, 0.22])  # scores 0..10
    true_nps = 100 * (probs[9:].sum() - probs[:7].sum())
    covered = 0
    for _ in range(1000):
        sample = pd.Series(rng.choice(11, size=400, p=probs))
        est = nps(sample)
        covered += est["low"] <= true_nps <= est["high"]
    assert 0.93 <= covered / 1000 <= 0.97


# one mix in `make test`, the other three (about 10 s each) in `make test-slow` and CI (issue 31)
@pytest.mark.parametrize("mix", [(0.85, 0.12, 0.03), *(pytest.param(m, marks=pytest.mark.slow) for m in
                                                       [(0.05, 0.15, 0.80), (0.35, 0.30, 0.35), (0.50, 0.05, 0.45)])],
                         ids=["mostly_promoters", "mostly_detractors", "even", "split"])
def test_nps_interval_covers_93_to_97_percent_at_n_30_with_extreme_scores(mix):
    """At the smallest base a page shows an NPS on (30 responses), extreme mixes included."""
    rng = np.random.default_rng(30)
    promoter, passive, detractor = mix
    probs = np.r_[np.full(7, detractor / 7), np.full(2, passive / 2), np.full(2, promoter / 2)]
    true_nps = 100 * (promoter - detractor)
    draws = rng.choice(11, size=(4000, 30), p=probs)
    covered = sum(lo <= true_nps <= hi for lo, hi in
                  (nps(pd.Series(row))[["low", "high"]] for row in draws))
    assert 0.93 <= covered / 4000 <= 0.97, covered / 4000


def test_ces_interval_stays_on_its_scale():
    assert ces(pd.Series([7] * 9 + [6]))["high"] <= 7 and ces(pd.Series([1] * 9 + [2]))["low"] >= 1
    assert ces(pd.Series([5, 4, 3, 2, 1]), scale=5)["high"] <= 5


def test_ces_csat_and_net_satisfaction_by_hand():
    c = ces(pd.Series([7, 6, 5, 4, 1]))
    assert c["estimate"] == pytest.approx(4.6) and c["share_agree"] == 0.6
    s = csat(pd.Series([5, 4, 3, 2, 1, 5]))
    assert s["estimate"] == 0.5 and s["n"] == 6
    n = net_satisfaction(pd.Series(["Good", "good", "average", "Poor"]))
    assert n["estimate"] == pytest.approx(0.25) and n["low"] < 0.25 < n["high"]


def test_no_staff_figure_on_fewer_responses_than_the_minimum():
    rng = np.random.default_rng(1)
    sizes = {"A001": 45, "A002": 29, "A003": 30, "A004": 3}
    frame = pd.DataFrame({"staff_id": np.repeat(list(sizes), list(sizes.values()))})
    frame["nps"] = rng.integers(0, 11, len(frame))
    table, suppressed = by_group(frame, "staff_id", "nps", min_responses=MIN_STAFF_RESPONSES)
    assert set(table["staff_id"]) == {"A001", "A003"} and suppressed == 2
    assert (table["n"] >= MIN_STAFF_RESPONSES).all()


def test_experience_on_the_demo_survey(demo):
    survey = demo["result"].tables["survey"]
    overall = nps(survey["nps"])
    assert overall["n"] == survey["nps"].notna().sum() and -100 <= overall["low"] <= overall["high"] <= 100
    table, _ = by_group(survey.assign(hour=survey["submitted_at"].dt.hour), "hour", "csat", min_responses=10)
    assert (table["n"] >= 10).all()


def test_drivers_recover_a_planted_effect():
    rng = np.random.default_rng(0)
    n = 4000
    fail = rng.random(n) < 0.4
    wait = np.minimum(rng.exponential(60, n), 600)  # seconds; keeps the planted probability within [0.2, 0.8]
    p = 0.8 - 0.3 * fail - 0.0005 * wait  # -3 points per minute of waiting
    survey = pd.DataFrame({"contact_id": [f"c{i}" for i in range(n)], "csat": np.where(rng.random(n) < p, 5, 2)})
    classified = pd.DataFrame({"contact_id": survey["contact_id"], "channel": rng.choice(["phone", "web"], n),
                               "demand": np.where(fail, "failure", "value"), "is_repeat": False, "wait_seconds": wait})
    from cxinsight.experience import satisfaction_drivers

    d = satisfaction_drivers(survey, classified).set_index("driver")
    assert d.loc["failure demand", "low_pp"] < -30 < d.loc["failure demand", "high_pp"]
    assert d.loc["wait (per minute)", "low_pp"] < -3 < d.loc["wait (per minute)", "high_pp"]
    assert d.loc["channel: web", "low_pp"] < 0 < d.loc["channel: web", "high_pp"]


def test_a_real_difference_between_hours_is_found_and_noise_is_not():
    from cxinsight.experience import nps_differs

    rng = np.random.default_rng(8)
    hours = np.repeat(np.arange(8, 18), 120)
    noise = pd.DataFrame({"hour": hours, "nps": rng.integers(0, 11, len(hours))})
    assert not nps_differs(noise, "hour")["significant"]
    # calls at 12:00 and 13:00 (the lunchtime queue) go badly
    planted = noise.assign(nps=np.where(np.isin(hours, [12, 13]), rng.integers(0, 5, len(hours)), noise["nps"]))
    result = nps_differs(planted, "hour")
    assert result["significant"] and result["p_value"] < 1e-6 and result["groups"] == 10


def test_funnel_limits_narrow_with_responses_and_flag_a_planted_outlier():
    from cxinsight.experience import funnel

    rng = np.random.default_rng(9)
    sizes = {"S1": 40, "S2": 200, "S3": 400, "S4": 60, "S5": 10}
    frame = pd.DataFrame({"staff_id": np.repeat(list(sizes), list(sizes.values()))})
    frame["nps"] = rng.integers(5, 11, len(frame))
    frame.loc[frame["staff_id"] == "S3", "nps"] = 0  # one member of staff's calls all go badly
    table, centre, sd_one, hidden = funnel(frame, "staff_id")
    assert hidden == 1 and set(table["staff_id"]) == {"S1", "S2", "S3", "S4"}
    t = table.set_index("staff_id")
    assert t.loc["S2", "limit"] < t.loc["S1", "limit"]
    assert t.loc["S3", "outside"] and -100 < centre < 100 and sd_one > 0
