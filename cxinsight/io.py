"""Read an export as its system wrote it, and never lose a row.

:func:`load_table` (and its shorthands :func:`load_contacts`, :func:`load_complaints`,
:func:`load_survey`) reads one or more CSV or Excel exports with a :class:`~cxinsight.profile.Profile`
and returns a :class:`LoadResult`:

- ``data``: the canonical frame, typed, with ``source_file`` and ``source_row`` (1-based record
  number after the header) on every row;
- ``quarantine``: every rejected record with its reason, the column at fault, what was expected,
  what was found, and the original values;
- ``summary``: per file, rows in / clean / quarantined; ``repairs``: values repaired in place.

Rows in = rows out + rows quarantined, for every file, always: :meth:`LoadResult.check` raises
otherwise. Encoding (UTF-8, UTF-8 with BOM, UTF-16, cp1252) and delimiter (comma, semicolon, tab,
pipe) are detected unless the profile pins them. Dates are read day first.

Before a CSV is handed to a parser it is measured in bounded memory (:mod:`cxinsight.limits`): a
header wider than the column limit is refused (:func:`read_header`), and a record holding a field
over the field limit is quarantined as ``field_too_long`` and left out of what Arrow reads.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "calls.csv").write_text(
...     "When,How,What\\n03/04/2024 09:00,TEL,Council Tax\\n31/02/2024 10:00,Web,Parking\\n\\n",
...     encoding="cp1252")
>>> profile = {"name": "tiny", "table": "contacts",
...            "columns": {"received_at": "When", "channel": "How", "service": "What"}}
>>> result = load_contacts(folder / "calls.csv", profile=profile)
>>> result.data[["received_at", "channel", "service"]].astype(str).values.tolist()
[['2024-04-03 09:00:00', 'phone', 'council_tax']]
>>> result.quarantine[["source_row", "reason"]].values.tolist()
[[2, 'unparseable_date'], [3, 'blank_row']]
>>> result.summary[["rows_in", "rows_clean", "rows_quarantined"]].values.tolist()
[[3, 1, 2]]
"""

from __future__ import annotations

import codecs
import csv
import glob
import io
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from pandas.api.types import union_categoricals

from cxinsight import clean
from cxinsight.limits import (
    BlockReader,
    Limits,
    Overlong,
    first_line,
    numbering,
    replace_invalid_utf8,
    scan_csv,
    size_text,
    skip_ranges,
)
from cxinsight.profile import Profile, ProfileError, load_profile
from cxinsight.schemas import FIELDS, RECORD_KEYS, FieldSpec

log = logging.getLogger(__name__)

QUARANTINE_COLUMNS = [
    "table", "source_file", "source_row", "record_id", "reason", "column", "expected", "found", "record",
]
DELIMITERS = [",", ";", "\t", "|"]


class ExportError(ValueError):
    """An export cannot be read as the profile describes."""


@dataclass
class LoadResult:
    """The outcome of loading one table: clean data, quarantine, summary and repairs."""

    table: str
    data: pd.DataFrame
    quarantine: pd.DataFrame
    summary: pd.DataFrame
    repairs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["source_file", "column",
                                                                                "action", "rows"]))
    profile: str = ""
    key: tuple[str, ...] = ()  # the fields that identify a record (for duplicates)

    def check(self) -> LoadResult:
        """Raise if any file's rows in != rows clean + rows quarantined; returns self."""
        clean_n = self.data.groupby("source_file", observed=True).size()
        quar_n = self.quarantine.groupby("source_file", observed=True).size()
        for _, row in self.summary.iterrows():
            f = row["source_file"]
            got_clean, got_quar = int(clean_n.get(f, 0)), int(quar_n.get(f, 0))
            if row["rows_in"] != got_clean + got_quar:
                raise AssertionError(f"{f}: {row['rows_in']} rows in but {got_clean} clean + "
                                     f"{got_quar} quarantined")
        return self

    @property
    def rows_in(self) -> int:
        return int(self.summary["rows_in"].sum())

    def quarantine_by_reason(self) -> pd.DataFrame:
        """Quarantined rows counted by file and reason."""
        return (self.quarantine.groupby(["source_file", "reason"], observed=True).size()
                .rename("rows").reset_index())

    def __repr__(self) -> str:
        return (f"LoadResult({self.table}: {self.rows_in:,} rows in, {len(self.data):,} clean, "
                f"{len(self.quarantine):,} quarantined, profile={self.profile!r})")


# ------------------------------------------------------------------------------------------------
# Reading raw files
# ------------------------------------------------------------------------------------------------


UTF8_REPLACE = "utf-8-replace"  # UTF-8 with a few invalid bytes, each read as U+FFFD and counted


def detect_encoding(path: Path, chunk: int = 1 << 24) -> str:
    """``utf-8-sig``, ``utf-16``, ``utf-8``, ``utf-8-replace``, ``cp1252`` or ``latin-1``, checked
    over the whole file.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_bytes("name\\nZoë\\n".encode("cp1252"))
    >>> detect_encoding(p)
    'cp1252'
    >>> _ = p.write_bytes("name\\nZoë Brontë, café\\n".encode("utf-8") + b"bad \\x92 byte\\n")
    >>> detect_encoding(p)
    'utf-8-replace'
    """
    with open_bytes(path) as fh:
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while block := fh.read(chunk):
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
        # Not clean UTF-8. A UTF-8 file with a few bad bytes (a pasted character, a cut-off export)
        # still holds far more valid UTF-8 sequences than bad bytes: read it as UTF-8 with those
        # bytes replaced, rather than decode the whole file as cp1252 and garble every accent.
        fh.seek(0)
        lenient = codecs.getincrementaldecoder("utf-8")(errors="replace")
        bad = valid = 0  # bad bytes; extra bytes of valid multi-byte characters (1-3 each)
        while block := fh.read(chunk):
            text = lenient.decode(block)
            n_bad = text.count("\ufffd")
            bad += n_bad
            valid += len(text.encode("utf-8")) - len(text) - 2 * n_bad
        if valid > bad:
            return UTF8_REPLACE
        fh.seek(0)
        try:
            while block := fh.read(chunk):
                block.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            return "latin-1"


GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(path: Path) -> bool:
    """Whether a file is gzip-compressed (``.csv.gz``), judged by its first two bytes, not its name."""
    with open(path, "rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def open_bytes(path: Path):
    """A binary handle on an export's bytes, decompressed if the file is gzip (``.csv.gz``)."""
    import gzip

    return gzip.open(path, "rb") if is_gzip(path) else open(path, "rb")


def export_suffix(path: Path) -> str:
    """The suffix that says what an export holds: ``.csv`` for ``calls.csv`` and ``calls.csv.gz``."""
    path = Path(path)
    suffix = path.suffix.lower()
    return Path(path.stem).suffix.lower() if suffix == ".gz" else suffix


def _open_text(path: Path, encoding: str):
    """A text handle on an export; ``utf-8-replace`` reads UTF-8 with bad bytes as U+FFFD."""
    if encoding == UTF8_REPLACE:
        return io.TextIOWrapper(open_bytes(path), encoding="utf-8", errors="replace", newline="")
    return io.TextIOWrapper(open_bytes(path), encoding=encoding, newline="")


def _limits() -> Limits:
    """The limits in force (:meth:`~cxinsight.limits.Limits.from_env`); a limit set wrongly is an
    :class:`ExportError` naming the variable."""
    try:
        return Limits.from_env()
    except ValueError as exc:
        raise ExportError(str(exc)) from None


def _more_columns(limits: Limits) -> str:
    return (f"Check the file is one export with one header line; if it really has more columns, set "
            f"CXINSIGHT_MAX_COLUMNS (now {limits.max_columns:,}).")


def check_columns(header: list, file: str, limits: Limits | None = None) -> None:
    """Refuse a header of more than :attr:`~cxinsight.limits.Limits.max_columns` columns.

    >>> check_columns(["a"] * 3, "x.csv", Limits(max_columns=2))
    Traceback (most recent call last):
    ...
    cxinsight.io.ExportError: x.csv: the header has 3 columns; expected at most 2. Check the file is ...
    """
    limits = limits or _limits()
    if len(header) > limits.max_columns:
        raise ExportError(f"{file}: the header has {len(header):,} columns; expected at most "
                          f"{limits.max_columns:,}. {_more_columns(limits)}")


def read_header(path: Path, encoding: str, delimiter: str = "auto",
                limits: Limits | None = None) -> tuple[list[str], str]:
    """An export's column headers and delimiter (detected when ``"auto"``), from its first line, read
    in bounded memory: a first line with no end within :attr:`~cxinsight.limits.Limits.header_chars`
    characters, or of more than :attr:`~cxinsight.limits.Limits.max_columns` columns, is refused
    naming the file, what was expected and what was found, before any parser is handed the file.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "wide.csv"
    >>> _ = p.write_text(",".join(f"c{i}" for i in range(300_000)) + "\\n1,2\\n")
    >>> read_header(p, "utf-8")
    Traceback (most recent call last):
    ...
    cxinsight.io.ExportError: wide.csv: the header (first line) runs past 1,000,000 characters with no line end (at least 144,961 columns); expected a header of at most 2,000 columns. ...
    """
    limits = limits or _limits()
    try:
        with _open_text(path, encoding) as fh:
            line, complete = first_line(fh, limits.header_chars)
    except UnicodeDecodeError as exc:
        raise ExportError(f"{path.name}: the header (first line) is not {encoding} text ({exc.reason} at byte "
                          f"{exc.start:,}); set 'encoding' in the profile to how the file is written") from None
    delimiter = detect_delimiter(line[:100_000]) if delimiter == "auto" else delimiter
    delimiter = "\t" if delimiter in {"tab", "\\t"} else delimiter
    if not complete:
        raise ExportError(f"{path.name}: the header (first line) runs past {limits.header_chars:,} characters with no "
                          f"line end (at least {line.count(delimiter) + 1:,} columns); expected a header of at most "
                          f"{limits.max_columns:,} columns. {_more_columns(limits)}")
    try:
        header = next(csv.reader(io.StringIO(line, newline=""), delimiter=delimiter), [])
    except csv.Error as exc:
        raise ExportError(f"{path.name}: the header (first line) cannot be read as column names separated by "
                          f"{delimiter!r} ({exc}); expected one line of column names") from None
    check_columns(header, path.name, limits)
    return [h.strip().lstrip("\ufeff") for h in header], delimiter


def read_text_csv(path: Path | str) -> pd.DataFrame:
    """A small CSV (a labelled file, a lookup) with every column as text, its encoding and delimiter
    detected as an export's are (UTF-8 with or without BOM, UTF-16, cp1252; comma, semicolon, tab).

    >>> import tempfile; p = Path(tempfile.mkdtemp()) / "l.csv"
    >>> _ = p.write_bytes("text;label\\nZoë rang again;failure\\n".encode("cp1252"))
    >>> read_text_csv(p).to_dict("records")
    [{'text': 'Zoë rang again', 'label': 'failure'}]
    """
    path = Path(path)
    with _open_text(path, detect_encoding(path)) as fh:
        delimiter = detect_delimiter(fh.readline())
        fh.seek(0)
        return pd.read_csv(fh, dtype=str, keep_default_na=False, sep=delimiter)


def detect_delimiter(header_line: str) -> str:
    """The candidate delimiter that splits the header most.

    >>> detect_delimiter("Ref;Date;Channel")
    ';'
    """
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _records_with_text(fh, delimiter: str):
    """``(fields, text, lines)`` for each record of a CSV handle: the csv module's fields, the
    record's text as written and how many physical lines it spans."""
    consumed: list[str] = []

    def lines():
        for line in fh:
            consumed.append(line)
            yield line

    for rec in csv.reader(lines(), delimiter=delimiter):
        text, n = "".join(consumed), len(consumed)
        consumed.clear()
        yield rec, text, n


def quoting_fault(text: str, delimiter: str = ",") -> str | None:
    """What is wrong with the quoting of one record's text, or None if it is valid RFC 4180 CSV
    (each quoted field closes where the field ends, a quote inside it written twice): ``"open"``
    for a quote still open when the text ends, ``"misplaced"`` for one closed before its field ends.

    >>> quoting_fault('1,"first line, with a comma\\nsecond ""quoted"" line",C1\\r\\n') is None
    True
    >>> quoting_fault('2,"never closed,C2\\n3,ok,C3\\n4,"closes here",C4\\n')
    'misplaced'
    >>> quoting_fault('5,"never closed,C5\\r\\n')
    'open'
    """
    try:
        n = len(list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)))
    except csv.Error as exc:
        return "open" if "end of data" in str(exc) else "misplaced"
    return None if n == 1 else "misplaced"


