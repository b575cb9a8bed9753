"""The council's own settings (council.yaml, issue 27): validated, cited defaults uprated by the CPI,
threaded into the business case, written by `cxinsight init`.

The acceptance test changes the phone unit cost in council.yaml and checks the NPV the index and
page 04 show against a computation written here from the model's definition (domain.md s.3: a
logistic take-up to a ceiling, Green Book discounting), not by calling the savings code again.
"""

from __future__ import annotations

import json
import logging
from dataclasses import fields

import numpy as np
import pandas as pd
import pytest

from cxinsight import analysis, headlines, publish, review_layer
from cxinsight.cli import main
from cxinsight.exclusion.customers import SegmentRules, segment_customers
from cxinsight.pipeline import build_processed
from cxinsight.preflight import preflight
from cxinsight.report.notebooks import MAX_SERVICE_REPORTS, MIN_SERVICE_CONTACTS
from cxinsight.savings import SavingsAssumptions, summarise
from cxinsight.settings import (
    CPI_D7BT,
    Settings,
    SettingsError,
    council_template,
    init_folder,
    load_settings,
    uprate,
)
from cxinsight.synthetic import DemoSpec, generate_demo


@pytest.fixture(autouse=True)
def _the_default_publishing_rule_after_each_test():
    """Loading a council's analysis puts its publishing rule in force for the process: each test here
    leaves the default in force for whatever runs next."""
    yield
    publish.activate(publish.Publishing())


