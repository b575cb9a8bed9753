"""The analysis layer's kept result (data/interim): partitioned by year, reused only while it is current."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from cxinsight import analysis
from cxinsight.pipeline import build_processed
from cxinsight.synthetic import DemoSpec, generate_demo


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    root = tmp_path_factory.mktemp("council")
    generate_demo(root / "raw", root / "key", DemoSpec(contacts=2000, seed=7))
    build_processed(root / "raw" / "sources.yaml", root / "processed")
    return root / "processed"


def rebuilt(caplog) -> bool:
    return any("building it" in r.getMessage() for r in caplog.records)


def test_classified_contacts_are_kept_partitioned_by_calendar_year(processed):
    built = analysis.build_analysis(processed)
    folder = analysis.interim_dir(processed) / "classified"
    years = sorted(p.name for p in folder.iterdir())
    assert years == ["year=2024", "year=2025"]  # the demo's year runs April to March
    pd.testing.assert_frame_equal(analysis.read_by_year(folder), built.contacts)
    only_2025 = analysis.read_by_year(folder, years=[2025], columns=["received_at"])
    assert (only_2025["received_at"].dt.year == 2025).all()
    assert len(only_2025) == (built.contacts["received_at"].dt.year == 2025).sum()


def test_the_kept_analysis_is_reused_until_the_rules_or_options_change(processed, caplog, monkeypatch):
    analysis.build_analysis(processed)
    with caplog.at_level(logging.INFO, logger="cxinsight.analysis"):
        analysis.load_analysis(processed)
        assert not rebuilt(caplog)
        analysis.load_analysis(processed, analysis.Options(seed=11))
        assert rebuilt(caplog)
        caplog.clear()
        # an analyst edits the taxonomy: contacts classified by the old rules must not be shown
        monkeypatch.setattr("cxinsight.demand.rules.rules_fingerprint", lambda: "other rules")
        analysis.load_analysis(processed, analysis.Options(seed=11))
        assert rebuilt(caplog)


def test_pages_read_the_analysis_without_the_columns_only_a_record_trace_needs(processed):
    built = analysis.build_analysis(processed)
    lean = analysis.load_analysis(processed)
    assert not set(analysis.DETAIL_ONLY) & set(lean.contacts.columns)
    pd.testing.assert_frame_equal(lean.contacts, built.contacts.drop(columns=list(analysis.DETAIL_ONLY)))
    pd.testing.assert_frame_equal(analysis.load_analysis(processed, detail=True).contacts, built.contacts)


def test_a_page_with_no_analysis_parameters_reads_the_analysis_as_the_report_built_it(processed, caplog):
    """The report builds the analysis with its options (here learning from the review); a notebook run
    with no analysis parameters (Options.from_parameters gives None) reads that one, not the defaults."""
    built = analysis.build_analysis(processed, analysis.Options(learn_from_review=True))
    assert "learning from the review" in built.review_note.lower()  # asked for, and said what became of it
    assert analysis.Options.from_parameters(review_path=None, seed="") is None
    with caplog.at_level(logging.INFO, logger="cxinsight.analysis"):
        read = analysis.load_analysis(processed, analysis.Options.from_parameters(seed=None))
    assert not rebuilt(caplog) and read.options.learn_from_review
    assert read.review_note == built.review_note
    with caplog.at_level(logging.INFO, logger="cxinsight.analysis"):
        default = analysis.load_analysis(processed, analysis.Options())
    assert rebuilt(caplog) and not default.options.learn_from_review
    assert "learning from the review" not in default.review_note.lower()


def test_savings_count_contacts_a_year_whatever_the_export_covers(processed):
    """The demo export is one year; the same contacts spread over two years are half as many a year,
    so the volumes, the shiftable contacts and the saving a year all halve (the NPV's one-off and
    running costs do not). Before, every export was taken as one year."""
    from dataclasses import replace

    one = analysis.load_analysis(processed, analysis.Options(draws=200))
    first = one.contacts["received_at"].min()
    stretched = one.contacts.assign(received_at=first + (one.contacts["received_at"] - first) * 2)
    two = replace(one, contacts=stretched)
    a, b = analysis.savings(one), analysis.savings(two)
    assert 350 <= a.period.days <= 370 and 710 <= b.period.days <= 740
    ratio = a.period.days / b.period.days
    assert a.volumes["contacts"].sum() == pytest.approx(len(one.contacts) * 365.25 / a.period.days)
    assert b.volumes["contacts"].sum() == pytest.approx(a.volumes["contacts"].sum() * ratio)
    assert b.shiftable["shiftable_central"].sum() == pytest.approx(a.shiftable["shiftable_central"].sum() * ratio)
    assert b.inputs.volume.sum() == pytest.approx(a.inputs.volume.sum() * ratio)
    assert b.projection["baseline_cost"].iloc[1] == pytest.approx(a.projection["baseline_cost"].iloc[1] * ratio)


def test_a_scope_asked_for_again_is_the_same_and_kept_apart_from_what_a_page_added(processed):
    """Analysis.scoped keeps its last few scopes (a page asks for its service several times): the kept
    one is what narrowing again gives, a column a page adds to one is not in the next, and no more than
    SCOPES_KEPT are kept."""
    whole = analysis.load_analysis(processed)
    services = sorted(whole.contacts["service"].astype(str).unique())
    first = whole.scoped(services[0])
    first.contacts["page_only"] = 1
    again = whole.scoped(services[0])
    assert "page_only" not in again.contacts and "page_only" not in whole.contacts
    fresh = whole._narrowed(services[0], None)
    for name in ("contacts", "complaints", "survey", "review", "segments"):
        if getattr(fresh, name) is not None:
            pd.testing.assert_frame_equal(getattr(again, name), getattr(fresh, name))
    window = whole.scoped(services[0], "2024-06-01/2024-06-30")
    assert window.contacts["received_at"].between("2024-06-01", "2024-07-01").all()
    assert len(window.contacts) < len(again.contacts)
    for service in services:
        whole.scoped(service)
    assert len(whole._scopes) <= analysis.SCOPES_KEPT
    assert again.scoped(services[1]).service == services[1]  # a scope's scope is the council's