def _read_csv_exact(path: Path, encoding: str, delimiter: str,
                    skip: list[Overlong] = ()) -> tuple[pd.DataFrame, list[dict]]:
    """Slow, exact path (ragged rows, or quoting that is not valid CSV): Python's csv module,
    record by record; records in ``skip`` (over a size limit) are left out unread.

    A record over several lines whose quoting is not valid (a quote opened and not closed where
    its field ends) has pulled the lines after it into itself: it is quarantined as
    ``unclosed_quote``, with the lines it joined, so nothing it swallowed is kept silently.
    """
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))  # a quote left open can run to the end
    number = numbering([o.record for o in skip])
    with (_text_without(path, encoding, skip) if skip else _open_text(path, encoding)) as fh:
        records = _records_with_text(fh, delimiter)
        header = [h.strip() for h in next(records)[0]]
        good, rows, bad = [], [], []
        for j, (rec, text, n_lines) in enumerate(records, start=1):
            i = int(number(j))
            fault = quoting_fault(text, delimiter) if n_lines > 1 or len(rec) != len(header) else None
            if fault == "open" or (fault and n_lines > 1):
                bad.append({"source_row": i, "reason": "unclosed_quote", "column": None,
                            "expected": "a record on its own line(s)",
                            "found": (f"{n_lines} lines joined by an unclosed quote" if n_lines > 1
                                      else "a quote still open at the end of the file"),
                            "record": text.rstrip("\r\n")})
            elif len(rec) == len(header):
                good.append(rec)
                rows.append(i)
            elif len(rec) == 0 or all(not v.strip() for v in rec):
                good.append([""] * len(header))
                rows.append(i)
            else:
                bad.append({"source_row": i, "reason": "wrong_field_count", "column": None,
                            "expected": f"{len(header)} fields", "found": f"{len(rec)} fields",
                            "record": delimiter.join(rec)})
    frame = pd.DataFrame(good, columns=header, dtype="str")
    frame.insert(0, "__row__", np.asarray(rows, dtype="int64"))
    return frame, bad


def _transcoded(encoding: str) -> bool:
    """Whether :func:`_byte_blocks` gives an export's bytes as UTF-8 rather than as written (UTF-16, -32)."""
    return codecs.lookup("utf-8" if encoding == UTF8_REPLACE else encoding).name.startswith(("utf-16", "utf-32"))


def _blocks_without(path: Path, encoding: str, skip: list[Overlong]):
    """:func:`_byte_blocks` with the records in ``skip`` left out (UTF-8 when transcoded)."""
    return skip_ranges(_byte_blocks(path, encoding), [(o.start, o.end) for o in skip])


def _text_without(path: Path, encoding: str, skip: list[Overlong]):
    """A text handle on an export with the records in ``skip`` left out."""
    text_encoding = "utf-8" if _transcoded(encoding) or encoding == UTF8_REPLACE else encoding
    return io.TextIOWrapper(io.BufferedReader(BlockReader(_blocks_without(path, encoding, skip)), 1 << 20),
                            encoding=text_encoding, errors="replace" if encoding == UTF8_REPLACE else "strict",
                            newline="")


def _overlong_rejections(overlong: list[Overlong], header: list[str], limits: Limits) -> list[dict]:
    """Quarantine entries for records over a size limit: the record number, the column and sizes,
    never the text (a 200 MB field is not copied anywhere)."""
    out = []
    for o in overlong:
        if o.field_bytes > limits.field_bytes:
            out.append({"source_row": o.record, "reason": "field_too_long",
                        "column": header[o.field] if o.field < len(header) else f"field {o.field + 1}",
                        "expected": f"a field of at most {size_text(limits.field_bytes)} (CXINSIGHT_MAX_FIELD_BYTES)",
                        "found": f"a field of {size_text(o.field_bytes)}",
                        "record": f"(not kept: a record of {size_text(o.record_bytes)})"})
        else:
            out.append({"source_row": o.record, "reason": "record_too_long", "column": None,
                        "expected": f"a record of at most {size_text(limits.record_bytes)} (CXINSIGHT_MAX_RECORD_BYTES)",
                        "found": f"a record of {size_text(o.record_bytes)}",
                        "record": f"(not kept: a record of {size_text(o.record_bytes)})"})
    return out


def _byte_blocks(path: Path, encoding: str, block: int = 1 << 24):
    """An export's bytes in blocks, as UTF-8 or a single-byte encoding (UTF-16 and -32 transcoded),
    so that a quote and a delimiter are one byte each."""
    if _transcoded(encoding):
        with _open_text(path, encoding) as fh:
            while text := fh.read(block):
                yield text.encode("utf-8")
        return
    with open_bytes(path) as fh:
        while data := fh.read(block):
            yield data


