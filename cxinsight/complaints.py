"""Complaints against the Housing Ombudsman and LGSCO complaint handling codes (domain.md s.4).

Both codes share the timescales: acknowledge within 5 working days of receipt; stage 1 response
within 10 working days of acknowledgement (an extension of at most 10 more); stage 2 response
within 20 working days of acknowledgement (an extension of at most 20 more). Working days exclude
weekends and the England and Wales bank holidays, including substitute days, taken from the
maintained ``holidays`` library rather than a hand list.

A count of working days runs from the day after the start to the end day inclusive ("within 5
working days" of a Monday receipt means by the following Monday), which is what
:func:`numpy.busday_count` gives from a working-day start.

>>> cal = WorkingDayCalendar(2024, 2025)
>>> cal.count("2024-12-23", "2024-12-30")  # Christmas Day and Boxing Day are not working days
3
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

ACK_LIMIT = 5
RESPONSE_LIMIT = {1: 10, 2: 20}
EXTENSION_LIMIT = {1: 10, 2: 20}


@dataclass
class WorkingDayCalendar:
    """England and Wales working days between ``first_year`` and ``last_year`` inclusive."""

    first_year: int
    last_year: int

    def __post_init__(self) -> None:
        import holidays

        cal = holidays.country_holidays("GB", subdiv="ENG", years=range(self.first_year, self.last_year + 1))
        self.holidays = np.array(sorted(cal), dtype="datetime64[D]")
        self.names = {np.datetime64(d, "D"): name for d, name in cal.items()}

    @classmethod
    def covering(cls, *dates: pd.Series) -> WorkingDayCalendar:
        """A calendar spanning every date given (plus a year either side for extensions)."""
        years = [int(pd.Series(d).dt.year.min()) for d in dates if pd.Series(d).notna().any()]
        years += [int(pd.Series(d).dt.year.max()) for d in dates if pd.Series(d).notna().any()]
        if not years:  # no dates at all (a service with no complaints): this year's calendar
            years = [pd.Timestamp.now().year]
        return cls(min(years) - 1, max(years) + 1)

    def is_working_day(self, dates) -> np.ndarray:
        d = np.asarray(pd.to_datetime(pd.Series(dates)).to_numpy(), dtype="datetime64[D]")
        return np.is_busday(d, holidays=self.holidays)

    def count(self, start, end) -> np.ndarray | int:
        """Working days after ``start`` up to and including ``end`` (vectorised; missing -> -1).

        A start on a weekend or bank holiday counts as the next working day, as complaint handlers
        log a complaint that arrives when the office is shut.
        """
        scalar = isinstance(start, str | pd.Timestamp) or np.isscalar(start)
        s = pd.to_datetime(pd.Series([start] if scalar else start)).to_numpy().astype("datetime64[D]")
        e = pd.to_datetime(pd.Series([end] if scalar else end)).to_numpy().astype("datetime64[D]")
        missing = np.isnat(s) | np.isnat(e)
        filler = np.datetime64("2000-01-03")
        s, e = np.where(missing, filler, s), np.where(missing, filler, e)
        first = np.busday_offset(s, 0, roll="forward", holidays=self.holidays)
        one = np.timedelta64(1, "D")
        n = np.where(e >= first, np.busday_count(first + one, e + one, holidays=self.holidays), 0)
        n = np.where(missing, -1, n)
        return int(n[0]) if scalar else n

    def add(self, start, days: int):
        """The date ``days`` working days after ``start``."""
        s = np.datetime64(pd.Timestamp(start).date(), "D")
        return pd.Timestamp(np.busday_offset(np.busday_offset(s, 0, roll="forward", holidays=self.holidays), days,
                                             holidays=self.holidays))


#: The optional dates a register may record, each unlocking one timeliness measure.
DATES = ("acknowledged_on", "responded_on")


def supplied_dates(complaints: pd.DataFrame) -> tuple[str, ...]:
    """Which of :data:`DATES` the register records: a column with at least one date (as
    :func:`cxinsight.availability.supplied` decides for a page). Pass the whole register's to
    :func:`timeliness` for one service, so a service whose complaints were never acknowledged is
    late, not unmeasured.

    >>> supplied_dates(pd.DataFrame({"received_on": [1], "responded_on": [None]}))
    ()
    """
    return tuple(c for c in DATES if c in complaints and complaints[c].notna().any())


def extract_date(complaints: pd.DataFrame) -> pd.Timestamp:
    """The date the export was taken, as far as the data shows: its latest date."""
    cols = [c for c in ("received_on", "acknowledged_on", "responded_on") if c in complaints]
    return pd.to_datetime(complaints[cols].stack(), errors="coerce").max().normalize()


def timeliness(complaints: pd.DataFrame, calendar: WorkingDayCalendar | None = None,
               as_of: str | pd.Timestamp | None = None, dates: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Working days to acknowledge and respond, the limit that applied, and whether each was met
    by ``as_of``, the date the export was taken (default: its latest date, :func:`extract_date`).

    ``dates``: which of :data:`DATES` the register records (default: the columns present; see
    :func:`supplied_dates`). Only what they measure is added:

    - with ``acknowledged_on``: ``ack_working_days`` (-1 when not acknowledged) and ``ack_on_time``;
    - with ``responded_on``: ``response_working_days`` (-1 while open), ``response_limit`` (10 or
      20, plus the extension where one was agreed), ``response_on_time``, ``open`` and ``overdue``.

    What counts as late follows the codes:

    - an open complaint past its response limit at ``as_of`` is late (``overdue``), not left out;
      one still inside its limit is pending (``response_on_time`` missing);
    - a complaint with no acknowledgement date is never on time: late once 5 working days have
      passed, pending before; its response clock starts 5 working days after receipt, the latest
      the acknowledgement was due. A register that records no acknowledgement dates at all starts
      every response clock there (the latest the codes allow), and acknowledgement is not measured.

    >>> c = pd.DataFrame({"stage": [1, 1], "received_on": pd.to_datetime(["2024-06-03", "2024-06-03"]),
    ...                   "acknowledged_on": pd.to_datetime(["2024-06-04", None]),
    ...                   "responded_on": pd.to_datetime([None, None])})
    >>> t = timeliness(c, WorkingDayCalendar(2024, 2024), as_of="2024-07-01")
    >>> t[["ack_on_time", "response_on_time", "overdue"]].astype(object).values.tolist()
    [[True, False, True], [False, False, True]]
    >>> "ack_on_time" in timeliness(c.drop(columns="acknowledged_on"), WorkingDayCalendar(2024, 2024))
    False
    """
    dates = tuple(c for c in DATES if c in complaints) if dates is None else tuple(dates)
    missing = [c for c in dates if c not in complaints]
    if missing:
        raise KeyError(f"the complaints have no column {missing[0]!r}, though it was said to be supplied")
    if not dates:  # nothing to time: a register of receipts only
        return complaints
    index = complaints.index
    none = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    received = pd.to_datetime(complaints["received_on"])
    acked = pd.to_datetime(complaints["acknowledged_on"]) if "acknowledged_on" in dates else none
    responded = pd.to_datetime(complaints["responded_on"]) if "responded_on" in dates else none
    cal = calendar or WorkingDayCalendar.covering(received, acked, responded)
    as_of = pd.Timestamp(as_of).normalize() if as_of is not None else extract_date(complaints)
    out = {}
    no_ack = acked.isna().to_numpy()
    if "acknowledged_on" in dates:
        ack_days = cal.count(received, acked)
        ack_so_far = cal.count(received, pd.Series(as_of, index=index))
        out["ack_working_days"] = ack_days
        out["ack_on_time"] = pd.array(np.where(no_ack, np.where(ack_so_far > ACK_LIMIT, False, pd.NA),
                                               ack_days <= ACK_LIMIT), dtype="boolean")
    if "responded_on" in dates:
        stage = complaints["stage"].astype(int)
        # The response clock runs from the acknowledgement, or from when it was due if there was none.
        due_ack = pd.Series([cal.add(r, ACK_LIMIT) if pd.notna(r) else pd.NaT for r in received.where(no_ack)],
                            index=index) if no_ack.any() else none
        clock = acked.where(~no_ack, due_ack)
        resp_days = cal.count(clock, responded)
        extension = complaints["extension"].fillna(False).astype(bool) if "extension" in complaints else False
        limit = (stage.map(RESPONSE_LIMIT) + np.where(extension, stage.map(EXTENSION_LIMIT), 0)).to_numpy()
        is_open = responded.isna().to_numpy()
        so_far = cal.count(clock, pd.Series(as_of, index=index))
        overdue = is_open & (so_far > limit)
        out.update(response_working_days=np.where(is_open, -1, resp_days), response_limit=limit,
                   response_on_time=pd.array(np.where(is_open, np.where(overdue, False, pd.NA), resp_days <= limit),
                                             dtype="boolean"),
                   open=is_open, overdue=overdue)
    return complaints.assign(**out)


