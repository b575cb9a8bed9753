"""Running notebooks: a warm kernel is reused without one notebook's state reaching the next."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from cxinsight.report import NotebookFailed, WarmKernel, execute

KERNELSPEC = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}


def _notebook(path, *sources):
    cells = [new_code_cell("x = None", metadata={"tags": ["parameters"]})] + [new_code_cell(s) for s in sources]
    nbformat.write(new_notebook(cells=cells, metadata=KERNELSPEC), path)
    return path


def _printed(executed) -> str:
    nb = json.loads(executed.read_text(encoding="utf-8"))
    text = [o.get("text", "") for c in nb["cells"] if c["cell_type"] == "code"
            for o in c.get("outputs", []) if o.get("output_type") == "stream"]
    return "".join("".join(t) if isinstance(t, list) else t for t in text)


def test_a_warm_kernel_is_reused_and_keeps_nothing_of_the_last_notebook(tmp_path):
    first = _notebook(tmp_path / "first.ipynb", "import os, pandas as pd, matplotlib\nleft_behind = 1\n"
                      "pd.set_option('display.max_colwidth', 7)\nmatplotlib.rcParams['lines.linewidth'] = 9\n"
                      "os.chdir('/')\nprint('pid', os.getpid())")
    second = _notebook(tmp_path / "second.ipynb", "import os, sys, pandas as pd, matplotlib\nprint('pid', os.getpid())\n"
                       "print('left', 'left_behind' in dir())\nprint('width', pd.get_option('display.max_colwidth'))\n"
                       "print('line', matplotlib.rcParams['lines.linewidth'])\nprint('x', x)\nprint('cwd', os.getcwd())")
    warm = WarmKernel()
    try:
        a = _printed(execute(str(first), tmp_path / "out" / "first.ipynb", {"x": "1"}, warm=warm))
        b = _printed(execute(str(second), tmp_path / "out" / "second.ipynb", {"x": "2"}, warm=warm))
    finally:
        warm.shutdown()
    assert a.split()[1] == b.split()[1], "the second notebook should run on the same kernel"
    assert "left False" in b and "width 50" in b and "x 2" in b and "line 1.5" in b
    assert f"cwd {tmp_path}" in b


def test_a_kernel_that_grew_too_large_is_replaced(tmp_path):
    nb = _notebook(tmp_path / "nb.ipynb", "import os\nprint('pid', os.getpid())")
    warm = WarmKernel(max_bytes=1)  # every kernel is "too large"
    try:
        pids = {_printed(execute(str(nb), tmp_path / f"out{i}.ipynb", warm=warm)).split()[1] for i in range(2)}
    finally:
        warm.shutdown()
    assert len(pids) == 2


def test_a_failing_notebook_on_a_warm_kernel_fails_and_the_kernel_still_serves(tmp_path):
    broken = _notebook(tmp_path / "broken.ipynb", "raise ValueError('service not found')")
    fine = _notebook(tmp_path / "fine.ipynb", "print('ran', x)")
    warm = WarmKernel()
    try:
        with pytest.raises(NotebookFailed, match="service not found"):
            execute(str(broken), tmp_path / "out" / "broken.ipynb", warm=warm)
        assert "ran 3" in _printed(execute(str(fine), tmp_path / "out" / "fine.ipynb", {"x": "3"}, warm=warm))
    finally:
        warm.shutdown()
    assert warm.km is None


def test_a_notebook_that_fails_is_still_written_once_with_its_error(tmp_path):
    broken = _notebook(tmp_path / "broken.ipynb", "print('before')", "raise ValueError('no such service')")
    target = tmp_path / "out" / "broken.ipynb"
    with pytest.raises(NotebookFailed, match="no such service"):
        execute(str(broken), target)
    cells = json.loads(target.read_text(encoding="utf-8"))["cells"]
    assert [o.get("ename") for o in cells[-1]["outputs"] if o["output_type"] == "error"] == ["ValueError"]
    assert "before" in _printed(target)

