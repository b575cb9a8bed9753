"""Journeys in the reports (issue 30, build point 4): the figures stage stores each scope's journey
figures with their intervals and bases, or "not available" with what would unlock them; the journey
action in "What this means" appears only when a service's first-contact resolution range lies wholly
below the council's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxinsight import actions, availability, headlines
from cxinsight.analysis import Analysis, Options
from cxinsight.headlines import COUNCIL, JOURNEY_MEASURES, Figures, Headline, Service
from cxinsight.report.notebooks import COUNCIL_NOTEBOOKS, NEEDS


def _council(seed: int = 3, resolved: dict | None = None) -> Analysis:
    """A year of classified contacts in two services, each journey under a case number (and its
    customer's number), closed a few days after its last contact: ``resolved`` gives each service's
    share of journeys with one contact."""
    resolved = resolved or {"parking": 0.85, "waste": 0.55}
    rng = np.random.default_rng(seed)
    rows = []
    for service, fcr in resolved.items():
        for j in range(3000):
            start = pd.Timestamp("2024-01-01") + pd.Timedelta(hours=float(rng.integers(0, 24 * 360)))
            n = 1 if rng.random() < fcr else int(rng.integers(2, 4))
            when = start
            for step in range(n):
                rows.append({"case_id": f"{service}-{j}", "customer_id": f"{service}-cust-{j}", "service": service,
                             "channel": "web" if step == 0 and rng.random() < 0.4 else "phone", "received_at": when,
                             "demand": "value" if step == 0 else "failure",
                             "failure_type": "" if step == 0 else "progress_chasing"})
                when = when + pd.Timedelta(days=float(rng.uniform(1, 6)))
            for r in rows[-n:]:
                r["closed_at"] = when + pd.Timedelta(days=float(rng.uniform(0, 3)))
    contacts = pd.DataFrame(rows).sort_values("received_at", ignore_index=True)
    contacts.insert(0, "contact_id", [f"C{i}" for i in range(len(contacts))])
    return Analysis(Path("."), Options(), contacts, None, None, None, None, None, "", None)


def _without(analysis: Analysis, *columns: str) -> Analysis:
    return Analysis(Path("."), Options(), analysis.contacts.drop(columns=list(columns)), None, None, None, None, None,
                    "", None)


@pytest.fixture(scope="module")
def council():
    return _council()


def test_every_scope_has_its_journey_figures_with_interval_and_base(council):
    for scope in (COUNCIL, Service("parking"), Service("waste")):
        figs = headlines.compute(council, scope, with_savings=False)
        for measure in JOURNEY_MEASURES:
            h = figs.get(measure)
            assert h is not None and measure not in figs.missing, (scope, measure, figs.missing.get(measure))
            assert h.low <= h.estimate <= h.high and h.base > 100, (scope, h)
            shown = headlines.describe(h)
            assert shown["interval"] and shown["base"].endswith(("journeys", "journeys closed")), shown
    waste = headlines.compute(council, Service("waste"), with_savings=False).get("first_contact_resolution")
    parking = headlines.compute(council, Service("parking"), with_savings=False).get("first_contact_resolution")
    assert waste.high < parking.low  # planted 55% against 85%
    assert 0.5 < waste.estimate < 0.6 and 0.8 < parking.estimate < 0.9
    figs = headlines.compute(council, COUNCIL, with_savings=False)
    assert len(figs.journey_patterns) and figs.journey_patterns["journeys"].min() >= 8
    assert headlines.describe(figs.get("contacts_per_journey"))["value"].count(".") == 1  # 1.45, two decimals
    assert headlines.describe(figs.get("end_to_end_days"))["value"].endswith("days")


def test_without_case_or_customer_numbers_the_journey_figures_say_what_would_unlock_them(council):
    """A contacts-only export: nothing follows a contact into a journey, so no journey figure is given,
    each says so and what would unlock it, no action is drawn from one, and notebook 09 is not run."""
    bare = _without(council, "case_id", "customer_id")
    for scope in (COUNCIL, Service("waste")):
        figs = headlines.compute(bare, scope, with_savings=False)
        for measure in JOURNEY_MEASURES:
            assert figs.get(measure) is None, measure
            why = figs.missing[measure]
            assert why.startswith("No contact carries a case or reference number or a customer number"), why
            assert availability.unlock(availability.JOURNEY_IDS) in why
        assert not any("journeys" in a for a in actions.what_this_means(figs))
    missing = Headline("first_contact_resolution", "council", None, None, None, 0, "",
                       note=headlines.compute(bare, COUNCIL, with_savings=False).missing["first_contact_resolution"])
    assert headlines.describe(missing)["value"] == "not available"
    assert "09_journeys.ipynb" in COUNCIL_NOTEBOOKS
    have = {"contacts": ["contact_id", "received_at", "channel", "service", "notes"]}
    assert not all(availability.available(have, need) for need in NEEDS["09_journeys.ipynb"])
    for ids in ("case_id", "customer_id"):  # either one follows the contacts
        assert all(availability.available({"contacts": [*have["contacts"], ids]}, need)
                   for need in NEEDS["09_journeys.ipynb"])


def test_case_numbers_alone_or_customer_numbers_alone_give_the_figures(council):
    for dropped in ("case_id", "customer_id"):
        figs = headlines.compute(_without(council, dropped), Service("waste"), with_savings=False)
        assert all(figs.get(m) is not None for m in JOURNEY_MEASURES), (dropped, figs.missing)


def test_without_close_dates_only_the_end_to_end_time_is_not_available(council):
    figs = headlines.compute(_without(council, "closed_at"), COUNCIL, with_savings=False)
    assert figs.get("end_to_end_days") is None
    assert availability.unlock("contacts.closed_at") in figs.missing["end_to_end_days"]
    assert all(figs.get(m) is not None for m in JOURNEY_MEASURES if m != "end_to_end_days")


def test_the_journey_action_names_the_service_whose_range_lies_below_the_councils(council):
    waste = actions.what_this_means(headlines.compute(council, Service("waste"), with_savings=False))
    said = [a for a in waste if "journeys" in a]
    assert len(said) == 1 and said[0].startswith("Review this service's journeys")
    shown = headlines.describe(headlines.compute(council, Service("waste"), with_savings=False)
                               .get("first_contact_resolution"))
    assert f"{shown['value']} were resolved" in said[0] and shown["interval"] in said[0] and shown["base"] in said[0]
    parking = actions.what_this_means(headlines.compute(council, Service("parking"), with_savings=False))
    assert not [a for a in parking if "journeys" in a]  # above the council's: nothing to act on
    whole = actions.what_this_means(headlines.compute(council, COUNCIL, with_savings=False))
    assert [a for a in whole if a.startswith("Review the journeys in Waste")], whole


def _figures(scope, mine: tuple, ref: tuple | None = None, services: pd.DataFrame | None = None) -> Figures:
    here = Headline("first_contact_resolution", str(scope), *mine, 2000, "journeys")
    out = Figures(scope, [headlines.published(here)], {})
    if ref is not None:
        out.journey_reference = Headline("first_contact_resolution", "council", *ref, 20000, "journeys")
    out.journey_services = services
    return out


@pytest.mark.parametrize("mine,expected", [((0.60, 0.58, 0.62), True),    # wholly below the council's range
                                           ((0.74, 0.71, 0.7705), False),  # overlaps its low end (0.77)
                                           ((0.76, 0.75, 0.7699), True),   # just below it
                                           ((0.90, 0.88, 0.92), False)])   # above it
def test_a_service_gets_the_journey_action_only_when_the_ranges_separate(mine, expected):
    figs = _figures(Service("waste"), mine, ref=(0.78, 0.77, 0.79))
    assert bool(actions._journey_action(figs)) is expected


def test_the_councils_journey_action_needs_a_service_wholly_below_it():
    rows = pd.DataFrame({"service": ["parking", "waste"], "estimate": [0.74, 0.80], "low": [0.70, 0.78],
                         "high": [0.775, 0.82], "n": [900, 900]})
    assert actions._journey_action(_figures(COUNCIL, (0.78, 0.77, 0.79), services=rows)) is None
    below = rows.assign(high=[0.765, 0.82])
    said = actions._journey_action(_figures(COUNCIL, (0.78, 0.77, 0.79), services=below))
    assert said.startswith("Review the journeys in Parking first: 74%") and "900 journeys" in said
    assert "77% to 79%" in said and "2,000 journeys" in said
    # a service share blanked by the small-number rule is never named
    blanked = below.assign(estimate=[np.nan, 0.80], low=[np.nan, 0.78], high=[np.nan, 0.82])
    assert actions._journey_action(_figures(COUNCIL, (0.78, 0.77, 0.79), services=blanked)) is None
    # nor is there an action when the council's own figure is not shown
    suppressed = _figures(COUNCIL, (0.78, 0.77, 0.79), services=below)
    suppressed.headlines = [Headline("first_contact_resolution", "council", None, None, None, 20, "journeys",
                                     note="not shown: with its base it would give away a count of 1 to 7")]
    assert actions._journey_action(suppressed) is None


def test_the_figures_stage_stores_the_journey_figures_of_every_page(demo, tmp_path):
    """build_figures (the figures stage, as `cxinsight report` runs it) on a demo council: every
    scope's journey figures in headlines.parquet, the commonest failing journeys beside them, and
    what a page reads back (figures.read_page) is what was stored."""
    from cxinsight import figures
    from cxinsight.analysis import load_analysis

    load_analysis(demo["processed"])
    services = (pd.read_parquet(demo["processed"] / "contacts.parquet", columns=["service"])["service"]
                .astype(str).value_counts().index[:2].tolist())
    folder = figures.build_figures(demo["processed"], services)
    stored = pd.read_parquet(folder / "headlines.parquet")
    for scope in ("council", *services):
        mine = stored.loc[(stored["scope"] == scope) & stored["measure"].isin(list(JOURNEY_MEASURES))]
        assert sorted(mine["measure"]) == sorted(JOURNEY_MEASURES), (scope, mine["measure"].tolist())
        assert mine["estimate"].notna().all() and (mine["low"] <= mine["estimate"]).all(), scope
        assert (mine["estimate"] <= mine["high"]).all() and (mine["base"] >= 10).all(), scope
        page = figures.read_page(demo["processed"], None if scope == "council" else scope)
        assert page.get("first_contact_resolution") is not None
        assert len(page.journey_patterns) and (page.journey_patterns["journeys"] >= 8).all(), scope
