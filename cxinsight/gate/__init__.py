"""The independent last gate: a second personal-data detector, built differently from the redactor.

:mod:`cxinsight.privacy` redacts with regular expressions over the raw text. If the gate used the same
patterns, what one missed the other would miss too. So this module looks another way:

* **numbers are validated, not matched**: digit groups are chained across any spaces, dots, dashes
  or brackets, then tested as a whole: the Luhn check for cards, the modulus-11 check for NHS
  numbers, the mod-97 check for IBANs, the UK numbering plan for phones (01, 02, 07, from +44 or
  0044 too), the HMRC letter rules for National Insurance numbers;
* **gazetteers, not shapes**: common UK forenames and surnames (``forenames.txt``, ``surnames.txt``),
  UK street types and the 124 postcode areas (``postcode_areas.txt``), read word by word;
* **structure**: a title, an initial or a cue ("spoke to", "my name is") before a capitalised
  word; a house number before a street type; a birth cue or a 20th-century year around a date; a
  vehicle registration checked against the DVLA formats.

:func:`findings` returns what it found as ``(kind, start, end)`` on the normalised text, so the gate
can be scored item by item; :func:`scan` counts by kind. Neither ever returns the value found.

>>> scan("ring me on 07700\u200b900\u200b123 or write to 38 greenway lane")
{'PHONE': 1, 'ADDRESS': 1}
>>> scan("spoke to Council Tax team; MRS JANE SMITH rang back")
{'NAME': 1}
>>> scan("Council Tax band D; call the council on 0300 123 4567")
{}
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent


@cache
def _words(name: str) -> frozenset[str]:
    lines = (HERE / name).read_text(encoding="utf-8").splitlines()
    return frozenset(w.lower() for line in lines if not line.startswith("#") for w in line.split())


def forenames() -> frozenset[str]:
    return _words("forenames.txt")


def surnames() -> frozenset[str]:
    return _words("surnames.txt")


def postcode_areas() -> frozenset[str]:
    return _words("postcode_areas.txt")


TITLES = frozenset("mr mrs ms miss mx dr prof sir dame lady lord rev revd cllr master mstr".split())
STREET_TYPES = frozenset(
    "road rd street st lane ln avenue ave crescent cres gardens gdns terrace terr mews boulevard grove "
    "drive dr close cl way view walk rise hill park place pl court ct square sq row parade green vale "
    "wharf yard mount meadow meadows fields heights gate end chase croft dale wood approach broadway quay "
    "passage hollow copse crest path garth wynd brow fold lea common grange".split())
#: Street types that are not also ordinary words, accepted in lower case.
PLAIN_STREET_TYPES = frozenset("road rd street st lane ln avenue ave crescent cres gardens gdns terrace "
                               "mews boulevard grove drive".split())
BUILDING_WORDS = frozenset("house court lodge tower towers mansions heights point buildings block hall "
                           "cottages flats apartments".split())
CUES = ("spoke to", "spoken to", "speaking to", "speak to", "caller", "complainant", "regards",
        "sincerely", "thanks", "signed", "my name is", "name", "this is", "customer name", "caller name")
BIRTH_CUES = re.compile(r"(?i)\b(?:d\.?\s?o\.?\s?b|birth|born|birthday)\b")
#: Capitalised words that are not people, even after a title or a cue.
NOT_PEOPLE = frozenset("""
the a an my our your his her their he she they we i you it this that someone somebody nobody anyone
council tax team housing benefit benefits revenue revenues revs bens waste service services department
dept manager supervisor officer adviser advisor highways parking planning environmental health customer
contact centre center desk line support repairs estate estates social care adult adults children
education admissions libraries library leisure licensing electoral registration registrars cleansing
street streets lighting building control pest finance payment payments legal complaint complaints it
dear hi hello madam sir mayor mp reception switchboard duty agent staff senior enforcement bailiff bailiffs police dwp hmrc
universal cust resident tenant landlord neighbour mum dad son daughter wife husband partner crew driver
inspector surveyor contractor operative caseworker case worker gp doctor nurse said says called rang
asked word excel teams office outlook access forms edge men who january february march april may june
july august september october november december monday tuesday wednesday thursday friday saturday sunday
jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun total all none other
many much please thank thanks kind best some any also but so can could would should still again just
now then there here when what why how which if as
""".split())
STOP = frozenset("""
the a an at in on of to my our your his her their this that for from and or by near outside behind
opposite past with no not is was are per each every time times day days week weeks month months year
years hour hours min mins minute minutes bag bags bin bins sack sacks call calls item items people
pound pounds missed more other new old full same different top last first next previous
""".split())

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def normalise(text: str) -> str:
    """NFKC, invisible format characters removed, every kind of space a plain space."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    return "".join(" " if unicodedata.category(c) == "Zs" else c for c in text) if not text.isascii() else text


