"""One pipeline from ``data/raw`` to ``data/processed``, called by the notebook and ``make report``.

A ``sources.yaml`` lists a council's exports and the profile that reads each::

    council: Demo District Council (synthetic)
    period: {start: 2024-04-01, end: 2025-03-31}
    exports:
      - {table: contacts, path: crm/*.csv, profile: demo_crm}
      - {table: complaints, path: complaints/*.csv, profile: demo_complaints}

Paths are relative to the sources file; profiles are looked up beside it (``profiles/``), then
among the shipped ones. :func:`build_processed` loads each table, redacts free text, links
repeat contacts, validates every table with pandera and writes typed Parquet:

``contacts, complaints, survey, areas``  the clean tables
``quarantine``                           every rejected row with its reason (text redacted)
``row_accounting``                       rows in / clean / quarantined per file
``repairs``, ``redactions``              values repaired in place; personal data removed, by kind
``manifest.json``                        the raw files read (size, SHA-256) and the row counts
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from cxinsight import clean, outputs, paths, privacy, pseudonym, schemas
from cxinsight.columns import contiguous
from cxinsight.io import ExportError, LoadResult, combine, load_table, resolve_paths
from cxinsight.limits import shown
from cxinsight.profile import read_yaml

log = logging.getLogger(__name__)
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")  # a profile named in sources.yaml


SOURCES_KEYS = ("council", "exports", "period")
EXPORT_KEYS = ("table", "path", "profile")


def unknown_keys(data: dict, allowed, where: str, error: type[Exception] = ExportError) -> None:
    """Raise ``error`` naming the first key of ``data`` not in ``allowed``, with the allowed key it
    is closest to ("did you mean").

    >>> unknown_keys({"council": "X", "exprots": []}, SOURCES_KEYS, "sources.yaml")
    Traceback (most recent call last):
    ...
    cxinsight.io.ExportError: sources.yaml: unknown key 'exprots' (did you mean 'exports'?); expected ...
    """
    import difflib

    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), list(allowed), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise error(f"{where}: unknown key {shown(key, 80)}{hint}; expected only {list(allowed)}")


def _period(raw: object, path: Path) -> dict | None:
    """The ``period`` of a sources file: ``None``, or ``{start, end}``, each a date, start first.

    >>> _period({"start": "2024-04-01", "end": "2024-03-01"}, Path("sources.yaml"))
    Traceback (most recent call last):
    ...
    cxinsight.io.ExportError: sources.yaml: period: expected start no later than end, found start 2024-04-01 and end 2024-03-01
    """
    import datetime

    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ExportError(f"{path}: period: expected {{start: YYYY-MM-DD, end: YYYY-MM-DD}}, found {shown(raw)}")
    unknown_keys(raw, ("start", "end"), f"{path}: period")
    dates = {}
    for key in ("start", "end"):
        value = raw.get(key)
        try:
            if not isinstance(value, (str, datetime.date)):
                raise ValueError(value)
            dates[key] = pd.Timestamp(str(value))
        except (ValueError, OverflowError):
            raise ExportError(f"{path}: period.{key}: expected a date such as 2024-04-01, found {shown(value)}") \
                from None
    if dates["start"] > dates["end"]:
        raise ExportError(f"{path}: period: expected start no later than end, found start {raw['start']} and end "
                          f"{raw['end']}")
    return raw


class NoUsableRows(ExportError):
    """Every row of a required table was quarantined: there is nothing to analyse."""


@dataclass
class Sources:
    """A council's exports: where they are and which profile reads each."""

    council: str
    exports: list[dict]
    base: Path
    period: dict | None = None

    @classmethod
    def read(cls, path: Path | str | None = None) -> Sources:
        path = Path(path) if path else paths.demo_sources()
        if not path.exists():
            hint = " Run `make demo-data` (or `cxinsight demo`) first." if path == paths.demo_sources() else ""
            raise FileNotFoundError(f"{path}: no sources file.{hint}")
        data = read_yaml(path, "sources file") or {}
        if not isinstance(data, dict) or not isinstance(data.get("exports") or [], list):
            raise ExportError(f"{path}: a sources file maps 'council' and 'exports' (a list); see the README")
        unknown_keys(data, SOURCES_KEYS, f"{path}")
        exports = data.get("exports") or []
        if not exports:
            raise ExportError(f"{path}: 'exports' lists no exports; expected at least one, such as "
                              "- {table: contacts, path: crm/*.csv, profile: my_crm}")
        council = data.get("council", "")
        if not isinstance(council, str):
            raise ExportError(f"{path}: council: expected the council's name as text, found {shown(council)} "
                              f"({type(council).__name__})")
        # the redactor reads the name here (the last gate's detector reads it on every page it is on)
        if council and privacy.redact_text(pd.Series([council], dtype=object)).iloc[0] != council:
            raise ExportError(f"{path}: council: expected the council's name; found what reads as personal data "
                              "(a person's name, a number or an address), which every page would publish")
        period = _period(data.get("period"), path)
        for i, e in enumerate(exports):
            if not isinstance(e, dict):
                raise ExportError(f"{path}: exports[{i}] must be a mapping of table, path and profile; "
                                  f"found {shown(e)}")
            unknown_keys(e, EXPORT_KEYS, f"{path}: exports[{i}]")
            missing = {"table", "path", "profile"} - set(e)
            if missing:
                raise ExportError(f"{path}: exports[{i}] needs {sorted(missing)}; found {shown(sorted(e, key=str))}")
            for key in EXPORT_KEYS:
                if not isinstance(e[key], str) or not e[key].strip():
                    raise ExportError(f"{path}: exports[{i}].{key}: expected text, found {shown(e[key])} "
                                      f"({type(e[key]).__name__})")
            if e["table"] not in schemas.FIELDS:
                raise ExportError(f"{path}: exports[{i}].table must be one of {sorted(schemas.FIELDS)}, "
                                  f"found {e['table']!r}")
            where = Path(str(e["path"]))
            if where.is_absolute() or ".." in where.parts:
                raise ExportError(f"{path}: exports[{i}].path must be inside the folder holding the sources "
                                  f"file ({path.parent}); found {str(e['path'])!r}. Move the exports there.")
            if not SAFE_NAME.fullmatch(str(e["profile"])):
                raise ExportError(f"{path}: exports[{i}].profile must be a profile name (letters, digits, _ "
                                  f"and -), looked up in profiles/ beside the sources file, then the shipped "
                                  f"ones; found {str(e['profile'])!r}")
        return cls(council=council, exports=exports, base=path.parent, period=period)

    @property
    def settings_path(self) -> Path:
        """Where the council's own settings are: ``council.yaml`` beside this sources file
        (:mod:`cxinsight.settings`; the cited defaults when it does not exist)."""
        from cxinsight.settings import SETTINGS_FILE

        return self.base / SETTINGS_FILE

    def paths_for(self, export: dict) -> list[Path]:
        """The export's files, every one inside the sources folder (a link cannot lead out of it)."""
        base = self.base.resolve()
        files = resolve_paths(str(self.base / export["path"]))
        outside = [f.name for f in files if not f.resolve().is_relative_to(base)]
        if outside:
            raise ExportError(f"{export['path']!r} leads outside {self.base} (through a link): {outside[:3]}")
        return files