def quotes_well_formed(blocks, delimiter: str) -> bool:
    """Whether every quote in a CSV byte stream is where RFC 4180 allows it, checked in blocks
    with numpy: a field's opening quote follows a delimiter or a line break, its closing quote is
    followed by one (or by a second quote: an escaped quote), and no quote is left open at the end.

    Valid CSV with notes over several lines passes; one quote left open fails.

    >>> quotes_well_formed([b'a,b\\r\\n1,"x, ""y""\\r\\nz"\\r\\n'], ",")
    True
    >>> quotes_well_formed([b'a,b\\n1,"x\\n2,"y"\\n'], ",")
    False
    """
    d = delimiter.encode("utf-8")
    if len(d) != 1:
        return False
    allowed = np.zeros(256, dtype=bool)
    allowed[[d[0], ord("\n"), ord("\r"), ord('"')]] = True
    count, last, pending_close, first = 0, ord("\n"), False, True
    for data in blocks:
        if first:
            data, first = data.removeprefix(codecs.BOM_UTF8), False
        if not data:
            continue
        arr = np.frombuffer(data, dtype=np.uint8)
        if pending_close and not allowed[arr[0]]:
            return False
        q = np.flatnonzero(arr == ord('"'))
        if q.size:
            opening = (count + np.arange(q.size)) % 2 == 0
            before = np.where(q > 0, arr[np.maximum(q - 1, 0)], last)
            if not allowed[before[opening]].all():
                return False
            closing = q[~opening]
            inside = closing[closing < arr.size - 1]
            if not allowed[arr[inside + 1]].all():
                return False
        pending_close = bool(q.size) and q[-1] == arr.size - 1 and not opening[-1]
        count += q.size
        last = int(arr[-1])
    return count % 2 == 0


def _has_line_breaks(frame: pd.DataFrame) -> bool:
    """Whether any value holds a line break (only a quoted field can)."""
    return any(frame[c].str.contains("[\r\n]", regex=True).any() for c in frame.columns if c != "__row__")


def _read_feed(path: Path) -> tuple[pd.DataFrame, list[dict], dict]:
    """An RSS or Atom feed (FixMyStreet and many council sites publish one): one row per item.

    Columns are the items' child elements by local name (``title``, ``description``, ``category``,
    ``pubDate``, ``point``...), values their text. The expat parser resolves no external entities
    and refuses entity expansion bombs, so a hostile feed cannot read files or exhaust memory.
    """
    import xml.etree.ElementTree as ET

    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise ExportError(f"{path.name}: not a readable RSS or Atom feed ({exc})") from None
    items = [el for el in root.iter() if el.tag.rsplit("}", 1)[-1] in {"item", "entry"}]
    records: list[dict[str, str]] = []
    for item in items:
        record: dict[str, str] = {}
        for child in item:
            name = child.tag.rsplit("}", 1)[-1]
            text = child.text or child.get("href") or ""
            record[name] = f"{record[name]}; {text.strip()}" if name in record else text.strip()
        records.append(record)
    columns = list(dict.fromkeys(k for r in records for k in r))
    check_columns(columns, path.name)
    frame = pd.DataFrame(records, columns=columns, dtype="str").fillna("").astype("str")
    frame.insert(0, "__row__", np.arange(1, len(frame) + 1, dtype="int64"))
    return frame, [], {"format": "feed", "items": len(frame)}


