"""Issue 28's acceptance point for personal data, end to end: "The hostile end-to-end council
(personal data and payloads in every field, service names and staff ids included) publishes none of
it: the run passes with nothing found, or fails naming file, field and kind."

A small demo council is generated and every field its systems write is rewritten so that some rows
carry personal data or a markup / formula payload: free text (notes, complaint summaries, survey
comments), service names (two services, "Mrs O'Neill bins" and "Call 07700 900888 re pests", big
enough for pages of their own), reasons, categories, outcomes, channels, age bands, areas, staff ids
(logins such as ``priya.sharma``, ``j.smith``), customer ids (phone numbers and e-mails), record
references, dates, numbers and scores, and the file names themselves. The personal data was written
for this test, without reading the detectors (``cxinsight/privacy.py``, ``cxinsight/gate/``); it is
fictional (Ofcom's drama numbers 07700 900xxx and 01632 960xxx, the QQ NI prefix, the NHS's own
example number, test card numbers). Every personal string injected is recorded.

The whole report is then built (``build_reports``, as ``cxinsight report`` runs it), and either

* it succeeds, and none of the recorded strings is in any file under the reports folder (compared in
  lower case, with accents folded, with punctuation read as spaces (``mrs_o_neill`` is
  ``mrs o neill``) and, for the longer ones, with everything but letters and digits removed), no
  payload from the data is live in a page and no CSV cell starts a formula; or
* it fails with :class:`cxinsight.publish.PersonalDataFound` whose message names the file, the field
  and the kind, and never the value.

The last gate itself is not changed: the run calls the real one, and a copy of what it was handed is
kept first, so the pages are also checked on their own (a leak the gate does not see would be
published as soon as the page it did see is fixed). The built layers (``data/processed``,
``data/interim``, ``data/figures``) are checked for the injected personal data and, separately, for
the raw staff ids and customer ids (they are meant to be pseudonymised).

Tests marked xfail(strict=True) record what leaked when the test was written; each reason names it.

Slow (a full report run, a few minutes on two cores): ``make test-slow`` and CI.
"""

from __future__ import annotations

import csv
import html
import json
import re
import time
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from tests.demo_exports import read_export, write_export

pytestmark = pytest.mark.slow

# --------------------------------------------------------------------------------------------------
# What is injected. Each text is (what the council's system wrote, the personal strings it holds).
# --------------------------------------------------------------------------------------------------

