"""Bounded inputs (issue 28, build point 6): a council's files cannot make cxinsight spend what they
ask for. YAML anchors and aliases are refused and every value is type-checked; a header wider than a
limit is refused and a record over a limit quarantined, both found in bounded memory; a failed run
deletes its staging folder; and data/processed is not replaced until what was written has passed the
personal-data scan.

The acceptance cases (a YAML bomb, a 200 MB field, a header of a million columns) run the command
line in a process of its own, measured from outside (``getrusage(RUSAGE_CHILDREN)``): its peak
memory and the processor time it used, each under 1 GB and 30 s. Processor time, not the wall
clock: on a shared test machine (pytest-xdist workers, other jobs) the wall clock measures their
work too; it is printed beside.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxinsight as cx
from cxinsight import limits, outputs, pipeline, privacy
from cxinsight.history import History
from cxinsight.io import ExportError, read_header
from cxinsight.limits import Limits, scan_csv
from cxinsight.pipeline import Sources, build_processed
from cxinsight.preflight import preflight
from cxinsight.profile import Profile, ProfileError, load_profile, read_yaml
from cxinsight.publish import PersonalDataFound
from cxinsight.settings import SettingsError, load_settings

PROFILE = ("name: calls\ntable: contacts\ncolumns: {contact_id: Ref, received_at: When, channel: How, "
           "service: Service, notes: Notes}\n")
HEADER = "Ref,When,How,Service,Notes"
SECONDS, MEGABYTES = 30, 1024  # the acceptance bounds


def _row(i: int, note: str = "bin missed") -> str:
    return f"R{i},{13 + i % 15:02d}/04/2024 09:00,Phone,Waste,{note}"


def council(folder: Path, body: str | bytes | None = None, sources: str | None = None) -> Path:
    """A one-export council in ``folder``: calls.csv (``body``, or ten ordinary rows), its profile
    and sources.yaml. Returns the sources file."""
    folder.mkdir(parents=True, exist_ok=True)
    if body is None:
        body = "\n".join([HEADER, *(_row(i) for i in range(10))]) + "\n"
    (folder / "calls.csv").write_bytes(body.encode("utf-8") if isinstance(body, str) else body)
    (folder / "profiles").mkdir(exist_ok=True)
    (folder / "profiles" / "calls.yaml").write_text(PROFILE, encoding="utf-8")
    (folder / "sources.yaml").write_text(
        sources or "council: Test\nexports:\n  - {table: contacts, path: calls.csv, profile: calls}\n", encoding="utf-8")
    return folder / "sources.yaml"


# ---- the acceptance cases, measured in a process of their own ------------------------------------------

MEASURE = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"returncode": proc.returncode, "wall": time.perf_counter() - start,
                  "seconds": used.ru_utime + used.ru_stime, "peak_mb": used.ru_maxrss / 1024,
                  "stderr": proc.stderr}))
"""


def measured(*args: str, python: str | None = None) -> dict:
    """``cxinsight -q <args>`` (or ``python -c <python>``) run by a fresh process that reports the
    processor time it used (``seconds``), its wall time (``wall``) and its peak memory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CXINSIGHT_MAX_", "CXINSIGHT_FAULT"))}
    command = ["-c", python] if python else ["-m", "cxinsight.cli", "-q", *args]
    out = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, *command],
                         capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def show(what: str, run: dict) -> None:
    """The measurement, in the test's output (``pytest -s``)."""
    print(f"{what}: exit {run['returncode']} in {run['seconds']:.1f} s of processor time ({run['wall']:.1f} s "
          f"wall), peak {run['peak_mb']:.0f} MB")


