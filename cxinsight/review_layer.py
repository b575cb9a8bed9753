"""The review folder: what people make, kept apart from what runs make.

``data/review`` sits beside ``data/processed`` (:func:`cxinsight.catalog.layer_dir`). It holds the
samples drawn for a person to label (``failure_demand``: contacts to label failure or value) or to
check (``segment_check``: customers whose segment a person checks), each draw in a folder of its own
named by when it was drawn, with its design (``design.json``: size, strata, seed, date); the labels a
person writes into those files; and the notes an analyst approved for quoting
(``approved_quotes.csv``).

No run replaces or deletes anything here. A run adds a draw only when there is none of its kind yet
(a new folder, written whole and then renamed into place, so a killed run leaves no half draw), and
every later run reads the labels back by itself: a person never has to point a run at them.

>>> import tempfile, pandas as pd
>>> processed = Path(tempfile.mkdtemp()) / "processed"
>>> sample = pd.DataFrame({"contact_id": ["a", "b"], "analyst_demand": ["", ""]})
>>> draw = add_draw(processed, FAILURE_DEMAND, sample, {"n": 2})
>>> [d.name == draw.name for d in draws(processed, FAILURE_DEMAND)], sorted(p.name for p in draw.iterdir())
([True], ['design.json', 'review_sample.csv'])
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from cxinsight import catalog

log = logging.getLogger(__name__)

FAILURE_DEMAND = "failure_demand"
SEGMENT_CHECK = "segment_check"
#: The file each kind of draw is written to, for a person to fill in (Excel or the labelling widget).
SAMPLE_FILES = {FAILURE_DEMAND: "review_sample.csv", SEGMENT_CHECK: "segment_check_sample.csv"}
DESIGN = "design.json"


def folder(processed: Path | str | None = None) -> Path:
    """The review folder beside ``processed`` (``data/review`` for ``data/processed``)."""
    return catalog.layer_dir("review", Path(processed).resolve() if processed else None)


def draws(processed: Path | str | None, kind: str) -> list[Path]:
    """Every complete draw of ``kind``, oldest first (folders being written are not listed)."""
    root = folder(processed) / kind
    if not root.exists():
        return []
    return sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith(".")
                  and (d / SAMPLE_FILES[kind]).exists() and (d / DESIGN).exists())


def add_draw(processed: Path | str | None, kind: str, sample: pd.DataFrame, design: dict) -> Path:
    """Keep a new draw of ``kind``: ``sample`` (written by :func:`cxinsight.demand.review.write_review`,
    safe to open in Excel) and its ``design`` (with the date drawn and the number of contacts), in a
    folder of its own. Nothing already in the review folder is touched."""
    from cxinsight.demand.review import write_review

    root = folder(processed) / kind
    root.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y-%m-%d_%H%M%S")
    name, i = stamp, 1
    while (root / name).exists():
        i += 1
        name = f"{stamp}_{i}"
    partial = root / f".{name}.partial"
    partial.mkdir()
    write_review(sample, partial / SAMPLE_FILES[kind])
    record = {"kind": kind, "drawn": datetime.now().isoformat(timespec="seconds"), "rows": int(len(sample)), **design}
    (partial / DESIGN).write_text(json.dumps(record, indent=1, default=str), encoding="utf-8")
    os.replace(partial, root / name)
    log.info("review sample drawn for a person: %s", root / name / SAMPLE_FILES[kind])
    return root / name


def draw_for_review(processed: Path | str | None, classified: pd.DataFrame, n: int, seed: int, **asked) -> Path:
    """Draw a stratified sample of ``classified`` for a person to label, and keep it in the review
    folder. Contacts drawn before are left out: a top-up is a second draw of the same design less
    them, and within each stratum the union of two random draws is a random sample of its size (every
    contact is exchangeable), so the labels of all of them estimate the shares together (:func:`labelled`)."""
    from cxinsight.demand.review import sample_for_review

    before = draws(processed, FAILURE_DEMAND)
    seen = set().union(*(set(pd.read_csv(d / SAMPLE_FILES[FAILURE_DEMAND], dtype=str, usecols=["contact_id"],
                                          encoding="utf-8-sig")["contact_id"]) for d in before))
    sample = sample_for_review(classified, n=n, seed=seed)
    sample = sample.loc[~sample["contact_id"].isin(seen)]
    return add_draw(processed, FAILURE_DEMAND, sample, {
        "n": n, "seed": seed, "stratum_by": str(sample["stratum_by"].iloc[0]) if len(sample) else None,
        "top_up_of": [d.name for d in before], **({"asked": asked} if asked else {})})


def design(draw: Path) -> dict:
    """A draw's design record."""
    return json.loads((Path(draw) / DESIGN).read_text(encoding="utf-8"))


