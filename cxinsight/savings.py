"""Channel-shift savings: a business case a finance officer would sign, with its uncertainty.

Not a learning model: a frozen dataclass of assumptions (:class:`SavingsAssumptions`), each with
its value, range, unit and source, and plain functions that return tidy frames.

Levers (domain.md s.3): moving contacts from assisted channels to web along a logistic take-up
curve that rises to a ceiling (the ceiling applies to the *shiftable* volume, which already leaves
out likely excluded customers, notebook 03); removing failure demand (a separate lever fed by
notebook 02); the residual cost of assisted digital for some shifted contacts; induced demand
(total contacts often rise when a service goes online); one-off and running investment. Money is
discounted at the HM Treasury Green Book rate (3.5% real) to a net present value; the payback year
is the first year cumulative discounted net savings are positive.

>>> a = SavingsAssumptions()
>>> round(annual_shift_saving(100_000, 0.20, a.unit_cost["phone"].value, a.unit_cost["web"].value))
53600
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd


def format_value(value: float, unit: str) -> str:
    """An assumption's value as a reader expects it for its unit.

    >>> format_value(0.035, "real, a year"), format_value(0.6, "share of shiftable contacts")
    ('3.5%', '60%')
    >>> format_value(8.62, "£ per contact"), format_value(100000, "£ in year 0"), format_value(2, "years")
    ('£8.62', '£100,000', '2.0')
    """
    if unit.startswith(("share", "real")):
        return f"{100 * value:.1f}".removesuffix(".0") + "%"
    if unit.startswith("£ per"):
        return f"£{value:,.2f}"
    if unit.startswith("£"):
        return f"£{value:,.0f}"
    text = f"{value:,.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text  # "2.0 years", never a bare "2" that reads as a count


@dataclass(frozen=True)
class Assumption:
    """One assumption: central value, plausible range, unit and where it comes from. ``council``:
    the council's own value (its council.yaml, :mod:`cxinsight.settings`), not the cited default."""

    value: float
    low: float
    high: float
    unit: str
    source: str
    council: bool = False

    def __post_init__(self) -> None:
        if not self.low <= self.value <= self.high:
            raise ValueError(f"assumption {self.value} {self.unit} lies outside its range [{self.low}, {self.high}]")


SOCITM_2011 = "SOCITM Channel Value Benchmarking 2011 (about 200 councils), via NWLDC strategy"


def _default_unit_costs() -> dict[str, Assumption]:
    return {
        "face_to_face": Assumption(8.62, 8.62, 10.53, "£ per contact", SOCITM_2011 + "; high: PwC (19 councils)"),
        "phone": Assumption(2.83, 2.83, 3.76, "£ per contact", SOCITM_2011 + "; high: SOCITM 2008 median"),
        "web": Assumption(0.15, 0.08, 0.27, "£ per contact", SOCITM_2011 + "; range: PwC to SOCITM 2008"),
        "email": Assumption(2.83, 1.50, 3.76, "£ per contact",
                            "Assumption: no published email cost found; handled like a call (central), range judgement"),
        "letter": Assumption(12.10, 8.62, 12.10, "£ per contact", "PwC post £12.10; low: face-to-face cost"),
        "webchat": Assumption(2.00, 1.00, 2.83, "£ per contact",
                              "Assumption: no published webchat cost found; below a call (agent handles several chats)"),
        "social": Assumption(2.00, 1.00, 2.83, "£ per contact", "Assumption: as webchat"),
        "other": Assumption(2.83, 0.15, 8.62, "£ per contact", "Assumption: as a call; range web to face to face"),
    }


