"""Back tests: the pipeline on the seeded demo council recovers what the answer key planted."""

from __future__ import annotations

import pandas as pd
import pytest

from cxinsight import privacy, pseudonym, schemas
from cxinsight.pipeline import read_processed

DATE_REASONS = {"unparseable_date", "date_out_of_range"}


@pytest.fixture(scope="module")
def contacts(demo):
    return demo["result"].tables["contacts"].set_index("contact_id", drop=False)


@pytest.fixture(scope="module")
def truth(demo):
    return demo["key"]["contacts_truth"].set_index("contact_id")


@pytest.fixture(scope="module")
def defects(demo):
    return demo["key"]["defects"]


@pytest.fixture(scope="module")
def quarantine(demo):
    return demo["result"].quarantine


def test_row_accounting_is_exact_for_every_file(demo):
    acc = demo["result"].accounting
    assert len(acc) == 7
    assert (acc["rows_in"] == acc["rows_clean"] + acc["rows_quarantined"]).all()
    written = read_processed("row_accounting", demo["processed"])
    pd.testing.assert_frame_equal(written[["rows_in", "rows_clean", "rows_quarantined"]].astype("int64"),
                                  acc[["rows_in", "rows_clean", "rows_quarantined"]].astype("int64"))


def test_rows_in_match_the_physical_records_written(demo, defects):
    """Rows in = the contacts in each extract window + planted duplicate rows + planted blank rows."""
    from cxinsight.synthetic.exports import quarter_windows
    from tests.built_once import TEST_SPEC

    acc = demo["result"].accounting.set_index("source_file")
    truth = demo["key"]["contacts_truth"]
    files = demo["key"]["planted"]["files"]
    for file, (_, start, end) in zip(files, quarter_windows(TEST_SPEC), strict=True):
        d = defects.loc[defects["file"] == file, "defect"]
        in_window = truth["received_at"].between(start, end, inclusive="left").sum()
        expected = in_window + (d == "duplicate_row").sum() + (d == "blank_row").sum()
        assert acc.loc[file, "rows_in"] == expected, file


def test_clean_contact_ids_are_unique_and_all_recoverable_contacts_present(contacts, truth, defects):
    assert contacts["contact_id"].is_unique
    lost = set(defects.loc[(defects["table"] == "contacts") & (defects["defect"] == "impossible_date"), "record_id"])
    expected = set(truth.index) - lost
    assert expected <= set(contacts.index), f"{len(expected - set(contacts.index))} contacts lost"
    assert set(contacts.index) <= set(truth.index)


def test_quarantine_defects_are_quarantined_with_a_fitting_reason(defects, quarantine):
    q = quarantine.assign(key=quarantine["source_file"] + "|" + quarantine["record_id"].fillna(""))
    reasons = q.groupby("key")["reason"].agg(set)
    date_quarantined_ids = set(q.loc[q["reason"].isin(DATE_REASONS), "record_id"])
    d = defects.loc[(defects["handling"] == "quarantine") & (defects["defect"] != "blank_row")]
    assert len(d) > 0
    for row in d.itertuples():
        rid = row.record_id.split("/")[0]  # complaints: CMP-00001/1 -> CMP-00001
        got = reasons.get(f"{row.file}|{rid}", set())
        if row.defect == "impossible_date":
            assert got & DATE_REASONS, (row.file, rid, got)
        elif row.defect == "out_of_range_score":
            assert "out_of_range" in got, (row.file, rid, got)
        elif row.defect == "overlapping_extract":
            assert got or rid in date_quarantined_ids, (row.file, rid)
        else:  # duplicate_row
            assert got & ({"duplicate"} | DATE_REASONS), (row.file, rid, got)


def test_blank_rows_counted_exactly_per_file(defects, quarantine):
    planted = defects.loc[defects["defect"] == "blank_row"].groupby("file").size()
    found = quarantine.loc[quarantine["reason"] == "blank_row"].groupby("source_file").size()
    assert planted.sum() > 0
    pd.testing.assert_series_equal(planted.sort_index(), found.reindex(planted.index).fillna(0).astype(int).sort_index(),
                                   check_names=False)
    assert set(found.index) <= set(planted.index)


def test_repaired_defects_hold_the_true_value(contacts, truth, defects):
    d = defects.loc[(defects["table"] == "contacts") & (defects["handling"] == "repair")]
    source = contacts["source_file"]
    for defect, rows in d.groupby("defect"):
        # The repaired copy is the one kept: skip records whose kept copy came from another
        # (overlapping) file, or which were quarantined for another reason.
        ids = [i for i, f in zip(rows["record_id"], rows["file"], strict=True)
               if i in source.index and source[i] == f]
        assert len(ids) >= 0.9 * len(rows), (defect, len(ids), len(rows))
        got, want = contacts.loc[ids], truth.loc[ids]
        if defect in {"mixed_date_format", "excel_serial_date"}:
            assert (got["received_at"].dt.floor("min") == want["received_at"].dt.floor("min")).all(), defect
        elif defect == "leading_zeros_stripped":
            assert (got["customer_id"] == pseudonym.pseudonymise(want["customer_id"], "customer")).all()
        elif defect == "negative_duration":
            assert got["handle_seconds"].isna().all()
        elif defect == "excel_error_value":
            assert got["wait_seconds"].isna().all()
        elif defect == "missing_channel":
            assert (got["channel"] == "other").all()
        elif defect == "embedded_newline":
            assert got["notes"].str.contains("\n").all()
        else:
            pytest.fail(f"no check for planted repair {defect!r}")


