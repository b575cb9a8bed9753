"""Journeys on real public exports with a request number and a closed date (issue 30's acceptance).

NYC 311 (two layouts), Los Angeles MyLA311 (two extracts) and San Francisco 311 each carry a request
number (``case_id`` in their profiles) and the date the request was closed (``closed_at``). Each goes
through the pipeline into journeys; the journeys and their end-to-end times are checked against a
count made apart from cxinsight: DuckDB reading the raw files itself (its own CSV reader and date
parsing), and plain pandas for each request's time.

Each row of a 311 export is one request, so every journey is one contact: end-to-end times are
given; first-contact resolution and contacts per journey are not, and say what would unlock them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from cxinsight import journeys
from cxinsight.availability import unlock
from cxinsight.pipeline import build_processed

REAL = Path(__file__).parent / "data" / "real"
#: fixture -> (files, request number, created, closed, DuckDB's reading of a date)
EXPORTS = {
    "nyc311": (["nyc311_2022-05-01.csv"], "Unique Key", "Created Date", "Closed Date",
               "strptime({}, '%m/%d/%Y %I:%M:%S %p')"),
    "nyc311_2024": (["nyc311_2024-05-26_27.csv"], "unique_key", "created_date", "closed_date",
                    "strptime({}, '%Y-%m-%dT%H:%M:%S.%g')"),
    "la311_two_extracts": (["myla311_2017_subset_first3000.csv", "myla311_2018_mini_first3000.csv"], "SRNumber",
                           "CreatedDate", "ClosedDate", "strptime({}, '%m/%d/%Y %I:%M:%S %p')"),
    # a UTC offset on every date: the elapsed time is the same in any zone
    "sf311_closing_notes": (["sf311_service_requests.csv.gz"], "unique_key", "created_date", "closed_date",
                            "CAST({} AS TIMESTAMPTZ)"),
}


def duckdb_times(name: str) -> pd.DataFrame:
    """Each request's number and end-to-end days (missing while open), read and computed by DuckDB."""
    files, key, created, closed, parse = EXPORTS[name]
    paths = ", ".join(f"'{(REAL / name / f).as_posix()}'" for f in files)
    q = f"""
        SELECT CAST("{key}" AS VARCHAR) AS request,
               (epoch({parse.format(f'"{closed}"')}) - epoch({parse.format(f'"{created}"')})) / 86400.0 AS days
        FROM read_csv([{paths}], all_varchar = true, header = true)
    """
    return duckdb.sql(q).df()


@pytest.fixture(scope="module", params=list(EXPORTS))
def export(request, tmp_path_factory):
    name = request.param
    result = build_processed(REAL / name / "sources.yaml", tmp_path_factory.mktemp(name))
    assert result.quarantine.empty, "every request kept, so the counts below compare like with like"
    contacts = result.tables["contacts"]
    return name, contacts, journeys.follow(contacts)


def test_every_request_is_one_journey(export):
    name, contacts, found = export
    times = duckdb_times(name)
    assert len(found.table) == times["request"].nunique() == len(times)
    assert (found.table["contacts"] == 1).all() and found.basis == "case numbers" and found.unfollowed == 0
    assert found.one_row_per_case


def test_end_to_end_times_agree_with_duckdb(export):
    name, contacts, found = export
    times = duckdb_times(name)
    closed = times["days"].dropna()
    # requests closed, and closed before they were opened (left out of the times, and counted)
    assert found.table["end_to_end_days"].notna().sum() == (closed >= 0).sum()
    assert found.closed_before_start == (closed < 0).sum()
    m = journeys.measures(found).set_index("measure")
    ok = closed.loc[closed >= 0]
    tolerance = 1 / 24 + 1e-9 if name.startswith("sf") else 1e-6  # SF: UK clock changes, see below
    assert m.loc["end_to_end_median_days", "estimate"] == pytest.approx(ok.quantile(0.5), abs=tolerance)
    assert m.loc["end_to_end_p85_days", "estimate"] == pytest.approx(ok.quantile(0.85), abs=tolerance)
    assert m.loc["end_to_end_median_days", "n"] == len(ok)


def test_each_requests_time_agrees_with_pandas(export):
    """Request by request, with the raw file read by pandas. San Francisco's dates carry a UTC offset and
    the pipeline keeps UK local time, as everywhere in cxinsight: a request opened and closed either side of
    a UK clock change is an hour longer or shorter on the local clock. Those, and only those, differ."""
    name, contacts, found = export
    files, key, created, closed, _ = EXPORTS[name]
    raw = pd.concat([pd.read_csv(REAL / name / f, dtype=str, keep_default_na=False) for f in files], ignore_index=True)
    utc = name.startswith("sf")
    opened_at = pd.to_datetime(raw[created], utc=utc, format="mixed" if not utc else "ISO8601")
    closed_at = pd.to_datetime(raw[closed].replace("", None), utc=utc, format="mixed" if not utc else "ISO8601")
    expected = pd.Series(((closed_at - opened_at) / pd.Timedelta(days=1)).to_numpy(), index=raw[key].str.strip())
    linked = contacts.join(journeys.link(contacts))
    request_of = linked.set_index("journey")["case_id"]
    got = found.table.set_index(found.table["journey"].map(request_of))["end_to_end_days"]
    both = pd.DataFrame({"got": got, "expected": expected.reindex(got.index)})
    both = both.loc[both["expected"] >= 0]
    difference = (both["got"] - both["expected"]).abs()
    if utc:
        def offset(when: pd.Series) -> np.ndarray:  # the UK clock's offset from UTC at each moment
            return (when.dt.tz_convert("Europe/London").dt.tz_localize(None) - when.dt.tz_localize(None)).to_numpy()

        local = pd.DataFrame({"opened": offset(opened_at), "closed": offset(closed_at)},
                             index=raw[key].str.strip()).reindex(both.index)
        straddles = (local["opened"] != local["closed"]).to_numpy()
        assert (difference[~straddles] < 1e-6).all()
        assert np.allclose(difference[straddles], 1 / 24, atol=1e-6)
        assert straddles.sum() > 0
    else:
        assert (difference < 1e-6).all()


def test_what_a_list_of_requests_cannot_give_says_what_would_unlock_it(export):
    _, _, found = export
    for measure in ("first_contact_resolution", "contacts_per_journey", "changed_channel", "channel_hop"):
        assert unlock("contacts.case_history") in found.missing[measure]
    assert "end_to_end_median_days" not in found.missing
