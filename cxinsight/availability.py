"""What data a council supplied, and what each missing piece would unlock.

Only a contacts export (received_at, channel, service) is required. Every other table and field is
optional: the analyses that need one switch off, and the page says plainly what would turn them on.

>>> unlock("complaints")
'Supply a complaints export to see complaints answered on time against the codes, escalation and upheld rates.'
>>> available({"contacts": ["received_at", "channel", "service"]}, "contacts.customer_id")
False
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from cxinsight import paths

# What each optional table or contacts field unlocks, in the words a page shows.
UNLOCKS: dict[str, str] = {
    "complaints": "Supply a complaints export to see complaints answered on time against the codes, "
                  "escalation and upheld rates.",
    "survey": "Supply a post-contact survey export to see Net Promoter Score, effort and satisfaction.",
    "areas": "Supply an area table (indicators for each LSOA) to see the Digital Exclusion Risk Index "
             "for the areas your customers live in.",
    "contacts.customer_id": "Supply customer numbers in the contacts export to see repeat contacts and "
                            "which customers are likely to be digitally excluded.",
    "contacts.lsoa_code": "Supply each contact's area code (LSOA) to link contacts to the risk in their area.",
    "contacts.notes": "Supply the contact notes (free text) to classify failure demand from what customers "
                      "said; without them only repeat contacts can be counted.",
    "contacts.staff_id": "Supply staff ids in the contacts export to see survey results by adviser "
                         "(analyst notebook only).",
    "complaints.responded_on": "Supply the date each complaint was answered to see timeliness against the codes.",
    "complaints.acknowledged_on": "Supply the date each complaint was acknowledged to see acknowledgements "
                                  "within 5 working days.",
    "complaints.outcome": "Supply each complaint's outcome (upheld, partially upheld, not upheld or withdrawn) "
                          "to see upheld rates.",
    "complaints.category": "Supply each complaint's category to see what complaints are about.",
    "complaints.summary": "Supply the complaint summaries (free text) to see the words that mark each "
                          "service's complaints.",
    "complaints.stage_2": "Supply stage 2 rows (under the same complaint reference as stage 1) to see how many "
                          "complaints escalate.",
    # journeys (cxinsight.journeys: JOURNEYS_UNLOCK)
    "contacts.case_id|contacts.customer_id": (
        "Supply a case or reference number on each contact (the same number on every contact about one request), "
        "or customer numbers, to follow contacts into journeys: first-contact resolution, contacts per journey, "
        "journeys that change channel and journeys that end in a complaint."),
    "contacts.closed_at": "Supply the date each case or request was closed (resolved) to see end-to-end times.",
    "contacts.case_history": (
        "Supply an export with a row per contact (a contact history, not a list of cases) carrying the case number "
        "on each, or customer numbers, to see first-contact resolution, contacts per journey and channel changes."),
}
#: What follows contacts into journeys: a case or reference number on each, or customer numbers.
JOURNEY_IDS = "contacts.case_id|contacts.customer_id"
#: What can tell failure demand from value demand: the contact's words (notes, or a reason or issue
#: column) or its customer's behaviour (repeat contacts and channel hops need customer numbers).
#: With none of them every contact would be called value demand: "0% failure" with no evidence.
FAILURE_EVIDENCE = "contacts.notes|contacts.reason|contacts.customer_id"
UNLOCKS[FAILURE_EVIDENCE] = (
    "Supply the contact notes (free text) or a reason for each contact to classify failure demand from what "
    "was said, or customer numbers to count repeat contacts; this export has none of them, so nothing in it "
    "can tell failure demand from value demand.")


def unlock(what: str) -> str:
    """The sentence telling a reader which data would turn on an analysis (``a|b``: either would).

    >>> unlock("contacts.customer_id|areas").count("Supply")
    2
    """
    if "|" in what and what not in UNLOCKS:
        return " Either: ".join(unlock(w) for w in what.split("|"))
    return UNLOCKS.get(what, f"Supply {what.replace('.', ' ')} to see this analysis.")


def supplied(processed: Path | str | None = None) -> dict[str, list[str]]:
    """Tables written to ``processed`` and, for each, the columns holding at least one value."""
    folder = Path(processed or paths.processed_dir())
    manifest = folder / "manifest.json"
    tables = json.loads(manifest.read_text(encoding="utf-8")).get("rows", {}) if manifest.exists() else {}
    out: dict[str, list[str]] = {}
    for table, rows in tables.items():
        path = folder / f"{table}.parquet"
        if not rows or not path.exists():
            continue
        meta = pq.ParquetFile(path).metadata
        filled = []
        for i, name in enumerate(meta.schema.names):
            nulls = sum((meta.row_group(g).column(i).statistics.null_count or 0)
                        if meta.row_group(g).column(i).statistics is not None else 0
                        for g in range(meta.num_row_groups))
            if nulls < meta.num_rows:
                filled.append(name)
        out[table] = filled
    return out


def of_frames(tables: dict) -> dict[str, list[str]]:
    """What :func:`supplied` says, for tables still in memory (``PipelineResult.tables``)."""
    return {name: [c for c in frame.columns if frame[c].notna().any()] for name, frame in tables.items()}


def available(have: dict[str, list[str]], what: str) -> bool:
    """Whether ``what`` (a table, or ``table.field``; ``a|b`` for either) was supplied with a value."""
    if "|" in what:
        return any(available(have, w) for w in what.split("|"))
    table, _, field = what.partition(".")
    return table in have and (not field or field in have[table])
