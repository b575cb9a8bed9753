"""Headline figures: each with its base and interval.

:func:`compute` works out a scope's figures from the shared :class:`~cxinsight.analysis.Analysis`
(the council or one service, optionally a period), and :func:`compare` sets the latest quarter
beside the one before and the same quarter a year earlier. The figures stage
(:mod:`cxinsight.figures`) computes every page's figures once and stores them; the index and the
pages read them, and show them in the same words (:func:`describe`, :func:`table`), so a figure
never differs between the index and the page it links to.

>>> h = Headline("failure_share", "council", 0.4523, 0.43, 0.47, 150_000, "contacts")
>>> describe(h)["value"], describe(h)["interval"], describe(h)["base"]
('45%', '43% to 47%', '150,000 contacts')
>>> describe(Headline("nps", "parking", 12.0, -20.0, 40.0, 6, "survey responses"))["value"]
'too few to report'
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import pandas as pd

from cxinsight import publish
from cxinsight.columns import member
from cxinsight.publish import (
    SMALL_MAX,
    count_text,
    is_suppressed_note,
    pins_small_count,
    suppressed_note,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Council:
    """The whole council as a scope: every service. Its key in recorded headlines is ``"council"``.

    >>> str(COUNCIL), COUNCIL.service, scope_of(None) is COUNCIL
    ('council', None, True)
    """

    @property
    def service(self) -> None:
        return None

    def __str__(self) -> str:
        return "council"


@dataclass(frozen=True)
class Service:
    """One service as a scope, by its canonical code.

    >>> str(Service("parking")), Service("parking").service, scope_of("parking")
    ('parking', 'parking', Service(code='parking'))
    """

    code: str

    def __post_init__(self):
        if not str(self.code).strip():
            raise ValueError("a service scope needs a service code; for every service use COUNCIL")

    @property
    def service(self) -> str:
        return str(self.code)

    def __str__(self) -> str:
        return str(self.code)


COUNCIL = Council()
Scope = Council | Service


def scope_of(value: Scope | str | None) -> Scope:
    """A scope from what a caller has: a scope, ``None`` (the council) or a service code. The text
    ``"council"`` is refused: it would be a service of that name, or a mistake for :data:`COUNCIL`."""
    if isinstance(value, Council | Service):
        return value
    if value is None:
        return COUNCIL
    if str(value) == str(COUNCIL):
        raise ValueError("'council' is not a service code: pass headlines.COUNCIL (or None) for the whole council")
    return Service(str(value))

# measure -> (plain-English name, kind of figure, minimum base to report it)
MEASURES: dict[str, tuple[str, str, int]] = {
    "failure_share": ("Failure demand (share of contacts)", "share", SMALL_MAX + 1),
    "likely_excluded": ("Customers likely digitally excluded", "share", SMALL_MAX + 1),
    "savings_npv": ("Net savings: channel shift and fixing failure demand together (NPV, median)", "money", 1),
    "savings_shift": ("Net savings: channel shift alone (NPV, median)", "money", 1),
    "savings_failure": ("Net savings: fixing failure demand alone (NPV, median)", "money", 1),
    "complaints_on_time": ("Stage 1 complaints answered on time", "share", SMALL_MAX + 1),
    "nps": ("Net Promoter Score", "score", 30),
    # journeys (cxinsight.journeys): the judged journeys, or those with a close date, are the base
    "first_contact_resolution": ("Journeys resolved at the first contact", "share", SMALL_MAX + 1),
    "contacts_per_journey": ("Contacts per journey", "number", SMALL_MAX + 1),
    "changed_channel": ("Journeys that changed channel", "share", SMALL_MAX + 1),
    "journey_complaint": ("Journeys that ended in a complaint", "share", SMALL_MAX + 1),
    "end_to_end_days": ("End-to-end time, median (first contact to close)", "days", SMALL_MAX + 1),
}
#: headline measure -> the journeys measure it is (:data:`cxinsight.journeys.MEASURES`)
JOURNEY_MEASURES: dict[str, str] = {"first_contact_resolution": "first_contact_resolution",
                                    "contacts_per_journey": "contacts_per_journey",
                                    "changed_channel": "changed_channel", "journey_complaint": "complaint",
                                    "end_to_end_days": "end_to_end_median_days"}


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
    changes: tuple = ()         # (against, sentence, short) triples: see compare()

    def __post_init__(self):
        if self.measure not in MEASURES:
            raise ValueError(f"unknown headline measure {self.measure!r}; expected one of {sorted(MEASURES)}")


def _fmt(kind: str, x: float | None, outward: str | None = None) -> str:
    """``x`` as shown; ``outward="down"`` or ``"up"`` rounds an interval's end away from the estimate,
    so a displayed range is never narrower than the one computed."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if kind == "days":  # minutes, hours or days by its size (cxinsight.journeys.duration_text)
        from cxinsight.journeys import duration_text

        return duration_text(float(x))[0]  # a range is put in its estimate's unit by describe()
    return publish.figure_text(kind, x, outward)


