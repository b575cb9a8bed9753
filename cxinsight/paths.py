"""Where the project keeps its data and reports.

The folders beside the processed data (interim, review, figures) are named from it by
:func:`cxinsight.catalog.layer_dir`. Paths are anchored to the package, never to the current directory (nbval runs a notebook in
its own folder, papermill in the caller's). Two environment variables move them:

- ``CXINSIGHT_DATA_DIR``: the folder holding ``raw/`` and ``processed/`` (default ``data/``);
- ``CXINSIGHT_REPORTS_DIR``: where generated reports go (default ``reports/``).

>>> project_root().joinpath("pyproject.toml").exists()
True
>>> raw_dir().name
'raw'
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The repository root (the folder holding ``pyproject.toml``)."""
    return Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    """The data folder: ``$CXINSIGHT_DATA_DIR`` or ``<root>/data``."""
    env = os.environ.get("CXINSIGHT_DATA_DIR")
    return Path(env).resolve() if env else project_root() / "data"


def raw_dir() -> Path:
    """Exports as the council's systems wrote them. Read-only."""
    return data_dir() / "raw"


def processed_dir() -> Path:
    """Typed, validated, redacted Parquet written by :func:`cxinsight.pipeline.build_processed`."""
    return data_dir() / "processed"


def history_dir() -> Path:
    """Several councils' and years' classified contacts, partitioned (:mod:`cxinsight.history`)."""
    return data_dir() / "history"


def reports_dir() -> Path:
    """Generated HTML reports: ``$CXINSIGHT_REPORTS_DIR`` or ``<root>/reports``."""
    env = os.environ.get("CXINSIGHT_REPORTS_DIR")
    return Path(env).resolve() if env else project_root() / "reports"


def public_data_dir() -> Path | None:
    """Real public data (GMCA DERI, IMD 2019): ``$CXINSIGHT_PUBLIC_DATA`` or ``../shared/data``
    beside the project; ``None`` when neither exists. The project never copies it in."""
    env = os.environ.get("CXINSIGHT_PUBLIC_DATA")
    candidate = Path(env) if env else project_root().parent / "shared" / "data"
    return candidate if candidate.exists() else None


def demo_raw_dir() -> Path:
    """The synthetic demo council's raw exports (``make demo-data``)."""
    return raw_dir() / "demo"


def demo_answer_key_dir() -> Path:
    """The demo's answer key: read by tests and evaluation cells only, never by the analysis."""
    return raw_dir() / "demo_answer_key"


def demo_sources() -> Path:
    """The sources file listing the demo's exports and the profile that reads each."""
    return demo_raw_dir() / "sources.yaml"


def answer_key_for(processed: Path | str | None = None) -> Path | None:
    """The demo's answer key, but only when ``processed`` was built from the demo's own exports
    (every file in its manifest is a demo file of the same size); ``None`` for a council's data,
    so evaluation cells never mark real data against the synthetic truth."""
    import json

    manifest = Path(processed or processed_dir()) / "manifest.json"
    key, raw = demo_answer_key_dir(), demo_raw_dir()
    if not (manifest.exists() and key.exists() and raw.exists()):
        return None
    files = json.loads(manifest.read_text(encoding="utf-8")).get("files", [])
    sizes = {p.name: p.stat().st_size for p in raw.rglob("*") if p.is_file()}
    ours = files and all(sizes.get(f["file"]) == f["bytes"] for f in files)
    return key if ours else None
