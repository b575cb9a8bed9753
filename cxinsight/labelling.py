"""Label a review sample in JupyterLab: one contact at a time, saved as it goes.

A drawn sample (``data/review/failure_demand/<when drawn>/review_sample.csv``) can be labelled in
Excel, or here: :class:`ReviewFile` is the file itself (read, label one contact, write it back whole
and atomically after every label, so closing the notebook loses nothing), and :func:`labeller` is a
widget over it (the contact's redacted text, the classifier's suggestion, a button per code with its
key in the label, the failure type, a box to approve the note as a quote, and progress).

Both write what a person in Excel would: ``analyst_demand`` (``failure`` or ``value``),
``analyst_failure_type``, and ``approve_quote`` (``yes`` where the analyst approved the redacted note
for a head of service's page; :func:`cxinsight.review_layer.approved_quotes` reads it).

>>> import tempfile, pandas as pd
>>> path = Path(tempfile.mkdtemp()) / "review_sample.csv"
>>> pd.DataFrame({"contact_id": ["a", "b"], "text": ["bin missed again", "new bin"], "analyst_demand": ["", ""],
...               "analyst_failure_type": ["", ""]}).to_csv(path, index=False, encoding="utf-8-sig")
>>> review = ReviewFile(path)
>>> review.label("a", "failure", "not_done", approve_quote=True)
>>> review.progress(), ReviewFile(path).next_pending()
((1, 2), 'b')
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import pandas as pd

CODES = ("failure", "value")


class ReviewFile:
    """A review sample on disk, labelled one contact at a time and saved after every label."""

    def __init__(self, path: Path | str, taxonomy=None):
        from cxinsight.demand.rules import load_taxonomy

        self.path = Path(path)
        self.frame = pd.read_csv(self.path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        for col in ("analyst_demand", "analyst_failure_type", "approve_quote"):
            if col not in self.frame.columns:
                self.frame[col] = ""
        if "contact_id" not in self.frame.columns:
            raise ValueError(f"{self.path}: column 'contact_id' expected (a drawn review sample); "
                             f"found {list(self.frame.columns)}")
        self.failure_types = tuple(load_taxonomy(taxonomy).failure_types)

    def progress(self) -> tuple[int, int]:
        """Contacts labelled so far, and in the sample."""
        return int(self.frame["analyst_demand"].str.strip().ne("").sum()), len(self.frame)

    def next_pending(self) -> str | None:
        """The next contact nobody has labelled, in the sample's order (None when all are)."""
        left = self.frame.loc[self.frame["analyst_demand"].str.strip().eq(""), "contact_id"]
        return str(left.iloc[0]) if len(left) else None

    def row(self, contact_id: str) -> pd.Series:
        hit = self.frame.index[self.frame["contact_id"] == str(contact_id)]
        if not len(hit):
            raise KeyError(f"{self.path.name}: no contact {contact_id!r} in this sample")
        return self.frame.loc[hit[0]]

    def label(self, contact_id: str, demand: str, failure_type: str = "", approve_quote: bool = False) -> None:
        """Label one contact (``failure`` or ``value``; a failure type from the taxonomy, or blank) and
        save the file at once."""
        if demand not in CODES:
            raise ValueError(f"label for {contact_id!r}: expected one of {CODES}, found {demand!r}")
        if demand == "value":
            failure_type = ""
        if failure_type and failure_type not in self.failure_types:
            raise ValueError(f"failure type for {contact_id!r}: expected one of {sorted(self.failure_types)} "
                             f"(or blank), found {failure_type!r}")
        i = self.row(contact_id).name
        self.frame.loc[i, ["analyst_demand", "analyst_failure_type", "approve_quote"]] = [
            demand, failure_type, "yes" if approve_quote else ""]
        self.save()

    def save(self) -> None:
        """Write the whole file (UTF-8 with BOM, as Excel opens it), atomically."""
        tmp = self.path.with_name(f".{self.path.name}.saving")
        self.frame.to_csv(tmp, index=False, encoding="utf-8-sig")
        os.replace(tmp, self.path)


def labeller(path: Path | str, taxonomy=None):
    """An ipywidgets labeller over the review sample at ``path`` (display it in JupyterLab).

    Each button is one code (its key in its label: ``1 failure``, ``2 value``); the failure type
    and the quote box apply to the next button pressed; every label is saved at once."""
    import ipywidgets as w

    from cxinsight.demand.rules import load_taxonomy

    review = ReviewFile(path, taxonomy)
    labels = load_taxonomy(taxonomy).labels
    text = w.HTML()
    suggestion = w.HTML()
    ftype = w.Dropdown(options=[("(failure type)", "")] + [(labels.get(t, t), t) for t in review.failure_types],
                       description="Type")
    quote = w.Checkbox(description="Approve this note as a quote", value=False)
    bar = w.IntProgress(min=0, max=max(review.progress()[1], 1))
    said = w.HTML()
    current = {"id": review.next_pending()}

    def show() -> None:
        done, total = review.progress()
        bar.value = done
        said.value = f"{done:,} of {total:,} labelled (saved to {html.escape(review.path.name)})"
        if current["id"] is None:
            text.value, suggestion.value = "<b>Every contact in this sample is labelled.</b>", ""
            return
        row = review.row(current["id"])
        text.value = f"<p>{html.escape(str(row.get('text', '')))}</p>"  # shown as text, never as markup
        suggestion.value = (f"Suggested: <b>{html.escape(str(row.get('suggested_demand', '')))}</b> "
                            f"{html.escape(str(row.get('suggested_failure_type', '')))}")
        ftype.value, quote.value = "", False

    def press(code: str):
        def handler(_button) -> None:
            if current["id"] is None:
                return
            review.label(current["id"], code, ftype.value if code == "failure" else "", quote.value)
            current["id"] = review.next_pending()
            show()
        return handler

    buttons = []
    for key, code in enumerate(CODES, start=1):
        button = w.Button(description=f"{key} {code}")
        button.on_click(press(code))
        buttons.append(button)
    show()
    return w.VBox([text, suggestion, ftype, quote, w.HBox(buttons), bar, said])
