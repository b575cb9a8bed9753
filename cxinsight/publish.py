"""The last gate before a reader: small-number suppression and safe CSV values.

Small numbers (domain.md s.7, NHS England rule for sub-national tables): counts 1-7 are shown as
``*``; every other count is rounded to the nearest 5; percentages are computed from the rounded
counts. A council may make the rule stricter, never weaker (``publishing:`` in its council.yaml,
:mod:`cxinsight.settings`): a larger threshold or rounding base.

Which rule is in force: :func:`rules` (a :class:`Publishing`), read by every function here. It is
the one piece of process-wide state in the library, because the rule is applied in dozens of places
(these functions, the headline figures, every page) that cannot all be handed it:
:func:`cxinsight.analysis.load_analysis` puts the council's rule in force (:func:`activate`) when a
page loads its analysis, and :func:`using` sets one for a block. Read the threshold with
:func:`small_max`, not :data:`SMALL_MAX` (the default, the floor a council may raise).

>>> suppress_counts(pd.Series([0, 3, 8, 12, 1234])).tolist()
['0', '*', '10', '10', '1,235']
>>> with using(Publishing(small_max=10, round_to=10)):
...     suppress_counts(pd.Series([0, 3, 8, 12, 1234])).tolist()
['0', '*', '*', '10', '1,230']
>>> print(safe_csv_value("=SUM(A1:A9)"))
'=SUM(A1:A9)
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

#: Counts from 1 to this are shown as ``*`` (NHS England rule for sub-national tables, domain.md s.7).
#: The default and the floor: the rule in force is :func:`small_max`.
SMALL_MAX = 7
#: Other counts are rounded to the nearest multiple of this (the same rule); in force: :func:`round_base`.
ROUND_TO = 5
#: A service page needs at least this many contacts for its figures to mean anything (judgement).
MIN_SERVICE_CONTACTS = 30
#: Service pages go to at most this many services, the largest (judgement: a real feed can have hundreds
#: of categories; the rest are in the council's reports).
MAX_SERVICE_REPORTS = 30
#: An NPS is shown only on at least this many responses: its interval still covers 93-97% at 30 with
#: extreme scores (:mod:`cxinsight.experience`; Rocks 2016, The American Statistician 70(4)).
MIN_NPS_RESPONSES = 30
#: Where the publishing defaults come from, for a reader.
PUBLISHING_SOURCE = "the NHS England rule for sub-national tables"


@dataclass(frozen=True)
class Publishing:
    """The publishing rule: counts from 1 to ``small_max`` shown as ``*``, others rounded to the nearest
    ``round_to``; service pages for at most ``max_service_reports`` services with at least
    ``min_service_contacts`` contacts; an NPS on at least ``min_nps_responses`` responses.
    ``council``: the names the council set (council.yaml), the rest being the defaults.

    Never weaker than the default: a smaller threshold, rounding base or NPS minimum is refused.

    >>> Publishing(small_max=5)
    Traceback (most recent call last):
    ...
    ValueError: small_max: expected a whole number of at least 7 (a council may make the publishing rules stricter, never weaker: the NHS England rule for sub-national tables shows counts of 1 to 7 as *), found 5
    """

    small_max: int = SMALL_MAX
    round_to: int = ROUND_TO
    min_service_contacts: int = MIN_SERVICE_CONTACTS
    max_service_reports: int = MAX_SERVICE_REPORTS
    min_nps_responses: int = MIN_NPS_RESPONSES
    council: tuple[str, ...] = ()

    def __post_init__(self):
        for name, value, floor, why in (
                ("small_max", self.small_max, SMALL_MAX, f"{PUBLISHING_SOURCE} shows counts of 1 to {SMALL_MAX} as *"),
                ("round_to", self.round_to, ROUND_TO, f"{PUBLISHING_SOURCE} rounds other counts to the nearest "
                                                      f"{ROUND_TO}"),
                ("min_nps_responses", self.min_nps_responses, MIN_NPS_RESPONSES,
                 f"an NPS interval on fewer than {MIN_NPS_RESPONSES} responses no longer covers as it says")):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < floor:
                raise ValueError(f"{name}: expected a whole number of at least {floor} (a council may make "
                                 f"the publishing rules stricter, never weaker: {why}), found {value!r}")
        if self.round_to % ROUND_TO:
            raise ValueError(f"round_to: expected a multiple of {ROUND_TO}, found {self.round_to!r}")
        if self.min_service_contacts <= self.small_max:
            raise ValueError(f"min_service_contacts: expected more than small_max ({self.small_max}): a service "
                             f"page on fewer contacts could show nothing but *, found {self.min_service_contacts!r}")
        if self.max_service_reports < 0:
            raise ValueError(f"max_service_reports: expected 0 or more, found {self.max_service_reports!r}")

    def said(self) -> str:
        """The rule in words, for a page's footer or glossary, saying whose it is.

        >>> Publishing().said()
        'Counts of 1 to 7 are shown as * and other counts are rounded to the nearest 5 (the NHS England rule for sub-national tables).'
        """
        whose = (f"the council's own rule, stricter than {PUBLISHING_SOURCE}: 1 to {SMALL_MAX}, nearest {ROUND_TO}"
                 if {"small_max", "round_to"} & set(self.council) else PUBLISHING_SOURCE)
        return (f"Counts of 1 to {self.small_max} are shown as * and other counts are rounded to the nearest "
                f"{self.round_to} ({whose}).")


_ACTIVE: list[Publishing] = [Publishing()]  # the rule in force: one per process (see the module's note)


def rules() -> Publishing:
    """The publishing rule in force (the council's, once its analysis is loaded; else the default)."""
    return _ACTIVE[0]


def small_max() -> int:
    """Counts from 1 to this are shown as ``*`` (the rule in force: 7 unless the council's is stricter)."""
    return _ACTIVE[0].small_max


def round_base() -> int:
    """Counts are rounded to the nearest multiple of this (the rule in force: 5 unless the council's is larger)."""
    return _ACTIVE[0].round_to


def activate(rule: Publishing) -> Publishing:
    """Put ``rule`` in force for the rest of this process; returns the rule it replaces."""
    if not isinstance(rule, Publishing):
        raise TypeError(f"expected a publish.Publishing, found {type(rule).__name__}")
    before, _ACTIVE[0] = _ACTIVE[0], rule
    return before


@contextmanager
def using(rule: Publishing) -> Iterator[Publishing]:
    """``rule`` in force inside the block, the one before it restored after."""
    before = activate(rule)
    try:
        yield rule
    finally:
        activate(before)


def _small(v: pd.Series) -> pd.Series:
    """Counts of 1 to :func:`small_max`, and counts scaled to a year (not whole) that are above 0 and
    round to it or less."""
    return (v > 0) & (np.round(v) <= small_max())


def round_to_5(values: pd.Series) -> pd.Series:
    """Counts rounded to the nearest 5 (halves up; the council's larger base where it set one,
    :func:`round_base`), with 1-7 (1 to :func:`small_max`) set to missing (and a count scaled to a
    year that is above 0 and rounds to 7 or less: 0.4 and 7.3 are small, 7.6 is not).

    >>> round_to_5(pd.Series([0, 5, 7, 8, 13, 0.4, 7.3, 7.6])).tolist()
    [0.0, nan, nan, 10.0, 15.0, nan, nan, 10.0]
    """
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    base = round_base()
    rounded = np.floor(v / base + 0.5) * base
    return rounded.where(~_small(v))


def suppress_counts(values: pd.Series) -> pd.Series:
    """Counts as text for publication: ``*`` for 1-7, others rounded to 5 with thousands commas."""
    rounded = round_to_5(values)
    raw = pd.to_numeric(values, errors="coerce").astype("float64")
    text = rounded.map(lambda x: f"{x:,.0f}" if pd.notna(x) else "")
    return text.where(~_small(raw), "*")


def count_text(n: int) -> str:
    """One count for a sentence, as the tables show it: ``*`` for 1-7, others rounded to 5.

    >>> count_text(3), count_text(1234), count_text(0)
    ('*', '1,235', '0')
    """
    # :func:`suppress_counts` of a one-value Series, worked on the one number (a sentence, a base or a
    # card asks for one count thousands of times a report: a Series each time cost a millisecond)
    try:
        v = np.float64(n)
    except (TypeError, ValueError):
        v = np.float64("nan")
    if v > 0 and np.round(v) <= small_max():
        return "*"
    if np.isnan(v):
        return ""
    base = round_base()
    return f"{np.floor(v / base + 0.5) * base:,.0f}"


def suppress_table(frame: pd.DataFrame, count_columns: list[str]) -> pd.DataFrame:
    """A copy of ``frame`` with each named count column suppressed and rounded."""
    out = frame.copy()
    for col in count_columns:
        out[col] = suppress_counts(out[col])
    return out


def escape_text(value: object) -> str:
    r"""A value from an export made safe to put in Markdown or HTML: markup is shown, never run,
    and Markdown's own signs are taken literally.

    >>> print(escape_text("<img src=x onerror=alert(1)> *bold*"))
    &lt;img src=x onerror=alert(1)&gt; \*bold\*
    """
    import html
    import re

    return re.sub(r"([\\`*_\[\]#|])", r"\\\1", html.escape(str(value)))


def escape_tables() -> None:
    """Every pandas Styler escapes its cells as HTML, however it is formatted afterwards.

    pandas' ``styler.format.escape`` option is lost as soon as a notebook calls ``.format({...})``,
    so the default of ``Styler.format`` itself is changed: a table's text can never become markup.
    """
    from pandas.io.formats.style import Styler

    if getattr(Styler.format, "_cxinsight_escapes", False):
        return
    original = Styler.format

    def format(self, formatter=None, subset=None, na_rep=None, precision=None, decimal=".", thousands=None,
               escape="html", hyperlinks=None):
        return original(self, formatter, subset, na_rep, precision, decimal, thousands, escape, hyperlinks)

    format._cxinsight_escapes = True
    format.__doc__ = original.__doc__
    Styler.format = format
    pd.set_option("styler.format.escape", "html")


def money(x: float) -> str:
    """Pounds for a reader, in thousands, the sign before the pound; under £500 either way, to the
    nearest £100 (never "£0k" for a figure that is not nothing).

    >>> money(-62_400), money(1_234_567), money(-400), money(20), money(0)
    ('-£62k', '£1,235k', '-£400', '£0', '£0')
    """
    if round(x / 1000) == 0:
        hundreds = round(x / 100) * 100
        return "£0" if hundreds == 0 else f"{'-' if hundreds < 0 else ''}£{abs(hundreds):,.0f}"
    return f"{'-' if round(x / 1000) < 0 else ''}£{abs(x) / 1000:,.0f}k"


def share_of_rounded(counts: pd.Series) -> pd.Series:
    """Percentages computed from rounded counts (suppressed ones count as missing)."""
    rounded = round_to_5(counts)
    return 100 * rounded / rounded.sum()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_csv_value(value: object) -> object:
    r"""Neutralise a value a spreadsheet would run as a formula (a single quote in front, also when
    spaces hide the sign) and put line breaks inside a cell on one line, so no value can start a
    formula or a new row.

    >>> safe_csv_value("@SUM(1)"), safe_csv_value("two\r\nlines"), safe_csv_value(" =1+1"), safe_csv_value(-3)
    ("'@SUM(1)", 'two lines', "' =1+1", -3)
    """
    if not isinstance(value, str):
        return value
    if "\n" in value or "\r" in value:
        value = " ".join(value.splitlines())
    if value.startswith(_FORMULA_START) or value.lstrip().startswith(("=", "+", "-", "@")):
        value = "'" + value
    return value


def safe_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell of ``frame`` (text, object or categorical columns) made safe to open in Excel."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if isinstance(series.dtype, pd.CategoricalDtype) or series.dtype == object or \
                pd.api.types.is_string_dtype(series):
            missing = series.isna()
            out[col] = series.astype("object").where(missing, series.astype("str").map(safe_csv_value))
    return out


def write_csv(frame: pd.DataFrame, path) -> Path:
    """Write a table a reader may download: formula-safe, one line per row, text quoted, UTF-8 with
    a BOM so Excel reads it. Numbers stay plain numbers."""
    import csv

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    safe_csv_frame(frame).to_csv(path, index=False, encoding="utf-8-sig", quoting=csv.QUOTE_NONNUMERIC)
    return path


def gives_away(k, n):
    """Whether a share of ``k`` in ``n`` shown beside its base would give away a count of 1 to 7:
    ``k`` or ``n - k`` from 1 to 7 (``k`` rounded to a whole count). Works on numbers or Series.

    >>> gives_away(3, 40), gives_away(95, 100), gives_away(50, 100)
    (True, True, False)
    """
    k = np.round(k)
    most = small_max()
    small = (1 <= k) & (k <= most) | (1 <= n - k) & (n - k <= most)
    return bool(small) if np.ndim(small) == 0 else small


def pinning(frame: pd.DataFrame, share: str = "estimate", base: str = "n", low: str | None = "low",
            high: str | None = "high") -> pd.Series:
    """For each row of ``frame``, whether its share (a fraction), with its base and its interval
    (``low``, ``high`` where the frame has them), gives away a count of 1 to 7
    (:func:`pins_small_count`). A share already suppressed (missing) pins nothing.

    >>> pinning(pd.DataFrame({"estimate": [10 / 15, 0.5], "n": [15, 1000]}), low=None).tolist()
    [True, False]
    """
    has = [c for c in (low, high) if c is not None and c in frame]
    out = [pins_small_count(r[share], r[base], (r[low], r[high]) if len(has) == 2 else None)
           if pd.notna(r[share]) and pd.notna(r[base]) else False
           for r in frame.to_dict("records")]
    return pd.Series(out, index=frame.index, dtype=bool)


def suppress_pinned(frame: pd.DataFrame, share: str = "estimate", base: str = "n",
                    columns: tuple[str, ...] = ("estimate", "low", "high")) -> pd.DataFrame:
    """A copy of ``frame`` (a share, its base and its interval per row, as computed) with ``columns``
    blanked in every row whose share pins a count of 1 to 7 (:func:`pinning`), and a ``suppressed``
    column saying why (:func:`suppressed_note`; empty where shown). The figures stage calls it on
    every table a page draws or writes from, so a page cannot show such a share, or a chart draw it.

    >>> f = pd.DataFrame({"estimate": [10 / 15, 0.5], "low": [0.42, 0.47], "high": [0.85, 0.53], "n": [15, 1000]})
    >>> suppress_pinned(f)[["estimate", "suppressed"]].values.tolist()
    [[nan, 'not shown: with its base it would give away a count of 1 to 7'], [0.5, '']]
    """
    low, high = (c if c in frame else None for c in ("low", "high"))
    pins = pinning(frame, share, base, low, high) if len(frame) else pd.Series(dtype=bool)
    out = frame.copy()
    for col in columns:
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64").where(~pins)
    out["suppressed"] = pd.Series("", index=out.index, dtype=object).where(~pins, suppressed_note())
    return out


def drawable(frame: pd.DataFrame, share: str = "estimate", base: str = "n") -> pd.DataFrame:
    """The rows of ``frame`` whose share may be drawn: a bar or point whose count (share x base), or
    whose complement, would be 1 to 7, or that its interval pins to 1 to 7 (:func:`pins_small_count`),
    is left out, as a table leaves it out (:func:`suppress_shares`); so is one already suppressed.

    >>> drawable(pd.DataFrame({"estimate": [0.1, 0.5, None], "n": [40, 40, 40]}))["n"].tolist()
    [40]
    """
    if frame.empty:
        return frame
    keep = frame[share].notna() & ~pinning(frame, share, base)
    return frame.loc[keep]


def suppress_shares(frame: pd.DataFrame, numerator: str, base: str, shares: list[str]) -> pd.DataFrame:
    """Blank every share (and its interval) that, with its base, would give away a count of 1 to 7:
    where the numerator, or the base minus the numerator, is from 1 to 7. Numbers become missing
    (show them with ``na_rep="*"``), text becomes ``*``. Call before the counts are rounded.

    >>> f = pd.DataFrame({"k": [3, 50, 96], "n": [40, 100, 100], "pct": [7.5, 50.0, 96.0], "ci": ["a", "b", "c"]})
    >>> suppress_shares(f, "k", "n", ["pct", "ci"])[["pct", "ci"]].values.tolist()
    [[nan, '*'], [50.0, 'b'], [nan, '*']]
    """
    k = pd.to_numeric(frame[numerator], errors="coerce")
    n = pd.to_numeric(frame[base], errors="coerce")
    small = gives_away(k, n).to_numpy()
    out = frame.copy()
    for col in shares:
        if pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].where(~small)
        else:
            out[col] = out[col].astype(object).where(~small, "*")
    return out


