"""Profiles: how one system's export maps onto a canonical table, written in YAML, no code.

A profile names the table it loads, maps canonical fields to the export's column headers, and
optionally maps values (channels, services), restores leading zeros, and pins the encoding,
delimiter, sheet or extra date formats. Shipped profiles live in ``cxinsight/profiles/``; a
council keeps its own beside its ``sources.yaml`` (or anywhere, by path).

.. code-block:: yaml

    name: my_crm
    table: contacts
    columns:              # canonical field: header in the export
      received_at: Created On
      channel: Origin
      service: Subject Area
    channels:             # optional: raw value -> canonical channel
      Contact Centre Queue: phone
    services:             # optional: canonical code -> raw spellings
      council_tax: [Council Tax, CTAX]
    constants:            # optional: a field every row shares (a web-only feed)
      channel: web
    date_formats:         # how the export writes dates; required when day and month cannot
      - "%m/%d/%Y %I:%M:%S %p"   # be told apart, and then the only formats tried

>>> p = load_profile("demo_crm")
>>> p.table, p.columns["received_at"]
('contacts', 'Date/Time')
"""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from cxinsight.limits import Limits, shown, size_text
from cxinsight.schemas import CHANNELS, FIELDS, required_fields

BUILTIN_DIR = Path(__file__).resolve().parent / "profiles"


class _StrictLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing what a configuration file never needs and a hostile one uses:
    a key given twice (YAML itself keeps the last silently), anchors and aliases (``&a``, ``*a``,
    ``<<: *a``: nine nested aliases in 1 KB expand to a billion values) and nesting deeper than
    :attr:`~cxinsight.limits.Limits.yaml_depth`."""

    _depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            what = f"an alias (*{event.anchor})" if isinstance(event, yaml.AliasEvent) else f"an anchor (&{event.anchor})"
            raise yaml.composer.ComposerError(
                None, None, f"{what}: anchors and aliases are not accepted; write each value out in full",
                event.start_mark)
        depth = Limits().yaml_depth
        if self._depth >= depth:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {depth} levels deep; expected a short configuration file",
                event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _no_duplicates(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"{shown(key)} is given twice (line {key_node.start_mark.line + 1})", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def read_yaml(path: Path, what: str = "YAML file") -> object:
    r"""A configuration file read safely: at most :attr:`~cxinsight.limits.Limits.yaml_bytes`, no
    duplicate keys, no anchors or aliases; errors say where, never echo the file.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "p.yaml"
    >>> _ = p.write_text("name: a\ncolumns: {service: X, service: Y}\n")
    >>> read_yaml(p)
    Traceback (most recent call last):
    ...
    cxinsight.profile.ProfileError: .../p.yaml: not a valid YAML file: 'service' is given twice (line 2)
    >>> _ = p.write_text("a: &x [1, 2]\nb: *x\n")
    >>> read_yaml(p, "profile")
    Traceback (most recent call last):
    ...
    cxinsight.profile.ProfileError: .../p.yaml: not a valid profile at line 1, column 4 (an anchor (&x): anchors and aliases are not accepted; write each value out in full)
    """
    return _bounded_yaml(path, what, lambda text: yaml.load(text, Loader=_StrictLoader))  # noqa: S506 (safe)


def _bounded_yaml(path: Path, what: str, load) -> object:
    """``load(text)`` of a configuration file at most :attr:`~cxinsight.limits.Limits.yaml_bytes`
    long, every error it raises said as a :class:`ProfileError` naming the file and where, never
    echoing the file (:func:`read_yaml`, :func:`read_yaml_quickly`)."""
    path = Path(path)
    limit = Limits().yaml_bytes
    size = path.stat().st_size
    if size > limit:
        raise ProfileError(f"{path}: a {what} of {size_text(size)}; expected at most {size_text(limit)} "
                           f"(a configuration file is a page or two of settings). Check this is the right file.")
    try:
        return load(path.read_text(encoding="utf-8"))
    except yaml.constructor.ConstructorError as exc:
        raise ProfileError(f"{path}: not a valid {what}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ProfileError(f"{path}: not a valid {what}{where} ({getattr(exc, 'problem', None) or 'syntax'})") \
            from None
    except UnicodeDecodeError:
        raise ProfileError(f"{path}: not a valid {what}: it is not UTF-8 text") from None
    except RecursionError:
        raise ProfileError(f"{path}: not a valid {what}: nested too deeply; expected a short configuration file") \
            from None


def read_yaml_quickly(path: Path, what: str = "YAML file") -> object:
    r"""A larger configuration file of the project's own making (the classifier's taxonomy: hundreds
    of cues) read by libyaml in C, bounded as :func:`read_yaml` bounds a file: at most
    :attr:`~cxinsight.limits.Limits.yaml_bytes`, no anchors or aliases, nested at most
    :attr:`~cxinsight.limits.Limits.yaml_depth` levels, each checked on libyaml's events before anything
    is built. A key given twice is not looked for (YAML keeps the last): :func:`read_yaml` does
    that, in pure Python, a hundred times slower.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.yaml"
    >>> _ = p.write_text("a: &x [1, 2]\nb: *x\n")
    >>> read_yaml_quickly(p, "taxonomy")
    Traceback (most recent call last):
    ...
    cxinsight.profile.ProfileError: .../t.yaml: not a valid taxonomy at line 1, column 4 (an anchor (&x): anchors and aliases are not accepted; write each value out in full)
    >>> _ = p.write_text("cues: [{type: chasing}]\n")
    >>> read_yaml_quickly(p)
    {'cues': [{'type': 'chasing'}]}
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def load(text: str) -> object:
        depth, most = 0, Limits().yaml_depth
        for event in yaml.parse(text, Loader=loader):  # what _StrictLoader refuses, on libyaml's events
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                found = f"an alias (*{event.anchor})" if isinstance(event, yaml.AliasEvent) else f"an anchor (&{event.anchor})"
                raise yaml.composer.ComposerError(
                    None, None, f"{found}: anchors and aliases are not accepted; write each value out in full",
                    event.start_mark)
            depth += isinstance(event, yaml.CollectionStartEvent) - isinstance(event, yaml.CollectionEndEvent)
            if depth > most:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {most} levels deep; expected a short configuration file",
                    event.start_mark)
        return yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader; the events checked above)

    return _bounded_yaml(path, what, load)


