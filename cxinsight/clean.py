"""Cleaning verbs: small, pure, vectorised functions from messy values to canonical ones.

Every verb works on the *unique* values of a column and broadcasts the answer back, so a year of
6 million contacts costs what its few hundred thousand distinct values cost. None mutates its
input.

>>> import pandas as pd
>>> normalise_channels(pd.Series(["TEL", " Face to Face ", "Web form", "Facebook", "??"])).tolist()
['phone', 'face_to_face', 'web', 'social', 'other']
>>> parse_uk_datetime(pd.Series(["03/04/2024 09:15", "2024-04-03 09:15:00", "45385.385417"])).dt.strftime("%d %b %Y %H:%M").tolist()
['03 Apr 2024 09:15', '03 Apr 2024 09:15', '03 Apr 2024 09:15']
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cxinsight.schemas import CHANNELS

log = logging.getLogger(__name__)

# ------------------------------------------------------------------------------------------------
# Broadcasting helper
# ------------------------------------------------------------------------------------------------


def map_unique(values: pd.Series, func) -> pd.Series:
    """Apply ``func`` (unique values -> array of results) once per distinct value and broadcast.

    >>> map_unique(pd.Series(["a", "b", "a"]), lambda u: [x.upper() for x in u]).tolist()
    ['A', 'B', 'A']
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    results = list(func(pd.Index(uniques)))
    mapped = np.empty(len(results), dtype=object)
    for i, value in enumerate(results):
        mapped[i] = value
    out = np.empty(len(values), dtype=object)
    valid = codes >= 0
    out[valid] = mapped[codes[valid]]
    out[~valid] = None
    return pd.Series(out, index=values.index, name=values.name)


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text).lower()).strip()


def slugify(values: pd.Series) -> pd.Series:
    """Lower-case, underscore-separated codes: ``"Env Health "`` -> ``"env_health"``.

    >>> slugify(pd.Series(["Env Health ", "Revs & Bens - CT"])).tolist()
    ['env_health', 'revs_bens_ct']
    """
    return map_unique(values, lambda u: [_key(x).replace(" ", "_") or "unknown" for x in u])


# ------------------------------------------------------------------------------------------------
# Channels
# ------------------------------------------------------------------------------------------------
CHANNEL_SYNONYMS: dict[str, str] = {}
for _canon, _words in {
    "phone": ["phone", "telephone", "tel", "phone call", "call", "telephony", "voice", "inbound call",
              "outbound call", "ivr", "voicemail", "voice mail", "answerphone", "contact centre", "call centre", "cc phone", "switchboard"],
    "face_to_face": ["f2f", "face to face", "face_to_face", "walk in", "walkin", "reception", "counter",
                     "in person", "visit", "home visit", "one stop shop", "customer service centre",
                     "drop in", "front desk"],
    "email": ["email", "e mail", "emails", "mailbox"],
    "web": ["web", "web form", "webform", "online", "online form", "website", "self service",
            "selfservice", "portal", "app", "mobile", "mobile app", "smartphone app", "my account", "myaccount", "e form", "eform", "internet",
            "digital"],
    "webchat": ["webchat", "web chat", "chat", "live chat", "chatbot", "chat bot"],
    "letter": ["letter", "post", "paper", "correspondence", "postal", "fax", "written"],
    "social": ["social", "social media", "facebook", "twitter", "twitter x", "x", "instagram",
               "nextdoor", "linkedin", "messenger"],
    # Known labels that say nothing about how the customer got in touch: counted as other, no warning.
    "other": ["other", "unknown", "n a", "na", "none", "not recorded", "sms", "text", "text message",
              "unspecified", "not known"],
}.items():
    for _w in _words:
        CHANNEL_SYNONYMS[_w] = _canon

_CHANNEL_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"chat"), "webchat"),
    (re.compile(r"\be ?mail\b"), "email"),
    (re.compile(r"phone|\btel\b|call"), "phone"),
    (re.compile(r"face|f2f|counter|reception|walk|person|visit"), "face_to_face"),
    (re.compile(r"web|online|portal|self ?serv|app\b|form\b"), "web"),
    (re.compile(r"letter|post|paper"), "letter"),
    (re.compile(r"facebook|twitter|social|instagram"), "social"),
]


