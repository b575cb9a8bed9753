"""The figures stage: every scope's headline figures and the tables its pages chart, computed once.

:func:`build_figures` reads the analysis (:mod:`cxinsight.analysis`) and, for the whole council and
each service that gets a page, works out :func:`page_figures`: the headline figures (each with its
range, base and note, and its change against earlier quarters), what could not be given and why,
the "what this means" actions, and the tables the at-a-glance page draws (with the commonest
failing journeys). :func:`write_figures`
stores them in the figures layer (:func:`cxinsight.catalog.layer_dir`), one Parquet dataset per
table with a ``scope`` column; ``headlines.parquet`` holds every headline figure of every scope.

The index, the at-a-glance pages and the detailed council reports all read these
(:func:`read_headlines`, :func:`read_page`): no page computes a figure, so a figure cannot differ
between the pages that show it, and a page for one service never reads the whole council's contacts.
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import pandas as pd

from cxinsight import catalog, outputs
from cxinsight.headlines import COUNCIL, Headline, Scope, scope_of
from cxinsight.publish import is_suppressed_note, suppress_pinned

log = logging.getLogger(__name__)

#: Written with every figures folder: what it was made from (the analysis record and the options).
RECORD = "figures.json"
#: The tables of a page, beside ``headlines``: each is stored as ``<name>.parquet`` with a scope column.
TABLES = ("actions", "changes", "failure_by_channel", "drivers", "segments", "shiftable", "savings_bands",
          "savings_levers", "on_time", "nps_by_channel", "journey_patterns", "facts")


@dataclass
class Page:
    """What one scope's page shows: ``headlines`` (figures and, with no estimate, what could not be
    given and why in ``note``), ``actions`` (sentences) and one table per chart. ``facts`` is a
    one-row table of the scope's scalars (contacts, dates, review notes, savings' horizon...)."""

    scope: str
    headlines: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    failure_by_channel: pd.DataFrame = field(default_factory=pd.DataFrame)
    drivers: pd.DataFrame = field(default_factory=pd.DataFrame)
    segments: pd.DataFrame = field(default_factory=pd.DataFrame)
    shiftable: pd.DataFrame = field(default_factory=pd.DataFrame)
    savings_bands: pd.DataFrame = field(default_factory=pd.DataFrame)
    savings_levers: pd.DataFrame = field(default_factory=pd.DataFrame)
    on_time: pd.DataFrame = field(default_factory=pd.DataFrame)
    nps_by_channel: pd.DataFrame = field(default_factory=pd.DataFrame)
    journey_patterns: pd.DataFrame = field(default_factory=pd.DataFrame)
    facts: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the figures the changes compare (:class:`cxinsight.headlines.Compared`), kept while the report's
    #: comparisons are weighed together (:func:`allow_for_every_comparison`); not stored
    compared: object = None

    def get(self, measure: str) -> Headline | None:
        """The headline figure for ``measure``, or None when it could not be given."""
        return next((h for h in self.headlines if h.measure == measure and h.estimate is not None), None)

    @property
    def figures(self) -> list[Headline]:
        """The figures given (not those missing), with those suppressed because they would give away a
        count of 1 to 7 (shown as ``*`` with the reason: :func:`cxinsight.headlines.published`)."""
        return [h for h in self.headlines if h.estimate is not None or is_suppressed_note(h.note)]

    @property
    def missing(self) -> dict[str, str]:
        """measure -> why it could not be given, and what would unlock it."""
        return {h.measure: h.note for h in self.headlines if h.estimate is None and not is_suppressed_note(h.note)}

    def why_not(self, measure: str) -> str:
        """Why ``measure`` is not given: what would unlock it, or that it is suppressed (and why)."""
        return next((h.note for h in self.headlines if h.measure == measure and h.estimate is None), "")

    def fact(self, name: str, default=None):
        """One of the scope's scalars (``facts``)."""
        if self.facts.empty or name not in self.facts:
            return default
        value = self.facts.iloc[0][name]
        return default if value is None or (isinstance(value, float) and math.isnan(value)) else value


# ---- computing ---------------------------------------------------------------------------------------

