"""Channel-shift savings: a hand-worked case, properties, Monte Carlo and sensitivity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxinsight.savings import (
    SCENARIOS,
    Assumption,
    Inputs,
    SavingsAssumptions,
    annual_shift_saving,
    baseline,
    monte_carlo,
    npv,
    payback_year,
    project,
    replace,
    summarise,
    tornado,
)


def fixed(value: float) -> Assumption:
    return Assumption(value, value, value, "", "test")


def phone_only(volume: float = 100_000.0, shiftable: float = 100_000.0) -> Inputs:
    return Inputs(("phone", "web"), np.array([volume, 0.0]), np.array([shiftable, 0.0]), np.zeros(2), np.zeros(2))


def instant(share: float, one_off: float = 0.0) -> SavingsAssumptions:
    """Take-up at ``share`` from year 1, no assisted digital, no induced demand, no running cost."""
    return replace(SavingsAssumptions(), take_up_ceiling=fixed(share), take_up_midpoint=fixed(0.5),
                   take_up_steepness=fixed(60), assisted_digital_share=fixed(0), induced_demand=fixed(0),
                   one_off_investment=fixed(one_off), running_cost=fixed(0))


def test_hand_worked_example_saves_53600_a_year():
    """100,000 calls a year, 20% shifted from phone (£2.83) to web (£0.15)."""
    assert annual_shift_saving(100_000, 0.20, 2.83, 0.15) == pytest.approx(53_600)
    p = project(phone_only(), instant(0.20), ["digital_push"])
    assert p.loc[p["year"] >= 1, "net"].tolist() == pytest.approx([53_600] * 5)


def test_npv_and_payback_against_an_independent_calculation():
    independent_npv = sum(53_600 / 1.035 ** t for t in range(1, 6))
    p = project(phone_only(), instant(0.20), ["digital_push"])
    assert summarise(p)["npv"].iloc[0] == pytest.approx(independent_npv)
    assert independent_npv == pytest.approx(242_006.81, abs=0.01)
    with_cost = summarise(project(phone_only(), instant(0.20, one_off=100_000), ["digital_push"])).iloc[0]
    cumulative, year = -100_000.0, None
    for t in range(1, 6):
        cumulative += 53_600 / 1.035 ** t
        if cumulative >= 0 and year is None:
            year = t
    assert with_cost["payback_year"] == year == 2
    assert with_cost["npv"] == pytest.approx(independent_npv - 100_000)
    assert npv([-100, 60, 60], 0.035) == pytest.approx(-100 + 60 / 1.035 + 60 / 1.035 ** 2)
    assert payback_year([0, 10, 10], 0.035) is None  # nothing to pay back


def test_every_assumption_has_a_unit_and_a_source():
    table = SavingsAssumptions().table()
    assert (table["source"].str.len() > 3).all() and (table["unit"].str.len() > 0).all()
    assert table.set_index("assumption").loc["discount rate", "value"] == 0.035
    assert table.set_index("assumption").loc["unit cost: phone", "value"] == 2.83
    with pytest.raises(ValueError, match="outside its range"):
        Assumption(5, 0, 1, "", "")


def test_do_nothing_saves_nothing_and_scenarios_all_present():
    inputs = Inputs(("phone", "face_to_face", "web"), np.array([5e4, 1e4, 3e4]), np.array([2e4, 3e3, 0]),
                    np.array([2e4, 4e3, 1e4]), np.array([8e3, 1e3, 0]))
    p = project(inputs)
    assert set(p["scenario"]) == set(SCENARIOS)
    assert (p.loc[p["scenario"] == "do_nothing", "net"] == 0).all()
    s = summarise(p).set_index("scenario")
    assert s.loc["fix_failure_first", "npv"] != s.loc["digital_push", "npv"]


channel_volumes = st.lists(st.floats(0, 1e6), min_size=3, max_size=3)


@settings(max_examples=200, deadline=None)
@given(channel_volumes, st.lists(st.floats(0, 1), min_size=3, max_size=3), st.floats(0, 1), st.floats(0, 1),
       st.floats(0, 1), st.sampled_from(SCENARIOS))
def test_shifted_never_exceeds_shiftable_and_savings_never_exceed_baseline(volumes, shiftable_share, failure_share,
                                                                         ceiling, removal, scenario):
    volume = np.array(volumes)
    shiftable = volume * np.array(shiftable_share) * np.array([1, 1, 0])  # web is never shifted
    failure = volume * failure_share
    inputs = Inputs(("phone", "face_to_face", "web"), volume, shiftable, failure, shiftable * failure_share)
    a = replace(SavingsAssumptions(), take_up_ceiling=fixed(ceiling), failure_removal=fixed(removal))
    p = project(inputs, a, [scenario])
    assert (p["shifted"] <= shiftable.sum() + 1e-6).all()
    assert (p["gross_saving"] <= p["baseline_cost"] + 1e-6).all()


WIDE_INPUTS = Inputs(("phone", "face_to_face", "web"), np.array([8e4, 1e4, 5e4]), np.array([3e4, 4e3, 0.0]),
                     np.array([3e4, 4e3, 1e4]), np.array([1e4, 1e3, 0.0]))
CAPPED = {"take_up_ceiling", "assisted_digital_share", "failure_removal"}


def _widened(a: SavingsAssumptions, names, widen: float) -> SavingsAssumptions:
    changes = {}
    for name in names:
        spec = getattr(a, name)
        lo = max(0.0, spec.value - widen * (spec.value - spec.low))
        hi = spec.value + widen * (spec.high - spec.value)
        changes[name] = replace(spec, low=lo, high=min(hi, 1.0) if name in CAPPED else hi)
    return replace(a, **changes)


def _band(result) -> float:
    return float(np.percentile(result["npv"], 90) - np.percentile(result["npv"], 10))


@settings(max_examples=25, deadline=None)
@given(st.floats(1.0, 3.0), st.sampled_from(SCENARIOS[1:]))
def test_wider_input_ranges_never_narrow_the_p10_p90_band(widen, scenario):
    """Widening every uncertain range (same random numbers) never narrows the P10-P90 NPV band."""
    from cxinsight.savings import UNCERTAIN

    a = SavingsAssumptions()
    base = _band(monte_carlo(WIDE_INPUTS, a, scenario, draws=4000, seed=3))
    wider = _band(monte_carlo(WIDE_INPUTS, _widened(a, UNCERTAIN, widen), scenario, draws=4000, seed=3))
    assert wider >= base - 1e-6


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["take_up_ceiling", "running_cost", "assisted_digital_share", "induced_demand",
                        "failure_removal", "one_off_investment", "take_up_midpoint"]), st.floats(1.0, 3.0))
def test_widening_one_range_does_not_narrow_the_band_beyond_monte_carlo_noise(name, widen):
    """One input at a time: the band may wobble by sampling noise (a minor input interacting with
    others), never by more than 1% of its width."""
    a = SavingsAssumptions()
    base = _band(monte_carlo(WIDE_INPUTS, a, draws=4000, seed=3))
    assert _band(monte_carlo(WIDE_INPUTS, _widened(a, [name], widen), draws=4000, seed=3)) >= 0.99 * base


def test_monte_carlo_is_seeded_and_gives_ordered_bands():
    inputs = phone_only(shiftable=40_000)
    a, b = monte_carlo(inputs, seed=7), monte_carlo(inputs, seed=7)
    assert np.array_equal(a["npv"], b["npv"]) and len(a["npv"]) == 10_000
    bands = a["bands"]
    assert (bands["net_p10"] <= bands["net_p50"]).all() and (bands["net_p50"] <= bands["net_p90"]).all()


def test_tornado_is_sorted_by_swing_and_covers_unit_costs():
    t = tornado(phone_only(shiftable=40_000), scenario="digital_push")
    assert t["swing"].is_monotonic_decreasing
    assert {"unit cost: phone", "unit cost: web", "take up ceiling"} <= set(t["assumption"])


def test_baseline_costs_contacts_by_channel_with_overrides():
    contacts = pd.DataFrame({"service": ["waste", "waste", "parking"], "channel": ["phone", "web", "phone"]})
    b = baseline(contacts).set_index(["service", "channel"])
    assert b.loc[("waste", "phone"), "cost"] == pytest.approx(2.83)
    custom = replace(SavingsAssumptions(), service_unit_cost={("parking", "phone"): 4.10})
    assert baseline(contacts, custom).set_index(["service", "channel"]).loc[("parking", "phone"), "cost"] == 4.10
