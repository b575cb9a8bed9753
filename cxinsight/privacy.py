"""Personal data in free text: find it and redact it before anything is written.

Complaint summaries, contact notes and survey comments carry names, email addresses, UK phone
numbers, postcodes and street addresses, dates of birth, vehicle registrations, National
Insurance and NHS numbers, bank and card numbers and account references (domain.md s.7).
:func:`redact_text` replaces each with a token such as ``[EMAIL]``. It runs once per distinct
text and broadcasts, so it costs what the distinct texts cost.

The patterns follow how residents and call handlers write: phones as 0044, +44, with dots,
dashes or zero-width characters; NI numbers with spaces or dashes; names in capitals, with
apostrophes or hyphens, after a title (Mr, Mrs, Dr. ...) or after "my name is", "spoke to",
"caller"; a forename and surname after the words a call handler writes before a person ("passed
to", "tenant", "on behalf of", "cc"), before a role or relation ("Karen Wright, Housing Officer",
"(daughter)"), or opening a note before what the person did ("Priya Raman rang"); one name alone
where the note marks a person ("Hughes rang again", "per Gareth", "left vm for Sandra", "Yetunde's
son"), unless the word is a role, a day, a shop or another word notes open with. Council
vocabulary is left alone: "spoke to Council Tax team", the council's own 0300
number, "Ms Word", "Flat A1 1st floor", "Order 1234567890", "Bin 240L", "band D".

Names are found only where the text marks them: a redactor that removed every capitalised word
would destroy the notes. The independent last gate (:mod:`cxinsight.gate`) looks for names
another way. Review a sample before publishing verbatims.

>>> redact_text(pd.Series(["Mrs Jane Smith rang from DM4 7QT, tel 07700 900123, j.smith@gmail.com"])).tolist()
['[NAME] rang from [POSTCODE], tel [PHONE], [EMAIL]']
>>> redact_text(pd.Series(["lives at 38 Greenway Lane, DOB 03/11/1952, car AB12 CDE"])).tolist()
['lives at [ADDRESS], [DOB], car [VEHICLE]']
>>> redact_text(pd.Series(["passed to Sarah Kowalski (Revenues Officer)", "Priya Raman rang re Grace Road"])).tolist()
['passed to [NAME] (Revenues Officer)', '[NAME] rang re Grace Road']
"""

from __future__ import annotations

import bisect
import logging
import os
import re
import unicodedata

import ahocorasick
import numpy as np
import pandas as pd

try:  # PCRE2's JIT decides which rules need trying (:func:`_twin`); without it every rule is tried
    import pcre2 as _pcre2
except ImportError:  # pragma: no cover - a declared dependency, but redaction is the same without it
    _pcre2 = None

log = logging.getLogger(__name__)

# ----------------------------------------------------------------------------------------------
# Building blocks
# ----------------------------------------------------------------------------------------------
_SEP = r"[\s.-]?"                       # between digit groups: space, dot or dash (or nothing)
_B = r"(?<![A-Za-z0-9])"               # not glued to a letter or digit on the left
_E = r"(?![A-Za-z0-9])"                # ... or on the right
_MONTH = (r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_DATE = (rf"(?:{_DAY}[\s/.-]+(?:0?[1-9]|1[0-2]|{_MONTH})[\s/.,-]+(?:19|20)?\d{{2}}"
         rf"|{_MONTH}\s+{_DAY},?\s+(?:19|20)\d{{2}}|(?:19|20)\d{{2}}-\d{{2}}-\d{{2}})(?!\d)")

#: Street types that end a UK street name. Lower-case text is accepted only for the types that
#: are not also ordinary words ("close", "way", "park", "green" are, so they need capitals or a cue).
STREET_TYPES_STRONG = ("road", "rd", "street", "st", "lane", "ln", "avenue", "ave", "crescent", "cres",
                       "gardens", "gdns", "terrace", "terr", "mews", "boulevard", "grove", "drive", "dr")
STREET_TYPES_WEAK = ("av", "close", "cl", "way", "view", "walk", "rise", "hill", "park", "place", "pl", "court",
                     "ct", "square", "sq", "row", "parade", "green", "vale", "wharf", "yard", "mount",
                     "meadow", "meadows", "fields", "heights", "gate", "end", "chase", "croft", "dale",
                     "wood", "approach", "broadway", "quay", "passage", "hollow", "copse", "crest",
                     "path", "gardens", "garth", "wynd", "brow", "fold", "lea", "common", "grange")
BUILDINGS = ("House", "Court", "Lodge", "Tower", "Towers", "Mansions", "Heights", "Point", "Buildings",
             "Block", "Hall", "Cottages", "Flats", "Apartments")
_STOP = (r"(?i:the|a|an|at|in|on|of|to|my|our|your|his|her|their|this|that|for|from|and|or|by|near|"
         r"outside|behind|opposite|past|with|no|not|is|was|are|per|each|every|times?|days?|weeks?|"
         r"months?|years?|hours?|mins?|minutes?|bags?|bins?|sacks?|calls?|items?|people|pounds?|"
         r"weeks|missed|more|other|new|old|full|same|different)\b")
_STREET_WORD = rf"(?!{_STOP})[A-Za-z][A-Za-z'’.-]*"
_CAP_STREET_WORD = rf"(?!{_STOP})[A-Z][A-Za-z'’.-]*"
_STRONG = "|".join(STREET_TYPES_STRONG)
_ALL_TYPES = "|".join(STREET_TYPES_STRONG + STREET_TYPES_WEAK)
_HOUSE = r"\d{1,5}[A-Za-z]?(?:[ \t]?[-–/][ \t]?\d{1,4}[A-Za-z]?)?,?"  # up to 5 digits: "10911 Cole Thompson Ln"
_ORDINAL_STREET = r"\d{1,3}(?:st|nd|rd|th)"  # a numbered street: "922 12th Avenue", "258 e 21st st"
_FLAT = r"(?i:flat|apartment|apt|unit|maisonette)\.?[ \t]+[A-Za-z0-9]{1,4},?[ \t]+"
_ADDRESS_CUE = r"(?i:address(?:[ \t]+is)?|lives[ \t]+at|living[ \t]+at|resides[ \t]+at|moved[ \t]+(?:in)?to|home[ \t]+at|property[ \t]+at|at[ \t]+no\.?|house[ \t]+at)[: \t]+"
_STREET_TYPE_CAPS = "|".join([t.title() for t in STREET_TYPES_STRONG + STREET_TYPES_WEAK]
                             + [t.upper() for t in STREET_TYPES_STRONG + STREET_TYPES_WEAK])
#: House number first: 38 Greenway Lane, 12a high street; 7 Orchard Way, 5 The Green (capitals).
ADDRESS_NUMBER = (
    rf"(?<![A-Za-z0-9]){_HOUSE}[ \t]+(?:(?:{_ORDINAL_STREET}|{_STREET_WORD})[ \t]+){{1,3}}(?i:{_STRONG})\.?{_E}"
    rf"|(?<![A-Za-z0-9]){_HOUSE}[ \t]+(?:The[ \t]+(?:{_CAP_STREET_WORD}[ \t]+){{0,2}}|(?:{_CAP_STREET_WORD}[ \t]+){{1,3}})"
    rf"(?:{_STREET_TYPE_CAPS})\.?{_E}"
)
#: A flat before the house: Flat 3, 12 Park Road; Flat 4, Nelson House.
ADDRESS_FLAT = (
    rf"{_FLAT}(?:{ADDRESS_NUMBER.replace('(?<![A-Za-z0-9])', '')})"
    rf"|{_FLAT}(?:[A-Z][A-Za-z'’-]+[ \t]+){{1,3}}(?:{'|'.join(BUILDINGS)}){_E}"
)
#: After a cue, lower case and any capitalised name: "address 5 mill close", "address: 7 The Paddock".
ADDRESS_CUED = (
    rf"(?P<lead_a>{_ADDRESS_CUE})(?:{_FLAT})?{_HOUSE}[ \t]+(?:the[ \t]+)?(?:{_STREET_WORD}[ \t]+){{0,3}}(?i:{_ALL_TYPES})\.?{_E}"
    rf"|(?P<lead_b>{_ADDRESS_CUE})(?:{_FLAT})?{_HOUSE}[ \t]+(?:The[ \t]+)?{_CAP_STREET_WORD}(?:[ \t]+{_CAP_STREET_WORD}){{0,2}}"
)
ADDRESS = f"{ADDRESS_FLAT}|{ADDRESS_CUED}|{ADDRESS_NUMBER}"

EMAIL = r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"

#: The redactor's rules in the order they run: ``(kind, pattern, needs)``. A rule runs on a text only
#: if the text holds enough digits (``_D(n)``: at least n) or, lower-cased, one of the ``needs`` words:
#: cheap substring tests that keep the regular expressions off texts that cannot match.
def _D(n: int) -> tuple[str, int]:  # noqa: N802 - reads as a marker in the table below
    """The rule needs at least ``n`` digits in the text."""
    return ("digits", n)
RULES_SPEC: list[tuple[str, str, str | tuple[str, ...]]] = [
    ("EMAIL", EMAIL, ("@",)),
    # GB82 WEST 1234 5698 7654 32 and other IBANs
    ("BANK", rf"{_B}[A-Z]{{2}}\d{{2}}(?:\s?[A-Z0-9]{{4}}){{2,7}}(?:\s?[A-Z0-9]{{1,3}})?{_E}", _D(6)),
    # sort code with a cue (and the account number after it), or followed by an 8-digit account number
    ("BANK", r"(?i:sort\s*code|s/\s?code|s/c)\s*(?:no\.?|number)?[:\s-]*\d{2}[\s-]?\d{2}[\s-]?\d{2}"
             r"(?:\s*(?:,|/|and|&)?\s*(?i:(?:account|acct|acc|a/c)(?:\s*(?:no|number))?\.?)?[:\s-]*\d{8}(?!\d))?",
     ("sort", "s/c", "s/code", "s/ code")),
    ("BANK", r"(?<!\d)\d{2}-\d{2}-\d{2}\s*(?:,|/)?\s*(?i:(?:account|acct|acc|a/c)(?:\s*(?:no|number))?\.?)?[:\s-]*\d{8}(?!\d)", _D(14)),
    # 16-digit cards in fours, 15-digit Amex 4-6-5, or 13-19 digits run together
    ("CARD", r"(?<!\d)(?:\d{4}[ .-]?){3}\d{4}(?!\d)|(?<!\d)3[47]\d{2}[ -]?\d{6}[ -]?\d{5}(?!\d)|(?<!\d)\d{13,19}(?!\d)", _D(13)),
    ("DOB", rf"(?i:\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth|\bbirth\s*date|\bborn(?:\s+on)?|\bbirthday)[:\s-]*(?:is\s+)?{_DATE}",
     ("dob", "d.o", "d o b", "birth", "born")),
    ("DOB", rf"(?<![\d/.-]){_DAY}[\s/.-]+(?:0?[1-9]|1[0-2]|{_MONTH})[\s/.,-]+19\d{{2}}(?!\d)", _D(5)),
    # UK numbers from 0, +44 or 0044; not the 03 and 08 numbers organisations use
    ("PHONE", rf"(?<![\w+])(?:(?:\+|00)[\s-]?44[\s-]?(?:\(0\)[\s-]?)?(?![38])|\(?0\s?(?![38]))\d{{2,4}}\)?{_SEP}"
              rf"(?:\d{{3,4}}{_SEP}\d{{3,4}}|\d{{2}}{_SEP}\d{{2}}{_SEP}\d{{2}})(?!\d)", _D(9)),
    ("NI_NUMBER", r"(?<![A-Za-z0-9])(?!(?i:bg|gb|nk|kn|tn|nt|zz))[A-CEGHJ-PR-TW-Za-ceghj-pr-tw-z]"
                  r"[A-CEGHJ-NPR-TW-Za-ceghj-npr-tw-z][\s-]?(?:\d[\s-]?){6}[A-Da-d](?![A-Za-z0-9])", _D(6)),
    # ten digits: kept only with an "NHS" cue or a valid modulus-11 check digit (see _keep)
    ("NHS_NUMBER", r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)", _D(10)),
    # North American numbers as US and Canadian exports write them: (401) 555-0134, 401-555-0134,
    # 401 555 0134, +1 401 555 0134 (area code and exchange never start 0 or 1, so no UK number
    # is read as one); after the NHS rule, so a valid NHS number keeps its own token
    ("PHONE", r"(?<![\d+])(?:\+?1[\s.-]?)?(?:\([2-9]\d{2}\)[\s.-]?|[2-9]\d{2}[\s.-])[2-9]\d{2}[\s.-]\d{4}(?!\d)", _D(10)),
    # AB12 CDE (current), A123 BCD (prefix), ABC 123D (suffix); any shape after "reg" or "VRM"
    ("VEHICLE", r"(?<![A-Za-z0-9])(?:[A-Z]{2}\d{2}\s?[A-Z]{3}|[a-z]{2}\d{2}\s?[a-z]{3}|[A-Z]\d{1,3}\s?[A-Z]{3}"
                r"|[A-Z]{3}\s?\d{1,3}[A-Z])(?![A-Za-z0-9])", _D(1)),
    ("VEHICLE", r"(?i:\b(?:reg(?:istration)?|vrm|vrn|number\s*plate|plate)(?:\s*(?:no|number))?\.?)[:\s-]*"
                r"[A-Za-z]{1,3}\s?\d{1,3}\s?[A-Za-z]{1,3}(?![A-Za-z0-9])", ("reg", "vrm", "vrn", "plate")),
    ("ADDRESS", ADDRESS_FLAT, ("flat", "apartment", "apt", "unit", "maisonette")),
    ("ADDRESS", ADDRESS_CUED, ("address", "live", "resides", "moved", "home", "property", "at no", "house")),
    ("ADDRESS", ADDRESS_NUMBER, _D(1)),
    # the inward part is never an ordinal: "Flat A1 1st floor" is not a postcode
    ("POSTCODE", r"(?<![A-Za-z0-9])(?:[A-Za-z]{1,2}\d[A-Za-z\d]?|GIR)\s*(?!(?:1st|2nd|3rd|\dth)\b|(?i:1st|2nd|3rd|\dth)\s+"
                 r"(?i:floor|flr))\d[A-Za-z]{2}(?![A-Za-z0-9])", _D(2)),
    # account, customer, claim or tenancy numbers named as such
    ("REFERENCE", r"(?P<lead_r>(?i:\b(?:(?:council\s+tax|ct|rent|tenancy|benefits?|hb|bank|customer|claim|payroll|"
                  r"business\s+rates?)\s+)?(?:account|acct|acc|a/c|claim|customer|tenancy)"
                  r"\s*(?:no|number|num|id)?\.?)[:#\s-]*)(?:[A-Za-z]{0,3}\d{6,})(?![\w/])",
     ("acc", "a/c", "claim", "customer", "tenancy")),
]

_TITLE_NAMES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Sir", "Dame", "Lady", "Lord", "Rev", "Revd", "Cllr",
                "Mstr", "Master")
_TITLES = "(?:" + "|".join(_TITLE_NAMES) + ")"
#: Words that follow a title or "spoke to" and are not a person.
NOT_NAMES = ("Men", "Who", "Dear", "Hi", "Hello", "Madam", "Sir", "Str", "Int", "None", "True", "False", "Word", "Excel", "Teams", "Office", "Outlook", "Access", "Forms", "Edge", "Paint", "Council",
             "Tax", "Team", "Housing", "Benefits?", "Revenues?", "Revs", "Bens", "Waste", "Services?",
             "Department", "Dept", "Manager", "Supervisor", "Officer", "Adviser", "Advisor", "Highways",
             "Parking", "Planning", "Environmental", "Health", "Customer", "Contact", "Centre", "Center",
             "Desk", "Line", "Support", "Repairs", "Estates?", "Social", "Care", "Adult", "Children",
             "Education", "Admissions", "Libraries", "Library", "Leisure", "Licensing", "Electoral",
             "Registration", "Registrars?", "Cleansing", "Streets?", "Lighting", "Building", "Control",
             "Pest", "Finance", "Payments?", "Legal", "Complaints?", "IT", "Mayor", "MP", "Reception",
             "Switchboard", "Duty", "Someone", "Somebody", "Nobody", "Anyone", "Agent", "Staff", "Senior",
             "Team Leader", "Enforcement", "Bailiffs?", "Police", "DWP", "HMRC", "Universal", "The", "A",
             "An", "My", "Our", "Your", "Him", "Her", "Them", "He", "She", "They", "We", "I", "You",
             "Cust", "Customer", "Resident", "Tenant", "Landlord", "Neighbour", "Mum", "Dad", "Son",
             "Daughter", "Wife", "Husband", "Partner", "Crew", "Driver", "Inspector", "Surveyor",
             "Contractor", "Operative", "Caseworker", "Case", "Worker", "Social", "Occupational",
             "Therapist", "GP", "Doctor", "Nurse", "Said", "Says", "Called", "Rang", "Asked")
