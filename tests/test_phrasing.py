"""Issue 29: the words the numbers support (cxinsight.phrasing), a test for each wrong sentence the
issue found and properties every comparative sentence must keep."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from cxinsight import headlines, phrasing, publish
from cxinsight.headlines import Headline, change_sentence

shares = st.floats(0.0, 1.0, allow_nan=False)
money_values = st.floats(-5e6, 5e6, allow_nan=False)


# ---- each wrong sentence -----------------------------------------------------------------------

def test_no_pound_zero_k():
    """"£0k" for a figure that is not nothing."""
    assert publish.money(-400) == "-£400" and publish.money(300) == "£300" and publish.money(0) == "£0"
    assert headlines.value_text(400, "money") == "£400"
    assert headlines.interval_text(-400, 9_000, "money") == "-£1k to £9k"  # ends still rounded outward


@given(money_values)
def test_money_never_reads_zero_thousand(x):
    assert publish.money(x) not in ("£0k", "-£0k") and headlines.value_text(x, "money") not in ("£0k", "-£0k")


def test_a_best_lever_only_when_it_clearly_pays():
    """"Lead with channel shift: it has the best NPV, £0k" where every lever's P10 was below zero."""
    levers = pd.DataFrame({"lever": ["digital_push", "fix_failure_first", "both"], "npv_p50": [400.0, -2e3, -1e3],
                           "chance_positive": [0.52, 0.3, 0.4]})
    assert phrasing.best_lever(levers) is None
    assert phrasing.best_lever(levers.assign(chance_positive=[0.85, 0.3, 0.95]))["lever"] == "digital_push"
    assert phrasing.best_lever(levers.assign(chance_positive=[0.5, 0.3, 0.95]))["lever"] == "both"


def test_the_highest_only_when_the_intervals_separate():
    """"Other carries the highest share of failure demand (52%)" from 3 reviewed contacts, interval
    39-65%, with webchat higher in truth."""
    assert phrasing.clearly_highest(["Other", "Webchat", "Phone"], [0.52, 0.50, 0.40], [0.39, 0.47, 0.38],
                                    [0.65, 0.53, 0.42]) is None
    assert phrasing.clearly_highest(["Webchat", "Phone"], [0.50, 0.40], [0.47, 0.38], [0.53, 0.42]) == "Webchat"


def test_no_change_is_said_only_of_no_change():
    """"45% against 46%, no change" on one page and "down 0 points" on another."""
    now = Headline("failure_share", "council", 0.4549, 0.43, 0.48, 5000, "contacts")
    then = Headline("failure_share", "council", 0.4551, 0.43, 0.48, 5000, "contacts")
    said = change_sentence(now, then, "the quarter before")
    assert "45% against 46%" in said and "no change" not in said and "a change of less than 1 point" in said
    assert "0 points" not in said


@given(st.floats(-100, 100, allow_nan=False))
def test_change_words_never_say_zero_points(d):
    words = phrasing.change_words(d)
    assert not re.search(r"\b0 points?\b", words)
    assert (words == "no change") == (abs(d) < 0.005)
    if words not in ("no change", "a change of less than 1 point"):
        assert words.startswith("up" if d > 0 else "down")


def test_a_count_in_a_sentence_is_rounded_to_5_and_never_a_bare_star():
    """Counts not rounded to 5 ("1244" beside "1,245") and ``*`` unexplained in prose."""
    assert phrasing.about(1_244) == "about 1,245" and phrasing.count_said(1_244) == "1,245"
    assert phrasing.count_said(3) == "fewer than 8" and "*" not in phrasing.about(5)


def test_the_complaints_base_counts_complaints_due_not_answered():
    """"895 stage 1 complaints answered" where 815 were answered (895 had reached their deadline,
    35 of them still open): the base says what it counts."""
    assert "stage 1 complaints due" in open(headlines.__file__, encoding="utf-8").read()
    from cxinsight.report.render import GLOSSARY

    assert "Complaints due" in GLOSSARY and "still open" in GLOSSARY["Complaints due"]


def test_the_codes_sentence_names_the_extension_the_share_allows():
    """"every one within 10 working days" without the extension the on-time share counts."""
    from cxinsight.actions import _complaints_action
    from cxinsight.headlines import COUNCIL, Figures

    f = Figures(COUNCIL, [Headline("complaints_on_time", "council", 0.62, 0.55, 0.69, 200,
                                   "stage 1 complaints due")], {})
    said = _complaints_action(f)
    assert "10 working days (20 where an extension was agreed" in said