#: What a share that would give away a count of 1 to 7 shows instead, and why (the tables' ``*``).
SUPPRESSED = "*"
#: The reason in plain English, wherever a share is not shown (tables, sentences, headline figures).
SUPPRESSED_NOTE = "not shown: with its base it would give away a count of 1 to 7"


def suppressed_note() -> str:
    """:data:`SUPPRESSED_NOTE` for the rule in force (the council's threshold where it set one).

    >>> suppressed_note()
    'not shown: with its base it would give away a count of 1 to 7'
    """
    return SUPPRESSED_NOTE.replace("1 to 7", f"1 to {small_max()}")


def is_suppressed_note(note: object) -> bool:
    """Whether ``note`` is the reason a share was suppressed (under any threshold)."""
    import re

    return bool(re.fullmatch(r"not shown: with its base it would give away a count of 1 to \d+", str(note or "")))


def pins_small_count(share=None, base=None, interval=None) -> bool:
    """Whether a share, with its base and its interval, gives away a count of 1 to :func:`small_max`:
    the count itself, or the rest of the base (base minus count). Only yes or no: the count is never
    handed back, so no caller can print it.

    Each of ``share``, ``base`` and ``interval`` is either what a page shows (text: ``"67%"``,
    ``"1,000 contacts"``, ``"42% to 85%"``; ``None`` or ``""`` when not shown) or the figure as
    computed (a share as a fraction, a base as a whole number, an interval as ``(low, high)``
    fractions). Figures as computed are tested twice: exactly (the count is share x base; every count
    the interval allows, with that base) and as the pages would show them (whole percentages, the
    base rounded to 5, the interval rounded outward), worked back as someone with the page would
    (:func:`_candidates`). A share pins a count when every count it is consistent with is 1 to 7, or
    every count outside it is.

    >>> pins_small_count(10 / 15, 15), pins_small_count("67%", "15")   # 5 outside the share
    (True, True)
    >>> pins_small_count("20%", "10"), pins_small_count(0.5, 1000), pins_small_count("*", "10")
    (True, False, False)
    >>> pins_small_count(None, 15, (0.47, 0.93))                      # 2 to 7 outside, whatever the share
    True
    >>> pins_small_count("67%", None, "42% to 85%")                   # no base: the Wilson interval gives 10 of 15
    True
    >>> pins_small_count("99.5", "1,400")                             # 1,393 of 1,400: 7 outside the share
    True
    """
    exact = [x for x in (share, base) if x is not None and not isinstance(x, str)]
    if exact or (interval is not None and not isinstance(interval, str)):
        if _pins_exactly(share, base, interval):
            return True
        share, base, interval = _as_shown(share, base, interval)
    return _pins_as_shown(share, base, interval)


