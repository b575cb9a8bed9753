"""GMCA's Digital Exclusion Risk Index (DERI), reproduced from LSOA indicators.

Method (``../shared/data/deri``, domain.md s.2):

1. Each indicator is min-max scored to 0-10 within a *scaling base*: each local authority district
   (``"district"``, v1.0's default), each nation (``"nation"``) or all of Great Britain (``"gb"``):
   ``10 * (x - min) / (max - min)``; reversed (``10 * (max - x) / (max - min)``) for average
   download speed, where a lower value means higher risk.
2. Indicator scores are weighted into components; weights are on GMCA's 0-10 scale (v1.2) and are
   normalised to sum to 1 within each component.
3. Components are weighted (3/3/3 by default, normalised) into the DERI score, 0 (low risk) to 10.

Weight sets: ``DeriWeights.v1_2()`` (age component: 65+ and 75+) and ``DeriWeights.v1_4()``
(demography component: 65-74, 75+, disability, social grade DE). Custom weights and a custom set of
areas (any frame of LSOAs) are supported; :func:`correlation_check` warns where two indicators
double-count.

Where and why this differs from GMCA's published implementation:

- GMCA's v1.4 Tableau formula for the demography component normalises the two age terms over the
  two age weights only, but disability and social grade DE over all four weights, so with the
  default weights (5, 5, 2, 2) the component can exceed 10; it also uses the 65+ score where the
  text specifies 65-74. Here every component's weights are normalised together (a true weighted
  mean) and v1.4 uses % aged 65-74, as the documentation says.
- An indicator with no spread within its base (max == min) has no defined score; GMCA's formula
  divides by zero. Here it scores 0 and a warning names the base.
- An indicator missing from the input is left out and the remaining weights of its component are
  renormalised (as setting its GMCA weight to 0 would do), with a warning.

Rules of use (GMCA): the index is relative; it is not for targets or for change over time. Use it
as the likelihood half of a risk matrix.

>>> import pandas as pd
>>> minmax_score(pd.Series([10.0, 20.0, 30.0])).tolist()
[0.0, 5.0, 10.0]
>>> minmax_score(pd.Series([10.0, 20.0, 30.0]), reverse=True).tolist()
[10.0, 5.0, 0.0]
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

RULE_OF_USE = ("DERI is relative (0 = lowest risk, 10 = highest risk in the comparison base): use it to "
               "prioritise, not as a target or to measure change over time (GMCA).")

# indicator -> (description, reversed?)
INDICATORS: dict[str, tuple[str, bool]] = {
    "pct_65_plus": ("% of population aged 65+", False),
    "pct_65_74": ("% of population aged 65-74", False),
    "pct_75_plus": ("% of population aged 75+", False),
    "pct_disabled": ("% of residents whose day-to-day activities are limited", False),
    "pct_social_grade_de": ("% of population in social grade DE", False),
    "pct_no_qualifications": ("% of residents aged 16+ with no qualifications", False),
    "pct_pension_credit": ("guaranteed Pension Credit (over-65s)", False),
    "claimant_rate": ("alternative claimant count / unemployment rate", False),
    "imd_score": ("Index of Multiple Deprivation score", False),
    "pct_premises_below_30mbit": ("% of premises unable to receive 30 Mbit/s", False),
    "pct_connections_below_10mbit": ("% of connections receiving under 10 Mbit/s", False),
    "avg_download_mbit": ("average download speed (Mbit/s)", True),
}


@dataclass(frozen=True)
class DeriWeights:
    """Indicator weights by component and component weights, on GMCA's 0-10 scale.

    >>> DeriWeights.v1_4().normalised()["demography"]["pct_65_74"]
    0.35714285714285715
    """

    components: dict[str, dict[str, float]]
    component_weights: dict[str, float]
    version: str = "custom"
    source: str = ""

    @classmethod
    def v1_2(cls) -> DeriWeights:
        """v1.2 defaults: age (65+ 5, 75+ 5), broadband (3, 3, 3), deprivation (no quals 4, pension
        credit 2, IMD 2, unemployment 2); components 3/3/3. Source: GMCA DERI v1.2 update notes."""
        return cls({"age": {"pct_65_plus": 5, "pct_75_plus": 5},
                    "broadband": {"pct_premises_below_30mbit": 3, "pct_connections_below_10mbit": 3,
                                  "avg_download_mbit": 3},
                    "deprivation": {"pct_no_qualifications": 4, "pct_pension_credit": 2, "imd_score": 2,
                                    "claimant_rate": 2}},
                   {"age": 3, "broadband": 3, "deprivation": 3}, "v1.2",
                   "GMCA DERI Version 1.2/Update notes_v1.2.md")

    @classmethod
    def v1_4(cls) -> DeriWeights:
        """v1.4 defaults: demography (65-74 5, 75+ 5, disability 2, social grade DE 2), broadband and
        deprivation as v1.2; components 3/3/3. Source: GMCA DERI v1.4 update notes."""
        base = cls.v1_2()
        components = {"demography": {"pct_65_74": 5, "pct_75_plus": 5, "pct_disabled": 2, "pct_social_grade_de": 2},
                      "broadband": base.components["broadband"], "deprivation": base.components["deprivation"]}
        return cls(components, {"demography": 3, "broadband": 3, "deprivation": 3}, "v1.4",
                   "GMCA DERI Version 1.4/Update notes_v1.4.md")

    def normalised(self, available: set[str] | None = None) -> dict[str, dict[str, float]]:
        """Indicator weights divided by their component's total (only ``available`` indicators)."""
        out = {}
        for comp, weights in self.components.items():
            kept = {k: float(v) for k, v in weights.items() if (available is None or k in available) and v > 0}
            total = sum(kept.values())
            if total > 0:
                out[comp] = {k: v / total for k, v in kept.items()}
        return out


