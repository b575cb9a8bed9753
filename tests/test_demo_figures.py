"""Every headline figure of the demo council, to the last digit, against a stored record (issue 31).

The record (``tests/data/demo_figures.json``) holds every figure the figures stage stores for the
demo council ``make test`` builds (``cxinsight demo`` with its defaults): the council and each
service page, each figure's estimate, range, base, note and change against earlier quarters, and what
could not be given and why. A change that moves any of them, by speed work or otherwise, fails here;
a change meant to move them rewrites the record on purpose::

    CXINSIGHT_DATA_DIR=.test/data .venv/bin/python tests/test_demo_figures.py --write

and the diff of the record shows what moved.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import pytest

RECORD = Path(__file__).resolve().parent / "data" / "demo_figures.json"


def current() -> dict:
    """The figures stage's record of the demo's figures, in the data folder in use."""
    from cxinsight import figures, paths

    out = {}
    for h in figures.read_headlines(paths.processed_dir()):
        d = asdict(h)
        d["changes"] = [list(c) for c in h.changes]
        out.setdefault(h.scope, []).append(d)
    return {scope: sorted(rows, key=lambda r: r["measure"]) for scope, rows in sorted(out.items())}


def _is_default_demo() -> bool:
    """The data folder in use holds the default demo council (its answer key says the seed and size),
    processed and with its figures built."""
    import yaml

    from cxinsight import paths
    from cxinsight.synthetic import DemoSpec

    processed = paths.processed_dir()
    key = paths.answer_key_for(processed)
    if key is None or not (processed.parent / "figures" / "headlines.parquet").exists():
        return False
    planted = yaml.safe_load((key / "planted.yaml").read_text(encoding="utf-8"))
    return (planted.get("seed"), planted.get("contacts")) == (DemoSpec().seed, DemoSpec().contacts)


def test_every_demo_headline_figure_is_as_recorded():
    if not _is_default_demo():
        pytest.skip("the data folder in use is not the default demo council that make test builds "
                    "(CXINSIGHT_DATA_DIR=.test/data after `make test`'s set-up)")
    recorded = json.loads(RECORD.read_text(encoding="utf-8"))
    now = current()
    assert now.keys() == recorded.keys()
    for scope in recorded:
        assert now[scope] == recorded[scope], scope


if __name__ == "__main__" and "--write" in sys.argv:
    RECORD.write_text(json.dumps(current(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {RECORD}")


def test_the_demos_planted_change_is_found_among_the_reports_comparisons():
    """Issue 29: with every comparison of the report allowed for (Holm at 1%), the demo's planted rise
    in council tax's failure demand in its last quarter is still a clear change, and it is one of
    very few."""
    if not _is_default_demo():
        pytest.skip("the data folder in use is not the default demo council that make test builds")
    now = current()
    tax = next(r for r in now["council_tax"] if r["measure"] == "failure_share")
    previous = next(short for key, _, short in tax["changes"] if key == "previous")
    assert previous.startswith("up ") and previous.endswith("a clear change"), previous
    clear = [(scope, r["measure"]) for scope, rows in now.items() for r in rows
             for key, _, short in r["changes"] if key != "latest" and short.endswith("a clear change")]
    assert ("council_tax", "failure_share") in clear and len(clear) <= 2, clear


def test_the_demos_index_is_read_in_two_minutes(tmp_path):
    """Issue 29: the default demo council's index, as ``cxinsight report`` writes it from the figures
    stage (with the demo banner, period and footer), at most 600 words."""
    if not _is_default_demo():
        pytest.skip("the data folder in use is not the default demo council that make test builds")
    from bs4 import BeautifulSoup

    from cxinsight import figures, paths
    from cxinsight.report import DEMO_BANNER, _footer, _services, reporting_period
    from cxinsight.report.render import write_index
    from cxinsight.settings import load_settings

    processed = paths.processed_dir()
    footer = _footer("Free text is redacted.", load_settings(processed / "council.yaml").publishing)
    services, others = _services(processed)
    index = write_index(tmp_path, figures.read_headlines(processed), services, footer=footer, banner=DEMO_BANNER,
                        others=others, period=reporting_period(processed), actions=figures.read_actions(processed))
    soup = BeautifulSoup(index.read_text(encoding="utf-8"), "html.parser")
    for tag in soup(["style", "title"]):
        tag.decompose()
    words = soup.get_text(" ").split()
    assert 200 < len(words) <= 600, len(words)
    assert len(soup.select("li.card")) == 6 and "not in the data" not in " ".join(words)