_NOT_NAME = r"(?!(?i:" + "|".join(NOT_NAMES) + r")\b)"
_NAME_WORD = r"(?:(?:al|el|ul|abu|ibn)-(?=[A-Z]))?[A-ZÀ-ÖØ-ÞĀ-ŽḀ-Ỹ][A-Za-zÀ-ÖØ-öø-ÿĀ-žƀ-ɏḀ-ỿ]*(?:['’-][A-Za-zÀ-ÖØ-öø-ÿĀ-žƀ-ɏḀ-ỿ]+)*"
_INITIALS = r"(?:[A-Z]\.?[ \t]?){1,2}[ \t]"
_PARTICLE = r"(?:van|von|der|den|de|la|le|du|da|di|del|ter|ap|ab|ni|nic|ní|ó|ua|uí|mac|mhic|giolla|bin|binti|bint|al|el|abu|ibn|dos|das|y)"
_CAP_NAME = rf"(?:{_INITIALS})?{_NOT_NAME}{_NAME_WORD}(?:(?:[ \t]+{_PARTICLE}(?=[ \t]+(?:{_PARTICLE}[ \t]+)*[A-ZÀ-ÞĀ-Ž]))*[ \t]+{_NOT_NAME}{_NAME_WORD}){{0,2}}"
_ANY_NAME_WORD = rf"(?!{_STOP}|(?i:calling|ringing|writing|phoning|emailing|here|and|i|from|re|about)\b)[A-Za-zÀ-ÖØ-öø-ÿĀ-žƀ-ɏḀ-ỿ]+(?:['’-][A-Za-zÀ-ÖØ-öø-ÿĀ-žƀ-ɏḀ-ỿ]+)*"
_TITLE_WORDS = ("mr", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lady", "lord", "rev", "cllr", "master", "mstr")
#: Words of places and organisations, not people ("Victoria Park", "Age UK", "Fern Lodge").
_ORGANISATION_WORDS = ("library", "school", "hospital", "centre", "pub", "ward", "surgery", "station", "academy",
                       "primary", "church", "market", "trust", "foundation", "association", "society", "group",
                       "partnership", "authority", "agency", "ltd", "plc", "res", "ref", "tel", "mob")
# A word that can be part of a person's name in the structural rules below: capitalised, and not a
# council word (NOT_NAMES), a short abbreviation in capitals ("Res HB"), a street type, a building
# or an organisation's word ("Grace Road", "Victoria Park", "Age UK" are not people).
_PERSON_WORD = (rf"{_NOT_NAME}(?![A-Z]{{1,3}}(?![A-Za-z'’-]))(?!(?i:{_ALL_TYPES}|{'|'.join(BUILDINGS)}|"
                rf"{'|'.join(_ORGANISATION_WORDS)})\b)" + _NAME_WORD)
#: Forename and surname: two or three person words (a single capitalised word is too often not a person).
_FULL_NAME = rf"(?:{_INITIALS})?{_PERSON_WORD}(?:(?:[ \t]+{_PARTICLE}(?=[ \t]+(?:{_PARTICLE}[ \t]+)*[A-ZÀ-ÞĀ-Ž]))*[ \t]+{_PERSON_WORD}){{1,2}}"
#: Capitalised words that stand alone where a lone name would (opening a note before "rang" or "'s",
#: after "per" or "FAO") and are not people: the people and places a note is about by their role,
#: days and months, shops and contractors, and everyday words that open a note (beside the council
#: words of NOT_NAMES, which are never a lone name either: see _NOT_LONE).
NOT_LONE_NAMES = (
    "Caller", "Callers", "Client", "Applicant", "Claimant", "Occupant", "Occupier", "Owner", "Leaseholder",
    "Carer", "Carers", "Mother", "Father", "Sister", "Brother", "Grandson", "Granddaughter", "Niece", "Nephew",
    "Aunt", "Uncle", "Friend", "Family", "Household", "Neighbours", "Residents", "Tenants", "Landlady",
    "Solicitor", "Councillor", "Warden", "Caretaker", "Cleaner", "Concierge", "Member", "Members", "Agency",
    "School", "Surgery", "Hospital", "Pharmacy", "Shop", "Business", "Company", "Charity", "Everyone",
    "Everybody", "Anybody", "People", "Public", "Man", "Woman", "Lady", "Gentleman", "Child", "Kids", "Today",
    "Yesterday", "Tomorrow", "Tonight", "Morning", "Afternoon", "Evening", "Weekend", "Monday", "Tuesday",
    "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May",
    "June", "July", "August", "September", "October", "November", "December", "Christmas", "Easter", "Section",
    "Policy", "Form", "Letter", "Email", "Website", "Portal", "App", "System", "Foster", "Host", "Veolia",
    "Biffa", "Serco", "Amey", "Capita", "Kier", "Ringway", "Openreach", "Tesco", "Sainsbury", "Asda", "Lidl",
    "Aldi", "Boots", "Google", "Facebook", "Bin", "Bins", "Road", "Nothing", "Everything", "Yes", "No", "OK",
    "Ok", "Please", "Sorry", "Note", "Notes", "Update", "Re", "There", "Here", "As", "On", "In", "At", "If",
    "Its", "This", "That", "These", "Those", "What", "When", "Where", "Why", "How", "Which", "One", "Dog",
    "Dogs", "Cat", "Cats", "Cus", "Csr", "Handler", "Visitor", "Engineer", "Plumber", "Electrician", "Neighbor",
    "Regards", "Cheers", "Thanks", "Thank", "Many", "Kind", "Best", "Pls", "Plz", "Hello", "Hi", "Dear",
    *(t.title() for t in _TITLE_WORDS), "Mrs", "Revd")
#: One capitalised word that may be a person's name where the text marks a person, not followed by
#: a number ("Section 21") or a second capitalised word (two are a full name, matched as such, or a
#: team: "Parking Services"). Whether the word itself can be a name is decided in code
#: (:func:`_lone_name_word`), not by a regex alternation of every word it must not be.
_LONE_NAME = (r"(?P<lone>)[A-ZÀ-ÖØ-ÞĀ-ŽḀ-Ỹ][A-Za-zÀ-ÖØ-öø-ÿĀ-žƀ-ɏḀ-ỿ]*(?:['’-][A-Za-zÀ-ÖØ-öø-ÿĀ-žƀ-ɏḀ-ỿ]+)*"
              r"(?![A-Za-z-])(?![ \t]+[A-Z][a-z])(?![ \t]*\d)")
#: Words a call handler writes before the person a note is about or passed to.
_BEFORE_A_PERSON = ("passed to", "referred to", "escalated to", "assigned to", "transferred to", "forwarded to",
                    "handed to", "allocated to", "spoke with", "spoken with", "speaking with", "booked with",
                    "meeting with", "appointment with", "on behalf of", "requested by", "reported by",
                    "raised by", "email from", "e-mail from", "letter from", "message from", "voicemail from",
                    "call from", "letter returned for", "letter for", "addressed to", "please ask", "ask",
                    "per", "cc", "from:", "tenant", "resident", "neighbour", "neighbor", "cust", "customer",
                    "applicant", "claimant", "occupant", "leaseholder", "son", "daughter", "wife", "husband",
                    "partner", "mother", "father", "mum", "dad", "carer", "brother", "sister", "friend", "fao", "f.a.o.",
                    "left vm for", "vm for", "vm left for", "message for", "msg for", "message left with",
                    "msg left with", "left a message with", "spoke w/", "emailed", "e-mailed", "letter to",
                    "wrote to", "in the name of", "in name of", "name of", "chased")
#: ... and after them: a role or a relationship, in brackets or after a comma.
_ROLES = (r"(?i:[a-z]+[ \t]+)?(?i:officer|manager|adviser|advisor|team[ \t]+leader|caseworker|case[ \t]+worker|"
          r"inspector|surveyor|councillor|supervisor|coordinator|co-ordinator|assistant|director)")
_RELATIONS = (r"(?i:tenant|resident|leaseholder|owner|occupier|daughter|son|wife|husband|partner|mother|father|"
              r"mum|dad|carer|neighbour|neighbor|landlord|agent|brother|sister|friend|advocate)")
#: What a person does, said of the name that opens a note: "Priya Raman rang", "Bethany Cole emailed".
_PERSON_VERBS = (r"(?:rang|rung|called|phoned|telephoned|emailed|e-mailed|wrote|writes|visited|attended|came|says|"
                 r"said|states|stated|left|wants|wanted|asked|asks|complained|complains|chasing|chased|disputes|disputed|"
                 r"objects|objected|queried|queries|requests|requested|declined|would[ \t]+like|is[ \t]+asking|wishes|"
                 r"contacted|spoke|rang[ \t]+again|called[ \t]+again)")
#: What a person did, said of one word opening a note: narrower than _PERSON_VERBS, because things
#: are "left" and "stated" too ("Sofa left on the pavement", "As stated above").
_LONE_VERBS = (r"I[ \t]+think|rang|rung|called|phoned|telephoned|emailed|e-mailed|wrote|visited|came|says|said|wants|wanted|"
               r"asked|asks|complained|chasing|chased|paid|pays|disputes|disputed|cannot|can't|is[ \t]+unable|"
               r"would[ \t]+like|needs[ \t]+help")
#: What a person has, after a lone name and "'s": "Yetunde's son", "Mehmet's shop" ("Dog's mess" is not).
_THEIRS = (r"child|children|kids|family|friend|house|home|flat|property|garden|car|van|shop|business|claim|"
           r"account|case|application|appeal|tenancy|rent|bill|benefit|bins?")
#: Words that follow a name as readily as a thing ("Mohammed Ali at flat 3", "Dog Fouling at the back"):
#: a name there needs a known forename first (the gazetteers in cxinsight.gate; see _keep).
_PLAIN_FOLLOWERS = r"(?:at|from|on|in|is|was|has|had|reports?|reported|requested|needs|would|will|still)"
#: A name after a title: "Mrs Jane Smith", "DR. PATEL".
_NAME_AFTER_TITLE = rf"(?<![A-Za-z])(?i:{_TITLES})\.?[ \t]+{_CAP_NAME}"
#: A name after words that introduce one: "name: Jane Smith", "spoke to Jane", "caller Mr Smith".
_NAME_AFTER_LEAD = (r"(?P<lead_s>(?i:\bname[ \t]*:|\bcustomer[ \t]+name[ \t]*:?|\bcaller[ \t]+name[ \t]*:?|\bthis[ \t]+is|"
                    r"\bspoke[ \t]+to|\bspoken[ \t]+to|\bspeaking[ \t]+to|\bspeak[ \t]+to|\bcaller|\bcomplainant|\bsigned)"
                    rf"[,:]?[ \t]+){_CAP_NAME}")
#: A forename and surname (or one name) after words a call handler writes before a person.
_NAME_AFTER_A_CUE = (r"(?P<lead_p>(?<![A-Za-z])(?i:" + "|".join(re.escape(c).replace(r"\ ", r"[ \t]+") for c in _BEFORE_A_PERSON)
                     + rf")[,:]?[ \t]+)(?:{_FULL_NAME}|{_LONE_NAME})(?![A-Za-z'’-])")
NAME_RULES: list[tuple[str, str, tuple[str, ...]]] = [
    ("NAME", _NAME_AFTER_TITLE, _TITLE_WORDS),
    ("NAME", rf"(?P<lead_n>(?i:\bmy[ \t]+name[ \t]+is)[ \t]+)(?:{_CAP_NAME}|{_ANY_NAME_WORD}(?:[ \t]+{_ANY_NAME_WORD})?)",
     ("my name",)),
    ("NAME", _NAME_AFTER_LEAD,
     ("name", "this is", "spoke", "spoken", "speak", "caller", "complainant", "signed")),
    # a sign-off, with the name on the same line or the next: "Kind regards,\nJane Smith"
    ("NAME", r"(?P<lead_o>(?i:\bregards|\bsincerely|\bthanks|\bthank[ \t]+you|\bcheers)[,.!]?[ \t]*(?:\r?\n[ \t]*)?)"
             rf"{_CAP_NAME}(?=[ \t]*(?:$|\r?\n|[,.]))", ("regards", "sincerely", "thank", "cheers")),
    # after a formal sign-off a name is a name wherever the line goes on: "Sincerely, Jane Smith, resident"
    ("NAME", r"(?P<lead_o>(?i:\bregards|\bsincerely)[,.!]?[ \t]*(?:\r?\n[ \t]*)?)"
             rf"{_NOT_NAME}{_NAME_WORD}[ \t]+{_CAP_NAME}", ("regards", "sincerely")),
    # a forename and surname after words a call handler writes before a person: "passed to Sarah
    # Jones", "tenant Olu Bakare", "on behalf of Tariq Hussain", "cc Lucy Armitage"
    ("NAME", _NAME_AFTER_A_CUE, _BEFORE_A_PERSON),
    # a forename and surname followed by a role or a relationship: "Karen Wright, Neighbourhood
    # Officer", "Chloe Hargreaves (daughter)", "Yusuf Demir (tenant)"
    ("NAME", rf"(?<![A-Za-z])(?=[A-Z]){_FULL_NAME}(?=[ \t]*\([ \t]*(?:{_ROLES}|{_RELATIONS})[ \t]*\))", ("(",)),
    ("NAME", rf"(?<![A-Za-z])(?=[A-Z]){_FULL_NAME}(?=[ \t]*,[ \t]*{_ROLES}\b)",
     ("officer", "manager", "adviser", "advisor", "leader", "worker", "inspector", "surveyor", "councillor",
      "supervisor", "ordinator", "assistant", "director")),
    # a forename and surname that open a note, followed by what the person did or a house number:
    # "Priya Raman rang", "Jane Whitfield 14 Acacia Avenue", "Imran Siddiqui - wants to know"
    ("NAME", rf"^[ \t]*{_FULL_NAME}(?=['’]s[ \t]|[ \t]*[-–,]?[ \t]+(?i:{_PERSON_VERBS})\b|[ \t]+\d{{1,4}}[A-Za-z]?[ \t]+[A-Z]|[ \t]+\[ADDRESS\])",
     ()),
    # ... or by a word that follows things as readily, or a dash: only after a known forename
    # ("Mohammed Ali at flat 3", "Elena Popescu - housing register"; "Fly Tipping - large amount" is not)
    ("NAME", rf"^[ \t]*(?P<forename_first>){_FULL_NAME}(?=[ \t]+(?i:{_PLAIN_FOLLOWERS})\b|[ \t]*[-–:][ \t])", ()),
    # one word alone opening a note is a name only where what follows says so, and it is none of
    # the roles, days, shops and everyday words a note opens with (_lone_name_word): before what a
    # person did or "'s" ("Hughes rang", "Nkechi says", "Mehmet's shop"; "Resident rang" is not);
    # before a role or a relation after a comma or in brackets ("Nigel, the caretaker", "Priyanka
    # (the tenant's sister)"); or, only for a known forename or surname (the gazetteers), before a
    # word that follows things as readily, a dash, a flat, or "family" ("Kevin in Highways",
    # "Margaret is 87", "Campbell household", "Thompson, flat 4b"; "Bin is 3 weeks late" is not).
    # One rule with three lookaheads: a note is tried once.
    ("NAME", rf"^[ \t]*{_LONE_NAME}(?="
             rf"['’]s[ \t]+(?i:{_RELATIONS}|{_THEIRS})\b|[ \t]+(?i:{_LONE_VERBS})\b"
             rf"|[ \t]*[(,][ \t]*(?i:the[ \t]+)?(?:[A-Za-z]+['’]s[ \t]+)?"
             rf"(?:{_ROLES}|{_RELATIONS}|(?i:caretaker|cleaner|warden|concierge|interpreter|translator))\b"
             rf"|(?P<known_name>)(?:[ \t]+(?i:{_PLAIN_FOLLOWERS}|not|family|household)\b|[ \t]*[-–:,][ \t]"
             r"|,?[ \t]+(?i:flat|no\.?)[ \t]*\d))", ()),
    # a first name thanked for what a team did: "thanks Dave from the waste team"
    ("NAME", rf"(?P<lead_o>(?i:\bthanks|\bthank[ \t]+you|\bcheers)[,!]?[ \t]+){_PERSON_WORD}(?=[ \t]+(?i:from|at|in|of)\b)",
     ("thank", "cheers")),
]
# ----------------------------------------------------------------------------------------------
# Issue 28: redaction that meets real writing. Numbers of any grouping after their labels, numbers
# from abroad, written-out e-mail addresses, Welsh and Gaelic streets and house names, dates of birth
# in words, and names in any case after titles and role words. Kept apart from the rules above (and
# run with them: the number rules first, the name rules last) so each can be read on its own.
# ----------------------------------------------------------------------------------------------
_L = "A-Za-zÀ-ÖØ-öø-ÿĀ-žƀ-ɏḀ-ỿ"          # the letters of names, Polish, Welsh, Irish and Vietnamese included
_CAP = "A-ZÀ-ÖØ-ÞĀ-ŽḀ-Ỹ"
_TLDS = r"(?:com|net|org|co|uk|ie|gov|nhs|ac|sch|pl|ro|de|fr|es|it|nl|eu|info|biz|me|io|edu|ng|in|pk|au|us)"
_SP_DOT = r"(?:\s*(?:\.|\(dot\)|\[dot\])\s*|\s+dot\s+)"
#: Welsh and Gaelic street words, which come before the street's name: "4 Ffordd Las", "Sràid na h-Eaglais".
LEADING_STREET_WORDS = ("Heol", "Ffordd", "Stryd", "Lôn", "Lon", "Maes", "Cae", "Bryn", "Rhodfa", "Cilgant",
                        "Teras", "Clos", "Llys", "Parc", "Sràid", "Sraid", "Rathad", "Ceum", "Slighe")
_LEAD_STREET = (rf"(?:(?:{'|'.join(LEADING_STREET_WORDS)})(?:[ \t]+(?:yr|y|na|an|a'|a’|h-[{_L}]+|[{_CAP}][{_L}'’-]*)(?![{_L}])){{1,3}}"
                rf"|(?:{'|'.join(w.upper() for w in LEADING_STREET_WORDS)})(?:[ \t]+[{_CAP}'’-]+){{1,3}}(?![{_L}]))")  # "HEOL Y NANT"
_HOUSE_NAME_WORDS = ("Cottage", "Cottages", "Farm", "Farmhouse", "Barn", "Rectory", "Vicarage", "Manse",
                     "Bungalow", "Villa", "Croft")
#: Labels of a person's own identifiers (not the council's case, job, invoice or licence numbers).
_PERSON_REF_LABEL = (r"(?i:\b(?:garage[ \t]+tenancy|tenancy|rent[ \t]+(?:account|acc)|council[ \t]+tax(?:[ \t]+(?:account|acc))?|"
                     r"ct(?:[ \t]+(?:account|acc))?|hb/ctr[ \t]+claim|hb|ctr(?:[ \t]+claim)?|housing[ \t]+benefit|payroll|"
                     r"employee|staff|bus[ \t]+pass|passport|driving[ \t]+licen[cs]e|brp|id[ \t]+card|housing[ \t]+register|"
                     r"(?:customer|roll)(?=[ \t]*(?:ref|no\b|number|num\b|id\b|account)))\b(?:[ \t]*(?:ref(?:erence)?|no\.?|number|num|id|claim|account))?(?:[ \t]*(?:no\.?|number))?)"
                     r"[ \t]*[:#.]?[ \t]*(?:is[ \t]+)?")
_REF_VALUE = r"(?=[A-Za-z]{0,4}[./-]?\d|[A-Z]{1,4}[ \t]\d)[A-Za-z0-9]{1,10}(?:(?:[./-]|[ \t]?/[ \t]?|[ \t](?=[A-Za-z0-9]*\d))[A-Za-z0-9]{1,10}){0,5}(?![\w/])"
_DOB_LABEL = (r"(?i:\bd\.?[ \t]?o\.?[ \t]?b\b\.?|\bdate[ \t]+of[ \t]+birth|\bbirth[ \t]*date|\bborn(?:[ \t]+on)?|\bbirthday)"
              r"[ \t]*['’\"]?[ \t]*[:=-]?[ \t]*\(?[ \t]*(?:is[ \t]+|as[ \t]+|was[ \t]+|of[ \t]+)?(?:the[ \t]+)?")
_ORDINAL_WORD = (r"(?:(?:twenty|thirty)[\s-]?)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|"
                 r"twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth)")
_YEAR_WORD = (r"(?:nineteen|twenty)[\s-]+(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-]+(?:one|two|three|"
              r"four|five|six|seven|eight|nine))?|hundred|oh[\s-]+[a-z]+|ten|eleven|twelve|[a-z]+teen)")
_DOB_VALUE = (rf"(?:\d{{8}}(?!\d)|\d{{1,2}}(?:st|nd|rd|th)?[ \t]*[/.-][ \t]*\d{{1,2}}[ \t]*[/.-][ \t]*(?:\d{{4}}|\d{{2}})(?!\d)"
              rf"|\d{{1,2}}(?:st|nd|rd|th)?(?:[ \t]+of)?[ \t-]+(?:the[ \t]+\d{{1,2}}(?:st|nd|rd|th)|{_MONTH})\.?,?[ \t-]+(?:\d{{4}}|['’]?\d{{2}})(?!\d)"
              rf"|{_MONTH}\.?[ \t]+\d{{1,2}}(?:st|nd|rd|th)?,?[ \t]+\d{{4}}"
              rf"|(?i:(?:the[ \t]+)?{_ORDINAL_WORD}[ \t]+of[ \t]+){_MONTH}[ \t]*,?[ \t]*(?i:{_YEAR_WORD}|\d{{4}})"
              rf"|(?:in[ \t]+)?(?:{_MONTH}[ \t]+)?(?:19|20)\d{{2}}(?!\d))")
#: Roles and relations a call handler writes before a person, in any case, with the name in any case
#: after them (a word in lower case only before what a person does: "neighbour kev says").
_ROLE_WORDS = ("social worker", "housing officer", "officer", "advocate", "gp is", "the caller", "caller",
               "tenant's partner", "partner", "ex partner", "ex-partner", "nan", "nana", "grandad", "perpetrator",
               "brother-in-law", "sister-in-law", "interpreter", "note added by", "added by", "reassigned from",
               "signed by", "agent", "resident", "neighbour", "neighbor", "tenant", "son", "daughter", "carer",
               "landlord", "cllr", "councillor", "cust", "customer", "mum", "dad", "wife", "husband", "brother",
               "sister", "district nurse", "nurse", "worker", "sw", "complainant", "rang for", "lodger", "father",
               "mother", "stepfather", "stepmother", "guardian", "client", "applicant", "occupier", "next of kin",
               "nok", "grandson", "granddaughter", "grandmother", "grandfather", "aunt", "uncle", "niece", "nephew",
               "cousin", "fiance", "fiancee", "girlfriend", "boyfriend", "flatmate", "housemate")
_ROLE_LEAD = (r"(?P<lead_r28>(?<![A-Za-z])(?i:" + "|".join(re.escape(w).replace(r"\ ", r"[ \t]+") for w in _ROLE_WORDS)
              + r")(?![A-Za-z])[ \t]*(?:[:(,-][ \t]*)?)")
_DID28 = r"(?:says|said|rang|rung|called|phoned|wants|wanted|asked|came|emailed|complains|complained|states|is|was|has|who|re)"
_LOWER_NAME = r"[a-zà-öø-ÿā-žḁ-ỿ][a-zà-öø-ÿā-žḁ-ỿ'’-]+"
_SURNAME_SHAPE = r"(?:o['’]|mac|mc|nic|van[ \t]+der[ \t]+|van[ \t]+den[ \t]+|van[ \t]+|de[ \t]+la[ \t]+|de[ \t]+|ap[ \t]+|ab[ \t]+)?"
#: Numbers after the label that says whose they are, in whatever grouping a person writes them (run first,
#: so an older rule cannot take half of one): general knowledge of UK identifiers and how they are read out.
_DIGIT_WORD = r"(?:zero|oh|nought|one|two|three|four|five|six|seven|eight|nine)"
#: An account number after a sort code, as the older rule took them together: "20-00-00 55779911", "40 47 84, a/c 70872490".
_THEN_ACCOUNT = (r"(?:[ \t]*[,/;]?[ \t]*(?i:(?:account|acct|acc|a/c|ac)(?:[ \t]*(?:no\.?|number))?\.?)?[ \t]*[:-]?[ \t]*"
                 r"\d{8}(?!\d))?")
LABELLED_RULES: list[tuple[str, str, str | tuple[str, ...]]] = [
    # a date of birth after its label in ISO order ("D.O.B: 1988-06-30", "DOB 2019/08/23") or run together
    # as ddmmyy ("date of birth 290781"); two birthdays at once ("born 14th & 15th Jan 2019")
    ("DOB", rf"(?P<lead_dob>{_DOB_LABEL})(?:(?:19|20)\d{{2}}[ \t]*[-/.][ \t]*\d{{1,2}}[ \t]*[-/.][ \t]*\d{{1,2}}(?!\d)"
            rf"|\d{{6}}(?!\d)|\d{{1,2}}(?:st|nd|rd|th)?[ \t]*(?:&|and|or)[ \t]*\d{{1,2}}(?:st|nd|rd|th)?[ \t]+{_MONTH}\.?,?[ \t]+\d{{4}})",
     ("dob", "d.o", "d o b", "birth", "born")),
    # an NHS, CHI or Health and Care number after its label, in any grouping of its ten digits
    ("NHS_NUMBER", r"(?P<lead_nhs>(?i:\bnhs|\bchi\b|\bh[ \t]?&[ \t]?c\b|health[ \t]+(?:and|&)[ \t]+care|rhif[ \t]+gig)"
                   r"(?i:[ \t]*(?:no\.?|number|num|#))?[ \t]*(?i:is[ \t]+|was[ \t]+)?[:-]?[ \t]*)\d(?:[ \t.-]?\d){9}(?!\d)",
     ("nhs", "chi", "h&c", "h & c", "health and care", "health & care", "gig")),
    # an NI number with slashes between its pairs: "PE/65/21/09/D"
    ("NI_NUMBER", r"(?<![A-Za-z0-9])[A-Za-z]{2}/\d{2}/\d{2}/\d{2}/[A-Da-d](?![A-Za-z0-9])", _D(6)),
    # a sort code after "sort" or "SC", in any grouping; an account number after "AC"
    ("BANK", r"(?P<lead_sc>(?:(?i:\bsort(?:[ \t]*code)?)|\bSC)[ \t]*(?i:no\.?|number)?[ \t]*[:-]?[ \t]*(?i:is[ \t]+)?)"
             rf"\d{{2}}[ \t-]?\d{{2}}[ \t-]?\d{{2}}{_THEN_ACCOUNT}(?![\d-])", ("sort", "sc")),
    ("BANK", r"(?P<lead_ac>\bAC[ \t]*[:-]?[ \t]*)\d(?:[ \t-]?\d){7}(?![\d-])", ("ac",)),
    # a card's last four digits after what says so, dots or stars before them; a masked card number
    ("BANK", r"(?P<lead_ce>(?i:\bending(?:[ \t]+(?:in|with))?|\bends[ \t]+(?:in|with)|\blast[ \t]+(?:4|four)(?:[ \t]+(?:digits|numbers|nos?\.?))?"
             r"(?:[ \t]+of[ \t]+(?:the[ \t]+|his[ \t]+|her[ \t]+|their[ \t]+|my[ \t]+)?(?:card|account|a/c|acc))?(?:[ \t]+(?:are|is|was|were))?)"
             r"[ \t]*[:-]?[ \t]*(?:\.{2,3}|[*xX•]{1,12})?[ \t]*)\d{4}(?!\d)", ("ending", "ends in", "ends with", "last 4", "last four")),
    ("BANK", r"(?<![\w*•])(?:(?:[*•]{4}[ \t-]?){3}|(?:[xX]{4}-){3})\d{4}(?!\d)", ("****", "xxxx-", "••••")),
    # a sort code written with dashes in a note about a bank or an account: "(07-04-36)"
    ("BANK", rf"(?<![\d/.:-])\d{{2}}-\d{{2}}-\d{{2}}{_THEN_ACCOUNT}(?![\d/.:-])",
     ("bank", "account", "acc ", "a/c", "lloyds", "nationwide", "barclays", "hsbc", "natwest", "santander", "halifax",
      "monzo", "starling", "building society", "tsb", "first direct", "virgin money", "co-op", "direct debit")),
    # a vehicle's plate after "reg", "reg plate", "VRM" ... "is": "car reg is FD 15 OPL", "reg plate J4 MES"
    ("VEHICLE", r"(?P<lead_v2>(?i:\b(?:reg(?:istration)?|vrm|vrn|plate)\b(?:[ \t]+(?:plate|number|no\.?|mark))?)"
                r"[ \t]*[:-]?[ \t]*(?:(?i:is|was|of)[ \t]+)?)(?=[A-Za-z0-9 -]{0,9}\d)(?=[A-Za-z0-9 -]{0,9}[A-Za-z])"
                r"[A-Za-z0-9]{1,4}(?:[ \t-]?[A-Za-z0-9]{1,4}){0,2}(?![A-Za-z0-9])", ("reg", "vrm", "vrn", "plate")),
    # the plate shapes of the UK in capitals with spaces: "BV 16 PZT"; a prefix or dateless plate in a
    # note about a vehicle: "LXZ 5678", "J4 MES"
    ("VEHICLE", r"(?<![A-Za-z0-9])(?!(?:OF|IN|ON|AT|TO|BY|IS|IT|NO|SO|UP|AS|AN|OR|IF|BE|DO|GO|HE|ME|MY|WE|US|OK|AM|PM)\b)"
                r"[A-Z]{2}[ \t]\d{2}[ \t](?!(?:DAY|HRS|MIN|YRS|AGO|THE|AND|FOR|NOT|PER|WKS|MTH|OUT|OFF|ALL|NEW|OLD)\b)[A-Z]{3}(?![A-Za-z0-9])",
     _D(2)),
    ("VEHICLE", r"(?<![A-Za-z0-9+/=])(?:[A-Z]{3}[ \t]?\d{1,3}[A-Z]|[A-Z]\d{1,3}[ \t][A-Z]{3})(?![A-Za-z0-9+/=])"
                r"|(?P<lead_vd>(?i:\b(?:car|van|vehicle|lorry|taxi|motorbike|motorcycle)\b)[ \t]+)[A-Z]{3}[ \t]\d{1,4}(?![A-Za-z0-9])",
     (" car ", " car,", " car.", " van ", " van,", " van.", "vehicle", "lorry", "motorbike", "taxi", "parked", "untaxed",
      "abandoned car", "driver")),
    # a resident's own number after what it is: a Universal Credit journal, a Home Office or PCN reference,
    # a pass, permit, card or register number (at least four digits, each part with a digit)
    ("REFERENCE", r"(?P<lead_pr2>(?i:\b(?:universal[ \t]+credit|uc|home[ \t]+office|freedom[ \t]+pass|bus[ \t]+pass|"
                  r"concessionary[ \t]+pass|electoral[ \t]+(?:register|roll)|share[ \t]+code|pcn|penalty[ \t]+charge(?:[ \t]+notice)?|"
                  r"(?:parking|resident|visitor|disabled)[ \t]+permit|library[ \t]+card|homechoice|home[ \t]+choice|bidding|dhp|fsm|"
                  r"garden[ \t]+waste|ctax|c/tax|claim|journal|tenancy|oyster|(?:housing[ \t]+register|admissions?|blue[ \t]+badge|"
                  r"homeless(?:ness)?|housing|dhp|hb|ctr|council[ \t]+tax[ \t]+(?:support|reduction))[ \t]+(?:application|appl)|"
                  r"elector(?:al)?|leisure[ \t]+card|rent[ \t]+card|permit[ \t]+book|carer'?s[ \t]+permit|hb|ctr)"
                  r"(?:[ \t]+(?:journal|claim|account|acc|a/c|pass|card|badge|permit|subscription|number|no\.?|ref(?:erence)?|id|code))*)"
                  r"[ \t]*(?:is[ \t]+)?[:#.-]?[ \t]*)(?!(?:19|20)\d{2}(?:[/-]\d{2,4})?(?![\w/]))(?=(?:[A-Za-z /.-]{0,4}\d){4})(?=(?:[A-Za-z]{2}[ \t])?[A-Za-z]{0,4}[-/.]?\d)"
                  r"(?:[A-Za-z]{2}[ \t](?=\d))?(?:[A-Za-z]{1,4}[-/.])?[A-Za-z0-9]*\d[A-Za-z0-9]*(?:[ \t./-][A-Za-z]{0,4}[-/.]?\d[A-Za-z0-9]*){0,4}"
                  r"(?:-[A-Za-z]{1,2})?(?![\w/])",
     ("universal credit", "uc", "home office", "pass", "electoral", "share code", "pcn", "penalty", "permit",
      "library", "homechoice", "home choice", "bidding", "dhp", "fsm", "garden waste", "ctax", "c/tax", "claim",
      "journal", "tenancy", "oyster", "appl", "elector", "card", "hb", "ctr")),
    # a card number of sixteen digits that passes Luhn's check, with no label; its expiry date and security code
    ("CARD", r"(?<![\d-])(?P<luhn16>)\d{4}([ \t-]?)\d{4}\1\d{4}\1\d{4}(?![\d-])", _D(16)),
    ("BANK", r"(?P<lead_exp>(?i:\bexp(?:iry|ires|\.)?(?:[ \t]+date)?|\bvalid[ \t]+(?:to|until|thru))[ \t]*[:-]?[ \t]*)"
             r"(?:0[1-9]|1[0-2])[ \t]*/[ \t]*(?:20)?\d{2}(?!\d)", ("exp", "valid")),
    ("BANK", r"(?P<lead_cvv>(?i:\b(?:cvv2?|cvc|csc|security[ \t]+code)(?:[ \t]*(?:no\.?|number|is))?)[ \t]*[:-]?[ \t]*)\d{3,4}(?!\d)",
     ("cvv", "cvc", "csc", "security code")),
    # an account number after "account is": "the account is 6114 9020"
    ("BANK", r"(?P<lead_acis>(?i:\b(?:account|acct|acc|a/c)(?:[ \t]*(?:no\.?|number|num))?[ \t]+(?:is|was)[ \t]+))"
             r"\d(?:[ \t-]?\d){7}(?![\d-])", ("acc", "a/c")),
    # a login with its domain, as Windows and telephony systems write it: "COUNCIL\\hsingh", "CC\\rjones";
    # a user name at a host with no dot, as a CRM writes it: "J.SMITH@council"
    ("NAME", r"(?<![\w\\:])(?P<domain_login>)[A-Za-z][A-Za-z0-9_-]{1,15}\\[A-Za-z][A-Za-z0-9._-]{1,30}(?<![.])(?![\w\\])", ("\\",)),
    ("EMAIL", r"(?<![\w.@])[A-Za-z][\w'+-]*(?:\.[\w'+-]+)*@[A-Za-z][A-Za-z0-9-]{1,30}(?![\w.@-])", ("@",)),
    # a number read out in words (a phone, an account, an NHS number): "zero seven seven zero zero, nine zero zero, four four one"
    ("PHONE", rf"(?i)(?<![a-z])(?:{_DIGIT_WORD}|double|triple|treble)(?:[ \t,.-]+(?:{_DIGIT_WORD}|double|triple|treble)){{7,}}(?![a-z])",
     ("zero", "oh ", "nought", "double", "one ", "two ", "three ", "four ", "five ", "six ", "seven ", "eight ", "nine ")),
    # a postcode's outward code alone, or with its sector, after its label or where someone lives ("postcode CV6",
    # "postcode is NE6 4", "lives in E17"); a postcode in the phonetic alphabet after its label
    ("POSTCODE", r"(?P<lead_pco>(?i:\bpost[ \t]?code|\bp/code|\bpc)[ \t]*(?i:is[ \t]+|was[ \t]+)?[:-]?[ \t]*)"
                 r"[A-Za-z]{1,2}\d[A-Za-z\d]?(?:(?:[ \t]+|[ \t]*-[ \t]*)?\d(?:[ \t]?[A-Za-z][ \t]?[A-Za-z])?)?(?![A-Za-z0-9])",
     ("postcode", "post code", "p/code", "pc")),
    ("POSTCODE", r"(?P<lead_pcl>(?i:\b(?:lives|living|live|moved|resides|based|staying|relocated)(?:[ \t]+(?:out|over|down|up|now))?[ \t]+(?:in|to|at)[ \t]+(?:the[ \t]+)?))(?P<outward3>)"
                 r"[A-Z]{1,2}\d[A-Z\d]?(?:[ \t]+\d(?:[A-Z]{2})?)?(?![A-Za-z0-9])", ("live", "living", "moved", "resides", "based", "staying", "relocated")),
    ("POSTCODE", r"(?P<lead_pcn>(?i:\bpost[ \t]?code)[ \t]*(?i:is[ \t]+|was[ \t]+)?[:-]?[ \t]*)(?i:(?:alpha|alfa|bravo|charlie|delta|echo|"
                 r"foxtrot|golf|hotel|india|juliett?|kilo|lima|mike|november|oscar|papa|quebec|romeo|sierra|tango|uniform|victor|"
                 r"whiske?y|x-?ray|yankee|zulu|zero|oh|one|two|three|four|five|six|seven|eight|nine|[a-z](?:[ \t]+for[ \t]+[a-z-]+)?)"
                 r"(?:[ \t,]+|$)){4,9}", ("postcode", "post code")),
    # an outward code alone where the words around it say it is where someone lives: "the CV6 area", "G20 postcode",
    # "postcode starts with PR1", "cust in B11, wants a visit" (a real postcode area: not "A1" or "the M4")
    ("POSTCODE", r"(?<![A-Za-z0-9])(?P<outward>)[A-Z]{1,2}\d[A-Z\d]?(?:[ \t]+\d)?(?=[ \t]+(?i:postcode|post[ \t]+code)\b)",
     ("postcode", "post code")),
    ("POSTCODE", r"(?P<lead_pcs>(?i:\bpost[ \t]?code[ \t]+(?:starts|begins)[ \t]+with|\b(?:in|from)[ \t]+(?:the[ \t]+)?)[ \t]*)(?P<outward2>)"
                 r"[A-Z]{1,2}\d[A-Z\d]?(?:[ \t]+\d)?(?=[ \t]*(?:[,.;)]|$))", ("starts with", "begins with", "in ", "from ")),
    # a postcode spelt out letter by letter after its label: "Postcode B T 7 1 N N"
    ("POSTCODE", r"(?P<lead_pc>(?i:\bpost[ \t]?code)[ \t]*(?:is[ \t]+)?[:-]?[ \t]*)[A-Za-z](?:[ \t][A-Za-z])?[ \t]\d(?:[ \t][A-Za-z0-9])?"
                 r"[ \t]\d[ \t][A-Za-z][ \t][A-Za-z](?![A-Za-z0-9])", ("postcode", "post code")),
]
ISSUE28_NUMBER_RULES: list[tuple[str, str, str | tuple[str, ...]]] = [
    # written-out and spaced e-mail addresses: "jo dot bloggs at gmail dot com", "k.nowak(at)wp.pl",
    # "d.evans [at] btinternet [dot] com", "JOHN.OKAFOR @ GMAIL.COM"
    ("EMAIL", rf"(?i)(?<![\w.])[\w'+-]+(?:(?:{_SP_DOT}|[ \t]+(?:underscore|dash|hyphen)[ \t]+|_)[\w'+-]+|[ \t]+\d+)*"
              rf"[ \t]*(?:@|\(at\)|\[at\]|\{{at\}})[ \t]*[a-z0-9-]+(?:{_SP_DOT}[a-z0-9-]+)*{_SP_DOT}{_TLDS}[a-z]?\b",
     ("@", "(at)", "[at]", "{at}")),
    ("EMAIL", rf"(?i)(?<![\w.])[\w'+-]+(?:(?:{_SP_DOT}|[ \t]+(?:underscore|dash|hyphen)[ \t]+|_)[\w'+-]+|[ \t]+\d+)*"
              rf"[ \t]+at[ \t]+[a-z0-9-]+(?:{_SP_DOT}[a-z0-9-]+)*[ \t]+dot[ \t]+{_TLDS}\b", (" dot ",)),
    # numbers from abroad (+48 ..., 0040 ..., +353 ...) and UK numbers of any grouping: checked against
    # the numbering plans by phonenumbers (see _keep)
    ("PHONE", r"(?P<pn>)(?<![\w+])(?:\+|00)[ \t]?[1-9]\d{0,2}(?:[ \t.-]?\(?\d{1,4}\)?){2,6}(?!\d)", _D(9)),
    ("PHONE", r"(?P<pn>)(?<![\w+])44[ \t]?7\d{3}[ \t]?\d{6}(?!\d)", _D(12)),
    ("PHONE", r"(?P<pn>)(?<![\d+])0[127](?:[ \t.-]?\d){8,9}(?!\d)", _D(10)),
    # National Insurance numbers of any prefix (a misread or never-issued one is still someone's) after
    # their label, or with the pairs and the suffix letter that only an NI number has
    ("NI_NUMBER", r"(?P<lead_ni>(?i:\bni\b|\bnino\b|national[ \t]+insurance|nat\.?[ \t]*ins\.?)(?i:[ \t]*(?:no\.?|number|num))?"
                  r"[ \t]*[:-]?[ \t]*(?:is[ \t]+)?)[A-Za-z][ \t.-]?[A-Za-z](?:[ \t.-]?\d){6}(?:[ \t.-]?[A-Da-d])?(?![A-Za-z0-9])",
     ("ni", "nino", "insurance", "nat ins", "nat. ins")),
    ("NI_NUMBER", r"(?<![A-Za-z0-9])[A-Za-z]{2}([ .-])\d{2}\1\d{2}\1\d{2}\1[A-Da-d](?![A-Za-z0-9])", _D(6)),
    ("NI_NUMBER", r"(?<![A-Za-z0-9])[A-Z]{2}\d{6}[A-D](?![A-Za-z0-9])", _D(6)),
    # cards after "card", "visa"...: any grouping (a number read out in pairs fails Luhn and is still a card)
    ("CARD", r"(?P<lead_c>(?i:\b(?:card|visa|mastercard|amex|maestro)(?:[ \t]*(?:no\.?|number))?[ \t]*[:-]?[ \t]*))"
             r"\d(?:[ \t-]?\d){12,18}(?!\d)", ("card", "visa", "mastercard", "amex", "maestro")),
    # a person's own references after their label; a council tax account and its property reference
    ("REFERENCE", rf"(?P<lead_pr>{_PERSON_REF_LABEL}){_REF_VALUE}", _D(4)),
    ("REFERENCE", r"(?<!\d)\d{6}[ \t]?/[ \t]?\d{8}(?!\d)", _D(14)),
    # a driving licence number in the DVLA's shape: MORGA753116SM9IJ
    ("REFERENCE", r"(?<![A-Za-z0-9])[A-Z9]{5}[ \t]?\d{6}[ \t]?[A-Z9]{2}\d[A-Z]{2}(?![A-Za-z0-9])", _D(7)),
    # dates of birth after their label in figures, words or both, run together, or a year after "born"
    ("DOB", rf"(?P<dob_label>{_DOB_LABEL}){_DOB_VALUE}", ("dob", "d.o", "d o b", "birth", "born")),
    # vehicles: any plate shape after "reg", "VRM" or "plate"; Blue Badge numbers
    ("VEHICLE", r"(?P<lead_v>(?i:\b(?:reg(?:istration)?|vrm|vrn|(?:private[ \t]+|dateless[ \t]+|number[ \t]+)?plate)\b"
                r"(?:[ \t]*(?:no\.?|number))?)[ \t]*[:-]?[ \t]*)(?=[A-Za-z0-9 -]{0,9}\d)(?=[A-Za-z0-9 -]{0,9}[A-Za-z])"
                r"[A-Za-z0-9]{1,4}(?:[ \t-]?[A-Za-z0-9]{1,4}){0,2}(?![A-Za-z0-9])", ("reg", "vrm", "vrn", "plate")),
    ("VEHICLE", r"(?P<lead_bb>(?i:blue[ \t]+badge)(?:[ \t]*(?:no\.?|number))?[ \t]*[:-]?[ \t]*)(?=[A-Z0-9 \t]{0,12}\d)[A-Z0-9]{1,6}(?:[ \t][A-Z0-9]{1,6}){1,4}(?![A-Za-z0-9])",
     ("badge",)),
    ("VEHICLE", r"(?<![A-Za-z0-9])(?:[A-Z]{2}\d{2}-?[A-Z]{3}|[a-z]{2}\d{2}-[a-z]{3})(?![A-Za-z0-9])", _D(2)),
    # postcodes with a dash, a double space or a space inside the inward part ("CV3-5FJ", "BS7 8 PH")
    ("POSTCODE", r"(?<![A-Za-z0-9])(?:[A-Z]{1,2}\d[A-Z\d]?(?:-|[ \t]{2})\d[A-Z]{2}|[a-z]{1,2}\d[a-z\d]?(?:-|[ \t]{2})\d[a-z]{2}"
                 r"|[A-Z]{1,2}\d[A-Z\d]?[ \t]\d[ \t][A-Z]{2})(?![A-Za-z0-9])", _D(2)),
    # Welsh and Gaelic streets, the street word first: "4 Ffordd Las", "11 Sràid na h-Eaglais", "Maes y Coed, no. 31"
    ("ADDRESS", rf"(?<![A-Za-z0-9])\d{{1,4}}[A-Za-z]?,?[ \t]+{_LEAD_STREET}", tuple(w.lower() for w in LEADING_STREET_WORDS)),
    ("ADDRESS", rf"(?<![\w'’]){_LEAD_STREET},?[ \t]+(?i:no\.?|number)[ \t]*\d{{1,4}}[A-Za-z]?(?![A-Za-z0-9])",
     tuple(w.lower() for w in LEADING_STREET_WORDS)),
    # a house's name before a street: "Rose Cottage, Lower Lane", "The Willows, Back Lane", "Hafod, 12 Cae Glas",
    # "Taigh na Mara, 3 Rathad ..."; and a house's name alone ("Ivy Farm", "The Old Rectory")
    ("ADDRESS", rf"(?<![\w'’])(?!(?:The[ \t]+)?(?:[{_CAP}][{_L}'’-]+[ \t]+){{0,2}}(?:{_STREET_TYPE_CAPS})\b\.?,)"
                rf"(?:The[ \t]+)?[{_CAP}][{_L}'’-]+(?:[ \t]+(?:na|y|yr|an|a'|[{_CAP}][{_L}'’-]+)){{0,2}},[ \t]*"
                rf"(?:\d{{1,4}}[A-Za-z]?,?[ \t]+(?:{_LEAD_STREET}|(?:[{_CAP}][{_L}'’-]+[ \t]+){{1,3}}(?i:{_ALL_TYPES})\b\.?)"
                rf"|(?:[{_CAP}][{_L}'’-]+[ \t]+){{1,2}}(?:{_STREET_TYPE_CAPS})\b\.?|{_LEAD_STREET}|\[ADDRESS\])", (",",)),
    ("ADDRESS", rf"(?<![\w'’])(?:The[ \t]+)?(?:[{_CAP}][{_L}'’-]+[ \t]+){{1,2}}(?:{'|'.join(_HOUSE_NAME_WORDS)})\b(?:[ \t]+House\b)?"
                rf"(?![ \t]+(?:{_STREET_TYPE_CAPS})\b)", tuple(w.lower() for w in _HOUSE_NAME_WORDS)),
    # a plot or pitch on a park: "Plot 12, Meadowbank Park"; a house number said first: "number 6 on Hazel Close"
    ("ADDRESS", rf"(?i:\b(?:plot|pitch))[ \t]+\d{{1,4}}[A-Za-z]?,?[ \t]+(?:[{_CAP}][{_L}'’-]+[ \t]*){{1,3}}", ("plot", "pitch")),
    ("ADDRESS", rf"(?<![A-Za-z0-9])\d{{1,4}}[A-Za-z]?[ \t]+(?:on|in)[ \t]+(?:[{_CAP}][{_L}'’-]+[ \t]+){{1,2}}(?:{_STREET_TYPE_CAPS})\b",
     ("number", "no")),
    # lower case: "19 the crescent", "42 wellington mews"
    ("ADDRESS", r"(?<![A-Za-z0-9])\d{1,4}[a-z]?[ \t]+the[ \t]+(?i:crescent|close|green|avenue|drive|grove|parade|square|mews|row|"
                r"walk|rise|chase|paddock|willows|meadows|laurels|limes|orchard|hollies|beeches|maltings|broadway|causeway)\b", _D(1)),
]
#: Run after the older rules, so a sort code and its account number, or a council tax account, are
#: found whole by them first.
ISSUE28_LATE_RULES: list[tuple[str, str, str | tuple[str, ...]]] = [
    # account numbers of any grouping after their label; the last four digits after "ending"
    ("BANK", r"(?P<lead_b>(?i:\b(?:account|acct|acc|a/c)(?:[ \t]*(?:no\.?|number))?\.?[ \t]*[:-]?[ \t]*))"
             r"\d(?:[ \t-]?\d){7}(?![\d-])", ("acc", "a/c")),
    ("BANK", r"(?P<lead_e>(?i:\bending(?:[ \t]+in)?|\blast[ \t]+(?:4|four)(?:[ \t]+digits)?(?:[ \t]+(?:are|is|of))?|\bends[ \t]+in)"
             r"[ \t]*[:-]?[ \t]*)\d{4}(?!\d)", ("ending", "last 4", "last four", "ends in")),
    ("BANK", r"(?P<sortcode28>(?i:sort[ \t]*code|s/[ \t]?c(?:ode)?)[ \t]*[:-]?[ \t]*)\d{2}[ \t-]?\d{2}[ \t-]?\d{2}(?!\d)",
     ("sort", "s/c", "s/ c")),
    ("BANK", r"(?P<lead_ro>(?i:\broll[ \t]*(?:no\.?|number))[ \t]*[:-]?[ \t]*)[A-Za-z0-9][A-Za-z0-9/.-]{3,}", ("roll",)),
]
#: Words that open a sentence or a note, never a town after an address (matched in any case).
_NOT_A_PLACE = ("the|a|an|resident|residents|tenant|tenants|customer|caller|cust|client|please|pls|thanks|thank|council|"
                "called|calls|rang|rings|report|reports|reported|advised|advise|says|said|wants|spoke|emailed|email|"
                "no|not|also|and|but|so|he|she|they|we|i|it|this|that|there|his|her|their|has|have|had|is|was|will|"
                "can|could|would|need|needs|asked|requested|update|updated|sent|send|new|old|tel|phone|mobile|dob|"
                "ref|account|house|property|bin|bins|missed|since|from|to|for|at|on|in|by|with|re|regarding|ct|band|"
                "hb|ctr|asb|nfa|cb|urgent|complaint|case|repair|repairs|damp|mould|leak|mr|mrs|ms|miss|mx|dr|"
                "landlord|neighbour|neighbours|officer|contact|contacted|ok|yes|today|yesterday|tomorrow|monday|"
                "tuesday|wednesday|thursday|friday|saturday|sunday|january|february|april|june|july|august|"
                "september|october|november|december|postcode|tenancy|moved|moving|lives|living|correspondence")
#: A town, village or district as written after an address: one to four capitalised words with Welsh,
#: Gaelic and English joining words ("Much Wenlock", "Llanfihangel-y-Creuddyn", "Isle of Lewis", "Stratford upon Avon").
_PLACE_WORD = rf"(?!(?i:{_NOT_A_PLACE})\b)[{_CAP}][{_L}'’-]+"
_PLACE_NAME = rf"{_PLACE_WORD}(?:[ \t]+(?:(?:y|yr|a'|an|na|of|on|upon|le|de|in|under|by)[ \t]+)?{_PLACE_WORD}){{0,3}}"


#: What a system writes before a member of staff's login ("user:", "Created by:", "modified_by=", "CSA:").
_STAFF_CUE_WORDS = ("user", "login", "log-in", "handler", "owner", "csa", "csr", "agent", "operator", "adviser", "advisor",
                    "by", "assigned", "allocated", "transferred", "u/n", "uid", "staff", "rep", "tl")
_STAFF_CUE = (r"(?i:\b(?:user(?:[ \t_-]?(?:id|name))?|login|log-in|handler|owner|csa|csr|agent|operator|advis[eo]r"
              r"|(?:created|amended|closed|actioned|modified|updated|resolved|logged|raised|completed|escalated|edited|"
              r"opened|entered|keyed|changed|deleted|approved|authori[sz]ed|checked|reviewed|allocated|assigned|"
              r"reassigned|transferred|cancelled|canceled|handled|taken|sent|answered|worked|noted|added|written|"
              r"typed|wrapped|dealt[ \t]+with|picked[ \t]+up)[ \t_-]?by|(?:u/n|uid|username|staff[ \t_-]?(?:id|no)|rep|tl)(?=[ \t]*[:=#-])|(?:assigned|reassigned|allocated|transferred)[ \t]+to"
              r"|(?:reassigned|changed|transferred|moved|handed[ \t]+over)[ \t]+from)\b)")


#: Addresses with no street type: after "c/o"; a Welsh house name ("Tŷ Newydd", "Bwthyn y Wennol"); a Welsh street in
#: lower case after its number ("14 stryd fawr"); a pitch or plot "at" a park; a house number before a Scottish or
#: northern street word or a one-word street ("3 Laurel Bank", "45 Rydal Tower", "88 Kirkgate", "101 Kingsway").
ADDRESS_SHAPES: list[tuple[str, str, str | tuple[str, ...]]] = [
    ("ADDRESS", rf"(?P<lead_co>(?i:\bc/o)[ \t]+)\d{{1,4}}[A-Za-z]?,?[ \t]+[{_CAP}][{_L}'’-]+(?:[ \t]+[{_CAP}][{_L}'’-]+){{0,2}}"
                rf"(?:,[ \t]*[{_CAP}][{_L}'’-]+)?", ("c/o",)),
    ("ADDRESS", rf"(?<![\w'’])(?:Tŷ|Ty|Bwthyn|Tyddyn|Llys|Hafod|Cartref)[ \t]+(?:(?:y|yr)[ \t]+)?[{_CAP}][{_L}'’-]+"
                rf"|(?<![\w'’])Glan-yr-[{_CAP}][{_L}'’-]+", ("tŷ", "ty ", "bwthyn", "tyddyn", "llys", "hafod", "cartref", "glan-yr-")),
    ("ADDRESS", r"(?<![\w])\d{1,4}[a-z]?[ \t]+(?:heol|ffordd|stryd|lôn|maes|cae|rhodfa|cilgant|clos|teras)[ \t]+(?:(?:y|yr)[ \t]+)?"
                r"[a-zâêîôûŵŷ'’-]{3,}(?![\w])", ("heol", "ffordd", "stryd", "lôn", "maes", "cae ", "rhodfa", "cilgant", "clos", "teras")),
    ("ADDRESS", rf"(?i:\b(?:plot|pitch|berth|mooring))[ \t]+(?:(?i:no\.?)[ \t]*)?\d{{1,4}}[A-Za-z]?[ \t]+(?i:at|on)[ \t]+(?:The[ \t]+)?"
                rf"(?:[{_CAP}][{_L}'’-]+[ \t]*){{1,4}}", ("plot", "pitch", "berth", "mooring")),
    ("ADDRESS", rf"(?<![A-Za-z0-9£$€.,/:-])\d{{1,4}}[A-Za-z]?[ \t]+(?:[{_CAP}][{_L}'’-]+[ \t]+){{1,2}}(?:Bank|Brae|Wynd|Loan|Gait|Neuk|Vennel|"
                rf"Tower|Heights|Lea|Leys|Garth|Fold|Ings|Carr|Gate)\b"
                rf"|(?<![A-Za-z0-9£$€.,/:-])\d{{1,4}}[A-Za-z]?[ \t]+[{_CAP}][a-z]{{2,}}(?:gate|way|side|field|wood|bank|lea|ings)\b", _D(1)),
]


ISSUE28_NAME_RULES: list[tuple[str, str, str | tuple[str, ...]]] = [
    # a house's name before a street the rules above have redacted: "Bryn Awel, [ADDRESS]"
    ("ADDRESS", rf"(?<![\w'’\]])(?:The[ \t]+)?[{_CAP}][{_L}'’-]+(?:[ \t]+(?:na|y|yr|an|a'|[{_CAP}][{_L}'’-]+)){{0,2}},[ \t]*\[ADDRESS\]",
     ("[address]",)),
    # the flat, room or floor before a street the rules above have redacted: "Room 5, [ADDRESS]", "Flat 2/1,
    # [ADDRESS]", "ground floor flat, [ADDRESS]", "Basement flat [ADDRESS]", Glasgow's "1/2, [ADDRESS]"
    ("ADDRESS", r"(?<![\w'’])(?:(?i:(?:(?:ground|first|second|third|top|basement|lower|upper)[ \t]+(?:floor[ \t]+)?)?"
                r"(?:flat|room|apartment|apt|unit|maisonette|bedsit)\b\.?)(?:[ \t]+[A-Za-z0-9]{1,5}(?:/[A-Za-z0-9]{1,3})?)?"
                r"|\d{1,3}/\d{1,3}),?[ \t]*\[ADDRESS\]", ("[address]",)),
    # the town or district after a redacted address: "[ADDRESS], Swindon", "[ADDRESS], RHIWBINA, CARDIFF",
    # "[ADDRESS], Meadow Way has reported", "[ADDRESS], Isle of Lewis"; not a sentence going on ("[ADDRESS], Tenant says")
    ("ADDRESS", rf"\[ADDRESS\](?:,[ \t]*{_PLACE_NAME}){{1,3}}(?=[ \t]*(?:$|[,.;:)!?\n]|[-–]|\[|[A-Z]{{1,2}}\d)|[ \t]+[a-z])",
     ("[address]",)),
    # what is left of an address around its token: the house numbers, "number" or "no." before it ("Nos. 4 & [ADDRESS]",
    # "number [ADDRESS]", "12 [ADDRESS]"), Edinburgh's "1F1", a house number and street after it ("[ADDRESS], 50
    # Deansgate"), a direction after its street ("[ADDRESS] West")
    ("ADDRESS", r"(?<![\w'’\]])(?:(?:(?i:nos?\.?|numbers?|house[ \t]+(?:no\.?|number)|plot|pitch)[ \t]*)?"
                r"(?:(?:\d{1,4}[A-Za-z]?[ \t]*(?:&|and|,|-)[ \t]*)*(?:\d{1,4}[A-Za-z]?|\d[FfGg]\d?),?|(?:\d{1,4}[A-Za-z]?[ \t]*(?:&|and)[ \t]*)+)[ \t]*"
                r"|(?i:nos?\.?|numbers?)[ \t]*)\[ADDRESS\]"
                rf"(?:,?[ \t]*\d{{1,4}}[A-Za-z]?[ \t]+[{_CAP}][{_L}'’-]+(?:[ \t]+[{_CAP}][{_L}'’-]+)?|[ \t]+(?:North|South|East|West|Upper|Lower)\b)?"
                rf"|\[ADDRESS\](?:,?[ \t]*\d{{1,4}}[A-Za-z]?[ \t]+[{_CAP}][{_L}'’-]+(?:[ \t]+[{_CAP}][{_L}'’-]+)?|[ \t]+(?:North|South|East|West|Upper|Lower)\b)",
     ("[address]",)),
    # initials and a surname: "J. Pritchard", "p. kaur added", "E Thwaite on leave"; "initials JS"
    ("NAME", rf"(?<![\w.&])[A-Z]\.[ \t]?(?P<initial>){_NAME_WORD}", (".",)),
    ("NAME", rf"(?<![\w.])[a-z]\.[ \t][a-z]{{3,}}(?=[ \t]+(?:{_DID28}|added|to|on)\b)", (".",)),
    ("NAME", rf"^[ \t]*[B-HJ-Z][ \t]+{_NAME_WORD}(?=[ \t]+(?:on|is|was|to|has|rang|called|says|said|added)\b)", ()),
    ("NAME", r"(?P<lead_in>(?i:\binitials[ \t]*:?|\binitial[ \t]*:)[ \t]*)[A-Z]{2,3}\b", ("initial",)),
    # a forename and surname in lower case opening a note before what the person did: "kwame mensah rang"
    ("NAME", rf"^[ \t]*(?P<lower_pair>){_LOWER_NAME}[ \t]+{_LOWER_NAME}(?=[ \t]+{_DID28}\b)", ()),
    ("NAME", rf"{_ROLE_LEAD}(?P<lower_pair2>){_LOWER_NAME}[ \t]+{_LOWER_NAME}(?=[ \t]*(?:$|[,.;:)]|[ \t]+{_DID28}\b))",
     tuple(w.split()[0] for w in _ROLE_WORDS)),
    # a title and a name in any case: "mrs o'neill", "mr van den broek", "mr szczepański", "Dr Nguyễn Thị Hoa"
    ("NAME", rf"(?P<lead_t28>(?<![A-Za-z])(?i:mr|mrs|ms|miss|mx|dr|cllr)\.?[ \t]+)(?P<lower_title>){_SURNAME_SHAPE}{_LOWER_NAME}"
             rf"(?=[ \t]*(?:$|[,.;:)?!]|[ \t]+(?:{_DID28}|no|at|from|of|and)\b))", _TITLE_WORDS),
    # a role or relation and a name after it, in any case and with particles: "neighbour (Siobhán Ní Bhriain)",
    # "social worker Nkechi Adeyemi-Okonkwo", "resident ANA-MARIA GHEORGHIU", "nan (Doreen)", "Aled ab Ifan"
    ("NAME", rf"{_ROLE_LEAD}(?P<role_name>)(?:{_TITLES}\.?[ \t]+)?{_NAME_WORD}(?:(?:[ \t]+{_PARTICLE})*[ \t]+{_NAME_WORD}){{0,3}}",
     tuple(w.split()[0] for w in _ROLE_WORDS)),
    ("NAME", rf"{_ROLE_LEAD}(?P<role_lower>){_LOWER_NAME}(?=[ \t]+{_DID28}\b)", tuple(w.split()[0] for w in _ROLE_WORDS)),
    # "Sarah Okafor MP", "Jane Smith, Cllr"
    ("NAME", rf"(?<![A-Za-z]){_NAME_WORD}[ \t]+{_NAME_WORD}(?=[ \t]+(?:MP|MSP|MS|AM|QC|KC|JP)\b)", ("mp", "msp", "ms", "am", "qc", "kc", "jp")),
    # staff logins: "j.smith", "d.okoro"; "priya.sharma" and "SBANERJEE2" after "by", "from", "to", "agent"
    ("NAME", r"(?<![\w.@])(?P<login>)[a-z]\.[a-z]{3,}(?:-[a-z]+)*(?![\w@-]|\.[a-z])", (".",)),
    # "priya.sharma", "Mark.Evans": a forename and a surname the gazetteers know, joined by a dot or an underscore
    ("NAME", r"(?<![\w.@])(?P<name_login>)[A-Za-z]{2,}[._][A-Za-z]{2,}\d{0,3}(?![\w@]|\.[A-Za-z])", (".", "_")),
    ("NAME", r"(?P<lead_lg>(?i:\bby|\bfrom|\bto|\bagent|\buser|\blogin|\bofficer|\bowner|\bhandler)\b[ \t]*:?[ \t]*)(?P<cued_login>)"
             r"(?:[a-z]{3,}\.[a-z]{3,}|[A-Za-z]\.[A-Za-z]{3,}|[A-Z]{5,12}\d{0,3})(?![\w@.])",
     ("by", "from", "to", "agent", "user", "login", "officer", "owner", "handler")),
    # a login handed from one member of staff to another: "owner changed from tbrennan to cnwosu",
    # "reassigned from ADEBAYOT to MCCARTHYJ" (each checked by :func:`_login_shaped`)
    ("NAME", r"(?P<lead_sl2>(?i:\bfrom)[ \t]+(?P<from_login>[A-Za-z][A-Za-z0-9]*(?:[._][A-Za-z0-9]+){0,3})[ \t]+(?i:to)[ \t]+)"
             r"(?P<staff_login2>)[A-Za-z][A-Za-z0-9]*(?:[._][A-Za-z0-9]+){0,3}(?![\w@])", ("from",)),
    # a login after what a system writes before one: "user: dthomas01", "Created by: ANWAR_H", "CSA: ljenkins",
    # "modified_by=rgriffiths", "Handler: mwright", "closed by hpatel2" (checked by :func:`_login_shaped`)
    ("NAME", rf"(?P<lead_sl>{_STAFF_CUE}[ \t]*[:=#-]?[ \t]*['\"‘]?)(?!{_STAFF_CUE})(?P<staff_login>)[A-Za-z][A-Za-z0-9]*(?:[._-][A-Za-z0-9]+){{0,3}}(?![\w@])",
     _STAFF_CUE_WORDS),
    # a login after "logged in as", "locked by", "uploaded by", "signed off ... by", a bare "by" or "as" (checked
    # strictly: "by jsmith2", not "by phone"); one mentioned with "@" ("@kasia.nowak"); a login as key=value
    ("NAME", r"(?P<lead_sl2>(?i:\b(?:logged[ \t]+(?:in|on)[ \t]+(?:as|under)|locked[ \t]+by|uploaded[ \t]+by|"
             r"signed[ \t]+off(?:[ \t]+in[ \t]+\w+)?[ \t]+by|login|uname|u/name)[ \t]*[:=]?[ \t]*['\"‘(]?"
             r"|\b(?P<bare_by>by|under)[ \t]+))"
             r"(?P<staff_login>)[A-Za-z][A-Za-z0-9]*(?:[._-][A-Za-z0-9]+){0,3}(?![\w@(=])",
     ("logged", "locked", "uploaded", "signed", "by", "under", "login", "uname", "u/name")),
    # a login of an initial run into a known surname after a word that hands work to someone: "reassigned from
    # tbrown to lgreen", "check with mrogers", "assigned: RJONES" (checked by :func:`_initial_and_surname`)
    ("NAME", r"(?P<lead_isn>(?i:\b(?:by|from|to|with|for|cc|assigned|reassigned|allocated)\b)[ \t]*:?[ \t]*)(?P<initial_surname>)"
             r"(?:[a-z]{5,14}|[A-Z]{5,14})\d{0,2}(?![\w@.-])",
     ("by", "from", "to", "with", "for", "cc", "assigned", "allocated")),
    ("NAME", r"(?<![\w.@])(?P<mention>)@[A-Za-z][A-Za-z0-9]*(?:[._-][A-Za-z0-9]+){1,3}(?![\w@])", ("@",)),
    ("NAME", r"(?P<staff_kv>)(?P<lead_kv>(?i:\b(?:user(?:[ \t_]?name)?|agent(?:[ \t_]?id)?|login|uid|owner|operator)[ \t]*=[ \t]*))"
             r"[A-Za-z0-9][A-Za-z0-9._-]{1,40}", ("=",)),
    # staff numbers after "agents", "ag", "agent (id ...)": "agents 3104, 3107 and 3122", "ag 2207"
    ("REFERENCE", r"(?P<lead_sid2>(?i:\b(?:agents?|ag|operators?|advis[eo]rs?)\b[ \t]*\(?[ \t]*(?:id|no\.?|number|#)?[ \t]*[:#]?[ \t]*))"
                  r"\d{3,6}(?:(?:[ \t]*,[ \t]*|[ \t]+and[ \t]+)\d{3,6})*(?!\d)", ("agent", "ag ", "operator", "advis")),
    # a member of staff's number after what names one: "agent 104522", "user id 55123", "operator #4471", "emp no E104233"
    ("REFERENCE", r"(?P<lead_sid>(?i:\b(?:agent|operator|adviser|advisor|user|staff|emp(?:loyee)?|payroll)"
                  r"(?:[ \t]*(?:id|no\.?|number|num|ref|#))?[ \t]*[:#]?[ \t]*))(?:[A-Z]{1,3})?\d{3,8}(?![\w/])",
     ("agent", "operator", "adviser", "advisor", "user", "staff", "emp", "payroll")),
    # a first name signing off at the end of a message: "... if you need anything else. Kerry"
    ("NAME", rf"(?<=[.!][ \t])(?P<known_name>)(?P<lone>){_NAME_WORD}[ \t]*$", ()),
]
#: Brands, shops and characters written like people (not redacted): "Mr Sheen", "Dr Martens", "Age UK".
NOT_PEOPLE_TOO = frozenset("""mr sheen|mr kipling|dr martens|dr marten|dr pepper|mr whippy|mr muscle|mr tumble|ms pac-man
|mrs brown's|mrs browns|mr men|dr who|mr bean|miss saigon|mrs doubtfire|mr blobby|mr motivator|dr oetker|dr scholl
|mr t|mr benn|mr freeze|age uk|john lewis|robin hood|jack daniel's|johnnie walker|jack russell|father christmas
|king george's|king george|queen elizabeth|prince of wales|barnardo's|sainsbury's|st andrew's|new year's
|mrs hinch|uncle ben's|uncle bens|dr beckmann|mrs crimble's|miss selfridge|bernard matthews|dorothy perkins
|harry ramsden's|ben & jerry's|ted baker|william hill|sue ryder|aunt bessie's|captain birds eye|colonel sanders
|ronald mcdonald|monte carlo|marks & spencer|laura ashley|jack wills|fred perry|paul smith|john lewis""".replace("\n", "").split("|"))


_NOT_PEOPLE_ALTERNATIVES = "|".join(re.escape(t) for t in sorted(NOT_PEOPLE_TOO, key=len, reverse=True))
#: A text that starts with one of :data:`NOT_PEOPLE_TOO`, not followed by a letter ("mr sheen's", not "mr t" in
#: "mr tony"); one that ends with one; and each one's words after the first, with the first words they follow.
_NOT_PEOPLE_STARTS = re.compile(rf"(?:{_NOT_PEOPLE_ALTERNATIVES})(?![^\W\d_])")
_NOT_PEOPLE_ENDS = re.compile(rf"(?:{_NOT_PEOPLE_ALTERNATIVES})\Z")
_NOT_PEOPLE_BY_REST: dict[str, tuple[str, ...]] = {}
for _t in sorted(NOT_PEOPLE_TOO):
    _NOT_PEOPLE_BY_REST[_t.split(" ", 1)[-1]] = (*_NOT_PEOPLE_BY_REST.get(_t.split(" ", 1)[-1], ()), _t.split(" ", 1)[0])


#: A keyed pseudonym at the end of a match (``S-`` staff, ``C-`` customer, ``ID-`` reference, 16 hex).
_PSEUDONYM_AFTER = re.compile(r"(?<![\w-])(?:[SC]|ID)-[0-9a-f]{16}$")


def _luhn_ok(digits: str) -> bool:
    """Luhn's check, as every payment card's last digit satisfies it.

    >>> _luhn_ok("4111111111111111"), _luhn_ok("4111111111111112")
    (True, False)
    """
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


#: Words a council's or an organisation's team mailbox is named with ("complaints@", "council.tax@",
#: "customerservices@", "asc.safeguarding@"): a shared role address, not a person's (the ICO's guidance:
#: an address such as info@company.co.uk is not personal data).
TEAM_MAILBOX_WORDS = frozenset("""
council tax ctax revenues revs benefits bens hb repairs repair housing options homeless homelessness planning
comments comment customer customers services service contact contactus us enquiries enquiry info information
help helpdesk desk support admin administration team office duty inbox mailbox blue badge bluebadge
safeguarding asc acs adults adult children childrens families social care mash referrals referral environmental
health env eh complaints complaint compliments feedback foi sar dpo data protection privacy media press comms
communications noreply no reply donotreply democratic democracy services elections electoral registration
register registrars hr payroll finance accounts payments payment income pest control sen send ehcp admissions
school schools education library libraries leisure parking permits permit waste recycling bins cleansing
streetscene street highways roads transport travel licensing licences licence building regulation regulations
noise asb community safety bookings booking members member mayor chief executive ict it web webmaster digital
fixmystreet trading standards food hygiene estates estate lettings rents rent tenancy tenants tenant right buy
business rates nndr grants grant post mail general reception switchboard out hours ooh emergency emergencies
corporate legal insurance claims procurement contracts audit governance fraud investigations enforcement
collections collection defects defect lighting streetlighting payable receivable dhp events comms marketing
""".split())
_CONSUMER_MAIL = frozenset("""gmail googlemail hotmail outlook live msn yahoo ymail icloud me mac aol btinternet
btopenworld sky virginmedia talktalk tiscali ntlworld blueyonder protonmail proton gmx mail wp o2 onet interia
yandex""".split())


#: Domains of public bodies, schools, universities and charities (a council's own, "example.gov.uk").
_PUBLIC_BODY_DOMAIN = re.compile(r"(?:^|\.)(?:gov\.uk|gov\.wales|gov\.scot|nhs\.uk|nhs\.net|police\.uk|sch\.uk|ac\.uk|"
                                 r"org\.uk|gov)$|council")


def _team_mailbox(address: str) -> bool:
    """Whether an e-mail address is a public body's team mailbox: its name made only of the words teams
    are named with (:data:`TEAM_MAILBOX_WORDS`, run together or joined by ``.``, ``_`` or ``-``) at a
    public body's, school's or charity's domain (a letting agent's "info@" is still redacted).

    >>> [_team_mailbox(a) for a in ("complaints@examplecouncil.gov.uk", "customerservices@council.example.gov.uk",
    ...  "asc.safeguarding@example.gov.uk", "j.smith@examplecouncil.gov.uk", "housing@gmail.com",
    ...  "info@acme-lettings.co.uk")]
    [True, True, True, False, False, False]
    """
    local, _, domain = address.strip().lower().partition("@")
    if not local or domain.split(".")[0] in _CONSUMER_MAIL or not _PUBLIC_BODY_DOMAIN.search(domain):
        return False
    for part in re.split(r"[._-]+", local):
        n = len(part)
        if not n or n > 40 or not part.isalpha():
            return False
        reach = [True] + [False] * n  # the part split into mailbox words, run together: "housingrepairs"
        for i in range(n):
            if reach[i]:
                for j in range(i + 2, n + 1):
                    if part[i:j] in TEAM_MAILBOX_WORDS:
                        reach[j] = True
        if not reach[n]:
            return False
    return True


#: Words after a name that make it a place or a building named after someone: "William Morris Gallery",
#: "Sir Robert Peel statue", "Lady Margaret Road" (strong words only: "Mr Smith's report" is a person's).
_PLACE_AFTER_A_NAME = frozenset("""gallery hall school primary academy college centre center road street avenue lane
park house hospital library museum theatre statue column memorial stadium building court way close estate
infants juniors nursery university ward wing campus community leisure sports arena plaque themed festival concert
tribute exhibition outlet brewery carvery""".split())
#: Words that end a place named after someone: "Lady Margaret Hall", "Sir Titus Salt School".
_PLACE_ENDS = frozenset("hall college school primary academy gallery house centre center hospital".split())
#: The words of job titles and offices, never a person's name on their own: "Chief Executive's statement",
#: "the Lord Lieutenant", "Information Commissioner's Office".
_OFFICE_WORDS = frozenset("""chief executive executives information commissioner commissioners director directors lord
lieutenant deputy leader mayor high sheriff head service manager officer clerk town council assistant strategic
corporate monitoring returning registrar superintendent constable coroner ombudsman secretary state minister prime
chancellor speaker cabinet member portfolio holder customer behaviour standards children adult adults social
care public health relations experience complaints resolution improvement operations transformation policy
procedure strategy unreasonable complainant persistent vexatious events comms streetscene""".split())
#: Organisations written like a person's name after "referred to" ("Citizens Advice", "Victim Support").
_ORGANISATIONS = re.compile(r"(?i)(?:the[ \t]+)?(?:citizens[ \t]+advice|victim[ \t]+support|national[ \t]+debtline|women's[ \t]+aid|"
                            r"salvation[ \t]+army|red[ \t]+cross|marie[ \t]+curie|age[ \t]+(?:uk|concern)|step[ \t]?change|"
                            r"trussell[ \t]+trust|turn2us|samaritans|shelter|mencap|barnardo's|macmillan|nspcc|rspca)\b")
#: The last word of a law's name: "Data Protection Act", "Housing Regulations".
_LAW_WORDS = frozenset("act acts regulations regs order bill directive code".split())
_PERSON_TITLE_FIRST = re.compile(r"(?i)[ \t(]*(?:mr|mrs|ms|miss|mx|dr|cllr|councillor)\b")
_PRONOUN_FIRST = re.compile(r"[(\[]?(?:i|we|you|they|he|she|it)(?:['’](?:ll|ve|m|d|re|s))?(?![\w'’])")
#: Numbers that are a column's, a route's or a ward's, not a house's: "lamp column 47", "bus route 18", "Ward 14".
_NOT_A_HOUSE_NUMBER = re.compile(r"(?i)\b(?:column|lamp[ \t]?post|lamppost|route|bus|ward|bay|platform|stand|junction|exit|"
                                 r"pitch|gate|berth|room|locker|stall|polling[ \t]+district)(?:[ \t]+(?:no\.?|number|#))?[ \t]*$")
#: Public buildings: an address of one is not a person's ("Town Hall, Castle Street").
_PUBLIC_BUILDING = re.compile(r"(?i)\b(?:town[ \t]+hall|civic[ \t]+(?:centre|center|offices)|council[ \t]+offices|county[ \t]+hall|"
                              r"city[ \t]+hall|guildhall|library|leisure[ \t]+centre|community[ \t]+centre|register[ \t]+office|"
                              r"one[ \t]+stop[ \t]+shop|customer[ \t]+service[ \t]+centre|police[ \t]+station|fire[ \t]+station|"
                              r"health[ \t]+centre|job[ \t]?centre)\b")


#: Words beside a number that make it an organisation's, not a person's: "Switchboard number changed to ...".
_ORGANISATION_NUMBER = re.compile(r"(?i)\b(?:switchboard|helpline|help[ \t]+line|textphone|minicom|"
                                  r"main[ \t]+(?:council[ \t]+)?number|out[ \t]+of[ \t]+hours[ \t]+(?:line|number))\b")
#: The same, right before the number: "Switchboard number changed to 01632 960000", "helpline: 0300 ...".
_ORGANISATION_NUMBER_BEFORE = re.compile(_ORGANISATION_NUMBER.pattern + r"(?:[ \t]+(?:number|no\.?|line))?"
                                         r"(?:[ \t]*(?::|-|is|was|on|now|changed[ \t]+to|moved[ \t]+to))*[ \t]*$")


def _not_a_person(kind: str, m: re.Match, text: str) -> bool:
    """A match that the words in and around it make a place, an office or the agent speaking, not a
    person; or a number that is a street furniture's or a public building's address (general
    knowledge, from the ordinary notes of the development corpora dev5-dev7).

    >>> import re
    >>> t = "William Morris Gallery closed Monday"
    >>> _not_a_person("NAME", re.search("William Morris", t), t)
    True
    >>> t = "spoke to William Morris about the bins"
    >>> _not_a_person("NAME", re.search("William Morris", t), t)
    False
    """
    matched = m.group(0)
    if kind == "NAME":
        words = re.findall(r"[^\W\d_]+", matched.lower().replace("’", "'").replace("'s", ""))
        if not words:
            return False
        lead = next((v for k, v in m.groupdict().items() if v and k.startswith("lead_")), "")
        body = matched[len(lead):].strip()
        if _PRONOUN_FIRST.match(body.lower()):
            return True  # "Agent: I'll raise it", "Agent: We're closing the chat"
        if all(w in _OFFICE_WORDS or w in TEAM_MAILBOX_WORDS for w in re.findall(r"[^\W\d_]+", body.lower().replace("'s", ""))):
            return bool(body)  # "passed to Streetscene", "Chief Executive's statement"
        if re.match(r"(?i)(?:king|queen|prince|princess|duke|duchess|saint|st\.?)[ \t]", body):
            return True  # royalty and saints: "Queen Anne's Gate", "King Arthur's Round Table"
        if _PERSON_TITLE_FIRST.match(body):
            return False
        after = re.match(r"[ \t]+([^\W\d_]+)", text[m.end():m.end() + 40])  # not "grandson Reece's school"
        if after and after.group(1).lower() in _PLACE_AFTER_A_NAME and body[:1].isupper() \
                and not re.search(r"['’]s?$", body):
            return True
        if re.match(r"[ \t]+car[ \t]+park\b", text[m.end():m.end() + 12], re.IGNORECASE):
            return True  # "The Lord Nelson car park"
        if _ORGANISATIONS.match(body):
            return True  # "Referred to Citizens Advice"
        body_words = re.findall(r"[^\W\d_]+", body.lower())
        if len(body_words) >= 2 and body_words[-1] in _LAW_WORDS and body[:1].isupper():
            return True  # "Data Protection Act"
        return len(body_words) >= 2 and body_words[0] in _PLACE_LEADS and (
            body_words[-1] in _PLACE_ENDS or body_words[-1] in _PLACE_AFTER_A_NAME)  # "Lady Margaret Hall", "... Road"
    if kind == "VEHICLE" and any(k in m.groupdict() and m.group(k) for k in ("lead_v", "lead_v2")):
        lead = m.group("lead_v2") if "lead_v2" in m.groupdict() and m.group("lead_v2") else m.group("lead_v")
        return bool(re.search(r"[^\W\d_]{4,}", matched[len(lead):]))  # "reg 34 applies": a plate has no word in it
    if kind == "PHONE":  # a landline after or just before "switchboard", "helpline" ... (never a mobile)
        digits = re.sub(r"\D", "", matched)
        return not digits.startswith(("07", "447")) and bool(
            _ORGANISATION_NUMBER_BEFORE.search(text[max(0, m.start() - 40):m.start()])
            or _ORGANISATION_NUMBER.match(text[m.end():m.end() + 14].lstrip(" \t")))
    if kind == "ADDRESS":
        if _NOT_A_HOUSE_NUMBER.search(text[max(0, m.start() - 40):m.start()]):
            return True
        if not re.search(r"\d", matched) and re.match(r"(?i)[ \t]+(?:estate|industrial|retail|business|trading)\b",
                                                    text[m.end():m.end() + 15]):
            return True  # "the Marsh Farm estate"
        return not re.search(r"\d", matched) and bool(_PUBLIC_BUILDING.search(text[max(0, m.start() - 25):m.end()]))
    return False


def _keep_issue28(kind: str, m: re.Match, text: str) -> bool | None:
    """The issue 28 checks: True to leave a match alone, False to redact it, None for the older checks.

    Phone candidates must be possible numbers in Google's numbering plans (``phonenumbers``); a brand
    or a character written with a title ("Mr Sheen", "Dr Martens") is not a person; a word in lower
    case after a title must not be a council word ("Dr appointment")."""
    groups = m.groupdict()
    if kind in ("NAME", "ADDRESS", "VEHICLE", "PHONE") and _not_a_person(kind, m, text):
        return True
    if kind == "EMAIL" and "@" in m.group(0) and _team_mailbox(m.group(0)):
        return True  # a team's shared mailbox: "complaints@examplecouncil.gov.uk"
    if kind == "POSTCODE" and ("outward" in groups or "outward2" in groups or "outward3" in groups):
        from cxinsight import gate

        code = m.group(0)[len(groups.get("lead_pcs") or groups.get("lead_pcl") or ""):].strip()
        return re.match(r"[A-Z]{1,2}", code).group(0).lower() not in gate.postcode_areas()
    if kind == "CARD" and "luhn16" in groups:
        return not _luhn_ok(re.sub(r"\D", "", m.group(0)))
    if kind == "PHONE" and "pn" in groups:
        import phonenumbers

        raw = m.group(0)
        digits = re.sub(r"\D", "", raw)
        try:
            number = phonenumbers.parse(("+" + digits) if digits.startswith("44") and not raw.startswith(("+", "00"))
                                        else raw, "GB")
        except phonenumbers.NumberParseException:
            return True
        if number.country_code == 44:
            national = str(number.national_number)
            return not (national[:1] in "127" and len(national) in (9, 10))
        return not (raw.startswith(("+", "00")) and len(digits) >= 10 and phonenumbers.is_possible_number(number))
    if kind == "NAME" and groups.get("bare_by") and not re.search(
            r"\d|_|[A-Za-z]{3,}\.[A-Za-z]{2,}|^[A-Za-z]\.[A-Za-z]{3,}", m.group(0)[len(groups.get("lead_sl2") or ""):]) \
            and not _initial_and_surname(m.group(0)[len(groups.get("lead_sl2") or ""):]):
        # after a bare "by": a login only with a digit, an underscore or a dot between names ("by ljones7"), or
        # an initial run into a known surname in lower case ("updated by kevans", not "by phone")
        return True
    if kind == "NAME" and "initial_surname" in groups:
        login = m.group(0)[len(groups.get("lead_isn") or ""):].rstrip("0123456789")
        return not _initial_and_surname(login.lower() if login.isupper() else login)
    if kind == "NAME" and _PSEUDONYM_AFTER.search(m.group(0)):
        return True  # a keyed pseudonym (cxinsight.pseudonym): "Agent=S-c623aff9dfabeeb1" is already safe
    if kind == "NAME" and ("domain_login" in groups or "mention" in groups or "staff_kv" in groups):
        return False  # "COUNCIL\\hsingh", "@kasia.nowak", "user=ronan.byrne": a login by its shape alone
    if kind == "NAME":
        lead = next((v for k, v in groups.items() if v and k.startswith("lead_")), "")
        ordinary = _ordinary_text_name(groups, m, text, lead)
        if ordinary is not None:
            return ordinary
        body = m.group(0)[len(lead):].strip().lower()
        if body and _slip_of_a_note_word(body.split()[0].strip("(),:;.")):
            return True
        full = m.group(0).strip().lower()
        before = text[max(0, m.start() - 12):m.start()].lower()
        tail = text[m.end():m.end() + 4].lower()
        if (_NOT_PEOPLE_STARTS.match(full) or _NOT_PEOPLE_STARTS.match(body) or _NOT_PEOPLE_ENDS.search(before + full)
                or _NOT_PEOPLE_STARTS.match(full + tail)):
            return True
        if body in _NOT_PEOPLE_BY_REST and before.rstrip().endswith(_NOT_PEOPLE_BY_REST[body]):
            return True
        after = text[m.end():m.end() + 12]
        if re.match(r"['’]?s?[ \t]+(?:Day|Field|Park|Boys|Hospital|School|UK|Ltd|Bank)\b", after):
            return True
        if groups.get("lower_title") is not None:
            from cxinsight import gate

            last = body.split()[-1].strip("'’")
            if last in _NOT_LONE or (gate.is_everyday_word(last) and not gate._known(last)):
                return True  # "MONTE VISTA DR and", "MS running"
        if groups.get("lower_pair") is not None or groups.get("lower_pair2") is not None:
            from cxinsight import gate

            words = body.split()
            return not (len(words) == 2 and words[0] not in _NOT_LONE and words[1] not in _NOT_LONE and
                        gate._known(words[0]) in ("first", "both") and bool(gate._known(words[1])))
        if groups.get("role_name") is not None or groups.get("role_lower") is not None:
            words = body.split()
            if not words or words[0].strip("(:,") in _NOT_LONE or words[0] in ("the", "a", "his", "her", "their"):
                return True
            if groups.get("role_lower") is not None and body in ("says", "said", "who", "is", "was", "has"):
                return True
            if len(words) == 1 and words[0].endswith("ing") and words[0] not in _gate_names():
                return True  # "neighbor Storing inoperable vehicles"
            after_role = m.group(0)[len(lead):].strip()
            if groups.get("role_lower") is not None:
                from cxinsight import gate

                # one word before what a person did is a name when it is a known one: "neighbour kev
                # says"; not "officer never called", "Caller: enquiry re", "cust - refund has"
                word = after_role.lower()
                return not gate._known(word) or gate.is_everyday_word(word) or word in _NOT_LONE
            return not _names_someone(after_role, text)
    return None


#: What follows a dotted word in code, never a login: a call, an index, an operator, a format spec.
_CODE_AFTER = re.compile(r"[ \t]*(?:[(\[}\]=<>+*/%]|:(?=\S)|!=|is[ \t]+(?:not|None)\b|(?:in|not[ \t]+in|if|else)[ \t]+[\w(\[{\"'])")
_CODE_BEFORE = re.compile(r"(?:[{(\[=<>+*/%]|==|!=)[ \t]*$")


def _ordinary_text_name(groups: dict, m: re.Match, text: str, lead: str) -> bool | None:
    """The checks that keep a report's own words and code from reading as names (True: leave alone;
    None: no opinion).

    * An initial before an everyday word is a section's letter: "A. How far to trust", "B. Is it
      changing?", "C. What decided", "A. Exploring" (a question word, a word of two letters, an
      unknown word ending in -ing); "J. Pritchard" is a person.
    * A dotted word in code is not a login: "c.replace(", "h.estimate == h.low", "{r.stage}",
      "a.council for a in", "s.high)" (an everyday word after the dot: :func:`cxinsight.gate.is_everyday_word`);
      "j.smith" is a login whatever follows.
    * After "from", "to" or "by" a login must name someone: "from cxinsight.analysis", "from
      council.yaml", "to SOCITM" (an organisation in capitals) are not; "by priya.sharma" and
      "agent: SBANERJEE2" are (a known name, or digits after the capitals).
    * One word opening a note before "chasing" is a failure type ("Progress chasing") unless it is a
      known name.
    """
    if groups.get("initial") is not None:
        word = text[m.end("initial"):m.end()]
        low = word.lower()
        if (len(word) <= 2 or low in _NOT_LONE or (low.endswith("ing") and low not in _gate_names())) \
                and low not in _gate_names():
            return True
    if groups.get("name_login") is not None:
        from cxinsight import gate

        left, right = re.split(r"[._]", m.group(0).rstrip("0123456789"), maxsplit=1)
        return not (gate._known(left) in ("first", "both") and gate._known(right) in ("last", "both")
                    and not gate.is_everyday_word(left) and not gate.is_everyday_word(right))
    if groups.get("staff_login") is not None or groups.get("staff_login2") is not None:
        login = m.group(0)[len(lead):].strip()
        if groups.get("staff_login2") is not None and not _login_shaped(groups["from_login"], strict=True):
            return True  # "from the office to ..." is not a hand-over between logins
        return not _login_shaped(login, strict=not (lead.strip().lower().rstrip(":=#- \t").endswith(
            ("user", "id", "name", "login", "log-in", "handler", "owner", "csa", "csr", "agent", "operator", "adviser",
             "advisor")) or "_" in lead or "=" in lead))
    if groups.get("login") is not None or groups.get("cued_login") is not None:
        from cxinsight import gate

        login = m.group(0)[len(lead):].strip()
        left, _, right = login.partition(".")
        if right.lower() in _FILE_EXTENSIONS:
            return True  # "x.csv", "a.xlsx": a file, not j.smith
        known = bool(gate._known(right)) or (bool(right) and gate._known(left) in ("first", "both"))
        if known:
            return None
        if right:
            code = _CODE_AFTER.match(text, m.end()) or _CODE_BEFORE.search(text, 0, m.start())
            if code or gate.is_everyday_word(right) or right in _NOT_LONE or groups.get("cued_login") is not None:
                return True
            return None
        caps = login.rstrip("0123456789")
        if caps == login and (gate.is_everyday_word(caps) or caps.lower() in _NOT_LONE):
            return True
        return not (caps != login or gate._known(caps) or gate._known(caps[1:]))
    if groups.get("lone") is not None and re.match(r"[ \t]+chasing\b", text[m.end():], re.IGNORECASE):
        return m.group(0).strip().lower() not in _gate_names() or None
    return None


def _initial_and_surname(word: str) -> bool:
    """A login made of an initial run into a surname the gazetteers know, in lower case, as councils'
    systems write them: "kevans", "gwatson", "tbrown"; not an English word that reads that way
    ("trust", "plane": :func:`cxinsight.gate.initial_surname_words`), an everyday word or a name.

    >>> [_initial_and_surname(w) for w in ("kevans", "gwatson", "tbrown", "phone", "trust", "sharon", "KEVANS")]
    [True, True, True, False, False, False, False]
    """
    from cxinsight import gate

    return (bool(re.fullmatch(r"[a-z]{5,14}", word)) and word not in gate.initial_surname_words()
            and not gate.is_everyday_word(word) and word[1:] in gate.all_surnames() and not gate._known(word))


def _login_shaped(login: str, strict: bool) -> bool:
    """Whether ``login``, found after what a system writes before a member of staff, reads as a
    person's login: letters and digits ("dthomas01", "CSA0412"), an underscore or a dot between names
    ("ANWAR_H", "s.ni.mhurchu"), an initial run into a known surname ("tbrennan", "mwright") or a known
    surname and an initial in capitals ("EVANSR", "MCCARTHYJ"). Not ``strict`` (after "user:", "owner",
    "handler"...): also a known name alone ("Handler: Sharon"). Never an everyday word ("closed by
    phone", "assigned to revenues"), a file ("x.csv") or a time or date ("by 5pm", "by 14th").

    >>> [_login_shaped(w, True) for w in ("hpatel2", "tbrennan", "EVANSR", "ANWAR_H", "phone", "5pm", "revenues")]
    [True, True, True, True, False, False, False]
    >>> _login_shaped("Sharon", strict=False), _login_shaped("Sharon", strict=True)
    (True, False)
    """
    from cxinsight import gate

    low = login.lower()
    if len(low) < 3 or gate.is_everyday_word(low) or low in _NOT_LONE or low.rsplit(".", 1)[-1] in _FILE_EXTENSIONS:
        return False
    if re.fullmatch(r"\d+(?:st|nd|rd|th|am|pm|hrs?|mins?|days?|wks?|weeks?)?", low):
        return False
    letters = re.sub(r"[^a-z]", "", low)
    if re.search(r"\d", low):
        return len(letters) >= 2 and not re.fullmatch(r"[a-z]{0,2}\d+[a-z]{0,2}", low) or bool(re.fullmatch(r"[a-z]{1,4}\d{3,}", low))
    parts = [p for p in re.split(r"[._-]", low) if p]
    if "-" in low and not re.search(r"[._]", low):  # "AGY-jwalsh", not "e-mail" or "follow-up"
        return any(len(p) >= 3 and (gate._known(p) or (len(p) >= 5 and gate._known(p[1:]) in ("last", "both")))
                   for p in parts) and not gate.is_everyday_word(low.replace("-", ""))
    if len(parts) > 1:
        return any(gate._known(p) or len(p) == 1 or (len(p) >= 5 and gate._known(p[1:]) in ("last", "both")) for p in parts) \
            and not all(gate.is_everyday_word(p) for p in parts)
    if len(low) >= 5 and (gate._known(low[1:]) in ("last", "both") or
                          (login.isupper() and gate._known(low[:-1]) in ("last", "both"))):
        # not a word or a name that reads that way: "TO BRADFORD" (b + Radford), "trust" (t + Rust)
        return not gate._known(low) and low not in gate.initial_surname_words()
    if strict:
        return False
    return bool(gate._known(low)) and not low.endswith(("ing", "ed"))


#: Words call handlers and residents write where a name could stand, misspelt often: "Hlelo I think",
#: "Mr caalled rang", "Mr claled". Five letters or more, so a name one slip from a short word stays a name.
_NOTE_WORDS = frozenset("""hello called caller customer phoned emailed complained resident tenant thanks
regards cheers please wanted asked spoke stated rings reported advised explained""".split())


def _one_slip(word: str, target: str) -> bool:
    """``word`` is ``target`` with two neighbouring letters swapped, or one letter more or fewer
    (not one letter changed: "Rana" is not a slip of "rang").

    >>> [_one_slip(w, t) for w, t in (("hlelo", "hello"), ("caalled", "called"), ("claled", "called"),
    ...                                ("helen", "hello"), ("rana", "rang"))]
    [True, True, True, False, False]
    """
    if word == target:
        return False
    if len(word) == len(target):
        diffs = [i for i, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
        return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and word[diffs[0]] == target[diffs[1]] \
            and word[diffs[1]] == target[diffs[0]]
    longer, shorter = (word, target) if len(word) > len(target) else (target, word)
    if len(longer) - len(shorter) != 1:
        return False
    i = next((i for i, (a, b) in enumerate(zip(longer, shorter, strict=False)) if a != b), len(shorter))
    return longer[:i] + longer[i + 1:] == shorter


def _slip_of_a_note_word(word: str) -> bool:
    """A misspelling of one of the words notes are written with (``_NOTE_WORDS``)."""
    w = word.lower()
    return len(w) >= 5 and w not in _NOTE_WORDS and any(_one_slip(w, t) for t in _NOTE_WORDS
                                                       if abs(len(t) - len(w)) <= 1)


_TITLE_FIRST = re.compile(rf"(?i:{_TITLES})\.?[ \t]")


def _names_someone(words_after_role: str, text: str) -> bool:
    """Whether the words after a role word ("caller", "housing officer", "cust") name a person.

    Call handlers write role words before what happened far more often than before a name:
    "housing officer never called back", "Caller: enquiry re bins", "RESIDENT REPORTS A STREET
    LIGHT OUT", "CUST TO CALL COUNCIL". So a word after a role is a name when it is written like
    one (a capital, then small letters, in a note not written in capitals) and is not an everyday
    word, or when it is a known forename or surname (the gazetteers in :mod:`cxinsight.gate`) in
    any case and not an everyday word; a title after the role ("tenant Mrs o'neill") always is.
    Two known names in a row ("CALLER BILL SMITH") are a name even when the first is also a word.

    >>> _names_someone("never called back", "housing officer never called back")
    False
    >>> _names_someone("Mohammed Smith", "caller Mohammed Smith")
    True
    >>> _names_someone("kwame mensah says", "neighbour kwame mensah says")
    True
    >>> _names_someone("REPORTS A STREET LIGHT", "RESIDENT REPORTS A STREET LIGHT OUT")
    False
    """
    from cxinsight import gate

    if _TITLE_FIRST.match(words_after_role + " "):
        return True
    raw = [w.strip("(),:;.") for w in words_after_role.split()]
    raw = [w for w in raw if w]
    if not raw:
        return False
    first = raw[0]
    if len(first) <= 2 and first.isupper():
        return False  # "HO says", "CT", "SW": abbreviations
    head = first.split("-")[0]
    everyday = gate.is_everyday_word(head) or head.lower() in _NOT_LONE
    known = bool(gate._known(first))
    letters = [c for c in text if c.isalpha()]
    in_capitals = bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)
    if len(raw) > 1 and known and gate._known(raw[1]) in ("last", "both") and not gate.is_everyday_word(raw[1]):
        return True
    if first[:1].isupper() and not first.isupper() and not in_capitals:
        return known or not everyday
    return known and not everyday


_FILE_EXTENSIONS = frozenset("csv tsv txt xls xlsx xlsm xml json pdf doc docx html htm parquet zip png jpg jpeg "
                             "gif eml msg odt ods yaml yml log".split())


def _gate_names() -> frozenset[str]:
    from cxinsight import gate

    return gate.forenames() | gate.surnames()


_GLUED_TOKEN = None


def _whole_tokens(text: str) -> str:
    """No partial redactions: a token glued to the rest of a word or number takes it in (``[NAME]ński``
    becomes ``[NAME]``, ``[PHONE]013`` becomes ``[PHONE]``)."""
    global _GLUED_TOKEN
    if "[" not in text:
        return text
    if _GLUED_TOKEN is None:
        _GLUED_TOKEN = re.compile(r"[^\W_]*(\[(?:" + "|".join(KINDS) + r")\])(?:[^\W_]+|[ \t]\d{1,4}(?![\w/]))*")
    text = _GLUED_TOKEN.sub(lambda m: m.group(1), text)
    if "[NAME]" in text:
        text = _NAME_HALVES.sub(_join_name_half, text)
    return text


#: A word just before or after [NAME] that may be the rest of the same name: "David [NAME]" (from
#: "David E. Gray"), "[NAME] BARCIA" (from "KARLA BARCIA", the forename read as a login).
_NAME_HALVES = re.compile(r"(?<![\w'’])([A-Za-zÀ-ÖØ-öø-ÿĀ-žḀ-ỿ][\w'’-]*)[ \t]+\[NAME\]|\[NAME\][ \t]+([A-Za-zÀ-ÖØ-öø-ÿĀ-žḀ-ỿ][\w'’-]*)(?![\w'’])")


def _join_name_half(m: re.Match) -> str:
    """``[NAME]`` for a known forename before it or a known surname after it, written like a name
    (a capital first) and not an everyday word; else the text as it was."""
    from cxinsight import gate

    word, before = (m.group(1), True) if m.group(1) is not None else (m.group(2), False)
    if not word[:1].isupper() or gate.is_everyday_word(word) or word.lower() in _NOT_LONE or len(word) < 3:
        return m.group(0)
    known = gate._known(word)
    if known == "both" or known == ("first" if before else "last"):
        return "[NAME]"
    return m.group(0)


#: Every rule compiled, in the order it runs.
RULES: list[tuple[str, re.Pattern, str | tuple[str, ...]]] = [
    (kind, re.compile(pattern), needs)
    for kind, pattern, needs in LABELLED_RULES + ISSUE28_NUMBER_RULES + RULES_SPEC + ISSUE28_LATE_RULES + ADDRESS_SHAPES + NAME_RULES + ISSUE28_NAME_RULES]

#: Every kind of personal data, in the order the rules first name it.
KINDS: tuple[str, ...] = tuple(dict.fromkeys(kind for kind, _, _ in RULES))
_HAS_DIGIT = re.compile(r"\d")
_TOKEN = re.compile(r"\[(?:" + "|".join(KINDS) + r")\]")
#: What a token is read as when a redacted text is checked again: a mark no rule reads as a word, a
#: space or part of a number, so the check sees the text as the redactor left it. A blank in its
#: place joined what the token had separated ("per [NAME] Act" was read as "per Act", a lone name).
_TOKEN_STANDS_IN = " § "
_NHS_CUE = re.compile(r"(?i)nhs|health\s*(?:service)?\s*(?:no|number)")
#: Invisible characters people (and copy-paste) put inside numbers.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None) | {
    0x00A0: " ", 0x2007: " ", 0x202F: " ", 0x2009: " ", 0x2010: "-", 0x2011: "-", 0x2012: "-",
    0x2013: "-", 0x2212: "-"}