def value_text(x: float, kind: str = "share") -> str:
    """A figure as every page shows it (halves rounded up).

    >>> value_text(0.445), value_text(-16.5, "score")
    ('45%', '-16')
    """
    return _fmt(kind, x)


def interval_text(low: float, high: float, kind: str = "share") -> str:
    """An interval as every page shows it, each end rounded outward.

    >>> interval_text(0.7149, 0.7651), interval_text(-12.2, 3.1, "score")
    ('71% to 77%', '-13 to +4')
    """
    return f"{_fmt(kind, low, 'down')} to {_fmt(kind, high, 'up')}"


def _interval(headline: Headline, kind: str) -> str:
    """The headline's interval as shown: a time's range in its estimate's unit (minutes, hours or days)."""
    if kind == "days":
        from cxinsight.journeys import duration_text

        return duration_text(headline.estimate, headline.low, headline.high)[1]
    return interval_text(headline.low, headline.high, kind)


def describe(headline: Headline) -> dict[str, str]:
    """The headline as text for a reader: ``name, value, interval, base``, small bases suppressed.

    The base is a count, so it is published like any other (1-7 as ``*``, else rounded to 5);
    a figure on fewer than its measure's minimum base is not shown at all.
    """
    name, kind, minimum = MEASURES[headline.measure]
    if headline.estimate is None and not headline.base_unit:  # the data to compute it was not supplied
        return {"name": name, "value": "not available", "interval": "", "base": "", "note": headline.note}
    base = f"{count_text(headline.base)} {headline.base_unit}"
    suppressed = {"name": name, "value": "*", "interval": "", "base": base, "interval_kind": headline.interval,
                  "note": suppressed_note()}
    if headline.base >= minimum and headline.estimate is None and is_suppressed_note(headline.note):
        return suppressed  # suppressed where it was made (:func:`published`)
    if headline.base < minimum or headline.estimate is None or math.isnan(headline.estimate):
        return {"name": name, "value": "too few to report", "interval": "", "base": base}
    if pins(headline):  # a share, its base and its interval must not give away a count of 1-7 either way
        return suppressed
    no_range = any(x is None or (isinstance(x, float) and math.isnan(x)) for x in (headline.low, headline.high))
    interval = "" if no_range else _interval(headline, kind)  # provisional: no range
    return {"name": name, "value": _fmt(kind, headline.estimate), "interval": interval, "base": base,
            "interval_kind": headline.interval, "note": headline.note}


def pins(headline: Headline) -> bool:
    """Whether a share figure, with its base and its interval, gives away a count of 1 to 7
    (:func:`cxinsight.publish.pins_small_count`); never for money or scores.

    >>> pins(Headline("complaints_on_time", "x", 10 / 15, 0.417, 0.848, 15, "stage 1 complaints answered"))
    True
    >>> pins(Headline("failure_share", "x", 0.45, 0.43, 0.47, 1000, "contacts"))
    False
    """
    if MEASURES[headline.measure][1] != "share" or headline.estimate is None or math.isnan(headline.estimate):
        return False
    interval = (None if headline.low is None or headline.high is None or math.isnan(headline.low)
                or math.isnan(headline.high) else (headline.low, headline.high))
    return pins_small_count(headline.estimate, headline.base, interval)


def published(headline: Headline) -> Headline:
    """The figure as it may be published: a share that pins a count of 1 to 7 is suppressed where it
    is made (no estimate or range kept, the reason in its note, shown as ``*``), so no page, sentence
    or action can print it. Every other figure is returned as it is.

    >>> h = published(Headline("complaints_on_time", "x", 10 / 15, 0.417, 0.848, 15, "stage 1 complaints answered"))
    >>> h.estimate, describe(h)["value"], describe(h)["note"]
    (None, '*', 'not shown: with its base it would give away a count of 1 to 7')
    """
    if not pins(headline):
        return headline
    from dataclasses import replace

    return replace(headline, estimate=None, low=None, high=None, note=suppressed_note())


# ---- computing the figures: once, from the shared analysis -----------------------------------

# The detailed council report that explains each figure (the index card links to it).
PAGES: dict[str, str] = {
    "failure_share": "02_failure_demand.html",
    "likely_excluded": "03_digital_exclusion.html",
    "savings_npv": "04_channel_shift.html",
    "savings_shift": "04_channel_shift.html",
    "savings_failure": "04_channel_shift.html",
    "complaints_on_time": "05_complaints.html",
    "nps": "06_customer_experience.html",
    **{m: "09_journeys.html" for m in JOURNEY_MEASURES},
}
#: The council's figures the index shows as cards: every figure but the journeys', of which only
#: first-contact resolution (the others are on the journeys report and each service's page).
CARDS: tuple[str, ...] = tuple(m for m in MEASURES if m not in JOURNEY_MEASURES or m == "first_contact_resolution")
MIN_CHECKED = 30  # checked customers needed before a segment share is corrected by them
def costs_said(assumptions) -> str:
    """Whose investment costs a savings figure rests on, in words: the placeholders until the council
    supplies its own (council.yaml), then the council's.

    >>> from cxinsight.savings import SavingsAssumptions
    >>> costs_said(SavingsAssumptions())
    'placeholder investment costs'
    """
    left = assumptions.placeholders()
    if not left:
        return "the council's own investment costs"
    if len(left) == 3:
        return "placeholder investment costs"
    return f"the council's own costs except {' and '.join(left)} (placeholders)"


