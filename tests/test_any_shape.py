"""Issue 26: any real export, any shape, any size: every run finishes. Each test here failed before
the fix it names (a crash found running a real export), on a small frame of the same shape.

| shape                                              | before                                    |
|----------------------------------------------------|-------------------------------------------|
| a reason code blank on some rows (a categorical)   | classify: "Cannot setitem on a Categorical" |
| 127+ services, a service page (top_drivers)        | "Buffer dtype mismatch ... int8_t"        |
| complaints: a response date, no acknowledgement    | notebook 05: KeyError 'acknowledged_on'   |
| complaints: neither date                           | the complaints page dropped altogether    |
| complaints with contact ids, no response date      | classify: KeyError 'responded_on'         |
| a quarter with no customer in a segment, or none   | at a glance: KeyError 'likely_excluded'   |
| contacts by week (notebook 01)                     | "the busiest week began" its last day; an |
|                                                    | empty week could be called the busiest    |
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

from cxinsight import availability
from cxinsight import complaints as cmp
from cxinsight.demand import classify
from cxinsight.demand.measures import top_drivers

if TYPE_CHECKING:
    from cxinsight.analysis import Analysis


def test_a_blank_reason_code_is_classified_not_a_crash():
    """The pipeline stores a reason code as a categorical; a row without one is missing, and filling
    it with "" (not one of its categories) raised before the text was read as text."""
    contacts = pd.DataFrame({
        "contact_id": ["1", "2", "3"], "customer_id": [None, None, None],
        "channel": pd.Categorical(["web", "phone", "phone"]), "service": pd.Categorical(["waste"] * 3),
        "reason": pd.Categorical(["Missed bin", None, None]),
        "notes": ["third time chasing the missed bin", "order a new bin", None],
        "received_at": pd.to_datetime(["2024-05-01 10:00", "2024-05-02 15:00", "2024-05-03 09:00"])})
    out = classify(contacts)
    assert len(out) == 3
    assert out["demand"].astype(str).tolist()[0] == "failure"
    everything_blank = contacts.assign(reason=pd.Categorical([None] * 3, categories=pd.Index([], dtype="str")))
    assert len(classify(everything_blank)) == 3


def _many_services(services: int, n: int = 3000, seed: int = 0) -> pd.DataFrame:
    """Classified contacts over ``services`` services (a categorical, as the pipeline stores it)."""
    rng = np.random.default_rng(seed)
    names = [f"service_{i:03d}" for i in range(services)]
    long_text = "still waiting for the repair we were promised weeks ago " * 3  # too long to quote
    return pd.DataFrame({
        "contact_id": [f"C{i}" for i in range(n)],
        "service": pd.Categorical(rng.choice(names, n), categories=names),
        "failure_type": pd.Categorical(rng.choice(["progress_chasing", "not_done", ""], n)),
        "demand": pd.Categorical(rng.choice(["failure", "value"], n), categories=["failure", "value"]),
        "notes": np.where(rng.random(n) < 0.5, "chasing the missed bin again", long_text)})


@pytest.mark.parametrize("services", [100, 127, 128, 600])
def test_top_drivers_on_one_service_of_many(services):
    """A service page scopes the contacts to one service but keeps every category of the column. The
    examples were looked up by reindexing a MultiIndex: with none to quote, its levels were empty (int8
    codes) and the keys' had 127 or more categories (int16), and pandas raised a buffer dtype mismatch."""
    contacts = _many_services(services)
    one = contacts.loc[contacts["service"] == "service_001"]
    quiet = one.assign(notes="x")  # nothing of a readable length to quote
    every = set(contacts["contact_id"].astype(str))  # as if an analyst had approved every note for quoting
    for frame in (contacts, one, quiet, one.iloc[:0]):
        drivers = top_drivers(frame, by="service", top=3, examples=1, approved=every)
        assert set(drivers["service"].astype(str)) <= set(frame["service"].astype(str))
        assert drivers["examples"].map(type).eq(str).all()
    drivers = top_drivers(one, by="service", top=3, examples=1, approved=every)
    assert len(drivers) == 3 and drivers["examples"].ne("").any()
    assert top_drivers(quiet, by="service", approved=every)["examples"].eq("").all()