@dataclass
class PipelineResult:
    """What :func:`build_processed` did: the loaded tables and the bookkeeping frames."""

    tables: dict[str, pd.DataFrame]
    loads: dict[str, LoadResult]
    quarantine: pd.DataFrame
    accounting: pd.DataFrame
    repairs: pd.DataFrame
    redactions: pd.DataFrame
    written: dict[str, Path] = field(default_factory=dict)
    council: str = ""
    warnings: list[str] = field(default_factory=list)  # for a person to act on: logged, in the manifest, on page 01
    repeat_window_days: float = 14  # the repeat-contact window the contacts were linked with
    #: each table's free-text columns that passed the personal-data check value by value before they were
    #: written (the manifest's record; page 01 shows it rather than reading every text again)
    scanned: dict[str, list[str]] = field(default_factory=dict)

    def check_accounting(self) -> None:
        """Rows in = rows clean + rows quarantined, for every file."""
        bad = self.accounting.loc[self.accounting["rows_in"]
                                  != self.accounting["rows_clean"] + self.accounting["rows_quarantined"]]
        if len(bad):
            raise AssertionError(f"row accounting fails for: {bad['source_file'].tolist()}")


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in 4 MB blocks (a year's export need not fit in memory)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 22):
            h.update(block)
    return h.hexdigest()


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_suffix(".parquet.tmp")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def _safe_files(values: pd.Series) -> pd.Series:
    """File names as they may be written: redacted, then read whole by both detectors
    (:func:`cxinsight.privacy.safe_file_names`)."""
    text = privacy.redact_text(values.astype(str))
    renamed = privacy.safe_file_names(text.unique().tolist())
    return text.replace(renamed) if renamed else text


def protect(table: str, frame: pd.DataFrame, key: bytes) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Personal data out of every field an export wrote: free text, categories and service names are
    redacted (:func:`cxinsight.privacy.redact_frame`); every staff and customer id is replaced by its
    keyed pseudonym (:func:`cxinsight.pseudonym.pseudonymise_people`, under the secret ``key``); the
    council's own references (contact, complaint, response ids) are kept unless one is personal data
    (a phone number or email used as a reference: :func:`cxinsight.privacy.pseudonymise_ids`); and
    file names are redacted where they appear in ``source_file`` and in ids made from them.

    Returns the new frame and what was done, by column and kind (``column, kind, redacted``).
    """
    kinds = {name: spec.kind for name, spec in schemas.FIELDS[table].items()}
    free = [c for c, k in kinds.items() if k in ("text", "category", "service") and c in frame.columns]
    frame, counts = privacy.redact_frame(frame, free)
    rows = [counts]
    # a category is a system's name for something ("Priya Sharma" as a complaint category is a person's
    # name all the same): each distinct value read whole by both detectors, as service names are
    for col in (c for c, k in kinds.items() if k == "category" and c in frame.columns):
        values = frame[col].astype("category")
        names = [str(v) for v in values.cat.categories]
        safe = privacy.safe_system_names(names)
        changed = {a: b for a, b in zip(names, safe, strict=True) if a != b}
        if changed:
            frame[col] = values.cat.rename_categories(lambda v, c=changed: c.get(str(v), v)) \
                if len(set(safe)) == len(safe) else values.astype(object).replace(changed).astype("category")
            rows.append(pd.DataFrame([{"column": col, "kind": "WITHHELD_NAME",
                                       "redacted": int(frame[col].isin(set(changed.values())).sum())}]))
    frame, people = pseudonym.pseudonymise_people(frame, key)
    rows.append(people)
    for col in (c for c, k in kinds.items() if k == "id" and c in frame.columns and c not in pseudonym.PERSON_IDS):
        frame[col], n = privacy.pseudonymise_ids(frame[col], key.hex())
        if n:
            rows.append(pd.DataFrame([{"column": col, "kind": "PSEUDONYMISED_ID", "redacted": n}]))
    if "source_file" in frame.columns:
        files = pd.Series(frame["source_file"].astype("category").cat.categories.astype(str))
        renamed = privacy.safe_file_names(files.tolist())
        if renamed:
            frame["source_file"] = frame["source_file"].astype(str).replace(renamed)
            for col in (c for c, k in kinds.items() if k == "id" and c in frame.columns
                        and c not in pseudonym.PERSON_IDS):
                for old, new in renamed.items():  # ids made from "file:row" when the export had none
                    frame[col] = frame[col].str.replace(f"{old}:", f"{new}:", regex=False)
            rows.append(pd.DataFrame([{"column": "source_file", "kind": "FILE_NAME",
                                       "redacted": int(frame["source_file"].isin(renamed.values()).sum())}]))
    return frame, pd.concat(rows, ignore_index=True)


#: The reason a row is quarantined when its free text still holds something the redactor's own check
#: finds after every redaction pass: the row is withheld (never published), counted and named.
UNREDACTABLE = "personal_data_not_removed"


def withhold_unredactable(table: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Free text already redacted, checked by the redactor's own check and redacted again until it
    passes; a row whose text still fails is moved to the quarantine, its text withheld.

    Returns the rows kept, the rows withheld (quarantine columns; the record names the field and the
    kind found, never the text) and the items the further passes removed (``column, kind, redacted``).
    Redaction never ends a run: only the last gate, finding something on a page, does.
    """
    from cxinsight.io import QUARANTINE_COLUMNS

    texts = [c for c in schemas.TEXT_FIELDS[table] if c in frame.columns]
    bad = pd.Series(False, index=frame.index)
    why = pd.Series("", index=frame.index, dtype=object)
    more = []
    updated = {}
    for col in texts:
        updated[col], left, removed = privacy.redact_until_clean(frame[col])
        more += [{"column": col, "kind": k, "redacted": int(v)} for k, v in sorted(removed.items())]
        hit = left.ne("")
        if hit.any():
            why = why.where(~hit | why.ne(""), col + ": " + left)
            bad |= hit
    frame = frame.assign(**updated)
    record_id = next((c for c in (schemas.RECORD_KEYS[table] or ()) if c in frame.columns), None)
    rows = frame.loc[bad]
    withheld = pd.DataFrame({
        "table": table, "source_file": rows["source_file"].astype(str).to_numpy(),
        "source_row": rows["source_row"].to_numpy(),
        "record_id": rows[record_id].astype(str).to_numpy() if record_id else None,
        "reason": UNREDACTABLE, "column": why[bad].str.split(":").str[0].to_numpy(),
        "expected": "free text with no personal data left after redaction",
        "found": ("still shaped like " + why[bad].str.split(": ").str[1]).to_numpy(),
        "record": "(withheld: the text is not kept)"}, columns=QUARANTINE_COLUMNS, index=rows.index)
    if len(withheld):
        log.warning("%s: %d rows withheld and quarantined: their free text still held personal data after "
                    "redaction (%s)", table, len(withheld), ", ".join(sorted(set(withheld["found"]))))
    return frame.loc[~bad], withheld, pd.DataFrame(more, columns=["column", "kind", "redacted"])


#: What a quarantined record's text becomes when the redactor's check still finds personal data in it.
WITHHELD = "(withheld: personal data not removed)"

#: The quarantine's columns that hold an export's own text, checked (and withheld) before writing.
QUARANTINE_TEXT = ("record", "found", "record_id")


#: Quarantine reasons whose record is a raw line that could not be split into the export's fields, so
#: its staff and customer ids cannot be found in it and pseudonymised: the line is not kept.
UNSPLIT = ("unclosed_quote", "wrong_field_count")
UNSPLIT_RECORD = "(not kept: a line that could not be split into fields may hold staff or customer ids; see the file)"


def unsplit_records_withheld(quarantine: pd.DataFrame) -> pd.DataFrame:
    """The quarantine with the text of every record that could not be split into fields
    (:data:`UNSPLIT`) replaced by :data:`UNSPLIT_RECORD`: the file and row still say where it is.
    Records that were split show their staff and customer ids as pseudonyms (:func:`cxinsight.io._record_text`).

    >>> q = pd.DataFrame({"reason": ["wrong_field_count", "duplicate"], "record": ["1,00012345,x,y", "contact_id=A1"]})
    >>> unsplit_records_withheld(q)["record"].tolist() == [UNSPLIT_RECORD, "contact_id=A1"]
    True
    """
    if quarantine.empty:
        return quarantine
    unsplit = quarantine["reason"].isin(UNSPLIT)
    return quarantine.assign(record=quarantine["record"].where(~unsplit, UNSPLIT_RECORD)) if unsplit.any() else quarantine


def withhold_text(frame: pd.DataFrame, columns) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Text columns already redacted, checked by the redactor's check and redacted again until they
    pass; a value that still fails is replaced by :data:`WITHHELD`. Returns the frame and the items
    the further passes removed (``column, kind, redacted``).

    >>> out, more = withhold_text(pd.DataFrame({"record": ["ring 07700 900123", "fine"]}), ["record"])
    >>> out["record"].tolist(), more[["kind", "redacted"]].values.tolist()
    (['ring [PHONE]', 'fine'], [['PHONE', 1]])
    """
    updated, more = {}, []
    for col in (c for c in columns if c in frame.columns):
        text, left, removed = privacy.redact_until_clean(frame[col])
        more += [{"column": col, "kind": k, "redacted": int(v)} for k, v in sorted(removed.items())]
        still = left.ne("")
        if still.any():
            log.warning("quarantine: %d values of %r withheld: the redactor's check still found %s in them",
                        int(still.sum()), col, ", ".join(sorted(set(left[still]))))
        updated[col] = text.where(~still, WITHHELD)
    return frame.assign(**updated), pd.DataFrame(more, columns=["column", "kind", "redacted"])


def scan_processed(stage: Path, checked: dict[str, tuple[str, ...]], manifest: dict) -> pd.DataFrame:
    """Every text the pipeline has written to ``stage`` scanned for personal data before the folder
    may replace ``data/processed``: ``file, column, kind, count`` (never the value).

    The redactor's own check (:func:`cxinsight.privacy.find_personal_data`, the last gate's kinds)
    reads each distinct value of every text column of every Parquet file, and the manifest's
    council name and warnings. Columns in ``checked`` (``{file stem: columns}``) were checked value
    by value just before they were written, each failing row withheld (free text:
    :func:`withhold_unredactable`; the quarantine's text: :func:`withhold_text`), and are not read
    twice; staff and customer ids are pseudonyms, and other ids pseudonymised where they are personal data
    (:func:`protect`).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from cxinsight.publish import GATE_KINDS

    rows = []
    for path in sorted(Path(stage).glob("*.parquet")):
        kinds = {name: spec.kind for name, spec in schemas.FIELDS.get(path.stem, {}).items()}
        texts = [f.name for f in pq.read_schema(path)
                 if (pa.types.is_string(f.type) or pa.types.is_large_string(f.type) or pa.types.is_dictionary(f.type))
                 and f.name not in checked.get(path.stem, ()) and kinds.get(f.name) != "id"
                 and not f.name.endswith("_id")]  # ids, and ids made from them (previous_contact_id)
        frame = pd.read_parquet(path, columns=texts)
        for col in texts:
            rows += _scan_values(frame[col].dropna().astype(str).unique(), path.name, col, GATE_KINDS)
    said = [str(manifest.get("council") or ""), *map(str, manifest.get("warnings") or []),
            *(str(f.get("file")) for f in manifest.get("files") or [])]
    rows += _scan_values(said, "manifest.json", "council, warnings and file names", GATE_KINDS)
    return pd.DataFrame(rows, columns=["file", "column", "kind", "count"])


def _scan_values(values, file: str, column: str, kinds) -> list[dict]:
    found: dict[str, int] = {}
    for value in values:
        for kind, n in privacy.find_personal_data(str(value), kinds).items():
            found[kind] = found.get(kind, 0) + n
    return [{"file": file, "column": column, "kind": k, "count": n} for k, n in sorted(found.items())]


def assert_processed_clean(stage: Path, checked: dict[str, tuple[str, ...]], manifest: dict) -> None:
    """Raise :class:`cxinsight.publish.PersonalDataFound`, naming file, column and kind, if
    :func:`scan_processed` finds anything: the staging folder is then deleted and ``data/processed``
    left as it was."""
    from cxinsight.publish import PersonalDataFound

    found = scan_processed(stage, checked, manifest)
    if len(found):
        lines = "; ".join(f"{r.file} column {r.column!r}: {r.count} x {r.kind}" for r in found.itertuples())
        raise PersonalDataFound(f"personal data found in the processed data before it was written: {lines}. "
                                "data/processed is unchanged; nothing from this run was kept.")


def prepare_contacts(contacts: pd.DataFrame, repeat_window_days: float = 14) -> pd.DataFrame:
    """Contacts after loading: sorted by time, repeat contacts linked."""
    ordered = contacts.sort_values("received_at", kind="stable").reset_index(drop=True)
    if "customer_id" in ordered.columns:
        ordered = clean.link_repeat_contacts(ordered, window_days=repeat_window_days)
    return ordered


def _withheld_to_quarantine(result: LoadResult, kept: pd.DataFrame, withheld: pd.DataFrame) -> LoadResult:
    """``result`` with ``withheld`` rows moved from the clean data to the quarantine, its per-file
    counts moved with them (rows in = clean + quarantined still holds)."""
    withheld = withheld.assign(source_file=result.data.loc[withheld.index, "source_file"].astype(str))  # as read
    moved = withheld["source_file"].value_counts()
    summary = result.summary.copy()
    by_file = summary["source_file"].astype(str).map(moved).fillna(0).astype(int)
    summary["rows_clean"] -= by_file
    summary["rows_quarantined"] += by_file
    return replace(result, data=result.data.loc[kept.index],
                   quarantine=pd.concat([result.quarantine, withheld], ignore_index=True),
                   summary=summary).check()


class _Warnings(logging.Handler):
    """The WARNING records the loaders log (unmapped services and channels, empty files, bad bytes,
    unclosed quotes), kept so the command's console and page 01 show them, not only a kernel's stderr."""

    def __init__(self, prefix: str = "") -> None:
        super().__init__(logging.WARNING)
        self.prefix, self.messages = prefix, []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(self.prefix + record.getMessage())


_QUARANTINE_COUNT = " rows quarantined: "


def quarantine_warning(table: str, quarantine: pd.DataFrame) -> str | None:
    """One line: a table's quarantined rows by reason, largest first, or None if none were."""
    if quarantine.empty:
        return None
    counts = quarantine["reason"].value_counts()
    return (f"{table}: {int(counts.sum()):,}{_QUARANTINE_COUNT}"
            + "; ".join(f"{str(reason).replace('_', ' ')} {n:,}" for reason, n in counts.items())
            + " (the data quality page says why; the quarantine table lists each row)")


def build_processed(sources: Path | str | Sources | None = None, out_dir: Path | str | None = None,
                    repeat_window_days: float = 14, write: bool = True) -> PipelineResult:
    """Load, clean, redact, validate and write every table a sources file lists."""
    from cxinsight.settings import SETTINGS_FILE, load_settings

    src = sources if isinstance(sources, Sources) else Sources.read(sources)
    council_settings = load_settings(src.settings_path)  # checked before any export is read
    key = pseudonym.load_key()  # made on first use, outside every data folder; before any export is read
    search = [src.base / "profiles", src.base]
    parts: dict[str, list[LoadResult]] = {}
    files_read: list[dict] = []
    warnings: list[str] = []
    for export in src.exports:
        files = src.paths_for(export)
        collect = _Warnings(f"{export['table']} (profile {export['profile']}): ")
        logging.getLogger("cxinsight").addHandler(collect)
        try:
            result = load_table(files, export["profile"], table=export["table"], search=search)
        finally:
            logging.getLogger("cxinsight").removeHandler(collect)
        warnings += collect.messages
        parts.setdefault(export["table"], []).append(result)
        files_read += [{"table": export["table"], "file": f.name, "bytes": f.stat().st_size,
                        "sha256": file_sha256(f), "profile": export["profile"]} for f in files]

    loads = {table: combine(results) for table, results in parts.items()}
    for table, result in loads.items():  # a table whose export maps a staff or customer id
        if set(pseudonym.PERSON_IDS) & set(result.data.columns):
            loads[table] = replace(result, quarantine=unsplit_records_withheld(result.quarantine))
    for table, result in loads.items():
        said = quarantine_warning(table, result.quarantine)
        if said:
            log.info("%s", said)
            warnings.append(said)
    warnings = privacy.redact_text(pd.Series(list(dict.fromkeys(warnings)), dtype="str")).tolist()
    tables: dict[str, pd.DataFrame] = {}
    redaction_frames = []
    for table, result in loads.items():
        frame = result.data
        if frame.empty:
            reasons = result.quarantine["reason"].value_counts().head(3)
            because = "; ".join(f"{r} ({n:,} rows)" for r, n in reasons.items()) or "the files hold no rows"
            message = (f"0 rows of the {table} export(s) could be used ({result.rows_in:,} rows read from "
                       f"{len(result.summary)} files); the commonest reasons were: {because}. "
                       "See the quarantine table in notebook 01, or fix the profile.")
            if table == "contacts":
                raise NoUsableRows(message)
            log.warning("%s The analyses that need %s are left out.", message, table)
            continue
        frame, counts = protect(table, frame, key=key)
        frame, withheld, more = withhold_unredactable(table, frame)
        redaction_frames += [counts.assign(table=table), more.assign(table=table)]
        if len(withheld):
            loads[table] = result = _withheld_to_quarantine(result, frame, withheld)
            warnings.append(f"{table}: {len(withheld):,} rows quarantined as {UNREDACTABLE}: their free text still "
                            "held personal data after redaction (page 01 lists them; their text is not kept)")
        if table == "contacts":
            frame = prepare_contacts(frame, repeat_window_days)
        frame["source_file"] = frame["source_file"].astype(str)
        schemas.validate(table, frame)
        tables[table] = frame

    quarantine = pd.concat([r.quarantine for r in loads.values()], ignore_index=True)
    quarantine, qcounts = privacy.redact_frame(quarantine, ["record", "found", "source_file", "record_id"])
    quarantine["source_file"] = _safe_files(quarantine["source_file"])
    quarantine, qmore = withhold_text(quarantine, QUARANTINE_TEXT)
    redaction_frames += [qcounts.assign(table="quarantine"), qmore.assign(table="quarantine")]
    accounting = pd.concat([r.summary.assign(table=t) for t, r in loads.items()], ignore_index=True)
    accounting["source_file"] = _safe_files(accounting["source_file"])
    accounting = accounting[["table", "source_file", "rows_in", "rows_clean", "rows_quarantined"]
                            + [c for c in accounting.columns if c not in
                               {"table", "source_file", "rows_in", "rows_clean", "rows_quarantined"}]]
    repairs = pd.concat([r.repairs.assign(table=t) for t, r in loads.items()], ignore_index=True)
    repairs["source_file"] = _safe_files(repairs["source_file"])
    redactions = pd.concat(redaction_frames, ignore_index=True)[["table", "column", "kind", "redacted"]]
    result = PipelineResult(tables, loads, quarantine, accounting, repairs, redactions, council=src.council,
                            warnings=warnings, repeat_window_days=repeat_window_days)
    result.check_accounting()

    if write:
        out = Path(out_dir) if out_dir else paths.processed_dir()
        with outputs.replacing(out) as stage:
            written = {}
            for name, frame in {**tables, "quarantine": quarantine, "row_accounting": accounting,
                                "repairs": repairs, "redactions": redactions}.items():
                _write_parquet(frame, stage / f"{name}.parquet")
                written[name] = f"{name}.parquet"
            if council_settings.path:  # the settings as read, kept with the data they are used on
                (stage / SETTINGS_FILE).write_text(council_settings.text, encoding="utf-8")
                written["settings"] = SETTINGS_FILE
            for entry in files_read:  # a file named after a person is not named in the manifest either
                entry["file"] = _safe_files(pd.Series([str(entry["file"])])).iloc[0]
            manifest = {"council": src.council, "period": src.period, "files": files_read,
                        "rows": {t: len(f) for t, f in tables.items()},
                        "quarantined": int(len(quarantine)), "warnings": warnings,
                        "repeat_window_days": repeat_window_days,
                        "settings": ({"file": SETTINGS_FILE, "sha256": hashlib.sha256(
                            council_settings.text.encode()).hexdigest(), "supplied": council_settings.supplied}
                                     if council_settings.path else None),
                        "outputs": {f: (stage / f).stat().st_size for f in written.values()}}
            # Nothing replaces data/processed until what was written has passed the personal-data scan:
            # free text row by row before writing, everything else read back from the staging folder.
            checked = {**{t: schemas.TEXT_FIELDS[t] for t in tables}, "quarantine": QUARANTINE_TEXT}
            assert_processed_clean(stage, checked, manifest)
            result.scanned = manifest["scanned"] = {t: [c for c in cols if c in tables[t]]
                                                    for t, cols in checked.items() if t in tables}
            outputs._fault("before-manifest")
            # the manifest is written last: a folder without one is not a complete build
            (stage / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
        result.written = {name: out / f for name, f in written.items()} | {"manifest": out / "manifest.json"}
        log.info("processed data written to %s", out)
    return result


def read_result(processed: Path | str | None = None) -> PipelineResult:
    """What :func:`build_processed` wrote to ``processed`` (default ``data/processed``), read back as a
    :class:`PipelineResult` for showing (notebook 01): the tables, quarantine, row accounting,
    repairs, redactions, warnings and the council's name. Only the pipeline writes the folder."""
    folder = complete_folder(Path(processed or paths.processed_dir()))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    tables = {t: contiguous(pd.read_parquet(folder / f"{t}.parquet")) for t, n in manifest.get("rows", {}).items() if n}
    frames = {name: contiguous(pd.read_parquet(folder / f"{name}.parquet"))
              for name in ("quarantine", "row_accounting", "repairs", "redactions")}
    return PipelineResult(tables, {}, frames["quarantine"], frames["row_accounting"], frames["repairs"],
                          frames["redactions"], council=manifest.get("council", ""),
                          warnings=list(manifest.get("warnings", [])),
                          repeat_window_days=float(manifest.get("repeat_window_days", 14)),
                          scanned=dict(manifest.get("scanned") or {}))


class IncompleteOutputs(RuntimeError):
    """A processed folder that is not a complete build (no manifest, or a file that does not match it)."""


def complete_folder(folder: Path, marker: str = "manifest.json") -> Path:
    """``folder`` if it holds a complete build; if a run was killed while swapping it, the previous
    complete version set aside beside it; otherwise :class:`IncompleteOutputs` or FileNotFoundError.
    ``marker``: the file a complete build of that folder always holds (the processed folder's manifest)."""
    folder = Path(folder)
    if not folder.exists():
        olds = outputs.set_aside(folder)
        if olds:
            return olds[-1]
        raise FileNotFoundError(f"{folder}: not built yet. Run `cxinsight report` (or `make report`) first.")
    manifest = folder / marker
    if marker != "manifest.json":
        if not manifest.exists():
            raise IncompleteOutputs(f"{folder}: no {marker} (a run stopped part way). Run `cxinsight report` again.")
        return folder
    if not manifest.exists():
        if any(folder.glob("*.parquet")):
            raise IncompleteOutputs(f"{folder}: processed files without a manifest.json (a run stopped part way, "
                                    "or files were copied in by hand). Run the pipeline again.")
        raise FileNotFoundError(f"{folder}: not built yet. Run `cxinsight report` (or `make report`) first.")
    expected = json.loads(manifest.read_text(encoding="utf-8")).get("outputs", {})
    wrong = [f for f, size in expected.items() if not (folder / f).exists() or (folder / f).stat().st_size != size]
    if wrong:
        raise IncompleteOutputs(f"{folder}: {', '.join(wrong)} do not match manifest.json (changed or removed "
                                "after the run). Run the pipeline again.")
    return folder


def read_processed(table: str, processed: Path | str | None = None) -> pd.DataFrame:
    """Read one processed table (``contacts``, ``quarantine``...) from ``data/processed``."""
    from cxinsight.availability import unlock

    folder = complete_folder(Path(processed or paths.processed_dir()))
    path = folder / f"{table}.parquet"
    if not path.exists():
        if (folder / "manifest.json").exists() and table in schemas.FIELDS:
            raise FileNotFoundError(f"{folder}: this council's data has no {table} table (sources.yaml lists "
                                    f"no {table} export, or none of its rows could be used). {unlock(table)}")
        raise FileNotFoundError(f"{path}: not built yet. Run notebook 01 or `make report` first.")
    return contiguous(pd.read_parquet(path))


def read_optional(table: str, processed: Path | str | None = None) -> pd.DataFrame | None:
    """A processed table, or ``None`` when the council supplied none (the analyses needing it switch off)."""
    folder = complete_folder(Path(processed or paths.processed_dir()))
    manifest = folder / "manifest.json"
    rows = json.loads(manifest.read_text(encoding="utf-8")).get("rows", {})
    return read_processed(table, folder) if rows.get(table) else None