SAVINGS_MEASURES = {"savings_npv": "both", "savings_shift": "digital_push", "savings_failure": "fix_failure_first"}


@dataclass
class Figures:
    """A scope's headline figures, what could not be given (and why), and the working behind them
    that the pages chart: ``failure`` (the overall failure-share row), ``sizes`` (customer segment
    shares), ``savings`` (:class:`cxinsight.analysis.Savings`), ``on_time`` (complaint timeliness by
    stage), ``nps`` (the score) and ``responses`` (survey responses linked to their contacts)."""

    scope: Scope
    headlines: list
    missing: dict
    failure: pd.Series | None = None
    sizes: pd.DataFrame | None = None
    savings: object = None
    on_time: pd.DataFrame | None = None
    timed: pd.DataFrame | None = None
    nps: pd.Series | None = None
    responses: pd.DataFrame | None = None
    #: journeys: the council's first-contact resolution (for a service, what its own is set against),
    #: each service's (for the council; shares that would give away a count of 1 to 7 blanked) and the
    #: commonest failing journey patterns (counts of 1 to 7 left out, shares pinning one blanked)
    journey_reference: Headline | None = None
    journey_services: pd.DataFrame | None = None
    journey_patterns: pd.DataFrame | None = None

    def get(self, measure: str) -> Headline | None:
        return next((h for h in self.headlines if h.measure == measure), None)


def evidence_for_failure(analysis) -> list[str]:
    """What in the council's contacts can tell failure demand from value demand: ``notes`` or
    ``reason`` holding words, and ``customer numbers`` (repeat contacts, channel hops). Empty when
    nothing can: a failure share would then be 0% by construction, not a finding."""
    whole = analysis.council.contacts
    words = [c for c in ("notes", "reason") if c in whole.columns and whole[c].notna().any()]
    return words + (["customer numbers"] if analysis.council.has_customers else [])


def _unlock_said(why: str) -> str:
    """A journeys reason (``"Not available: no contact ... Supply ..."``) as a missing figure's note:
    the page already says "not available"."""
    why = why.removeprefix("Not available: ")
    return why[:1].upper() + why[1:]


def _journey_row(table: pd.DataFrame, measure: str):
    rows = table.loc[table["measure"] == measure]
    return None if rows.empty else rows.iloc[0]


JOURNEY_BASES = {"end_to_end_days": "journeys closed"}
_FOLLOWED: list = []  # [(a weak reference to the whole council's analysis, its journeys)]


def council_journeys(whole):
    """The whole council's journeys (:func:`cxinsight.journeys.from_analysis`), followed once per
    analysis however many scopes ask (at six million contacts following takes most of a minute)."""
    import weakref

    from cxinsight import journeys

    if _FOLLOWED and _FOLLOWED[0][0]() is whole:
        return _FOLLOWED[0][1]
    found = journeys.from_analysis(whole)
    _FOLLOWED[:] = [(weakref.ref(whole), found)]
    return found