def normalise(text: str) -> str:
    """Text as the patterns read it: invisible characters removed, odd spaces and dashes made plain,
    full-width digits and letters folded (NFKC).

    >>> normalise("07700\u200b900\u200b123")
    '07700900123'
    """
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text.translate(_INVISIBLE))


def nhs_check_digit_ok(digits: str) -> bool:
    """The NHS number modulus-11 check (``python-stdnum``'s ``stdnum.gb.nhs``).

    >>> nhs_check_digit_ok("9434765919"), nhs_check_digit_ok("1234567890")
    (True, False)
    """
    from stdnum.gb import nhs

    return len(digits) == 10 and digits.isdigit() and nhs.is_valid(digits)


#: Lower-case words that are never a lone name: NOT_LONE_NAMES, the council words of NOT_NAMES, street
#: types, buildings and organisations' words.
_NOT_LONE = frozenset(
    [w.lower() for w in NOT_LONE_NAMES] + [w.lower().rstrip("?") for w in NOT_NAMES if " " not in w]
    + [w.lower()[:-2] for w in NOT_NAMES if w.endswith("s?")]  # "Benefits?": benefit and benefits
    + list(STREET_TYPES_STRONG + STREET_TYPES_WEAK) + [b.lower() for b in BUILDINGS] + list(_ORGANISATION_WORDS))