@dataclass(frozen=True)
class SavingsAssumptions:
    """Every input to the business case, with unit, default, range and source."""

    unit_cost: dict[str, Assumption] = field(default_factory=_default_unit_costs)
    service_unit_cost: dict[tuple[str, str], float] = field(default_factory=dict)
    take_up_ceiling: Assumption = Assumption(0.6, 0.4, 0.8, "share of shiftable contacts",
                                             "Judgement: Scarborough moved 58% of missed-bin reports online "
                                             "(LGA Digital Channel Shift Programme)")
    take_up_midpoint: Assumption = Assumption(2.0, 1.5, 3.0, "years to half the ceiling", "Judgement")
    take_up_steepness: Assumption = Assumption(1.5, 1.0, 2.0, "logistic slope per year", "Judgement")
    failure_removal: Assumption = Assumption(0.25, 0.10, 0.40, "share of failure demand removed by the end",
                                             "Judgement; failure demand measured on the failure demand report")
    assisted_digital_share: Assumption = Assumption(0.15, 0.05, 0.30, "share of shifted contacts needing help",
                                                    "Judgement; GOV.UK counts assisted digital in digital take-up")
    assisted_digital_cost: Assumption = Assumption(1.42, 0.75, 2.83, "£ per assisted contact",
                                                   "Judgement: half a phone contact (SOCITM 2011 phone £2.83)")
    induced_demand: Assumption = Assumption(0.10, 0.0, 0.25, "extra web contacts per shifted contact",
                                            "Judgement: total contacts often rise when a service goes online")
    one_off_investment: Assumption = Assumption(100_000, 50_000, 200_000, "£ in year 0",
                                                "Placeholder for a district of about 100,000 residents: replace with "
                                                "the council's own project costs")
    running_cost: Assumption = Assumption(20_000, 10_000, 40_000, "£ a year",
                                          "Placeholder (licences, hosting, content upkeep): replace with the council's own")
    failure_programme_cost: Assumption = Assumption(20_000, 10_000, 40_000, "£ a year",
                                                    "Placeholder: staff time to redesign services against failure demand")
    discount_rate: Assumption = Assumption(0.035, 0.035, 0.035, "real, a year", "HM Treasury Green Book")
    horizon_years: int = 5

    def apportioned(self, share: float, basis: str = "its share of contacts") -> SavingsAssumptions:
        """The council-wide costs (investment, running, failure programme) scaled to one part of the
        council, such as a service, so a service's case is not charged the whole programme.

        >>> SavingsAssumptions().apportioned(0.25).one_off_investment.value
        25000.0
        """
        if not 0 < share <= 1:
            raise ValueError(f"share must be in (0, 1], found {share}")

        def scale(a: Assumption) -> Assumption:
            return replace(a, value=a.value * share, low=a.low * share, high=a.high * share,
                           source=f"{a.source}; apportioned by {basis} ({100 * share:.1f}%)")

        return replace(self, one_off_investment=scale(self.one_off_investment), running_cost=scale(self.running_cost),
                       failure_programme_cost=scale(self.failure_programme_cost))

    def table(self) -> pd.DataFrame:
        """Every assumption as a row: name, value, low, high, unit, whose value (the council's or the
        default) and source.

        >>> SavingsAssumptions().table().iloc[1][["assumption", "whose value"]].tolist()
        ['unit cost: phone', 'default']
        """
        rows = [{"assumption": f"unit cost: {ch.replace('_', ' ')}", **vars(a)} for ch, a in self.unit_cost.items()]
        for name in ASSUMPTION_NAMES:
            rows.append({"assumption": name.replace("_", " "), **vars(getattr(self, name))})
        rows += [{"assumption": f"unit cost: {svc}, {ch.replace('_', ' ')}", "value": v, "low": v, "high": v, "unit": "£ per contact",
                  "source": "the council's own cost for this service (from its settings); held fixed", "council": True}
                 for (svc, ch), v in self.service_unit_cost.items()]
        out = pd.DataFrame(rows)
        out["whose value"] = out["council"].map({True: "the council's", False: "default"})
        return out[["assumption", "value", "low", "high", "unit", "whose value", "source"]]

    def council_values(self) -> list[str]:
        """The assumptions whose value is the council's own (names as :meth:`table` gives them)."""
        t = self.table()
        return t.loc[t["whose value"] == "the council's", "assumption"].tolist()

    def placeholders(self) -> list[str]:
        """The placeholder costs still at their default (the investment, running and failure programme
        costs a council should replace with its own).

        >>> SavingsAssumptions().placeholders()
        ['one off investment', 'running cost', 'failure programme cost']
        """
        return [n.replace("_", " ") for n in ("one_off_investment", "running_cost", "failure_programme_cost")
                if not getattr(self, n).council]


