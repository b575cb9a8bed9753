"""The demo district: its areas, its customers and the true story of every contact.

This module decides what *really* happened (the truth that goes into the answer key); the
:mod:`cxinsight.synthetic.exports` module then writes it the way messy council systems would.

Calibration (figures from ``../shared/docs/domain.md``; the demo is a test instrument, not a
forecast):

- size: about 100,000 residents and 150,000 recorded contacts a year by default. North West
  Leicestershire (98,000 residents) logged about 318,000 contacts across three channels in 2016
  (domain.md s.8), Enfield 575,411 calls for 331,395 residents; 1.5 CRM contacts per resident is
  the conservative end, since web visits are not CRM contacts.
- residents per LSOA: about 1,500 (domain.md s.2), so about 67 LSOAs by default.
- channel mix: phone-led with a growing web share, as in Harrow's 2016 figures (over 1m calls,
  150,000 emails: about 7 calls per email) and Enfield's 2017/18 split. The mix comes from each
  customer's true digital capability, not from a fixed table.
- failure demand: 15% (libraries) to 60% (housing repairs) by service, about 45% overall, inside
  the 40-60% range Vanguard reports for service organisations (domain.md s.1).
- complaints: about 0.6% of contacts (Enfield: about 3,500 complaints against 575,411 calls).
- digital capability: about 18% likely excluded, 30% could shift with support, 52% self-serve;
  between the 6.3% who have never used the internet (ONS 2020) and the 35% with low or very low
  digital capability (Lloyds 2023), rising with age and deprivation (age is the strongest
  predictor, domain.md s.2).
- behaviour beyond channel choice: some residents pay council tax by instalments through a contact
  (most of those who cannot use the web, few of those who can), so paying online or not shows in
  the council's own data, as domain.md s.2 says it does.
- over-65s: around 19.7% of adults (North West Leicestershire, domain.md s.8), varying by area.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxinsight.synthetic.language import SERVICE_CODES

CHANNELS: tuple[str, ...] = ("phone", "face_to_face", "email", "web", "webchat", "letter", "social")
OFFICE_CHANNELS = frozenset({"phone", "face_to_face", "letter"})
DIGITAL_CHANNELS = frozenset({"email", "web", "webchat", "social"})
CAPABILITIES: tuple[str, ...] = ("self_serve", "could_shift_with_support", "likely_excluded")
FAILURE_TYPES: tuple[str, ...] = (
    "progress_chasing", "not_done", "not_done_right", "clarification", "information_not_found",
    "wrong_place", "complaint", "repeat_contact",
)
VALUE_TYPES: tuple[str, ...] = ("request_service", "report_problem", "pay", "change_of_circumstances",
                                "information")
AGE_BANDS: tuple[str, ...] = ("18-34", "35-49", "50-64", "65-74", "75+")

# Share of all contacts by service (sums to 1).
SERVICE_MIX: dict[str, float] = {
    "council_tax": 0.22, "waste_recycling": 0.20, "housing_repairs": 0.14, "benefits": 0.12,
    "highways": 0.07, "parking": 0.06, "planning": 0.05, "environmental_health": 0.05,
    "housing_options": 0.04, "libraries": 0.05,
}
# Planted failure-demand share by service.
FAILURE_SHARE: dict[str, float] = {
    "council_tax": 0.40, "waste_recycling": 0.55, "housing_repairs": 0.60, "benefits": 0.45,
    "highways": 0.45, "parking": 0.30, "planning": 0.35, "environmental_health": 0.30,
    "housing_options": 0.40, "libraries": 0.15,
}
# Mix of failure types within a service's failure demand, in FAILURE_TYPES order.
FAILURE_TYPE_MIX: dict[str, list[float]] = {
    "council_tax":          [.15, .08, .25, .25, .12, .05, .04, .06],
    "waste_recycling":      [.20, .40, .08, .05, .10, .04, .05, .08],
    "housing_repairs":      [.35, .25, .15, .03, .05, .05, .07, .05],
    "benefits":             [.35, .10, .15, .20, .08, .04, .03, .05],
    "highways":             [.30, .20, .15, .02, .08, .12, .05, .08],
    "parking":              [.15, .05, .30, .20, .15, .07, .05, .03],
    "planning":             [.40, .05, .05, .20, .15, .08, .04, .03],
    "environmental_health": [.35, .20, .05, .05, .10, .12, .05, .08],
    "housing_options":      [.40, .10, .05, .15, .10, .10, .05, .05],
    "libraries":            [.10, .15, .10, .10, .35, .10, .05, .05],
}
VALUE_TYPE_MIX = [0.40, 0.20, 0.15, 0.10, 0.15]
# Seasonality by month, April first (financial year).
SEASON: dict[str, list[float]] = {
    "council_tax":          [2.0, 1.3, 1.0, .9, .8, .9, .9, .8, .6, .9, 1.0, 1.6],
    "benefits":             [1.2, 1.0, 1.0, 1.0, .9, 1.0, 1.0, 1.0, .8, 1.1, 1.0, 1.1],
    "housing_repairs":      [.9, .9, .8, .8, .8, .9, 1.1, 1.3, 1.3, 1.4, 1.2, 1.0],
    "waste_recycling":      [1.1, 1.0, 1.1, 1.2, 1.1, 1.0, .9, .9, 1.2, 1.5, .9, 1.0],
    "planning":             [1.1, 1.2, 1.3, 1.2, 1.1, 1.0, .9, .8, .6, .9, 1.0, 1.0],
    "parking":              [1.0, 1.0, 1.0, 1.1, 1.1, 1.0, 1.0, 1.1, 1.3, 1.0, .9, .9],
    "environmental_health": [.9, 1.1, 1.4, 1.6, 1.5, 1.1, .9, .8, .7, .7, .8, .9],
    "libraries":            [1.1, 1.0, .9, 1.4, 1.4, 1.0, 1.1, .9, .8, 1.0, 1.1, 1.0],
    "highways":             [.8, .7, .7, .7, .7, .8, 1.0, 1.2, 1.4, 1.6, 1.5, 1.2],
    "housing_options":      [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.2, 1.3, 1.0, 1.0],
}
# Weekday factors, Monday first: offices are shut at weekends.
WEEKDAY_OFFICE = np.array([1.35, 1.10, 1.0, 1.0, 0.90, 0.0, 0.0])
WEEKDAY_DIGITAL = np.array([1.15, 1.05, 1.0, 1.0, 0.95, 0.70, 0.75])
# Hour-of-day weights by channel (24 values each).
_h = np.zeros(24)
HOURS: dict[str, np.ndarray] = {
    "phone": np.array([0] * 8 + [4, 10, 11, 10, 8, 8, 9, 8, 7, 4] + [0] * 6, dtype=float),
    "face_to_face": np.array([0] * 9 + [8, 10, 10, 8, 7, 9, 8, 4] + [0] * 7, dtype=float),
    "letter": np.array([0] * 9 + [5] * 8 + [0] * 7, dtype=float),
    "email": np.array([.5] * 7 + [2, 4, 5, 5, 5, 5, 5, 5, 5, 4, 4, 3, 3, 3, 3, 2, 1], dtype=float),
    "web": np.array([1, .5, .3, .3, .3, .5, 1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5, 6, 7, 7, 7, 5, 2],
                    dtype=float),
    "webchat": np.array([0] * 8 + [5] * 12 + [0] * 4, dtype=float),
    "social": np.array([.5] * 7 + [3] * 16 + [1], dtype=float),
}
# Channel propensity by capability (CHANNELS order).
CHANNEL_BY_CAPABILITY = np.array([
    [.22, .01, .12, .55, .08, .005, .015],   # self_serve
    [.56, .07, .12, .17, .05, .015, .015],   # could_shift_with_support
    [.66, .24, .005, .005, .0, .09, .0],     # likely_excluded
])
# Service multipliers on channel propensity (CHANNELS order); renormalised per row.
CHANNEL_SERVICE_FACTOR: dict[str, list[float]] = {
    "libraries": [1, 4, 1, 1, 1, 1, 1], "housing_options": [1, 2, 1, 1, 1, 1, 1],
    "parking": [1, 1, 1, 1.5, 1, 1, 1], "waste_recycling": [1, 1, 1, 1.3, 1, 1, 1.5],
    "planning": [1, 1, 1.5, 1.2, 1, 1, 1],
}
# Follow-up failure types (attached to an earlier value contact of the same customer and service)
# and the probability that a contact of that type is a follow-up rather than stand-alone.
FOLLOW_UP_PROBABILITY = {"progress_chasing": 0.9, "repeat_contact": 1.0,
                         "information_not_found": 0.8, "not_done": 0.3}
# Recurring payers: residents who pay council tax by instalments without a direct debit make a
# payment contact most months, through a channel they can use. Paying online (or not) is one of the
# customer-level signals a council holds (domain.md s.2). The shares below are judgement for the
# demo (a test instrument), by capability in CAPABILITIES order.
RECURRING_PAYER_SHARE = np.array([0.02, 0.06, 0.25])
PAYMENTS_PER_PAYER = (2, 7)
PAYMENT_CHANNEL_BY_CAPABILITY = np.array([
    [.08, .0, .0, .92, .0, .0, .0],    # self_serve: the online payment page
    [.50, .05, .0, .45, .0, .0, .0],   # could_shift_with_support: phone or online
    [.72, .28, .0, .0, .0, .0, .0],    # likely_excluded: the payment line or the counter
])
FOLLOW_UP_GAP_DAYS = {"progress_chasing": (3, 25), "repeat_contact": (1, 13),
                      "information_not_found": (0.02, 1.95), "not_done": (1, 10)}


@dataclass(frozen=True)
class DemoSpec:
    """What to generate. Change ``contacts`` to scale (the benchmark goes to 6,000,000)."""

    contacts: int = 150_000
    seed: int = 20240401
    start: str = "2024-04-01"
    end: str = "2025-03-31"
    residents_per_contact: float = 100_000 / 150_000
    residents_per_lsoa: int = 1_500
    customers_per_contact: float = 0.30
    anonymous_share: float = 0.12
    age_recorded_share: float = 0.35
    capability_shares: tuple[float, float, float] = (0.52, 0.30, 0.18)
    complaint_rate: float = 0.006
    stage2_rate: float = 0.15
    survey_rate: float = 0.05
    pii_share_notes: float = 0.04
    pii_share_complaints: float = 0.25
    pii_share_comments: float = 0.06
    defect_rates: dict[str, float] = field(default_factory=lambda: {
        "duplicate_row": 0.005,        # the same record twice in one file
        "blank_row": 0.0005,           # empty lines and rows of empty cells
        "impossible_date": 0.0004,     # 31/02, month 13, 29/02 in a non-leap year
        "negative_duration": 0.002,    # negative handle time
        "excel_serial_date": 0.03,     # in the file that went through Excel
        "excel_error_value": 0.005,    # '#N/A' cells, same file
        "missing_channel": 0.003,      # blank or 'Unknown' channel
        "embedded_newline": 0.003,     # notes typed over two lines
    })

    @property
    def residents(self) -> int:
        return int(round(self.contacts * self.residents_per_contact))

    @property
    def n_lsoas(self) -> int:
        return max(12, int(round(self.residents / self.residents_per_lsoa)))

    @property
    def n_customers(self) -> int:
        return max(200, int(round(self.contacts * self.customers_per_contact)))


def bank_holidays(start: str, end: str) -> np.ndarray:
    """England and Wales bank holidays between two dates, as ``datetime64[D]``.

    >>> [str(d) for d in bank_holidays("2024-12-20", "2025-01-05")]
    ['2024-12-25', '2024-12-26', '2025-01-01']
    """
    import holidays

    s, e = pd.Timestamp(start), pd.Timestamp(end)
    cal = holidays.country_holidays("GB", subdiv="ENG", years=range(s.year, e.year + 2))
    days = sorted(d for d in cal if s.date() <= d <= e.date())
    return np.array(days, dtype="datetime64[D]")


def make_areas(rng: np.random.Generator, spec: DemoSpec) -> pd.DataFrame:
    """LSOAs of the demo district with DERI-style indicators (domain.md s.2).

    Codes are in an unused range (``E0199xxxx``) so they can never be mistaken for real LSOAs.
    Two latent traits drive the indicators: deprivation and rurality.
    """
    n = spec.n_lsoas
    deprivation = rng.normal(0, 1, n)
    rurality = rng.normal(0, 1, n)
    age_tilt = 0.6 * rurality - 0.2 * deprivation + rng.normal(0, 0.6, n)
    population = rng.normal(spec.residents_per_lsoa, 180, n).clip(1000, 3000).round().astype(int)
    pct_65_74 = (10.5 + 3.0 * age_tilt + rng.normal(0, 1, n)).clip(3, 25)
    pct_75 = (8.5 + 2.6 * age_tilt + rng.normal(0, 1, n)).clip(2, 22)
    wards = [f"Ward {chr(65 + i // 5)}" for i in range(n)]  # about five LSOAs a ward
    ward_names = {w: name for w, name in zip(sorted(set(wards)), _WARD_NAMES, strict=False)}
    areas = pd.DataFrame({
        "lsoa_code": [f"E0199{i + 1:04d}" for i in range(n)],
        "lsoa_name": [f"Demo District {i // 4 + 1:03d}{'ABCD'[i % 4]}" for i in range(n)],
        "ward": [ward_names.get(w, w) for w in wards],
        "population": population,
        "pct_65_74": pct_65_74.round(1),
        "pct_75_plus": pct_75.round(1),
        "pct_65_plus": (pct_65_74 + pct_75).round(1),
        "pct_disabled": (17 + 3.5 * deprivation + 1.5 * age_tilt + rng.normal(0, 1.5, n)).clip(6, 35).round(1),
        "pct_social_grade_de": (22 + 7 * deprivation + rng.normal(0, 2, n)).clip(5, 55).round(1),
        "pct_no_qualifications": (18 + 6 * deprivation + 2 * age_tilt + rng.normal(0, 2, n)).clip(3, 45).round(1),
        "pct_pension_credit": (14 + 7 * deprivation + rng.normal(0, 2, n)).clip(2, 50).round(1),
        "claimant_rate": (3.0 + 1.6 * deprivation + rng.normal(0, 0.5, n)).clip(0.3, 12).round(1),
        "imd_score": np.exp(2.9 + 0.55 * deprivation + rng.normal(0, 0.15, n)).round(2),
        "pct_premises_below_30mbit": (6 + 9 * np.maximum(rurality, -0.3) + rng.normal(0, 2, n)).clip(0, 60).round(1),
        "pct_connections_below_10mbit": (9 + 5 * rurality + 1.5 * deprivation + rng.normal(0, 1.5, n)).clip(1, 40).round(1),
        "avg_download_mbit": (72 - 16 * rurality - 4 * deprivation + rng.normal(0, 6, n)).clip(8, 160).round(1),
    })
    areas.attrs["latent"] = {"deprivation": deprivation, "rurality": rurality}
    return areas


_WARD_NAMES = ["Abbey", "Bardon", "Castle", "Coalville Central", "Greenhill", "Hermitage", "Holly Hayes",
               "Ivanhoe", "Kegworth", "Linford", "Measham", "Oakthorpe", "Ravenstone", "Snibston",
               "Thornborough", "Valley", "Woodside", "Worthington", "Appleby", "Blackfordby"]


def make_customers(rng: np.random.Generator, areas: pd.DataFrame, spec: DemoSpec) -> pd.DataFrame:
    """Customers with an LSOA, an age, a true digital capability and an activity level."""
    n = spec.n_customers
    latent = areas.attrs["latent"]
    weights = areas["population"].to_numpy(float)
    area_idx = rng.choice(len(areas), size=n, p=weights / weights.sum())
    # Adult age: older where the area is older.
    p65 = (areas["pct_65_plus"].to_numpy() / 100 * 1.25)[area_idx].clip(0.05, 0.6)
    is_older = rng.random(n) < p65
    age = np.where(is_older, rng.uniform(65, 95, n), rng.uniform(18, 65, n))
    band_idx = np.digitize(age, [35, 50, 65, 75])
    # Latent digital capability: age is the strongest predictor, then deprivation and broadband.
    score = (-0.075 * (age - 45) - 0.55 * latent["deprivation"][area_idx]
             - 0.30 * latent["rurality"][area_idx] + rng.normal(0, 0.75, n))
    cut_excluded, cut_shift = np.quantile(
        score, [spec.capability_shares[2], spec.capability_shares[2] + spec.capability_shares[1]])
    capability_idx = np.where(score <= cut_excluded, 2, np.where(score <= cut_shift, 1, 0))
    activity = rng.gamma(0.8, 1.0, n) * np.where(capability_idx == 2, 1.5, 1.0)
    ids = rng.choice(np.arange(100_000, 9_999_999), size=n, replace=False)
    return pd.DataFrame({
        "customer_id": [f"{i:08d}" for i in ids],
        "lsoa_code": areas["lsoa_code"].to_numpy()[area_idx],
        "age": age.round().astype(int),
        "age_band": np.array(AGE_BANDS)[band_idx],
        "age_recorded": rng.random(n) < spec.age_recorded_share,
        "digital_capability": np.array(CAPABILITIES)[capability_idx],
        "capability_idx": capability_idx,
        "activity": activity,
    })


def _sample_categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One draw per row from a (rows x categories) probability matrix, vectorised."""
    cum = probs.cumsum(axis=1)
    cum /= cum[:, -1:]
    return (rng.random((probs.shape[0], 1)) > cum).sum(axis=1)


