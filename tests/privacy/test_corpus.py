"""Redaction and the independent last gate, measured on planted personal data and ordinary council text.

Two corpora (see README.md here): ``planted.tsv`` (development: the redactor's and the gate's rules
were written against it) and ``held_out.tsv`` (written after the rules, scored once before any change;
the first-run figures are kept in README.md). Both must clear the acceptance bars of issue 12:
recall >= 0.98 overall and >= 0.95 for every kind, false positives <= 2% on ordinary council phrases,
and the gate alone catches >= 0.95 of what the redactor is made to miss.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cxinsight import gate, privacy, publish
from tests.privacy import corpus

CORPORA = ["planted.tsv", "held_out.tsv"]
KINDS = {"EMAIL", "PHONE", "POSTCODE", "ADDRESS", "DOB", "VEHICLE", "BANK", "CARD", "NI_NUMBER", "NHS_NUMBER",
         "NAME"}


def _redaction_recall(items: pd.DataFrame) -> pd.Series:
    out = privacy.redact_text(items["text"])
    return pd.Series([corpus.redacted_away(s, o, t) for s, o, t in zip(items.secret, out, items.text, strict=True)],
                     index=items.index)


def _gate_recall(items: pd.DataFrame) -> pd.Series:
    caught = []
    for r in items.itertuples():
        text, secret = gate.normalise(r.text), gate.normalise(r.secret)
        a = text.index(secret)
        caught.append(any(start < a + len(secret) and end > a for _, start, end in gate.findings(r.text)))
    return pd.Series(caught, index=items.index)


def test_the_corpus_is_big_enough_and_covers_every_kind():
    items = pd.concat([corpus.planted(name) for name in CORPORA])
    assert len(items) >= 300 and len(corpus.ordinary()) >= 100
    assert set(items["kind"]) == KINDS
    assert items.groupby("kind").size().min() >= 25


@pytest.mark.parametrize("name", CORPORA)
def test_redaction_recall_overall_and_for_every_kind(name):
    items = corpus.planted(name)
    items["caught"] = _redaction_recall(items)
    by_kind = items.groupby("kind")["caught"].mean()
    missed = items.loc[~items["caught"], ["kind", "text"]].to_dict("records")
    assert items["caught"].mean() >= 0.98, missed
    assert (by_kind >= 0.95).all(), (by_kind[by_kind < 0.95].to_dict(), missed)


def test_names_without_a_title_or_a_cue_word_are_redacted():
    """``held_out_names.tsv``: names as call handlers write them, with no title and none of the cues
    the first rules knew ("Priya Raman rang", "passed to Sarah Kowalski (Revenues Officer)", "tenant
    Olumide Bakare"). The redactor found none of 40 before the rules for them (README.md); now at
    least 95%, and the gate alone at least 85%."""
    items = corpus.planted("held_out_names.tsv")
    caught = _redaction_recall(items)
    assert caught.mean() >= 0.95, items.loc[~caught, "text"].tolist()
    assert _gate_recall(items).mean() >= 0.85


def test_a_name_written_alone_is_redacted():
    """``held_out_lone_names.tsv``: one name alone, as call handlers most often write it ("Hughes rang
    again", "per Gareth (team lead)", "left vm for Sandra", "Yetunde's son rang", "Okonkwo family at
    no 12"). Before the lone-name rules the redactor found none of 40 (and the gate none); now at
    least 95% (the gate, independently, 45%). The 30 ordinary phrases written with them ("Resident rang", "per Section 21",
    "Monday's round was missed") are in ordinary.txt."""
    items = corpus.planted("held_out_lone_names.tsv")
    caught = _redaction_recall(items)
    assert caught.mean() >= 0.95, items.loc[~caught, "text"].tolist()
    assert _gate_recall(items).mean() >= 0.45  # the gate, from its gazetteers alone: 19 of 40 (none before)


def test_a_capitalised_word_opening_a_note_is_not_taken_for_a_name():
    """Real and demo notes open with things, roles and abbreviations, not people: none of these is
    touched by the lone-name rules (each was, in a draft of them, on FixMyStreet, SeeClickFix or the
    demo's notes)."""
    notes = ["Sofa left on sidewalk near new construction homes", "There's a pothole outside the school",
             "As stated on the council website the bay is not reserved", "Dog's mess outside the shop",
             "On left side of the road as you exit onto the main road", "Mr called caller asking about vouchers",
             "Cx rang to apply for a student exemption", "Csmtr rang to pay a PCN",
             "Recycling - wants to sign up to garden waste", "neighbor Storing inoperable vehicles in the yard"]
    assert privacy.redact_text(pd.Series(notes)).tolist() == notes


def test_ordinary_council_phrases_are_left_alone():
    phrases = corpus.ordinary()
    out = privacy.redact_text(pd.Series(phrases))
    changed = [(a, b) for a, b in zip(phrases, out, strict=True) if a != b]
    assert len(changed) / len(phrases) <= 0.02, changed


@pytest.mark.parametrize("name", CORPORA)
def test_the_gate_alone_catches_what_the_redactor_is_made_to_miss(name):
    """With redaction switched off every planted item reaches the gate; it must catch >= 95% of them."""
    items = corpus.planted(name)
    items["caught"] = _gate_recall(items)
    missed = items.loc[~items["caught"], ["kind", "text"]].to_dict("records")
    assert items["caught"].mean() >= 0.95, missed


def test_the_gate_is_quiet_on_ordinary_council_phrases():
    flagged = [p for p in corpus.ordinary() if gate.findings(p)]
    assert len(flagged) / len(corpus.ordinary()) <= 0.02, flagged


def test_gate_scan_flags_each_planted_file_with_the_redactor_switched_off(tmp_path, monkeypatch):
    """The last gate over generated files, with the redactor's own patterns disabled: the independent
    detector alone stops the hand-over."""
    monkeypatch.setattr("cxinsight.privacy.find_personal_data", lambda text, kinds=None: {})
    items = corpus.planted()
    for k, r in enumerate(items.itertuples()):
        (tmp_path / f"page_{k}.html").write_text(f"<html><body><p>Verbatim: {publish.escape_text(r.text)}</p>"
                                                 "</body></html>", encoding="utf-8")
    found = publish.scan_for_personal_data(tmp_path)
    assert set(found["detector"]) == {"gate"}
    share = found["file"].nunique() / len(items)
    assert share >= 0.95
    with pytest.raises(publish.PersonalDataFound):
        publish.assert_no_personal_data(tmp_path)


def test_findings_never_carry_the_value(tmp_path):
    (tmp_path / "a.csv").write_text("note\nring 07700 900123 or jane.smith@gmail.com\n", encoding="utf-8")
    found = publish.scan_for_personal_data(tmp_path)
    assert not found.empty
    assert "07700" not in found.to_csv() and "jane" not in found.to_csv()