def billion_laughs(key: str = "council") -> str:
    """The classic YAML bomb as the value of ``key``: a list of nine anchored lists, each of nine
    aliases of the one before (9**9 = 387 million strings once expanded), in about 450 bytes (the
    issue's, 1.3 KB, was the same ladder with longer strings)."""
    lines = [f"{key}:", '  - &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"  - &{name} [{','.join([f'*{prev}'] * 9)}]")
    return "\n".join(lines) + "\n"


def test_the_yaml_bomb_is_small_and_really_a_bomb():
    bomb = billion_laughs()
    assert 300 < len(bomb.encode()) < 1_400 and bomb.count("*") == 9 * 8 and bomb.count("&") == 9


def test_the_yaml_bomb_in_sources_yaml_gets_a_clear_error_quickly_in_little_memory(tmp_path):
    sources = council(tmp_path / "bomb")
    sources.write_text(billion_laughs() + "exports:\n  - {table: contacts, path: calls.csv, profile: calls}\n")
    run = measured("pipeline", "--sources", str(sources), "--out", str(tmp_path / "processed"))
    show("YAML bomb", run)
    assert run["returncode"] == 2 and "Traceback" not in run["stderr"]
    assert "sources.yaml: not a valid sources file at line 2, column 5" in run["stderr"]
    assert "anchors and aliases are not accepted" in run["stderr"]
    assert run["seconds"] < SECONDS and run["peak_mb"] < MEGABYTES
    assert not (tmp_path / "processed").exists()


@pytest.mark.slow  # writes 16 MB and starts two processes (about 8 s); preflight's own test below is fast
def test_a_million_column_header_gets_a_clear_error_quickly_in_little_memory(tmp_path):
    header = ",".join(f"Column {i}" for i in range(1_000_000))
    sources = council(tmp_path / "wide", header + "\n" + ",".join("x" * 1_000_000) + "\n")
    assert sources.with_name("calls.csv").stat().st_size > 8_000_000
    run = measured("pipeline", "--sources", str(sources), "--out", str(tmp_path / "processed"))
    show("million-column header", run)
    assert run["returncode"] == 2 and "Traceback" not in run["stderr"]
    assert "calls.csv: the header (first line)" in run["stderr"] and "expected a header of at most 2,000" in run["stderr"]
    assert run["seconds"] < SECONDS and run["peak_mb"] < MEGABYTES
    # the loader itself, without the preflight before it, refuses it the same way
    load = f"import cxinsight as cx; cx.load_contacts({str(sources.with_name('calls.csv'))!r}, profile={PROFILE_DICT!r})"
    run = measured(python=load)
    show("million-column header, loader", run)
    assert run["returncode"] == 1 and "cxinsight.io.ExportError: calls.csv: the header (first line)" in run["stderr"]
    assert run["seconds"] < SECONDS and run["peak_mb"] < MEGABYTES


def _write_big_field(path: Path, size: int) -> None:
    """calls.csv with rows 1-3, then row 4 whose note is one quoted field of ``size`` bytes (commas,
    quotes written twice and line breaks inside it), then rows 5-7; written in blocks."""
    chunk = ('all quiet, "nothing" here\n' * 40_000).replace('"', '""').encode()
    with open(path, "wb") as fh:
        fh.write(("\n".join([HEADER, _row(1), _row(2), _row(3)]) + "\n").encode())
        fh.write(f'{_row(4, "")}"'.encode())
        written = 0
        while written < size:
            part = chunk[: size - written]
            fh.write(part)
            written += len(part)
        fh.write(('"\n' + "\n".join([_row(5), _row(6), _row(7)]) + "\n").encode())


@pytest.mark.slow  # writes and reads 200 MB (about 15 s)
def test_a_200_mb_field_is_quarantined_with_a_clear_reason_quickly_in_little_memory(tmp_path):
    sources = council(tmp_path / "big")
    _write_big_field(sources.with_name("calls.csv"), 200_000_000)
    run = measured("pipeline", "--sources", str(sources), "--out", str(tmp_path / "processed"))
    show("200 MB field", run)
    assert run["returncode"] == 0, run["stderr"][-2000:]
    assert "Traceback" not in run["stderr"]
    assert ("calls.csv: 1 records over the size limits quarantined, their text not kept (the largest: record 4, "
            "a field of 200 MB in column 'Notes'; expected a field of at most 1 MB") in run["stderr"]
    assert run["seconds"] < SECONDS and run["peak_mb"] < MEGABYTES
    quarantine = pd.read_parquet(tmp_path / "processed" / "quarantine.parquet")
    big = quarantine.loc[quarantine["reason"] == "field_too_long"]
    assert big[["source_row", "column", "found"]].values.tolist() == [[4, "Notes", "a field of 200 MB"]]
    kept = pd.read_parquet(tmp_path / "processed" / "contacts.parquet")
    assert sorted(kept["source_row"]) == [1, 2, 3, 5, 6, 7]
    accounting = pd.read_parquet(tmp_path / "processed" / "row_accounting.parquet").iloc[0]
    assert accounting["rows_in"] == 7 == accounting["rows_clean"] + accounting["rows_quarantined"]


# ---- YAML: no anchors or aliases, a size limit, every value type-checked ------------------------------------

def test_the_yaml_bomb_is_refused_in_every_file_a_council_writes(tmp_path):
    sources = council(tmp_path / "c")
    profile = tmp_path / "c" / "profiles" / "calls.yaml"
    settings_file = tmp_path / "c" / "council.yaml"
    history = tmp_path / "c" / "history.yaml"
    for path, key in ((sources, "council"), (profile, "description"), (settings_file, "prices_year"),
                      (history, "councils")):
        path.write_text(billion_laughs(key))
    started = time.perf_counter()
    for call, path in ((lambda: Sources.read(sources), sources), (lambda: load_profile(profile), profile),
                       (lambda: load_settings(settings_file), settings_file), (lambda: History.read(history), history)):
        with pytest.raises(ProfileError) as err:
            call()
        assert str(path) in str(err.value) and "at line 2, column 5" in str(err.value)
        assert "an anchor (&a): anchors and aliases are not accepted" in str(err.value)
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("text, named", [
    ("base: &b {channel: How}\ncolumns:\n  <<: *b\n", "an anchor (&b)"),
    ("columns: *undefined\n", "an alias (*undefined)"),
    ("name: !!binary aGVsbG8=\ntable: &t contacts\n", "an anchor (&t)"),
])
def test_anchors_aliases_and_merge_keys_are_refused_naming_the_line(tmp_path, text, named):
    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(ProfileError, match=r"p.yaml: not a valid profile at line \d+, column \d+ ") as err:
        read_yaml(path, "profile")
    assert named in str(err.value)


def test_a_configuration_file_over_a_megabyte_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("council: Test\n# " + "x" * 1_100_000 + "\n")
    with pytest.raises(ProfileError, match=r"sources.yaml: a sources file of 1.1 MB; expected at most 1 MB"):
        Sources.read(path)


def test_nesting_deeper_than_any_configuration_needs_is_refused(tmp_path):
    path = tmp_path / "council.yaml"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(SettingsError, match=r"council.yaml: not a valid council settings file at line 1, column 41 "
                                            r"\(nested more than 40 levels deep"):
        load_settings(path)


@pytest.mark.parametrize("sources, named", [
    ("council: [a, b]\nexports: [{table: contacts, path: a.csv, profile: p}]\n", "council: expected the council's name as text, found ['a', 'b'] (list)"),
    ("council: T\nperiod: 2024\nexports: [{table: contacts, path: a.csv, profile: p}]\n",
     "period: expected {start: YYYY-MM-DD, end: YYYY-MM-DD}, found 2024"),
    ("council: T\nperiod: {start: 2024-04-01, end: soon}\nexports: [{table: contacts, path: a.csv, profile: p}]\n",
     "period.end: expected a date such as 2024-04-01, found 'soon'"),
    ("council: T\nperiod: {start: 2024-04-01, ends: 2025-03-31}\nexports: [{table: contacts, path: a.csv, profile: p}]\n",
     "period: unknown key 'ends' (did you mean 'end'?)"),
    ("council: T\nexports: [{table: [contacts], path: a.csv, profile: p}]\n",
     "exports[0].table: expected text, found ['contacts'] (list)"),
    ("council: T\nexports: [{table: contacts, path: 7, profile: p}]\n", "exports[0].path: expected text, found 7 (int)"),
    ("council: T\nexports: [{table: contacts, path: a.csv, profile: 12}]\n",
     "exports[0].profile: expected text, found 12 (int)"),
    ("council: T\nexports: [[contacts, a.csv, p]]\n", "exports[0] must be a mapping of table, path and profile; "
                                                      "found ['contacts', 'a.csv', 'p']"),
])
def test_every_value_in_sources_yaml_is_type_checked(tmp_path, sources, named):
    path = tmp_path / "sources.yaml"
    path.write_text(sources)
    with pytest.raises(ExportError) as err:
        Sources.read(path)
    assert str(err.value).startswith(f"{path}: ") and named in str(err.value)


BASE = {"name": "r", "table": "contacts", "columns": {"received_at": "When", "channel": "How", "service": "What"}}


@pytest.mark.parametrize("change, named", [
    ({"table": ["contacts"]}, "'table' must be one of"),
    ({"columns": {**BASE["columns"], 3: "Notes"}}, "'columns' must be keyed by field names (text), such as "
                                                   "customer_id; found the key 3 (int)"),
    ({"constants": {"outcome": None}}, "'constants' must map canonical fields to one value each"),
    ({"zero_pad": {"customer_id": True}}, "'zero_pad' must map id fields to a whole number of digits"),
    ({"zero_pad": {"customer_id": 10**9}}, "'zero_pad' must map id fields to a whole number of digits"),
    ({"date_formats": {"%d/%m/%Y": 1}}, "'date_formats' must be a list of strptime formats"),
    ({"valid_from": 2015}, "'valid_from' must be a date such as 2015-04-01; found 2015"),
    ({"description": "x" * 10_000, "name": ["x" * 10_000]}, "'name' must be text; found ['xxxx"),
])
def test_every_profile_value_is_type_checked_and_long_values_are_not_echoed(change, named):
    with pytest.raises(ProfileError) as err:
        Profile.from_dict({**BASE, **change})
    assert named in str(err.value) and len(str(err.value)) < 1_000


def test_a_profile_with_keys_of_mixed_types_is_an_error_not_a_crash():
    with pytest.raises(ProfileError, match="unknown key 1, unknown key 'zzz'"):
        Profile.from_dict({**BASE, 1: "a", "zzz": "b"})


def test_a_history_files_values_are_type_checked(tmp_path):
    path = tmp_path / "history.yaml"
    path.write_text("councils:\n  - {name: [a], years: {2023: a/sources.yaml}}\n")
    with pytest.raises(ExportError, match=r"councils\[0\].name: expected the council's name as text, found \['a'\]"):
        History.read(path)
    path.write_text("councils:\n  - {name: A, years: {2023: [a/sources.yaml]}}\n")
    with pytest.raises(ExportError, match=r"years\[2023\]: expected the path of a sources file as text"):
        History.read(path)


# ---- CSV and Excel: a header too wide refused, a record too long quarantined --------------------------------

def test_a_header_wider_than_the_limit_is_refused_naming_file_and_count(tmp_path, monkeypatch):
    monkeypatch.setenv("CXINSIGHT_MAX_COLUMNS", "5")
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(6)) + "\n" + ",".join("1" * 6) + "\n")
    with pytest.raises(ExportError, match=r"wide.csv: the header has 6 columns; expected at most 5\. .*"
                                          r"set CXINSIGHT_MAX_COLUMNS \(now 5\)"):
        read_header(path, "utf-8")