ASSUMPTION_NAMES = ("take_up_ceiling", "take_up_midpoint", "take_up_steepness", "failure_removal",
                    "assisted_digital_share", "assisted_digital_cost", "induced_demand", "one_off_investment",
                    "running_cost", "failure_programme_cost", "discount_rate")


def annual_shift_saving(volume: float, share: float, from_cost: float, to_cost: float) -> float:
    """Yearly saving from moving ``share`` of ``volume`` contacts between channels."""
    return volume * share * (from_cost - to_cost)


def take_up(years: np.ndarray, ceiling, midpoint, steepness) -> np.ndarray:
    """Logistic take-up rising to ``ceiling``, normalised so year 0 is zero.

    >>> take_up(np.array([0, 2, 50]), 0.6, 2.0, 1.5).round(3).tolist()
    [0.0, 0.285, 0.6]
    """
    years = np.asarray(years, dtype=float)
    raw = 1 / (1 + np.exp(-np.asarray(steepness)[..., None] * (years - np.asarray(midpoint)[..., None])))
    start = 1 / (1 + np.exp(np.asarray(steepness)[..., None] * np.asarray(midpoint)[..., None]))
    return np.asarray(ceiling)[..., None] * np.clip((raw - start) / (1 - start), 0, 1)


def discount_factors(rate: float, horizon: int) -> np.ndarray:
    """Green Book factors for years 0..horizon: ``1 / (1 + r) ** t``."""
    return 1 / (1 + rate) ** np.arange(horizon + 1)


def npv(cashflows, rate: float) -> float:
    """Net present value of yearly cashflows starting in year 0.

    >>> round(npv([-100, 60, 60], 0.035), 2)
    13.99
    """
    flows = np.asarray(cashflows, dtype=float)
    return float((flows * discount_factors(rate, len(flows) - 1)).sum())


def payback_year(cashflows, rate: float) -> int | None:
    """First year in which cumulative discounted cashflow is back at or above zero (None if never).

    >>> payback_year([-100_000, 53_600, 53_600, 53_600], 0.035)
    2
    """
    flows = np.asarray(cashflows, dtype=float) * discount_factors(rate, len(cashflows) - 1)
    return _payback_from_discounted(flows)


SCENARIOS = ("do_nothing", "digital_push", "fix_failure_first", "both")


@dataclass(frozen=True)
class Period:
    """The days an export covers, first to last contact inclusive, and the factor that turns its
    counts into counts a year (a straight scaling: a part-year export carries no seasons it missed).

    >>> p = Period.of(pd.Series([pd.Timestamp("2023-01-01"), pd.Timestamp("2024-06-30 17:00")]))
    >>> p.days, round(p.years, 2), round(p.per_year, 3), p.describe()
    (547, 1.5, 0.668, '18 months (1 January 2023 to 30 June 2024)')
    """

    first: pd.Timestamp
    last: pd.Timestamp

    @classmethod
    def of(cls, dates: pd.Series) -> Period:
        dates = pd.to_datetime(dates).dropna()
        if dates.empty:
            raise ValueError("no dated contacts: the period an export covers needs at least one date")
        return cls(dates.min().normalize(), dates.max().normalize())

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def years(self) -> float:
        return self.days / 365.25

    @property
    def per_year(self) -> float:
        return 1 / self.years

    def describe(self) -> str:
        months = round(self.days / (365.25 / 12))
        length = f"{self.days} day{'s' if self.days != 1 else ''}" if months < 2 else f"{months} months"
        return f"{length} ({self.first.day} {self.first:%B %Y} to {self.last.day} {self.last:%B %Y})"

    def as_a_year(self) -> str:
        """What a page says of its figures a year.

        >>> Period(pd.Timestamp("2024-04-01"), pd.Timestamp("2025-03-31")).as_a_year()
        'The export covers a year (1 April 2024 to 31 March 2025).'
        >>> Period(pd.Timestamp("2024-04-01"), pd.Timestamp("2024-04-01")).describe()
        '1 day (1 April 2024 to 1 April 2024)'
        >>> Period(pd.Timestamp("2024-04-01"), pd.Timestamp("2024-08-31")).as_a_year()
        'The export covers 5 months (1 April 2024 to 31 August 2024): a year is its contacts scaled to twelve months, so seasons it does not cover are not in it.'
        """
        if 350 <= self.days <= 380:
            return f"The export covers a year ({self.describe().split('(', 1)[1]}."
        caveat = "so seasons it does not cover are not in it" if self.days < 350 else "an average over the time it covers"
        return f"The export covers {self.describe()}: a year is its contacts scaled to twelve months, {caveat}."


