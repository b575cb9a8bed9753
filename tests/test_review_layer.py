"""The review folder (issue 27): what people make is kept apart from what runs make. A run draws a
sample into it once and reads the labels back by itself; a top-up adds a draw and never touches the
first; `cxinsight review` says where the review stands."""

from __future__ import annotations

import hashlib
import logging

import pandas as pd
import pytest

from cxinsight import pseudonym, review_layer
from cxinsight.analysis import build_analysis
from cxinsight.cli import main
from cxinsight.pipeline import build_processed
from cxinsight.synthetic import DemoSpec, generate_demo


@pytest.fixture(scope="module")
def council(tmp_path_factory):
    """A 3,000-contact council whose answer key no run can find (as on a council's own machine)."""
    root = tmp_path_factory.mktemp("review")
    generate_demo(root / "raw", root / "elsewhere", DemoSpec(contacts=3_000, seed=4))
    build_processed(root / "raw" / "sources.yaml", root / "processed")
    return root


def _files(folder):
    return {str(f.relative_to(folder)): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(folder.rglob("*")) if f.is_file()}


def test_a_run_draws_once_into_the_review_folder_and_reads_the_labels_back(council):
    processed = council / "processed"
    first = build_analysis(processed)
    assert first.review is None and "waits for a person to label it" in first.review_note
    [draw] = review_layer.draws(processed, review_layer.FAILURE_DEMAND)
    assert (processed / "review").exists() is False  # nothing of a person's inside the processed folder
    kept = _files(council / "review")
    build_analysis(processed)  # a second run: no second draw, nothing replaced
    assert _files(council / "review") == kept
    path = draw / review_layer.SAMPLE_FILES[review_layer.FAILURE_DEMAND]
    sample = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    truth = pd.read_parquet(council / "elsewhere" / "contacts_truth.parquet")
    truth = truth.set_index(truth["contact_id"].astype(str))
    half = sample.index < len(sample) // 2  # a person part way through
    sample.loc[half, "analyst_demand"] = sample.loc[half, "contact_id"].map(truth["demand"])
    sample.to_csv(path, index=False, encoding="utf-8-sig")
    labelled = build_analysis(processed)
    assert labelled.review is not None and len(labelled.review) == int(half.sum())
    assert "labelled by a person in the review folder" in labelled.review_note


def test_review_status_and_a_top_up_that_never_touches_the_first_draw(council, caplog):
    processed = council / "processed"
    build_analysis(processed)
    kept = _files(council / "review")
    with caplog.at_level(logging.INFO):
        assert main(["review", "--processed", str(processed)]) == 0
    assert any("contacts drawn for review" in r.getMessage() for r in caplog.records)
    assert main(["review", "--processed", str(processed), "--top-up", "60"]) == 0
    draws = review_layer.draws(processed, review_layer.FAILURE_DEMAND)
    assert len(draws) == 2
    assert {k: v for k, v in _files(council / "review").items() if k in kept} == kept  # the first untouched
    file = review_layer.SAMPLE_FILES[review_layer.FAILURE_DEMAND]
    first, second = (pd.read_csv(d / file, dtype=str, encoding="utf-8-sig") for d in draws)
    assert 0 < len(second) <= 60 and not set(second["contact_id"]) & set(first["contact_id"])
    assert review_layer.design(draws[1])["top_up_of"] == [draws[0].name]


def test_labels_of_two_draws_of_one_design_combine_and_a_new_design_starts_afresh(tmp_path):
    processed = tmp_path / "processed"

    def read(path):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        return frame.loc[frame["analyst_demand"] != ""]

    kind = review_layer.FAILURE_DEMAND
    review_layer.add_draw(processed, kind, pd.DataFrame({"contact_id": ["a", "b"], "analyst_demand": ["failure", ""]}),
                          {"stratum_by": "x"})
    review_layer.add_draw(processed, kind, pd.DataFrame({"contact_id": ["c"], "analyst_demand": ["value"]}),
                          {"stratum_by": "x"})
    both, used = review_layer.labelled(processed, kind, read)
    assert sorted(both["contact_id"]) == ["a", "c"] and len(used) == 2
    review_layer.add_draw(processed, kind, pd.DataFrame({"contact_id": ["d"], "analyst_demand": ["value"]}),
                          {"stratum_by": "y"})
    latest, used = review_layer.labelled(processed, kind, read)
    assert latest["contact_id"].tolist() == ["d"] and len(used) == 1


def test_labelling_in_jupyterlab_saves_as_it_goes_and_ticks_quotes(council):
    """The widget's save function (what each button press calls) writes the drawn file itself, which
    the next run reads; a note ticked as a quote is approved for a head of service's page."""
    from cxinsight.labelling import ReviewFile, labeller
    from cxinsight.review_layer import approved_quotes

    processed = council / "processed"
    build_analysis(processed)
    draw = review_layer.draws(processed, review_layer.FAILURE_DEMAND)[0]
    path = draw / review_layer.SAMPLE_FILES[review_layer.FAILURE_DEMAND]
    review = ReviewFile(path)
    done, total = review.progress()
    first = review.next_pending()
    review.label(first, "failure", "progress_chasing", approve_quote=True)
    assert ReviewFile(path).progress() == (done + 1, total)  # saved at once, not at the end
    assert first in approved_quotes(processed)
    with pytest.raises(ValueError, match="expected one of"):
        review.label(first, "maybe")
    widget = labeller(path)  # the JupyterLab widget builds over the same file
    assert "labelled" in widget.children[-1].value


