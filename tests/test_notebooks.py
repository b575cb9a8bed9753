"""The notebooks as committed: no outputs (results are data, and data is never committed), and
tables and charts through the library's helpers."""

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


def test_notebooks_show_tables_and_ranges_through_the_library_helpers():
    """Tables go through publish.table (suppression, caption, no index, one place to change) and bars
    with intervals through charts.interval_bars, not chains built by hand in each notebook. A point
    chart with vertical intervals (NPS by hour or day, notebook 06) is the one other shape allowed."""
    for path in NOTEBOOKS:
        for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            source = "".join(cell["source"])
            if cell["cell_type"] != "code":
                continue
            assert ".style." not in source, f"{path.name} cell {i}: a table styled by hand; use publish.table"
            assert not ("errorbar(" in source and "barh(" in source), \
                f"{path.name} cell {i}: bars with intervals drawn by hand; use charts.interval_bars"
