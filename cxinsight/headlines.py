"""Headline figures: each with its base and interval, recorded by the notebooks, read by the index.

A notebook run by :mod:`cxinsight.report` records its headline figures with :func:`record` into a
folder the runner gives it (``headlines_dir``); :func:`read_all` collects them for
``reports/index.html``. Keeping the numbers in the notebooks means the index can never disagree
with the report it links to.

>>> h = Headline("failure_share", "council", 0.4523, 0.43, 0.47, 150_000, "contacts")
>>> describe(h)["value"], describe(h)["interval"], describe(h)["base"]
('45%', '43% to 47%', '150,000 contacts')
>>> describe(Headline("nps", "parking", 12.0, -20.0, 40.0, 6, "survey responses"))["value"]
'too few to report'
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from cxinsight.publish import SMALL_MAX, money, suppress_counts

log = logging.getLogger(__name__)

# measure -> (plain-English name, kind of figure, minimum base to report it)
MEASURES: dict[str, tuple[str, str, int]] = {
    "failure_share": ("Failure demand (share of contacts)", "share", SMALL_MAX + 1),
    "likely_excluded": ("Customers likely digitally excluded", "share", SMALL_MAX + 1),
    "savings_npv": ("Channel-shift net savings (NPV, median)", "money", 1),
    "complaints_on_time": ("Stage 1 complaints answered on time", "share", SMALL_MAX + 1),
    "nps": ("Net Promoter Score", "score", 30),
}


@dataclass(frozen=True)
class Headline:
    """One figure: what it measures, for whom, the estimate, its interval and its base."""

    measure: str
    scope: str                  # "council" or a service code
    estimate: float | None
    low: float | None
    high: float | None
    base: int                   # how many things the figure rests on
    base_unit: str              # what they are ("contacts", "customers", ...)
    interval: str = "95% interval"
    note: str = ""

    def __post_init__(self):
        if self.measure not in MEASURES:
            raise ValueError(f"unknown headline measure {self.measure!r}; expected one of {sorted(MEASURES)}")


def record(headline: Headline, directory: Path | str | None) -> Path | None:
    """Write one headline as JSON into ``directory`` (nothing when it is ``None``)."""
    if directory is None:
        return None
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{headline.scope}__{headline.measure}.json"
    # Rounded: figures, not floating-point noise (and no long digit runs for the privacy scan).
    data = {k: (None if isinstance(v, float) and math.isnan(v) else round(float(v), 4) if isinstance(v, float) else v)
            for k, v in asdict(headline).items()}
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    log.debug("headline %s for %s recorded", headline.measure, headline.scope)
    return path


def read_all(directory: Path | str) -> list[Headline]:
    """Every headline recorded in ``directory``."""
    return [Headline(**json.loads(p.read_text(encoding="utf-8"))) for p in sorted(Path(directory).glob("*.json"))]


def _fmt(kind: str, x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if kind == "share":
        return f"{100 * x:.0f}%"
    if kind == "money":
        return money(x)
    return f"{x:+.0f}"


def describe(headline: Headline) -> dict[str, str]:
    """The headline as text for a reader: ``name, value, interval, base``, small bases suppressed.

    The base is a count, so it is published like any other (1-7 as ``*``, else rounded to 5);
    a figure on fewer than its measure's minimum base is not shown at all.
    """
    name, kind, minimum = MEASURES[headline.measure]
    if headline.estimate is None and not headline.base_unit:  # the data to compute it was not supplied
        return {"name": name, "value": "not available", "interval": "", "base": "", "note": headline.note}
    base = f"{suppress_counts(pd.Series([headline.base])).iloc[0]} {headline.base_unit}"
    if headline.base < minimum or headline.estimate is None or math.isnan(headline.estimate):
        return {"name": name, "value": "too few to report", "interval": "", "base": base}
    if kind == "share":  # a share and its base must not give away a count of 1-7 either way
        k = round(headline.estimate * headline.base)
        if 1 <= k <= SMALL_MAX or 1 <= headline.base - k <= SMALL_MAX:
            return {"name": name, "value": "*", "interval": "", "base": base,
                    "interval_kind": headline.interval,
                    "note": "not shown: with its base it would give away a count of 1 to 7"}
    interval = f"{_fmt(kind, headline.low)} to {_fmt(kind, headline.high)}"
    return {"name": name, "value": _fmt(kind, headline.estimate), "interval": interval, "base": base,
            "interval_kind": headline.interval, "note": headline.note}


def record_missing(measure: str, scope: str, why: str, directory: Path | str | None) -> Path | None:
    """Record that a figure cannot be given for ``scope`` and what data would unlock it."""
    return record(Headline(measure, scope, None, None, None, 0, "", interval="", note=why), directory)
