"""The integer forms issue 31 gave the review's strata, a reviewed contact's row and a page's scope
give what the label-per-contact forms gave (property tests on made-up frames, with missing values,
pooling and ids of other types)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from cxinsight.columns import positions
from cxinsight.demand.review import _joined_labels, _pooled, stratum_codes, stratum_labels

SERVICES = ["bins", "council_tax", "parking", "a / b", None]


@st.composite
def contacts(draw):
    n = draw(st.integers(1, 60))
    rows = st.tuples(st.sampled_from(SERVICES), st.sampled_from(["failure", "value"]),
                     st.floats(0, 1), st.sampled_from(["text", "none", "repeat"]))
    data = draw(st.lists(rows, min_size=n, max_size=n))
    frame = pd.DataFrame(data, columns=["service", "demand", "demand_confidence", "demand_source"])
    if draw(st.booleans()):
        frame["service"] = frame["service"].astype("category")
    return frame


@settings(max_examples=40, deadline=None)
@given(contacts(), st.integers(0, 6), st.booleans())
def test_stratum_codes_are_the_labels_made_contact_by_contact(frame, pooled_below, within):
    frame = frame.dropna(subset=["service"])
    if frame.empty:
        return
    by = ["service", "demand_band"]
    pooled_within = ["demand_band"] if within else []
    codes, names = stratum_codes(frame, by, pooled_below, pooled_within)
    # the way the labels were made before issue 31: one per contact, then pooled by their counts
    labels = _joined_labels(frame, by)
    expected = _pooled(labels, pooled_below, _joined_labels(frame, pooled_within) if within and pooled_below else None)
    assert list(names[codes]) == list(expected)
    assert list(names) == sorted(set(expected))
    assert list(stratum_labels(frame, by, pooled_below, pooled_within)) == list(expected)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text("abc", max_size=3)), max_size=30),
       st.lists(st.text("abc", max_size=3), max_size=30, unique=True), st.booleans())
def test_positions_are_get_indexer_on_text(values, pool, arrow):
    dtype = "string[pyarrow]" if arrow else object
    got = positions(pd.Series(values, dtype=dtype), pd.Series(pool, dtype=dtype))
    expected = pd.Index(pool, dtype=object).get_indexer([v if v is not None else "\0missing" for v in values])
    assert got.tolist() == expected.tolist()


def test_positions_match_ids_written_as_numbers_and_as_text():
    assert positions(pd.Series(["12", "7", "x"]), pd.Series([7, 12])).tolist() == [1, 0, -1]
    assert positions(pd.Series([12, 99]), pd.Series(["12", "7"])).tolist() == [0, -1]
    assert np.asarray(positions(pd.Series([], dtype=object), pd.Series(["a"]))).size == 0
