"""A stored record of what the classifier and the redactor make of every text we hold (issue 31).

Issue 31 made text scoring and redaction fast (distinct words, one combined pass, a process pool);
the answers must be the same, text for text. This module gathers the texts (the demand corpus, the
labelled contacts, the real public extracts in ``tests/data/real``, the privacy corpora and the demo
council of the test data folder), and reduces what the code makes of each to two bytes of a hash,
in the texts' sorted order, beside a digest of the texts themselves. ``tests/test_text_record.py``
compares today's code with the record.

The record was written by the code before issue 31's changes (commit 9a536de) with
``PYTHONHASHSEED=0``: that code corrected a word one keystroke from two keywords ("waaiting":
waiting or awaiting) to whichever Python's set order gave first, which changed with the hash seed
(from one process to the next); the seed fixes the one such word in these texts as the shorter
keyword, as the code now always does. Write the record again only when a change to the rules (a new
cue, a new redaction rule) is meant to change answers:

    PYTHONHASHSEED=0 CXINSIGHT_DATA_DIR=.test/data python -m tests.text_record --write

What is hashed, per distinct text:

- classify: the text's weight per failure type and its value weight, its evidence, and the demand,
  failure type and confidence the rules decide from them; for the demo also one digest of
  ``classify()`` on every processed contact (text and behaviour, complaints as the analysis passes);
- redact: ``redact_text``'s text and counts, ``find_personal_data`` on the text and on the redacted
  text, and ``redact_until_clean`` of the redacted text (the pipeline's second pass).
"""

from __future__ import annotations

import base64
import csv
import gzip
import hashlib
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RECORD = DATA / "text_record.json.gz"

#: The free-text and category columns of each real extract (dates, coordinates and ids left out).
REAL_COLUMNS = {
    "cfpb_bank/Consumer_Complaints_head.csv": ["product", "sub-product", "issue", "sub-issue",
                                               "company_public_response"],
    "cfpb_narratives/complaints_sample_narratives.csv.gz": ["Product", "Sub-product", "Issue", "Sub-issue",
                                                            "Consumer complaint narrative",
                                                            "Company public response"],
    "la311_two_extracts/myla311_2017_subset_first3000.csv": ["RequestType", "Address", "NCName"],
    "la311_two_extracts/myla311_2018_mini_first3000.csv": ["RequestType", "Address", "NCName"],
    "nyc311/nyc311_2022-05-01.csv": ["Complaint Type", "Descriptor", "Location Type", "Incident Address",
                                     "Resolution Description"],
    "nyc311_2024/nyc311_2024-05-26_27.csv": ["complaint_type", "descriptor", "resolution_description",
                                             "incident_address"],
    "sf311_closing_notes/sf311_service_requests.csv.gz": ["status_notes", "category", "descriptor",
                                                          "incident_address"],
}


def _distinct(values) -> list[str]:
    return sorted({str(v) for v in values if isinstance(v, str) and v.strip()})


def corpus_texts() -> list[str]:
    out = []
    for f in sorted((DATA / "demand_corpus").glob("*.csv")):
        frame = pd.read_csv(f, dtype=str, keep_default_na=False)
        for col in ("text", "body", "category", "note"):
            if col in frame.columns:
                out += frame[col].tolist()
    out += pd.read_csv(DATA / "labelled_contacts.csv", dtype=str, keep_default_na=False)["text"].tolist()
    return _distinct(out)


def real_texts() -> list[str]:
    out = []
    for name, cols in REAL_COLUMNS.items():
        frame = pd.read_csv(DATA / "real" / name, dtype=str, keep_default_na=False)
        out += [v for c in cols if c in frame.columns for v in frame[c].tolist()]
    for f in sorted((DATA / "real" / "fixmystreet_cheltenham").glob("*.xml")):
        for item in ET.parse(f).getroot().iter("item"):
            out += [(item.findtext(tag) or "") for tag in ("title", "description", "category")]
    return _distinct(out)


