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

#: The Okabe-Ito colours (Okabe and Ito, "Color Universal Design", 2008), which readers with any common
#: colour-vision deficiency tell apart, each with at least 3:1 contrast against white (WCAG 2.2 AA,
#: 1.4.11 non-text contrast; tests/test_palette.py): orange and sky blue darkened (their hue kept)
#: to reach it, vermillion darkened so that deuteranopes still tell it from orange, yellow left out
#: (no yellow reaches 3:1). Kept in the order of seaborn's "colorblind" palette, which the notebooks
#: were written for: blue, orange, green, vermillion, purple, sky blue, black, grey.
OKABE_ITO = {"blue": "#0072B2", "orange": "#C28600", "bluish green": "#009E73", "vermillion": "#A84500",
             "reddish purple": "#CC79A7", "sky blue": "#229DE2", "black": "#000000", "grey": "#767676"}
PALETTE = list(OKABE_ITO.values())
#: Customer groups by how much help they need to go online, from none (blue) to the most (vermillion,
#: the colour that asks for attention): "likely excluded" is a group to keep a route open for, so it
#: is never drawn in a "good" green. The charts name each group in words as well (a label or a legend
#: with hatching), so they read without colour.
SEGMENT_COLOURS = {"self_serve": OKABE_ITO["blue"], "could_shift_with_support": OKABE_ITO["orange"],
                   "likely_excluded": OKABE_ITO["vermillion"]}
SEGMENT_HATCHES = {"self_serve": "", "could_shift_with_support": "//", "likely_excluded": "xx"}
#: Hatching for the parts of a stacked bar, in palette order, so that a chart whose series only a
#: legend names still reads without colour (printed in grey, or by a reader who sees no hue).
HATCHES = ["", "//", "xx", "..", "\\\\", "++", "--", "oo"]
#: The colour of chart text (titles, labels, ticks): the pages' ink, 17:1 against white.
INK = "#1b1b1b"


def contrast_ratio(colour: str, background: str = "#ffffff") -> float:
    """WCAG 2.2's contrast ratio of two ``#rrggbb`` colours, from 1 (none) to 21 (black on white):
    at least 4.5 for text, 3 for lines, bars and other graphics a reader needs (1.4.3, 1.4.11).

    >>> round(contrast_ratio("#000000"), 1), round(contrast_ratio(OKABE_ITO["blue"]), 2)
    (21.0, 5.19)
    """
    def luminance(hex_colour: str) -> float:
        rgb = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(colour), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def setup() -> None:
    """House style: colour-blind-safe palette (:data:`PALETTE`), text in the pages' ink, readable sizes, no chart junk; and every table shown
    through a pandas Styler escapes its text, so markup in an export's values is shown, never run."""
    from cxinsight.publish import escape_tables

    escape_tables()
    sns.set_theme(style="whitegrid", palette=PALETTE, rc={"figure.dpi": 100, "axes.titleweight": "bold",
                                                        "axes.spines.top": False, "axes.spines.right": False,
                                                        "text.color": INK, "axes.labelcolor": INK,
                                                        "xtick.color": INK, "ytick.color": INK})


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
    ax.barh(labels, est, color=colour if colour is not None else PALETTE[0], label=legend)  # opaque: 3:1 on white
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