def _sample_times(rng, days: pd.DatetimeIndex, service_idx: np.ndarray, channel: np.ndarray,
                  holidays_: np.ndarray) -> np.ndarray:
    """Timestamps (``datetime64[s]``) for contacts with the given service and channel."""
    n = len(service_idx)
    month_pos = ((days.month.to_numpy() - 4) % 12)
    weekday = days.day_of_week.to_numpy()
    is_bh = np.isin(days.to_numpy().astype("datetime64[D]"), holidays_)
    out_day = np.empty(n, dtype="datetime64[D]")
    office = np.isin(channel, list(OFFICE_CHANNELS))
    for s, code in enumerate(SERVICE_CODES):
        season = np.asarray(SEASON[code])[month_pos]
        for is_office in (True, False):
            rows = np.flatnonzero((service_idx == s) & (office == is_office))
            if rows.size == 0:
                continue
            w = season * (WEEKDAY_OFFICE if is_office else WEEKDAY_DIGITAL)[weekday]
            if is_office:
                w = np.where(is_bh, 0.0, w)
            else:
                w = np.where(is_bh, w * 0.6, w)
            out_day[rows] = days.to_numpy().astype("datetime64[D]")[rng.choice(len(days), rows.size, p=w / w.sum())]
    return out_day.astype("datetime64[s]") + _sample_seconds_of_day(rng, channel)