def _number_or_none(x):
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def _pins_exactly(share, base, interval) -> bool:
    """The test on the figures as computed: the count (share x base) or the rest is 1 to 7, or every
    count the interval allows with that base is (or every rest)."""
    n = None if isinstance(base, str) else _number_or_none(base)
    if n is None or n <= 0:
        return False
    n = round(n)
    p = None if isinstance(share, str) else _number_or_none(share)
    if p is not None and gives_away(round(p * n), n):
        return True
    if interval is not None and not isinstance(interval, str):
        lo, hi = (_number_or_none(x) for x in interval)
        if lo is not None and hi is not None:
            ks = np.arange(math.ceil(lo * n - 1e-9), math.floor(hi * n + 1e-9) + 1)
            return _all_small(ks, n - ks)
    return False


def _as_shown(share, base, interval) -> tuple[str | None, str | None, str | None]:
    """Figures as computed, as the pages show them (text, as :mod:`cxinsight.headlines` writes it with
    :func:`percent_text`; publish does not import headlines, which imports it)."""
    if share is not None and not isinstance(share, str):
        p = _number_or_none(share)
        share = None if p is None else percent_text(p)
    if base is not None and not isinstance(base, str):
        n = _number_or_none(base)
        base = None if n is None else count_text(round(n))
    if interval is not None and not isinstance(interval, str):
        lo, hi = (_number_or_none(x) for x in interval)
        interval = None if lo is None or hi is None else f"{percent_text(lo, 'down')} to {percent_text(hi, 'up')}"
    return share, base, interval