def page_figures(analysis, scope: Scope | str | None = None, period: str | None = None,
                 approved: set[str] | None = None) -> Page:
    """``scope``'s page (:data:`cxinsight.headlines.COUNCIL` or a service code) over ``period``
    (``"YYYY-MM-DD/YYYY-MM-DD"``, default everything), from the council's analysis. ``approved``: the
    contact ids an analyst approved for quoting (none: no note is quoted)."""
    from dataclasses import replace

    from cxinsight import actions, headlines
    from cxinsight.demand.measures import failure_share, provisional_share, top_drivers
    from cxinsight.experience import nps

    where = scope_of(scope)
    key = str(where)
    whole = analysis.council
    here = whole.scoped(where.service, period)
    contacts = here.contacts
    if contacts.empty:
        start, end = here.period
        first, last = whole.contacts["received_at"].min(), whole.contacts["received_at"].max()
        raise ValueError(f"no contacts were received from {start:%d %B %Y} to {end:%d %B %Y}: choose a period inside "
                         f"the data ({first:%d %B %Y} to {last:%d %B %Y})")
    figs = headlines.compute(whole, where, period)
    compared = headlines.comparison_figures(whole.scoped(where.service))
    changes, change_table = headlines.comparison(compared)
    given = [replace(h, changes=changes.get(h.measure, ())) for h in figs.headlines]
    missing = [Headline(m, key, None, None, None, 0, "", interval="", note=why) for m, why in figs.missing.items()]
    review = here.review if here.review is not None and len(here.review) else None
    page = Page(key, given + missing, actions.what_this_means(figs, contacts, review=review), change_table,
                compared=compared)

    if figs.get("failure_share") is not None:
        # every table a page draws or writes from holds no share that gives away a count of 1 to 7
        by_channel = (failure_share(contacts, by="channel", review=review) if review is not None
                      else provisional_share(contacts, by="channel"))
        page.failure_by_channel = suppress_pinned(by_channel, "estimate", "n")
        page.drivers = _drivers_published(top_drivers(contacts, by="service", top=3, examples=1,
                                                      approved=approved or set()))
    if figs.sizes is not None:
        page.segments = figs.sizes.reset_index()
    s = figs.savings
    facts = {"contacts": len(contacts), "first": contacts["received_at"].min(), "last": contacts["received_at"].max(),
             "review_note": here.review_note, "segment_check_note": here.segment_check_note if here.has_customers else "",
             "has_customers": bool(here.has_customers)}
    if s is not None:
        wanted = ["non_digital", "by_likely_excluded", "shiftable_low", "shiftable_central", "shiftable_high"]
        have = [c for c in wanted if c in s.shiftable]
        sv = s.shiftable.groupby("channel", observed=True)[have].sum()
        page.shiftable = sv.loc[sv["non_digital"] > 0].reset_index() if "non_digital" in sv else sv.reset_index()
        page.savings_bands = s.runs["both"]["bands"].reset_index(drop=True)
        page.savings_levers = s.levers()
        facts |= {"horizon_years": int(s.assumptions.horizon_years),
                  "placeholders": json.dumps(list(s.assumptions.placeholders())),
                  "apportioned": float(s.apportioned) if s.apportioned else math.nan,
                  "exclusion_source": s.exclusion_source, "whose_values": s.whose_values(),
                  "chance_positive": float((s.runs["both"]["npv"] > 0).mean()), "draws": int(s.draws)}
    if figs.on_time is not None:
        page.on_time = figs.on_time.reset_index(drop=True)
    if figs.nps is not None and figs.responses is not None and len(figs.responses):
        by = figs.responses.groupby("channel", observed=True)["nps"].apply(lambda x: nps(x)).unstack()
        page.nps_by_channel = by.reset_index()
    if figs.journey_patterns is not None:
        page.journey_patterns = figs.journey_patterns
    page.facts = pd.DataFrame([facts])
    return page


def _drivers_published(drivers: pd.DataFrame) -> pd.DataFrame:
    """The biggest causes of failure demand with no share of a service's failure demand that gives
    away a count of 1 to 7: the cause's contacts, or the rest of the service's failure demand (its
    base, contacts / share)."""
    if drivers.empty or "share_of_failure" not in drivers:
        return drivers
    base = (drivers["contacts"] / drivers["share_of_failure"]).round()
    return suppress_pinned(drivers.assign(_base=base), "share_of_failure", "_base",
                           ("share_of_failure",)).drop(columns="_base")


def build_figures(processed: Path | str | None = None, services: list[str] | None = None,
                  period: str | None = None) -> Path:
    """The figures stage: every page's figures for the council and ``services`` (default: none but the
    council) over ``period``, from the analysis of ``processed`` as built, written to the figures
    layer. Returns that folder."""
    from cxinsight import paths
    from cxinsight.analysis import read_analysis
    from cxinsight.review_layer import approved_quotes

    processed = Path(processed or paths.processed_dir()).resolve()
    t0 = time.perf_counter()
    analysis = read_analysis(processed)
    approved = approved_quotes(processed)
    pages = allow_for_every_comparison(_all_pages(analysis, [COUNCIL, *(services or [])], period, approved))
    folder = write_figures(pages, processed, {"period": period, "services": list(services or []),
                                              "analysis": analysis_record(processed), "shape": shape()})
    log.info("figures: %d pages' figures in %.0f s", len(pages), time.perf_counter() - t0)
    return folder


