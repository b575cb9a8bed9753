"""Write the demo council's truth the way its systems would export it: messily.

The CRM exports one file a quarter, each from a different month of the council's life:

========  ===========  =========  ===============================================================
file      encoding     delimiter  quirks
========  ===========  =========  ===============================================================
Q1        UTF-8        comma      ``dd/mm/yyyy HH:MM``; tidy channel names
Q2        cp1252       comma      ``dd/mm/yyyy HH:MM:SS`` and ``dd-mm-yy HH:MM``; durations ``h:mm:ss``
Q3        UTF-8 + BOM  comma      opened and saved in Excel: leading zeros lost, serial dates, ``#N/A``
Q4        UTF-8        semicolon  ISO dates and unpadded ``d/m/yyyy H:MM``; channel names in any case
========  ===========  =========  ===============================================================

Each quarter's extract starts two days early, so records near quarter ends appear in two files, as
they do when an analyst pulls overlapping extracts. Every defect planted is written to the answer
key with the record it touched and how the pipeline should handle it (quarantine or repair).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxinsight.synthetic import language, people
from cxinsight.synthetic.council import CAPABILITIES, DemoSpec

CRM_COLUMNS = ["Contact Ref", "Date/Time", "Channel", "Service Area", "Reason", "Notes", "Customer No",
               "Age Band", "LSOA", "Outcome", "Handle Time (s)", "Wait Time (s)", "Agent", "Case Ref", "Case Closed"]
#: How each quarter's file writes the date a case was closed (its usual date format, no planted defects).
CLOSED_FORMATS = {"Q1": "%d/%m/%Y %H:%M", "Q2": "%d/%m/%Y %H:%M:%S", "Q3": "%d/%m/%Y %H:%M", "Q4": "%Y-%m-%d %H:%M:%S"}

CHANNEL_SPELLINGS: dict[str, dict[str, list[str]]] = {
    "Q1": {"phone": ["Phone", "Telephone"], "face_to_face": ["F2F", "Face to Face"],
           "email": ["E-mail"], "web": ["Web form"], "webchat": ["Webchat"], "letter": ["Letter"],
           "social": ["Social media"]},
    "Q2": {"phone": ["TEL", "telephone "], "face_to_face": ["Face to Face", "Walk-in"],
           "email": ["Email"], "web": ["Online", "Web Form"], "webchat": ["Web Chat"],
           "letter": ["Post"], "social": ["Facebook"]},
    "Q3": {"phone": ["Phone", "Tel"], "face_to_face": ["F2F", "Reception"], "email": ["Email"],
           "web": ["Web form", "Online form"], "webchat": ["Webchat"], "letter": ["Letter"],
           "social": ["Social media", "Twitter"]},
    "Q4": {"phone": ["PHONE", "phone", "Phone call"], "face_to_face": ["F2F", "face to face"],
           "email": ["EMAIL", "e-mail"], "web": ["Web", "web form", "Self service"],
           "webchat": ["Chat", "webchat"], "letter": ["Letter", "LETTER"], "social": ["Twitter/X"]},
}
SERVICE_SPELLINGS: dict[str, list[str]] = {
    "council_tax": ["Council Tax", "COUNCIL TAX", "Revs & Bens - CT", "Ctax"],
    "benefits": ["Benefits", "Revs & Bens - HB/CTR", "Housing Benefit"],
    "housing_repairs": ["Housing Repairs", "Repairs", "HOUSING - REPAIRS"],
    "waste_recycling": ["Waste & Recycling", "Waste and Recycling", "Refuse", "WASTE"],
    "planning": ["Planning", "Planning & Building Control"],
    "parking": ["Parking", "Parking Services", "PARKING"],
    "environmental_health": ["Environmental Health", "Env Health", "Pollution Control"],
    "libraries": ["Libraries", "Library Services"],
    "highways": ["Highways", "Roads & Street Lighting"],
    "housing_options": ["Housing Options", "Homelessness", "Housing Register"],
}
REASON_PREFIX = {"council_tax": "CT", "benefits": "HB", "housing_repairs": "REP", "waste_recycling": "WST",
                 "planning": "PLN", "parking": "PKG", "environmental_health": "EH", "libraries": "LIB",
                 "highways": "HWY", "housing_options": "HOP"}
REASON_LABELS = {
    "value": ["New Request", "Application", "Payment", "Report", "General Enquiry", "Change of Details"],
    "progress_chasing": ["Progress Chase", "General Enquiry", "Update Request"],
    "not_done": ["Service Failure", "Missed Service", "General Enquiry"],
    "not_done_right": ["Query/Dispute", "General Enquiry", "Correction"],
    "clarification": ["General Enquiry", "Letter Query"],
    "information_not_found": ["General Enquiry", "Web Issue", "New Request"],
    "wrong_place": ["Signposted", "General Enquiry"],
    "complaint": ["Complaint", "Complaint", "General Enquiry"],
    "repeat_contact": ["New Request", "Report", "General Enquiry"],
}
OUTCOMES_VALUE = (["Resolved at first contact", "Service request raised", "Passed to back office",
                   "Signposted"], [0.55, 0.27, 0.12, 0.06])
OUTCOMES_FAILURE = (["Resolved at first contact", "Passed to back office", "Chased with service",
                     "Call back requested", "Complaint logged"], [0.25, 0.30, 0.25, 0.15, 0.05])


class DefectLog:
    """Collects planted defects for the answer key."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, table: str, file: str, record_ids, defect: str, handling: str, **extra) -> None:
        for rid in np.atleast_1d(record_ids):
            self.rows.append({"table": table, "file": file, "record_id": str(rid), "defect": defect,
                              "handling": handling, **{k: str(v) for k, v in extra.items()}})

    def frame(self) -> pd.DataFrame:
        cols = ["table", "file", "record_id", "defect", "handling"]
        return pd.DataFrame(self.rows).reindex(columns=list(dict.fromkeys(cols + [
            k for r in self.rows for k in r]))) if self.rows else pd.DataFrame(columns=cols)


