"""Redaction of personal data in free text: what must go, and what must stay."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxinsight import privacy


@pytest.mark.parametrize("text, token", [
    ("email me at zoe.okafor@btinternet.com please", "[EMAIL]"),
    ("reply to j_smith+council@outlook.co.uk", "[EMAIL]"),
    ("call 07700 900123 after 5", "[PHONE]"),
    ("mob 07700900123", "[PHONE]"),
    ("tel +44 7700 900123", "[PHONE]"),
    ("tel +44 (0)7700 900 123", "[PHONE]"),
    ("landline (01632) 960123", "[PHONE]"),
    ("020 7946 0018 is the office", "[PHONE]"),
    ("lives at LE67 3FJ", "[POSTCODE]"),
    ("postcode sw1a1aa", "[POSTCODE]"),
    ("pc m1 1ae", "[POSTCODE]"),
    ("NINO JH 12 34 56 C", "[NI_NUMBER]"),
    ("ni ab123456d", "[NI_NUMBER]"),
    ("NHS no 943 476 5919", "[NHS_NUMBER]"),
    ("card 4111 1111 1111 1111 declined", "[CARD]"),
    ("CT account 51234567", "[REFERENCE]"),
    ("Mrs Siân O'Neill called", "[NAME]"),
    ("spoke to Kwame Mensah", "[NAME]"),
    ("my name is Agnieszka Nowak", "[NAME]"),
    # from a real US export (Newport SeeClickFix): a North American number, a sign-off that runs on
    ("wallet lost, cell 667 217 9250", "[PHONE]"),
    ("call (401) 555-0134 after 5", "[PHONE]"),
    ("she deserves recognition! Sincerely, Jennifer Robinson Newport Resident", "[NAME]"),
    # from a real US export (SeeClickFix, 213 bodies): five-digit house numbers, numbered streets
    ("Residents at 10911 Cole Thompson Ln leave garbage cans out", "[ADDRESS]"),
    ("bushes in front of 922 12th Avenue are leaning", "[ADDRESS]"),
    ("send someone to pick up that from my house 258 e 21st st", "[ADDRESS]"),
])
def test_personal_data_is_redacted(text, token):
    out = privacy.redact_text(pd.Series([text])).iloc[0]
    assert token in out
    assert not privacy.contains_personal_data(pd.Series([out])).iloc[0], out


@pytest.mark.parametrize("text", [
    "bin missed again on tuesday, 3rd time", "Q3 2024 figures", "called at 10:30 re £45.50 refund",
    "ref ENQ12345678 chased", "section 21 notice", "Mr rang re bins", "Spoke to cust, advised",
    "the 2nd call this week", "CTR claim", "Stage 2 complaint", "B&Q car park",
    "Order 1234567890", "with regards to the bins", "Kind regards, Council Tax Team",
])
def test_ordinary_text_is_left_alone(text):
    assert privacy.redact_text(pd.Series([text])).iloc[0] == text


def test_counts_are_per_row_not_per_distinct_text():
    out, counts = privacy.redact_text(pd.Series(["a@b.com"] * 5 + ["07700 900123", None]), counts=True)
    assert counts.to_dict() == {"EMAIL": 5, "PHONE": 1}
    assert pd.isna(out.iloc[-1])


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 999), st.sampled_from(["07700 900{d:03d}", "07700900{d:03d}", "+44 7700 900{d:03d}",
                                             "01632 960{d:03d}", "(01632) 960{d:03d}", "07700-900-{d:03d}"]),
       st.sampled_from(["", "tel ", "call back on ", "ph: "]), st.sampled_from(["", " thanks", ", after 5pm"]))
def test_drama_range_phone_numbers_never_survive(d, form, before, after):
    number = form.format(d=d)
    out = privacy.redact_text(pd.Series([f"{before}{number}{after}"])).iloc[0]
    assert number not in out and "[PHONE]" in out


def test_redact_frame_reports_counts_by_column():
    frame = pd.DataFrame({"notes": ["a@b.com", "x"], "other": ["a@b.com", "y"]})
    out, counts = privacy.redact_frame(frame, ["notes"])
    assert out["notes"].tolist() == ["[EMAIL]", "x"]
    assert out["other"].tolist() == ["a@b.com", "y"]
    assert counts.to_dict("records") == [{"column": "notes", "kind": "EMAIL", "redacted": 1}]


def _texts_for_the_quick_checks() -> list[str]:
    from tests import text_record

    made = [f"{lead}{sep}{gap}{name}" for lead in ("passed to", "Mrs", "MR.", "spoke to", "cc", "per", "tenant",
                                                   "on behalf of", "f.a.o.", "from:", "caller", "name:")
            for sep in ("", ",", ":", ".") for gap in (" ", "\t", "  ", " \t ")
            for name in ("Jane Smith", "J. Smith", "JANE", "Åsa Berg", "jane smith", "[NAME]")]
    made += [f"{n} {street}{end}" for n in ("12", "12a", "3-5") for street in ("Oak Road", "the green", "High St",
                                                                              "Mill Close", "OAK WAY", "Long rd")
             for end in ("", ".", ",", "x", " 2")]
    return (text_record.privacy_texts() + text_record.corpus_texts()[:1500] + text_record.real_texts()[::4]
            + made)


def test_each_quick_check_holds_of_every_text_its_rule_matches():
    """Issue 31: a rule is skipped when its quick check fails, so the check must hold of every text
    the rule matches (it is a condition the rule's own pattern needs, read without regex)."""
    checked = [(rx, quick) for _, rx, _, _, quick, _ in privacy._PLAN if quick is not None]
    assert len(checked) >= 7
    for text in map(privacy.normalise, _texts_for_the_quick_checks()):
        redacted = privacy._redact_one(text)[0]
        for rx, quick in checked:
            for t in (text, redacted):
                if rx.search(t):
                    assert quick(t), (rx.pattern[:60], t)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["passed to", "Mr", "mrs.", "per", "cc", "spoke to", "name:", "Jane", "SMITH", "J.",
                                 "12", "Oak", "Road", "rd", "way", ",", ":", ".", " ", "\t", "x", "é", "Ö", "[NAME]"]),
                max_size=12).map("".join))
