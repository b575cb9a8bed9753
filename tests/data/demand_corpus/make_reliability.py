"""Write the classifier's reliability record that notebook 02 draws (cxinsight/demand/reliability.json).

The shipped classifier scored on the FixMyStreet test split (real residents' reports, held out from
the rules' development, labelled by hand): the reliability table and the expected calibration error.
Notebook 02 reads the record, never tests/; tests/test_demand_corpus.py recomputes it from the corpus
and fails when the shipped record is stale (a cue or the calibration changed without running this).

    .venv/bin/python tests/data/demand_corpus/make_reliability.py
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from cxinsight.demand import score_text
from cxinsight.demand.measures import RELIABILITY_RECORD, reliability

CORPUS = Path(__file__).resolve().parent


def record() -> dict:
    held = pd.read_csv(CORPUS / "fixmystreet.csv").merge(pd.read_csv(CORPUS / "labels.csv"), on="id")
    held = held.loc[held["split"] == "test"]
    p = score_text(held["text"].tolist())["p_failure"].to_numpy()
    table, ece = reliability(p, (held["demand"] == "failure").to_numpy())
    return {"source": ("FixMyStreet reports near Cheltenham, the test split (held out from the rules' development, "
                       "labelled by hand; tests/data/demand_corpus)"),
            "reports": int(len(held)), "ece": round(ece, 4),
            "bins": [{"stated": round(float(r.stated), 4), "observed": round(float(r.observed), 4),
                      "reports": int(r.contacts)} for r in table.itertuples()]}


if __name__ == "__main__":
    RELIABILITY_RECORD.write_text(json.dumps(record(), indent=1) + "\n", encoding="utf-8")
    print(f"written {RELIABILITY_RECORD}")
