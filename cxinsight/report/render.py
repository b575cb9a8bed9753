"""Render executed notebooks and the index as pages a head of service can open: no code, no prompts,
no scripts, nothing fetched from outside the page.

Pages are Jinja2 templates (``templates/``) with autoescaping on: every value from the data (a service
name, a figure, a banner) is escaped where it is placed; only HTML this package produced itself (a
notebook body converted by nbconvert, the rendered index body, the style sheet ``report.css``) is
marked safe. Analyst material (cells tagged ``appendix``) moves to an appendix with a glossary.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from cxinsight.report.notebooks import (
    COUNCIL_NOTEBOOKS,
    MAX_SERVICE_REPORTS,
    MIN_SERVICE_CONTACTS,
    TITLES,
    page_name,
)

HERE = Path(__file__).parent
HIDDEN_TAGS = {"invariant", "remove", "evaluation"}
APPENDIX_TAG = "appendix"
# Plain English for the terms the pages use; printed at the end of every council report.
GLOSSARY: dict[str, str] = {
    "Failure demand": "contact that exists because the council did not do something, or did not do it right, "
                      "for the customer first (chasing, things not done, unclear letters, repeat contacts). "
                      "Value demand is everything else: what the council is there to do.",
    "95% interval": "the range the true figure very probably lies in, given how many contacts, customers or "
                    "responses it rests on (and, for failure demand, how often the classifier is right).",
    "P10 to P90": "for savings: 8 in 10 of the simulated outcomes, varying every assumption, fall in this range.",
    "NPV": "net present value: savings minus costs over the years, with later years discounted (HM Treasury "
           "Green Book, 3.5% a year).",
    "Base": "how many contacts, customers, complaints or responses a figure rests on.",
    "* and rounding": "counts of 1 to 7 are shown as *, and other counts rounded to the nearest 5, so that no "
                      "person can be picked out; a share that would give such a count away is not shown either.",
    "Within the noise": "a change smaller than chance alone could produce; 'a clear change' is one it could not, "
                        "even allowing for every comparison the report makes (chance alone would call any change in "
                        "the report clear less than once in 100 reports). With a dozen services and four "
                        "measures set beside two earlier quarters, chance alone makes a few changes look clear on "
                        "their own: those are 'not clear among this report's comparisons'. A change in failure demand "
                        "is judged against the rate behind the contacts, which varies from quarter to quarter "
                        "even when nothing changes.",
    "Complaints due": "stage 1 complaints whose deadline has passed: those answered, and those still open past "
                      "it (late). The on-time share allows an agreed extension (at most 10 more working days).",
    "Review sample": "contacts chosen at random (more where the classifier is unsure) and labelled by a person, "
                     "to correct the shares and measure how often the classifier is right.",
    "Precision, recall, kappa": "how often the classifier's 'failure' is right (precision), how much of the real "
                                "failure demand it finds (recall), and agreement beyond chance (kappa, 1 is perfect).",
    "Control chart (XmR)": "a week-by-week chart with limits set by the data's own variation: points outside "
                           "them, or long runs on one side, signal a real change.",
    "DERI": "GMCA's Digital Exclusion Risk Index for small areas: 0 is the lowest risk and 10 the highest in "
            "the comparison; it ranks areas, it is not a target.",
    "Likely digitally excluded": "customers whose contact with the council shows no digital use and signs of "
                                 "needing help; an estimate, not a label on a person.",
    "NPS": "Net Promoter Score: the share of survey responses scoring 9-10 minus the share scoring 0-6, "
           "from -100 to +100.",
}


def for_the_reader(cells: list) -> list:
    """The cells in the order a head of service reads them: analyst material (cells tagged
    ``appendix``: agreement tables, control charts, correlation checks) moved to an appendix at the
    end, followed by a plain glossary; "How to run" paragraphs (for analysts in JupyterLab) left out;
    "Data." paragraphs (the files and stages a page reads) moved to the appendix; the notebook's
    number taken off its title; numbered sections numbered again in the order they now appear.

    >>> import nbformat
    >>> cells = for_the_reader([nbformat.v4.new_markdown_cell("# 02 · Failure demand\\n\\n**Data.** From "
    ...                                                      "`contacts.parquet`.\\n\\nWhat we found.")])
    >>> cells[0].source, cells[1].source.splitlines()[0], cells[2].source
    ('# Failure demand\\n\\nWhat we found.', '## Appendix: how far to trust the figures, for analysts', \
'### A. Where the figures come from\\n\\n**Data.** From `contacts.parquet`.')
    """
    import re

    import nbformat

    sources: list[str] = []  # "Data." paragraphs: which files and stages a page reads, for the analyst

    def strip(cell):
        if cell.cell_type == "markdown":
            paragraphs = re.split(r"\n\s*\n", cell.source)
            sources.extend(p.strip() for p in paragraphs if p.lstrip().startswith("**Data.**"))
            cell.source = "\n\n".join(p for p in paragraphs if not p.lstrip().startswith(("**How to run.**", "**Data.**")))
            # the notebook's number is for the analyst's file list: "# 01 · Data quality" -> "# Data quality"
            cell.source = re.sub(r"^# \d\d · ", "# ", cell.source, flags=re.M)
        return cell

    main = [strip(c) for c in cells if APPENDIX_TAG not in c.get("metadata", {}).get("tags", [])]
    extra = [strip(c) for c in cells if APPENDIX_TAG in c.get("metadata", {}).get("tags", [])]
    if sources:
        extra.append(nbformat.v4.new_markdown_cell("## Where the figures come from\n\n" + "\n\n".join(sources)))
    counter = iter(range(1, 100))
    for c in main:
        if c.cell_type == "markdown":
            c.source = re.sub(r"^## \d+\. ", lambda m: f"## {next(counter)}. ", c.source, flags=re.M)
    if not extra:
        return main
    letters = iter("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    for c in extra:
        if c.cell_type == "markdown":
            c.source = re.sub(r"^##+ (?:\d+\. )?", lambda m: f"### {next(letters)}. ", c.source, flags=re.M)
    head = nbformat.v4.new_markdown_cell("## Appendix: how far to trust the figures, for analysts\n\n"
                                         "The checks behind the figures above. A head of service can skip them.")
    words = "\n".join(f"- **{term}**: {meaning}" for term, meaning in GLOSSARY.items())
    glossary = nbformat.v4.new_markdown_cell(f"## Glossary\n\n{words}")
    return main + [head, *extra, glossary]


def notebook_body(executed: Path) -> str:
    """The executed notebook as HTML body content: no code, no prompts, no warnings, no hidden cells."""
    import nbformat

    nb = nbformat.read(str(executed), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":  # warnings and logs are for the analyst, not the reader
            cell.outputs = [o for o in cell.outputs if not (o.get("output_type") == "stream")]
    nb.cells = for_the_reader(nb.cells)
    body, _ = _exporter().from_notebook_node(nb)
    return body


@cache
def _exporter():
    """nbconvert's HTML exporter as the pages use it, made once per process: making one compiles its
    Jinja templates again (about 0.15 s a page)."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = set(HIDDEN_TAGS)
    config.TagRemovePreprocessor.enabled = True
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.exclude_anchor_links = True
    return HTMLExporter(config=config, template_name="basic")



