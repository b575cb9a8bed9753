"""The blind personal-data corpus of issue 28, scored: the redactor, the second detector and both.

``tests/data/blind_personal_data/`` (its README says how it was written) holds 531 notes split into
``development.tsv`` (rules may be tuned on it) and ``held_out.tsv`` (nobody changing the rules reads
it: only this file does, and only aggregate numbers leave it). Each row has a ``kind`` and the
``personal`` substrings that must go (``ordinary`` rows have none).

How an item is scored:

* **redactor** (:func:`cxinsight.privacy.redact_text`): the redacted text is aligned with the note
  (every ``[KIND]`` token stands for the characters it replaced). A substring is *caught* when no
  letter or digit of it is left, *partial* when some but not all are (``[NAME]ński``), *missed*
  when none was removed. An item is caught when every one of its substrings is caught.
* **second detector** (:func:`cxinsight.gate.findings`, the independent detector the last gate runs
  over every published file): a substring is caught when every occurrence of it overlaps a finding.
* **both**: every substring caught by one or the other.
* **false positives**: ordinary rows the redactor changes at all, or where the detector finds anything.

``python -m tests.privacy.test_blind`` prints the figures for both files (and ``--misses`` what the
redactor and the detector miss on ``development.tsv`` only: the held-out file's rows are never shown).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from cxinsight import gate, privacy

DATA = Path(__file__).resolve().parents[1] / "data" / "blind_personal_data"
FILES = ("development.tsv", "held_out.tsv")
#: The second blind corpus (``second/README.md``): 397 items over twelve kinds (staff logins added) and 245
#: ordinary notes, written by another helper that had not read the rules, after the first's lessons were
#: built and before any rule was changed for it: the judge of the rules as they stand. Only its
#: aggregate figures are read (``second/FIRST_RUN.md``).
SECOND = "second/items.tsv"
#: The third blind corpus (``third/README.md``): 448 items over the same twelve kinds and 293 ordinary notes,
#: written by a third helper that had read neither the rules nor the earlier sets, scored once the rules
#: had been changed for the second corpus (whose missed addresses and staff logins were read, so the second
#: is now a development set too). Only its aggregate figures are read (``third/FIRST_RUN.md``): the judge.
THIRD = "third/items.tsv"
#: The fifth corpus (``dev5/README.md``): 565 items and 409 ordinary notes written blind on 2026-12-07 and
#: scored before its rows were read (``dev5/FIRST_RUN.md``); a development set since.
DEV5 = "dev5/items.tsv"
#: The fourth blind corpus (``fourth/README.md``): 470 items over twelve kinds and 289 ordinary notes written
#: 2026-12-07 by a helper that had read neither the rules nor any earlier set; read in aggregate only
#: (``fourth/FIRST_RUN.md``): with the third, the judge.
FOURTH = "fourth/items.tsv"
#: The sixth corpus (``dev6/README.md``): 558 items and 470 ordinary notes written blind on 2026-12-07, scored
#: before its rows were read (``dev6/FIRST_RUN.md``, the learned tagger's first blind measure); since then
#: training data for the tagger and a development set.
DEV6 = "dev6/items.tsv"
#: The seventh corpus (``dev7/README.md``): 616 items and 819 ordinary notes written blind on 2026-12-07, scored
#: before its rows were read (``dev7/FIRST_RUN.md``); since then training data for the tagger.
DEV7 = "dev7/items.tsv"
#: The eighth corpus (``dev8/README.md``): 257 items and 951 hard ordinary notes written blind on 2026-12-08, scored
#: before its rows were read (``dev8/FIRST_RUN.md``); since then a development set and training data for the tagger.
DEV8 = "dev8/items.tsv"
KINDS = ("name", "email", "phone", "address", "postcode", "date_of_birth", "ni_number", "nhs_number", "bank",
         "vehicle", "reference")
SECOND_KINDS = (*KINDS, "staff_login")
_TOKEN = re.compile(r"\[[A-Z_]+\]")


def read(name: str) -> pd.DataFrame:
    """``id, kind, text, personal`` (a list of substrings) for one file of the corpus."""
    from cxinsight.gate_learning import read_corpus

    return pd.DataFrame(read_corpus(DATA / name), columns=["id", "kind", "text", "personal"])


def _removed(text: str, redacted: str) -> list[bool] | None:
    """For each character of ``text``, whether the redactor replaced it with a token; None when the
    redacted text cannot be laid over ``text`` (it changed something other than by tokens)."""
    parts = _TOKEN.split(redacted)
    pattern = "(.+?)".join(re.escape(p) for p in parts)
    m = re.fullmatch(pattern, text, flags=re.DOTALL)
    if m is None:
        return None
    mask = [False] * len(text)
    for g in range(1, (m.lastindex or 0) + 1):
        for i in range(m.start(g), m.end(g)):
            mask[i] = True
    return mask


def _occurrences(text: str, part: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(re.escape(part), text)]


def redaction_status(text: str, redacted: str, part: str) -> str:
    """``caught``, ``partial`` or ``missed``: how much of ``part`` the redactor removed from ``text``."""
    for form in (lambda s: s, lambda s: unicodedata.normalize("NFKC", s), privacy.normalise):
        original, piece = form(text), form(part)
        mask = _removed(original, redacted)
        if mask is not None and piece in original:
            break
    else:  # not a token-for-span rewrite: judge by what is left
        return "missed" if part in redacted else "caught"
    total = removed = 0
    for a, b in _occurrences(original, piece):
        for i in range(a, b):
            if original[i].isalnum():
                total += 1
                removed += mask[i]
    return "caught" if removed == total else "missed" if removed == 0 else "partial"


def detector_caught(text: str, part: str, findings=None) -> bool:
    """Whether every occurrence of ``part`` overlaps something the second detector flags."""
    norm, piece = gate.normalise(text), gate.normalise(part)
    spans = gate.findings(norm) if findings is None else findings
    occurrences = _occurrences(norm, piece) or _occurrences(text, part)
    return bool(occurrences) and all(any(s < b and e > a for _, s, e in spans) for a, b in occurrences)


def score(name: str) -> pd.DataFrame:
    """One row per item of ``name``: its kind and, for the redactor, the detectors and both, whether
    it was caught; whether the redaction was partial; for ordinary rows, whether each flagged it.

    Detectors: ``detector`` is the gate's rules (:func:`cxinsight.gate.findings`, what the last gate
    reads pages with); ``learned`` the learned tagger alone (:func:`cxinsight.gate.learned.tag`);
    ``second`` both together, the second detector as it reads free text
    (:func:`cxinsight.gate.learned.free_text_findings`); ``both`` the redactor or the second detector."""
    from cxinsight.gate import learned

    items = read(name)
    redacted = privacy.redact_text(items["text"]).tolist()
    out = []
    for r, red in zip(items.itertuples(), redacted, strict=True):
        norm = gate.normalise(r.text)
        found, taught = gate.findings(norm), learned.tag(norm)
        second = gate.merge([*found, *taught])  # learned.free_text_findings, without reading the text twice
        if r.kind == "ordinary":
            changed = red not in (r.text, privacy.normalise(r.text))
            out.append({"id": r.id, "kind": r.kind, "redactor_fp": changed, "detector_fp": bool(found),
                        "learned_fp": bool(taught), "second_fp": bool(second)})
            continue
        status = [redaction_status(r.text, red, p) for p in r.personal]
        det = [detector_caught(r.text, p, found) for p in r.personal]
        sec = [detector_caught(r.text, p, second) for p in r.personal]
        out.append({"id": r.id, "kind": r.kind, "redactor": all(s == "caught" for s in status),
                    "partial": any(s == "partial" for s in status), "detector": all(det),
                    "learned": all(detector_caught(r.text, p, taught) for p in r.personal), "second": all(sec),
                    "both": all(s == "caught" or d for s, d in zip(status, sec, strict=True))})
    return pd.DataFrame(out)


def summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Aggregate figures only: per kind and overall, items, recall of the redactor, the gate's rules,
    the learned tagger, the second detector (both of those) and the redactor with it, partial
    redactions, and the share of the redactor's misses the gate's rules and the second detector catch."""
    personal = scores[scores["kind"] != "ordinary"].copy()
    missed_by_redactor = ~personal["redactor"].astype(bool)
    rows = []
    kinds = [k for k in SECOND_KINDS if k in set(personal["kind"])]
    for kind, g in [*((k, personal[personal["kind"] == k]) for k in kinds), ("overall", personal)]:
        m = missed_by_redactor[g.index]
        missed = int(m.sum())
        rows.append({"kind": kind, "items": len(g), "redactor": g["redactor"].mean(), "detector": g["detector"].mean(),
                     "learned": g["learned"].mean(), "second": g["second"].mean(), "both": g["both"].mean(),
                     "partial": int(g["partial"].sum()), "redactor_missed": missed,
                     "rules_on_missed": (g.loc[m, "detector"].sum() / missed) if missed else float("nan"),
                     "detector_on_missed": (g.loc[m, "second"].sum() / missed) if missed else float("nan")})
    ordinary = scores[scores["kind"] == "ordinary"]
    rows.append({"kind": "ordinary (false positives)", "items": len(ordinary),
                 "redactor": ordinary["redactor_fp"].mean(), "detector": ordinary["detector_fp"].mean(),
                 "learned": ordinary["learned_fp"].mean(), "second": ordinary["second_fp"].mean(),
                 "both": (ordinary["redactor_fp"] | ordinary["second_fp"]).mean()})
    return pd.DataFrame(rows).set_index("kind")