def _known_codec(name: str) -> bool:
    import codecs

    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


class ProfileError(ValueError):
    """A profile is malformed, or does not fit the export it was asked to read."""


@dataclass(frozen=True)
class Profile:
    """One system's export layout. See the module docstring for the YAML form."""

    name: str
    table: str
    columns: dict[str, str]
    description: str = ""
    encoding: str = "auto"
    delimiter: str = "auto"
    sheet: str | int | None = None
    channels: dict[str, str] = field(default_factory=dict)
    services: dict[str, list[str]] = field(default_factory=dict)
    zero_pad: dict[str, int] = field(default_factory=dict)
    date_formats: tuple[str, ...] = ()
    valid_from: str = "2000-01-01"
    constants: dict[str, str] = field(default_factory=dict)
    path: str | None = None

    @classmethod
    def from_dict(cls, data: dict, path: str | None = None) -> Profile:
        named = data.get("name") if isinstance(data, dict) else None
        where = f"profile {path or (named if isinstance(named, str) else '?')}"
        if not isinstance(data, dict):
            raise ProfileError(f"{where}: expected a YAML mapping, found {type(data).__name__}")
        allowed = sorted(f for f in cls.__dataclass_fields__ if f != "path")
        unknown = sorted(set(data) - set(allowed), key=str)
        if unknown:
            hints = [difflib.get_close_matches(str(k), allowed, n=1, cutoff=0.6) for k in unknown]
            named = ", ".join(f"unknown key {shown(k, 80)}" + (f" (did you mean {h[0]!r}?)" if h else "")
                              for k, h in zip(unknown, hints, strict=True))
            raise ProfileError(f"{where}: {named}; allowed: {allowed}")
        table = data.get("table")
        if not isinstance(table, str) or table not in FIELDS:
            raise ProfileError(f"{where}: 'table' must be one of {sorted(FIELDS)}, found {shown(table)}")
        columns = data.get("columns") or {}
        if not isinstance(columns, dict):
            raise ProfileError(f"{where}: 'columns' must map canonical fields to headers; found {shown(columns)}")
        for key in ("columns", "constants", "zero_pad"):
            keys = data.get(key) if isinstance(data.get(key), dict) else {}
            odd = [k for k in keys if not isinstance(k, str)]
            if odd:
                raise ProfileError(f"{where}: '{key}' must be keyed by field names (text), such as "
                                   f"customer_id; found the key {shown(odd[0])} ({type(odd[0]).__name__})")
        bad = sorted(set(columns) - set(FIELDS[table]))
        if bad:
            hints = {b: difflib.get_close_matches(b, FIELDS[table], n=1) for b in bad}
            raise ProfileError(f"{where}: {bad} are not fields of the {table} table "
                               f"(did you mean {hints}?); fields are {list(FIELDS[table])}")
        constants = data.get("constants") or {}
        if not isinstance(constants, dict) or any(v is None or isinstance(v, (dict, list, set)) for v in constants.values()):
            raise ProfileError(f"{where}: 'constants' must map canonical fields to one value each, "
                               f"e.g. {{channel: web}}; found {shown(constants)}")
        off = sorted(set(constants) - set(FIELDS[table]))
        if off:
            raise ProfileError(f"{where}: constants {off} are not fields of the {table} table; "
                               f"fields are {list(FIELDS[table])}")
        both = sorted(set(constants) & set(columns))
        if both:
            raise ProfileError(f"{where}: {both} are given both a column and a constant; keep one")
        missing = [f for f in required_fields(table) if f not in columns and f not in constants]
        if missing:
            raise ProfileError(f"{where}: the {table} table needs {missing} mapped in 'columns' "
                               f"(or, if every row has the same value, set in 'constants')")
        formats = data.get("date_formats") or ()
        if isinstance(formats, str):
            formats = (formats,)
        if not isinstance(formats, (list, tuple)) or not all(isinstance(f, str) and "%" in f for f in formats):
            raise ProfileError(f"{where}: 'date_formats' must be a list of strptime formats such as "
                               f"'%d/%m/%Y %H:%M'; found {shown(formats)}")
        pad = data.get("zero_pad") or {}
        if not isinstance(pad, dict) or not all(isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 64
                                                for v in pad.values()):
            raise ProfileError(f"{where}: 'zero_pad' must map id fields to a whole number of digits from 1 to 64, "
                               f"e.g. {{customer_id: 8}}; found {shown(pad)}")
        encoding = data.get("encoding", "auto")
        if not isinstance(encoding, str) or (encoding != "auto" and not _known_codec(encoding)):
            raise ProfileError(f"{where}: 'encoding' must be 'auto' or a text encoding such as 'utf-8', "
                               f"'cp1252' or 'latin-1'; found {shown(encoding)}")
        delimiter = data.get("delimiter", "auto")
        delimiter = {"tab": "\t", "\\t": "\t"}.get(delimiter, delimiter) if isinstance(delimiter, str) else delimiter
        if not isinstance(delimiter, str) or (delimiter != "auto" and (len(delimiter) != 1 or delimiter in "\"\r\n")):
            raise ProfileError(f"{where}: 'delimiter' must be 'auto' or one character such as ',' ';' '|' or "
                               f"'tab'; found {shown(delimiter)}")
        sheet = data.get("sheet")
        if sheet is not None and not (isinstance(sheet, str) or (isinstance(sheet, int) and not isinstance(sheet, bool)
                                                                 and sheet >= 0)):
            raise ProfileError(f"{where}: 'sheet' must be a sheet name or a sheet number from 0; found {shown(sheet)}")
        for key in ("name", "description"):
            if data.get(key) is not None and not isinstance(data[key], str):
                raise ProfileError(f"{where}: '{key}' must be text; found {shown(data[key])}")
        valid_from = data.get("valid_from", "2000-01-01")
        try:
            if not isinstance(valid_from, (str, datetime.date)):
                raise ValueError(valid_from)
            pd.Timestamp(str(valid_from))
        except (ValueError, OverflowError):
            raise ProfileError(f"{where}: 'valid_from' must be a date such as 2015-04-01; found "
                               f"{shown(valid_from)}") from None
        if not all(isinstance(v, str) and v.strip() for v in columns.values()):
            raise ProfileError(f"{where}: every entry in 'columns' must name a column header as text; found "
                               f"{shown({k: v for k, v in columns.items() if not isinstance(v, str) or not v.strip()})}")
        not_ids = sorted(k for k in pad if FIELDS[table].get(k) is None or FIELDS[table][k].kind != "id")
        if not_ids:
            raise ProfileError(f"{where}: 'zero_pad' applies to id fields only; {not_ids} are not id fields of "
                               f"the {table} table")
        raw_channels = data.get("channels") or {}
        if not isinstance(raw_channels, dict):
            raise ProfileError(f"{where}: 'channels' must map what the export writes to a channel, e.g. "
                               f"{{'Tel': phone}}; found {shown(raw_channels)}")
        raw_services = data.get("services") or {}
        if not isinstance(raw_services, dict) or not all(
                isinstance(v, (str, list)) and all(isinstance(x, (str, int)) for x in ([v] if isinstance(v, str) else v))
                for v in raw_services.values() if v is not None):
            raise ProfileError(f"{where}: 'services' must map a service code to a list of the names the export "
                               f"uses, e.g. {{waste: [Refuse, Recycling]}}; found {shown(raw_services)}")
        channels = {str(k): str(v) for k, v in raw_channels.items()}
        off = sorted({v for v in channels.values() if v not in CHANNELS})
        if off:
            raise ProfileError(f"{where}: channels map to {shown(off)}, expected one of {list(CHANNELS)}")
        services = {str(k): [str(x) for x in ([v] if isinstance(v, str) else (v or []))]
                    for k, v in raw_services.items()}
        return cls(
            name=str(data.get("name") or (Path(path).stem if path else "unnamed")),
            table=table, columns={str(k): str(v) for k, v in columns.items()},
            description=str(data.get("description") or ""), encoding=encoding,
            delimiter=delimiter, sheet=sheet, channels=channels,
            services=services, zero_pad={str(k): int(v) for k, v in pad.items()},
            date_formats=tuple(formats), constants={str(k): str(v) for k, v in constants.items()},
            valid_from=str(valid_from), path=path,
        )

    def check_headers(self, headers: list[str], file: str) -> None:
        """Raise a :class:`ProfileError` naming every mapped column the file does not have."""
        have = [str(h).strip() for h in headers]
        problems = []
        for canon, header in self.columns.items():
            if header.strip() not in have:
                close = difflib.get_close_matches(header, have, n=1, cutoff=0.5)
                hint = f" (closest: {close[0]!r})" if close else ""
                problems.append(f"column {header!r} for {canon!r} not found{hint}")
        if problems:
            raise ProfileError(
                f"{file}: profile {self.name!r} does not fit this export: " + "; ".join(problems)
                + f". The file has columns {have}. Fix the 'columns' section of "
                f"{self.path or 'the profile'}.")


def load_profile(profile: str | Path | dict | Profile, search: list[Path] | None = None) -> Profile:
    """A :class:`Profile` from a name (looked up in ``search`` then the shipped profiles), a YAML
    path, a dict or a Profile."""
    if isinstance(profile, Profile):
        return profile
    if isinstance(profile, dict):
        return Profile.from_dict(profile)
    candidate = Path(profile)
    if candidate.suffix in {".yaml", ".yml"} and candidate.exists():
        path = candidate
    else:
        dirs = [*(search or []), BUILTIN_DIR]
        found = [d / f"{profile}.yaml" for d in dirs if (d / f"{profile}.yaml").exists()]
        if not found:
            available = sorted(p.stem for d in dirs if d.exists() for p in d.glob("*.yaml"))
            raise ProfileError(f"no profile {str(profile)!r} in {[str(d) for d in dirs]}; "
                               f"available: {available}")
        path = found[0]
    return Profile.from_dict(read_yaml(path, "profile"), path=str(path))


def builtin_profiles() -> list[str]:
    """Names of the profiles shipped with cxinsight.

    >>> "demo_crm" in builtin_profiles()
    True
    """
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))