# ---- complaints: every subset of the optional fields ------------------------------------------

REAL = Path(__file__).resolve().parent / "data" / "real"
OPTIONAL = ("acknowledged_on", "responded_on", "extension", "category", "outcome", "summary", "contact_id")


def _register() -> pd.DataFrame:
    """Six complaints, two escalated, every optional field filled (as the demo's register)."""
    return pd.DataFrame({
        "complaint_id": ["c1", "c2", "c3", "c4", "c1", "c2"], "stage": [1, 1, 1, 1, 2, 2],
        "received_on": pd.to_datetime(["2024-06-03", "2024-06-04", "2024-06-05", "2024-06-20", "2024-07-01",
                                       "2024-07-02"]),
        "acknowledged_on": pd.to_datetime(["2024-06-04", None, "2024-06-14", "2024-06-21", "2024-07-02", None]),
        "responded_on": pd.to_datetime(["2024-06-14", "2024-06-28", None, None, "2024-07-20", None]),
        "extension": [False, True, False, False, False, False],
        "service": pd.Categorical(["parking", "parking", "waste", "waste", "parking", "parking"]),
        "category": pd.Categorical(["delay", "attitude", "delay", "delay", "delay", "attitude"]),
        "outcome": pd.Categorical(["Upheld", "Not upheld", None, None, "Partially upheld", None]),
        "summary": ["still waiting for a reply about the permit"] * 6,
        "contact_id": ["k1", None, "k3", None, None, None]})


SUBSETS = [subset for r in range(len(OPTIONAL) + 1) for subset in itertools.combinations(OPTIONAL, r)]


@pytest.mark.parametrize("kept", [s for s in SUBSETS if set(s) <= {"acknowledged_on", "responded_on", "outcome"}]
                         + [OPTIONAL, ("responded_on", "contact_id"), ("acknowledged_on", "summary", "category")],
                         ids=lambda s: "+".join(s) or "none")
def test_complaint_measures_with_a_subset_of_the_optional_fields(kept):
    """Timeliness measures what the register's dates support and nothing else; volumes need nothing
    optional; the upheld rate needs outcomes that say upheld or not."""
    register = _register().drop(columns=[c for c in OPTIONAL if c not in kept])
    timed = cmp.timeliness(register)
    summary = cmp.timeliness_summary(timed)
    measured = set(summary["measure"].str.split().str[0])
    assert measured == {w for w, c in (("acknowledged", "acknowledged_on"), ("responded", "responded_on")) if c in kept}
    assert ("overdue" in timed) == ("responded_on" in kept)
    sections = cmp.annual_report_sections(timed).set_index("section")["from_the_data"]
    for field in ("acknowledged_on", "responded_on"):
        assert (availability.unlock(f"complaints.{field}") in sections["c"]) == (field not in kept)
    assert cmp.volumes(register)["total"].sum() == len(register)
    assert cmp.records_upheld(register) == ("outcome" in kept)
    assert cmp.summary_topics(register, by="service", min_df=1).empty == ("summary" not in kept)
    contacts = pd.DataFrame({"contact_id": ["k1", "k2", "k3"], "customer_id": ["u1", "u1", "u2"],
                             "channel": pd.Categorical(["phone"] * 3), "service": pd.Categorical(["parking"] * 3),
                             "notes": ["permit", "chasing my permit reply", "bin"],
                             "received_at": pd.to_datetime(["2024-06-02", "2024-06-10", "2024-06-04"])})
    assert len(classify(contacts, complaints=register)) == 3


def test_a_register_without_dates_still_gives_the_complaints_page(tmp_path):
    """The CFPB extract has no acknowledgement or response date: the page still runs (volumes,
    outcomes) and says what the dates would unlock; it used to be dropped, so nothing was shown."""
    from cxinsight.pipeline import build_processed
    from cxinsight.report import NEEDS

    build_processed(REAL / "cfpb_bank" / "sources.yaml", tmp_path)
    have = availability.supplied(tmp_path)
    assert "responded_on" not in have["complaints"]
    assert all(availability.available(have, need) for need in NEEDS["05_complaints.ipynb"])


