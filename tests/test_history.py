"""History mode: several councils and years, each council-year processed once, aggregated out of core.

Two small demo councils over two years each, beside two real public exports of other shapes (New
York 311: month-first dates, no customer numbers; FixMyStreet Cheltenham: no customer numbers), all
in a temporary folder. The aggregates are checked against an independent count made here with plain
pandas, on every engine, Dask on a local cluster included.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from cxinsight import history
from cxinsight.cli import main
from cxinsight.io import ExportError
from cxinsight.synthetic import DemoSpec, generate_demo

REAL = Path(__file__).parent / "data" / "real"
HISTORY = """\
councils:
  - name: Council A
    years:
      "2023-24": a/2023/sources.yaml
      "2024-25": a/2024/sources.yaml
  - name: Council B
    years:
      "2023-24": b/2023/sources.yaml
      "2024-25": b/2024/sources.yaml
  - name: New York 311 (sample)
    years:
      "2024": nyc311/sources.yaml
  - name: Cheltenham FixMyStreet (sample)
    years:
      "2025": fixmystreet_cheltenham/sources.yaml
"""


@pytest.fixture(scope="module")
def councils(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("history")
    for name, seed in (("a", 1), ("b", 2)):
        for year in (2023, 2024):
            spec = DemoSpec(contacts=1500, seed=100 * seed + year, start=f"{year}-04-01", end=f"{year + 1}-03-31")
            generate_demo(root / name / str(year), root / "keys" / name / str(year), spec)
    for real in ("nyc311", "fixmystreet_cheltenham"):
        shutil.copytree(REAL / real, root / real)
    (root / "history.yaml").write_text(HISTORY, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def built(councils) -> history.HistoryResult:
    return history.build_history(councils / "history.yaml", councils / "out")


def independent_count(files: list[Path]) -> pd.DataFrame:
    """The same aggregates, the naive way: every file in memory at once, one group-by."""
    frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    for k in history.KEYS:
        frame[k] = frame[k].astype(str)
    g = frame.groupby(history.KEYS).agg(contacts=("contact_id", "size"), repeats=("is_repeat", "sum")).reset_index()
    return g.astype({"contacts": "int64", "repeats": "int64"}).sort_values(history.KEYS).reset_index(drop=True)


def test_every_council_year_is_processed_with_every_row_accounted_for(built):
    s = built.status
    assert list(zip(s["council"], s["year"], strict=True)) == [
        ("Council A", "2023-24"), ("Council A", "2024-25"), ("Council B", "2023-24"), ("Council B", "2024-25"),
        ("New York 311 (sample)", "2024"), ("Cheltenham FixMyStreet (sample)", "2025")]
    assert (s["status"] == "processed").all()
    assert (s["rows_in"] == s["rows_clean"] + s["rows_quarantined"]).all()
    for f, n in zip(built.files, s["contacts"], strict=True):
        assert len(pd.read_parquet(f, columns=["contact_id"])) == n > 0
        assert f.parent.parent.name.startswith("council=") and f.parent.name.startswith("year=")


def test_free_text_never_reaches_the_history(built):
    for f in built.files:
        columns = pd.read_parquet(f).columns
        assert "notes" not in columns and "demand_evidence" not in columns
        assert list(columns) == history.COLUMNS


def test_aggregates_equal_an_independent_count_on_every_local_engine(built):
    expected = independent_count(built.files)
    for engine in ("duckdb", "pandas"):
        got = history.aggregate(built.out, engine=engine)
        pd.testing.assert_frame_equal(got, expected, check_dtype=True)
    assert int(expected["contacts"].sum()) == int(built.status["contacts"].sum())


@pytest.mark.slow  # history mode end to end: in `make test-slow` and CI (issue 31: `make test` in under 3 minutes)
def test_dask_on_a_local_cluster_gives_the_same_aggregates(built):
    from distributed import LocalCluster

    local = history.aggregate(built.out)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        on_dask = history.aggregate(built.out, scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(on_dask, local)


def test_exports_without_customer_numbers_count_as_such(built):
    a = history.aggregate(built.out)
    nyc = a.loc[a["council"] == "new-york-311-sample"]
    assert len(nyc) and (nyc["segment"] == history.NO_CUSTOMER).all()
    demo = a.loc[a["council"] == "council-a"]
    assert {"self_serve", "likely_excluded", history.NO_CUSTOMER} <= set(demo["segment"])


def test_yearly_summary_matches_the_aggregates(built):
    a = history.aggregate(built.out)
    table = history.yearly(a)
    assert len(table) == 6
    row = table.set_index(["council", "year"]).loc[("council-b", "2024-25")]
    part = a.loc[(a["council"] == "council-b") & (a["year"] == "2024-25")]
    assert row["contacts"] == part["contacts"].sum()
    assert row["failure_share"] == pytest.approx(part.loc[part["demand"] == "failure", "contacts"].sum()
                                                 / part["contacts"].sum())
    assert 0.2 < row["failure_share"] < 0.7  # the demo plants about 40% failure demand


def test_an_unchanged_council_year_is_not_redone_and_a_changed_one_is(councils, built, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(councils, root, ignore=shutil.ignore_patterns("out"))
    shutil.copytree(councils / "out", root / "out")
    stamps = {f: f.stat().st_mtime_ns for f in (root / "out" / "units").rglob("contacts.parquet")}
    again = history.build_history(root / "history.yaml", root / "out")
    assert (again.status["status"] == "unchanged").all()
    assert {f: f.stat().st_mtime_ns for f in stamps} == stamps
    # one raw file of one year changes (a late correction re-exported): only that year is redone
    crm = sorted((root / "b" / "2024" / "crm").glob("*.csv"))[0]
    crm.write_bytes(crm.read_bytes().replace(b"\r\n", b"\n"))
    changed = history.build_history(root / "history.yaml", root / "out").status.set_index(["council", "year"])
    assert changed.loc[("Council B", "2024-25"), "status"] == "processed"
    assert (changed.drop(("Council B", "2024-25"))["status"] == "unchanged").all()


def test_adding_a_year_processes_only_that_year_and_a_half_written_one_is_redone(councils, built, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(councils, root, ignore=shutil.ignore_patterns("out"))
    shutil.copytree(councils / "out", root / "out")
    generate_demo(root / "a" / "2025", root / "keys" / "a" / "2025",
                  DemoSpec(contacts=1500, seed=2125, start="2025-04-01", end="2026-03-31"))
    text = HISTORY.replace('"2024-25": a/2024/sources.yaml', '"2024-25": a/2024/sources.yaml\n      "2025-26": a/2025/sources.yaml')
    (root / "history.yaml").write_text(text, encoding="utf-8")
    (root / "out" / "units" / "council=council-b" / "year=2023-24" / "unit.json").unlink()  # a run killed there
    s = history.build_history(root / "history.yaml", root / "out").status.set_index(["council", "year"])["status"]
    assert s[("Council A", "2025-26")] == "processed" and s[("Council B", "2023-24")] == "processed"
    assert (s.drop([("Council A", "2025-26"), ("Council B", "2023-24")]) == "unchanged").all()
    listed = json.loads((root / "out" / "history.json").read_text(encoding="utf-8"))["units"]
    assert len(listed) == 7 and len(history.aggregate(root / "out")["year"].unique()) == 5


def test_aggregates_read_only_the_council_years_the_history_lists(councils, built, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(councils, root, ignore=shutil.ignore_patterns("out"))
    shutil.copytree(councils / "out", root / "out")
    (root / "history.yaml").write_text(HISTORY.split("  - name: New York")[0], encoding="utf-8")
    history.build_history(root / "history.yaml", root / "out")
    assert set(history.aggregate(root / "out")["council"]) == {"council-a", "council-b"}


@pytest.mark.parametrize("text, expected", [
    ("councils: []\n", "a list of councils"),
    ("councils:\n  - name: A\n    years:\n      last year: a/2023/sources.yaml\n", "expected a year as YYYY"),
    ("councils:\n  - name: A\n    years:\n      '2023': ../elsewhere/sources.yaml\n", "must be a sources file inside"),
    ("councils:\n  - name: A\n    years:\n      '2023': a/2023/sources.yaml\n"
     "  - name: a!\n    years:\n      '2024': a/2024/sources.yaml\n", "same folder name"),
    ("councils:\n  - name: A\n    years:\n      '2023': a/1999/sources.yaml\n", "does not exist"),
])
def test_a_bad_history_file_names_the_file_what_was_expected_and_what_was_found(councils, text, expected, tmp_path):
    path = councils / f"bad_{abs(hash(text))}.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises((ExportError, FileNotFoundError), match=expected) as err:
        history.History.read(path)
    assert path.name in str(err.value)


def test_unknown_engine_and_dask_without_a_scheduler_are_clear_errors(built):
    with pytest.raises(ValueError, match="expected 'duckdb', 'pandas' or 'dask'"):
        history.aggregate(built.out, engine="spark")
    with pytest.raises(ValueError, match="needs scheduler"):
        history.aggregate(built.out, engine="dask")


@pytest.mark.slow  # history mode end to end: in `make test-slow` and CI (issue 31: `make test` in under 3 minutes)
def test_the_command_writes_aggregates_and_a_formula_safe_yearly_table(councils, built, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(councils, root, ignore=shutil.ignore_patterns("out"))
    text = HISTORY.replace("name: Council A", "name: '=HYPERLINK(\"http://x\")'").replace(
        "name: Council B", "name: '<script>alert(1)</script> *B*'")
    (root / "history.yaml").write_text(text, encoding="utf-8")
    assert main(["-q", "history", str(root / "history.yaml"), "--out", str(root / "out")]) == 0
    assert len(pd.read_parquet(root / "out" / "aggregates.parquet")) > 0
    yearly = pd.read_csv(root / "out" / "yearly.csv", encoding="utf-8-sig")
    assert len(yearly) == 6 and not yearly["council"].str.startswith("=").any()
    # the year-on-year page, beside the history it reads, with the councils' names shown, never run
    page = (root / "out" / "report" / "index.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Year on year" in page and "a clear change" in page and "Part years" in page
    assert "Demonstration" not in page  # real exports (and the small demo councils of this history file)
    assert main(["-q", "history", str(root / "missing.yaml")]) == 2  # a clear error, no traceback


def test_year_on_year_changes_are_the_yearly_shares_set_beside_the_year_before(built):
    """``history.changes``: each share is :func:`yearly`'s, its interval holds it, each year after a
    council's first is compared with that council's year before, and a change is called clear
    exactly when its 95% interval leaves out zero."""
    table = history.yearly(history.aggregate(built.out))
    changes = history.changes(table)
    assert len(changes) == len(table) * len(history.SHARES)
    merged = changes.merge(table, on=["council", "year"])
    for measure, (_, numerator, base) in history.SHARES.items():
        rows = merged.loc[(merged["measure"] == measure) & (merged[base] > 0)]
        assert ((rows["share"] - rows[numerator] / rows[base]).abs() < 1e-12).all()
        assert ((rows["low"] <= rows["share"]) & (rows["share"] <= rows["high"])).all()
    compared = changes.loc[changes["verdict"].isin(["a clear change", "within the noise"])]
    assert set(compared["council"]) == {"council-a", "council-b"}  # the two councils with two years
    clear = (compared["change_low"] > 0) | (compared["change_high"] < 0)
    assert (clear == (compared["verdict"] == "a clear change")).all()
    first = changes.loc[changes["verdict"] == "first year"]
    assert len(first) == 4 * len(history.SHARES) and first["change"].isna().all()


@pytest.mark.slow  # history mode end to end: in `make test-slow` and CI (issue 31: `make test` in under 3 minutes)
def test_the_demo_history_page_finds_the_change_that_was_planted(tmp_path):
    """``cxinsight demo --history``: Demo Borough's residents can do more online in its second year
    (planted in ``DEMO_HISTORY``), Demo District's cannot. The year-on-year figures find the
    Borough's share online clearly up and the District's within the noise, and the page says so."""
    from cxinsight.synthetic import DEMO_HISTORY

    assert DEMO_HISTORY["Demo Borough"]["2024-25"][0] > DEMO_HISTORY["Demo Borough"]["2023-24"][0]
    assert DEMO_HISTORY["Demo District"]["2024-25"] == DEMO_HISTORY["Demo District"]["2023-24"]
    assert main(["-q", "demo", "--history", "--out", str(tmp_path / "raw"), "--contacts", "3000"]) == 0
    assert main(["-q", "history", str(tmp_path / "raw" / "history.yaml"), "--out", str(tmp_path / "out")]) == 0
    changes = history.changes(history.yearly(history.aggregate(tmp_path / "out")))
    online = changes.loc[(changes["measure"] == "digital_share") & (changes["year"] == "2024-25")].set_index("council")
    assert online.loc["demo-borough", "verdict"] == "a clear change" and online.loc["demo-borough", "change"] > 0
    assert online.loc["demo-district", "verdict"] == "within the noise"
    page = (tmp_path / "out" / "report" / "index.html").read_text(encoding="utf-8")
    assert "Demo Borough: " in page and "a clear change" in page
    assert "Demonstration: these figures come from a synthetic council" in page  # the demo says it is one


def test_yearly_with_130_councils_as_categories():
    # a county's benchmarking can pool many councils: 127+ categories once made the months' reindex fail
    councils = [f"council {i:03d}" for i in range(130)]
    a = pd.DataFrame({"council": pd.Categorical(councils * 2), "year": pd.Categorical(["2024"] * 260),
                      "month": ["2024-05"] * 130 + ["2024-06"] * 130, "service": "waste", "channel": "web",
                      "demand": "value", "failure_type": "", "segment": "self_serve", "contacts": 2, "repeats": 0})
    table = history.yearly(a)
    assert len(table) == 130 and (table["months"] == 2).all() and (table["contacts"] == 4).all()
    # and a history whose every count is 0 (each council's months then empty)
    empty = history.yearly(a.assign(contacts=0))
    assert len(empty) == 130 and (empty["months"] == 0).all()