NOTES = [
    ("mrs o'neill rang again about her bins, very upset", ["o'neill"]),
    ("Spoke to Siobhan O'Neill at 14 Heol Pentwyn, Cardiff CF14 3QX, bin not emptied",
     ["Siobhan O'Neill", "14 Heol Pentwyn", "CF14 3QX"]),
    ("Cust Priya Sharma called, passed to j.smith in revenues", ["Priya Sharma", "j.smith"]),
    ("caller gwenllian prydderch says the repair is still outstanding", ["gwenllian prydderch"]),
    ("pls ring back on 07700 900 461 after 3pm", ["07700 900 461"]),
    ("mobile is 0 7 7 0 0 9 0 0 5 7 3, text first", ["0 7 7 0 0 9 0 0 5 7 3"]),
    ("contact +44 (0)7700 900614 or 0044 7700 900729", ["+44 (0)7700 900614", "0044 7700 900729"]),
    ("landline 01632 960217 - daughter answers", ["01632 960217"]),
    ("email is siobhan.oneill@btinternet.com", ["siobhan.oneill@btinternet.com"]),
    ("reply to priya dot sharma at gmail dot com please", ["priya dot sharma at gmail dot com"]),
    ("send it to kwabena[at]outlook[dot]com", ["kwabena[at]outlook[dot]com"]),
    ("Lives at Rose Cottage, Ffordd Pen y Bryn, LL57 2DG", ["Rose Cottage, Ffordd Pen y Bryn", "LL57 2DG"]),
    ("Tenant of Flat 4, Marchbank Court, SA31 1AJ, leak through ceiling", ["Flat 4, Marchbank Court", "SA31 1AJ"]),
    ("born on the fourth of March nineteen fifty-eight", ["fourth of March nineteen fifty-eight"]),
    ("DOB 12/07/1961 confirmed for the account", ["12/07/1961"]),
    ("date of birth 4th March 1958", ["4th March 1958"]),
    ("NI number QQ 12 34 56 C given for HB claim", ["QQ 12 34 56 C"]),
    ("NHS no 943 476 5919 for the blue badge", ["943 476 5919"]),
    ("refund to sort code 60-83-71 account 31926819", ["60-83-71", "31926819"]),
    ("paid by card 4111 1111 1111 1111 exp 09/27", ["4111 1111 1111 1111"]),
    ("card ending 5555-5555-5555-4444 declined", ["5555-5555-5555-4444"]),
    ("car reg KX63 ZPD parked on the verge", ["KX63 ZPD"]),
    ("social worker Nkechi Adeyemi-Okonkwo called on behalf of her client", ["Nkechi Adeyemi-Okonkwo"]),
    ("on behalf of Zoë Łukasiewicz (daughter)", ["Zoë Łukasiewicz"]),
    ("spoke to Aoife Ní Bhriain about the council tax bill", ["Aoife Ní Bhriain"]),
    ("landlord Willemijn van der Heijden will call", ["Willemijn van der Heijden"]),
    ("Lucía de la Fuente and Rhodri ab Iorwerth both rang", ["Lucía de la Fuente", "Rhodri ab Iorwerth"]),
    ("Mr Yusuf al-Hashimi wants a call back", ["Yusuf al-Hashimi"]),
    ("tomasz wiśniewski rang re missed bin", ["tomasz wiśniewski"]),
    ("KWABENA ASANTE-DARKO COMPLAINED AGAIN", ["KWABENA ASANTE-DARKO"]),
    ("Siân Gruffydd, Tŷ Gwyn, Lôn Glasfryn, asked for a form", ["Siân Gruffydd", "Tŷ Gwyn", "Lôn Glasfryn"]),
    ("handled by priya.sharma then s.oneill", ["priya.sharma", "s.oneill"]),
]

# Short forms for the fields that hold a category, a reference or an id.
SHORT = [
    ("Call back Mrs Gwenllian Prydderch on 07700 900461", ["Gwenllian Prydderch", "07700 900461"]),
    ("Complaint re officer j.smith", ["j.smith"]),
    ("Mrs O'Neill - bins", ["O'Neill"]),
    ("refund sort code 60-83-71", ["60-83-71"]),
    ("Priya Sharma", ["Priya Sharma"]),
    ("siobhan.oneill@btinternet.com", ["siobhan.oneill@btinternet.com"]),
    ("CF14 3QX", ["CF14 3QX"]),
    ("07700 900982", ["07700 900982"]),
    ("QQ123456C", ["QQ123456C"]),
    ("Tomasz Wiśniewski", ["Tomasz Wiśniewski"]),
]

SERVICES = [("Mrs O'Neill bins", ["O'Neill"]), ("Call 07700 900888 re pests", ["07700 900888"])]
AGENTS = [("priya.sharma", ["priya.sharma"]), ("Priya Sharma", ["Priya Sharma"]), ("j.smith", ["j.smith"]),
          ("s.oneill", ["s.oneill"]), ("GWENLLIAN.PRYDDERCH", ["GWENLLIAN.PRYDDERCH"])]
CUSTOMERS = [("07700 900347", ["07700 900347"]), ("zoe.lukasiewicz@yahoo.co.uk", ["zoe.lukasiewicz@yahoo.co.uk"]),
             ("+447700900152", ["+447700900152"]), ("kwabena.asante-darko@hotmail.co.uk",
                                                    ["kwabena.asante-darko@hotmail.co.uk"])]