def _sample_seconds_of_day(rng: np.random.Generator, channel: np.ndarray) -> np.ndarray:
    seconds = np.zeros(len(channel), dtype="int64")
    for ch, weights in HOURS.items():
        rows = np.flatnonzero(channel == ch)
        if rows.size:
            hour = rng.choice(24, rows.size, p=weights / weights.sum())
            seconds[rows] = hour * 3600 + rng.integers(0, 3600, rows.size)
    return seconds.astype("timedelta64[s]")


def _recurring_payments(rng: np.random.Generator, customers: pd.DataFrame, spec: DemoSpec,
                        days: pd.DatetimeIndex, holidays_: np.ndarray) -> dict[str, np.ndarray]:
    """Council tax instalments paid by contact: about monthly, from a random first month.

    Capped so that council tax's other contacts can still carry its planted failure share.
    """
    cap = customers["capability_idx"].to_numpy()
    payer = np.flatnonzero(rng.random(len(cap)) < RECURRING_PAYER_SHARE[cap])
    k = rng.integers(PAYMENTS_PER_PAYER[0], PAYMENTS_PER_PAYER[1] + 1, payer.size)
    ct_share = SERVICE_MIX["council_tax"]
    budget = int(0.8 * (1 - FAILURE_SHARE["council_tax"]) * ct_share * spec.contacts)
    keep = np.cumsum(k) <= budget
    payer, k = payer[keep], k[keep]
    cust_idx = np.repeat(payer, k)
    nth = np.arange(cust_idx.size) - np.repeat(np.cumsum(k) - k, k)  # 0, 1, ... within each payer
    first = rng.integers(0, max(1, len(days) - 30 * PAYMENTS_PER_PAYER[1]), payer.size)
    day = days.to_numpy().astype("datetime64[D]")[0] + (np.repeat(first, k) + 30 * nth
                                                        + rng.integers(-3, 4, cust_idx.size)).clip(0, len(days) - 1)
    cap_rows = cap[cust_idx]
    channel = np.array(CHANNELS)[_sample_categorical(rng, PAYMENT_CHANNEL_BY_CAPABILITY[cap_rows])]
    office = np.isin(channel, list(OFFICE_CHANNELS))
    day = np.where(office, np.busday_offset(day, 0, roll="forward", holidays=holidays_), day)
    last = days.to_numpy().astype("datetime64[D]")[-1]
    day = np.minimum(day, np.busday_offset(last, 0, roll="backward", holidays=holidays_))
    received = day.astype("datetime64[s]") + _sample_seconds_of_day(rng, channel)
    return {"cust_idx": cust_idx, "channel": channel, "received": received}


