"""Label a sample from the review folder in JupyterLab: one row at a time, saved as it goes.

Two kinds of sample wait in the review folder (:mod:`cxinsight.review_layer`) for a person:

- the failure-demand review (``data/review/failure_demand/<when drawn>/review_sample.csv``):
  :class:`ReviewFile` and :func:`labeller` (the contact's redacted text, the classifier's suggestion,
  a button per code, the failure type, a box to approve the note as a quote). It writes what a person
  in Excel would: ``analyst_demand`` (``failure`` or ``value``), ``analyst_failure_type``, and
  ``approve_quote`` (``yes`` where the analyst approved the redacted note for a head of service's page;
  :func:`cxinsight.review_layer.approved_quotes` reads it);
- the segment check (``data/review/segment_check/<when drawn>/segment_check_sample.csv``):
  :class:`SegmentCheckFile` and :func:`segment_labeller` (the customer, the rule's segment and, given
  the analysis's segments, the evidence the rule used; a button per segment). It writes
  ``checked_segment``, as :func:`cxinsight.exclusion.customers.read_check` reads it.

Both are the same loop (:class:`LabelFile`, :func:`_loop`): the file itself is read, one row is
labelled and the whole file is written back atomically after every label, so closing the notebook
loses nothing; each button is one code, its key in its label (``1 failure``, ``2 value``), with
progress below. Either file can equally be filled in Excel.

>>> import tempfile, pandas as pd
>>> path = Path(tempfile.mkdtemp()) / "review_sample.csv"
>>> pd.DataFrame({"contact_id": ["a", "b"], "text": ["bin missed again", "new bin"], "analyst_demand": ["", ""],
...               "analyst_failure_type": ["", ""]}).to_csv(path, index=False, encoding="utf-8-sig")
>>> review = ReviewFile(path)
>>> review.label("a", "failure", "not_done", approve_quote=True)
>>> review.progress(), ReviewFile(path).next_pending()
((1, 2), 'b')
>>> check = Path(tempfile.mkdtemp()) / "segment_check_sample.csv"
>>> pd.DataFrame({"customer_id": ["7", "9"], "segment": ["self_serve", "likely_excluded"],
...               "checked_segment": ["", ""]}).to_csv(check, index=False)
>>> SegmentCheckFile(check).label("9", "could_shift_with_support")
>>> SegmentCheckFile(check).progress(), SegmentCheckFile(check).next_pending()
((1, 2), '7')
"""

from __future__ import annotations

import codecs
import html
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from cxinsight.exclusion.customers import SEGMENTS

CODES = ("failure", "value")