# ----------------------------------------------------------------------------------------------
# Numbers: chains of digit groups, validated
# ----------------------------------------------------------------------------------------------
_GROUP = re.compile(r"\d+")
_JOIN = re.compile(r"^(?:[ .\-/]|\)\s?|\s?\(|\s?\(0\)\s?|[ .-]{2}|\s?/\s?)$")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        x = int(ch) * (2 if i % 2 else 1)
        total += x - 9 if x > 9 else x
    return total % 10 == 0


def nhs_ok(digits: str) -> bool:
    if len(digits) != 10:
        return False
    check = 11 - sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    check = 0 if check == 11 else check
    return check < 10 and check == int(digits[9])


def _phone(text: str, start: int, groups: list[str]) -> bool:
    plus = text[max(0, start - 1):start] == "+"
    digits = "".join(groups)
    lead = groups[0]
    if digits.startswith("0044") or (plus and digits.startswith("44")):
        digits = "0" + digits[4 if digits.startswith("0044") else 2:]
        digits = digits[1:] if digits.startswith("00") else digits
        lead = "0" + (groups[1] if lead in ("44", "0044") and len(groups) > 1 else lead[2:])
    elif lead == "0" and len(groups) > 1:
        lead = "0" + groups[1]
    if not (digits.startswith(("01", "02", "07")) and len(digits) in (10, 11)):
        return False
    return len(lead) >= 3


def _number_findings(text: str) -> list[tuple[str, int, int]]:
    groups = list(_GROUP.finditer(text))
    chains: list[list[re.Match]] = []
    for g in groups:
        if chains and _JOIN.match(text[chains[-1][-1].end():g.start()]) and len(chains[-1]) < 8:
            chains[-1].append(g)
        else:
            chains.append([g])
    found = []
    for chain in chains:
        if text[max(0, chain[0].start() - 1):chain[0].start()].isalpha() or \
                text[chain[-1].end():chain[-1].end() + 1].isalpha():
            # glued to letters: a reference such as ENQ12345678 or HB1234567, looked at elsewhere
            continue
        i = 0
        while i < len(chain):
            hit = None
            for j in range(min(len(chain), i + 6), i, -1):
                parts = [m.group() for m in chain[i:j]]
                digits = "".join(parts)
                seps = {text[a.end():b.start()] for a, b in zip(chain[i:j - 1], chain[i + 1:j], strict=True)}
                dotted = any("." in s for s in seps)
                start, end = chain[i].start(), chain[j - 1].end()
                if dotted and min(len(p) for p in parts) < 3:
                    continue
                if _phone(text, start, parts):
                    hit = ("PHONE", start, end)
                elif 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn_ok(digits) and \
                        (len(parts) == 1 or min(len(p) for p in parts) >= 4):
                    hit = ("CARD", start, end)
                elif len(digits) == 10 and nhs_ok(digits) and [len(p) for p in parts] in ([10], [3, 3, 4]):
                    hit = ("NHS_NUMBER", start, end)
                elif [len(p) for p in parts][:3] == [2, 2, 2] and len(parts) in (3, 4) and \
                        (len(parts) == 4 and len(parts[3]) == 8 or
                         re.search(r"(?i)sort|s/c", text[max(0, start - 15):start])):
                    hit = ("BANK", start, end)
                elif len(parts) == 1 and len(digits) == 8 and \
                        re.search(r"(?i)(?:acc|account|a/c|acct)\W*(?:no|number)?\W*$", text[max(0, start - 20):start]):
                    hit = ("BANK", start, end)
                elif len(parts) == 1 and len(digits) == 6 and re.search(r"(?i)sort\s*code\W*$", text[max(0, start - 15):start]):
                    hit = ("BANK", start, end)
                if hit:
                    i = j
                    break
            if hit:
                found.append(hit)
            else:
                i += 1
    return found


