"""Journeys (issue 30): contacts followed into journeys, their measures and what a reader sees.

Unit tests of each rule against hand-made contacts and against a plain Python reference that walks
the contacts one by one (hypothesis); the intervals; what is not available and what would unlock it;
the template's disclosure control. The demo's answer key and the real 311 exports are in
``test_journeys_answer_key.py``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxinsight import journeys
from cxinsight.availability import unlock


def frame(rows, **extra) -> pd.DataFrame:
    """Contacts from ``(customer, service, channel, when[, case])`` tuples."""
    cols = ["customer_id", "service", "channel", "received_at", "case_id"][:len(rows[0])]
    out = pd.DataFrame(rows, columns=cols).assign(received_at=lambda d: pd.to_datetime(d["received_at"], format="mixed"))
    out.insert(0, "contact_id", [f"c{i}" for i in range(len(out))])
    return out.assign(**extra)


# ---- linking -----------------------------------------------------------------------------------------


def test_the_window_is_a_gap_from_the_previous_contact_and_inclusive():
    c = frame([("1", "waste", "web", "2024-01-01 00:00"), ("1", "waste", "phone", "2024-01-29 00:00"),
               ("1", "waste", "phone", "2024-02-26 00:00:01"), ("1", "parking", "phone", "2024-01-02")])
    linked = journeys.link(c, window_days=28)
    # 28 days exactly joins; a second more starts a new journey; another service is another journey
    assert linked["journey"].tolist() == [0, 0, 2, 1]
    assert linked["journey_step"].tolist() == [0, 1, 0, 0]


def test_case_numbers_group_whatever_the_gap_and_uncased_contacts_join_the_latest_journey():
    c = frame([("1", "tax", "web", "2024-01-01", "A"), ("1", "tax", "phone", "2024-06-01", "A"),
               ("1", "tax", "phone", "2024-06-03", None), ("1", "tax", "phone", "2024-06-04", "B"),
               (None, "tax", "email", "2024-06-05", "B"), (None, "tax", "email", "2024-06-06", None)])
    linked = journeys.link(c)
    assert linked["journey"].tolist() == [0, 0, 0, 1, 1, -1]
    assert linked["journey_step"].tolist() == [0, 1, 2, 0, 1, -1]


def test_value_demand_starts_a_new_journey_once_classified():
    c = frame([("1", "tax", "phone", "2024-01-01"), ("1", "tax", "phone", "2024-01-10"),
               ("1", "tax", "phone", "2024-01-12")], demand=["value", "value", "failure"])
    assert journeys.link(c)["journey"].tolist() == [0, 1, 1]
    assert journeys.link(c, split_on_value=False)["journey"].tolist() == [0, 0, 0]


def test_link_keeps_the_index_and_numbers_journeys_by_their_first_contact():
    c = frame([("2", "tax", "phone", "2024-03-01"), ("1", "tax", "phone", "2024-01-01"),
               ("1", "tax", "web", "2024-01-02")]).set_axis([10, 20, 30])
    linked = journeys.link(c)
    assert linked.index.tolist() == [10, 20, 30]
    assert linked["journey"].tolist() == [1, 0, 0]
    with pytest.raises(ValueError, match="window_days"):
        journeys.link(c, window_days=0)


def reference_link(c: pd.DataFrame, window: float) -> list[frozenset]:
    """The journeys (as sets of row positions) by walking the contacts one at a time, as a person would:
    a case number is a journey; a contact with none joins its customer's latest contact about the same
    service if it came within the window (that contact's journey), else starts one."""
    journey_of: dict[int, object] = {}
    last: dict[tuple, tuple] = {}  # (customer, service) -> (time, journey key)
    order = sorted(range(len(c)), key=lambda i: (c["received_at"].iloc[i], i))
    by_customer = sorted(order, key=lambda i: (str(c["customer_id"].iloc[i]), str(c["service"].iloc[i]),
                                               c["received_at"].iloc[i], i))
    for i in by_customer:
        case, cust = c["case_id"].iloc[i], c["customer_id"].iloc[i]
        key = ("case", case) if pd.notna(case) else None
        if pd.isna(cust):
            if key is not None:
                journey_of[i] = key
            continue
        group = (cust, c["service"].iloc[i])
        t = c["received_at"].iloc[i]
        if key is None:
            before = last.get(group)
            key = before[1] if before is not None and (t - before[0]) / pd.Timedelta(days=1) <= window else ("new", i)
        journey_of[i] = key
        last[group] = (t, key)
    groups: dict[object, set] = {}
    for i, key in journey_of.items():
        groups.setdefault(key, set()).add(i)
    return sorted((frozenset(g) for g in groups.values()), key=min)


contact_rows = st.lists(st.tuples(st.sampled_from(["1", "2", None]), st.sampled_from(["tax", "waste"]),
                                  st.sampled_from(["web", "phone"]), st.integers(0, 120),
                                  st.sampled_from(["A", "B", None, None, None])), min_size=1, max_size=25)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contact_rows, st.sampled_from([7.0, 28.0]))
