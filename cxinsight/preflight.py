"""Check a council's configuration against its files before anything runs (issue 26).

:func:`preflight` reads ``sources.yaml``, the ``council.yaml`` beside it (:mod:`cxinsight.settings`)
and every profile it names, finds each export's files,
and reads only the head of each file (its header and up to :data:`SAMPLE_ROWS` records from the
first :data:`HEAD_BYTES`), so a misspelt key, a header the file lacks or wider than the column limit
(:func:`cxinsight.io.read_header`) or dates the profile cannot read stop the run within seconds,
whatever the export's size, with one error naming the file,
the key or column, what was expected and what was found. ``cxinsight report`` and
``cxinsight pipeline`` call it first. Warnings a person should act on (an empty file) are logged
at WARNING and returned.

>>> from cxinsight import paths
>>> checked = preflight(paths.demo_sources())  # doctest: +SKIP
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cxinsight import clean
from cxinsight.io import (
    UTF8_REPLACE,
    ExportError,
    check_columns,
    check_date_order,
    detect_delimiter,
    export_suffix,
    open_bytes,
    read_header,
)
from cxinsight.pipeline import Sources
from cxinsight.profile import Profile, ProfileError, load_profile
from cxinsight.schemas import FIELDS
from cxinsight.settings import load_settings

log = logging.getLogger(__name__)
HEAD_BYTES = 1 << 20  # read from each export, however large it is
SAMPLE_ROWS = 200  # records whose dates are checked


@dataclass
class Checked:
    """What preflight found: the council's sources, one entry per file, and warnings to act on."""

    sources: Sources
    files: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    settings: object = None  # the council's settings (cxinsight.settings.Settings), defaults when no council.yaml


def _sniff_encoding(head: bytes, complete: bool) -> str:
    """The encoding of an export's first bytes (BOM, else UTF-8 if they decode, else cp1252)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)  # a character cut at the end is fine
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def read_head(path: Path, profile: Profile) -> tuple[list[str], pd.DataFrame]:
    """An export's column headers and up to :data:`SAMPLE_ROWS` records (as text), read from its
    first :data:`HEAD_BYTES` only (Excel and feeds: the first rows)."""
    suffix = export_suffix(path)
    if suffix in {".xlsx", ".xlsm", ".xls", ".ods"}:
        sheet = profile.sheet if profile.sheet is not None else 0
        try:
            frame = pd.read_excel(path, sheet_name=sheet, dtype=str, engine="calamine", nrows=SAMPLE_ROWS,
                                  keep_default_na=False, na_filter=False)
        except ValueError as exc:
            raise ExportError(f"{path.name}: cannot read sheet {sheet!r} ({exc}); set 'sheet' in the "
                              f"profile {profile.name!r}") from exc
        frame.columns = [str(c).strip() for c in frame.columns]
        check_columns(list(frame.columns), path.name)
        return list(frame.columns), frame.astype("str")
    if suffix in {".xml", ".rss", ".atom"}:
        from cxinsight.io import _read_feed

        frame = _read_feed(path)[0].drop(columns="__row__")
        return list(frame.columns), frame.head(SAMPLE_ROWS)
    with open_bytes(path) as fh:
        head = fh.read(HEAD_BYTES)
    complete = len(head) < HEAD_BYTES
    encoding = profile.encoding if profile.encoding != "auto" else _sniff_encoding(head, complete)
    # a header too wide (a million columns, or no line end at all) is refused here, in seconds
    read_header(path, UTF8_REPLACE if encoding == "utf-8" else encoding, profile.delimiter)
    text = codecs.getincrementaldecoder("utf-8" if encoding == "utf-8-replace" else encoding)(
        errors="replace").decode(head, final=complete)
    text = text.lstrip("\ufeff")
    if not complete:  # the last line may be cut: keep whole lines only
        text = text[: max(text.rfind("\n"), 0)]
    first_line = text.split("\n", 1)[0]
    delimiter = detect_delimiter(first_line) if profile.delimiter == "auto" else profile.delimiter
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in next(reader, [])]
    try:
        for rec in reader:
            if len(rec) == len(header):
                rows.append(rec)
            if len(rows) >= SAMPLE_ROWS:
                break
    except csv.Error:  # a quote the head cut through: the rows so far will do
        pass
    return header, pd.DataFrame(rows, columns=header, dtype="str")


def _check_dates(sample: pd.DataFrame, profile: Profile, file: str) -> None:
    """Refuse dates the profile cannot read, judged on the sample, with a format that reads them."""
    for canon, header in profile.columns.items():
        if FIELDS[profile.table][canon].kind not in {"datetime", "date"} or header.strip() not in sample:
            continue
        values = sample[header.strip()].str.strip()
        values = values[values.ne("")]
        if values.empty:
            continue
        declared = profile.date_formats
        if not declared:
            order, _ = clean.date_order(values)
            if order == "month_first":  # certain from one value; "ambiguous" may not hold for the whole file
                check_date_order(values, file, header, profile)
        parsed = clean.parse_uk_datetime(values, declared, strict=bool(declared))
        if parsed.notna().any():
            continue
        examples = values.drop_duplicates().head(3).tolist()
        order = clean.date_order(values)[0]
        fmt = clean.suggest_date_format(examples, order if order != "ambiguous" else None)
        how = (f"the profile's date_formats {list(declared)}" if declared else "a UK date (day first)")
        fix = (f'Set date_formats: ["{fmt}"] in the profile {profile.path or profile.name!r}.' if fmt else
               f"Set date_formats in the profile {profile.path or profile.name!r} to how these dates are written.")
        raise ExportError(f"{file}: column {header!r}: none of the first {len(values)} dates reads as {how}; "
                          f"found {examples}. {fix}")


def preflight(sources: Path | str | None = None) -> Checked:
    """Check ``sources`` (default: the demo council) and every profile against its files' heads.

    Raises :class:`~cxinsight.io.ExportError` or :class:`~cxinsight.profile.ProfileError` on the
    first problem; returns what was checked, with warnings (also logged at WARNING)."""
    src = Sources.read(sources)
    checked = Checked(src)
    checked.settings = load_settings(src.settings_path)  # council.yaml beside it: every key typed and range-checked
    search = [src.base / "profiles", src.base]
    for i, export in enumerate(src.exports):
        profile = load_profile(export["profile"], search=search)
        if profile.table != export["table"]:
            raise ProfileError(f"exports[{i}]: profile {profile.name!r} is for the {profile.table} table, "
                               f"not {export['table']}; name a {export['table']} profile")
        for path in src.paths_for(export):
            with open_bytes(path) as fh:
                start = fh.read(1 << 12)
            entry = {"table": export["table"], "file": path.name, "profile": profile.name}
            if not start.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
                checked.warnings.append(f"{export['table']}: {path.name} is empty ({path.stat().st_size} bytes): "
                                        "0 rows in. Check the export was written completely.")
                checked.files.append({**entry, "empty": True})
                continue
            header, sample = read_head(path, profile)
            profile.check_headers(header, path.name)
            _check_dates(sample, profile, path.name)
            checked.files.append({**entry, "empty": False, "columns": len(header)})
    for warning in checked.warnings:
        log.warning("%s", warning)
    return checked
