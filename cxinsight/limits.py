"""Bounds on what a council's files may hold, checked before a parser is handed them (issue 28).

A parser given a hostile file spends what the file asks of it: a 1 KB YAML file of nested aliases
expands to gigabytes, a CSV header of a million columns makes Arrow build a million columns, and a
field of 200 MB must fit in one of Arrow's blocks. So each file is measured first, in bounded memory
and one pass, and what is over a limit is refused (or, for a record, quarantined) with a message
naming the file, the place, what was expected and what was found:

- a configuration file (``sources.yaml``, a profile, ``council.yaml``) is at most
  :attr:`Limits.yaml_bytes` (anchors and aliases are refused where it is parsed,
  :func:`cxinsight.profile.read_yaml`);
- an export's header has at most :attr:`Limits.max_columns` columns, read from its first line
  with a cap on how much is read (:func:`first_line`);
- no field is over :attr:`Limits.field_bytes` and no record over :attr:`Limits.record_bytes`
  (:func:`scan_csv`: a quote-aware scan of the bytes, in blocks, with numpy); such a record is
  quarantined by the loader, the rest of the file is read as usual.

The export limits can be raised for a council whose exports really are that wide, with
``CXINSIGHT_MAX_COLUMNS``, ``CXINSIGHT_MAX_FIELD_BYTES`` and ``CXINSIGHT_MAX_RECORD_BYTES``.

>>> limits = Limits(field_bytes=10, record_bytes=40)
>>> scan = scan_csv([b'id,note\\n1,short\\n2,"far, far too long"\\n3,ok\\n'], ",", limits)
>>> scan.records, [(o.record, o.field, o.field_bytes) for o in scan.overlong]
(4, [(2, 1, 19)])
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

QUOTE, LF, CR = ord('"'), ord("\n"), ord("\r")


@dataclass(frozen=True)
class Limits:
    """How large a council's files may be; the defaults are far above any real export's."""

    max_columns: int = 2_000
    field_bytes: int = 1_000_000
    record_bytes: int = 8_000_000
    yaml_bytes: int = 1_000_000
    yaml_depth: int = 40  # nesting of mappings and lists in a configuration file

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, with ``CXINSIGHT_MAX_COLUMNS``, ``CXINSIGHT_MAX_FIELD_BYTES`` and
        ``CXINSIGHT_MAX_RECORD_BYTES`` where set (whole numbers; a record is never smaller than a field);
        ValueError, naming the variable, for anything else.

        >>> import os
        >>> os.environ["CXINSIGHT_MAX_COLUMNS"] = "5000"
        >>> Limits.from_env().max_columns
        5000
        >>> del os.environ["CXINSIGHT_MAX_COLUMNS"]
        """
        base = cls()
        columns = _env_int("CXINSIGHT_MAX_COLUMNS", base.max_columns)
        field_bytes = _env_int("CXINSIGHT_MAX_FIELD_BYTES", base.field_bytes)
        record = max(_env_int("CXINSIGHT_MAX_RECORD_BYTES", base.record_bytes), field_bytes)
        return cls(columns, field_bytes, record, base.yaml_bytes, base.yaml_depth)

    @property
    def header_chars(self) -> int:
        """How much of an export's first line is read looking for its end (500 characters a column)."""
        return max(1_000_000, 500 * self.max_columns)

    @property
    def arrow_block(self) -> int:
        """Arrow's block size: a record must fit in one block, so twice the largest record allowed."""
        return max(1 << 24, 2 * self.record_bytes)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.replace("_", "").replace(",", ""))
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"environment variable {name}: expected a whole number above 0, found {shown(raw)}")
    return value


def size_text(n: int) -> str:
    """A number of bytes as a reader says it.

    >>> size_text(512), size_text(1_000_000), size_text(209_715_200)
    ('512 bytes', '1 MB', '209.7 MB')
    """
    if n < 1_000:
        return f"{n:,} bytes"
    unit, scale = ("KB", 1e3) if n < 1_000_000 else ("MB", 1e6) if n < 1e9 else ("GB", 1e9)
    return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"


def shown(value: object, limit: int = 120) -> str:
    """``repr(value)`` cut to ``limit`` characters, for an error message that must not echo a file.

    >>> shown("x" * 500)[:10], len(shown("x" * 500))
    ("'xxxxxxxxx", 140)
    """
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text):,} characters)"


# ---- an export's first line ----------------------------------------------------------------------