_IBAN = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){10,30})")
IBAN_LENGTHS = {"GB": 22, "IE": 22, "DE": 22, "FR": 27, "ES": 24, "NL": 18, "IT": 27, "PL": 28, "PT": 25,
                "BE": 16, "RO": 24, "LT": 20}


def _iban_findings(text: str) -> list[tuple[str, int, int]]:
    found = []
    for m in _IBAN.finditer(text):
        raw = m.group(1)
        compact = raw.replace(" ", "").upper()
        lengths = [IBAN_LENGTHS[compact[:2]]] if compact[:2] in IBAN_LENGTHS else range(15, 35)
        for length in lengths:
            cand = compact[:length]
            if len(cand) == length and int("".join(str(int(c, 36)) for c in cand[4:] + cand[:4])) % 97 == 1:
                # end of the candidate within the raw text
                seen, end = 0, m.start(1)
                for k, c in enumerate(raw):
                    if c != " ":
                        seen += 1
                    if seen == length:
                        end = m.start(1) + k + 1
                        break
                found.append(("BANK", m.start(1), end))
                break
    return found


_NI = re.compile(r"(?<![A-Za-z0-9])([A-Za-z])([A-Za-z])[\s-]?((?:\d[\s-]?){6})([A-Da-d])(?![A-Za-z0-9])")


def _ni_findings(text: str) -> list[tuple[str, int, int]]:
    found = []
    for m in _NI.finditer(text):
        a, b = m.group(1).upper(), m.group(2).upper()
        if a in "DFIQUV" or b in "DFIOQUV" or a + b in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ"):
            continue
        found.append(("NI_NUMBER", m.start(), m.end()))
    return found


def _email_findings(text: str) -> list[tuple[str, int, int]]:
    found = []
    for m in re.finditer(r"[^\s<>()\[\]{}\"',;:]+", text):
        token = m.group().rstrip(".")
        if token.count("@") != 1:
            continue
        local, domain = token.split("@")
        labels = domain.split(".")
        if local and len(labels) >= 2 and all(labels) and labels[-1].isalpha() and len(labels[-1]) >= 2:
            found.append(("EMAIL", m.start(), m.start() + len(token)))
    return found


_POSTCODE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,2})(\d[A-Za-z\d]?) ?(\d)([A-Za-z]{2})(?![A-Za-z0-9])")


def _postcode_findings(text: str) -> list[tuple[str, int, int]]:
    found = []
    areas = postcode_areas()
    for m in _POSTCODE.finditer(text):
        area, outward, inward = m.group(1), m.group(2), m.group(4)
        if set(inward.upper()) & set("CIKMOV"):
            continue
        whole = m.group()
        if whole.isupper() or area.lower() in areas:
            if (m.group(3) + inward).lower() in ("1st", "2nd", "3rd") or \
                    (inward.lower() == "th" and not whole.isupper()):
                continue
            if not outward[-1].isdigit() and outward[-1].upper() in "IOQVXZ":
                continue
            found.append(("POSTCODE", m.start(), m.end()))
    return found


_DATE = re.compile(
    r"(?i)(?<!\d)(?:(\d{1,2})(?:st|nd|rd|th)?[\s/.-]+(\d{1,2}|[a-z]{3,9})[\s/.,-]+(\d{4}|\d{2})"
    r"|([a-z]{3,9})\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(\d{4})|(\d{4})-\d{2}-\d{2})(?!\d)")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _dob_findings(text: str) -> list[tuple[str, int, int]]:
    found = []
    for m in _DATE.finditer(text):
        month = m.group(2) or m.group(4)
        if month and not month.isdigit() and month[:3].lower() not in _MONTHS:
            continue
        if month and month.isdigit() and not 1 <= int(month) <= 12:
            continue
        year = m.group(3) or m.group(5) or m.group(6)
        cue = BIRTH_CUES.search(text, max(0, m.start() - 30), m.start()) or \
            BIRTH_CUES.match(text, m.end() + 1) or BIRTH_CUES.match(text, m.end() + 2)
        if (len(year) == 4 and 1900 <= int(year) < 1990) or (cue and (len(year) == 2 or int(year) < 2015)):
            found.append(("DOB", m.start(), m.end()))
    return found


