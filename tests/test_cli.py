from __future__ import annotations

import logging

import pandas as pd
import pytest

from cxinsight.cli import main


def test_demo_then_pipeline_from_the_command_line(tmp_path, caplog):
    raw = tmp_path / "raw" / "demo"
    assert main(["demo", "--contacts", "2000", "--seed", "3", "--out", str(raw)]) == 0
    assert (raw / "sources.yaml").exists() and (tmp_path / "raw" / "demo_answer_key" / "planted.yaml").exists()
    before = (raw / "crm").stat().st_mtime_ns
    with caplog.at_level(logging.INFO):
        assert main(["demo", "--contacts", "2000", "--seed", "3", "--out", str(raw)]) == 0
    assert "already" in caplog.text and (raw / "crm").stat().st_mtime_ns == before
    out = tmp_path / "processed"
    assert main(["-q", "pipeline", "--sources", str(raw / "sources.yaml"), "--out", str(out)]) == 0
    acc = pd.read_parquet(out / "row_accounting.parquet")
    assert (acc["rows_in"] == acc["rows_clean"] + acc["rows_quarantined"]).all()


def test_demo_regenerates_when_the_generator_changed(tmp_path):
    raw = tmp_path / "raw" / "demo"
    assert main(["demo", "--contacts", "1500", "--seed", "4", "--out", str(raw)]) == 0
    planted = tmp_path / "raw" / "demo_answer_key" / "planted.yaml"
    text = planted.read_text(encoding="utf-8")
    planted.write_text(text.replace("generator_version:", "generator_version: 0 #"), encoding="utf-8")
    before = (raw / "sources.yaml").stat().st_mtime_ns
    assert main(["demo", "--contacts", "1500", "--seed", "4", "--out", str(raw)]) == 0
    assert (raw / "sources.yaml").stat().st_mtime_ns != before


@pytest.mark.slow
def test_a_small_demo_then_report_succeeds(tmp_path, monkeypatch):
    """`cxinsight demo --contacts 4000 && cxinsight report` (issues 27 and 31): no notebook asserts
    anything about the demo's planted truth, so a small or large demo reports like any council."""
    from cxinsight.cli import main

    monkeypatch.setenv("CXINSIGHT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CXINSIGHT_REPORTS_DIR", str(tmp_path / "reports"))
    assert main(["-q", "demo", "--contacts", "4000"]) == 0
    assert main(["-q", "report", "--no-pdf"]) == 0  # the PDFs: test_real_exports.py's nyc311 run, by the CLI
    assert (tmp_path / "reports" / "index.html").exists()
    assert not (tmp_path / "reports" / "pdf").exists()