def labelled(values: pd.Series) -> pd.Series:
    """``values.map(label)`` for a column without missing values, with :func:`label` called once per
    distinct value rather than once per contact (a million contacts hold a dozen services).

    >>> labelled(pd.Series(["council_tax", "web", "council_tax"])).tolist()
    ['Council tax', 'Web', 'Council tax']
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    made = pd.Series([label(u) for u in uniques], dtype=object)
    return pd.Series(made.to_numpy()[codes], index=values.index, name=values.name, dtype="str")


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


STEP = {"week": pd.Timedelta(days=7), "day": pd.Timedelta(days=1), "hour": pd.Timedelta(hours=1)}


def period_start(when: pd.Series, unit: str) -> pd.Series:
    """When the period each moment falls in began: the Monday of its week, its day, its hour.

    >>> period_start(pd.Series(pd.to_datetime(["2025-01-14 09:30", "2025-01-19 23:00"])), "week").dt.date.tolist()
    [datetime.date(2025, 1, 13), datetime.date(2025, 1, 13)]
    """
    if unit == "week":
        return when.dt.normalize() - pd.to_timedelta(when.dt.day_of_week, unit="D")
    return when.dt.floor("D" if unit == "day" else "h")


def counts_over_time(when: pd.Series, group: pd.Series | None = None) -> tuple[pd.DataFrame, str, int]:
    """Contacts in each whole period of the export (weeks for a year; days or hours for short
    extracts, :func:`time_bins`): a row per period, labelled by when it began (a week on its Monday),
    with the periods in between that had none as 0, and a column per ``group`` (one, ``contacts``,
    without). Returns ``(counts, unit, cut)``.

    The export is taken to cover whole days, from its first contact's day to its last's. A week it
    only partly covers (cut by its start or end) is left out, so it is never compared with whole
    weeks, and ``cut`` says how many were; a week it covers whole is kept, empty or not.

    >>> when = pd.Series(pd.to_datetime(["2024-01-03 10:00", "2024-01-08 09:00", "2024-01-09 12:00",
    ...                                  "2024-03-04 08:00", "2024-03-06 17:00"]))
    >>> counts, unit, cut = counts_over_time(when)
    >>> unit, cut, counts.index[0].date().isoformat(), counts.index[-1].date().isoformat(), int(counts.iloc[0, 0])
    ('week', 2, '2024-01-08', '2024-02-26', 2)
    """
    when = pd.to_datetime(pd.Series(when))
    keep = when.notna().to_numpy()
    when = when.loc[keep]
    keys = (pd.Series("contacts", index=when.index) if group is None
            else pd.Series(group).loc[keep].astype("str").fillna("not recorded"))
    _, unit = time_bins(when)
    step = STEP[unit]
    if when.empty:
        return pd.DataFrame(index=pd.DatetimeIndex([])), unit, 0
    start = period_start(when, unit)
    counts = pd.crosstab(start.to_numpy(), keys.to_numpy()).rename_axis(index=None, columns=None)
    counts = counts.reindex(pd.date_range(start.min(), start.max(), freq=step), fill_value=0)
    # what the export covers: whole days (whole hours for an extract of a day or two)
    first, last = when.min(), when.max()
    covered = ((first.normalize(), last.normalize() + pd.Timedelta(days=1)) if unit != "hour"
               else (first.floor("h"), last.floor("h") + step))
    whole = (counts.index >= covered[0]) & (counts.index + step <= covered[1])
    return counts.loc[whole], unit, int((~whole).sum())


def busiest(counts: pd.DataFrame, unit: str, cut: int = 0) -> str:
    """The takeaway of :func:`counts_over_time`'s chart: when the busiest period began (a week by
    its Monday), never an empty period, and which periods were left out.

    >>> counts = pd.DataFrame({"contacts": [5, 9, 0]}, index=pd.date_range("2024-01-08", periods=3, freq="7D"))
    >>> busiest(counts, "week", cut=2)
    'The busiest week began on Monday 15 January 2024 (weeks cut by the start or end of the export are left out).'
    >>> busiest(counts * 0, "week")
    'No week had any contacts.'
    >>> busiest(pd.DataFrame({"contacts": [300]}, index=pd.to_datetime(["2022-05-01"])), "hour")
    'Every contact came in one hour, which began at 00:00 on 01 May 2022.'
    """
    total = counts.sum(axis=1) if len(counts.columns) else pd.Series(dtype=float)
    left_out = f" ({unit}s cut by the start or end of the export are left out)" if cut else ""
    if total.empty or total.max() <= 0:
        return f"No {'whole ' if cut else ''}{unit} had any contacts{left_out}."
    peak = total.idxmax()
    ties = int((total == total.max()).sum())
    when = {"week": f"began on Monday {peak:%d %B %Y}", "day": f"was {peak:%A %d %B %Y}",
            "hour": f"began at {peak:%H:%M} on {peak:%d %B %Y}"}[unit]
    if len(total) == 1:  # an extract inside one hour: nothing to compare it with
        return f"Every contact came in one {unit}, which {when.replace('was ', 'was on ')}{left_out}."
    also = f", the first of {ties} equally busy {unit}s" if ties > 1 else ""
    return f"The busiest {unit} {when}{also}{left_out}."


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


ORDINALS = {1: "1st", 2: "2nd", 3: "3rd"}


def _flow_colour(step: str):
    """A step's colour by what it was: a complaint, a failure (a chase, a repeat...), a request, other."""
    if "complaint" in step:
        return PALETTE[4]
    if step == "other" or step.startswith("("):
        return PALETTE[7]
    return PALETTE[0] if step in ("phone", "visit", "email", "web form", "web chat", "letter", "social media",
                                  "other channel") else PALETTE[1]