FILE_PERSON = "Gwenllian Prydderch"

#: Markup and formula payloads; the marker words let a live one be recognised as the data's.
PAYLOADS = ['<script>window.__pwned=1</script>', '<img src=x onerror="window.__pwned=1">',
            '<svg onload=window.__pwned=1>', '<a href="javascript:window.__pwned=1">x</a>',
            '=HYPERLINK("https://evil.example/pwned","click")', "+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0", '@SUM(1+1)*cmd|" /C calc"!A0']


class Injector:
    """Hands out texts round-robin and records every personal string written into an export."""

    def __init__(self):
        self.injected: set[str] = set()
        self.where: dict[str, set[str]] = {}  # field -> what went into it (for the test's own checks)
        self.k = 0

    def take(self, pool, field: str, encoding: str = "utf-8", payload: bool = False) -> str:
        text, personal = pool[self.k % len(pool)]
        self.k += 1
        if payload:
            text = f"{PAYLOADS[self.k % len(PAYLOADS)]} {text}"
        if encoding.lower().replace("-", "") == "cp1252":  # a Windows-1252 export cannot hold every letter
            try:
                text.encode("cp1252")
            except UnicodeEncodeError:
                text, personal = _fold(text), [_fold(p) for p in personal]
        self.injected.update(personal)
        self.where.setdefault(field, set()).update(personal)
        return text

    def payload(self) -> str:
        self.k += 1
        return PAYLOADS[self.k % len(PAYLOADS)]