_SUMMARIES: dict[str, pd.DataFrame] = {}


def _summary(name: str) -> pd.DataFrame:
    if name not in _SUMMARIES:
        _SUMMARIES[name] = summary(score(name))
    return _SUMMARIES[name]


# ----------------------------------------------------------------------------------------------
# The corpus itself
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", [*FILES, SECOND, THIRD, FOURTH, DEV5, DEV6, DEV7, DEV8])
def test_every_personal_substring_is_in_its_note(name):
    items = read(name)
    assert set(items["kind"]) == {*(KINDS if name in FILES else SECOND_KINDS), "ordinary"}
    assert all(p in t for t, ps in zip(items["text"], items["personal"], strict=True) for p in ps)
    assert (items["personal"].map(len) > 0).tolist() == (items["kind"] != "ordinary").tolist()


def test_the_scoring_reads_tokens_as_the_characters_they_replaced():
    text = "spoke to Mr Łukasz Zieliński, who rang"
    assert redaction_status(text, "spoke to [NAME], who rang", "Łukasz Zieliński") == "caught"
    assert redaction_status(text, "spoke to [NAME]ński, who rang", "Łukasz Zieliński") == "partial"
    assert redaction_status(text, text, "Łukasz Zieliński") == "missed"


# ----------------------------------------------------------------------------------------------
# The figures
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", [*FILES, SECOND, THIRD])
def test_the_corpus_is_scored(name):
    """Every item scored (the figures are recorded in FIRST_RUN.md and README.md)."""
    table = _summary(name)
    assert table.loc["overall", "items"] + table.loc["ordinary (false positives)", "items"] == len(read(name))