def make_contacts(rng: np.random.Generator, customers: pd.DataFrame, spec: DemoSpec) -> pd.DataFrame:
    """The true contact history: service, channel, time, customer and demand type of each contact."""
    days = pd.date_range(spec.start, spec.end, freq="D")
    holidays_ = bank_holidays(spec.start, spec.end)
    payments = _recurring_payments(rng, customers, spec, days, holidays_)
    n = spec.contacts - len(payments["cust_idx"])
    services = np.array(SERVICE_CODES)
    # The payments are council tax value demand: the rest of the contacts make up the planted
    # service mix and failure shares around them.
    ct = SERVICE_CODES.index("council_tax")
    expected = np.array([SERVICE_MIX[s] for s in SERVICE_CODES]) * spec.contacts
    planted_share = np.array([FAILURE_SHARE[s] for s in SERVICE_CODES])
    mix = expected.copy()
    mix[ct] -= spec.contacts - n
    main_share = planted_share.copy()
    main_share[ct] = planted_share[ct] * expected[ct] / mix[ct]
    service_idx = rng.choice(len(services), n, p=mix / mix.sum())
    fshare = main_share[service_idx]
    is_failure = rng.random(n) < fshare
    type_mix = np.array([FAILURE_TYPE_MIX[s] for s in SERVICE_CODES])
    ftype_idx = _sample_categorical(rng, type_mix[service_idx])
    failure_type = np.where(is_failure, np.array(FAILURE_TYPES)[ftype_idx], "")
    value_type = np.where(is_failure, "", np.array(VALUE_TYPES)[rng.choice(len(VALUE_TYPES), n, p=VALUE_TYPE_MIX)])

    follow_p = np.vectorize(lambda t: FOLLOW_UP_PROBABILITY.get(t, 0.0), otypes=[float])(failure_type)
    is_follow = rng.random(n) < follow_p

    # Customers: anonymous or drawn by activity.
    act = customers["activity"].to_numpy()
    cust_idx = rng.choice(len(customers), n, p=act / act.sum())
    anonymous = rng.random(n) < spec.anonymous_share
    cust_idx = np.where(anonymous, -1, cust_idx)
    cap_idx = np.where(cust_idx >= 0, customers["capability_idx"].to_numpy()[np.maximum(cust_idx, 0)], -1)

    # Channels from capability (anonymous: the population mix), adjusted by service.
    population_mix = CHANNEL_BY_CAPABILITY.T @ np.array(spec.capability_shares)
    probs = np.where(cap_idx[:, None] >= 0, CHANNEL_BY_CAPABILITY[np.maximum(cap_idx, 0)], population_mix)
    factor = np.array([CHANNEL_SERVICE_FACTOR.get(s, [1.0] * len(CHANNELS)) for s in SERVICE_CODES])
    probs = probs * factor[service_idx]
    channel = np.array(CHANNELS)[_sample_categorical(rng, probs)]

    received = _sample_times(rng, days, service_idx, channel, holidays_)

    # Attach follow-ups to an earlier value contact of the same service (and so the same customer).
    parent = np.full(n, -1)
    end_cut = np.datetime64(spec.end) - np.timedelta64(35, "D")
    for s in range(len(services)):
        for ftype, (lo, hi) in FOLLOW_UP_GAP_DAYS.items():
            rows = np.flatnonzero(is_follow & (service_idx == s) & (failure_type == ftype))
            if rows.size == 0:
                continue
            eligible = (~is_failure) & (service_idx == s) & (received < end_cut)
            if ftype == "information_not_found":
                web = eligible & (channel == "web")
                eligible = web if web.any() else eligible
            pool = np.flatnonzero(eligible)
            if pool.size == 0:
                is_follow[rows] = False
                continue
            chosen = pool[rng.integers(0, pool.size, rows.size)]
            parent[rows] = chosen
            gap = (rng.uniform(lo, hi, rows.size) * 86400).astype("int64").astype("timedelta64[s]")
            t = received[chosen] + gap
            cust_idx[rows] = cust_idx[chosen]
            if ftype == "information_not_found":  # the web failed them: they ring or chat
                channel[rows] = np.where(rng.random(rows.size) < 0.8, "phone", "webchat")
            else:  # the follow-up comes from the parent's customer, so from their channel habits
                cap = np.where(cust_idx[rows] >= 0,
                               customers["capability_idx"].to_numpy()[np.maximum(cust_idx[rows], 0)], -1)
                p = np.where(cap[:, None] >= 0, CHANNEL_BY_CAPABILITY[np.maximum(cap, 0)], population_mix)
                channel[rows] = np.array(CHANNELS)[_sample_categorical(rng, p * factor[s])]
            received[rows] = t
    # Follow-ups on office channels must fall in opening hours on a working day.
    fix = (parent >= 0) & np.isin(channel, list(OFFICE_CHANNELS))
    if fix.any():
        day = received[fix].astype("datetime64[D]")
        day = np.busday_offset(day, 0, roll="forward", holidays=holidays_)
        t = day.astype("datetime64[s]") + _sample_seconds_of_day(rng, channel[fix])
        earliest = received[parent[fix]] + np.timedelta64(20, "m")
        received[fix] = np.maximum(t, earliest)
        # Keep phone hours honest if pushing after the parent ran past closing time.
        late = (received[fix] - received[fix].astype("datetime64[D]")) > np.timedelta64(18 * 3600, "s")
        idx = np.flatnonzero(fix)[late]
        if idx.size:
            nxt = np.busday_offset(received[idx].astype("datetime64[D]"), 1, roll="forward", holidays=holidays_)
            received[idx] = nxt.astype("datetime64[s]") + np.timedelta64(9 * 3600, "s") + (
                rng.integers(0, 7200, idx.size).astype("timedelta64[s]"))
    end_ts = np.datetime64(spec.end) + np.timedelta64(86399, "s")
    received = np.minimum(received, end_ts)

    n_pay = len(payments["cust_idx"])
    service_idx = np.concatenate([service_idx, np.full(n_pay, SERVICE_CODES.index("council_tax"))])
    channel = np.concatenate([channel, payments["channel"]])
    received = np.concatenate([received, payments["received"]])
    cust_idx = np.concatenate([cust_idx, payments["cust_idx"]])
    is_failure = np.concatenate([is_failure, np.zeros(n_pay, dtype=bool)])
    failure_type = np.concatenate([failure_type, np.full(n_pay, "")])
    value_type = np.concatenate([value_type, np.full(n_pay, "pay")])
    parent = np.concatenate([parent, np.full(n_pay, -1)])
    n = len(service_idx)

    cap_idx = np.where(cust_idx >= 0, customers["capability_idx"].to_numpy()[np.maximum(cust_idx, 0)], -1)
    order = np.argsort(received, kind="stable")
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(n)
    first_ref = int(rng.integers(10_000_000, 20_000_000))
    contact_id = np.char.add("ENQ", (first_ref + rank).astype(str))
    customer_id = np.where(cust_idx >= 0, customers["customer_id"].to_numpy()[np.maximum(cust_idx, 0)], "")
    parent_id = np.where(parent >= 0, contact_id[np.maximum(parent, 0)], "")
    demand = np.where(is_failure, "failure", "value")
    frame = pd.DataFrame({
        "contact_id": contact_id,
        "received_at": received.astype("datetime64[s]"),
        "service": services[service_idx],
        "channel": channel,
        "customer_id": customer_id,
        "demand": demand,
        "failure_type": failure_type,
        "value_type": value_type,
        "follow_up_of": parent_id,
        "capability_idx": cap_idx,
    })
    return frame.iloc[order].reset_index(drop=True)