def timeliness_summary(timed: pd.DataFrame, by: str | None = "stage") -> pd.DataFrame:
    """On-time shares with Wilson intervals and bases, overall or by ``by``.

    The base is every complaint whose deadline has passed: answered ones, open ones past their
    limit (late) and unacknowledged ones past 5 working days (late). Pending ones are left out.
    Only the measures ``timed`` has (:func:`timeliness`) are given: none for a register without
    acknowledgement or response dates.
    """
    from cxinsight.stats import wilson

    measures = [(m, c) for m, c in (("acknowledged within 5 working days", "ack_on_time"),
                                    ("responded within the code's limit", "response_on_time")) if c in timed]
    groups = timed.groupby(by) if by and measures else [("all", timed)] if measures else []
    rows = []
    for key, g in groups:
        for measure, col in measures:
            known = g[col].notna()
            k, n = int(g.loc[known, col].astype(bool).sum()), int(known.sum())
            p, lo, hi = wilson(k, n) if n else (np.nan, np.nan, np.nan)
            rows.append({by or "group": key, "measure": measure, "on_time": k, "base": n, "share": p, "low": lo,
                         "high": hi, "overdue_open": int(g["overdue"].sum()) if col == "response_on_time" else 0})
    return pd.DataFrame(rows, columns=[by or "group", "measure", "on_time", "base", "share", "low", "high",
                                       "overdue_open"])


