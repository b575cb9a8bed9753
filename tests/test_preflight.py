"""Configuration checked before anything runs (issue 26, build point 5): sources.yaml and every
profile against the files' headers and a few rows, one clear error naming file, key or column,
what was expected and what was found, with 'did you mean' for a misspelt key."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from cxinsight.cli import main
from cxinsight.io import ExportError
from cxinsight.preflight import preflight
from cxinsight.profile import ProfileError

REAL = Path(__file__).parent / "data" / "real"


@pytest.fixture()
def nyc(tmp_path) -> Path:
    """The real NYC 311 sample with its own sources.yaml and a copy of its profile to edit."""
    folder = tmp_path / "nyc"
    shutil.copytree(REAL / "nyc311", folder)
    (folder / "profiles").mkdir()
    profile = (Path(__file__).parents[1] / "cxinsight" / "profiles" / "nyc311_requests.yaml").read_text()
    (folder / "profiles" / "nyc.yaml").write_text(profile.replace("name: nyc311_requests", "name: nyc"))
    (folder / "sources.yaml").write_text("council: NYC\nexports:\n  - {table: contacts, path: '*.csv', profile: nyc}\n")
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_good_configuration_passes_and_says_what_it_read(nyc):
    checked = preflight(nyc / "sources.yaml")
    assert [(f["table"], f["file"], f["profile"]) for f in checked.files] == [
        ("contacts", "nyc311_2022-05-01.csv", "nyc")]
    assert checked.warnings == []


def test_a_misspelt_top_level_key_is_named_with_did_you_mean(nyc):
    _edit(nyc / "sources.yaml", "exports:", "exprots:")
    with pytest.raises(ExportError, match=r"unknown key 'exprots' \(did you mean 'exports'\?\)"):
        preflight(nyc / "sources.yaml")


def test_a_misspelt_export_key_is_named_with_did_you_mean(nyc):
    _edit(nyc / "sources.yaml", "profile: nyc", "profil: nyc")
    with pytest.raises(ExportError, match=r"exports\[0\].*unknown key 'profil' \(did you mean 'profile'\?\)"):
        preflight(nyc / "sources.yaml")


def test_a_misspelt_profile_key_is_named_with_did_you_mean(nyc):
    _edit(nyc / "profiles" / "nyc.yaml", "date_formats:", "date_format:")
    with pytest.raises(ProfileError, match=r"unknown key 'date_format' \(did you mean 'date_formats'\?\)"):
        preflight(nyc / "sources.yaml")


def test_a_header_the_file_lacks_is_named_with_its_closest_match(nyc):
    _edit(nyc / "profiles" / "nyc.yaml", "received_at: Created Date", "received_at: Created Dat")
    with pytest.raises(ProfileError, match=r"nyc311_2022-05-01.csv.*'Created Dat'.*closest: 'Created Date'"):
        preflight(nyc / "sources.yaml")


def test_declared_date_formats_that_read_none_of_the_dates_suggest_one_that_does(nyc):
    import datetime as dt
    import re

    _edit(nyc / "profiles" / "nyc.yaml", '["%m/%d/%Y %I:%M:%S %p"]', '["%d/%m/%Y %H:%M"]')
    with pytest.raises(ExportError, match="Created Date") as err:
        preflight(nyc / "sources.yaml")
    fmt = re.search(r'date_formats: \["([^"]+)"\]', str(err.value)).group(1)
    dt.datetime.strptime("05/01/2022 12:00:00 AM", fmt)


def test_month_first_dates_without_a_format_are_refused_before_any_notebook(nyc):
    _edit(nyc / "profiles" / "nyc.yaml", 'date_formats: ["%m/%d/%Y %I:%M:%S %p"]', "")
    text = (nyc / "nyc311_2022-05-01.csv").read_text()
    (nyc / "nyc311_2022-05-01.csv").write_text(text.replace("05/01/2022", "05/13/2022", 5))
    with pytest.raises(ExportError, match=r"month first.*%m/%d/%Y %I:%M:%S %p"):
        preflight(nyc / "sources.yaml")


def test_an_empty_export_is_warned_on_the_console_and_counted_as_no_rows(nyc, caplog):
    (nyc / "nyc311_2022-06-01.csv").write_bytes(b"")
    with caplog.at_level(logging.WARNING):
        checked = preflight(nyc / "sources.yaml")
    assert any("nyc311_2022-06-01.csv" in w and "empty" in w for w in checked.warnings)
    assert "nyc311_2022-06-01.csv" in caplog.text and "empty" in caplog.text


def test_the_report_command_stops_on_a_bad_configuration_before_any_notebook(nyc, tmp_path, caplog, monkeypatch):
    import cxinsight.report as report

    def no_notebooks(*args, **kwargs):
        raise AssertionError("a notebook was started")

    monkeypatch.setattr(report, "run_all", no_notebooks)
    _edit(nyc / "sources.yaml", "exports:", "exprots:")
    with caplog.at_level(logging.ERROR):
        code = main(["report", "--sources", str(nyc / "sources.yaml"), "--out", str(tmp_path / "reports"),
                     "--processed", str(tmp_path / "processed")])
    assert code == 2 and "did you mean 'exports'" in caplog.text
    with caplog.at_level(logging.ERROR):
        assert main(["pipeline", "--sources", str(nyc / "sources.yaml"), "--out", str(tmp_path / "p")]) == 2


def test_preflight_reads_only_the_head_of_a_large_export(nyc, monkeypatch):
    """The first MB of each file, however large: a 100 MB export is checked in well under 5 s."""
    import cxinsight.preflight as pf

    big = nyc / "nyc311_2022-05-01.csv"
    lines = big.read_text().splitlines(keepends=True)
    with open(big, "a") as fh:
        for _ in range(200):
            fh.writelines(lines[1:])
    assert big.stat().st_size > 20 * pf.HEAD_BYTES
    read = []
    real_open = pf.open_bytes

    class Counting:
        def __init__(self, path):
            self.fh = real_open(path)

        def read(self, n=-1):
            data = self.fh.read(n)
            read.append(len(data))
            return data

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    monkeypatch.setattr(pf, "open_bytes", Counting)
    preflight(nyc / "sources.yaml")
    assert 0 < sum(read) <= pf.HEAD_BYTES + (1 << 12)  # the head, and 4 kB to see the file is not empty


def test_warnings_to_act_on_reach_the_console_and_the_manifest(nyc, tmp_path, caplog):
    """Unmapped services, an empty file and quarantine by reason: logged where the command runs
    (not only in notebook 01's kernel) and kept in the manifest for page 01 and `cxinsight report`."""
    import json

    from cxinsight.pipeline import build_processed

    (nyc / "nyc311_2022-06-01.csv").write_bytes(b"")
    with open(nyc / "profiles" / "nyc.yaml", "a") as fh:
        fh.write("services: {noise: [Noise - Residential]}\n")
    text = (nyc / "nyc311_2022-05-01.csv").read_text()
    (nyc / "nyc311_2022-05-01.csv").write_text(text.replace("05/01/2022 12:", "05/41/2022 12:", 3))
    out = tmp_path / "processed"
    with caplog.at_level(logging.INFO, logger="cxinsight"):  # the pipeline says them as it runs
        result = build_processed(nyc / "sources.yaml", out)
    acc = result.accounting.set_index("source_file")
    assert acc.loc["nyc311_2022-06-01.csv", "rows_in"] == 0
    warnings = json.loads((out / "manifest.json").read_text())["warnings"]
    assert warnings == result.warnings
    assert any("nyc311_2022-06-01.csv" in w and "empty" in w for w in warnings)
    assert any("service names not in the profile" in w and "Illegal Parking" in w for w in warnings)
    bad_dates = int((result.quarantine["reason"] == "unparseable_date").sum())
    assert bad_dates > 0 and any(f"unparseable date {bad_dates}" in w for w in warnings)
    # what needs a person at WARNING, each kept in the manifest; the count of quarantined rows by reason
    # said at INFO (every export has some), both on the console of whoever runs it
    said = [r for r in caplog.records if r.name.startswith("cxinsight")]
    warned = [r.getMessage() for r in said if r.levelno == logging.WARNING]
    assert warned and all(any(w.endswith(m) for w in warnings) for m in warned), (warned, warnings)
    to_act_on = [w for w in warnings if " rows quarantined: " not in w]
    assert all(any(w.endswith(m) for m in warned) for w in to_act_on), (warned, to_act_on)
    assert any(r.levelno == logging.INFO and f"unparseable date {bad_dates}" in r.getMessage() for r in said)
