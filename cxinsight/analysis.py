"""The analysis layer: classify, review and segment the council once; every page reads the result.

:func:`build_analysis` reads ``data/processed`` (notebook 01's output), classifies every contact
(with the complaints, for open-complaint chasing), draws and labels the review sample, scores the
areas (DERI) and segments the customers, and writes it all to ``data/interim`` beside the processed
folder. :func:`load_analysis` reads it back, building it first if it is missing or was made from
other processed data or other options. Notebooks 02-07 and the index's headline figures
(:mod:`cxinsight.headlines`) all start from the same :class:`Analysis`, so a figure shown on two
pages is one computation, not two that happen to agree.

>>> interim_dir(Path("data/processed")).as_posix()
'data/interim'
>>> interim_dir(Path("/tmp/council_a")).as_posix()
'/tmp/council_a_interim'
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

import numpy as np
import pandas as pd

from cxinsight import catalog, outputs, paths
from cxinsight.columns import contiguous, equals, member

log = logging.getLogger(__name__)

VERSION = 4  # bump when what is written changes, so an old interim folder is rebuilt


@dataclass(frozen=True)
class Options:
    """How the analysis is done; the same options give the same results, page after page.

    ``review_path``: the analyst's labelled review CSV (None: draw a sample; on the demo council the
    answer key labels it). ``review_precision``: the target half-width of the 95% interval on the
    council's failure share, which sizes the first sample drawn for a person
    (:func:`cxinsight.review_layer.size_for_precision`); ``review_size``: a size given outright, which
    wins (None: sized by the precision; the demo's answer key, standing in for a person, labels
    :data:`DEMO_REVIEW_SIZE`). ``seed``: the samples drawn. ``repeat_window_days``:
    same customer, same service, within this many days is a repeat contact. ``draws``: Monte Carlo
    draws for the savings range. ``deri_version``: ``"v1.4"`` (demography) or ``"v1.2"`` (age).
    ``segment_check_path``: a checked random sample of customers (CSV, see
    :func:`cxinsight.exclusion.customers.check_sample`) that measures the segment rule's error;
    None: a sample of ``segment_check_size`` is written for a person to check (on the demo council
    the answer key checks it). ``learn_from_review``: when a model taught by the council's own review
    finds failure demand better than the rules (on reviewed contacts it did not learn from), it
    classifies the contacts decided by their words (:func:`cxinsight.demand.review.reclassify_with_review`).
    ``journey_window_days``: a contact with no case number joins its customer's journey about the same
    service when it came within this many days of that journey's last contact (:mod:`cxinsight.journeys`).

    With no options given, :func:`build_analysis` and :func:`load_analysis` take them from the
    council's settings (``analysis:`` in council.yaml, :func:`options_for`) over these defaults.
    """

    review_path: str | None = None
    review_size: int | None = None
    review_precision: float = 0.03
    seed: int = 2024
    repeat_window_days: float = 14
    draws: int = 10_000
    deri_version: str = "v1.4"
    segment_check_path: str | None = None
    segment_check_size: int = 300
    learn_from_review: bool = False
    journey_window_days: float = 28

    @classmethod
    def from_parameters(cls, **parameters) -> Options | None:
        """Options from a notebook's parameters: ``None`` (or an empty string) keeps the default. With
        none set, ``None``: :func:`load_analysis` then reads the analysis as the report built it (with
        the report's options), so a notebook run with no parameters shows the same figures.

        >>> Options.from_parameters(review_path=None, seed="7").seed, Options.from_parameters(seed=None)
        (7, None)
        """
        types = {f.name: f.type for f in fields(cls)}
        kept = {k: v for k, v in parameters.items() if v not in (None, "")}
        if not kept:
            return None
        unknown = sorted(set(kept) - set(types))
        if unknown:
            raise ValueError(f"unknown analysis options {unknown}; expected some of {sorted(types)}")
        cast = {"int": int, "float": float,
                "bool": lambda x: x if isinstance(x, bool) else str(x).strip().lower() in ("1", "true", "yes")}
        return cls(**{k: cast.get(str(types[k]).removesuffix(" | None"), lambda x: x)(v) for k, v in kept.items()})

    def __post_init__(self):
        if self.deri_version not in ("v1.4", "v1.2"):
            raise ValueError(f"deri_version: expected 'v1.4' or 'v1.2', found {self.deri_version!r}")
        if (self.review_size is not None and int(self.review_size) < 1) or int(self.draws) < 100:
            raise ValueError(f"review_size must be at least 1 and draws at least 100, found {self.review_size} "
                             f"and {self.draws}")
        if not 0 < float(self.review_precision) < 0.5:
            raise ValueError(f"review_precision: expected a half-width between 0 and 0.5 (0.03 is +/- 3 points), "
                             f"found {self.review_precision!r}")


#: The review the demo's answer key labels, standing in for a person, when no size is given: the
#: 1,500 every run drew before the review was sized by its precision, so the demo's figures stay put.
DEMO_REVIEW_SIZE = 1500


def options_from(settings, **overrides) -> Options:
    """The analysis options: the council's (``analysis:`` in its council.yaml,
    :meth:`cxinsight.settings.Settings.analysis_values`) over the defaults, and ``overrides`` (a run's
    own, from the command line or a notebook) over both.

    >>> from cxinsight.settings import Settings
    >>> options_from(Settings.defaults(), seed=7).seed, options_from(Settings.defaults()).review_precision
    (7, 0.03)
    """
    return Options(**{**settings.analysis_values(), **overrides})


def options_for(processed: Path | str, **overrides) -> Options:
    """The analysis options for ``processed``: :func:`options_from` the council's settings kept with
    the processed data (its council.yaml)."""
    from cxinsight.settings import load_settings

    return options_from(load_settings(Path(processed) / "council.yaml"), **overrides)


SCOPES_KEPT = 6  # scopes an analysis keeps (Analysis.scoped): a page's own and its comparison quarters


@dataclass
class Analysis:
    """Everything the pages are drawn from, for the whole council (or, after :meth:`scoped`, a part).

    ``contacts`` are the classified contacts (the processed contacts plus ``demand``,
    ``failure_type``, ``demand_confidence``, ``demand_source``...). ``review``: the labelled review
    sample, or None. ``segments``: one row per customer with a customer number, or None when the
    contacts carry none. ``scored``: the council's areas with DERI scores, or None.
    """

    processed: Path
    options: Options
    contacts: pd.DataFrame
    complaints: pd.DataFrame | None
    survey: pd.DataFrame | None
    areas: pd.DataFrame | None
    scored: pd.DataFrame | None
    review: pd.DataFrame | None
    review_note: str
    segments: pd.DataFrame | None
    segment_check: pd.DataFrame | None = None
    segment_check_note: str = ""
    service: str | None = None
    period: tuple[pd.Timestamp, pd.Timestamp] | None = None
    whole: Analysis | None = field(default=None, repr=False)
    #: the council's own settings (council.yaml, kept in the processed folder by the pipeline) over
    #: the cited defaults (:mod:`cxinsight.settings`)
    settings: object = None
    #: the last few scopes made (:meth:`scoped`): a page asks for its service's contacts several times
    _scopes: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def council_settings(self):
        """The settings this analysis uses: its own, else those kept with its processed data."""
        if self.settings is None:
            from cxinsight.settings import load_settings

            self.settings = load_settings(Path(self.processed) / "council.yaml")
        return self.settings

    @property
    def council(self) -> Analysis:
        """The whole council's analysis (itself when not scoped)."""
        return self.whole or self

    @property
    def has_customers(self) -> bool:
        return self.segments is not None

    def scoped(self, service: str | None = None, period: str | tuple | None = None) -> Analysis:
        """The same analysis limited to one service and/or a period (``"YYYY-MM-DD/YYYY-MM-DD"``,
        both days included). Nothing is reclassified: a contact's class, a customer's segment and the
        review's labels are those of the whole council's analysis. The last :data:`SCOPES_KEPT` scopes
        are kept and handed out again as shallow copies (a column added to one is not added to the
        next)."""
        whole = self.council
        window = parse_period(period) if isinstance(period, str) else period
        key = (None if service is None else str(service), None if window is None else tuple(window))
        made = whole._scopes.pop(key, None)
        if made is None and key[0] is not None and window is not None:
            # a service's quarter cut from the service's own scope (a page asks for the service, then
            # each quarter it compares): the same rows, without testing the whole council's again
            made = whole.scoped(key[0])._narrowed(None, window)
            made = replace(made, service=key[0], whole=whole)
        elif made is None:
            made = whole._narrowed(service, window)
        whole._scopes[key] = made  # the most recent last
        while len(whole._scopes) > SCOPES_KEPT:
            whole._scopes.pop(next(iter(whole._scopes)))
        frames = {f: getattr(made, f).copy(deep=False) for f in ("contacts", "complaints", "survey", "review",
                                                                    "segments", "segment_check")
                  if getattr(made, f) is not None}
        return replace(made, **frames)

    def _narrowed(self, service: str | None, window: tuple | None) -> Analysis:
        whole = self
        contacts, complaints, survey = whole.contacts, whole.complaints, whole.survey
        if service is not None:
            known = set(pd.Series(contacts["service"].dropna().unique()).astype(str))  # distinct values, not every row
            if str(service) not in known:
                raise ValueError(f"service {service!r} is not in the contacts; expected one of {sorted(known)}")
            contacts = contacts.loc[equals(contacts["service"], service)]
            if complaints is not None and "service" in complaints:
                complaints = complaints.loc[equals(complaints["service"], service)]
            if survey is not None:
                survey = survey.loc[member(survey["contact_id"], contacts["contact_id"])]
        if window is not None:
            start, end = window
            stop = end + pd.Timedelta(days=1)
            contacts = contacts.loc[contacts["received_at"].between(start, stop, inclusive="left")]
            if complaints is not None:
                complaints = complaints.loc[complaints["received_on"].between(start, stop, inclusive="left")]
            if survey is not None:
                survey = survey.loc[survey["submitted_at"].between(start, stop, inclusive="left")]
        review = whole.review
        if review is not None and (service is not None or window is not None):
            review = review.loc[member(review["contact_id"], contacts["contact_id"])]
        segments, check = whole.segments, whole.segment_check
        if segments is not None and (service is not None or window is not None):
            segments = segments.loc[member(segments["customer_id"], contacts["customer_id"])]
            if check is not None:
                check = check.loc[member(check["customer_id"].astype(str),
                                         pd.Series(segments["customer_id"].unique()).astype(str))]
        return replace(whole, contacts=contacts, complaints=complaints, survey=survey, review=review,
                       segments=segments, segment_check=check, service=None if service is None else str(service), period=window,
                       whole=whole)