#: Issue 28's acceptance, judged on held_out.tsv.
BARS = {"recall": 0.95, "recall_per_kind": 0.90, "false_positives": 0.02, "detector_on_missed": 0.90}
#: What the rules reached on held_out.tsv when last changed (2026-12-07), rounded down: no change may fall below it.
#: 160, 156, 165 of 167; 2 of 95.
REACHED = {"recall": 0.95, "detector": 0.93, "both": 0.98, "false_positives": 0.025}
#: The second blind corpus: its first run was 0.73 / 0.83 / 0.86 (second/FIRST_RUN.md); 0.75 since known
#: forename-and-surname pairs are read without a cue; 0.95 / 0.85 / 0.98 since 2026-12-07 (its misses were read
#: for those rules: a development set). Rounded down: no change may fall below it.
REACHED_SECOND = {"recall": 0.95, "detector": 0.85, "both": 0.97, "false_positives_redactor": 0.009,
                  "false_positives_detector": 0.05, "second": 0.99, "false_positives_second": 0.066}
#: The third blind corpus's first run (third/FIRST_RUN.md: 0.705 / 0.739 / 0.792; false positives 3.8% and
#: 5.8%) and, since the rules of 2026-12-07 (third/FIRST_RUN.md), 0.815 / 0.750 / 0.875, false positives 3.8%
#: and 6.5% (the gate's larger name lists flag two more ordinary notes), rounded: no change may fall below it.
#: The second detector on free text (the gate's rules and the learned tagger, taught on development, held_out,
#: second, dev5, dev6 and dev7): 0.926 of items, 0.747 of the redactor's misses, 19.5% of ordinary notes flagged.
#: Since 2026-12-08 the redactor changes 8 of 293 ordinary notes (2.7%; 11 before): team mailboxes, places named
#: after people, offices, street furniture and organisations' numbers are left alone (written from dev5-dev8's
#: ordinary notes). With dev8 taught to the tagger: 0.940 of items, 0.795 of the misses, 17.4% of ordinary notes.
REACHED_THIRD = {"recall": 0.81, "detector": 0.74, "both": 0.87, "false_positives_redactor": 0.028,
                 "false_positives_detector": 0.065, "second": 0.93, "detector_on_missed": 0.79,
                 "false_positives_second": 0.175}