_VOWEL = re.compile(r"(?i)[aeiouyà-æè-ïò-öù-ü]")


def _lone_name_word(word: str) -> bool:
    """Could ``word``, standing alone, be a person's name: three letters or more with a vowel ("Cx",
    "Cstmr" are not), not a short abbreviation in capitals, none of the words in ``_NOT_LONE``.

    >>> [_lone_name_word(w) for w in ("Nkechi", "Hughes's", "Resident", "Cstmr", "HB", "Monday's")]
    [True, True, False, False, False, False]
    """
    word = re.sub(r"['’]s$", "", word)
    return (len(word) >= 3 and bool(_VOWEL.search(word)) and not (word.isupper() and len(word) <= 3)
            and word.lower() not in _NOT_LONE)


def _keep(kind: str, m: re.Match, text: str) -> bool:
    """True when a match of ``kind`` is not personal data after all (checked in code, not regex).

    A word in capitals after a cue ("CALLER: WANTS TO BOOK", "thanks\nNFA") is taken as a name only
    if it is a known forename or surname (the gazetteers in :mod:`cxinsight.gate`): capitals no
    longer mark a name. After a title (MRS JANE SMITH) it always is.
    """
    decided = _keep_issue28(kind, m, text)
    if decided is not None:
        return decided
    groups = m.groupdict()
    lead = (groups.get("lead_n") or groups.get("lead_s") or groups.get("lead_o") or groups.get("lead_p") or ""
            if kind == "NAME" else None)
    if kind == "NAME":
        body = m.group(0)[len(lead):]
        if groups.get("lone") is not None and not _lone_name_word(body.strip()):
            return True
        needs_forename = groups.get("forename_first") is not None
        needs_known = groups.get("known_name") is not None or (
            groups.get("lone") is not None and body.lower().endswith("ing"))  # "neighbor Storing"
        in_capitals = body.isupper() and not re.match(rf"[ \t]*(?i:{_TITLES})\b", body)
        if needs_forename or needs_known or in_capitals:
            from cxinsight import gate

            words = [w.lower().strip("'’") for w in re.findall(r"[^\W\d_][^\s]*", body)]
            known_forename = bool(words) and words[0] in gate.forenames()
            if needs_forename:
                return not known_forename
            if needs_known:
                return not (known_forename or words[0] in gate.surnames())
            return not (known_forename or any(w in gate.surnames() for w in words))
    if kind == "NHS_NUMBER":
        if groups.get("lead_nhs"):
            return False  # after its label: someone's, whatever its check digit says
        digits = re.sub(r"\D", "", m.group(0))
        return not (nhs_check_digit_ok(digits) or _NHS_CUE.search(text, max(0, m.start() - 25), m.start()))
    return False


