"""Several years and several councils: each council-year processed once, aggregated out of core.

A history file names each council's yearly ``sources.yaml`` (the same files the pipeline reads;
paths relative to the history file and inside its folder)::

    councils:
      - name: Harrow
        years:
          "2022-23": harrow/2022-23/sources.yaml
          "2023-24": harrow/2023-24/sources.yaml
      - name: Enfield
        years:
          "2023": enfield/2023/sources.yaml

:func:`build_history` processes each council-year on its own (load, clean, redact, classify,
segment: the pipeline and the analysis layer's own functions) and writes a slim table of classified
contacts, Parquet partitioned by council and year::

    <out>/units/council=<slug>/year=<year>/contacts.parquet   one row per clean contact
                                         /quarantine.parquet  every rejected row, with its reason
                                         /unit.json           what it was made from (a hash), rows in/out

A council-year whose sources file, raw files, profiles, rules and options are unchanged (the same
SHA-256 ``key``) is not redone, so adding a year costs one year. ``history.json`` (written last)
lists the council-years of the current history file; the aggregates read only those.

:func:`aggregate` counts contacts by council, year, month, service, channel, demand, failure type
and customer segment, reading the Parquet out of core: DuckDB by default (memory bounded by
``memory_limit``, not by the number of years), file by file in pandas (``engine="pandas"``), or on
a Dask cluster when a scheduler address is given (``scheduler="tcp://..."``). All three give the
same table (tested on a local cluster).

Limits, said plainly: each year is classified on its own, so a repeat or chase whose first contact
is in the previous year's export is not linked (the first ``repeat_window_days`` of a year undercount
behaviour-detected failure slightly); customer segments are each year's behaviour; the failure shares
are the rules' own (the review correction of :mod:`cxinsight.demand.measures` needs each year's
reviewed sample).

>>> council_slug("Royal Borough of Kingston upon Thames")
'royal-borough-of-kingston-upon-thames'
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cxinsight import outputs
from cxinsight.io import ExportError
from cxinsight.limits import shown
from cxinsight.profile import read_yaml

log = logging.getLogger(__name__)

HISTORY_VERSION = 1  # bump when what a council-year's folder holds changes: every unit is redone
YEAR = re.compile(r"\d{4}(-\d{2})?")
KEYS = ["council", "year", "month", "service", "channel", "demand", "failure_type", "segment"]
COUNTS = ["contacts", "repeats"]
NO_CUSTOMER = "no customer number"
COLUMNS = ["contact_id", "customer_id", "received_at", *KEYS, "demand_confidence", "demand_source", "is_repeat"]


def council_slug(name: str) -> str:
    """The council's name as a folder name: lower case, letters and digits joined by hyphens."""
    slug = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")
    if not slug:
        raise ExportError(f"a council name must hold letters or digits, found {name!r}")
    return slug


@dataclass(frozen=True)
class Unit:
    """One council-year: its name, folder name, year label and sources file."""

    council: str
    slug: str
    year: str
    sources: Path

    @property
    def folder(self) -> str:
        return f"council={self.slug}/year={self.year}"