def read_raw(path: Path | str, profile: Profile) -> tuple[pd.DataFrame, list[dict], dict]:
    """Every record of one export as strings, with ``__row__`` record numbers.

    Returns ``(frame, rejected, info)``: ``rejected`` lists records that could not be split into
    the header's fields (quarantined by the caller); ``info`` says how the file was read.
    """
    path = Path(path)
    if not path.exists():
        raise ExportError(f"{path}: no such file")
    suffix = export_suffix(path)
    with open_bytes(path) as fh:
        head = fh.read(1 << 16)
    if not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        log.warning("%s: the file is empty (%d bytes): no rows read from it", path.name, path.stat().st_size)
        frame = pd.DataFrame({h.strip(): pd.Series(dtype="str") for h in profile.columns.values()})
        frame.insert(0, "__row__", pd.Series(dtype="int64"))
        return frame, [], {"format": "empty"}
    if suffix in {".xml", ".rss", ".atom"}:
        return _read_feed(path)
    if suffix in {".xlsx", ".xlsm", ".xls", ".ods"}:
        sheet = profile.sheet if profile.sheet is not None else 0
        try:
            frame = pd.read_excel(path, sheet_name=sheet, dtype=str, engine="calamine",
                                  keep_default_na=False, na_filter=False)
        except ValueError as exc:
            raise ExportError(f"{path.name}: cannot read sheet {sheet!r} ({exc}); set 'sheet' in the "
                              f"profile {profile.name!r}") from exc
        frame.columns = [str(c).strip() for c in frame.columns]
        check_columns(list(frame.columns), path.name)
        frame = frame.astype("str")
        frame.insert(0, "__row__", np.arange(1, len(frame) + 1, dtype="int64"))
        return frame, [], {"format": "excel", "sheet": sheet}

    limits = _limits()
    encoding = detect_encoding(path) if profile.encoding == "auto" else profile.encoding
    header, delimiter = read_header(path, encoding, profile.delimiter, limits)
    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        raise ExportError(f"{path.name}: repeated column headers {dupes}; rename them in the export")
    info = {"format": "csv", "encoding": encoding, "delimiter": delimiter}
    # Records over a size limit are found in one bounded pass, quarantined, and left out of what the
    # parsers read (a 200 MB field is never handed to Arrow or held whole).
    skip = [o for o in scan_csv(_byte_blocks(path, encoding, 1 << 22), delimiter, limits).overlong if o.record > 0]
    too_large = _overlong_rejections(skip, header, limits)
    if skip:
        i = max(range(len(skip)), key=lambda k: (skip[k].field_bytes, skip[k].record_bytes))
        where = f" in column {too_large[i]['column']!r}" if too_large[i]["column"] else ""
        log.warning("%s: %d records over the size limits quarantined, their text not kept (the largest: record %d, "
                    "%s%s; expected %s)", path.name, len(skip), skip[i].record, too_large[i]["found"], where,
                    too_large[i]["expected"])
    rejected: list[int] = []

    def on_invalid(row) -> str:
        rejected.append(1)
        return "skip"

    pa_encoding = "utf8" if encoding in {"utf-8", "utf-8-sig", UTF8_REPLACE} else encoding
    source: Path | io.BytesIO | io.BufferedReader = path
    invalid = [0]
    if skip:
        blocks = _blocks_without(path, encoding, skip)
        blocks = replace_invalid_utf8(blocks, invalid) if encoding == UTF8_REPLACE else blocks
        source = io.BufferedReader(BlockReader(blocks), 1 << 20)
        pa_encoding = "utf8" if _transcoded(encoding) else pa_encoding
    elif encoding == UTF8_REPLACE:
        with open_bytes(path) as fh:
            text = fh.read().decode("utf-8", errors="replace")
        info["invalid_bytes"] = text.count("\ufffd")
        log.warning("%s: %d bytes are not valid UTF-8; read as U+FFFD (the rest of the file is UTF-8)",
                    path.name, info["invalid_bytes"])
        source = io.BytesIO(text.encode("utf-8"))
    elif is_gzip(path):
        source = pa.input_stream(str(path), compression="gzip")
    table = pacsv.read_csv(
        source,
        read_options=pacsv.ReadOptions(encoding=pa_encoding, column_names=header, skip_rows=1,
                                       block_size=limits.arrow_block),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                         ignore_empty_lines=False, invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in header},
                                             strings_can_be_null=False, quoted_strings_can_be_null=False),
    )
    if invalid[0]:
        info["invalid_bytes"] = invalid[0]
        log.warning("%s: %d bytes are not valid UTF-8; read as U+FFFD (the rest of the file is UTF-8)",
                    path.name, invalid[0])
    frame = None
    if not rejected:
        frame = table.to_pandas(types_mapper=lambda t: pd.StringDtype("pyarrow") if t == pa.string() else None)
        del table
        frame = frame.astype("str")
        frame.insert(0, "__row__", numbering([o.record for o in skip])(np.arange(1, len(frame) + 1, dtype="int64")))
        blocks = _blocks_without(path, encoding, skip) if skip else _byte_blocks(path, encoding)
        if _has_line_breaks(frame) and not quotes_well_formed(blocks, delimiter):
            log.info("%s: a quote is not closed where its field ends; re-reading record by record", path.name)
            frame = None
    if frame is None:  # ragged rows or bad quoting: re-read exactly so each rejected record keeps its number
        if rejected:
            log.info("%s: %d ragged rows; re-reading with exact record numbers", path.name, len(rejected))
        frame, bad = _read_csv_exact(path, encoding, delimiter, skip)
    else:
        bad = []
    bad += too_large
    swallowed = [b for b in bad if b["reason"] == "unclosed_quote"]
    if swallowed:
        with open_bytes(path) as fh:
            info["physical_lines"] = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 24), b""))
        log.warning("%s: %d records hold lines of other records (a quote not closed where its field ends); "
                    "quarantined as unclosed_quote", path.name, len(swallowed))
    return frame, bad, info


# ------------------------------------------------------------------------------------------------
# Parsing one file into canonical fields
# ------------------------------------------------------------------------------------------------


class _Rejections:
    """Collects row-level failures; the first reason found for a row is the one kept."""

    def __init__(self, n: int) -> None:
        self.reason = np.full(n, None, dtype=object)
        self.column = np.full(n, None, dtype=object)
        self.expected = np.full(n, None, dtype=object)
        self.found = np.full(n, None, dtype=object)

    def add(self, mask: np.ndarray, reason: str, column: str | None, expected: str, found) -> None:
        new = np.asarray(mask, dtype=bool) & (self.reason == None)  # noqa: E711
        if not new.any():
            return
        self.reason[new] = reason
        self.column[new] = column
        self.expected[new] = expected
        self.found[new] = np.asarray(found, dtype=object)[new] if not np.isscalar(found) else found

    @property
    def mask(self) -> np.ndarray:
        return self.reason != None  # noqa: E711


def _join_columns(frame: pd.DataFrame) -> np.ndarray:
    """``"col=value | col=value"`` per row, vectorised."""
    joined = pd.Series("", index=frame.index, dtype="str")
    for i, c in enumerate(frame.columns):
        joined = joined + ("" if i == 0 else " | ") + f"{c}=" + frame[c].astype("str").fillna("")
    return joined.to_numpy(dtype=object)


def _record_text(raw: pd.DataFrame, rows: np.ndarray, profile: Profile | None = None) -> np.ndarray:
    """The original values of the given rows, for the quarantine table; the columns ``profile`` maps
    to a staff or customer id given as their pseudonyms (:mod:`cxinsight.pseudonym`), as the clean
    data holds them."""
    cols = [c for c in raw.columns if c != "__row__"]
    shown_rows = raw.iloc[rows][cols]
    if profile is not None and len(rows):
        from cxinsight import pseudonym

        for canon, kind in pseudonym.PERSON_IDS.items():
            header = str(profile.columns.get(canon, "")).strip()
            if header in shown_rows.columns:
                ids = clean.clean_ids(shown_rows[header], profile.zero_pad.get(canon))
                shown_rows = shown_rows.assign(**{header: pseudonym.pseudonymise(ids, kind).fillna("")})
    return _join_columns(shown_rows)