# ---- journeys (issue 30) -------------------------------------------------------------------------------
# The contacts above already hold journeys: each follow-up (a chase, a repeat, a contact after the web
# failed, a report that it was not done) belongs to the request it follows. Planting journeys assigns
# ids to those contacts and makes no new ones, from a random stream of its own (JOURNEY_STREAM), so every
# other draw of the generator, and every other figure of the demo, is as it was.
JOURNEY_STREAM = 30
#: Share of follow-up contacts the CRM links to their request's case (the rest carry no case number, so
#: only the customer and the time can join them to it). Judgement for the demo.
CASE_LINK_RATE = 0.9
#: A complaint joins the journey of the same customer's latest contact about the same service when that
#: contact came within this many days before it (the journeys' default window, cxinsight.journeys).
COMPLAINT_JOURNEY_DAYS = 28
#: Median days from a journey's last contact to its case being closed, by service (judgement for the
#: demo: repairs and planning slow, libraries and council tax quick), lognormal with JOURNEY_CLOSE_SIGMA.
CLOSE_MEDIAN_DAYS: dict[str, float] = {
    "council_tax": 3, "benefits": 10, "housing_repairs": 12, "waste_recycling": 4, "highways": 15, "parking": 5,
    "planning": 20, "environmental_health": 10, "housing_options": 14, "libraries": 1,
}
JOURNEY_CLOSE_SIGMA = 0.9
#: Share of one-contact value-demand journeys closed at the contact itself (within the hour).
CLOSED_AT_CONTACT = 0.5
#: Assisted channels that, after a web contact in the same journey, make a channel hop (cxinsight.journeys).
HOP_AFTER_WEB = ("phone", "face_to_face", "webchat")