_RULE_NEEDS = [needs if isinstance(needs, tuple) and needs[:1] == ("digits",) else frozenset(needs)
               for _, _, needs in RULES]
_ALL_NEEDS = tuple(sorted({n for needs in _RULE_NEEDS if isinstance(needs, frozenset) for n in needs}))
_NOT_DIGIT = re.compile(r"\D+")


#: Spaces and tabs, which the rules below read as one space.
_BLANKS = re.compile(r"[ \t]+")
#: A space or tab before a capital: every rule whose name follows ``[ \t]+`` needs one.
_SPACE_THEN_CAPITAL = re.compile(r"[ \t][A-ZÀ-ÖØ-Þ]")


def _cue_then_capital(cues, between: str):
    """A quick check: ``text`` holds one of ``cues`` (any case; a space in one stands for spaces and
    tabs), not glued to a letter on its left, then ``between``, spaces or tabs and a capital, as
    the rule that opens ``(?<![A-Za-z])(?i:cue|...)between[ \t]+`` before a name needs. Only for
    text in ASCII, where ignoring case is lower-casing; any other text is left to the rule."""
    automaton = ahocorasick.Automaton()
    for cue in cues:
        automaton.add_word(cue.lower(), cue.lower())
    automaton.make_automaton()
    after = re.compile(between + " [A-Z]")

    def check(text: str) -> bool:
        if not text.isascii():
            return True
        flat = _BLANKS.sub(" ", text)
        low = flat.lower()
        for end, cue in automaton.iter(low):
            start = end - len(cue) + 1
            if (start == 0 or not low[start - 1].isalpha()) and after.match(flat, end + 1):
                return True
        return False

    return check