def privacy_texts() -> list[str]:
    folder = HERE / "privacy"
    out = []
    for f in sorted(folder.glob("*.tsv")):
        with open(f, encoding="utf-8", newline="") as fh:
            out += [row["text"] for row in csv.DictReader(fh, delimiter="\t")]
    out += [line for line in (folder / "ordinary.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    return _distinct(out)


def demo_raw_texts() -> list[str] | None:
    """The demo's CRM notes and reasons as the loader reads them (before redaction), from the data
    folder's demo."""
    import cxinsight as cx
    from cxinsight import paths

    crm = paths.demo_raw_dir() / "crm"
    if not any(crm.glob("*.csv")):
        return None
    from cxinsight.profile import ProfileError

    try:
        frame = cx.load_contacts(crm, profile="demo_crm").data
    except ProfileError:  # a demo made by an older generator than the profile's: make it again
        return None
    return _distinct(frame["notes"].tolist() + frame["reason"].astype(object).tolist())


def demo_processed() -> tuple[pd.DataFrame, pd.DataFrame | None] | None:
    from cxinsight import paths

    folder = paths.processed_dir()
    if not (folder / "contacts.parquet").exists():
        return None
    complaints = folder / "complaints.parquet"
    return (pd.read_parquet(folder / "contacts.parquet"),
            pd.read_parquet(complaints) if complaints.exists() else None)


def _reduce(payloads: list[str]) -> tuple[str, bytes]:
    """A digest of every payload in full, and one byte of a hash per payload (to name the texts that
    differ)."""
    whole = hashlib.sha256()
    each = bytearray()
    for payload in payloads:
        data = payload.encode("utf-8", "surrogatepass")
        whole.update(data + b"\0")
        each.append(hashlib.blake2b(data, digest_size=1).digest()[0])
    return whole.hexdigest(), bytes(each)


def texts_digest(texts: list[str]) -> str:
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()


def classify_payloads(texts: list[str]) -> list[str]:
    """Per text of its weights, evidence, demand, failure type and confidence."""
    from cxinsight.demand.rules import RuleEngine, load_taxonomy

    engine = RuleEngine(load_taxonomy())  # a fresh engine: nothing remembered from another test
    w, v, evidence = engine.weights(pd.Series(texts, dtype="str"))
    demand, ftype, conf, p = engine.decide(w, v)
    return [repr((w[i].tolist(), float(v[i]), evidence[i], demand[i], ftype[i], float(conf[i]), float(p[i])))
            for i in range(len(texts))]


def classify_frame_digest(contacts: pd.DataFrame, complaints: pd.DataFrame | None) -> str:
    """One digest of ``classify()`` on every contact, as the analysis calls it."""
    from cxinsight.demand import classify

    out = classify(contacts, complaints=complaints)
    h = hashlib.sha256()
    for col in ("demand", "failure_type", "demand_confidence", "demand_evidence", "demand_source"):
        h.update(col.encode() + b"\0")
        h.update(json.dumps(out[col].astype(object).tolist()).encode())
    return h.hexdigest()


def redact_payloads(texts: list[str]) -> list[str]:
    """Per text, what the redactor makes of it (see the module's docstring)."""
    from cxinsight import privacy

    series = pd.Series(texts, dtype="str")
    red = privacy.redact_text(series).tolist()
    counts = [privacy._redact_one(t)[1] for t in texts]
    again, left, _ = privacy.redact_until_clean(pd.Series(red, dtype="str"))
    again, left = again.tolist(), left.tolist()
    out = []
    for i, t in enumerate(texts):
        parts = (red[i], sorted(counts[i].items()),
                 sorted(privacy.find_personal_data(t).items()), sorted(privacy.find_personal_data(red[i]).items()),
                 again[i], left[i])
        out.append(repr(parts))
    return out


def redact_counts_digest(texts: list[str]) -> str:
    """The redactor's counts over every text (by kind), as ``redact_text(counts=True)`` gives them."""
    from cxinsight import privacy

    _, n = privacy.redact_text(pd.Series(texts, dtype="str"), counts=True)
    return json.dumps(n.to_dict(), sort_keys=True)


def sources(demo: bool = True) -> dict[str, dict[str, list[str]]]:
    """``{"classify": {source: texts}, "redact": {source: texts}}``."""
    corpus, real, private = corpus_texts(), real_texts(), privacy_texts()
    out = {"classify": {"corpus": corpus, "real": real, "privacy": private},
           "redact": {"corpus": corpus, "real": real, "privacy": private}}
    if demo:
        raw = demo_raw_texts()
        if raw is not None:
            out["redact"]["demo_raw"] = raw
        processed = demo_processed()
        if processed is not None:
            frame = processed[0]
            out["classify"]["demo_processed"] = _distinct(frame["notes"].tolist() + frame["reason"].astype(str).tolist())
    return out


def make(demo: bool = True) -> dict:
    record: dict = {"classify": {}, "redact": {}}
    for task, by_source in sources(demo).items():
        fn = classify_payloads if task == "classify" else redact_payloads
        for name, texts in by_source.items():
            digest, each = _reduce(fn(texts))
            record[task][name] = {"n": len(texts), "texts": texts_digest(texts), "digest": digest,
                                  "results": base64.b64encode(each).decode()}
            if task == "redact":
                record[task][name]["counts"] = redact_counts_digest(texts)
    processed = demo_processed() if demo else None
    if processed is not None:
        record["classify_demo_frame"] = {"n": len(processed[0]), "digest": classify_frame_digest(*processed)}
    return record


def check(task: str, expected: dict, texts: list[str]) -> list[str]:
    """The texts whose answers differ from the record's (empty when every answer is the same)."""
    fn = classify_payloads if task == "classify" else redact_payloads
    digest, each = _reduce(fn(texts))
    if digest == expected["digest"]:
        return []
    want = base64.b64decode(expected["results"])
    named = [texts[i] for i in range(len(texts)) if want[i] != each[i]]
    return named or ["(a text whose one-byte hash happens to agree: the whole digest differs)"]


def read() -> dict:
    return json.loads(gzip.decompress(RECORD.read_bytes()))


def write(record: dict, path: Path = RECORD) -> None:
    path.write_bytes(gzip.compress(json.dumps(record, indent=0, sort_keys=True).encode(), mtime=0))


if __name__ == "__main__":
    if "--write" in sys.argv:
        target = Path(sys.argv[sys.argv.index("--to") + 1]) if "--to" in sys.argv else RECORD
        write(make(), target)
        print(f"wrote {target}")
    else:
        print(json.dumps({t: {k: v["n"] for k, v in d.items()} for t, d in make().items()
                          if isinstance(d, dict) and "n" not in d}, indent=1))