def first_line(handle: io.TextIOBase, cap: int, chunk: int = 1 << 16) -> tuple[str, bool]:
    """The first line of a text handle (with its line end), read ``chunk`` characters at a time and
    never more than ``cap`` characters; ``(text, True)``, or ``(what was read, False)`` when no line
    end came within ``cap``.

    >>> first_line(io.StringIO("a,b\\r\\n1,2\\n"), 100)
    ('a,b\\r\\n', True)
    >>> first_line(io.StringIO("a,b,c,d"), 3, chunk=2)
    ('a,b,', False)
    """
    parts: list[str] = []
    read = 0
    while read <= cap:
        text = handle.read(chunk)
        if not text:
            return "".join(parts), True
        cut = min((i for i in (text.find("\n"), text.find("\r")) if i >= 0), default=-1)
        if cut >= 0:
            if text[cut] == "\r" and text[cut + 1: cut + 2] == "\n":
                cut += 1
            parts.append(text[: cut + 1])
            return "".join(parts), True
        parts.append(text)
        read += len(text)
    return "".join(parts), False


# ---- records and fields over a limit ---------------------------------------------------------------

@dataclass(frozen=True)
class Overlong:
    """One record over a limit: its number (0 is the header), its bytes ``[start, end)`` in the
    stream scanned (line end included), its longest field (0-based) and that field's size."""

    record: int
    start: int
    end: int
    field: int
    field_bytes: int
    record_bytes: int


@dataclass
class Scan:
    """What :func:`scan_csv` found: records (the header included), the longest record, and every
    record over a limit."""

    records: int = 0
    longest_record: int = 0
    overlong: list[Overlong] = field(default_factory=list)


def _well_placed(arr: np.ndarray, openers: np.ndarray, closers: np.ndarray, prev: int | None, nxt: int | None,
                 opens: np.ndarray) -> bool:
    """Whether every opening quote follows a delimiter, a line end or a quote, and every closing one
    is followed by one: then quotes alternate open and close (a "" closes and opens again)."""
    n = arr.size
    table = np.zeros(256, dtype=bool)
    table[[*opens.tolist(), QUOTE]] = True
    if openers.size:
        # a quote before an opening one is the first of a "" only if it is this block's (a closing
        # quote); the last block's last byte, a quote, was taken literally (a "" across blocks is ``skip``)
        if openers[0] == 0 and not (prev is None or prev in opens.tolist()):
            return False
        if not table[arr[np.maximum(openers - 1, 0)]].all():
            return False
    if closers.size:
        if closers[-1] == n - 1 and not (nxt is None or nxt == QUOTE or nxt in opens.tolist()):
            return False
        if not table[arr[np.minimum(closers + 1, n - 1)]].all():
            return False
    return True


def _quoted_spans(arr: np.ndarray, q: np.ndarray, inside: bool, skip: bool, prev: int | None,
                  nxt: int | None, opens: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool, bool]:
    """Where a block is inside a quoted field: ``(starts, ends, inside, skip)`` with the state the
    next block starts in. A quote opens a field only at its start (after a delimiter or a line end),
    ``""`` inside one is a quote, any other quote inside one closes it (as Python's csv and Arrow
    read them). Numpy when every quote is where RFC 4180 puts it; a walk over the quotes otherwise."""
    n = arr.size
    if skip:  # the second quote of a "" begun at the end of the last block
        q = q[1:]
    openers, closers = (q[1::2], q[0::2]) if inside else (q[0::2], q[1::2])
    if _well_placed(arr, openers, closers, prev, nxt, opens):
        starts = np.concatenate([[0] if inside else [], openers]).astype(np.int64)
        ends = closers.astype(np.int64)
        still = bool((q.size + inside) % 2)
        if still:
            ends = np.concatenate([ends, [n]])
        carry = bool(q.size) and not still and q[-1] == n - 1 and nxt == QUOTE
        if starts.size > 1:  # a "" splits one quoted field into two spans: join them
            apart = np.flatnonzero(starts[1:] != ends[:-1] + 1)
            starts, ends = starts[np.concatenate([[0], apart + 1])], ends[np.concatenate([apart, [ends.size - 1]])]
        return starts, ends, still or carry, carry
    before = np.where(q > 0, arr[np.maximum(q - 1, 0)].astype(np.int16), -1 if prev is None else prev)
    after = np.where(q < n - 1, arr[np.minimum(q + 1, n - 1)].astype(np.int16), -1 if nxt is None else nxt)
    starts_l: list[int] = [0] if inside else []
    ends_l: list[int] = []
    carry = False
    i = 0
    opening = set(opens.tolist()) | {-1}
    while i < q.size:
        p = int(q[i])
        if not inside:
            if int(before[i]) in opening:
                inside = True
                starts_l.append(p)
            i += 1
        elif int(after[i]) == QUOTE:  # "" inside a quoted field
            carry = p == n - 1
            i += 2
        else:
            inside = False
            ends_l.append(p)
            i += 1
    if inside:
        ends_l.append(n)
    return np.asarray(starts_l, dtype=np.int64), np.asarray(ends_l, dtype=np.int64), inside, carry


