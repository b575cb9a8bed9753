"""Reading and writing back the demo council's CSV exports in tests that edit them (hostile councils):
each file in the encoding and with the delimiter it came in (the demo writes one quarter as
Windows-1252 and one with semicolons, as some CRMs do)."""

from __future__ import annotations

import csv
from pathlib import Path


def read_export(path: Path) -> tuple[list[list[str]], str, str]:
    """``(rows, encoding, delimiter)`` of one CSV export, the header first."""
    raw_bytes = path.read_bytes()
    try:
        encoding = "utf-8-sig"
        raw_bytes.decode(encoding)
    except UnicodeDecodeError:
        encoding = "cp1252"
    first_line = raw_bytes.decode(encoding).splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.reader(f, delimiter=delimiter)), encoding, delimiter


def write_export(path: Path, rows, encoding: str, delimiter: str) -> None:
    """``rows`` back to ``path`` in the encoding and with the delimiter :func:`read_export` found."""
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
