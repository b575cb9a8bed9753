"""Faults: a run killed at any point leaves the previous complete outputs readable; two runs at once
are refused with a clear message; a folder that does not match its manifest is never read as whole.

The pipeline is run as a separate process (``python -m cxinsight.cli pipeline``) and killed either at
a named point (``CXINSIGHT_FAULT``, which exits the process as SIGKILL would: no clean-up runs) or
with a real SIGKILL after a delay.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from cxinsight import outputs
from cxinsight.pipeline import IncompleteOutputs, complete_folder, read_processed
from cxinsight.synthetic import DemoSpec, generate_demo

#: (fault point, swap by exchange): Linux swaps the folders in one step; elsewhere two renames with a
#: moment between them ("mid-swap"), tested here by switching the exchange off.
POINTS = [("before-manifest", True), ("before-swap", True), ("after-swap", True),
          ("mid-swap", False), ("after-swap", False)]


@pytest.fixture(scope="module")
def council(tmp_path_factory):
    """A 2,000-contact council processed once (the 'previous complete outputs')."""
    root = tmp_path_factory.mktemp("faults")
    generate_demo(root / "raw", root / "key", DemoSpec(contacts=2_000, seed=3))
    return root


def _run(council: Path, out: Path, fault: str | None = None, wait: bool = True, exchange: bool = True):
    env = {k: v for k, v in os.environ.items() if k not in ("CXINSIGHT_FAULT", "CXINSIGHT_NO_EXCHANGE")}
    env |= ({"CXINSIGHT_FAULT": fault} if fault else {}) | ({} if exchange else {"CXINSIGHT_NO_EXCHANGE": "1"})
    args = [sys.executable, "-m", "cxinsight.cli", "-q", "pipeline", "--sources",
            str(council / "raw" / "sources.yaml"), "--out", str(out)]
    if wait:
        return subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.slow  # a run in a process per point: in `make test-slow` and CI (issue 31: `make test` in under 3 minutes)
@pytest.mark.parametrize("point, exchange", POINTS)
def test_a_run_killed_at_each_point_leaves_complete_outputs(council, tmp_path, point, exchange):
    out = tmp_path / "processed"
    assert _run(council, out).returncode == 0
    before = read_processed("contacts", out)
    manifest_before = (out / "manifest.json").read_text()
    proc = _run(council, out, fault=point, exchange=exchange)
    assert proc.returncode == 137, proc.stderr
    readable = read_processed("contacts", out)  # previous (or, after the swap, the new) complete build
    assert len(readable) == len(before)
    folder = complete_folder(out)
    assert (folder / "manifest.json").exists()
    if point != "after-swap":
        assert (folder / "manifest.json").read_text() == manifest_before
    # The next run recovers and completes.
    assert _run(council, out).returncode == 0
    assert read_processed("contacts", out).shape == before.shape
    assert not list(tmp_path.glob(".processed.*-*")), list(tmp_path.iterdir())


@pytest.mark.parametrize("delay", [0.3, *(pytest.param(d, marks=pytest.mark.slow) for d in (1.0, 2.0, 3.5))])
def test_a_real_sigkill_at_any_moment_leaves_complete_outputs(council, tmp_path, delay):
    out = tmp_path / "processed"
    assert _run(council, out).returncode == 0
    before = read_processed("contacts", out)
    proc = _run(council, out, wait=False)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert read_processed("contacts", out).shape == before.shape


@pytest.mark.slow  # runs the pipeline in processes: in `make test-slow` and CI (issue 31: `make test` in under 3 minutes)
def test_two_runs_at_once_are_refused_with_a_clear_message(council, tmp_path):
    out = tmp_path / "processed"
    with outputs.lock(out.resolve()):
        proc = _run(council, out)
    assert proc.returncode == 2
    assert "another cxinsight run" in proc.stderr and "Traceback" not in proc.stderr


def test_a_failed_run_leaves_the_previous_outputs_and_says_so(tmp_path, caplog):
    out = tmp_path / "out"
    with outputs.replacing(out) as stage:
        (stage / "a.txt").write_text("v1")
    with pytest.raises(RuntimeError, match="boom"), outputs.replacing(out) as stage:
        (stage / "a.txt").write_text("half of v2")
        raise RuntimeError("boom")
    assert (out / "a.txt").read_text() == "v1"
    assert "is unchanged" in caplog.text


def test_the_folder_readme_is_carried_over(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "README.md").write_text("what this folder is")
    (out / "old.parquet").write_text("stale")
    with outputs.replacing(out) as stage:
        (stage / "new.parquet").write_text("new")
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "new.parquet"]


def test_files_without_a_manifest_are_not_read_as_a_complete_build(tmp_path):
    out = tmp_path / "processed"
    out.mkdir()
    pd.DataFrame({"a": [1]}).to_parquet(out / "contacts.parquet")
    with pytest.raises(IncompleteOutputs, match="without a manifest"):
        read_processed("contacts", out)


@pytest.mark.slow  # runs the pipeline in processes: in `make test-slow` and CI (issue 31: `make test` in under 3 minutes)
def test_a_file_changed_after_the_run_is_named(council, tmp_path):
    out = tmp_path / "processed"
    assert _run(council, out).returncode == 0
    with open(out / "contacts.parquet", "ab") as f:
        f.write(b"\0")
    with pytest.raises(IncompleteOutputs, match="contacts.parquet do not match manifest.json"):
        read_processed("contacts", out)


def _report(council: Path, root: Path, fault: str | None = None, wait: bool = True):
    env = {k: v for k, v in os.environ.items() if k not in ("CXINSIGHT_FAULT", "CXINSIGHT_NO_EXCHANGE")}
    env |= {"CXINSIGHT_FAULT": fault} if fault else {}
    args = [sys.executable, "-m", "cxinsight.cli", "-q", "report", "--sources", str(council / "raw" / "sources.yaml"),
            "--out", str(root / "reports"), "--processed", str(root / "processed"), "--service", "waste_recycling"]
    if wait:
        return subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _snapshot(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*.html")}


@pytest.mark.slow  # builds the whole report several times (about 2.5 minutes): make test-slow, and CI
def test_a_report_run_killed_part_way_or_at_the_swap_leaves_complete_reports(council, tmp_path):
    """Reports: a SIGKILL while the notebooks run, and a kill just after the swap, each leave one
    complete set of pages (the previous one, or the new one), never a mixture."""
    first = _report(council, tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    before = _snapshot(tmp_path / "reports")
    assert "index.html" in before and len(before) >= 4
    proc = _report(council, tmp_path, wait=False)
    time.sleep(6)  # the pipeline has run; notebooks are being executed into the staging folder
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert _snapshot(tmp_path / "reports") == before
    killed = _report(council, tmp_path, fault="before-swap@reports")
    assert killed.returncode == 137
    assert _snapshot(tmp_path / "reports") == before
    assert read_processed("contacts", tmp_path / "processed").shape[0] > 0