def test_each_quick_check_holds_of_made_up_texts(text):
    for _, rx, _, _, quick, _ in privacy._PLAN:
        if quick is not None and rx.search(text):
            assert quick(text), (rx.pattern[:60], text)



def test_every_rule_has_a_pcre2_twin_that_finds_a_match_wherever_python_does():
    """Issue 31: on ASCII text a rule is skipped when its PCRE2 twin finds nothing (privacy._may_match),
    so there the twin must find a match in every text where Python's re does; it should also agree
    where re finds none, or it saves nothing. Every rule has one (pcre2 is a dependency)."""
    twins = [(rx, twin) for _, rx, _, _, _, twin in privacy._PLAN]
    assert all(twin is not None for _, twin in twins)
    texts = [t for t in map(privacy.normalise, _texts_for_the_quick_checks()) if privacy._twin_may_decide(t)]
    assert len(texts) > 1000
    for text in texts[::6]:
        for t in (text, privacy._redact_one(text)[0]):
            for rx, twin in twins:
                assert (twin.search(t) is None) == (rx.search(t) is None), (rx.pattern[:60], t)


_WORDS = ["officer", "OFFICER", "Mr", "MRS.", "miss", "customer", "Jane", "JANE", "O'Neill", "van der", "Ian",
          "KIRK", "07700", "900", "123", "AB12", "CDE", "SW1A", "1AA", "@", " at ", " dot ", "gmail", "com", "DOB",
          "21st", "Sept", "1985", "Flat", "Road", "rd", "y", "Maes", "says", "rang", "iii", "I", ",", ":", ".", "-",
          " ", "\t", "\n", "\r", "\x0b", "\x0c", "£", "€", "·", "–", "—", "‘", "’", "“", "”", "•", "°", "±", "×", "÷"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=14).map("".join))
def test_pcre2_twins_agree_with_python_on_made_up_texts_they_may_read(text):
    """The same on texts made of the rules' cue words, names, numbers, i's in every case and the signs
    beyond ASCII a twin may read (pound, dashes, curly quotes...)."""
    text = privacy.normalise(text)
    assert privacy._twin_may_decide(text)
    for _, rx, _, _, _, twin in privacy._PLAN:
        assert (twin.search(text) is None) == (rx.search(text) is None), (rx.pattern[:60], text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*_WORDS, "OFFİCER", "mıss", "cuſtomer", "Siân", "Straße", "KELVİN", "١٢٣",
                                 "\u00a0", "\u2028", "é", "ß", "\x1c", "\x1f", "\x00"]), max_size=12).map("".join))