_VRN = re.compile(r"(?<![A-Za-z0-9])(?:([A-Za-z]{2})(\d{2}) ?([A-Za-z]{3})|([A-Z])(\d{1,3}) ?([A-Z]{3})"
                  r"|([A-Z]{3}) ?(\d{1,3})([A-Z]))(?![A-Za-z0-9])")


def _vehicle_findings(text: str) -> list[tuple[str, int, int]]:
    found = []
    for m in _VRN.finditer(text):
        if m.group(1):
            memory, age, tail = m.group(1).upper(), int(m.group(2)), m.group(3).upper()
            if memory[0] in "IQZ" or memory[1] in "IQZ" or set(tail) & set("IQ"):
                continue
            if not (2 <= age <= 29 or 51 <= age <= 79):
                continue
        else:
            letters = (m.group(6) or m.group(7) or "")
            if set(letters) & set("IOQUZ"):
                continue
        found.append(("VEHICLE", m.start(), m.end()))
    return found


# ----------------------------------------------------------------------------------------------
# Words: names and addresses
# ----------------------------------------------------------------------------------------------
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'’\-]*\.?|\d{1,4}[A-Za-z]?(?:[-–/]\d{1,4}[A-Za-z]?)?(?![\dA-Za-z])")


def _bare(word: str) -> str:
    return word.rstrip(".").lower().replace("’", "'")


def _capital(word: str) -> bool:
    return word[:1].isupper()


def _person_word(word: str) -> bool:
    """Could ``word`` be part of a name: capitalised, not a known non-person word."""
    return _capital(word) and word[0].isalpha() and _bare(word) not in NOT_PEOPLE and \
        _bare(word) not in STREET_TYPES


_SPACE = re.compile(r"[ \t]{1,2}")
_CUE_GAP = re.compile(r"[,:]?[ \t]{1,2}")
_SIGN_OFF_GAP = re.compile(r"[,.!]?[ \t]*\r?\n[ \t]*")
SIGN_OFFS = frozenset({"regards", "sincerely", "thanks", "cheers"})


#: Words before a person written with one name ("per Gareth", "FAO Graham", "neighbour Morrison").
LONE_CUES = frozenset("per fao cc cust customer tenant resident neighbour neighbor daughter son wife husband "
                      "partner friend carer sister brother mum dad emailed chased".split())
#: What a person did, after one name opening a note ("Hughes rang", "Nkechi says").
DID = frozenset("rang called phoned says said wants wanted asked came emailed paid disputes complained wrote "
                "chased visited".split())


def _lone_known_name(words: list, bare: list[str], i: int, first: frozenset, last: frozenset) -> bool:
    """One known forename or surname standing alone where a person is meant: after a word that comes
    before a person, or opening the text (a forename; a surname before what the person did or "'s"),
    and never before a capitalised word ("Frank Street", "Harrison Ave" are streets)."""
    word = words[i].group()
    root = bare[i].removesuffix("'s")
    following = words[i + 1].group() if i + 1 < len(words) else ""
    if word.isupper() or not _person_word(word) or (root not in first and root not in last) or _capital(following):
        return False  # before a capitalised word it is a full name, a street ("Harrison Ave") or a team
    if i > 0 and bare[i - 1] in LONE_CUES:
        return True
    return i == 0 and (root in first or bare[i].endswith("'s")
                       or (bool(following) and bare[i + 1] in DID))


