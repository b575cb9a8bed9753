"""Codes as the plain English a head of service reads (no plotting library needed to say a name).

>>> label("face_to_face"), possessive(label("libraries"))
('Face to face', "Libraries'")
"""

from __future__ import annotations


def label(code: object) -> str:
    """A canonical code as plain English: ``"face_to_face"`` -> ``"Face to face"``.

    >>> label("environmental_health"), label("web")
    ('Environmental health', 'Web')
    """
    text = str(code).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def possessive(name: str) -> str:
    """``"Parking"`` -> ``"Parking's"``, ``"Libraries"`` -> ``"Libraries'"``.

    >>> possessive("Parking"), possessive("Libraries"), possessive("the council")
    ("Parking's", "Libraries'", "the council's")
    """
    return f"{name}'" if name.endswith("s") else f"{name}'s"