_STREET_TYPES = ahocorasick.Automaton()
for _type in STREET_TYPES_STRONG + STREET_TYPES_WEAK:
    _STREET_TYPES.add_word(_type, _type)
_STREET_TYPES.make_automaton()


def _street_type_word(text: str) -> bool:
    """A quick check for ADDRESS_NUMBER, which ends every address on a street type after a space or
    tab and before no letter or digit: ``text`` (in ASCII; any other is left to the rule) holds one."""
    if not text.isascii():
        return True
    low = text.lower()
    for end, word in _STREET_TYPES.iter(low):
        start = end - len(word) + 1
        if start and low[start - 1] in " \t" and (end + 1 == len(low) or not low[end + 1].isalnum()):
            return True
    return False


_STARTS_WITH_CAPITAL = re.compile(r"[ \t]*[A-ZÀ-ÖØ-Þ]").match
#: Quick checks a text must pass before a rule runs on it, each true of every text the rule matches
#: (tested: tests/test_privacy.py), so they change no answer, only the time: the rules that run on
#: most texts and match few (issue 31). A rule not listed runs whenever its needs allow.
_QUICK = {
    ADDRESS_NUMBER: _street_type_word,
    _NAME_AFTER_TITLE: _cue_then_capital(_TITLE_NAMES, r"\.?"),
    _NAME_AFTER_LEAD: _SPACE_THEN_CAPITAL.search,
    _NAME_AFTER_A_CUE: _cue_then_capital(_BEFORE_A_PERSON, "[,:]?"),
}


def _quick_check(pattern: str):
    """The quick check for a rule's pattern, or None."""
    if pattern in _QUICK:
        return _QUICK[pattern]
    # a name opening a note: the first thing after spaces is a capital
    if pattern.startswith((rf"^[ \t]*{_FULL_NAME}", rf"^[ \t]*(?P<forename_first>){_FULL_NAME}",
                           rf"^[ \t]*{_LONE_NAME}")):
        return _STARTS_WITH_CAPITAL
    return None


def _twin(rx: re.Pattern):
    """The rule's pattern compiled by PCRE2 with its just-in-time compiler (``pcre2``, BSD licence):
    several times faster than Python's ``re`` at finding that a rule does not match, which is what most
    rules find in most texts. It only decides whether a rule is tried, and only on printable ASCII
    (:func:`_may_match`); every match that is redacted, kept or counted is Python's own. None where
    PCRE2 is not installed or does not take the pattern: the rule is then always tried, as before."""
    if _pcre2 is None or rx.flags & ~(re.UNICODE | re.IGNORECASE):  # (the rules' flags are inline, (?i))
        return None
    try:
        return _pcre2.compile(rx.pattern)
    except Exception:  # (a pattern PCRE2 reads differently is left to Python)
        return None


#: What a rule's PCRE2 twin may read (:func:`_twin_may_decide`): printable ASCII, tabs and line ends, and
#: the signs council text and pages hold that are no letter, digit or space to either engine and have no
#: case (pound, euro, dashes, curly quotes, middle dot, bullet, degree, plus-minus, times, divide).
#: Not the separators \x1c-\x1f (Python's ``\s`` takes them, PCRE2's does not), other control
#: characters, or any letter beyond ASCII.
_NOT_FOR_TWINS = re.compile(r"[^\t\n\r\x0b\x0c\x20-\x7e£€·–—‘’“”•°±×÷]")


