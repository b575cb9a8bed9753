"""Redaction never stops a run (issue 26): the redactor's own check does not flag the tokens it wrote,
redaction is applied again until the check passes, and a row whose free text still fails is withheld,
quarantined with its reason and counted, never published and never the end of the run."""

from __future__ import annotations

import pandas as pd
import pytest

from cxinsight import pipeline, privacy

# Real narrative shapes (the CFPB complaint database's residents write "per the Fair Credit Reporting
# Act", "on behalf of ... Club"): the redactor takes the Act's name for a person's and leaves a token
# before a capitalised word, which its own check used to read again as a name alone ("per Act").
TOKEN_THEN_CAPITAL = ["per [NAME] Act", "on behalf of [NAME] Club", "Mrs [NAME] Jones rang",
                      "Spoke to [NAME] Housing Officer"]


@pytest.mark.parametrize("text", TOKEN_THEN_CAPITAL)
def test_the_check_does_not_flag_the_redactors_own_tokens(text):
    assert privacy.find_personal_data(text) == {}


def test_redacted_real_narrative_passes_its_own_check():
    out = privacy.redact_text(pd.Series(["I disputed it per Fair Credit Reporting Act and the bank ignored me"]))
    assert "[NAME] Act" in out.iloc[0]  # still over-redacted (a brand-name fix is issue 28's)
    assert not privacy.contains_personal_data(out).any()


def test_text_left_holding_personal_data_is_redacted_again():
    out, left, more = privacy.redact_until_clean(pd.Series(["call 07700 900123", "call 07700 900123", "fine"]))
    assert out.tolist() == ["call [PHONE]", "call [PHONE]", "fine"]
    assert left.tolist() == ["", "", ""] and more == {"PHONE": 2}


def _contacts(notes: list[str]) -> pd.DataFrame:
    n = len(notes)
    return pd.DataFrame({"contact_id": [f"C{i}" for i in range(n)], "notes": notes,
                         "source_file": ["a.csv"] * (n - 1) + ["b.csv"], "source_row": range(1, n + 1)})


def test_a_row_the_check_still_fails_is_withheld_not_fatal(monkeypatch):
    # A check that finds something no redaction pass removes (the redactor and its check were built
    # to agree, so the case is made here): the row leaves the clean data for the quarantine.
    real = privacy.find_personal_data
    monkeypatch.setattr(privacy, "find_personal_data",
                        lambda text, *a, **k: {"NAME": 1} if "zebedee" in text else real(text, *a, **k))
    frame = _contacts(["missed bin again", "bin left out for zebedee", "ring 07700 900123"])
    kept, withheld, more = pipeline.withhold_unredactable("contacts", frame)
    assert kept["contact_id"].tolist() == ["C0", "C2"]
    assert kept["notes"].tolist() == ["missed bin again", "ring [PHONE]"]
    assert withheld[["source_row", "record_id", "reason", "column"]].values.tolist() == [
        [2, "C1", pipeline.UNREDACTABLE, "notes"]]
    assert "zebedee" not in withheld.to_csv() and "NAME" in withheld["found"].iloc[0]
    assert more.to_dict("records") == [{"column": "notes", "kind": "PHONE", "redacted": 1}]


def test_the_pipeline_quarantines_withheld_rows_and_accounts_for_them(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    rows = ["Ref,When,How,Service,Notes"] + [
        f"R{i},{13 + i}/04/2024 09:00,Phone,Waste,{note}" for i, note in enumerate(
            ["bin missed", "bin left out for zebedee", "per Fair Credit Reporting Act", "new bin please"] * 3)]
    (raw / "calls.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (raw / "sources.yaml").write_text(
        "council: Test\nexports:\n  - {table: contacts, path: calls.csv, profile: calls}\n", encoding="utf-8")
    (raw / "calls.yaml").write_text(
        "name: calls\ntable: contacts\ncolumns: {contact_id: Ref, received_at: When, channel: How, "
        "service: Service, notes: Notes}\n", encoding="utf-8")
    real = privacy.find_personal_data
    monkeypatch.setattr(privacy, "find_personal_data",
                        lambda text, *a, **k: {"NAME": 1} if "zebedee" in text else real(text, *a, **k))
    result = pipeline.build_processed(raw / "sources.yaml", tmp_path / "processed")
    accounting = result.accounting.iloc[0]
    assert (accounting["rows_in"], accounting["rows_clean"], accounting["rows_quarantined"]) == (12, 9, 3)
    assert (result.quarantine["reason"] == pipeline.UNREDACTABLE).sum() == 3
    stored = pd.read_parquet(tmp_path / "processed" / "contacts.parquet")
    assert len(stored) == 9 and not stored["notes"].str.contains("zebedee").any()
    assert not pd.read_parquet(tmp_path / "processed" / "quarantine.parquet").to_csv().count("zebedee")
