"""The ``cxinsight`` command: ``demo``, ``init``, ``pipeline``, ``report``, ``history`` and ``check-classifier``
(``cxinsight --help``)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import yaml


def _demo(args: argparse.Namespace) -> int:
    from cxinsight import paths
    from cxinsight.synthetic import GENERATOR_VERSION, DemoSpec, generate_demo

    if args.history:
        from cxinsight.synthetic import generate_demo_history

        root = Path(args.out) if args.out else paths.raw_dir() / "demo_history"
        if (root / "history.yaml").exists() and not args.force:
            logging.info("demo history already in %s; --force to rebuild", root)
            return 0
        made = generate_demo_history(root, contacts=args.contacts or 20_000)
        logging.info("demo history written: %s (run `cxinsight history %s`)", made, made)
        return 0
    spec = DemoSpec(contacts=args.contacts or 150_000, seed=args.seed)
    raw = Path(args.out) if args.out else paths.demo_raw_dir()
    key = Path(args.key) if args.key else (raw.parent / f"{raw.name}_answer_key")
    planted = key / "planted.yaml"
    if planted.exists() and not args.force:
        have = yaml.safe_load(planted.read_text(encoding="utf-8")) or {}
        same = (have.get("seed") == spec.seed and have.get("contacts") == spec.contacts
                and have.get("generator_version") == GENERATOR_VERSION)
        if same and (raw / "sources.yaml").exists():
            logging.info("demo data already in %s (seed %s, %s contacts); --force to rebuild", raw,
                         spec.seed, f"{spec.contacts:,}")
            return 0
    summary = generate_demo(raw, key, spec)
    logging.info("demo council written to %s: %s contacts, %s complaint rows, %s survey responses (%.1f s)",
                 raw, f"{summary['contacts']:,}", summary["complaints"], summary["survey"], summary["seconds"])
    return 0


def _pipeline(args: argparse.Namespace) -> int:
    from cxinsight.pipeline import build_processed
    from cxinsight.preflight import preflight

    preflight(args.sources)  # a configuration error in seconds, not after the whole export is read
    result = build_processed(args.sources, args.out, repeat_window_days=args.repeat_window)
    for _, row in result.accounting.iterrows():
        logging.info("%-12s %-40s in %8d  clean %8d  quarantined %6d", row["table"], row["source_file"],
                     row["rows_in"], row["rows_clean"], row["rows_quarantined"])
    return 0


def _report(args: argparse.Namespace) -> int:
    from cxinsight import paths
    from cxinsight.analysis import options_from
    from cxinsight.report import build_reports
    from cxinsight.settings import load_settings, settings_beside

    # this run's own options over the council's (analysis: in the council.yaml beside sources.yaml); none
    # given: the analysis takes the council's by itself
    mine = {k: v for k, v in (("learn_from_review", bool(args.learn_from_review) or None), ("review_path", args.review))
            if v is not None}
    options = options_from(load_settings(settings_beside(args.sources or paths.demo_sources())), **mine) if mine else None
    written = build_reports(args.sources, args.out, processed=args.processed, services=args.service or None,
                            period=args.period, workers=args.workers, options=options, pdfs=not args.no_pdf)
    logging.info("%d reports written; open %s", len(written), written[0])
    return 0


def _analyse(args: argparse.Namespace) -> int:
    import json

    from cxinsight import paths
    from cxinsight.analysis import load_analysis, options_for
    from cxinsight.catalog import layer_dir
    from cxinsight.figures import RECORD, analysis_record, build_figures, shape
    from cxinsight.report import _services

    processed = Path(args.processed).resolve() if args.processed else paths.processed_dir()
    options = None
    if args.learn_from_review or args.review:
        options = options_for(processed, learn_from_review=bool(args.learn_from_review), review_path=args.review)
    load_analysis(processed, options)  # built only when the data, rules, settings or options changed
    services = args.service or _services(processed)[0]
    record = layer_dir("figures", processed) / RECORD
    wanted = {"period": args.period, "services": list(services), "analysis": analysis_record(processed),
              "shape": shape()}
    kept = json.loads(record.read_text(encoding="utf-8")) if record.exists() else {}
    if {k: kept.get(k) for k in wanted} == wanted:
        logging.info("the analysis and figures of %s are up to date", processed)
        return 0
    folder = build_figures(processed, services, args.period)
    logging.info("analysis and figures built (%s); the notebooks in notebooks/ show them", folder)
    return 0


def _review(args: argparse.Namespace) -> int:
    from cxinsight import review_layer
    from cxinsight.analysis import load_analysis

    analysis = load_analysis(args.processed)
    drawn = review_layer.draws(analysis.processed, review_layer.FAILURE_DEMAND)
    if args.precision or args.top_up:
        table = review_layer.status(analysis)
        council = table.loc[table["scope"] == "council"].iloc[0]
        n = args.top_up or max(review_layer.size_for(args.precision, council["share"]) - int(council["drawn"]), 0)
        if n == 0:
            logging.info("the contacts already drawn are enough for +/- %.0f points: label them", 100 * args.precision)
            return 0
        made = review_layer.draw_for_review(analysis.processed, analysis.contacts, n, analysis.options.seed + len(drawn),
                                            precision=args.precision, top_up=args.top_up)
        logging.info("more contacts to label: %s", made / review_layer.SAMPLE_FILES[review_layer.FAILURE_DEMAND])
        return 0
    table = review_layer.status(analysis)
    council = table.loc[table["scope"] == "council"].iloc[0]
    logging.info("%s: %s contacts drawn for review, %s labelled. %s", review_layer.folder(analysis.processed),
                 f"{int(council['drawn']):,}", f"{int(council['labelled']):,}", analysis.review_note)
    for row in review_layer.agreement(analysis.processed).itertuples():  # two people on the same contacts
        logging.info("two people labelled %s of the same contacts (%s, copy by %s): they agree on %.0f%%, kappa %.2f%s",
                     f"{row.both_labelled:,}", row.draw, row.labeller, 100 * row.agree, row.kappa,
                     "" if row.kappa_low != row.kappa_low else f" (95% interval {row.kappa_low:.2f} to {row.kappa_high:.2f})")
    for row in table.itertuples():
        more = ("" if row.half_width_if_all_labelled != row.half_width_if_all_labelled else
                f"; +/- {100 * row.half_width_if_all_labelled:.1f} with every drawn contact labelled")
        logging.info("%-28s failure demand %5.1f%% (95%% interval %.1f%% to %.1f%%, +/- %.1f points; %s labelled%s)",
                     row.scope, 100 * row.share, 100 * row.low, 100 * row.high, 100 * row.half_width,
                     f"{row.labelled:,}", more)
    return 0


def _history(args: argparse.Namespace) -> int:
    from cxinsight import history, paths, publish

    out = Path(args.out) if args.out else paths.history_dir()
    result = history.build_history(args.history, out, force=args.force)
    done = result.status["status"].value_counts()
    logging.info("%d council-years: %d processed, %d unchanged", len(result.status), done.get("processed", 0),
                 done.get("unchanged", 0))
    aggregates = history.aggregate(out, engine=args.engine, scheduler=args.scheduler)
    aggregates.to_parquet(out / "aggregates.parquet", index=False)
    names = dict(zip(result.status["council_slug"], result.status["council"], strict=True))
    table = history.yearly(aggregates).assign(council=lambda t: t["council"].map(names))
    publish.write_csv(table, out / "yearly.csv")  # no cell of it can run as a spreadsheet formula
    for _, row in table.iterrows():
        logging.info("%-30s %-8s %10s contacts  failure %5.1f%%  online %5.1f%%", row["council"], row["year"],
                     f"{int(row['contacts']):,}", 100 * row["failure_share"], 100 * row["digital_share"])
    logging.info("aggregates in %s (aggregates.parquet, yearly.csv)", out)
    if not args.no_report:
        from cxinsight.report import build_history_report

        page = build_history_report(out)
        logging.info("year-on-year page: %s", page)
    return 0


def _init(args: argparse.Namespace) -> int:
    from cxinsight.settings import init_folder

    try:
        written = init_folder(args.folder)
    except FileExistsError as exc:
        logging.error("%s", exc)
        return 2
    for path in written:
        logging.info("written %s", path)
    logging.info("next: put your exports in %s, write a profile for each (see the README), then "
                 "`cxinsight report --sources %s`", args.folder, written[0])
    return 0


def _check_classifier(args: argparse.Namespace) -> int:
    from cxinsight import publish
    from cxinsight.demand.check import check_labelled, read_labelled

    frame = read_labelled(args.file)
    result = check_labelled(frame, args.text, args.label, taxonomy=args.taxonomy, learn=not args.no_learn,
                            source=str(args.file))
    logging.info("%s: %s labelled texts, scored by the default classifier", args.file, f"{result.n:,}")
    for row in result.metrics.itertuples():
        between = f" (95% interval {row.low:.2f} to {row.high:.2f})" if row.low == row.low else ""
        logging.info("%-28s %.2f%s, n = %s", row.measure, row.estimate, between, f"{row.n:,}")
    logging.info("Expected calibration error of p_failure: %.3f", result.ece)
    if result.gain is not None:
        for row in result.gain.itertuples():
            logging.info("%-28s F1 %.2f, kappa %.2f (5-fold: each text scored by a model that did not learn it)",
                         row.classifier, row.f1, row.kappa)
    if args.out:
        publish.write_csv(result.figures(), args.out)
        logging.info("written to %s", args.out)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cxinsight", description="Customer-experience insight for UK councils.")
    parser.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors")
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="generate the synthetic demo council into data/raw/demo")
    d.add_argument("--contacts", type=int, help="contacts a year (default 150,000; with --history, 20,000 for each "
                                                "council-year)")
    d.add_argument("--seed", type=int, default=20240401)
    d.add_argument("--out", help="raw folder (default data/raw/demo)")
    d.add_argument("--key", help="answer key folder (default: beside --out)")
    d.add_argument("--force", action="store_true", help="regenerate even if present")
    d.add_argument("--history", action="store_true",
                   help="two demo councils over two years instead (data/raw/demo_history; 20,000 contacts a year "
                        "unless --contacts), for `cxinsight history`")
    d.set_defaults(func=_demo)
    p = sub.add_parser("pipeline", help="load, clean, redact and validate raw exports into data/processed")
    p.add_argument("--sources", help="sources.yaml (default: the demo council)")
    p.add_argument("--out", help="processed folder (default data/processed)")
    p.add_argument("--repeat-window", type=float, default=14, help="repeat-contact window in days")
    p.set_defaults(func=_pipeline)
    r = sub.add_parser("report", help="run the notebooks and write HTML reports")
    r.add_argument("--sources", help="sources.yaml (default: the demo council)")
    r.add_argument("--out", help="reports folder (default reports/)")
    r.add_argument("--processed", help="processed folder (default data/processed)")
    r.add_argument("--service", action="append", help="a service code to report on (repeat; default: every service)")
    r.add_argument("--period", help="YYYY-MM-DD/YYYY-MM-DD: limit the at-a-glance reports to these dates")
    r.add_argument("--workers", type=int, default=2, help="notebooks run at a time (default 2)")
    r.add_argument("--review", help="a labelled review CSV to correct the shares with (default: the labels "
                                    "people wrote into the samples in the review folder, read by every run)")
    r.add_argument("--learn-from-review", action="store_true",
                   help="classify contacts by a model taught by the council's review, where it beats the rules")
    r.add_argument("--no-pdf", action="store_true",
                   help="write no PDFs (default: a PDF of every page in <out>/pdf/ when Chromium is installed)")
    r.set_defaults(func=_report)
    a = sub.add_parser("analyse", help="classify, review-correct and segment the processed data, then compute every "
                                       "page's figures (what `report` does before the pages; the notebooks show them)")
    a.add_argument("--processed", help="processed folder (default data/processed)")
    a.add_argument("--service", action="append", help="a service code to compute a page for (repeat; default: every "
                                                      "service a report gives a page)")
    a.add_argument("--period", help="YYYY-MM-DD/YYYY-MM-DD: the at-a-glance figures for these dates")
    a.add_argument("--review", help="a labelled review CSV (default: the labels in the review folder)")
    a.add_argument("--learn-from-review", action="store_true", help="as for report")
    a.set_defaults(func=_analyse)
    v = sub.add_parser("review", help="where the failure-demand review stands (labelled so far, each share's "
                                      "interval, what more labelling buys), or draw more contacts to label")
    v.add_argument("--processed", help="processed folder (default data/processed); the review folder is beside it")
    v.add_argument("--precision", type=float, help="draw enough more contacts for about +/- this on the council's "
                                                   "share (0.03: 3 points), excluding those drawn before")
    v.add_argument("--top-up", type=int, help="draw this many more contacts, excluding those drawn before")
    v.set_defaults(func=_review)
    h = sub.add_parser("history", help="several years and councils: process each council-year once, then aggregate")
    h.add_argument("history", help="history.yaml: councils, each with a sources.yaml per year")
    h.add_argument("--out", help="history folder (default data/history)")
    h.add_argument("--engine", choices=["duckdb", "pandas"], default="duckdb", help="local aggregation engine")
    h.add_argument("--scheduler", help="a Dask scheduler address (tcp://host:port): aggregate on that cluster")
    h.add_argument("--force", action="store_true", help="process every council-year again, even if unchanged")
    h.add_argument("--no-report", action="store_true",
                   help="only the data: do not write the year-on-year page (<out>/report/index.html)")
    h.set_defaults(func=_history)
    i = sub.add_parser("init", help="write a commented sources.yaml and council.yaml (every setting with its default "
                                    "and citation) into FOLDER to start from; never overwrites")
    i.add_argument("folder", help="the council's folder, such as data/raw/mycouncil")
    i.set_defaults(func=_init)
    c = sub.add_parser("check-classifier", help="how well the classifier reads your words: agreement with a file "
                                                 "a person has labelled (failure/value)")
    c.add_argument("file", help="a CSV or Excel file: one text and its hand label per row")
    c.add_argument("--text", default="text", help="the texts' column (default: text)")
    c.add_argument("--label", default="label", help="the labels' column: failure, value or a failure type")
    c.add_argument("--taxonomy", help="a taxonomy YAML (default: the shipped one)")
    c.add_argument("--no-learn", action="store_true", help="do not also try a model learned from these labels")
    c.add_argument("--out", help="write the figures to this CSV (formula-safe)")
    c.set_defaults(func=_check_classifier)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    from cxinsight.demand.check import LabelledFileError
    from cxinsight.io import ExportError
    from cxinsight.outputs import RunInProgress
    from cxinsight.pipeline import IncompleteOutputs
    from cxinsight.profile import ProfileError
    from cxinsight.publish import PersonalDataFound
    from cxinsight.report import NotebookFailed, PageProblem

    try:
        return args.func(args)
    except (ExportError, ProfileError, NotebookFailed, FileNotFoundError, RunInProgress, IncompleteOutputs,
            PersonalDataFound, PageProblem, LabelledFileError) as exc:
        # A problem with the data or its description: say what and where, without a traceback.
        logging.error("%s", exc)
        return 2


if __name__ == "__main__":
    sys.exit(main())
