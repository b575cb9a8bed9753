"""How the demo council's residents and call handlers write.

Free text in a CRM is written in two voices: the call handler's shorthand on the phone and at the
counter ("cust chasing HB claim, 3rd call"), and the resident's own words in web forms, emails and
chats ("Hi, my bin wasn't collected again"). This module composes notes from templates per demand
type and voice, service vocabulary, openers and closers, then adds the noise real notes carry:
abbreviations, dropped apostrophes, typos and odd casing.

The texts are a *test instrument*: the classifier in :mod:`cxinsight.demand` must not be tuned to
these phrases, and its tests use a labelled set written independently of this file.

>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> text = compose_note(rng, "waste_recycling", "failure", "not_done", voice="handler")
>>> isinstance(text, str) and len(text) > 5
True
"""

from __future__ import annotations

import re

import numpy as np

# ---------------------------------------------------------------------------------------------
# Service vocabulary. Keys are the canonical service codes used throughout cxinsight.
# req: things people ask for (value); report: first-time reports of a problem (value);
# thing: what they wait for; not_done / not_right: what went wrong; doc: what confuses them.
# ---------------------------------------------------------------------------------------------
SERVICES: dict[str, dict[str, list[str]]] = {
    "council_tax": {
        "names": ["council tax", "CT", "ctax", "c/tax", "council tax"],
        "req": ["set up a direct debit", "apply for single person discount", "pay the council tax bill",
                "register as moving in", "tell us they are moving out", "change the payment date",
                "spread payments over 12 months", "apply for a student exemption",
                "get a copy of the bill", "update bank details for the DD", "pay arrears"],
        "report": ["a change of address", "a change in household", "a new occupier at the property"],
        "thing": ["the refund", "the revised bill", "the discount being applied", "the new account",
                  "a reply about the exemption", "the DD being set up"],
        "not_done": ["refund has not been paid", "discount never applied", "DD not set up as promised",
                     "account not closed after moving out"],
        "not_right": ["the bill is wrong", "charged twice this month", "wrong band on the bill",
                      "summons issued in error, already paid", "reminder sent despite paying",
                      "bill in the wrong name"],
        "doc": ["the annual bill", "the reminder letter", "the summons", "the final notice",
                "the instalment plan"],
    },
    "benefits": {
        "names": ["housing benefit", "HB", "CTR", "benefits", "council tax support"],
        "req": ["make a new claim for HB", "apply for council tax support", "report a change in income",
                "ask for a discretionary housing payment", "provide payslips for the claim",
                "update the claim after a new job", "book an appointment to bring documents"],
        "report": ["a change of circumstances", "a new baby in the household", "a partner moving in"],
        "thing": ["the claim decision", "the HB claim", "the backdated payment", "a decision on the DHP",
                  "the CTR assessment"],
        "not_done": ["claim has not been processed", "payment has not gone to the landlord",
                     "documents handed in but not logged", "backdating never actioned"],
        "not_right": ["overpayment letter is wrong", "income calculated wrongly",
                      "claim stopped by mistake", "paid the wrong amount"],
        "doc": ["the award letter", "the overpayment letter", "the request for evidence",
                "the decision notice"],
    },
    "housing_repairs": {
        "names": ["repairs", "housing repairs", "repair", "responsive repairs"],
        "req": ["report a leaking tap", "book a gas safety check", "report a broken door entry",
                "arrange a repair to the boiler", "report damp in the bedroom",
                "get the communal light fixed", "book an inspection"],
        "report": ["a leak from the bathroom ceiling", "no heating", "a broken window",
                   "mould in the kitchen", "a blocked drain"],
        "thing": ["the repair", "the plumber", "the boiler repair", "the damp inspection",
                  "the job to be booked", "the surveyor visit"],
        "not_done": ["engineer did not turn up", "repair never done", "nobody came for the appointment",
                     "operative left without finishing", "job closed but not done"],
        "not_right": ["leak is back after the repair", "boiler broken again a week after the fix",
                      "wrong part fitted", "repair made the damp worse"],
        "doc": ["the repair appointment letter", "the text about the job", "the rent statement"],
    },
    "waste_recycling": {
        "names": ["waste", "bins", "recycling", "refuse", "waste services"],
        "req": ["order a new recycling box", "sign up to garden waste", "book a bulky waste collection",
                "order a replacement bin", "get an assisted collection", "order food caddy liners"],
        "report": ["fly tipping in the alley", "a dumped mattress", "a damaged bin"],
        "thing": ["the new bin", "the bulky collection", "the garden waste permit",
                  "the replacement box", "the assisted collection"],
        "not_done": ["bin not emptied", "missed bin", "recycling not collected",
                     "garden waste missed", "bulky collection did not happen",
                     "new bin never delivered", "the street was missed"],
        "not_right": ["wrong size bin delivered", "crew left rubbish all over the road",
                      "bin damaged by the crew", "charged for garden waste twice"],
        "doc": ["the collection calendar", "the garden waste renewal letter",
                "the sticker on the bin"],
    },
    "planning": {
        "names": ["planning", "planning dept", "development control", "building control"],
        "req": ["submit a planning application", "ask for pre-application advice",
                "comment on an application", "check if they need permission for an extension",
                "get a copy of a decision notice"],
        "report": ["a possible breach of planning", "building work without permission"],
        "thing": ["the planning decision", "the case officer", "the validation of the application",
                  "a reply from enforcement"],
        "not_done": ["site visit never happened", "application not validated after weeks",
                     "case officer never called back"],
        "not_right": ["neighbours were not notified", "decision notice has the wrong address",
                      "fee charged wrongly"],
        "doc": ["the decision notice", "the validation letter", "the consultation letter"],
    },
    "parking": {
        "names": ["parking", "PCN", "parking services", "permits"],
        "req": ["apply for a resident permit", "renew the parking permit", "buy visitor vouchers",
                "pay a PCN", "challenge a parking ticket", "apply for a blue badge"],
        "report": ["a car parked on the zigzags", "an abandoned vehicle"],
        "thing": ["the permit", "the blue badge", "a reply to the appeal", "the refund for the permit"],
        "not_done": ["permit never arrived", "appeal not answered", "refund not received"],
        "not_right": ["PCN issued while permit was valid", "charged twice for the permit",
                      "ticket issued in the wrong street", "permit has the wrong reg"],
        "doc": ["the PCN", "the notice to owner", "the charge certificate", "the permit letter"],
    },
    "environmental_health": {
        "names": ["env health", "environmental health", "EH", "pollution"],
        "req": ["report a noise nuisance", "register a food business", "ask for pest control",
                "book a rat treatment", "report a bonfire nuisance"],
        "report": ["loud music from next door", "rats in the garden", "a smell from the takeaway",
                   "dog fouling on the path"],
        "thing": ["the noise officer", "the pest control visit", "a reply about the nuisance",
                  "the food hygiene inspection"],
        "not_done": ["pest control did not come", "noise diary never sent",
                     "officer did not visit as promised"],
        "not_right": ["treatment did not work, rats back", "charged for the wrong treatment"],
        "doc": ["the abatement notice", "the noise diary form", "the inspection letter"],
    },
    "libraries": {
        "names": ["library", "libraries", "lib"],
        "req": ["renew books", "join the library", "reserve a book", "book a computer session",
                "ask about rhyme time", "book a room"],
        "report": ["a lost library card", "a broken self-service machine"],
        "thing": ["the reserved book", "the new library card", "the room booking confirmation"],
        "not_done": ["reservation never came in", "room booking was not made",
                     "library closed when website said open"],
        "not_right": ["fined for a book already returned", "charged for a lost book that was returned"],
        "doc": ["the overdue notice", "the fines letter"],
    },
    "highways": {
        "names": ["highways", "roads", "street lighting", "highways dept"],
        "req": ["report a pothole", "report a street light out", "ask for a dropped kerb",
                "request grit for the road", "report a blocked gully"],
        "report": ["a pothole outside no 12", "a street light out", "a fallen tree on the path",
                   "a broken paving slab"],
        "thing": ["the pothole repair", "the street light repair", "the dropped kerb quote",
                  "the gully clearance"],
        "not_done": ["pothole still not filled", "street light still out",
                     "gully never cleared", "tree never removed"],
        "not_right": ["pothole patched badly and broke up again", "wrong light repaired",
                      "kerb dropped in the wrong place"],
        "doc": ["the dropped kerb quote", "the road closure notice"],
    },
    "housing_options": {
        "names": ["housing options", "homelessness", "housing register", "housing needs"],
        "req": ["join the housing register", "ask for homelessness advice", "update the housing application",
                "bid for a property", "ask about temporary accommodation"],
        "report": ["being served a section 21 notice", "being at risk of homelessness"],
        "thing": ["the housing application", "the banding decision", "a call from the housing officer",
                  "the review of the band"],
        "not_done": ["housing officer never called back", "application not assessed",
                     "appointment cancelled without notice"],
        "not_right": ["banded wrongly", "application closed by mistake"],
        "doc": ["the banding letter", "the personal housing plan", "the section 184 letter"],
    },
}

