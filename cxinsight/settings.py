"""The council's own settings: one validated file, ``council.yaml``, beside ``sources.yaml``.

Every setting has a default that cites its source (``../shared/docs/domain.md`` s.3); the council's
value, where the file gives one, replaces it, and every page that uses a setting says whose value
it is. Money defaults published in an earlier year are uprated to the report's prices by the ONS
Consumer Prices Index (:data:`CPI_D7BT`, annual averages).

A ``council.yaml`` (``cxinsight init FOLDER`` writes a commented one listing every setting)::

    prices_year: 2024              # optional: the year the money is in (default: the year the export ends)
    savings:
      unit_costs:                  # £ per contact, by channel: a number, or value/low/high/year/source
        phone: 3.50
        face_to_face: {value: 9.80, low: 8.00, high: 12.00, year: 2023, source: "our ABC study 2023"}
      service_unit_costs:          # where the council has activity-based costs for a service
        council_tax: {phone: 4.10}
      one_off_investment: 150000
      discount_rate: 0.035
      horizon_years: 5
    exclusion:
      never_online: 0.063
    analysis:                      # how the analysis is done (cxinsight.analysis.Options)
      deri_version: v1.2
      review: {precision: 0.05}    # the first review sample sized for +/- 5 points on the council's share
    segments:                      # the customer segment rule (cxinsight.exclusion.customers.SegmentRules)
      excluded_threshold: 2.0
    publishing:                    # stricter only: counts 1 to 10 shown as *, others rounded to 10
      small_max: 10
      round_to: 10

A plain number is the council's central value with no range (the Monte Carlo holds it fixed);
``{value, low, high}`` gives a range. ``year`` says which year's prices a sum of money is in (it is
then uprated by the CPI to the report's prices; without ``year`` it is taken as in the report's
prices). Unknown keys are refused with the key they are closest to; every error names the file,
the key, what was expected and what was found. The publishing rules may only be made stricter.

What reads each section: ``savings`` and ``exclusion``, the business case (:meth:`Settings.savings_assumptions`,
:meth:`Settings.national_rates`); ``analysis``, the analysis options when none are given
(:meth:`Settings.analysis_values`, read by :func:`cxinsight.analysis.load_analysis`); ``segments``,
the segment rule (:meth:`Settings.segment_rules`); ``publishing``, the small-number rule and the
service pages (:attr:`Settings.publishing`, put in force by ``load_analysis``:
:func:`cxinsight.publish.rules`). :meth:`Settings.whose` says, in a sentence a page can show,
whether a section's values are the council's or the defaults.

>>> s = Settings.defaults()
>>> a = s.savings_assumptions(2011)
>>> a.unit_cost["phone"].value, a.unit_cost["phone"].council
(2.83, False)
>>> round(s.savings_assumptions(2024).unit_cost["phone"].value, 2)  # 2.83 x 133.9 / 93.4
4.06
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "council.yaml").write_text("savings:\\n  unit_costs:\\n    phone: 3.5\\n")
>>> mine = load_settings(folder / "council.yaml").savings_assumptions(2024).unit_cost["phone"]
>>> mine.value, mine.low, mine.high, mine.council
(3.5, 3.5, 3.5, True)
"""

from __future__ import annotations

import difflib
import hashlib
import json
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

from cxinsight.limits import shown
from cxinsight.profile import ProfileError, read_yaml

log = logging.getLogger(__name__)

SETTINGS_FILE = "council.yaml"


class SettingsError(ProfileError):
    """A council.yaml that cannot be used: names the file, the key, what was expected and what was found."""


# ---- uprating: ONS CPI, annual averages ------------------------------------------------------------

#: ONS series D7BT, "CPI INDEX 00: ALL ITEMS 2015=100" (dataset MM23), annual averages. 2008-2023 from
#: the ONS release of 14 February 2024; 2024 from a later release. Used to put money published in an
#: earlier year into the report's prices. Add a year here when ONS publishes it.
CPI_D7BT = {2008: 84.7, 2009: 86.6, 2010: 89.4, 2011: 93.4, 2012: 96.1, 2013: 98.5, 2014: 100.0, 2015: 100.0,
            2016: 100.7, 2017: 103.4, 2018: 105.9, 2019: 107.8, 2020: 108.7, 2021: 111.6, 2022: 121.7,
            2023: 130.5, 2024: 133.9}
CPI_SOURCE = "ONS Consumer Prices Index (series D7BT, 2015=100, annual averages)"


def price_year(year: int) -> int:
    """The year whose prices a report for ``year`` is in: ``year`` itself, or the latest year the
    CPI table holds (a report on an export ending in 2025 is in 2024 prices until 2025's average is added).

    >>> price_year(2023), price_year(2031)
    (2023, 2024)
    """
    latest = max(CPI_D7BT)
    if year > latest:
        return latest
    if year < min(CPI_D7BT):
        raise ValueError(f"prices_year: expected a year from {min(CPI_D7BT)} to {latest}, found {year}")
    return int(year)