@pytest.mark.slow  # analyses a council three times: in `make test-slow` and CI (issue 31: `make test` in under 3 minutes)
def test_two_people_labelling_the_same_contacts_get_their_agreement(council, caplog):
    """A second person labels a copy of the drawn sample (review_sample.<name>.csv beside it): runs
    read only the first person's file, and `cxinsight review` gives the two people's agreement."""
    processed = council / "processed"
    build_analysis(processed)
    draw = review_layer.draws(processed, review_layer.FAILURE_DEMAND)[0]
    path = draw / review_layer.SAMPLE_FILES[review_layer.FAILURE_DEMAND]
    first = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    truth = pd.read_parquet(council / "elsewhere" / "contacts_truth.parquet")
    truth = truth.set_index(truth["contact_id"].astype(str))["demand"]
    first["analyst_demand"] = first["contact_id"].map(truth)
    first.to_csv(path, index=False, encoding="utf-8-sig")
    second = first.copy()
    flip = second.index[:20]  # the second person disagrees on 20 contacts
    second.loc[flip, "analyst_demand"] = second.loc[flip, "analyst_demand"].map({"failure": "value", "value": "failure"})
    second.to_csv(draw / "review_sample.second.csv", index=False, encoding="utf-8-sig")
    row = review_layer.agreement(processed).iloc[0]
    assert row["labeller"] == "second" and row["both_labelled"] == len(first)
    assert abs(row["agree"] - (1 - 20 / len(first))) < 1e-9
    assert row["kappa_low"] < row["kappa"] < row["kappa_high"] <= 1
    assert len(build_analysis(processed).review) == len(first)  # runs read the first person's labels only
    with caplog.at_level(logging.INFO):
        assert main(["review", "--processed", str(processed)]) == 0
    assert any("two people labelled" in r.getMessage() for r in caplog.records)


def test_the_segment_check_is_labelled_in_the_same_loop_and_read_back(council):
    """The segment-check sample in the review folder gets the review's loop: the widget (each button
    press, as JupyterLab would) and its save function write checked_segment into the drawn file itself,
    saved at once, and the next run reads it; the review's widget saves on a press the same way."""
    from cxinsight.exclusion.customers import SEGMENTS
    from cxinsight.labelling import ReviewFile, SegmentCheckFile, labeller, segment_labeller

    processed = council / "processed"
    first = build_analysis(processed)
    assert first.segment_check is None and "waits for a person to check" in first.segment_check_note
    [draw] = review_layer.draws(processed, review_layer.SEGMENT_CHECK)
    path = draw / review_layer.SAMPLE_FILES[review_layer.SEGMENT_CHECK]
    truth = pd.read_parquet(council / "elsewhere" / "customers_truth.parquet", columns=["customer_id", "digital_capability"])
    # the person looks each sampled customer up by the id they hold (cxinsight.pseudonym.match); here, the answer key's
    truth = truth.set_index(pseudonym.pseudonymise(truth["customer_id"].astype(str), "customer"))["digital_capability"].astype(str)
    check = SegmentCheckFile(path)
    assert check.progress() == (0, len(check.frame))
    with pytest.raises(ValueError, match="expected one of"):
        check.label(check.next_pending(), "offline")
    widget = segment_labeller(path, first.segments)
    buttons = widget.children[2].children
    assert [b.description for b in buttons] == [f"{i} {s}" for i, s in enumerate(SEGMENTS, start=1)]
    shown = check.next_pending()
    assert shown in widget.children[0].value and "The rule saw" in widget.children[0].value
    buttons[SEGMENTS.index(truth[shown])].click()
    assert SegmentCheckFile(path).row(shown)["checked_segment"] == truth[shown]  # saved at once
    assert widget.children[-1].value.startswith("1 of ")
    half = SegmentCheckFile(path)
    for customer in half.frame["customer_id"].head(len(half.frame) // 2):
        half.label(customer, truth[customer])
    checked = build_analysis(processed)
    assert checked.segment_check is not None and len(checked.segment_check) == len(half.frame) // 2
    assert "checked by a person in the review folder" in checked.segment_check_note
    # the review's widget: a press labels the contact shown and saves the file
    file = review_layer.SAMPLE_FILES[review_layer.FAILURE_DEMAND]
    sample = next(d / file for d in review_layer.draws(processed, review_layer.FAILURE_DEMAND)
                  if ReviewFile(d / file).next_pending())  # a draw with contacts left (the tests above label some)
    done, _ = ReviewFile(sample).progress()
    review = labeller(sample)
    review.children[4].children[1].click()  # "2 value"
    assert ReviewFile(sample).progress()[0] == done + 1