def write(folder, text: str):
    path = folder / "council.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# ---- validation ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, named", [
    ("savings:\n  unit_cost:\n    phone: 3\n", "unknown key savings.unit_cost (did you mean 'unit_costs'?)"),
    ("saving:\n  discount_rate: 0.03\n", "unknown key saving (did you mean 'savings'?)"),
    ("savings:\n  unit_costs:\n    phnoe: 3\n", "unknown key savings.unit_costs.phnoe (did you mean 'phone'?)"),
    ("savings:\n  unit_costs:\n    phone: -2\n", "savings.unit_costs.phone: expected a cost in £ per contact"),
    ("savings:\n  unit_costs:\n    phone: cheap\n", "found 'cheap'"),
    ("savings:\n  discount_rate: 3.5\n", "savings.discount_rate: expected a real rate from 0 to 0.2, found 3.5"),
    ("savings:\n  horizon_years: 2.5\n", "savings.horizon_years: expected a whole number of years"),
    ("savings:\n  take_up_ceiling: {value: 0.6, low: 0.7, high: 0.8}\n", "expected low <= value <= high"),
    ("savings:\n  running_cost: {value: 9000, year: 1999}\n", "savings.running_cost.year: expected a year from 2008"),
    ("savings:\n  take_up_ceiling: {value: 0.6, year: 2020}\n", "unknown key savings.take_up_ceiling.year"),
    ("exclusion:\n  never_online: 0.5\n  low_capability: 0.2\n", "never_online no larger than low_capability"),
    ("prices_year: 2031\n", "prices_year: expected a year from 2008 to"),
    ("savings:\n  service_unit_costs:\n    parking: {phone: {value: 4, low: 3, high: 5}}\n", "a single cost"),
    # analysis:
    ("analysis:\n  deri_versoin: v1.2\n", "unknown key analysis.deri_versoin (did you mean 'deri_version'?)"),
    ("analysis:\n  deri_version: v1.3\n", "analysis.deri_version: expected one of ['v1.4', 'v1.2'] (did you mean "
                                           "'v1.4'?), found 'v1.3'"),
    ("analysis:\n  draws: 50\n", "analysis.draws: expected a whole number of draws from 100 to 1,000,000, found 50"),
    ("analysis:\n  seed: 1.5\n", "analysis.seed: expected a whole number"),
    ("analysis:\n  repeat_window_days: 0\n", "analysis.repeat_window_days: expected a number of days from 1 to 365"),
    ("analysis:\n  learn_from_review: maybe\n", "analysis.learn_from_review: expected true or false, found 'maybe'"),
    ("analysis:\n  segment_check_size: 10\n", "analysis.segment_check_size: expected a whole number of customers "
                                               "from 30 to 100,000"),
    ("analysis:\n  review: {precison: 0.03}\n", "unknown key analysis.review.precison (did you mean 'precision'?)"),
    ("analysis:\n  review: {precision: 3}\n", "analysis.review.precision: expected a half-width from 0.005 to 0.2 "
                                               "(0.03 is +/- 3 points), found 3"),
    ("analysis:\n  review: 0.03\n", "analysis.review: expected a mapping of keys to values, found 0.03"),
    # segments:
    ("segments:\n  excluded_treshold: 2\n", "unknown key segments.excluded_treshold (did you mean "
                                             "'excluded_threshold'?)"),
    ("segments:\n  age_under_50: 2\n", "segments.age_under_50: expected points from -10 to 0, found 2"),
    ("segments:\n  age_75_plus: -1\n", "segments.age_75_plus: expected points from 0 to 10, found -1"),
    ("segments:\n  self_serve_share: 1.5\n", "segments.self_serve_share: expected a share from 0 to 1"),
    ("segments:\n  max_digital_share: 0.6\n", "segments: expected max_digital_share (the most a likely-excluded "
                                               "customer uses digital channels) below self_serve_share"),
    ("segments:\n  excluded_threshold: {value: 2, low: 1, high: 3}\n", "segments.excluded_threshold: expected "
                                                                         "points from 0 to 40 (a single number)"),
    # publishing: stricter only
    ("publishing:\n  small_mx: 9\n", "unknown key publishing.small_mx (did you mean 'small_max'?)"),
    ("publishing:\n  small_max: 5\n", "publishing.small_max: expected a whole number of at least 7: a council may make "
                                       "the publishing rules stricter, never weaker (counts of 1 to 7 are shown as * by "
                                       "the NHS England rule for sub-national tables"),
    ("publishing:\n  round_to: 1\n", "publishing.round_to: expected a whole number of at least 5: a council may make "
                                      "the publishing rules stricter, never weaker (other counts are rounded to the "
                                      "nearest 5 by the NHS England rule"),
    ("publishing:\n  min_nps_responses: 10\n", "publishing.min_nps_responses: expected a whole number of at least 30: "
                                                "a council may make the publishing rules stricter, never weaker"),
    ("publishing:\n  round_to: 12\n", "publishing.round_to: expected a multiple of 5 from 5 to 1,000, found 12"),
    ("publishing:\n  small_max: 9.5\n", "publishing.small_max: expected a whole number from 7 to 1,000, found 9.5"),
    ("publishing:\n  small_max: 40\n", "publishing.min_service_contacts: expected more contacts than small_max "
                                        "(40)"),
])
def test_a_bad_setting_is_refused_naming_file_key_expected_and_found(tmp_path, text, named):
    path = write(tmp_path, text)
    with pytest.raises(SettingsError) as err:
        load_settings(path)
    assert str(path) in str(err.value) and named in str(err.value)


def test_a_key_written_twice_is_an_error_not_a_silent_choice(tmp_path):
    with pytest.raises(SettingsError, match="'phone' is given twice"):
        load_settings(write(tmp_path, "savings:\n  unit_costs: {phone: 3, phone: 4}\n"))


def test_no_file_means_the_cited_defaults(tmp_path):
    s = load_settings(tmp_path)
    a = s.savings_assumptions(2011)
    assert not s.supplied and not any(x.council for x in a.unit_cost.values())
    assert a.unit_cost["phone"].value == 2.83  # SOCITM 2011 as published, in 2011 prices
    assert a.unit_cost["phone"].high == pytest.approx(3.76 * 93.4 / 84.7)  # the 2008 median in 2011 prices
    assert not any(SavingsAssumptions().table()["whose value"] == "the council's")


# ---- uprating ----------------------------------------------------------------------------------

def test_money_defaults_are_uprated_by_the_cpi_from_the_year_each_was_published():
    a = Settings.defaults().savings_assumptions(2024)
    phone = a.unit_cost["phone"]
    assert phone.value == pytest.approx(2.83 * 133.9 / 93.4)  # SOCITM 2011, 2011 prices
    assert phone.high == pytest.approx(3.76 * 133.9 / 84.7)  # SOCITM 2008 median, 2008 prices
    assert "uprated to 2024 by the ONS Consumer Prices Index (series D7BT" in phone.source
    assert a.assisted_digital_cost.value == pytest.approx(1.42 * 133.9 / 93.4)
    # placeholders, shares, rates and years are not money of an earlier year: unchanged
    base = SavingsAssumptions()
    for name in ("one_off_investment", "running_cost", "take_up_ceiling", "discount_rate"):
        assert getattr(a, name) == getattr(base, name)
    assert Settings.defaults().report_prices(2031) == max(CPI_D7BT)  # later years: the latest index held