def _cfpb_register(folder: Path, dates: dict[str, str]) -> Path:
    """The real CFPB extract as a complaints register whose profile maps ``dates`` (field: column)
    besides its own fields: a council whose register records some dates and not others."""
    import shutil

    import yaml

    from cxinsight.profile import read_yaml

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(REAL / "cfpb_bank" / "Consumer_Complaints_head.csv", folder)
    profile = read_yaml(Path(cmp.__file__).parent / "profiles" / "cfpb_complaints_register.yaml")
    profile = {**profile, "name": "register_variant", "columns": {**profile["columns"], **dates}}
    (folder / "profiles").mkdir(exist_ok=True)
    (folder / "profiles" / "register_variant.yaml").write_text(yaml.safe_dump(profile), encoding="utf-8")
    sources = yaml.safe_load((REAL / "cfpb_bank" / "sources.yaml").read_text(encoding="utf-8"))
    for export in sources["exports"]:
        if export["table"] == "complaints":
            export["profile"] = "register_variant"
    (folder / "sources.yaml").write_text(yaml.safe_dump(sources), encoding="utf-8")
    return folder / "sources.yaml"


def _page_text(executed: Path) -> str:
    import nbformat

    out = []
    for cell in nbformat.read(executed, as_version=4).cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            out.append(data.get("text/markdown") or data.get("text/html") or o.get("text", ""))
    return "\n".join(out)


ACK, ANSWERED = "Complaints acknowledged within 5 working days: not available", \
    "Complaints answered within the codes' limits: not available"


@pytest.mark.parametrize("dates", [{}, pytest.param({"responded_on": "date_received"}, marks=pytest.mark.slow),
                                   pytest.param({"acknowledged_on": "date_received"}, marks=pytest.mark.slow)],
                         ids=["no dates", "response date only", "acknowledgement date only"])
def test_notebook_05_on_a_real_register_with_some_dates(dates, tmp_path):
    """A register with a response date and no acknowledgement date crashed notebook 05 (KeyError
    'acknowledged_on'); one with neither had no complaints page at all. Each now gives volumes, the
    timeliness its dates support and, for the rest, what would unlock it."""
    from cxinsight.analysis import build_analysis
    from cxinsight.figures import build_figures
    from cxinsight.pipeline import build_processed
    from cxinsight.report import execute

    processed = tmp_path / "processed"
    build_processed(_cfpb_register(tmp_path / "raw", dates), processed)
    build_analysis(processed)  # the notebooks show what the stages built (cxinsight analyse)
    text = _page_text(execute("05_complaints.ipynb", tmp_path / "05.ipynb", {"processed_dir": str(processed)}))
    assert "Complaints by service and stage" in text
    assert (ACK in text) == ("acknowledged_on" not in dates)
    assert (ANSWERED in text) == ("responded_on" not in dates)
    assert ("acknowledged within 5 working days (95% interval" in text) == ("acknowledged_on" in dates)
    assert ("responded within the code's limit (95% interval" in text) == ("responded_on" in dates)
    # CFPB outcomes ("Closed with explanation") do not say upheld or not: no 0% upheld rate
    assert "Upheld rate: not available" in text and "Complaints by outcome, as recorded" in text
    assert "Escalation to stage 2: not available" in text  # a single-stage register
    assert "What each service's complaints are about: not available" in text
    if dates == {"responded_on": "date_received"}:  # and the at-a-glance page shows the headline
        build_figures(processed)
        glance = _page_text(execute("07_at_a_glance.ipynb", tmp_path / "07.ipynb",
                                    {"processed_dir": str(processed), "service": "council"}))
        assert "Stage 1 complaints answered on time" in glance and "The weakest point is stage 1" in glance


# ---- customer segments: a quarter where a segment, or every customer, is absent --------------

