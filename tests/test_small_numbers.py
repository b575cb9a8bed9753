"""Small numbers in sentences, chart tables and takeaways, not only in tables (issue 28, build point 5).

The rule (:func:`cxinsight.publish.pins_small_count`) on its own, then over every figure, chart table
and "what this means" sentence the figures stage makes for a small council (3,000 contacts: services
with a handful of complaints are the hard case). The built demo report's pages, sentence by sentence,
are checked in ``tests/test_reports.py`` (it reuses the report the suite builds once).
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cxinsight import headlines, publish
from cxinsight.headlines import Headline

PROJECT = Path(__file__).resolve().parents[1]


# ---- the rule ---------------------------------------------------------------------------------------

def test_ten_of_fifteen_pins_the_five_outside():
    assert publish.pins_small_count(10 / 15, 15)
    assert publish.pins_small_count("67%", "15")
    assert publish.pins_small_count("67%", "15 complaints", "42% to 85%")


def test_twenty_percent_of_ten_pins_two_and_half_of_a_thousand_does_not():
    assert publish.pins_small_count(0.2, 10) and publish.pins_small_count("20%", "10")
    assert not publish.pins_small_count(0.5, 1000) and not publish.pins_small_count("50%", "1,000", "47% to 53%")


def test_an_interval_with_its_base_pins_even_without_the_share():
    assert publish.pins_small_count(None, 15, (0.47, 0.93))  # 8 to 13 of 15: 2 to 7 outside, whatever the share
    assert not publish.pins_small_count(None, 1000, (0.47, 0.53))


def test_a_wilson_interval_pins_the_count_with_no_base_shown():
    """The takeaway that gave complaint counts away: a share and its Wilson interval, no base."""
    assert publish.pins_small_count("67%", None, "41% to 85%")  # only 10 of 15 shows so
    assert not publish.pins_small_count("45%", None, "43% to 47%")
    assert not publish.pins_small_count("67%")  # a share alone: any base would do


def test_the_answer_is_yes_or_no_never_the_count():
    assert publish.pins_small_count("99.5", "1,400") is True  # 1,393 of 1,400: 7 outside
    assert not hasattr(publish, "pinned_count")


def test_suppressed_shares_stay_suppressed_through_every_formatter():
    h = headlines.published(Headline("complaints_on_time", "x", 10 / 15, 0.417, 0.848, 15,
                                     "stage 1 complaints answered"))
    assert h.estimate is None and h.low is None and publish.is_suppressed_note(h.note)
    shown = headlines.describe(h)
    assert (shown["value"], shown["interval"]) == ("*", "") and shown["note"] == publish.suppressed_note()
    assert headlines.table([h]).iloc[0][["Figure", "Range"]].tolist() == ["*", ""]
    assert headlines.change_parts(h, h)["verdict"] == "too few to compare"
    assert not publish.pins_small_count(shown["value"], shown["base"], shown["interval"])
    frame = publish.suppress_pinned(pd.DataFrame({"estimate": [10 / 15, 0.5], "low": [0.417, 0.47],
                                                  "high": [0.848, 0.53], "n": [15, 1000]}))
    assert frame["estimate"].isna().tolist() == [True, False] and frame["suppressed"].iloc[1] == ""
    assert publish.drawable(frame)["n"].tolist() == [1000]
    assert publish.download_frame(frame[["estimate"]])["estimate"].isna().iloc[0]


def test_a_share_that_passes_is_shown_as_computed():
    h = Headline("failure_share", "x", 0.45, 0.43, 0.47, 1000, "contacts")
    assert headlines.published(h) is h and headlines.describe(h)["value"] == "45%"


def test_a_stricter_council_rule_is_the_one_applied():
    with publish.using(publish.Publishing(small_max=10, round_to=10)):
        assert publish.pins_small_count(0.9, 100)  # 10 outside
        assert publish.suppressed_note().endswith("1 to 10")
    assert not publish.pins_small_count(0.9, 100)


# ---- every number a page is made from, for a small council ------------------------------------------

SHARE = r"(-?\d+(?:\.\d+)?%)"
INTERVAL = re.compile(rf"{SHARE} to {SHARE}")
# a base: "base 15", "Base: 1,000 contacts", "of 40 contacts", "75 survey responses" (a bare "of 5" is a scale)
# ("fewer than 30 contacts" is a threshold, not a base)
BASE = re.compile(r"[Bb]ase:? (\*|\d[\d,]*)"
                  r"|(?<!than )(?<!least )(?<![\d,])(\*|\d[\d,]*) (?:survey )?(?:responses|contacts|customers|complaints)\b")
#: "95% interval": the interval's level, not a share
LEVEL = re.compile(r"\d+% (?:simultaneous )?intervals?\b")


def sentence_shares(text: str):
    """Every share in ``text`` with the interval that follows it and the base in the same sentence:
    ``(share, base or None, interval or None, sentence)``, as a reader would put them together."""
    for sentence in re.split(r"(?<=\.)\s+|\n+", text):
        intervals = [(m.start(), m.end(), m.group(0)) for m in INTERVAL.finditer(sentence)]
        inside = [(a, b) for a, b, _ in intervals]
        bases = [m.group(1) or m.group(2) for m in BASE.finditer(sentence)]
        levels = [(m.start(), m.end()) for m in LEVEL.finditer(sentence)]
        for m in re.finditer(SHARE, sentence):
            if any(a <= m.start() < b for a, b in inside + levels):
                continue
            after = next((t for a, _, t in intervals if a > m.end()), None)
            yield m.group(1), (bases[0] if bases else None), after, sentence
        for _a, _, t in intervals if not re.search(SHARE, INTERVAL.sub("", sentence)) else []:
            if bases:  # an interval with its base and no share
                yield None, bases[0], t, sentence


def pinned_in(text: str) -> list[tuple]:
    out = []
    for share, base, interval, sentence in sentence_shares(text):
        for b in {base, None}:
            if publish.pins_small_count(share, b, interval):
                out.append((share, b, interval, sentence[:160]))
    return out


def test_the_sentence_reader_finds_the_leak_it_is_for():
    assert not pinned_in("**52%** satisfied (4-5 of 5; interval 50% to 56%).")
    assert not pinned_in("NPS is -22 (95% interval -45 to +4, 40 survey responses).")
    assert not pinned_in("22% are failure demand (95% interval 19% to 28%); channels with fewer than 30 contacts are not shown.")
    leak = "The weakest point is stage 2: answered within 20 working days, 67% on time (95% interval 41% to 85%)."
    assert pinned_in(leak)
    assert pinned_in("Stage 1: 20% answered (95% interval 6% to 51%; base 10 complaints whose deadline has passed).")
    assert not pinned_in("45% of the council's contacts are failure demand (95% interval 43% to 47%).")


@pytest.fixture(scope="module")
def small_council(tmp_path_factory):
    """A 3,000-contact demo council: generated, processed, analysed and its figures made (every
    service with a page), in a data folder of its own."""
    root = tmp_path_factory.mktemp("small_council")
    env = {**os.environ, "CXINSIGHT_DATA_DIR": str(root / "data"), "CXINSIGHT_REPORTS_DIR": str(root / "reports"),
           "PYTHONPATH": str(PROJECT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    for step in (["demo", "--contacts", "3000", "--seed", "5"], ["pipeline"], ["analyse"]):
        subprocess.run([sys.executable, "-m", "cxinsight.cli", "-q", *step], env=env, check=True, cwd=PROJECT)
    return root / "data" / "processed"


SHARE_TABLES = {"failure_by_channel": ("estimate", "n"), "on_time": ("share", "base"),
                "segments": ("share", "base")}


@pytest.mark.slow  # builds a small council's every page (about 30 s): in `make test-slow` and CI (issue 31: `make test` in under 3 minutes)
def test_no_figure_table_or_sentence_of_a_small_council_pins_a_count(small_council):
    from cxinsight import figures

    checked, pinned = 0, []
    for scope in figures.scopes(small_council):
        page = figures.read_page(small_council, scope)
        for h in page.headlines:
            d = headlines.describe(h)
            if headlines.MEASURES[h.measure][1] == "share" and h.estimate is not None:
                checked += 1
                if headlines.pins(h) or publish.pins_small_count(d["value"], d["base"], d["interval"]) \
                        or publish.pins_small_count(d["value"], None, d["interval"]):
                    pinned.append((scope, h.measure, d["value"], d["interval"], d["base"]))
            for _, text, _ in h.changes:
                pinned += [(scope, h.measure, "change", *p) for p in pinned_in(text)]
        for name, (share, base) in SHARE_TABLES.items():
            table = getattr(page, name)
            if table.empty:
                continue
            shown = table.loc[table[share].notna()]
            checked += len(shown)
            bad = publish.pinning(shown, share, base)
            pinned += [(scope, name, r[share], r[base]) for r in shown.loc[bad].to_dict("records")]
        if len(page.drivers) and "share_of_failure" in page.drivers:
            d = page.drivers.loc[page.drivers["share_of_failure"].notna()]
            checked += len(d)
            base = (d["contacts"] / d["share_of_failure"]).round()
            pinned += [(scope, "drivers", k, n) for k, n in zip(d["contacts"], base, strict=True)
                       if publish.gives_away(k, n)]
        for action in page.actions:
            pinned += [(scope, "action", *p) for p in pinned_in(action)]
    assert checked >= 30, checked
    assert not pinned, pinned[:10]


@pytest.mark.slow  # builds a small council's every page (about 30 s): in `make test-slow` and CI (issue 31: `make test` in under 3 minutes)
def test_a_small_council_has_suppressed_figures_to_test(small_council):
    """The small council is the hard case only if something in it had to be suppressed."""
    from cxinsight import figures

    found = 0
    for scope in figures.scopes(small_council):
        page = figures.read_page(small_council, scope)
        found += sum(publish.is_suppressed_note(h.note) for h in page.headlines)
        for name in SHARE_TABLES:
            t = getattr(page, name)
            found += int((t.get("suppressed", pd.Series(dtype=str)) != "").sum()) if len(t) else 0
    assert found > 0
    assert not math.isnan(found)
