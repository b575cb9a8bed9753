"""Checking the classifier on a file a person labelled: figures with intervals, clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import f1_score, precision_score, recall_score

from cxinsight.cli import main
from cxinsight.demand import score_text
from cxinsight.demand.check import LabelledFileError, check_labelled, read_labelled

CORPUS = Path(__file__).parent / "data" / "demand_corpus"


@pytest.fixture(scope="module")
def newport() -> pd.DataFrame:
    """500 real requests from a source the rules were never developed on, labelled by hand."""
    texts = pd.read_csv(CORPUS / "seeclickfix_newport.csv", keep_default_na=False)
    return texts.merge(pd.read_csv(CORPUS / "labels.csv"), on="id")[["text", "demand", "failure_type"]]


def test_figures_match_an_independent_count_and_carry_intervals(newport):
    result = check_labelled(newport, label_column="demand", learn=False, source="newport")
    got = result.metrics.set_index("measure")
    predicted = score_text(newport["text"])["demand"].astype(str)
    for measure, score in (("Precision", precision_score), ("Recall", recall_score), ("F1", f1_score)):
        row = got.loc[f"{measure} (failure demand)"]
        assert row["estimate"] == pytest.approx(score(newport["demand"], predicted, pos_label="failure"), abs=1e-3)
        assert row["low"] <= row["estimate"] <= row["high"] and row["high"] - row["low"] > 0.05
    assert result.n == 500 and int(result.confusion.to_numpy().sum()) == 500
    assert 0 <= result.ece <= 1 and result.reliability["contacts"].sum() == 500


def test_failure_types_count_as_failure_and_a_model_is_tried_when_there_are_enough(newport):
    labels = np.where(newport["demand"] == "failure", newport["failure_type"].replace("", "not_done"), "value")
    subset = newport.assign(label=labels).iloc[:120]
    result = check_labelled(subset, source="newport")
    assert result.gain is not None and list(result.gain["classifier"]) == ["rules", "learned from review"]
    assert result.metrics.set_index("measure").loc["Recall (failure demand)", "n"] == int((subset["demand"] == "failure").sum())


def test_a_bad_file_names_file_column_expected_and_found(tmp_path):
    frame = pd.DataFrame({"notes": ["bin missed again"], "label": ["maybe"]})
    with pytest.raises(LabelledFileError, match=r"my\.csv: no column 'text'.*found columns \['notes', 'label'\]"):
        check_labelled(frame, source="my.csv")
    with pytest.raises(LabelledFileError, match=r"my\.csv: column 'label': expected 'failure', 'value'.*found \['maybe'\]"):
        check_labelled(frame, text_column="notes", source="my.csv")
    path = tmp_path / "labelled.csv"
    frame.to_csv(path, index=False)
    assert main(["-q", "check-classifier", str(path), "--text", "notes"]) == 2  # said plainly, no traceback


def test_the_command_reads_a_windows_csv_and_writes_the_figures(tmp_path, newport):
    path = tmp_path / "labelled.csv"
    newport.iloc[:60].assign(text=lambda d: d["text"].where(d.index != 0, "=HYPERLINK(\"x\") bin missed again")
                             ).to_csv(path, index=False, encoding="cp1252", errors="replace")
    out = tmp_path / "figures.csv"
    assert main(["-q", "check-classifier", str(path), "--label", "demand", "--no-learn", "--out", str(out)]) == 0
    figures = read_labelled(out)
    assert figures["measure"].iloc[0] == "Precision (failure demand)" and len(figures) == 5
