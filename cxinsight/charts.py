"""Charts for notebooks and reports: colour-blind-safe, static, with alt text and a takeaway.

:func:`show` renders a matplotlib figure as an ``<img>`` with alt text (so the HTML report is
accessible and works offline), followed by the one-sentence plain-English takeaway.
"""

from __future__ import annotations

import base64
import html
import io

import matplotlib
import pandas as pd

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

from cxinsight.wording import label, possessive  # noqa: E402,F401  (notebooks call charts.label)

PALETTE = sns.color_palette("colorblind")


def setup() -> None:
    """House style: colour-blind palette, readable sizes, no chart junk; and every table shown
    through a pandas Styler escapes its text, so markup in an export's values is shown, never run."""
    from cxinsight.publish import escape_tables

    escape_tables()
    sns.set_theme(style="whitegrid", palette="colorblind", rc={"figure.dpi": 100, "axes.titleweight": "bold",
                                                              "axes.spines.top": False,
                                                              "axes.spines.right": False})


def figure_html(fig, alt: str, takeaway: str = "") -> str:
    """The figure as an inline PNG ``<img>`` with alt text, plus its takeaway paragraph."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    out = f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}"/>'
    if takeaway:
        out += f'<figcaption class="takeaway"><strong>Takeaway:</strong> {html.escape(takeaway)}</figcaption>'
    return out + "</figure>"


def show(fig, alt: str, takeaway: str = "") -> None:
    """Display a figure in a notebook with alt text and a takeaway under it."""
    from IPython.display import HTML, display

    display(HTML(figure_html(fig, alt, takeaway)))


def interval_bars(ax, names, estimate, low, high, *, colour=None, scale: float = 1.0, limits=None,
                  xlabel: str = "", title: str = "", top_down: bool = False, zero_line: bool = False,
                  legend: str | None = None) -> list[str]:
    """Horizontal bars of estimates, each with its interval as a black whisker: the one way the
    reports draw a figure and its range. Returns the bar labels as drawn
    (``names`` as given: label codes with :func:`label` first).

    ``scale=100`` shows shares as percentages; ``limits`` fixes the axis (``(0, 100)`` for shares);
    ``top_down=True`` puts the first row at the top (else the last row is on top, so a table sorted
    ascending reads largest-first); ``zero_line`` marks 0 (effects, NPS); ``colour``: one colour or one
    per bar; ``legend``: the bars' name in a legend. An interval that does not hold its estimate draws
    no whisker on that side.

    >>> fig, ax = plt.subplots()
    >>> interval_bars(ax, [label("web"), "Phone"], [0.2, 0.4], [0.15, 0.35], [0.25, 0.45], scale=100, limits=(0, 100))
    ['Web', 'Phone']
    >>> [round(p.get_width()) for p in ax.patches]
    [20, 40]
    >>> plt.close(fig)
    """
    labels = [str(n) for n in names]
    est, lo, hi = (pd.to_numeric(pd.Series(list(x)), errors="coerce").to_numpy(float) * scale
                   for x in (estimate, low, high))
    ax.barh(labels, est, color=colour if colour is not None else PALETTE[0], alpha=0.9, label=legend)
    below, above = (est - lo).clip(min=0), (hi - est).clip(min=0)
    ax.errorbar(est, labels, xerr=[below, above], fmt="none", ecolor="black", capsize=3, lw=1)
    if zero_line:
        ax.axvline(0, color="grey", lw=1)
    if limits is not None:
        ax.set_xlim(*limits)
    if top_down:
        ax.invert_yaxis()
    if xlabel:
        ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    return labels


def legend_below(ax, ncol: int = 3, **kwargs) -> None:
    """The legend under the axes, never over a bar or a line."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=ncol, fontsize=8, frameon=False, **kwargs)


TOP_SERVICES = 12  # charts of services show the largest this many and "all other"
ALL_OTHER = "all_other"


def top_n(values: pd.Series, n: int = TOP_SERVICES, other: str = ALL_OTHER) -> pd.Series:
    """Keep the ``n`` commonest values and call the rest ``other``: a real feed's hundreds of
    categories stay readable on a chart (the full list is in the analyst's tables).

    >>> top_n(pd.Series(["a", "a", "b", "c"]), n=1).tolist()
    ['a', 'a', 'all_other', 'all_other']
    """
    text = values.astype("str")
    keep = text.value_counts().index[:n]
    return text.where(text.isin(keep), other)


def time_bins(when: pd.Series) -> tuple[str, str]:
    """A resampling frequency that suits the span of the data: weeks for a year, days for a month,
    hours for a day's extract. Returns ``(pandas frequency, unit in words)``.

    >>> time_bins(pd.Series(pd.to_datetime(["2024-04-01", "2025-03-31"])))
    ('W-MON', 'week')
    >>> time_bins(pd.Series(pd.to_datetime(["2022-05-01 00:00", "2022-05-01 02:00"])))
    ('h', 'hour')
    """
    span = when.max() - when.min() if len(when) else pd.Timedelta(0)
    if span >= pd.Timedelta(days=56):
        return "W-MON", "week"
    if span >= pd.Timedelta(days=3):
        return "D", "day"
    return "h", "hour"


def largest(frame: pd.DataFrame, size: str, n: int = TOP_SERVICES, what: str = "services",
            in_table: bool = True) -> tuple[pd.DataFrame, str]:
    """The ``n`` rows with the largest ``size`` (in their original order) for a chart, and a phrase
    saying so when rows were left off ("" otherwise). Tables keep every row.

    >>> shown, note = largest(pd.DataFrame({"service": list("abc"), "n": [5, 50, 20]}), "n", n=2)
    >>> shown["service"].tolist(), note
    (['b', 'c'], ': the 2 largest of 3 services (all are in the table)')
    """
    if len(frame) <= n:
        return frame, ""
    shown = frame.loc[frame[size].nlargest(n).index.sort_values()]
    return shown, f": the {n} largest of {len(frame)} {what}" + (" (all are in the table)" if in_table else "")