def test_preflight_refuses_a_million_column_header_in_seconds(tmp_path):
    sources = council(tmp_path / "c", ",".join(f"c{i}" for i in range(1_000_000)) + "\n1,2\n")
    started = time.perf_counter()
    with pytest.raises(ExportError, match=r"calls.csv: the header \(first line\) runs past 1,000,000 characters with "
                                          r"no line end \(at least 1\d\d,\d\d\d columns\)"):
        preflight(sources)
    assert time.perf_counter() - started < 5


def test_a_header_over_the_limit_in_utf16_and_gzip_is_refused_too(tmp_path, monkeypatch):
    monkeypatch.setenv("CXINSIGHT_MAX_COLUMNS", "4")
    text = ",".join(f"c{i}" for i in range(6)) + "\r\n" + ",".join("1" * 6) + "\r\n"
    (tmp_path / "a.csv").write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    (tmp_path / "b.csv.gz").write_bytes(gzip.compress(text.encode()))
    profile = {"name": "p", "table": "contacts", "columns": {"received_at": "c0", "channel": "c1", "service": "c2"}}
    for name in ("a.csv", "b.csv.gz"):
        with pytest.raises(ExportError, match=f"{name}: the header has 6 columns; expected at most 4"):
            cx.load_contacts(tmp_path / name, profile=profile)