def test_a_minus_sign_stays_with_its_number():
    from cxinsight.report.render import page

    html = page("t", "<td>-£21k to £67k</td><p>well-known -£3k</p>", [], "")
    assert "-\u2060£21k" in html and "-\u2060£3k" in html and "well-known" in html


# ---- properties ----------------------------------------------------------------------------------

def _ends(text: str) -> tuple[float, float]:
    lo, hi = re.findall(r"-?\d+", text.replace(",", ""))[:2]
    return float(lo), float(hi)


@given(shares, shares)
def test_a_range_in_words_is_never_narrower_than_computed(a, b):
    low, high = min(a, b), max(a, b)
    lo, hi = _ends(phrasing.range_words(low, high))
    assert lo <= 100 * low + 1e-6 and hi >= 100 * high - 1e-6


@given(money_values, money_values)
def test_a_money_range_in_words_covers_the_computed_one_and_names_losses(a, b):
    low, high = min(a, b), max(a, b)
    words = phrasing.range_said(low, high, "money")
    if low < 0 <= high and high >= 500:
        assert "loss" in words and "gain" in words
    if high < 0:
        assert "loss" in words and "gain" not in words
    if low >= 0:
        assert "loss" not in words


@settings(max_examples=200)
@given(st.lists(st.tuples(shares, st.floats(0, 0.3), st.floats(0, 0.3)), min_size=2, max_size=8))
def test_every_superlative_is_supported_by_the_intervals(rows):
    """A property of every comparative sentence: a name is called the highest only when its whole
    interval lies above every other's, and never when any other interval reaches it."""
    names = [f"g{i}" for i in range(len(rows))]
    est = [r[0] for r in rows]
    lows = [max(0.0, r[0] - r[1]) for r in rows]
    highs = [min(1.0, r[0] + r[2]) for r in rows]
    top = phrasing.clearly_highest(names, est, lows, highs)
    if top is not None:
        i = names.index(top)
        assert all(lows[i] > highs[j] for j in range(len(names)) if j != i)
        assert est[i] == max(est)
    else:
        i = int(np.argmax(est))
        assert any(lows[i] <= highs[j] for j in range(len(names)) if j != i)


@settings(max_examples=200)
@given(shares, st.floats(0.001, 0.2), shares, st.floats(0.001, 0.2), st.integers(30, 50_000))
def test_a_clear_change_only_when_its_interval_excludes_zero(p1, w1, p2, w2, n):
    now = Headline("complaints_on_time", "x", p1, max(0, p1 - w1), min(1, p1 + w1), n, "stage 1 complaints due")
    then = Headline("complaints_on_time", "x", p2, max(0, p2 - w2), min(1, p2 + w2), n, "stage 1 complaints due")
    parts = headlines.change_parts(now, then)
    if parts["verdict"] == "a clear change":
        lo, hi = (int(x) for x in parts["range"].split(" to "))
        assert lo > 0 or hi < 0


@settings(max_examples=100)
@given(st.lists(st.tuples(st.floats(-1e5, 1e5), st.floats(0, 1)), min_size=1, max_size=4))
def test_a_best_lever_clearly_pays_and_is_the_best_of_those_that_do(rows):
    levers = pd.DataFrame({"lever": [f"l{i}" for i in range(len(rows))], "npv_p50": [r[0] for r in rows],
                           "chance_positive": [r[1] for r in rows]})
    best = phrasing.best_lever(levers)
    paying = levers.loc[levers["chance_positive"] >= phrasing.BEST_LEVER_CHANCE]
    if best is None:
        assert paying.empty
    else:
        assert best["chance_positive"] >= 0.8 and math.isclose(best["npv_p50"], paying["npv_p50"].max())


def test_earns_the_most_only_in_most_of_the_same_draws():
    rng = np.random.default_rng(1)
    base = rng.normal(0, 50, 4000)
    name, chance = phrasing.clearly_most({"both": base + 30, "shift": base, "fix": base - 10})
    assert name == "both" and chance == 1.0
    name, chance = phrasing.clearly_most({"both": base + rng.normal(2, 20, 4000), "shift": base})
    assert name is None and 0.4 < chance < 0.7
