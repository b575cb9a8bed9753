"""Loading exports: encodings, delimiters, Excel, profiles, ragged rows and row accounting."""

from __future__ import annotations

import pandas as pd
import pytest

import cxinsight as cx
from cxinsight.io import ExportError, detect_delimiter, detect_encoding
from cxinsight.profile import ProfileError, builtin_profiles, load_profile

TINY = {"name": "tiny", "table": "contacts",
        "columns": {"contact_id": "Ref", "received_at": "When", "channel": "How", "service": "What",
                    "notes": "Notes"},
        # 03/04 and 04/04 could be day or month first: a profile must say (cxinsight never guesses).
        "date_formats": ["%d/%m/%Y %H:%M"]}
ROWS = [["A1", "03/04/2024 09:00", "TEL", "Council Tax", "Zoë rang, £20 refund"],
        ["A2", "04/04/2024 10:30", "Web form", "Parking", "permit"]]


def _write(path, rows, encoding="utf-8", sep=",", header=("Ref", "When", "How", "What", "Notes")):
    lines = [sep.join(header)] + [sep.join(f'"{v}"' if (sep in v or "\n" in v) else v for v in r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.mark.parametrize("encoding, expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252"), ("utf-16", "utf-16")])
def test_encodings_detected_and_text_kept(tmp_path, encoding, expected):
    path = _write(tmp_path / "x.csv", ROWS, encoding=encoding)
    assert detect_encoding(path) == expected
    result = cx.load_contacts(path, profile=TINY)
    assert result.data["notes"].iloc[0] == "Zoë rang, £20 refund"
    assert result.data.columns[0] == "contact_id"


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_delimiters_detected(tmp_path, sep):
    path = _write(tmp_path / "x.csv", ROWS, sep=sep)
    result = cx.load_contacts(path, profile=TINY)
    assert result.data["service"].tolist() == ["council_tax", "parking"]
    assert detect_delimiter(sep.join(["a", "b", "c"])) == sep


def test_excel_exports_load(tmp_path):
    frame = pd.DataFrame([ROWS[0], [None] * 5, ROWS[1]], columns=["Ref", "When", "How", "What", "Notes"])
    frame.to_excel(tmp_path / "x.xlsx", index=False)
    result = cx.load_contacts(tmp_path / "x.xlsx", profile=TINY)
    assert len(result.data) == 2 and result.quarantine["reason"].tolist() == ["blank_row"]
    assert result.quarantine["source_row"].tolist() == [2]
    assert result.summary["rows_in"].tolist() == [3]


def test_ragged_rows_are_quarantined_with_their_record_number(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Ref,When,How,What,Notes\nA1,03/04/2024 09:00,TEL,Parking,ok\n"
                    "A2,03/04/2024 09:00,TEL,Parking,extra,field\n\n"
                    'A3,03/04/2024 09:00,TEL,Parking,"two\nlines"\nA4,bad date,TEL,Parking,x\n', encoding="utf-8")
    result = cx.load_contacts(path, profile=TINY)
    q = result.quarantine.set_index("source_row")
    assert q.loc[2, "reason"] == "wrong_field_count" and q.loc[2, "found"] == "6 fields"
    assert q.loc[3, "reason"] == "blank_row"
    assert q.loc[5, "reason"] == "unparseable_date" and q.loc[5, "record_id"] == "A4"
    assert result.data["contact_id"].tolist() == ["A1", "A3"]
    assert result.data["notes"].tolist()[1] == "two\nlines"
    assert result.summary["rows_in"].tolist() == [5]


def test_wrong_profile_names_file_column_and_what_the_file_has(tmp_path):
    path = _write(tmp_path / "calls.csv", ROWS, header=("Ref", "Date", "How", "What", "Notes"))
    with pytest.raises(ProfileError) as err:
        cx.load_contacts(path, profile=TINY)
    message = str(err.value)
    assert "calls.csv" in message and "'When'" in message and "received_at" in message
    assert "['Ref', 'Date', 'How', 'What', 'Notes']" in message


@pytest.mark.parametrize("bad, match", [
    ({"table": "contacts", "columns": {"received_at": "a", "channel": "b"}}, r"needs \['service'\]"),
    ({"table": "calls", "columns": {}}, "'table' must be one of"),
    ({"table": "contacts", "columns": {"recieved_at": "a", "channel": "b", "service": "c"}}, "did you mean"),
    ({"table": "contacts", "columns": {"received_at": "a", "channel": "b", "service": "c"},
      "channels": {"x": "pigeon"}}, "expected one of"),
    ({"table": "contacts", "colums": {}}, "unknown keys"),
])
def test_malformed_profiles_are_explained(bad, match):
    with pytest.raises(ProfileError, match=match):
        load_profile(bad)


def test_unknown_profile_name_lists_the_available_ones():
    with pytest.raises(ProfileError, match="demo_crm"):
        load_profile("no_such_system")


def test_shipped_profiles_all_load():
    names = builtin_profiles()
    assert {"demo_crm", "dynamics_case_export"} <= set(names)
    for name in names:
        assert load_profile(name).name == name


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ExportError, match="no export files found|no such file"):
        cx.load_contacts(tmp_path / "nothing*.csv", profile=TINY)


