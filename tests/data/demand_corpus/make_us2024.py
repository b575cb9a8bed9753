"""Draw the third real source of the failure-demand corpus: SeeClickFix requests to ~200 US bodies, 2024.

Source 3, ``seeclickfix_us2024``: residents' requests, and call handlers' notes of phoned-in
requests ("citizen states ..."), to the towns, cities and counties that take reports through
SeeClickFix, over three days of August 2024, as captured from SeeClickFix's public issues API by
the public repository ``ibrahim-alawaye/SeeClickFix_Pipeline`` (its test fixture
``tests/issues.json`` and the raw captures kept in its MinIO folder,
``include/data/minio/scf-lakehouse/SeeClickFix_Raw/issues.json/*/part.1``), every version of those
files in every commit up to ``ARCHIVE_COMMIT``. MinIO keeps an object's bytes in blocks of 1 MiB,
each after a 32-byte checksum; the checksums are dropped to read the JSON.

Only the description, the request type, the body it went to, the issue number and the date are
kept: no reporter names, avatars, addresses or coordinates. Descriptions are redacted as cxinsight
redacts any free text (``cxinsight.privacy.redact_text``), and then by hand where that missed a
person's name (``BY_HAND``). Reading this sample taught the redactor five-digit house numbers and
numbered streets ("922 12th Avenue").

This source is **held out from the rules' development**, as Newport was until the 30 November 2026
session: it was labelled by hand before any classifier was run on it, and no cue in
``taxonomy.yaml`` may be written or changed by reading it. It is where the review loop is tested.

A simple random sample of ``SAMPLE`` of the distinct descriptions with at least 15 characters is
drawn before anyone reads it (``weight`` = distinct descriptions / drawn).

Run from the repository root with the archive fetched (a bare clone is enough):
``python tests/data/demand_corpus/make_us2024.py /path/to/SeeClickFix_Pipeline.git``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from make_corpus import draw_random_source  # noqa: E402 - the sibling script, run from anywhere

ARCHIVE_COMMIT = "674ac3c15cc5f3923cdae630b35941520d93a692"
CAPTURES = ("tests/issues.json", "include/data/minio/scf-lakehouse/SeeClickFix_Raw/issues.json/")
MINIO_BLOCK, MINIO_CHECKSUM = 1 << 20, 32
SAMPLE = 500
SEED = 2028
# What the redactor missed, found by reading the sample: issue -> [(text, replacement)]: names with
# no title or cue, a phone number with no separators, US vehicle registrations.
BY_HAND: dict[str, list[tuple[str, str]]] = {
    "scf24-17398505": [("Matt Nugent", "[NAME]"), ("Ofr Nugent", "Ofr [NAME]")],
    "scf24-17410633": [("J.Bott", "[NAME]")],
    "scf24-17411324": [("April and Mike Royal", "[NAME] and [NAME]"), ("Mike and April Royal", "[NAME] and [NAME]")],
    "scf24-17412858": [("called mark shook", "called [NAME]")],
    "scf24-17412963": [("call me 2102690685", "call me [PHONE]")],
    "scf24-17413268": [("Thomas Pasco", "[NAME]")],
    "scf24-17413191": [("Jonathan King", "[NAME]")],
    # Vehicle registrations in US forms the redactor does not know.
    "scf24-17398545": [("ELK7611", "[VEHICLE]")],
    "scf24-17398644": [("55A1CWE", "[VEHICLE]")],
    "scf24-17412939": [("BQF9976", "[VEHICLE]")],
    "scf24-17413307": [("WOW 758", "[VEHICLE]")],
}


def _git(archive: Path, *args: str) -> bytes:
    return subprocess.run(["git", "--git-dir", str(archive), *args], capture_output=True, check=True).stdout


def _json(raw: bytes) -> list[dict]:
    """A capture as JSON: the fixture is plain, a MinIO part has a checksum before each 1 MiB block."""
    if raw.startswith(b"["):
        return json.loads(raw)
    step = MINIO_CHECKSUM + MINIO_BLOCK
    return json.loads(b"".join(raw[i + MINIO_CHECKSUM:i + step] for i in range(0, len(raw), step)))


def captures(archive: Path) -> list[bytes]:
    """Every distinct version of the capture files in the commits up to ``ARCHIVE_COMMIT``."""
    blobs: set[str] = set()
    for commit in _git(archive, "rev-list", ARCHIVE_COMMIT).decode().split():
        for line in _git(archive, "ls-tree", "-r", commit).decode().splitlines():
            meta, path = line.split("\t", 1)
            if path == CAPTURES[0] or (path.startswith(CAPTURES[1]) and path.endswith("/part.1")):
                blobs.add(meta.split()[2])
    return [_git(archive, "cat-file", "-p", blob) for blob in sorted(blobs)]


def issues(archive: Path) -> list[dict]:
    by_id = {item["id"]: item for raw in captures(archive) for item in _json(raw)}
    seen: dict[str, dict] = {}
    for item in sorted(by_id.values(), key=lambda i: i["id"]):
        text = " ".join((item.get("description") or "").split())
        kind = item.get("request_type") or {}
        if len(text) >= 15 and text not in seen:
            seen[text] = {"id": f"scf24-{item['id']}", "text": text,
                          "category": kind.get("title") or item.get("summary") or "",
                          "body": kind.get("organization") or "",
                          "created_on": item["created_at"][:10]}
    return list(seen.values())


def main(archive: Path, out: Path) -> None:
    draw_random_source(issues(archive), source="seeclickfix_us2024", size=SAMPLE, seed=SEED, by_hand=BY_HAND,
                       split=lambda _: "heldout", commit=ARCHIVE_COMMIT, out=out, extra=("body",))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(__file__).with_name("seeclickfix_us2024.csv"))