def allow_for_every_comparison(pages: list[Page], alpha: float | None = None) -> list[Page]:
    """Every page's changes weighed together: a report that sets ten services' four measures beside
    two earlier quarters makes some eighty comparisons, and by chance alone a few of them look like
    clear changes. A change is called clear only if it stays one when all the report's comparisons
    are allowed for (Holm's procedure over every scope, measure and earlier quarter:
    :func:`cxinsight.stats.holm_cutoff`), so the chance that a report calls any change clear where
    nothing changed is at most ``alpha`` (default :data:`cxinsight.headlines.CLEAR_CHANGE_ALPHA`, 1%). Returns the pages with their change sentences and tables
    rewritten accordingly."""
    from dataclasses import replace

    from cxinsight import headlines
    from cxinsight.stats import holm_cutoff

    alpha = headlines.CLEAR_CHANGE_ALPHA if alpha is None else alpha
    p_values = [p for page in pages if page.compared is not None for p in page.compared.p_values()]
    family = headlines.Family(len(p_values), holm_cutoff(p_values, alpha))
    log.info("changes: %d comparisons weighed together; %d clear once all are allowed for", family.size,
             sum(p <= family.cutoff for p in p_values))
    out = []
    for page in pages:
        if page.compared is not None:
            changes, table = headlines.comparison(page.compared, family=family)
            page = replace(page, headlines=[replace(h, changes=changes.get(h.measure, ()))
                                            if h.changes or h.measure in changes else h for h in page.headlines],
                           changes=table)
        out.append(page)
    return out


_SHARED: dict = {}  # the analysis a forked worker computes pages from (inherited, not pickled)


def _pages_of(scopes: list, period: str | None, approved: set[str]) -> list[Page]:
    analysis = _SHARED["analysis"]
    pages = []
    for scope in scopes:
        pages.append(page_figures(analysis, scope, period, approved))
        # a page's scopes (its service, its quarters) are not the next page's: kept, they held a large
        # council's quarters in every worker at once (the figures stage's peak memory)
        analysis.council._scopes.clear()
    return pages


def _all_pages(analysis, scopes: list, period: str | None, approved: set[str], workers: int | None = None) -> list[Page]:
    """Every scope's page, shared over ``workers`` forked processes (default: the machine's cores, at
    most 4) that inherit the analysis rather than read it again; one at a time where forking is not
    available or there are too few pages to pay for it. The result is the same either way."""
    import multiprocessing
    import os

    workers = workers or min(4, os.cpu_count() or 1)
    if workers < 2 or len(scopes) < 4 or "fork" not in multiprocessing.get_all_start_methods():
        _SHARED["analysis"] = analysis
        try:
            return _pages_of(scopes, period, approved)
        finally:
            _SHARED.clear()
    from cxinsight.headlines import council_journeys
    from cxinsight.pools import process_pool

    # one scope a task, largest first (the council, then services as given: by size), so a worker that
    # is done takes the next: fixed shares left one worker with the council and half the services
    chunks = [[scope] for scope in scopes]
    _SHARED["analysis"] = analysis
    council_journeys(analysis.council)  # the council's contacts followed here once, inherited by every worker
    try:
        with process_pool(workers, "fork") as pool:
            done = list(pool.map(_pages_of, chunks, [period] * len(chunks), [approved] * len(chunks)))
    finally:
        _SHARED.clear()
    by_scope = {p.scope: p for part in done for p in part}
    return [by_scope[str(scope_of(s) if not (isinstance(s, str) and s == "council") else COUNCIL)] for s in scopes]


#: The modules whose code makes the figures' numbers and words: figures made by other code are rebuilt.
FIGURE_CODE = ("figures", "headlines", "actions", "phrasing", "publish", "stats", "journeys", "experience",
               "complaints", "savings", "wording")


def shape() -> dict:
    """What a figures folder holds (its tables and headline measures) and a fingerprint of the code
    that made them (:data:`FIGURE_CODE`): recorded with it, so that ``cxinsight analyse`` rebuilds
    figures made before a measure or a table was added, or by other code (a change in wording
    included)."""
    import hashlib

    from cxinsight.headlines import MEASURES

    here = Path(__file__).parent
    code = hashlib.sha256(b"".join((here / f"{m}.py").read_bytes() for m in FIGURE_CODE)).hexdigest()[:16]
    return {"tables": list(TABLES), "measures": list(MEASURES), "code": code}