def test_link_agrees_with_walking_the_contacts_one_by_one(rows, window):
    c = pd.DataFrame(rows, columns=["customer_id", "service", "channel", "day", "case_id"])
    c["received_at"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(c["day"], unit="D")
    linked = journeys.link(c, window_days=window)
    got: dict[int, set] = {}
    for i, j in enumerate(linked["journey"]):
        if j >= 0:
            got.setdefault(int(j), set()).add(i)
    assert sorted((frozenset(g) for g in got.values()), key=min) == reference_link(c, window)
    # steps count from 0 in time order inside each journey
    for members in got.values():
        ordered = sorted(members, key=lambda i: (c["received_at"].iloc[i], i))
        assert [int(linked["journey_step"].iloc[i]) for i in ordered] == list(range(len(ordered)))


# ---- one row per journey -----------------------------------------------------------------------------


def classified(rows, demand, failure_type, **extra):
    return frame(rows, demand=demand, failure_type=failure_type, **extra)


def test_the_journey_table_counts_hops_channel_changes_complaints_and_resolution():
    c = classified([("1", "waste", "web", "2024-01-01 10:00"), ("1", "waste", "phone", "2024-01-02 09:00"),
                    ("2", "waste", "phone", "2024-01-01 11:00"), ("2", "waste", "web", "2024-01-03 11:00"),
                    ("3", "waste", "phone", "2024-01-05"),
                    ("4", "waste", "email", "2024-01-06"), ("4", "waste", "email", "2024-01-08")],
                   demand=["value", "failure", "value", "failure", "value", "value", "failure"],
                   failure_type=["", "information_not_found", "", "progress_chasing", "", "", "complaint"])
    t = journeys.table(c.join(journeys.link(c)), complaints=pd.DataFrame({"contact_id": ["c4"]}))
    assert t["channel_hop"].tolist() == [True, False, False, False]  # web then phone; phone then web is no hop
    assert t["changed_channel"].tolist() == [True, True, False, False]
    assert t["complaint"].tolist() == [False, False, True, True]      # c4 in the register; c6 classified
    assert t["first_contact_resolution"].tolist() == [False, False, False, False]
    assert t["failure_contacts"].tolist() == [1, 1, 0, 1]


def test_end_to_end_time_runs_from_the_first_contact_to_the_latest_close():
    c = frame([("1", "tax", "web", "2024-01-01", "A"), ("1", "tax", "phone", "2024-01-05", "A"),
               ("2", "tax", "phone", "2024-01-02", "B"), ("3", "tax", "phone", "2024-01-03", "C")],
              closed_at=pd.to_datetime(["2024-01-11", "2024-01-11", None, "2024-01-01"]))
    found = journeys.follow(c)
    t = found.table.set_index("journey")
    assert t["end_to_end_days"].iloc[0] == 10
    assert np.isnan(t["end_to_end_days"].iloc[1])  # still open
    assert np.isnan(t["end_to_end_days"].iloc[2])  # closed before it started: left out, and counted
    assert found.closed_before_start == 1


def test_journeys_cut_by_either_end_of_the_export_are_not_judged():
    days = ["2024-01-01", "2024-02-15", "2024-03-01", "2024-06-20", "2024-07-01"]
    c = frame([(str(i), "tax", "phone", d) for i, d in enumerate(days)])
    t = journeys.table(c.join(journeys.link(c)))
    assert t["judged"].tolist() == [False, True, True, False, False]


def test_a_pattern_spells_the_steps_and_one_complaint_is_one_step_however_made():
    c = classified([("1", "waste", "web", "2024-01-01"), ("1", "waste", "phone", "2024-01-03"),
                    ("1", "waste", "phone", "2024-01-09"), ("1", "waste", "email", "2024-01-10"),
                    ("2", "waste", "phone", "2024-01-01"), ("3", "waste", "web", "2024-01-01")],
                   demand=["value", "failure", "failure", "failure", "failure", "failure"],
                   failure_type=["", "progress_chasing", "progress_chasing", "complaint", "complaint", "complaint"])
    found = journeys.follow(c, span=(pd.Timestamp("2023-01-01"), pd.Timestamp("2025-01-01")))
    spelled = [found.vocabulary.spell(k) for k in found.table["pattern"]]
    assert spelled == ["web form, phone chase, phone chase, complaint", "complaint", "complaint"]
    top = journeys.patterns(found, by=None)
    assert top["pattern"].tolist()[0] == "complaint" and top["journeys"].tolist()[0] == 2


def test_a_complaint_in_the_register_is_a_last_step_and_long_journeys_end_then_more():
    rows = [("1", "tax", "phone", f"2024-01-{d:02d}") for d in range(1, 10)]
    c = classified(rows + [("2", "tax", "web", "2024-01-01")], demand=["value"] + ["failure"] * 8 + ["value"],
                   failure_type=[""] + ["progress_chasing"] * 8 + [""])
    found = journeys.follow(c, pd.DataFrame({"contact_id": ["c9"]}),
                            span=(pd.Timestamp("2023-01-01"), pd.Timestamp("2025-01-01")))
    spelled = [found.vocabulary.spell(k) for k in found.table["pattern"]]
    assert spelled[0] == "phone, " + ", ".join(["phone chase"] * 5) + ", then more"
    assert spelled[1] == "web form, formal complaint"


# ---- measures and intervals --------------------------------------------------------------------------


def test_shares_carry_the_wilson_interval_and_times_the_order_statistic_one():
    from cxinsight.stats import wilson

    rng = np.random.default_rng(3)
    n = 400
    t = pd.DataFrame({"judged": True, "first_contact_resolution": rng.random(n) < 0.7, "changed_channel": False,
                      "channel_hop": False, "complaint": False, "contacts": rng.integers(1, 4, n),
                      "end_to_end_days": rng.exponential(5, n), "service": "tax"})
    m = journeys.measures(t).set_index("measure")
    k = int(t["first_contact_resolution"].sum())
    _, lo, hi = wilson(np.array([k]), np.array([n]))
    assert m.loc["first_contact_resolution", ["estimate", "low", "high"]].tolist() == pytest.approx([k / n, lo[0], hi[0]])
    x = np.sort(t["end_to_end_days"].to_numpy())
    assert m.loc["end_to_end_median_days", "estimate"] == pytest.approx(np.median(x))
    assert x[0] <= m.loc["end_to_end_median_days", "low"] < np.median(x) < m.loc["end_to_end_median_days", "high"]
    assert m.loc["contacts_per_journey", "estimate"] == pytest.approx(t["contacts"].mean())


def test_the_order_statistic_interval_covers_the_true_quantile():
    rng = np.random.default_rng(1)
    truth = {0.5: np.log(2) * 5, 0.85: -np.log(0.15) * 5}  # exponential, mean 5
    for q, true in truth.items():
        hits = sum(lo <= true <= hi for _, lo, hi in (journeys.quantile_interval(rng.exponential(5, 60), q)
                                                      for _ in range(600)))
        assert 0.93 <= hits / 600 <= 0.995, (q, hits)


def test_readers_shares_round_as_every_page_rounds_them():
    from cxinsight.headlines import interval_text, value_text

    for x in np.linspace(0, 1, 2001):
        assert journeys._pct(x) == value_text(x)
        assert f"{journeys._pct(x, 'down')} to {journeys._pct(x, 'up')}" == interval_text(x, x)


def test_a_share_that_would_give_away_a_small_count_is_starred():
    m = pd.DataFrame([{"measure": "complaint", "name": "x", "estimate": 3 / 40, "low": 0.02, "high": 0.2, "n": 40,
                       "k": 3}, {"measure": "complaint", "name": "x", "estimate": 0.5, "low": 0.4, "high": 0.6,
                                 "n": 40, "k": 20}])
    assert journeys.measures_text(m)["Figure"].tolist() == ["*", "50%"]


# ---- not available, and what would unlock it ----------------------------------------------------------


def test_without_case_or_customer_numbers_journeys_are_not_available_and_say_what_unlocks_them():
    c = frame([(None, "tax", "phone", "2024-01-01"), (None, "tax", "web", "2024-02-01")])
    found = journeys.follow(c)
    assert not found.available and found.unfollowed == 2
    assert set(found.missing) == set(journeys.MEASURES)
    assert unlock("contacts.case_id|contacts.customer_id") in found.missing["first_contact_resolution"]
    assert journeys.measures(found).empty


def test_customer_numbers_alone_serve_and_case_numbers_alone_serve():
    days = pd.date_range("2024-01-01", periods=200, freq="D")
    by_customer = pd.DataFrame({"customer_id": [str(i % 50) for i in range(200)], "service": "tax",
                                "channel": "phone", "received_at": days})
    by_case = by_customer.drop(columns="customer_id").assign(case_id=[str(i // 2) for i in range(200)])
    for c in (by_customer, by_case):
        found = journeys.follow(c)
        assert found.available and "first_contact_resolution" not in found.missing
        assert "end_to_end_median_days" in found.missing and unlock("contacts.closed_at") in found.missing[
            "end_to_end_median_days"]


def test_one_row_per_case_gives_times_but_not_repeats():
    c = pd.DataFrame({"case_id": [str(i) for i in range(100)], "service": "noise", "channel": "phone",
                      "received_at": pd.date_range("2024-01-01", periods=100, freq="D")})
    c["closed_at"] = c["received_at"] + pd.Timedelta(days=2)
    found = journeys.follow(c)
    assert found.one_row_per_case
    assert unlock("contacts.case_history") in found.missing["contacts_per_journey"]
    assert "complaint" in found.missing  # nothing says which contacts were complaints
    m = journeys.measures(found).set_index("measure")
    assert set(m.index) == {"end_to_end_median_days", "end_to_end_p85_days"}
    assert m.loc["end_to_end_median_days", "estimate"] == pytest.approx(2.0)


def test_an_export_too_short_to_judge_journeys_says_so():
    c = frame([("1", "tax", "phone", "2024-01-01"), ("1", "tax", "web", "2024-01-20")])
    found = journeys.follow(c)
    assert "longer export" in found.missing["first_contact_resolution"]


# ---- flows, chart and template -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def busy():
    """Four hundred customers of one service: half make a web request then phone to chase it (a
    third of those chase again), a tenth of those complain, the rest ask once by phone."""
    rng = np.random.default_rng(5)
    rows, demand, ftype = [], [], []
    start = pd.Timestamp("2024-03-01")
    for i in range(400):
        t = start + pd.Timedelta(days=int(rng.integers(0, 60)))
        if i % 2:
            rows.append((str(i), "repairs", "web", t))
            demand.append("value")
            ftype.append("")
            rows.append((str(i), "repairs", "phone", t + pd.Timedelta(days=5)))
            demand.append("failure")
            ftype.append("progress_chasing")
            if i % 3 == 0:
                rows.append((str(i), "repairs", "phone", t + pd.Timedelta(days=9)))
                demand.append("failure")
                ftype.append("progress_chasing")
            if i % 10 == 1:
                rows.append((str(i), "repairs", "email", t + pd.Timedelta(days=12)))
                demand.append("failure")
                ftype.append("complaint")
        else:
            rows.append((str(i), "repairs", "phone", t))
            demand.append("value")
            ftype.append("")
    c = classified(rows, demand, ftype)
    c = c.join(journeys.link(c))
    span = (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31"))
    return c, journeys.follow(c, span=span)


def test_flows_add_up_and_the_chart_has_its_words(busy):
    c, found = busy
    f = journeys.flows(found, "repairs")
    first = f.loc[f["step"] == 1]
    assert first["journeys"].sum() == 200  # the failing half
    assert set(first["source"]) == {"web form"}
    assert first.set_index("target")["journeys"].to_dict() == {"phone chase": 200}
    alt, takeaway = journeys.flow_summary(f)
    assert "web form" in alt and "100% of the journeys that began with a web form went on to a phone chase" in takeaway
    from cxinsight import charts

    fig = charts.flow_chart(f, "Repairs")
    html = charts.figure_html(fig, alt, takeaway)
    assert 'alt="Flow chart of journeys' in html and "Takeaway" in html


def test_the_template_is_filled_from_the_data_and_its_csv_suppresses_small_counts(busy, tmp_path):
    c, found = busy
    t = journeys.template(c, found, "repairs")
    assert {"First contact", "Second contact", "Third contact", "End"} <= set(t["stage"])
    chase = t.loc[t["stage"] == "Second contact"].iloc[0]
    assert chase["touchpoint"] == "phone" and chase["pain_point"].startswith("chasing progress")
    assert chase["evidence"].startswith("200 of 400 journeys (50%)") and "a median of 5 days" in chase["evidence"]
    # a stage with 1 to 7 journeys never shows them; the CSV blanks 1-7 and rounds to 5
    small = pd.concat([t, pd.DataFrame([{"stage": "End", "touchpoint": "x", "pain_point": "=cmd()", "evidence": "y",
                                         "journeys": 3, "of_journeys": 401, "median_days": 1.0}])])
    path = journeys.write_template(small, tmp_path / "map.csv")
    back = pd.read_csv(path, encoding="utf-8-sig")
    counts = back["Journeys (rounded to 5; 1-7 blank)"]
    assert counts.isna().iloc[-1] and (counts.dropna() % 5 == 0).all()
    assert back["Of journeys (rounded to 5; 1-7 blank)"].iloc[-1] == 400
    assert back["Pain point"].iloc[-1] == "'=cmd()"  # a formula is disarmed
    for text in t["evidence"]:
        for number in (int(x.replace(",", "")) for x in re.findall(r"\b[\d,]+\b(?= of| journeys| closed)", text)):
            assert number == 0 or number > 7


def test_extra_contacts_name_the_failures_behind_them(busy):
    c, found = busy
    extra = journeys.extra_contacts(c, found, by=None).set_index("failure_type")
    assert extra.loc["progress_chasing", "contacts"] == 200 + 67
    assert extra.loc["complaint", "contacts"] == 40
    assert extra["estimate"].sum() == pytest.approx(1.0)


def test_from_analysis_scopes_journeys_by_their_first_contacts_service_and_start(busy):
    from pathlib import Path

    from cxinsight.analysis import Analysis, Options

    c, _ = busy
    other = c.assign(service="parking", contact_id=c["contact_id"] + "p", customer_id=c["customer_id"] + "p")
    contacts = pd.concat([c, other], ignore_index=True).drop(columns=["journey", "journey_step"])
    whole = Analysis(Path("."), Options(), contacts, None, None, None, None, None, "", None)
    council = journeys.from_analysis(whole)
    repairs = journeys.from_analysis(whole.scoped("repairs"))
    assert len(council.table) == 2 * len(repairs.table)
    assert set(repairs.table["service"].astype(str)) == {"repairs"}
    march = journeys.from_analysis(whole.scoped(period="2024-03-01/2024-03-31"))
    assert (march.table["started_at"] < pd.Timestamp("2024-04-01")).all() and len(march.table) < len(council.table)