@dataclass
class History:
    """The councils and years a history file names."""

    path: Path
    units: list[Unit]
    #: ``synthetic: true`` in the file (``cxinsight demo --history`` writes it): pages say so
    synthetic: bool = False

    @classmethod
    def read(cls, path: Path | str) -> History:
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"{path}: no history file (it maps 'councils' to a list of name and years)")
        data = read_yaml(path, "history file") or {}
        councils = data.get("councils") if isinstance(data, dict) else None
        if not isinstance(councils, list) or not councils:
            raise ExportError(f"{path}: a history file maps 'councils' to a list of councils, each with a "
                              f"'name' and 'years'; found {type(councils).__name__}")
        base = path.parent.resolve()
        units, slugs = [], {}
        for i, c in enumerate(councils):
            if not isinstance(c, dict) or not isinstance(c.get("years"), dict) or not c.get("name"):
                raise ExportError(f"{path}: councils[{i}] needs 'name' and 'years' (a mapping of year to "
                                  f"sources file); found {shown(c, 200)}")
            if not isinstance(c["name"], str):
                raise ExportError(f"{path}: councils[{i}].name: expected the council's name as text, found "
                                  f"{shown(c['name'])}")
            slug = council_slug(c["name"])
            if slug in slugs:
                raise ExportError(f"{path}: councils[{i}] {c['name']!r} has the same folder name ({slug!r}) as "
                                  f"{slugs[slug]!r}; give the councils distinct names")
            slugs[slug] = c["name"]
            for year, where in c["years"].items():
                year = str(year)
                if not YEAR.fullmatch(year):
                    raise ExportError(f"{path}: councils[{i}].years: expected a year as YYYY or YYYY-YY "
                                      f"(e.g. 2023 or 2023-24), found {year!r}")
                if not isinstance(where, str):
                    raise ExportError(f"{path}: councils[{i}].years[{year}]: expected the path of a sources file "
                                      f"as text, found {shown(where)}")
                rel = Path(where)
                target = (base / rel).resolve()
                if rel.is_absolute() or not target.is_relative_to(base):
                    raise ExportError(f"{path}: councils[{i}].years[{year}] must be a sources file inside "
                                      f"{base}; found {str(where)!r}")
                if not target.exists():
                    raise FileNotFoundError(f"{path}: councils[{i}].years[{year}]: {target} does not exist")
                units.append(Unit(str(c["name"]), slug, year, target))
        return cls(path, units, data.get("synthetic") is True)


@dataclass(frozen=True)
class HistoryOptions:
    """How each council-year is processed (part of every unit's key)."""

    repeat_window_days: float = 14
    deri_version: str = "v1.4"


@dataclass
class HistoryResult:
    """What :func:`build_history` did: each council-year's status (``processed`` or ``unchanged``)."""

    out: Path
    status: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def files(self) -> list[Path]:
        return [self.out / "units" / f / "contacts.parquet" for f in self.status["folder"]]


def unit_key(unit: Unit, options: HistoryOptions) -> str:
    """SHA-256 of everything a council-year's result depends on: the sources file, every raw file it
    names, the profiles that read them, the demand rules, the options and this module's version."""
    from cxinsight import __version__
    from cxinsight.demand.rules import rules_fingerprint
    from cxinsight.pipeline import Sources, file_sha256
    from cxinsight.profile import load_profile

    src = Sources.read(unit.sources)
    parts = {"version": [HISTORY_VERSION, __version__], "options": asdict(options),
             "sources": file_sha256(unit.sources), "rules": rules_fingerprint(), "files": [],
             "profiles": {}}
    search = [src.base / "profiles", src.base]
    for export in src.exports:
        for f in src.paths_for(export):
            parts["files"].append([export["table"], f.relative_to(src.base).as_posix(), file_sha256(f)])
        profile = load_profile(export["profile"], search)
        parts["profiles"][export["profile"]] = file_sha256(Path(profile.path)) if profile.path else None
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _month(received: pd.Series) -> pd.Series:
    """``YYYY-MM`` of each contact, formatted once per distinct month and broadcast."""
    months = received.to_numpy(dtype="datetime64[ns]").astype("datetime64[M]")
    uniques, codes = np.unique(months, return_inverse=True)
    labels = pd.Index(uniques.astype(str)).str.slice(0, 7)
    return pd.Series(pd.Categorical.from_codes(codes.ravel(), categories=labels), index=received.index)


def _constant(value: str, n: int) -> pd.Categorical:
    """``value`` n times, stored once (a one-category column)."""
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[value])