def test_the_councils_own_value_replaces_the_default_and_says_so(tmp_path):
    s = load_settings(write(tmp_path, """
savings:
  unit_costs:
    phone: {value: 3.10, low: 2.90, high: 3.40, year: 2022, source: "Activity-based costing 2022/23"}
    web: 0.2
  service_unit_costs:
    parking: {phone: 4.10}
  one_off_investment: 250000
  horizon_years: 7
exclusion:
  never_online: 0.08
"""))
    a = s.savings_assumptions(2024)
    phone = a.unit_cost["phone"]
    assert phone.council and phone.value == pytest.approx(uprate(3.10, 2022, 2024))
    assert (phone.low, phone.high) == pytest.approx((2.90 * 133.9 / 121.7, 3.40 * 133.9 / 121.7))
    assert "Activity-based costing 2022/23" in phone.source and "2022 prices uprated to 2024" in phone.source
    assert (a.unit_cost["web"].value, a.unit_cost["web"].low, a.unit_cost["web"].high) == (0.2, 0.2, 0.2)
    assert a.one_off_investment.value == 250_000 and a.one_off_investment.council
    assert a.horizon_years == 7 and a.service_unit_cost == {("parking", "phone"): 4.10}
    assert not a.unit_cost["face_to_face"].council
    table = a.table().set_index("assumption")
    assert table.loc["unit cost: phone", "whose value"] == "the council's"
    assert table.loc["unit cost: face to face", "whose value"] == "default"
    assert table.loc["unit cost: parking, phone", "value"] == 4.10
    assert a.placeholders() == ["running cost", "failure programme cost"]
    assert headlines.costs_said(a) == "the council's own costs except running cost and failure programme cost " \
                                      "(placeholders)"
    rates = s.national_rates()
    assert rates.never_online == 0.08 and rates.low_capability == 0.35 and "the council" in rates.source


def test_a_service_cost_changes_the_projection_not_only_the_baseline():
    from cxinsight.savings import Inputs, baseline, project

    contacts = pd.DataFrame({"service": ["parking"] * 10 + ["waste"] * 10, "channel": ["phone"] * 20})
    shiftable = pd.DataFrame({"service": ["parking", "waste"], "channel": ["phone", "phone"],
                              "shiftable_low": [10.0, 10.0], "shiftable_central": [10.0, 10.0],
                              "shiftable_high": [10.0, 10.0]})
    from dataclasses import replace

    plain = SavingsAssumptions()
    dear = replace(plain, service_unit_cost={("parking", "phone"): 2.83 + 1.0})
    runs = {}
    for name, a in (("plain", plain), ("dear", dear)):
        inputs = Inputs.from_frames(baseline(contacts, a), shiftable)
        runs[name] = project(inputs, a, ["digital_push"])
    extra = runs["dear"]["shift_saving"] - runs["plain"]["shift_saving"]
    # each shifted parking call saves £1 more: shifted parking calls a year = half of all shifted
    assert np.allclose(extra, runs["plain"]["shifted"] / 2 * 1.0)
    assert runs["dear"]["baseline_cost"].iloc[1] - runs["plain"]["baseline_cost"].iloc[1] == pytest.approx(10.0)


# ---- cxinsight init ------------------------------------------------------------------------------

def test_init_writes_templates_that_load_as_the_defaults_and_never_overwrites(tmp_path, caplog):
    folder = tmp_path / "mycouncil"
    assert main(["init", str(folder)]) == 0
    s = load_settings(folder / "council.yaml")
    assert not s.supplied
    assert s.savings_assumptions(2024) == Settings.defaults().savings_assumptions(2024)
    text = (folder / "sources.yaml").read_text(encoding="utf-8")
    assert "table: contacts" in text and "# - {table: complaints" in text
    before = (folder / "council.yaml").read_bytes()
    with caplog.at_level(logging.ERROR):
        assert main(["init", str(folder)]) == 2
    assert "never overwrites" in caplog.text and (folder / "council.yaml").read_bytes() == before
    with pytest.raises(FileExistsError):
        init_folder(folder)