def baseline(contacts: pd.DataFrame, assumptions: SavingsAssumptions | None = None,
             by: tuple[str, ...] = ("service", "channel"), per_year: float = 1.0) -> pd.DataFrame:
    """Yearly volumes and costs by service and channel from processed contacts: the export's counts
    times ``per_year`` (``Period.of(dates).per_year``; 1.0 takes the export as one year)."""
    a = assumptions or SavingsAssumptions()
    g = contacts.groupby(list(by), observed=True).size().rename("contacts").reset_index()
    g["contacts"] = g["contacts"] * per_year if per_year != 1.0 else g["contacts"]
    g["channel"] = g["channel"].astype(str)
    g["unit_cost"] = g["channel"].map({k: v.value for k, v in a.unit_cost.items()}).fillna(a.unit_cost["other"].value)
    g["channel_unit_cost"] = g["unit_cost"]  # before a service's own cost: Inputs carries the difference
    if a.service_unit_cost and "service" in g:
        override = pd.Series(a.service_unit_cost)
        key = list(zip(g["service"].astype(str), g["channel"], strict=True))
        g["unit_cost"] = [override.get(k, c) for k, c in zip(key, g["unit_cost"], strict=True)]
    g["cost"] = g["contacts"] * g["unit_cost"]
    return g


@dataclass(frozen=True)
class Inputs:
    """What the analyses measured, aggregated per channel (all a projection needs).

    ``volume``: contacts a year; ``shiftable``: non-digital contacts that could move online
    (notebook 03, central); ``shiftable_low``/``high``: its range; ``failure``: failure-demand
    contacts (notebook 02); ``shiftable_failure``: the failure part of the shiftable contacts;
    ``failure_low``/``high``: the failure share's interval as multipliers of the estimate.
    """

    channels: tuple[str, ...]
    volume: np.ndarray
    shiftable: np.ndarray
    failure: np.ndarray
    shiftable_failure: np.ndarray
    shiftable_low: float = 1.0
    shiftable_high: float = 1.0
    failure_low: float = 1.0
    failure_high: float = 1.0
    #: where a service has its own unit cost (council.yaml), what it adds to (or takes from) the
    #: channel's cost a year, over the volume, the shiftable, the failure and the shiftable failure
    #: contacts: £ = sum of (service cost - channel cost) x contacts. A service's cost moves with its
    #: channel's draws by this fixed difference.
    extra_volume: float = 0.0
    extra_shiftable: float = 0.0
    extra_failure: float = 0.0
    extra_shiftable_failure: float = 0.0

    @classmethod
    def from_frames(cls, volumes: pd.DataFrame, shiftable: pd.DataFrame | None = None,
                    failure_share: pd.DataFrame | None = None) -> Inputs:
        """From ``baseline`` output, ``shiftable_volume(by=("service", "channel"))`` and
        ``failure_share(by="service")`` (``estimate``, ``low``, ``high`` per service)."""
        v = volumes.copy()
        v["channel"] = v["channel"].astype(str)
        v["service"] = v["service"].astype(str)
        if failure_share is not None:
            f = failure_share.assign(service=failure_share["service"].astype(str)).set_index("service")
            v["f"] = v["service"].map(f["estimate"]).fillna(0.0)
            est = float((f["estimate"] * f["n"]).sum() / f["n"].sum())
            f_low = float((f["low"] * f["n"]).sum() / f["n"].sum()) / est if est else 1.0
            f_high = float((f["high"] * f["n"]).sum() / f["n"].sum()) / est if est else 1.0
        else:
            v["f"], f_low, f_high = 0.0, 1.0, 1.0
        if shiftable is not None:
            sh = shiftable.assign(service=shiftable["service"].astype(str), channel=shiftable["channel"].astype(str))
            sh = sh.set_index(["service", "channel"])
            key = pd.MultiIndex.from_frame(v[["service", "channel"]])
            v["s"] = sh["shiftable_central"].reindex(key).fillna(0.0).to_numpy()
            totals = sh[["shiftable_low", "shiftable_central", "shiftable_high"]].sum()
            s_low = float(totals["shiftable_low"] / totals["shiftable_central"]) if totals["shiftable_central"] else 1.0
            s_high = float(totals["shiftable_high"] / totals["shiftable_central"]) if totals["shiftable_central"] else 1.0
        else:
            v["s"], s_low, s_high = 0.0, 1.0, 1.0
        v = v.assign(fv=v["contacts"] * v["f"], fs=v["s"] * v["f"])
        agg = v.groupby("channel")[["contacts", "s", "fv", "fs"]].sum()
        off = (v["unit_cost"] - v["channel_unit_cost"]) if {"unit_cost", "channel_unit_cost"} <= set(v) else None
        extras = [0.0] * 4 if off is None else [float((off * v[c]).sum()) for c in ("contacts", "s", "fv", "fs")]
        return cls(tuple(agg.index), agg["contacts"].to_numpy(float), agg["s"].to_numpy(float),
                   agg["fv"].to_numpy(float), agg["fs"].to_numpy(float), s_low, s_high, f_low, f_high, *extras)