def uprate(amount: float, from_year: int, to_year: int) -> float:
    """``amount`` in ``from_year`` prices expressed in ``to_year`` prices by the CPI's annual averages.

    >>> round(uprate(2.83, 2011, 2024), 4)  # SOCITM 2011's phone contact in 2024 prices
    4.0571
    >>> uprate(100.0, 2024, 2024)
    100.0
    """
    return amount * CPI_D7BT[to_year] / CPI_D7BT[from_year] if from_year != to_year else amount


# ---- what may be set -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Spec:
    """One setting: its unit (as :func:`cxinsight.savings.format_value` reads it), the range a value
    may take, whether it is money (uprated by the CPI) and what a reader is told it is."""

    unit: str
    lo: float
    hi: float
    what: str
    money: bool = False
    integer: bool = False
    ranged: bool = True  # may be given as {value, low, high}


PER_CONTACT = Spec("£ per contact", 0.0, 1000.0, "a cost in £ per contact", money=True)
CHANNELS = ("face_to_face", "phone", "web", "email", "letter", "webchat", "social", "other")

SAVINGS = {
    "take_up_ceiling": Spec("share of shiftable contacts", 0.0, 1.0, "a share from 0 to 1"),
    "take_up_midpoint": Spec("years to half the ceiling", 0.01, 30.0, "years from 0.01 to 30"),
    "take_up_steepness": Spec("logistic slope per year", 0.01, 100.0, "a slope from 0.01 to 100"),
    "failure_removal": Spec("share of failure demand removed by the end", 0.0, 1.0, "a share from 0 to 1"),
    "assisted_digital_share": Spec("share of shifted contacts needing help", 0.0, 1.0, "a share from 0 to 1"),
    "assisted_digital_cost": Spec("£ per assisted contact", 0.0, 1000.0, "a cost in £ per contact", money=True),
    "induced_demand": Spec("extra web contacts per shifted contact", 0.0, 5.0, "extra contacts from 0 to 5"),
    "one_off_investment": Spec("£ in year 0", 0.0, 1e9, "a sum in £", money=True),
    "running_cost": Spec("£ a year", 0.0, 1e9, "a sum in £ a year", money=True),
    "failure_programme_cost": Spec("£ a year", 0.0, 1e9, "a sum in £ a year", money=True),
    "discount_rate": Spec("real, a year", 0.0, 0.2, "a real rate from 0 to 0.2"),
    "horizon_years": Spec("years", 1, 30, "a whole number of years from 1 to 30", integer=True, ranged=False),
}
EXCLUSION = {
    "never_online": Spec("share of adults", 0.0, 1.0, "a share from 0 to 1", ranged=False),
    "low_capability": Spec("share of adults", 0.0, 1.0, "a share from 0 to 1", ranged=False),
    "low_take_up": Spec("share of those who could shift with support", 0.0, 1.0, "a share from 0 to 1",
                        ranged=False),
}

#: The analysis options a council may set (``analysis:``; :class:`cxinsight.analysis.Options`). Defaults
#: and their sources are in :data:`ANALYSIS_DEFAULTS`.
DERI_VERSIONS = ("v1.4", "v1.2")
ANALYSIS = {
    "repeat_window_days": Spec("days", 1, 365, "a number of days from 1 to 365", ranged=False),
    "draws": Spec("Monte Carlo draws", 100, 1_000_000, "a whole number of draws from 100 to 1,000,000",
                  integer=True, ranged=False),
    "seed": Spec("seed", 0, 2 ** 32 - 1, "a whole number from 0 to 4294967295", integer=True, ranged=False),
    "segment_check_size": Spec("customers", 30, 100_000, "a whole number of customers from 30 to 100,000 (30 is "
                               "the fewest checked customers a segment share is corrected by)", integer=True,
                               ranged=False),
}
ANALYSIS_KEYS = ("deri_version", *ANALYSIS, "learn_from_review", "review")
REVIEW = {"precision": Spec("half-width of the 95% interval", 0.005, 0.2,
                            "a half-width from 0.005 to 0.2 (0.03 is +/- 3 points)", ranged=False)}
#: Each analysis default as the template writes it, and where it comes from.
ANALYSIS_DEFAULTS = {
    "deri_version": ("v1.4", "GMCA's DERI v1.4 (Demography: % 65-74, % 75+, % disabled, % social grade DE), the "
                             "latest version whose method is reproduced here; v1.2 weighs age alone"),
    "repeat_window_days": (14, "days: same customer, same service within this is a repeat contact (the "
                               "failure-demand taxonomy: 'a short window (e.g. 14 or 28 days)')"),
    "draws": (10000, "Monte Carlo draws for the savings range (judgement: a percentile's own Monte Carlo error is "
                     "then under 2% of the spread of the NPV)"),
    "seed": (2024, "the random seed: the same seed draws the same samples and the same figures, run after run"),
    "learn_from_review": ("false", "true: a model taught by the council's review classifies the contacts decided by "
                                   "their words, where it beats the rules on reviewed contacts it did not learn from"),
    "segment_check_size": (300, "customers drawn for a person to check the segment rule against (judgement: about "
                                "+/- 4 points on the corrected share when the rule and a person disagree on 1 in 10)"),
}
REVIEW_DEFAULT = (0.03, "the target half-width of the 95% interval on the council's failure share, which sizes the "
                        "first review sample drawn for a person (issue 27: 'plus or minus 3 points'); simple random "
                        "sampling at the classifier's provisional share, with the finite-population correction "
                        "(Cochran 1977, Sampling Techniques, s.4.4); a stratified review needs fewer")