def test_every_clean_contact_matches_the_truth(contacts, truth, defects):
    """Channels, services, times, customers: the whole cleaning recovers what was planted."""
    t = truth.loc[contacts.index]
    missing_channel = set(defects.loc[defects["defect"] == "missing_channel", "record_id"])
    ok_channel = contacts.index.isin(list(missing_channel)) | (contacts["channel"].astype(str) == t["channel"])
    assert ok_channel.all()
    assert (contacts["service"].astype(str) == t["service"]).all()
    assert (contacts["received_at"].dt.floor("min") == t["received_at"].dt.floor("min")).all()
    known = t["customer_id"] != ""  # the processed data holds each id's keyed pseudonym, never the id
    assert (contacts.loc[known, "customer_id"] == pseudonym.pseudonymise(t.loc[known, "customer_id"], "customer")).all()
    assert contacts.loc[~known, "customer_id"].isna().all()
    staffed = t["staff_id"] != ""
    assert (contacts.loc[staffed, "staff_id"] == pseudonym.pseudonymise(t.loc[staffed, "staff_id"], "staff")).all()
    assert contacts.loc[~staffed, "staff_id"].isna().all()


def test_no_planted_personal_data_survives_into_processed(demo):
    pii = demo["key"]["pii"]
    assert {"email", "phone", "postcode", "ni_number", "name"} <= set(pii["kind"])
    text = []
    for path in demo["processed"].glob("*.parquet"):
        frame = pd.read_parquet(path)
        for col in frame.columns:
            if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col]):
                text.append("\n".join(frame[col].dropna().astype(str).unique()))  # each distinct value once
    blob = "\n".join(text)
    survived = pii.loc[[v in blob for v in pii["value"]]]
    assert survived.empty, survived.head(10).to_dict("records")
    for path in demo["processed"].iterdir():
        if path.suffix in {".json", ".csv"}:
            content = path.read_text(encoding="utf-8")
            assert not any(v in content for v in pii["value"]), path.name


def test_processed_free_text_has_nothing_shaped_like_personal_data(demo):
    for table, frame in demo["result"].tables.items():
        for col in schemas.TEXT_FIELDS[table]:
            if col in frame:
                assert not privacy.contains_personal_data(frame[col]).any(), (table, col)


def test_the_manifest_records_every_free_text_column_checked_before_writing(demo):
    """Page 01 shows the pipeline's record of the columns it checked value by value (rather than reading
    every text again): the record names every free-text column of every table, as written and read back."""
    from cxinsight.pipeline import read_result

    for result in (demo["result"], read_result(demo["processed"])):
        for table, frame in result.tables.items():
            assert sorted(result.scanned[table]) == sorted(c for c in schemas.TEXT_FIELDS[table] if c in frame), table
    assert "notes" in demo["result"].scanned["contacts"]


def test_processed_tables_validate_and_round_trip(demo):
    for table in ("contacts", "complaints", "survey", "areas"):
        frame = read_processed(table, demo["processed"])
        schemas.validate(table, frame)
        assert len(frame) == len(demo["result"].tables[table])


def test_repeat_links_recover_planted_follow_ups(contacts, truth):
    """Planted follow-ups within 14 days of their parent contact are flagged as repeats."""
    t = truth.loc[contacts.index]
    planted = (t["follow_up_of"] != "") & (t["customer_id"] != "") & t["follow_up_of"].isin(contacts.index)
    # The gap as the exports record it (some systems keep minutes only, so it can differ from the
    # true gap by seconds).
    recorded = contacts["received_at"]
    gap = (recorded - t["follow_up_of"].map(recorded)) / pd.Timedelta(days=1)
    within = planted & (gap <= 14)
    assert within.sum() > 1_000
    assert contacts.loc[within, "is_repeat"].all()
    # The link points at the planted parent, or at a contact by the same customer on the same
    # service that came between the parent and the follow-up.
    prev = contacts.loc[within, "previous_contact_id"]
    parent = t.loc[within, "follow_up_of"]
    between = ((prev != parent)
               & (truth.loc[prev, "customer_id"].to_numpy() == t.loc[within, "customer_id"].to_numpy())
               & (truth.loc[prev, "service"].to_numpy() == t.loc[within, "service"].to_numpy())
               & (recorded.loc[prev].to_numpy() >= recorded.loc[parent].to_numpy())
               & (recorded.loc[prev].to_numpy() <= recorded.loc[within].to_numpy()))
    assert ((prev == parent) | between).all()
    assert (prev == parent).mean() > 0.7
    beyond = planted & (gap > 14)
    assert contacts.loc[beyond, "previous_contact_id"].notna().all()