def _twin_may_decide(text: str) -> bool:
    """True where a rule's PCRE2 twin may decide that the rule need not run (:data:`_NOT_FOR_TWINS`).
    Beyond it the two engines differ: Python's ``re`` takes the dotted capital I for an i when case is
    ignored, PCRE2 does not; Python's ``\\s`` takes the separator \\x1c, PCRE2's does not.

    >>> _twin_may_decide("£50 – rang the OFFICER"), _twin_may_decide("rang the OFFİCER"), _twin_may_decide("jo\x1cdot")
    (True, False, False)
    """
    return _NOT_FOR_TWINS.search(text) is None


def _may_match(twin, text: str, twin_decides: bool) -> bool:
    """False only when the twin may decide (``twin_decides``: :func:`_twin_may_decide` of the text, which
    redaction keeps true) and the rule's PCRE2 twin finds no match anywhere in ``text``: the rule need
    not run. Any error (a match limit, say) answers True, so Python's ``re`` decides."""
    if twin is None or not twin_decides:
        return True
    try:
        return twin.search(text) is not None
    except Exception:
        return True


_PLAN = [(kind, rx, isinstance(needs, tuple), needs[1] if isinstance(needs, tuple) else needs,
          _quick_check(rx.pattern), _twin(rx))
         for (kind, rx, _), needs in zip(RULES, _RULE_NEEDS, strict=True)]
#: Every cue word of every rule in one Aho-Corasick automaton (in C): one pass over a text finds
#: each cue word it holds, overlapping ones too, exactly as a substring test of each would.
_NEEDS = ahocorasick.Automaton()
for _need in _ALL_NEEDS:
    _NEEDS.add_word(_need, _need)
_NEEDS.make_automaton()
#: The rules whose cue is a redacted address ("Bryn Awel, [ADDRESS]", "Room 5, [ADDRESS]", "[ADDRESS], Swindon").
_AFTER_AN_ADDRESS = [(kind, rx, quick, twin) for kind, rx, by_digits, need, quick, twin in _PLAN
                     if not by_digits and need == frozenset({"[address]"})]
#: More digits than the most any rule needs answer every rule's digit test the same way.
_MOST_DIGITS = max(need for _, _, by_digits, need, _, _ in _PLAN if by_digits)
#: The digit counts the number rules ask for, in order: a text's count matters only by how many it reaches.
_DIGIT_STEPS = sorted({need for _, _, by_digits, need, _, _ in _PLAN if by_digits})
#: Rule positions in :data:`_PLAN` by what lets them run: no cue (always), each cue word, each digit step.
_ALWAYS = frozenset(i for i, (_, _, by_digits, need, _, _) in enumerate(_PLAN) if not by_digits and not need)
_BY_CUE: dict[str, frozenset[int]] = {
    word: frozenset(i for i, (_, _, by_digits, need, _, _) in enumerate(_PLAN) if not by_digits and word in need)
    for word in _ALL_NEEDS}
_BY_STEP = [frozenset(i for i, (_, _, by_digits, need, _, _) in enumerate(_PLAN) if by_digits and need <= step)
            for step in [0, *_DIGIT_STEPS]]
#: The rules for each (digit steps reached, cue words present): few combinations occur, so each list is
#: made once.
_PLANS: dict[tuple[int, frozenset[str]], list[tuple[str, re.Pattern, object, object]]] = {}


def _applicable(text: str) -> list[tuple[str, re.Pattern, object, object]]:
    """The rules that could match ``text``: enough digits for a number rule, a cue word for the rest;
    each with its quick check (:data:`_QUICK`, or None), to make on the text as the rule sees it, and
    its PCRE2 twin (:func:`_twin`, or None), in the rules' order."""
    present = frozenset(need for _, need in _NEEDS.iter(text.lower()))
    digits = min(len(_NOT_DIGIT.sub("", text)), _MOST_DIGITS) if _HAS_DIGIT.search(text) else 0
    step = bisect.bisect_right(_DIGIT_STEPS, digits)  # digit steps reached: the number rules it lets run
    plan = _PLANS.get((step, present))
    if plan is None:
        chosen = set(_ALWAYS) | _BY_STEP[step]
        for word in present:
            chosen |= _BY_CUE[word]
        plan = [_PLAN[i][:2] + _PLAN[i][4:] for i in sorted(chosen)]
        if len(_PLANS) < 50_000:
            _PLANS[(step, present)] = plan
    return plan


def _redact_one(text: str) -> tuple[str, dict[str, int]]:
    counts: dict[str, int] = {}
    text = normalise(text)

    def repl(m: re.Match, kind: str) -> str:
        if _keep(kind, m, m.string):
            return m.group(0)
        counts[kind] = counts.get(kind, 0) + 1
        lead = next((v for k, v in m.groupdict().items() if v and k.startswith("lead_")), "")
        return f"{lead}[{kind}]"

    plan = _applicable(text)
    twin_decides = _twin_may_decide(text)  # (redaction only replaces with tokens: it stays so)
    for kind, rx, quick, twin in plan:
        if (quick is None or quick(text)) and _may_match(twin, text, twin_decides):
            text = rx.sub(lambda m, k=kind: repl(m, k), text)
    if "[ADDRESS]" in text and not any(rule in plan for rule in _AFTER_AN_ADDRESS):
        # the rules that read an address the rules above redacted (its flat before it, its town after
        # it): their cue is the token itself, which the text did not hold when the plan was made
        for kind, rx, _, twin in _AFTER_AN_ADDRESS:
            if _may_match(twin, text, twin_decides):
                text = rx.sub(lambda m, k=kind: repl(m, k), text)
    text = _known_name_pairs(text, counts)
    text = _known_lone_names(text, counts)
    text = _names_in_records(text, counts)
    return _whole_tokens(text), counts