def test_unseen_system_export_loses_no_row(tmp_path):
    """A Dynamics-style case export, never seen by the project, loaded with a profile written for it."""
    header = ["Case Number", "Created On", "Origin", "Subject", "Case Type", "Description",
              "Customer (Account Number)", "LSOA Code", "Status Reason", "Total Time Spent (secs)", "Owner ID",
              "Priority"]
    rows = [
        ["CAS-01001-A1B2", "02/05/2024 08:59", "Phone", "Revenues - Council Tax", "Question",
         "Cust disputes band, tel 07700 900456", "00012345", "E01026150", "Resolved", "245", "u001", "Normal"],
        ["CAS-01002-C3D4", "02/05/2024 09:14", "Portal", "Environment - Waste", "Problem",
         "Bin not emptied AGAIN", "00012346", "e01026151", "In Progress", "", "", "High"],
        ["CAS-01003-E5F6", "2024-05-02 09:20:11", "IoT", "Environment - Waste", "Problem", "sensor", "", "",
         "Resolved", "0", "", "Low"],
        ["CAS-01002-C3D4", "02/05/2024 09:14", "Portal", "Environment - Waste", "Problem",
         "Bin not emptied AGAIN", "00012346", "e01026151", "In Progress", "", "", "High"],
        ["CAS-01004-G7H8", "30/02/2024 11:00", "Walk In", "Housing - Repairs", "Request", "leak", "12347",
         "E01026152", "Resolved", "-5", "u002", "Normal"],
        ["CAS-01005-J9K0", "03/05/2024 14:45", "Chat", "Communities - Leisure", "Question", "pool times", "", "",
         "Resolved", "1:02:03", "u003", "Normal"],
        ["", "", "", "", "", "", "", "", "", "", "", ""],
    ]
    path = tmp_path / "Cases Advanced Find View 2024-05-06.csv"
    frame = pd.DataFrame(rows, columns=header)
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    result = cx.load_contacts(path, profile="dynamics_case_export")
    assert result.rows_in == len(rows)
    assert len(result.data) + len(result.quarantine) == len(rows)
    assert sorted(result.quarantine["reason"]) == ["blank_row", "duplicate", "unparseable_date"]
    data = result.data.set_index("contact_id")
    assert data.loc["CAS-01001-A1B2", "service"] == "council_tax"
    assert data.loc["CAS-01002-C3D4", "channel"] == "web"
    assert data.loc["CAS-01003-E5F6", "channel"] == "other"
    assert data.loc["CAS-01005-J9K0", "service"] == "communities_leisure"  # unmapped: kept, not lost
    assert data.loc["CAS-01005-J9K0", "handle_seconds"] == 3723
    assert data.loc["CAS-01002-C3D4", "lsoa_code"] == "E01026151"


def test_load_result_check_catches_a_lost_row(tmp_path):
    result = cx.load_contacts(_write(tmp_path / "x.csv", ROWS), profile=TINY)
    result.data = result.data.iloc[1:]
    with pytest.raises(AssertionError, match="2 rows in but 1 clean"):
        result.check()


def test_raw_files_are_never_modified(tmp_path):
    path = _write(tmp_path / "x.csv", ROWS + [["A1", "03/04/2024 09:00", "TEL", "Council Tax", "dup"]])
    before = path.read_bytes()
    cx.load_contacts(path, profile=TINY)
    assert path.read_bytes() == before


def test_exports_without_an_id_get_one_from_file_and_row_and_dedupe_on_content(tmp_path):
    profile = {**TINY, "columns": {k: v for k, v in TINY["columns"].items() if k != "contact_id"}}
    path = _write(tmp_path / "calls.csv", [ROWS[0], ROWS[1], ROWS[0]])
    result = cx.load_contacts(path, profile=profile)
    assert result.data["contact_id"].tolist() == ["calls.csv:1", "calls.csv:2"]
    assert result.quarantine["reason"].tolist() == ["duplicate"]
    assert result.quarantine[["source_row", "record_id"]].values.tolist() == [[3, "calls.csv:3"]]


def test_every_field_kind_has_a_parser_and_a_processed_column():
    """The field-kind registry: each kind FIELDS uses is read by one parser (cxinsight.io.PARSERS)
    and checked by one column rule (cxinsight.schemas.KIND_COLUMNS), and no rule is left unused."""
    from cxinsight.io import PARSERS
    from cxinsight.schemas import FIELDS, KIND_COLUMNS

    used = {spec.kind for fields in FIELDS.values() for spec in fields.values()}
    assert used == set(PARSERS) == set(KIND_COLUMNS)


def test_the_processed_schemas_are_generated_from_the_fields():
    from cxinsight.schemas import FIELDS, SCHEMAS

    for table, fields in FIELDS.items():
        columns = SCHEMAS[table].columns
        assert set(fields) | {"source_file", "source_row"} == set(columns), table
        for name, spec in fields.items():
            assert columns[name].required == (not columns[name].nullable), (table, name)
            if spec.required:
                assert columns[name].required and not columns[name].nullable, (table, name)
