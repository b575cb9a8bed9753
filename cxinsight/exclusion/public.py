"""Real public data: GMCA's published DERI scores and the English Indices of Deprivation 2019.

The files live outside the project (``../shared/data`` in development and CI, or wherever a
council keeps them); nothing here copies them in.

- :func:`read_published_deri` reads GMCA's "LSOA calculations and scores" layout ("LSOA code",
  "DERI score (national, England IMD)"...) or the extracted v1.6 layout (``lsoa11_code``,
  ``deri_score_national``...) into ``lsoa_code, nation, broadband, demography, deprivation,
  deri_score``.
- :func:`read_imd2019` joins the IMD 2019 score (mySociety's GB_IMD_E, whose English
  ``overall_local_score`` is the official score), rank, decile, local authority (File 1) and
  population (File 6) for every English LSOA.
- :func:`area_summary` summarises a score to local authorities or wards, population-weighted, with
  bands by national percentile (bottom 20% low, middle 60% medium, top 20% high: the Get Digital
  Heat Map's rule, so the two can be compared) and the DERI rule-of-use caveat.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from cxinsight.exclusion.deri import RULE_OF_USE

EXTRACTED_LAYOUT = {"lsoa11_code": "lsoa_code", "nation": "nation", "broadband_comp_national": "broadband",
                    "demography_comp_national": "demography", "deprivation_comp_national": "deprivation",
                    "deri_score_national": "deri_score"}
GMCA_PATTERNS = {  # GMCA "LSOA calculations and scores (nation level)" headers
    "lsoa_code": r"^LSOA code$",
    "broadband": r"^Broadband component \(national\)$",
    "demography": r"^Demography component \(national\)$",
    "deprivation": r"^Deprivation component \(national, \w+ IMD\)$",
    "deri_score": r"^DERI score \(national, \w+ IMD\)$",
}

# Get Digital Heat Map 2017 likelihood of digital exclusion (domain.md s.2, quoted in the North West
# Leicestershire Customer Experience Strategy 2018-2021).
HEAT_MAP_2017_LEICESTERSHIRE = {
    "North West Leicestershire": "medium", "Hinckley and Bosworth": "low", "Blaby": "low",
    "Oadby and Wigston": "low", "Harborough": "low", "Melton": "medium", "Leicester": "medium",
}


def read_published_deri(path: Path | str) -> pd.DataFrame:
    """Published DERI scores in either layout, as ``lsoa_code, nation, broadband, demography,
    deprivation, deri_score``."""
    path = Path(path)
    raw = pd.read_csv(path, encoding="utf-8-sig")
    if set(EXTRACTED_LAYOUT) <= set(raw.columns):
        return raw[list(EXTRACTED_LAYOUT)].rename(columns=EXTRACTED_LAYOUT)
    found = {}
    for canon, pattern in GMCA_PATTERNS.items():
        hits = [c for c in raw.columns if re.match(pattern, str(c).strip())]
        if hits:
            found[canon] = hits[0]
    if set(found) == set(GMCA_PATTERNS):
        out = raw[list(found.values())].rename(columns={v: k for k, v in found.items()})
        out["nation"] = out["lsoa_code"].str[0].map({"E": "England", "W": "Wales", "S": "Scotland"})
        return out[["lsoa_code", "nation", "broadband", "demography", "deprivation", "deri_score"]]
    raise ValueError(f"{path.name}: not a DERI scores file. Expected columns {sorted(EXTRACTED_LAYOUT)} or "
                     f"GMCA's {list(GMCA_PATTERNS.values())}; found {list(raw.columns)[:12]}")


def read_imd2019(folder: Path | str) -> pd.DataFrame:
    """English LSOAs with ``lad_code, lad_name, imd_score, imd_rank, imd_decile, population``."""
    folder = Path(folder)
    official = folder / "official_iod2019_files"
    scores = pd.read_csv(folder / "GB_IMD_E.csv", usecols=["nation", "lsoa", "overall_local_score"])
    scores = scores.loc[scores["nation"] == "E"].rename(columns={"lsoa": "lsoa_code",
                                                                 "overall_local_score": "imd_score"})
    file1 = pd.read_csv(official / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv", encoding="utf-8-sig",
                        thousands=",")
    file1.columns = ["lsoa_code", "lsoa_name", "lad_code", "lad_name", "imd_rank", "imd_decile"]
    file6 = pd.read_csv(official / "File_6_-_IoD2019_Population_Denominators.csv", encoding="utf-8-sig",
                        thousands=",", usecols=[0, 4])
    file6.columns = ["lsoa_code", "population"]
    out = file1.merge(scores[["lsoa_code", "imd_score"]], on="lsoa_code", how="left").merge(
        file6, on="lsoa_code", how="left")
    return out[["lsoa_code", "lsoa_name", "lad_code", "lad_name", "imd_score", "imd_rank", "imd_decile", "population"]]


def percentile_band(values: pd.Series) -> pd.Series:
    """Low (bottom 20%), medium (middle 60%) or high (top 20%) by rank among ``values``.

    >>> percentile_band(pd.Series(range(10))).tolist()
    ['low', 'low', 'medium', 'medium', 'medium', 'medium', 'medium', 'medium', 'high', 'high']
    """
    pct = values.rank(pct=True, method="average")
    return pd.Series(np.where(pct <= 0.2, "low", np.where(pct > 0.8, "high", "medium")), index=values.index)


def area_summary(lsoas: pd.DataFrame, score: str = "deri_score", by: str = "lad_name",
                 weight: str = "population") -> pd.DataFrame:
    """Population-weighted mean of ``score`` per ``by`` area, with range, LSOA count, a band by
    percentile among the areas given, and the rule-of-use caveat."""
    data = lsoas.dropna(subset=[score])
    w = data[weight].astype(float) if weight in data else pd.Series(1.0, index=data.index)
    grouped = data.assign(_w=w, _ws=w * data[score]).groupby(by, observed=True)
    out = pd.DataFrame({
        "lsoas": grouped.size(),
        "population": grouped["_w"].sum(),
        "weighted_mean": grouped["_ws"].sum() / grouped["_w"].sum(),
        "min": grouped[score].min(),
        "max": grouped[score].max(),
    }).reset_index()
    out["band"] = percentile_band(out["weighted_mean"])
    out["caveat"] = RULE_OF_USE
    return out


def compare_with_heat_map(summary: pd.DataFrame, heat_map: dict[str, str] | None = None,
                          by: str = "lad_name") -> pd.DataFrame:
    """Bands beside the Get Digital Heat Map grades; ``agrees`` is reported, not forced."""
    heat_map = heat_map or HEAT_MAP_2017_LEICESTERSHIRE
    out = summary.loc[summary[by].isin(heat_map)].copy()
    out["heat_map_2017"] = out[by].map(heat_map)
    out["agrees"] = out["band"] == out["heat_map_2017"]
    return out