def percent_text(x: float, outward: str | None = None) -> str:
    """A share as every page shows it: as recorded (4 decimals), then halves rounded up; ``outward``
    (``"down"`` or ``"up"``) rounds an interval's end away from the estimate
    (:func:`cxinsight.headlines.value_text` and ``interval_text`` use it).

    >>> percent_text(0.445), percent_text(0.7149, "down"), percent_text(0.7651, "up")
    ('45%', '71%', '77%')
    >>> percent_text(0.709996, "down"), percent_text(0.0000001, "up")  # never narrower than computed
    ('70%', '1%')
    """
    return f"{rounded_units(x, 0.01, outward)}%"


def figure_text(kind: str, x: float, outward: str | None = None) -> str:
    """A share, money, score or number as every page shows it (:func:`cxinsight.headlines.value_text`
    and ``interval_text`` add times of day): as recorded, halves rounded up; ``outward`` rounds an
    interval's end away from the estimate from its exact value (:func:`rounded_units`).

    >>> figure_text("share", 0.445), figure_text("money", 400), figure_text("money", -21_400, "down")
    ('45%', '£400', '-£22k')
    >>> figure_text("score", -16.5), figure_text("number", 1.777)
    ('-16', '1.78')
    """
    if kind == "share":
        return percent_text(x, outward)
    step = {"money": 1000.0, "number": 0.01}.get(kind, 1.0)
    units = rounded_units(x, step, outward)
    if kind == "money":  # under £500 (rounds to £0k): to the nearest £100 (:func:`money`)
        return money(units * 1000.0 if units or outward else float(x))
    if kind == "number":
        return f"{units / 100:.2f}"
    return f"{units:+d}"