def journey_figures(analysis, scope: Scope, out: Figures) -> None:
    """The journey headline figures of ``analysis``'s scope (:mod:`cxinsight.journeys`: first-contact
    resolution, contacts per journey, journeys that changed channel or ended in a complaint, the median
    end-to-end time), each with its interval and base, added to ``out``; what the data cannot give
    goes to ``out.missing`` with what would unlock it. Also what the actions and the page need: the
    council's first-contact resolution (``journey_reference``), each service's (council scope) and
    the commonest failing journeys (``journey_patterns``)."""
    from cxinsight import journeys

    key = str(scope)
    whole = analysis.council
    everyone = council_journeys(whole)  # the contacts followed once, every scope cut from it
    here = journeys.from_analysis(analysis, council=everyone)
    found = journeys.measures(here)
    for measure, journey_measure in JOURNEY_MEASURES.items():
        row = _journey_row(found, journey_measure)
        if journey_measure in here.missing:
            out.missing[measure] = _unlock_said(here.missing[journey_measure])
        elif row is None:
            closed = " with a close date" if measure == "end_to_end_days" else ""
            out.missing[measure] = (f"No figure: fewer than {journeys.MIN_JOURNEYS} journeys{closed} could be "
                                    "measured in this scope and period.")
        else:
            out.headlines.append(Headline(measure, key, float(row.estimate), float(row.low), float(row.high),
                                          int(row.n), JOURNEY_BASES.get(measure, "journeys")))
    if isinstance(scope, Council):
        reference = here
        by_service = journeys.measures(here, by="service")
        by_service = by_service.loc[by_service["measure"] == "first_contact_resolution",
                                    ["service", "estimate", "low", "high", "n"]].reset_index(drop=True)
        out.journey_services = publish.suppress_pinned(by_service, "estimate", "n")
    else:
        council_scope = whole.scoped(None, analysis.period) if analysis.period is not None else whole
        reference = journeys.from_analysis(council_scope, council=everyone)
    row = _journey_row(journeys.measures(reference), "first_contact_resolution")
    if row is not None and "first_contact_resolution" not in reference.missing:
        out.journey_reference = published(Headline("first_contact_resolution", str(COUNCIL), float(row.estimate),
                                                   float(row.low), float(row.high), int(row.n), "journeys"))
    if here.available and "first_contact_resolution" not in here.missing:
        common = journeys.patterns(here, by=None, top=3, min_journeys=SMALL_MAX + 1)
        common = common.loc[common["of_journeys"] >= journeys.MIN_JOURNEYS]
        out.journey_patterns = publish.suppress_pinned(common.reset_index(drop=True), "estimate", "of_journeys")


def _own_period(dates: pd.Series, analysis, grace_days: int = 0) -> str:
    """``", received 1 April 2023 to 31 March 2025"`` when a table's dates reach outside the contacts'
    period (the period every page names at its top), so a figure on it states its own; ``""`` when
    they lie within it, or the figures are for a chosen period (every table is cut to it).
    ``grace_days``: how long after the last contact a date still belongs to it (a survey is answered
    days after the contact it is about).

    >>> from types import SimpleNamespace as NS
    >>> contacts = pd.Series(pd.to_datetime(["2024-04-01", "2024-09-30"]))
    >>> a = NS(period=None, council=NS(contacts=pd.DataFrame({"received_at": contacts})))
    >>> _own_period(pd.Series(pd.to_datetime(["2024-01-05", "2024-09-01"])), a)
    ', received 5 January 2024 to 1 September 2024'
    >>> _own_period(pd.Series(pd.to_datetime(["2024-05-05"])), a)
    ''
    """
    if analysis.period is not None:
        return ""
    received = analysis.council.contacts["received_at"]
    first, last = received.min().normalize(), received.max().normalize()
    dates = pd.to_datetime(dates, errors="coerce").dropna()
    if dates.empty:
        return ""
    a, b = dates.min().normalize(), dates.max().normalize()
    if a >= first and b <= last + pd.Timedelta(days=grace_days):
        return ""
    return f", received {a.day} {a:%B %Y} to {b.day} {b:%B %Y}"


def _scaled(period) -> str:
    """How a part-year export's contacts became contacts a year (:class:`cxinsight.savings.Period`):
    ``""`` for a year's export (within a month), else ``", scaled from 6 months (...)"``."""
    if period is None or abs(period.days - 365.25) <= 31:
        return ""
    return f", scaled from {period.describe()}"


