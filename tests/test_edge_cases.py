"""Ordinary edge cases real exports bring: each ends in a result or a clear message, never a traceback.

| case                                   | outcome                                                    |
|----------------------------------------|------------------------------------------------------------|
| dates all with day and month <= 12     | refused, naming file, column and two example values        |
| month-first dates, no declared format  | refused, saying the dates are month first                  |
| month-first dates, declared format     | every date parsed exactly                                  |
| a value not in the declared format     | quarantined (never read day first instead)                 |
| +0100 / Z / mixed summer and winter    | converted to UK local time                                 |
| a constant channel or stage            | every row gets it                                          |
| the same record in two exports         | quarantined as a duplicate naming the first                |
| Mobile/App, Voicemail, Referral labels | web, phone, other (unknown labels listed in a warning)     |
| more than 30 services                  | a warning; charts show the largest and "all other"         |
| a share of 0% or 100%                  | interval within [0, 1] and holding the estimate            |
| a service with no complaints           | a working-day calendar still (no crash)                    |
| a 0-byte file among the exports        | counted as 0 rows in, the other files load                 |
| every contact quarantined              | "0 rows ... could be used; the commonest reasons were ..." |
| no customer id, no notes               | processed; notebook 02 says the shares are behaviour only  |
| a bad profile or export from the CLI   | exit code 2 and a one-line message, no traceback           |
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

import cxinsight as cx
from cxinsight.clean import normalise_channels, normalise_services, parse_uk_datetime
from cxinsight.cli import main
from cxinsight.complaints import WorkingDayCalendar
from cxinsight.io import ExportError
from cxinsight.pipeline import NoUsableRows, build_processed
from cxinsight.stats import wilson

PROFILE = {"name": "edge", "table": "contacts",
           "columns": {"contact_id": "Ref", "received_at": "When", "channel": "How", "service": "What"}}


def _csv(path, rows, header="Ref,When,How,What"):
    path.write_text(header + "\n" + "\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


def _sources(folder, exports):
    import yaml
    (folder / "profiles").mkdir(exist_ok=True)
    (folder / "profiles" / "edge.yaml").write_text(yaml.safe_dump(PROFILE), encoding="utf-8")
    path = folder / "sources.yaml"
    path.write_text(yaml.safe_dump({"council": "Edge", "exports": exports}), encoding="utf-8")
    return path


def test_ambiguous_dates_are_refused_naming_column_and_two_examples(tmp_path):
    path = _csv(tmp_path / "calls.csv", [["1", "05/01/2022 09:00", "Phone", "Waste"],
                                         ["2", "06/01/2022 10:00", "Web", "Waste"]])
    with pytest.raises(ExportError, match=r"calls.csv: column 'When': every date could be day first or month "
                                          r"first \(for example '05/01/2022 09:00' and '06/01/2022 10:00'\)"):
        cx.load_contacts(path, profile=PROFILE)


def test_month_first_dates_are_named_as_such(tmp_path):
    path = _csv(tmp_path / "calls.csv", [["1", "05/13/2022 09:00", "Phone", "Waste"]])
    with pytest.raises(ExportError, match="month first .'05/13/2022 09:00'"):
        cx.load_contacts(path, profile=PROFILE)


def test_a_declared_format_parses_month_first_exactly_and_never_falls_back(tmp_path):
    path = _csv(tmp_path / "calls.csv", [["1", "05/13/2022 01:15:00 PM", "Phone", "Waste"],
                                         ["2", "05/01/2022 12:00:03 AM", "Phone", "Waste"],
                                         ["3", "13/05/2022 13:15", "Phone", "Waste"]])
    result = cx.load_contacts(path, profile={**PROFILE, "date_formats": ["%m/%d/%Y %I:%M:%S %p"]})
    assert result.data["received_at"].tolist() == [pd.Timestamp("2022-05-13 13:15"), pd.Timestamp("2022-05-01 00:00:03")]
    q = result.quarantine.iloc[0]
    assert (q.source_row, q.reason, q.found) == (3, "unparseable_date", "13/05/2022 13:15")
    assert "%m/%d/%Y %I:%M:%S %p" in q.expected


def test_time_zones_become_uk_local_time():
    got = parse_uk_datetime(pd.Series(["2024-07-01T08:00:00Z", "2024-01-15T08:00:00+00:00",
                                       "Fri, 23 Apr 2021 20:14:22 +0100", "2024-03-31 00:30 -0500"])).tolist()
    assert got == [pd.Timestamp("2024-07-01 09:00"), pd.Timestamp("2024-01-15 08:00"),
                   pd.Timestamp("2021-04-23 20:14:22"), pd.Timestamp("2024-03-31 06:30")]


def test_constants_fill_a_field_every_row_shares(tmp_path):
    path = _csv(tmp_path / "feed.csv", [["1", "2024-04-01 09:00", "Potholes"]], header="Ref,When,What")
    profile = {"name": "web_only", "table": "contacts", "constants": {"channel": "web"},
               "columns": {"contact_id": "Ref", "received_at": "When", "service": "What"}}
    assert cx.load_contacts(path, profile=profile).data["channel"].astype(str).tolist() == ["web"]


def test_a_record_in_two_exports_is_quarantined_naming_the_first(tmp_path):
    _csv(tmp_path / "a.csv", [["1", "2024-04-01 09:00", "Phone", "Waste"], ["2", "2024-04-02 09:00", "Web", "Parking"]])
    _csv(tmp_path / "b.csv", [["2", "2024-04-02 09:00", "Web", "Parking"], ["3", "2024-04-03 09:00", "Email", "Housing"]])
    sources = _sources(tmp_path, [{"table": "contacts", "path": "a.csv", "profile": "edge"},
                                  {"table": "contacts", "path": "b.csv", "profile": "edge"}])
    result = build_processed(sources, tmp_path / "out")
    assert sorted(result.tables["contacts"]["contact_id"]) == ["1", "2", "3"]
    dup = result.quarantine.iloc[0]
    assert (dup.source_file, dup.reason, dup.found) == ("b.csv", "duplicate", "same contact_id as a.csv record 2")
    assert isinstance(result.tables["contacts"]["service"].dtype, pd.CategoricalDtype)


def test_channel_labels_from_real_systems(caplog):
    with caplog.at_level(logging.WARNING):
        got = normalise_channels(pd.Series(["Mobile", "Mobile App", "Voicemail", "Fax", "Postal mail",
                                            "Referral", "Driver self report", "UNKNOWN"])).tolist()
    assert got == ["web", "web", "phone", "letter", "letter", "other", "other", "other"]
    assert "['Driver self report', 'Referral']" in caplog.text and "UNKNOWN" not in caplog.text


def test_many_services_are_warned_about(caplog):
    with caplog.at_level(logging.WARNING):
        normalise_services(pd.Series([f"Category {i}" for i in range(40)]))
    assert "40 distinct services" in caplog.text


@pytest.mark.parametrize("k, n", [(0, 1), (0, 9), (9, 9), (1, 1), (0, 250), (250, 250)])
def test_zero_and_hundred_percent_intervals_stay_in_bounds(k, n):
    p, lo, hi = wilson(np.array([k]), np.array([n]))
    assert 0 <= lo[0] <= p[0] <= hi[0] <= 1


def test_a_service_with_no_complaints_still_has_a_calendar():
    cal = WorkingDayCalendar.covering(pd.Series([], dtype="datetime64[ns]"))
    assert cal.first_year <= pd.Timestamp.now().year <= cal.last_year


def test_a_zero_byte_file_among_the_exports_is_counted_and_the_rest_load(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    _csv(tmp_path / "calls.csv", [["1", "2024-04-13 09:00", "Phone", "Waste"]])
    result = cx.load_contacts(tmp_path, profile=PROFILE)
    counts = result.summary.set_index("source_file")["rows_in"].to_dict()
    assert counts == {"calls.csv": 1, "empty.csv": 0} and len(result.data) == 1


def test_every_row_quarantined_says_so_plainly(tmp_path):
    _csv(tmp_path / "calls.csv", [["1", "not a date", "Phone", "Waste"], ["2", "31/02/2024", "Web", "Waste"]])
    sources = _sources(tmp_path, [{"table": "contacts", "path": "calls.csv", "profile": "edge"}])
    with pytest.raises(NoUsableRows, match=r"0 rows of the contacts export\(s\) could be used .2 rows read from 1 "
                                           r"files.; the commonest reasons were: unparseable_date \(2 rows\)"):
        build_processed(sources, tmp_path / "out")


def test_no_customer_id_and_no_notes_still_process(tmp_path):
    _csv(tmp_path / "calls.csv", [["1", "2024-04-13 09:00", "Phone", "Waste"]])
    sources = _sources(tmp_path, [{"table": "contacts", "path": "calls.csv", "profile": "edge"}])
    result = build_processed(sources, tmp_path / "out")
    assert {"customer_id", "notes", "lsoa_code"}.isdisjoint(result.tables["contacts"].columns)
    from cxinsight.demand import classify
    from cxinsight.demand.review import obtain_review
    review, note = obtain_review(classify(result.tables["contacts"]))
    # no words and no customer numbers: nothing decided, so nothing is claimed (it said "behaviour alone")
    assert review is None and "Nothing in this export can tell failure demand" in note
    assert "behaviour" not in note


@pytest.mark.parametrize(("columns", "says", "never"), [
    ({"reason": ["Missed bin collection"]}, "words of each contact's reason", "behaviour alone"),
    ({"reason": ["Missed bin collection"], "customer_id": ["C1"]}, "and from behaviour", "a floor"),
    ({"customer_id": ["C1"]}, "behaviour alone", "reason"),
])
def test_the_note_without_notes_names_what_decided(columns, says, never):
    from cxinsight.demand.review import obtain_review

    contacts = pd.DataFrame({"contact_id": ["1"], "notes": [None], **columns})
    review, note = obtain_review(contacts)
    assert review is None and says in note and never not in note


def test_the_cli_gives_a_one_line_message_and_exit_code_2(tmp_path, caplog):
    _csv(tmp_path / "calls.csv", [["1", "05/01/2022 09:00", "Phone", "Waste"]])
    sources = _sources(tmp_path, [{"table": "contacts", "path": "calls.csv", "profile": "edge"}])
    with caplog.at_level(logging.ERROR):
        code = main(["pipeline", "--sources", str(sources), "--out", str(tmp_path / "out")])
    assert code == 2 and "every date could be day first or month first" in caplog.text
    assert "Traceback" not in caplog.text


def test_a_table_dropped_from_sources_is_not_read_from_an_earlier_run(tmp_path):
    from cxinsight.pipeline import read_optional

    _csv(tmp_path / "calls.csv", [["1", "2024-04-13 09:00", "Phone", "Waste"]])
    complaints = {"name": "c", "table": "complaints", "columns": {
        "complaint_id": "Ref", "stage": "How", "received_on": "When", "service": "What"}}
    import yaml
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "c.yaml").write_text(yaml.safe_dump(complaints), encoding="utf-8")
    _csv(tmp_path / "complaints.csv", [["C1", "2024-04-13", "1", "Waste"]])
    both = _sources(tmp_path, [{"table": "contacts", "path": "calls.csv", "profile": "edge"},
                               {"table": "complaints", "path": "complaints.csv", "profile": "c"}])
    build_processed(both, tmp_path / "out")
    assert len(read_optional("complaints", tmp_path / "out")) == 1
    only = _sources(tmp_path, [{"table": "contacts", "path": "calls.csv", "profile": "edge"}])
    build_processed(only, tmp_path / "out")
    assert read_optional("complaints", tmp_path / "out") is None
    assert not (tmp_path / "out" / "complaints.parquet").exists()


# ---- configuration that could lead outside the council's folder, or be read two ways ----------------

@pytest.mark.parametrize("bad_path", ["../elsewhere/calls.csv", "/etc/passwd", "crm/../../x.csv"])
def test_sources_paths_stay_inside_the_sources_folder(tmp_path, bad_path):
    sources = _sources(tmp_path, [{"table": "contacts", "path": bad_path, "profile": "edge"}])
    with pytest.raises(ExportError, match="must be inside the folder holding the sources file"):
        build_processed(sources, tmp_path / "out")


def test_a_link_out_of_the_sources_folder_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    _csv(outside / "secret.csv", [["1", "2024-04-13 09:00", "Phone", "Waste"]])
    council = tmp_path / "council"
    council.mkdir()
    (council / "calls.csv").symlink_to(outside / "secret.csv")
    sources = _sources(council, [{"table": "contacts", "path": "calls.csv", "profile": "edge"}])
    with pytest.raises(ExportError, match="leads outside"):
        build_processed(sources, tmp_path / "out")


@pytest.mark.parametrize("bad_profile", ["../../etc/passwd", "/tmp/x.yaml", "profiles/edge"])
def test_profile_names_in_sources_cannot_escape_the_profile_folders(tmp_path, bad_profile):
    _csv(tmp_path / "calls.csv", [["1", "2024-04-13 09:00", "Phone", "Waste"]])
    sources = _sources(tmp_path, [{"table": "contacts", "path": "calls.csv", "profile": bad_profile}])
    with pytest.raises(ExportError, match="must be a profile name"):
        build_processed(sources, tmp_path / "out")


def test_a_key_given_twice_in_yaml_is_an_error_not_a_silent_choice(tmp_path):
    from cxinsight.profile import ProfileError, load_profile

    (tmp_path / "p.yaml").write_text("name: p\ntable: contacts\ncolumns:\n  received_at: When\n  channel: How\n"
                                     "  service: What\n  service: Subject\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="'service' is given twice .line 7."):
        load_profile(tmp_path / "p.yaml")


def test_a_broken_yaml_file_is_named_without_echoing_its_contents(tmp_path):
    from cxinsight.profile import ProfileError, load_profile

    (tmp_path / "p.yaml").write_text("name: p\ncolumns: {secret: 'AB123456C\n", encoding="utf-8")
    with pytest.raises(ProfileError) as err:
        load_profile(tmp_path / "p.yaml")
    assert "p.yaml: not a valid profile at line" in str(err.value) and "AB123456C" not in str(err.value)