def plant_journeys(contacts: pd.DataFrame, spec: DemoSpec) -> pd.DataFrame:
    """``contacts`` with their true journey (``journey_id``: the contact id of the request it follows, or
    its own), the case number the CRM records (``case_id``, blank on a follow-up it did not link) and
    when the case was closed (``closed_at``; missing while open at the end of the period, and on contacts
    with no case number). Complaint contacts join the journey of the customer's latest contact about the
    same service when it came within :data:`COMPLAINT_JOURNEY_DAYS` days before."""
    rng = np.random.default_rng([spec.seed, JOURNEY_STREAM])
    out = contacts.copy()
    journey = out["follow_up_of"].where(out["follow_up_of"] != "", out["contact_id"]).to_numpy(dtype=object)
    complaint = ((out["failure_type"] == "complaint") & (out["follow_up_of"] == "") & (out["customer_id"] != "")
                 ).to_numpy()
    if complaint.any():
        left = out.loc[complaint, ["contact_id", "customer_id", "service", "received_at"]].sort_values("received_at")
        right = (out.loc[~complaint & (out["customer_id"] != "").to_numpy(), ["customer_id", "service", "received_at"]]
                 .assign(earlier_journey=journey[~complaint & (out["customer_id"] != "").to_numpy()])
                 .sort_values("received_at"))
        found = pd.merge_asof(left, right, on="received_at", by=["customer_id", "service"], direction="backward",
                              allow_exact_matches=False, tolerance=pd.Timedelta(days=COMPLAINT_JOURNEY_DAYS))
        found = found.dropna(subset=["earlier_journey"]).set_index("contact_id")["earlier_journey"]
        position = pd.Series(np.arange(len(out)), index=out["contact_id"])
        journey[position.loc[found.index].to_numpy()] = found.to_numpy()
    out["journey_id"] = journey
    joined = out["journey_id"] != out["contact_id"]
    # case numbers in order of each journey's first contact
    first = out.groupby("journey_id")["received_at"].min().sort_values(kind="stable")
    numbers = pd.Series([f"CAS{i + 1:07d}" for i in range(len(first))], index=first.index)
    linked = ~joined.to_numpy() | (rng.random(len(out)) < CASE_LINK_RATE)
    out["case_id"] = np.where(linked, out["journey_id"].map(numbers).to_numpy(), "")
    # when each journey's case closed: after its last contact, sooner for a one-contact request
    g = out.groupby("journey_id")
    last = g["received_at"].max()
    size = g.size()
    service = g["service"].first()
    value_only = (out["demand"] == "value").groupby(out["journey_id"]).all()
    lag = rng.lognormal(np.log(service.map(CLOSE_MEDIAN_DAYS).to_numpy(float)), JOURNEY_CLOSE_SIGMA)
    at_contact = (size.to_numpy() == 1) & value_only.to_numpy() & (rng.random(len(size)) < CLOSED_AT_CONTACT)
    lag = np.where(at_contact, rng.uniform(0.005, 0.04, len(size)), lag)
    closed = last + pd.to_timedelta(np.round(lag * 86400), unit="s")
    closed = closed.where(closed <= pd.Timestamp(spec.end) + pd.Timedelta(seconds=86399))
    out["closed_at"] = out["journey_id"].map(closed).where(linked)
    return out