_PAIR_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿĀ-žḀ-ỿ][A-Za-zÀ-ÖØ-öø-ÿĀ-žḀ-ỿ'’-]+")
_KNOWN_WORD: dict[str, str] = {}
#: A street's type after a name: the street is named after the person, not the person ("Henry Adams St").
_STREET_AFTER = re.compile(r"[ \t]+(?:" + "|".join(sorted({*STREET_TYPES_STRONG, *STREET_TYPES_WEAK, "st", "ave", "av",
                                                              "blvd", "boulevard", "parkway", "expressway", "highway", "pkwy", "dr", "rd", "ln", "on ramp", "ramp",
                                                              "school", "park", "house", "hall", "centre", "center",
                                                              "hospital", "library", "court", "building", "bridge",
                                                              *_PLACE_AFTER_A_NAME},
                                                             key=len, reverse=True)) + r")\b")


def _known_word(word: str) -> str:
    """:func:`cxinsight.gate._known`, remembered per word (a few thousand distinct words a council)."""
    known = _KNOWN_WORD.get(word)
    if known is None:
        from cxinsight import gate

        known = "" if gate.is_everyday_word(word) or word.lower() in _NOT_LONE else gate._known(word)
        if len(_KNOWN_WORD) < 200_000:
            _KNOWN_WORD[word] = known
    return known


def _known_name_pairs(text: str, counts: dict[str, int]) -> str:
    """A known forename and a known surname side by side, written alike (both in lower case, both in
    capitals or both with a capital first), with no cue at all: "tomasz wiśniewski rang", "spoke to
    the tenant, Siân Gruffydd". The gazetteers (:mod:`cxinsight.gate`) leave out every name that is
    also an everyday word, so "Grace Lane", "Victoria Road" and "Mark Green" are not read as people.

    >>> _known_name_pairs("then tomasz wiśniewski rang about the bins", {})
    'then [NAME] rang about the bins'
    >>> _known_name_pairs("pothole on Victoria Road by Grace Lane", {})
    'pothole on Victoria Road by Grace Lane'
    """
    words = list(_PAIR_WORD.finditer(text))
    spans: list[tuple[int, int]] = []
    for a, b in zip(words, words[1:], strict=False):
        if text[a.end():b.start()] != " ":
            continue
        first, second = a.group(), b.group()
        if (first.islower(), first.isupper()) != (second.islower(), second.isupper()):
            continue
        if _known_word(first) not in ("first", "both") or _known_word(second) not in ("last", "both"):
            continue  # (looked up first: remembered per word, and most pairs of words are not names)
        after = text[b.end():b.end() + 14].lower()
        before = text[max(0, a.start() - 7):a.start()].lower()
        if _STREET_AFTER.match(after) or before.rstrip().endswith(("san", "santa", "st", "st.", "saint", "fort")) \
                or f"{first} {second}".lower() in NOT_PEOPLE_TOO:
            continue  # "Cesar Chavez St", "Marcus Garvey Boulevard", "San Francisco", "John Lewis"
        if spans and spans[-1][1] >= a.start():
            spans[-1] = (spans[-1][0], b.end())
        else:
            spans.append((a.start(), b.end()))
    for start, end in reversed(spans):
        text = text[:start] + "[NAME]" + text[end:]
    if spans:
        counts["NAME"] = counts.get("NAME", 0) + len(spans)
    return text



#: Words after a forename that make it part of a place, an organisation or a thing named after a person,
#: not a person: "Victoria Park", "St John Ambulance", "Alexandra Palace", "Sally Army", "Florence
#: Nightingale House". General knowledge of how places and bodies are named, not taken from any test set.
_NAMED_AFTER = frozenset({*STREET_TYPES_STRONG, *STREET_TYPES_WEAK, *(b.lower() for b in BUILDINGS), *_ORGANISATION_WORDS,
                          *_PLACE_AFTER_A_NAME,
                          *"""academy act airport ambulance appeal arena arms army award bakery bank bar barbers baths borough
bridge building bus cafe café cathedral cc cemetery center centre chapel charity city clinic club co
college common company county crematorium day depot district division dock docks estate fc field
fields finance forest foundation fund gallery garden gardens ground grounds gurdwara hall halls
harbour heath high home homes hospice hotel hub inc infants inn institute insurance juniors lake
lecture leisure lettings library line llc ltd mall market medical memorial moor mosque motors museum
nursery palace parish park pier plan playing pool port practice primary prize properties rec
recreation report restaurant retail review rfc river rule salon scheme secondary services servicing
shopping showers solicitors stadium synagogue takeaway tavern temple theatre town trust tunnel uni
unit university village ward week wimpey wing woods""".split()})
#: Words before a forename that make it a place or a body: "St John", "King George", "Lady Margaret".
_PLACE_LEADS = frozenset({"st", "st.", "saint", "san", "santa", "king", "queen", "prince", "princess", "duke", "duchess",
                          "lady", "lord", "sir", "fort", "port", "mount", "lake", "cape", "aunt", "uncle"})
_CAPITALISED = re.compile(r"[A-ZÀ-ÖØ-ÞĀ-Ž][a-zà-öø-ÿā-žḁ-ỿ]+")
_LONE_WORD = re.compile(r"(?<![\w'’\[-])([A-ZÀ-ÖØ-ÞĀ-Ž][a-zà-öø-ÿā-žḁ-ỿ]+(?:['’-][A-Za-zÀ-ÖØ-öø-ÿĀ-žḀ-ỿ]+)*)(?![\w\]-])")
_NEXT_WORDS = re.compile(r"[ \t]+(?:(?:van|von|der|den|de|la|le|du|da|di|del|ap|ab|ni|ní|nic|mac|bin|binti|bint|al|el|ibn)[ \t]+)*"
                         r"([A-ZÀ-ÖØ-ÞĀ-Ž][\wÀ-ÖØ-öø-ÿĀ-žḀ-ỿ'’-]*)")


#: What follows a name that opens a sentence: something a person does or has ("Priya rang", "Tom is off").
_AFTER_AN_OPENING_NAME = frozenset("""said says say rang rung called calls phoned emailed e-mailed wrote writes wants wanted
asked asks asking is was has had have will would wont won't can cannot can't could should from in at reported reports
complained complains came comes visited visits advised advises confirmed confirms left leaves told tells thinks
thought needs needed lives lived moved stated states explained explains agreed agrees refused refuses requested
requests chased chasing called, also who whose did does popped attended requested didn't doesn't isn't wasn't hasn't i'll""".split())
#: Words before a capitalised word that make it a place: "Bank of America", "stop sign at Logan", "corner of
#: Paloma", "between Patrick and Casmar".
_PLACE_PREPOSITIONS = frozenset({"at", "between", "corner", "junction", "onto", "off", "along", "near",
                                 "into", "via", "hurricane", "storm", "upper", "lower", "north", "south", "east", "west"})


def _everyday(word: str) -> bool:
    from cxinsight import gate

    return gate.is_everyday_word(word)


#: Capitalised words before a name that say a person follows ("Tenant Sharon", "Cust Priya").
_PERSON_CUES = frozenset("""caller client tenant tenants resident neighbour neighbor cust customer applicant claimant
occupant occupier owner leaseholder carer mother father sister brother son daughter wife husband partner mum dad
friend officer manager landlord landlady nan nana grandma grandad granddad gran councillor cllr pc sw ot gp nurse
worker advisor adviser agent handler from to with by for re cc fao per hi hello dear thanks regards cheers""".split())
#: What a person has, after a name and "'s" opening a note: "Tracey's ex keeps turning up".
_THEIRS_AFTER_A_NAME = frozenset(re.findall(r"[a-z]+", f"{_RELATIONS}|{_THEIRS}")) - {"i"} | frozenset(
    "ex nan boyfriend girlfriend grandson granddaughter".split())
_ARTICLES = frozenset({"a", "an", "the", "our", "your", "their", "my", "his", "her", "its", "this", "that", "these", "those"})


def _known_lone_names(text: str, counts: dict[str, int]) -> str:
    """A known forename written like a name (a capital, then small letters), wherever it stands, with
    the capitalised words that follow it: "complaint about Sharon in repairs", "handed from Tom to
    Kirsty", "Thanks again, Róisín", "a child called Kayden Brooks". Not where the words around it make it
    a place, a body or a thing named after someone ("Victoria Park", "St John Ambulance", "John Lewis",
    "Marks & Spencer", "a Henry hoover"), nor a name that is also an everyday word (the gazetteers leave
    those out: "Grace", "Will", "Mark"). A name opening a sentence must be followed by what a person
    does ("Priya rang"), since a capital there says nothing.

    >>> _known_lone_names("spoke to Sharon in repairs, then Tom to Kirsty", {})
    'spoke to [NAME] in repairs, then [NAME] to [NAME]'
    >>> _known_lone_names("St John Ambulance at Alexandra Palace; John Lewis van; Marks & Spencer", {})
    'St John Ambulance at Alexandra Palace; John Lewis van; Marks & Spencer'
    """
    if not any(_known_word(w) in ("first", "both") for w in set(_CAPITALISED.findall(text))):
        return text  # (most texts hold no known forename once the rules above have run: one look-up a word)
    spans: list[tuple[int, int]] = []
    skip_to = 0
    for m in _LONE_WORD.finditer(text):
        if m.start() < skip_to:
            continue
        word = m.group(1)
        if _known_word(word.removesuffix("'s").removesuffix("’s")) not in ("first", "both"):
            continue
        end, words = m.end(), []
        while len(words) < 3:
            n = _NEXT_WORDS.match(text, end)
            if n is None or n.group(1) == "I":
                break  # "Sharon I think"
            w = n.group(1).lower()
            words.append(w[:-2] if w.endswith(("'s", "’s")) else w)
            end = n.end()
        skip_to = end
        after = text[end:end + 20].lower().split()
        if any(w in _NAMED_AFTER or w in _NOT_LONE or (_known_word(w) == "" and _everyday(w)) for w in words) \
                or (after and (after[0].strip(".,;:") in _NAMED_AFTER or after[0] in ("&", "+"))) \
                or any(2 <= len(w) <= 4 and w.isupper() for w in text[m.end():end].split()):
            continue  # "Victoria Park", "Maximo Work Order", "Nelson & Kennard", "Virginia DMV"
        phrase = " ".join([word.lower(), *words])
        previous = text[max(0, m.start() - 30):m.start()].split()[-1:]
        if any(phrase.startswith(p) for p in NOT_PEOPLE_TOO) or (
                previous and any(f"{previous[0].lower()} {phrase}".startswith(p) for p in NOT_PEOPLE_TOO)):
            continue  # "John Lewis", "Monte Carlo"
        before = text[max(0, m.start() - 40):m.start()]
        prior = before.split()
        last = prior[-1] if prior else ""
        if last.lower() in _PLACE_LEADS or last.lower() in _ARTICLES or last.lower() in _PLACE_PREPOSITIONS:
            continue  # "St John", "a Henry hoover", "Bank of America", "at Logan", "between Patrick and ..."
        if last == "of" and len(prior) > 1 and prior[-2][:1].isupper() and prior[-2].lower() not in _PERSON_CUES:
            continue  # "Bank of America", "Town of Gilbert"; not "on behalf of Sharon"
        if last in ("&", "and", "+") and len(prior) > 1:
            last = prior[-2]
            if last[:1].isupper() and _known_word(last.strip(",.")) not in ("first", "both", "last"):
                continue  # "Marks & Spencer", "Ben & Jerry's"
        elif last[:1].isupper() and last[-1:].isalpha() and last.lower() not in _PERSON_CUES \
                and last.lower().rstrip(".") not in _TITLE_WORDS and _known_word(last) == "":
            continue  # inside a proper noun of other words: "Christmas Eve", "Citizens Advice"
        opening = not before.strip() or before.rstrip()[-1:] in ".!?:;"
        if opening and not words:
            following = text[end:end + 24].lower().split()
            if not (following and (following[0].strip(",.") in _AFTER_AN_OPENING_NAME or following[0].startswith("(")
                                   or (following[0] == "and" and following[1:2] and following[1] in ("his", "her", "their", "my")))
                    or (word.endswith(("'s", "’s")) and following and following[0].strip(",.") in _THEIRS_AFTER_A_NAME)):
                continue  # "Carol service ...", "Young family ..."; not "Lorna (PA to the MP) emailed", "Jonno and his mates"
        spans.append((m.start(), end))
    for start, end in reversed(spans):
        text = text[:start] + "[NAME]" + text[end:]
    if spans:
        counts["NAME"] = counts.get("NAME", 0) + len(spans)
    return text


_LOWER_WORD = re.compile(r"(?<![\w'’\[-])[a-zà-öø-ÿā-žḁ-ỿ][a-zà-öø-ÿā-žḁ-ỿ-]{2,}")
#: What follows a lower-case name (after it, or after its surname): something a person does, or has.
_AFTER_A_LOWER_NAME = re.compile(
    r"(?:[ \t]+([a-zà-öø-ÿā-žḁ-ỿ][a-zà-öø-ÿā-žḁ-ỿ-]{2,}))?"
    r"(?:['’]s[ \t]+(?:mum|dad|son|daughter|wife|husband|partner|ex|brother|sister|nan|carer|kids|child|children|"
    r"flat|house|home|mother|father)\b|[ \t]+(?:said|says|rang|rung|called|phoned|emailed|e-mailed|wants|wanted|asked|"
    r"came|complained|complains|states|stated|reports|reported|needs|popped|will|would|is|was|has|had|from|in[ \t]+"
    r"reception|on[ \t]+(?:chat|the[ \t]+phone)|cannot|can't|can[ \t]+not|told|thinks)\b)")
_CAPS_RUN = re.compile(r"(?<![\w'’\[-])((?:[A-ZÀ-ÖØ-ÞĀ-Ž][A-ZÀ-ÖØ-ÞĀ-Ž'’-]+[ \t]+){1,4})(?=(?:CALLED|RANG|STATES|STATED|SAYS|SAID|REPORTS|REPORTED|"
                       r"EMAILED|PHONED|ASKING|ASKED|WANTS|WANTED|CONFIRMED|REQUESTS|REQUESTED|COMPLAINED|NEEDS|CAME|VISITED|"
                       r"WOULD|WILL|CANNOT|HAS|IS|WAS)\b)")
#: A family by its surname: "Family Lăcătuș", "the Boswell family", "Petrauskas household", "the Hendersons".
_FAMILY = re.compile(r"(?i:\bfamily)[ \t]+(?P<fam>[A-ZÀ-ÖØ-ÞĀ-Ž][\wÀ-ž'’-]+)"
                     r"|(?P<fam2>(?<![\w'’\[-])[A-ZÀ-ÖØ-ÞĀ-Ž][\wÀ-ž'’-]+)(?=[ \t]+(?:family|household|families|twins|brothers|sisters)\b)"
                     r"|(?i:\bthe)[ \t]+(?P<fams>[A-ZÀ-ÖØ-ÞĀ-Ž][a-zà-öø-ÿā-ž'’-]+s)\b(?![ \t]+[A-Z])")
_THE_PLURAL = re.compile(r"(?i:\bthe)[ \t]+[A-ZÀ-ÖØ-ÞĀ-Ž][a-zà-öø-ÿā-ž'’-]+s\b")
#: A record opening whose surname the rules above already took: "[NAME], JANINE - TENANT DISPUTES".
_NAME_THEN_FORENAME = re.compile(r"^([ \t]*)\[NAME\],[ \t]*([A-ZÀ-ÖØ-ÞĀ-Ž][\w'’-]+(?:[ \t]+[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’-]+)?)"
                                 r"(?=[ \t]*(?:\(|[-–.:;,]|$))")
_TWO_CAPITAL_WORDS = re.compile(r"[A-Z]{2,}[ \t]+[A-Z]{2,}")
_RECORD_NAME = re.compile(r"(?:^|(?<=[:]))[ \t]*((?:[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’-]+)(?:[ \t]+[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’-]+)?,[ \t]*[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’-]+"
                          r"(?:[ \t]+[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’-]+)?)(?=[ \t]*(?:\(|[-–.:;,]|$))"
                          r"|^[ \t]*((?:[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’-]+)(?:[ \t]+[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’-]*){0,2})(?=[ \t]+[-–][ \t])")


#: Words before a lower-case word that make it something other than a name: "I made", "of edu".
_NOT_BEFORE_A_LOWER_NAME = frozenset({"of", "i", "we", "you", "they", "he", "she", "it", "to", "be", "been", "have", "has",
                                     "had", "not", "was", "is", "are", "were", "will", "would", "can", "could", "did", "do"})


def _name_words_ok(words: list[str]) -> bool:
    """Every word may be part of a name (no everyday or council word) and at least one is a known name."""
    bare = [w.strip("'’,").removesuffix("'s").removesuffix("’s") for w in words]
    if not bare or any(len(w) > 1 and (_everyday(w) or w.lower() in _NOT_LONE or w.lower() in _PERSON_CUES) for w in bare):
        return False
    return any(len(w) > 1 and _known_word(w) for w in bare)


def _names_in_records(text: str, counts: dict[str, int]) -> str:
    """Names the way records and hurried notes write them, with no title or cue: a known forename in lower case
    before what a person does ("shaz called", "gary's mum rang", "imran qureshi on chat"); a run of capitals
    ending in a known name before a verb in capitals ("NAZMUL HOQUE CALLED", "CUST ABDI NUR STATES"); a record
    opening with "Surname, Forename" or "NAME -" ("PICKERING, JANINE - TENANT DISPUTES", "Name on account:
    Kowalczyk, Dorota", "SANDHU H - PAYSLIPS"). Every word must be a possible name and one a known one.

    >>> _names_in_records("shaz called, then gary's mum rang; omar said he would email", {})
    "[NAME] called, then [NAME]'s mum rang; [NAME] said he would email"
    >>> _names_in_records("PICKERING, JANINE - TENANT DISPUTES RECHARGE", {})
    '[NAME] - TENANT DISPUTES RECHARGE'
    >>> _names_in_records("MISSED BIN - CREW CALLED", {}), _names_in_records("bin is full; rent was paid", {})
    ('MISSED BIN - CREW CALLED', 'bin is full; rent was paid')
    """
    spans: list[tuple[int, int]] = []
    lower_names = {w for w in set(_LOWER_WORD.findall(text)) if _known_word(w) in ("first", "both")}
    for w in (_LOWER_WORD.finditer(text) if lower_names else ()):
        first = w.group()
        if first not in lower_names or first in _PERSON_CUES or first in _NOT_LONE:
            continue  # (a dictionary look-up a word: most words are not known forenames)
        m = _AFTER_A_LOWER_NAME.match(text, w.end())
        if m is None:
            continue
        second = m.group(1)
        if second and _known_word(second) not in ("last", "both"):
            continue  # the verb is another word's: "road grit accumulation from", "cast ada mat has"
        prior = text[max(0, w.start() - 12):w.start()].split()
        if prior and (prior[-1].lower() in _ARTICLES or prior[-1].lower() in _NOT_BEFORE_A_LOWER_NAME
                      or prior[-1][:1].isdigit()):
            continue  # "department of edu did", "I made all", "256 evelyn needs"
        spans.append((w.start(), m.end(1) if second else w.end()))
    for m in (_CAPS_RUN.finditer(text) if _TWO_CAPITAL_WORDS.search(text) else ()):
        words = m.group(1).split()
        while words and (len(words[0]) < 2 or _everyday(words[0]) or words[0].lower() in _NOT_LONE
                         or words[0].lower() in _PERSON_CUES or words[0].lower() in _TITLE_WORDS):
            words = words[1:]
        if words and _name_words_ok(words):
            end = m.start(1) + len(m.group(1).rstrip())
            spans.append((end - len(" ".join(words)), end))
    for m in (_FAMILY.finditer(text) if ("amil" in text or "ousehold" in text or "twins" in text or "brothers" in text
                                         or "sisters" in text or _THE_PLURAL.search(text)) else ()):
        surname = m.group("fam") or m.group("fam2") or m.group("fams")
        bare = surname[:-1] if m.group("fams") else surname
        if _known_word(bare) in ("last", "both") and not _everyday(bare):
            spans.append(m.span("fam") if m.group("fam") else m.span("fam2") if m.group("fam2") else m.span("fams"))
    m = _NAME_THEN_FORENAME.match(text)
    if m and (_known_word(m.group(2).split()[0]) in ("first", "both") or len(m.group(2).split()[0]) == 1):
        spans.append((m.start(1), m.end(2)))
    m = _RECORD_NAME.search(text)
    if m:
        group = 1 if m.group(1) else 2
        words = m.group(group).replace(",", " ").split()
        if group == 1:
            surname, forename = m.group(1).split(",", 1)
            given = forename.split()[0]
            ok = (_known_word(surname.split()[-1]) in ("last", "both") and not (given.isupper() and len(given) == 2)
                  and (_known_word(given) in ("first", "both") or len(given) == 1))  # not "Dalton, GA"
        else:  # "SANDHU H -", "BOATENG KOFI -": two words or more, each a known name or an initial
            ok = len(words) >= 2 and all(len(w) == 1 or _known_word(w) for w in words)
        if ok and _name_words_ok(words):
            spans.append((m.start(group), m.end(group)))
    if not spans:
        return text
    spans.sort()
    merged = [spans[0]]
    for a, b in spans[1:]:
        if a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    for start, end in reversed(merged):
        if "[" in text[start:end] and not text[start:end].lstrip().startswith("[NAME],"):
            continue
        text = text[:start] + "[NAME]" + text[end:]
        counts["NAME"] = counts.get("NAME", 0) + 1
    return text


#: Distinct texts from which redaction is shared between processes (one per core). Forked workers
#: start in about 0.1 s and a distinct text costs about 50-150 microseconds, so two cores pay from a
#: few thousand texts (measured: benchmarks/README.md, issue 31; it was 50,000).
PARALLEL_FROM = 5_000


def _redact_chunk(texts: list[str]) -> list[tuple[str, dict[str, int]]]:
    return [_redact_one(t) for t in texts]


#: Texts the redactor was given and left exactly as they were, holding no token: the redactor's own
#: check finds nothing in them (it runs the same rules on the same text, and every match was one the
#: redactor kept), so :func:`redact_until_clean` need not run it again (issue 31: the check doubled
#: the cost of every text). A bound on memory, not on answers: past it the set starts again.
_KNOWN_CLEAN: set[str] = set()
KNOWN_CLEAN_MAX = 2_000_000


def _remember_clean(texts: list[str], results: list[tuple[str, dict[str, int]]]) -> None:
    clean = [t for t, (out, _) in zip(texts, results, strict=True) if out == t and not _TOKEN.search(t)]
    if len(_KNOWN_CLEAN) + len(clean) > KNOWN_CLEAN_MAX:
        _KNOWN_CLEAN.clear()
    _KNOWN_CLEAN.update(clean[:KNOWN_CLEAN_MAX])


def _recheck_chunk(texts: list[str], passes: int = 3) -> list[tuple[str, dict[str, int], str]]:
    """Each text checked by the redactor's check and redacted again until it passes (at most
    ``passes`` times): the text, the items removed, the kinds still found (``""`` when none)."""
    out = []
    for text in texts:
        found, removed = find_personal_data(text), {}
        for _ in range(passes):
            if not found:
                break
            text, more = _redact_one(text)
            for kind, k in more.items():
                removed[kind] = removed.get(kind, 0) + k
            found = find_personal_data(text)
        out.append((text, removed, ",".join(sorted(found))))
    return out


def _redact_all(texts: list[str], work=_redact_chunk) -> list:
    """``work`` (redaction by default) on each text; a large set is split across the machine's cores."""
    workers = min(os.cpu_count() or 1, 8)
    if len(texts) < PARALLEL_FROM or workers < 2 or os.environ.get("CXINSIGHT_SERIAL") == "1":
        return work(texts)
    from cxinsight.pools import CHEAPEST, process_pool

    size = -(-len(texts) // (workers * 4))
    chunks = [texts[i:i + size] for i in range(0, len(texts), size)]
    try:
        with process_pool(workers, CHEAPEST) as pool:
            return [r for part in pool.map(work, chunks) for r in part]
    except (OSError, RuntimeError) as exc:  # no processes allowed here: do it in this one
        log.warning("redacting in one process (%s)", exc)
        return work(texts)


def _row_counts(results: list[tuple[str, dict[str, int]]], freq: np.ndarray) -> dict[str, int]:
    """Items redacted by kind, counting every row: each distinct text's counts times its frequency."""
    totals: dict[str, int] = {}
    for (_, found), f in zip(results, freq, strict=True):
        for kind, k in found.items():
            totals[kind] = totals.get(kind, 0) + k * int(f)
    return totals


def redact_text(values: pd.Series, counts: bool = False):
    """Replace personal data in each text with ``[KIND]`` tokens.

    With ``counts=True`` also returns a Series of how many items of each kind were redacted
    (counting every row, not just distinct texts).

    >>> out, n = redact_text(pd.Series(["NI no JH123456C", "NI no JH123456C", "no pii"]), counts=True)
    >>> out.tolist(), n.to_dict()
    (['NI no [NI_NUMBER]', 'NI no [NI_NUMBER]', 'no pii'], {'NI_NUMBER': 2})
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = [str(u) for u in uniques]
    results = _redact_all(texts)
    _remember_clean(texts, results)
    red = np.array([r[0] for r in results], dtype=object)
    out = np.empty(len(values), dtype=object)
    valid = codes >= 0
    out[valid] = red[codes[valid]]
    out[~valid] = None
    series = pd.Series(out, index=values.index, name=values.name)
    if not counts:
        return series
    totals = _row_counts(results, np.bincount(codes[valid], minlength=len(uniques)))
    return series, pd.Series(totals, dtype="int64").sort_index()


def contains_personal_data(values: pd.Series) -> pd.Series:
    """True where a text still holds something shaped like personal data (tokens ignored).

    >>> contains_personal_data(pd.Series(["[EMAIL] sent", "ring 07700 900123"])).tolist()
    [False, True]
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    flags = np.array([bool(find_personal_data(str(u))) for u in uniques], dtype=bool)
    out = np.zeros(len(values), dtype=bool)
    out[codes >= 0] = flags[codes[codes >= 0]]
    return pd.Series(out, index=values.index, name=values.name)


def redact_until_clean(values: pd.Series) -> tuple[pd.Series, pd.Series, dict[str, int]]:
    """Texts the redactor has processed, checked by the redactor's own check and redacted again
    until it passes (at most three more times), distinct texts shared across cores as redaction is.

    Returns the texts, per row the kinds the check still finds (``""`` where none: a text that
    still holds one is for the caller to withhold, never to publish), and the items the further
    passes removed, by kind (every row counted). Works on distinct texts and broadcasts.

    >>> out, left, more = redact_until_clean(pd.Series(["per [NAME] Act", "ring 07700 900123"]))
    >>> out.tolist(), left.tolist(), more
    (['per [NAME] Act', 'ring [PHONE]'], ['', ''], {'PHONE': 1})
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = [str(u) for u in uniques]
    if find_personal_data is _OWN_CHECK:  # (a check put in its place, as a test does, runs on every text)
        todo = [i for i, t in enumerate(texts) if t not in _KNOWN_CLEAN]
    else:
        todo = list(range(len(texts)))
    results: list[tuple[str, dict[str, int], str]] = [(t, {}, "") for t in texts]
    for i, r in zip(todo, _redact_all([texts[i] for i in todo], _recheck_chunk), strict=True):
        results[i] = r
    texts = [r[0] for r in results]
    left = [r[2] for r in results]
    extra = [(i, r[1]) for i, r in enumerate(results) if r[1]]
    valid = codes >= 0
    freq = np.bincount(codes[valid], minlength=len(texts))
    totals: dict[str, int] = {}
    for i, removed in extra:
        for kind, k in removed.items():
            totals[kind] = totals.get(kind, 0) + k * int(freq[i])
    if not extra and not any(left):
        return values, pd.Series("", index=values.index, name=values.name), {}
    out = np.empty(len(values), dtype=object)
    out[valid] = np.asarray(texts, dtype=object)[codes[valid]]
    out[~valid] = None
    kinds = np.full(len(values), "", dtype=object)
    kinds[valid] = np.asarray(left, dtype=object)[codes[valid]]
    return (pd.Series(out, index=values.index, name=values.name).astype(values.dtype),
            pd.Series(kinds, index=values.index, name=values.name), totals)


def _redact_categorical(values: pd.Series) -> tuple[pd.Series, dict[str, int]]:
    """Redact the categories of a categorical column (each once) and keep it categorical."""
    cats = values.cat.categories
    texts = [str(c) for c in cats]
    results = _redact_all(texts)
    _remember_clean(texts, results)
    codes = values.cat.codes.to_numpy()
    totals = _row_counts(results, np.bincount(codes[codes >= 0], minlength=len(cats)))
    if not totals:
        return values, totals
    red = [r[0] for r in results]
    if len(set(red)) == len(red):
        out = values.cat.rename_categories(red)
    else:  # two categories became one after redaction
        out = values.map(dict(zip(cats, red, strict=True))).astype("category")
    return out, totals


def safe_system_names(names: list[str]) -> list[str]:
    """Names the council's systems wrote (services, categories, file names), each passed through both
    detectors before a code, slug or label is made from it: what the redactor finds is redacted, and
    what the independent detector (:mod:`cxinsight.gate`) still finds after that is withheld. A
    token becomes the word ``withheld`` so a slug made from it says so.

    >>> safe_system_names(["Waste and Recycling", "Mrs O'Neill bins", "Call 07700 900123 re pests"])
    ['Waste and Recycling', 'withheld bins', 'Call withheld re pests']
    """
    from cxinsight import gate

    if not names:
        return []
    # a file name is read as words: "crm_Q1 from Gwenllian Prydderch.csv" as "crm Q1 from Gwenllian Prydderch"
    names = [re.sub(r"\.(?:csv|tsv|txt|xlsx?|xlsm|xml|json|parquet)$", "", str(n), flags=re.I).replace("_", " ")
             if re.search(r"\.(?:csv|tsv|txt|xlsx?|xlsm|xml|json|parquet)$", str(n), flags=re.I) else n for n in names]
    redacted = redact_text(pd.Series(list(names), dtype=object)).tolist()
    out = []
    for r in redacted:
        r = str(r)
        # one word the detector reads as a name is, in a system's list, a category ("Car", "Worker
        # Protection"), not a person: a person needs two words or a title (which the redactor reads)
        found = [(s, e) for kind, s, e in gate.findings(gate.normalise(r))
                 if not (kind == "NAME" and len(r[s:e].split()) == 1)]
        for start, end in sorted(found, reverse=True):
            r = r[:start] + "[WITHHELD]" + r[end:]
        out.append(re.sub(r"\[[A-Z_]+\]", "withheld", r))
    return out


def safe_file_names(names) -> dict[str, str]:
    """The file names that read as personal data, each with the name to show instead (the others are
    left out): every file name is read by both detectors (:func:`safe_system_names`, its words split at
    underscores, the extension set aside) before it is written anywhere.

    >>> safe_file_names(["crm_Q1.csv", "calls from Mrs Jane Smith.csv"])
    {'calls from Mrs Jane Smith.csv': 'calls from withheld.csv'}
    """
    names = [str(n) for n in dict.fromkeys(names)]
    out = {}
    for name, safe in zip(names, safe_system_names(names), strict=True):
        stem, dot, ext = name.rpartition(".") if re.search(r"\.\w{2,5}$", name) else (name, "", "")
        if safe not in (name, stem.replace("_", " ")):
            out[name] = f"{safe}{dot}{ext}"
    return out


def redact_frame(frame: pd.DataFrame, columns) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Redact the named text columns of ``frame``; returns the new frame and counts by column/kind.

    Categorical columns keep their dtype: each category is redacted once.
    """
    redacted, rows = {}, []
    for col in columns:
        if col not in frame.columns:
            continue
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            redacted[col], n = _redact_categorical(frame[col])
            n = pd.Series(n, dtype="int64").sort_index()
        else:
            redacted[col], n = redact_text(frame[col], counts=True)
        rows += [{"column": col, "kind": k, "redacted": int(v)} for k, v in n.items()]
    return frame.assign(**redacted), pd.DataFrame(rows, columns=["column", "kind", "redacted"])


#: An identifier that may be personal data: an email, a phone number, anything with a space in it.
_MAY_BE_PERSONAL_ID = r"@|\s|^(?:\+|00)?\d{10,13}$|^[A-Za-z]{2}\d{6}[A-Da-d]$"


def pseudonymise_ids(values: pd.Series, key: str) -> tuple[pd.Series, int]:
    """Replace identifiers that are personal data (a caller's phone number or email used as the
    customer id, a staff member's name) with a keyed pseudonym ``ID-<16 hex>``.

    The same value always gets the same pseudonym under the same key, so repeat contacts still
    link; different values never share one. Ordinary ids are left as they are. Returns the new
    Series and how many rows changed.

    >>> out, n = pseudonymise_ids(pd.Series(["C001", "07700 900123", "07700 900123", None]), key="k")
    >>> out.tolist()[0], out.tolist()[1] == out.tolist()[2], out.tolist()[1].startswith("ID-"), n
    ('C001', True, True, 2)
    """
    import hashlib
    import hmac

    import pyarrow as pa
    import pyarrow.compute as pc

    # First a quick look over every value in Arrow (RE2): most exports have no such ids at all.
    arrow = getattr(values.array, "_pa_array", None)
    if arrow is not None and not pc.any(pc.match_substring_regex(arrow, _MAY_BE_PERSONAL_ID)).as_py():
        return values, 0
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = pa.array(np.asarray(uniques, dtype=object).astype(str), type=pa.string())
    maybe = np.flatnonzero(pc.match_substring_regex(text, _MAY_BE_PERSONAL_ID).to_numpy(zero_copy_only=False))
    # both detectors read each candidate whole: "ENQ14968840 Priya Sharma" is a reference holding a name
    candidates = [str(uniques[i]) for i in maybe]
    personal = [i for i, text, safe in zip(maybe, candidates, safe_system_names(candidates), strict=True)
                if safe != text or find_personal_data(text)]
    if not personal:
        return values, 0
    new = np.asarray(uniques, dtype=object).copy()
    for i in personal:
        digest = hmac.new(key.encode(), str(uniques[i]).encode(), hashlib.sha256).hexdigest()[:16]
        new[i] = f"ID-{digest}"
    out = np.empty(len(values), dtype=object)
    valid = codes >= 0
    out[valid] = new[codes[valid]]
    out[~valid] = None
    changed = int(np.isin(codes, personal).sum())
    result = pd.Series(out, index=values.index, name=values.name)
    return result.astype(values.dtype), changed


def find_personal_data(text: str, kinds: tuple[str, ...] = KINDS) -> dict[str, int]:
    """How many items shaped like personal data of each kind a whole text holds (tokens ignored).

    Where two rules match overlapping text, the one that runs first counts.

    >>> find_personal_data("Call [PHONE] or 07700 900123; write to DM4 7QT.")
    {'PHONE': 1, 'POSTCODE': 1}
    """
    text = normalise(_TOKEN.sub(_TOKEN_STANDS_IN, text))
    taken = _Spans()
    found: dict[str, int] = {}
    twin_decides = _twin_may_decide(text)
    for kind, rx, quick, twin in _applicable(text):
        if kind not in kinds or (quick is not None and not quick(text)) or not _may_match(twin, text, twin_decides):
            continue
        for m in rx.finditer(text):
            if _keep(kind, m, text) or taken.overlaps(m.start(), m.end()):
                continue
            taken.add(m.start(), m.end())
            found[kind] = found.get(kind, 0) + 1
    return found


class _Spans:
    """Spans of a text already counted, none overlapping another (``a < end and start < b``): sorted,
    so a new span is checked against its one neighbour, not every span (a published CSV holds
    thousands of items: checking each against all was quadratic, seconds in the last gate).

    >>> spans = _Spans(); spans.add(10, 20); spans.add(30, 40)
    >>> [spans.overlaps(*s) for s in ((0, 10), (19, 25), (20, 30), (35, 36), (40, 50), (15, 15))]
    [False, True, False, True, False, True]
    """

    def __init__(self) -> None:
        self._spans: list[tuple[int, int]] = []

    def overlaps(self, start: int, end: int) -> bool:
        # The spans starting before ``end`` are [:i]; as no two overlap, their ends rise with their
        # starts, so the last of them ends furthest right: it overlaps if any does.
        i = bisect.bisect_left(self._spans, (end, end))
        return i > 0 and self._spans[i - 1][1] > start

    def add(self, start: int, end: int) -> None:
        bisect.insort(self._spans, (start, end))


_OWN_CHECK = find_personal_data


#: Each kind of redacted item in words, for a page's table (the token in the text keeps its code).
KIND_WORDS = {"EMAIL": "Email address", "PHONE": "Phone number", "NI_NUMBER": "National Insurance number",
              "CARD": "Payment card number", "REFERENCE": "Account or case reference", "DOB": "Date of birth",
              "VEHICLE": "Vehicle registration", "POSTCODE": "Postcode", "ADDRESS": "Street address",
              "BANK": "Bank details", "NHS_NUMBER": "NHS number", "NAME": "Name",
              "PSEUDONYMISED_ID": "Customer or staff id (replaced by a pseudonym)"}


def kind_words(kind: str) -> str:
    """A kind of personal data as a reader says it.

    >>> kind_words("NI_NUMBER"), kind_words("SOMETHING_NEW")
    ('National Insurance number', 'Something new')
    """
    return KIND_WORDS.get(kind, kind.replace("_", " ").capitalize())