UPHELD = ("upheld", "partially upheld")
NOT_UPHELD = ("not upheld",)


def volumes(complaints: pd.DataFrame, by: str = "service") -> pd.DataFrame:
    """Complaints by ``by`` and stage: one row per group, a column per stage (``stage 1``,
    ``stage 2``) and ``total``, largest first. Needs only the fields every register has.

    >>> volumes(pd.DataFrame({"service": ["a", "a", "b"], "stage": [1, 2, 1]}))
      service  stage 1  stage 2  total
    0       a        1        1      2
    1       b        1        0      1
    """
    if complaints.empty:
        return pd.DataFrame(columns=[by, "total"])
    table = pd.crosstab(complaints[by].astype(str), complaints["stage"].astype(int))
    table.columns = [f"stage {s}" for s in table.columns]
    table = table.assign(total=table.sum(axis=1)).sort_values("total", ascending=False, kind="stable")
    return table.rename_axis(by).reset_index().rename_axis(columns=None)


def records_upheld(complaints: pd.DataFrame) -> bool:
    """Whether the outcomes say if a complaint was upheld (``Upheld``, ``Partially upheld``, ``Not
    upheld``, in any case): an outcome field of another vocabulary ("Closed with explanation") gives
    no upheld rate, rather than a rate of 0%.

    >>> records_upheld(pd.DataFrame({"outcome": ["Closed with explanation", None]}))
    False
    """
    if "outcome" not in complaints:
        return False
    said = complaints["outcome"].dropna().astype(str).str.strip().str.lower()
    return bool(said.isin(UPHELD + NOT_UPHELD).any())


def escalation_rate(complaints: pd.DataFrame) -> pd.Series:
    """Share of stage 1 complaints that went to stage 2, Wilson 95% interval."""
    from cxinsight.stats import wilson

    stage1 = set(complaints.loc[complaints["stage"].astype(int) == 1, "complaint_id"])
    stage2 = set(complaints.loc[complaints["stage"].astype(int) == 2, "complaint_id"])
    k, n = len(stage1 & stage2), len(stage1)
    p, lo, hi = wilson(k, n) if n else (np.nan,) * 3
    return pd.Series({"estimate": p, "low": lo, "high": hi, "escalated": k, "n": n})


def upheld_rate(complaints: pd.DataFrame, by: str | None = "stage") -> pd.DataFrame:
    """Share of answered complaints upheld in full or in part, by ``by``, Wilson 95% intervals."""
    from cxinsight.stats import wilson

    answered = complaints.loc[complaints["outcome"].notna() & (complaints["outcome"].astype(str).str.lower() != "withdrawn")]
    upheld = answered["outcome"].astype(str).str.lower().isin(UPHELD)
    g = upheld.groupby(answered[by] if by else pd.Series("all", index=answered.index))
    k, n = g.sum(), g.size()
    p, lo, hi = wilson(k.to_numpy(float), n.to_numpy(float))
    return pd.DataFrame({by or "group": k.index, "upheld": k.to_numpy(), "answered": n.to_numpy(), "estimate": p,
                         "low": lo, "high": hi})


def complaints_per_1000_contacts(complaints: pd.DataFrame, contacts: pd.DataFrame, by: str = "service") -> pd.DataFrame:
    """Stage 1 complaints per 1,000 contacts, with exact (Garwood) Poisson 95% intervals."""
    from scipy.stats import chi2

    stage1 = complaints.loc[complaints["stage"].astype(int) == 1]
    k = stage1.groupby(stage1[by].astype(str)).size()
    n = contacts.groupby(contacts[by].astype(str)).size()
    frame = pd.DataFrame({"complaints": k, "contacts": n}).fillna(0)
    kk = frame["complaints"].to_numpy(float)
    lo = np.where(kk > 0, chi2.ppf(0.025, 2 * kk) / 2, 0.0)
    hi = chi2.ppf(0.975, 2 * (kk + 1)) / 2
    per = 1000 / frame["contacts"].replace(0, np.nan)
    return frame.assign(rate=kk * per, low=lo * per, high=hi * per).reset_index(names=by)