def _cashflows(inputs: Inputs, scenario: str, unit_cost: np.ndarray, web_cost, ceiling, midpoint, steepness,
               removal, assisted_share, assisted_cost, induced, one_off, running, programme, horizon: int,
               s_mult=1.0, f_mult=1.0) -> dict[str, np.ndarray]:
    """Yearly flows for ``draws`` parameter sets at once. Parameters are arrays of shape (draws,)
    (or scalars); ``unit_cost`` is (draws, channels). Returns arrays of shape (draws, horizon + 1)."""
    years = np.arange(horizon + 1)
    shift_on = scenario in {"digital_push", "both"}
    fix_on = scenario in {"fix_failure_first", "both"}
    u = take_up(years, np.atleast_1d(ceiling), np.atleast_1d(midpoint), np.atleast_1d(steepness)) if shift_on \
        else np.zeros((1, horizon + 1))
    r = (np.atleast_1d(removal)[:, None] * np.minimum(years / max(horizon, 1), 1.0)[None, :]) if fix_on \
        else np.zeros((1, horizon + 1))
    uc = np.atleast_2d(unit_cost)
    web = np.atleast_1d(web_cost)[:, None]
    s_m, f_m = np.atleast_1d(s_mult)[:, None], np.atleast_1d(f_mult)[:, None]
    # Failure demand removed (all channels), then shift applied to what remains of the shiftable volume.
    removed_cost = r * (uc @ inputs.failure + inputs.extra_failure)[:, None] * f_m
    shifted = u * (inputs.shiftable.sum() * s_m - r * inputs.shiftable_failure.sum() * s_m * f_m)
    shifted_cost = u * ((uc @ inputs.shiftable + inputs.extra_shiftable)[:, None] * s_m
                        - r * (uc @ inputs.shiftable_failure + inputs.extra_shiftable_failure)[:, None] * s_m * f_m)
    shift_saving = (shifted_cost - shifted * web - shifted * np.atleast_1d(assisted_share)[:, None]
                    * np.atleast_1d(assisted_cost)[:, None] - shifted * np.atleast_1d(induced)[:, None] * web)
    shift_saving[:, 0] = 0.0
    removed_cost[:, 0] = 0.0
    cost = np.zeros_like(shift_saving + removed_cost)
    if shift_on:
        cost[:, 0] += np.atleast_1d(one_off)
        cost[:, 1:] += np.atleast_1d(running)[:, None]
    if fix_on:
        cost[:, 1:] += np.atleast_1d(programme)[:, None]
    gross = shift_saving + removed_cost
    return {"shifted": np.broadcast_to(shifted, gross.shape), "shift_saving": shift_saving + 0 * gross,
            "failure_saving": removed_cost + 0 * gross, "gross_saving": gross, "cost": cost, "net": gross - cost}


