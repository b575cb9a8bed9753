"""Customer journeys: the contacts a resident makes to get one thing done, and where that fails.

A **journey** is every contact about one need, from the first to the last (issue 30; the Vanguard
Method measures a service's capability by end-to-end time and by the share of demands resolved at the
first point of contact). :func:`link` puts each contact in a journey:

1. **By case.** Contacts carrying the same case or reference number (``case_id``) are one journey.
2. **By customer, service and time.** A contact with no case number joins the journey of the same
   customer's previous contact about the same service when it came within ``window_days`` of it
   (a gap, not a fixed span: a journey goes on while the contacts keep coming); otherwise it starts a
   journey of its own. Once the contacts are classified, a contact that reads as value demand (a new
   request) starts a new journey whatever the gap (``split_on_value``): chases, complaints and
   repeats continue one.
3. **Neither.** A contact with no case number and no customer number cannot be followed: it is
   counted (``Journeys.unfollowed``), never measured as a journey of one, which would read as
   resolved at first contact.

**The window** (:data:`DEFAULT_WINDOW_DAYS`, 28 days) trades two errors. A longer window joins more:
it catches a late chase (after three weeks of waiting), but also joins two separate requests of a
frequent customer (a missed bin reported twice a month apart), so first-contact resolution reads
lower and contacts per journey higher than they are. A shorter window splits a slow journey in two, so
first-contact resolution reads higher. 28 days is the longer of the Vanguard repeat-contact windows
(14 or 28 days, domain.md s.1), because chasing after three or four weeks is common; splitting at value
demand keeps it from joining a frequent customer's new requests. ``benchmarks/sim_journey_window.py``
measures both errors on the demo council for windows of 7 to 56 days: without case numbers, 28 days
with the split reads first-contact resolution 1.3 points low (14 days: 3.9 points high; 28 days without
the split: 6.3 points low). With case numbers on every contact the window does not matter.

**What is measured.** One row per journey (:func:`table`): its service and first channel, its contacts,
whether it changed channel and whether it hopped from the web to an assisted channel (a web contact
followed by a phone, face-to-face or web-chat contact: a failed digital journey, domain.md s.1), whether
it ended in a complaint (a contact classified as a complaint, or one the complaints register names),
whether it was resolved at the first contact (one contact and no complaint), and, where the export
records when a case was closed (``closed_at``), its end-to-end time from the first contact to the close.
Journeys that started within ``window_days`` of either end of the export are cut by it (the start may
be before the export, the next contact after it): the shares and contacts per journey are measured on
the others (``judged``).

Measures by service and channel with their intervals (:func:`measures`): Wilson for shares, a normal
interval for the mean contacts per journey, distribution-free (order-statistic) intervals for the median
and 85th percentile of end-to-end time; end-to-end time over time as an XmR chart
(:func:`end_to_end_xmr`); the failure types behind the extra contacts (:func:`extra_contacts`); the
commonest failing journeys (:func:`patterns`), their flows step by step (:func:`flows`, drawn by
:func:`cxinsight.charts.flow_chart`) and the journey-mapping template's fields filled from the data
(:func:`template`).

>>> c = pd.DataFrame({
...     "contact_id": list("abcde"), "customer_id": ["1", "1", "1", "2", None],
...     "service": ["waste"] * 5, "channel": ["web", "phone", "phone", "phone", "phone"],
...     "received_at": pd.to_datetime(["2024-05-01 20:00", "2024-05-02 09:00", "2024-07-30 09:00",
...                                    "2024-05-03 10:00", "2024-05-04 10:00"])})
>>> link(c)[["journey", "journey_step"]].values.tolist()
[[0, 0], [0, 1], [2, 0], [1, 0], [-1, -1]]
>>> t = table(link(c).pipe(lambda l: c.join(l)))
>>> t[["contacts", "channel_hop", "first_contact_resolution"]].values.tolist()
[[2, True, False], [1, False, True], [1, False, True]]
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxinsight.schemas import CHANNELS

log = logging.getLogger(__name__)

#: A contact with no case number joins its customer's previous journey about the same service when it
#: came within this many days of that journey's last contact (see the module's note on the trade-off).
DEFAULT_WINDOW_DAYS = 28.0
#: Steps a journey pattern spells out; a longer journey's pattern ends "then more".
PATTERN_STEPS = 6
#: After a web contact, these channels mean the digital journey failed (as the channel-hop signal,
#: :mod:`cxinsight.demand.signals`).
ASSISTED_AFTER_WEB = ("phone", "face_to_face", "webchat")
#: A journey needs at least this many to be measured and drawn.
MIN_JOURNEYS = 10

CHANNEL_WORDS = {"phone": "phone", "face_to_face": "visit", "email": "email", "web": "web form",
                 "webchat": "web chat", "letter": "letter", "social": "social media", "other": "other channel"}
#: How each failure type reads as a step of a journey ("phone chase"); value demand is the channel alone.
KIND_WORDS = {"": "", "progress_chasing": "chase", "not_done": "not done", "not_done_right": "not right",
              "clarification": "query", "information_not_found": "after web", "wrong_place": "passed on",
              "repeat_contact": "repeat", "complaint": "complaint"}
#: The pain point each failure type names in the journey-mapping template.
PAIN_POINTS = {
    "": "none recorded (a new request)",
    "progress_chasing": "chasing progress: the customer had to ask what was happening",
    "not_done": "not done: what was promised did not happen",
    "not_done_right": "not done right: it had to be put right",
    "clarification": "unclear: the customer had to ask what we meant",
    "information_not_found": "could not find it or do it online, so contacted us another way",
    "wrong_place": "passed around: sent to the wrong place or told to contact someone else",
    "repeat_contact": "repeat contact: the same customer about the same service again",
    "complaint": "complained",
}
REGISTER_WORDS = "formal complaint"
MORE_WORDS = "then more"
NS_PER_DAY = 86_400 * 10**9


# ---- linking contacts into journeys ------------------------------------------------------------------


def _codes(values: pd.Series) -> np.ndarray:
    """Integer codes of ``values`` (-1 where missing or blank), factorized once (blanks are found among
    the distinct values, not row by row).

    >>> _codes(pd.Series(["a", " ", None, "a", "b"])).tolist()
    [0, -1, -1, 0, 2]
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    codes = np.asarray(codes, dtype=np.int64)
    if len(uniques):
        distinct = pd.Series(uniques)
        if not pd.api.types.is_string_dtype(distinct.dtype):
            distinct = distinct.astype("str")
        blank = distinct.str.strip().eq("").to_numpy(dtype=bool)
        if blank.any():
            codes = np.where((codes >= 0) & blank[np.maximum(codes, 0)], -1, codes)
    return codes


