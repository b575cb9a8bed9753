"""A person who can check the machine: review samples, labels read back, agreement measured.

1. :func:`sample_for_review` draws contacts for an analyst to label: ``"stratified"`` (random
   within service x deciding signal, more where the classifier is unsure, so the sample can
   correct the headline shares) or
   ``"uncertain"`` (the contacts a classifier is least sure about, to teach a learned model
   fastest; drawn beside a stratified sample, used for learning and never for the shares).
2. :func:`write_review` writes it as a CSV that opens safely in Excel (text redacted again, no
   cell that Excel would run as a formula).
3. The analyst fills ``analyst_demand`` (``failure`` or ``value``) and, for failure,
   ``analyst_failure_type``; :func:`read_review` reads it back and checks every label.
4. :func:`evaluate` reports per-class precision, recall and F1, the confusion matrix and Cohen's
   kappa between analyst and classifier.
5. :func:`learn_from_review` teaches :class:`~cxinsight.demand.learn.LearnedDemandClassifier`
   (with the rules' evidence as features) from the reviewed contacts; :func:`learning_gain` shows,
   on reviewed contacts each model did not learn from, whether it agrees with the analyst more
   often than the rules do.

>>> evaluate(["failure", "value", "value", "failure"], ["failure", "value", "failure", "failure"])["kappa"]
0.5
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from cxinsight import privacy, publish
from cxinsight.demand.agreement import evaluate  # noqa: F401  (notebooks import it from here)

REVIEW_COLUMNS = ["review_id", "contact_id", "service", "channel", "received_on", "text", "suggested_demand",
                  "suggested_failure_type", "confidence", "stratum", "stratum_size", "stratum_by", "strategy",
                  "analyst_demand", "analyst_failure_type", "analyst_comment"]


class ReviewError(ValueError):
    """A review file cannot be read back as labels."""


POOLED = "Other (small strata pooled)"
_POOLED_NOTE = re.compile(r"; strata under (\d+) contacts pooled(?: within ([\w,]+))?$")
DEMAND_BAND = "demand_band"  # the classifier's call and how sure it is: a stratifying column made on demand
SURE = 0.8  # demand_confidence from which a call is "sure" (chosen by benchmarks/sim_review_design.py)


def demand_band(frame: pd.DataFrame, sure: float = SURE) -> pd.Series:
    """The classifier's call and whether it is sure of it: ``failure, sure``, ``failure, unsure``,
    ``value, unsure`` or ``value, sure`` (``demand_confidence`` at least ``sure``). A frame that already
    holds a ``demand_band`` column keeps it (a review's strata must not move when a model taught by the
    review calls the contacts again).

    >>> demand_band(pd.DataFrame({"demand": ["failure", "value"], "demand_confidence": [0.9, 0.6]})).tolist()
    ['failure, sure', 'value, unsure']
    """
    if DEMAND_BAND in frame.columns:
        return frame[DEMAND_BAND].astype("str")
    sure_ = np.where(frame["demand_confidence"].to_numpy(float) >= sure, "sure", "unsure")
    return pd.Series(frame["demand"].astype("str").to_numpy(dtype=object) + ", " + sure_, index=frame.index,
                     dtype="str")


def stratum_design(stratum_by: str) -> tuple[list[str], int, list[str]]:
    """The columns and pooling a review's ``stratum_by`` records, to rebuild its strata: the
    stratifying columns, the stratum size below which strata were pooled, and the columns the
    pooled strata keep apart (none: one pooled stratum, as reviews drawn before the classifier's
    call entered the strata were).

    >>> stratum_design("service,demand_source; strata under 7 contacts pooled")
    (['service', 'demand_source'], 7, [])
    >>> stratum_design("service,demand_band; strata under 7 contacts pooled within demand_band")
    (['service', 'demand_band'], 7, ['demand_band'])
    >>> stratum_design("service")
    (['service'], 0, [])
    """
    text = str(stratum_by)
    m = _POOLED_NOTE.search(text)
    columns = text[:m.start() if m else len(text)].split(",")
    if not m:
        return columns, 0, []
    return columns, int(m.group(1)), m.group(2).split(",") if m.group(2) else []


def _pooling_threshold(sizes: pd.Series, n: int, min_per_stratum: int, within: pd.Series | None = None) -> int:
    """The smallest stratum size to keep apart so that every stratum's minimum fits in ``n``.

    A council export with hundreds of categories has more strata than a review of ``n`` can give
    ``min_per_stratum`` each; strata smaller than the returned size are pooled (into one, or one per
    ``within`` value: each stratum's label without its service), so the sample stays ``n`` and
    every contact keeps a reviewed stratum. 0 when nothing needs pooling.
    """
    if int(np.minimum(sizes, min_per_stratum).sum()) <= n:
        return 0
    key = (within.reindex(sizes.index) if within is not None else pd.Series("", index=sizes.index)).to_numpy()
    for size in np.unique(sizes.to_numpy())[1:]:
        small = (sizes < size).to_numpy()
        pooled = sizes[small].groupby(key[small]).sum()
        if int(np.minimum(sizes[~small], min_per_stratum).sum()) + int(np.minimum(pooled, min_per_stratum).sum()) <= n:
            return int(size)
    return 0  # even pooling every stratum but the largest does not fit: keep them apart, trim below


def stratum_labels(frame: pd.DataFrame, by, pooled_below: int = 0, pooled_within=()) -> pd.Series:
    """The review stratum of each contact: its ``by`` values joined with " / ".

    With ``pooled_below``, strata of fewer contacts than that are pooled: into one stratum,
    ``POOLED``, or, with ``pooled_within`` (columns among ``by``), into one per value of those
    (``POOLED / failure, sure``), so pooling small services never mixes the classifier's calls.
    """
    codes, names = stratum_codes(frame, by, pooled_below, pooled_within)
    return pd.Series(names.to_numpy()[codes], index=frame.index, dtype="str")


def stratum_codes(frame: pd.DataFrame, by, pooled_below: int = 0, pooled_within=()) -> tuple[np.ndarray, pd.Index]:
    """Each contact's review stratum as a position in ``names``, and ``names``: the strata's labels,
    sorted. ``names[codes]`` is :func:`stratum_labels`, made without a label per contact: the
    columns are factorised and their distinct combinations (a council's millions of contacts hold a
    few hundred) labelled and pooled, then broadcast back by position.

    >>> f = pd.DataFrame({"service": ["a", "b", "a", "c"], "demand": ["failure", "value", "value", "value"],
    ...                   "demand_confidence": [0.9, 0.9, 0.5, 0.95]})
    >>> codes, names = stratum_codes(f, ["service", "demand_band"], pooled_below=2, pooled_within=["demand_band"])
    >>> list(names), codes.tolist()
    (['Other (small strata pooled) / failure, sure', 'Other (small strata pooled) / value, sure', 'Other (small strata pooled) / value, unsure'], [0, 1, 2, 1])
    """
    by, within = list(by), list(pooled_within) if pooled_within and pooled_below else []
    inverse, distinct = _combinations(frame, by + [c for c in within if c not in by])
    labels = _labels_of(distinct, by)
    if pooled_below:
        size = pd.Series(np.bincount(inverse, minlength=len(distinct))).groupby(labels.to_numpy()).sum()
        small = labels.map(size).to_numpy() < pooled_below
        pooled = POOLED + " / " + _labels_of(distinct, within) if within else POOLED
        labels = labels.where(~small, pooled)
    names = pd.Index(labels.unique()).sort_values()  # a missing label (a group's missing value) sorts last
    return names.get_indexer(labels)[inverse], names


def _combinations(frame: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Each row's position among the distinct combinations of ``by`` (:data:`DEMAND_BAND` read from
    the call and whether its confidence reaches :data:`SURE` when the frame has no such column), and
    one row of each combination, in order."""
    if DEMAND_BAND in by and DEMAND_BAND not in frame.columns and {"demand", "demand_confidence"} <= set(frame.columns):
        factors = [c for c in by if c != DEMAND_BAND] + ["demand"]
        extra = [frame["demand_confidence"].to_numpy(float) >= SURE]
    else:
        factors, extra = list(by), []
    missing = [c for c in factors if c not in frame.columns]
    if missing:
        raise ValueError(f"stratifying columns {missing} are not in the frame; classify the contacts first")
    combo = np.zeros(len(frame), dtype=np.int64)
    for values in [frame[c] for c in factors] + extra:
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        combo = combo * (len(uniques) + 1) + codes
    _, first, inverse = np.unique(combo, return_index=True, return_inverse=True)
    return inverse.ravel(), frame.iloc[first]


def _pooled(labels: pd.Series, pooled_below: int, within: pd.Series | None = None) -> pd.Series:
    if not pooled_below:
        return labels
    sizes = labels.value_counts()
    small = labels.isin(sizes.index[sizes < pooled_below])
    pooled = POOLED if within is None else POOLED + " / " + within
    return labels.where(~small, pooled)


def _joined_labels(frame: pd.DataFrame, by: list[str]) -> pd.Series:
    """Each row's ``by`` values joined with " / ", made once per distinct combination and broadcast (a
    council's millions of contacts hold a few hundred combinations)."""
    inverse, distinct = _combinations(frame, by)
    labels = _labels_of(distinct, by)
    return pd.Series(labels.to_numpy()[inverse], index=frame.index, dtype=labels.dtype)


def _labels_of(rows: pd.DataFrame, by: list[str]) -> pd.Series:
    """``by`` joined with " / " on every one of ``rows`` (a few: one per distinct combination)."""
    if DEMAND_BAND in by and DEMAND_BAND not in rows.columns:
        rows = rows.assign(**{DEMAND_BAND: demand_band(rows)})
    labels = rows[by[0]].astype("str")
    for col in by[1:]:
        labels = labels + " / " + rows[col].astype("str")
    return labels


# The review's strata: the signal that decided and the classifier's call and whether it is sure. Chosen by
# benchmarks/sim_review_design.py (the corpus' real texts) and the demo council: at 300 reviewed the 95%
# half-width falls from 0.092 (service x demand_source) to 0.028 with coverage held; adding service
# widened it (0.059: many small strata) and did not narrow the by-service intervals, which come from
# each service x stratum cell's own reviewed contacts (failure_share).
REVIEW_STRATA = ("demand_source", DEMAND_BAND)


def sample_for_review(classified: pd.DataFrame, n: int = 800, strategy: str = "stratified",
                      by: tuple[str, ...] = REVIEW_STRATA, min_per_stratum: int = 10,
                      seed: int = 0, text_column: str = "notes", score_column: str = "p_failure",
                      threshold: float = 0.5, exclude=None) -> pd.DataFrame:
    """Contacts for an analyst to label, with the classifier's suggestion beside each.

    ``stratified`` (the default, and the only kind that can correct shares): strata are ``by``
    (the signal that decided the classification x the classifier's call and whether it is sure,
    :func:`demand_band`: the classifier's confidence buys precision, as a stratum's failure share
    is near 0 or 1 where it is sure; by service, channel or month each group x stratum cell is then
    estimated from its own reviewed contacts); ``n`` is allocated across strata in
    proportion to size x the classifier's own uncertainty (Neyman allocation, with the standard
    deviation taken as sqrt(c(1 - c)) for mean confidence c), at least ``min_per_stratum`` each
    (or the whole stratum if smaller), trimmed from the largest strata so the sample is ``n`` when
    the minimums allow; random within each stratum. When there are more strata than ``n`` can give
    their minimum (an export with hundreds of categories), the smallest are pooled, one pooled
    stratum per value of the other ``by`` columns (``POOLED / none / value, sure``: small services
    pooled, the classifier's calls kept apart); ``stratum_by`` records the size below which, so the
    shares rebuild the same strata. ``stratum_size`` records how
    many contacts each stratum holds. ``uncertain``: the ``n`` contacts whose ``score_column`` (a
    probability of failure: the rules' ``p_failure``, or a learned model's) is nearest its
    ``threshold``, ties in random order, to teach a learned model fastest; ``exclude`` (contact ids
    already reviewed) keeps it beside an earlier sample rather than on top of it. Without that
    column the probability is read from ``demand`` and ``demand_confidence``.
    """
    if strategy not in {"stratified", "uncertain"}:
        raise ValueError(f"strategy must be 'stratified' or 'uncertain', found {strategy!r}")
    by = tuple(c for c in by if c in classified.columns or c == DEMAND_BAND) or (DEMAND_BAND,)
    needed = {"contact_id", "demand", "failure_type", "demand_confidence", text_column}
    missing = needed - set(classified.columns)
    if missing:
        raise ValueError(f"sample_for_review needs columns {sorted(missing)}; classify the contacts first")
    rng = np.random.default_rng(seed)
    frame = classified.reset_index(drop=True)
    stratum = stratum_labels(frame, by)
    sizes = stratum.value_counts()
    pooled_within = list(by[1:])  # pooling small services keeps the classifier's calls apart
    within = _joined_labels(frame, pooled_within) if pooled_within else None
    within_of = pd.Series(within.to_numpy(), index=stratum.to_numpy()).groupby(level=0).first() if pooled_within else None
    pooled_below = _pooling_threshold(sizes, n, min_per_stratum, within_of) if strategy == "stratified" else 0
    if pooled_below:
        stratum = _pooled(stratum, pooled_below, within)
        sizes = stratum.value_counts()
    if strategy == "uncertain":
        if score_column in frame.columns:
            p = frame[score_column].to_numpy(float)
        else:  # the classifier's own probability of failure, from its call and confidence
            conf = frame["demand_confidence"].to_numpy(float)
            p = np.where(frame["demand"].astype(str).to_numpy() == "failure", conf, 1 - conf)
        distance = np.abs(p - threshold)
        distance = distance + rng.random(len(frame)) * 1e-9  # ties in random order, not file order
        if exclude is not None:
            distance[frame["contact_id"].astype(str).isin(pd.Index(exclude).astype(str)).to_numpy()] = np.inf
        idx = np.argsort(distance, kind="stable")[:n]
        idx = idx[np.isfinite(distance[idx])]
    else:
        conf = frame["demand_confidence"].astype(float).groupby(stratum).mean().reindex(sizes.index)
        spread = np.sqrt(np.clip(conf * (1 - conf), 0.0025, 0.25))
        share = sizes * spread / (sizes * spread).sum()
        alloc = np.minimum(np.maximum(min_per_stratum, np.round(n * share)), sizes).to_numpy(dtype=int, copy=True)
        floor = np.minimum(min_per_stratum, sizes.to_numpy())
        for _ in range(max(int(alloc.sum()) - n, 0)):  # rounding and the minimum overshot n: trim the largest
            room = np.where(alloc > floor, alloc, -1)
            if room.max() < 0:
                break
            alloc[int(room.argmax())] -= 1
        cap, target = sizes.to_numpy(), n * share.to_numpy()
        for _ in range(max(n - int(alloc.sum()), 0)):  # a stratum reviewed whole left some of n: give it to the
            gap = np.where(alloc < cap, target - alloc, -np.inf)  # strata furthest below their share
            if not np.isfinite(gap.max()):
                break
            alloc[int(gap.argmax())] += 1
        codes = pd.Categorical(stratum, categories=sizes.index).codes
        order = rng.permutation(len(frame))
        ranked = pd.Series(codes[order]).groupby(codes[order]).cumcount().to_numpy()
        take = np.zeros(len(frame), dtype=bool)
        take[order] = ranked < alloc[codes[order]]
        idx = np.flatnonzero(take)
    picked = frame.iloc[idx]
    received = picked["received_at"].dt.strftime("%Y-%m-%d") if "received_at" in picked else ""
    return pd.DataFrame({
        "review_id": [f"R{i + 1:05d}" for i in range(len(picked))],
        "contact_id": picked["contact_id"].astype(str).to_numpy(),
        "service": picked["service"].astype(str).to_numpy() if "service" in picked else "",
        "channel": picked["channel"].astype(str).to_numpy() if "channel" in picked else "",
        "received_on": np.asarray(received),
        "text": privacy.redact_text(picked[text_column].fillna("").astype(str)).to_numpy(),
        "suggested_demand": picked["demand"].astype(str).to_numpy(),
        "suggested_failure_type": picked["failure_type"].astype(str).to_numpy(),
        "confidence": picked["demand_confidence"].round(3).to_numpy(),
        "stratum": stratum.iloc[idx].to_numpy(),
        "stratum_size": stratum.iloc[idx].map(sizes).to_numpy(),
        "stratum_by": ",".join(by) + (f"; strata under {pooled_below} contacts pooled" if pooled_below else "")
                      + (f" within {','.join(pooled_within)}" if pooled_below and pooled_within else ""),
        "strategy": strategy,
        "analyst_demand": "", "analyst_failure_type": "", "analyst_comment": "",
    })


def write_review(sample: pd.DataFrame, path: Path | str) -> Path:
    """Write a sample drawn for a person (a review sample, or a segment check) as a CSV that opens
    safely in Excel (UTF-8 with BOM, formulas disarmed, any ``text`` redacted again)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if "text" in sample:
        sample = sample.assign(text=privacy.redact_text(sample["text"].fillna("").astype(str)))
    safe = publish.safe_csv_frame(sample)
    safe.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def read_review(path: Path | str, taxonomy=None) -> pd.DataFrame:
    """Read a labelled review file back; every label is checked against the taxonomy.

    Rows with no ``analyst_demand`` are dropped (not yet reviewed). Errors name the file, the row,
    the column, what was expected and what was found.
    """
    from cxinsight.demand.rules import load_taxonomy

    path = Path(path)
    tax = load_taxonomy(taxonomy)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for col in ("contact_id", "analyst_demand", "analyst_failure_type"):
        if col not in frame.columns:
            raise ReviewError(f"{path.name}: column {col!r} missing; the file has {list(frame.columns)}")
    frame["analyst_demand"] = frame["analyst_demand"].str.strip().str.lower()
    frame["analyst_failure_type"] = frame["analyst_failure_type"].str.strip().str.lower().str.replace(" ", "_")
    reviewed = frame.loc[frame["analyst_demand"] != ""].copy()
    bad = ~reviewed["analyst_demand"].isin(["failure", "value"])
    if bad.any():
        i = reviewed.index[bad][0]
        raise ReviewError(f"{path.name} row {i + 2}, column 'analyst_demand': expected 'failure' or 'value', "
                          f"found {reviewed.loc[i, 'analyst_demand']!r}")
    types = set(tax.failure_types)
    ftype = reviewed["analyst_failure_type"]
    bad = (reviewed["analyst_demand"] == "failure") & (ftype != "") & ~ftype.isin(types)
    if bad.any():
        i = reviewed.index[bad][0]
        raise ReviewError(f"{path.name} row {i + 2}, column 'analyst_failure_type': expected one of "
                          f"{sorted(types)} (or blank), found {reviewed.loc[i, 'analyst_failure_type']!r}")
    for col in ("confidence", "stratum_size"):
        if col in reviewed:
            reviewed[col] = pd.to_numeric(reviewed[col], errors="coerce")
    return reviewed.reset_index(drop=True)


def design_weights(review: pd.DataFrame) -> np.ndarray:
    """How many contacts each reviewed contact stands for: its stratum's size over the number
    reviewed in it (the inverse of its chance of being drawn), so agreement measured on a sample
    that over-represents uncertain strata describes all contacts."""
    if not {"stratum", "stratum_size"} <= set(review.columns):
        return np.ones(len(review))
    reviewed = review.groupby("stratum")["stratum"].transform("size").to_numpy(float)
    return pd.to_numeric(review["stratum_size"], errors="coerce").to_numpy(float) / reviewed


def learn_from_review(review: pd.DataFrame, model=None, text_column: str = "text"):
    """A learned classifier taught by the reviewed contacts (analyst's failure/value labels).

    ``model`` defaults to :class:`~cxinsight.demand.learn.LearnedDemandClassifier` with the rules'
    evidence as features, so it starts from the rules and learns where this council's texts
    differ. Every reviewed contact teaches it, stratified and uncertainty-targeted alike.
    """
    from cxinsight.demand.learn import LearnedDemandClassifier

    labelled = review.loc[review["analyst_demand"].astype(str).isin(["failure", "value"])]
    if labelled.empty:
        raise ReviewError("no reviewed contact has analyst_demand 'failure' or 'value' to learn from")
    model = model if model is not None else LearnedDemandClassifier()
    return model.fit(labelled[text_column].fillna("").astype(str), labelled["analyst_demand"].astype(str))


def decided_by_words(review: pd.DataFrame, classified: pd.DataFrame) -> pd.DataFrame:
    """The reviewed contacts the classifier decided by their words (``demand_source`` ``text`` or
    ``none``): the ones a text model can learn from (behaviour, such as repeats and channel hops, is not
    text). Each is found among ``classified`` by position (:func:`cxinsight.columns.positions`), not
    through an index of every contact; a reviewed contact not among them is left out.

    >>> c = pd.DataFrame({"contact_id": ["a", "b", "c"], "demand_source": ["text", "repeat", "none"]})
    >>> decided_by_words(pd.DataFrame({"contact_id": ["c", "b", "z"]}), c)["contact_id"].tolist()
    ['c']
    """
    from cxinsight.columns import positions

    at = positions(review["contact_id"], classified["contact_id"])
    source = np.full(len(review), "", dtype=object)
    source[at >= 0] = classified["demand_source"].iloc[at[at >= 0]].astype(str).to_numpy()
    return review.loc[np.isin(source, ["text", "none"])]


def learning_gain(review: pd.DataFrame, folds: int = 5, seed: int = 0, model=None,
                  text_column: str = "text") -> pd.DataFrame:
    """Agreement with the analyst before and after learning, on reviewed contacts held out.

    The reviewed contacts are split into ``folds``; each fold is predicted by a model taught by
    the others (so no contact is scored by a model that saw its label), and compared with the
    rules' suggestion for the same contacts. Rows: ``rules`` and ``learned from review``; columns
    ``precision``, ``recall``, ``f1`` (failure demand), ``kappa``, ``accuracy`` and ``n`` (as
    sampled: the reviewed contacts, not weighted to all contacts).
    """
    labelled = review.loc[review["analyst_demand"].astype(str).isin(["failure", "value"])].reset_index(drop=True)
    truth = labelled["analyst_demand"].astype(str).to_numpy()
    counts = pd.Series(truth).value_counts()
    if len(counts) < 2 or counts.min() < folds:
        raise ReviewError(f"learning_gain needs at least {folds} reviewed contacts of each kind; found "
                          f"{counts.to_dict()}")
    learned = out_of_fold(labelled[text_column], truth, folds, seed, model)
    return _rules_against_learned(truth, labelled["suggested_demand"].astype(str).to_numpy(), learned)


def _rules_against_learned(truth: np.ndarray, rules: np.ndarray, learned: np.ndarray) -> pd.DataFrame:
    """:func:`learning_gain`'s table from the analyst's labels and the two classifiers' calls."""
    rows = []
    for name, predicted in (("rules", rules), ("learned from review", learned.astype(str))):
        result = evaluate(truth, predicted, labels=["failure", "value"])
        failure = result["per_class"].set_index("class").loc["failure"]
        rows.append({"classifier": name, "precision": failure["precision"], "recall": failure["recall"],
                     "f1": failure["f1"], "kappa": result["kappa"], "accuracy": result["accuracy"],
                     "n": result["n"]})
    return pd.DataFrame(rows)


def out_of_fold(texts, labels, folds: int = 5, seed: int = 0, model=None) -> np.ndarray:
    """Each text's prediction from a model taught by the other folds (``folds`` stratified folds):
    the only honest way to set a learned model beside the labels it learned from."""
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold

    from cxinsight.demand.learn import LearnedDemandClassifier, analysed_once

    template = model if model is not None else LearnedDemandClassifier()
    texts = pd.Series(texts).fillna("").astype(str).reset_index(drop=True)
    labels = np.asarray(labels, dtype=object).astype(str)
    predicted = np.empty(len(texts), dtype=object)
    with analysed_once():  # each text analysed into words and n-grams once, for every fold's models
        for train, test in StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(texts, labels):
            predicted[test] = clone(template).fit(texts.iloc[train], labels[train]).predict(texts.iloc[test])
    return predicted


MIN_EACH_TO_LEARN = 10  # reviewed contacts of each kind, decided by their words, before a model is taught


def reclassify_with_review(classified: pd.DataFrame, review: pd.DataFrame, text_column: str = "notes",
                           folds: int = 5, seed: int = 0, model=None) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """The council's own review teaches the classifier, and the contacts decided by their words are
    classified again by what it learned: ``(classified, review, sentence)``.

    Only when it helps: the rules and a model taught by the reviewed contacts are compared on reviewed
    contacts each did not learn from (:func:`learning_gain`); if the model's F1 is not higher, nothing
    changes. Otherwise contacts whose words decided them (``demand_source`` text or none) take the
    model's call (behaviour-decided ones keep theirs); a new failure takes the failure type its words
    weigh most (or, with no cue at all, the type reviewers gave most often); ``demand_confidence`` is
    the model's calibrated chance; ``demand_model`` says which decided. The reviewed contacts'
    ``suggested_demand`` become out-of-fold predictions (each from a model that did not learn its
    label), so agreement stays honest; the strata and the analysts' labels, which are all the
    corrected shares rest on (:func:`cxinsight.demand.measures.failure_share`), do not change.
    """
    from cxinsight.demand.rules import engine as rule_engine

    classified = classified.copy()
    classified["demand_model"] = "rules"
    classified[DEMAND_BAND] = demand_band(classified)  # the review's strata stay those it was drawn from
    by_words = classified["demand_source"].astype(str).isin(["text", "none"]).to_numpy()
    decided = pd.Series(by_words, index=classified["contact_id"].astype(str).to_numpy())
    labelled = review["analyst_demand"].astype(str).isin(["failure", "value"]).to_numpy()
    words = review.loc[labelled & review["contact_id"].astype(str).map(decided).fillna(False).to_numpy(bool)]
    counts = words["analyst_demand"].astype(str).value_counts().reindex(["failure", "value"], fill_value=0)
    if counts.min() < MIN_EACH_TO_LEARN:
        return classified, review, (f"The rules classify every contact: the review holds {counts['failure']} failure "
                                    f"and {counts['value']} value contacts decided by their words, fewer than the "
                                    f"{MIN_EACH_TO_LEARN} of each a model needs to learn from.")
    # each reviewed contact called by a model that did not learn its label: once, for the comparison
    # with the rules and for the reviewed contacts' new suggestions below
    truth = words["analyst_demand"].astype(str).to_numpy()
    oof = out_of_fold(words["text"], truth, folds, seed, model)
    gain = _rules_against_learned(truth, words["suggested_demand"].astype(str).to_numpy(), oof)
    gain = gain.set_index("classifier")["f1"]
    if gain["learned from review"] <= gain["rules"]:
        return classified, review, (f"The rules classify every contact: a model taught by the review does no better "
                                    f"(F1 {gain['learned from review']:.2f} against {gain['rules']:.2f} for the rules, "
                                    "on reviewed contacts each did not learn from).")
    fitted = learn_from_review(words, model=model)
    texts = classified.loc[by_words, text_column].fillna("").astype(str)
    codes, uniques = pd.factorize(texts)
    p_u = fitted.predict_proba(pd.Series(uniques, dtype="str"))[:, list(fitted.classes_).index("failure")]
    threshold = fitted.threshold_ if getattr(fitted, "threshold_", None) is not None else 0.5
    failure_u = p_u >= threshold
    p, is_failure = p_u[codes], failure_u[codes]
    engine = rule_engine()
    types = np.array(engine.failure_types, dtype=object)
    reviewed_types = review.loc[review["analyst_demand"].astype(str) == "failure", "analyst_failure_type"].astype(str)
    reviewed_types = reviewed_types[reviewed_types.isin(engine.failure_types)]
    fallback = reviewed_types.mode().iloc[0] if len(reviewed_types) else engine.failure_types[0]
    # a failure type for the texts the model calls failure: their strongest cue, else the reviewers' commonest
    # (scored only for those texts: at 6M contacts the rest are most of 290k distinct texts)
    called = np.flatnonzero(failure_u)
    w_called = engine.weights(pd.Series(np.asarray(uniques, dtype=object)[called], dtype="str"))[0]
    cue_u = np.full(len(uniques), fallback, dtype=object)
    cue_u[called] = np.where(w_called.max(axis=1) > 0, types[w_called.argmax(axis=1)], fallback)
    cue_type = cue_u[codes]
    old_type = classified.loc[by_words, "failure_type"].astype(str).to_numpy()
    new_type = np.where(is_failure, np.where(old_type != "", old_type, cue_type), "")
    failure_types = list(dict.fromkeys([*classified["failure_type"].cat.categories, *engine.failure_types, ""]))
    demand = classified["demand"].astype(str).to_numpy(dtype=object)
    ftype = classified["failure_type"].astype(str).to_numpy(dtype=object)
    confidence = classified["demand_confidence"].to_numpy(float).copy()
    demand[by_words] = np.where(is_failure, "failure", "value")
    ftype[by_words] = new_type
    confidence[by_words] = np.round(np.where(is_failure, p, 1 - p), 3)
    classified["demand"] = pd.Categorical(demand, categories=["failure", "value"])
    classified["failure_type"] = pd.Categorical(ftype, categories=failure_types)
    classified["demand_confidence"] = confidence
    classified.loc[by_words, "demand_model"] = "learned from review"
    # the reviewed contacts' suggestions: each from a model that did not learn its label
    review = review.copy()
    suggested = pd.Series(oof, index=words["contact_id"].astype(str).to_numpy())
    at = review["contact_id"].astype(str)
    review["suggested_demand"] = at.map(suggested).fillna(review["suggested_demand"]).to_numpy()
    return classified, review, (
        f"Learned from this council's review: {len(words):,} reviewed contacts decided by their words taught a model "
        f"that finds failure demand with F1 {gain['learned from review']:.2f}, against {gain['rules']:.2f} for the "
        f"rules (on reviewed contacts each did not learn from); it now classifies the {int(by_words.sum()):,} "
        "contacts decided by their words. The corrected shares still rest on the reviewers' labels.")


def no_notes_note(classified: pd.DataFrame) -> str:
    """What decided failure demand in contacts with no notes to review, in words: the reason column's
    words, behaviour (repeat contacts and channel hops), both, or nothing at all.

    >>> "from the words of each contact's reason" in no_notes_note(pd.DataFrame({"reason": ["Missed bin"]}))
    True
    """
    words = "reason" in classified and classified["reason"].notna().any()
    behaviour = "customer_id" in classified and classified["customer_id"].notna().any()
    start = "No contact notes were supplied, so there is no free text for a person to review. "
    if words:
        return start + ("Failure demand is classified from the words of each contact's reason (a short category "
                        "the system recorded, not what was said)" + (" and from behaviour (repeat contacts and "
                        "channel hops)" if behaviour else "") + ": the shares below are the classifier's own, "
                        "without its error.")
    if behaviour:
        return start + ("Failure demand is counted from behaviour alone (repeat contacts and channel hops): the "
                        "shares below are a floor, not an estimate of all failure demand.")
    return start + "Nothing in this export can tell failure demand from value demand, so no share is given."


def obtain_review(classified: pd.DataFrame, review_path: Path | str | None = None,
                  answer_key: Path | str | None = None, n: int = 1500, seed: int = 2024,
                  taxonomy=None) -> tuple[pd.DataFrame | None, str]:
    """A labelled review made without a person's review folder, and a sentence saying where it came
    from: ``review_path``, the analyst's labelled file (:func:`read_review`); else, on the demo council
    (``answer_key``, the demo's ``contacts_truth.parquet``, exists), a stratified sample labelled by
    the answer key, standing in for the analyst; else none. A sample for a person to label is drawn
    into the review folder by the analysis (:mod:`cxinsight.review_layer`), never here.
    """
    if review_path:
        review = read_review(review_path, taxonomy)
        return review, f"{len(review):,} contacts labelled by an analyst ({Path(review_path).name})."
    if "notes" not in classified or classified["notes"].isna().all():
        return None, no_notes_note(classified)
    if answer_key is None or not Path(answer_key).exists():
        return None, "No review yet: the shares below are the classifier's own, without its error."
    sample = sample_for_review(classified, n=n, seed=seed)
    truth = pd.read_parquet(answer_key, columns=["contact_id", "demand", "failure_type"]).set_index("contact_id")
    labels = truth.reindex(sample["contact_id"])
    sample["analyst_demand"] = labels["demand"].to_numpy()
    sample["analyst_failure_type"] = labels["failure_type"].to_numpy()
    review = sample.dropna(subset=["analyst_demand"])
    return review, (f"Demo council: {len(review):,} sampled contacts labelled from the demo's answer key, "
                    "standing in for an analyst.")
