"""DERI: hand-computed examples for each scaling base, reversed indicators and weights."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from cxinsight.exclusion import (
    DeriWeights,
    correlation_check,
    deri_from_components,
    deri_scores,
    minmax_score,
    risk_band,
)


def _areas():
    # Two districts in one nation, one district in another.
    return pd.DataFrame({
        "lsoa_code": ["E01", "E02", "E03", "E04", "E05", "W01", "W02"],
        "lad_code": ["A", "A", "A", "B", "B", "C", "C"],
        "nation": ["E", "E", "E", "E", "E", "W", "W"],
        "pct_65_74": [10.0, 20.0, 30.0, 5.0, 15.0, 8.0, 12.0],
        "pct_75_plus": [5.0, 10.0, 15.0, 2.0, 4.0, 6.0, 9.0],
        "pct_disabled": [15.0, 20.0, 25.0, 10.0, 30.0, 20.0, 22.0],
        "pct_social_grade_de": [20.0, 30.0, 40.0, 10.0, 50.0, 25.0, 35.0],
        "pct_no_qualifications": [10.0, 20.0, 30.0, 10.0, 20.0, 15.0, 25.0],
        "pct_pension_credit": [10.0, 20.0, 30.0, 10.0, 20.0, 15.0, 25.0],
        "claimant_rate": [1.0, 2.0, 3.0, 1.0, 2.0, 1.5, 2.5],
        "imd_score": [10.0, 20.0, 30.0, 10.0, 20.0, 15.0, 25.0],
        "pct_premises_below_30mbit": [0.0, 5.0, 10.0, 0.0, 20.0, 2.0, 4.0],
        "pct_connections_below_10mbit": [2.0, 4.0, 6.0, 1.0, 3.0, 5.0, 10.0],
        "avg_download_mbit": [100.0, 70.0, 40.0, 80.0, 20.0, 60.0, 30.0],
    })


def test_minmax_within_each_district_by_hand():
    a = _areas()
    s = minmax_score(a["pct_65_74"], a["lad_code"])
    assert s.tolist() == [0.0, 5.0, 10.0, 0.0, 10.0, 0.0, 10.0]


def test_minmax_within_nation_and_across_gb_by_hand():
    a = _areas()
    nation = minmax_score(a["pct_65_74"], a["nation"])
    assert nation.round(4).tolist() == [2.0, 6.0, 10.0, 0.0, 4.0, 0.0, 10.0]  # England: (x-5)/25
    gb = minmax_score(a["pct_65_74"])
    assert gb.round(4).tolist() == [2.0, 6.0, 10.0, 0.0, 4.0, 1.2, 2.8]


def test_reversed_indicator_scores_slow_speeds_high():
    a = _areas()
    s = minmax_score(a["avg_download_mbit"], a["lad_code"], reverse=True)
    assert s.tolist() == [0.0, 5.0, 10.0, 0.0, 10.0, 0.0, 10.0]


def test_weights_are_normalised_within_components_by_hand():
    out = deri_scores(_areas(), DeriWeights.v1_4(), scale="district")
    first = out.iloc[0]  # district A, lowest on every indicator except speed (highest, so reversed to 0)
    assert first["deri_score"] == pytest.approx(0.0)
    mid = out.iloc[1]  # every indicator at the midpoint of district A -> every score 5
    assert mid["demography_component"] == pytest.approx(5.0)
    assert mid["deri_score"] == pytest.approx(5.0)
    # LSOA E05 (district B): 65-74 10, 75+ 10, disabled 10, DE 10 -> demography 10
    e05 = out.iloc[4]
    assert e05["demography_component"] == pytest.approx(10.0)
    # deprivation weights 4/2/2/2: all four at 10 -> 10; broadband: 30mbit 10, 10mbit 10, speed reversed 10
    assert e05["deprivation_component"] == pytest.approx(10.0)
    assert e05["broadband_component"] == pytest.approx(10.0)


def test_unequal_weights_by_hand():
    a = pd.DataFrame({"lad_code": ["A", "A"], "pct_no_qualifications": [0.0, 10.0], "pct_pension_credit": [0.0, 0.0 + 1],
                      "imd_score": [1.0, 0.0], "claimant_rate": [0.0, 0.0 + 2]})
    w = DeriWeights({"deprivation": {"pct_no_qualifications": 4, "pct_pension_credit": 2, "imd_score": 2,
                                     "claimant_rate": 2}}, {"deprivation": 1})
    out = deri_scores(a, w)
    # row 1: no quals 10 (x0.4), pension credit 10 (x0.2), IMD 0 (x0.2), claimant 10 (x0.2) = 8
    assert out["deprivation_component"].tolist() == pytest.approx([2.0, 8.0])
    assert out["deri_score"].tolist() == pytest.approx([2.0, 8.0])


def test_component_weights_and_v1_2_age_component():
    a = _areas().assign(pct_65_plus=lambda d: d["pct_65_74"] + d["pct_75_plus"])
    equal = deri_scores(a, DeriWeights.v1_2())
    assert "age_component" in equal and "demography_component" not in equal
    tilted = DeriWeights(DeriWeights.v1_2().components, {"age": 6, "broadband": 0, "deprivation": 0})
    only_age = deri_scores(a, tilted)
    assert only_age["deri_score"].tolist() == pytest.approx(only_age["age_component"].tolist())


def test_missing_indicator_reweights_its_component_with_a_warning():
    a = _areas().drop(columns=["pct_disabled"])
    with pytest.warns(UserWarning, match="pct_disabled"):
        out = deri_scores(a)
    w = DeriWeights.v1_4().normalised(set(a.columns))
    assert sum(w["demography"].values()) == pytest.approx(1.0)
    assert out["demography_component"].between(0, 10).all()


def test_flat_indicator_scores_zero_with_a_warning():
    a = pd.DataFrame({"lad_code": ["A", "A", "B", "B"], "imd_score": [5.0, 5.0, 1.0, 2.0]})
    with pytest.warns(UserWarning, match="no spread"):
        s = minmax_score(a["imd_score"].rename("imd_score"), a["lad_code"])
    assert s.tolist() == [0.0, 0.0, 0.0, 10.0]


def test_scores_stay_between_0_and_10_for_any_data():
    rng = np.random.default_rng(0)
    a = _areas()
    for _ in range(20):
        for col in a.columns[3:]:
            a[col] = rng.uniform(0, 100, len(a))
        out = deri_scores(a, scale="nation")
        cols = [c for c in out if c.endswith("_component") or c == "deri_score" or c.startswith("score_")]
        assert out[cols].stack().between(-1e-9, 10 + 1e-9).all()


def test_custom_set_of_areas_rescales_to_that_set():
    a = _areas()
    subset = deri_scores(a.loc[a["lad_code"] == "A"], scale="gb")
    assert subset["deri_score"].min() == pytest.approx(0.0) and subset["deri_score"].max() == pytest.approx(10.0)


def test_correlation_check_flags_double_counting():
    a = _areas().assign(pct_65_plus=lambda d: d["pct_65_74"] * 1.5)
    with pytest.warns(UserWarning, match="pct_65_plus ~ pct_65_74|pct_65_74 ~ pct_65_plus"):
        pairs = correlation_check(a, ["pct_65_plus", "pct_65_74", "avg_download_mbit"], threshold=0.9)
    assert len(pairs) == 1 and pairs["r"].iloc[0] == 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert correlation_check(a, ["pct_65_74", "claimant_rate"], threshold=0.999).empty


def test_overall_is_weighted_mean_of_components_and_bands():
    c = pd.DataFrame({"x": [0.0, 9.0], "y": [3.0, 9.0]})
    assert deri_from_components(c, {"x": 2, "y": 1}).tolist() == [1.0, 9.0]
    assert risk_band(pd.Series([0.0, 3.4, 6.7, np.nan])).tolist()[:3] == ["low", "medium", "high"]


def test_bad_scale_is_explained():
    with pytest.raises(ValueError, match="scale"):
        deri_scores(_areas(), scale="ward")
    with pytest.raises(ValueError, match="'lad_code' column"):
        deri_scores(_areas().drop(columns="lad_code"), scale="district")