#: The segment rule's numbers (``segments:``; :class:`cxinsight.exclusion.customers.SegmentRules`): what
#: each is, in words, and the values it may take (points for evidence of exclusion are never negative,
#: points for evidence of digital use never positive, so the rule reads as it is described).
SEGMENTS = {
    "per_extra_assisted": Spec("points for each assisted contact after the first", 0, 10, "points from 0 to 10",
                               ranged=False),
    "assisted_cap": Spec("most points from assisted contacts", 0, 40, "points from 0 to 40", ranged=False),
    "counter_or_letter": Spec("points for using the counter or letters", 0, 10, "points from 0 to 10", ranged=False),
    "age_75_plus": Spec("points for a recorded age of 75+", 0, 10, "points from 0 to 10", ranged=False),
    "age_65_74": Spec("points for a recorded age of 65-74", 0, 10, "points from 0 to 10", ranged=False),
    "age_under_50": Spec("points for a recorded age under 50", -10, 0, "points from -10 to 0", ranged=False),
    "area_per_point": Spec("points per DERI point above the midpoint (5)", 0, 5, "points from 0 to 5",
                           ranged=False),
    "any_digital": Spec("points for any digital contact", -10, 0, "points from -10 to 0", ranged=False),
    "excluded_threshold": Spec("points needed for likely excluded", 0, 40, "points from 0 to 40", ranged=False),
    "max_digital_share": Spec("largest digital share for likely excluded", 0, 1, "a share from 0 to 1",
                              ranged=False),
    "self_serve_share": Spec("digital share for self-serve", 0, 1, "a share from 0 to 1", ranged=False),
}
SEGMENTS_SOURCE = ("judgement, informed by national evidence that age is the strongest single predictor and that "
                   "repeat assisted contact and counter use are the signals councils cite, and "
                   "checked on the demo council's answer key")

#: The publishing rules (``publishing:``; :class:`cxinsight.publish.Publishing`): stricter only.
PUBLISHING = {
    "small_max": Spec("counts from 1 to this shown as *", 7, 1000, "a whole number from 7 to 1,000", integer=True,
                      ranged=False),
    "round_to": Spec("other counts rounded to the nearest", 5, 1000, "a multiple of 5 from 5 to 1,000",
                     integer=True, ranged=False),
    "min_service_contacts": Spec("fewest contacts for a service page", 1, 1_000_000,
                                 "a whole number of contacts above small_max", integer=True, ranged=False),
    "max_service_reports": Spec("most service pages", 0, 1000, "a whole number from 0 to 1,000", integer=True,
                                ranged=False),
    "min_nps_responses": Spec("fewest survey responses for an NPS", 30, 1_000_000,
                              "a whole number of responses of at least 30", integer=True, ranged=False),
}
#: Why a smaller value is refused, by setting (a council may make suppression stricter, never weaker).
STRICTER_ONLY = {
    "small_max": "counts of 1 to 7 are shown as * by the NHS England rule for sub-national tables: "
                 "a council may show more counts as *, never fewer",
    "round_to": "other counts are rounded to the nearest 5 by the NHS England rule for sub-national tables"
                ": a council may round more coarsely, never more finely",
    "min_nps_responses": "an NPS is shown on at least 30 responses, where its interval still covers 93-97% with "
                         "extreme scores (cxinsight.experience; Rocks 2016): a council may ask for more, never fewer",
}
TOP_KEYS = ("prices_year", "savings", "exclusion", "analysis", "segments", "publishing")
SAVINGS_KEYS = ("unit_costs", "service_unit_costs", *SAVINGS)
VALUE_KEYS = ("value", "low", "high", "year", "source")

#: Money defaults published in an earlier year: the year of each default's value, low and high.
#: PwC's figures carry no year in domain.md: they are quoted beside SOCITM 2011's and taken as 2011.
#: Judgements made relative to the 2011 call cost are in 2011 prices too. The placeholder investment
#: and running costs are in the report's prices (None: not uprated).
DEFAULT_YEARS = {
    "unit_costs.face_to_face": (2011, 2011, 2011), "unit_costs.phone": (2011, 2011, 2008),
    "unit_costs.web": (2011, 2011, 2008), "unit_costs.email": (2011, 2011, 2008),
    "unit_costs.letter": (2011, 2011, 2011), "unit_costs.webchat": (2011, 2011, 2011),
    "unit_costs.social": (2011, 2011, 2011), "unit_costs.other": (2011, 2011, 2011),
    "assisted_digital_cost": (2011, 2011, 2011),
}


@dataclass(frozen=True)
class Given:
    """A value the council's file gives: central, range (equal to it when none is given), the year of
    its prices (money only; None: the report's prices) and the council's own note of its source."""

    value: float
    low: float
    high: float
    year: int | None = None
    source: str = ""


