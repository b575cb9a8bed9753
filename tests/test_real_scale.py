"""Real scale in the slow suite (issue 26): a real public export rebuilt to 120,000 rows with free
text and 600+ categories goes through the whole report.

Rebuilt, said so: the 10,000 real San Francisco 311 cases in tests/data/real/sf311_closing_notes
(source, commit and licence in its SOURCE.md) are resampled with replacement (seed 2026) to 120,000
rows; each copy keeps its row's real values (dates, channel, category, descriptor and the agency's
own status notes) and gets a case number of its own. The service is the queue a case went to: its
agency and descriptor as the export wrote them ("DPW Ops Queue / Sidewalk_Cleaning"), 600+ of them.
Nothing is invented: every value is one a real case had."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxinsight.htmlcheck import read_page

SF = Path(__file__).parent / "data" / "real" / "sf311_closing_notes" / "sf311_service_requests.csv.gz"
ROWS = 120_000

PROFILE = """name: sf311_queues
table: contacts
columns:
  contact_id: unique_key
  received_at: created_date
  channel: source
  service: queue
  reason: descriptor
  outcome: status
  notes: status_notes
date_formats: ["%Y-%m-%d %H:%M:%S%z"]
channels:
  Mobile/Open311: web
  Integrated Agency: other
  Other Department: other
"""


def rebuilt(folder: Path) -> Path:
    real = pd.read_csv(SF, dtype=str, keep_default_na=False)
    picks = np.random.default_rng(2026).integers(0, len(real), ROWS)
    big = real.iloc[picks].reset_index(drop=True)
    big["unique_key"] = [f"{k}-{i}" for i, k in enumerate(big["unique_key"])]
    big["queue"] = big["agency_name"] + " / " + big["descriptor"]
    folder.mkdir(parents=True)
    big.to_csv(folder / "sf311_rebuilt.csv", index=False, quoting=csv.QUOTE_MINIMAL)
    (folder / "sf311_queues.yaml").write_text(PROFILE, encoding="utf-8")
    (folder / "sources.yaml").write_text(
        "council: San Francisco 311 (real cases, resampled to 120,000)\n"
        "exports:\n  - {table: contacts, path: sf311_rebuilt.csv, profile: sf311_queues}\n", encoding="utf-8")
    return folder / "sources.yaml"


@pytest.mark.slow
def test_a_real_export_of_120000_rows_and_600_queues_builds_every_report(tmp_path):
    from cxinsight.report import build_reports

    sources = rebuilt(tmp_path / "raw")
    raw = pd.read_csv(tmp_path / "raw" / "sf311_rebuilt.csv", dtype=str, keep_default_na=False)
    assert len(raw) == ROWS and raw["queue"].nunique() >= 500
    written = build_reports(sources, tmp_path / "reports", processed=tmp_path / "processed", workers=2)
    accounting = pd.read_parquet(tmp_path / "processed" / "row_accounting.parquet")
    with open(tmp_path / "raw" / "sf311_rebuilt.csv", encoding="utf-8", newline="") as fh:
        records = sum(1 for _ in csv.reader(fh)) - 1  # counted without cxinsight
    assert accounting["rows_in"].sum() == records == ROWS
    assert (accounting["rows_in"] == accounting["rows_clean"] + accounting["rows_quarantined"]).all()
    contacts = pd.read_parquet(tmp_path / "processed" / "contacts.parquet", columns=["service"])
    assert contacts["service"].nunique() >= 500
    assert len(list((tmp_path / "reports" / "services").glob("*.html"))) == 30  # the largest 30
    index = read_page(written[0]).text
    assert "Failure demand" in index and "Net savings" in index
    assert all(p.exists() for p in written)
