"""Every data layer and every stored dataset, where it lives and the one function that writes it.

The layers, in the order a run makes them (``data/`` here is ``$CXINSIGHT_DATA_DIR``):

============  ==========================  ===============================================================
layer         folder                      owner
============  ==========================  ===============================================================
raw           ``data/raw``                the council's exports as its systems wrote them; never written
processed     ``data/processed``          the pipeline (:func:`cxinsight.pipeline.build_processed`)
interim       ``data/interim``            the analysis (:func:`cxinsight.analysis.build_analysis`)
review        ``data/review``             people: samples drawn for them, what they label, quotes they
                                          approve; a run adds a draw, never replaces or deletes one
figures       ``data/figures``            the figures stage (:func:`cxinsight.figures.build_figures`)
reports       ``reports``                 the report builder (:func:`cxinsight.report.build_reports`)
history       ``data/history``            history mode (:func:`cxinsight.history.build_history`)
============  ==========================  ===============================================================

Each folder beside ``processed`` is named from it: ``data/processed`` gives ``data/interim``,
``data/review`` and ``data/figures``; any other processed folder ``x`` gives ``x_interim``,
``x_review`` and ``x_figures`` beside it, so two councils' runs never share a layer.

:data:`DATASETS` names every dataset a run stores, its layer, its file and its writer; a test
(``tests/test_structure.py``) checks that each is written by exactly that function and no other.

>>> from pathlib import Path
>>> layer_dir("interim", Path("/d/processed")).as_posix(), layer_dir("review", Path("/d/processed")).as_posix()
('/d/interim', '/d/review')
>>> layer_dir("figures", Path("/tmp/council_a")).as_posix()
'/tmp/council_a_figures'
>>> dataset("headlines").writer
'cxinsight.figures.write_figures'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

LAYERS = ("raw", "processed", "interim", "review", "figures", "reports", "history")
#: Layers kept beside the processed folder and named from it.
BESIDE_PROCESSED = ("interim", "review", "figures")


def layer_dir(layer: str, processed: Path | str | None = None) -> Path:
    """The folder of ``layer`` for the processed folder ``processed`` (default ``data/processed``)."""
    from cxinsight import paths

    if layer not in LAYERS:
        raise ValueError(f"unknown data layer {layer!r}; expected one of {list(LAYERS)}")
    if layer == "raw":
        return paths.raw_dir()
    if layer == "reports":
        return paths.reports_dir()
    if layer == "history":
        return paths.history_dir()
    processed = Path(processed) if processed is not None else paths.processed_dir()
    if layer == "processed":
        return processed
    name = layer if processed.name == "processed" else f"{processed.name}_{layer}"
    return processed.parent / name


@dataclass(frozen=True)
class Dataset:
    """One stored dataset: its name, its layer, its file (relative to the layer's folder; ``*`` for a
    name chosen per table, scope or draw), its one writing function (dotted) and what it holds."""

    name: str
    layer: str
    file: str
    writer: str
    holds: str


DATASETS: tuple[Dataset, ...] = (
    # processed: the pipeline
    Dataset("processed tables", "processed", "*.parquet", "cxinsight.pipeline._write_parquet",
            "contacts, complaints, survey and areas: typed, validated, redacted; quarantine, row accounting, "
            "repairs and redactions"),
    Dataset("manifest", "processed", "manifest.json", "cxinsight.pipeline.build_processed",
            "the files read, rows in, out and quarantined, the council, warnings and the period"),
    Dataset("council settings copy", "processed", "council.yaml", "cxinsight.pipeline.build_processed",
            "the council.yaml the run used, kept with the data it was used on"),
    # interim: the analysis
    Dataset("classified contacts", "interim", "classified/year=*/part-0.parquet", "cxinsight.analysis.write_by_year",
            "every contact with its demand, failure type, confidence and evidence, and its journey and step "
            "in it (cxinsight.journeys), by year"),
    Dataset("analysis tables", "interim", "*.parquet", "cxinsight.analysis.build_analysis",
            "the review used, customer segments, area scores and the segment check"),
    Dataset("analysis record", "interim", "analysis.json", "cxinsight.analysis.build_analysis",
            "the options and data the analysis was made from, and where its review came from"),
    # review: what people make (a run only adds a draw)
    Dataset("samples drawn", "review", "*/*/review_sample.csv", "cxinsight.demand.review.write_review",
            "each sample drawn for a person (a failure-demand review, a segment check), safe to open in Excel"),
    Dataset("draw designs", "review", "*/*/design.json", "cxinsight.review_layer.add_draw",
            "each draw's design and date (a draw is never replaced)"),
    Dataset("labels", "review", "*/*/*.csv", "cxinsight.labelling.LabelFile.save",
            "what a person labelled: in Excel (the file as drawn), or saved by the labelling widget"),
    Dataset("approved quotes", "review", "approved_quotes.csv", "",
            "contact ids a person approved for quoting (a person writes it; no code does)"),
    # figures: the figures stage
    Dataset("headlines", "figures", "headlines.parquet", "cxinsight.figures.write_figures",
            "every headline figure of every scope (journeys' among them), with its range, base, note and changes; "
            "and what could not be given, and why"),
    Dataset("page tables", "figures", "*.parquet", "cxinsight.figures.write_figures",
            "the tables each at-a-glance page charts: actions, changes, failure by channel, drivers, customer "
            "groups, shiftable volume, savings bands and levers, complaint timeliness, NPS by channel, the commonest failing journeys, facts"),
    # reports
    Dataset("pages", "reports", "**/*.html", "cxinsight.report.render.write_page",
            "the HTML pages (the index, each notebook's page, pages saying what would unlock a report)"),
    Dataset("downloads", "reports", "downloads/*.csv", "cxinsight.publish.write_csv",
            "each table a page offers, as a safe CSV (small numbers suppressed, formulas disarmed)"),
    # history (several councils and years, ``cxinsight history``)
    Dataset("history", "history", "*", "cxinsight.history.build_history",
            "each council-year processed once, and its manifest"),
    Dataset("history aggregates", "history", "aggregates.parquet", "cxinsight.cli._history",
            "the monthly aggregates notebook 08 reads"),
)

#: Functions that write files that are not a run's datasets, and why.
OTHER_WRITERS = {
    "cxinsight.synthetic.generate_demo": "the synthetic demo council's exports and answer key (test instrument)",
    "cxinsight.synthetic.generate_demo_history": "the demo history's listing (test instrument)",
    "cxinsight.synthetic.exports._write_csv_with_blank_lines": "the demo's CRM exports (test instrument)",
    "cxinsight.synthetic.exports.write_area_export": "the demo's area export (test instrument)",
    "cxinsight.synthetic.exports.write_survey_export": "the demo's survey export (test instrument)",
    "cxinsight.settings.init_folder": "commented sources.yaml and council.yaml for a person to start from; "
                                      "never overwrites",
    "cxinsight.demand.make_word_list.main": "a developer's tool regenerating a word list shipped with the package",
    "cxinsight.gate.make_login_words.main": "a developer's tool regenerating a word list shipped with the package",
    "cxinsight.pseudonym.load_key": "the secret pseudonym key, made once outside every data folder (the user's config "
                                    "folder); never data, never beside it",
}


def dataset(name: str) -> Dataset:
    """The dataset called ``name``."""
    for d in DATASETS:
        if d.name == name:
            return d
    raise KeyError(f"no dataset {name!r}; expected one of {[d.name for d in DATASETS]}")