def _did_you_mean(key: object, allowed) -> str:
    close = difflib.get_close_matches(str(key), [str(a) for a in allowed], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Reader:
    """Reads one council.yaml, raising :class:`SettingsError` naming the file and key."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, expected: str, found: object) -> None:
        raise SettingsError(f"{self.path}: {key}: expected {expected}, found {shown(found)}")

    def mapping(self, data: object, key: str, allowed) -> dict:
        if data is None:
            return {}
        if not isinstance(data, dict):
            self.fail(key, "a mapping of keys to values", data)
        for k in data:
            if k not in allowed:
                where = f"{key}." if key else ""
                raise SettingsError(f"{self.path}: unknown key {where}{str(k)[:60]}{_did_you_mean(k, allowed)}; expected "
                                    f"only {list(allowed)}. `cxinsight init` writes a council.yaml listing them all.")
        return data

    def number(self, raw: object, key: str, spec: Spec) -> float:
        if isinstance(raw, bool) or not isinstance(raw, int | float) or raw != raw:
            self.fail(key, spec.what, raw)
        if spec.integer and float(raw) != int(raw):
            self.fail(key, spec.what, raw)
        if not spec.lo <= raw <= spec.hi:
            self.fail(key, spec.what, raw)
        return int(raw) if spec.integer else float(raw)

    def choice(self, raw: object, key: str, allowed: tuple[str, ...]) -> str:
        if not isinstance(raw, str) or raw not in allowed:
            self.fail(key, f"one of {list(allowed)}{_did_you_mean(raw, allowed) if isinstance(raw, str) else ''}", raw)
        return raw

    def flag(self, raw: object, key: str) -> bool:
        if not isinstance(raw, bool):
            self.fail(key, "true or false", raw)
        return raw

    def numbers(self, section: dict, prefix: str, specs: dict[str, Spec], given: dict[str, Given]) -> None:
        """Each of ``specs`` that ``section`` gives, read into ``given`` under ``prefix.name``."""
        for name, spec in specs.items():
            if name in section:
                given[f"{prefix}.{name}"] = self.given(section[name], f"{prefix}.{name}", spec)

    def given(self, raw: object, key: str, spec: Spec) -> Given:
        if not isinstance(raw, dict):
            v = self.number(raw, key, spec)
            return Given(v, v, v)
        if not spec.ranged:
            self.fail(key, spec.what + " (a single number)", raw)
        allowed = VALUE_KEYS if spec.money else tuple(k for k in VALUE_KEYS if k != "year")
        self.mapping(raw, key, allowed)
        if "value" not in raw:
            self.fail(key, "a 'value' (and optionally 'low' and 'high')", raw)
        v = self.number(raw["value"], f"{key}.value", spec)
        low = self.number(raw.get("low", v), f"{key}.low", spec)
        high = self.number(raw.get("high", v), f"{key}.high", spec)
        if not low <= v <= high:
            self.fail(key, "low <= value <= high", {"low": low, "value": v, "high": high})
        year = raw.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int) or year not in CPI_D7BT):
            self.fail(f"{key}.year", f"a year from {min(CPI_D7BT)} to {max(CPI_D7BT)} (the CPI years held)", year)
        source = raw.get("source", "")
        if not isinstance(source, str):
            self.fail(f"{key}.source", "text saying where the value comes from", source)
        return Given(v, low, high, year, source.strip())


@dataclass(frozen=True)
class Settings:
    """The council's settings over cited defaults. ``given``: what the file sets, by dotted key
    (``savings.unit_costs.phone``); ``service_unit_costs``: ``(service, channel) -> Given``."""

    path: str | None = None
    given: dict[str, Given] = field(default_factory=dict)
    service_unit_costs: dict[tuple[str, str], Given] = field(default_factory=dict)
    prices_year: int | None = None
    text: str = ""  # the file as read (what the analysis key and the processed copy are made from)
    #: settings that are not numbers, by dotted key (``analysis.deri_version``, ``analysis.learn_from_review``)
    chosen: dict[str, object] = field(default_factory=dict)

    @classmethod
    def defaults(cls) -> Settings:
        return cls()

    @property
    def supplied(self) -> bool:
        """Whether the council set anything at all."""
        return bool(self.given or self.chosen or self.service_unit_costs or self.prices_year)

    def is_council(self, key: str) -> bool:
        return key in self.given or key in self.chosen

    def council_keys(self, section: str | None = None) -> list[str]:
        """The dotted keys the council set (in ``section`` only, when given).

        >>> Settings.defaults().council_keys()
        []
        """
        keys = [*self.given, *self.chosen]
        return [k for k in keys if section is None or k.startswith(f"{section}.")]

    def fingerprint(self) -> str:
        """What these settings are, for the analysis key: the file's text (or 'defaults') and the CPI table."""
        blob = json.dumps({"text": self.text, "cpi": CPI_D7BT}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()

    def report_prices(self, export_end_year: int) -> int:
        """The year the report's money is in: ``prices_year`` if the council set it, else the year the
        export ends (capped at the latest CPI year held)."""
        return self.prices_year or price_year(int(export_end_year))

    # -- savings ----------------------------------------------------------------------------------
    def savings_assumptions(self, year: int):
        """The business case's assumptions in ``year`` prices: each default uprated from its source's
        year by the CPI, each value the council gives in its place (marked ``council=True``)."""
        from cxinsight.savings import Assumption, SavingsAssumptions

        year = price_year(year)
        base = SavingsAssumptions()
        costs = {}
        for channel, a in base.unit_cost.items():
            costs[channel] = self._one(f"unit_costs.{channel}", a, PER_CONTACT, year, Assumption)
        changed = {name: self._one(name, getattr(base, name), SAVINGS[name], year, Assumption)
                   for name in SAVINGS if name != "horizon_years"}
        horizon = self.given.get("savings.horizon_years")
        service = {}
        for (svc, channel), g in self.service_unit_costs.items():
            service[(svc, channel)] = uprate(g.value, g.year, year) if g.year else g.value
        return replace(base, unit_cost=costs, service_unit_cost=service,
                       horizon_years=int(horizon.value) if horizon else base.horizon_years, **changed)

    def _one(self, key: str, default, spec: Spec, year: int, Assumption):
        g = self.given.get(f"savings.{key}")
        if g is not None:
            factor = uprate(1.0, g.year, year) if g.year else 1.0
            note = g.source or "the council's own value"
            if g.year and g.year != year:
                note += f"; {g.year} prices uprated to {year} by the {CPI_SOURCE}"
            if g.low == g.high == g.value:
                note += "; no range given, so held fixed in the Monte Carlo"
            return Assumption(g.value * factor, g.low * factor, g.high * factor, default.unit,
                              f"{note} (the council's settings)", council=True)
        years = DEFAULT_YEARS.get(key)
        if not years or all(y == year for y in years):
            return default
        v, lo, hi = (uprate(x, y, year) for x, y in zip((default.value, default.low, default.high), years, strict=True))
        said = ", ".join(sorted({str(y) for y in years}))
        return Assumption(v, lo, hi, default.unit,
                          f"{default.source}; {said} prices uprated to {year} by the {CPI_SOURCE}")

    # -- exclusion --------------------------------------------------------------------------------
    def national_rates(self):
        """National rates of adults who cannot, or could only with support, go online (for a council
        without customer numbers), the council's where it gives them."""
        from cxinsight.exclusion.customers import NationalRates

        base = NationalRates()
        never = self.given.get("exclusion.never_online")
        low = self.given.get("exclusion.low_capability")
        if never is None and low is None:
            return base
        n = never.value if never else base.never_online
        c = low.value if low else base.low_capability
        parts = [f"{100 * n:.1f}% never online ({'the council' if never else 'ONS 2020'})",
                 f"{100 * c:.0f}% with low or very low digital capability ({'the council' if low else 'Lloyds 2023'})"]
        return NationalRates(n, c, "rates of adults: " + ", ".join(parts) + " (the council's settings)")

    @property
    def low_take_up(self) -> float:
        """The share of contacts by those who could shift with support counted at the low end."""
        g = self.given.get("exclusion.low_take_up")
        return g.value if g else 0.5

    # -- analysis ---------------------------------------------------------------------------------
    def analysis_values(self) -> dict[str, object]:
        """The analysis options the council set (``analysis:``), by the name of the field of
        :class:`cxinsight.analysis.Options` (``review_precision`` for ``review: {precision}``); the
        options themselves are :func:`cxinsight.analysis.options_from` (these over the defaults).

        >>> Settings.defaults().analysis_values()
        {}
        """
        values: dict[str, object] = {}
        for name in ANALYSIS:
            g = self.given.get(f"analysis.{name}")
            if g is not None:
                values[name] = g.value
        for name in ("deri_version", "learn_from_review"):
            if f"analysis.{name}" in self.chosen:
                values[name] = self.chosen[f"analysis.{name}"]
        precision = self.given.get("analysis.review.precision")
        if precision is not None:
            values["review_precision"] = precision.value
        return values

    # -- segments ---------------------------------------------------------------------------------
    def segment_rules(self):
        """The customer segment rule (:class:`cxinsight.exclusion.customers.SegmentRules`): the council's
        numbers (``segments:``) over the defaults."""
        from cxinsight.exclusion.customers import SegmentRules

        return SegmentRules(**{name: g.value for name in SEGMENTS
                               if (g := self.given.get(f"segments.{name}")) is not None})

    def segment_table(self):
        """The segment rule as a table a page can show: ``rule`` (in words), ``value``, ``default`` and
        ``whose value`` (the council's or the default)."""
        import pandas as pd

        from cxinsight.exclusion.customers import SegmentRules

        mine, default = self.segment_rules(), SegmentRules()
        return pd.DataFrame([{"rule": spec.unit, "value": getattr(mine, name), "default": getattr(default, name),
                              "whose value": "the council's" if self.is_council(f"segments.{name}") else "default"}
                             for name, spec in SEGMENTS.items()])

    # -- publishing -------------------------------------------------------------------------------
    @property
    def publishing(self):
        """The publishing rules (:class:`cxinsight.publish.Publishing`): the council's (``publishing:``,
        only ever stricter) over the defaults. ``min_service_contacts`` and ``max_service_reports`` choose
        the service pages; ``min_nps_responses`` is the fewest survey responses an NPS is shown on."""
        from cxinsight.publish import Publishing

        mine = {name: int(g.value) for name in PUBLISHING if (g := self.given.get(f"publishing.{name}")) is not None}
        return Publishing(**mine, council=tuple(mine))

    # -- whose value ------------------------------------------------------------------------------
    def whose(self, section: str, options=None) -> str:
        """A sentence a page can show saying whether ``section``'s values are the council's or the
        defaults: ``"segments"``, ``"analysis"`` (with ``options``, the options the analysis was run
        with: any set for the run alone are named too) or ``"publishing"``.

        >>> print(Settings.defaults().whose("segments"))  # doctest: +ELLIPSIS
        The segment rule is the default: judgement, informed by ... A council can set its own (in its settings).
        """
        from cxinsight.exclusion.customers import SegmentRules

        if section == "segments":
            mine = self.council_keys("segments")
            if not mine:
                return (f"The segment rule is the default: {SEGMENTS_SOURCE}. A council can set its own "
                        "(in its settings).")
            rules, default = self.segment_rules(), SegmentRules()
            names = [k.split(".", 1)[1] for k in mine]
            said = [f"{SEGMENTS[n].unit}: {getattr(rules, n):g} (default {getattr(default, n):g})" for n in names]
            rest = "" if len(mine) == len(SEGMENTS) else f" Every other number in the rule is the default: {SEGMENTS_SOURCE}."
            return f"The segment rule is the council's own where it set it (from its settings): {'; '.join(said)}.{rest}"
        if section == "analysis":
            council = self.analysis_values()
            described = {"deri_version": "DERI version", "repeat_window_days": "repeat window (days)",
                         "draws": "Monte Carlo draws", "seed": "seed", "learn_from_review": "learning from the review",
                         "segment_check_size": "customers drawn for the segment check",
                         "review_precision": "review sized for +/- points on the council's share"}

            def one(name: str, value) -> str:
                if name == "review_precision":
                    return f"review sized for +/- {100 * value:g} points on the council's share"
                return f"{described[name]} {'yes' if value is True else 'no' if value is False else value}"

            mine = [one(name, council[name]) for name in described if name in council]
            base = type(options)(**council) if options is not None else None  # the council's over the defaults
            run = [one(name, getattr(options, name)) for name in described
                   if options is not None and getattr(options, name) != getattr(base, name)]
            parts = [f"The council's own (from its settings): {', '.join(mine)}." if mine else
                     "The analysis uses the default options (a council can set its own in its settings)."]
            if run:
                parts.append(f"Set for this run: {', '.join(run)}.")
            if mine:
                parts.append("Every other option is the default.")
            return " ".join(parts)
        if section == "publishing":
            p = self.publishing
            said = p.said()
            mine = [f"{PUBLISHING[name].unit} {getattr(p, name)}" for name in p.council
                    if name not in ("small_max", "round_to")]
            return said + (f" The council's own (from its settings): {', '.join(mine)}." if mine else "")
        raise ValueError(f"whose: expected 'segments', 'analysis' or 'publishing', found {section!r}"
                         f"{_did_you_mean(section, ('segments', 'analysis', 'publishing'))}")


def load_settings(path: Path | str | None) -> Settings:
    """The settings in ``path`` (a council.yaml, or a folder holding one); the defaults when there is
    none. Raises :class:`SettingsError` on anything it cannot use."""
    if path is None:
        return Settings.defaults()
    path = Path(path)
    if path.is_dir():
        path = path / SETTINGS_FILE
    if not path.exists():
        return Settings.defaults()
    try:
        data = read_yaml(path, "council settings file")  # its size checked, anchors and aliases refused
    except ProfileError as exc:
        raise SettingsError(str(exc)) from None
    text = path.read_text(encoding="utf-8")
    r = _Reader(path)
    data = r.mapping(data, "", TOP_KEYS)
    given: dict[str, Given] = {}
    prices = data.get("prices_year")
    if prices is not None and (isinstance(prices, bool) or not isinstance(prices, int) or prices not in CPI_D7BT):
        r.fail("prices_year", f"a year from {min(CPI_D7BT)} to {max(CPI_D7BT)} (the CPI years held)", prices)
    savings = r.mapping(data.get("savings"), "savings", SAVINGS_KEYS)
    costs = r.mapping(savings.get("unit_costs"), "savings.unit_costs", CHANNELS)
    for channel, raw in costs.items():
        given[f"savings.unit_costs.{channel}"] = r.given(raw, f"savings.unit_costs.{channel}", PER_CONTACT)
    service_costs: dict[tuple[str, str], Given] = {}
    by_service = savings.get("service_unit_costs")
    if by_service is not None and not isinstance(by_service, dict):
        r.fail("savings.service_unit_costs", "a mapping of service code to {channel: cost}", by_service)
    for svc, per in (by_service or {}).items():
        per = r.mapping(per, f"savings.service_unit_costs.{svc}", CHANNELS)
        for channel, raw in per.items():
            key = f"savings.service_unit_costs.{svc}.{channel}"
            g = r.given(raw, key, PER_CONTACT)
            if g.low != g.high:
                r.fail(key, "a single cost (a service's cost is held fixed; give a range on the channel)", raw)
            service_costs[(str(svc), channel)] = g
    r.numbers(savings, "savings", SAVINGS, given)
    r.numbers(r.mapping(data.get("exclusion"), "exclusion", tuple(EXCLUSION)), "exclusion", EXCLUSION, given)
    never = given.get("exclusion.never_online", Given(0.063, 0.063, 0.063)).value
    low = given.get("exclusion.low_capability", Given(0.35, 0.35, 0.35)).value
    if never > low:
        r.fail("exclusion", "never_online no larger than low_capability (the never-online are among those "
               "with low capability)", {"never_online": never, "low_capability": low})
    chosen: dict[str, object] = {}
    _read_analysis(r, r.mapping(data.get("analysis"), "analysis", ANALYSIS_KEYS), given, chosen)
    _read_segments(r, r.mapping(data.get("segments"), "segments", tuple(SEGMENTS)), given)
    _read_publishing(r, r.mapping(data.get("publishing"), "publishing", tuple(PUBLISHING)), given)
    return Settings(str(path), given, service_costs, prices, text, chosen)


def _read_analysis(r: _Reader, analysis: dict, given: dict[str, Given], chosen: dict[str, object]) -> None:
    if "deri_version" in analysis:
        chosen["analysis.deri_version"] = r.choice(analysis["deri_version"], "analysis.deri_version", DERI_VERSIONS)
    if "learn_from_review" in analysis:
        chosen["analysis.learn_from_review"] = r.flag(analysis["learn_from_review"], "analysis.learn_from_review")
    r.numbers(analysis, "analysis", ANALYSIS, given)
    r.numbers(r.mapping(analysis.get("review"), "analysis.review", tuple(REVIEW)), "analysis.review", REVIEW, given)


def _read_segments(r: _Reader, segments: dict, given: dict[str, Given]) -> None:
    from cxinsight.exclusion.customers import SegmentRules

    r.numbers(segments, "segments", SEGMENTS, given)
    default = SegmentRules()
    most, least = (given[f"segments.{n}"].value if f"segments.{n}" in given else getattr(default, n)
                   for n in ("max_digital_share", "self_serve_share"))
    if most >= least:
        r.fail("segments", "max_digital_share (the most a likely-excluded customer uses digital channels) below "
               "self_serve_share (the least a self-serving customer does)",
               {"max_digital_share": most, "self_serve_share": least})


def _read_publishing(r: _Reader, publishing: dict, given: dict[str, Given]) -> None:
    from cxinsight import publish

    for name, why in STRICTER_ONLY.items():  # a weaker rule gets its own reason before the range is checked
        raw, least = publishing.get(name), PUBLISHING[name].lo
        if not isinstance(raw, bool) and isinstance(raw, int | float) and raw < least:
            r.fail(f"publishing.{name}", f"a whole number of at least {least:g}: a council may make the "
                   f"publishing rules stricter, never weaker ({why})", raw)
    r.numbers(publishing, "publishing", PUBLISHING, given)
    value = {n: int(given[f"publishing.{n}"].value) if f"publishing.{n}" in given else getattr(publish.Publishing(), n)
             for n in PUBLISHING}
    if value["round_to"] % publish.ROUND_TO:
        r.fail("publishing.round_to", PUBLISHING["round_to"].what, value["round_to"])
    if value["min_service_contacts"] <= value["small_max"]:
        r.fail("publishing.min_service_contacts", f"more contacts than small_max ({value['small_max']}): a service "
               "page on fewer could show nothing but *", value["min_service_contacts"])


def settings_beside(sources: Path | str | None) -> Path | None:
    """The council.yaml beside a sources.yaml (None when there is none)."""
    if sources is None:
        return None
    candidate = Path(sources).parent / SETTINGS_FILE
    return candidate if candidate.exists() else None


# ---- templates for `cxinsight init` ------------------------------------------------------------------

SOURCES_TEMPLATE = """\
# sources.yaml: the exports cxinsight reads for this council (see the README, "Running it on your own
# exports"). Paths are relative to this file and stay inside its folder; profiles are named, looked up
# in profiles/ beside this file, then among the shipped ones (cxinsight/profiles/).
council: My District Council
# period: {start: 2024-04-01, end: 2025-03-31}   # optional: the period the reports name
exports:
  - {table: contacts, path: contacts/*.csv, profile: my_crm}            # required: one or more
  # - {table: complaints, path: complaints/*.xlsx, profile: my_complaints}
  # - {table: survey, path: survey/*.csv, profile: my_survey}
  # - {table: areas, path: areas/*.csv, profile: demo_areas}
"""


def _fmt(x: float) -> str:
    """A default as the template writes it: six significant figures, no trailing zeros.

    >>> _fmt(0.035), _fmt(100000.0), _fmt(3.76 * 93.4 / 84.7)
    ('0.035', '100000', '4.14621')
    """
    return f"{x:.6g}"


def council_template() -> str:
    """A council.yaml listing every setting, commented out, with its default and its citation."""
    from cxinsight.exclusion.customers import NationalRates, SegmentRules
    from cxinsight.publish import Publishing
    from cxinsight.savings import SavingsAssumptions

    a = SavingsAssumptions()
    lines = [
        "# council.yaml: this council's own settings, read beside sources.yaml by `cxinsight report`.",
        "# Every setting below is commented out, so the cited default is used; a page that uses a setting",
        "# says whether it is the council's value or the default. Uncomment a line and give your own value:",
        "#   a plain number is your central value with no range (held fixed in the Monte Carlo);",
        "#   {value: V, low: L, high: H} gives a range; money can say the year of its prices",
        "#   ({value: 3.10, year: 2022}: uprated by the ONS CPI, series D7BT, to the report's prices);",
        "#   source: \"...\" says where your value comes from (shown on the page).",
        "# Defaults published in an earlier year are uprated by the same index to the report's prices.",
        "",
        f"# prices_year: 2024   # the year the money is in (default: the year the export ends; CPI held to "
        f"{max(CPI_D7BT)})",
        "",
        "savings:",
        "  unit_costs:          # £ per contact, by channel",
    ]
    for channel, c in a.unit_cost.items():
        years = DEFAULT_YEARS[f"unit_costs.{channel}"]
        value_year = years[0]
        low = uprate(c.low, years[1], value_year)
        high = uprate(c.high, years[2], value_year)
        moved = "".join(f"; {bound} published in {y} prices, written here in {value_year} prices"
                        for bound, y in zip(("low", "high"), years[1:], strict=True) if y != value_year)
        lines.append(f"    # {channel}: {{value: {_fmt(c.value)}, low: {_fmt(low)}, high: {_fmt(high)}, "
                     f"year: {value_year}}}   # {c.source}{moved}")
    lines += ["  service_unit_costs:  # £ per contact for one service and channel, where you have "
              "activity-based costs",
              "    # council_tax: {phone: 4.10}"]
    for name in SAVINGS:
        if name == "horizon_years":
            lines.append(f"  # horizon_years: {a.horizon_years}   # years the business case covers (judgement)")
            continue
        d = getattr(a, name)
        years = DEFAULT_YEARS.get(name)
        year = f", year: {years[0]}" if years else ""
        lines.append(f"  # {name}: {{value: {_fmt(d.value)}, low: {_fmt(d.low)}, high: {_fmt(d.high)}{year}}}"
                     f"   # {d.unit}; {d.source}")
    r = NationalRates()
    lines += ["",
              "exclusion:            # used only when the contacts carry no customer numbers to segment",
              f"  # never_online: {r.never_online}   # adults who have never used the internet (ONS 2020)",
              f"  # low_capability: {r.low_capability}   # adults with low or very low digital capability "
              "(Lloyds Consumer Digital Index 2023)",
              "  # low_take_up: 0.5   # share of contacts by those who could shift with support counted at the "
              "low end (judgement)",
              "",
              "# How the analysis is done. An option given to one run (on the command line, or as a notebook's",
              "# parameter) wins over these.",
              "analysis:"]
    for name, (value, why) in ANALYSIS_DEFAULTS.items():
        lines.append(f"  # {name}: {value}   # {why}")
    lines += ["  review:",
              f"    # precision: {REVIEW_DEFAULT[0]}   # {REVIEW_DEFAULT[1]}",
              "",
              "# The customer segment rule (cxinsight.exclusion.customers): points for evidence of exclusion, and",
              "# the digital shares that decide a segment. The defaults are judgement, informed by national evidence",
              "# that age is the strongest single predictor and that repeat assisted contact and counter use are the",
              "# signals councils cite, and checked on the demo council's answer key.",
              "segments:"]
    rules = SegmentRules()
    for name, spec in SEGMENTS.items():
        lines.append(f"  # {name}: {getattr(rules, name):g}   # {spec.unit} ({spec.what})")
    p = Publishing()
    lines += ["",
              "# What may be published. Stricter only: a smaller small_max, round_to or min_nps_responses is refused.",
              "publishing:",
              f"  # small_max: {p.small_max}   # counts from 1 to this are shown as * (NHS England rule for "
              "sub-national tables, domain.md s.7)",
              f"  # round_to: {p.round_to}   # other counts rounded to the nearest multiple of this, a multiple of 5 "
              "(the same rule)",
              f"  # min_service_contacts: {p.min_service_contacts}   # a service page needs at least this many "
              "contacts for its figures to mean anything (judgement)",
              f"  # max_service_reports: {p.max_service_reports}   # service pages for at most this many services, the "
              "largest (judgement: real feeds have hundreds of categories)",
              f"  # min_nps_responses: {p.min_nps_responses}   # an NPS is shown on at least this many responses "
              "(its interval still covers 93-97% at 30 with extreme scores; Rocks 2016)",
              ""]
    return "\n".join(lines)


def init_folder(folder: Path | str) -> list[Path]:
    """Write a commented sources.yaml and council.yaml into ``folder`` to start from; refuses to
    overwrite either. Returns the files written."""
    folder = Path(folder)
    targets = {folder / "sources.yaml": SOURCES_TEMPLATE, folder / SETTINGS_FILE: council_template()}
    there = [p for p in targets if p.exists()]
    if there:
        raise FileExistsError(f"{', '.join(str(p) for p in there)} already exist: cxinsight init never overwrites "
                              "a council's files. Choose an empty folder, or edit the files you have.")
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in targets.items():
        path.write_text(text, encoding="utf-8")
    return list(targets)


__all__ = ["CPI_D7BT", "CPI_SOURCE", "SETTINGS_FILE", "Given", "Settings", "SettingsError", "council_template",
           "init_folder", "load_settings", "price_year", "settings_beside", "uprate"]
