"""Words the numbers support: the phrases a page builds its sentences from, made from the numbers.

Every sentence that compares, ranks or recommends goes through here, so the same rule holds on
every page:

- a range is said the way a person would say it, its ends rounded outward from the exact bounds
  (:func:`range_words`, :func:`figure_words`), and it is the same range wherever the figure appears;
- a count in a sentence is rounded to 5, and 1 to 7 is ``*`` (:func:`about`);
- "the highest" only when the top interval lies wholly above every other (:func:`clearly_highest`);
- "the best lever" only when its chance of a positive net present value is at least 80%
  (:data:`BEST_LEVER_CHANCE`), else "no lever clearly pays at these costs" (:func:`best_lever`).

>>> figure_words(24_000, -21_000, 67_000, "money")
'about £24k; could be anything from a £21k loss to a £67k gain'
>>> clearly_highest(["Phone", "Webchat"], [0.52, 0.46], [0.39, 0.43], [0.65, 0.49]) is None
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence

#: The chance of a positive net present value a lever needs before a page calls it the one to lead
#: with (issue 29; a lever below it is "not clearly paying": 1 in 5 of the simulated outcomes or
#: more lose money).
BEST_LEVER_CHANCE = 0.80


def _shown(x: float, kind: str, outward: str | None = None) -> str:
    from cxinsight.publish import figure_text

    return figure_text(kind, x, outward)


def range_words(low: float, high: float, kind: str = "share") -> str:
    """A range as a person would say it, each end rounded outward (never narrower than computed).

    >>> range_words(0.4249, 0.4551), range_words(56_400, 236_600, "money")
    ('between 42% and 46%', 'between £56k and £237k')
    >>> range_words(-21_000, 67_000, "money"), range_words(-30_500, -2_000, "money")
    ('from a £21k loss to a £67k gain', 'a loss of between £2k and £31k')
    >>> range_words(-13.2, -8.1, "score")
    'between -14 and -8'
    """
    lo, hi = _shown(low, kind, "down"), _shown(high, kind, "up")
    if kind == "money" and low < 0 <= high:
        return f"from a {lo.lstrip('-')} loss to a {hi} gain" if hi not in ("£0", "£0k") else \
            f"from a {lo.lstrip('-')} loss to breaking even"
    if kind == "money" and high < 0:
        return f"a loss of between {hi.lstrip('-')} and {lo.lstrip('-')}"
    return f"between {lo} and {hi}"


def range_said(low: float, high: float, kind: str = "share") -> str:
    """A range with its lead-in: "likely" for a 95% interval, "could be" for a simulated range.

    >>> range_said(0.4249, 0.4551)
    'likely between 42% and 46%'
    >>> range_said(56_400, 236_600, "money"), range_said(-30_500, -2_000, "money")
    ('could be anything from £56k to £237k', 'could be a loss of between £2k and £31k')
    """
    words = range_words(low, high, kind)
    if kind != "money":
        return f"likely {words}"
    if words.startswith("between"):
        return "could be anything from " + words[len("between "):].replace(" and ", " to ", 1)
    return ("could be anything " if words.startswith("from") else "could be ") + words


def figure_words(estimate: float, low: float | None, high: float | None, kind: str = "share") -> str:
    """A figure and its range in one phrase: ``about 44%; likely between 42% and 46%``; money says
    "could be anything from" (a simulated range, not a sampling interval).

    >>> figure_words(0.44, 0.4249, 0.4551)
    'about 44%; likely between 42% and 46%'
    >>> figure_words(24_000, -21_000, 67_000, "money")
    'about £24k; could be anything from a £21k loss to a £67k gain'
    >>> figure_words(0.44, None, None)
    'about 44% (no range yet)'
    """
    value = _shown(estimate, kind)
    if low is None or high is None or any(isinstance(x, float) and math.isnan(x) for x in (low, high)):
        return f"about {value} (no range yet)"
    return f"about {value}; {range_said(low, high, kind)}"


def about(n: int) -> str:
    """A count for a sentence: rounded to 5 (1 to 7 as ``*``), as every table shows it.

    >>> about(5_628), about(1_244), about(3)
    ('about 5,630', 'about 1,245', 'fewer than 8')
    """
    shown = count_said(n)
    return shown if shown.startswith("fewer") or shown == "0" else f"about {shown}"


def clearly_highest(names: Sequence[str], estimates: Sequence[float], lows: Sequence[float],
                    highs: Sequence[float]) -> str | None:
    """The name whose whole interval lies above every other's, or None when no interval separates
    (a superlative is said only when the intervals support it).

    >>> clearly_highest(["Phone", "Webchat", "Email"], [0.60, 0.40, 0.30], [0.55, 0.35, 0.20], [0.65, 0.45, 0.40])
    'Phone'
    >>> clearly_highest(["Other", "Webchat"], [0.52, 0.50], [0.39, 0.47], [0.65, 0.53]) is None
    True
    """
    if len(names) < 2:
        return None
    top = max(range(len(names)), key=lambda i: estimates[i])
    others = [highs[i] for i in range(len(names)) if i != top]
    return str(names[top]) if lows[top] > max(others) else None


def best_lever(levers, chance: float = BEST_LEVER_CHANCE):
    """The lever to lead with: the highest median net present value among those whose chance of a
    positive one is at least ``chance``; None when no lever clearly pays.

    ``levers``: a frame with ``npv_p50`` and ``chance_positive`` (:meth:`cxinsight.analysis.Savings.levers`).

    >>> import pandas as pd
    >>> levers = pd.DataFrame({"lever": ["a", "b"], "npv_p50": [30.0, 50.0], "chance_positive": [0.9, 0.7]})
    >>> best_lever(levers)["lever"]
    'a'
    >>> best_lever(levers.assign(chance_positive=[0.6, 0.7])) is None
    True
    """
    paying = levers.loc[levers["chance_positive"] >= chance]
    if paying.empty:
        return None
    return paying.loc[paying["npv_p50"].idxmax()]


def chance_words(p: float) -> str:
    """A probability as "9 in 10" (rounded down, so never more confident than it is).

    >>> chance_words(0.873), chance_words(0.999), chance_words(0.04)
    ('8 in 10', 'more than 9 in 10', 'fewer than 1 in 10')
    """
    if p >= 0.95:
        return "more than 9 in 10"
    if p < 0.1:
        return "fewer than 1 in 10"
    return f"{math.floor(10 * p)} in 10"


def change_words(points: float) -> str:
    """A change in points as every page says it: "up 3 points", "down 1 point"; a change that rounds
    to 0 but is not nothing is "a change of less than 1 point" (so "45% against 46%" never reads
    "no change", and "-3 against -3" never reads "down").

    >>> change_words(2.6), change_words(-1.2), change_words(-0.4), change_words(0.0)
    ('up 3 points', 'down 1 point', 'a change of less than 1 point', 'no change')
    """
    if abs(points) < 0.005:
        return "no change"
    size = math.floor(abs(points) + 0.5)
    if size == 0:
        return "a change of less than 1 point"
    return f"{'up' if points > 0 else 'down'} {size} point{'s' if size != 1 else ''}"


def count_said(n: int) -> str:
    """A count in prose: rounded to 5 as the tables show it, but 1 to 7 said as "fewer than 8" (a
    bare ``*`` means nothing in a sentence).

    >>> count_said(1_244), count_said(3), count_said(0)
    ('1,245', 'fewer than 8', '0')
    """
    from cxinsight.publish import count_text, small_max

    shown = count_text(int(n))
    return f"fewer than {small_max() + 1}" if shown == "*" else shown


def clearly_most(draws: dict, share: float = 0.9) -> tuple[str | None, float]:
    """Which option earns the most over paired simulated outcomes (the same draws for each option):
    ``(name, chance)`` where ``chance`` is the share of draws in which the option with the highest
    median beats every other; ``name`` is None unless that chance is at least ``share`` (the 10th
    percentile of its lead over each other option is above zero).

    >>> import numpy as np
    >>> rng = np.random.default_rng(0); base = rng.normal(0, 10, 1000)
    >>> clearly_most({"a": base + 5, "b": base})[0], clearly_most({"a": base + rng.normal(1, 5, 1000), "b": base})[0]
    ('a', None)
    """
    import numpy as np

    names = list(draws)
    values = np.vstack([np.asarray(draws[n], dtype=float) for n in names])
    top = int(np.argmax(np.median(values, axis=1)))
    others = np.delete(values, top, axis=0)
    chance = float((values[top] > others).all(axis=0).mean()) if len(others) else 1.0
    return (names[top] if chance >= share else None), chance
