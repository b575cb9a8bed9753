"""The demo council generator: seeded, messy in the planted ways, calibrated, with an answer key."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from cxinsight.io import detect_encoding, read_raw
from cxinsight.profile import load_profile
from cxinsight.synthetic import DemoSpec, generate_demo
from cxinsight.synthetic.council import FAILURE_SHARE, bank_holidays


def _digest(folder):
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*.csv")):
        h.update(p.read_bytes())
    return h.hexdigest()


def test_same_seed_same_exports_different_seed_different(tmp_path):
    a = generate_demo(tmp_path / "a", tmp_path / "ka", DemoSpec(contacts=3_000, seed=1))
    b = generate_demo(tmp_path / "b", tmp_path / "kb", DemoSpec(contacts=3_000, seed=1))
    generate_demo(tmp_path / "c", tmp_path / "kc", DemoSpec(contacts=3_000, seed=2))
    assert a["contacts"] == b["contacts"] == 3_000
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b") != _digest(tmp_path / "c")


def test_exports_are_as_messy_as_promised(demo):
    crm = sorted((demo["raw"] / "crm").glob("*.csv"))
    assert [detect_encoding(p) for p in crm] == ["utf-8", "cp1252", "utf-8-sig", "utf-8"]
    profile = load_profile("demo_crm")
    raws = [read_raw(p, profile)[0] for p in crm]
    channels = set(pd.concat([r["Channel"] for r in raws]).str.strip())
    assert len(channels) >= 20, channels  # many spellings of the 7 channels
    assert {"Phone", "TEL", "telephone ", "F2F", "Face to Face", "Web form", "Online", "E-mail", "Webchat",
            "Letter", "Social media"} <= set(pd.concat([r["Channel"] for r in raws]))
    assert read_raw(crm[3], profile)[2]["delimiter"] == ";"
    notes = pd.concat([r["Notes"] for r in raws])
    assert notes.nunique() > 1_000  # hundreds of distinct phrasings, shorthand and typos
    assert notes.str.contains(r"\bcust\b|\bCT\b|\bHB\b|\bpls\b|\bappt\b", regex=True).mean() > 0.05
    assert (demo["raw"] / "survey").glob("*.xlsx")


def test_at_least_eight_services_and_seven_channels(demo):
    truth = demo["key"]["contacts_truth"]
    assert truth["service"].nunique() >= 8
    assert truth["channel"].nunique() >= 7


def test_phone_and_counter_contacts_keep_office_hours(demo):
    truth = demo["key"]["contacts_truth"]
    office = truth.loc[truth["channel"].isin(["phone", "face_to_face"])]
    assert office["received_at"].dt.hour.between(8, 17).all()
    assert (office["received_at"].dt.day_of_week < 5).all()
    holidays = bank_holidays("2024-04-01", "2025-03-31").astype("datetime64[ns]")
    assert not office["received_at"].dt.normalize().isin(holidays).any()
    web = truth.loc[truth["channel"] == "web"]
    assert (web["received_at"].dt.day_of_week >= 5).mean() > 0.1  # the web never closes
    monthly = truth.loc[truth["service"] == "council_tax"].groupby(truth["received_at"].dt.month).size()
    assert monthly[4] > 1.5 * monthly[12]  # annual bills land in April


def test_planted_failure_shares_are_realised(demo):
    truth = demo["key"]["contacts_truth"]
    realised = truth.groupby("service")["demand"].apply(lambda s: (s == "failure").mean())
    for service, share in FAILURE_SHARE.items():
        assert abs(realised[service] - share) < 0.03, service
    assert 0.35 < (truth["demand"] == "failure").mean() < 0.6  # domain.md: 40-60% typical


def test_digital_capability_shapes_channel_use(demo):
    truth = demo["key"]["contacts_truth"]
    customers = demo["key"]["customers_truth"].set_index("customer_id")
    known = truth.loc[truth["customer_id"] != ""]
    cap = known["customer_id"].map(customers["digital_capability"])
    digital = known["channel"].isin(["web", "email", "webchat", "social"])
    share = digital.groupby(cap).mean()
    assert share["self_serve"] > share["could_shift_with_support"] > share["likely_excluded"]
    assert share["likely_excluded"] < 0.05
    caps = customers["digital_capability"].value_counts(normalize=True)
    assert caps["likely_excluded"] == pytest.approx(0.18, abs=0.01)
    older = customers["age"] >= 75
    assert (customers.loc[older, "digital_capability"] == "likely_excluded").mean() > 0.4


def test_answer_key_is_complete(demo):
    key = demo["key"]
    assert len(key["contacts_truth"]) == 40_000
    assert set(key["contacts_truth"]["demand"]) == {"failure", "value"}
    assert key["contacts_truth"].loc[key["contacts_truth"]["demand"] == "failure", "failure_type"].ne("").all()
    assert {"duplicate_row", "blank_row", "impossible_date", "negative_duration", "excel_serial_date",
            "excel_error_value", "leading_zeros_stripped", "mixed_date_format", "missing_channel",
            "embedded_newline", "overlapping_extract", "out_of_range_score"} <= set(key["defects"]["defect"])
    assert set(key["pii"]["table"]) == {"contacts", "complaints", "survey"}
    assert key["planted"]["seed"] == 7


def test_complaints_follow_the_working_day_truth(demo):
    c = demo["key"]["complaints_truth"]
    holidays = bank_holidays("2024-04-01", "2025-12-31")
    ack = np.busday_count(c["received"].to_numpy("datetime64[D]"), c["acknowledged"].to_numpy("datetime64[D]"),
                          holidays=holidays)
    stage1 = c["stage"] == 1
    assert (ack[stage1] == c.loc[stage1, "ack_working_days"]).mean() > 0.9  # received on a weekend rolls
    assert 0.1 < (c["stage"] == 2).sum() / stage1.sum() < 0.2


def test_scale_reaches_six_million():
    spec = DemoSpec(contacts=6_000_000)
    assert spec.residents == 4_000_000 and spec.n_customers == 1_800_000
    assert spec.n_lsoas == pytest.approx(2_667, abs=1)