SERVICE_CODES: tuple[str, ...] = tuple(SERVICES)

OTHER_TEAMS = ["the county council", "DWP", "the housing association", "the police", "highways england",
               "HMRC", "the contact centre", "another department", "the switchboard", "the parish council"]
AGO = ["last week", "2 weeks ago", "a month ago", "on monday", "3 weeks ago", "10 days ago",
       "back in march", "before christmas", "over a fortnight ago", "6 weeks ago", "yesterday"]
NTH = ["2nd", "3rd", "4th", "second", "third", "fifth"]
WHEN = ["this morning", "yesterday", "on tuesday", "last week", "today", "on the booked day"]
STREETS = ["High St", "Church Lane", "Station Road", "Mill Close", "Park View", "Victoria Rd",
           "The Green", "Orchard Way", "Forest Road", "Meadow Drive", "School Lane", "Kings Ave"]
COMPLAINT_ABOUT = ["the way she was spoken to", "staff attitude", "the delay", "being ignored",
                   "the service received", "the standard of the repair", "how the case was handled",
                   "not being called back", "the crew's behaviour", "the decision"]

# Templates. {req} {report} {thing} {nd} {nr} {doc} {svc} {other} {ago} {nth} {when} {street}
# {cmp}. Value templates include questions that mention failure words but are not failure.
TEMPLATES: dict[tuple[str, str], list[str]] = {
    ("value", "handler"): [
        "cust wants to {req}", "caller asking how to {req}", "customer rang to {req} - done",
        "wishes to {req}, advised online option", "enquiry re how to {req}", "{req}",
        "resident requesting to {req}", "{svc} - wants to {req}", "called to {req}, processed on call",
        "asked about how to {req}, sent link", "reporting {report}", "new report of {report}",
        "resident reports {report} on {street}", "logged {report} nr {street}",
        "asked when {thing} is usually done, gave timescales", "general {svc} enquiry",
        "cust asking what happens if a bin is missed, explained process",
        "wanted to know how to complain if not happy, gave info",
        "paid {svc} by card", "payment taken for {svc}", "tell us about {report}",
        "booked appointment to {req}", "{svc} enq - info given", "asked opening hours",
    ],
    ("value", "resident"): [
        "I would like to {req}", "Hi, can I {req}?", "how do i {req}", "Please can I {req}",
        "I want to {req}. Thanks", "I need to {req}, what do I need to do?",
        "Id like to report {report} on {street}", "Reporting {report}",
        "There is {report} near {street}", "Hello, I am writing to {req}",
        "How do I report a missed bin?", "What day is my bin collected?",
        "can you tell me how to {req}", "Just letting you know about {report}",
        "Is there a charge to {req}?", "When is the best time to {req}?",
    ],
    ("progress_chasing", "handler"): [
        "chasing {thing}", "cust chasing {thing}, reported {ago}", "still waiting for {thing}",
        "any update on {thing}?", "{nth} call re {thing}", "wants update on {thing}",
        "chased {thing} again", "awaiting {thing} since {ago}, no contact",
        "promised call back re {thing} never came", "no reply to email sent {ago} re {thing}",
        "cust calling again about {thing} - still outstanding", "f/up on {thing}, nothing happened",
        "when will {thing} happen? told {ago} it would be sorted", "{svc} - chasing {thing}",
        "cust frustrated, waiting on {thing} since {ago}",
    ],
    ("progress_chasing", "resident"): [
        "I am still waiting for {thing}", "Any update on {thing}? I contacted you {ago}",
        "This is the {nth} time I have contacted you about {thing}", "Where is {thing}??",
        "I have heard nothing about {thing} since {ago}", "Chasing {thing} please",
        "Please can someone update me on {thing}, nobody has replied",
        "When will {thing} be done? It has been ages",
    ],
    ("not_done", "handler"): [
        "{nd}", "{nd} again", "cust says {nd}", "{nd} - {when}", "{nd}, reported {ago}",
        "{svc}: {nd}", "rang as {nd}", "{nd}, cust not happy", "advised cust re {nd}, logged",
    ],
    ("not_done", "resident"): [
        "My {nd_noun} - {nd}", "{nd} AGAIN", "Hi, {nd} {when}", "{nd}. Please sort this out",
        "Can you find out why {nd}?", "Once again {nd}",
    ],
    ("not_done_right", "handler"): [
        "{nr}", "cust says {nr}", "{nr} - needs putting right", "{nr}, upset", "{svc}: {nr}",
        "rang because {nr}", "{nr}, passed to back office to correct",
    ],
    ("not_done_right", "resident"): [
        "{nr}", "I think {nr}", "Sorry but {nr}, please correct it", "{nr} - this is not good enough",
        "You have made a mistake, {nr}",
    ],
    ("clarification", "handler"): [
        "doesnt understand {doc}", "cust confused by {doc}, explained", "querying {doc} received",
        "what does {doc} mean - explained to cust", "{doc} unclear, went through it with caller",
        "rang re {doc}, not sure what to do", "needed {doc} explaining",
    ],
    ("clarification", "resident"): [
        "I don't understand {doc}", "What does {doc} mean?", "Can you explain {doc} please",
        "I received {doc} and I am confused", "{doc} makes no sense to me",
    ],
    ("information_not_found", "handler"): [
        "couldnt find how to {req} on website", "tried to {req} online but form wouldnt submit",
        "online form crashed, rang to {req}", "website down so rang to {req}",
        "did it online but no confirmation re {thing}", "tried web chat, no answer, rang to {req}",
        "web page out of date, could not {req}", "app not working, wants to {req}",
    ],
    ("information_not_found", "resident"): [
        "I tried to {req} on your website but it didn't work", "Your online form keeps crashing",
        "I can't find where to {req} on the website", "Online form failed - I want to {req}",
        "I submitted online but got no confirmation",
    ],
    ("wrong_place", "handler"): [
        "was told to ring us by {other}", "transferred from {other}, not our service",
        "wrong dept - should be {other}", "passed round 3 times before getting here",
        "cust sent to us by {other}, redirected", "{other} told cust to call council re {req}",
    ],
    ("wrong_place", "resident"): [
        "{other} told me to contact you", "I have been passed from pillar to post",
        "I was transferred 4 times", "Nobody seems to know who deals with this",
    ],
    ("complaint", "handler"): [
        "wants to make a complaint re {cmp}", "unhappy with {cmp}, complaint logged",
        "complaint - {cmp}", "formal complaint about {cmp}", "cust wishes to complain about {cmp}",
        "escalate to stage 2 - unhappy with response",
    ],
    ("complaint", "resident"): [
        "I want to make a formal complaint about {cmp}", "I wish to complain about {cmp}",
        "Complaint: {cmp}", "I am very unhappy with {cmp} and want this escalated",
    ],
}