def check_date_order(values: pd.Series, file: str, header: str, profile: Profile) -> None:
    """Refuse an export whose numeric dates cannot be read day first without guessing.

    Month-first dates (a second number above 12), or dates where every day and month is 12 or
    less, need the profile to say how they are written (``date_formats``); cxinsight never guesses.
    """
    order, examples = clean.date_order(values)
    where = f"{file}: column {header!r}"
    if order not in ("month_first", "ambiguous"):
        return
    orders = ["month_first"] if order == "month_first" else ["day_first", "month_first"]
    suggested = {o: clean.suggest_date_format(examples, o) for o in orders}
    ways = {"day_first": "day first (UK)", "month_first": "month first (US)"}
    formats = " or ".join(f'date_formats: ["{f}"] if they are written {ways[o]}' if len(orders) > 1
                          else f'date_formats: ["{f}"]' for o, f in suggested.items() if f)
    formats = formats or 'date_formats: a strptime format such as ["%m/%d/%Y %I:%M:%S %p"]'
    fix = f"Add {formats} to the profile {profile.path or profile.name!r}."
    if order == "month_first":
        raise ExportError(f"{where}: dates are written month first ({examples[0]!r} has a day above 12 in "
                          f"the second place), not day first as UK systems write them. {fix}")
    raise ExportError(f"{where}: every date could be day first or month first (for example "
                      f"{' and '.join(repr(e) for e in examples)}), so cxinsight will not guess. {fix}")


@dataclass
class Reading:
    """One canonical field being read from an export: what a kind's parser is given and fills in.

    ``text``: the values, stripped, missing as ""; ``empty``: where nothing was written. A parser
    returns the parsed values and adds row rejections (:meth:`reject`, first reason per row wins) and
    repairs (:meth:`repair`: an action applied to the rows of a mask)."""

    canon: str
    spec: FieldSpec
    header: str
    raw: pd.Series
    text: pd.Series
    empty: np.ndarray
    profile: Profile
    file: str
    now: pd.Timestamp
    rejections: _Rejections
    repairs: list[tuple[str, str, np.ndarray]]

    def reject(self, mask: np.ndarray, reason: str, expected: str, found=None) -> None:
        self.rejections.add(mask, reason, self.canon, expected, self.text.to_numpy() if found is None else found)

    def repair(self, action: str, mask: np.ndarray) -> None:
        self.repairs.append((self.canon, action, mask))


def parse_datetime(r: Reading) -> pd.Series:
    declared = r.profile.date_formats
    if not declared:
        check_date_order(r.text.loc[~r.empty], r.file, r.header, r.profile)
    parsed = clean.parse_uk_datetime(r.text, declared, strict=bool(declared))
    expected = (f"a date written as {' or '.join(declared)} (the profile's date_formats)" if declared
                else "a UK date (day first)")
    r.reject(parsed.isna().to_numpy() & ~r.empty, "unparseable_date", expected)
    out_of_range = (parsed < pd.Timestamp(r.profile.valid_from)) | (parsed > r.now + pd.Timedelta(days=366))
    r.reject(out_of_range.to_numpy(), "date_out_of_range", f"a date from {r.profile.valid_from} to a year from now")
    return parsed


def _read_decimals(r: Reading) -> pd.Series:
    """The numbers' text with decimal commas read as points (a repair); one style per column or an error."""
    text, rewritten, dec, thou = clean.decimal_commas(r.text)
    if dec and thou:
        raise ExportError(f"{r.file}: column {r.header!r} mixes decimal commas (for example {dec[0]!r}) and "
                          f"thousands separators (for example {thou[0]!r}); expected one style of number. "
                          "Fix the export so every number is written the same way.")
    r.repair("decimal comma read as a decimal point", rewritten)
    return text


def parse_date(r: Reading) -> pd.Series:
    return parse_datetime(r).dt.normalize()


def parse_channel(r: Reading) -> pd.Series:
    values = clean.normalise_channels(r.text, r.profile.channels).astype("category")
    r.repair("blank or unrecognised channel set to 'other'", (values.eq("other") & ~r.text.str.lower().isin(["other"])).to_numpy())
    return values


def parse_service(r: Reading) -> pd.Series:
    r.repair("blank service set to 'unknown'", r.empty)
    return clean.normalise_services(r.text, r.profile.services).astype("category")


def parse_id(r: Reading) -> pd.Series:
    ids = clean.clean_ids(r.text, r.profile.zero_pad.get(r.canon))
    r.repair("leading zeros restored", (ids.fillna("").str.len() > r.text.str.len()).to_numpy())
    # Anything written that came out missing was a placeholder (NULL, N/A, 0, -).
    r.repair("placeholder id (NULL, N/A, 0, -) set to missing", ids.isna().to_numpy() & ~r.empty)
    return ids


def parse_duration(r: Reading) -> pd.Series:
    seconds, note = clean.parse_durations(_read_decimals(r))
    for action in note[note != ""].unique():
        r.repair(str(action), (note == action).to_numpy())
    return seconds


def parse_score(r: Reading) -> pd.Series:
    scores = clean.parse_scores(r.text)
    r.reject(scores.isna().to_numpy() & ~r.empty, "unreadable_value", "a whole number")
    r.reject(((scores < r.spec.minimum) | (scores > r.spec.maximum)).to_numpy(), "out_of_range",
             f"{r.spec.minimum:g} to {r.spec.maximum:g}")
    return scores


def parse_number(r: Reading) -> pd.Series:
    nums = clean.parse_numbers(_read_decimals(r))
    r.reject(nums.isna().to_numpy() & ~r.empty, "unreadable_value", "a number")
    return nums


def parse_bool(r: Reading) -> pd.Series:
    return clean.parse_bools(r.text)


def parse_lsoa(r: Reading) -> pd.Series:
    codes = clean.clean_lsoa_codes(r.text)
    r.repair("malformed area code set to missing", codes.isna().to_numpy() & ~r.empty)
    return codes


def parse_text(r: Reading) -> pd.Series:
    return r.raw.fillna("").where(~r.empty, None).astype("str")


def parse_category(r: Reading) -> pd.Series:
    return clean.clean_categories(r.text)


