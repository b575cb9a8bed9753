"""Complaint rates, themes and report sections; the maturity self-assessment."""

from __future__ import annotations

import pandas as pd
import pytest

from cxinsight.complaints import (
    annual_report_sections,
    complaints_per_1000_contacts,
    escalation_rate,
    summary_topics,
    timeliness,
    upheld_rate,
)
from cxinsight.maturity import ASPECTS, score_self_assessment


def test_escalation_and_upheld_by_hand():
    c = pd.DataFrame({"complaint_id": ["A", "B", "C", "A"], "stage": [1, 1, 1, 2],
                      "outcome": ["Upheld", "Not upheld", "Withdrawn", "Partially upheld"]})
    e = escalation_rate(c)
    assert (e["escalated"], e["n"]) == (1, 3)
    u = upheld_rate(c).set_index("stage")
    assert u.loc[1, "upheld"] == 1 and u.loc[1, "answered"] == 2 and u.loc[2, "estimate"] == 1.0


def test_complaints_per_1000_contacts_with_exact_intervals():
    complaints = pd.DataFrame({"stage": [1] * 6 + [2], "service": ["waste"] * 5 + ["parking"] * 2})
    contacts = pd.DataFrame({"service": ["waste"] * 1000 + ["parking"] * 500})
    r = complaints_per_1000_contacts(complaints, contacts).set_index("service")
    assert r.loc["waste", "rate"] == 5.0 and r.loc["parking", "rate"] == 2.0
    assert r.loc["waste", "low"] == pytest.approx(1.6235, abs=1e-3) and r.loc["waste", "high"] == pytest.approx(11.668, abs=1e-2)


def test_demo_topics_and_report_sections(demo):
    complaints = demo["result"].tables["complaints"]
    topics = summary_topics(complaints, by="category")
    assert len(topics) == complaints["category"].nunique() and topics["topics"].str.len().gt(0).all()
    assert not topics["topics"].str.contains(r"\[|@|07700").any()
    sections = annual_report_sections(timeliness(complaints))
    assert sections["section"].tolist() == list("abcdef")
    assert "working days" in sections.set_index("section").loc["c", "from_the_data"]


def test_maturity_levels_medals_and_next_actions():
    rows = [{"service": "waste", "aspect": a, "level": lvl} for a, lvl in zip(ASPECTS, [1, 2, 2, 1, 2, 2, 2], strict=True)]
    rows += [{"service": "libraries", "aspect": a, "level": 5} for a in ASPECTS]
    out = score_self_assessment(pd.DataFrame(rows)).set_index("service")
    assert out.loc["waste", "level"] == 1 and out.loc["waste", "medal"] == "Bronze"
    assert "customer understanding" in out.loc["waste", "next_actions"]
    assert out.loc["libraries", "medal"] == "Gold" and out.loc["libraries", "next_actions"] == ""
    with pytest.raises(ValueError, match="unknown aspects"):
        score_self_assessment(pd.DataFrame([{"service": "x", "aspect": "vibes", "level": 3}]))
    with pytest.raises(ValueError, match="1-5"):
        score_self_assessment(pd.DataFrame([{"service": "x", "aspect": "design", "level": 7}]))