def labelled(processed: Path | str | None, kind: str, read: Callable[[Path], pd.DataFrame]) -> tuple[pd.DataFrame | None, list[Path]]:
    """The rows people have labelled so far in the draws of ``kind`` (read by ``read(path)``, which
    keeps only labelled rows), and the draws they came from.

    Draws are combined only where their strata are the same (the latest design that has labels, and
    its top-ups): a top-up drawn from the same strata, excluding what was drawn before, keeps each
    stratum a random sample. A contact labelled twice counts once (its latest label).
    """
    found = [(d, design(d)) for d in draws(processed, kind)]
    frames, used = [], []
    latest = None
    for d, meta in reversed(found):
        frame = read(d / SAMPLE_FILES[kind])
        if not len(frame):
            continue
        strata = meta.get("stratum_by")
        if latest is None:
            latest = strata
        if strata != latest:
            continue
        frames.append(frame)
        used.append(d)
    if not frames:
        return None, []
    key = "contact_id" if kind == FAILURE_DEMAND else "customer_id"
    combined = pd.concat(frames, ignore_index=True).drop_duplicates(subset=[key], keep="first")
    return combined.reset_index(drop=True), sorted(used)


def size_for(half_width: float, share: float, z: float = 1.959964, design_effect: float = 1.0) -> int:
    """Contacts to label for a 95% interval of about +/- ``half_width`` on a share near ``share``
    (simple random sampling, times ``design_effect``; a stratified review on a classifier that
    sorts well needs fewer).

    >>> size_for(0.03, 0.2)
    683
    """
    p = min(max(float(share), 0.05), 0.95)  # a share near 0 or 1 is not trusted to stay there
    return int(np.ceil(design_effect * z * z * p * (1 - p) / half_width ** 2))


def size_for_precision(classified: pd.DataFrame, precision: float, text_column: str = "notes"
                       ) -> tuple[int, dict]:
    """The size of the first review sample drawn for a person: enough for a 95% interval of about
    +/- ``precision`` on the council's failure share (:func:`size_for` at the classifier's provisional
    share, :func:`cxinsight.demand.measures.provisional_share`), with the finite-population correction
    ``n0 / (1 + (n0 - 1) / N)`` for the ``N`` contacts with notes a person can read, and never more
    than them. Returns the size and what it was worked out from (kept in the draw's design).

    >>> c = pd.DataFrame({"demand": ["failure", "value"] * 1000, "demand_confidence": [0.9] * 2000,
    ...                   "notes": ["a note"] * 2000})
    >>> n, why = size_for_precision(c, 0.03)
    >>> n, why["unadjusted"], why["with_notes"]  # 1,068 for simple random sampling: 697 of 2,000
    (697, 1068, 2000)
    >>> size_for_precision(c, 0.05)[0], size_for_precision(c.head(200), 0.005)[0] <= 200
    (323, True)
    """
    from cxinsight.demand.measures import provisional_share

    notes = classified[text_column] if text_column in classified else pd.Series(dtype=object)
    with_notes = int(notes.fillna("").astype(str).str.strip().ne("").sum())
    share = float(provisional_share(classified).iloc[0]["estimate"]) if len(classified) else 0.5
    share = 0.5 if share != share else share
    n0 = size_for(precision, share)
    n = int(np.ceil(n0 / (1 + (n0 - 1) / with_notes))) if with_notes else 0
    return min(n, with_notes), {"precision": float(precision), "provisional_share": round(share, 4),
                                "unadjusted": n0, "with_notes": with_notes}


#: Where an analyst lists the contacts whose notes may be quoted on a page (a ``contact_id`` column),
#: in the review folder (:func:`cxinsight.catalog.layer_dir`): people make it, no run writes it.
APPROVED_QUOTES = "approved_quotes.csv"


def approved_quotes(processed: Path | str | None = None) -> set[str]:
    """The contact ids an analyst approved for quoting: listed in ``approved_quotes.csv`` in the review
    folder beside ``processed``, or ticked (``approve_quote``: yes) while labelling a review sample there
    (:mod:`cxinsight.labelling`, or the CSV in Excel). Empty when there is none: no page quotes a note."""
    approved: set[str] = set()
    path = catalog.layer_dir("review", Path(processed).resolve() if processed else None) / APPROVED_QUOTES
    if path.exists():
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        if "contact_id" not in frame.columns:
            raise ValueError(f"{path}: column 'contact_id' expected (the contacts whose notes may be quoted); "
                             f"found {list(frame.columns)}")
        approved |= set(frame["contact_id"].str.strip())
    kind = FAILURE_DEMAND
    for draw in draws(processed, kind):
        sample = pd.read_csv(draw / SAMPLE_FILES[kind], dtype=str, keep_default_na=False,
                             encoding="utf-8-sig")
        if "approve_quote" in sample.columns:
            ticked = sample["approve_quote"].str.strip().str.lower().isin(["yes", "y", "true", "1", "x"])
            approved |= set(sample.loc[ticked, "contact_id"].str.strip())
    return approved - {""}