def test_every_setting_in_the_template_is_its_default_when_uncommented(tmp_path):
    """Uncommented, the template's values are the defaults (to 6 significant figures): it lists every
    setting, and each with the value, range and year of its source."""
    lines = []
    for line in council_template().splitlines():
        stripped = line.lstrip()
        entry = stripped.startswith("# ") and ":" in stripped and not stripped.startswith("# council_tax") \
            and line.startswith("  ")
        lines.append(line.replace("# ", "", 1) if entry else line)
    s = load_settings(write(tmp_path, "\n".join(lines)))
    wanted = {f"savings.unit_costs.{c}" for c in SavingsAssumptions().unit_cost} | {
        f"savings.{n}" for n in ("take_up_ceiling", "take_up_midpoint", "take_up_steepness", "failure_removal",
                                 "assisted_digital_share", "assisted_digital_cost", "induced_demand",
                                 "one_off_investment", "running_cost", "failure_programme_cost", "discount_rate",
                                 "horizon_years")} | {f"exclusion.{n}" for n in ("never_online", "low_capability",
                                                                                  "low_take_up")} | {
        f"analysis.{n}" for n in ("deri_version", "repeat_window_days", "draws", "seed", "learn_from_review",
                                  "segment_check_size", "review.precision")} | {
        f"segments.{f.name}" for f in fields(SegmentRules)} | {
        f"publishing.{n}" for n in ("small_max", "round_to", "min_service_contacts", "max_service_reports",
                                    "min_nps_responses")}
    assert set(s.council_keys()) == wanted
    mine, default = s.savings_assumptions(2024), Settings.defaults().savings_assumptions(2024)
    for (_, m), (_, d) in zip(mine.table().iterrows(), default.table().iterrows(), strict=True):
        for col in ("value", "low", "high"):
            assert m[col] == pytest.approx(d[col], rel=1e-5), (m["assumption"], col)
    assert mine.horizon_years == default.horizon_years
    assert analysis.options_from(s) == analysis.Options() and s.segment_rules() == SegmentRules()
    assert (s.publishing.small_max, s.publishing.round_to) == (publish.SMALL_MAX, publish.ROUND_TO)
    assert (s.publishing.min_service_contacts, s.publishing.max_service_reports) == (MIN_SERVICE_CONTACTS,
                                                                                     MAX_SERVICE_REPORTS)
    assert "Not yet settable" not in council_template()


# ---- the acceptance test: change the phone cost, the NPV moves by what the model's definition gives ----

FIXED = """
savings:
  unit_costs:
    face_to_face: 9.00
    phone: {phone}
    web: 0.20
    email: 2.50
    letter: 11.00
    webchat: 2.00
    social: 2.00
    other: 3.00
  take_up_ceiling: 0.6
  take_up_midpoint: 2.0
  take_up_steepness: 1.5
  failure_removal: 0
  assisted_digital_share: 0.15
  assisted_digital_cost: 1.50
  induced_demand: 0.1
  one_off_investment: {{value: 120000, source: "Project budget 2024/25"}}
  running_cost: 25000
  failure_programme_cost: 15000
  discount_rate: 0.035
  horizon_years: 5
"""


@pytest.fixture(scope="module")
def council(tmp_path_factory):
    """A small demo council analysed twice: council.yaml with a phone contact at £3.00, then at £4.50."""
    root = tmp_path_factory.mktemp("settings")
    generate_demo(root / "raw", root / "key", DemoSpec(contacts=3000, seed=5))
    out = {}
    for phone in (3.00, 4.50):
        write(root / "raw", FIXED.format(phone=f"{phone:.2f}"))
        processed = root / f"processed_{int(phone * 100)}"
        build_processed(root / "raw" / "sources.yaml", processed)
        out[phone] = (processed, headlines.compute(analysis.load_analysis(processed)))
    return out