OPENERS = {
    "handler": ["", "", "", "Cust called - ", "Caller: ", "Res ", "CX ", "Tel call: ", "C/O ",
                "Spoke to cust - ", "Mr called ", "Mrs rang "],
    "resident": ["", "", "", "Hi, ", "Hello ", "Good morning. ", "Dear Sir/Madam, ", "Hi there "],
}
CLOSERS = {
    "handler": ["", "", "", " - advised", ". Logged.", " - passed to service", " - resolved FCR",
                " - cb req", ". Ref given", " - NFA", " - s/r raised", " - email sent to team",
                " - will call back in 5 days"],
    "resident": ["", "", "", " Thanks", " Thank you.", " Regards", " Many thanks", " Cheers",
                 " Please call me back."],
}

# Shorthand that call handlers use; applied at random so every phrase appears in many forms.
ABBREVIATIONS: list[tuple[str, list[str]]] = [
    (r"\bcustomer\b", ["cust", "cx", "cstmr"]),
    (r"\bcouncil tax\b", ["CT", "ctax", "c/tax"]),
    (r"\bhousing benefit\b", ["HB"]),
    (r"\bappointment\b", ["appt"]),
    (r"\bregarding\b|\babout\b", ["re", "abt"]),
    (r"\bplease\b", ["pls", "plz"]),
    (r"\breceived\b", ["recvd", "rec'd", "rcvd"]),
    (r"\bcollection\b", ["colln", "collctn"]),
    (r"\bbecause\b", ["bc", "cos"]),
    (r"\bwith\b", ["w/"]),
    (r"\bmissed\b", ["misd", "mised"]),
    (r"\bchasing\b", ["chsing", "chasin"]),
    (r"\binformation\b", ["info"]),
    (r"\bdirect debit\b", ["DD"]),
    (r"\band\b", ["&", "+"]),
    (r"\bweeks\b", ["wks"]),
    (r"\bcall back\b", ["cb", "callback"]),
]
_ABBREV_RE = [(re.compile(p, re.IGNORECASE), subs) for p, subs in ABBREVIATIONS]


