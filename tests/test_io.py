"""Loading exports: encodings, delimiters, Excel, profiles, ragged rows and row accounting."""

from __future__ import annotations

import csv
import io
from pathlib import Path

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
    ({"table": "contacts", "colums": {}}, "unknown key 'colums' .did you mean 'columns'"),
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


# ------------------------------------------------------------------------------------------------
# Quoted fields over several lines (RFC 4180) and compressed exports
# ------------------------------------------------------------------------------------------------

CORPUS = Path(__file__).parent / "data" / "demand_corpus"
NOTES_PROFILE = {"name": "notes", "table": "contacts",
                 "columns": {"contact_id": "Ref", "received_at": "When", "channel": "How", "service": "What",
                             "notes": "Notes", "customer_id": "Customer"}}


def _real_reports(n: int = 16) -> list[str]:
    """Real residents' reports (SeeClickFix, Newport) with many commas or quotes, each written back
    over several lines as their authors wrote paragraphs: the shape that CRM notes take."""
    with open(CORPUS / "seeclickfix_newport_rest.csv", encoding="utf-8", newline="") as fh:
        texts = [r["text"] for r in csv.DictReader(fh)]
    chosen = [t for t in texts if t.count(",") >= 5 or '"' in t][:n]
    assert len(chosen) == n and sum('"' in t for t in chosen) >= 3
    return [t.replace(". ", ".\n", 2) for t in chosen]


def _real_rows(eol: str = "\n") -> list[list[str]]:
    return [[f"R{i}", f"{1 + i % 28:02d}/04/2024 09:{i % 60:02d}", "Web", "Highways",
             text.replace("\n", eol), f"C{i}"] for i, text in enumerate(_real_reports())]


@pytest.mark.parametrize("writer, eol", [("csv", "\r\n"), ("csv", "\n"), ("pandas", "\n"), ("pandas", "\r\n")])
def test_valid_quoted_notes_over_several_lines_are_one_record_each(tmp_path, writer, eol):
    rows = _real_rows(eol)
    path = tmp_path / "notes.csv"
    header = list(NOTES_PROFILE["columns"].values())
    if writer == "csv":  # the csv module: CRLF records, "" for a quote, quoted only where needed
        with open(path, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([header, *rows])
    else:
        pd.DataFrame(rows, columns=header).to_csv(path, index=False, lineterminator=eol)
    result = cx.load_contacts(path, profile=NOTES_PROFILE)
    assert result.quarantine.empty, result.quarantine[["source_row", "reason"]].values.tolist()
    assert result.data["notes"].tolist() == [r[4] for r in rows]
    assert result.summary["rows_in"].tolist() == [len(rows)]


def _records(path) -> int:
    """Records counted by the csv module (not cxinsight), header excluded."""
    with open(path, encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


@pytest.mark.parametrize("broken", ["middle", "before_quoted", "at_end"])
def test_a_genuinely_unclosed_quote_among_valid_notes_is_quarantined_and_counted(tmp_path, broken):
    rows = _real_rows("\r\n")
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows([list(NOTES_PROFILE["columns"].values()), *rows])
    lines = buf.getvalue().split("\r\n")
    bad = '99,13/04/2024 09:00,Phone,Waste,"the resident rang back, twice, about it,C99'
    # the line after the break starts a record whose note is quoted (it holds commas)
    at = {"middle": 1 + len(lines) // 2, "before_quoted": 1, "at_end": len(lines) - 1}[broken]
    at = next(i for i in range(at, len(lines)) if lines[i].startswith("R")) if broken != "at_end" else at
    lines.insert(at, bad)
    path = tmp_path / "notes.csv"
    path.write_text("\r\n".join(lines), encoding="utf-8", newline="")
    result = cx.load_contacts(path, profile=NOTES_PROFILE)
    quarantined = result.quarantine.set_index("source_row")
    unclosed = quarantined[quarantined["reason"] == "unclosed_quote"]
    assert len(unclosed) == 1 and unclosed["record"].iloc[0].startswith("99,13/04/2024")
    assert result.summary["rows_in"].tolist() == [_records(path)]
    assert result.rows_in == len(result.data) + len(result.quarantine)
    assert "99" not in result.data["contact_id"].tolist()
    kept = set(result.data["contact_id"])
    assert len(kept) >= len(rows) - 3  # only the records the quote swallowed are lost to the data


def test_a_gzip_compressed_export_reads_as_its_csv_does(tmp_path):
    import gzip

    rows = _real_rows("\r\n")
    header = list(NOTES_PROFILE["columns"].values())
    plain = tmp_path / "plain" / "notes.csv"
    plain.parent.mkdir()
    frame = pd.DataFrame(rows, columns=header)
    frame.to_csv(plain, index=False, sep=";", encoding="cp1252", errors="replace")
    packed = tmp_path / "packed" / "notes.csv.gz"
    packed.parent.mkdir()
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    want = cx.load_contacts(plain, profile=NOTES_PROFILE)
    got = cx.load_contacts(packed.parent, profile=NOTES_PROFILE)  # a folder: .csv.gz files are exports too
    assert got.summary[["rows_in", "rows_clean", "encoding", "delimiter"]].values.tolist() == \
        [[len(rows), len(rows), "cp1252", ";"]]
    pd.testing.assert_frame_equal(got.data.drop(columns="source_file"), want.data.drop(columns="source_file"))
    assert got.data["source_file"].astype(str).unique().tolist() == ["notes.csv.gz"]