def _blocks_with_neighbours(blocks: Iterable[bytes]) -> Iterator[tuple[bytes, int | None, int | None]]:
    """Each non-empty block with the byte before it and the byte after it (None at either end)."""
    prev: int | None = None
    pending = b""
    for block in blocks:
        if not block:
            continue
        if pending:
            yield pending, prev, block[0]
            prev = pending[-1]
        pending = block
    if pending:
        yield pending, prev, None


def _outside(positions: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """``positions`` not inside a quoted span ``[starts[k], ends[k])`` of the block."""
    if not starts.size or not positions.size:
        return positions
    k = np.searchsorted(starts, positions, side="right") - 1
    return positions[~((k >= 0) & (positions < ends[np.maximum(k, 0)]))]


@dataclass
class _Open:
    """The record still open at the end of a block: where its last field began (the boundary before
    it, -1 at the start of the stream), fields ended so far, its longest field over the limit."""

    boundary: int = -1
    fields: int = 0
    longest: tuple[int, int] | None = None  # (field, bytes)


def _fields(arr: np.ndarray, a: int, b: int, starts: np.ndarray, ends: np.ndarray, delimiter: int | None,
            off: int, state: _Open, limit: int) -> _Open:
    """``state`` carried over ``arr[a:b]``: the field boundaries there (delimiters and line ends outside
    quotes), and the longest field over ``limit`` among the fields they end."""
    k = int(np.searchsorted(starts, a, side="right")) - 1
    if k >= 0 and ends[k] >= b:  # all inside one quoted field: no boundary here
        return state
    part = arr[a:b]
    hits = (part == LF) | (part == CR)
    if delimiter is not None:
        hits |= part == delimiter
    g = _outside(np.flatnonzero(hits) + a, starts, ends).astype(np.int64) + off
    if not g.size:
        return state
    lengths = np.diff(np.concatenate([[state.boundary], g])) - 1
    i = int(lengths.argmax())
    longest = state.longest
    if lengths[i] > limit and (longest is None or lengths[i] > longest[1]):
        longest = (state.fields + i, int(lengths[i]))
    return _Open(int(g[-1]), state.fields + int(g.size), longest)


def scan_csv(blocks: Iterable[bytes], delimiter: str, limits: Limits) -> Scan:
    """Every record of a CSV byte stream over :attr:`Limits.field_bytes` in a field or
    :attr:`Limits.record_bytes` in all, found in one pass over ``blocks`` with memory bounded by
    the block size (a field is never held whole). Quote-aware: a delimiter or line end inside a
    quoted field does not end it. Records are found from their line ends alone; only a record longer
    than the field limit (and the one open at a block's end) is split into fields. A delimiter that
    is not one byte in the stream is not seen, and each line is then measured as one field.

    >>> s = scan_csv([b'a,b\\n"x\\n', b'y",2\\r\\n3,4'], ",", Limits(field_bytes=3))
    >>> s.records, s.longest_record, [(o.record, o.start, o.end, o.field, o.field_bytes) for o in s.overlong]
    (3, 9, [(1, 4, 13, 0, 5)])
    """
    d = delimiter.encode("utf-8") if delimiter else b""
    delim = d[0] if len(d) == 1 else None
    opens = np.array([LF, CR] + ([delim] if delim is not None else []), dtype=np.int16)
    limit = limits.field_bytes
    found = Scan()
    off = 0  # where the block starts in the stream
    inside = skip = False
    record_start = 0  # where the record now open starts, in the stream
    state = _Open()
    record_no = 0

    def close(start: int, end: int, fields: _Open) -> None:
        nonlocal record_no
        size = end - start
        if fields.longest is not None or size > limits.record_bytes:
            field_no, field_bytes = fields.longest or (0, 0)
            found.overlong.append(Overlong(record_no, start, end, field_no, field_bytes, size))
        record_no += 1

    for block, prev, nxt in _blocks_with_neighbours(blocks):
        arr = np.frombuffer(block, dtype=np.uint8)
        n = arr.size
        special = np.flatnonzero((arr == QUOTE) | (arr == LF) | (arr == CR))  # one pass over the block
        kind = arr[special]
        starts, ends, inside, skip = _quoted_spans(arr, special[kind == QUOTE], inside, skip, prev, nxt, opens)
        lf = _outside(special[kind == LF], starts, ends)
        cr = special[kind == CR]
        if cr.size:  # a carriage return alone ends a record too (old Mac exports)
            following = np.where(cr + 1 < n, arr[np.minimum(cr + 1, n - 1)].astype(np.int16), -1 if nxt is None else nxt)
            lone = _outside(cr[following != LF], starts, ends)
            if lone.size:
                lf = np.union1d(lf, lone)
        if not lf.size:  # the open record runs through the whole block
            state = _fields(arr, 0, n, starts, ends, delim, off, state, limit)
            off += n
            continue
        record_ends = lf.astype(np.int64) + off + 1  # each record's end, its line end included
        record_starts = np.concatenate([[record_start], record_ends[:-1]])
        sizes = record_ends - record_starts
        found.longest_record = max(found.longest_record, int(sizes.max()))
        first = _fields(arr, 0, int(lf[0]) + 1, starts, ends, delim, off, state, limit)
        close(record_start, int(record_ends[0]), first)
        big = np.flatnonzero(sizes[1:] > min(limit, limits.record_bytes)) + 1
        done = 1
        for j in big.tolist():  # only a record longer than a field may hold one too long
            record_no += j - done
            done = j + 1
            a = int(lf[j - 1]) + 1
            fields = (_fields(arr, a, int(lf[j]) + 1, starts, ends, delim, off, _Open(a + off - 1), limit)
                      if sizes[j] > limit else _Open())
            close(a + off, int(record_ends[j]), fields)
        record_no += lf.size - done
        record_start = int(record_ends[-1])
        state = _fields(arr, int(lf[-1]) + 1, n, starts, ends, delim, off, _Open(record_start - 1), limit)
        off += n
    if off > record_start:  # the last record, when the stream does not end with a line end
        found.longest_record = max(found.longest_record, off - record_start)
        last = off - state.boundary - 1
        if last > limit and (state.longest is None or last > state.longest[1]):
            state = _Open(off - 1, state.fields + 1, (state.fields, last))
        close(record_start, off, state)
    found.records = record_no
    return found


# ---- reading around what was found -------------------------------------------------------------------

def skip_ranges(blocks: Iterable[bytes], ranges: list[tuple[int, int]]) -> Iterator[bytes]:
    """The stream ``blocks`` with the byte ranges ``[start, end)`` left out (sorted, not overlapping).

    >>> b"".join(skip_ranges([b"abcd", b"efgh"], [(1, 2), (3, 6)]))
    b'acgh'
    """
    off = 0
    k = 0
    for block in blocks:
        n = len(block)
        pieces = []
        pos = 0
        while k < len(ranges) and ranges[k][0] < off + n:
            start, end = ranges[k]
            if start - off > pos:
                pieces.append(block[pos: start - off])
            pos = max(pos, min(end - off, n))
            if end <= off + n:
                k += 1
            else:
                break
        if pos < n:
            pieces.append(block[pos:])
        off += n
        out = b"".join(pieces)
        if out:
            yield out


def numbering(skipped: list[int]):
    """The number in the file (from 1) of the j-th record read when the records ``skipped`` were
    left out of the stream: a function of j, or of an array of them.

    >>> numbering([2, 3])(np.arange(1, 5)).tolist()
    [1, 4, 5, 6]
    """
    shifted = np.asarray(sorted(skipped), dtype=np.int64)
    shifted = shifted - np.arange(shifted.size)
    return lambda j: j + np.searchsorted(shifted, j, side="right")


class BlockReader(io.RawIOBase):
    """A readable binary file over an iterator of byte blocks (what Arrow and ``io.TextIOWrapper`` read)."""

    def __init__(self, blocks: Iterable[bytes]) -> None:
        self._blocks = iter(blocks)
        self._left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._left:
            self._left = next(self._blocks, b"")
            if not self._left:
                return 0
        n = min(len(buffer), len(self._left))
        buffer[:n] = self._left[:n]
        self._left = self._left[n:]
        return n


def replace_invalid_utf8(blocks: Iterable[bytes], counter: list[int] | None = None) -> Iterator[bytes]:
    """UTF-8 blocks with each invalid byte replaced by U+FFFD (counted in ``counter[0]``).

    >>> n = [0]
    >>> b"".join(replace_invalid_utf8([b"caf\\xc3", b"\\xa9 \\x92"], n)).decode(), n
    ('café \\ufffd', [1])
    """
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    for block in blocks:
        text = decoder.decode(block)
        if counter is not None:
            counter[0] += text.count("\ufffd")
        yield text.encode("utf-8")
    text = decoder.decode(b"", final=True)
    if text:
        if counter is not None:
            counter[0] += text.count("\ufffd")
        yield text.encode("utf-8")