@cache
def _templates():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined,
                       keep_trailing_newline=True)


@cache
def css() -> str:
    """The style sheet every page inlines (``report.css``)."""
    return (HERE / "report.css").read_text(encoding="utf-8")


def page(title: str, body: str, nav: list[tuple[str, str]], footer: str, banner: str = "", period: str = "") -> str:
    """A whole, self-contained HTML page (inline styles, no scripts, no external resources).

    ``body`` is HTML this package produced (trusted); every other argument is text, escaped.
    ``period``: the reporting period, shown under the navigation of every page.

    >>> html = page("<b>T</b>", "<p>body</p>", [("All", "index.html")], "f & g")
    >>> "<title>&lt;b&gt;T&lt;/b&gt;</title>" in html, "<p>body</p>" in html, "f &amp; g" in html
    (True, True, True)
    >>> "<td>-\u2060£12k</td>" in page("t", "<td>-£12k</td>", [], "")  # a minus stays with its number
    True
    """
    import re

    from markupsafe import Markup

    # a line may break after a hyphen-minus before "£" (unlike before a digit): join "-£12k" so a
    # minus sign never ends a line with its number on the next (U+2060 WORD JOINER, invisible)
    body = re.sub(r"(?<![\w-])-(?=£\d)", "-\u2060", body)
    return _templates().get_template("page.html.j2").render(
        title=title, css=Markup(css()), nav=nav, period=period, banner=banner, body=Markup(body), footer=footer)