def test_an_excel_sheet_wider_than_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("CXINSIGHT_MAX_COLUMNS", "4")
    pd.DataFrame([range(6)], columns=[f"c{i}" for i in range(6)]).to_excel(tmp_path / "w.xlsx", index=False)
    profile = {"name": "p", "table": "contacts", "columns": {"received_at": "c0", "channel": "c1", "service": "c2"}}
    with pytest.raises(ExportError, match="w.xlsx: the header has 6 columns; expected at most 4"):
        cx.load_contacts(tmp_path / "w.xlsx", profile=profile)


def test_a_limit_set_wrongly_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("CXINSIGHT_MAX_FIELD_BYTES", "a lot")
    (tmp_path / "calls.csv").write_text("\n".join([HEADER, _row(1)]) + "\n")
    with pytest.raises(ExportError, match="CXINSIGHT_MAX_FIELD_BYTES: expected a whole number above 0, found 'a lot'"):
        cx.load_contacts(tmp_path / "calls.csv", profile=PROFILE_DICT)


NOTE = "x" * 300


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252", "gzip", "ragged"])
def test_a_record_with_a_field_over_the_limit_is_quarantined_and_the_rest_kept(tmp_path, monkeypatch, encoding):
    monkeypatch.setenv("CXINSIGHT_MAX_FIELD_BYTES", "200")
    rows = [HEADER, _row(1, "café"), _row(2, f'"{NOTE[:100]},\n""quoted"" {NOTE}"'), _row(3, '"two\nlines"'),
            _row(4, NOTE), _row(5)]
    if encoding == "ragged":  # a row with a field too many sends the file down the exact path
        rows.append(_row(6) + ",extra")
    text = "\r\n".join(rows) + "\r\n"
    data = (gzip.compress(text.encode()) if encoding == "gzip" else
            text.encode("utf-8" if encoding == "ragged" else encoding))
    path = tmp_path / ("calls.csv.gz" if encoding == "gzip" else "calls.csv")
    path.write_bytes(data)
    result = cx.load_contacts(path, profile=PROFILE_DICT)
    assert result.data.sort_values("source_row")[["source_row", "notes"]].values.tolist() == [
        [1, "café"], [3, "two\nlines"], [5, "bin missed"]]
    too_long = result.quarantine.loc[result.quarantine["reason"] == "field_too_long"].sort_values("source_row")
    assert too_long[["source_row", "column", "expected"]].values.tolist() == [
        [2, "Notes", "a field of at most 200 bytes (CXINSIGHT_MAX_FIELD_BYTES)"],
        [4, "Notes", "a field of at most 200 bytes (CXINSIGHT_MAX_FIELD_BYTES)"]]
    assert too_long["found"].tolist()[1] == "a field of 300 bytes" and NOTE not in result.quarantine.to_csv()
    assert result.summary["rows_in"].tolist() == [6 if encoding == "ragged" else 5]  # rows in = clean + quarantined


