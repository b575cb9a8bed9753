"""How well does the classifier read *your* words? Check it on a file a person has labelled.

A council (or anyone) labels a few hundred of its own contacts by hand against the labelling guide
(``tests/data/demand_corpus/LABELLING.md``): each text ``failure`` or ``value`` (or a failure
type, read as ``failure``). :func:`check_labelled` scores them with the default classifier and says
how far to trust it on text like this, never on the text it was built from:

- precision, recall and F1 for failure demand, each with a 95% interval (Wilson for precision and
  recall; a percentile bootstrap over the texts for F1), Cohen's kappa and accuracy;
- the confusion table and the expected calibration error of ``p_failure`` with its reliability table;
- when there are at least 10 texts of each kind, how a model taught by those labels does on texts it
  did not learn from (5-fold, :func:`cxinsight.demand.review.learning_gain`): the case for
  learning from this council's own review.

``cxinsight check-classifier labelled.csv --text notes --label label`` prints the same.

>>> frame = pd.DataFrame({"text": ["chasing my refund again", "pay council tax", "bin missed again",
...                                "order a new bin"], "label": ["failure", "value", "failure", "value"]})
>>> result = check_labelled(frame, learn=False)
>>> float(result.metrics.set_index("measure").loc["F1 (failure demand)", "estimate"])
1.0
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cxinsight.demand.agreement import evaluate
from cxinsight.demand.measures import reliability, wilson
from cxinsight.demand.review import MIN_EACH_TO_LEARN, learning_gain
from cxinsight.demand.rules import Taxonomy, load_taxonomy, score_text
from cxinsight.io import read_text_csv

log = logging.getLogger(__name__)


class LabelledFileError(ValueError):
    """A labelled file that cannot be checked: names the file, the column, what was expected and found."""


@dataclass
class CheckResult:
    """What :func:`check_labelled` found: ``metrics`` (measure, estimate, low, high, n), ``confusion``
    (rows: the person, columns: the classifier), ``reliability`` and ``ece`` for ``p_failure``, and
    ``gain`` (rules against a model learned from these labels, 5-fold) or None."""

    metrics: pd.DataFrame
    confusion: pd.DataFrame
    reliability: pd.DataFrame
    ece: float
    gain: pd.DataFrame | None
    n: int

    def figures(self) -> pd.DataFrame:
        """``metrics`` and, when a model was tried, each classifier's 5-fold F1 beneath, in one
        ``measure, estimate, low, high, n`` table (what ``check-classifier --out`` writes)."""
        if self.gain is None:
            return self.metrics
        learned = (self.gain.assign(measure="F1, " + self.gain["classifier"] + " (5-fold)")
                   .rename(columns={"f1": "estimate"})[["measure", "estimate", "n"]])
        return pd.concat([self.metrics, learned], ignore_index=True)


def _labels(values: pd.Series, failure_types, source: str, column: str) -> np.ndarray:
    text = values.fillna("").astype(str).str.strip().str.lower()
    known = {"failure", "value", *failure_types}
    bad = sorted(set(text) - known)
    if bad:
        raise LabelledFileError(f"{source}: column {column!r}: expected 'failure', 'value' or a failure type "
                                f"({', '.join(sorted(failure_types))}); found {bad[:5]}")
    return np.where(text == "value", "value", "failure").astype(object)


def _f1_interval(truth: np.ndarray, predicted: np.ndarray, draws: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95% percentile bootstrap interval of failure F1, resampling the texts."""
    rng = np.random.default_rng(seed)
    t, p = truth == "failure", predicted == "failure"
    idx = rng.integers(0, len(t), size=(draws, len(t)))
    tp = (t[idx] & p[idx]).sum(axis=1)
    fp = (~t[idx] & p[idx]).sum(axis=1)
    fn = (t[idx] & ~p[idx]).sum(axis=1)
    f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)
    return float(np.quantile(f1, 0.025)), float(np.quantile(f1, 0.975))