def test_beyond_printable_ascii_every_applicable_rule_is_tried_by_python(text):
    """Where the engines differ ("OFFİCER": Python ignores case to read it as OFFICER, PCRE2 does not;
    Python's \\s takes the separator \\x1c, PCRE2's does not), the twin is not asked: on any such text
    every rule runs as before."""
    text = privacy.normalise(text)
    if any(c in text for c in "İıſâßé١\u2028\x1c\x1f\x00"):
        assert not privacy._twin_may_decide(text)
    assert privacy._redact_one(text) == _redacted_by_python_alone(text)


def _applicable_one_by_one(text):
    """The rules a text lets run as the rules say it, each of them tested in turn: the reference
    :func:`privacy._applicable` must agree with."""
    present = frozenset(need for _, need in privacy._NEEDS.iter(text.lower()))
    digits = (min(len(privacy._NOT_DIGIT.sub("", text)), privacy._MOST_DIGITS)
              if privacy._HAS_DIGIT.search(text) else 0)
    return [(kind, rx, quick, twin) for kind, rx, by_digits, need, quick, twin in privacy._PLAN
            if (digits >= need if by_digits else not need or not need.isdisjoint(present))]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*_WORDS, "0", "1234", "12345678", "passed to", "per", "DOB", "acc", "sort code",
                                 "reg", "[ADDRESS]", "my name is", "thanks", "regards"]), max_size=16).map("".join))
def test_the_rules_a_text_lets_run_are_found_by_cue_and_digit_count_as_by_testing_each_rule(text):
    """Issue 31: the plan is put together from the rules each cue word and digit count lets run (and
    remembered by the digit steps reached), not by testing all 78 rules: the same rules, in order."""
    text = privacy.normalise(text)
    assert privacy._applicable(text) == _applicable_one_by_one(text)


def test_the_plans_of_many_texts_match_testing_each_rule():
    for text in map(privacy.normalise, _texts_for_the_quick_checks()):
        assert privacy._applicable(text) == _applicable_one_by_one(text), text


def _redacted_by_python_alone(text):
    plan, after, plans = list(privacy._PLAN), list(privacy._AFTER_AN_ADDRESS), dict(privacy._PLANS)
    try:
        privacy._PLAN[:] = [(*rule[:5], None) for rule in plan]
        privacy._AFTER_AN_ADDRESS[:] = [(*rule[:3], None) for rule in after]
        privacy._PLANS.clear()
        return privacy._redact_one(text)
    finally:
        privacy._PLAN[:], privacy._AFTER_AN_ADDRESS[:] = plan, after
        privacy._PLANS.clear()
        privacy._PLANS.update(plans)


# The report's own words (issue 28): headings, labels, sources and notebook code that the widened
# rules once read as names. tests/test_reports.py checks every line of a built demo report the same way.
REPORT_WORDS = [
    "A. How far to trust the classifier", "B. Is it changing? A weekly control chart",
    "C. What decided the classification", "A. Exploring: natural groupings (not the segments)",
    "Progress chasing", "38,395 contacts a year come from customers who are likely digitally excluded",
    "range: PwC to SOCITM 2008", "Unit costs default to SOCITM 2011 averages",
    "from cxinsight.analysis import read_analysis", "with the council's settings from council.yaml",
    "comps = [c for c in scored if c.endswith('_component')]", "mine = [a.value for a in costs if a.council]",
    "if h.estimate is not None and h.estimate == h.estimate and h.low is not None:", "    if h.estimate is None:", "if r.verdict in ('up', 'down'):", "[r.verdict for r in rows]",
    "interval {headlines.interval_text(s.low, s.high)}", "for k, _, words in h.changes if k == 'latest'",
    "repeat contacts and customer segments can only be measured on the rest",
]