def rounded_units(x: float, step: float, outward: str | None = None) -> int:
    """``x`` in whole units of ``step`` as every page shows it: a figure as recorded (4 decimals), halves
    rounded up; an interval's end (``outward="down"`` or ``"up"``) from its exact value, away from
    the estimate, so a range shown is never narrower than the one computed (only float noise, under
    a billionth of a step, is forgiven).

    >>> rounded_units(0.445, 0.01), rounded_units(0.70999, 0.01, "down"), rounded_units(0.7100000000001, 0.01, "up")
    (45, 70, 71)
    """
    if outward == "down":
        return math.floor(float(x) / step + 1e-9)
    if outward == "up":
        return math.ceil(float(x) / step - 1e-9)
    return math.floor(round(round(float(x), 4) / step, 6) + 0.5)


def _all_small(ks, rests) -> bool:
    """Every possible count is 1 to 7, or every possible rest is (there being any possibility)."""
    ks, rests = np.asarray(ks), np.asarray(rests)
    if not ks.size:
        return False
    most = small_max()
    return bool(((ks >= 1) & (ks <= most)).all() or ((rests >= 1) & (rests <= most)).all())


_PERCENT = r"(-?\d+(?:\.(\d+))?)"
#: A base never shown is looked for up to this (a Wilson interval on more is narrower than any shown).
_MOST_BASE = 200_000


def _wilson_shows(k, n, ends: tuple[float, float], places: int):
    """Which (k, n) have a Wilson interval that a page would show as ``ends`` (percentages at
    ``places`` decimals): rounded to the nearest or rounded outward, from the interval as computed
    or as stored (3 decimals)."""
    from cxinsight.stats import wilson

    _, lo, hi = wilson(np.asarray(k, float), np.asarray(n, float))
    unit = 10.0 ** places
    out = np.zeros(np.shape(lo), dtype=bool)
    for lo_, hi_ in ((lo, hi), (np.round(lo, 3), np.round(hi, 3))):
        a, b = np.round(np.round(lo_, 4) * 100 * unit, 6), np.round(np.round(hi_, 4) * 100 * unit, 6)
        for f, g in ((lambda v: np.floor(v + 0.5), lambda v: np.floor(v + 0.5)), (np.floor, np.ceil)):
            out |= (np.abs(f(a) / unit - ends[0]) < 1e-9) & (np.abs(g(b) / unit - ends[1]) < 1e-9)
        # ends rounded outward from their exact values (:func:`rounded_units`)
        a, b = np.floor(lo_ * 100 * unit + 1e-9), np.ceil(hi_ * 100 * unit - 1e-9)
        out |= (np.abs(a / unit - ends[0]) < 1e-9) & (np.abs(b / unit - ends[1]) < 1e-9)
    return out