def _fill(rng: np.random.Generator, template: str, service: str) -> str:
    vocab = SERVICES[service]

    def pick(options: list[str]) -> str:
        return options[rng.integers(len(options))]

    values = {
        "req": pick(vocab["req"]), "report": pick(vocab["report"]), "thing": pick(vocab["thing"]),
        "nd": pick(vocab["not_done"]), "nr": pick(vocab["not_right"]), "doc": pick(vocab["doc"]),
        "svc": pick(vocab["names"]), "other": pick(OTHER_TEAMS), "ago": pick(AGO), "nth": pick(NTH),
        "when": pick(WHEN), "street": pick(STREETS), "cmp": pick(COMPLAINT_ABOUT),
        "nd_noun": pick(vocab["names"]),
    }
    return template.format(**values)


def add_noise(rng: np.random.Generator, text: str) -> str:
    """Abbreviate, drop apostrophes, add typos and change case, as real notes do.

    >>> rng = np.random.default_rng(0)
    >>> len({add_noise(rng, "customer chasing the refund, please call back") for _ in range(50)}) > 5
    True
    """
    for pattern, subs in _ABBREV_RE:
        if rng.random() < 0.45:
            text = pattern.sub(lambda m, s=subs: s[rng.integers(len(s))], text)
    if rng.random() < 0.3:
        text = text.replace("'", "")
    if rng.random() < 0.12:
        words = text.split(" ")
        candidates = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if candidates:
            i = candidates[rng.integers(len(candidates))]
            w = words[i]
            j = int(rng.integers(1, len(w) - 1))
            kind = rng.integers(3)
            if kind == 0:
                w = w[:j] + w[j + 1:]  # dropped letter
            elif kind == 1:
                w = w[: j - 1] + w[j] + w[j - 1] + w[j + 1:]  # swapped letters
            else:
                w = w[:j] + w[j] + w[j:]  # doubled letter
            words[i] = w
            text = " ".join(words)
    r = rng.random()
    if r < 0.15:
        text = text.lower()
    elif r < 0.19:
        text = text.upper()
    elif r < 0.5 and text:
        text = text[0].upper() + text[1:]
    return text