def canonical_channel(text: object, extra: Mapping[str, str] | None = None) -> str:
    """The canonical channel for one raw value (see :func:`normalise_channels`)."""
    key = _key(text) if text is not None and text == text else ""
    if extra:
        for raw, canon in extra.items():
            if _key(raw) == key:
                return canon
    if key in CHANNEL_SYNONYMS:
        return CHANNEL_SYNONYMS[key]
    for pattern, canon in _CHANNEL_RULES:
        if pattern.search(key):
            return canon
    return "other"


def normalise_channels(values: pd.Series, extra: Mapping[str, str] | None = None) -> pd.Series:
    """Map raw channel labels onto ``phone, face_to_face, email, web, webchat, letter, social, other``.

    Case, spacing and punctuation are ignored; ``extra`` (from a profile) adds or overrides
    mappings. Anything unrecognised, blank or missing becomes ``other``.

    >>> normalise_channels(pd.Series(["E-mail", "PHONE", "Live Chat", None]),
    ...                    extra={"Contact Centre Queue 3": "phone"}).tolist()
    ['email', 'phone', 'webchat', 'other']
    """
    if extra:
        bad = sorted(set(extra.values()) - set(CHANNELS))
        if bad:
            raise ValueError(f"channel mapping targets {bad} are not canonical channels {list(CHANNELS)}")
    mapped = {_key(k) for k in (extra or {})}

    def convert(uniques: pd.Index) -> list[str]:
        out = [canonical_channel(x, extra) for x in uniques]
        unknown = sorted(str(x) for x, c in zip(uniques, out, strict=True)
                         if c == "other" and _key(x) and CHANNEL_SYNONYMS.get(_key(x)) != "other"
                         and _key(x) not in mapped)
        if unknown:
            log.warning("channel labels not recognised, counted as 'other' (map them in the profile's "
                        "'channels'): %s", unknown[:20])
        return out

    return map_unique(values, convert).fillna("other")


# ------------------------------------------------------------------------------------------------
# Services
# ------------------------------------------------------------------------------------------------


MANY_SERVICES = 30  # above this, real feeds' categories are reported as the largest plus "all other"


def normalise_services(values: pd.Series, mapping: Mapping[str, Iterable[str]] | None = None) -> pd.Series:
    """Map raw service names onto canonical codes through a profile's ``services`` mapping.

    ``mapping`` is ``{canonical_code: [raw spellings]}``; matching ignores case, spacing and
    punctuation. Unmapped names become a slug of the raw name (logged, so the analyst can extend
    the profile); blanks become ``unknown``.

    >>> normalise_services(pd.Series(["Revs & Bens - CT", "COUNCIL TAX", "Pest Control", ""]),
    ...                    {"council_tax": ["Council Tax", "Revs & Bens - CT"]}).tolist()
    ['council_tax', 'council_tax', 'pest_control', 'unknown']
    """
    lookup = {}
    for canon, spellings in (mapping or {}).items():
        lookup[_key(canon)] = canon
        for s in spellings:
            lookup[_key(s)] = canon

    def convert(uniques: pd.Index) -> list[str]:
        from cxinsight.privacy import safe_system_names

        out, unmapped = [], []
        keys = [_key(raw) for raw in uniques]
        # a name the profile does not map becomes a slug of itself: after both personal-data detectors
        # have read it whole ("Mrs O'Neill bins" must not become "mrs_o_neill_bins", which neither sees)
        slugs = iter(safe_system_names([str(raw) for raw, k in zip(uniques, keys, strict=True) if k not in lookup]))
        for k in keys:
            if k in lookup:
                out.append(lookup[k])
            else:
                safe = next(slugs)
                out.append(_key(safe).replace(" ", "_") or "unknown")
                if k and mapping:
                    unmapped.append(safe)
        if unmapped:
            log.warning("service names not in the profile, kept as slugs: %s", sorted(unmapped)[:20])
        if len(set(out)) > MANY_SERVICES:
            log.warning("%d distinct services: charts show the largest; "
                        "group them in the profile's 'services' to report on fewer", len(set(out)))
        return out

    return map_unique(values, convert).fillna("unknown")


