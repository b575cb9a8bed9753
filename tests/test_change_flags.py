"""Issue 29: "a clear change" allows for every comparison a report makes.

A report sets each service's measures beside the quarter before and the same quarter a year earlier:
with eight services that is eighteen comparisons of failure demand alone, and by chance alone about
one in twenty looks clear on its own. A made-up council whose failure rate never changes must be
flagged on no page in at least 95% of seeds; a real change must still be found."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from cxinsight import headlines
from cxinsight.analysis import Analysis
from cxinsight.headlines import Family, Headline
from cxinsight.stats import holm_cutoff
from tests.reviewed_councils import reviewed_council, two_years

SERVICES = ["benefits", "council_tax", "highways", "housing_repairs", "libraries", "parking", "planning",
            "waste_recycling"]


def constant_council(seed: int, jump: dict[str, float] | None = None) -> Analysis:
    """Two years of contacts (April 2023 to March 2025) over eight services, each with its own
    failure rate that never changes (or changes by ``jump[service]`` in the latest quarter), classified
    and reviewed (:func:`tests.reviewed_councils.reviewed_council`)."""
    rng = np.random.default_rng(seed)
    when = two_years(seed)
    service = rng.choice(SERVICES, len(when))
    rate = pd.Series(np.linspace(0.15, 0.6, len(SERVICES)), index=SERVICES)[service].to_numpy()
    latest = when >= np.datetime64("2025-01-01")
    for name, step in (jump or {}).items():
        rate = np.where(latest & (service == name), rate + step, rate)
    return reviewed_council(when, service, rng.random(len(when)) < rate, seed)


def report_flags(analysis: Analysis) -> tuple[int, int, list[str]]:
    """``(clear on their own, clear once all are allowed for, the verdicts)`` over every page's
    comparisons, as the figures stage weighs them (:func:`cxinsight.figures.allow_for_every_comparison`)."""
    compared = [headlines.comparison_figures(analysis.scoped(s)) for s in [None, *SERVICES]]
    p_values = [p for c in compared for p in c.p_values()]
    family = Family(len(p_values), holm_cutoff(p_values, headlines.CLEAR_CHANGE_ALPHA))
    verdicts = [short for c in compared for lines in headlines.comparison(c, family=family)[0].values()
                for key, _, short in lines if key != "latest"]
    return sum(p < 0.05 for p in p_values), sum(p <= family.cutoff for p in p_values), verdicts


def test_a_share_of_few_contacts_is_judged_against_the_rate_behind_it():
    """A reviewed failure share's interval covers only this quarter's contacts nobody reviewed; a
    comparison asks whether the rate behind them changed, so it adds the rate's own variation: 23%
    against 25% from about 400 contacts each is within the noise, though the two quarters' own
    intervals do not overlap; 18% against 29% is still a clear change."""
    now = Headline("failure_share", "council_tax", 0.23, 0.225, 0.235, 406, "contacts")
    then = Headline("failure_share", "council_tax", 0.25, 0.245, 0.255, 454, "contacts")
    assert headlines._change(now, then)[2] == "within the noise"
    now = Headline("failure_share", "council_tax", 0.177, 0.160, 0.195, 406, "contacts")
    then = Headline("failure_share", "council_tax", 0.287, 0.270, 0.305, 454, "contacts")
    _, (d, lo, hi), verdict = headlines._change(now, then)
    assert round(d) == -11 and lo < -16 and hi > -6 and verdict == "a clear change"


def test_a_change_clear_on_its_own_is_not_called_clear_when_the_report_makes_many():
    now = Headline("failure_share", "council", 0.42, 0.39, 0.45, 1000, "contacts")
    then = Headline("failure_share", "council", 0.34, 0.31, 0.37, 1000, "contacts")
    p = headlines.change_p(now, then)
    assert 0.001 < p < 0.05
    assert headlines.change_parts(now, then)["verdict"] == "a clear change"
    assert headlines.change_parts(now, then, Family(80, holm_cutoff([p] + [0.5] * 79)))["verdict"] == \
        "not clear among this report's 80 comparisons"
    sentence = headlines.change_sentence(now, then, "the quarter before", family=Family(80, -1.0))
    assert "up 8 points" in sentence and "not clear among this report's 80 comparisons" in sentence


def test_a_real_change_is_still_found_among_a_reports_comparisons():
    """Council tax's failure rate up 15 points in the latest quarter, the others constant."""
    _, clear, verdicts = report_flags(constant_council(3, jump={"council_tax": 0.15}))
    assert clear >= 1 and any("a clear change" in v for v in verdicts)


@functools.cache
def forty_constant_councils() -> tuple[int, int]:
    """Over 40 councils whose failure rates never change: how many have a change that looks clear on
    its own, and how many a change called clear once the report's comparisons are allowed for."""
    alone = together = 0
    for seed in range(40):
        raw, clear, verdicts = report_flags(constant_council(seed))
        assert clear == sum("a clear change" in v for v in verdicts)
        alone += raw > 0
        together += clear > 0
    return alone, together


@pytest.mark.slow
def test_allowing_for_every_comparison_removes_most_false_flags():
    """Without the allowance half the constant councils show a clear change somewhere (the test would
    fail without it); with it, at most a third as many (measured 2026-12-07 with Holm at 5%: 5 of 40;
    at the report's 1%, :data:`cxinsight.headlines.CLEAR_CHANGE_ALPHA`, 2 or fewer)."""
    alone, together = forty_constant_councils()
    assert alone >= 15, alone
    assert 3 * together <= alone, (alone, together)


@pytest.mark.slow
def test_a_council_whose_rate_never_changes_is_flagged_on_no_page_in_95_percent_of_seeds():
    """Issue 29's bar: at most 2 of 40 constant-rate councils show a clear change anywhere, with
    Holm at the report's family level (1%: 2 of 120 seeds measured; at 5% it was 7 of 120)."""
    _, together = forty_constant_councils()
    assert together <= 2, together
