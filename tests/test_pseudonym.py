"""Staff and customer ids as keyed pseudonyms (issue 28, build point 2): the key file, the tokens, and
no raw id from the demo's exports anywhere in the processed, interim, review or figures layers.

Speed is measured in ``benchmarks/bench_pseudonym.py``, not here.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import re
import stat
from pathlib import Path

import pandas as pd
import pytest

from cxinsight import pseudonym
from cxinsight.clean import clean_ids
from cxinsight.pipeline import build_processed


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    """A key file of this test's own (not yet made)."""
    path = tmp_path / "config" / "cxinsight" / "pseudonym.key"
    monkeypatch.setenv(pseudonym.KEY_ENV, str(path))
    return path


def test_the_key_is_made_on_first_use_readable_by_its_owner_only(key_file):
    assert not key_file.exists()
    key = pseudonym.load_key()
    assert key_file.exists() and len(key) == pseudonym.KEY_BYTES
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert pseudonym.load_key() == key  # read back, not made again
    assert bytes.fromhex(key_file.read_text().strip()) == key


def test_the_default_key_lives_in_the_users_config_folder_not_the_data(monkeypatch, tmp_path):
    monkeypatch.delenv(pseudonym.KEY_ENV, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert pseudonym.key_path() == (tmp_path / "xdg" / "cxinsight" / "pseudonym.key").resolve()
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert pseudonym.key_path() == (tmp_path / "home" / ".config" / "cxinsight" / "pseudonym.key").resolve()


@pytest.mark.parametrize("where", ["data", "reports"])
def test_a_key_inside_the_data_or_reports_folder_is_refused(tmp_path, monkeypatch, where):
    monkeypatch.setenv("CXINSIGHT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CXINSIGHT_REPORTS_DIR", str(tmp_path / "reports"))
    inside = tmp_path / where / "processed" / "pseudonym.key"
    monkeypatch.setenv(pseudonym.KEY_ENV, str(inside))
    with pytest.raises(pseudonym.PseudonymKeyError, match=re.escape(str(inside.resolve()))):
        pseudonym.load_key()
    assert not inside.exists()
    with pytest.raises(pseudonym.PseudonymKeyError, match="outside the data and reports folders"):
        pseudonym.token("00000001", "customer")


def test_a_damaged_key_is_refused_naming_the_file(key_file):
    key_file.parent.mkdir(parents=True)
    key_file.write_text("not a key\n")
    with pytest.raises(pseudonym.PseudonymKeyError, match=re.escape(str(key_file))):
        pseudonym.load_key()


def test_tokens_are_keyed_hmac_sha256_with_a_kind_prefix(key_file):
    key = pseudonym.load_key()
    expected = hmac.new(key, b"C:00012345", hashlib.sha256).hexdigest()[:pseudonym.TOKEN_HEX]
    assert pseudonym.token("00012345", "customer") == f"C-{expected}"
    assert re.fullmatch(r"S-[0-9a-f]{16}", pseudonym.token("priya.sharma", "staff"))
    with pytest.raises(ValueError, match="kind must be one of"):
        pseudonym.token("x", "resident")


def test_same_person_same_token_missing_stays_missing(key_file):
    out = pseudonym.pseudonymise(pd.Series([" PSHARMA", "psharma ", "Priya Sharma", "priya.sharma", "", None, "j.smith"],
                                           dtype="str"), "staff")
    assert out[0] == out[1]  # spaces and case do not make another person
    assert out[[1, 2, 3, 6]].nunique() == 4  # the logins need not be linked, but each is hashed
    assert out[[4, 5]].isna().all()
    assert not out.dropna().str.contains("sharma|smith", case=False).any()
    assert pseudonym.token("12345", "customer", zero_pad=8) == pseudonym.token("00012345", "customer")


def test_tokens_are_stable_across_runs_with_one_key_and_differ_with_another(tmp_path, monkeypatch):
    ids = pd.Series(["00000001", "00000002", "A7"], dtype="str")
    monkeypatch.setenv(pseudonym.KEY_ENV, str(tmp_path / "a.key"))
    first = pseudonym.pseudonymise(ids, "customer")
    pseudonym._CACHE.clear()  # a second run reads the key file again
    again = pseudonym.pseudonymise(ids, "customer")
    monkeypatch.setenv(pseudonym.KEY_ENV, str(tmp_path / "b.key"))
    other = pseudonym.pseudonymise(ids, "customer")
    assert first.tolist() == again.tolist()
    assert not set(first) & set(other)


def test_match_finds_the_ids_behind_tokens_in_memory(key_file):
    held = pd.Series([f"{i:08d}" for i in range(1000)])
    wanted = [pseudonym.token("00000042", "customer"), pseudonym.token("00000999", "customer")]
    found = pseudonym.match(wanted, held, "customer")
    assert sorted(found["id"]) == ["00000042", "00000999"]


def _raw_ids(raw: Path) -> dict[str, set[str]]:
    """Every customer and staff id the demo's CRM exports wrote, as written and as the profile
    restores it (leading zeros), placeholders left out."""
    out: dict[str, set[str]] = {"customer": set(), "staff": set()}
    for f in sorted((raw / "crm").glob("*.csv")):
        with open(f, encoding="utf-8-sig", errors="replace", newline="") as fh:  # ids are ASCII
            rows = list(csv.DictReader(fh))
        for header, kind, pad in (("Customer No", "customer", 8), ("Agent", "staff", 6)):
            written = pd.Series([r.get(header) or "" for r in rows], dtype="str").str.strip()
            padded = clean_ids(written, pad).dropna()
            out[kind] |= set(padded) | set(written[written.isin(padded) | written.str.len().ge(4)])
    return {k: {v for v in ids if v} for k, ids in out.items()}


def _layer_files(processed: Path) -> list[Path]:
    from cxinsight.catalog import layer_dir

    files = []
    for layer in ("processed", "interim", "review", "figures"):
        folder = layer_dir(layer, processed)
        files += [p for p in folder.rglob("*") if p.suffix in {".parquet", ".csv", ".json", ".yaml"}]
    return files


@pytest.mark.slow  # analyses the demo and reads every layer: in `make test-slow` and CI (issue 31: `make test` in under 3 minutes)
def test_no_raw_staff_or_customer_id_from_the_demo_reaches_any_layer(demo):
    """Every file the pipeline and the analysis wrote, every cell: no customer or staff id as the
    export wrote it (or with its zeros restored), whole or as a word in a quarantined record."""
    from cxinsight.analysis import build_analysis

    build_analysis(demo["processed"])
    ids = _raw_ids(demo["raw"])
    assert len(ids["customer"]) > 1000 and len(ids["staff"]) >= 5
    every = ids["customer"] | ids["staff"]
    padded = {v for v in every if v.isdigit() and len(v) >= 6}  # as a word inside longer text
    files = _layer_files(demo["processed"])
    assert any(f.name == "contacts.parquet" for f in files) and any("classified" in f.parts for f in files)
    assert any(f.name == "segments.parquet" for f in files) and any(f.name == "quarantine.parquet" for f in files)
    found = []
    for f in files:
        if f.suffix == ".parquet":
            frame = pd.read_parquet(f)
        elif f.suffix == ".csv":
            frame = pd.read_csv(f, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        else:
            frame = pd.DataFrame({"text": [f.read_text(encoding="utf-8")]})
        for col in frame.columns:
            if pd.api.types.is_numeric_dtype(frame[col]) or pd.api.types.is_datetime64_any_dtype(frame[col]):
                continue
            values = pd.Series(frame[col].dropna().astype(str).unique(), dtype="str")
            whole = values.str.strip().isin(every)
            words = values.str.findall(r"(?<![\w-])\d{6,8}(?![\w-])").explode().dropna().isin(padded)
            if whole.any() or words.any():
                found.append((str(f.relative_to(demo["root"])), col))
    assert not found, found
    contacts = pd.read_parquet(demo["processed"] / "contacts.parquet", columns=["customer_id", "staff_id"])
    assert contacts["customer_id"].dropna().str.fullmatch(r"C-[0-9a-f]{16}").all()
    assert contacts["staff_id"].dropna().str.fullmatch(r"S-[0-9a-f]{16}").all()


def test_quarantined_records_show_staff_and_customer_ids_as_pseudonyms(tmp_path):
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "p.yaml").write_text(
        "name: p\ntable: contacts\ncolumns: {contact_id: Ref, received_at: When, channel: How, service: What, "
        "customer_id: Customer, staff_id: Agent}\nzero_pad: {customer_id: 8}\n")
    (tmp_path / "calls.csv").write_text("Ref,When,How,What,Customer,Agent\n"
                                        "1,13/04/2024 09:00,Phone,Waste,4711,priya.sharma\n"
                                        "2,31/02/2024 09:00,Phone,Waste,4711,priya.sharma\n"
                                        "3,13/04/2024 09:00,Phone,Waste,4712,j.smith,extra\n")
    (tmp_path / "sources.yaml").write_text("council: Test\nexports:\n- {table: contacts, path: calls.csv, profile: p}\n")
    build_processed(tmp_path / "sources.yaml", tmp_path / "processed")
    quarantine = pd.read_parquet(tmp_path / "processed" / "quarantine.parquet")
    text = quarantine.astype(str).to_csv()
    assert "4711" not in text and "4712" not in text and "sharma" not in text and "smith" not in text
    dated = quarantine.loc[quarantine["reason"] == "unparseable_date", "record"].iloc[0]
    assert f"Customer={pseudonym.token('00004711', 'customer')}" in dated
    assert f"Agent={pseudonym.token('priya.sharma', 'staff')}" in dated