def _categories(values: pd.Series, rows: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """``values`` at ``rows`` as integer codes and their categories as text (-1 for missing): a
    categorical's own codes, else a factorization; no row is turned into a string."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy()[rows].astype(np.int64), [str(c) for c in values.cat.categories]
    codes, uniques = pd.factorize(values.iloc[rows] if len(rows) != len(values) else values.iloc[rows])
    return np.asarray(codes, dtype=np.int64), [str(u) for u in uniques]


def _is(values: pd.Series, text: str) -> np.ndarray:
    """Where ``values`` equals ``text`` (a categorical compared on its codes), missing as False."""
    return np.asarray(values.eq(text).fillna(False), dtype=bool)


def _member(values: pd.Series, pool) -> np.ndarray:
    """``values.isin(pool)`` by Arrow's hash-set membership (pandas' ``isin`` on Arrow strings makes every
    value a Python object first); nulls are never members."""
    import pyarrow as pa
    import pyarrow.compute as pc

    pool = pd.unique(pd.Series(list(pool), dtype=object).dropna().astype("str"))
    try:
        left = pa.array(values, from_pandas=True)
        if isinstance(left, pa.DictionaryArray):
            left = left.dictionary_decode()
        right = pa.array(pool, type=left.type) if pa.types.is_string(left.type) or pa.types.is_large_string(
            left.type) else pa.array(pool).cast(left.type)
        return pc.is_in(left, value_set=right, skip_nulls=True).fill_null(False).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return values.astype("str").isin(set(pool)).to_numpy()


def link(contacts: pd.DataFrame, window_days: float = DEFAULT_WINDOW_DAYS,
         split_on_value: bool = True) -> pd.DataFrame:
    """Each contact's journey (``journey``, numbered from 0 in order of each journey's first contact;
    -1 for a contact that cannot be followed) and its place in it (``journey_step``, 0 for the first;
    -1), indexed as ``contacts``. See the module's note for the rules. Vectorised: stable sorts of
    integer keys and a cumulative sum; no row is visited in Python.

    >>> c = pd.DataFrame({"case_id": ["A", None, "B"], "customer_id": ["1", "1", None],
    ...                   "service": ["tax"] * 3, "received_at": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-06"])})
    >>> link(c)["journey"].tolist()
    [0, 0, 1]
    """
    if window_days <= 0:
        raise ValueError(f"window_days must be above 0, found {window_days}")
    n = len(contacts)
    when = pd.to_datetime(contacts["received_at"])
    has_time = when.notna().to_numpy()
    t = when.to_numpy("datetime64[ns]").astype(np.int64)
    case = _codes(contacts["case_id"]) if "case_id" in contacts else np.full(n, -1, np.int64)
    customer = _codes(contacts["customer_id"]) if "customer_id" in contacts else np.full(n, -1, np.int64)
    service = _codes(contacts["service"])
    has_case = (case >= 0) & has_time
    key = np.full(n, -1, dtype=np.int64)
    key[has_case] = case[has_case]
    n_cases = int(case.max()) + 1 if n else 0

    # every sort below is a stable sort of one integer key over the contacts in time order (then row
    # order): the processed contacts are already in time order, so that order costs no sort at all
    by_time = np.arange(n) if n < 2 or bool((t[1:] >= t[:-1]).all()) else np.argsort(t, kind="stable")
    rows = by_time[((customer >= 0) & has_time)[by_time]]
    if rows.size:
        group = customer[rows] * (int(service.max()) + 2) + (service[rows] + 1)
        grouped = np.argsort(group, kind="stable")
        order = rows[grouped]  # customer and service together, each in time order
        g, tt = group[grouped], t[order]
        same = np.empty(order.size, dtype=bool)
        same[0] = False
        same[1:] = g[1:] == g[:-1]
        gap = np.empty(order.size, dtype=np.float64)
        gap[0] = np.inf
        gap[1:] = np.diff(tt) / NS_PER_DAY
        start = ~same | (gap > window_days) | has_case[order]
        if split_on_value and "demand" in contacts:
            start |= _is(contacts["demand"], "value")[order]
        segment = np.cumsum(start) - 1
        first = order[start]
        segment_key = np.where(has_case[first], case[first], n_cases + np.arange(first.size))
        key[order] = segment_key[segment]

    journey = np.full(n, -1, dtype=np.int64)
    step = np.full(n, -1, dtype=np.int32)
    valid = by_time[(key >= 0)[by_time]]
    if valid.size:
        o = valid[np.argsort(key[valid], kind="stable")]  # journey by journey, each in time order
        k = key[o]
        new = np.empty(o.size, dtype=bool)
        new[0] = True
        new[1:] = k[1:] != k[:-1]
        index = np.cumsum(new) - 1
        first_pos = np.flatnonzero(new)
        step[o] = (np.arange(o.size) - first_pos[index]).astype(np.int32)
        when_first = np.empty(n, dtype=np.int64)
        when_first[by_time] = np.arange(n)  # each contact's place in time order
        rank = np.empty(first_pos.size, dtype=np.int64)
        rank[np.argsort(when_first[o[first_pos]], kind="stable")] = np.arange(first_pos.size)
        journey[o] = rank[index]
    return pd.DataFrame({"journey": journey, "journey_step": step}, index=contacts.index)


def with_journeys(contacts: pd.DataFrame, window_days: float = DEFAULT_WINDOW_DAYS,
                  split_on_value: bool = True) -> pd.DataFrame:
    """``contacts`` with :func:`link`'s ``journey`` and ``journey_step`` (what the analysis keeps)."""
    linked = link(contacts, window_days, split_on_value)
    return contacts.assign(journey=linked["journey"].to_numpy(), journey_step=linked["journey_step"].to_numpy())


# ---- one row per journey -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """The step labels a journey's pattern is spelled in: a channel and a kind (value demand, or a
    failure type), plus a formal complaint in the register and "then more"."""

    kinds: tuple[str, ...]
    channels: tuple[str, ...] = CHANNELS

    @property
    def register(self) -> int:
        return 1 + len(self.channels) * len(self.kinds)

    @property
    def more(self) -> int:
        return self.register + 1

    @property
    def base(self) -> int:
        return self.more + 1

    def code(self, channel: np.ndarray, kind: np.ndarray) -> np.ndarray:
        return 1 + channel * len(self.kinds) + kind

    def words(self, code: int) -> str:
        """The words of one step.

        >>> v = Vocabulary(("", "progress_chasing", "complaint"))
        >>> [v.words(v.code(np.array(c), np.array(k))) for c, k in ((3, 0), (0, 1), (0, 2))] + [v.words(v.register)]
        ['web form', 'phone chase', 'complaint', 'formal complaint']
        """
        if code == self.register:
            return REGISTER_WORDS
        if code == self.more:
            return MORE_WORDS
        channel, kind = divmod(int(code) - 1, len(self.kinds))
        kind_name = self.kinds[kind]
        if kind_name == "complaint":
            return "complaint"
        ch = CHANNEL_WORDS.get(self.channels[channel], self.channels[channel].replace("_", " "))
        word = KIND_WORDS.get(kind_name, kind_name.replace("_", " "))
        return f"{ch} {word}".strip()

    def steps(self, pattern: int) -> list[int]:
        """The step codes of a pattern key, first step first."""
        out, key = [], int(pattern)
        while key:
            key, code = divmod(key, self.base)
            out.append(code)
        return out

    def spell(self, pattern: int) -> str:
        """A pattern as a reader reads it: ``"web form, phone chase, complaint"``."""
        return ", ".join(self.words(c) for c in self.steps(pattern))


def vocabulary(contacts: pd.DataFrame) -> Vocabulary:
    """The kinds the contacts' failure types give (the taxonomy's, in a fixed order, then any other)."""
    known = [k for k in KIND_WORDS if k]
    found = []
    if "failure_type" in contacts:
        found = sorted(set(contacts["failure_type"].dropna().astype("str").unique()) - set(known) - {""})
    return Vocabulary(("", *known, *found))


@dataclass
class Journeys:
    """The journeys of one scope: ``table`` (one row per journey, :func:`table`) and what they rest on.

    ``basis``: what followed the contacts ("case numbers", "customer numbers", both, or "" when
    nothing could). ``unfollowed``: contacts with neither. ``one_row_per_case``: every case is one row
    of the export (a list of requests, such as a 311 export), so repeat contacts about a case are not
    recorded and the measures of contacts per journey cannot be given. ``missing``: measure -> why it
    cannot be given and what would unlock it.
    """

    table: pd.DataFrame
    vocabulary: Vocabulary
    window_days: float
    contacts: int
    unfollowed: int
    basis: str
    one_row_per_case: bool
    has_closed: bool
    span: tuple[pd.Timestamp, pd.Timestamp] | None
    missing: dict[str, str] = field(default_factory=dict)
    #: journeys whose recorded close is before their first contact (left out of end-to-end time)
    closed_before_start: int = 0

    @property
    def judged(self) -> pd.DataFrame:
        """The journeys the shares are measured on (not cut by either end of the export)."""
        return self.table.loc[self.table["judged"]]

    @property
    def available(self) -> bool:
        return len(self.table) > 0


def _register_contacts(complaints: pd.DataFrame | None) -> set:
    if complaints is None or "contact_id" not in complaints:
        return set()
    return set(complaints["contact_id"].dropna().astype("str"))


def table(contacts: pd.DataFrame, complaints: pd.DataFrame | None = None,
          window_days: float = DEFAULT_WINDOW_DAYS, span: tuple | None = None,
          vocab: Vocabulary | None = None) -> pd.DataFrame:
    """One row per journey from contacts carrying ``journey`` and ``journey_step`` (:func:`link`).

    Columns: ``journey``; ``basis`` (``case`` when any of its contacts had a case number, else
    ``customer``); ``service`` and ``channel`` (its first contact's); ``started_at``, ``last_contact_at``;
    ``contacts``; ``failure_contacts`` (classified failure demand); ``changed_channel``;
    ``channel_hop`` (web, then phone, visit or web chat); ``complaint`` (a contact classified as a
    complaint, or named by the complaints register); ``first_contact_resolution`` (one contact, no
    complaint); ``closed_at`` and ``end_to_end_days`` (first contact to the latest close recorded on
    its contacts; missing while open or with no close date); ``judged`` (started at least
    ``window_days`` after the first contact in ``span`` and before its last; ``span`` defaults to the
    contacts' own); ``pattern`` (its first steps as a key, :meth:`Vocabulary.spell`).
    """
    vocab = vocab or vocabulary(contacts)
    journey_all = contacts["journey"].to_numpy(np.int64)
    followed = np.flatnonzero(journey_all >= 0)
    if span is None:
        when = contacts["received_at"]
        span = (when.min(), when.max()) if len(when) else None
    columns = ["journey", "basis", "service", "channel", "started_at", "last_contact_at", "contacts",
               "failure_contacts", "changed_channel", "channel_hop", "complaint", "first_contact_resolution",
               "closed_at", "end_to_end_days", "judged", "pattern"]
    if not followed.size:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    step_all = contacts["journey_step"].to_numpy(np.int64)
    composite = journey_all[followed] * (int(step_all[followed].max()) + 1) + step_all[followed]
    rows = followed[np.argsort(composite)]  # journey by journey, step by step (each pair is unique)
    journey, step = journey_all[rows], step_all[rows]
    bounds = np.flatnonzero(np.r_[True, journey[1:] != journey[:-1]])
    ends = np.r_[bounds[1:], journey.size]
    size = ends - bounds

    t = pd.to_datetime(contacts["received_at"]).to_numpy("datetime64[ns]")[rows]
    channel_codes, channel_names = _categories(contacts["channel"], rows)
    to_vocab = np.array([vocab.channels.index(c) if c in vocab.channels else vocab.channels.index("other")
                         for c in channel_names] + [vocab.channels.index("other")], dtype=np.int64)
    channel = to_vocab[channel_codes]  # code -1 (missing) takes the last entry: other
    if "failure_type" in contacts and "demand" in contacts:
        is_failure = _is(contacts["demand"], "failure")[rows]
        ftype_codes, ftype_names = _categories(contacts["failure_type"], rows)
        kind_of = np.array([vocab.kinds.index(f) if f in vocab.kinds else 0 for f in ftype_names] + [0], dtype=np.int64)
        kind = np.where(is_failure, kind_of[ftype_codes], 0)
    else:
        kind = np.zeros(journey.size, dtype=np.int64)
        is_failure = np.zeros(journey.size, dtype=bool)
    complaint_kind = vocab.kinds.index("complaint")
    is_complaint_contact = kind == complaint_kind
    in_register = np.zeros(journey.size, dtype=bool)
    register = _register_contacts(complaints)
    if register and "contact_id" in contacts:
        in_register = _member(contacts["contact_id"], register)[rows]

    first = bounds
    web = channel == vocab.channels.index("web")
    assisted = np.isin(channel, [vocab.channels.index(c) for c in ASSISTED_AFTER_WEB])
    big = np.iinfo(np.int64).max
    first_web = np.minimum.reduceat(np.where(web, step, big), bounds)
    last_assisted = np.maximum.reduceat(np.where(assisted, step, -1), bounds)
    complaint_contact = np.maximum.reduceat(is_complaint_contact, bounds)
    registered = np.maximum.reduceat(in_register, bounds)
    complaint = complaint_contact | registered
    has_case = (contacts["case_id"].notna().to_numpy()[rows] if "case_id" in contacts
                else np.zeros(journey.size, bool))

    # the pattern: the first PATTERN_STEPS steps' codes in base vocab.base, "then more" after them, and
    # a formal complaint in the register as a last step when no contact was classified as one
    code = vocab.code(np.where(is_complaint_contact, 0, channel), kind)  # a complaint is one step, however made
    weights = np.where(step < PATTERN_STEPS, np.power(vocab.base, np.minimum(step, PATTERN_STEPS), dtype=np.int64), 0)
    pattern = np.add.reduceat(code * weights, bounds)
    extra_at = np.minimum(size, PATTERN_STEPS)
    extra = np.where(size > PATTERN_STEPS, vocab.more,
                     np.where(registered & ~complaint_contact, vocab.register, 0))
    pattern = pattern + extra * np.power(vocab.base, extra_at, dtype=np.int64)

    closed = None
    end_to_end = np.full(bounds.size, np.nan)
    if "closed_at" in contacts:
        closed_ns = pd.to_datetime(contacts["closed_at"]).to_numpy("datetime64[ns]")[rows].view(np.int64)
        latest = np.maximum.reduceat(closed_ns, bounds)  # NaT is the smallest int64: any close wins
        closed = latest.view("datetime64[ns]")
        has_close = latest != np.iinfo(np.int64).min
        days = (latest - t[first].view(np.int64)) / NS_PER_DAY
        end_to_end = np.where(has_close & (days >= 0), days, np.nan)
    started = t[first]
    service_codes, service_names = _categories(contacts["service"], rows)
    judged = np.ones(bounds.size, dtype=bool)
    if span is not None and span[0] is not None and not pd.isna(span[0]):
        window = np.timedelta64(int(window_days * NS_PER_DAY), "ns")
        lo = np.datetime64(pd.Timestamp(span[0]).normalize().to_datetime64()) + window
        hi = np.datetime64(pd.Timestamp(span[1]).to_datetime64()) - window
        judged = (started >= lo) & (started <= hi)
    out = pd.DataFrame({
        "journey": journey[bounds],
        "basis": np.where(np.maximum.reduceat(has_case, bounds), "case", "customer"),
        "service": _as_categorical(service_codes[first], service_names),
        "channel": _as_categorical(channel_codes[first], channel_names),
        "started_at": started,
        "last_contact_at": t[ends - 1],
        "contacts": size,
        "failure_contacts": np.add.reduceat(is_failure.astype(np.int64), bounds),
        "changed_channel": np.minimum.reduceat(channel, bounds) != np.maximum.reduceat(channel, bounds),
        "channel_hop": last_assisted > first_web,
        "complaint": complaint,
        "first_contact_resolution": (size == 1) & ~complaint,
        "closed_at": closed if closed is not None else pd.Series(pd.NaT, index=range(bounds.size)).to_numpy(),
        "end_to_end_days": end_to_end,
        "judged": judged,
        "pattern": pattern,
    })
    return out


def _as_categorical(codes: np.ndarray, names: list[str]) -> pd.Categorical:
    """Codes and their names as a categorical of the names used (-1: missing)."""
    if len(set(names)) == len(names):
        return pd.Categorical.from_codes(codes, categories=names).remove_unused_categories()
    text = np.asarray([*names, None], dtype=object)[codes]  # two values that read the same are one name
    return pd.Categorical(text)


def follow(contacts: pd.DataFrame, complaints: pd.DataFrame | None = None,
           window_days: float = DEFAULT_WINDOW_DAYS, split_on_value: bool = True,
           span: tuple | None = None) -> Journeys:
    """The :class:`Journeys` of ``contacts`` (linked first when they carry no ``journey`` column), with
    what could not be given and why."""
    from cxinsight.availability import unlock

    if "journey" not in contacts or "journey_step" not in contacts:
        contacts = with_journeys(contacts, window_days, split_on_value)
    vocab = vocabulary(contacts)
    when = contacts["received_at"]
    span = span or ((when.min(), when.max()) if len(when) else None)
    journeys = table(contacts, complaints, window_days, span, vocab)
    has_case = "case_id" in contacts and contacts["case_id"].notna().any()
    has_customer = "customer_id" in contacts and contacts["customer_id"].notna().any()
    basis = " and ".join(b for b, h in (("case numbers", has_case), ("customer numbers", has_customer)) if h)
    unfollowed = int((contacts["journey"].to_numpy() < 0).sum())
    one_row = bool(len(journeys)) and not has_customer and bool((journeys["contacts"] == 1).all())
    has_closed = "closed_at" in contacts and contacts["closed_at"].notna().any()
    missing: dict[str, str] = {}
    if not len(journeys):
        why = ("Not available: no contact carries a case or reference number or a customer number, so contacts "
               "cannot be followed into journeys. ")
        for m in MEASURES:
            missing[m] = why + unlock(JOURNEYS_UNLOCK)
    else:
        if one_row:
            why = ("Not available: each case is one row of this export (a list of requests, not a history of "
                   "contacts), so repeat contacts about a case are not recorded. ")
            for m in ("first_contact_resolution", "contacts_per_journey", "changed_channel", "channel_hop"):
                missing[m] = why + unlock(REPEATS_UNLOCK)
        if not journeys["judged"].any():
            days = (span[1] - span[0]) / pd.Timedelta(days=1) if span else 0
            why = (f"Not available: the export covers {days:.0f} days, and a journey is measured only when it started "
                   f"at least {window_days:g} days after the export's first contact and before its last, so that "
                   "its contacts are all in the export. ")
            for m in ("first_contact_resolution", "contacts_per_journey", "changed_channel", "channel_hop",
                      "complaint"):
                missing.setdefault(m, why + "Supply a longer export (several months) to see them.")
        if not has_closed:
            for m in ("end_to_end_median_days", "end_to_end_p85_days"):
                missing[m] = "Not available: the export records no date a case was closed. " + unlock("contacts.closed_at")
        classified = "failure_type" in contacts and "demand" in contacts
        if not classified and not _register_contacts(complaints):
            missing["complaint"] = ("Not available: nothing says which contacts were complaints (the contacts are not "
                                    "classified and no complaints register names the contacts it came from). "
                                    + unlock("complaints"))
    bad = 0
    if has_closed and len(journeys):
        bad = int((journeys["closed_at"].notna() & (journeys["closed_at"] < journeys["started_at"])).sum())
    return Journeys(journeys, vocab, window_days, len(contacts), unfollowed, basis, one_row, has_closed, span, missing,
                    bad)


JOURNEYS_UNLOCK = "contacts.case_id|contacts.customer_id"
REPEATS_UNLOCK = "contacts.case_history"


def from_analysis(analysis, council: Journeys | None = None) -> Journeys:
    """The journeys of an analysis' scope (:class:`cxinsight.analysis.Analysis`): the journeys linked
    for the whole council (their ``journey`` columns, kept by the analysis) that started in the scope's
    period, with every one of their contacts, for its service (by the service of the journey's first
    contact). Complaints are the whole council's register, so a journey's complaint is found whatever
    its service. ``council``: the whole council's journeys (``from_analysis(analysis.council)``) when
    already followed, so that several scopes follow the contacts once (it is not changed)."""
    from dataclasses import replace

    whole = analysis.council
    contacts = whole.contacts
    window = float(getattr(whole.options, "journey_window_days", DEFAULT_WINDOW_DAYS))
    if "journey" not in contacts:
        contacts = with_journeys(contacts, window)
    if council is None:
        when = whole.contacts["received_at"]
        span = (when.min(), when.max()) if len(when) else None
        result = follow(contacts, whole.complaints, window, span=span)
    else:
        result = replace(council, missing=dict(council.missing))  # its table is replaced below, never changed
    t = result.table
    keep = np.ones(len(t), dtype=bool)
    if analysis.service is not None:
        keep &= t["service"].astype("str").to_numpy() == str(analysis.service)
    if analysis.period is not None:
        start, end = analysis.period
        keep &= ((t["started_at"] >= start) & (t["started_at"] < end + pd.Timedelta(days=1))).to_numpy()
    if not keep.all():
        result.table = t.loc[keep].reset_index(drop=True)
        scoped = contacts.loc[contacts["journey"].isin(result.table["journey"]) | (contacts["journey"] < 0)]
        if analysis.service is not None:
            scoped = scoped.loc[(scoped["journey"] >= 0) | (scoped["service"].astype("str") == str(analysis.service))]
        result.contacts = len(scoped)
        result.unfollowed = int((scoped["journey"] < 0).sum())
    return result


# ---- measures with their intervals -------------------------------------------------------------------

#: measure -> (name for a reader, unit)
MEASURES = {
    "first_contact_resolution": ("Journeys resolved at the first contact", "share of journeys"),
    "contacts_per_journey": ("Contacts per journey", "contacts"),
    "changed_channel": ("Journeys that changed channel", "share of journeys"),
    "channel_hop": ("Journeys that went from the web to phone, a visit or web chat", "share of journeys"),
    "complaint": ("Journeys that ended in a complaint", "share of journeys"),
    "end_to_end_median_days": ("End-to-end time, median", "days"),
    "end_to_end_p85_days": ("End-to-end time, 85th percentile", "days"),
}
SHARES = ("first_contact_resolution", "changed_channel", "channel_hop", "complaint")


def quantile_interval(values, q: float, confidence: float = 0.95) -> tuple[float, float, float]:
    """The ``q`` quantile of ``values`` and its distribution-free interval from order statistics: the
    ``r``-th and ``s``-th smallest values, with ``r`` and ``s`` the binomial(n, q) quantiles that hold the
    true quantile with at least ``confidence`` (no assumption about the shape of the times).

    >>> est, lo, hi = quantile_interval(np.arange(1, 101), 0.5)
    >>> (est, lo, hi)
    (50.5, 40.0, 61.0)
    """
    x = np.sort(np.asarray(values, dtype=float))
    x = x[~np.isnan(x)]
    n = x.size
    if n == 0:
        return np.nan, np.nan, np.nan
    alpha = 1 - confidence
    k0, cdf = _binomial_cdf(n, q)
    r = k0 + int(np.searchsorted(cdf, alpha / 2, side="left"))          # P(B < r) <= alpha / 2: r-th smallest
    s = k0 + int(np.searchsorted(cdf, 1 - alpha / 2, side="left")) + 1  # P(B >= s) <= alpha / 2: s-th smallest
    lo = x[max(r, 1) - 1]
    hi = x[min(s, n) - 1]
    return float(np.quantile(x, q)), float(lo), float(hi)


def _binomial_cdf(n: int, p: float) -> tuple[int, np.ndarray]:
    """P(B <= k) for k = k0..k1, B ~ binomial(n, p), from the log-probabilities, with ``k0``: no SciPy
    (its import alone takes seconds). Only the k within 12 standard deviations of n p are summed; the
    probability outside them is below 1e-30.

    >>> k0, cdf = _binomial_cdf(3, 0.5)
    >>> k0, [round(float(x), 4) for x in cdf]
    (0, [0.125, 0.5, 0.875, 1.0])
    """
    from math import ceil, floor, lgamma, log, sqrt

    spread = 12 * sqrt(n * p * (1 - p)) + 12
    k0, k1 = max(0, floor(n * p - spread)), min(n, ceil(n * p + spread))
    k = np.arange(k0, k1 + 1, dtype=float)
    log_choose = lgamma(n + 1) - _lgamma(k + 1) - _lgamma(n - k + 1)
    logp = log_choose + k * log(p) + (n - k) * log(1 - p)
    mass = np.exp(logp - logp.max())
    return k0, np.cumsum(mass) / mass.sum()


def _lgamma(x: np.ndarray) -> np.ndarray:
    """log Gamma(x) for x >= 1, vectorised: exact below 20 (a table), Stirling's series above (error under 1e-12)."""
    from math import lgamma

    out = np.empty_like(x, dtype=float)
    small = x < 20
    out[small] = [lgamma(v) for v in x[small]]
    y = x[~small]
    out[~small] = ((y - 0.5) * np.log(y) - y + 0.5 * np.log(2 * np.pi) + 1 / (12 * y) - 1 / (360 * y ** 3)
                   + 1 / (1260 * y ** 5))
    return out


def _groups(frame: pd.DataFrame, by) -> list[tuple[dict, pd.DataFrame]]:
    by = [by] if isinstance(by, str) else list(by or [])
    if not by:
        return [({}, frame)]
    out = []
    for key, part in frame.groupby(by, observed=True, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        out.append((dict(zip(by, (str(k) for k in key), strict=True)), part))
    return out


def measures(journeys: Journeys | pd.DataFrame, by=None, min_journeys: int = MIN_JOURNEYS) -> pd.DataFrame:
    """Every journey measure for the whole scope or ``by`` its groups (``"service"``, ``"channel"``:
    the channel the journey started on), with its interval and base: columns ``[by...], measure,
    name, estimate, low, high, n, k, unit, method``. Shares (Wilson 95%) and contacts per journey
    (mean, normal 95% interval) are on the judged journeys; end-to-end times (median and 85th
    percentile, order-statistic 95% intervals) on the journeys with a close date. Groups with fewer
    than ``min_journeys`` give no estimate. Measures a :class:`Journeys` cannot give are left out."""
    from cxinsight.stats import Z95, wilson

    missing = journeys.missing if isinstance(journeys, Journeys) else {}
    frame = journeys.table if isinstance(journeys, Journeys) else journeys
    rows = []
    by_cols = [by] if isinstance(by, str) else list(by or [])
    frame = frame[[*by_cols, "judged", *SHARES, "contacts", "end_to_end_days"]]  # no group copies the rest
    for key, part in _groups(frame, by_cols):
        judged = part.loc[part["judged"]]
        n = len(judged)
        for m in SHARES:
            if m in missing or n < min_journeys:
                continue
            k = int(judged[m].sum())
            p, lo, hi = (float(x[0]) for x in wilson(np.array([k]), np.array([n])))
            rows.append({**key, "measure": m, "estimate": p, "low": lo, "high": hi, "n": n, "k": k,
                         "method": "Wilson 95%"})
        if "contacts_per_journey" not in missing and n >= min_journeys:
            x = judged["contacts"].to_numpy(float)
            mean, se = x.mean(), x.std(ddof=1) / np.sqrt(n)
            rows.append({**key, "measure": "contacts_per_journey", "estimate": mean, "low": max(1.0, mean - Z95 * se),
                         "high": mean + Z95 * se, "n": n, "k": int(x.sum()), "method": "normal 95% (mean +/- 1.96 SE)"})
        times = part["end_to_end_days"].dropna().to_numpy(float)
        if "end_to_end_median_days" not in missing and times.size >= min_journeys:
            for m, q in (("end_to_end_median_days", 0.5), ("end_to_end_p85_days", 0.85)):
                est, lo, hi = quantile_interval(times, q)
                rows.append({**key, "measure": m, "estimate": est, "low": lo, "high": hi, "n": int(times.size),
                             "k": np.nan, "method": "order statistics 95%"})
    out = pd.DataFrame(rows, columns=[*by_cols, "measure", "estimate", "low", "high", "n", "k", "method"])
    out.insert(len(by_cols) + 1, "name", out["measure"].map(lambda m: MEASURES[m][0]))
    out["unit"] = out["measure"].map(lambda m: MEASURES[m][1])
    return out


def end_to_end_xmr(journeys: Journeys | pd.DataFrame, min_journeys: int = MIN_JOURNEYS,
                   burn_in_days: float | None = None) -> pd.DataFrame | None:
    """End-to-end time over time as an XmR chart (:func:`cxinsight.demand.measures.xmr`): the median
    end-to-end days of the journeys closed in each week (each day for an export of under eight weeks),
    periods with fewer than ``min_journeys`` closes left out. None with fewer than two such periods.
    Journeys are placed by when they closed, so a slow journey counts when it finishes, as Vanguard's
    capability charts do, and recent weeks are not flattered by journeys still open. Early in an
    export only quick journeys can have closed (a slow one would have started before it), so periods
    beginning within ``burn_in_days`` of the first contact (default: the window, or the 85th percentile
    of end-to-end time if longer) are left out, as are periods cut by the end of the export."""
    from cxinsight.demand.measures import xmr

    is_journeys = isinstance(journeys, Journeys)
    frame = journeys.table if is_journeys else journeys
    done = frame.loc[frame["end_to_end_days"].notna()]
    if done.empty:
        return None
    closed = pd.Series(pd.to_datetime(done["closed_at"]).to_numpy(), index=done.index)
    # weeks for eight weeks or more of closes, else days (as cxinsight.charts.time_bins)
    unit = "week" if closed.max() - closed.min() >= pd.Timedelta(days=56) else "day"
    step = pd.Timedelta(days=7 if unit == "week" else 1)
    period = closed.dt.normalize() - (pd.to_timedelta(closed.dt.day_of_week, unit="D") if unit == "week"
                                      else pd.Timedelta(0))
    first = (journeys.span[0] if is_journeys and journeys.span else frame["started_at"].min())
    last = (journeys.span[1] if is_journeys and journeys.span else frame["last_contact_at"].max())
    window = journeys.window_days if is_journeys else DEFAULT_WINDOW_DAYS
    burn = burn_in_days if burn_in_days is not None else max(window, float(done["end_to_end_days"].quantile(0.85)))
    grouped = done.groupby(period.to_numpy())["end_to_end_days"].agg(["median", "size"])
    whole = (grouped.index >= pd.Timestamp(first).normalize() + pd.Timedelta(days=burn)) & (
        grouped.index + step <= pd.Timestamp(last).normalize() + pd.Timedelta(days=1))
    grouped = grouped.loc[whole & (grouped["size"] >= min_journeys).to_numpy()]
    if len(grouped) < 2:
        return None
    chart = xmr(grouped["median"], floor=0.0)
    chart["n"] = grouped["size"]
    chart.attrs["unit"] = unit
    return chart


def extra_contacts(contacts: pd.DataFrame, journeys: Journeys | pd.DataFrame, by: str | None = "service",
                   min_contacts: int = MIN_JOURNEYS) -> pd.DataFrame:
    """The failure types behind the extra contacts: every contact after the first of a judged journey,
    by what it was (its failure type; ``value demand`` for a new request inside the journey), with its
    share of the extra contacts (Wilson 95%). ``by`` groups by the journey's service. Needs the
    contacts' classification (``demand``, ``failure_type``)."""
    from cxinsight.stats import wilson

    frame = journeys.table if isinstance(journeys, Journeys) else journeys
    judged = frame.loc[frame["judged"], ["journey", "service"]]
    cols = [by] if by else []
    if judged.empty or "failure_type" not in contacts or "demand" not in contacts:
        return pd.DataFrame(columns=[*cols, "failure_type", "contacts", "extra_contacts", "estimate", "low", "high"])
    journey = contacts["journey"].to_numpy(np.int64)
    lookup = np.full(int(max(journey.max(), judged["journey"].max())) + 2, -1, dtype=np.int64)
    lookup[judged["journey"].to_numpy(np.int64)] = np.arange(len(judged))  # judged journey -> its row
    row = lookup[journey]  # -1 (the last entry) for a contact not followed or not judged
    rows = np.flatnonzero((contacts["journey_step"].to_numpy() >= 1) & (row >= 0))
    if not rows.size:
        return pd.DataFrame(columns=[*cols, "failure_type", "contacts", "extra_contacts", "estimate", "low", "high"])
    codes, names = _categories(contacts["failure_type"], rows)
    kind = np.where(_is(contacts["demand"], "failure")[rows] & (codes >= 0), codes, len(names))
    service_codes, service_names = _categories(judged["service"], np.arange(len(judged)))
    group = service_codes[row[rows]] if by else np.zeros(rows.size, dtype=np.int64)
    width = len(names) + 1
    tally = np.bincount(np.maximum(group, 0) * width + kind, minlength=(max(len(service_names), 1)) * width)
    found = np.flatnonzero(tally)
    data = pd.DataFrame({"failure_type": np.array([*names, "value demand"], dtype=object)[found % width],
                         "contacts": tally[found]})
    if by:
        data.insert(0, by, np.array(service_names, dtype=object)[found // width])
    counts = data
    totals = counts.groupby(cols)["contacts"].transform("sum") if cols else counts["contacts"].sum()
    counts["extra_contacts"] = totals
    counts = counts.loc[counts["extra_contacts"] >= min_contacts]
    p, lo, hi = wilson(counts["contacts"].to_numpy(), counts["extra_contacts"].to_numpy())
    counts = counts.assign(estimate=p, low=lo, high=hi)
    return counts.sort_values([*cols, "contacts"], ascending=[*[True] * len(cols), False]).reset_index(drop=True)


# ---- patterns, flows and the journey-mapping template ------------------------------------------------


def patterns(journeys: Journeys, by: str | None = "service", failing: bool = True, top: int = 5,
             min_journeys: int = 1) -> pd.DataFrame:
    """The commonest journey patterns (``"web form, phone chase, phone chase, complaint"``) per
    ``by`` group: ``[by], pattern, journeys, of_journeys, estimate, low, high`` (the pattern's share of
    the group's journeys, or of its failing journeys with ``failing``: more than one contact or a
    complaint; Wilson 95%). Judged journeys only, ``top`` per group."""
    from cxinsight.stats import wilson

    frame = journeys.judged if journeys.table["judged"].any() else journeys.table
    if failing:
        frame = frame.loc[~frame["first_contact_resolution"]]
    cols = [by] if by else []
    if frame.empty:
        return pd.DataFrame(columns=[*cols, "pattern", "steps", "journeys", "of_journeys", "estimate", "low", "high"])
    counts = frame.groupby([*cols, "pattern"], observed=True).size().rename("journeys").reset_index()
    counts = counts.loc[counts["journeys"] > 0]
    counts["of_journeys"] = counts.groupby(cols, observed=True)["journeys"].transform("sum") if cols \
        else counts["journeys"].sum()
    counts = counts.sort_values([*cols, "journeys", "pattern"], ascending=[*[True] * len(cols), False, True])
    counts = counts.groupby(cols, observed=True).head(top) if cols else counts.head(top)
    counts = counts.loc[counts["journeys"] >= min_journeys]
    p, lo, hi = wilson(counts["journeys"].to_numpy(), counts["of_journeys"].to_numpy())
    steps = [len(journeys.vocabulary.steps(k)) for k in counts["pattern"]]
    out = counts.assign(steps=steps, estimate=p, low=lo, high=hi,
                        pattern=[journeys.vocabulary.spell(k) for k in counts["pattern"]])
    if cols:
        out[by] = out[by].astype("str")
    return out[[*cols, "pattern", "steps", "journeys", "of_journeys", "estimate", "low", "high"]].reset_index(drop=True)


def step_codes(journeys: Journeys, frame: pd.DataFrame | None = None, steps: int = PATTERN_STEPS) -> np.ndarray:
    """Each journey's step codes (a journeys x ``steps`` array, 0 after its last step), decoded from
    its pattern key."""
    frame = journeys.table if frame is None else frame
    key = frame["pattern"].to_numpy(np.int64)
    base = journeys.vocabulary.base
    return np.stack([(key // np.power(base, k, dtype=np.int64)) % base for k in range(steps)], axis=1) \
        if len(key) else np.zeros((0, steps), dtype=np.int64)


def flows(journeys: Journeys, service: str | None = None, steps: int = 4, labels: int = 5,
          min_flow: int = 8, failing: bool = True) -> pd.DataFrame:
    """The flows of a Sankey-style chart: for each step ``k`` (1 = the first contact) to ``k + 1``,
    how many journeys went from one kind of contact to the next: ``step, source, target, journeys``, and
    a row with target ``"(ended)"`` for the journeys that stopped there. At each step the ``labels``
    commonest steps are named and the rest are ``"other"``; flows of fewer than ``min_flow`` journeys
    are left out (a count of 1 to 7 is not published). Judged journeys of ``service`` (all without);
    with ``failing``, only those not resolved at the first contact (the journeys worth drawing)."""
    frame = journeys.judged if journeys.table["judged"].any() else journeys.table
    if service is not None:
        frame = frame.loc[frame["service"].astype("str") == str(service)]
    if failing:
        frame = frame.loc[~frame["first_contact_resolution"]]
    codes = step_codes(journeys, frame, steps + 1)
    vocab = journeys.vocabulary
    other, ended, more = vocab.base, vocab.base + 1, vocab.base + 2  # codes beyond the vocabulary's
    words = np.array(["", *(vocab.words(c) for c in range(1, vocab.base)), "other", "(ended)", "(more contacts)"],
                     dtype=object)
    named = np.zeros((len(frame), steps), dtype=np.int64)
    for k in range(steps):
        col = codes[:, k]
        counts = np.bincount(col, minlength=vocab.base)
        counts[0] = 0
        keep = np.zeros(vocab.base, dtype=bool)
        keep[[c for c in np.argsort(-counts, kind="stable")[:labels] if counts[c]]] = True
        named[:, k] = np.where(col == 0, 0, np.where(keep[col], col, other))
    rows = []
    width = vocab.base + 3
    for k in range(steps):
        here = named[:, k] > 0
        if not here.any():
            break
        if k + 1 < steps:
            target = np.where(named[:, k + 1] == 0, ended, named[:, k + 1])
        else:
            target = np.where(codes[:, k + 1] > 0, more, ended)
        pair = np.bincount(named[here, k] * width + target[here], minlength=width * width)
        found = np.flatnonzero(pair)
        rows.append(pd.DataFrame({"step": k + 1, "source": words[found // width], "target": words[found % width],
                                  "journeys": pair[found]}))
    if not rows:
        return pd.DataFrame(columns=["step", "source", "target", "journeys"])
    out = pd.concat(rows, ignore_index=True)[["step", "source", "target", "journeys"]]
    out = out.loc[out["journeys"] >= min_flow]
    return out.sort_values(["step", "journeys"], ascending=[True, False]).reset_index(drop=True)


def flow_summary(table_of_flows: pd.DataFrame) -> tuple[str, str]:
    """An alt text and a takeaway for a flow chart, from its table (counts as a reader sees them)."""
    from cxinsight.publish import count_text

    if table_of_flows.empty:
        return "Flow chart with no flows large enough to show.", "Too few journeys to draw their flows."
    first = table_of_flows.loc[table_of_flows["step"] == 1]
    starts = first.groupby("source")["journeys"].sum().sort_values(ascending=False)
    moved = table_of_flows.loc[table_of_flows["target"].str[0] != "("]
    named = moved.loc[(moved["source"] != "other") & (moved["target"] != "other")]
    alt = (f"Flow chart of journeys over their first {int(table_of_flows['step'].max())} contacts. They start with "
           + ", ".join(f"{s} ({count_text(int(n))})" for s, n in starts.head(4).items()) + ".")
    if moved.empty:
        return alt, "Almost every journey ended at its first contact."
    top = (named if len(named) else moved).sort_values("journeys", ascending=False).iloc[0]
    base = int(table_of_flows.loc[(table_of_flows["step"] == top.step) & (table_of_flows["source"] == top.source),
                                  "journeys"].sum())
    step = int(top.step)
    alt += (f" The largest flow between named steps is from {top.source} at contact {step} to {top.target} "
            f"({count_text(int(top.journeys))} journeys).")
    share = top.journeys / base if base else 0
    where = ("that began with a " if step == 1 else f"whose contact number {step} was a ") + str(top.source)
    takeaway = f"The commonest next step: {share:.0%} of the journeys {where} went on to a {top.target} next."
    return alt, takeaway


STAGES = {0: "First contact", 1: "Second contact", 2: "Third contact"}


def template(contacts: pd.DataFrame, journeys: Journeys, service: str | None = None, top: int = 3,
             min_journeys: int = 8) -> pd.DataFrame:
    """The journey-mapping template's fields filled from the data, for a service's workshop: one row per
    stage and touchpoint, ``stage, touchpoint, pain_point, evidence`` and the counts behind the evidence
    (``journeys`` with this step, ``of_journeys`` at the stage's base, ``median_days`` after the first
    contact). Stages: the first, second, third and later contacts of the judged journeys, then how they
    ended (complaints, and end-to-end time where close dates exist). The ``top`` commonest
    touchpoint-and-pain-point pairs per stage with at least ``min_journeys`` journeys; the evidence's
    counts are rounded to 5 (1-7 are never shown), as publish does."""
    from cxinsight.publish import count_text, gives_away, round_to_5

    frame = journeys.judged if journeys.table["judged"].any() else journeys.table
    if service is not None:
        frame = frame.loc[frame["service"].astype("str") == str(service)]
    columns = ["stage", "touchpoint", "pain_point", "evidence", "journeys", "of_journeys", "median_days"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    base = len(frame)
    sub = contacts.loc[contacts["journey"].isin(frame["journey"]),
                       [c for c in ("journey", "journey_step", "channel", "demand", "failure_type", "received_at")
                        if c in contacts]]
    started = frame.set_index("journey")["started_at"]
    sub = sub.assign(stage=np.minimum(sub["journey_step"].to_numpy(), 3),
                     days=(sub["received_at"] - sub["journey"].map(started)) / pd.Timedelta(days=1),
                     channel=sub["channel"].astype("str"),
                     kind=(sub["failure_type"].astype("str").where(sub["demand"].astype("str").eq("failure"), "")
                           if "failure_type" in sub else ""))
    # one count per journey and stage: a journey with two phone chases at its later stages counts once there
    per = sub.drop_duplicates(["journey", "stage", "channel", "kind"])
    grouped = per.groupby(["stage", "channel", "kind"]).agg(journeys=("journey", "nunique"),
                                                           median_days=("days", "median")).reset_index()
    rows = []

    def shown(k: int, n: int) -> str:
        rk, rn = round_to_5(pd.Series([k, n]))
        share = "" if gives_away(k, n) or not rn else f" ({rk / rn:.0%})" if rk / rn >= 0.005 else " (under 1%)"
        return f"{count_text(k)} of {count_text(n)} journeys{share}"

    for stage, part in grouped.groupby("stage"):
        part = part.loc[part["journeys"] >= min_journeys].sort_values("journeys", ascending=False).head(top)
        name = STAGES.get(int(stage), "Fourth or later contact")
        for r in part.itertuples():
            touch = CHANNEL_WORDS.get(r.channel, r.channel)
            when = "" if stage == 0 or pd.isna(r.median_days) else f", a median of {r.median_days:.0f} days after the first"
            article = "an" if touch[0] in "aeiou" else "a"
            rows.append({"stage": name, "touchpoint": touch, "pain_point": PAIN_POINTS.get(r.kind, r.kind.replace("_", " ")),
                         "evidence": f"{shown(int(r.journeys), base)} had {article} {touch} contact here{when}.",
                         "journeys": int(r.journeys), "of_journeys": base, "median_days": r.median_days})
    complaints = int(frame["complaint"].sum())
    if complaints >= min_journeys:
        rows.append({"stage": "End", "touchpoint": "complaint", "pain_point": PAIN_POINTS["complaint"],
                     "evidence": f"{shown(complaints, base)} ended in a complaint.", "journeys": complaints,
                     "of_journeys": base, "median_days": np.nan})
    times = frame["end_to_end_days"].dropna()
    if len(times) >= min_journeys:
        med, p85 = times.median(), times.quantile(0.85)
        rows.append({"stage": "End", "touchpoint": "case closed", "pain_point": "waiting for the outcome",
                     "evidence": (f"Half of {count_text(len(times))} closed journeys took {duration_text(med)[0]} or "
                                  f"more from the first contact to the close; 15% took more than "
                                  f"{duration_text(p85)[0]}."),
                     "journeys": int(len(times)), "of_journeys": base, "median_days": med})
    return pd.DataFrame(rows, columns=columns)


def write_template(frame: pd.DataFrame, path) -> object:
    """The template as a CSV a service can take into a workshop, written as every download is
    (:func:`cxinsight.publish.write_csv`: formula-safe; counts rounded to 5, 1-7 blank)."""
    from cxinsight.publish import download_frame, write_csv

    out = frame.rename(columns={"stage": "Stage", "touchpoint": "Touchpoint", "pain_point": "Pain point",
                                "evidence": "Evidence", "journeys": "Journeys", "of_journeys": "Of journeys",
                                "median_days": "Median days after the first contact"})
    out["Median days after the first contact"] = out["Median days after the first contact"].round(1)
    return write_csv(download_frame(out, counts=["Journeys", "Of journeys"]), path)


# ---- for a reader ------------------------------------------------------------------------------------


#: How a time is shown, by its size: (below this many days, unit, days in one unit, decimals)
DURATION_UNITS = ((1 / 24, "minutes", 1 / 1440, 0), (2, "hours", 1 / 24, 1), (np.inf, "days", 1, 1))


def duration_text(days: float, low: float | None = None, high: float | None = None) -> tuple[str, str]:
    """A time in days as a reader reads it, in minutes, hours or days by its size, and its range in the
    same unit with each end rounded outward ("" without one).

    >>> duration_text(4.23, 4.17, 4.29), duration_text(0.0271, 0.023, 0.030)
    (('4.2 days', '4.1 to 4.3 days'), ('39 minutes', '33 to 44 minutes'))
    """
    import math

    if days is None or pd.isna(days):
        return "", ""
    _, unit, size, decimals = next(u for u in DURATION_UNITS if days < u[0])
    scale = 10 ** decimals

    def shown(x: float, way: str | None = None) -> str:
        v = x / size * scale
        v = math.floor(v + 1e-9) if way == "down" else math.ceil(v - 1e-9) if way == "up" else math.floor(v + 0.5)
        return f"{v / scale:.{decimals}f}"

    interval = "" if low is None or high is None else f"{shown(low, 'down')} to {shown(high, 'up')} {unit}"
    return f"{shown(days)} {unit}", interval


def _pct(x: float, outward: str | None = None) -> str:
    """A share as every page shows it (:func:`cxinsight.publish.percent_text`: the rule of
    :func:`cxinsight.headlines.value_text` and ``interval_text``, ends rounded outward)."""
    from cxinsight.publish import percent_text

    return percent_text(x, outward)


def figure_text(row) -> tuple[str, str]:
    """A measure's figure and range as the pages show them (shares as percentages, each range end
    rounded outward; contacts per journey to two decimals; times in days to one).

    >>> figure_text(pd.Series({"measure": "first_contact_resolution", "estimate": 0.7834, "low": 0.77, "high": 0.79}))
    ('78%', '77% to 79%')
    >>> figure_text(pd.Series({"measure": "end_to_end_median_days", "estimate": 4.23, "low": 4.17, "high": 4.29}))
    ('4.2 days', '4.1 to 4.3 days')
    """
    import math

    if row["measure"] in SHARES:
        return _pct(row["estimate"]), f"{_pct(row['low'], 'down')} to {_pct(row['high'], 'up')}"
    if row["measure"] == "contacts_per_journey":
        return (f"{row['estimate']:.2f}",
                f"{math.floor(row['low'] * 100) / 100:.2f} to {math.ceil(row['high'] * 100) / 100:.2f}")
    return duration_text(row["estimate"], row["low"], row["high"])


def measures_text(frame: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """:func:`measures` as a reader's table: ``[by], Measure, Figure, Range (95%), Journeys`` (the
    base, a count). A share whose count, or whose complement, would be 1 to 7 is shown as ``*``
    (:func:`cxinsight.publish.suppress_shares`); counts are suppressed by :func:`cxinsight.publish.table`."""
    from cxinsight.publish import gives_away
    from cxinsight.wording import label

    rows = []
    for r in frame.itertuples(index=False):
        row = r._asdict()
        small = row["measure"] in SHARES and bool(gives_away(row["k"], row["n"]))
        figure, interval = ("*", "*") if small else figure_text(pd.Series(row))
        out = {label(by): label(row[by])} if by else {}
        rows.append({**out, "Measure": row["name"], "Figure": figure, "Range (95%)": interval, "Journeys": row["n"]})
    return pd.DataFrame(rows, columns=[*([label(by)] if by else []), "Measure", "Figure", "Range (95%)", "Journeys"])


def how_followed(journeys: Journeys) -> str:
    """A paragraph saying how the contacts were followed into journeys, and what was left out."""
    from cxinsight.publish import count_text

    if not journeys.available:
        return ""
    parts = [f"{count_text(len(journeys.table))} journeys were followed from {count_text(journeys.contacts)} contacts, "
             f"by {journeys.basis}."]
    if "customer" in journeys.basis:
        parts.append(f"A contact with no case number joins its customer's journey about the same service when it came "
                     f"within {journeys.window_days:g} days of that journey's last contact; a new request starts a new "
                     "journey.")
    if journeys.unfollowed:
        parts.append(f"{count_text(journeys.unfollowed)} contacts carried neither a case number nor a customer number, "
                     "so they could not be followed and are left out (counting each as a journey of one would make "
                     "first-contact resolution look better than it is).")
    judged = int(journeys.table["judged"].sum())
    if 0 < judged < len(journeys.table):
        parts.append(f"The shares are measured on the {count_text(judged)} journeys that started at least "
                     f"{journeys.window_days:g} days after the export's first contact and before its last: the others "
                     "may have begun before the export or gone on after it.")
    if journeys.closed_before_start:
        parts.append(f"{count_text(journeys.closed_before_start)} journeys are recorded as closed before their first "
                     "contact; their end-to-end times are left out.")
    return " ".join(parts)


WIDE_COLUMNS = {"first_contact_resolution": "Resolved at the first contact", "contacts_per_journey": "Contacts per journey",
                "changed_channel": "Changed channel", "channel_hop": "Web, then phone, visit or chat",
                "complaint": "Ended in a complaint", "end_to_end_median_days": "End-to-end, median",
                "end_to_end_p85_days": "End-to-end, 85th percentile"}


def measures_wide(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """:func:`measures` ``by`` a group as one row per group: each measure's figure with its 95% range
    in brackets, and the judged journeys (the shares' base, a count). Suppressed shares show ``*``."""
    from cxinsight.wording import label

    text = measures_text(frame, by)
    if text.empty:
        return pd.DataFrame(columns=[label(by), *WIDE_COLUMNS.values(), "Journeys"])
    names = {MEASURES[m][0]: WIDE_COLUMNS[m] for m in MEASURES}
    cell = text["Figure"].where(text["Figure"].eq("*"), text["Figure"] + " (" + text["Range (95%)"] + ")")
    wide = (text.assign(cell=cell, column=text["Measure"].map(names))
            .pivot(index=label(by), columns="column", values="cell"))
    base = frame.loc[frame["measure"] == "contacts_per_journey"].assign(group=lambda d: d[by].map(label))
    wide = wide.reindex(columns=[c for c in WIDE_COLUMNS.values() if c in wide.columns]).fillna("")
    wide["Journeys"] = base.set_index("group")["n"].reindex(wide.index).to_numpy()
    return wide.reset_index()


def standing_out(frame: pd.DataFrame, overall: pd.DataFrame, measure: str, by: str, low_is_bad: bool = True) -> list[str]:
    """The groups whose whole 95% range for ``measure`` is on the bad side of the whole scope's figure
    (below it when ``low_is_bad``): the only groups a sentence may single out."""
    this = frame.loc[frame["measure"] == measure]
    ref = overall.loc[overall["measure"] == measure, "estimate"]
    if this.empty or ref.empty:
        return []
    ref = float(ref.iloc[0])
    picked = this.loc[this["high"] < ref] if low_is_bad else this.loc[this["low"] > ref]
    return picked.sort_values("estimate", ascending=low_is_bad)[by].astype("str").tolist()