def status(analysis) -> pd.DataFrame:
    """Where the review stands, for the council and each service: contacts labelled, the corrected
    failure share and its 95% interval, and what labelling the rest of the drawn sample would buy
    (the half-width if every drawn contact were labelled, at the same design).

    ``analysis``: :func:`cxinsight.analysis.load_analysis`'s result."""
    from cxinsight.demand.measures import failure_share

    review = analysis.review if analysis.review is not None and len(analysis.review) else None
    drawn = sum(design(d)["rows"] for d in draws(analysis.processed, FAILURE_DEMAND))
    rows = []
    overall = failure_share(analysis.contacts, review=review).iloc[0].to_dict()
    by_service = failure_share(analysis.contacts, by="service", review=review)
    for scope, fig in [("council", overall)] + [(str(r["service"]), r) for r in by_service.to_dict("records")]:
        labelled = int(fig.get("n_reviewed", 0) or 0)
        half = (float(fig["high"]) - float(fig["low"])) / 2
        rows.append({"scope": scope, "contacts": int(fig["n"]), "labelled": labelled,
                     "share": float(fig["estimate"]), "low": float(fig["low"]), "high": float(fig["high"]),
                     "half_width": half})
    out = pd.DataFrame(rows)
    council_labelled = int(out.loc[out["scope"] == "council", "labelled"].iloc[0])
    scale = np.sqrt(council_labelled / drawn) if drawn and council_labelled else np.nan
    return out.assign(half_width_if_all_labelled=out["half_width"] * scale, drawn=drawn)


#: A second person's labels of a drawn sample: a copy of its file beside it, named for them
#: (``review_sample.second.csv``, ``review_sample.ab.csv``). Runs read only the first person's file;
#: the copies measure how far two people agree.
SECOND_LABELLER = "{stem}.*.csv"


def agreement(processed: Path | str | None, kind: str = FAILURE_DEMAND) -> pd.DataFrame:
    """How far two people agree on the contacts both labelled: for each second person's copy of a
    draw's sample (``review_sample.<name>.csv`` beside ``review_sample.csv``), the contacts both
    labelled, the share on which they agree and Cohen's kappa (failure or value; 95% interval by
    bootstrap over contacts, 1,000 resamples, seed 0). Empty when nobody labelled a copy.

    >>> import tempfile
    >>> processed = Path(tempfile.mkdtemp()) / "processed"
    >>> first = pd.DataFrame({"contact_id": list("abcdef"), "analyst_demand": ["failure", "value"] * 3})
    >>> draw = add_draw(processed, FAILURE_DEMAND, first, {})
    >>> second = first.assign(analyst_demand=["failure", "value", "failure", "failure", "failure", "value"])
    >>> second.to_csv(draw / "review_sample.second.csv", index=False)
    >>> row = agreement(processed).iloc[0]
    >>> row["labeller"], int(row["both_labelled"]), round(float(row["agree"]), 2), round(float(row["kappa"]), 2)
    ('second', 6, 0.83, 0.67)
    """
    from sklearn.metrics import cohen_kappa_score

    def labels(path: Path) -> pd.Series:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        if not {"contact_id", "analyst_demand"} <= set(frame.columns):
            raise ValueError(f"{path}: columns contact_id and analyst_demand expected; found {list(frame.columns)}")
        frame = frame.assign(analyst_demand=frame["analyst_demand"].str.strip().str.lower())
        frame = frame.loc[frame["analyst_demand"].isin(["failure", "value"])]
        return frame.set_index("contact_id")["analyst_demand"]

    rows = []
    stem = Path(SAMPLE_FILES[kind]).stem
    for draw in draws(processed, kind):
        first = labels(draw / SAMPLE_FILES[kind])
        for copy in sorted(draw.glob(SECOND_LABELLER.format(stem=stem))):
            second = labels(copy)
            both = first.index.intersection(second.index)
            a, b = first.reindex(both).to_numpy(), second.reindex(both).to_numpy()
            kappa = float(cohen_kappa_score(a, b, labels=["failure", "value"])) if len(both) else np.nan
            rng = np.random.default_rng(0)
            boots = [cohen_kappa_score(a[i], b[i], labels=["failure", "value"])
                     for i in (rng.integers(0, len(both), len(both)) for _ in range(1000))] if len(both) >= 10 else []
            low, high = (np.nanpercentile(boots, [2.5, 97.5]) if boots else (np.nan, np.nan))
            rows.append({"draw": draw.name, "labeller": copy.name[len(stem) + 1:-len(".csv")],
                         "both_labelled": int(len(both)), "agree": float((a == b).mean()) if len(both) else np.nan,
                         "kappa": kappa, "kappa_low": float(low), "kappa_high": float(high)})
    return pd.DataFrame(rows, columns=["draw", "labeller", "both_labelled", "agree", "kappa", "kappa_low",
                                       "kappa_high"])
