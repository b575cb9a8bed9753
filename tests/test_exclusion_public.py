"""Real public data (../shared/data): the DERI and IMD 2019 as published."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxinsight.exclusion import deri_from_components, minmax_score
from cxinsight.exclusion.public import (
    HEAT_MAP_2017_LEICESTERSHIRE,
    area_summary,
    compare_with_heat_map,
    read_imd2019,
    read_published_deri,
)

pytestmark = pytest.mark.public_data


@pytest.fixture(scope="module")
def imd(shared_data):
    return read_imd2019(shared_data / "imd2019")


@pytest.fixture(scope="module")
def published(shared_data):
    return read_published_deri(shared_data / "deri" / "extracted_v1.6_scores" / "deri_v1.6_nation_level_scores_GB.csv")


def test_imd_indicator_scored_within_every_english_authority_matches_an_independent_computation(imd):
    # The Isles of Scilly (E06000053) is a single LSOA: no spread, so it scores 0, with a warning.
    with pytest.warns(UserWarning, match="E06000053"):
        ours = minmax_score(imd["imd_score"].rename("imd_score"), imd["lad_code"])
    assert imd["lad_code"].nunique() == 317 and len(imd) == 32_844
    independent = np.zeros(len(imd))
    for _, rows in imd.groupby("lad_code").indices.items():
        x = imd["imd_score"].to_numpy()[rows]
        if x.max() > x.min():
            independent[rows] = 10 * (x - x.min()) / (x.max() - x.min())
    assert np.allclose(ours.to_numpy(), independent)
    per_la = ours.groupby(imd["lad_code"]).agg(["min", "max"]).drop(index="E06000053")
    assert np.allclose(per_la["min"], 0) and np.allclose(per_la["max"], 10)


def test_published_v16_overall_is_the_weighted_mean_of_its_components(published):
    assert len(published) == 41_729
    complete = published.dropna()
    assert len(published) - len(complete) == 167  # Scottish data zones with no deprivation component
    ours = deri_from_components(complete[["broadband", "demography", "deprivation"]])
    assert np.allclose(ours, complete["deri_score"], atol=1e-5)


def test_leicestershire_authorities_beside_the_heat_map(imd, published):
    lsoas = imd.merge(published, on="lsoa_code", how="inner")
    summary = area_summary(lsoas, score="deri_score", by="lad_name")
    assert len(summary) == 317
    assert ((summary["min"] <= summary["weighted_mean"]) & (summary["weighted_mean"] <= summary["max"])).all()
    compared = compare_with_heat_map(summary)
    assert set(compared["lad_name"]) == set(HEAT_MAP_2017_LEICESTERSHIRE)
    assert compared["band"].isin(["low", "medium", "high"]).all()
    assert compared["agrees"].dtype == bool  # agreement is reported, not forced
    assert summary["caveat"].str.contains("not as a target").all()


def test_unknown_score_layout_is_explained(tmp_path):
    bad = tmp_path / "scores.csv"
    pd.DataFrame({"code": ["E01"], "score": [1.0]}).to_csv(bad, index=False)
    with pytest.raises(ValueError, match="not a DERI scores file"):
        read_published_deri(bad)


def test_gmca_layout_is_read_too(tmp_path):
    path = tmp_path / "LSOA calculations and scores (nation level)_v1.6.csv"
    pd.DataFrame({"LSOA code": ["E01000001"], "Broadband component (national)": [3.0],
                  "Demography component (national)": [6.0],
                  "Deprivation component (national, England IMD)": [9.0],
                  "DERI score (national, England IMD)": [6.0]}).to_csv(path, index=False)
    out = read_published_deri(path)
    assert out.iloc[0].to_dict() == {"lsoa_code": "E01000001", "nation": "England", "broadband": 3.0,
                                     "demography": 6.0, "deprivation": 9.0, "deri_score": 6.0}