def check_labelled(frame: pd.DataFrame, text_column: str = "text", label_column: str = "label",
                   taxonomy: Taxonomy | Path | str | None = None, learn: bool = True,
                   source: str = "the labelled file") -> CheckResult:
    """Score the labelled texts in ``frame`` with the default classifier and measure the agreement
    (see the module docstring). ``source`` names the file in errors."""
    for column in (text_column, label_column):
        if column not in frame.columns:
            raise LabelledFileError(f"{source}: no column {column!r}; expected the texts and their labels, "
                                    f"found columns {list(frame.columns)}")
    tax = load_taxonomy(taxonomy)
    texts = frame[text_column].fillna("").astype(str)
    keep = texts.str.strip().ne("") & frame[label_column].fillna("").astype(str).str.strip().ne("")
    if not keep.any():
        raise LabelledFileError(f"{source}: no row has both a text in {text_column!r} and a label in {label_column!r}")
    if (~keep).any():
        log.info("%s: %d rows without a text or a label left out", source, int((~keep).sum()))
    texts = texts[keep].reset_index(drop=True)
    truth = _labels(frame.loc[keep, label_column].reset_index(drop=True), tax.failure_types, source, label_column)
    scored = score_text(texts, tax)
    predicted = scored["demand"].astype(str).to_numpy(dtype=object)
    result = evaluate(truth, predicted, labels=["failure", "value"])
    failure = result["per_class"].set_index("class").loc["failure"]
    tp = int(((truth == "failure") & (predicted == "failure")).sum())
    called, actual = int((predicted == "failure").sum()), int((truth == "failure").sum())
    _, p_lo, p_hi = wilson(tp, called) if called else (np.nan, np.nan, np.nan)
    _, r_lo, r_hi = wilson(tp, actual) if actual else (np.nan, np.nan, np.nan)
    f_lo, f_hi = _f1_interval(truth, predicted)
    metrics = pd.DataFrame([
        {"measure": "Precision (failure demand)", "estimate": float(failure["precision"]), "low": p_lo, "high": p_hi,
         "n": called},
        {"measure": "Recall (failure demand)", "estimate": float(failure["recall"]), "low": r_lo, "high": r_hi,
         "n": actual},
        {"measure": "F1 (failure demand)", "estimate": float(failure["f1"]), "low": f_lo, "high": f_hi, "n": len(truth)},
        {"measure": "Cohen's kappa", "estimate": result["kappa"], "low": np.nan, "high": np.nan, "n": len(truth)},
        {"measure": "Accuracy", "estimate": result["accuracy"], "low": np.nan, "high": np.nan, "n": len(truth)},
    ])
    table, ece = reliability(scored["p_failure"].to_numpy(float), truth == "failure")
    gain = None
    counts = pd.Series(truth).value_counts()
    if learn and counts.reindex(["failure", "value"]).fillna(0).min() >= MIN_EACH_TO_LEARN:
        gain = learning_gain(pd.DataFrame({"text": texts, "analyst_demand": truth, "suggested_demand": predicted}))
    elif learn:
        log.info("%s: fewer than %d texts of each kind: no learned model is tried", source, MIN_EACH_TO_LEARN)
    return CheckResult(metrics, result["confusion"], table.reset_index(), ece, gain, len(truth))


def read_labelled(path: Path | str) -> pd.DataFrame:
    """A labelled CSV (encoding and delimiter detected as for exports: :func:`cxinsight.io.read_text_csv`)
    or Excel file, every column as text."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such labelled file")
    if path.suffix.lower() in {".xlsx", ".xls"}:
        return pd.read_excel(path, dtype=str)
    return read_text_csv(path)


def as_contacts(texts, contact_ids, services, taxonomy: Taxonomy | Path | str | None = None) -> pd.DataFrame:
    """Texts that are not an export (a labelled file, a public sample) as the classified contacts the
    review functions take: ``contact_id``, ``notes``, ``service``, and the rules' ``demand``,
    ``failure_type``, ``demand_confidence`` and ``p_failure`` for each.

    >>> c = as_contacts(["chasing my refund again", "order a new bin"], ["a", "b"], ["revenues", "waste"])
    >>> c[["contact_id", "service", "demand"]].values.tolist()
    [['a', 'revenues', 'failure'], ['b', 'waste', 'value']]
    """
    texts = list(texts)
    scored = score_text(texts, taxonomy)
    return pd.DataFrame({"contact_id": list(contact_ids), "notes": texts, "service": list(services),
                         "demand": scored["demand"].astype(str).to_numpy(),
                         "failure_type": scored["failure_type"].astype(str).to_numpy(),
                         "demand_confidence": scored["demand_confidence"].to_numpy(),
                         "p_failure": scored["p_failure"].to_numpy()})