def test_development_is_redacted_whole_and_ordinary_rows_left_alone():
    """The development half, which the rules were tuned on: every kind redacted, nothing partly."""
    table = _summary("development.tsv")
    assert table.loc["overall", "redactor"] >= 0.95
    assert table.loc["overall", "partial"] == 0
    assert table.loc["ordinary (false positives)", "redactor"] <= 0.02
    assert table.loc["overall", "detector"] >= 0.95


def test_held_out_does_not_fall_below_what_was_reached():
    """Aggregates only: the held-out rows are never shown."""
    table = _summary("held_out.tsv")
    overall, ordinary = table.loc["overall"], table.loc["ordinary (false positives)"]
    assert float(overall["redactor"]) >= REACHED["recall"]
    assert float(overall["detector"]) >= REACHED["detector"] - 1e-9
    assert float(overall["both"]) >= REACHED["both"] - 1e-9
    assert float(ordinary["redactor"]) <= REACHED["false_positives"]
    assert float(ordinary["detector"]) <= REACHED["false_positives"]


#: The fourth blind corpus (fourth/FIRST_RUN.md): first run 0.736 / 0.738 / 0.817; at the end of 2026-12-07
#: 0.853 / 0.760 / 0.898, false positives 6.6% and 7.6%. The second detector on free text: 0.947 of items,
#: 0.758 of the redactor's misses, 27% of ordinary notes flagged. Since 2026-12-08 the redactor: 0.868 of items,
#: 7 of 289 ordinary notes changed (2.4%; 19 before). With dev8 taught to the tagger: 0.947 of items, 0.742 of
#: the misses (one fewer: 0.758 before), 22.8% of ordinary notes flagged (27% before).
REACHED_FOURTH = {"recall": 0.86, "detector": 0.75, "both": 0.89, "false_positives_redactor": 0.025,
                  "false_positives_detector": 0.077, "second": 0.94, "detector_on_missed": 0.74,
                  "false_positives_second": 0.23}


