"""No figure without evidence (issue 26): an export with no free text and no customer numbers has
nothing that can tell failure demand from value demand, so its failure share is not shown (it was
"0% (0% to 1%)"); a council without customer numbers still gets its channel-shift savings, with who
cannot shift taken from cited national rates, and the page says so.

On real exports: Los Angeles' MyLA311 (two extracts of one table, no text, no ids) and NYC 311
(the agency's closing text, no ids), in tests/data/real with their SOURCE.md."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxinsight import availability, headlines
from cxinsight.analysis import load_analysis
from cxinsight.exclusion.customers import DIGITAL_CHANNELS, NationalRates, shiftable_by_rate
from cxinsight.pipeline import build_processed
from cxinsight.report.notebooks import NEEDS

REAL = Path(__file__).parent / "data" / "real"


@pytest.fixture(scope="module")
def la311(tmp_path_factory):
    processed = tmp_path_factory.mktemp("la311") / "processed"
    build_processed(REAL / "la311_two_extracts" / "sources.yaml", processed)
    return processed


@pytest.fixture(scope="module")
def nyc311(tmp_path_factory):
    processed = tmp_path_factory.mktemp("nyc311") / "processed"
    build_processed(REAL / "nyc311" / "sources.yaml", processed)
    return processed


def test_no_text_and_no_ids_shows_no_failure_share(la311):
    figs = headlines.compute(load_analysis(la311))
    assert figs.get("failure_share") is None
    assert figs.missing["failure_share"] == availability.unlock(availability.FAILURE_EVIDENCE)
    assert "nothing in it can tell failure demand from value demand" in figs.missing["failure_share"]
    # the failure-demand page is not run: a page naming what would unlock it is written instead
    have = availability.supplied(la311)
    assert not all(availability.available(have, need) for need in NEEDS["02_failure_demand.ipynb"])


def test_words_or_behaviour_give_a_failure_share(nyc311):
    figs = headlines.compute(load_analysis(nyc311))
    assert figs.get("failure_share") is not None and "failure_share" not in figs.missing
    assert headlines.evidence_for_failure(load_analysis(nyc311)) == ["notes", "reason"]


def test_a_council_without_customer_numbers_gets_a_savings_range_from_national_rates(la311):
    analysis = load_analysis(la311)
    assert not analysis.has_customers
    figs = headlines.compute(analysis)
    npv, shift = figs.get("savings_npv"), figs.get("savings_shift")
    assert npv is not None and shift is not None
    assert npv.low < npv.estimate < npv.high  # a range, not a point
    assert "national rates" in npv.note
    assert figs.savings.exclusion_source == NationalRates.source
    assert "ONS 2020" in figs.savings.exclusion_source and "Lloyds" in figs.savings.exclusion_source
    # fixing failure demand cannot be costed where failure demand cannot be measured
    assert figs.get("savings_failure") is None and "failure demand" in figs.missing["savings_failure"]
    # the likely-excluded share of customers stays unavailable: there are no customers to count
    assert figs.get("likely_excluded") is None


def test_national_rate_shiftable_volume_never_exceeds_the_non_digital_contacts(la311):
    contacts = pd.read_parquet(la311 / "contacts.parquet")
    out = shiftable_by_rate(contacts)
    assert (out["shiftable_low"] <= out["shiftable_central"] + 1e-9).all()
    assert (out["shiftable_central"] <= out["shiftable_high"] + 1e-9).all()
    assert (out["shiftable_high"] <= out["non_digital"] + 1e-9).all()
    digital = contacts["channel"].astype(str).isin(DIGITAL_CHANNELS)
    assert np.isclose(out["non_digital"].sum(), (~digital).sum())
    assert np.isclose(out["by_likely_excluded"].sum(), 0.063 * out["non_digital"].sum())
