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


def timeliness(complaints: pd.DataFrame, calendar: WorkingDayCalendar | None = None) -> pd.DataFrame:
    """Working days to acknowledge and respond, the limit that applied, and whether each was met.

    Adds ``ack_working_days``, ``ack_on_time``, ``response_working_days`` (-1 while open),
    ``response_limit`` (10 or 20, plus the extension where one was agreed), ``response_on_time``
    (missing while open) and ``open``.
    """
    cal = calendar or WorkingDayCalendar.covering(complaints["received_on"], complaints["acknowledged_on"],
                                                  complaints["responded_on"])
    stage = complaints["stage"].astype(int)
    ack_days = cal.count(complaints["received_on"], complaints["acknowledged_on"])
    resp_days = cal.count(complaints["acknowledged_on"], complaints["responded_on"])
    extension = complaints["extension"].fillna(False).astype(bool) if "extension" in complaints else False
    limit = stage.map(RESPONSE_LIMIT) + np.where(extension, stage.map(EXTENSION_LIMIT), 0)
    is_open = complaints["responded_on"].isna().to_numpy()
    return complaints.assign(
        ack_working_days=ack_days, ack_on_time=(ack_days >= 0) & (ack_days <= ACK_LIMIT),
        response_working_days=resp_days, response_limit=limit.to_numpy(),
        response_on_time=pd.array(np.where(is_open, pd.NA, resp_days <= limit.to_numpy()), dtype="boolean"),
        open=is_open,
    )


def timeliness_summary(timed: pd.DataFrame, by: str | None = "stage") -> pd.DataFrame:
    """On-time shares with Wilson intervals and bases, overall or by ``by``."""
    from cxinsight.demand.measures import wilson

    groups = timed.groupby(by) if by else [("all", timed)]
    rows = []
    for key, g in groups:
        for measure, col, base in (("acknowledged within 5 working days", "ack_on_time", g["ack_working_days"] >= 0),
                                   ("responded within the code's limit", "response_on_time", ~g["open"])):
            k, n = int(g.loc[base, col].astype(bool).sum()), int(base.sum())
            p, lo, hi = wilson(k, n) if n else (np.nan, np.nan, np.nan)
            rows.append({by or "group": key, "measure": measure, "on_time": k, "base": n, "share": p, "low": lo,
                         "high": hi})
    return pd.DataFrame(rows)