@pytest.mark.parametrize("text", [
    "Email complaints@examplecouncil.gov.uk quoting your complaint reference",
    "Tenant advised to email housingrepairs@council.example.gov.uk for non-urgent repairs",
    "Agent: I'll raise a missed collection now. Customer: ok thank you",
    "Agent: We're closing the chat now. Have a good day.",
    "William Morris Gallery closed Monday, open Tuesday to Sunday",
    "The Sir Robert Peel statue in the square is being cleaned this week",
    "Chief Executive's statement on the budget published",
    "Street light column number 47 on Station Road is out, reported to contractor",
    "Reception at the Town Hall, Castle Street, will close at 1pm on Christmas Eve",
    "Council Tax Regulations 1992 reg 34 applies", "Resurfacing works on Lady Margaret Road start 14 July",
    "The Lord Nelson car park barrier is stuck up", "Data Protection Act 2018 Schedule 2 exemption applied",
    "Referred to Citizens Advice for debt advice", "Complaint escalated to the Customer Relations Manager",
])
def test_team_mailboxes_places_offices_and_street_furniture_are_not_people(text):
    """Ordinary notes the development corpora (dev5-dev7) showed being redacted: a public body's team
    mailbox, the agent speaking, a place or statue named after someone, an office, a lamp column."""
    assert privacy.redact_text(pd.Series([text])).tolist() == [text]


@pytest.mark.parametrize(("text", "person"), [
    ("write to sharon.smith@examplecouncil.gov.uk", "sharon.smith"), ("agent info@acme-lettings.co.uk says", "info@"),
    ("email housing@gmail.com", "housing@"), ("spoke to William Morris about the bins", "William Morris"),
    ("it's Joan about my grandson Reece's school bus", "Reece"), ("Mrs Jane Hall rang", "Jane Hall"),
])
def test_people_beside_those_words_are_still_found(text, person):
    assert person not in privacy.redact_text(pd.Series([text])).iloc[0]


@pytest.mark.parametrize("text", ["passed from trust to trust", "waiting for plane tickets", "sent to planning",
                                  "moved to swindon", "checked with shovels", "handed to twitter"])
def test_english_words_that_read_as_an_initial_and_a_surname_are_not_logins(text):
    """"trust" is t + Rust and "plane" p + Lane: the public-domain English word list keeps them words."""
    assert privacy.redact_text(pd.Series([text])).tolist() == [text]


@pytest.mark.parametrize("text", REPORT_WORDS)
def test_the_reports_own_words_are_not_personal_data(text):
    from cxinsight import gate

    assert privacy.redact_text(pd.Series([text])).tolist() == [text]
    assert gate.findings(text) == []


@pytest.mark.parametrize(("text", "person"), [
    ("J. Pritchard rang about the bins", "Pritchard"), ("note added by priya.sharma 14:02", "priya.sharma"),
    ("j.smith to chase repairs team", "j.smith"), ("agent: SBANERJEE2 | outcome: advised", "SBANERJEE2"),
    ("case reassigned from d.okoro to m.patel", "m.patel"), ("customer Olu Bakare rang", "Olu Bakare"),
    ("Reassigned from tbrown to lgreen for cover", "tbrown"), ("check with mrogers before releasing the keys", "mrogers"),
    ("assigned: RJONES - awaiting quote", "RJONES"), ("Case reopened by kevans (workflow)", "kevans"),
])
def test_people_near_the_report_words_are_still_found(text, person):
    assert person not in privacy.redact_text(pd.Series([text])).iloc[0]