def journey_truth(contacts: pd.DataFrame, complaints: pd.DataFrame, window_days: float = COMPLAINT_JOURNEY_DAYS
                  ) -> pd.DataFrame:
    """One row per true journey (for the answer key, computed here with plain pandas, apart from
    :mod:`cxinsight.journeys`): its contacts, service and first channel, whether it changed channel,
    hopped from the web to an assisted channel, ended in a complaint (a complaint contact, or one the
    complaints register names), was resolved at the first contact, its end-to-end days, and whether it
    is judged (started at least ``window_days`` after the first contact and before the last)."""
    registered = set(complaints["contact_id"].dropna())
    c = contacts.sort_values(["journey_id", "received_at", "contact_id"]).assign(
        complaint=lambda d: (d["failure_type"] == "complaint") | d["contact_id"].isin(registered),
        web=lambda d: d["channel"] == "web", assisted=lambda d: d["channel"].isin(HOP_AFTER_WEB))
    c["web_before"] = c.groupby("journey_id")["web"].cummax().groupby(c["journey_id"]).shift(fill_value=False)
    c["hop"] = c["assisted"] & c["web_before"]
    g = c.groupby("journey_id", sort=False)
    out = pd.DataFrame({
        "contacts": g.size(), "service": g["service"].first(), "channel": g["channel"].first(),
        "customer_id": g["customer_id"].first(), "started_at": g["received_at"].min(),
        "changed_channel": g["channel"].nunique() > 1, "channel_hop": g["hop"].any(), "complaint": g["complaint"].any(),
        "closed_at": g["closed_at"].max(),
    })
    out["first_contact_resolution"] = (out["contacts"] == 1) & ~out["complaint"]
    out["end_to_end_days"] = (out["closed_at"] - out["started_at"]) / pd.Timedelta(days=1)
    start, end = contacts["received_at"].min(), contacts["received_at"].max()
    window = pd.Timedelta(days=window_days)
    out["judged"] = (out["started_at"] >= start.normalize() + window) & (out["started_at"] <= end - window)
    return out.reset_index()