def _pool_texts(rng, contacts: pd.DataFrame) -> np.ndarray:
    """Notes for every contact, drawn from pools composed per (service, type, voice)."""
    voice = np.where(contacts["channel"].isin(["phone", "face_to_face", "letter"]), "handler", "resident")
    kind = np.where(contacts["demand"] == "value", "value", contacts["failure_type"])
    key = pd.DataFrame({"service": contacts["service"], "kind": kind, "voice": voice})
    codes, uniques = pd.factorize(pd.MultiIndex.from_frame(key))
    notes = np.empty(len(contacts), dtype=object)
    for k, (service, kd, vc) in enumerate(uniques):
        rows = np.flatnonzero(codes == k)
        size = int(np.clip(rows.size // 4, 12, 400))
        demand = "value" if kd == "value" else "failure"
        pool = np.array([language.compose_note(rng, service, demand, kd, vc) for _ in range(size)],
                        dtype=object)
        notes[rows] = pool[rng.integers(0, size, rows.size)]
    return notes


def plant_pii(rng, texts: np.ndarray, ids: np.ndarray, share: float, table: str,
              pii_rows: list[dict]) -> np.ndarray:
    """Append or prepend personal data to a share of texts; record each value planted."""
    texts = texts.copy()
    chosen = np.flatnonzero(rng.random(len(texts)) < share)
    for i in chosen:
        n_items = 1 if rng.random() < 0.8 else 2
        for _ in range(n_items):
            kind, value, fragment = people.pii_fragment(rng)
            base = str(texts[i])
            texts[i] = f"{fragment} - {base}" if rng.random() < 0.3 else f"{base} - {fragment}"
            pii_rows.append({"table": table, "record_id": str(ids[i]), "kind": kind, "value": value})
    return texts


def contact_attributes(rng, contacts: pd.DataFrame, customers: pd.DataFrame, spec: DemoSpec,
                       pii_rows: list[dict]) -> pd.DataFrame:
    """Add what the CRM records: notes, reason, outcome, durations, agent, LSOA, age band."""
    n = len(contacts)
    out = contacts.copy()
    notes = _pool_texts(rng, contacts)
    out["notes"] = plant_pii(rng, notes, contacts["contact_id"].to_numpy(), spec.pii_share_notes,
                             "contacts", pii_rows)
    kind = np.where(contacts["demand"] == "value", "value", contacts["failure_type"])
    reason = np.empty(n, dtype=object)
    for k, labels in REASON_LABELS.items():
        rows = np.flatnonzero(kind == k)
        reason[rows] = np.array(labels, dtype=object)[rng.integers(0, len(labels), rows.size)]
    prefix = contacts["service"].map(REASON_PREFIX).to_numpy()
    out["reason"] = prefix + " - " + reason.astype(str)
    is_fail = contacts["demand"].to_numpy() == "failure"
    out["outcome"] = np.where(
        is_fail & (contacts["failure_type"] == "complaint").to_numpy(), "Complaint logged",
        np.where(is_fail, rng.choice(OUTCOMES_FAILURE[0], n, p=OUTCOMES_FAILURE[1]),
                 rng.choice(OUTCOMES_VALUE[0], n, p=OUTCOMES_VALUE[1])))
    ch = contacts["channel"].to_numpy()
    median_handle = pd.Series(ch).map({"phone": 240, "face_to_face": 480, "email": 300, "letter": 360,
                                       "webchat": 420, "social": 200, "web": 0}).to_numpy(float)
    handle = rng.lognormal(np.log(np.maximum(median_handle, 1)), 0.6) * np.where(is_fail, 1.3, 1.0)
    out["handle_seconds"] = np.where(ch == "web", np.nan, handle.round())
    hour = contacts["received_at"].dt.hour.to_numpy()
    monday_am = (contacts["received_at"].dt.day_of_week.to_numpy() == 0) & (hour < 12)
    wait = np.where(ch == "phone", rng.exponential(95, n) * np.where(monday_am, 1.8, 1.0),
                    np.where(ch == "face_to_face", rng.exponential(420, n), np.nan))
    out["wait_seconds"] = np.round(wait)
    n_staff = max(8, n // 3500)
    staff_ids = np.array([f"{i:06d}" for i in rng.choice(np.arange(1000, 99999), n_staff, replace=False)])
    out["staff_id"] = np.where(ch == "web", "", staff_ids[rng.integers(0, n_staff, n)])
    cust = customers.set_index("customer_id")
    has = out["customer_id"] != ""
    out["lsoa_code"] = ""
    out.loc[has, "lsoa_code"] = cust.loc[out.loc[has, "customer_id"], "lsoa_code"].to_numpy()
    out["age_band"] = ""
    rec = cust.loc[out.loc[has, "customer_id"], ["age_band", "age_recorded"]]
    out.loc[has, "age_band"] = np.where(rec["age_recorded"].to_numpy(), rec["age_band"].to_numpy(), "")
    return out


def _format_minutes(ts: pd.Series, fmt: str) -> np.ndarray:
    """Format timestamps working on unique values (many contacts share a minute)."""
    codes, uniques = pd.factorize(ts)
    return pd.DatetimeIndex(uniques).strftime(fmt).to_numpy(dtype=object)[codes]


def _excel_serial(ts: pd.Series) -> np.ndarray:
    days = (ts - pd.Timestamp("1899-12-30")) / pd.Timedelta(days=1)
    return np.char.mod("%.6f", days.to_numpy(float)).astype(object)


def _hms(seconds: np.ndarray) -> np.ndarray:
    s = np.nan_to_num(seconds, nan=-1).astype(int)
    text = np.char.add(np.char.add((s // 3600).astype(str), ":"),
                       np.char.add(np.char.zfill(((s // 60) % 60).astype(str), 2), ":"))
    text = np.char.add(text, np.char.zfill((s % 60).astype(str), 2)).astype(object)
    return np.where(s < 0, "", text)


def _num(values: np.ndarray) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    return np.where(np.isnan(v), "", np.char.mod("%d", np.nan_to_num(v).astype(int))).astype(object)


QUARTERS = [("Q1", "2024-04-01", "2024-06-30"), ("Q2", "2024-07-01", "2024-09-30"),
            ("Q3", "2024-10-01", "2024-12-31"), ("Q4", "2025-01-01", "2025-03-31")]
QUARTER_FILES = {"Q1": ("utf-8", ","), "Q2": ("cp1252", ","), "Q3": ("utf-8-sig", ","), "Q4": ("utf-8", ";")}


def quarter_windows(spec: DemoSpec) -> list[tuple[str, pd.Timestamp, pd.Timestamp]]:
    """Quarterly extract windows over the spec's year; each starts two days early (overlap)."""
    start = pd.Timestamp(spec.start)
    out = []
    for q in range(4):
        s = start + pd.DateOffset(months=3 * q)
        e = start + pd.DateOffset(months=3 * (q + 1))
        out.append((f"Q{q + 1}", s - pd.Timedelta(days=2) if q else s, e))
    return out


def _impossible_dates(rng, k: int) -> list[str]:
    bad = ["31/02/2025 10:15", "30/02/2024 14:02", "32/01/2025 09:30", "29/02/2025 11:45",
           "15/13/2024 12:00", "00/01/1900 00:00", "31/04/2024 16:20", "31/11/2024 10:05"]
    return [bad[i] for i in rng.integers(0, len(bad), k)]


def write_crm_exports(rng, contacts: pd.DataFrame, spec: DemoSpec, out_dir, log: DefectLog) -> list[str]:
    """Write the quarterly CRM files with their quirks and planted defects. Returns file names."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rates = spec.defect_rates
    names: list[str] = []
    for quarter, start, end in quarter_windows(spec):
        in_window = (contacts["received_at"] >= start) & (contacts["received_at"] < end)
        part = contacts.loc[in_window].reset_index(drop=True)
        encoding, sep = QUARTER_FILES[quarter]
        fname = f"crm_contacts_{quarter}_{pd.Timestamp(spec.start).year}-{pd.Timestamp(spec.end).strftime('%y')}.csv"
        m = len(part)
        if quarter != "Q1":  # the two-day overlap with the previous extract
            overlap = part["received_at"] < start + pd.Timedelta(days=2)
            log.add("contacts", fname, part.loc[overlap, "contact_id"], "overlapping_extract", "quarantine")
        ts = part["received_at"]
        if quarter == "Q1":
            when = _format_minutes(ts, "%d/%m/%Y %H:%M")
        elif quarter == "Q2":
            when = _format_minutes(ts, "%d/%m/%Y %H:%M:%S")
            alt = rng.random(m) < 0.08
            when[alt] = _format_minutes(ts[alt], "%d-%m-%y %H:%M")
            log.add("contacts", fname, part.loc[alt, "contact_id"], "mixed_date_format", "repair")
        elif quarter == "Q3":
            when = _format_minutes(ts, "%d/%m/%Y %H:%M")
            serial = rng.random(m) < rates["excel_serial_date"]
            when[serial] = _excel_serial(ts[serial])
            log.add("contacts", fname, part.loc[serial, "contact_id"], "excel_serial_date", "repair")
        else:
            when = _format_minutes(ts, "%Y-%m-%d %H:%M:%S")
            alt = rng.random(m) < 0.05
            d = ts[alt]
            when[alt] = (d.dt.day.astype(str) + "/" + d.dt.month.astype(str) + "/" + d.dt.year.astype(str)
                         + " " + d.dt.hour.astype(str) + ":" + d.dt.minute.map("{:02d}".format)).to_numpy()
            log.add("contacts", fname, part.loc[alt, "contact_id"], "mixed_date_format", "repair")
        spell = CHANNEL_SPELLINGS[quarter]
        channel = np.empty(m, dtype=object)
        for canon, options in spell.items():
            rows = np.flatnonzero(part["channel"].to_numpy() == canon)
            channel[rows] = np.array(options, dtype=object)[rng.integers(0, len(options), rows.size)]
        missing = rng.random(m) < rates["missing_channel"]
        channel[missing] = np.array(["", "Unknown", "N/A"], dtype=object)[rng.integers(0, 3, missing.sum())]
        log.add("contacts", fname, part.loc[missing, "contact_id"], "missing_channel", "repair")
        service = np.empty(m, dtype=object)
        for canon, options in SERVICE_SPELLINGS.items():
            rows = np.flatnonzero(part["service"].to_numpy() == canon)
            service[rows] = np.array(options, dtype=object)[rng.integers(0, len(options), rows.size)]
        notes = part["notes"].to_numpy(dtype=object).copy()
        nl = np.flatnonzero(rng.random(m) < rates["embedded_newline"])
        for i in nl:
            notes[i] = str(notes[i]).replace(" - ", "\n", 1) if " - " in str(notes[i]) else f"{notes[i]}\nNFA"
        log.add("contacts", fname, part.loc[nl, "contact_id"], "embedded_newline", "repair")
        handle = part["handle_seconds"].to_numpy(float).copy()
        neg = (rng.random(m) < rates["negative_duration"]) & ~np.isnan(handle)
        handle[neg] = -np.maximum(handle[neg], 1)
        log.add("contacts", fname, part.loc[neg, "contact_id"], "negative_duration", "repair")
        wait = part["wait_seconds"].to_numpy(float)
        customer = part["customer_id"].to_numpy(dtype=object)
        staff = part["staff_id"].to_numpy(dtype=object)
        if quarter == "Q2":
            handle_text = np.where(handle < 0, _num(handle), _hms(handle))
            wait_text = _hms(wait)
        else:
            handle_text, wait_text = _num(handle), _num(wait)
        if quarter == "Q3":  # saved through Excel: leading zeros go, errors appear
            has = customer != ""
            customer = np.where(has, pd.Series(customer).str.lstrip("0").to_numpy(dtype=object), "")
            log.add("contacts", fname, part.loc[has, "contact_id"], "leading_zeros_stripped", "repair")
            staff = pd.Series(staff).str.lstrip("0").to_numpy(dtype=object)
            err = (rng.random(m) < rates["excel_error_value"]) & (wait_text != "")
            wait_text = np.where(err, "#N/A", wait_text)
            log.add("contacts", fname, part.loc[err, "contact_id"], "excel_error_value", "repair")
        frame = pd.DataFrame({
            "Contact Ref": part["contact_id"].to_numpy(), "Date/Time": when, "Channel": channel,
            "Service Area": service, "Reason": part["reason"].to_numpy(), "Notes": notes,
            "Customer No": customer, "Age Band": part["age_band"].to_numpy(),
            "LSOA": part["lsoa_code"].to_numpy(), "Outcome": part["outcome"].to_numpy(),
            "Handle Time (s)": handle_text, "Wait Time (s)": wait_text, "Agent": staff,
        })
        if "case_id" in part:  # the journeys planted (council.plant_journeys): no draw from rng here
            closed = pd.to_datetime(part["closed_at"])
            frame["Case Ref"] = part["case_id"].to_numpy()
            frame["Case Closed"] = closed.dt.strftime(CLOSED_FORMATS[quarter]).fillna("").to_numpy(dtype=object)
        impossible = np.flatnonzero(rng.random(m) < rates["impossible_date"])
        frame.loc[impossible, "Date/Time"] = _impossible_dates(rng, impossible.size)
        log.add("contacts", fname, frame.loc[impossible, "Contact Ref"], "impossible_date", "quarantine")
        frame = _with_duplicates_and_blanks(rng, frame, rates, "contacts", fname, "Contact Ref", log)
        _write_csv_with_blank_lines(rng, frame, out_dir / fname, encoding, sep, rates["blank_row"] / 2,
                                    "contacts", log)
        names.append(fname)
    return names


def _with_duplicates_and_blanks(rng, frame: pd.DataFrame, rates, table: str, fname: str, id_col: str,
                                log: DefectLog) -> pd.DataFrame:
    """Insert exact duplicate rows after their originals and rows of empty cells."""
    m = len(frame)
    dup = np.flatnonzero(rng.random(m) < rates["duplicate_row"])
    log.add(table, fname, frame.loc[dup, id_col], "duplicate_row", "quarantine")
    n_empty = int(rng.binomial(m, rates["blank_row"] / 2))
    position = np.concatenate([np.arange(m), dup + 0.5, rng.uniform(0, m, n_empty)])
    empty = pd.DataFrame("", index=range(n_empty), columns=frame.columns)
    combined = pd.concat([frame, frame.iloc[dup], empty], ignore_index=True)
    combined = combined.iloc[np.argsort(position, kind="stable")].reset_index(drop=True)
    if n_empty:
        log.add(table, fname, [f"empty_cells_{i}" for i in range(n_empty)], "blank_row", "quarantine")
    return combined


def _write_csv_with_blank_lines(rng, frame: pd.DataFrame, path, encoding: str, sep: str, rate: float,
                                table: str, log: DefectLog) -> None:
    """Write ``frame`` as CSV, with truly blank lines between some records."""
    m = len(frame)
    k = int(rng.binomial(m, rate))
    cuts = np.sort(rng.choice(np.arange(1, max(m, 2)), size=min(k, max(m - 1, 0)), replace=False))
    with open(path, "w", encoding=encoding, errors="replace", newline="") as fh:
        frame.iloc[:0].to_csv(fh, index=False, sep=sep, lineterminator="\r\n")
        bounds = np.concatenate([[0], cuts, [m]])
        for i in range(len(bounds) - 1):
            frame.iloc[bounds[i]:bounds[i + 1]].to_csv(fh, index=False, header=False, sep=sep,
                                                       lineterminator="\r\n")
            if i < len(bounds) - 2:
                fh.write("\r\n")
    if len(cuts):
        log.add(table, path.name, [f"blank_line_{i}" for i in range(len(cuts))], "blank_row", "quarantine")


# ------------------------------------------------------------------------------------------------
# Complaints
# ------------------------------------------------------------------------------------------------
COMPLAINT_CATEGORIES = ["Staff conduct", "Service not provided", "Delay", "Quality of work",
                        "Communication", "Policy", "Charges and billing"]
COMPLAINT_OUTCOMES = (["Upheld", "Partially upheld", "Not upheld", "Withdrawn"], [0.30, 0.25, 0.40, 0.05])


def make_complaints(rng, contacts: pd.DataFrame, spec: DemoSpec, holidays_: np.ndarray,
                    pii_rows: list[dict]) -> pd.DataFrame:
    """Complaints, one row per stage, with true working-day timeliness for the answer key."""
    n = max(20, int(round(len(contacts) * spec.complaint_rate)))
    failure = contacts.loc[contacts["demand"] == "failure"]
    src = failure.iloc[rng.integers(0, len(failure), n)]
    received = (src["received_at"].dt.normalize() + pd.to_timedelta(rng.integers(0, 5, n), unit="D")).to_numpy(
        "datetime64[D]")
    received = np.minimum(received, np.datetime64(spec.end) - np.timedelta64(40, "D"))
    ack_wd = rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 9], n, p=[.05, .25, .25, .15, .08, .07, .06, .05, .04])
    ack = np.busday_offset(np.busday_offset(received, 0, roll="forward", holidays=holidays_), ack_wd,
                           holidays=holidays_)
    extension = rng.random(n) < 0.12
    resp_wd = np.where(rng.random(n) < 0.72, rng.integers(2, 11, n), rng.integers(11, 26, n))
    resp_wd = np.where(extension, rng.integers(8, 21, n), resp_wd)
    responded = np.busday_offset(ack, resp_wd, holidays=holidays_)
    open_case = rng.random(n) < 0.04
    ids = np.array([f"CMP-{i + 1:05d}" for i in range(n)])
    services = src["service"].to_numpy()
    summaries = np.array([language.complaint_summary(rng, s) for s in services], dtype=object)
    stage1 = pd.DataFrame({
        "complaint_id": ids, "stage": 1, "received": received, "acknowledged": ack,
        "responded": np.where(open_case, np.datetime64("NaT"), responded).astype("datetime64[D]"),
        "extension": extension, "service": services,
        "category": rng.choice(COMPLAINT_CATEGORIES, n),
        "outcome": np.where(open_case, "", rng.choice(COMPLAINT_OUTCOMES[0], n, p=COMPLAINT_OUTCOMES[1])),
        "summary": summaries, "contact_id": src["contact_id"].to_numpy(),
        "ack_working_days": ack_wd, "response_working_days": np.where(open_case, -1, resp_wd),
    })
    esc = (~open_case) & (rng.random(n) < spec.stage2_rate) & (stage1["outcome"] != "Withdrawn").to_numpy()
    s2 = stage1.loc[esc].copy()
    m = len(s2)
    s2["stage"] = 2
    s2["received"] = np.busday_offset(s2["responded"].to_numpy("datetime64[D]"), rng.integers(1, 15, m),
                                      holidays=holidays_)
    s2_ack_wd = rng.choice([1, 2, 3, 4, 5, 6, 8], m, p=[.3, .25, .15, .1, .08, .07, .05])
    s2["acknowledged"] = np.busday_offset(s2["received"].to_numpy("datetime64[D]"), s2_ack_wd, holidays=holidays_)
    s2_ext = rng.random(m) < 0.10
    s2_wd = np.where(s2_ext, rng.integers(15, 41, m),
                     np.where(rng.random(m) < 0.7, rng.integers(5, 21, m), rng.integers(21, 35, m)))
    s2["responded"] = np.busday_offset(s2["acknowledged"].to_numpy("datetime64[D]"), s2_wd, holidays=holidays_)
    s2["extension"] = s2_ext
    s2["ack_working_days"] = s2_ack_wd
    s2["response_working_days"] = s2_wd
    s2["outcome"] = rng.choice(COMPLAINT_OUTCOMES[0][:3], m, p=[.25, .25, .5])
    s2["summary"] = np.array([language.complaint_summary(rng, s) for s in s2["service"]], dtype=object)
    allc = pd.concat([stage1, s2], ignore_index=True).sort_values(["received", "complaint_id"]).reset_index(drop=True)
    allc["record_id"] = allc["complaint_id"] + "/" + allc["stage"].astype(str)
    allc["summary"] = plant_pii(rng, allc["summary"].to_numpy(), allc["record_id"].to_numpy(),
                                spec.pii_share_complaints, "complaints", pii_rows)
    return allc


def write_complaints_export(rng, complaints: pd.DataFrame, path, log: DefectLog) -> None:
    """The complaints system export: cp1252, dates mostly ``dd/mm/yyyy``, some ``d.m.yy``."""
    def fmt(col: str) -> np.ndarray:
        d = pd.to_datetime(complaints[col])
        text = d.dt.strftime("%d/%m/%Y").fillna("").to_numpy(dtype=object)
        alt = (rng.random(len(d)) < 0.05) & d.notna().to_numpy()
        text[alt] = (d[alt].dt.day.astype(str) + "." + d[alt].dt.month.astype(str) + "."
                     + d[alt].dt.strftime("%y")).to_numpy()
        return text

    stage_text = np.where(rng.random(len(complaints)) < 0.5, "Stage " + complaints["stage"].astype(str),
                          complaints["stage"].astype(str))
    frame = pd.DataFrame({
        "Complaint Ref": complaints["complaint_id"], "Stage": stage_text,
        "Date Received": fmt("received"), "Date Acknowledged": fmt("acknowledged"),
        "Date Responded": fmt("responded"),
        "Extension Agreed": np.where(complaints["extension"], "Y", "N"),
        "Service": [SERVICE_SPELLINGS[s][0] for s in complaints["service"]],
        "Category": complaints["category"], "Outcome": complaints["outcome"],
        "Summary": complaints["summary"], "Related Contact": complaints["contact_id"],
    })
    frame["_rid"] = complaints["record_id"]
    impossible = np.flatnonzero(rng.random(len(frame)) < 0.004)
    frame.loc[impossible, "Date Received"] = [["31/02/2025", "00/00/0000", "31/09/2024"][i % 3]
                                              for i in range(impossible.size)]
    log.add("complaints", path.name, frame.loc[impossible, "_rid"], "impossible_date", "quarantine")
    rates = {"duplicate_row": 0.01, "blank_row": 0.004}
    frame = _with_duplicates_and_blanks(rng, frame, rates, "complaints", path.name, "_rid", log)
    frame = frame.drop(columns="_rid")
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_csv_with_blank_lines(rng, frame, path, "cp1252", ",", 0.0, "complaints", log)


# ------------------------------------------------------------------------------------------------
# Survey
# ------------------------------------------------------------------------------------------------
def make_survey(rng, contacts: pd.DataFrame, spec: DemoSpec, pii_rows: list[dict]) -> pd.DataFrame:
    """Post-contact survey responses; scores fall with failure demand and long waits."""
    eligible = np.flatnonzero(contacts["channel"].to_numpy() != "letter")
    n = max(30, int(round(len(contacts) * spec.survey_rate)))
    pick = np.sort(rng.choice(eligible, size=min(n, eligible.size), replace=False))
    src = contacts.iloc[pick].reset_index(drop=True)
    m = len(src)
    fail = (src["demand"] == "failure").to_numpy()
    wait = np.nan_to_num(src["wait_seconds"].to_numpy(float))
    mood = rng.normal(0.55, 0.9, m) - 1.1 * fail - 0.0025 * wait + 0.3 * (src["channel"] == "web").to_numpy()
    nps = np.clip(np.round(7.2 + 2.2 * mood + rng.normal(0, 1.0, m)), 0, 10).astype(int)
    ces = np.clip(np.round(5.0 + 1.3 * mood + rng.normal(0, 0.8, m)), 1, 7).astype(int)
    csat = np.clip(np.round(3.6 + 0.9 * mood + rng.normal(0, 0.6, m)), 1, 5).astype(int)
    tone = np.where(nps >= 9, "positive", np.where(nps >= 7, "neutral", "negative"))
    has_comment = rng.random(m) < 0.45
    comments = np.array([language.SURVEY_COMMENTS[t][rng.integers(len(language.SURVEY_COMMENTS[t]))]
                         if c else "" for t, c in zip(tone, has_comment, strict=True)], dtype=object)
    submitted = src["received_at"] + pd.to_timedelta(rng.integers(600, 3 * 86400, m), unit="s")
    ids = np.array([f"R{i + 1:06d}" for i in range(m)])
    commented = comments != ""
    planted = comments.copy()
    planted[commented] = plant_pii(rng, comments[commented], ids[commented],
                                   spec.pii_share_comments / 0.45, "survey", pii_rows)
    return pd.DataFrame({"response_id": ids, "contact_id": src["contact_id"], "submitted_at": submitted,
                         "nps": nps, "ces": ces, "csat": csat, "comment": planted,
                         "channel": src["channel"], "service": src["service"]})


def write_survey_export(rng, survey: pd.DataFrame, path, log: DefectLog) -> None:
    """The survey platform's Excel export; some scores carry their label, a few are out of range."""
    nps_text = survey["nps"].astype(str).to_numpy(dtype=object)
    nps_text[survey["nps"].to_numpy() == 10] = "10 - Extremely likely"
    nps_text[survey["nps"].to_numpy() == 0] = "0 - Not at all likely"
    bad = np.flatnonzero(rng.random(len(survey)) < 0.003)
    nps_text[bad] = np.array(["11", "-1", "99"], dtype=object)[np.arange(bad.size) % 3]
    log.add("survey", path.name, survey.loc[bad, "response_id"], "out_of_range_score", "quarantine")
    frame = pd.DataFrame({
        "Response ID": survey["response_id"], "Contact Ref": survey["contact_id"],
        "Submitted": survey["submitted_at"].dt.strftime("%d/%m/%Y %H:%M"),
        "Q1 How likely are you to recommend us (0-10)": nps_text,
        "Q2 The council made it easy to handle my issue (1-7)": survey["ces"].astype(str),
        "Q3 Overall satisfaction (1-5)": survey["csat"].astype(str),
        "Q4 Any comments?": survey["comment"],
    })
    dup = np.flatnonzero(rng.random(len(frame)) < 0.005)
    log.add("survey", path.name, frame.loc[dup, "Response ID"], "duplicate_row", "quarantine")
    frame = pd.concat([frame, frame.iloc[dup]], ignore_index=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_excel(path, index=False, sheet_name="Responses")


AREA_COLUMNS = {
    "lsoa_code": "LSOA code", "lsoa_name": "LSOA name", "ward": "Ward", "population": "Population",
    "pct_65_74": "% aged 65-74", "pct_75_plus": "% aged 75+", "pct_65_plus": "% aged 65+",
    "pct_disabled": "% disabled", "pct_social_grade_de": "% social grade DE",
    "pct_no_qualifications": "% no qualifications", "pct_pension_credit": "% over-65s on Pension Credit",
    "claimant_rate": "Alternative claimant count rate %", "imd_score": "IMD score",
    "pct_premises_below_30mbit": "% premises unable to get 30Mbit/s",
    "pct_connections_below_10mbit": "% connections under 10Mbit/s",
    "avg_download_mbit": "Average download speed (Mbit/s)",
}


def write_area_export(areas: pd.DataFrame, path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    areas[list(AREA_COLUMNS)].rename(columns=AREA_COLUMNS).to_csv(path, index=False, encoding="utf-8")


__all__ = ["CAPABILITIES", "DefectLog", "write_crm_exports"]
