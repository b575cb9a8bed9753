import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from cxinsight import publish


def test_counts_one_to_seven_are_starred_and_others_rounded_to_five():
    out = publish.suppress_counts(pd.Series([0, 1, 7, 8, 12, 13, 1002]))
    assert out.tolist() == ["0", "*", "*", "10", "10", "15", "1,000"]


def test_suppress_table_leaves_other_columns_alone():
    frame = pd.DataFrame({"service": ["a", "b"], "n": [3, 40]})
    out = publish.suppress_table(frame, ["n"])
    assert out["service"].tolist() == ["a", "b"]
    assert out["n"].tolist() == ["*", "40"]
    assert frame["n"].tolist() == [3, 40]  # input untouched


def test_shares_come_from_rounded_counts():
    shares = publish.share_of_rounded(pd.Series([12, 13, 3]))
    assert shares.round(1).tolist()[:2] == [40.0, 60.0]
    assert pd.isna(shares.iloc[2])


def test_formula_injection_is_neutralised():
    frame = pd.DataFrame({"text": ["=1+1", "+44 7700", "-x", "@sum", "fine", None]})
    out = publish.safe_csv_frame(frame)
    assert out["text"].tolist()[:5] == ["'=1+1", "'+44 7700", "'-x", "'@sum", "fine"]


def test_the_last_gate_reads_a_csv_cell_by_cell(tmp_path):
    """A count beside a verbatim ("44.0" then "Mrs rang 3rd call") is not an address ("0 ... 3rd" as
    "Rd"), nor a row of counts a phone number; personal data inside one cell is still found."""
    from cxinsight.publish import scan_for_personal_data, write_csv

    write_csv(pd.DataFrame({"contacts": [370, 800], "share": [44.0, 685.0],
                            "example": ["Mrs rang 3rd call re the pothole repair", "bin not emptied"]}),
              tmp_path / "clean.csv")
    assert scan_for_personal_data(tmp_path).empty
    write_csv(pd.DataFrame({"contacts": [5], "example": ["call 07700 900123 about 12 High Street"]}),
              tmp_path / "leak.csv")
    found = scan_for_personal_data(tmp_path)
    assert set(found["file"]) == {"leak.csv"} and {"PHONE", "ADDRESS"} <= set(found["kind"])


def test_the_gate_does_not_take_a_common_word_after_name_for_a_person():
    from cxinsight import gate

    assert gate.scan("Hi, You have made a mistake, bill in the wrong name Many thanks") == {}
    assert gate.scan("customer name John Smith rang about the bill") == {"NAME": 1}


def test_the_last_gate_reads_what_a_reader_sees_not_style_scripts_or_images(tmp_path):
    """Style sheets, scripts and embedded images are not text a reader meets: the last gate reads past
    them (a class name such as ``figcaption.takeaway`` or base64 data is never taken for a login or
    a name), and still reads the visible words and alt text around them."""
    page = tmp_path / "page.html"
    page.write_text(
        '<html lang="en"><head><style>figcaption.takeaway { background: var(--panel); } '
        "td.num { text-align: right }</style><script>var jane.smith = 1;</script></head><body>"
        '<h1>Parking</h1><img alt="Bar chart of parking contacts" src="data:image/png;base64,'
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==">'
        "<p>Progress chasing fell.</p></body></html>", encoding="utf-8")
    text = publish.readable_text(page)
    assert "takeaway" not in text and "jane.smith" not in text and "base64" not in text and "iVBOR" not in text
    assert "Bar chart of parking contacts" in text and "Progress chasing fell." in text
    assert publish.scan_for_personal_data(tmp_path).empty


def test_the_last_gate_reads_a_vetted_service_name_as_a_service_not_a_person(tmp_path):
    """Real exports' services and councils ("Muni feedback" in San Francisco 311, "PUC sewer ops" read
    as "Puc", "Los Angeles MyLA311") read as people in the sentences the templates write about them
    ("... by channel for Muni feedback"). Each name is scanned on its own by both detectors; one with
    nothing in it is read as a service in the text around it. A name holding a person is not vetted and
    is still found, and personal data beside a vetted name is still found."""
    page = tmp_path / "muni.html"
    page.write_text('<html lang="en"><body><h1>Muni feedback at a glance</h1><p>Horizontal bar chart of the '
                    "failure-demand share by channel for Muni feedback, with interval bars.</p>"
                    "<p>Horizontal bar chart of the failure-demand share by channel for Puc sewer ops on street."
                    "</p></body></html>", encoding="utf-8")
    assert set(publish.scan_for_personal_data(tmp_path)["kind"]) == {"NAME"}  # without the names: refused
    names = ["muni_feedback", "Muni feedback", "puc_sewer_ops_on_street", "Puc sewer ops on street"]
    assert publish.scan_for_personal_data(tmp_path, names).empty
    page.write_text('<html lang="en"><body><p>Contacts for Mrs O\'Neill bins; for Muni feedback call '
                    "07700 900123.</p></body></html>", encoding="utf-8")
    found = publish.scan_for_personal_data(tmp_path, names + ["Mrs O'Neill bins"])
    assert {"NAME", "PHONE"} <= set(found["kind"])


def test_a_word_run_together_with_digits_is_a_code_not_a_name():
    from cxinsight import gate

    assert gate.scan("Los Angeles MyLA311 (real public export, two extracts of 3,000 requests)") == {}
    assert gate.scan("tenant Olu Bakare rang about the MyLA311 app") == {"NAME": 1}


def test_the_last_gate_finds_the_same_shared_across_processes_as_in_one(tmp_path, monkeypatch):
    """Issue 31: the last gate's files are scanned by forked processes when there are enough of them;
    each file is read on its own, so the findings (file, detector, kind, count, in order) are the same
    as one process finds, for the vetted service names too."""
    notes = ["Rang about the bins, nothing to add", "Call Mrs Jane Okafor on 07700 900123",
             "Parking permit renewed", "Email zoe.okafor@btinternet.com re Muni feedback", "SW1A 1AA"]
    for i in range(12):
        (tmp_path / f"page_{i:02d}.html").write_text(f"<p>{notes[i % len(notes)]} for Muni feedback</p>", encoding="utf-8")
        (tmp_path / f"table_{i:02d}.csv").write_text(f"what,n\n{notes[(i + 2) % len(notes)]},{i}\n", encoding="utf-8")
    names = ["Muni feedback", "Parking"]
    shared = publish.scan_for_personal_data(tmp_path, names)
    monkeypatch.setattr(publish, "SCAN_PARALLEL_FROM", 10**9)
    alone = publish.scan_for_personal_data(tmp_path, names)
    assert len(alone) >= 20 and {"NAME", "PHONE", "EMAIL", "POSTCODE"} <= set(alone["kind"])
    pd.testing.assert_frame_equal(shared, alone)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.integers(-10, 10**7), st.floats(allow_nan=True, allow_infinity=True), st.none(),
                 st.sampled_from(["12", " 40 ", "1,234", "abc", "", "7.5", "nan"]), st.booleans()),
       st.sampled_from([(7, 5), (10, 10), (9, 25)]))
def test_one_count_as_text_is_the_tables_rule_for_that_count(n, rule):
    """count_text works on the one number (issue 31: a one-value Series per sentence cost a millisecond)
    and must say exactly what suppress_counts says of that value, under any council's rule."""
    small_max, round_to = rule
    before = publish.activate(publish.Publishing(small_max=small_max, round_to=round_to))
    try:
        assert publish.count_text(n) == publish.suppress_counts(pd.Series([n])).iloc[0]
    finally:
        publish.activate(before)