PROFILE_DICT = {"name": "calls", "table": "contacts",
                "columns": {"contact_id": "Ref", "received_at": "When", "channel": "How", "service": "Service",
                            "notes": "Notes"}}


def test_a_record_over_the_record_limit_is_quarantined(tmp_path, monkeypatch):
    monkeypatch.setenv("CXINSIGHT_MAX_FIELD_BYTES", "100")
    monkeypatch.setenv("CXINSIGHT_MAX_RECORD_BYTES", "150")
    path = tmp_path / "calls.csv"
    path.write_text("\n".join([HEADER, _row(1, "y" * 90), _row(2, "ok"), f'R3,{"1" * 90},Phone,Waste,{"z" * 90}']) + "\n")
    result = cx.load_contacts(path, profile=PROFILE_DICT)
    assert result.data["source_row"].tolist() == [1, 2]
    assert result.quarantine[["source_row", "reason", "column", "found"]].values.tolist() == [
        [3, "record_too_long", None, "a record of 197 bytes"]]


def test_a_quote_left_open_past_the_limit_quarantines_one_record_and_keeps_the_rows_before(tmp_path, monkeypatch):
    monkeypatch.setenv("CXINSIGHT_MAX_FIELD_BYTES", "1000")
    rows = [HEADER, _row(1), _row(2, '"never closed'), *(_row(i) for i in range(3, 200))]
    path = tmp_path / "calls.csv"
    path.write_text("\n".join(rows) + "\n")
    result = cx.load_contacts(path, profile=PROFILE_DICT)
    assert result.data["source_row"].tolist() == [1]
    assert result.quarantine[["source_row", "reason"]].values.tolist() == [[2, "field_too_long"]]


# ---- the scan against Python's csv module ---------------------------------------------------------------

FIELD = st.text(alphabet=st.sampled_from(list('ab,"\r\n ;')), max_size=12)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(FIELD, min_size=1, max_size=4), min_size=1, max_size=8),
       raw_quotes=st.booleans(), cuts=st.lists(st.integers(1, 200), max_size=6), limit=st.integers(1, 8))