def _candidates(share: str | None, base: str | None, interval: str | None):
    """Every (count, base) someone with the page could take the shown share, base and interval for,
    as two arrays; None when nothing can be worked out (a share suppressed, or no figure at all).

    A base ending in 0 or 5 was rounded, so it is anything within half the rounding base of it; a
    base not shown is any base whose Wilson interval shows as the interval given (none given: any
    base at all, so nothing is pinned). A share shown to whole percent is anything that rounds to it;
    an interval, where it is a Wilson interval, keeps only the counts that give exactly it, and in
    any case holds the share.
    """
    import re

    m = re.fullmatch(rf"\s*{_PERCENT}\s*%?\s*", str(share)) if share not in (None, "") else None
    if share not in (None, "") and not m:
        return None  # suppressed ("*", "too few to report") or not a share
    ends = [(float(x), len(d or "")) for x, d in re.findall(rf"{_PERCENT}%", str(interval or ""))]
    ends = ends if len(ends) == 2 else []
    if m:
        pct, places = float(m.group(1)), len(m.group(2) or "")
        half = 0.5 * 10 ** -places
        p_lo, p_hi = (pct - half) / 100, (pct + half) / 100
    elif ends:  # no share: the interval holds it
        places = max(d for _, d in ends)
        p_lo, p_hi = ends[0][0] / 100, ends[1][0] / 100
    else:
        return None
    if ends:  # the share lies inside its interval (rounded outward, or to the nearest)
        e_half = 0.5 * 10 ** -max(d for _, d in ends) / 100
        p_lo, p_hi = max(p_lo, ends[0][0] / 100 - e_half), min(p_hi, ends[1][0] / 100 + e_half)
    b = re.match(r"\s*(\*|[\d,]+)", str(base)) if base not in (None, "") else None
    if base not in (None, "") and (not b or b.group(1) == "*"):
        return None  # a base shown as * or as words: nothing to work from
    if b:
        shown = int(b.group(1).replace(",", ""))
        step = round_base()
        ns = (np.arange(max(shown - step // 2, 1), shown + (step + 1) // 2) if shown % step == 0
              else np.array([shown]))
    elif ends:
        ns = _bases_for(ends, p_lo, p_hi)
    else:
        return None  # a share alone: any base would do, so no count follows
    places_e = max((d for _, d in ends), default=0)
    ks_all, ns_all = [], []
    most = small_max()
    for chunk in np.array_split(ns, max(1, len(ns) // 5000)):
        lo_k = np.ceil(p_lo * chunk - 1e-9).astype(int).clip(min=0)
        hi_k = np.minimum(np.floor(p_hi * chunk + 1e-9).astype(int), chunk)
        width = hi_k - lo_k + 1
        keep = width > 0
        if not keep.any():
            continue
        reps = np.repeat(chunk[keep], width[keep])
        starts = np.repeat(lo_k[keep], width[keep])
        offsets = np.arange(len(reps)) - np.repeat(np.cumsum(width[keep]) - width[keep], width[keep])
        ks, n_ = starts + offsets, reps
        if not b:  # no base shown: only the bases whose Wilson interval shows as the one given
            hit = _wilson_shows(ks, n_, (ends[0][0], ends[1][0]), places_e)
            ks, n_ = ks[hit], n_[hit]
        ks_all.append(ks)
        ns_all.append(n_)
        if not b:  # enough seen once a count and a rest outside 1 to 7 are both possible
            seen_k, seen_n = np.concatenate(ks_all), np.concatenate(ns_all)
            if (~((seen_k >= 1) & (seen_k <= most))).any() and (~((seen_n - seen_k >= 1) & (seen_n - seen_k <= most))).any():
                break
    if not ks_all:
        return np.array([], int), np.array([], int)
    ks, ns_ = np.concatenate(ks_all), np.concatenate(ns_all)
    if ends and b:
        hit = _wilson_shows(ks, ns_, (ends[0][0], ends[1][0]), places_e)
        if hit.any():  # a Wilson interval: only the counts that give exactly it
            ks, ns_ = ks[hit], ns_[hit]
    return ks, ns_


def _bases_for(ends, p_lo: float, p_hi: float) -> np.ndarray:
    """The bases a shown Wilson interval could come from: those whose interval, at the share nearest
    one half, is still as wide as the one shown could be (a wider interval never shows narrower)."""
    from cxinsight.stats import Z95

    ns = np.arange(1, _MOST_BASE + 1, dtype=float)
    p = min(max(0.5, p_lo), p_hi)
    z2 = Z95 ** 2
    width = 2 * Z95 * np.sqrt(p * (1 - p) / ns + z2 / (4 * ns ** 2)) / (1 + z2 / ns)
    unit = 10.0 ** -max(d for _, d in ends) / 100
    shown = (ends[1][0] - ends[0][0]) / 100
    wide = width >= shown - 2 * unit - 1e-9
    most = int(ns[wide].max()) if wide.any() else 1
    return np.arange(1, most + 1)


def _pins_as_shown(share: str | None, base: str | None, interval: str | None) -> bool:
    found = _candidates(share, base, interval)
    if found is None:
        return False
    ks, ns = found
    return _all_small(ks, ns - ks)


def download_frame(frame: pd.DataFrame, counts=()) -> pd.DataFrame:
    """The analysis-ready version of a published table: plain numbers, the same disclosure control.

    Count columns hold the rounded count as a number, blank where it is 1 to 7 (their header says
    so); other columns are left as they are, so shares and interval ends stay numbers in their own
    columns.

    >>> download_frame(pd.DataFrame({"Service": ["a", "b"], "Contacts": [3, 1234]}), ["Contacts"]).to_dict("list")
    {'Service': ['a', 'b'], 'Contacts (rounded to 5; 1-7 blank)': [None, 1235]}
    """
    out = frame.copy()
    for col in counts:
        out[col] = round_to_5(out[col]).astype("Int64")
    said = f"rounded to {round_base()}; 1-{small_max()} blank"
    out = out.rename(columns={c: f"{c} ({said})" for c in counts})
    columns = {}
    for col in out.columns:  # display text ("44%", "£9k", "43% to 46%") becomes numbers in columns
        columns.update(_as_numbers(out[col], str(col)))
    return pd.DataFrame(columns, index=out.index)


_MISSING = {"", "*", "-", "too few to report", "not available", "not shown"}


def _number(text) -> tuple[float, str] | None:
    """``"44%"`` -> (44, "%"), ``"-£9k"`` -> (-9000, "£"), ``"+5"`` -> (5, ""), ``"year 4"`` -> (4,
    "year"), ``"1,235 contacts"`` -> (1235, "contacts"), a suppression mark -> (nan, ""); anything
    else None."""
    import re

    t = str(text).strip().replace(",", "")
    if t in _MISSING:
        return np.nan, ""
    if m := re.fullmatch(r"(-?)£(\d+(?:\.\d+)?)k", t):
        return (-1 if m.group(1) else 1) * float(m.group(2)) * 1000, "£"
    if m := re.fullmatch(r"([+-]?\d+(?:\.\d+)?)%", t):
        return float(m.group(1)), "%"
    if m := re.fullmatch(r"year (\d+)", t):
        return float(m.group(1)), "year"
    if re.fullmatch(r"[+-]?\d+(?:\.\d+)?", t):
        return float(t), ""
    if m := re.fullmatch(r"(\*|\d+) ([a-z][a-z0-9 ]*)", t):  # a base: "149930 contacts", "* customers"
        return (np.nan if m.group(1) == "*" else float(m.group(1))), m.group(2)
    return None


def _as_numbers(values: pd.Series, name: str) -> dict[str, pd.Series]:
    """A text column of figures as numbers (its unit in the header, or in a unit column when rows
    differ); a column of ranges ("a to b") as two columns, low and high. Anything else as it is.

    >>> _as_numbers(pd.Series(["43% to 46.5%", "*"]), "Range")["Range high (%)"].tolist()
    [46.5, nan]
    >>> sorted(_as_numbers(pd.Series(["44%", "£9k"]), "Figure"))
    ['Figure', 'Figure unit']
    """
    if pd.api.types.is_numeric_dtype(values) or values.isna().all():
        return {name: values}
    text = values.astype(str).where(values.notna(), "")
    parts = text.str.split(" to ", n=1, expand=True, regex=False)
    ranges = parts.shape[1] == 2 and (parts[1].notna() | text.isin(_MISSING)).all()
    pieces = {"low": parts[0], "high": parts[1].fillna("")} if ranges else {"": text}
    parsed = {k: [_number(x) for x in v] for k, v in pieces.items()}
    if any(p is None for ps in parsed.values() for p in ps):
        return {name: values}
    units = {u for ps in parsed.values() for _, u in ps if u}
    out = {}
    for k, ps in parsed.items():
        label = f"{name} {k}".strip()
        label = f"{label} ({next(iter(units))})" if len(units) == 1 else label
        numbers = pd.Series([v for v, _ in ps], index=values.index, dtype="float64")
        whole = numbers.dropna()
        out[label] = numbers.astype("Int64") if len(whole) and (whole == whole.round()).all() else numbers
    if len(units) > 1:
        out[f"{name} unit"] = pd.Series([next((u for _, u in (ps[i] for ps in parsed.values()) if u), "")
                                         for i in range(len(values))], index=values.index)
    return out


def table(frame: pd.DataFrame, caption: str, counts=(), formats: dict | str | None = None, csv_path=None,
          na_rep: str | None = None, precision: int | None = None, download: pd.DataFrame | None = None):
    """A table for a report: counts suppressed and rounded, a caption, no index; optionally the
    same (suppressed) table written as a safe CSV download, or ``download``, the same figures laid
    out for analysis, in its place (numbers in columns where the page has sentences). ``formats``,
    ``na_rep`` (what a missing or suppressed value shows; ``"-"`` once anything is formatted) and
    ``precision`` are pandas Styler's.

    >>> t = table(pd.DataFrame({"Service": ["Parking"], "Contacts": [3]}), "Contacts", counts=["Contacts"])
    >>> "<caption>Contacts</caption>" in t.to_html() and ">*<" in t.to_html()
    True
    """
    shown = suppress_table(frame, list(counts))
    if csv_path is not None:
        write_csv(download_frame(frame if download is None else download, counts), csv_path)
    styler = shown.style.hide(axis="index").set_caption(caption)
    if formats is None and na_rep is None and precision is None:
        return styler
    return styler.format(formats, na_rep="-" if na_rep is None else na_rep, precision=precision)


# ---- the last gate: a scan of every generated file -------------------------------------------
# Kinds the gate looks for. Long bare numbers (REFERENCE) are left out: reports are full of
# figures, and the redaction step upstream already removed references from free text.
#: What the last gate looks for with the redactor's own patterns (account references are left out:
#: a report may show record numbers). The independent detector (:mod:`cxinsight.gate`) runs beside it.
GATE_KINDS = ("EMAIL", "BANK", "CARD", "DOB", "PHONE", "NI_NUMBER", "NHS_NUMBER", "VEHICLE", "ADDRESS",
              "POSTCODE", "NAME")
SCANNED_SUFFIXES = (".html", ".csv", ".json", ".ipynb", ".txt", ".md")


class PersonalDataFound(RuntimeError):
    """A generated file holds something shaped like personal data; the run fails."""


def readable_text(path) -> str:
    """What a reader (or a search) could find in a generated file.

    HTML: the visible text and the attributes a reader meets (alt text, titles, links), not the
    markup or style sheets; notebooks: cell sources and outputs (HTML outputs read as HTML); CSV:
    each cell on a line of its own (like an HTML table's cells); everything: embedded images
    (``data:`` URIs) left out.
    """
    import json
    import re

    from cxinsight.htmlcheck import read_markup

    path = Path(path)
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    text = re.sub(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+", " ", text)
    if path.suffix == ".ipynb":
        nb = json.loads(text)
        parts = []
        for cell in nb.get("cells", []):
            parts.append("".join(cell.get("source", "")))
            for out in cell.get("outputs", []):
                parts.append("".join(out.get("text", "")))
                data = out.get("data", {})
                if "text/html" in data:
                    parts.append(read_markup("".join(data["text/html"])).text)
                elif "text/markdown" in data:
                    parts.append("".join(data["text/markdown"]))
                elif "text/plain" in data:
                    parts.append("".join(data["text/plain"]))
        return "\n".join(parts)
    if path.suffix in (".html", ".htm"):
        return read_markup(text, path).text
    if path.suffix == ".csv":  # cell by cell, as a reader sees them: a count beside a text is not "44, ... Rd"
        import csv
        import io

        return "\n|\n".join(cell for row in csv.reader(io.StringIO(text)) for cell in row)
    return text


def _scan_text(text: str) -> list[tuple[str, str, int]]:
    """``(detector, kind, count)`` for one text, both detectors."""
    from cxinsight import gate
    from cxinsight.privacy import find_personal_data

    return [(detector, kind, count)
            for detector, found in (("patterns", find_personal_data(text, GATE_KINDS)), ("gate", gate.scan(text)))
            for kind, count in found.items()]


#: What a vetted system name is read as in the text around it.
SYSTEM_NAME_STANDIN = "Service"


def vetted_system_names(names) -> tuple[list[str], list[str]]:
    """``(vetted, refused)``: each system name (a service, a category, the council's name) scanned on
    its own by both detectors. Only a name with nothing found in it is vetted.

    A page says "the failure-demand share by channel for Muni feedback": on its own "Muni feedback"
    holds no personal data, but "for" before a capitalised surname reads as a person to the gate.
    The last gate reads each vetted name as :data:`SYSTEM_NAME_STANDIN` in the text around it, so a
    sentence a template wrote about a service is not refused for the service's name; a name that is
    not vetted is left where it is, for the scan to find.

    >>> vetted_system_names(["Muni feedback", "Parking", "Mrs O'Neill bins", ""])
    (['Muni feedback', 'Parking'], ["Mrs O'Neill bins"])
    """
    vetted, refused = [], []
    for name in dict.fromkeys(str(n).strip() for n in names):
        if name:
            (refused if _scan_text(name) else vetted).append(name)
    return vetted, refused


def scan_for_personal_data(folder, system_names=()) -> pd.DataFrame:
    """Every generated file under ``folder`` scanned for personal data: ``file, detector, kind, count``.

    Two detectors look at each file: the redactor's own patterns and the independent gate
    (:mod:`cxinsight.gate`), built differently so that one blind spot does not pass both. A finding
    names the file, the detector and the kind, never the value, so the scan's own output is safe.
    ``system_names``: the run's service names and council name; each is scanned on its own and, if
    nothing is found in it, read as a neutral word in the text around it (:func:`vetted_system_names`).
    """
    import re

    vetted, _ = vetted_system_names(system_names)
    standin = (re.compile(r"(?<![\w])(?:" + "|".join(re.escape(n) for n in sorted(vetted, key=len, reverse=True))
                          + r")(?![\w])") if vetted else None)
    paths = [p for p in sorted(Path(folder).rglob("*")) if p.is_file() and p.suffix in SCANNED_SUFFIXES]
    rows = [{"file": str(path.relative_to(folder)), "detector": detector, "kind": kind, "count": count}
            for path, found in zip(paths, _scan_files(paths, standin), strict=True)
            for detector, kind, count in found]
    return pd.DataFrame(rows, columns=["file", "detector", "kind", "count"])


_SCAN: dict = {}  # the files' stand-in pattern a forked scanning worker inherits (not pickled)


def _scan_file(path: Path) -> list[tuple[str, str, int]]:
    text = readable_text(path)
    if _SCAN.get("standin") is not None:
        text = _SCAN["standin"].sub(SYSTEM_NAME_STANDIN, text)
    return _scan_text(text)


#: Files from which the scan is shared between forked processes (one per core, at most four): each
#: file is read by both detectors on its own, so the answer is the same either way (issue 31: the
#: last gate took 9-10 s on one core whatever the council's size).
SCAN_PARALLEL_FROM = 8


def _scan_files(paths: list[Path], standin) -> list[list[tuple[str, str, int]]]:
    """Each file's findings (:func:`_scan_text`), in the order given; shared across forked processes
    that inherit both detectors, already built, when there are enough files."""
    import multiprocessing
    import os

    workers = min(4, os.cpu_count() or 1, len(paths))
    _SCAN["standin"] = standin
    try:
        if workers < 2 or len(paths) < SCAN_PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
            return [_scan_file(p) for p in paths]
        from cxinsight.pools import process_pool

        _scan_text("Warm up both detectors before the processes fork")
        order = sorted(range(len(paths)), key=lambda i: -paths[i].stat().st_size)  # the largest first
        with process_pool(workers, "fork") as pool:
            found = dict(zip(order, pool.map(_scan_file, [paths[i] for i in order], chunksize=1), strict=True))
        return [found[i] for i in range(len(paths))]
    finally:
        _SCAN.clear()


def assert_no_personal_data(folder, system_names=()) -> None:
    """The last gate: raise :class:`PersonalDataFound`, naming file and kind, if anything is found
    (``system_names`` as in :func:`scan_for_personal_data`)."""
    found = scan_for_personal_data(folder, system_names)
    if len(found):
        lines = "; ".join(f"{r.file}: {r.count} x {r.kind} ({r.detector})" for r in found.itertuples())
        raise PersonalDataFound(f"personal data found in generated files under {folder}: {lines}. "
                                "Nothing here may be handed over until the source of it is fixed.")