def _name_findings(text: str) -> list[tuple[str, int, int]]:
    words = list(_WORD.finditer(text))
    bare = [_bare(w.group()) for w in words]
    first, last = forenames(), surnames()
    found = []
    for i, w in enumerate(words):
        word = w.group()
        nxt = words[i + 1].group() if i + 1 < len(words) else ""
        prev = " ".join(bare[max(0, i - 3):i])
        end = None
        if bare[i] in TITLES and nxt and _person_word(nxt) and \
                _SPACE.fullmatch(text[w.end():words[i + 1].start()]):
            end = i + 1
        elif any(prev.endswith(c) for c in CUES) and _person_word(word) and \
                (not word.isupper() or bare[i] in first or bare[i] in last) and \
                not words[i - 1].group().endswith(".") and \
                (_CUE_GAP.fullmatch(text[words[i - 1].end():w.start()]) or
                 (bare[i - 1] in SIGN_OFFS and _SIGN_OFF_GAP.fullmatch(text[words[i - 1].end():w.start()]))):
            end = i
        elif prev.endswith("my name is") and (bare[i] in first or bare[i] in last):
            end = i
        elif bare[i] in first and _person_word(word) and nxt and _person_word(nxt) and \
                text[w.end():words[i + 1].start()] == " ":
            end = i + 1
        elif bare[i] in last and _person_word(word) and i > 0 and \
                (bare[i - 1] in first or re.fullmatch(r"[A-Z]\.?", words[i - 1].group())) and \
                _SPACE.fullmatch(text[words[i - 1].end():w.start()]):
            end = i
        elif _lone_known_name(words, bare, i, first, last):
            found.append(("NAME", w.start(), w.end()))
            continue
        if end is not None:
            while end + 1 < len(words) and _person_word(words[end + 1].group()) and \
                    text[words[end].end():words[end + 1].start()] == " " and end - i < 3:
                end += 1
            found.append(("NAME", w.start(), words[end].end()))
    return found


def _address_findings(text: str) -> list[tuple[str, int, int]]:
    words = list(_WORD.finditer(text))
    found = []
    for i, w in enumerate(words):
        word = w.group()
        if word[0].isdigit():
            cued = re.search(r"(?i)(?:address|lives at|living at|moved to)\W*$", text[max(0, w.start() - 20):w.start()])
            for j in range(i + 1, min(len(words), i + 5)):
                name = words[j].group()
                b = _bare(name)
                if "\n" in text[words[j - 1].end():words[j].start()]:
                    break  # an address is written on one line (table cells are not joined into one)
                if j > i + 1 and b in STREET_TYPES and (b in PLAIN_STREET_TYPES or _capital(name) or cued):
                    found.append(("ADDRESS", w.start(), words[j].end()))
                    break
                if cued and j > i + 1 and _capital(name) and name[0].isalpha():
                    # after "address" any capitalised name is a street: "address: 7 The Paddock"
                    last = j
                    while last + 1 < len(words) and _capital(words[last + 1].group()) and last < j + 2:
                        last += 1
                    found.append(("ADDRESS", w.start(), words[last].end()))
                    break
                if not name[0].isalpha() or b in STOP and not (j == i + 1 and b == "the" and _capital(name)):
                    break
        elif _bare(word) in ("flat", "apartment", "apt", "unit") and i + 2 < len(words):
            for j in range(i + 2, min(len(words), i + 6)):
                name = words[j].group()
                if _bare(name) in BUILDING_WORDS and _capital(name) and j > i + 2:
                    found.append(("ADDRESS", w.start(), words[j].end()))
                    break
                if not _capital(name) or not name[0].isalpha():
                    break
    return found


DETECTORS = (_email_findings, _iban_findings, _number_findings, _ni_findings, _postcode_findings,
             _dob_findings, _vehicle_findings, _name_findings, _address_findings)
_TOKEN = re.compile(r"\[[A-Z_]+\]")


def findings(text: str) -> list[tuple[str, int, int]]:
    """Every ``(kind, start, end)`` the gate flags in ``normalise(text)``; redaction tokens ignored."""
    text = _TOKEN.sub(lambda m: " " * len(m.group()), normalise(text))
    merged: list[tuple[str, int, int]] = []
    for detect in DETECTORS:
        for kind, start, end in sorted(detect(text), key=lambda f: (f[1], f[2])):
            # one item flagged by several rules (title, forename, surname) counts once
            if merged and merged[-1][0] == kind and start <= merged[-1][2]:
                merged[-1] = (kind, merged[-1][1], max(end, merged[-1][2]))
            else:
                merged.append((kind, start, end))
    return sorted(merged, key=lambda f: (f[1], f[2]))


def scan(text: str) -> dict[str, int]:
    """How many items of each kind the gate finds in ``text`` (never the values)."""
    counts: dict[str, int] = {}
    for kind, _, _ in findings(text):
        counts[kind] = counts.get(kind, 0) + 1
    return counts