def test_the_scan_finds_the_records_pythons_csv_reads(rows, raw_quotes, cuts, limit):
    """Quoted (RFC 4180) or written carelessly (quotes anywhere), cut into blocks anywhere: the scan
    counts the records Python's csv module reads, puts each where csv's text for it is, and flags a
    record exactly when a field's bytes exceed the limit, naming that field and its size."""
    if raw_quotes:
        text = "\n".join(",".join(r) for r in rows) + "\n"
    else:
        buffer = io.StringIO(newline="")
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        text = buffer.getvalue()
    data = text.encode()
    blocks, start = [], 0
    for cut in sorted(set(cuts)):
        blocks.append(data[start:cut])
        start = max(start, cut)
    blocks.append(data[start:])
    scan = scan_csv(blocks, ",", Limits(field_bytes=limit, record_bytes=10**6))
    csv.field_size_limit(2**31 - 1)
    from cxinsight.io import _records_with_text

    records = list(_records_with_text(io.StringIO(text, newline=""), ","))
    assert scan.records == len(records)
    starts = [0]
    for _, record_text, _ in records:
        starts.append(starts[-1] + len(record_text.encode()))
    flagged = {o.record: o for o in scan.overlong}
    for n, (_, record_text, _) in enumerate(records):
        sizes = [len(f) for f in _raw_fields(record_text.encode())]
        if max(sizes, default=0) > limit:
            o = flagged[n]
            assert (o.start, o.end, o.field_bytes) == (starts[n], starts[n + 1], max(sizes))
            assert sizes[o.field] == max(sizes)
        else:
            assert n not in flagged


def _raw_fields(record: bytes) -> list[bytes]:
    """A record's fields as written (quotes and all), split the slow, obvious way: a quote opens a
    field only at its start; inside one, ``""`` is a quote and any other quote closes it."""
    fields, current, inside, i = [], b"", False, 0
    while i < len(record):
        c = record[i: i + 1]
        if inside:
            if c == b'"' and record[i + 1: i + 2] == b'"':
                current += b'""'
                i += 2
                continue
            inside = c != b'"'
            current += c
        elif c == b'"' and not current:
            inside, current = True, c
        elif c in (b",", b"\r", b"\n"):
            fields.append(current)
            current = b""
        else:
            current += c
        i += 1
    return fields + ([current] if current else [])


def test_skipping_and_renumbering_agree():
    assert b"".join(limits.skip_ranges([b"0123", b"4567", b"89"], [(0, 1), (3, 9)])) == b"129"
    assert limits.numbering([1, 4])(np.arange(1, 4)).tolist() == [2, 3, 5]


# ---- a failed run leaves nothing behind, and the previous outputs ----------------------------------------

def test_a_failed_run_deletes_its_staging_folder_and_leaves_the_previous_outputs(tmp_path, caplog):
    out = tmp_path / "reports"
    with outputs.replacing(out) as stage:
        (stage / "index.html").write_text("v1")
    with pytest.raises(PersonalDataFound), outputs.replacing(out) as stage:
        (stage / "index.html").write_text("ring 07700 900123")
        raise PersonalDataFound("index.html: 1 x PHONE")
    assert (out / "index.html").read_text() == "v1"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".reports.lock", "reports"]
    assert "is unchanged; what this run had written is deleted" in caplog.text


def test_a_report_run_failing_its_last_gate_deletes_its_pages_and_keeps_the_last_good_ones(tmp_path, monkeypatch):
    """build_reports with the notebooks replaced by one that writes a page holding a phone number: the
    real last gate fails the run, the staging folder with that page is gone, the old reports stay."""
    from cxinsight import report

    processed = tmp_path / "processed"
    build_processed(council(tmp_path / "raw"), processed)
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "index.html").write_text("the last good reports")
    page = "<html lang=\"en\"><head><title>t</title></head><body><main><h1>t</h1><p>{}</p></main></body></html>"

    def notebooks(jobs, workers, stage):
        for job in jobs:
            job.html.parent.mkdir(parents=True, exist_ok=True)
            job.html.write_text(page.format("Ring the caller back on 07700 900123."))

    def index(out, *args, **kwargs):
        (out / "index.html").write_text(page.format("All reports"))
        return out / "index.html"

    for name, stub in (("preflight", lambda *a: None), ("process_apart", lambda *a: None),
                       ("analyse_apart", lambda *a: None),
                       ("figures_apart", lambda *a: None), ("run_all", notebooks), ("write_index", index)):
        if name == "preflight":
            monkeypatch.setattr("cxinsight.preflight.preflight", stub)
        else:
            monkeypatch.setattr(report, name, stub)
    monkeypatch.setattr("cxinsight.figures.read_headlines", lambda *a: None)
    monkeypatch.setattr("cxinsight.figures.read_actions", lambda *a: None)
    with pytest.raises(PersonalDataFound, match="PHONE"):
        report.build_reports(council(tmp_path / "raw"), reports, processed, services=["waste"])
    assert (reports / "index.html").read_text() == "the last good reports"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".reports")) == [".reports.lock"]


