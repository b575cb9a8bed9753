"""Failure-demand measures with their base and uncertainty.

- :func:`wilson` intervals for proportions.
- :func:`provisional_share`: before any review, the classifier's expected share (its mean calibrated
  probability), flagged provisional, with no interval.
- :func:`failure_share`: the failure share overall or by service, channel, month or type. With no
  review it is the classifier's share with a Wilson interval for sampling alone (classifier error
  not included, and said so in ``method``). With a reviewed stratified sample it is a stratified
  estimate whose interval reflects the size of the review sample.
- :func:`avoidable_contact`: NI 14 (the share of all contacts that were avoidable) and contacts
  per resolved request.
- :func:`xmr`: a weekly XmR (individuals and moving range) chart of the failure share.
- :func:`top_drivers`: the failure types behind each service's failure demand, with redacted
  example verbatims.

>>> wilson(45, 100)
(0.45, 0.356, 0.548)
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm

from cxinsight import privacy
from cxinsight.columns import equals, positions
from cxinsight.gate import learned
from cxinsight.stats import wilson

log = logging.getLogger(__name__)
#: Approved notes read per failure type beyond the examples shown, to stand in for one withheld.
QUOTE_SPARES = 3


def _as_list(by) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


CELL_PRIOR = 1.0  # contacts' worth of a stratum's rate lent to each group x stratum cell (coverage-tested)


#: The review's strata as a page says them (the method line under a failure-demand figure).
_STRATA_WORDS = {"demand_source": "the signal that decided each contact", "demand_band": "the classifier's confidence"}


def failure_share(classified: pd.DataFrame, by=None, review: pd.DataFrame | None = None,
                  level: float = 0.95, simultaneous: bool = False, draws: int = 4000,
                  seed: int = 0) -> pd.DataFrame:
    """Failure share with its base and 95% interval, overall or by the ``by`` columns.

    Without ``review``: the classifier's share, Wilson interval for sampling only.

    With ``review`` (a labelled stratified sample from
    :func:`~cxinsight.demand.review.sample_for_review`, read back with
    :func:`~cxinsight.demand.review.read_review`): a stratified estimate. Every contact belongs to
    a review stratum (service x the signal that decided it, by default); each stratum's share of
    true failure demand comes from its reviewed contacts; a group's share is the contact-weighted
    mean over the strata it contains. The interval comes from Beta draws (Jeffreys prior) per
    stratum, so it reflects how many contacts were reviewed; an unreviewed stratum gets the prior
    alone (an honestly wide interval); only the contacts nobody reviewed are unknown, so a stratum
    reviewed whole is known exactly (finite population correction). Assumption, stated in
    ``method``: within a stratum the classifier is as accurate in every group (exact when grouping
    by the stratifying columns). When the groups cut across the strata (by channel or month), that
    is not assumed: each group x stratum cell is estimated from its own reviewed contacts with a
    weak prior towards the stratum's rate, so coverage holds for small groups too (tested by
    simulation); there too only a cell's unreviewed contacts are unknown.
    ``level`` is the interval's coverage; ``simultaneous=True`` widens each group's interval
    (Bonferroni) so that *all* groups' intervals cover together at ``level``: use it for a table
    whose reader compares every row.
    Columns: the group, ``n``, ``classified_failure``, ``estimate``, ``low``, ``high``,
    ``n_reviewed``, ``method``.
    """
    keys = _as_list(by)
    frame = classified.assign(_f=equals(classified["demand"], "failure"))
    grouped = (frame.groupby(keys, observed=True)["_f"].agg(["size", "sum"]) if keys
               else pd.DataFrame({"size": [len(frame)], "sum": [int(frame["_f"].sum())]}))
    grouped = grouped.rename(columns={"size": "n", "sum": "classified_failure"})
    n = grouped["n"].to_numpy(float)
    k = grouped["classified_failure"].to_numpy(float)
    alpha = (1 - level) / (len(grouped) if simultaneous else 1)
    label = f"{100 * level:g}% {'simultaneous ' if simultaneous else ''}interval"
    if review is None or len(review) == 0:
        p, lo, hi = wilson(k, n, z=float(norm.ppf(1 - alpha / 2)))
        out = grouped.assign(estimate=p, low=lo, high=hi, n_reviewed=0,
                             method=f"classifier share; {label} for sampling only, not classifier error")
        return out.reset_index() if keys else out.reset_index(drop=True)

    from cxinsight.demand.review import stratum_codes, stratum_design, stratum_labels

    targeted = 0
    if "strategy" in review.columns:
        drawn_at_random = review["strategy"].astype(str) != "uncertain"
        targeted = int((~drawn_at_random).sum())
        review = review.loc[drawn_at_random]  # uncertainty-targeted reviews teach; they cannot estimate
        if review.empty:
            raise ValueError("the review sample was drawn by uncertainty, not at random: it cannot correct "
                             "shares. Draw one with sample_for_review(strategy='stratified').")
    if "stratum_by" not in review.columns:
        raise ValueError("the review has no 'stratum_by' column; draw it with sample_for_review")
    strata_by, pooled_below, pooled_within = stratum_design(review["stratum_by"].iloc[0])
    # strata and groups as integer positions (a council's millions of contacts hold a few hundred of
    # each): no label is made per contact
    stratum, names = stratum_codes(frame, strata_by, pooled_below, pooled_within)
    # each reviewed contact's row among the classified
    position = positions(review["contact_id"], frame["contact_id"])
    rv, rv_pos = review.loc[position >= 0], position[position >= 0]
    if rv.empty:
        raise ValueError("no reviewed contact_id matches the classified contacts")
    true = (rv["analyst_demand"].astype(str) == "failure").astype(float).to_numpy()
    rv_stratum = stratum[rv_pos]
    k_h = np.bincount(rv_stratum, weights=true, minlength=len(names)).astype(float)
    n_h = np.bincount(rv_stratum, minlength=len(names)).astype(float)
    rng = np.random.default_rng(seed)
    p_draws = rng.beta(k_h + 0.5, n_h - k_h + 0.5, size=(draws, len(names)))
    p_hat = np.where(n_h > 0, k_h / np.maximum(n_h, 1), 0.5)
    group_keys = stratum_labels(grouped.reset_index(), keys) if keys else pd.Series([""])
    if keys:  # each contact's group as its row of ``grouped`` (-1: a missing key, in no group)
        g_code, g_names = stratum_codes(frame, keys)
        group = pd.Index(group_keys.to_numpy()).get_indexer(g_names)[g_code]
    else:
        group = np.zeros(len(frame), dtype=np.int64)
    in_group = group >= 0
    counts = np.bincount(group[in_group] * len(names) + stratum[in_group],
                         minlength=len(group_keys) * len(names)).reshape(len(group_keys), len(names)).astype(float)
    weights = counts / counts.sum(axis=1, keepdims=True)
    nested = bool(((weights > 0).sum(axis=0) <= 1).all())  # each stratum inside one group (or no groups)
    if nested:
        # a stratum's share is its reviewed contacts' failures plus those among the rest, unknown:
        # a stratum reviewed whole (the small ones of an export with hundreds of categories) is known
        # exactly, and a large one is all uncertainty (the finite population correction)
        size_h = np.bincount(stratum, minlength=len(names)).astype(float)
        rest = rng.binomial(np.maximum(size_h - n_h, 0).astype(np.int64), p_draws)
        estimate = weights @ p_hat
        sims = ((k_h + rest) / size_h) @ weights.T
    else:
        # The groups cut across the strata (channel, month...): the classifier may be right more often
        # on one channel than another within a stratum, so each group x stratum cell is estimated
        # from its own reviewed contacts, drawn towards its stratum's rate by a weak prior (CELL_PRIOR
        # contacts' worth) plus Jeffreys'. A cell with few reviews gets an honestly wide interval.
        gi, si = group[rv_pos], rv_stratum
        known = gi >= 0
        k_c = np.zeros(weights.shape)
        n_c = np.zeros(weights.shape)
        np.add.at(k_c, (gi[known], si[known]), true[known])
        np.add.at(n_c, (gi[known], si[known]), 1.0)
        # As in the nested case, only a cell's unreviewed contacts are unknown (finite population).
        g_idx, s_idx = np.nonzero(weights)
        shrunk = (k_c + CELL_PRIOR * p_hat[None, :]) / (n_c + CELL_PRIOR)
        unknown = np.maximum(counts - n_c, 0)
        estimate = (weights * (k_c + unknown * shrunk) / np.maximum(counts, 1)).sum(axis=1)
        to_group = np.zeros((len(g_idx), len(group_keys)))
        to_group[np.arange(len(g_idx)), g_idx] = weights[g_idx, s_idx]
        k_cell, n_cell = k_c[g_idx, s_idx], n_c[g_idx, s_idx]
        size_cell, unknown_cell = counts[g_idx, s_idx], unknown[g_idx, s_idx].astype(np.int64)
        sims = np.zeros((draws, len(group_keys)))
        for start in range(0, draws, 500):  # in chunks: draws x cells stays small on a large council
            ps = p_draws[start:start + 500][:, s_idx]
            p_cell = rng.beta(k_cell + CELL_PRIOR * ps + 0.5, n_cell - k_cell + CELL_PRIOR * (1 - ps) + 0.5)
            sims[start:start + 500] = ((k_cell + rng.binomial(unknown_cell, p_cell)) / size_cell) @ to_group
    lo, hi = np.percentile(sims, [100 * alpha / 2, 100 * (1 - alpha / 2)], axis=0)
    reviewed = group[rv_pos]
    reviewed_in_group = np.bincount(reviewed[reviewed >= 0], minlength=len(group_keys))
    unreviewed = int((n_h == 0).sum())
    note = f"; {unreviewed} strata unreviewed (prior only)" if unreviewed else ""
    if pooled_below:
        note += f"; strata under {pooled_below} contacts pooled"
    if targeted:
        note += f"; {targeted} uncertainty-targeted reviews left out (they teach the model, not the estimate)"
    out = grouped.assign(estimate=estimate, low=np.minimum(lo, estimate), high=np.maximum(hi, estimate),
                         n_reviewed=reviewed_in_group,
                         method=f"stratified by {' x '.join(_STRATA_WORDS.get(s, s.replace('_', ' ')) for s in strata_by)}: "
                                f"{int(n_h.sum())} reviewed{note}; {label}")
    return out.reset_index() if keys else out.reset_index(drop=True)


PROVISIONAL = "provisional: the classifier's expected share, not yet checked by a person"
HOW_TO_REVIEW = ("To check it, label the review sample the run drew into the review folder (data/review beside "
                 "data/processed; `cxinsight review` says where: analyst_demand failure or value) and run again: the "
                 "run reads the labels by itself.")


def expected_failure(classified: pd.DataFrame) -> np.ndarray:
    """Each contact's calibrated chance of being failure demand: ``p_failure`` where the frame has it,
    else from the call and its confidence (``demand_confidence`` of the call made).

    >>> expected_failure(pd.DataFrame({"demand": ["failure", "value"], "demand_confidence": [0.9, 0.95]})).round(2)
    array([0.9 , 0.05])
    """
    if "p_failure" in classified.columns:
        return classified["p_failure"].to_numpy(float)
    conf = classified["demand_confidence"].to_numpy(float)
    return np.where(classified["demand"].astype(str).to_numpy() == "failure", conf, 1 - conf)


def provisional_share(classified: pd.DataFrame, by=None) -> pd.DataFrame:
    """Before any review: the classifier's expected failure share (the mean of its calibrated
    probabilities, which runs closer to the truth than the count of its calls: on the corpus' 2,139
    real texts 18.1% against a hand-labelled 19.2%, where the calls count 16.2%), with its base.

    No interval: the classifier's own error is not measured until a person reviews a sample, and a
    sampling interval would pretend to cover it. ``low`` and ``high`` are NaN and ``method`` says
    the figure is provisional. Same columns as :func:`failure_share`.

    >>> c = pd.DataFrame({"demand": ["failure", "value", "value"], "demand_confidence": [0.8, 0.9, 0.9]})
    >>> row = provisional_share(c).iloc[0]
    >>> round(float(row["estimate"]), 3), int(row["classified_failure"]), bool(np.isnan(row["low"]))
    (0.333, 1, True)
    """
    keys = _as_list(by)
    frame = classified.assign(_f=equals(classified["demand"], "failure"), _p=expected_failure(classified))
    grouped = (frame.groupby(keys, observed=True).agg(n=("_f", "size"), classified_failure=("_f", "sum"),
                                                      estimate=("_p", "mean")) if keys
               else pd.DataFrame({"n": [len(frame)], "classified_failure": [int(frame["_f"].sum())],
                                  "estimate": [float(frame["_p"].mean()) if len(frame) else np.nan]}))
    out = grouped.assign(low=np.nan, high=np.nan, n_reviewed=0, method=PROVISIONAL)
    return out.reset_index() if keys else out.reset_index(drop=True)


def avoidable_contact(classified: pd.DataFrame, review: pd.DataFrame | None = None) -> pd.DataFrame:
    """NI 14 avoidable contact (share of all contacts, all channels) and contacts per resolved request.

    Contacts per resolved request = all contacts / value contacts = 1 / (1 - failure share): how many
    times, on average, a customer has to get in touch to get one thing done.
    Without a review both are provisional (the classifier's expected share) with no range.
    """
    reviewed = review is not None and len(review) > 0
    # before any review: the provisional expected share, no range (provisional_share)
    share = (failure_share(classified, review=review) if reviewed else provisional_share(classified)).iloc[0]
    per_request = [1 / (1 - share[c]) for c in ("estimate", "low", "high")]
    return pd.DataFrame([
        {"measure": "Avoidable contact (NI 14)", "estimate": share["estimate"], "low": share["low"],
         "high": share["high"], "n": int(share["n"]), "unit": "share of all contacts"},
        {"measure": "Contacts per resolved request", "estimate": per_request[0], "low": per_request[1],
         "high": per_request[2], "n": int(share["n"]), "unit": "contacts"},
    ])


def xmr(values: pd.Series, min_points: int = 8, floor: float | None = None) -> pd.DataFrame:
    """An XmR chart: centre line, natural process limits (mean +/- 2.66 x mean moving range) and signals.

    Signals: a point outside the limits, or a run of 8 or more on one side of the centre line.
    ``floor`` bounds the lower limit for measures that cannot go below it (0 for a share); leave it
    ``None`` for measures such as NPS that can be negative.

    >>> chart = xmr(pd.Series([0.40, 0.42, 0.41, 0.39, 0.40, 0.41, 0.42, 0.40, 0.60]))
    >>> chart["signal"].tolist()[-1]
    'outside limits'
    """
    x = pd.Series(values, dtype=float).dropna()
    if len(x) < 2:
        raise ValueError(f"an XmR chart needs at least 2 points, found {len(x)}")
    mr = x.diff().abs()
    centre, mr_bar = x.mean(), mr.mean()
    ucl, lcl = centre + 2.66 * mr_bar, centre - 2.66 * mr_bar
    if floor is not None:
        lcl = max(lcl, floor)
    side = np.sign(x - centre)
    run_id = (side != side.shift()).cumsum()
    run_len = side.groupby(run_id).transform("size")
    signal = np.where((x > ucl) | (x < lcl), "outside limits",
                      np.where((run_len >= 8) & (side != 0), "run of 8", ""))
    out = pd.DataFrame({"value": x, "moving_range": mr, "centre": centre, "ucl": ucl, "lcl": lcl,
                        "signal": signal}, index=x.index)
    if len(x) < min_points:
        out["signal"] = ""
    return out


def weekly_failure_xmr(classified: pd.DataFrame, min_contacts: int = 30, freq: str = "W-MON") -> pd.DataFrame:
    """Weekly failure share as an XmR chart (weeks with fewer than ``min_contacts`` left out)."""
    weekly = (classified.assign(_f=classified["demand"].astype(str) == "failure")
              .set_index("received_at").resample(freq, label="left", closed="left")["_f"].agg(["mean", "size"]))
    weekly = weekly.loc[weekly["size"] >= min_contacts]
    chart = xmr(weekly["mean"], floor=0.0)
    chart["n"] = weekly["size"]
    return chart


def top_drivers(classified: pd.DataFrame, by: str = "service", top: int = 3, examples: int = 2,
                text_column: str = "notes", seed: int = 0, approved=None) -> pd.DataFrame:
    """For each group, its largest failure types: count, share of its failure demand, and short
    redacted example notes, drawn only from the contacts in ``approved`` (contact ids an analyst
    approved for quoting; :func:`cxinsight.review_layer.approved_quotes`). With none approved, no note is quoted: a page
    shows the failure type and its count, never a verbatim nobody chose.

    >>> c = pd.DataFrame({"contact_id": ["1", "2"], "service": ["waste"] * 2, "failure_type": ["not_done"] * 2,
    ...                   "demand": ["failure"] * 2, "notes": ["bin missed again, third week", "still no bin at all"]})
    >>> top_drivers(c)["examples"].tolist(), top_drivers(c, approved={"2"})["examples"].tolist()
    ([''], ['still no bin at all'])
    """
    has_text = text_column in classified.columns and approved is not None and len(approved) > 0
    columns = [by, "failure_type"] + ([text_column, "contact_id"] if has_text else [])
    fail = classified.loc[equals(classified["demand"], "failure"), columns]  # only what is used
    counts = fail.groupby([by, "failure_type"], observed=True).size().rename("contacts").reset_index()
    totals = counts.groupby(by, observed=True)["contacts"].transform("sum")
    counts["share_of_failure"] = counts["contacts"] / totals
    counts = counts.sort_values([by, "contacts"], ascending=[True, False])
    counts = counts.groupby(by, observed=True).head(top).reset_index(drop=True)
    if not has_text:  # an export without free text: no verbatims to show
        return counts.assign(examples="")
    # Examples: texts of a readable length, in a seeded random order, the first few of each group
    # (one shuffle and one group-by, not a scan of the failure contacts per group).
    text = fail[text_column]
    chosen = fail["contact_id"].astype(str).isin(set(map(str, approved)))
    pool = fail.loc[chosen & text.notna() & text.str.len().between(15, 140)]
    pool = pool.iloc[np.random.default_rng(seed).permutation(len(pool))]
    # an approved note is quoted only when, once redacted, the second detector finds nothing in it
    # either (cxinsight.gate.learned.free_text_findings): a few spare candidates per group stand in for any withheld
    picks = pool.groupby([by, "failure_type"], observed=True, sort=False).head(examples + QUOTE_SPARES)
    picks = picks.assign(**{text_column: privacy.redact_text(picks[text_column].astype(str)).str.replace("\n", " ")})
    flagged = np.array([bool(learned.free_text_findings(t)) for t in picks[text_column]], dtype=bool)
    if flagged.any():
        log.info("%d approved note(s) not quoted: the second detector reads personal data in them after "
                 "redaction", int(flagged.sum()))
    picks = picks.loc[~flagged].groupby([by, "failure_type"], observed=True, sort=False).head(examples)
    joined = picks.groupby([by, "failure_type"], observed=True)[text_column].agg(" | ".join)
    # Looked up by the groups' names, not by reindexing on the categorical levels: pandas cannot
    # reindex a MultiIndex whose categorical levels have codes of another width (an empty result's
    # int8 against the int16 of a column with 127 or more categories: a service page of a council
    # with hundreds of services).
    quotes = {(str(g), str(f)): text for (g, f), text in joined.items()}
    counts["examples"] = [quotes.get((str(g), str(f)), "") for g, f in zip(counts[by], counts["failure_type"], strict=True)]
    return counts


#: The shipped classifier's reliability on real residents' reports it was not developed on, as notebook 02
#: draws it (written by tests/data/demand_corpus/make_reliability.py; a test fails when it is stale).
RELIABILITY_RECORD = Path(__file__).with_name("reliability.json")


def reliability_record() -> dict:
    """The shipped classifier's reliability record: ``source``, ``reports``, ``ece`` and ``bins``
    (``stated`` chance, ``observed`` share, ``reports``).

    >>> sorted(reliability_record())
    ['bins', 'ece', 'reports', 'source']
    """
    return json.loads(RELIABILITY_RECORD.read_text(encoding="utf-8"))


def reliability(p_failure, is_failure, bins: int = 10) -> tuple[pd.DataFrame, float]:
    """A reliability table (per bin of stated chance: ``stated`` mean, ``observed`` share, ``contacts``)
    and the expected calibration error: how far, on average over the contacts, the classifier's
    stated chance of failure demand is from how often it is failure demand.

    >>> table, ece = reliability([0.1, 0.1, 0.9, 0.9], [False, False, True, False])
    >>> round(ece, 2), table["contacts"].tolist()
    (0.25, [2, 2])
    """
    p = np.asarray(p_failure, dtype=float)
    y = np.asarray(is_failure, dtype=float)
    frame = pd.DataFrame({"bin": np.minimum((p * bins).astype(int), bins - 1), "p": p, "y": y})
    table = frame.groupby("bin").agg(stated=("p", "mean"), observed=("y", "mean"), contacts=("y", "size"))
    ece = float((table["contacts"] * (table["stated"] - table["observed"]).abs()).sum() / max(len(p), 1))
    return table, ece


def plausible_range(k: int, n: int) -> str:
    """Plain-English rendering of a share and its Wilson interval.

    >>> plausible_range(45, 100)
    '45% (95% interval 36% to 55%, n = 100)'
    """
    p, lo, hi = wilson(k, n)
    return f"{100 * p:.0f}% (95% interval {100 * lo:.0f}% to {100 * hi:.0f}%, n = {n:,})"


__all__ = ["avoidable_contact", "failure_share", "plausible_range", "top_drivers", "weekly_failure_xmr", "wilson",
           "xmr"]