@pytest.mark.parametrize("name, reached", [(SECOND, REACHED_SECOND), (THIRD, REACHED_THIRD), (FOURTH, REACHED_FOURTH)])
def test_the_later_blind_corpora_do_not_fall_below_what_was_reached(name, reached):
    """Aggregates only: the third corpus's rows are never shown."""
    table = _summary(name)
    overall, ordinary = table.loc["overall"], table.loc["ordinary (false positives)"]
    assert float(overall["redactor"]) >= reached["recall"]
    assert float(overall["detector"]) >= reached["detector"]
    assert float(overall["both"]) >= reached["both"]
    assert float(ordinary["redactor"]) <= reached["false_positives_redactor"]
    assert float(ordinary["detector"]) <= reached["false_positives_detector"]
    # the second detector on free text: the gate's rules and the learned tagger (cxinsight.gate.learned)
    assert float(overall["second"]) >= reached["second"]
    assert float(ordinary["second"]) <= reached["false_positives_second"]
    if "detector_on_missed" in reached:
        assert float(overall["detector_on_missed"]) >= reached["detector_on_missed"]


@pytest.mark.xfail(strict=True, reason="issue 28's bars are not reached: on the third and fourth blind corpora, the "
                   "judges, redaction 0.81 and 0.87 overall (0.95 asked), false positives 2.7% and 2.4% (2% asked), "
                   "the second detector (the gate's rules and the learned tagger) catches 0.80 and 0.74 of the "
                   "redactor's misses (0.90 asked); held_out.tsv 0.97, the second corpus 0.95 (both taught to the "
                   "tagger since); see third/FIRST_RUN.md and fourth/FIRST_RUN.md")
@pytest.mark.parametrize("name", ["held_out.tsv", SECOND, THIRD, FOURTH])
def test_held_out_meets_the_acceptance_of_issue_28(name):
    """Redaction recall >= 0.95 overall and >= 0.90 for every kind, false positives <= 2% of ordinary
    rows, and the second detector alone catches >= 0.90 of what the redactor misses (aggregates only)."""
    table = _summary(name)
    kinds = table.loc[[k for k in SECOND_KINDS if k in table.index]]
    overall, ordinary = table.loc["overall"], table.loc["ordinary (false positives)"]
    ok = (float(overall["redactor"]) >= BARS["recall"] and bool((kinds["redactor"] >= BARS["recall_per_kind"]).all())
          and float(ordinary["redactor"]) <= BARS["false_positives"]
          and float(overall["detector_on_missed"]) >= BARS["detector_on_missed"])
    assert ok  # only a yes or no leaves this test: the per-kind figures are in FIRST_RUN.md


def _markdown(table: pd.DataFrame) -> str:
    counts = ("items", "partial", "redactor_missed")

    def cell(v, col):
        return "" if pd.isna(v) else str(int(v)) if col in counts else f"{v:.2f}"
    lines = ["| kind | " + " | ".join(table.columns) + " |", "|---" * (len(table.columns) + 1) + "|"]
    lines += [f"| {k} | " + " | ".join(cell(v, c) for c, v in row.items()) + " |" for k, row in table.iterrows()]
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    for name in (*FILES, SECOND, THIRD, FOURTH, DEV5, DEV6, DEV7, DEV8):
        print(f"\n### {name}\n\n{_markdown(_summary(name))}")
    if "--misses" in argv:  # the development file only: the held-out rows are never shown
        items, scores = read("development.tsv"), score("development.tsv")
        merged = items.merge(scores, on=["id", "kind"])
        print("\n### development.tsv: missed or partly redacted by the redactor\n")
        for r in merged[(merged["kind"] != "ordinary") & ~merged["redactor"].astype(bool)].itertuples():
            print(f"{r.id} {r.kind} partial={r.partial} detector={r.detector}: {r.text}")
        print("\n### development.tsv: missed by the detector\n")
        for r in merged[(merged["kind"] != "ordinary") & ~merged["detector"].astype(bool)].itertuples():
            print(f"{r.id} {r.kind}: {r.text}")
        print("\n### development.tsv: ordinary rows flagged\n")
        for r in merged[merged["kind"] == "ordinary"].itertuples():
            if r.redactor_fp or r.detector_fp:
                print(f"{r.id} redactor={r.redactor_fp} detector={r.detector_fp}: {r.text}")


if __name__ == "__main__":
    main(sys.argv[1:])