def _council_with_customers(anonymous_from: str | None, excluded_until: str | None) -> Analysis:
    """Two years of classified contacts (April 2023 to March 2025) by 1,500 customers in the three
    segments (the first 150 likely excluded); from ``anonymous_from`` no contact carries a customer
    number (a council that stopped recording them), and from ``excluded_until`` no likely excluded
    customer makes contact."""
    from cxinsight.analysis import Analysis, Options
    from cxinsight.exclusion.customers import SEGMENTS

    rng = np.random.default_rng(3)
    n = 6000
    hours = np.sort(rng.integers(0, 731 * 24, n))
    hours[-1] = 731 * 24 - 4  # the last on 31 March 2025, so January to March is the latest whole quarter
    when = pd.Timestamp("2023-04-01") + pd.to_timedelta(hours, unit="h")
    number = rng.integers(0, 1500, n)
    if excluded_until is not None:  # their contacts from then on are made by self-serve customers instead
        number = np.where((number < 150) & (when >= pd.Timestamp(excluded_until)), number + 1000, number)
    customer = pd.Series(np.char.add("P", number.astype(str)), dtype="str")
    if anonymous_from is not None:
        customer = customer.where(when < pd.Timestamp(anonymous_from))
    failure = rng.random(n) < 0.3
    contacts = pd.DataFrame({
        "contact_id": [f"C{i}" for i in range(n)], "customer_id": customer, "received_at": when,
        "service": pd.Categorical(rng.choice(["parking", "waste"], n)),
        "channel": pd.Categorical(rng.choice(["web", "phone", "letter"], n)),
        "demand": pd.Categorical(np.where(failure, "failure", "value")),
        "demand_confidence": 0.9,  # as classify writes it: the provisional share reads it
        "failure_type": pd.Categorical(np.where(failure, "not_done", ""))})
    ids = np.arange(1500)
    segment = np.where(ids < 150, "likely_excluded", np.where(ids < 600, "could_shift_with_support", "self_serve"))
    segments = pd.DataFrame({"customer_id": pd.Series(np.char.add("P", ids.astype(str)), dtype="str"),
                             "segment": pd.Categorical(segment, categories=list(SEGMENTS))})
    return Analysis(Path("."), Options(draws=200), contacts, None, None, None, None, None, "no review", segments)


@pytest.mark.parametrize("anonymous_from, excluded_until", [("2025-01-01", None), (None, "2025-01-01"),
                                                             ("2024-12-15", "2024-06-01")],
                         ids=["latest quarter without customer numbers", "latest quarter without excluded",
                              "both"])
def test_headlines_for_a_quarter_missing_a_segment(anonymous_from, excluded_until):
    """Each quarter's figures (the at-a-glance page's change against earlier quarters) segment the
    customers seen in it; a quarter with none had an empty size table and `sizes.loc['likely_excluded']`
    raised. Every segment is now there, with a base of 0 saying so."""
    from cxinsight import headlines
    from cxinsight.exclusion.customers import SEGMENTS, segment_sizes

    whole = _council_with_customers(anonymous_from, excluded_until)
    figs = headlines.compute(whole, headlines.COUNCIL, "2025-01-01/2025-03-31", with_savings=False)
    assert list(figs.sizes.index) == list(SEGMENTS)
    if anonymous_from is not None:
        assert figs.get("likely_excluded") is None
        assert figs.missing["likely_excluded"] == "No customers with a customer number in this period."
    else:
        assert figs.get("likely_excluded").estimate == 0.0 and figs.get("likely_excluded").base > 0
    changes, _ = headlines.comparison(whole)  # the at-a-glance page's change against earlier quarters
    assert changes["failure_share"][0][2] == "January to March 2025"
    for service in ("parking", None):  # the pages' own figures (with savings) for the whole period
        assert headlines.compute(whole.scoped(service)).get("likely_excluded").base > 0
    empty = segment_sizes(whole.segments.iloc[:0])
    assert empty["segment"].tolist() == list(SEGMENTS) and (empty["base"] == 0).all()


# ---- the busiest week --------------------------------------------------------------------------