def _fold(text: str) -> str:
    """Accents and other marks removed (Łukasiewicz -> Lukasiewicz)."""
    text = text.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _hostile_council(root: Path, inj: Injector) -> Path:
    """A 4,000-contact demo council with personal data and payloads in every field its systems write."""
    import shutil

    import openpyxl

    from cxinsight.synthetic import DemoSpec, generate_demo

    raw = root / "data" / "raw" / "demo"
    generate_demo(raw, root / "data" / "raw" / "demo_answer_key", DemoSpec(contacts=4_000, seed=29))
    shutil.rmtree(root / "data" / "raw" / "demo_answer_key")  # edited exports no longer match the planted truth

    # Contacts (four quarterly CRM files, one Windows-1252 and one ;-separated in the demo).
    for q, path in enumerate(sorted((raw / "crm").glob("*.csv"))):
        rows, enc, delim = read_export(path)
        header, body = rows[0], rows[1:]
        col = {name.strip(): i for i, name in enumerate(header)}
        for k, row in enumerate(body):
            if len(row) < len(header):
                continue  # a blank or broken line the demo plants: left as it is
            if k % 3 == 0:
                row[col["Notes"]] = inj.take(NOTES, "Notes", enc, payload=k % 9 == 0)
            if k % 20 == 3:
                row[col["Service Area"]] = inj.take(SERVICES[:1], "Service Area", enc)
            elif k % 20 == 7:
                row[col["Service Area"]] = inj.take(SERVICES[1:], "Service Area", enc)
            elif k % 97 == 11:
                row[col["Service Area"]] = inj.payload()
            if k % 5 == 1:
                row[col["Agent"]] = inj.take(AGENTS, "Agent", enc)
            if k % 7 == 2:
                row[col["Customer No"]] = inj.take(CUSTOMERS, "Customer No", enc)
            if k % 11 == 4:
                row[col["Reason"]] = inj.take(SHORT, "Reason", enc, payload=k % 2 == 0)
            if k % 13 == 5:
                row[col["Outcome"]] = inj.take(SHORT, "Outcome", enc, payload=k % 2 == 0)
            if k % 53 == 6:
                row[col["Channel"]] = inj.take([("Phoned by Mr Kwabena Asante-Darko", ["Kwabena Asante-Darko"]),
                                                ("Walk-in with Siân Gruffydd", ["Siân Gruffydd"])], "Channel", enc)
            if k % 59 == 8:
                row[col["Age Band"]] = inj.take([("born 4th March 1958", ["4th March 1958"]),
                                                 ("DOB 12/07/1961", ["12/07/1961"])], "Age Band", enc)
            if k % 61 == 9:
                row[col["LSOA"]] = inj.take([("CF14 3QX", ["CF14 3QX"]), ("14 Heol Pentwyn", ["14 Heol Pentwyn"])],
                                            "LSOA", enc)
            if k % 67 == 10:
                row[col["Handle Time (s)"]] = inj.take([("5 mins - Priya Sharma", ["Priya Sharma"])],
                                                       "Handle Time (s)", enc)
            if k % 71 == 12:
                row[col["Wait Time (s)"]] = inj.take([("07700 900982", ["07700 900982"])], "Wait Time (s)", enc)
            if k % 73 == 13:
                row[col["Contact Ref"]] = f"{row[col['Contact Ref']]} " + inj.take(SHORT, "Contact Ref", enc)
            if k % 79 == 14:
                row[col["Date/Time"]] = inj.take([("rang 07700 900614 on Tuesday", ["07700 900614"]),
                                                  ("Mrs O'Neill 01/04/2024", ["O'Neill"])], "Date/Time", enc)
        write_export(path, [header, *body], enc, delim)
        if q == 0:  # a file named after a person
            path.rename(path.with_name(f"{path.stem} from {FILE_PERSON}{path.suffix}"))
            inj.injected.add(FILE_PERSON)

    # Complaints.
    for path in sorted((raw / "complaints").glob("*.csv")):
        rows, enc, delim = read_export(path)
        header, body = rows[0], rows[1:]
        col = {name.strip(): i for i, name in enumerate(header)}
        for k, row in enumerate(body):
            if len(row) < len(header):
                continue
            row[col["Summary"]] = f"{row[col['Summary']]} " + inj.take(NOTES, "Summary", enc, payload=k % 3 == 0)
            if k % 2 == 0:
                row[col["Category"]] = inj.take(SHORT, "Category", enc, payload=k % 4 == 0)
            if k % 3 == 1:
                row[col["Outcome"]] = inj.take(SHORT, "Outcome", enc)
            if k % 4 == 1:
                row[col["Service"]] = inj.take(SERVICES, "Service", enc)
            if k % 5 == 2:
                row[col["Complaint Ref"]] = f"{row[col['Complaint Ref']]} " + inj.take(SHORT, "Complaint Ref", enc)
            if k % 6 == 3:
                row[col["Related Contact"]] = inj.take(CUSTOMERS, "Related Contact", enc)
            if k % 7 == 4:
                row[col["Extension Agreed"]] = inj.take([("Y - agreed with Gwenllian Prydderch 07700 900461",
                                                          ["Gwenllian Prydderch", "07700 900461"])],
                                                        "Extension Agreed", enc)
            if k % 9 == 5:
                row[col["Stage"]] = inj.take([("2 (Mr Asante-Darko)", ["Asante-Darko"])], "Stage", enc)
            if k % 10 == 6:
                row[col["Date Responded"]] = inj.take([("sent to siobhan.oneill@btinternet.com",
                                                        ["siobhan.oneill@btinternet.com"])], "Date Responded", enc)
            if k % 11 == 7:
                row[col["Date Acknowledged"]] = inj.payload()
        write_export(path, [header, *body], enc, delim)
        path.rename(path.with_name(f"{path.stem} re Mr {_fold('Kwabena Asante-Darko')}{path.suffix}"))
        inj.injected.add("Kwabena Asante-Darko")

    # Survey (Excel): edited cell by cell so the workbook's types are kept.
    for path in sorted((raw / "survey").glob("*.xlsx")):
        book = openpyxl.load_workbook(path)
        sheet = book["Responses"]
        head = {str(c.value).strip(): c.column for c in sheet[1]}
        for k, r in enumerate(range(2, sheet.max_row + 1)):
            def put(column, value, r=r, sheet=sheet, head=head):
                sheet.cell(row=r, column=head[column], value=value)
            if k % 2 == 0:
                put("Q4 Any comments?", inj.take(NOTES, "Q4 Any comments?", payload=k % 6 == 0))
            if k % 17 == 3:
                put("Response ID", f"R{k:06d} " + inj.take(SHORT, "Response ID"))
            if k % 13 == 4:
                put("Contact Ref", inj.take(CUSTOMERS, "Contact Ref (survey)"))
            if k % 19 == 5:
                put("Submitted", inj.take([("by Priya Sharma 07700 900573", ["Priya Sharma", "07700 900573"])],
                                          "Submitted"))
            if k % 23 == 6:
                put("Q1 How likely are you to recommend us (0-10)",
                    inj.take([("10 - Zoë Łukasiewicz", ["Zoë Łukasiewicz"])], "Q1"))
            if k % 29 == 7:
                put("Q2 The council made it easy to handle my issue (1-7)",
                    inj.take([("call 07700 900573", ["07700 900573"])], "Q2"))
            if k % 31 == 8:
                put("Q3 Overall satisfaction (1-5)", inj.take([("QQ 12 34 56 C", ["QQ 12 34 56 C"])], "Q3"))
        book.save(path)
        path.rename(path.with_name(f"{path.stem} - {FILE_PERSON}{path.suffix}"))

    # Areas: a published indicator table, not a council system's record of residents: payloads only.
    for path in sorted((raw / "areas").glob("*.csv")):
        rows, enc, delim = read_export(path)
        header, body = rows[0], rows[1:]
        col = {name.strip(): i for i, name in enumerate(header)}
        for k, row in enumerate(body):
            if k % 3 == 0:
                row[col["LSOA name"]] = f"{row[col['LSOA name']]} {inj.payload()}"
            if k % 4 == 1:
                row[col["Ward"]] = f"{inj.payload()} {row[col['Ward']]}"
        write_export(path, [header, *body], enc, delim)
    return raw / "sources.yaml"


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """The hostile council, and the outcome of building every report from it."""
    import shutil

    import cxinsight.report as report
    from cxinsight.report import build_reports

    root = tmp_path_factory.mktemp("hostile_council")
    inj = Injector()
    sources = _hostile_council(root, inj)
    error, pages = None, []
    gate = report.last_gate

    def keep_then_gate(out, *args, **kwargs):
        """The real last gate, unchanged (called as the run calls it); a copy of what it was handed is
        kept first, so the tests can say what the pages held whether or not the gate stops the run."""
        shutil.copytree(out, root / "handed_to_gate")
        gate(out, *args, **kwargs)

    t0 = time.perf_counter()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CXINSIGHT_DATA_DIR", str(root / "data"))
        env.setenv("CXINSIGHT_REPORTS_DIR", str(root / "reports"))
        env.setattr(report, "last_gate", keep_then_gate)
        try:
            pages = build_reports(sources=sources, reports=root / "reports", processed=root / "data" / "processed",
                                  workers=2)
        except Exception as exc:  # judged by the tests below: only a named, value-free refusal passes
            error = exc
    return {"root": root, "reports": root / "reports", "data": root / "data", "error": error, "pages": pages,
            "handed_to_gate": root / "handed_to_gate",
            "injected": sorted(inj.injected), "where": inj.where, "seconds": time.perf_counter() - t0}