def write_page(path: Path, title: str, body: str, nav: list[tuple[str, str]], footer: str, banner: str = "",
               period: str = "") -> Path:
    """Write one page (:func:`page`) to ``path``: the only function that writes a report page."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page(title, body, nav, footer, banner, period), encoding="utf-8")
    return path


def to_html(executed: Path, html_path: Path, title: str = "", nav: list[tuple[str, str]] | None = None,
            footer: str = "", banner: str = "", period: str = "") -> Path:
    """Convert an executed notebook into a self-contained, code-free HTML page."""
    html_path = Path(html_path)
    return write_page(html_path, title or html_path.stem, notebook_body(executed), nav or [], footer, banner, period)


def write_unavailable(path: Path, title: str, reasons: list[str], footer: str, banner: str, period: str = "") -> Path:
    """A page for a report the council's data cannot support, saying what would unlock it."""
    body = _templates().get_template("unavailable.html.j2").render(title=title, reasons=reasons)
    return write_page(path, title, body, [("All reports", "../index.html")], footer, banner, period)


#: The council's figures the index shows as cards (the other savings and journey figures are on
#: the pages the cards link to, and on the at-a-glance page).
INDEX_CARDS = ("failure_share", "likely_excluded", "savings_npv", "complaints_on_time", "nps",
               "first_contact_resolution")
#: What a figure the data cannot give would need, in a few words (the index's one folded line; the
#: page it links to says it in full).
INDEX_NEEDS = {"failure_share": "contact notes, reasons or customer numbers",
               "likely_excluded": "customer numbers", "savings_npv": "contacts by channel",
               "complaints_on_time": "a complaints export", "nps": "a survey export",
               "first_contact_resolution": "customer numbers or case references"}


def _card_change(changes) -> str:
    """The one line of change a card carries: the latest quarter's figure and how it moved since the
    quarter before (or a year before when that is all there is), with the verdict; the change's
    interval is on the page the card links to.

    >>> _card_change((("latest", "46% (44% to 49%)", "January to March 2025"),
    ...               ("previous", "...", "up 1 point (95% interval -3 to +4), within the noise")))
    'January to March 2025: 46%, up 1 point on the quarter before, within the noise.'
    """
    import re

    latest = next(((text, words) for key, text, words in changes if key == "latest"), None)
    if latest is None:
        return ""
    value, when = latest[0].split(" (", 1)[0], latest[1]
    for key, against in (("previous", "the quarter before"), ("last_year", "a year before")):
        short = next((s for k, _, s in changes if k == key), "")
        if not short or short in ("not in the data", "no comparison"):
            continue
        short = re.sub(r" \(95% interval [^)]*\)", "", short)
        if short.startswith(("up ", "down ", "no change", "a change of")):
            direction, _, verdict = short.partition(", ")
            return f"{when}: {value}, {direction} on {against}{', ' + verdict if verdict else ''}."
        return f"{when}: {value}; against {against}: {short}."
    return f"{when}: {value}."


