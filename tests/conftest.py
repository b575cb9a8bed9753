"""Shared fixtures: a small seeded demo council, processed once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from cxinsight.htmlcheck import read_page
from cxinsight.report import build_reports
from cxinsight.synthetic import DemoSpec, generate_demo, read_answer_key
from tests import built_once

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
PROJECT = Path(__file__).resolve().parents[1]
# The tests' own pseudonym key (cxinsight.pseudonym), never the analyst's in their home folder: the same
# file `make test` builds the test data with, made on first use. Set the variable to use another.
os.environ.setdefault("CXINSIGHT_PSEUDONYM_KEY_FILE", str(PROJECT / ".test" / "pseudonym.key"))

#: The blind corpora's own scripts are their writers' record, run by hand (check.py exits when run).
collect_ignore_glob = ["data/blind_personal_data/*/*.py"]
USERS_OWN = ("data/processed", "data/interim", "data/review", "data/figures", "reports")  # an analyst's outputs: a test run never touches them
_USERS = pytest.StashKey[dict]()


def _fingerprint() -> dict[str, str]:
    """SHA-256 of every file in the analyst's own output folders (not the test run's)."""
    import hashlib

    out = {}
    for folder in USERS_OWN:
        for f in sorted((PROJECT / folder).rglob("*")) if (PROJECT / folder).exists() else []:
            if f.is_file():
                out[f.relative_to(PROJECT).as_posix()] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def _controller(config) -> bool:
    return not hasattr(config, "workerinput")  # the pytest-xdist controller, or a run without workers


def pytest_sessionstart(session):
    if _controller(session.config):
        session.config.stash[_USERS] = _fingerprint()


def pytest_sessionfinish(session, exitstatus):
    """``make test`` runs on its own data folder: the analyst's data/processed, data/interim and
    reports/ must be byte-identical afterwards. A run that changed them fails, naming the files."""
    if not _controller(session.config) or _USERS not in session.config.stash:
        return
    before, after = session.config.stash[_USERS], _fingerprint()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    if changed:
        session.config.get_terminal_writer().line(
            f"FAILED: the test run changed the analyst's own outputs: {changed[:5]} ({len(changed)} files). "
            "Tests must run on a data folder of their own (make test sets CXINSIGHT_DATA_DIR).", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """A 40,000-contact demo council: raw exports, answer key and processed tables (built once for
    every worker and run of the same code by :mod:`tests.built_once`; each worker gets its own copy)."""
    root, result = built_once.copy_of(built_once.built(), tmp_path_factory.mktemp("demo"))
    return {"root": root, "raw": root / "raw", "key": read_answer_key(root / "key"),
            "result": result, "processed": root / "processed"}


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public data in ../shared/data. Fails (not skips) in CI when it is missing."""
    if SHARED_DATA.exists():
        return SHARED_DATA
    if os.environ.get("CXINSIGHT_REQUIRE_PUBLIC_DATA") == "1":
        pytest.fail(f"public data required (CXINSIGHT_REQUIRE_PUBLIC_DATA=1) but {SHARED_DATA} is missing")
    pytest.skip(f"public data not found at {SHARED_DATA}; set CXINSIGHT_REQUIRE_PUBLIC_DATA=1 to make this fail")


REPORT_SPEC = DemoSpec(contacts=30_000, seed=11)


@pytest.fixture(scope="session")
def built_reports(tmp_path_factory):
    """A demo council in its own data folder, and every report built from it (the main job, as
    ``make report`` runs it: pipeline, council notebooks, one report per service, index, gate)."""
    root = tmp_path_factory.mktemp("reports")
    data = root / "data"
    generate_demo(data / "raw" / "demo", data / "raw" / "demo_answer_key", REPORT_SPEC)
    import logging
    import warnings

    class Keep(logging.Handler):
        def __init__(self):
            super().__init__(logging.WARNING)
            self.records = []

        def emit(self, record):
            self.records.append(f"{record.name}: {record.getMessage()}")

    noisy = Keep()
    logging.getLogger().addHandler(noisy)
    try:
        with pytest.MonkeyPatch.context() as env, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            env.setenv("CXINSIGHT_DATA_DIR", str(data))
            env.setenv("CXINSIGHT_REPORTS_DIR", str(root / "reports"))
            written = build_reports(reports=root / "reports", workers=2)
    finally:
        logging.getLogger().removeHandler(noisy)
    services = sorted(pd.read_parquet(data / "processed" / "contacts.parquet", columns=["service"])["service"]
                      .astype(str).unique())
    pages = sorted((root / "reports").rglob("*.html"))
    return {"root": root, "reports": root / "reports", "written": written, "services": services,
            "pages": {p: read_page(p) for p in pages}, "key": read_answer_key(data / "raw" / "demo_answer_key"),
            "warnings": noisy.records + [f"{w.category.__name__}: {w.message}" for w in caught]}
