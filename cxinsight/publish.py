"""The last gate before a reader: small-number suppression and safe CSV values.

Small numbers (domain.md s.7, NHS England rule for sub-national tables): counts 1-7 are shown as
``*``; every other count is rounded to the nearest 5; percentages are computed from the rounded
counts.

>>> suppress_counts(pd.Series([0, 3, 8, 12, 1234])).tolist()
['0', '*', '10', '10', '1,235']
>>> print(safe_csv_value("=SUM(A1:A9)"))
'=SUM(A1:A9)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SMALL_MAX = 7


def round_to_5(values: pd.Series) -> pd.Series:
    """Counts rounded to the nearest 5 (halves up), with 1-7 set to missing.

    >>> round_to_5(pd.Series([0, 5, 7, 8, 13])).tolist()
    [0.0, nan, nan, 10.0, 15.0]
    """
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    rounded = np.floor(v / 5 + 0.5) * 5
    return rounded.where(~v.between(1, SMALL_MAX))


def suppress_counts(values: pd.Series) -> pd.Series:
    """Counts as text for publication: ``*`` for 1-7, others rounded to 5 with thousands commas."""
    rounded = round_to_5(values)
    raw = pd.to_numeric(values, errors="coerce")
    text = rounded.map(lambda x: f"{x:,.0f}" if pd.notna(x) else "")
    return text.where(~raw.between(1, SMALL_MAX), "*")


def suppress_table(frame: pd.DataFrame, count_columns: list[str]) -> pd.DataFrame:
    """A copy of ``frame`` with each named count column suppressed and rounded."""
    out = frame.copy()
    for col in count_columns:
        out[col] = suppress_counts(out[col])
    return out


def share_of_rounded(counts: pd.Series) -> pd.Series:
    """Percentages computed from rounded counts (suppressed ones count as missing)."""
    rounded = round_to_5(counts)
    return 100 * rounded / rounded.sum()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_csv_value(value: object) -> object:
    """Neutralise a value Excel would run as a formula by prefixing a single quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell of ``frame`` made safe to open in Excel."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            text = out[col].astype("str")
            risky = text.str.startswith(_FORMULA_START).fillna(False)
            out[col] = text.where(~risky, "'" + text)
    return out