# --------------------------------------------------------------------------------------------------
# Looking for what was injected
# --------------------------------------------------------------------------------------------------

_BASE64 = re.compile(r"(?:data:[\w/+.-]+;base64,)?[A-Za-z0-9+/=]{200,}")


def _spaced(text: str) -> str:
    """Lower case, accents folded, every run of anything but letters and digits one space."""
    return " " + re.sub(r"[\W_]+", " ", _fold(text).lower()).strip() + " "


def _squashed(text: str) -> str:
    return re.sub(r"[\W_]+", "", _fold(text).lower())


def _forms(item: str) -> list[tuple[str, str]]:
    """The forms of an injected string a page or a slug could hold: ('spaced', ' o neill ') is found
    in 'mrs_o_neill' and 'O&#x27;Neill'; ('squashed', 'siobhanoneill') in 'SiobhanONeill'."""
    forms = [("spaced", _spaced(item))]
    squashed = _squashed(item)
    if len(squashed) >= 10 or (len(squashed) >= 8 and not squashed.isdigit()):
        forms.append(("squashed", squashed))
    if "'" in item:  # O'Neill is also written ONeill and Oneill
        forms.append(("spaced", _spaced(item.replace("'", ""))))
    return forms


def _readable(path: Path) -> str:
    """Everything in a file a person or a search could read: markup entities decoded, notebooks'
    JSON strings decoded, embedded images (base64) left out."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    if path.suffix == ".ipynb":
        try:
            strings: list[str] = []

            def walk(node):
                if isinstance(node, str):
                    strings.append(node)
                elif isinstance(node, list):
                    for x in node:
                        walk(x)
                elif isinstance(node, dict):
                    for x in node.values():
                        walk(x)

            walk(json.loads(text))
            text = "\n".join(strings)
        except json.JSONDecodeError:
            pass
    text = _BASE64.sub(" ", text)
    return html.unescape(html.unescape(text))


def _leaks(folder: Path, injected: list[str]) -> list[str]:
    """Every injected string found in a file under ``folder``: 'file: item (form) ...context...'."""
    found = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix in (".png", ".jpg", ".jpeg", ".gif", ".woff", ".woff2"):
            continue
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
            text = frame.astype(str).to_csv(index=False) + " ".join(map(str, frame.columns))
        elif path.suffix == ".pdf":  # the PDFs for committee papers: their text, not their compressed streams
            from pypdf import PdfReader

            text = " ".join(page.extract_text() or "" for page in PdfReader(path).pages)
        else:
            text = _readable(path)
        spaced, squashed = _spaced(text), _squashed(text)
        for item in injected:
            for form, needle in _forms(item):
                hay = spaced if form == "spaced" else squashed
                at = hay.find(needle)
                if at >= 0:
                    found.append(f"{path.relative_to(folder)}: {item!r} ({form}) ...{hay[max(0, at - 60):at + len(needle) + 60]}...")
                    break
    return found


def _rel(run, path: Path) -> str:
    return str(path.relative_to(run["root"]))


# --------------------------------------------------------------------------------------------------
# The acceptance point
# --------------------------------------------------------------------------------------------------

KINDS = re.compile(r"\b(email|e-mail|phone|name|person|postcode|post code|address|nhs|ni[ _]number|nino|"
                   r"national insurance|card|credit|bank|iban|sort[ _]code|account|dob|date[ _]of[ _]birth|"
                   r"vehicle|registration|licen[cs]e|location)\w*", re.I)


def test_the_hostile_council_reaches_every_field_and_the_services_are_big_enough(hostile_run):
    """The test's own check: every field was hit, and the two personal service names have enough
    contacts for service pages of their own (30 or more, in the largest 30 services)."""
    where = hostile_run["where"]
    for field in ("Notes", "Service Area", "Agent", "Customer No", "Reason", "Outcome", "Channel", "Age Band",
                  "LSOA", "Handle Time (s)", "Wait Time (s)", "Contact Ref", "Date/Time", "Summary", "Category",
                  "Service", "Complaint Ref", "Related Contact", "Extension Agreed", "Stage", "Date Responded",
                  "Q4 Any comments?", "Response ID", "Contact Ref (survey)", "Submitted", "Q1", "Q2", "Q3"):
        assert where.get(field), field
    assert len(hostile_run["injected"]) >= 60
    raw = hostile_run["data"] / "raw" / "demo" / "crm"
    counts: dict[str, int] = {}
    for path in raw.glob("*.csv"):
        rows, _, _ = read_export(path)
        col = rows[0].index("Service Area")
        for row in rows[1:]:
            if len(row) > col:
                counts[row[col]] = counts.get(row[col], 0) + 1
    top = sorted(counts, key=counts.get, reverse=True)[:30]
    for name, _ in SERVICES:
        assert counts.get(name, 0) >= 100 and name in top, (name, counts.get(name))


def test_the_hostile_council_publishes_none_of_it(hostile_run):
    """Either the run passed and nothing injected is in any published file, or it failed naming
    the file, the field and the kind (never the value)."""
    print(f"hostile council: report run took {hostile_run['seconds']:.0f} s; "
          f"{len(hostile_run['injected'])} personal strings injected")
    error = hostile_run["error"]
    if error is not None:
        from cxinsight.publish import PersonalDataFound

        message = str(error)
        assert isinstance(error, PersonalDataFound), f"the run failed, but not on personal data: {error!r}"
        assert not [i for i in hostile_run["injected"] if _spaced(i) in _spaced(message)], message
        assert re.search(r"[\w./-]+\.(csv|xlsx|html|parquet|json|ipynb)\b", message), f"no file named: {message}"
        assert KINDS.search(message), f"no kind named: {message}"
        fields = {f.lower() for f in hostile_run["where"]} | {
            "notes", "service", "reason", "outcome", "channel", "staff_id", "customer_id", "contact_id",
            "summary", "category", "comment", "complaint_id", "response_id", "source_file", "age_band", "lsoa_code"}
        assert re.search(r"\b(column|field)\b", message, re.I) and any(
            re.search(rf"(?<![\w]){re.escape(f)}(?![\w])", message, re.I) for f in fields), f"no field named: {message}"
        return
    reports = hostile_run["reports"]
    files = [p for p in reports.rglob("*") if p.is_file()]
    assert len([p for p in files if p.suffix == ".html" and "_work" not in p.parts]) >= 8
    assert list((reports / "services").glob("*.html")), "no service pages"
    leaks = _leaks(reports, hostile_run["injected"])
    assert not leaks, f"{len(leaks)} injected personal strings published:\n" + "\n".join(leaks[:60])


def test_the_pages_handed_to_the_last_gate_hold_none_of_it(hostile_run):
    """What the run wrote before the last gate looked: none of the injected personal data. The gate is
    a scanner with blind spots of its own; the pages must be clean without it (a page the gate did not
    flag would be published as soon as the page it did flag is fixed)."""
    handed = hostile_run["handed_to_gate"]
    if not handed.exists():
        pytest.fail(f"the run stopped before the last gate: {hostile_run['error']!r}")
    assert len([p for p in handed.rglob("*.html") if "_work" not in p.parts]) >= 8
    assert list((handed / "services").glob("*.html")), "no service pages"
    leaks = _leaks(handed, hostile_run["injected"])
    assert not leaks, f"{len(leaks)} injected personal strings in the pages:\n" + "\n".join(leaks[:60])


def test_no_payload_from_the_hostile_council_is_live(hostile_run):
    """No script, event handler or javascript: link from the data in any page or notebook HTML output;
    no CSV cell that starts a formula: in what was published, or (when the run was refused) in what
    the last gate was handed."""
    reports = hostile_run["reports"] if hostile_run["error"] is None else hostile_run["handed_to_gate"]
    if not reports.exists():
        pytest.fail(f"the run stopped before the last gate: {hostile_run['error']!r}")
    problems = []
    for path in sorted(reports.rglob("*.html")):
        problems += [f"{path.relative_to(reports)}: {x}" for x in _live_markup(path.read_text(encoding="utf-8"))]
    for path in sorted(reports.rglob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8")).get("cells", []):
            for out in cell.get("outputs", []):
                shown = "".join(out.get("data", {}).get("text/html", ""))
                problems += [f"{path.relative_to(reports)}: {x}" for x in _live_markup(shown)]
    assert not problems, problems[:10]
    for path in sorted(reports.rglob("*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as f:
            for row in csv.reader(f):
                bad = [c for c in row if c.lstrip().startswith(("=", "+", "-", "@")) and not _number(c)]
                assert not bad, (str(path.relative_to(reports)), bad)


def _live_markup(page: str) -> list[str]:
    """Elements and attributes that would run or load something, as a browser parses the page (text
    shown escaped, ``&lt;script&gt;``, is not markup and is not reported)."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Live(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag in ("script", "iframe", "object", "embed", "svg", "frame", "base", "form"):
                found.append(f"<{tag} {attrs}>")
            for name, value in attrs:
                if name.startswith("on") or (name in ("href", "src", "action", "formaction")
                                             and (value or "").strip().lower().startswith("javascript:")):
                    found.append(f"<{tag} {name}={value!r}>")

    Live(convert_charrefs=True).feed(page)
    return found


