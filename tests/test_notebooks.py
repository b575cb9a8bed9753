"""The notebooks as committed: no outputs (results are data, and data is never committed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 7


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    with_output = [i for i, c in enumerate(cells) if c["cell_type"] == "code"
                   and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not with_output, f"{path.name}: cells {with_output} carry outputs; clear them before committing"
