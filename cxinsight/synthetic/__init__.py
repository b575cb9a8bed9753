"""The demo council: a seeded, synthetic district whose exports look like the real thing.

``generate_demo`` writes the raw exports of a fictional district (CRM contacts, complaints, a
post-contact survey, an LSOA indicator table) into ``data/raw/demo`` and, beside them, an
**answer key** (``data/raw/demo_answer_key``): the true demand type of every contact, the true
digital capability of every customer, the planted personal data and defects. Tests and
evaluation cells read the key; the analysis never does.

Synthetic data is a test instrument, not the truth: it checks that the analysis recovers what was
planted. Calibration sources are given in :mod:`cxinsight.synthetic.council`.

>>> import tempfile, pathlib
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> summary = generate_demo(tmp / "raw", tmp / "key", DemoSpec(contacts=3_000, seed=7))
>>> summary["contacts"]
3000
>>> sorted(p.name for p in (tmp / "raw").iterdir())
['areas', 'complaints', 'crm', 'sources.yaml', 'survey']
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from cxinsight.synthetic import exports
from cxinsight.synthetic.council import (
    CAPABILITIES,
    COMPLAINT_JOURNEY_DAYS,
    FAILURE_SHARE,
    DemoSpec,
    bank_holidays,
    journey_truth,
    make_areas,
    make_contacts,
    make_customers,
    plant_journeys,
)

log = logging.getLogger(__name__)

__all__ = ["CAPABILITIES", "DEMO_HISTORY", "GENERATOR_VERSION", "DemoSpec", "generate_demo", "generate_demo_history",
           "read_answer_key"]

# Bump whenever the generator's output changes for the same seed: `cxinsight demo` regenerates
# existing demo data whose answer key records another version.
GENERATOR_VERSION = 4

SOURCES_TEMPLATE = {
    "council": "Demo District Council (synthetic)",
    "period": None,
    "exports": [
        {"table": "contacts", "path": "crm/*.csv", "profile": "demo_crm"},
        {"table": "complaints", "path": "complaints/*.csv", "profile": "demo_complaints"},
        {"table": "survey", "path": "survey/*.xlsx", "profile": "demo_survey"},
        {"table": "areas", "path": "areas/*.csv", "profile": "demo_areas"},
    ],
}


def generate_demo(raw_dir: Path | str | None = None, key_dir: Path | str | None = None,
                  spec: DemoSpec | None = None) -> dict:
    """Write the demo council's raw exports and answer key. Returns a summary of what was written.

    Existing files in ``raw_dir`` are replaced: the demo folder belongs to the generator, and it is
    the only writer of ``data/raw`` in the project.
    """
    from cxinsight import paths

    spec = spec or DemoSpec()
    raw_dir = Path(raw_dir) if raw_dir else paths.demo_raw_dir()
    key_dir = Path(key_dir) if key_dir else paths.demo_answer_key_dir()
    t0 = time.perf_counter()
    rng = np.random.default_rng(spec.seed)
    areas = make_areas(rng, spec)
    customers = make_customers(rng, areas, spec)
    truth = make_contacts(rng, customers, spec)
    pii_rows: list[dict] = []
    contacts = exports.contact_attributes(rng, truth, customers, spec, pii_rows)
    contacts = plant_journeys(contacts, spec)  # its own random stream: rng's draws are as they were
    defects = exports.DefectLog()
    for sub in ("crm", "complaints", "survey", "areas"):
        folder = raw_dir / sub
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            if old.is_file():
                old.unlink()
    files = exports.write_crm_exports(rng, contacts, spec, raw_dir / "crm", defects)
    holidays_ = bank_holidays(spec.start, (pd.Timestamp(spec.end) + pd.DateOffset(months=6)).strftime("%Y-%m-%d"))
    complaints = exports.make_complaints(rng, contacts, spec, holidays_, pii_rows)
    exports.write_complaints_export(rng, complaints, raw_dir / "complaints" / "complaints_2024-25.csv", defects)
    survey = exports.make_survey(rng, contacts, spec, pii_rows)
    exports.write_survey_export(rng, survey, raw_dir / "survey" / "post_contact_survey_2024-25.xlsx", defects)
    exports.write_area_export(areas, raw_dir / "areas" / "lsoa_indicators.csv")
    sources = dict(SOURCES_TEMPLATE, period={"start": spec.start, "end": spec.end})
    (raw_dir / "sources.yaml").write_text(
        "# Which exports make up this council's data, and the profile that reads each.\n"
        + yaml.safe_dump(sources, sort_keys=False), encoding="utf-8")

    key_dir.mkdir(parents=True, exist_ok=True)
    truth_cols = ["contact_id", "received_at", "service", "channel", "customer_id", "demand",
                  "failure_type", "value_type", "follow_up_of", "handle_seconds", "wait_seconds",
                  "staff_id", "lsoa_code", "age_band", "journey_id", "case_id", "closed_at"]
    contacts[truth_cols].to_parquet(key_dir / "contacts_truth.parquet", index=False)
    customers.drop(columns=["capability_idx", "activity"]).to_parquet(key_dir / "customers_truth.parquet",
                                                                      index=False)
    complaints.to_parquet(key_dir / "complaints_truth.parquet", index=False)
    survey.to_parquet(key_dir / "survey_truth.parquet", index=False)
    pd.DataFrame(pii_rows, columns=["table", "record_id", "kind", "value"]).to_parquet(
        key_dir / "pii.parquet", index=False)
    defect_frame = defects.frame()
    defect_frame.to_parquet(key_dir / "defects.parquet", index=False)
    planted = {
        "generator_version": GENERATOR_VERSION,
        "seed": spec.seed, "contacts": spec.contacts, "residents": spec.residents,
        "lsoas": spec.n_lsoas, "customers": spec.n_customers,
        "failure_share_by_service_planted": FAILURE_SHARE,
        "failure_share_by_service_realised": {
            k: round(float(v), 4) for k, v in
            contacts.groupby("service")["demand"].apply(lambda s: (s == "failure").mean()).items()},
        "capability_shares_planted": dict(zip(CAPABILITIES, spec.capability_shares, strict=True)),
        "defect_counts": defect_frame.groupby("defect").size().astype(int).to_dict() if len(defect_frame) else {},
        "defect_rates": spec.defect_rates,
        "pii_planted": len(pii_rows),
        "journeys": _journeys_planted(contacts, complaints),
        "files": files,
    }
    (key_dir / "planted.yaml").write_text(
        "# The answer key of the demo council: for tests and evaluation cells only.\n"
        + yaml.safe_dump(planted, sort_keys=False), encoding="utf-8")
    seconds = time.perf_counter() - t0
    log.info("demo council: %d contacts, %d complaints rows, %d survey responses in %.1f s",
             len(contacts), len(complaints), len(survey), seconds)
    return {"contacts": len(contacts), "complaints": len(complaints), "survey": len(survey),
            "areas": len(areas), "customers": len(customers), "pii": len(pii_rows),
            "defects": len(defect_frame), "seconds": round(seconds, 2), "raw_dir": str(raw_dir),
            "key_dir": str(key_dir)}


def _journeys_planted(contacts: pd.DataFrame, complaints: pd.DataFrame) -> dict:
    """The journeys' planted rates (computed from the truth, apart from cxinsight.journeys): over the
    journeys started at least the window after the first contact and before the last, as measured."""
    from cxinsight.synthetic import council

    truth = journey_truth(contacts, complaints, COMPLAINT_JOURNEY_DAYS)
    judged = truth.loc[truth["judged"]]
    closed = truth["end_to_end_days"].dropna()
    return {
        "window_days": COMPLAINT_JOURNEY_DAYS, "case_link_rate": council.CASE_LINK_RATE,
        "close_median_days_after_last_contact": council.CLOSE_MEDIAN_DAYS,
        "journeys": len(truth), "judged_journeys": len(judged),
        "first_contact_resolution": round(float(judged["first_contact_resolution"].mean()), 4),
        "contacts_per_journey": round(float(judged["contacts"].mean()), 4),
        "changed_channel_share": round(float(judged["changed_channel"].mean()), 4),
        "channel_hop_share": round(float(judged["channel_hop"].mean()), 4),
        "complaint_share": round(float(judged["complaint"].mean()), 4),
        "closed_journeys": int(closed.size),
        "end_to_end_median_days": round(float(closed.median()), 3) if closed.size else None,
    }


#: The demo history: two councils over two years; in the second year more residents can self-serve
#: (capability shares self-serve / could shift with support / likely excluded), so more contacts
#: move online: the change the year-on-year page should find.
DEMO_HISTORY = {
    "Demo Borough": {"2023-24": (0.48, 0.32, 0.20), "2024-25": (0.58, 0.27, 0.15)},
    "Demo District": {"2023-24": (0.52, 0.30, 0.18), "2024-25": (0.52, 0.30, 0.18)},
}


def generate_demo_history(root: Path | str, contacts: int = 20_000, seed: int = 20230401) -> Path:
    """Write :data:`DEMO_HISTORY`'s council-years (each a demo council of ``contacts`` contacts over
    its financial year, answer key beside it) under ``root``, and ``root/history.yaml`` naming them
    (what ``cxinsight history`` reads). Returns the history file."""
    root = Path(root)
    lines = ["# The demo history: synthetic councils, one sources.yaml per council-year", "synthetic: true",
             "councils:"]
    for c, (council, years) in enumerate(DEMO_HISTORY.items()):
        slug = council.lower().replace(" ", "_")
        lines += [f"  - name: {council}", "    years:"]
        for y, (year, shares) in enumerate(years.items()):
            start = int(year[:4])
            spec = DemoSpec(contacts=contacts, seed=seed + 100 * c + y, start=f"{start}-04-01",
                            end=f"{start + 1}-03-31", capability_shares=shares)
            generate_demo(root / slug / year, root / "answer_keys" / slug / year, spec)
            lines.append(f'      "{year}": {slug}/{year}/sources.yaml')
    path = root / "history.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_answer_key(key_dir: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """Read the demo's answer key (tests and evaluation cells only)."""
    from cxinsight import paths

    key_dir = Path(key_dir) if key_dir else paths.demo_answer_key_dir()
    out = {p.stem: pd.read_parquet(p) for p in sorted(key_dir.glob("*.parquet"))}
    out["planted"] = yaml.safe_load((key_dir / "planted.yaml").read_text(encoding="utf-8"))
    return out
