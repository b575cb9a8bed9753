"""Unit and property-based tests for the cleaning verbs."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxinsight import clean
from cxinsight.schemas import CHANNELS

# ---------------------------------------------------------------------------------------- channels


@pytest.mark.parametrize("raw, expected", [
    ("Phone", "phone"), ("TEL", "phone"), ("telephone ", "phone"), ("Phone call", "phone"),
    ("F2F", "face_to_face"), ("Face to Face", "face_to_face"), ("face-to-face", "face_to_face"),
    ("Reception", "face_to_face"), ("Walk-in", "face_to_face"),
    ("E-mail", "email"), ("EMAIL", "email"), ("e mail", "email"),
    ("Web form", "web"), ("Online", "web"), ("Self service", "web"), ("My Account portal", "web"),
    ("Webchat", "webchat"), ("Web Chat", "webchat"), ("Live chat", "webchat"),
    ("Letter", "letter"), ("Post", "letter"), ("Social media", "social"), ("Facebook", "social"),
    ("Twitter/X", "social"), ("", "other"), ("Unknown", "other"), ("N/A", "other"), ("zzz", "other"),
])
def test_channel_spellings(raw, expected):
    assert clean.normalise_channels(pd.Series([raw])).iloc[0] == expected


def test_profile_channel_mapping_overrides_built_in():
    out = clean.normalise_channels(pd.Series(["Queue 7", "Post"]), extra={"queue 7": "phone", "Post": "email"})
    assert out.tolist() == ["phone", "email"]


def test_profile_channel_mapping_must_target_canonical_channels():
    with pytest.raises(ValueError, match="not canonical"):
        clean.normalise_channels(pd.Series(["x"]), extra={"x": "carrier pigeon"})


def test_normalise_channels_does_not_mutate_input():
    s = pd.Series(["TEL", "Web form"])
    clean.normalise_channels(s)
    assert s.tolist() == ["TEL", "Web form"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30))
def test_channels_always_canonical_and_idempotent(text):
    first = clean.normalise_channels(pd.Series([text])).iloc[0]
    assert first in CHANNELS
    assert clean.normalise_channels(pd.Series([first])).iloc[0] == first


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["Phone", "TEL", "F2F", "Web form", "E-mail", "Webchat", "Letter", "Social media",
                        "Online", "Face to Face"]),
       st.sampled_from(["", " ", "  ", "\t"]), st.sampled_from([str.lower, str.upper, str.title, str]))
def test_channels_ignore_case_and_surrounding_space(label, pad, case):
    base = clean.normalise_channels(pd.Series([label])).iloc[0]
    assert clean.normalise_channels(pd.Series([pad + case(label) + pad])).iloc[0] == base


# ---------------------------------------------------------------------------------------- services


def test_services_map_through_profile_and_slug_the_rest():
    mapping = {"council_tax": ["Council Tax", "Revs & Bens - CT"], "waste_recycling": ["WASTE"]}
    out = clean.normalise_services(pd.Series(["council  tax", "REVS & BENS - CT", "Waste", "Pest Control", None]),
                                   mapping)
    assert out.tolist() == ["council_tax", "council_tax", "waste_recycling", "pest_control", "unknown"]


# ---------------------------------------------------------------------------------------- dates

UK_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d-%m-%y %H:%M", "%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M",
              "%d-%m-%Y %H:%M", "%Y-%m-%dT%H:%M:%S"]


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2035, 12, 31)),
       st.sampled_from(UK_FORMATS))
def test_uk_datetimes_round_trip(moment, fmt):
    moment = moment.replace(microsecond=0)
    if "%S" not in fmt:
        moment = moment.replace(second=0)
    parsed = clean.parse_uk_datetime(pd.Series([moment.strftime(fmt)])).iloc[0]
    assert parsed == pd.Timestamp(moment)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12), st.integers(2000, 2035))
def test_ambiguous_dates_are_read_day_first(day, month, year):
    parsed = clean.parse_uk_datetime(pd.Series([f"{day:02d}/{month:02d}/{year}"])).iloc[0]
    assert (parsed.day, parsed.month, parsed.year) == (day, month, year)


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=dt.datetime(1960, 1, 1), max_value=dt.datetime(2100, 1, 1)))
def test_excel_serial_dates_round_trip_to_the_second(moment):
    moment = moment.replace(microsecond=0)
    serial = (pd.Timestamp(moment) - clean.EXCEL_EPOCH) / pd.Timedelta(days=1)
    parsed = clean.parse_uk_datetime(pd.Series([f"{serial:.6f}"])).iloc[0]
    assert abs((parsed - pd.Timestamp(moment)).total_seconds()) <= 1


@pytest.mark.parametrize("bad", ["31/02/2024 10:00", "29/02/2025", "15/13/2024", "00/01/1900 00:00", "soon",
                                 "32/01/2025 09:30", "12345"])
def test_impossible_dates_are_missing(bad):
    assert pd.isna(clean.parse_uk_datetime(pd.Series([bad])).iloc[0])


def test_unpadded_and_two_digit_years():
    out = clean.parse_uk_datetime(pd.Series(["1/4/2024 9:05", "01-04-24 09:05", "1.4.24"]))
    assert out.dt.strftime("%Y-%m-%d").tolist() == ["2024-04-01"] * 3


def test_profile_formats_are_tried_first():
    out = clean.parse_uk_datetime(pd.Series(["20240401 0905"]), formats=["%Y%m%d %H%M"])
    assert out.iloc[0] == pd.Timestamp("2024-04-01 09:05")


# ---------------------------------------------------------------------------------------- numbers


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**6))
def test_durations_in_seconds_and_hms_agree(seconds):
    hms = f"{seconds // 3600}:{(seconds // 60) % 60:02d}:{seconds % 60:02d}"
    parsed, notes = clean.parse_durations(pd.Series([str(seconds), hms]))
    assert parsed.tolist() == [float(seconds), float(seconds)]
    assert notes.tolist() == ["", ""]


def test_negative_and_error_durations_are_repaired_to_missing():
    parsed, notes = clean.parse_durations(pd.Series(["-30", "-0:00:30", "#VALUE!", "abc"]))
    assert parsed.isna().all()
    assert notes.tolist() == ["negative duration set to missing", "negative duration set to missing",
                              "excel error value set to missing", "unreadable duration set to missing"]


def test_ids_zero_padded_only_when_all_digits():
    out = clean.clean_ids(pd.Series(["123", "ABC1", " 0001234 ", None]), zero_pad=8)
    assert out.tolist()[:3] == ["00000123", "ABC1", "00001234"]
    assert pd.isna(out.iloc[3])


def test_bools_and_numbers():
    assert clean.parse_bools(pd.Series(["Yes", "N", "?"])).tolist() == [True, False, pd.NA]
    assert clean.parse_numbers(pd.Series(["1,234.5", "#DIV/0!", "7%"])).tolist()[0] == 1234.5


# ---------------------------------------------------------------------------------------- records


def test_find_duplicates_points_to_first_occurrence_and_ignores_missing_keys():
    f = pd.DataFrame({"id": ["a", "b", "a", None, None, "a"], "source_file": ["f1", "f1", "f2", "f2", "f2", "f2"],
                      "source_row": [1, 2, 1, 2, 3, 4]})
    d = clean.find_duplicates(f, ["id"])
    assert d.index.tolist() == [2, 5]
    assert d["first_source_file"].tolist() == ["f1", "f1"]
    assert d["first_source_row"].tolist() == [1, 1]


def test_repeat_contacts_within_window_same_customer_and_service_only():
    c = pd.DataFrame({
        "contact_id": list("abcdef"),
        "customer_id": ["1", "1", "1", "2", "1", None],
        "service": ["waste", "waste", "waste", "waste", "parking", "waste"],
        "received_at": pd.to_datetime(["2024-04-01", "2024-04-10", "2024-05-30", "2024-04-02", "2024-04-03",
                                       "2024-04-02"]),
    })
    out = clean.link_repeat_contacts(c, window_days=14)
    assert out["is_repeat"].tolist() == [False, True, False, False, False, False]
    assert out["previous_contact_id"].tolist() == [None, "a", "b", None, None, None]
    assert out["days_since_previous"].round(1).tolist()[:3] == [pytest.approx(np.nan, nan_ok=True), 9.0, 50.0]
    assert "is_repeat" not in c.columns  # input untouched


def test_repeat_contacts_ignore_input_order():
    c = pd.DataFrame({"contact_id": ["late", "early"], "customer_id": ["1", "1"], "service": ["x", "x"],
                      "received_at": pd.to_datetime(["2024-04-05", "2024-04-01"])})
    out = clean.link_repeat_contacts(c)
    assert out.set_index("contact_id").loc["late", "previous_contact_id"] == "early"


def test_scores_take_the_first_whole_number():
    out = clean.parse_scores(pd.Series(["10 - Extremely likely", "Stage 2", "7.0", "n/a", "", "-1"]))
    assert out.tolist()[:3] == [10.0, 2.0, 7.0] and out.iloc[3:5].isna().all() and out.iloc[5] == -1


def test_area_codes_and_categories_and_slugs():
    assert clean.clean_lsoa_codes(pd.Series([" e01000001 ", "E0100000", "W01000002"])).tolist()[::2] == [
        "E01000001", "W01000002"]
    assert clean.clean_categories(pd.Series(["a   b ", " a b"])).nunique() == 1
    assert clean.slugify(pd.Series(["Revs & Bens - CT", ""])).tolist() == ["revs_bens_ct", "unknown"]


def test_map_unique_calls_the_function_once_per_distinct_value():
    calls = []

    def upper(values):
        calls.append(len(values))
        return [v.upper() for v in values]

    out = clean.map_unique(pd.Series(["a", "b", "a", "a", None]), upper)
    assert out.tolist()[:4] == ["A", "B", "A", "A"] and pd.isna(out.iloc[4])
    assert calls == [2]


@pytest.mark.parametrize("values, order", [
    (["1/1/20 0:05", "2/1/20 13:40"], "month_first"),  # as a US system writes them
    (["01/31/2020 11:05:00 PM", "02/01/2020 01:15:00 AM"], "month_first"),
    (["2020-01-31T23:05:00", "2020-02-01T01:15:00"], None),
    (["31.01.2020", "01.02.2020"], "day_first"),
    (["1/2/2024 9:05", "13/2/2024 10:00"], "day_first"),
    (["2024-04-01 09:00:05.250", "2024-04-02 10:00:00.500"], None),
    (["05/13/2022 1:15PM"], "month_first"),
])
def test_the_suggested_date_format_reads_the_example_values(values, order):
    fmt = clean.suggest_date_format(values, order)
    assert fmt is not None
    for v in values:
        dt.datetime.strptime(v, fmt)  # raises if the suggestion does not read it


@pytest.mark.parametrize("values", [["1/1/20 0:05", "1/2/20 0:10"], ["01/31/2020 11:05:00 PM"]])
def test_the_date_order_error_suggests_formats_that_read_its_examples(values):
    import re

    from cxinsight.io import ExportError, check_date_order
    from cxinsight.profile import load_profile

    profile = load_profile({"name": "p", "table": "contacts", "columns": {"received_at": "When", "channel": "How",
                                                                          "service": "What"}})
    with pytest.raises(ExportError) as err:
        check_date_order(pd.Series(values), "calls.csv", "When", profile)
    suggested = re.findall(r'date_formats: \["([^"]+)"\]', str(err.value))
    assert suggested, str(err.value)
    shown = [v for v in re.findall(r"'([^']+)'", str(err.value).split("date_formats")[0]) if v in values]
    assert shown
    for fmt in suggested:
        for v in shown:
            dt.datetime.strptime(v, fmt)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["Fri, ", "ſat, ", "FRİ, ", "Monday ", "tues,\t", "sun ", "s", "mon,x", "wed",
                                          "01/04/2024", " 09:00", "23 Apr 2021", " ", "x"]), max_size=5).map("".join),
                min_size=1, max_size=8))
def test_a_leading_weekday_is_removed_exactly_as_pythons_regex_removes_it(values):
    """Issue 31: the weekday's pattern (it needs Python's regex) runs only on values whose first letter
    could begin a weekday, found in Arrow; every value comes out as the pattern run on all would leave it."""
    local, _ = clean._split_offsets(np.array(values, dtype=object))
    assert list(local) == [clean._WEEKDAY.sub("", v.strip()) for v in values]
