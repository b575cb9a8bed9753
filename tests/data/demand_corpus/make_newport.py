"""Draw the held-out real source of the failure-demand corpus: Newport (Rhode Island) SeeClickFix.

Source 2, ``seeclickfix_newport``: residents' requests to the City of Newport, RI through
SeeClickFix, 2009-2017, as archived by the public repository ``NewportDataProject/seeclickfix-analysis``
(MIT licence), file ``20170903_newport_issues_archive.json`` at commit ``ARCHIVE_COMMIT``.
Only the resident's description, the request type, the issue number and the date are kept: no
reporter names, avatars or coordinates. Descriptions are redacted as cxinsight redacts any free
text (``cxinsight.privacy.redact_text``), and then by hand where that missed a person's name
(``BY_HAND``: names with no title or cue, signing off before an address, or in capitals). The
redactor learned North American phone numbers and sign-offs that run on ("Sincerely, Jane Smith
Newport Resident") from this sample.

This source was **held out from the rules' development** until 30 November 2026 (first run: F1
0.34). Since a third real source took that place (``make_us2024.py``), it is split like the
FixMyStreet reports, four in ten ids ``test`` by a hash of the id: cues may be developed on its
``dev`` requests and it is reported on ``test``.

A simple random sample of ``SAMPLE`` of the distinct descriptions with at least 15 characters is
drawn before anyone reads it (``weight`` = distinct descriptions / drawn).

Run from the repository root with the archive fetched:
``python tests/data/demand_corpus/make_newport.py /path/to/seeclickfix-analysis``; add ``--rest`` for
``seeclickfix_newport_rest.csv``, the descriptions the sample did not draw (all ``dev``, ``main_rest``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from make_corpus import draw_random_source, redact, split_of, write_sample  # noqa: E402 - the sibling script, run from anywhere

ARCHIVE_COMMIT = "af6e815a0c463ea2ea45a982f72e4f3b5260946c"
ARCHIVE_FILE = "20170903_newport_issues_archive.json"
SAMPLE = 500
SEED = 2027
# What the redactor missed, found by reading the sample: issue -> (text, replacement).
BY_HAND = {
    "scf-2414305": [("Bob Nagle", "[NAME]")],
    "scf-2414449": [("Rick McGowan", "[NAME]")],
    "scf-2830377": [("Keri Shea", "[NAME]"), ("Keri's", "[NAME]'s")],
    "scf-3600872": [("DAVID UTZSCHNEIDER", "[NAME]")],
    # in the requests the first sample did not draw (main_rest)
    "scf-2606867": [("Matt Plumb", "[NAME]")],
    "scf-3037400": [("Karen King", "[NAME]")],
}


def issues(archive: Path) -> list[dict]:
    raw = subprocess.run(["git", "-C", str(archive), "show", f"{ARCHIVE_COMMIT}:{ARCHIVE_FILE}"],
                         capture_output=True, check=True).stdout
    seen: dict[str, dict] = {}
    for item in sorted(json.loads(raw), key=lambda i: i["id"]):
        text = " ".join((item.get("description") or "").split())
        if len(text) >= 15 and text not in seen:
            created = datetime.fromtimestamp(item["created_at"] / 1000, tz=UTC)
            seen[text] = {"id": f"scf-{item['id']}", "text": text,
                          "category": item.get("request_type.title") or "",
                          "created_on": created.strftime("%Y-%m-%d")}
    return list(seen.values())


def main(archive: Path, out: Path) -> None:
    draw_random_source(issues(archive), source="seeclickfix_newport", size=SAMPLE, seed=SEED, by_hand=BY_HAND,
                       split=split_of, commit=ARCHIVE_COMMIT, out=out)


def main_rest(archive: Path, sample: Path, out: Path) -> None:
    """Every distinct description the first sample did not draw (239), all ``dev``.

    Drawn on 30 November 2026, once Newport had become a source the rules are developed on, to give
    that development more of its residents' range; the first sample's test split is unchanged.
    """
    drawn = set(pd.read_csv(sample, usecols=["id"])["id"])
    rest = [r for r in issues(archive) if r["id"] not in drawn]
    redact(rest, BY_HAND)
    rows = [{"id": r["id"], "source": "seeclickfix_newport", "stratum": "rest", "has_cue": "", "weight": 1.0,
             "split": "dev", "category": r["category"], "text": r["text"], "commit": ARCHIVE_COMMIT[:12],
             "created_on": r["created_on"]} for r in rest]
    write_sample(rows, out)
    print(f"{len(rows)} more requests -> {out}")


if __name__ == "__main__":
    here = Path(__file__).parent
    if sys.argv[2:] == ["--rest"]:
        main_rest(Path(sys.argv[1]), here / "seeclickfix_newport.csv", here / "seeclickfix_newport_rest.csv")
    else:
        main(Path(sys.argv[1]), here / "seeclickfix_newport.csv")
