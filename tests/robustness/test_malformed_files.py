"""Careless or hostile exports: every case ends in a clear error, a quarantine with the right
reason, or a counted repair; never a traceback, never a row lost against an independent count.

This is the start of issue 12's robustness set; each case states its expected outcome.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

import cxinsight as cx
from cxinsight.publish import write_csv

PROFILE = {"name": "r", "table": "contacts",
           "columns": {"contact_id": "Ref", "received_at": "When", "channel": "How", "service": "What",
                       "notes": "Notes", "customer_id": "Customer"}}
HEADER = "Ref,When,How,What,Notes,Customer"


def _load(tmp_path, body: bytes | str, name="x.csv"):
    path = tmp_path / name
    path.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    return cx.load_contacts(path, profile=PROFILE)


def _records(body: str) -> int:
    """Records counted by the csv module, independently of cxinsight."""
    return sum(1 for _ in csv.reader(io.StringIO(body))) - 1


@pytest.mark.parametrize("placeholder", ["NULL", "null", "N/A", "n/a", "0", "-", "#N/A", "none", "Unknown"])
def test_placeholder_customer_ids_never_link_strangers(tmp_path, placeholder):
    body = (f"{HEADER}\n1,13/04/2024 09:00,Phone,Waste,missed bin,{placeholder}\n"
            f"2,14/04/2024 09:00,Phone,Waste,missed bin again,{placeholder}\n")
    result = _load(tmp_path, body)
    assert result.data["customer_id"].isna().all()
    repair = result.repairs.set_index("action").loc["placeholder id (NULL, N/A, 0, -) set to missing"]
    assert repair["rows"] == 2


@pytest.mark.parametrize("placeholder", ["NULL", "0", "-"])
def test_placeholder_contact_ids_get_file_and_record_ids_not_duplicates(tmp_path, placeholder):
    body = (f"{HEADER}\n{placeholder},13/04/2024 09:00,Phone,Waste,a,C1\n"
            f"{placeholder},14/04/2024 09:00,Web,Waste,b,C2\n")
    result = _load(tmp_path, body)
    assert result.data["contact_id"].tolist() == ["x.csv:1", "x.csv:2"] and result.quarantine.empty


def test_one_bad_byte_does_not_turn_a_utf8_file_into_cp1252(tmp_path):
    body = (f"{HEADER}\n1,13/04/2024 09:00,Phone,Waste,Zoë paid £20 for the café bin,C1\n".encode()
            + b"2,14/04/2024 09:00,Phone,Waste,bad \x92 byte,C2\n")
    result = _load(tmp_path, body)
    assert result.data["notes"].tolist() == ["Zoë paid £20 for the café bin", "bad \ufffd byte"]
    assert result.summary.iloc[0]["encoding"] == "utf-8-replace"
    assert result.summary.iloc[0]["invalid_bytes"] == 1


def test_a_cp1252_file_is_still_read_as_cp1252(tmp_path):
    body = f"{HEADER}\n1,13/04/2024 09:00,Phone,Waste,Zoë paid £20,C1\n".encode("cp1252")
    assert _load(tmp_path, body).data["notes"].tolist() == ["Zoë paid £20"]


def test_an_unclosed_quote_that_swallows_lines_is_quarantined_and_counted(tmp_path):
    body = (f"{HEADER}\n1,13/04/2024 09:00,Phone,Waste,fine,C1\n"
            '2,13/04/2024 09:00,Phone,Waste,"unclosed note,C2\n'
            "3,13/04/2024 10:00,Web,Waste,ok,C3\n4,13/04/2024 11:00,Web,Waste,ok too,C4\n"
            '5,13/04/2024 12:00,Web,Waste,"closes here",C5\n')
    result = _load(tmp_path, body)
    assert result.data["contact_id"].tolist() == ["1"]
    q = result.quarantine.iloc[0]
    assert (q.source_row, q.reason) == (2, "unclosed_quote") and q.found.startswith("4 lines joined")
    assert result.summary.iloc[0]["rows_in"] == _records(body) == 2
    assert result.summary.iloc[0]["physical_lines"] == 6


def test_a_note_over_several_lines_with_commas_is_kept(tmp_path):
    body = f'{HEADER}\n1,13/04/2024 09:00,Phone,Waste,"line one, with a comma\nline two, too",C1\n'
    result = _load(tmp_path, body)
    assert result.quarantine.empty and result.data["notes"].iloc[0] == "line one, with a comma\nline two, too"


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR",
                                   " =1+1", "line one\nline two", "a\r\nb", "plain"])
def test_downloaded_csv_cells_are_neutralised_and_read_back_safely(tmp_path, value):
    path = write_csv(pd.DataFrame({"Text": [value], "Contacts": [10]}), tmp_path / "d.csv")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 2  # one header, one record: no value started a new row
    cell = rows[1][0]
    assert not cell.lstrip().startswith(("=", "+", "-", "@")) and not cell.startswith(("\t", "\r"))
    assert "\n" not in cell and "\r" not in cell
    assert rows[1][1] == "10"  # numbers stay plain numbers
    assert path.read_text(encoding="utf-8-sig").splitlines()[1].startswith('"')  # text is quoted


@pytest.mark.parametrize("markup, what", [
    ('<p onmouseover="steal()">x</p>', "attribute 'onmouseover'"),
    ("<svg><script>1</script></svg>", "element <svg>"),
    ('<iframe src="https://x.example"></iframe>', "element <iframe>"),
    ('<a href=" JavaScript:go()">go</a>', "href"),
    ('<img alt="x" src="data:text/html;base64,PHNjcmlwdD4=">', "src"),
    ("<style>@import 'https://x.example/a.css';</style>", "style sheet"),
    ("<object data=x></object>", "element <object>"),
    ('<form action="https://x.example"><input name=q></form>', "element <form>"),
])
def test_a_page_with_anything_off_the_allow_list_fails_and_is_not_left_live(tmp_path, markup, what):
    from cxinsight.report import PageProblem, check_pages

    good = ('<!DOCTYPE html><html lang="en-GB"><head><title>t</title></head><body><h1>Report</h1>'
            "<p>fine</p></body></html>")
    (tmp_path / "ok.html").write_text(good, encoding="utf-8")
    (tmp_path / "bad.html").write_text(good.replace("<p>fine</p>", markup), encoding="utf-8")
    with pytest.raises(PageProblem, match=what):
        check_pages(tmp_path)
    assert not (tmp_path / "bad.html").exists() and (tmp_path / "bad.html.rejected").exists()
    assert (tmp_path / "ok.html").exists()