def compute(analysis, scope: Scope | str | None = None, period: str | tuple | None = None,
            with_savings: bool = True, with_journeys: bool = True) -> Figures:
    """The headline figures for ``scope`` (:data:`COUNCIL`, a :class:`Service` or a service code)
    over ``period`` (``"YYYY-MM-DD/YYYY-MM-DD"``), from the council's shared analysis. With neither,
    the figures are for ``analysis``'s own scope (see :meth:`cxinsight.analysis.Analysis.scoped`).

    Each figure needs some data; what the council did not supply switches that figure off, and
    ``missing`` says what would unlock it. ``with_savings=False`` leaves out the savings (a forecast,
    not compared between periods); ``with_journeys=False`` the journey figures (not compared either)."""
    from cxinsight import availability
    from cxinsight.analysis import savings as savings_model
    from cxinsight.complaints import extract_date, supplied_dates, timeliness, timeliness_summary
    from cxinsight.demand.measures import (
        HOW_TO_REVIEW,
        PROVISIONAL,
        failure_share,
        provisional_share,
    )
    from cxinsight.exclusion.customers import corrected_share, segment_sizes
    from cxinsight.experience import nps

    if scope is None and period is None:
        scope = scope_of(analysis.service)
    else:
        scope = scope_of(scope)
        analysis = analysis.council.scoped(scope.service, period if period is not None else analysis.period)
    key = str(scope)
    out = Figures(scope, [], {})
    contacts = analysis.contacts
    if not evidence_for_failure(analysis):
        out.missing["failure_share"] = availability.unlock(availability.FAILURE_EVIDENCE)
    elif len(contacts):
        review = analysis.review if analysis.review is not None and len(analysis.review) else None
        if review is None:  # provisional: the classifier's expected share, no interval pretending to cover its error
            fd = provisional_share(contacts).iloc[0]
            has_text = "notes" in contacts and contacts["notes"].notna().any()
            how = HOW_TO_REVIEW if has_text else "There is no free text for a person to review."
            out.failure = fd
            out.headlines.append(Headline("failure_share", key, float(fd.estimate), math.nan, math.nan, int(fd.n),
                                          "contacts", interval="", note=f"{PROVISIONAL[0].upper()}{PROVISIONAL[1:]}. {how}"))
        else:
            fd = failure_share(contacts, review=review).iloc[0]
            out.failure = fd
            out.headlines.append(Headline(
                "failure_share", key, float(fd.estimate), float(fd.low), float(fd.high), int(fd.n), "contacts",
                note="corrected by a review sample"))
    else:
        out.missing["failure_share"] = "No contacts in this period."

    if analysis.has_customers:
        sizes = segment_sizes(analysis.segments).set_index("segment")
        check = analysis.segment_check
        corrected = check is not None and len(check) >= MIN_CHECKED
        if corrected:  # the rule's own error, measured on a checked random sample, is in the interval
            fixed = pd.DataFrame({s: corrected_share(analysis.segments, check, s) for s in sizes.index}).T
            sizes = sizes.assign(share=fixed["share"], low=fixed["low"], high=fixed["high"])
        out.sizes = sizes
        ex = sizes.loc["likely_excluded"]
        if int(ex.base):
            note = (f"corrected by a check of {len(check):,} customers" if corrected else
                    "the segment rule's own error not yet measured")
            out.headlines.append(Headline("likely_excluded", key, float(ex.share), float(ex.low), float(ex.high),
                                          int(ex.base), "customers", note=note))
        else:
            out.missing["likely_excluded"] = "No customers with a customer number in this period."
    else:
        out.missing["likely_excluded"] = availability.unlock("contacts.customer_id")
    if with_savings:
        s = savings_model(analysis)
        out.savings = s
        exclusion = ("" if analysis.has_customers else
                     "; with no customer numbers, who cannot shift is taken from national rates")
        measured = bool(evidence_for_failure(analysis))
        for measure, lever in SAVINGS_MEASURES.items():
            if measure == "savings_failure" and not measured:  # 0% failure demand is not a measurement
                out.missing[measure] = availability.unlock(availability.FAILURE_EVIDENCE)
                continue
            p10, p50, p90 = s.npv_range(lever)
            out.headlines.append(Headline(
                measure, key, p50, p10, p90, int(s.inputs.volume.sum()), "contacts a year" + _scaled(s.period),
                interval="P10 to P90 (8 in 10 simulated outcomes)",
                note=f"{s.assumptions.horizon_years} years, {costs_said(s.assumptions)}"
                     + (" apportioned by share of contacts" if s.apportioned else "") + exclusion))

    complaints = analysis.complaints
    whole = analysis.council.complaints
    if whole is None:
        out.missing["complaints_on_time"] = availability.unlock("complaints")
    elif complaints is None or complaints.empty:
        out.missing["complaints_on_time"] = "No complaints were recorded for this scope and period."
    else:
        # what the whole register records decides what is measured (a service never acknowledging is late)
        dates = supplied_dates(whole)
        timed = timeliness(complaints, as_of=extract_date(whole), dates=dates)  # late is judged at the export's date
        on_time = timeliness_summary(timed, by="stage")
        out.timed, out.on_time = timed, (on_time if len(on_time) else None)
        stage1 = on_time.loc[(on_time["stage"] == 1) & on_time["measure"].str.startswith("responded")]
        if "responded_on" not in dates:
            out.missing["complaints_on_time"] = availability.unlock("complaints.responded_on")
        elif len(stage1) and int(stage1.iloc[0]["base"]):
            s1 = stage1.iloc[0]
            out.headlines.append(Headline("complaints_on_time", key, float(s1["share"]), float(s1["low"]),
                                          float(s1["high"]), int(s1["base"]),
                                          "stage 1 complaints due" + _own_period(complaints["received_on"], analysis)))
        else:
            out.missing["complaints_on_time"] = "No stage 1 complaint had reached its deadline."

    survey = analysis.survey
    if analysis.council.survey is None or "nps" not in analysis.council.survey:
        out.missing["nps"] = availability.unlock("survey")
    else:
        # the responses are already the scope's (Analysis.scoped keeps those about its contacts)
        whole_contacts = analysis.council.contacts
        about = whole_contacts.loc[member(whole_contacts["contact_id"], survey["contact_id"]),  # not all 6M ids
                                   ["contact_id", "service", "channel"]]
        linked = survey.merge(about, on="contact_id", how="left")
        score = nps(linked["nps"])
        out.nps, out.responses = score, linked
        if not int(score.n):
            out.missing["nps"] = "No survey responses with a score in this scope and period."
        else:
            out.headlines.append(Headline("nps", key, float(score.estimate), float(score.low), float(score.high),
                                              int(score.n), "survey responses"
                                              + _own_period(survey["submitted_at"], analysis, grace_days=31)))
    if with_journeys:
        journey_figures(analysis, scope, out)
    order = list(MEASURES)
    out.headlines = sorted((published(h) for h in out.headlines), key=lambda h: order.index(h.measure))
    if out.on_time is not None:  # the stages' shares too: the pages draw and write from this table
        out.on_time = publish.suppress_pinned(out.on_time, "share", "base", ("share", "low", "high"))
    if out.sizes is not None and "share" in out.sizes:  # segments: one pinned blanks all (they add up to 100%)
        sized = publish.suppress_pinned(out.sizes, "share", "base", ("share", "low", "high"))
        if (sized["suppressed"] != "").any():
            sized = sized.assign(share=math.nan, low=math.nan, high=math.nan, suppressed=suppressed_note())
        out.sizes = sized
    return out