def _card(h, measure: str) -> dict:
    """One index card: the figure, its range in words (:mod:`cxinsight.phrasing`), its base and one
    line of change."""
    from cxinsight.headlines import MEASURES, PAGES, describe
    from cxinsight.phrasing import range_said

    d = describe(h)
    kind = MEASURES[measure][1]
    if d["value"] in ("*", "too few to report") or not d["interval"]:
        rng = d.get("note", "")
    elif kind == "money":
        rng = f"{range_said(h.low, h.high, kind)} (8 in 10 outcomes)"
    elif kind in ("share", "score"):
        rng = range_said(h.low, h.high, kind)
    else:
        rng = f"{h.interval}: {d['interval']}"
    return {"page": PAGES[measure], "name": d["name"], "value": d["value"], "range": rng,
            "base": f"Base: {d['base']}" if d["base"] else "", "change": _card_change(h.changes)}


def _service_rows(by_scope: dict, services: list[str], shown: list[str]) -> list[dict]:
    from cxinsight.headlines import describe
    from cxinsight.wording import label

    rows = []
    for code in services:
        cells = []
        for m in shown:
            h = by_scope.get(code, {}).get(m)
            d = None if h is None else describe(h)
            cells.append(None if d is None else {
                "value": d["value"], "range": f" ({d['interval']})" if d["interval"] else "", "base": d["base"],
                "since": next((short for key, _, short in h.changes if key == "previous"), "")})
        rows.append({"code": code, "name": label(code), "cells": cells})
    return rows


def write_index(out: Path, figures: list, services: list[str], footer: str = "", banner: str = "",
                others: int = 0, period: str = "", actions: list[str] | None = None) -> Path:
    """``index.html``, read in two minutes: what the figures mean, a card per council figure (its
    value, its range in words, its base and one line of change, linking to the report that explains
    it), figures the data cannot give folded into one line, and links to each service's page; every
    service's figures side by side are on ``by_service.html`` (written here too)."""
    from cxinsight.headlines import JOURNEY_MEASURES, MEASURES, SAVINGS_MEASURES, describe

    by_scope: dict[str, dict] = {}
    for h in figures:
        by_scope.setdefault(h.scope, {})[h.measure] = h
    council = by_scope.get("council", {})
    cards, missing = [], []
    for measure in INDEX_CARDS:
        h = council.get(measure)
        if h is None:
            continue
        if describe(h)["value"] == "not available":
            missing.append(f"{MEASURES[measure][0].split(' (')[0].lower()} (needs {INDEX_NEEDS[measure]})")
            continue
        cards.append(_card(h, measure))
    placeholders = "placeholder" in getattr(council.get("savings_npv"), "note", "")
    # each service's journey figures are on its own page (a column each would crowd the table)
    shown = [m for m in MEASURES if (m not in SAVINGS_MEASURES or m == "savings_npv") and m not in JOURNEY_MEASURES]
    rows = _service_rows(by_scope, services, shown)
    body = _templates().get_template("index.html.j2").render(
        actions=actions or [], cards=cards, missing="; ".join(missing), rows=rows, others=others,
        placeholders=placeholders, chapters=[(TITLES[nb], page_name(nb)) for nb in COUNCIL_NOTEBOOKS])
    table = _templates().get_template("by_service.html.j2").render(
        columns=[MEASURES[m][0] for m in shown], rows=rows, others=others,
        min_contacts=MIN_SERVICE_CONTACTS, max_reports=MAX_SERVICE_REPORTS)
    write_page(out / "by_service.html", "Every service's figures side by side", table,
               [("All reports", "index.html")], footer, banner, period)
    return write_page(out / "index.html", "Customer contact reports", body, [("All reports", "index.html")], footer,
                      banner, period)