class LabelFile:
    """A sample on disk that a person labels one row at a time, saved after every label. A subclass
    names the row's key (``key``), the column the person fills (``column``), the codes it may hold
    (``codes``) and any other columns a person writes (``also``)."""

    key: str = ""
    column: str = ""
    codes: tuple[str, ...] = ()
    also: tuple[str, ...] = ()
    noun: str = "row"  # what a row is, for a reader
    kind: str = "a labelling sample"

    def __init__(self, path: Path | str):
        self.path = Path(path)
        with self.path.open("rb") as f:  # written back as it came: with a byte-order mark (Excel's) or without
            self.encoding = "utf-8-sig" if f.read(3) == codecs.BOM_UTF8 else "utf-8"
        self.frame = pd.read_csv(self.path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        if self.key not in self.frame.columns:
            raise ValueError(f"{self.path}: column {self.key!r} expected ({self.kind}); found {list(self.frame.columns)}")
        for col in (self.column, *self.also):
            if col not in self.frame.columns:
                self.frame[col] = ""

    def progress(self) -> tuple[int, int]:
        """Rows labelled so far, and in the sample."""
        return int(self.frame[self.column].str.strip().ne("").sum()), len(self.frame)

    def next_pending(self) -> str | None:
        """The next row nobody has labelled, in the sample's order (None when all are)."""
        left = self.frame.loc[self.frame[self.column].str.strip().eq(""), self.key]
        return str(left.iloc[0]) if len(left) else None

    def row(self, key: str) -> pd.Series:
        hit = self.frame.index[self.frame[self.key] == str(key)]
        if not len(hit):
            raise KeyError(f"{self.path.name}: no {self.noun} {key!r} in this sample")
        return self.frame.loc[hit[0]]

    def _check(self, key: str, code: str) -> None:
        if code not in self.codes:
            raise ValueError(f"label for {key!r}: expected one of {self.codes}, found {code!r}")

    def _write(self, key: str, values: dict[str, str]) -> None:
        """Set ``values`` (column -> text) on ``key``'s row and save the file at once."""
        i = self.row(key).name
        self.frame.loc[i, list(values)] = list(values.values())
        self.save()

    def save(self) -> None:
        """Write the whole file (in the encoding it was read in), atomically."""
        tmp = self.path.with_name(f".{self.path.name}.saving")
        self.frame.to_csv(tmp, index=False, encoding=self.encoding)
        os.replace(tmp, self.path)


class ReviewFile(LabelFile):
    """A failure-demand review sample on disk, labelled one contact at a time and saved after every label."""

    key, column, codes, also = "contact_id", "analyst_demand", CODES, ("analyst_failure_type", "approve_quote")
    noun, kind = "contact", "a drawn review sample"

    def __init__(self, path: Path | str, taxonomy=None):
        from cxinsight.demand.rules import load_taxonomy

        super().__init__(path)
        self.failure_types = tuple(load_taxonomy(taxonomy).failure_types)

    def label(self, contact_id: str, demand: str, failure_type: str = "", approve_quote: bool = False) -> None:
        """Label one contact (``failure`` or ``value``; a failure type from the taxonomy, or blank) and
        save the file at once."""
        self._check(contact_id, demand)
        if demand == "value":
            failure_type = ""
        if failure_type and failure_type not in self.failure_types:
            raise ValueError(f"failure type for {contact_id!r}: expected one of {sorted(self.failure_types)} "
                             f"(or blank), found {failure_type!r}")
        self._write(contact_id, {"analyst_demand": demand, "analyst_failure_type": failure_type,
                                 "approve_quote": "yes" if approve_quote else ""})


class SegmentCheckFile(LabelFile):
    """A segment-check sample on disk (:func:`cxinsight.exclusion.customers.check_sample`): a person
    records the segment each customer is truly in (``checked_segment``), saved after every one."""

    key, column, codes = "customer_id", "checked_segment", SEGMENTS
    noun, kind = "customer", "a drawn segment-check sample"

    def label(self, customer_id: str, segment: str) -> None:
        """Record the segment ``customer_id`` is truly in and save the file at once."""
        self._check(customer_id, segment)
        self._write(customer_id, {"checked_segment": segment})


def _loop(file: LabelFile, describe: Callable[[pd.Series], tuple[str, str]],
          apply: Callable[[str, str], None], controls=(), reset: Callable[[], None] = lambda: None):
    """The labelling widget both samples share: ``describe(row)`` gives the row's text and the suggestion
    (HTML, already escaped), one button per code (its key in its label) calls ``apply(key, code)``
    (which saves), then the next unlabelled row is shown and ``reset()`` clears ``controls``."""
    import ipywidgets as w

    text, suggestion, said = w.HTML(), w.HTML(), w.HTML()
    bar = w.IntProgress(min=0, max=max(file.progress()[1], 1))
    current = {"key": file.next_pending()}

    def show() -> None:
        done, total = file.progress()
        bar.value = done
        said.value = f"{done:,} of {total:,} labelled (saved to {html.escape(file.path.name)})"
        if current["key"] is None:
            text.value, suggestion.value = f"<b>Every {file.noun} in this sample is labelled.</b>", ""
            return
        text.value, suggestion.value = describe(file.row(current["key"]))
        reset()

    def press(code: str):
        def handler(_button) -> None:
            if current["key"] is None:
                return
            apply(current["key"], code)
            current["key"] = file.next_pending()
            show()
        return handler

    buttons = []
    for key, code in enumerate(file.codes, start=1):
        button = w.Button(description=f"{key} {code}")
        button.on_click(press(code))
        buttons.append(button)
    show()
    return w.VBox([text, suggestion, *controls, w.HBox(buttons), bar, said])


def labeller(path: Path | str, taxonomy=None):
    """An ipywidgets labeller over the review sample at ``path`` (display it in JupyterLab).

    Each button is one code (its key in its label: ``1 failure``, ``2 value``); the failure type
    and the quote box apply to the next button pressed; every label is saved at once."""
    import ipywidgets as w

    from cxinsight.demand.rules import load_taxonomy

    review = ReviewFile(path, taxonomy)
    labels = load_taxonomy(taxonomy).labels
    ftype = w.Dropdown(options=[("(failure type)", "")] + [(labels.get(t, t), t) for t in review.failure_types],
                       description="Type")
    quote = w.Checkbox(description="Approve this note as a quote", value=False)

    def describe(row: pd.Series) -> tuple[str, str]:
        return (f"<p>{html.escape(str(row.get('text', '')))}</p>",  # shown as text, never as markup
                f"Suggested: <b>{html.escape(str(row.get('suggested_demand', '')))}</b> "
                f"{html.escape(str(row.get('suggested_failure_type', '')))}")

    def apply(contact_id: str, code: str) -> None:
        review.label(contact_id, code, ftype.value if code == "failure" else "", quote.value)

    def reset() -> None:
        ftype.value, quote.value = "", False

    return _loop(review, describe, apply, [ftype, quote], reset)


def segment_labeller(path: Path | str, segments: pd.DataFrame | None = None):
    """An ipywidgets labeller over the segment-check sample at ``path`` (display it in JupyterLab).

    For each customer: their customer number (look them up in what the council knows of them: case
    notes, assisted-digital records), the rule's segment and, given ``segments`` (the analysis's, one
    row per customer: ``load_analysis().segments``), what the rule saw (contacts, the share made
    digitally, its reasons). Each button is one segment (``1 self_serve``...); every check is saved
    at once, and the next run reads it (:func:`cxinsight.exclusion.customers.read_check`)."""
    check = SegmentCheckFile(path)
    evidence = None if segments is None else segments.set_index(segments["customer_id"].astype(str))

    def describe(row: pd.Series) -> tuple[str, str]:
        customer = str(row["customer_id"])
        text = (f"<p>Customer <b>{html.escape(customer)}</b>: which segment are they truly in, from what the "
                "council knows of them (case notes, assisted-digital records)?</p>")
        if evidence is not None and customer in evidence.index:
            seen = evidence.loc[customer]
            text += (f"<p>The rule saw {int(seen['contacts']):,} contacts, {100 * float(seen['digital_share']):.0f}% "
                     f"of them digital; {html.escape(str(seen.get('reasons', '')) or 'no points either way')}.</p>")
        return text, f"The rule's segment: <b>{html.escape(str(row.get('segment', '')))}</b>"

    return _loop(check, describe, check.label)


__all__ = ["CODES", "LabelFile", "ReviewFile", "SegmentCheckFile", "labeller", "segment_labeller"]