def test_the_busiest_week_is_named_by_its_monday_and_part_weeks_are_left_out():
    """A week is labelled by the day it began; weeks cut by the export's first or last day are left
    out (the first and last rows were dropped whatever they were); an export that begins on a Monday
    keeps its first week; a period with no contacts is never the busiest."""
    from cxinsight.charts import busiest, counts_over_time

    # Wednesday 3 January to Wednesday 6 March 2024: the first week (1 January) and the last are cut
    days = pd.date_range("2024-01-03", "2024-03-06 23:00", freq="h")
    when = pd.Series(days[(days.day_of_week < 5) & (days.hour.isin([9, 14]))])
    when = pd.concat([when, pd.Series(pd.date_range("2024-01-03 10:00", periods=40, freq="min"))])  # a busy part week
    when = pd.concat([when, pd.Series(pd.date_range("2024-02-13 10:00", periods=5, freq="min"))])  # busiest whole week
    counts, unit, cut = counts_over_time(when)
    assert unit == "week" and cut == 2
    assert (counts.index.day_of_week == 0).all() and counts.index[0] == pd.Timestamp("2024-01-08")
    assert int(counts.loc["2024-02-12"].sum()) == 15
    assert busiest(counts, unit, cut).startswith("The busiest week began on Monday 12 February 2024")
    # beginning on a Monday, the first week is whole and kept
    counts, _, cut = counts_over_time(when.loc[when >= "2024-01-08"])
    assert counts.index[0] == pd.Timestamp("2024-01-08") and cut == 1
    # contacts only in the two cut weeks: no week is called the busiest
    ends = pd.Series(pd.to_datetime(["2024-01-03 10:00", "2024-01-04 10:00", "2024-03-05 10:00"]))
    counts, unit, cut = counts_over_time(ends)
    assert len(counts) == 8 and counts.to_numpy().sum() == 0
    assert busiest(counts, unit, cut) == ("No whole week had any contacts (weeks cut by the start or end of the "
                                          "export are left out).")


@pytest.mark.slow  # runs a notebook on a real feed: in `make test-slow` and CI (issue 31: `make test` in under 3 minutes)
def test_notebook_01_names_the_busiest_week_of_a_real_feed(tmp_path):
    """The FixMyStreet feed (68 reports, 15 August 2024 to 22 March 2025, four snapshots): its
    reports of January 2025 came on Monday 13 and Tuesday 14 January. Notebook 01 said the busiest
    week began 20 January 2025 (the last day of a week that ran from the 14th)."""
    from cxinsight.pipeline import build_processed
    from cxinsight.report import execute

    build_processed(REAL / "fixmystreet_cheltenham" / "sources.yaml", tmp_path / "processed")
    text = _page_text(execute("01_data_quality.ipynb", tmp_path / "01.ipynb",
                              {"processed_dir": str(tmp_path / "processed")}))
    assert ("The busiest week began on Monday 13 January 2025 (weeks cut by the start or end of the export "
            "are left out). Use the pattern to plan staffing.") in text


def test_a_note_is_quoted_only_where_an_analyst_approved_it(tmp_path):
    """Real agency notes hold staff and residents' names the redactor misses (San Francisco 311's
    status notes stopped the whole report at the last gate): a page quotes a note only when its
    contact is listed in approved_quotes.csv in the review folder beside the processed one."""
    from cxinsight.review_layer import APPROVED_QUOTES, approved_quotes

    contacts = _many_services(3)
    assert top_drivers(contacts, by="service")["examples"].eq("").all()
    processed = tmp_path / "data" / "processed"
    assert approved_quotes(processed) == set()
    (tmp_path / "data" / "review").mkdir(parents=True)
    (tmp_path / "data" / "review" / APPROVED_QUOTES).write_text("contact_id\nC1\nC2\n", encoding="utf-8")
    approved = approved_quotes(processed)
    assert approved == {"C1", "C2"}
    quoted = top_drivers(contacts, by="service", examples=5, approved=approved)
    fail = contacts.loc[contacts["contact_id"].isin(approved) & contacts["demand"].eq("failure")]
    allowed = set(fail["notes"]) | {""}
    assert set(" | ".join(quoted["examples"]).split(" | ")) <= allowed