def minmax_score(values: pd.Series, groups: pd.Series | None = None, reverse: bool = False) -> pd.Series:
    """0-10 min-max score of ``values``, within each of ``groups`` (or overall); reversed if asked."""
    x = pd.Series(values, dtype="float64")
    if groups is None:
        lo, hi = x.min(), x.max()
        lo = pd.Series(lo, index=x.index)
        hi = pd.Series(hi, index=x.index)
    else:
        g = pd.Series(groups, index=x.index)
        lo, hi = x.groupby(g).transform("min"), x.groupby(g).transform("max")
    spread = hi - lo
    flat = spread == 0
    if flat.any():
        where = sorted(set(pd.Series(groups, index=x.index)[flat].astype(str))) if groups is not None else ["all"]
        warnings.warn(f"indicator {values.name!r} has no spread within {where[:5]}; scored 0 there",
                      stacklevel=2)
    score = 10 * ((hi - x) if reverse else (x - lo)) / spread.where(~flat)
    return score.where(~flat, 0.0).where(x.notna())


def deri_scores(areas: pd.DataFrame, weights: DeriWeights | None = None, scale: str = "district",
                district: str = "lad_code", nation: str = "nation") -> pd.DataFrame:
    """Indicator, component and DERI scores for every area (LSOA) in ``areas``.

    ``scale``: ``"district"`` (min-max within ``areas[district]``), ``"nation"`` (within
    ``areas[nation]``) or ``"gb"`` (across all rows given). Returns ``areas`` plus
    ``score_<indicator>``, ``<component>_component`` and ``deri_score`` columns.
    """
    weights = weights or DeriWeights.v1_4()
    if scale not in {"district", "nation", "gb"}:
        raise ValueError(f"scale must be 'district', 'nation' or 'gb', found {scale!r}")
    groups = None
    if scale != "gb":
        col = district if scale == "district" else nation
        if col not in areas.columns:
            raise ValueError(f"scale={scale!r} needs a {col!r} column; the areas have {list(areas.columns)}")
        groups = areas[col]
    wanted = {k for comp in weights.components.values() for k in comp}
    available = {k for k in wanted if k in areas.columns}
    missing = sorted(wanted - available)
    if missing:
        warnings.warn(f"indicators {missing} are missing; their components are reweighted without them",
                      stacklevel=2)
    norm = weights.normalised(available)
    out = areas.copy()
    for ind in sorted(available):
        out[f"score_{ind}"] = minmax_score(areas[ind].rename(ind), groups, reverse=INDICATORS.get(ind, ("", False))[1])
    comp_total = sum(float(weights.component_weights.get(c, 0)) for c in norm)
    deri = pd.Series(0.0, index=areas.index)
    for comp, w in norm.items():
        out[f"{comp}_component"] = sum(out[f"score_{ind}"] * wt for ind, wt in w.items())
        deri = deri + out[f"{comp}_component"] * float(weights.component_weights.get(comp, 0)) / comp_total
    out["deri_score"] = deri
    out.attrs["deri"] = {"version": weights.version, "scale": scale, "rule_of_use": RULE_OF_USE}
    return out


def deri_from_components(components: pd.DataFrame, weights: dict[str, float] | None = None) -> pd.Series:
    """The DERI score as the weighted mean of component scores (default: equal weights).

    >>> deri_from_components(pd.DataFrame({"a": [3.0], "b": [6.0], "c": [9.0]})).tolist()
    [6.0]
    """
    weights = weights or {c: 1.0 for c in components.columns}
    total = sum(weights.values())
    return sum(components[c] * w / total for c, w in weights.items())


def correlation_check(areas: pd.DataFrame, indicators: list[str] | None = None, threshold: float = 0.8,
                      method: str = "spearman") -> pd.DataFrame:
    """Pairs of indicators correlated beyond ``threshold`` (|r|): candidates for double counting.

    Returns ``indicator_a, indicator_b, r``; warns when any pair is found.
    """
    cols = [c for c in (indicators or list(INDICATORS)) if c in areas.columns]
    corr = areas[cols].corr(method=method)
    rows = [{"indicator_a": a, "indicator_b": b, "r": round(float(corr.loc[a, b]), 3)}
            for i, a in enumerate(cols) for b in cols[i + 1:] if abs(corr.loc[a, b]) > threshold]
    pairs = pd.DataFrame(rows, columns=["indicator_a", "indicator_b", "r"])
    if len(pairs):
        warnings.warn(f"{len(pairs)} indicator pair(s) correlate beyond |r| = {threshold}: "
                      + "; ".join(f"{r.indicator_a} ~ {r.indicator_b} ({r.r})" for r in pairs.itertuples()),
                      stacklevel=2)
    return pairs


def risk_band(scores: pd.Series, cuts: tuple[float, float] = (10 / 3, 20 / 3)) -> pd.Series:
    """Low / medium / high bands of a 0-10 score (thirds by default).

    >>> risk_band(pd.Series([1.0, 5.0, 9.0])).tolist()
    ['low', 'medium', 'high']
    """
    return pd.Series(pd.cut(scores, [-np.inf, cuts[0], cuts[1], np.inf], labels=["low", "medium", "high"]),
                     index=scores.index).astype(str).where(scores.notna())