def compose_note(rng: np.random.Generator, service: str, demand: str, kind: str, voice: str) -> str:
    """One free-text note for a contact of ``service`` with the given truth.

    ``demand`` is ``"value"`` or ``"failure"``; ``kind`` is the failure type (ignored for value,
    except ``repeat_contact``, which is written like a value request: only behaviour reveals it);
    ``voice`` is ``"handler"`` or ``"resident"``.
    """
    key = "value" if demand == "value" or kind == "repeat_contact" else kind
    template_list = TEMPLATES[(key, voice)]
    template = template_list[rng.integers(len(template_list))]
    opener = OPENERS[voice][rng.integers(len(OPENERS[voice]))]
    closer = CLOSERS[voice][rng.integers(len(CLOSERS[voice]))]
    body = _fill(rng, template, service)
    return add_noise(rng, f"{opener}{body}{closer}".strip())


COMPLAINT_SUMMARIES = [
    "Complainant unhappy with {cmp} regarding {svc}.",
    "Customer complains that {nd} and nobody has explained why.",
    "Resident states {nr}. Wants an apology and the matter put right.",
    "Complaint about {cmp}. Customer has contacted the council {nth} time.",
    "Unhappy with {cmp}; says {nd}.",
    "Escalation: customer not satisfied with stage 1 response about {thing}.",
    "Customer says {nr} and feels ignored.",
    "Complaint regarding delay with {thing}, first raised {ago}.",
]

SURVEY_COMMENTS = {
    "positive": ["Very helpful, sorted straight away", "Quick and easy", "Staff member was lovely",
                 "Great service thank you", "Easy to do online", "Resolved first time",
                 "Friendly and knowledgeable", "No complaints"],
    "neutral": ["It was ok", "Took a while but got there", "Fine", "Average", "Hold music too long",
                "Could be quicker"],
    "negative": ["Had to call three times", "Nobody called me back", "Still not sorted",
                 "Website is useless", "Waited 40 minutes on hold", "Passed from person to person",
                 "Letter was confusing", "Bin still not collected", "Very poor, nobody cares"],
}


def complaint_summary(rng: np.random.Generator, service: str) -> str:
    """A complaint summary as a complaints officer would write it."""
    template = COMPLAINT_SUMMARIES[rng.integers(len(COMPLAINT_SUMMARIES))]
    return _fill(rng, template, service)
