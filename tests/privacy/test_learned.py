"""The learned tagger (cxinsight.gate.learned): what it was taught from, where it reads, and that the
weights shipped are the ones its recipe makes. How well it reads notes nobody here wrote is measured in
test_blind.py (the third and fourth corpora, aggregates only)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxinsight import gate, gate_learning
from cxinsight.demand.measures import top_drivers
from cxinsight.gate import learned

#: The blind corpora that judge the rules and the tagger: never taught from.
JUDGES = ("third/items.tsv", "fourth/items.tsv")


def test_it_is_never_taught_from_the_judges():
    assert not set(gate_learning.TRAINING) & set(JUDGES)
    assert all((gate_learning.corpus_dir() / f).exists() for f in (*gate_learning.TRAINING, *JUDGES))


def test_the_shipped_weights_are_arrays_not_pickles():
    data = np.load(learned.WEIGHTS, allow_pickle=False)
    assert data["coef"].shape == (len(data["features"]), len(learned.CLASSES))
    assert data["intercept"].shape == (len(learned.CLASSES),)


def test_it_reads_names_the_rules_leave_in_free_text_only():
    """A lower-case name after a verb the rules do not know: the tagger reads it; the gate's rules,
    which read pages, do not use the tagger at all."""
    note = "bin missed again, sorted by tomasz on the crew, third week"
    assert gate.findings(note) == []
    found = learned.free_text_findings(note)
    assert [(k, note[s:e]) for k, s, e in found] == [("NAME", "tomasz")]


@pytest.mark.parametrize("note", [
    "the bins were not collected on Monday, third week running",
    "Council Tax band D; direct debit set up from April",
    "pothole on the High Street outside the library, about a foot wide",
])
def test_everyday_notes_are_left_alone(note):
    assert learned.tag(note) == []


def test_a_word_costs_the_same_wherever_it_is_scored():
    """Each word's contribution at each offset is worked out once: scoring a note twice gives the same
    probabilities, and a note's probabilities do not depend on what was scored before it."""
    a = "neighbour kwame mensah keeps leaving bags out"
    first = learned.model().probabilities([c for _, _, c in learned.tokens(a)])
    learned.tag("spoke to agnieszka about the garden waste sticker")
    again = learned.model().probabilities([c for _, _, c in learned.tokens(a)])
    assert np.allclose(first, again)
    assert np.allclose(first.sum(axis=1), 1)


def test_an_approved_note_the_second_detector_reads_a_name_in_is_not_quoted():
    notes = ["bin missed again, sorted by tomasz on the crew, third week", "still no bin at all, third week",
             "bin not emptied again, crew skipped the road"]
    c = pd.DataFrame({"contact_id": ["1", "2", "3"], "service": ["waste"] * 3, "failure_type": ["not_done"] * 3,
                      "demand": ["failure"] * 3, "notes": notes})
    quoted = top_drivers(c, approved={"1", "2", "3"}, examples=3)["examples"].iloc[0].split(" | ")
    assert sorted(quoted) == sorted(notes[1:])


@pytest.mark.slow
def test_the_shipped_weights_are_what_the_recipe_makes():
    """Fitting again from the corpora (``python -m cxinsight.gate_learning``) reads the corpora the way
    the shipped weights do: at least 99% of their words given the same class. (Not every digit: the
    real texts taught as not personal are those the rules find nothing in, so a rule change moves a
    few of them.)"""
    features, coef, intercept = gate_learning.fit([gate_learning.corpus_dir() / f for f in gate_learning.TRAINING])
    fresh = learned.Tagger(features, coef, intercept)
    same = total = 0
    for f in gate_learning.TRAINING:
        for _, _, text, _ in gate_learning.read_corpus(gate_learning.corpus_dir() / f):
            chunks = [c for _, _, c in learned.tokens(text)]
            a = learned.model().probabilities(chunks).argmax(axis=1)
            b = fresh.probabilities(chunks).argmax(axis=1)
            same += int((a == b).sum())
            total += len(chunks)
    assert same / total >= 0.99
