"""Run the analysis notebooks and turn them into HTML for heads of service.

Each notebook is executed with papermill (parameters injected, run in its own folder), its
recorded status is checked (not only the exit code), and it is converted with nbconvert to HTML
with no code and no prompts; cells tagged ``invariant`` (assertions) are left out.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from cxinsight import paths

log = logging.getLogger(__name__)

NOTEBOOKS: tuple[str, ...] = ("01_data_quality.ipynb", "02_failure_demand.ipynb", "03_digital_exclusion.ipynb",
                             "04_channel_shift.ipynb", "05_complaints.ipynb", "06_customer_experience.ipynb")
HIDDEN_TAGS = {"invariant", "remove", "evaluation"}


class NotebookFailed(RuntimeError):
    """A notebook did not run to the end."""


def notebook_dir() -> Path:
    return paths.project_root() / "notebooks"


def execute(notebook: str, out_dir: Path, parameters: dict | None = None) -> Path:
    """Execute one notebook into ``out_dir`` and check its recorded status."""
    import papermill as pm

    src = notebook_dir() / notebook
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / notebook
    params = {k: (str(v) if isinstance(v, Path) else v) for k, v in (parameters or {}).items()}
    pm.execute_notebook(str(src), str(target), parameters=params, cwd=str(src.parent),
                        progress_bar=False, log_output=False, kernel_name="python3")
    nb = json.loads(target.read_text(encoding="utf-8"))
    status = nb.get("metadata", {}).get("papermill", {}).get("exception")
    errors = [c for c in nb["cells"] if c.get("cell_type") == "code"
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    if status or errors:
        raise NotebookFailed(f"{notebook}: execution recorded an error; see {target}")
    return target


def to_html(executed: Path, html_path: Path) -> Path:
    """Convert an executed notebook to code-free HTML."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = set(HIDDEN_TAGS)
    config.TagRemovePreprocessor.enabled = True
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    exporter = HTMLExporter(config=config)
    exporter.register_preprocessor("nbconvert.preprocessors.TagRemovePreprocessor", enabled=True)
    body, _ = exporter.from_filename(str(executed))
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(body, encoding="utf-8")
    return html_path


def build_reports(sources: Path | str | None = None, reports: Path | str | None = None) -> list[Path]:
    """Execute every notebook on ``sources`` (default: the demo) and write HTML to ``reports``."""
    out = Path(reports) if reports else paths.reports_dir()
    executed_dir = out / "_executed"
    written = []
    for i, nb in enumerate(NOTEBOOKS, start=1):
        t0 = time.perf_counter()
        log.info("[%d/%d] running %s", i, len(NOTEBOOKS), nb)
        params = {"sources": str(sources)} if sources else {}
        executed = execute(nb, executed_dir, params)
        html_path = to_html(executed, out / nb.replace(".ipynb", ".html"))
        written.append(html_path)
        log.info("[%d/%d] %s -> %s (%.0f s)", i, len(NOTEBOOKS), nb, html_path.name, time.perf_counter() - t0)
    return written