def project(inputs: Inputs, assumptions: SavingsAssumptions | None = None, scenarios=SCENARIOS) -> pd.DataFrame:
    """Year-by-year volumes shifted, savings, costs and net for each scenario (central assumptions)."""
    a = assumptions or SavingsAssumptions()
    uc = np.array([[a.unit_cost.get(c, a.unit_cost["other"]).value for c in inputs.channels]])
    rows = []
    baseline_cost = float((uc @ inputs.volume)[0]) + inputs.extra_volume
    for sc in scenarios:
        f = _cashflows(inputs, sc, uc, a.unit_cost["web"].value, a.take_up_ceiling.value, a.take_up_midpoint.value,
                       a.take_up_steepness.value, a.failure_removal.value, a.assisted_digital_share.value,
                       a.assisted_digital_cost.value, a.induced_demand.value, a.one_off_investment.value,
                       a.running_cost.value, a.failure_programme_cost.value, a.horizon_years)
        for t in range(a.horizon_years + 1):
            rows.append({"scenario": sc, "year": t, "baseline_cost": baseline_cost if t else 0.0,
                         **{k: float(v[0, t]) for k, v in f.items()},
                         "discount_factor": float(discount_factors(a.discount_rate.value, a.horizon_years)[t])})
    out = pd.DataFrame(rows)
    out["discounted_net"] = out["net"] * out["discount_factor"]
    return out


def _payback_from_discounted(discounted: np.ndarray) -> int | None:
    """First year cumulative discounted net is back at or above zero after being negative; None if it
    never goes negative (nothing to pay back) or never recovers within the horizon."""
    cumulative = np.cumsum(discounted)
    negative = np.flatnonzero(cumulative < 0)
    if not negative.size:
        return None
    hit = np.flatnonzero((cumulative >= 0) & (np.arange(len(cumulative)) > negative[0]))
    return int(hit[0]) if hit.size else None


UNCERTAIN = ("take_up_ceiling", "take_up_midpoint", "take_up_steepness", "failure_removal", "assisted_digital_share",
             "assisted_digital_cost", "induced_demand", "one_off_investment", "running_cost", "failure_programme_cost")


def pert_like(z: np.ndarray, low: float, mode: float, high: float) -> np.ndarray:
    """Map fixed draws ``z`` in [-1, 1] (2 * Beta(4, 4) - 1: a PERT shape) onto [low, high] around
    ``mode``, scaling each side separately. The same ``z`` with a wider range gives draws at least
    as far from the mode: common random numbers, so widening a range can only widen the output."""
    return mode + np.where(z < 0, z * (mode - low), z * (high - mode))