def table(headlines_: list[Headline]) -> pd.DataFrame:
    """The figures as a reader sees them: measure, figure, range, what the range is, base (the same
    text on every page, so the index and the page it links to can be checked against each other)."""
    rows = []
    for h in headlines_:
        d = describe(h)
        rows.append({"Measure": d["name"], "Figure": d["value"], "Range": d["interval"],
                     "Range is": d.get("interval_kind", "") if d["interval"] else "", "Base": d["base"]})
    return pd.DataFrame(rows, columns=["Measure", "Figure", "Range", "Range is", "Base"])


# ---- change against earlier periods ----------------------------------------------------------

def quarters(received_at: pd.Series) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """The latest three whole months in the data, the three before, and the same three a year
    earlier, each as (first day, last day); a window the data do not fully cover is left out.

    >>> w = quarters(pd.Series(pd.to_datetime(["2024-04-01 09:00", "2025-03-31 17:00"])))
    >>> {k: (a.date().isoformat(), b.date().isoformat()) for k, (a, b) in w.items()}
    {'latest': ('2025-01-01', '2025-03-31'), 'previous': ('2024-10-01', '2024-12-31')}
    """
    first, last = pd.Timestamp(received_at.min()).normalize(), pd.Timestamp(received_at.max()).normalize()
    month_end = last + pd.offsets.MonthEnd(0)
    end = last if last == month_end else last - pd.offsets.MonthEnd(1)  # the last whole month
    day = pd.Timedelta(days=1)
    start = end + day - pd.DateOffset(months=3)
    windows = {"latest": (start, end),
               "previous": (start - pd.DateOffset(months=3), start - day),
               "last_year": (start - pd.DateOffset(months=12), start - pd.DateOffset(months=9) - day)}
    return {k: (a, b) for k, (a, b) in windows.items() if a >= first}


def period_words(window: tuple[pd.Timestamp, pd.Timestamp]) -> str:
    """``January to March 2025``; ``November 2024 to January 2025`` across a year end."""
    a, b = window
    return f"{a:%B} to {b:%B %Y}" if a.year == b.year else f"{a:%B %Y} to {b:%B %Y}"


#: Measures whose interval is for the period's own contacts (a finite population: only the contacts
#: nobody reviewed are unknown): a change asks about the rate that produced them, so a comparison adds
#: the binomial variation of a share of that many contacts (a constant rate still gives a different
#: share each quarter).
RATE_COMPARED = ("failure_share",)


def _as_rate(h: Headline) -> tuple[float, float, float]:
    """``h``'s estimate and interval as an estimate of the rate behind it (see :data:`RATE_COMPARED`)."""
    from cxinsight.stats import Z95

    p, low, high = float(h.estimate), float(h.low), float(h.high)
    if h.measure not in RATE_COMPARED or not h.base:
        return p, low, high
    extra = Z95 ** 2 * p * (1 - p) / float(h.base)
    return p, p - math.sqrt((p - low) ** 2 + extra), p + math.sqrt((high - p) ** 2 + extra)


def _difference(now: Headline, then: Headline) -> tuple[float, float, float]:
    """The change and its 95% interval (:func:`cxinsight.stats.mover_difference`); assumes the two
    periods' figures are independent; a failure share's interval widened to the rate's
    (:data:`RATE_COMPARED`)."""
    from cxinsight.stats import mover_difference

    d, low, high = mover_difference(*_as_rate(now), *_as_rate(then))
    return float(d), float(low), float(high)


#: The chance, over a whole report, of calling any change clear where nothing changed. 1%, not 5%:
#: Holm holds a report's chance of one false "clear change" to this level by construction, and issue
#: 29 asks that a council whose rates never change be flagged on no page in at least 95% of reports
#: (measured on constant-rate councils, tests/test_change_flags.py: 7 of 120 at 5%, 2 of 120 at 1%);
#: the changes' p-values are calibrated at 0.05 and 0.01 but heavier-tailed below 0.001, so 5% would
#: sit on the bar, not under it.
CLEAR_CHANGE_ALPHA = 0.01


