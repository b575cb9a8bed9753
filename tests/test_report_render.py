"""The report's pages are rendered from autoescaped templates, and the package that writes them
imports no plotting library (the charts are drawn in the notebooks' kernels)."""

from __future__ import annotations

import json
import subprocess
import sys

from cxinsight.headlines import Headline
from cxinsight.htmlcheck import problems, read_page
from cxinsight.report import check_pages, page, write_index

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_the_report_package_imports_no_plotting_library(tmp_path):
    code = ("import sys, json; import cxinsight.report as r; "
            "from cxinsight.report import render, gate, run; "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'seaborn'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_every_value_on_the_index_is_escaped(tmp_path):
    figures = [Headline("failure_share", "council", 0.3, 0.25, 0.35, 1200, "contacts"),
               Headline("failure_share", HOSTILE, 0.4, 0.3, 0.5, 300, "contacts",
                        changes=(("previous", HOSTILE, HOSTILE),))]
    index = write_index(tmp_path, figures, [HOSTILE], footer=HOSTILE, banner=HOSTILE, period=HOSTILE,
                        actions=[HOSTILE])
    text = index.read_text(encoding="utf-8")
    assert "<script" not in text and "<img src=x" not in text
    assert "&lt;script&gt;" in text
    found = problems(read_page(index))
    assert not [p for p in found if "not allowed" in p or "fetches" in p], found
    check_pages(tmp_path)  # the whole gate's page check passes on it


def test_a_page_marks_only_its_own_html_safe():
    html = page(HOSTILE, "<p>a notebook's body</p>", [(HOSTILE, "index.html")], HOSTILE, HOSTILE, HOSTILE)
    assert html.count("<script") == 0 and "<p>a notebook's body</p>" in html
    assert html.count("&lt;script&gt;") == 5
