"""The gate every run passes before its pages replace the last good ones.

Two checks, both on what was written, not on what was meant to be written:

- :func:`check_pages`: each page read with an HTML parser (:mod:`cxinsight.htmlcheck`): a table
  without a caption, a count from 1 to 7 in a table, an image without alt text, headings out of
  order, a script, an event handler or anything fetched from outside the page fails the run, and the
  page is renamed ``*.html.rejected`` so no browser opens it;
- :func:`last_gate`: those page checks, then the personal-data scan of every generated file
  (:func:`cxinsight.publish.assert_no_personal_data`, an independent detector).
"""

from __future__ import annotations

from pathlib import Path


class PageProblem(RuntimeError):
    """A generated page is not fit to hand over (see :func:`cxinsight.htmlcheck.problems`)."""


def check_pages(out: Path) -> None:
    """Fail the run if any page has a table without a caption, a count from 1 to 7 in a table, an
    image without alt text, headings out of order or anything fetched from outside the page."""
    from cxinsight.htmlcheck import problems, read_page

    found, failed = [], []
    for p in sorted(Path(out).rglob("*.html")):
        if "_work" in p.parts:
            continue
        msgs = problems(read_page(p))
        found += [f"{p.relative_to(out)}: {msg}" for msg in msgs]
        if msgs:
            failed.append(p)
    for p in failed:  # no live page is left behind: kept for the analyst under a name no browser runs
        p.replace(p.with_name(p.name + ".rejected"))
    if found:
        raise PageProblem("pages not fit to hand over (renamed *.html.rejected): " + "; ".join(found[:20]))


def system_names(processed: Path) -> list[str]:
    """The names the run's pages are written about: the council's name (the manifest), and every
    service in the processed tables, as stored and as the pages write it (:func:`cxinsight.wording.label`)."""
    import json

    import pyarrow.parquet as pq

    from cxinsight.wording import label

    processed = Path(processed)
    names: list[str] = []
    manifest = processed / "manifest.json"
    if manifest.exists():
        names.append(str(json.loads(manifest.read_text(encoding="utf-8")).get("council") or ""))
    for table in sorted(processed.glob("*.parquet")):
        if "service" in pq.read_schema(table).names:
            codes = pq.read_table(table, columns=["service"]).column("service").unique().to_pylist()
            names += [n for code in codes if code is not None for n in (str(code), label(code))]
    return names


def last_gate(out: Path, processed: Path | None = None) -> None:
    """Every page fit to hand over, and no personal data in any generated file; raises
    :class:`PageProblem` or :class:`cxinsight.publish.PersonalDataFound` otherwise. ``processed``:
    the data the pages were made from, whose service and council names the scan checks on their
    own (:func:`system_names`, :func:`cxinsight.publish.vetted_system_names`)."""
    from cxinsight import publish

    check_pages(out)
    publish.assert_no_personal_data(out, system_names(processed) if processed else ())