def flow_chart(flows: pd.DataFrame, title: str = "", width: float = 10.0):
    """A static Sankey-style chart of journeys step by step, from a flows table (``step, source, target,
    journeys``: :func:`cxinsight.journeys.flows`): a column of boxes per contact (1st, 2nd...), each box a
    kind of contact sized by its journeys (the number beside it rounded as the tables round it), and
    bands from each box to the boxes of the next step. A box's height left without a band is the
    journeys that ended there. Colours: blue a request, orange a failure (a chase, a repeat...), purple
    a complaint, grey other (named in a legend under the chart). Returns the figure (show it with :func:`show`, its alt text and takeaway).

    >>> f = pd.DataFrame({"step": [1, 1, 2], "source": ["web form", "web form", "phone chase"],
    ...                   "target": ["phone chase", "(ended)", "(ended)"], "journeys": [40, 60, 40]})
    >>> fig = flow_chart(f, "Waste")
    >>> len(fig.axes[0].patches) > 0
    True
    >>> plt.close(fig)
    """
    from matplotlib.patches import PathPatch, Rectangle
    from matplotlib.path import Path as MPath

    from cxinsight.publish import count_text

    steps = sorted(int(s) for s in flows["step"].unique()) if len(flows) else []
    fig, ax = plt.subplots(figsize=(width, 5.5))
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    if not steps:
        ax.text(0.5, 0.5, "Too few journeys to draw", ha="center", va="center")
        return fig
    moves = flows.loc[~flows["target"].str.startswith("(")]
    # each box's size: the journeys leaving it (ending included), or arriving, whichever is larger
    size: dict[tuple[int, str], float] = {}
    for (step, source), n in flows.groupby(["step", "source"])["journeys"].sum().items():
        size[(int(step), source)] = float(n)
    for (step, target), n in moves.groupby(["step", "target"])["journeys"].sum().items():
        key = (int(step) + 1, target)
        size[key] = max(size.get(key, 0.0), float(n))
    last = max(k for k, _ in size)
    columns = range(1, last + 1)
    totals = {k: sum(v for (s, _), v in size.items() if s == k) for k in columns}
    scale = 0.9 / max(totals.values())
    gap, box = 0.02, 0.12
    top: dict[tuple[int, str], float] = {}
    for k in columns:
        y = 0.95
        for name in sorted((lbl for s, lbl in size if s == k), key=lambda lbl: (-size[(k, lbl)], lbl)):
            h = size[(k, name)] * scale
            top[(k, name)] = y
            ax.add_patch(Rectangle((k - box / 2, y - h), box, h, color=_flow_colour(name), alpha=0.95))
            ax.text(k + box / 2 + 0.03, y - h / 2, f"{name} ({count_text(int(round(size[(k, name)])))})",
                    va="center", fontsize=8)
            y -= h + gap
        ax.text(k, 1.0, f"{ORDINALS.get(k, f'{k}th')} contact", ha="center", va="bottom", fontsize=9,
                fontweight="bold")
    out_used = dict.fromkeys(top, 0.0)
    in_used = dict.fromkeys(top, 0.0)
    order = {key: i for i, key in enumerate(sorted(top, key=lambda key: (key[0], -top[key])))}
    for row in moves.assign(_o=[order.get((int(s) + 1, t), 0) for s, t in zip(moves["step"], moves["target"],
                                                                               strict=True)]).sort_values(
            ["step", "source", "_o"]).itertuples():
        src, dst = (int(row.step), row.source), (int(row.step) + 1, row.target)
        h = row.journeys * scale
        y0 = top[src] - out_used[src]
        y1 = top[dst] - in_used[dst]
        out_used[src] += h
        in_used[dst] += h
        x0, x1 = src[0] + box / 2, dst[0] - box / 2
        mid = (x0 + x1) / 2
        verts = [(x0, y0), (mid, y0), (mid, y1), (x1, y1), (x1, y1 - h), (mid, y1 - h), (mid, y0 - h), (x0, y0 - h),
                 (x0, y0)]
        codes = [MPath.MOVETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4, MPath.LINETO, MPath.CURVE4, MPath.CURVE4,
                 MPath.CURVE4, MPath.CLOSEPOLY]
        ax.add_patch(PathPatch(MPath(verts, codes), facecolor=_flow_colour(row.target), alpha=0.35, lw=0))
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=PALETTE[0], label="a request"), Patch(color=PALETTE[1], label="failure demand"),
                       Patch(color=PALETTE[4], label="a complaint"), Patch(color=PALETTE[7], label="other")],
              loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=4, fontsize=8, frameon=False)
    ax.set_xlim(0.7, last + 0.9)
    ax.set_ylim(min(0.0, min(top[k] - size[k] * scale for k in top) - 0.02), 1.06)
    return fig