def parse_period(period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``"YYYY-MM-DD/YYYY-MM-DD"`` as two days (both included), or a clear error.

    >>> parse_period("2025-01-01/2025-03-31")[1].date().isoformat()
    '2025-03-31'
    """
    try:
        start, end = (pd.Timestamp(x).normalize() for x in str(period).split("/"))
    except ValueError:
        raise ValueError(f"period: expected 'YYYY-MM-DD/YYYY-MM-DD', found {period!r}") from None
    if end < start:
        raise ValueError(f"period: the end {end:%d %B %Y} is before the start {start:%d %B %Y}")
    return start, end


def interim_dir(processed: Path | str) -> Path:
    """Where the analysis of ``processed`` is kept: ``data/interim`` for ``data/processed``,
    ``<name>_interim`` beside any other folder (:func:`cxinsight.catalog.layer_dir`)."""
    from cxinsight.catalog import layer_dir

    return layer_dir("interim", Path(processed))


def _key(processed: Path, options: Options) -> str:
    """What the analysis was made from: the processed manifest (itself written last, listing every
    output's size), the demand rules, the options and the council's settings (the council.yaml kept
    with the processed data: a changed cost is a new analysis)."""
    manifest = (processed / "manifest.json").read_bytes()
    stamps = {}
    for name in ("review_path", "segment_check_path"):  # an analyst's file changed: analyse again
        given = getattr(options, name)
        stamps[name] = Path(given).stat().st_mtime_ns if given and Path(given).exists() else None
    from cxinsight import __version__
    from cxinsight.demand.rules import rules_fingerprint
    from cxinsight.settings import load_settings

    settings = load_settings(processed / "council.yaml").fingerprint()
    # what people made (labels written into a drawn sample, a new draw): a labelled contact is a new analysis
    people = catalog.layer_dir("review", Path(processed).resolve() if processed else None)
    made = sorted((str(f.relative_to(people)), f.stat().st_mtime_ns, f.stat().st_size)
                  for f in people.rglob("*") if f.is_file()) if people.exists() else []
    blob = json.dumps({"v": [VERSION, __version__], "manifest": hashlib.sha256(manifest).hexdigest(),
                       "rules": rules_fingerprint(), "options": asdict(options), "files": stamps,
                       "settings": settings, "review": made}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def write_by_year(contacts: pd.DataFrame, folder: Path, column: str = "received_at") -> list[Path]:
    """The contacts as Parquet partitioned by the calendar year of ``column``
    (``folder/year=2024/part-0.parquet``...), rows in their order; contacts with no date in
    ``year=none``. Returns the files written, oldest year first."""
    folder.mkdir(parents=True, exist_ok=True)
    years = contacts[column].dt.year
    written = []
    for year in sorted(years.dropna().astype(int).unique()):
        part = folder / f"year={year}"
        part.mkdir()
        contacts.loc[years == year].to_parquet(part / "part-0.parquet", index=False)
        written.append(part / "part-0.parquet")
    undated = contacts.loc[contacts[column].isna()]
    if len(undated):
        (folder / "year=none").mkdir()
        undated.to_parquet(folder / "year=none" / "part-0.parquet", index=False)
        written.append(folder / "year=none" / "part-0.parquet")
    return written


def read_by_year(folder: Path, years: list[int] | None = None, columns: list[str] | None = None) -> pd.DataFrame:
    """Contacts written by :func:`write_by_year`: every year, or only ``years`` (the others are not
    read at all), as one frame in the order written.

    >>> import tempfile
    >>> c = pd.DataFrame({"contact_id": ["a", "b", "c"], "received_at": pd.to_datetime(
    ...     ["2024-12-31", "2025-01-02", None])})
    >>> d = Path(tempfile.mkdtemp()) / "classified"
    >>> [p.parent.name for p in write_by_year(c, d)]
    ['year=2024', 'year=2025', 'year=none']
    >>> read_by_year(d)["contact_id"].tolist(), read_by_year(d, years=[2025])["contact_id"].tolist()
    (['a', 'b', 'c'], ['b'])
    """
    def order(path: Path) -> tuple[int, str]:
        label = path.parent.name.removeprefix("year=")
        return (1, label) if label == "none" else (0, f"{int(label):06d}")

    files = sorted(folder.glob("year=*/part-0.parquet"), key=order)
    if years is not None:
        wanted = {f"year={int(y)}" for y in years}
        files = [f for f in files if f.parent.name in wanted]
    if not files:
        raise FileNotFoundError(f"{folder}: no contacts{'' if years is None else f' for the years {years}'}")
    frames = [pd.read_parquet(f, columns=columns) for f in files]
    return contiguous(frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True))


def area_scores(areas: pd.DataFrame | None, version: str = "v1.4") -> pd.DataFrame | None:
    """The council's areas with DERI scores, relative within the council (GMCA's district base)."""
    from cxinsight.exclusion import DeriWeights, deri_scores

    if areas is None:
        return None
    if "pct_65_plus" not in areas and {"pct_65_74", "pct_75_plus"} <= set(areas):
        areas = areas.assign(pct_65_plus=areas["pct_65_74"] + areas["pct_75_plus"])
    weights = DeriWeights.v1_4() if version == "v1.4" else DeriWeights.v1_2()
    return deri_scores(areas.assign(lad_code="council"), weights, scale="district")


def segment(contacts: pd.DataFrame, areas: pd.DataFrame | None, deri_version: str, rules=None
            ) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The council's areas scored on the DERI (None without areas) and its customers segmented by
    ``rules`` (:class:`cxinsight.exclusion.customers.SegmentRules`; None: the defaults; None when the
    contacts carry no customer number): what every page and history mode segment by."""
    from cxinsight.exclusion.customers import customer_features, segment_customers

    scored = area_scores(areas, deri_version)
    has_customers = "customer_id" in contacts and contacts["customer_id"].notna().any()
    return scored, (segment_customers(customer_features(contacts, scored), rules) if has_customers else None)


def _compute(processed: Path, options: Options) -> Analysis:
    from cxinsight.demand import classify, load_taxonomy
    from cxinsight.pipeline import read_optional, read_processed

    t0 = time.perf_counter()
    contacts = read_processed("contacts", processed)
    complaints = read_optional("complaints", processed)
    survey = read_optional("survey", processed)
    areas = read_optional("areas", processed)
    classified = classify(contacts, complaints=complaints, window_days=options.repeat_window_days)
    answer_key = paths.answer_key_for(processed)  # the demo's truth, only for the demo's own data
    review, note = _review(classified, options, processed, answer_key, load_taxonomy())
    if options.learn_from_review and review is not None and len(review):
        from cxinsight.demand.review import reclassify_with_review

        classified, review, learned = reclassify_with_review(classified, review)
        note = f"{note} {learned}"
        log.info("%s", learned)
    elif options.learn_from_review:
        note = f"{note} Learning from the review was asked for, but there is no labelled review yet: the rules classify."
    from cxinsight.journeys import with_journeys
    from cxinsight.settings import load_settings

    classified = with_journeys(classified, options.journey_window_days)  # each contact's journey and step (issue 30)
    rules = load_settings(processed / "council.yaml").segment_rules()  # the council's (segments:), else the defaults
    scored, segments = segment(contacts, areas, options.deri_version, rules)
    check, check_note = (None, "") if segments is None else _segment_check(segments, options, processed, answer_key)
    log.info("classified %s contacts and segmented %s customers once for every page (%.1f s)",
             f"{len(classified):,}", "no" if segments is None else f"{len(segments):,}", time.perf_counter() - t0)
    return Analysis(processed, options, classified, complaints, survey, areas, scored, review, note, segments,
                    check, check_note)


def _review(classified: pd.DataFrame, options: Options, processed: Path, answer_key: Path | None,
            taxonomy) -> tuple[pd.DataFrame | None, str]:
    """The labelled review the shares are corrected by, and a sentence saying where it came from: the
    analyst's file (``options.review_path``); else the labels people have written into the samples
    in the review folder (read by every run by itself, never replaced); else, on the demo council,
    its answer key standing in for a person; else none yet, and a sample is drawn into the review
    folder for a person to label (once: a draw waiting for labels is not drawn again)."""
    from cxinsight import review_layer
    from cxinsight.demand.review import (
        no_notes_note,
        obtain_review,
        read_review,
    )

    if options.review_path:
        return obtain_review(classified, options.review_path, taxonomy=taxonomy)
    if "notes" not in classified or classified["notes"].isna().all():
        return None, no_notes_note(classified)
    review, used = review_layer.labelled(processed, review_layer.FAILURE_DEMAND, lambda p: read_review(p, taxonomy))
    if review is not None:
        return review, (f"{len(review):,} contacts labelled by a person in the review folder "
                        f"({', '.join(d.name for d in used)}).")
    truth = answer_key / "contacts_truth.parquet" if answer_key else None
    if truth is not None and truth.exists():
        return obtain_review(classified, answer_key=truth, n=options.review_size or DEMO_REVIEW_SIZE,
                             seed=options.seed, taxonomy=taxonomy)
    waiting = review_layer.draws(processed, review_layer.FAILURE_DEMAND)
    if waiting:
        draw = waiting[-1]
    elif options.review_size:  # a size given outright wins
        draw = review_layer.draw_for_review(processed, classified, options.review_size, options.seed)
    else:  # the first draw for a person: sized for the precision asked
        n, sized = review_layer.size_for_precision(classified, options.review_precision)
        if n == 0:  # notes given, every one blank: nothing a person could read
            return None, no_notes_note(classified)
        draw = review_layer.draw_for_review(processed, classified, n, options.seed, **sized)
    where = f"review/{review_layer.FAILURE_DEMAND}/{draw.name}/{review_layer.SAMPLE_FILES[review_layer.FAILURE_DEMAND]}"
    return None, (f"No review yet: a sample of contacts waits for a person to label it ({where}, in the review "
                  "folder beside the processed data). Until it is labelled, the shares are the classifier's own, "
                  "without its error; the next run reads the labels by itself.")


def _segment_check(segments: pd.DataFrame, options: Options, processed: Path,
                   answer_key: Path | None) -> tuple[pd.DataFrame | None, str]:
    """The checked sample that measures the segment rule's error, and a sentence saying where it
    came from (the analyst's file; the demo's answer key standing in for a person; or none yet)."""
    from cxinsight.exclusion.customers import check_sample, read_check

    if options.segment_check_path:
        check = read_check(options.segment_check_path, segments)
        return check, f"{len(check):,} customers checked by a person ({Path(options.segment_check_path).name})."
    from cxinsight import review_layer

    kind = review_layer.SEGMENT_CHECK
    checked, used = review_layer.labelled(processed, kind, lambda p: read_check(p, segments))
    if checked is not None:
        return checked, (f"{len(checked):,} customers checked by a person in the review folder "
                         f"({', '.join(d.name for d in used)}).")
    truth_path = answer_key / "customers_truth.parquet" if answer_key else None
    waiting = review_layer.draws(processed, kind)
    if waiting:
        sample = pd.read_csv(waiting[-1] / review_layer.SAMPLE_FILES[kind], dtype=str, keep_default_na=False,
                             encoding="utf-8-sig")
    else:
        sample = check_sample(segments, n=options.segment_check_size, seed=options.seed)
        if truth_path is None or not truth_path.exists():  # a person's to check, kept in the review folder
            waiting = [review_layer.add_draw(processed, kind, sample, {"n": options.segment_check_size,
                                                                      "seed": options.seed})]
    if truth_path is not None and truth_path.exists():
        from cxinsight import pseudonym

        truth = pd.read_parquet(truth_path, columns=["customer_id", "digital_capability"])  # raw ids: the key's tokens
        truth = truth.set_index(pseudonym.pseudonymise(truth["customer_id"].astype(str), "customer"))["digital_capability"]
        check = sample.assign(checked_segment=truth.reindex(sample["customer_id"]).to_numpy())
        check = check.dropna(subset=["checked_segment"])
        return check, (f"Demo council: {len(check):,} randomly chosen customers checked against the demo's answer "
                       "key, standing in for a person, to measure the segment rule's error.")
    where = f"review/{kind}/{waiting[-1].name}/{review_layer.SAMPLE_FILES[kind]}"
    return None, ("The segment rule's error is not measured yet: a random sample of customers waits for a person to "
                  f"check ({where}, in the review folder beside the processed data). Until then the intervals cover "
                  "sampling only.")


def build_analysis(processed: Path | str | None = None, options: Options | None = None) -> Analysis:
    """Analyse ``processed`` (default ``data/processed``) and write the result to its interim folder,
    replaced as a whole (:func:`cxinsight.outputs.replacing`)."""
    processed = Path(processed or paths.processed_dir()).resolve()
    options = options or options_for(processed)  # the council's settings over the defaults
    analysis = _compute(processed, options)
    with outputs.replacing(interim_dir(processed)) as stage:
        write_by_year(analysis.contacts, stage / "classified")
        if analysis.review is not None:
            analysis.review.to_parquet(stage / "review.parquet", index=False)
        if analysis.segments is not None:
            analysis.segments.to_parquet(stage / "segments.parquet", index=False)
        if analysis.scored is not None:
            analysis.scored.to_parquet(stage / "scored_areas.parquet", index=False)
        if analysis.segment_check is not None:
            analysis.segment_check.to_parquet(stage / "segment_check.parquet", index=False)
        meta = {"key": _key(processed, options), "options": asdict(options), "review_note": analysis.review_note,
                "segment_check_note": analysis.segment_check_note}
        (stage / "analysis.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return analysis


# Kept in the classified contacts for an analyst tracing a record, but no page reads them: left out
# of what load_analysis reads unless asked (detail=True), a third of the frame's memory at 6M contacts.
DETAIL_ONLY = ("source_file", "source_row", "previous_contact_id", "demand_evidence")


def load_analysis(processed: Path | str | None = None, options: Options | None = None,
                  detail: bool = False) -> Analysis:
    """The analysis of ``processed`` with ``options``: read from the interim folder when it was made
    from exactly these processed data and options, else built (and kept) now. ``detail``: also read
    the columns only an analyst tracing a record needs (:data:`DETAIL_ONLY`)."""
    from cxinsight import publish
    from cxinsight.pipeline import complete_folder
    from cxinsight.settings import load_settings

    processed = complete_folder(Path(processed or paths.processed_dir()).resolve())
    # the council's publishing rules in force for every figure shown from this analysis (publish.rules)
    publish.activate(load_settings(processed / "council.yaml").publishing)
    folder = interim_dir(processed)
    meta_path = folder / "analysis.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    key = None  # the data-and-options key, computed once (it hashes the processed manifest)
    if options is None:  # the analysis as built (by the report, with its options), else the council's settings
        known = {f.name for f in fields(Options)}
        kept = meta.get("options") if isinstance(meta.get("options"), dict) else None
        stored = Options(**{k: v for k, v in kept.items() if k in known}) if kept is not None else None
        if stored is not None and meta.get("key") == _key(processed, stored):
            options, key = stored, meta["key"]
        else:
            options = options_for(processed)
    if meta.get("key") != (key or _key(processed, options)):
        log.info("no analysis of these data with these options yet: building it")
        built = build_analysis(processed, options)
        if not detail:
            built.contacts = built.contacts.drop(columns=[c for c in DETAIL_ONLY if c in built.contacts])
        return built

    return _read(processed, folder, options, meta, detail)


def read_analysis(processed: Path | str | None = None, detail: bool = False) -> Analysis:
    """The analysis of ``processed`` as the last run built it, read and never built: what a notebook
    shows. FileNotFoundError, saying how to build it, when there is none for these processed data.
    The council's publishing rules (council.yaml) are put in force for what is shown from it."""
    from cxinsight import publish
    from cxinsight.pipeline import complete_folder
    from cxinsight.settings import load_settings

    processed = complete_folder(Path(processed or paths.processed_dir()).resolve())
    publish.activate(load_settings(processed / "council.yaml").publishing)
    folder = interim_dir(processed)
    meta_path = folder / "analysis.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    known = {f.name for f in fields(Options)}
    kept = meta.get("options") if isinstance(meta.get("options"), dict) else None
    options = Options(**{k: v for k, v in kept.items() if k in known}) if kept is not None else None
    if options is None or meta.get("key") != _key(processed, options):
        raise FileNotFoundError(f"{folder}: no analysis of the processed data in {processed} yet (or the data, rules "
                                "or council.yaml changed since). `cxinsight report` builds it; the notebooks only "
                                "show it.")
    return _read(processed, folder, options, meta, detail)


def _read(processed: Path, folder: Path, options: Options, meta: dict, detail: bool) -> Analysis:
    """The analysis stored in ``folder`` (its record ``meta``)."""
    from cxinsight.pipeline import read_optional

    def optional(name: str) -> pd.DataFrame | None:
        path = folder / f"{name}.parquet"
        return contiguous(pd.read_parquet(path)) if path.exists() else None

    classified = folder / "classified"
    columns = None
    if not detail:
        import pyarrow.parquet as pq

        names = pq.read_schema(next(classified.glob("year=*/part-0.parquet"))).names
        columns = [c for c in names if c not in DETAIL_ONLY]
    return Analysis(processed, options, read_by_year(classified, columns=columns),
                    read_optional("complaints", processed), read_optional("survey", processed),
                    read_optional("areas", processed), optional("scored_areas"), optional("review"),
                    meta["review_note"], optional("segments"), optional("segment_check"), meta["segment_check_note"])


# ---- savings: one computation for every page that shows them ----------------------------------

LEVERS = {"digital_push": "Channel shift alone", "fix_failure_first": "Fixing failure demand alone",
          "both": "Both together"}


@dataclass
class Savings:
    """The channel-shift model for one scope: its inputs, assumptions, the Monte Carlo of each lever
    (common random numbers: the same draws for every lever) and the central projection. Volumes are
    a year's: the export's counts scaled by ``period`` (a savings.Period)."""

    inputs: object
    assumptions: object
    shiftable: pd.DataFrame
    volumes: pd.DataFrame
    runs: dict[str, dict]
    projection: pd.DataFrame
    draws: int
    apportioned: float | None
    #: the days the export covers: ``volumes`` and ``shiftable`` are its counts scaled to a year
    period: object = None
    #: where the share who cannot shift comes from, in words: this council's customers (their
    #: segments) or, with no customer numbers, national rates (exclusion.customers.NationalRates)
    exclusion_source: str = "this council's customers: each customer's segment from their own contacts"
    #: the year whose prices the money is in (defaults published earlier are uprated to it by the CPI)
    prices_year: int | None = None

    def whose_values(self) -> str:
        """A sentence saying which assumptions are the council's own and which are cited defaults."""
        from cxinsight.settings import CPI_SOURCE

        mine = self.assumptions.council_values()
        prices = (f" Money is in {self.prices_year} prices: defaults published earlier are uprated by the "
                  f"{CPI_SOURCE}." if self.prices_year else "")
        if not mine:
            return ("Every assumption is a cited default: the council has not supplied its own (its analyst sets "
                    f"them in the council's settings file).{prices}")
        return (f"The council's own values (from its settings): {', '.join(mine)}. Every other assumption is a cited "
                f"default.{prices}")

    def npv_range(self, lever: str = "both") -> tuple[float, float, float]:
        """P10, P50 and P90 of the NPV for ``lever``."""
        p10, p50, p90 = np.percentile(self.runs[lever]["npv"], [10, 50, 90])
        return float(p10), float(p50), float(p90)

    def levers(self) -> pd.DataFrame:
        """One row per lever: P10, median and P90 NPV, chance of a positive NPV and central payback."""
        from cxinsight.savings import summarise

        central = summarise(self.projection).set_index("scenario")
        rows = []
        for lever, name in LEVERS.items():
            p10, p50, p90 = self.npv_range(lever)
            rows.append({"lever": lever, "name": name, "npv_p10": p10, "npv_p50": p50, "npv_p90": p90,
                         "chance_positive": float((self.runs[lever]["npv"] > 0).mean()),
                         "payback_year": central.loc[lever, "payback_year"]})
        return pd.DataFrame(rows)


def savings(analysis: Analysis) -> Savings:
    """The channel-shift model for ``analysis``'s scope. The shiftable volume leaves out the contacts of
    customers likely excluded (their segments); with no customer numbers to segment, national rates of
    adults who cannot or could only with support go online stand in (``Savings.exclusion_source`` says
    which, and the rates' range is carried through the draws). For a service, the council-wide programme
    costs are apportioned by its share of contacts. Always on the whole period analysed: contacts a
    year are the whole export's counts scaled to twelve months (``Savings.period``), whatever period a
    page reports on."""
    from cxinsight.demand.measures import failure_share
    from cxinsight.exclusion.customers import shiftable_by_rate, shiftable_volume
    from cxinsight.savings import Inputs, Period, baseline, monte_carlo, project

    whole = analysis.council
    contacts = whole.contacts
    if analysis.service is not None:
        contacts = contacts.loc[equals(contacts["service"], analysis.service)]
    settings = whole.council_settings
    period = Period.of(whole.contacts["received_at"])
    prices = settings.report_prices(period.last.year)  # money in the prices of the year the export ends
    assumptions = settings.savings_assumptions(prices)
    share = None
    if analysis.service is not None:  # the programme's costs are shared: charge the service its share
        share = len(contacts) / len(whole.contacts)
        assumptions = assumptions.apportioned(share)
    volumes = baseline(contacts, assumptions, per_year=period.per_year)
    if analysis.has_customers:
        shiftable = shiftable_volume(contacts, whole.segments, by=("service", "channel"), per_year=period.per_year,
                                     low_take_up=settings.low_take_up)
        source = Savings.exclusion_source
    else:
        rates = settings.national_rates()
        shiftable = shiftable_by_rate(contacts, by=("service", "channel"), rates=rates, per_year=period.per_year,
                                      low_take_up=settings.low_take_up)
        source = rates.source
    review = whole.review
    if review is not None and analysis.service is not None:
        review = review.loc[member(review["contact_id"], contacts["contact_id"])]
    shares = failure_share(contacts, by="service", review=review if review is not None and len(review) else None)
    inputs = Inputs.from_frames(volumes, shiftable, shares)
    o = whole.options
    runs = {lever: monte_carlo(inputs, assumptions, lever, draws=o.draws, seed=o.seed) for lever in LEVERS}
    return Savings(inputs, assumptions, shiftable, volumes, runs, project(inputs, assumptions), o.draws, share,
                   period, source, prices)