def _number(cell: str) -> bool:
    try:
        float(cell.replace(",", ""))
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------------------------------
# The layers the reports are made from
# --------------------------------------------------------------------------------------------------

def _layers(run) -> list[Path]:
    data = run["data"]
    layers = [data / name for name in ("processed", "interim", "figures") if (data / name).exists()]
    if not layers:
        pytest.skip("the run stopped before any layer was written")
    return layers


@pytest.mark.xfail(strict=True, reason=(
    "issue 28: data/processed and the quarantine still hold free-text names the redactor does not read "
    "(no title or cue, or in lower case mid-sentence: 'Siân Gruffydd', 'tomasz wiśniewski', 'Rhodri ab "
    "Iorwerth', 'KWABENA ASANTE-DARKO'), a phone number written digit by digit ('0 7 7 0 0 ...') and a "
    "login in a quarantined record; none of it is published (the pages test above passes)"))
def test_personal_data_injected_into_every_field_is_not_in_the_built_layers(hostile_run):
    """data/processed, data/interim and data/figures hold none of the injected personal data
    (free text redacted, service names made safe, ids pseudonymised, file names redacted)."""
    found = []
    for layer in _layers(hostile_run):
        found += [f"{layer.name}/{x}" for x in _leaks(layer, hostile_run["injected"])]
    assert not found, f"{len(found)} injected personal strings in the built layers:\n" + "\n".join(found[:60])