def _draws(assumptions: SavingsAssumptions, inputs: Inputs, draws: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    names = list(UNCERTAIN) + [f"unit_cost:{c}" for c in inputs.channels] + ["unit_cost:web", "shiftable", "failure"]
    z = 2 * rng.beta(4, 4, size=(len(names), draws)) - 1
    out = {}
    for i, name in enumerate(names):
        if name.startswith("unit_cost:"):
            a = assumptions.unit_cost.get(name.split(":", 1)[1], assumptions.unit_cost["other"])
            out[name] = pert_like(z[i], a.low, a.value, a.high)
        elif name == "shiftable":
            out[name] = pert_like(z[i], inputs.shiftable_low, 1.0, inputs.shiftable_high)
        elif name == "failure":
            out[name] = pert_like(z[i], inputs.failure_low, 1.0, inputs.failure_high)
        else:
            a = getattr(assumptions, name)
            out[name] = pert_like(z[i], a.low, a.value, a.high)
    return out


def monte_carlo(inputs: Inputs, assumptions: SavingsAssumptions | None = None, scenario: str = "both",
                draws: int = 10_000, seed: int = 0) -> dict[str, object]:
    """Seeded, vectorised Monte Carlo over every uncertain input (PERT-shaped within its range).

    Returns ``npv`` (draws,), ``net`` (draws, years) and ``bands``: P10 / P50 / P90 of net and
    cumulative discounted net by year.
    """
    a = assumptions or SavingsAssumptions()
    d = _draws(a, inputs, draws, seed)
    uc = np.column_stack([d[f"unit_cost:{c}"] for c in inputs.channels])
    flows = _cashflows(inputs, scenario, uc, d["unit_cost:web"], d["take_up_ceiling"], d["take_up_midpoint"],
                       d["take_up_steepness"], d["failure_removal"], d["assisted_digital_share"],
                       d["assisted_digital_cost"], d["induced_demand"], d["one_off_investment"], d["running_cost"],
                       d["failure_programme_cost"], a.horizon_years, d["shiftable"], d["failure"])
    disc = discount_factors(a.discount_rate.value, a.horizon_years)
    discounted = flows["net"] * disc
    cumulative = np.cumsum(discounted, axis=1)
    p10, p50, p90 = np.percentile(flows["net"], [10, 50, 90], axis=0)
    c10, c50, c90 = np.percentile(cumulative, [10, 50, 90], axis=0)
    bands = pd.DataFrame({"year": np.arange(a.horizon_years + 1), "net_p10": p10, "net_p50": p50, "net_p90": p90,
                          "cumulative_p10": c10, "cumulative_p50": c50, "cumulative_p90": c90})
    return {"npv": discounted.sum(axis=1), "net": flows["net"], "bands": bands, "scenario": scenario,
            "draws": draws, "seed": seed}


def tornado(inputs: Inputs, assumptions: SavingsAssumptions | None = None, scenario: str = "both") -> pd.DataFrame:
    """One-at-a-time sensitivity: NPV with each assumption at its low and its high, others central."""
    a = assumptions or SavingsAssumptions()
    central = summarise(project(inputs, a, [scenario]))["npv"].iloc[0]
    rows = []
    for name in UNCERTAIN:
        spec = getattr(a, name)
        npvs = [summarise(project(inputs, replace(a, **{name: replace(spec, value=v)}), [scenario]))["npv"].iloc[0]
                for v in (spec.low, spec.high)]
        rows.append({"assumption": name.replace("_", " "), "npv_low_input": npvs[0], "npv_high_input": npvs[1]})
    for ch in (*inputs.channels, "web"):
        spec = a.unit_cost.get(ch, a.unit_cost["other"])
        costs = dict(a.unit_cost)
        npvs = []
        for v in (spec.low, spec.high):
            costs[ch] = replace(spec, value=v)
            npvs.append(summarise(project(inputs, replace(a, unit_cost=dict(costs)), [scenario]))["npv"].iloc[0])
        rows.append({"assumption": f"unit cost: {ch.replace('_', ' ')}", "npv_low_input": npvs[0], "npv_high_input": npvs[1]})
    out = pd.DataFrame(rows).drop_duplicates("assumption")
    out["swing"] = (out["npv_high_input"] - out["npv_low_input"]).abs()
    out["central_npv"] = central
    return out.sort_values("swing", ascending=False).reset_index(drop=True)


def summarise(projection: pd.DataFrame) -> pd.DataFrame:
    """Per scenario: net savings, NPV, payback year, benefit-cost ratio."""
    rows = []
    for sc, g in projection.groupby("scenario", sort=False):
        disc = g["discount_factor"]
        benefits, costs = float((g["gross_saving"] * disc).sum()), float((g["cost"] * disc).sum())
        rows.append({"scenario": sc, "net_savings": float(g["net"].sum()), "npv": float(g["discounted_net"].sum()),
                     "payback_year": _payback_from_discounted(g["discounted_net"].to_numpy()),
                     "benefit_cost_ratio": benefits / costs if costs else np.nan})
    return pd.DataFrame(rows)


__all__ = ["SCENARIOS", "Assumption", "Period", "SavingsAssumptions", "annual_shift_saving", "baseline", "discount_factors",
           "monte_carlo", "npv", "payback_year", "pert_like", "project", "replace", "summarise", "take_up", "tornado",
           "Inputs"]