# ------------------------------------------------------------------------------------------------
# Dates and times (UK: day first, always)
# ------------------------------------------------------------------------------------------------
UK_DATETIME_FORMATS: tuple[str, ...] = (
    "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M", "%Y-%m-%d", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y",
    "%d/%m/%y %H:%M", "%d/%m/%y", "%d-%m-%y %H:%M", "%d-%m-%y", "%d.%m.%Y %H:%M", "%d.%m.%Y",
    "%d.%m.%y", "%d %b %Y %H:%M:%S", "%d %b %Y %H:%M", "%d %b %Y", "%d %B %Y", "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M",
)
LOCAL_TIME_ZONE = "Europe/London"
# A trailing time-zone designator: "Z", "UTC", "GMT", "+0100", "+01:00", "-05:00".
_OFFSET = re.compile(r"(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})$", re.IGNORECASE)
# A leading weekday, as RSS and e-mail dates write it: "Fri, 23 Apr 2021 20:14:22 +0100".
_WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+", re.IGNORECASE)
# Day and month written as numbers: which comes first cannot be told from the format alone.
_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:\D|$)")
_EXCEL_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")
EXCEL_EPOCH = pd.Timestamp("1899-12-30")


_DAY_MONTH = {  # how to read the written day and month back, to reject dates Arrow rolls over
    "%d": re.compile(r"^(?P<d>\d{1,2})[^\d](?P<m>\d{1,2})[^\d]\d{4}(?:[^\d]|$)").pattern,
    "%Y": re.compile(r"^\d{4}[^\d](?P<m>\d{1,2})[^\d](?P<d>\d{1,2})(?:[^\d]|$)").pattern,
}


_ARROW_SAFE = re.compile(r"^(%d[^%]%m[^%]%Y|%Y[^%]%m[^%]%d)")


def _arrow_strptime(text: pa.Array, fmt: str) -> np.ndarray | None:
    """Vectorised strptime for numeric formats, rejecting impossible days (31/02) that Arrow
    would otherwise roll into the next month. ``None`` where the format needs pandas."""
    rx = _DAY_MONTH.get(fmt[:2])
    if rx is None or not _ARROW_SAFE.match(fmt) or any(c in fmt for c in ("%b", "%B", "%f", "%p", "%y")):
        return None
    parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
    parts = pc.extract_regex(text, rx)
    day = pc.cast(pc.struct_field(parts, "d"), pa.int64(), safe=False)
    month = pc.cast(pc.struct_field(parts, "m"), pa.int64(), safe=False)
    ok = pc.and_(pc.equal(pc.day(parsed), day), pc.equal(pc.month(parsed), month))
    ok = pc.fill_null(ok, False)
    parsed = pc.if_else(ok, parsed, pa.scalar(None, parsed.type))
    return parsed.to_numpy(zero_copy_only=False).astype("datetime64[ns]")


def _parse_unique_dates(uniques: pd.Index, formats: Iterable[str]) -> np.ndarray:
    text = pd.Series(uniques).astype("str").str.strip().fillna("").to_numpy(dtype=object)
    result = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[ns]")
    todo = np.flatnonzero(text != "")
    for fmt in formats:
        if todo.size == 0:
            break
        chunk = text[todo]
        parsed = _arrow_strptime(pa.array(chunk, type=pa.string()), fmt)
        if parsed is None:
            parsed = pd.to_datetime(pd.Series(chunk, dtype=object), format=fmt, errors="coerce").to_numpy(
                "datetime64[ns]")
        ok = ~np.isnat(parsed)
        result[todo[ok]] = parsed[ok]
        todo = todo[~ok]
    if todo.size:  # Excel serial day numbers (1954-2119), as a sheet saves dates it did not recognise
        serial = pd.Series(text[todo], dtype=object)
        is_serial = serial.str.match(_EXCEL_SERIAL).fillna(False).to_numpy(bool)
        days = pd.to_numeric(serial[is_serial], errors="coerce").to_numpy(float)
        in_range = (days >= 20_000) & (days <= 80_000)
        when = (EXCEL_EPOCH + pd.to_timedelta(days[in_range], unit="D")).round("s")
        result[todo[is_serial][in_range]] = when.to_numpy("datetime64[ns]")
    return result


_ZONED = re.compile(r"^(?P<local>.*?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?)\s*"
                    r"(?:(?P<utc>Z|UTC|GMT)|(?P<sign>[+-])(?P<h>\d{2}):?(?P<m>\d{2}))$", re.IGNORECASE)


