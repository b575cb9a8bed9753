"""The analyst's second day (issue 27), as a scripted session: make a council, report, label the
sample the run drew (from the demo's answer key, as a person would, by filling in the CSV), report
again. The pages then say the shares were corrected by a person's review, the failure share moves
toward the truth, and the labels are intact after two more runs and after a run killed at each stage.

The demo is made with its answer key kept elsewhere, so no run finds it: the only labels are the
ones written into the review folder, as on a council's own machine."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cxinsight import figures, review_layer
from cxinsight.htmlcheck import read_page
from cxinsight.synthetic import DemoSpec, generate_demo

pytestmark = pytest.mark.slow


def _report(root: Path, fault: str | None = None) -> int:
    """`cxinsight report` on the council, as a person runs it (in a process of its own, which a
    fault kills as SIGKILL would)."""
    env = {k: v for k, v in os.environ.items() if k != "CXINSIGHT_FAULT"}
    env.update(CXINSIGHT_DATA_DIR=str(root / "data"), CXINSIGHT_REPORTS_DIR=str(root / "reports"))
    if fault:
        env["CXINSIGHT_FAULT"] = fault
    return subprocess.run([sys.executable, "-m", "cxinsight.cli", "-q", "report", "--sources",
                           str(root / "raw" / "sources.yaml"), "--processed", str(root / "data" / "processed"),
                           "--out", str(root / "reports"), "--service", "waste_recycling"],
                          env=env, capture_output=True, text=True, timeout=900).returncode


def _council_share(root: Path) -> tuple[float, str]:
    shown = [h for h in figures.read_headlines(root / "data" / "processed", "council") if h.measure == "failure_share"]
    return shown[0].estimate, shown[0].note


def _digest(folder: Path) -> dict[str, str]:
    return {str(f.relative_to(folder)): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(folder.rglob("*")) if f.is_file()}


def test_a_labelled_review_is_read_by_every_later_run_and_never_lost(tmp_path):
    root = tmp_path
    generate_demo(root / "raw", root / "elsewhere" / "key", DemoSpec(contacts=6_000, seed=21))
    assert _report(root) == 0
    before, note = _council_share(root)
    assert note.startswith("Provisional")  # the classifier's expected share, before any review
    [draw] = review_layer.draws(root / "data" / "processed", review_layer.FAILURE_DEMAND)
    sample_file = draw / review_layer.SAMPLE_FILES[review_layer.FAILURE_DEMAND]

    # a person labels the sample in Excel: the CSV as drawn, the analyst_demand column filled in
    sample = pd.read_csv(sample_file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    truth = pd.read_parquet(root / "elsewhere" / "key" / "contacts_truth.parquet")
    truth = truth.set_index(truth["contact_id"].astype(str))
    sample["analyst_demand"] = sample["contact_id"].map(truth["demand"]).fillna("")
    sample["analyst_failure_type"] = sample["contact_id"].map(truth["failure_type"]).fillna("")
    sample.to_csv(sample_file, index=False, encoding="utf-8-sig")
    labelled = _digest(root / "data" / "review")

    assert _report(root) == 0
    after, note = _council_share(root)
    assert "corrected by a review sample" in note
    planted = float((truth["demand"] == "failure").mean())
    assert abs(after - planted) < abs(before - planted), (before, after, planted)
    page = " ".join(read_page(root / "reports" / "council" / "02_failure_demand.html").text.split())
    assert "labelled by a person in the review folder" in page

    for _ in range(2):  # two more runs: the labels are read, never replaced
        assert _report(root) == 0
        assert _digest(root / "data" / "review") == labelled
    for fault in ("before-manifest", "before-swap@processed", "after-swap@processed", "before-swap@interim",
                  "after-swap@interim", "before-swap@figures", "after-swap@figures", "before-swap@reports"):
        assert _report(root, fault) != 0, fault
        assert _digest(root / "data" / "review") == labelled, fault
    assert _report(root) == 0
    assert _council_share(root) == (after, note)