# The field-kind registry's half that knows how each kind is read from an export's text (the other
# half, what the processed column must hold, is cxinsight.schemas.KIND_COLUMNS). A new kind is a
# parser here and a column there; tests/test_io.py checks the two cover the same kinds.
PARSERS: dict[str, Callable[[Reading], pd.Series]] = {
    "id": parse_id, "datetime": parse_datetime, "date": parse_date, "channel": parse_channel,
    "service": parse_service, "text": parse_text, "category": parse_category, "duration": parse_duration,
    "score": parse_score, "int": parse_number, "float": parse_number, "bool": parse_bool, "lsoa": parse_lsoa,
}
REPAIRED_WHEN_MISSING = {"channel", "service"}  # required, but a blank is repaired, not rejected


def parse_export(raw: pd.DataFrame, profile: Profile, file: str,
                 now: pd.Timestamp | None = None) -> tuple[pd.DataFrame, pd.DataFrame, list[dict]]:
    """Canonical fields from one raw export: ``(clean, quarantine, repairs)``."""
    table = profile.table
    specs = FIELDS[table]
    profile.check_headers([c for c in raw.columns if c != "__row__"], file)
    n = len(raw)
    rej = _Rejections(n)
    headers = [c for c in raw.columns if c != "__row__"]
    blank = np.ones(n, dtype=bool)
    for h in headers:
        blank &= raw[h].fillna("").str.strip().eq("").to_numpy()
    rej.add(blank, "blank_row", None, "at least one value", "empty row")

    out: dict[str, pd.Series] = {}
    repair_masks: list[tuple[str, str, np.ndarray]] = []
    now = now or pd.Timestamp.now()
    given = {canon: raw[header.strip()] for canon, header in profile.columns.items()}
    given |= {canon: pd.Series(value, index=raw.index, dtype="str") for canon, value in profile.constants.items()}
    for canon, values in given.items():
        spec = specs[canon]
        header = profile.columns.get(canon, f"constant {profile.constants.get(canon)!r}")
        text = values.fillna("").str.strip()
        reading = Reading(canon, spec, header, values, text, text.eq("").to_numpy(), profile, file, now, rej,
                          repair_masks)
        if spec.required and spec.kind not in REPAIRED_WHEN_MISSING:
            reading.reject(reading.empty, "missing_value", f"a value in {header!r}", "")
        out[canon] = PARSERS[spec.kind](reading)
    frame = pd.DataFrame(out, index=raw.index)
    frame["source_file"] = pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), [file])
    frame["source_row"] = raw["__row__"].to_numpy()
    bad_rows = np.flatnonzero(rej.mask)
    key = (RECORD_KEYS[table] or (None,))[0]
    record_id = (raw[profile.columns[key].strip()].fillna("").str.strip().to_numpy(dtype=object)[bad_rows]
                 if key in profile.columns else np.full(bad_rows.size, None, dtype=object))
    quarantine = pd.DataFrame({
        "table": table, "source_file": file, "source_row": raw["__row__"].to_numpy()[bad_rows],
        "record_id": record_id,
        "reason": rej.reason[bad_rows], "column": rej.column[bad_rows],
        "expected": rej.expected[bad_rows], "found": rej.found[bad_rows],
        "record": _record_text(raw, bad_rows, profile),
    })
    kept = ~rej.mask
    repairs = [{"source_file": file, "column": col, "action": action, "rows": int((mask & kept).sum())}
               for col, action, mask in repair_masks if (mask & kept).any()]
    return frame.loc[~rej.mask].reset_index(drop=True), quarantine, repairs


# ------------------------------------------------------------------------------------------------
# Public loaders
# ------------------------------------------------------------------------------------------------


def resolve_paths(path: Path | str | list) -> list[Path]:
    """Files named by a path, a glob, a folder (its CSV and Excel files) or a list of those."""
    if isinstance(path, (list, tuple)):
        return [p for item in path for p in resolve_paths(item)]
    p = Path(path)
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if export_suffix(f) in {".csv", ".txt", ".tsv", ".xlsx", ".xls",
                                                                       ".xml", ".rss"})
    elif any(ch in str(p) for ch in "*?["):
        files = sorted(Path(f) for f in glob.glob(str(p)))
    else:
        files = [p]
    if not files:
        raise ExportError(f"{path}: no export files found")
    return files


def _load_one(file_path: Path, prof: Profile) -> tuple[pd.DataFrame, pd.DataFrame, list[dict], dict]:
    raw, rejected, info = read_raw(file_path, prof)
    name = file_path.name
    clean_part, quarantine, rep = parse_export(raw, prof, name)
    if rejected:
        extra = pd.DataFrame(rejected).assign(table=prof.table, source_file=name, record_id=None)
        quarantine = pd.concat([quarantine, extra[QUARANTINE_COLUMNS]], ignore_index=True)
    rows_in = len(raw) + len(rejected)
    log.info("%s: %d rows in, %d parsed, %d quarantined", name, rows_in, len(clean_part), len(quarantine))
    return clean_part, quarantine, rep, {"source_file": name, "rows_in": rows_in, **info}


def load_table(path, profile, table: str | None = None, search: list[Path] | None = None,
               workers: int | None = None) -> LoadResult:
    """Load every export at ``path`` with ``profile``; see the module docstring.

    Files are read and parsed ``workers`` at a time (default: one per core, at most one per file).
    """
    from concurrent.futures import ThreadPoolExecutor

    prof = load_profile(profile, search=search)
    if table and prof.table != table:
        raise ProfileError(f"profile {prof.name!r} is for the {prof.table} table, not {table}")
    files = resolve_paths(path)
    workers = max(1, min(workers or os.cpu_count() or 1, len(files)))
    if workers == 1:
        parts = [_load_one(f, prof) for f in files]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(lambda f: _load_one(f, prof), files))
    frames = [p[0] for p in parts]
    quarantines = [p[1] for p in parts]
    repairs = [r for p in parts for r in p[2]]
    summary = [p[3] for p in parts]
    data = _concat_frames(frames)
    del parts, frames  # free the per-file copies before de-duplication
    quarantine = pd.concat(quarantines, ignore_index=True)

    key = [k for k in (RECORD_KEYS[prof.table] or ()) if k in data.columns]
    generated = data["source_file"].astype("str") + ":" + data["source_row"].astype("str")
    if prof.table == "contacts" and "contact_id" not in data.columns:
        data["contact_id"] = generated
        key = [c for c in [*prof.columns, *prof.constants] if c in data.columns]
    elif prof.table == "contacts" and data["contact_id"].isna().any():  # some rows have no id: file:row
        missing = data["contact_id"].isna()
        log.info("%d contacts have no id; each is given its file and record number", int(missing.sum()))
        data["contact_id"] = data["contact_id"].where(~missing, generated)
    data, quarantine = quarantine_duplicates(data, quarantine, prof.table, key)
    repairs_frame = pd.DataFrame(repairs, columns=["source_file", "column", "action", "rows"])
    result = LoadResult(prof.table, data, quarantine, _count(pd.DataFrame(summary), data, quarantine),
                        repairs_frame, prof.name, tuple(key))
    return result.check()