# Issue 28: what call handlers write after role words is not a name. The widened rules once read the
# word after "caller", "officer", "cust" or "resident" as one in 307 of the demo's distinct notes
# ("housing officer never called back" -> "housing officer [NAME] called back"), losing the very words
# that make a contact failure demand. Phrases as call handlers and residents write them, not the
# generator's templates alone.
EVERYDAY_NOTES = [
    "mrs rang housing officer never called back, reported a month ago",
    "Caller: enquiry re how to sign up to garden waste. Ref given",
    "RES ANOTHER DEPARTMENT TOLD CUST TO CALL COUNCIL RE REPORT A POTHOLE",
    "GOOD MORNING. JUST LETTING YOU KNOW RE A PARTNER MOVING IN THANKS",
    "Spoke to cust - enquiry re how to report a noise nuisance",
    "Caller: claim has not been processed, cust not happy - s/r raised",
    "MRS RANG CALLER ASKING HOW TO ASK RE TEMPORARY ACCOMMODATION",
    "RESIDENT REPORTS A STREET LIGHT OUT ON STATION ROAD. REF GIVEN",
    "SPOKE TO CUST - ORDER A REPLACEMENT BIN - NFA", "CUST SENT TO US BY DWP, REDIRECTED",
    "Spoke to cust - refund has not been paid, reported 2 weeks ago",
    "MR CALLED WHAT DOES THE PERMIT LETTER MEAN - EPLAINED TO CUST - CB REQ",
    "My council tax support - payment has not gone to the landlord Many thanks",
    "Payment has not gone to the landlord AGAIN Regards", "CALLER: FORMAL COMPLAINT ABT THE DECISION",
    "TEL CALL: RESIDENT REQUESTING TO UPDATE THE HOUSING APPLICATION - ADVISED",
    "CALLER: BILL IN THE WRONG NAME, UPSET. REF GIVEN", "C/O CUST WANTS TO UPDATE BANK DETAILS FOR THE DD",
    "DEAR SIR/MADAM, WHEN WILL THE CASE OFFICER BE DONE? IT HAS BEEN AGES",
    "Hi there I am still waiting for the noise officer Regards", "I am still waiting for the case officer Cheers",
    "MRS RANG APP NOT WORKING, WANTS TO BOOK AN APPT TO BRING DOCUMENTS", "GOOD MORNING. I WOULD LIKE TO APPLY FOR A BLUE BADGE THANK YOU.",
    "Hlelo I think charged for garden waste twice", "Mr caalled rang re the PCN, not sure what to do",
    "cx cust frustrated, waiting on the hb claim sincce 3 weeks ago", "cust says repairs told her to ring housing officer, HO says ring repairs",
    "tenant says repairs never done", "neighbour keeps dumping rubbish", "Customer submitted the same request approx. 20 times. Initial SR is 984326.",
    "Reported to the team at AT&T. Ticket #PE40T479.", "Intersection of MONTE VISTA DR and",
    "The street lights are out along the whole of Elmfield Road, Elmfield Avenue and Midwinter Avenue",
    "pothole at the roundabout of New Barn Lane & Albert Road",
    # a system's own words after what it writes before a login: not a login
    "closed by phone, assigned to revenues team", "transferred from the contact centre to housing",
    "raised by resident via web form", "owner: Council Tax team", "updated by 5pm tomorrow",
    "reassigned to waste team from repairs", "C/O NEEDED THE NOTICE TO OWNER EXPLAINING. REF GIVEN",
    "Public Litter Basket Needs To Be Emptied/Household Garbage",
]


@pytest.mark.parametrize(("text", "expected"), [
    # an address's town and its flat, room or floor go with it
    ("Correspondence to Flat 3, 27 Victoria Road, Swindon SN1 3BT from now on",
     "Correspondence to [ADDRESS] [POSTCODE] from now on"),
    ("new address 1/2, 34 Dumbarton Road, Glasgow - top buzzer", "new address [ADDRESS] - top buzzer"),
    ("Room 5, 21 Albert Street, no heating", "[ADDRESS], no heating"),
    ("ADDRESS: 33 HEOL Y NANT, RHIWBINA, CARDIFF CF14 6HT", "ADDRESS: [ADDRESS] [POSTCODE]"),
    ("1290 GUERRERO ST, SAN FRANCISCO, CA, 94110", "[ADDRESS], 94110"),  # sf311's incident_address
    ("12 High Street, Tenant says the roof leaks", "[ADDRESS], Tenant says the roof leaks"),
    # staff logins after what a system writes before one
    ("Created by: ANWAR_H  Status: Open", "Created by: [NAME]  Status: Open"),
    ("audit trail entry: modified_by=rgriffiths; status=closed", "audit trail entry: modified_by=[NAME]; status=closed"),
    ("owner changed from tbrennan to cnwosu", "owner changed from [NAME] to [NAME]"),
    ("closed by hpatel2 - resolved first time", "closed by [NAME] - resolved first time"),
    ("emp no E104233 processed the DHP", "emp no [REFERENCE] processed the DHP"),
    # a member of staff named in a real export (sf311's status notes)
    ("Maribel Jaldon contacted the customer and resolved the matter.", "[NAME] contacted the customer and resolved the matter."),
])
def test_addresses_whole_and_staff_logins(text, expected):
    assert privacy.redact_text(pd.Series([text])).iloc[0] == expected


@pytest.mark.parametrize("text", EVERYDAY_NOTES)
def test_everyday_words_after_role_words_are_not_names(text):
    assert privacy.redact_text(pd.Series([text])).iloc[0] == text


@pytest.mark.parametrize("text", EVERYDAY_NOTES[:27])
def test_the_last_gate_passes_an_approved_everyday_note(text):
    """A note an analyst approves as a quote ("housing officer never called back") is exactly the kind
    a head of service should read: the independent detector the last gate runs must not stop it."""
    from cxinsight import gate

    assert gate.findings(gate.normalise(text)) == []


