"""Codes as the plain English a head of service reads (no plotting library needed to say a name).

>>> label("face_to_face"), possessive(label("libraries"))
('Face to face', "Libraries'")
"""

from __future__ import annotations

import re

# Service and agency names that are written in capitals: a code keeps them so ("nypd" -> "NYPD").
# Words with no vowel (hpd, cctv, pcn) are taken as acronyms without being listed.
ACRONYMS = frozenset({
    # UK councils
    "asb", "cctv", "ctax", "ct", "dbs", "dfe", "dla", "dwp", "ehcp", "foi", "foia", "gp", "hmo", "hmrc", "ict",
    "lsoa", "nhs", "nndr", "pcn", "pip", "sar", "send", "sen", "uc", "uk", "vat", "dvla", "tv", "ev",
    # US agencies in public 311 and complaints data
    "nypd", "fdny", "dsny", "hpd", "dot", "dep", "dob", "dohmh", "dpr", "dhs", "tlc", "doe", "edc", "cfpb",
    "nyc", "dca", "dfta", "ocme", "acs",
})
_NO_VOWEL = re.compile(r"^[b-df-hj-np-tv-xz]{2,5}$")  # no a e i o u y: hpd, pcn, cctv, hmrc
_NOT_ACRONYMS = frozenset({"st", "nr", "mr", "mrs", "ms", "dr", "rd"})


def _word(word: str) -> str:
    lower = word.lower()
    if lower in ACRONYMS or (_NO_VOWEL.match(lower) and lower not in _NOT_ACRONYMS):
        return word.upper()
    return word


def label(code: object) -> str:
    """A canonical code as plain English: ``"face_to_face"`` -> ``"Face to face"``; acronyms stay
    in capitals (:data:`ACRONYMS`, or a word without a vowel).

    >>> label("environmental_health"), label("web")
    ('Environmental health', 'Web')
    >>> label("nypd"), label("foi_requests"), label("hpd_heat_and_hot_water"), label("council_tax")
    ('NYPD', 'FOI requests', 'HPD heat and hot water', 'Council tax')
    """
    words = [_word(w) for w in str(code).replace("_", " ").strip().split(" ")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def possessive(name: str) -> str:
    """``"Parking"`` -> ``"Parking's"``, ``"Libraries"`` -> ``"Libraries'"``.

    >>> possessive("Parking"), possessive("Libraries"), possessive("the council")
    ("Parking's", "Libraries'", "the council's")
    """
    return f"{name}'" if name.endswith("s") else f"{name}'s"