def npv_per_shiftable(processed, figures, phone: float) -> tuple[float, float]:
    """From the contacts and the settings alone: the NPV of both levers is ``m * B - C`` where ``m``
    scales the shiftable volume (the only input still drawn: every assumption above is fixed and
    failure removal is 0), ``B`` the discounted savings of the central shiftable volume and ``C`` the
    discounted costs. Returns (B, C)."""
    contacts = pd.read_parquet(processed / "contacts.parquet", columns=["customer_id", "channel", "received_at"])
    days = (contacts["received_at"].max().normalize() - contacts["received_at"].min().normalize()).days + 1
    per_year = 365.25 / days
    segments = analysis.load_analysis(processed).segments
    segment = contacts["customer_id"].map(segments.set_index("customer_id")["segment"].astype(str))
    non_digital = ~contacts["channel"].astype(str).isin(["email", "web", "webchat", "social"])
    can = non_digital & segment.isin(["self_serve", "could_shift_with_support"])
    shiftable = contacts.loc[can, "channel"].astype(str).value_counts() * per_year
    cost = {"face_to_face": 9.00, "phone": phone, "letter": 11.00, "other": 3.00}
    web, per_shifted_extra = 0.20, 0.15 * 1.50 + 0.1 * 0.20  # web handling, assisted digital, induced web contacts
    saving_per_year = sum(n * (cost[ch] - web - per_shifted_extra) for ch, n in shiftable.items())
    years = np.arange(1, 6)
    logistic = lambda t: 1 / (1 + np.exp(-1.5 * (t - 2.0)))  # noqa: E731
    take_up = 0.6 * (logistic(years) - logistic(0)) / (1 - logistic(0))
    discount = 1 / 1.035 ** years
    b = float((discount * take_up).sum() * saving_per_year)
    c = 120_000 + float(discount.sum() * (25_000 + 15_000))
    return b, c


def test_changing_the_phone_cost_moves_the_npv_by_what_the_model_definition_gives(council):
    (p_a, fig_a), (p_b, fig_b) = council[3.00], council[4.50]
    b_a, c = npv_per_shiftable(p_a, fig_a, 3.00)
    b_b, _ = npv_per_shiftable(p_b, fig_b, 4.50)
    assert b_b > b_a > 0
    # central assumptions (the shiftable volume at its central estimate): NPV = B - C exactly
    for fig, b in ((fig_a, b_a), (fig_b, b_b)):
        central = summarise(fig.savings.projection).set_index("scenario").loc["both", "npv"]
        assert central == pytest.approx(b - c, rel=1e-9)
    # every draw: the same shiftable multiplier m in both runs (common random numbers), so
    # NPV_b = (NPV_a + C) * B_b / B_a - C, draw by draw
    npv_a, npv_b = fig_a.savings.runs["both"]["npv"], fig_b.savings.runs["both"]["npv"]
    np.testing.assert_allclose(npv_b, (npv_a + c) * b_b / b_a - c, rtol=1e-9)
    # the index's figure (the median) moves the same way: a median commutes with an increasing line
    index_a, index_b = fig_a.get("savings_npv").estimate, fig_b.get("savings_npv").estimate
    m = (index_a + c) / b_a
    assert 0.5 < m < 1.5
    assert index_b == pytest.approx(m * b_b - c, rel=1e-9)
    assert index_b - index_a == pytest.approx(m * (b_b - b_a), rel=1e-9)
    # what the index shows is the figures stage's record of that figure (cxinsight.figures)
    from cxinsight import figures

    for processed, fig in ((p_a, fig_a), (p_b, fig_b)):
        figures.build_figures(processed)
        shown = next(h for h in figures.read_headlines(processed, "council") if h.measure == "savings_npv")
        assert shown.estimate == fig.get("savings_npv").estimate and "the council's own investment costs" in shown.note


