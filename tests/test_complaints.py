"""Working days for England and Wales, and complaint timeliness against the codes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxinsight.complaints import (
    EXTENSION_LIMIT,
    RESPONSE_LIMIT,
    WorkingDayCalendar,
    extract_date,
    timeliness,
    timeliness_summary,
)

CAL = WorkingDayCalendar(2019, 2027)


@pytest.mark.parametrize("start, end, expected, why", [
    ("2024-12-23", "2024-12-30", 3, "Christmas Day and Boxing Day 2024 (Wed, Thu)"),
    ("2020-12-24", "2020-12-31", 3, "Boxing Day 2020 is a Saturday: substitute Monday 28 December"),
    ("2021-12-24", "2021-12-31", 3, "Christmas 2021 on Saturday, Boxing Day Sunday: substitutes Mon 27 and Tue 28"),
    ("2022-12-23", "2022-12-30", 3, "Christmas 2022 on Sunday: substitute Tue 27 December (Boxing Day Mon 26)"),
    ("2024-03-28", "2024-04-02", 1, "Good Friday 29 March and Easter Monday 1 April 2024"),
    ("2025-04-17", "2025-04-24", 3, "Good Friday 18 April and Easter Monday 21 April 2025"),
    ("2024-05-03", "2024-05-10", 4, "early May bank holiday, Monday 6 May 2024"),
    ("2024-05-24", "2024-05-31", 4, "spring (late May) bank holiday, Monday 27 May 2024"),
    ("2020-05-07", "2020-05-11", 1, "early May 2020 moved to Friday 8 May (VE Day)"),
    ("2027-12-24", "2027-12-31", 3, "Christmas 2027 on Saturday, Boxing Day Sunday: substitutes 27 and 28"),
    ("2024-06-01", "2024-06-07", 4, "received on a Saturday counts as received Monday: Tue to Fri"),
])
def test_working_days_across_bank_holidays(start, end, expected, why):
    assert CAL.count(start, end) == expected, why


def test_adding_working_days_skips_weekends_and_holidays():
    assert CAL.add("2024-12-23", 3) == pd.Timestamp("2024-12-30")
    assert CAL.add("2024-03-28", 1) == pd.Timestamp("2024-04-02")
    assert not CAL.is_working_day(["2024-08-26"])[0]  # summer bank holiday (England and Wales)


def test_vectorised_with_missing_dates():
    out = CAL.count(pd.Series(pd.to_datetime(["2024-12-23", None])), pd.Series(pd.to_datetime(["2024-12-30", "2024-12-30"])))
    assert out.tolist() == [3, -1]


def test_timeliness_limits_and_extensions_by_hand():
    c = pd.DataFrame({
        "stage": [1, 1, 2, 1],
        "received_on": pd.to_datetime(["2024-06-03", "2024-06-03", "2024-06-03", "2024-06-03"]),
        "acknowledged_on": pd.to_datetime(["2024-06-10", "2024-06-11", "2024-06-05", "2024-06-04"]),
        "responded_on": pd.to_datetime(["2024-06-24", "2024-07-08", "2024-07-03", None]),
        "extension": [False, True, False, False],
    })
    t = timeliness(c, CAL, as_of="2024-06-12")  # the open one is 6 working days in: pending
    assert t["ack_working_days"].tolist() == [5, 6, 2, 1]
    assert t["ack_on_time"].tolist() == [True, False, True, True]
    assert t["response_working_days"].tolist() == [10, 19, 20, -1]
    assert t["response_limit"].tolist() == [10, 20, 20, 10]
    assert t["response_on_time"].tolist()[:3] == [True, True, True] and pd.isna(t["response_on_time"].iloc[3])
    s = timeliness_summary(t).set_index(["stage", "measure"])
    assert s.loc[(1, "responded within the code's limit"), "base"] == 2
    # Taken at its latest date (8 July), the open one is 24 working days in: overdue, so late.
    late = timeliness(c, CAL)
    assert late["overdue"].tolist() == [False, False, False, True] and late["response_on_time"].iloc[3] == False  # noqa: E712
    s = timeliness_summary(late).set_index(["stage", "measure"])
    assert s.loc[(1, "responded within the code's limit"), ["on_time", "base", "overdue_open"]].tolist() == [2, 3, 1]


def test_a_missing_acknowledgement_is_never_on_time():
    c = pd.DataFrame({"stage": [1, 1], "received_on": pd.to_datetime(["2024-06-03", "2024-06-03"]),
                      "acknowledged_on": pd.to_datetime([None, None]),
                      "responded_on": pd.to_datetime(["2024-06-14", None]), "extension": [False, False]})
    t = timeliness(c, CAL, as_of="2024-06-14")
    assert t["ack_on_time"].tolist() == [False, False]  # 9 working days after receipt, never acknowledged
    # The response clock starts when the acknowledgement was due (10 June): 4 working days to 14 June.
    assert t["response_working_days"].tolist() == [4, -1] and t["response_on_time"].iloc[0] == True  # noqa: E712
    early = timeliness(c, CAL, as_of="2024-06-05")
    assert pd.isna(early["ack_on_time"].iloc[1])  # 2 working days in: not late yet, not on time either


def test_demo_timeliness_equals_the_answer_key_exactly(demo):
    timed = timeliness(demo["result"].tables["complaints"])
    truth = demo["key"]["complaints_truth"].set_index(["complaint_id", "stage"])
    key = list(zip(timed["complaint_id"], timed["stage"].astype(int), strict=True))
    expected = truth.loc[key]
    assert len(timed) > 200
    assert np.array_equal(timed["ack_working_days"].to_numpy(), expected["ack_working_days"].to_numpy())
    assert np.array_equal(timed["response_working_days"].to_numpy(), expected["response_working_days"].to_numpy())
    # On time or late, open complaints included: from the answer key's own dates and working days.
    as_of = extract_date(demo["result"].tables["complaints"])
    cal = WorkingDayCalendar(2023, 2026)
    limit = expected["response_working_days"].index.get_level_values("stage").map(RESPONSE_LIMIT).to_numpy() + \
        np.where(expected["extension"].to_numpy(), expected.index.get_level_values("stage").map(EXTENSION_LIMIT), 0)
    still_open = expected["response_working_days"].to_numpy() < 0
    so_far = cal.count(pd.Series(expected["acknowledged"].to_numpy()), pd.Series(as_of, index=range(len(expected))))
    truly_late = np.where(still_open, so_far > limit, expected["response_working_days"].to_numpy() > limit)
    pending = still_open & ~truly_late
    got = timed["response_on_time"]
    assert still_open.sum() > 5 and pending.sum() == 0  # the demo's open complaints are all past their limit
    assert np.array_equal(got.isna().to_numpy(), pending)
    assert np.array_equal(~got.to_numpy(dtype=bool, na_value=True), truly_late)
    assert np.array_equal(timed["overdue"].to_numpy(), still_open & truly_late)
    truth_ack = expected["ack_working_days"].to_numpy() <= 5
    assert np.array_equal(timed["ack_on_time"].to_numpy(dtype=bool), truth_ack)