def _concat_frames(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack canonical frames, keeping categoricals categorical (categories unified)."""
    frames = [f for f in frames if len(f)] or frames[:1]  # an empty file adds no rows (nor its dtypes)
    categorical = [c for c in frames[0].columns
                   if all(isinstance(f[c].dtype, pd.CategoricalDtype) for f in frames if c in f)]
    unified = {c: union_categoricals([f[c] for f in frames if c in f], ignore_order=True) for c in categorical}
    columns = list(dict.fromkeys(c for f in frames for c in f.columns))
    data = pd.concat([f.drop(columns=categorical) for f in frames], ignore_index=True)
    for c in categorical:
        if len(unified[c]) == len(data):
            data[c] = pd.Categorical(unified[c])
        else:  # a column some exports lack: missing there
            data[c] = pd.concat([f[c].astype("object") if c in f else pd.Series([None] * len(f), dtype="object")
                                 for f in frames], ignore_index=True).astype("category")
    return data[columns]


def _count(summary: pd.DataFrame, data: pd.DataFrame, quarantine: pd.DataFrame) -> pd.DataFrame:
    """Per file: rows in, clean and quarantined (rows in = clean + quarantined)."""
    summary = summary.drop(columns=["rows_clean", "rows_quarantined"], errors="ignore")
    clean_n = data.groupby("source_file", observed=True).size()
    quar_n = quarantine.groupby("source_file", observed=True).size()
    summary.insert(2, "rows_clean", summary["source_file"].map(clean_n).fillna(0).astype(int))
    summary.insert(3, "rows_quarantined", summary["source_file"].map(quar_n).fillna(0).astype(int))
    return summary


def _people_hidden(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with any staff or customer id column as pseudonyms (for a record shown in the quarantine)."""
    from cxinsight import pseudonym

    return pseudonym.pseudonymise_people(frame)[0] if set(pseudonym.PERSON_IDS) & set(frame.columns) else frame


def quarantine_duplicates(data: pd.DataFrame, quarantine: pd.DataFrame, table: str,
                          key: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Move rows repeating an earlier row's ``key`` to the quarantine, naming the record repeated."""
    data = data.assign(source_file=data["source_file"].astype("category"))
    if key:
        id_col = (RECORD_KEYS[table] or key)[0]
        id_col = id_col if id_col in data.columns else key[0]
        dups = clean.find_duplicates(data, key)
        if len(dups):
            rows = dups.index.to_numpy()
            dq = pd.DataFrame({
                "table": table, "source_file": data.loc[rows, "source_file"].astype(str).to_numpy(),
                "source_row": data.loc[rows, "source_row"].to_numpy(),
                "record_id": data.loc[rows, id_col].astype(str).to_numpy(), "reason": "duplicate",
                "column": ",".join(key), "expected": "a record not seen before",
                "found": ("same " + ",".join(key) + " as " + dups["first_source_file"].astype(str)
                          + " record " + dups["first_source_row"].astype(str)).to_numpy(),
                "record": _join_columns(_people_hidden(data.loc[rows, key])),
            })
            quarantine = pd.concat([quarantine, dq], ignore_index=True)
            data = data.drop(index=rows).reset_index(drop=True)
    quarantine = quarantine.assign(source_row=quarantine["source_row"].astype("int64"))
    return data, quarantine


def combine(results: list[LoadResult]) -> LoadResult:
    """Several exports of one table (listed separately in sources.yaml) as one: rows stacked,
    categories unified, and a record repeated across exports quarantined as a duplicate."""
    if len(results) == 1:
        return results[0]
    first = results[0]
    data = _concat_frames([r.data for r in results])
    quarantine = pd.concat([r.quarantine for r in results], ignore_index=True)
    keys = {r.key for r in results}
    key = list(first.key) if len(keys) == 1 else [k for k in (RECORD_KEYS[first.table] or ()) if k in data]
    if len(keys) > 1:
        log.info("%s exports identify records differently; checking duplicates across them on %s",
                 first.table, key or "nothing")
    data, quarantine = quarantine_duplicates(data, quarantine, first.table, key)
    summary = pd.concat([r.summary for r in results], ignore_index=True)
    repairs = pd.concat([r.repairs for r in results], ignore_index=True)
    return LoadResult(first.table, data, quarantine, _count(summary, data, quarantine), repairs,
                      "+".join(r.profile for r in results), tuple(key)).check()


def load_contacts(path, profile="demo_crm", **kwargs) -> LoadResult:
    """Load contact exports (CRM, telephony) into the canonical contacts table."""
    return load_table(path, profile, table="contacts", **kwargs)


def load_complaints(path, profile="demo_complaints", **kwargs) -> LoadResult:
    """Load complaint-system exports into the canonical complaints table."""
    return load_table(path, profile, table="complaints", **kwargs)


def load_survey(path, profile="demo_survey", **kwargs) -> LoadResult:
    """Load survey-platform exports into the canonical survey table."""
    return load_table(path, profile, table="survey", **kwargs)