@pytest.mark.parametrize(("text", "person"), [
    ("caller Mohammed Smith rang about bins", "Mohammed Smith"), ("neighbour kwame mensah says", "kwame mensah"),
    ("tenant Mrs o'neill says the boiler is off", "o'neill"), ("RESIDENT ANA-MARIA GHEORGHIU RANG", "GHEORGHIU"),
    ("social worker Nkechi Adeyemi-Okonkwo called", "Adeyemi-Okonkwo"), ("David E. Gray is my contact", "David"),
    ("updated by KWILLIAMS", "KWILLIAMS"), ("agent 104522 took the call", "104522"), ("actioned by D.OKORO", "OKORO"),
    ("user id 55123 closed the case", "55123"), ("case owner: RJONES", "RJONES"),
])
def test_names_after_role_words_are_still_found(text, person):
    assert person not in privacy.redact_text(pd.Series([text])).iloc[0]


@pytest.mark.slow  # redacts and classifies every corpus text: in `make test-slow` and CI (issue 31: `make test` in under 3 minutes)
def test_redaction_keeps_what_a_note_says_about_demand():
    """Redacting a note must not change whether it reads as failure or value demand: on the project's
    labelled corpus and the real 311 and FixMyStreet texts (and the demo's notes when the test data has
    them), at most 2 in 1,000 distinct texts change class. (Those that do are mostly the classifier's
    own false cues redacted away: a surname "Wong" read as "wrong" in 311 closing notes, "W CHASE ST"
    read as chasing. The demo's notes alone moved 4 of 28,791.)"""
    from cxinsight.demand import score_text
    from tests import text_record

    texts = text_record.corpus_texts() + text_record.real_texts() + (text_record.demo_raw_texts() or [])
    s = pd.Series(texts)
    redacted = privacy.redact_text(s)
    before = score_text(s)["demand"].astype(str).to_numpy()
    after = score_text(redacted)["demand"].astype(str).to_numpy()
    changed = before != after
    assert changed.mean() <= 0.002, s[changed].head(20).tolist()


def test_service_names_pass_both_detectors_before_they_become_slugs():
    """Issue 28: "Mrs O'Neill bins" became the slug "mrs_o_neill_bins", which neither detector reads
    as a person. A name the profile does not map is read whole by both first."""
    from cxinsight import clean

    got = clean.normalise_services(pd.Series(["Waste", "Mrs O'Neill bins", "priya.sharma queue", "Env Health ",
                                              "Call 07700 900123 re pests", "Revs & Bens - CT"]),
                                   {"council_tax": ["Revs & Bens - CT"]}).tolist()
    assert got == ["waste", "withheld_bins", "withheld_queue", "env_health", "call_withheld_re_pests", "council_tax"]


def test_real_service_and_category_names_are_left_as_they_are():
    """The categories of the real 311 exports (hundreds of them) are not people."""
    names = ["Noise - Residential", "HEAT/HOT WATER", "Illegal Parking", "Blocked Driveway", "Car",
             "Dead Animal", "Street Light Condition", "Graffiti", "Rodent", "Taxi Complaint", "Missed Collection",
             "Abandoned Vehicle", "Bulky Item Pick Up", "Homeless Encampment"]
    assert privacy.safe_system_names(names) == names


def test_a_council_name_holding_personal_data_is_refused(tmp_path):
    from cxinsight.io import ExportError
    from cxinsight.pipeline import Sources

    (tmp_path / "sources.yaml").write_text("council: Call Jane Smith on 07700 900123\nexports:\n"
                                           "  - {table: contacts, path: a.csv, profile: demo_crm}\n")
    with pytest.raises(ExportError, match="council: expected the council's name"):
        Sources.read(tmp_path / "sources.yaml")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 8)), max_size=40))
def test_counted_spans_overlap_exactly_when_checking_every_span_would_say_so(queries):
    """find_personal_data counts a match only if it overlaps no match counted before: checked against
    one neighbour in a sorted list (issue 31: against every span it was quadratic in a long file),
    with the same answer as checking every span, empty spans included."""
    spans, every = privacy._Spans(), []
    for start, length in queries:
        end = start + length
        overlaps = spans.overlaps(start, end)
        assert overlaps == any(a < end and start < b for a, b in every)
        if not overlaps:
            spans.add(start, end)
            every.append((start, end))