@dataclass(frozen=True)
class Family:
    """The comparisons a report makes together (every scope's measures against each earlier quarter):
    ``size`` of them, of which those with a p-value at most ``cutoff`` are clear changes once all are
    allowed for (:func:`cxinsight.stats.holm_cutoff`). Without a family each comparison stands alone."""

    size: int
    cutoff: float


def _points(now: Headline, then: Headline) -> tuple[float, int, int, float]:
    """The change in points, its 95% interval rounded outward, and its p-value (unrounded)."""
    from cxinsight.stats import change_p_value

    scale = 100 if MEASURES[now.measure][1] == "share" else 1
    d, lo, hi = _difference(now, then)
    p = change_p_value(d, lo, hi)
    d, lo, hi = (scale * x for x in (d, lo, hi))
    return d, math.floor(lo), math.ceil(hi), p  # rounded outward: never narrower than it is


def _comparable(now: Headline | None, then: Headline | None) -> bool:
    if now is None or then is None:
        return False
    dn, dt = describe(now), describe(then)
    return dn["value"] not in ("*", "too few to report") and dt["value"] not in ("*", "too few to report") and \
        bool(dn["interval"] and dt["interval"])


def change_p(now: Headline | None, then: Headline | None) -> float | None:
    """The p-value of the change from ``then`` to ``now``, or None where they are not compared."""
    return _points(now, then)[3] if _comparable(now, then) else None


def _change(now: Headline | None, then: Headline | None,
            family: Family | None = None) -> tuple[str, tuple[float, int, int] | None, str]:
    """``(then as shown, (change, low, high) in points or None, verdict)``: the one comparison of two
    figures that :func:`change_parts` and :func:`change_sentence` both put in words. With a
    ``family``, a change whose own interval excludes zero is a clear change only if it stays one
    when every comparison of the family is allowed for (Holm); otherwise it says so."""
    if now is None or then is None:
        return "", None, "no comparison"
    dn, dt = describe(now), describe(then)
    if dn["value"] in ("*", "too few to report") or dt["value"] in ("*", "too few to report"):
        return dt["value"], None, "too few to compare"
    if not (dn["interval"] and dt["interval"]):  # a provisional figure has no interval to compare with
        return dt["value"], None, "not compared: a provisional figure, not yet checked by a person"
    d, lo, hi, p = _points(now, then)
    if not (lo > 0 or hi < 0):
        return dt["value"], (d, lo, hi), "within the noise"
    if family is not None and p > family.cutoff:
        return dt["value"], (d, lo, hi), f"not clear among this report's {family.size} comparisons"
    return dt["value"], (d, lo, hi), "a clear change"


def change_parts(now: Headline | None, then: Headline | None, family: Family | None = None) -> dict[str, str]:
    """The comparison of two figures in parts: ``then`` (the earlier figure as shown), ``change``
    (signed, in points, rounded), ``range`` (its 95% interval, rounded outward), ``verdict``; or, with
    no comparison, only ``verdict`` saying why.

    >>> a = Headline("failure_share", "council", 0.40, 0.37, 0.43, 1000, "contacts")
    >>> b = Headline("failure_share", "council", 0.30, 0.27, 0.33, 1000, "contacts")
    >>> change_parts(a, b)
    {'then': '30%', 'change': '+10', 'range': '+4 to +16', 'verdict': 'a clear change'}
    """
    then_shown, points, verdict = _change(now, then, family)
    if points is None:
        return {"then": then_shown, "change": "", "range": "", "verdict": verdict}
    d, lo, hi = points
    return {"then": then_shown, "change": f"{round(d):+d}", "range": f"{lo:+d} to {hi:+d}", "verdict": verdict}


def change_sentence(now: Headline | None, then: Headline | None, against: str, short: bool = False,
                    family: Family | None = None) -> str:
    """One sentence a reader can act on: the two figures, the change with its interval, and whether
    it is clear of the noise; or why there is no comparison. ``short``: only the change and the verdict.

    >>> a = Headline("failure_share", "council", 0.40, 0.37, 0.43, 1000, "contacts")
    >>> b = Headline("failure_share", "council", 0.30, 0.27, 0.33, 1000, "contacts")
    >>> change_sentence(a, b, "the quarter before", short=True)
    'up 10 points (95% interval +4 to +16), a clear change'
    """
    then_shown, points, verdict = _change(now, then, family)
    if verdict == "no comparison":
        return "no comparison" if short else (f"Against {against}: no comparison (the figure is not available "
                                              "for both periods).")
    if points is None:
        return verdict if short else f"Against {against}: {verdict}."
    d, lo, hi = points
    from cxinsight.phrasing import change_words

    direction = change_words(d)
    if short:
        return f"{direction} (95% interval {lo:+d} to {hi:+d}), {verdict}"
    return (f"Against {against}: {describe(now)['value']} against {then_shown}, {direction} "
            f"(95% interval {lo:+d} to {hi:+d}), {verdict}.")


