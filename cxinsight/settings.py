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

A plain number is the council's central value with no range (the Monte Carlo holds it fixed);
``{value, low, high}`` gives a range. ``year`` says which year's prices a sum of money is in (it is
then uprated by the CPI to the report's prices; without ``year`` it is taken as in the report's
prices). Unknown keys are refused with the key they are closest to; every error names the file,
the key, what was expected and what was found.

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
TOP_KEYS = ("prices_year", "savings", "exclusion")
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

    @classmethod
    def defaults(cls) -> Settings:
        return cls()

    @property
    def supplied(self) -> bool:
        """Whether the council set anything at all."""
        return bool(self.given or self.service_unit_costs or self.prices_year)

    def is_council(self, key: str) -> bool:
        return key in self.given

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
                              f"{note} (council.yaml)", council=True)
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
        return NationalRates(n, c, "rates of adults: " + ", ".join(parts) + " (council.yaml)")

    @property
    def low_take_up(self) -> float:
        """The share of contacts by those who could shift with support counted at the low end."""
        g = self.given.get("exclusion.low_take_up")
        return g.value if g else 0.5


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
    for name, spec in SAVINGS.items():
        if name in savings:
            given[f"savings.{name}"] = r.given(savings[name], f"savings.{name}", spec)
    exclusion = r.mapping(data.get("exclusion"), "exclusion", tuple(EXCLUSION))
    for name, spec in EXCLUSION.items():
        if name in exclusion:
            given[f"exclusion.{name}"] = r.given(exclusion[name], f"exclusion.{name}", spec)
    never = given.get("exclusion.never_online", Given(0.063, 0.063, 0.063)).value
    low = given.get("exclusion.low_capability", Given(0.35, 0.35, 0.35)).value
    if never > low:
        r.fail("exclusion", "never_online no larger than low_capability (the never-online are among those "
               "with low capability)", {"never_online": never, "low_capability": low})
    return Settings(str(path), given, service_costs, prices, text)


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
    from cxinsight.exclusion.customers import NationalRates
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
              "# Not yet settable here (to come, issue 27): segment rules, the DERI version (an analysis option,",
              "# deri_version), review precision, and the publishing threshold (counts 1-7 shown as *, NHS England rule).",
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