def process_unit(unit: Unit, options: HistoryOptions) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """One council-year: the pipeline (load, clean, redact, validate), then classify and segment as
    the analysis layer does. Returns the slim classified contacts, the quarantine and the row counts."""
    from cxinsight.analysis import segment as segment_by
    from cxinsight.demand import classify
    from cxinsight.pipeline import build_processed

    result = build_processed(unit.sources, write=False, repeat_window_days=options.repeat_window_days)
    accounting = result.accounting
    rows = {"rows_in": int(accounting["rows_in"].sum()), "rows_clean": int(accounting["rows_clean"].sum()),
            "rows_quarantined": int(accounting["rows_quarantined"].sum())}
    tables, quarantine = result.tables, result.quarantine
    del result  # the loaded raw tables are not needed beyond this point
    contacts = tables.pop("contacts")
    classified = classify(contacts, complaints=tables.get("complaints"), window_days=options.repeat_window_days)
    del contacts
    _, segments = segment_by(classified, tables.get("areas"), options.deri_version)
    if segments is not None:
        lookup = pd.Series(segments["segment"].astype(str).to_numpy(), index=segments["customer_id"].to_numpy())
        segment = classified["customer_id"].map(lookup).fillna(NO_CUSTOMER)
    else:
        segment = pd.Series(NO_CUSTOMER, index=classified.index)
    slim = pd.DataFrame({
        "contact_id": classified["contact_id"].astype(str),
        "customer_id": classified["customer_id"] if "customer_id" in classified else pd.Series(None, index=classified.index, dtype="str"),
        "received_at": classified["received_at"],
        "council": _constant(unit.slug, len(classified)),
        "year": _constant(unit.year, len(classified)),
        "month": _month(classified["received_at"]),
        "service": classified["service"].astype(str).astype("category"),
        "channel": classified["channel"].astype(str).astype("category"),
        "demand": classified["demand"].astype(str).astype("category"),
        "failure_type": classified["failure_type"].astype(str).astype("category"),
        "segment": segment.astype("category"),
        "demand_confidence": classified["demand_confidence"].astype("float32"),
        "demand_source": classified["demand_source"].astype(str).astype("category"),
        "is_repeat": classified["is_repeat"].fillna(False).astype(bool) if "is_repeat" in classified
        else pd.Series(False, index=classified.index),
    })[COLUMNS]
    return slim, quarantine, rows


def _complete(folder: Path, key: str) -> bool:
    meta = folder / "unit.json"
    if not meta.exists() or not (folder / "contacts.parquet").exists():
        return False
    return json.loads(meta.read_text(encoding="utf-8")).get("key") == key