def _bare(text: str) -> str:
    """A figure as shown without its unit sign ("46%" -> "46"): the unit has a column of its own."""
    return text.replace("%", "").replace("£", "")


MEASURES_COMPARED = ("failure_share", "likely_excluded", "complaints_on_time", "nps")
EARLIER = (("previous", "the quarter before", "Quarter before"),
           ("last_year", "the same quarter a year earlier", "A year earlier"))


def compare(analysis, measures: tuple[str, ...] = MEASURES_COMPARED) -> dict[str, tuple[tuple[str, str], ...]]:
    """For each measure, the latest quarter set beside the quarter before and the same quarter a
    year earlier (``(against, sentence, short)`` triples; the first, ``latest``, holds the latest
    quarter's figure and the quarter in words), for ``analysis``'s scope. Where the data do not
    reach back a year, the sentence says so. :func:`comparison` gives the same as a table too."""
    return comparison(analysis, measures)[0]


@dataclass
class Compared:
    """One scope's figures in the latest quarter and the earlier ones (:func:`comparison_figures`):
    ``windows`` (name -> first and last day), ``first`` (the data's first day) and per measure the
    figure in each window (None where it could not be given)."""

    windows: dict
    first: pd.Timestamp | None
    figures: dict

    def p_values(self) -> list[float]:
        """The p-value of every change this scope's page states (see :func:`change_p`)."""
        out = []
        for by_window in self.figures.values():
            for name, _, _ in EARLIER:
                if name in self.windows:
                    p = change_p(by_window.get("latest"), by_window.get(name))
                    if p is not None:
                        out.append(p)
        return out


def comparison_figures(analysis, measures: tuple[str, ...] = MEASURES_COMPARED) -> Compared:
    """The figures :func:`comparison` compares, for ``analysis``'s scope (the costly part: each
    window's figures computed once)."""
    whole = analysis.council
    windows = quarters(whole.contacts["received_at"])
    if "latest" not in windows:  # less than three whole months of data: nothing to compare
        return Compared({}, None, {})
    scope = scope_of(analysis.service)
    figs = {name: compute(whole, scope, w, with_savings=False, with_journeys=False) for name, w in windows.items()}
    return Compared(windows, whole.contacts["received_at"].min(),
                    {m: {name: f.get(m) for name, f in figs.items()} for m in measures
                     if figs["latest"].get(m) is not None})


def comparison(analysis, measures: tuple[str, ...] = MEASURES_COMPARED,
               family: Family | None = None) -> tuple[dict[str, tuple], pd.DataFrame]:
    """:func:`compare`'s sentences and the same comparisons as a table, from one computation: per
    measure the latest quarter's figure and range, and against each earlier quarter its figure, the
    change (points), the change's 95% interval and the verdict, each in a column of its own (what
    :func:`cxinsight.publish.download_frame` turns into numbers for a download). ``analysis`` may
    also be a :class:`Compared` (the figures already computed); ``family``: see :class:`Family`."""
    compared = analysis if isinstance(analysis, Compared) else comparison_figures(analysis, measures)
    if "latest" not in compared.windows:
        return {}, pd.DataFrame()
    windows, first = compared.windows, compared.first
    latest = windows["latest"]
    out: dict[str, tuple] = {}
    rows = []
    for m, by_window in compared.figures.items():
        now = by_window["latest"]
        shown = describe(now)
        lines = [("latest", f"{shown['value']}" + (f" ({shown['interval']})" if shown["interval"] else ""),
                  period_words(latest))]
        row = {"Measure": MEASURES[m][0], "Unit": "% (changes in points)" if MEASURES[m][1] == "share" else
               "score (changes in points)", "Latest quarter": period_words(latest),
               "Latest": _bare(shown["value"]), "Latest range": _bare(shown["interval"])}
        for name, label, column in EARLIER:
            if name in windows:
                then = by_window.get(name)
                lines.append((name, change_sentence(now, then, f"{label} ({period_words(windows[name])})",
                                                    family=family),
                              change_sentence(now, then, label, short=True, family=family)))
                parts = change_parts(now, then, family)
            else:
                lines.append((name, f"Against {label}: not in the data (it begins on {first.day} {first:%B %Y}).",
                              "not in the data"))
                parts = {"then": "", "change": "", "range": "", "verdict": "not in the data"}
            row |= {column: _bare(parts["then"]), f"Change since {label} (points)": parts["change"],
                    f"Change since {label}, 95% interval": parts["range"], f"Against {label}": parts["verdict"]}
        out[m] = tuple(lines)
        rows.append(row)
    return out, pd.DataFrame(rows)
