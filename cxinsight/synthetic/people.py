"""Fictional personal data to plant in free text, so redaction can be tested against a key.

Every value is fictional but has the shape real data has:

- phone numbers come from Ofcom's ranges reserved for drama (07700 900000-900999, 01632 960000-
  960999), written the many ways people write them;
- postcodes use the outward code ``DM`` (no such postcode area exists) in valid UK format;
- National Insurance numbers use valid-looking prefixes and suffix letters A-D;
- names mix common UK surnames and first names, including accented ones (Zoë, Siân, Seán) that
  break naive encodings.

>>> import numpy as np
>>> rng = np.random.default_rng(3)
>>> kind, value, fragment = pii_fragment(rng)
>>> value in fragment
True
"""

from __future__ import annotations

import numpy as np

FIRST_NAMES = ["Jane", "John", "Mohammed", "Priya", "Zoë", "Siân", "Seán", "Olivia", "Amelia", "Jack",
               "Harry", "Fatima", "Aisha", "Wojciech", "Agnieszka", "Chloé", "Emily", "Oliver", "Grace",
               "Daniel", "Margaret", "Brian", "Sandra", "Kwame", "Chidi", "Ruth", "Keith", "Shirley"]
SURNAMES = ["Smith", "Jones", "Patel", "Khan", "Williams", "Brown", "Taylor", "Begum", "O'Neill",
            "Kowalski", "Nowak", "Ahmed", "Evans", "Thomas", "Roberts", "Hughes", "Singh", "Davies",
            "Okafor", "Mensah", "Walker", "Wright", "Hall", "Green", "McDonald", "Ali"]
TITLES = ["Mr", "Mrs", "Ms", "Miss", "Dr"]
EMAIL_DOMAINS = ["gmail.com", "hotmail.co.uk", "btinternet.com", "outlook.com", "yahoo.co.uk",
                 "icloud.com", "live.co.uk", "sky.com"]
NI_PREFIXES = ["AB", "CE", "JH", "KC", "PR", "SW", "AE", "NY", "TB", "WL", "HS", "RM"]
STREET_NAMES = ["High Street", "Church Lane", "Station Road", "Mill Close", "Park View", "Victoria Road",
                "Orchard Way", "Forest Road", "Meadow Drive", "School Lane"]
_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # inward-code letters valid in UK postcodes


def _pick(rng: np.random.Generator, options: list[str]) -> str:
    return options[rng.integers(len(options))]


def fictional_name(rng: np.random.Generator) -> tuple[str, str]:
    """A (first, last) name pair."""
    return _pick(rng, FIRST_NAMES), _pick(rng, SURNAMES)


def phone_number(rng: np.random.Generator) -> str:
    """A drama-range UK phone number in one of the ways people write them."""
    d = f"{rng.integers(0, 1000):03d}"
    forms = [f"07700 900{d}", f"07700900{d}", f"+44 7700 900{d}", f"07700-900-{d}",
             f"01632 960{d}", f"(01632) 960{d}", f"01632960{d}", f"+44 (0)7700 900 {d}"]
    return _pick(rng, forms)


def postcode(rng: np.random.Generator) -> str:
    """A valid-format postcode in the non-existent DM area, sometimes lower case or unspaced."""
    pc = (f"DM{rng.integers(1, 20)} {rng.integers(0, 10)}"
          f"{_LETTERS[rng.integers(len(_LETTERS))]}{_LETTERS[rng.integers(len(_LETTERS))]}")
    r = rng.random()
    if r < 0.1:
        return pc.replace(" ", "")
    if r < 0.2:
        return pc.lower()
    return pc


def ni_number(rng: np.random.Generator) -> str:
    """A National Insurance number, spaced or not."""
    digits = f"{rng.integers(0, 1_000_000):06d}"
    suffix = "ABCD"[rng.integers(4)]
    prefix = _pick(rng, NI_PREFIXES)
    if rng.random() < 0.3:
        return f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"
    return f"{prefix}{digits}{suffix}"


def email_address(rng: np.random.Generator) -> str:
    first, last = fictional_name(rng)
    local = f"{first}.{last}" if rng.random() < 0.5 else f"{first[0]}{last}{rng.integers(1, 99)}"
    local = local.replace("'", "").replace("ë", "e").replace("â", "a").replace("é", "e").replace("á", "a")
    return f"{local.lower()}@{_pick(rng, EMAIL_DOMAINS)}"


def pii_fragment(rng: np.random.Generator) -> tuple[str, str, str]:
    """One piece of personal data as a note would carry it: ``(kind, value, fragment)``."""
    kind = _pick(rng, ["email", "phone", "postcode", "ni_number", "name", "phone", "email"])
    if kind == "email":
        value = email_address(rng)
        fragment = _pick(rng, ["email {v}", "cust email {v}", "reply to {v}", "e: {v}", "{v}"])
    elif kind == "phone":
        value = phone_number(rng)
        fragment = _pick(rng, ["tel {v}", "contact on {v}", "mob {v}", "call back on {v}", "ph: {v}"])
    elif kind == "postcode":
        value = postcode(rng)
        house = rng.integers(1, 200)
        fragment = _pick(rng, [f"address {house} {_pick(rng, STREET_NAMES)}, {{v}}", "postcode {v}",
                               "pc {v}", f"lives at {house} {_pick(rng, STREET_NAMES)} {{v}}"])
    elif kind == "ni_number":
        value = ni_number(rng)
        fragment = _pick(rng, ["NI no {v}", "NINO {v}", "NI number {v}", "ni {v}"])
    else:
        first, last = fictional_name(rng)
        value = f"{first} {last}"
        fragment = _pick(rng, [f"{_pick(rng, TITLES)} {{v}}", "spoke to {v}", "name: {v}",
                               "caller {v}", "my name is {v}"])
    return kind, value, fragment.format(v=value)