def summary_topics(complaints: pd.DataFrame, by: str = "category", top: int = 5, min_df: int = 3) -> pd.DataFrame:
    """The most characteristic words and phrases of each group's (redacted) summaries: mean TF-IDF in
    the group minus its mean over all complaints, so words every complaint uses ("customer", "says")
    drop out and what marks the group stays. No rows when there are too few summaries (or words used
    by ``min_df`` of them) to find any."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    empty = pd.DataFrame(columns=[by, "complaints", "topics"])
    if "summary" not in complaints or by not in complaints or len(complaints) < min_df:
        return empty
    text = complaints["summary"].astype("str").fillna("").str.replace(r"\[[A-Z_]+\]", " ", regex=True)
    vec = TfidfVectorizer(ngram_range=(1, 2), stop_words="english", min_df=min_df, token_pattern=r"(?u)\b[a-zA-Z]{3,}\b")
    try:
        matrix = vec.fit_transform(text)
    except ValueError:  # "empty vocabulary" / "no terms remain": no word is used often enough
        return empty
    terms = np.array(vec.get_feature_names_out())
    overall = np.asarray(matrix.mean(axis=0)).ravel()
    rows = []
    for key, idx in complaints.reset_index(drop=True).groupby(by, observed=True).indices.items():
        weights = np.asarray(matrix[idx].mean(axis=0)).ravel() - overall
        best = terms[np.argsort(weights)[::-1][:top]]
        rows.append({by: key, "complaints": len(idx), "topics": ", ".join(best)})
    return pd.DataFrame(rows).sort_values("complaints", ascending=False).reset_index(drop=True)


CODE_SECTIONS = {
    "a": "Self-assessment against the complaint handling code",
    "b": "Quantitative and qualitative analysis of complaint handling (including complaints refused)",
    "c": "Findings of non-compliance with the code",
    "d": "Service improvements made as a result of learning from complaints",
    "e": "The Ombudsman's annual letter",
    "f": "Other relevant reports or publications by the Ombudsman",
}


def annual_report_sections(timed: pd.DataFrame) -> pd.DataFrame:
    """The code's required sections, with what the data can supply for each (the rest is for the
    council to write): volumes, outcomes and timeliness for (b); late handling for (c), from the
    measures ``timed`` has (:func:`timeliness`), the rest named as not in the data."""
    from cxinsight import availability
    from cxinsight.phrasing import count_said as said  # rounded to 5, 1-7 as "fewer than 8"

    late = []
    if "ack_on_time" in timed:
        late.append(f"{said(int((timed['ack_on_time'] == False).sum()))} acknowledgements later than 5 working days "  # noqa: E712
                    "(or never made)")
    if "response_on_time" in timed:
        late_resp = int(((timed["response_on_time"] == False) & ~timed["open"]).sum())  # noqa: E712 (nullable)
        overdue = int(timed["overdue"].sum())
        still_open = int((timed["open"] & ~timed["overdue"]).sum())
        late.append(f"{said(late_resp)} responses later than the code allows (with agreed extensions); {said(overdue)} "
                    f"still open past their limit at the extract date (overdue); {said(still_open)} open and still within it")
    unmeasured = [availability.unlock(f"complaints.{c}") for c, col in
                  (("acknowledged_on", "ack_on_time"), ("responded_on", "response_on_time")) if col not in timed]
    stages = timed["stage"].astype(int)
    data = {
        "a": "Narrative: the council's self-assessment (not in the data).",
        "b": (f"{said(int((stages == 1).sum()))} stage 1 and {said(int((stages == 2).sum()))} "
              f"stage 2 complaints; outcomes and themes in the tables of this report."),
        "c": "; ".join(late) + "." + (" " if late and unmeasured else "") + " ".join(unmeasured),
        "d": "Narrative: improvements made from learning (not in the data).",
        "e": "Attach the Ombudsman's annual letter.",
        "f": "List other relevant Ombudsman reports.",
    }
    if not late:
        data["c"] = "Not measurable from the data. " + " ".join(unmeasured)
    return pd.DataFrame({"section": list(CODE_SECTIONS), "requirement": list(CODE_SECTIONS.values()),
                         "from_the_data": [data[k] for k in CODE_SECTIONS]})
