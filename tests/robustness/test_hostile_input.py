"""Careless or hostile input beyond the file format: profile options of the wrong type, numbers with
decimal commas, markup and formulas in every field, personal data in fields that are not free text.

Each case asserts its outcome: a clear error naming the option or column, a counted repair, or a
value that is kept as inert text and redacted or pseudonymised where it is personal data.
"""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

import cxinsight as cx
from cxinsight import publish
from cxinsight.cli import main
from cxinsight.io import ExportError
from cxinsight.pipeline import build_processed, read_processed
from cxinsight.profile import Profile, ProfileError
from cxinsight.pseudonym import token

BASE = {"name": "r", "table": "contacts",
        "columns": {"contact_id": "Ref", "received_at": "When", "channel": "How", "service": "What",
                    "notes": "Notes", "customer_id": "Customer", "handle_seconds": "Secs", "reason": "Why",
                    "staff_id": "Agent"}}
HEADER = "Ref,When,How,What,Notes,Customer,Secs,Why,Agent"


@pytest.mark.parametrize("option, value, message", [
    ("encoding", "utf-9", "'encoding' must be 'auto' or a text encoding"),
    ("encoding", 8, "'encoding' must be"),
    ("delimiter", ";;", "'delimiter' must be 'auto' or one character"),
    ("delimiter", 5, "'delimiter' must be"),
    ("delimiter", '"', "'delimiter' must be"),
    ("sheet", -1, "'sheet' must be a sheet name or a sheet number"),
    ("sheet", True, "'sheet' must be"),
    ("sheet", [1, 2], "'sheet' must be"),
    ("channels", ["phone", "web"], "'channels' must map"),
    ("channels", {"Tel": "telephone"}, "channels map to ['telephone']"),
    ("services", ["waste"], "'services' must map a service code"),
    ("services", {"waste": {"a": 1}}, "'services' must map"),
    ("name", ["a"], "'name' must be text"),
    ("valid_from", "last tuesday", "'valid_from' must be a date"),
    ("zero_pad", {"notes": 8}, "'zero_pad' applies to id fields only"),
    ("zero_pad", {"customer_id": "eight"}, "'zero_pad' must map id fields"),
    ("date_formats", ["dd/mm/yyyy"], "'date_formats' must be a list of strptime formats"),
    ("columns", {"contact_id": None, "received_at": "When", "channel": "How", "service": "What"},
     "must name a column header as text"),
])
def test_every_profile_option_of_the_wrong_type_gets_a_clear_message(option, value, message):
    with pytest.raises(ProfileError) as err:
        Profile.from_dict({**BASE, option: value})
    assert message in str(err.value) and option in str(err.value)


def test_the_delimiter_may_be_written_as_tab():
    assert Profile.from_dict({**BASE, "delimiter": "tab"}).delimiter == "\t"


def test_a_bad_option_through_the_command_line_is_one_line_and_exit_2(tmp_path, caplog):
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "bad.yaml").write_text(
        "name: bad\ntable: contacts\nencoding: utf-9\ncolumns: {received_at: When, channel: How, service: What}\n")
    (tmp_path / "x.csv").write_text("When,How,What\n13/04/2024 09:00,Phone,Waste\n")
    (tmp_path / "sources.yaml").write_text("council: T\nexports:\n- {table: contacts, path: x.csv, profile: bad}\n")
    assert main(["-q", "pipeline", "--sources", str(tmp_path / "sources.yaml"), "--out", str(tmp_path / "p")]) == 2
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and errors[0].exc_info is None
    assert "'encoding' must be" in errors[0].getMessage() and len(errors[0].getMessage().splitlines()) == 1


def _load(tmp_path, rows: list[str], profile=None):
    path = tmp_path / "x.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return cx.load_contacts(path, profile=profile or BASE)


@pytest.mark.parametrize("written, seconds", [("12,5", 12.5), ("1.234,56", 1234.56), ("0,5", 0.5)])
def test_decimal_commas_are_read_as_decimals_and_counted(tmp_path, written, seconds):
    result = _load(tmp_path, [f'1,13/04/2024 09:00,Phone,Waste,a,C1,"{written}",r,S1',
                              '2,13/04/2024 09:00,Phone,Waste,b,C2,"30,25",r,S1'])
    assert result.data["handle_seconds"].tolist() == [seconds, 30.25]
    repair = result.repairs.set_index("action").loc["decimal comma read as a decimal point"]
    assert repair["rows"] == 2 and repair["column"] == "handle_seconds"


def test_thousands_separators_are_still_thousands(tmp_path):
    result = _load(tmp_path, ['1,13/04/2024 09:00,Phone,Waste,a,C1,"1,234",r,S1'])
    assert result.data["handle_seconds"].tolist() == [1234.0]
    assert "decimal comma read as a decimal point" not in set(result.repairs["action"])


def test_a_column_mixing_decimal_commas_and_thousands_is_refused_with_examples(tmp_path):
    with pytest.raises(ExportError) as err:
        _load(tmp_path, ['1,13/04/2024 09:00,Phone,Waste,a,C1,"1,234",r,S1',
                         '2,13/04/2024 09:00,Phone,Waste,b,C2,"2,5",r,S1'])
    message = str(err.value)
    assert "x.csv" in message and "'Secs'" in message and "'2,5'" in message and "'1,234'" in message


