"""Shared fixtures: a small seeded demo council, processed once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cxinsight.pipeline import build_processed
from cxinsight.synthetic import DemoSpec, generate_demo, read_answer_key

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TEST_SPEC = DemoSpec(contacts=40_000, seed=7)


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """A 40,000-contact demo council: raw exports, answer key and processed tables."""
    root = tmp_path_factory.mktemp("demo")
    generate_demo(root / "raw", root / "key", TEST_SPEC)
    result = build_processed(root / "raw" / "sources.yaml", root / "processed")
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
