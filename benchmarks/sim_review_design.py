"""Does the review design use the classifier? Coverage and half-width of the corrected failure share,
by seeded simulation on the real hand-labelled corpus (issue 27, point 4).

The population is the corpus' 2,139 real texts (900 FixMyStreet reports, 739 Newport and 500 US
SeeClickFix requests), each classified by the rules as a council's export would be
(``cxinsight.demand.check.as_contacts``; the request category is the service, 443 of them;
``demand_source`` as ``classify`` gives it without customer numbers: ``text`` for a failure call,
``none`` for a value call). The truth is the hand-labelled failure share of all 2,139. Each draw: a
review of ``n`` contacts drawn by ``sample_for_review`` (seed = draw), labelled from the hand labels
as an analyst would, and ``failure_share(review=...)`` estimated from it (seed = draw). Reported per
design and ``n``: coverage of the truth by the 95% interval (with its Wilson interval over the
draws), mean half-width, mean absolute error, and the mean size of the review actually drawn.

    python benchmarks/sim_review_design.py --draws 1000        # the run recorded in benchmarks/README.md
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cxinsight.demand.check import as_contacts
from cxinsight.demand.measures import failure_share
from cxinsight.demand.review import sample_for_review
from cxinsight.stats import wilson

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "demand_corpus"
REAL = ("fixmystreet.csv", "fixmystreet_extra.csv", "seeclickfix_newport.csv", "seeclickfix_newport_rest.csv",
        "seeclickfix_us2024.csv")


def corpus_contacts() -> pd.DataFrame:
    """The corpus' real texts as classified contacts, with the hand label in ``truth``."""
    labels = pd.read_csv(CORPUS / "labels.csv")
    texts = pd.concat([pd.read_csv(CORPUS / name, keep_default_na=False)[["id", "category", "text"]]
                       for name in REAL], ignore_index=True)
    frame = texts.merge(labels, on="id", validate="one_to_one")
    contacts = as_contacts(frame["text"], frame["id"], frame["category"].replace("", "Not given"))
    source = np.where(contacts["demand"] == "failure", "text", "none")  # as classify() without customer numbers
    return contacts.assign(demand_source=pd.Categorical(source), truth=frame["demand"].to_numpy())


DESIGNS = {
    # name: keyword arguments to sample_for_review
    "service x source": {"by": ("service", "demand_source")},  # today's default (to 9994c08)
    "service": {"by": ("service",)},  # as a frame without demand_source (as_contacts) is stratified
    "call x band": {},  # the default since issue 27: demand_source x the classifier's call and sureness
}


def simulate(population: pd.DataFrame, design: dict, n: int, draws: int, first_seed: int = 0) -> dict:
    truth = float((population["truth"] == "failure").mean())
    label = population.set_index("contact_id")["truth"]
    covered, half, error, size = [], [], [], []
    for seed in range(first_seed, first_seed + draws):
        review = sample_for_review(population, n=n, seed=seed, **design)
        review["analyst_demand"] = label.loc[review["contact_id"]].to_numpy()
        est = failure_share(population, review=review, seed=seed).iloc[0]
        covered.append(est["low"] <= truth <= est["high"])
        half.append((est["high"] - est["low"]) / 2)
        error.append(abs(est["estimate"] - truth))
        size.append(len(review))
    k = int(np.sum(covered))
    _, lo, hi = wilson(k, draws)
    return {"n": n, "draws": draws, "coverage": k / draws, "coverage_low": lo, "coverage_high": hi,
            "half_width": float(np.mean(half)), "abs_error": float(np.mean(error)), "reviewed": float(np.mean(size)),
            "truth": truth}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--sizes", type=int, nargs="+", default=[150, 300])
    parser.add_argument("--designs", nargs="+", default=["call x band"])
    args = parser.parse_args(argv)
    population = corpus_contacts()
    rows = []
    for name in args.designs:
        for n in args.sizes:
            t0 = time.perf_counter()
            rows.append({"design": name, **simulate(population, DESIGNS[name], n, args.draws),
                         "seconds": round(time.perf_counter() - t0, 1)})
            print(pd.DataFrame(rows[-1:]).round(4).to_string(index=False, header=len(rows) == 1), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