HOSTILE = ['<script>alert(1)</script>', '<img src=x onerror="alert(1)">', '<a href="javascript:alert(1)">x</a>',
           '<svg onload=alert(1)>', '<iframe src="https://evil.example"></iframe>', '<style>body{display:none}</style>',
           '=HYPERLINK("https://evil.example","click")', '+cmd|" /C calc"!A0', '-2+3', '@SUM(1+1)*cmd|" /C calc"!A0',
           '{{7*7}} ${7*7}', "'; DROP TABLE contacts; --"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_in_every_text_field_stay_inert(tmp_path, value):
    """Loaded as text, shown escaped in a table, and neutralised in a downloaded CSV."""
    quoted = '"' + value.replace('"', '""') + '"'
    result = _load(tmp_path, [f"1,13/04/2024 09:00,Phone,{quoted},{quoted},C1,30,{quoted},S1"])
    row = result.data.iloc[0]
    assert row["notes"] == value and str(row["reason"]).strip() == value.strip().lower() or row["reason"]
    publish.escape_tables()
    shown = pd.DataFrame({"Note": [value]}).style.hide(axis="index").to_html()
    assert "<script" not in shown and "<img" not in shown and "<svg" not in shown and "<iframe" not in shown
    path = publish.write_csv(pd.DataFrame({"Note": [value], "Service": [str(row["service"])]}), tmp_path / "d.csv")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        cells = list(csv.reader(fh))[1]
    assert all(not c.lstrip().startswith(("=", "+", "-", "@")) for c in cells)


def _council(tmp_path, rows: list[str], file_name: str = "x.csv"):
    (tmp_path / "profiles").mkdir(exist_ok=True)
    (tmp_path / "profiles" / "p.yaml").write_text(json.dumps(BASE | {"name": "p"}))
    (tmp_path / file_name).write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "sources.yaml").write_text(
        f"council: Test\nexports:\n- {{table: contacts, path: '{file_name}', profile: p}}\n")
    build_processed(tmp_path / "sources.yaml", tmp_path / "processed")
    return read_processed("contacts", tmp_path / "processed")


def test_a_phone_number_used_as_customer_id_is_pseudonymised_and_still_links(tmp_path):
    contacts = _council(tmp_path, ["1,13/04/2024 09:00,Phone,Waste,missed bin,07700 900123,30,r,S1",
                                   "2,15/04/2024 09:00,Phone,Waste,missed bin again,07700 900123,30,r,S1",
                                   "3,15/04/2024 10:00,Phone,Waste,new bin,C3,30,r,S1"])
    ids = contacts.sort_values("contact_id")["customer_id"].tolist()
    assert ids[0] == ids[1] and ids[0].startswith("C-") and "07700" not in ids[0] and ids[2] == token("C3", "customer")
    assert contacts["is_repeat"].sum() == 1
    redactions = read_processed("redactions", tmp_path / "processed")
    assert redactions.query("column == 'customer_id'")["redacted"].sum() == 3  # every customer id, not only the phone


def test_an_email_as_customer_id_and_a_name_as_staff_id_never_reach_processed(tmp_path):
    contacts = _council(tmp_path, ['1,13/04/2024 09:00,Email,Waste,hello,jane.smith@gmail.com,30,r,Mrs Jane Smith'])
    text = contacts.astype(str).to_csv()
    assert "jane" not in text.lower() and "smith" not in text.lower()


@pytest.mark.parametrize("field, value", [("reason", "Call back Mr Okafor on 07700 900123"),
                                          ("service", "Waste - Mrs Jane Smith"),
                                          ("notes", "lives at 38 Greenway Lane")])
def test_personal_data_in_category_and_service_fields_is_redacted(tmp_path, field, value):
    cols = {"reason": "r", "service": "Waste", "notes": "n"} | {field: value}
    contacts = _council(tmp_path, [f'1,13/04/2024 09:00,Phone,"{cols["service"]}","{cols["notes"]}",C1,30,'
                                   f'"{cols["reason"]}",S1'])
    text = contacts.astype(str).to_csv()
    assert "07700" not in text and "Okafor" not in text and "Smith" not in text and "Greenway" not in text


def test_a_file_named_after_a_person_is_not_named_in_processed_data_or_the_manifest(tmp_path):
    contacts = _council(tmp_path, ["1,13/04/2024 09:00,Phone,Waste,a,C1,30,r,S1", ",13/04/2024 09:05,Phone,Waste,b,C2,30,r,S1"],
                        file_name="calls from Mrs Jane Smith 07700 900123.csv")
    processed = tmp_path / "processed"
    everything = contacts.astype(str).to_csv() + (processed / "manifest.json").read_text()
    for name in ("row_accounting", "quarantine", "repairs"):
        everything += read_processed(name, processed).astype(str).to_csv()
    assert "Smith" not in everything and "07700" not in everything
    assert contacts["contact_id"].notna().all() and contacts["contact_id"].is_unique  # ids made for the blank one