# ---- data/processed replaced only after the personal-data scan -------------------------------------------

def _flag(monkeypatch, marker: str) -> None:
    """The redactor's check finds a NAME wherever ``marker`` is, in any case (the redactor leaves it)."""
    real = privacy.find_personal_data
    monkeypatch.setattr(privacy, "find_personal_data",
                        lambda text, *a, **k: {"NAME": 1} if marker in text.lower() else real(text, *a, **k))


def test_processed_data_is_not_replaced_when_the_scan_finds_personal_data(tmp_path, monkeypatch, caplog):
    out = tmp_path / "processed"
    sources = council(tmp_path / "raw")
    build_processed(sources, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    body = "\n".join([HEADER, *(_row(i) for i in range(5)), "R9,21/04/2024 09:00,Phone,Zebedee Quux bins,ok"]) + "\n"
    council(tmp_path / "raw", body)
    _flag(monkeypatch, "zebedee")
    with pytest.raises(PersonalDataFound) as err:
        build_processed(sources, out)
    message = str(err.value)
    assert "contacts.parquet column 'service': 1 x NAME" in message and "zebedee" not in message.lower()
    assert "data/processed is unchanged" in message
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".processed")) == [".processed.lock"]


def test_a_quarantined_records_text_that_still_fails_the_check_is_withheld(tmp_path, monkeypatch):
    body = "\n".join([HEADER, _row(1), "R2,31/02/2024 09:00,Phone,Waste,ask zebedee about it", _row(3)]) + "\n"
    _flag(monkeypatch, "zebedee")
    result = build_processed(council(tmp_path / "raw", body), tmp_path / "processed")
    stored = pd.read_parquet(tmp_path / "processed" / "quarantine.parquet")
    assert stored.loc[stored["reason"] == "unparseable_date", "record"].tolist() == [pipeline.WITHHELD]
    assert "zebedee" not in stored.to_csv() and len(result.tables["contacts"]) == 2


def test_the_scan_reads_what_was_written_and_names_file_column_and_kind(tmp_path):
    pd.DataFrame({"service": pd.Categorical(["waste", "call 07700 900123"]), "notes": ["07700 900123", "x"],
                  "contact_id": ["07700 900123", "a"]}).to_parquet(tmp_path / "contacts.parquet")
    found = pipeline.scan_processed(tmp_path, {"contacts": ("notes",)}, {"council": "Test", "warnings": ["ok"]})
    assert found.values.tolist() == [["contacts.parquet", "service", "PHONE", 1]]


def test_a_yaml_bomb_in_a_councils_taxonomy_gets_a_clear_error_quickly(tmp_path):
    """The classifier's taxonomy (a council may edit a copy) is read by libyaml for speed, with the
    same bounds as every configuration file: the billion laughs are refused at their first anchor,
    before anything is built; a taxonomy over the size limit is refused unread."""
    import time

    from cxinsight.demand.rules import TaxonomyError, load_taxonomy

    bomb = tmp_path / "taxonomy.yaml"
    bomb.write_text(billion_laughs() + "value_types: [x]\nfailure_types: {chasing: c}\ncues: []\n", encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(TaxonomyError, match=r"taxonomy.yaml: not a valid taxonomy at line 2, column 5 \(an anchor"):
        load_taxonomy(bomb)
    assert time.perf_counter() - start < 1
    big = tmp_path / "big.yaml"
    big.write_text("cues:\n" + "  - {type: chasing, pattern: x}\n" * 40_000, encoding="utf-8")
    with pytest.raises(TaxonomyError, match="big.yaml: a taxonomy of 1.*expected at most"):
        load_taxonomy(big)
