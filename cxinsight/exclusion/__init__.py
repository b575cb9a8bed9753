"""Digital exclusion: area risk (GMCA's DERI on LSOAs) and, in later work, customer segments.

- :mod:`cxinsight.exclusion.deri`: reproduce the DERI from LSOA indicators.
- :mod:`cxinsight.exclusion.public`: read GMCA's published scores and the English IMD 2019, and
  summarise areas to wards or local authorities, population-weighted.
"""

from cxinsight.exclusion.deri import (
    RULE_OF_USE,
    DeriWeights,
    correlation_check,
    deri_from_components,
    deri_scores,
    minmax_score,
    risk_band,
)

__all__ = ["RULE_OF_USE", "DeriWeights", "correlation_check", "deri_from_components", "deri_scores",
           "minmax_score", "risk_band"]