def build_history(history: Path | str | History, out_dir: Path | str, options: HistoryOptions | None = None,
                  force: bool = False) -> HistoryResult:
    """Process every council-year of ``history`` into ``out_dir`` that is not already there unchanged.

    Returns each council-year's status; ``history.json`` in ``out_dir`` lists them (written last)."""
    hist = history if isinstance(history, History) else History.read(history)
    options = options or HistoryOptions()
    out = Path(out_dir).resolve()
    rows = []
    for unit in hist.units:
        t0 = time.perf_counter()
        folder = out / "units" / unit.folder
        key = unit_key(unit, options)
        if not force and _complete(folder, key):
            meta = json.loads((folder / "unit.json").read_text(encoding="utf-8"))
            log.info("%s %s: unchanged since it was processed (same key), not redone", unit.council, unit.year)
            rows.append({**meta, "status": "unchanged", "seconds": time.perf_counter() - t0})
            continue
        contacts, quarantine, counts = process_unit(unit, options)
        meta = {"council": unit.council, "council_slug": unit.slug, "year": unit.year, "folder": unit.folder,
                "key": key, "contacts": len(contacts), **counts}
        with outputs.replacing(folder) as stage:
            contacts.to_parquet(stage / "contacts.parquet", index=False, row_group_size=1_000_000)
            quarantine.to_parquet(stage / "quarantine.parquet", index=False)
            (stage / "unit.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        seconds = time.perf_counter() - t0
        log.info("%s %s: %s contacts processed in %.0f s (%s rows in, %s quarantined)", unit.council, unit.year,
                 f"{len(contacts):,}", seconds, f"{counts['rows_in']:,}", f"{counts['rows_quarantined']:,}")
        del contacts, quarantine
        rows.append({**meta, "status": "processed", "seconds": seconds})
    status = pd.DataFrame(rows)
    bad = status.loc[status["rows_in"] != status["rows_clean"] + status["rows_quarantined"]]
    if len(bad):
        raise AssertionError(f"row accounting fails for {bad[['council', 'year']].values.tolist()}")
    listing = status[["council", "council_slug", "year", "folder", "key", "contacts", "rows_in", "rows_clean",
                      "rows_quarantined"]].to_dict(orient="records")
    (out / "history.json").write_text(json.dumps({"history": str(hist.path.name), "synthetic": hist.synthetic,
                                                  "units": listing}, indent=1), encoding="utf-8")
    return HistoryResult(out, status)


def history_files(out_dir: Path | str) -> list[Path]:
    """The contacts files of the council-years the last :func:`build_history` listed."""
    out = Path(out_dir)
    listing = out / "history.json"
    if not listing.exists():
        raise FileNotFoundError(f"{out}: no history.json; run `cxinsight history` first")
    units = json.loads(listing.read_text(encoding="utf-8"))["units"]
    files = [out / "units" / u["folder"] / "contacts.parquet" for u in units]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        raise FileNotFoundError(f"{out}: history.json lists council-years whose files are gone: {missing[:3]}")
    return files


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Every engine's result in one form: string keys, int64 counts, sorted by the keys."""
    out = frame[KEYS + COUNTS].astype({**dict.fromkeys(KEYS, str), **dict.fromkeys(COUNTS, "int64")})
    return out.sort_values(KEYS, kind="stable").reset_index(drop=True)


def _duckdb(files: list[Path], memory_limit: str, threads: int | None) -> pd.DataFrame:
    import duckdb

    con = duckdb.connect(config={"memory_limit": memory_limit, **({"threads": threads} if threads else {})})
    try:
        keys = ", ".join(KEYS)
        return con.execute(
            f"SELECT {keys}, count(*) AS contacts, sum(CAST(is_repeat AS BIGINT)) AS repeats "
            f"FROM read_parquet(?, hive_partitioning = false) GROUP BY {keys}", [[str(f) for f in files]]).df()
    finally:
        con.close()


def _pandas(files: list[Path]) -> pd.DataFrame:
    """File by file (one council-year in memory at a time), then the small counts summed."""
    parts = []
    for f in files:
        frame = pd.read_parquet(f, columns=KEYS + ["is_repeat"])
        parts.append(frame.groupby(KEYS, observed=True, dropna=False).agg(
            contacts=("is_repeat", "size"), repeats=("is_repeat", "sum")))
    return pd.concat(parts).groupby(level=KEYS, observed=True, dropna=False).sum().reset_index()


def _dask(files: list[Path], scheduler: str) -> pd.DataFrame:
    import dask.dataframe as dd
    from distributed import Client

    with Client(scheduler, set_as_default=False) as client:
        frame = dd.read_parquet([str(f) for f in files], columns=KEYS + ["is_repeat"],
                                dataset={"partitioning": None})  # council and year are columns in the files
        for k in KEYS:  # categories differ between files: group on plain strings
            frame[k] = frame[k].astype(str)
        counts = frame.groupby(KEYS, dropna=False).agg(contacts=("is_repeat", "size"), repeats=("is_repeat", "sum"))
        return client.compute(counts).result().reset_index()


def aggregate(out_dir: Path | str, engine: str = "duckdb", scheduler: str | None = None,
              memory_limit: str = "4GB", threads: int | None = None) -> pd.DataFrame:
    """Contacts and repeat contacts by council, year, month, service, channel, demand, failure type
    and segment, over every council-year of the history in ``out_dir``.

    ``engine``: ``"duckdb"`` (out of core, ``memory_limit``), ``"pandas"`` (one council-year at a
    time) or ``"dask"`` (needs ``scheduler``, a Dask scheduler address; given a scheduler, Dask is
    used). Every engine returns the same table: string keys, int64 counts, sorted by the keys.
    """
    files = history_files(out_dir)
    if scheduler:
        engine = "dask"
    t0 = time.perf_counter()
    if engine == "duckdb":
        result = _duckdb(files, memory_limit, threads)
    elif engine == "pandas":
        result = _pandas(files)
    elif engine == "dask":
        if not scheduler:
            raise ValueError("engine='dask' needs scheduler, the address of a Dask scheduler (tcp://host:port)")
        result = _dask(files, scheduler)
    else:
        raise ValueError(f"engine: expected 'duckdb', 'pandas' or 'dask', found {engine!r}")
    result = _normalise(result)
    log.info("aggregated %s contacts from %d council-years with %s in %.1f s", f"{int(result['contacts'].sum()):,}",
             len(files), engine, time.perf_counter() - t0)
    return result


def yearly(aggregates: pd.DataFrame) -> pd.DataFrame:
    """One row per council and year: contacts, the rules' failure share, repeat contacts, the share
    online, and the share from customers the segment rule calls likely excluded (of those with a
    customer number).

    >>> a = pd.DataFrame({"council": ["x"] * 3, "year": ["2024"] * 3, "month": ["2024-05"] * 3,
    ...     "service": ["waste"] * 3, "channel": ["web", "phone", "phone"], "demand": ["value", "failure", "value"],
    ...     "failure_type": ["", "not_done", ""], "segment": ["self_serve", "likely_excluded", NO_CUSTOMER],
    ...     "contacts": [6, 3, 1], "repeats": [0, 2, 0]})
    >>> yearly(a)[["contacts", "failure_share", "digital_share", "likely_excluded_share"]].round(2).values.tolist()
    [[10.0, 0.3, 0.6, 0.33]]
    """
    from cxinsight.schemas import DIGITAL_CHANNELS

    a = aggregates
    parts = pd.DataFrame({
        "council": a["council"], "year": a["year"], "contacts": a["contacts"], "repeats": a["repeats"],
        "failure": a["contacts"].where(a["demand"] == "failure", 0),
        "digital": a["contacts"].where(a["channel"].isin(DIGITAL_CHANNELS), 0),
        "known": a["contacts"].where(a["segment"] != NO_CUSTOMER, 0),
        "excluded": a["contacts"].where(a["segment"] == "likely_excluded", 0)})
    g = parts.groupby(["council", "year"], sort=True).sum().reset_index()
    # joined on the keys' values: a MultiIndex reindex of categoricals fails once one has 127+ categories
    months = (a.loc[a["contacts"] > 0].groupby(["council", "year"], sort=True)["month"].nunique()
              .rename("months").reset_index())
    g = g.merge(months, on=["council", "year"], how="left").assign(months=lambda d: d["months"].fillna(0).astype(int))
    return g.assign(failure_share=g["failure"] / g["contacts"], repeat_share=g["repeats"] / g["contacts"],
                    digital_share=g["digital"] / g["contacts"],
                    likely_excluded_share=(g["excluded"] / g["known"]).where(g["known"] > 0))


#: The shares compared year on year: (what a reader is told, numerator, base) in :func:`yearly`'s table.
SHARES = {
    "digital_share": ("Contacts made online", "digital", "contacts"),
    "failure_share": ("Failure demand, as the rules call it", "failure", "contacts"),
    "repeat_share": ("Repeat contacts", "repeats", "contacts"),
    "likely_excluded_share": ("Contacts from customers likely digitally excluded", "excluded", "known"),
}


def changes(table: pd.DataFrame) -> pd.DataFrame:
    """Each council's shares year by year, with 95% Wilson intervals, and each year set beside the
    year before it: the change in points, its 95% interval (MOVER, combining the two years'
    intervals: :func:`cxinsight.stats.mover_difference`, as the reports' quarter-on-quarter changes)
    and whether it is a clear change or within the noise; a change clear on its own is a clear change
    only if it stays one when every change in the table is allowed for (Holm at
    :data:`cxinsight.headlines.CLEAR_CHANGE_ALPHA`), else "not clear among this page's N comparisons".

    One row per council, year and measure of :data:`SHARES`; ``table`` is :func:`yearly`'s. The
    intervals treat a year's contacts as one draw of how that year's service ran; they do not hold
    the rules' own misreadings of failure demand, which are much the same from year to year.

    >>> t = pd.DataFrame({"council": ["x", "x"], "year": ["2023", "2024"], "contacts": [1000, 1000],
    ...     "digital": [300, 400], "failure": [200, 190], "repeats": [50, 50], "known": [800, 800],
    ...     "excluded": [80, 80]})
    >>> c = changes(t).set_index(["year", "measure"])
    >>> c.loc[("2024", "digital_share"), ["share", "change", "change_low", "change_high"]].astype(float).tolist()
    [0.4, 10.0, 5.8, 14.1]
    >>> c.loc[("2024", "digital_share"), "verdict"]
    'a clear change'
    >>> c.loc[("2024", "failure_share"), "verdict"], c.loc[("2023", "failure_share"), "verdict"]
    ('within the noise', 'first year')
    """
    from cxinsight.stats import mover_difference, wilson

    rows = []
    for measure, (name, numerator, base) in SHARES.items():
        k, n = table[numerator].to_numpy(float), table[base].to_numpy(float)
        p, low, high = wilson(k, n)
        rows.append(pd.DataFrame({"council": table["council"].to_numpy(), "year": table["year"].to_numpy(),
                                  "measure": measure, "name": name, "numerator": k, "base": n,
                                  "share": p, "low": low, "high": high}))
    out = pd.concat(rows, ignore_index=True).sort_values(["council", "measure", "year"], kind="stable")
    before = out.groupby(["council", "measure"], sort=False)[["share", "low", "high", "year"]].shift()
    d, low, high = mover_difference(out["share"], out["low"], out["high"], before["share"], before["low"],
                                    before["high"])
    out["since"] = before["year"]
    out["change"], out["change_low"], out["change_high"] = (100 * d).round(1), (100 * low).round(1), (100 * high).round(1)
    clear = (out["change_low"] > 0) | (out["change_high"] < 0)
    # every change the page states weighed together (Holm at the reports' family level), as the
    # reports' quarter-on-quarter changes are (cxinsight.figures.allow_for_every_comparison)
    from scipy.stats import norm

    from cxinsight.headlines import CLEAR_CHANGE_ALPHA
    from cxinsight.stats import Z95, holm_cutoff

    d, low, high = (np.asarray(x, dtype=float) for x in (d, low, high))
    compared = (before["year"].notna() & out["share"].notna() & before["share"].notna()).to_numpy() & ~np.isnan(d)
    towards_zero = np.where(d > 0, d - low, high - d) / Z95
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = np.where(towards_zero > 0, 2 * norm.sf(np.abs(d) / towards_zero), np.where(d != 0, 0.0, 1.0))
    cutoff = holm_cutoff(p_value[compared], CLEAR_CHANGE_ALPHA)
    among = f"not clear among this page's {int(compared.sum())} comparisons"
    out["verdict"] = np.where(before["year"].isna(), "first year",
                              np.where(out["share"].isna() | before["share"].isna(), "too few to compare",
                                       np.where(clear & (p_value <= cutoff), "a clear change",
                                                np.where(clear, among, "within the noise"))))
    return out.reset_index(drop=True)