def test_the_councils_values_are_named_and_placeholders_only_where_defaults_remain(council):
    processed, fig = council[4.50]
    s = fig.savings
    table = s.assumptions.table().set_index("assumption")
    assert table.loc["unit cost: phone", "value"] == 4.50
    assert table.loc["unit cost: phone", "whose value"] == "the council's"
    assert "unit cost: phone" in s.whose_values() and "one off investment" in s.whose_values()
    note = fig.get("savings_npv").note
    assert "placeholder" not in note and "the council's own investment costs" in note
    manifest = json.loads((processed / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["settings"]["supplied"] and (processed / "council.yaml").exists()


def test_a_changed_council_yaml_is_a_new_analysis(council, caplog):
    processed, _ = council[4.50]
    analysis.load_analysis(processed)
    kept = (processed / "council.yaml").read_text(encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="cxinsight.analysis"):
        analysis.load_analysis(processed)
    assert not any("building it" in r.getMessage() for r in caplog.records)
    # the analysis key reads the settings kept with the processed data (the manifest lists their size,
    # so a same-size edit is what can slip past the manifest alone)
    (processed / "council.yaml").write_text(kept.replace("4.50", "4.60"), encoding="utf-8")
    try:
        with caplog.at_level(logging.INFO, logger="cxinsight.analysis"):
            changed = analysis.load_analysis(processed)
        assert any("building it" in r.getMessage() for r in caplog.records)
        assert headlines.compute(changed).savings.assumptions.unit_cost["phone"].value == 4.60
    finally:
        (processed / "council.yaml").write_text(kept, encoding="utf-8")


def test_preflight_checks_council_yaml_before_any_export_is_read(tmp_path):
    generate_demo(tmp_path / "raw", tmp_path / "key", DemoSpec(contacts=500, seed=2))
    write(tmp_path / "raw", "savings:\n  unit_costs:\n    phoen: 3\n")
    with pytest.raises(SettingsError, match="did you mean 'phone'"):
        preflight(tmp_path / "raw" / "sources.yaml")
    write(tmp_path / "raw", "savings:\n  unit_costs:\n    phone: 3\n")
    assert preflight(tmp_path / "raw" / "sources.yaml").settings.given["savings.unit_costs.phone"].value == 3


@pytest.mark.slow
def test_page_04_names_the_councils_phone_cost(council, tmp_path):
    from cxinsight.report.run import execute

    processed, _ = council[4.50]
    executed = execute("04_channel_shift.ipynb", tmp_path / "04.ipynb", {"processed_dir": str(processed)})
    nb = json.loads(executed.read_text(encoding="utf-8"))
    text = "\n".join("".join(o.get("data", {}).get("text/html", "")) + "".join(o.get("data", {}).get("text/markdown", ""))
                     + "".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", []))
    assert "£4.50" in text and ("The council&#x27;s" in text or "The council's" in text)
    assert "The council's own values (from its settings): unit cost: face to face, unit cost: phone" in text
    assert "placeholders until the council supplies its own" not in text  # every cost here is the council's


# ---- analysis, segments and publishing: each setting changes what it should ------------------------

def test_the_analysis_options_are_the_councils_over_the_defaults_and_a_runs_own_win(tmp_path):
    s = load_settings(write(tmp_path, "analysis:\n  deri_version: v1.2\n  draws: 2000\n  learn_from_review: true\n"
                                      "  review: {precision: 0.05}\n"))
    o = analysis.options_from(s)
    assert (o.deri_version, o.draws, o.learn_from_review, o.review_precision) == ("v1.2", 2000, True, 0.05)
    assert (o.seed, o.repeat_window_days, o.segment_check_size, o.review_size) == (2024, 14, 300, None)
    assert analysis.options_from(s, seed=7, review_size=400).seed == 7  # a run's own options win
    assert analysis.options_for(tmp_path / "nowhere") == analysis.Options()  # no council.yaml: the defaults
    said = s.whose("analysis", analysis.Options(deri_version="v1.4"))
    assert "The council's own (from its settings): DERI version v1.2" in said and "Set for this run: DERI version v1.4" in said


def test_the_councils_segment_rule_segments_its_customers_and_says_whose_it_is(tmp_path):
    features = pd.DataFrame({"customer_id": ["a", "b"], "contacts": [3, 3], "digital": [0, 0], "digital_share": [0.0, 0.0],
                             "assisted": [4, 3], "counter_or_letter": [0, 0], "repeat_assisted": [0, 0],
                             "age_band": ["50-64", "50-64"], "area_deri": [5.0, 5.0]})
    default = segment_customers(features, load_settings(tmp_path).segment_rules())
    assert default["segment"].astype(str).tolist() == ["likely_excluded", "likely_excluded"]  # 3 and 2 points >= 1.5
    s = load_settings(write(tmp_path, "segments:\n  excluded_threshold: 2.5\n  per_extra_assisted: 1\n"))
    mine = segment_customers(features, s.segment_rules())
    assert mine["segment"].astype(str).tolist() == ["likely_excluded", "could_shift_with_support"]
    said = s.whose("segments")
    assert said.startswith("The segment rule is the council's own where it set it (from its settings): ")
    assert "points needed for likely excluded: 2.5 (default 1.5)" in said and "Every other number" in said
    assert Settings.defaults().whose("segments").startswith("The segment rule is the default: judgement")
    table = s.segment_table().set_index("rule")
    assert table.loc["points needed for likely excluded", "whose value"] == "the council's"
    assert table.loc["points for a recorded age of 75+", "whose value"] == "default"


def test_a_stricter_publishing_rule_suppresses_8_and_rounds_to_10(tmp_path):
    s = load_settings(write(tmp_path, "publishing:\n  small_max: 10\n  round_to: 10\n  min_service_contacts: 50\n"
                                      "  max_service_reports: 12\n  min_nps_responses: 100\n"))
    p = s.publishing
    assert (p.min_service_contacts, p.max_service_reports, p.min_nps_responses) == (50, 12, 100)
    counts = pd.Series([3, 8, 10, 11, 14, 15, 1234])
    assert publish.suppress_counts(counts).tolist() == ["*", "10", "10", "10", "15", "15", "1,235"]  # the default
    with publish.using(p):
        assert publish.small_max() == 10 and publish.round_base() == 10
        assert publish.suppress_counts(counts).tolist() == ["*", "*", "*", "10", "10", "20", "1,230"]
        assert publish.gives_away(8, 100) and publish.gives_away(92, 100) and not publish.gives_away(11, 100)
        assert publish.pins_small_count("8%", "100")  # 8 of 95 to 104: only 8 shows as 8%
        frame = publish.download_frame(pd.DataFrame({"Contacts": [9, 26]}), ["Contacts"])
        assert frame.columns.tolist() == ["Contacts (rounded to 10; 1-10 blank)"]
        assert frame.iloc[:, 0].tolist() == [pd.NA, 30]
        assert "Counts of 1 to 10 are shown as * and other counts are rounded to the nearest 10 (the council's own " \
               "rule, stricter than the NHS England rule" in s.whose("publishing")
    assert publish.small_max() == 7  # the rule before is back after the block
    assert "the NHS England rule for sub-national tables" in Settings.defaults().whose("publishing")
    with pytest.raises(ValueError, match="never weaker"):
        publish.Publishing(small_max=3)


def test_review_precision_sizes_the_first_review_draw_capped_by_the_contacts_with_notes():
    rng = np.random.default_rng(0)
    c = pd.DataFrame({"demand": rng.choice(["failure", "value"], 2000, p=[0.2, 0.8]),
                      "demand_confidence": 0.9, "notes": ["a note"] * 1500 + [""] * 500})
    n3, why = review_layer.size_for_precision(c, 0.03)
    n5, _ = review_layer.size_for_precision(c, 0.05)
    share = why["provisional_share"]
    n0 = int(np.ceil(1.959964 ** 2 * share * (1 - share) / 0.03 ** 2))  # simple random sampling
    assert why["unadjusted"] == n0 and why["with_notes"] == 1500
    assert n3 == int(np.ceil(n0 / (1 + (n0 - 1) / 1500)))  # the finite-population correction
    assert n5 < n3 < 1482  # fewer than the fixed 1,500 asked of a 2,000-contact export
    assert review_layer.size_for_precision(c.head(100), 0.005)[0] <= int(c.head(100)["notes"].ne("").sum())


# ---- the same through the analysis: a council's settings, read from its processed folder -----------

MINE = """
analysis:
  deri_version: v1.2
  review: {precision: 0.05}
segments:
  excluded_threshold: 4.0
publishing:
  small_max: 10
"""


@pytest.fixture(scope="module")
def two_councils(tmp_path_factory):
    """One 2,000-contact export processed twice, each in a folder of its own (with a review folder of
    its own beside it): with no council.yaml, and with one setting the analysis, segments and publishing."""
    root = tmp_path_factory.mktemp("two")
    generate_demo(root / "raw", root / "key", DemoSpec(contacts=2000, seed=8))
    out = {}
    for name, text in (("defaults", None), ("mine", MINE)):
        if text is None:
            (root / "raw" / "council.yaml").unlink(missing_ok=True)
        else:
            write(root / "raw", text)
        processed = root / name / "processed"
        build_processed(root / "raw" / "sources.yaml", processed)
        out[name] = analysis.load_analysis(processed)
    publish.activate(publish.Publishing())  # each test puts in force the rule it needs
    return out


def test_the_councils_analysis_settings_are_used_when_no_options_are_given(two_councils):
    default, mine = two_councils["defaults"], two_councils["mine"]
    assert default.options == analysis.Options()
    assert mine.options == analysis.Options(deri_version="v1.2", review_precision=0.05)
    # the DERI version: the area scores used are v1.2's
    scores = mine.scored.set_index("lsoa_code")["deri_score"]
    assert not np.allclose(scores, default.scored.set_index("lsoa_code")["deri_score"].reindex(scores.index))
    assert np.allclose(scores, analysis.area_scores(mine.areas, "v1.2").set_index("lsoa_code")["deri_score"])
    # review precision: the first draw for a person, sized for +/- 5 points rather than 3
    [d3] = review_layer.draws(default.processed, review_layer.FAILURE_DEMAND)
    [d5] = review_layer.draws(mine.processed, review_layer.FAILURE_DEMAND)
    rows3, rows5 = review_layer.design(d3)["rows"], review_layer.design(d5)["rows"]
    assert rows5 < rows3 < 1482
    assert review_layer.design(d5)["asked"]["precision"] == 0.05
    with_notes = int(mine.contacts["notes"].fillna("").str.strip().ne("").sum())
    assert review_layer.design(d3)["n"] == review_layer.size_for_precision(default.contacts, 0.03)[0] <= with_notes
    # the segment rule: more points needed, fewer customers likely excluded
    excluded = {k: int((a.segments["segment"] == "likely_excluded").sum()) for k, a in two_councils.items()}
    assert excluded["mine"] < excluded["defaults"]
    assert "likely excluded: 4 (default 1.5)" in mine.council_settings.whose("segments")


def test_the_councils_publishing_rule_is_in_force_once_its_analysis_is_loaded(two_councils):
    analysis.load_analysis(two_councils["mine"].processed)
    assert publish.small_max() == 10 and publish.count_text(8) == "*"
    fig = headlines.compute(two_councils["mine"], with_savings=False)
    assert fig.get("failure_share") is not None
    analysis.load_analysis(two_councils["defaults"].processed)
    assert publish.small_max() == 7 and publish.count_text(8) == "10"


def test_an_explicit_review_size_still_wins(two_councils, tmp_path):
    from cxinsight.demand import load_taxonomy

    classified = two_councils["mine"].contacts
    processed = tmp_path / "processed"  # a review folder with nothing drawn yet beside it
    _, note = analysis._review(classified, analysis.Options(review_size=120, review_precision=0.05), processed, None,
                               load_taxonomy())
    [draw] = review_layer.draws(processed, review_layer.FAILURE_DEMAND)
    assert review_layer.design(draw)["n"] == 120 and "asked" not in review_layer.design(draw)


def test_a_changed_analysis_setting_is_a_new_analysis_with_the_new_option(two_councils, caplog):
    processed = two_councils["mine"].processed
    kept = (processed / "council.yaml").read_text(encoding="utf-8")
    # a same-size edit (the manifest lists the copy's size): the analysis key reads the settings themselves
    (processed / "council.yaml").write_text(kept.replace("precision: 0.05", "precision: 0.04"), encoding="utf-8")
    try:
        with caplog.at_level(logging.INFO, logger="cxinsight.analysis"):
            changed = analysis.load_analysis(processed)
        assert any("building it" in r.getMessage() for r in caplog.records)
        assert changed.options.review_precision == 0.04 and changed.options.deri_version == "v1.2"
    finally:
        (processed / "council.yaml").write_text(kept, encoding="utf-8")