def _split_offsets(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local parts of date strings and their UTC offsets in minutes (NaN where none was written).

    Vectorised over the distinct values; an offset counts only after a time of day, so the year
    in "01-04-2024" is never read as one.
    """
    # Patterns passed as text, not compiled, so pandas runs them in Arrow (vectorised), not per value.
    s = pd.Series(text, dtype="str").str.strip()
    # A weekday's pattern needs Python's regex (its \s): run only on values whose first letter could
    # begin one (m, t, w, f, s, and the long s Python's ignoring case reads as s), found in Arrow.
    weekday = s.str[:1].isin(list("mMtTwWfFsS\u017f")).to_numpy(bool)
    if weekday.any():
        s = s.copy()
        s.iloc[np.flatnonzero(weekday)] = s[weekday].str.replace("(?i)" + _WEEKDAY.pattern, "", regex=True)
    minutes = np.full(len(s), np.nan)
    if not s.str.contains("(?i)" + _OFFSET.pattern, regex=True, na=False).any():
        return s.to_numpy(dtype=object), minutes
    parts = s.str.extract(_ZONED)
    zoned = parts["local"].notna().to_numpy()
    sign = np.where(parts["sign"].eq("-").to_numpy(), -1.0, 1.0)
    hm = parts["h"].astype(float).fillna(0).to_numpy() * 60 + parts["m"].astype(float).fillna(0).to_numpy()
    minutes[zoned] = (sign * hm)[zoned]
    local = s.where(~zoned, parts["local"]).to_numpy(dtype=object)
    return local, minutes


def parse_uk_datetime(values: pd.Series, formats: Iterable[str] | None = None, strict: bool = False) -> pd.Series:
    """Parse UK-written dates and times, day first, never guessing month first.

    Tries explicit formats in turn on the distinct values not yet parsed (``formats`` from a
    profile first, then :data:`UK_DATETIME_FORMATS`), then Excel serial day numbers. Values that
    match nothing, or name an impossible day (31/02), come back as ``NaT``: the loader quarantines
    them. With ``strict=True`` only ``formats`` are tried: a value that does not match a declared
    format is never read some other way.

    Times written with a zone (``+0100``, ``+01:00``, ``Z``; RSS's ``Fri, 23 Apr 2021 20:14:22 +0100``)
    are converted to local UK time (Europe/London, summer time included) and kept without a zone.

    >>> parse_uk_datetime(pd.Series(["01/02/2024", "31/02/2024", "1/2/2024 9:05", ""])).tolist()
    [Timestamp('2024-02-01 00:00:00'), NaT, Timestamp('2024-02-01 09:05:00'), NaT]
    >>> parse_uk_datetime(pd.Series(["2024-07-01T08:00:00Z", "Mon, 06 Jan 2025 09:30:00 +0000"])).tolist()
    [Timestamp('2024-07-01 09:00:00'), Timestamp('2025-01-06 09:30:00')]
    >>> parse_uk_datetime(pd.Series(["05/13/2022 01:15:00 PM", "13/05/2022 13:15"]),
    ...                   formats=["%m/%d/%Y %I:%M:%S %p"], strict=True).tolist()
    [Timestamp('2022-05-13 13:15:00'), NaT]
    """
    declared = tuple(f.replace("%z", "").replace("%Z", "").strip() for f in (formats or ()))
    fmts = declared if (strict and declared) else declared + UK_DATETIME_FORMATS
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    local, offset = _split_offsets(pd.Series(uniques, dtype=object).astype(str).to_numpy(dtype=object))
    parsed = _parse_unique_dates(pd.Index(local), fmts)
    zoned = ~np.isnan(offset) & ~np.isnat(parsed)
    if zoned.any():
        utc = pd.DatetimeIndex(parsed[zoned] - (offset[zoned] * 60e9).astype("timedelta64[ns]"))
        parsed[zoned] = utc.tz_localize("UTC").tz_convert(LOCAL_TIME_ZONE).tz_localize(None).to_numpy(
            "datetime64[ns]")
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    valid = codes >= 0
    out[valid] = parsed[codes[valid]]
    return pd.Series(out, index=values.index, name=values.name)


def date_order(values: pd.Series) -> tuple[str, list[str]]:
    """Whether numeric dates are written day first, month first, or cannot be told apart.

    Returns ``(order, examples)``: ``"day_first"`` when some first number is above 12,
    ``"month_first"`` when none is but some second number is, ``"ambiguous"`` when every day and
    month is 12 or less (05/01/2022 could be 5 January or 1 May), ``"none"`` when no value is
    written that way (ISO dates, month names). ``examples`` holds up to two values that show it.

    >>> date_order(pd.Series(["13/04/2024", "01/02/2024"]))
    ('day_first', ['13/04/2024'])
    >>> date_order(pd.Series(["05/13/2022 01:15 PM"]))
    ('month_first', ['05/13/2022 01:15 PM'])
    >>> date_order(pd.Series(["05/01/2022", "06/01/2022", "2024-01-05"]))
    ('ambiguous', ['05/01/2022', '06/01/2022'])
    """
    values = values.dropna()
    month_first: list[str] = []
    numeric: list[str] = []
    # In chunks, stopping at the first day above 12: a UK export proves itself within a few rows,
    # so the full scan is paid only by exports about to be refused.
    for start in range(0, len(values), 50_000):
        uniques = pd.Series(pd.unique(values.iloc[start:start + 50_000].astype(str)), dtype=object)
        parts = uniques.str.extract(_NUMERIC_DATE).dropna()
        if parts.empty:
            continue
        first, second = parts[0].astype(int).to_numpy(), parts[1].astype(int).to_numpy()
        if (first > 12).any():
            return "day_first", uniques[parts.index[first > 12]].head(2).tolist()
        if len(month_first) < 2:
            month_first += uniques[parts.index[second > 12]].head(2 - len(month_first)).tolist()
        if len(numeric) < 2:
            numeric += uniques[parts.index].head(2 - len(numeric)).tolist()
    if month_first:
        return "month_first", month_first
    return ("ambiguous", numeric) if numeric else ("none", [])


_DATE_SHAPE = re.compile(
    r"^\s*(?:(?P<iso>\d{4})(?P<isep>[-/.])\d{1,2}(?P=isep)\d{1,2}"
    r"|\d{1,2}(?P<sep>[-/.])\d{1,2}(?P=sep)(?P<year>\d{4}|\d{2}))"
    r"(?:(?P<t>[T ]|\s+)(?P<h>\d{1,2}):\d{2}(?P<s>:\d{2})?(?P<f>\.\d{1,6})?(?P<sp>\s*)(?P<ampm>[AaPp][Mm])?)?\s*$")


def suggest_date_format(values: Iterable[str], order: str | None = None) -> str | None:
    """A strptime format that reads every example value, made from how they are written, or None.

    ``order`` says how numeric day and month are written: ``"month_first"`` (a US system),
    ``"day_first"`` or None (day first unless the year comes first). A suggestion is only made if
    :func:`datetime.datetime.strptime` reads every value with it.

    >>> suggest_date_format(["1/1/20 0:05"], "month_first")
    '%m/%d/%y %H:%M'
    >>> suggest_date_format(["01/31/2020 11:05:00 PM"], "month_first")
    '%m/%d/%Y %I:%M:%S %p'
    >>> suggest_date_format(["2020-01-31T23:05:00"]), suggest_date_format(["31.01.2020"])
    ('%Y-%m-%dT%H:%M:%S', '%d.%m.%Y')
    """
    from datetime import datetime

    values = [str(v).strip() for v in values if str(v).strip()]
    if not values:
        return None
    m = _DATE_SHAPE.match(values[0])
    if m is None:
        return None
    if m["iso"]:
        fmt = f"%Y{m['isep']}%m{m['isep']}%d"
    else:
        day_month = ("%m", "%d") if order == "month_first" else ("%d", "%m")
        year = "%Y" if len(m["year"]) == 4 else "%y"
        fmt = f"{day_month[0]}{m['sep']}{day_month[1]}{m['sep']}{year}"
    if m["h"] is not None:
        fmt += ("T" if m["t"] == "T" else " ") + ("%I" if m["ampm"] else "%H") + ":%M"
        fmt += ":%S" if m["s"] else ""
        fmt += ".%f" if m["f"] else ""
        fmt += (" " if m["sp"] else "") + "%p" if m["ampm"] else ""
    try:
        for v in values:
            datetime.strptime(v, fmt)
    except ValueError:
        return None
    return fmt


# ------------------------------------------------------------------------------------------------
# Numbers
# ------------------------------------------------------------------------------------------------
EXCEL_ERRORS = frozenset({"#N/A", "#VALUE!", "#DIV/0!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!",
                          "#CALC!", "N/A"})
_HMS = re.compile(r"^(-)?(?:(\d+):)?(\d{1,2}):(\d{1,2})$")


def _duration_one(text: str) -> tuple[float, str]:
    t = text.strip()
    if t == "":
        return np.nan, ""
    if t.upper() in EXCEL_ERRORS:
        return np.nan, "excel error value set to missing"
    m = _HMS.match(t)
    if m:
        sign, h, mnt, s = m.groups()
        value = int(h or 0) * 3600 + int(mnt) * 60 + int(s)
        value = -value if sign else value
    else:
        try:
            value = float(t.replace(",", ""))
        except ValueError:
            return np.nan, "unreadable duration set to missing"
    if value < 0:
        return np.nan, "negative duration set to missing"
    return float(value), ""


def parse_durations(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Seconds from ``"312"``, ``"0:05:12"`` or ``"05:12"``; returns ``(seconds, repair_note)``.

    Negative durations, Excel error cells and unreadable text become missing, each with a note
    saying why (the loader counts them as repairs).

    >>> s, note = parse_durations(pd.Series(["312", "0:05:12", "-40", "#N/A", ""]))
    >>> s.tolist()
    [312.0, 312.0, nan, nan, nan]
    >>> note.tolist()
    ['', '', 'negative duration set to missing', 'excel error value set to missing', '']
    """
    codes, uniques = pd.factorize(values.fillna(""), use_na_sentinel=True)
    pairs = [_duration_one(str(u)) for u in pd.Series(uniques).astype("str").to_numpy(dtype=object)]
    seconds_u = np.array([p[0] for p in pairs] + [np.nan], dtype="float64")
    notes_u = np.array([p[1] for p in pairs] + [""], dtype=object)
    seconds = pd.Series(seconds_u[codes], index=values.index, name=values.name)
    notes = pd.Series(notes_u[codes], index=values.index, name=values.name, dtype=object)
    return seconds, notes


def _score_one(text: str) -> float:
    m = re.match(r"^\D*?(-?\d+(?:\.0+)?)(?![\d.])", text.strip())
    return float(m.group(1)) if m else np.nan


def parse_scores(values: pd.Series) -> pd.Series:
    """The first whole number in an answer: ``"10 - Extremely likely"`` -> 10, ``"Stage 2"`` -> 2.

    >>> parse_scores(pd.Series(["10 - Extremely likely", "7", "Stage 2", "", "n/a", "-1"])).tolist()
    [10.0, 7.0, 2.0, nan, nan, -1.0]
    """
    return map_unique(values.fillna(""), lambda u: [_score_one(str(x)) for x in u]).astype("float64")


def parse_numbers(values: pd.Series) -> pd.Series:
    """Numbers written with thousands separators, percent signs or Excel errors.

    >>> parse_numbers(pd.Series(["1,234", "12.5%", "#N/A", ""])).tolist()
    [1234.0, 12.5, nan, nan]
    """
    text = values.fillna("").astype(str).str.replace(r"[,%£\s]", "", regex=True)
    return pd.to_numeric(text.where(~text.str.upper().isin(EXCEL_ERRORS), ""), errors="coerce").astype("float64")


_DECIMAL_COMMA = re.compile(r"^[-+]?(?:\d+|\d{1,3}(?:\.\d{3})+),\d{1,2}$|^[-+]?\d{1,3}(?:\.\d{3})+,\d+$")
_THOUSANDS_COMMA = re.compile(r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?%?$")


def decimal_commas(values: pd.Series) -> tuple[pd.Series, np.ndarray, list[str], list[str]]:
    """Numbers written with a decimal comma (``"12,5"``, ``"1.234,56"``) rewritten with a point.

    A column is read as decimal-comma when some values have one or two digits after a comma and
    none looks like a thousands separator (``"1,234"``). Returns the new text, which rows were
    rewritten, and examples of each style; when both styles occur nothing is rewritten and the
    caller refuses the column (the examples say why).

    >>> text, changed, dec, thou = decimal_commas(pd.Series(["12,5", "7", "1.234,56", ""]))
    >>> text.tolist(), changed.tolist()
    (['12.5', '7', '1234.56', ''], [True, False, True, False])
    >>> decimal_commas(pd.Series(["1,234", "2,5"]))[2:]
    (['2,5'], ['1,234'])
    """
    codes, uniques = pd.factorize(values.fillna(""), use_na_sentinel=False)
    texts = [str(u).strip() for u in uniques]
    dec = [t for t in texts if _DECIMAL_COMMA.match(t)]
    thou = [t for t in texts if _THOUSANDS_COMMA.match(t)]
    changed = np.zeros(len(values), dtype=bool)
    if not dec or thou:
        return values, changed, dec[:3], thou[:3]
    new = np.array([t.replace(".", "").replace(",", ".") if _DECIMAL_COMMA.match(t) else t for t in texts],
                   dtype=object)
    hit = np.array([bool(_DECIMAL_COMMA.match(t)) for t in texts])
    changed = hit[codes]
    return pd.Series(new[codes], index=values.index, name=values.name), changed, dec[:3], thou[:3]


_TRUE = {"y", "yes", "true", "1", "t"}
_FALSE = {"n", "no", "false", "0", "f"}


def parse_bools(values: pd.Series) -> pd.Series:
    """``Y/N``, ``Yes/No``, ``True/False``, ``1/0``; anything else is missing.

    >>> parse_bools(pd.Series(["Y", "no", "", "maybe"])).tolist()
    [True, False, <NA>, <NA>]
    """
    key = values.fillna("").astype(str).str.strip().str.lower()
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[key.isin(_TRUE)] = True
    out[key.isin(_FALSE)] = False
    return out


# What systems write where they have no id: never an id, so two strangers are never linked by it.
PLACEHOLDER_IDS = frozenset({"null", "none", "n/a", "na", "#n/a", "nil", "0", "-", "--", "?", "unknown",
                             "not known", "tbc", "0000000000", "00000000"})


def placeholder_ids(values: pd.Series) -> pd.Series:
    """Whether each value is a placeholder a system writes for "no id" (``NULL``, ``N/A``, ``0``, ``-``).

    >>> placeholder_ids(pd.Series(["NULL", " n/a ", "0", "-", "A0", "10"])).tolist()
    [True, True, True, True, False, False]
    """
    return values.fillna("").astype("str").str.strip().str.lower().isin(PLACEHOLDER_IDS)


def clean_ids(values: pd.Series, zero_pad: int | None = None) -> pd.Series:
    """Trim identifiers; restore leading zeros Excel removed from all-digit ids; blanks and
    placeholders (``NULL``, ``N/A``, ``0``, ``-``) -> missing.

    >>> clean_ids(pd.Series([" 123456", "00123456", "", "AB12", "NULL", "0"]), zero_pad=8).tolist()
    ['00123456', '00123456', nan, 'AB12', nan, nan]
    """
    text = values.fillna("").astype("str").str.strip()
    text = text.where(~placeholder_ids(text), "")
    if zero_pad:
        digits = text.str.fullmatch(r"\d+") & (text.str.len() < zero_pad)
        text = text.where(~digits, text.str.zfill(zero_pad))
    return text.where(text != "")


def clean_categories(values: pd.Series) -> pd.Series:
    """Trim and collapse internal whitespace; blanks -> missing; a categorical (few distinct values).

    >>> clean_categories(pd.Series(["  Resolved   at first contact ", ""])).tolist()
    ['Resolved at first contact', nan]
    """
    codes, uniques = pd.factorize(values.fillna(""), use_na_sentinel=True)
    tidy = np.array([" ".join(str(u).split()) for u in uniques] + [""], dtype=object)[codes]
    cat_codes, categories = pd.factorize(tidy)
    blank = categories == ""
    cat_codes = np.where(blank[cat_codes], -1, cat_codes)
    keep = np.flatnonzero(~blank)
    remap = np.full(len(categories), -1)
    remap[keep] = np.arange(keep.size)
    final = np.where(cat_codes >= 0, remap[np.maximum(cat_codes, 0)], -1)
    return pd.Series(pd.Categorical.from_codes(final, pd.Index(categories[keep], dtype="str")),
                     index=values.index, name=values.name)


def clean_lsoa_codes(values: pd.Series) -> pd.Series:
    """Upper-case ONS area codes; anything not shaped like one (``E01234567``) -> missing.

    >>> clean_lsoa_codes(pd.Series(["e01012345", "E0101", ""])).tolist()
    ['E01012345', nan, nan]
    """
    text = values.fillna("").astype("str").str.strip().str.upper()
    return text.where(text.str.fullmatch(r"[EWS]\d{8}"))


# ------------------------------------------------------------------------------------------------
# Records: duplicates and repeat contacts
# ------------------------------------------------------------------------------------------------


def find_duplicates(frame: pd.DataFrame, subset: list[str]) -> pd.DataFrame:
    """Rows repeating an earlier row's ``subset`` values, with the earlier row they repeat.

    Returns a frame indexed like the duplicate rows with columns ``first_source_file`` and
    ``first_source_row``. Rows with any missing key value are never called duplicates.

    >>> f = pd.DataFrame({"id": ["a", "b", "a"], "source_file": ["x.csv"] * 3, "source_row": [1, 2, 3]})
    >>> find_duplicates(f, ["id"]).to_dict("records")
    [{'first_source_file': 'x.csv', 'first_source_row': 1}]
    """
    keyed = frame[subset].notna().all(axis=1)
    dup = frame.duplicated(subset=subset, keep="first") & keyed
    if not dup.any():
        return pd.DataFrame({"first_source_file": pd.Series(dtype=object),
                             "first_source_row": pd.Series(dtype="int64")})
    firsts = frame.loc[keyed & ~dup & frame.duplicated(subset=subset, keep=False),
                       subset + ["source_file", "source_row"]]
    merged = frame.loc[dup, subset].reset_index().merge(firsts, on=subset, how="left").set_index("index")
    merged.index.name = None
    return merged.rename(columns={"source_file": "first_source_file", "source_row": "first_source_row"})[
        ["first_source_file", "first_source_row"]]


def previous_positions(contacts: pd.DataFrame, by: tuple[str, ...] = ("customer_id", "service")
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Row position of each contact's previous contact with the same ``by`` values (-1 if none),
    and the days since it. Integer codes and one lexsort: no string joins.

    >>> c = pd.DataFrame({"customer_id": ["1", "1", None], "service": ["x"] * 3,
    ...                   "received_at": pd.to_datetime(["2024-04-05", "2024-04-01", "2024-04-02"])})
    >>> previous_positions(c)[0].tolist()
    [1, -1, -1]
    """
    n = len(contacts)
    codes = [pd.factorize(contacts[k], use_na_sentinel=True)[0] for k in by]
    when = contacts["received_at"].to_numpy("datetime64[ns]").view("int64")
    order = np.lexsort([when, *reversed(codes)])
    same = np.zeros(n, dtype=bool)
    if n > 1:
        same[1:] = True
        for c in codes:
            cs = c[order]
            same[1:] &= (cs[1:] == cs[:-1]) & (cs[1:] >= 0)
    prev_sorted = np.full(n, -1, dtype=np.int64)
    prev_sorted[1:] = order[:-1]
    prev_sorted[~same] = -1
    t = when[order]
    gap_sorted = np.full(n, np.nan)
    gap_sorted[1:] = (t[1:] - t[:-1]) / 86_400e9
    gap_sorted[~same] = np.nan
    prev = np.empty(n, dtype=np.int64)
    prev[order] = prev_sorted
    gap = np.empty(n)
    gap[order] = gap_sorted
    return prev, gap


def link_repeat_contacts(contacts: pd.DataFrame, window_days: float = 14,
                         by: tuple[str, ...] = ("customer_id", "service")) -> pd.DataFrame:
    """Link each contact to the same customer's previous contact on the same service.

    Adds ``previous_contact_id``, ``days_since_previous`` and ``is_repeat`` (previous contact
    within ``window_days``). Contacts without a customer id are never repeats. One sort, no joins.

    >>> c = pd.DataFrame({"contact_id": ["a", "b", "c"], "customer_id": ["1", "1", None],
    ...                   "service": ["waste"] * 3,
    ...                   "received_at": pd.to_datetime(["2024-04-01", "2024-04-05", "2024-04-06"])})
    >>> link_repeat_contacts(c)[["previous_contact_id", "is_repeat"]].to_dict("list")
    {'previous_contact_id': [None, 'a', None], 'is_repeat': [False, True, False]}
    """
    prev, days = previous_positions(contacts, by)
    ids = contacts["contact_id"].to_numpy(dtype=object)
    previous_id = np.where(prev >= 0, ids[np.maximum(prev, 0)], None)
    return contacts.assign(previous_contact_id=pd.Series(previous_id, index=contacts.index, dtype=object),
                           days_since_previous=days,
                           is_repeat=np.nan_to_num(days, nan=np.inf) <= window_days)