def analysis_record(processed: Path) -> dict:
    """The analysis record the figures were made from (its key and options)."""
    path = catalog.layer_dir("interim", processed) / "analysis.json"
    meta = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {"key": meta.get("key"), "options": meta.get("options")}


# ---- storing and reading -----------------------------------------------------------------------------

def _headline_rows(pages: list[Page]) -> pd.DataFrame:
    rows = []
    for p in pages:
        for h in p.headlines:
            d = asdict(h)
            d["changes"] = json.dumps([list(c) for c in h.changes])
            rows.append(d)
    columns = [f.name for f in fields(Headline)]
    frame = pd.DataFrame(rows, columns=columns)
    for c in ("estimate", "low", "high"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
    return frame


def _stack(pages: list[Page], name: str) -> pd.DataFrame:
    parts = []
    for p in pages:
        t = getattr(p, name)
        if name == "actions":
            t = pd.DataFrame({"order": range(len(p.actions)), "action": list(p.actions)}, dtype=object)
        if t is None or (t.empty and not len(t.columns)):
            continue
        parts.append(t.assign(scope=p.scope))
    if not parts:
        return pd.DataFrame({"scope": pd.Series(dtype=str)})
    out = pd.concat(parts, ignore_index=True)
    for c in out.columns:  # categories from several scopes: kept as text
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(str)
    return out


def write_figures(pages: list[Page], processed: Path | str, record: dict) -> Path:
    """Store ``pages`` in the figures layer beside ``processed``, replaced as a whole
    (:func:`cxinsight.outputs.replacing`): ``headlines.parquet``, one table per :data:`TABLES`, and
    :data:`RECORD`. The only function that writes the figures layer."""
    final = catalog.layer_dir("figures", processed)
    with outputs.replacing(final) as stage:
        _headline_rows(pages).to_parquet(stage / "headlines.parquet", index=False)
        for name in TABLES:
            _stack(pages, name).to_parquet(stage / f"{name}.parquet", index=False)
        (stage / RECORD).write_text(json.dumps({**record, "scopes": [p.scope for p in pages]}, indent=1,
                                               default=str), encoding="utf-8")
    return final


def figures_dir(processed: Path | str | None = None) -> Path:
    """The figures folder for ``processed``; FileNotFoundError, saying how to build it, when there is none."""
    from cxinsight import paths
    from cxinsight.pipeline import complete_folder

    folder = catalog.layer_dir("figures", Path(processed or paths.processed_dir()).resolve())
    try:
        return complete_folder(folder, marker=RECORD)
    except FileNotFoundError:
        raise FileNotFoundError(f"{folder}: no figures yet. `cxinsight report` builds them (the pipeline, the "
                                "analysis, then the figures); the notebooks only show them.") from None


def _to_headline(row: dict) -> Headline:
    row = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
    row["changes"] = tuple(tuple(c) for c in json.loads(row.get("changes") or "[]"))
    row["base"] = int(row["base"])
    return Headline(**row)


def read_headlines(processed: Path | str | None = None, scope: Scope | str | None = None) -> list[Headline]:
    """Every headline recorded (or ``scope``'s only: a scope or its key), figures and missing alike."""
    frame = pd.read_parquet(figures_dir(processed) / "headlines.parquet")
    if scope is not None:
        frame = frame.loc[frame["scope"] == str(scope)]
    return [_to_headline(r) for r in frame.to_dict("records")]


def scopes(processed: Path | str | None = None) -> list[str]:
    """The scopes the figures were made for: ``council`` first, then each service with a page."""
    return json.loads((figures_dir(processed) / RECORD).read_text(encoding="utf-8"))["scopes"]


def read_page(processed: Path | str | None = None, scope: Scope | str | None = None) -> Page:
    """``scope``'s page as the figures stage stored it (default the council)."""
    import pyarrow.parquet as pq

    key = str(scope_of(scope) if not (isinstance(scope, str) and scope == "council") else COUNCIL)
    folder = figures_dir(processed)
    known = scopes(processed)
    if key not in known:
        raise KeyError(f"no figures for {key!r}: the figures were made for {known}. `cxinsight report --services "
                       f"{key}` makes a page for it")
    page = Page(key, read_headlines(processed, key))
    for name in TABLES:
        table = pq.read_table(folder / f"{name}.parquet", filters=[("scope", "=", key)])
        frame = table.to_pandas().drop(columns="scope")
        setattr(page, name, frame)
    page.actions = page.actions.sort_values("order")["action"].tolist() if len(page.actions) else []
    return page


def read_actions(processed: Path | str | None = None, scope: Scope | str | None = None) -> list[str]:
    """The "what this means" actions stored for ``scope`` (default the council)."""
    return read_page(processed, scope).actions
