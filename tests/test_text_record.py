"""The classifier and the redactor give, text for text, the answers recorded before issue 31 made
them fast (``tests/text_record.py`` says what is recorded and how to write it again)."""

from __future__ import annotations

import pytest

from tests import text_record

RECORD = text_record.read()
SOURCES = text_record.sources()
CASES = [(task, name) for task in ("classify", "redact") for name in RECORD[task]]
#: the largest (about 40 s each): in `make test-slow` and CI (issue 31: `make test` in under 3 minutes)
SLOW = {("redact", "real"), ("redact", "demo_raw")}


@pytest.mark.parametrize(("task", "name"), [pytest.param(*c, marks=pytest.mark.slow) if c in SLOW else c for c in CASES],
                         ids=[f"{t}-{n}" for t, n in CASES])
def test_same_answers_as_the_record(task, name):
    expected = RECORD[task][name]
    texts = SOURCES[task].get(name)
    if name.startswith("demo"):
        if texts is None:
            pytest.skip("no demo council in the data folder (make test generates it)")
        if text_record.texts_digest(texts) != expected["texts"]:
            pytest.skip(f"the data folder's demo is not the one recorded ({len(texts):,} distinct texts against "
                        f"{expected['n']:,}): another size, seed or generator")
    else:
        assert texts is not None and text_record.texts_digest(texts) == expected["texts"], (
            f"the {name} texts changed since the record was written ({len(texts):,} against {expected['n']:,}): "
            "write it again at a commit whose answers are trusted (see tests/text_record.py)")
    differ = text_record.check(task, expected, texts)
    assert not differ, f"{task}: {len(differ)} of {len(texts):,} {name} texts answered differently, e.g. {differ[:5]}"
    if task == "redact":
        assert text_record.redact_counts_digest(texts) == expected["counts"]


def test_classify_on_the_demo_contacts_as_the_analysis_calls_it():
    expected = RECORD.get("classify_demo_frame")
    processed = text_record.demo_processed()
    if expected is None or processed is None:
        pytest.skip("no demo council in the data folder (make test generates it)")
    demo_texts = SOURCES["classify"].get("demo_processed")
    if text_record.texts_digest(demo_texts) != RECORD["classify"]["demo_processed"]["texts"]:
        pytest.skip("the data folder's demo is not the one recorded")
    assert text_record.classify_frame_digest(*processed) == expected["digest"]
