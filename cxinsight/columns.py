"""Fast tests on a column: equality with one value and membership in a set, without turning every
row into a Python string first.

A category column is compared by its codes (one lookup of the value among its categories), an Arrow
string column by Arrow's kernels; anything else as pandas does. At 6 million contacts,
``contacts["service"].astype(str) == "parking"`` builds 6 million Python strings per call, and a
page asks it many times.

>>> import pandas as pd
>>> s = pd.Series(["a", "b", None, "a"], dtype="category")
>>> equals(s, "a").tolist(), equals(s, "z").tolist()
([True, False, False, True], [False, False, False, False])
>>> member(pd.Series(["a", "b", None, "c"], dtype="string[pyarrow]"), pd.Series(["c", "a", "a"])).tolist()
[True, False, False, True]
>>> positions(pd.Series(["c", "z", None]), pd.Series(["a", "b", "c"])).tolist()
[2, -1, -1]

:func:`contiguous` puts each Arrow column of a frame read from Parquet in one piece, so taking rows
from it costs what the rows taken cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def equals(values: pd.Series, value) -> pd.Series:
    """``values.astype(str) == str(value)`` as a boolean Series (missing values are never equal)."""
    value = str(value)
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = values.cat.categories
        where = np.flatnonzero(cats.astype(str) == value)
        codes = values.cat.codes.to_numpy()
        return pd.Series(np.isin(codes, where) if len(where) else np.zeros(len(values), bool), index=values.index)
    arrow = getattr(values.array, "_pa_array", None)
    if arrow is not None and pd.api.types.is_string_dtype(values.dtype):
        import pyarrow.compute as pc

        out = pc.equal(arrow, value).fill_null(False)
        return pd.Series(out.to_numpy(zero_copy_only=False), index=values.index)
    return values.astype(str).eq(value) & values.notna()


def member(values: pd.Series, pool) -> pd.Series:
    """``values.isin(pool)`` as a boolean Series, by Arrow's hash-set membership on the distinct values
    of ``pool`` (pandas' ``isin`` on Arrow strings converts every value to a Python object first: at 3M
    contacts most of a page's time). Nulls are never members."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        left, right = _arrow(values), _arrow(pd.unique(pd.Series(pool).dropna()))
        if left.type != right.type:
            right = right.cast(left.type)
        found = pc.is_in(left, value_set=right, skip_nulls=True).fill_null(False)
        return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return values.isin(pd.Series(pool))


def positions(values: pd.Series, pool: pd.Series) -> np.ndarray:
    """Each value's position in ``pool`` (its first occurrence), -1 where it is not there or missing:
    ``pd.Index(pool).get_indexer(values)`` by Arrow's hash kernels, without a hash table of millions
    of Python strings (a reviewed contact's row among a council's contacts)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        left, right = _arrow(values), _arrow(pool)
        if left.type != right.type:
            left, right = left.cast(pa.string()), right.cast(pa.string())
        return pc.index_in(left, value_set=right, skip_nulls=True).fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return pd.Index(pool.astype(str)).get_indexer(values.astype(str))


def _arrow(values):
    """``values`` as a plain Arrow array (a category column's dictionary decoded)."""
    import pyarrow as pa

    out = pa.array(values, from_pandas=True)
    return out.dictionary_decode() if isinstance(out, pa.DictionaryArray) else out


def contiguous(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each Arrow-backed column in one contiguous piece (same values, same dtypes).

    Parquet and CSV readers hand Arrow columns over in pieces (a million contacts' notes in eight).
    Taking rows from a column in pieces (``frame.loc[mask]``, ``frame.iloc[rows]``) costs Arrow about
    what copying the whole column costs, however few rows are taken: 300 rows of a million
    contacts took 18 ms, against 1 ms from one piece. Joining the pieces once, when a frame is
    read, makes every later selection pay for its own rows only.

    >>> two = pd.concat([pd.Series(["a", None]), pd.Series(["b"])], ignore_index=True).to_frame("x")
    >>> one = contiguous(two)
    >>> one["x"].array._pa_array.num_chunks, one.equals(two), one.dtypes.equals(two.dtypes)
    (1, True, True)
    """
    if not frame.columns.is_unique:
        return frame
    import pyarrow as pa
    from pandas.arrays import ArrowExtensionArray, ArrowStringArray

    whole = {}
    for name, values in frame.items():
        array = values.array
        if not isinstance(array, ArrowExtensionArray):  # (ArrowStringArray is one)
            continue
        pieces = array._pa_array
        if isinstance(pieces, pa.ChunkedArray) and pieces.num_chunks > 1:
            one = pa.chunked_array([pieces.combine_chunks()], type=pieces.type)
            joined = type(array)(one, dtype=values.dtype) if isinstance(array, ArrowStringArray) else type(array)(one)
            whole[name] = pd.Series(joined, index=frame.index, name=name)
    return frame.assign(**whole) if whole else frame