def test_staff_and_customer_ids_from_the_export_are_not_in_the_built_layers(hostile_run):
    """Every staff id and customer id the export holds (the demo's plain numbers as well as the
    injected logins, phones and e-mails) is pseudonymised before data/processed."""
    raw_ids: set[str] = set()
    for path in (hostile_run["data"] / "raw" / "demo" / "crm").glob("*.csv"):
        rows, _, _ = read_export(path)
        header = [h.strip() for h in rows[0]]
        for row in rows[1:]:
            if len(row) == len(header):
                for name, pad in (("Agent", 6), ("Customer No", 8)):
                    value = row[header.index(name)].strip()
                    if value:
                        raw_ids.add(value.zfill(pad) if value.isdigit() else value)
    found = []
    for layer in _layers(hostile_run):
        for path in sorted(layer.rglob("*.parquet")):
            frame = pd.read_parquet(path)
            for column in frame.columns:
                if frame[column].dtype.kind in "OSU" or str(frame[column].dtype) in ("str", "string", "category"):
                    values = set(frame[column].dropna().astype(str).str.strip())
                    hit = sorted(values & raw_ids)
                    if hit:
                        found.append(f"{path.relative_to(hostile_run['data'])} column {column!r}: "
                                     f"{len(hit)} raw ids, e.g. {hit[:3]}")
    assert not found, "\n".join(found[:40])
