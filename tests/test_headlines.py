"""Headline figures from the shared analysis: the change against earlier quarters, and the actions
the figures support. The demo council spans one year, so the comparison with a year earlier is
checked here on a council with two years of contacts."""

from __future__ import annotations

import re
from dataclasses import astuple

import numpy as np
import pandas as pd
import pytest

from cxinsight import actions, headlines
from cxinsight.analysis import Analysis
from tests.reviewed_councils import reviewed_council, two_years


def _two_year_council(seed: int = 1, jump: float = 0.15) -> Analysis:
    """Contacts from April 2023 to March 2025, classified and reviewed; failure demand jumps by
    ``jump`` in the latest quarter (January to March 2025)."""
    rng = np.random.default_rng(seed)
    when = two_years(seed)
    latest = when >= np.datetime64("2025-01-01")
    failure = rng.random(len(when)) < np.where(latest, 0.30 + jump, 0.30)
    return reviewed_council(when, rng.choice(["parking", "planning"], len(when)), failure, seed)


def test_the_latest_quarter_is_set_beside_the_one_before_and_a_year_earlier():
    changes = headlines.compare(_two_year_council())["failure_share"]
    kinds = [k for k, _, _ in changes]
    assert kinds == ["latest", "previous", "last_year"]
    latest = changes[0]
    assert latest[2] == "January to March 2025"
    before, year = changes[1][1], changes[2][1]
    assert "the quarter before (October to December 2024)" in before and "a clear change" in before
    assert "the same quarter a year earlier (January to March 2024)" in year
    assert re.search(r"up 1[2-8] points \(95% interval \+\d+ to \+\d+\), a clear change", year), year


def test_no_change_is_called_within_the_noise():
    changes = dict((k, s) for k, s, _ in headlines.compare(_two_year_council(seed=2, jump=0.0))["failure_share"])
    assert "within the noise" in changes["previous"] and "within the noise" in changes["last_year"]


def test_a_service_is_compared_with_its_own_past():
    whole = _two_year_council()
    changes = headlines.compare(whole.scoped("parking"))["failure_share"]
    latest = headlines.compute(whole.scoped("parking", "2025-01-01/2025-03-31"), with_savings=False)
    shown = headlines.value_text(latest.get("failure_share").estimate)
    assert changes[0][1].startswith(shown)


def test_less_than_a_quarter_of_data_gives_no_comparison():
    short = _two_year_council()
    short = Analysis(short.processed, short.options, short.contacts.loc[short.contacts["received_at"] >= "2025-02-01"],
                     None, None, None, None, None, "", None)
    assert headlines.compare(short) == {}


@pytest.mark.parametrize("value,low,high,expected", [(0.445, 0.4049, 0.4851, ("45%", "40% to 49%")),
                                                     (0.5, 0.4951, 0.5049, ("50%", "49% to 51%"))])
def test_ranges_are_rounded_outward_and_figures_half_up(value, low, high, expected):
    h = headlines.Headline("failure_share", "council", value, low, high, 5000, "contacts")
    d = headlines.describe(h)
    assert (d["value"], d["interval"]) == expected


def test_actions_follow_the_figures_and_never_use_a_suppressed_one():
    whole = _two_year_council()
    figs = headlines.compute(whole, with_savings=False)
    todo = actions.what_this_means(figs, whole.contacts)
    assert any("'Not done' in Parking" in a or "'Not done' in Planning" in a for a in todo), todo
    tiny = headlines.Figures(headlines.Service("parking"), [headlines.Headline("failure_share", "parking", 0.5, 0.3, 0.7, 10, "contacts")], {})
    assert actions.what_this_means(tiny, whole.contacts.head(10)) == []


def test_figures_for_a_scope_and_a_period_from_the_whole_council():
    """compute(analysis, scope, period): the council scope is a type (COUNCIL), a service a Service;
    the figures equal those of the analysis scoped by hand, and "council" as text is refused."""
    whole = _two_year_council()
    period = "2025-01-01/2025-06-30"
    service = str(whole.contacts["service"].astype(str).value_counts().index[0])
    by_hand = headlines.compute(whole.scoped(service, period), with_savings=False)
    for scope in (headlines.Service(service), service):
        figs = headlines.compute(whole, scope, period, with_savings=False)
        assert figs.scope == headlines.Service(service)
        assert [astuple(h) for h in figs.headlines] == [astuple(h) for h in by_hand.headlines]
    council = headlines.compute(whole, headlines.COUNCIL, with_savings=False)
    assert council.scope is headlines.COUNCIL and {h.scope for h in council.headlines} == {"council"}
    assert [astuple(h) for h in council.headlines] == [astuple(h) for h in
                                                        headlines.compute(whole, with_savings=False).headlines]
    # a scoped analysis asked for the council gives the council's figures, not its own
    assert headlines.compute(whole.scoped(service), headlines.COUNCIL, with_savings=False).get(
        "failure_share") == council.get("failure_share")
    with pytest.raises(ValueError, match="COUNCIL"):
        headlines.compute(whole, "council")


def test_the_comparison_table_holds_the_sentences_figures_as_numbers():
    """The change download is for analysis: the figures the sentences give, one per column, numbers
    after publish.download_frame (units in a column of their own), the same verdicts."""
    from cxinsight import publish

    sentences, table = headlines.comparison(_two_year_council())
    assert list(sentences) == list(table["Measure"].map({v[0]: k for k, v in headlines.MEASURES.items()}))
    row = table.iloc[0]
    assert row["Against the quarter before"] in sentences["failure_share"][1][1]  # "a clear change"
    assert row["Change since the quarter before, 95% interval"] in sentences["failure_share"][1][1]
    numbers = publish.download_frame(table)
    for column in ("Latest", "Latest range low", "Latest range high", "Quarter before",
                   "Change since the quarter before (points)", "Change since the quarter before, 95% interval low"):
        assert pd.api.types.is_numeric_dtype(numbers[column]), column
    first = numbers.iloc[0]
    assert first["Latest range low"] <= first["Latest"] <= first["Latest range high"]
    assert first["Change since the quarter before (points)"] == pytest.approx(first["Latest"] - first["Quarter before"], abs=1)
    assert headlines.compare(_two_year_council()) == sentences


def test_an_unreviewed_export_publishes_a_provisional_share_without_a_range():
    """Before any review the failure share is the classifier's expected share (its mean probability,
    not the count of its calls), flagged provisional, with no interval, one line on how to review,
    and no comparison with other periods."""
    whole = _two_year_council()
    unreviewed = Analysis(whole.processed, whole.options, whole.contacts.assign(
        demand_confidence=np.where(whole.contacts["demand"] == "failure", 0.8, 0.9)),
        None, None, None, None, None, "no review", None)
    h = headlines.compute(unreviewed, with_savings=False).get("failure_share")
    c = unreviewed.contacts
    expected = np.where(c["demand"] == "failure", 0.8, 0.1).mean()
    assert h.estimate == pytest.approx(expected) and h.estimate != pytest.approx((c["demand"] == "failure").mean())
    assert np.isnan(h.low) and np.isnan(h.high) and h.interval == ""
    assert h.note.startswith("Provisional: the classifier's expected share, not yet checked by a person")
    assert "review folder" in h.note and "run again" in h.note
    shown = headlines.describe(h)
    assert shown["interval"] == "" and shown["value"] == headlines.value_text(expected)
    changes = headlines.compare(unreviewed)["failure_share"]
    assert all("not compared: a provisional figure" in text for key, text, _ in changes if key != "latest"), changes
