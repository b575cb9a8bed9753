"""Issue 26: any real export, any shape, any size: every run finishes. Each test here failed before
the fix it names (a crash found running a real export), on a small frame of the same shape.

| shape                                              | before                                    |
|----------------------------------------------------|-------------------------------------------|
| a reason code blank on some rows (a categorical)   | classify: "Cannot setitem on a Categorical" |
| 127+ services, a service page (top_drivers)        | "Buffer dtype mismatch ... int8_t"        |
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxinsight.demand import classify
from cxinsight.demand.measures import top_drivers


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
    for frame in (contacts, one, quiet, one.iloc[:0]):
        drivers = top_drivers(frame, by="service", top=3, examples=1)
        assert set(drivers["service"].astype(str)) <= set(frame["service"].astype(str))
        assert drivers["examples"].map(type).eq(str).all()
    drivers = top_drivers(one, by="service", top=3, examples=1)
    assert len(drivers) == 3 and drivers["examples"].ne("").any()
    assert top_drivers(quiet, by="service")["examples"].eq("").all()
