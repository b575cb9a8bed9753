"""The tests' 40,000-contact demo council, built once for every worker and every run of the same code.

``make test`` builds it before the parallel workers start (``python -m tests.built_once``); the
``demo`` fixture in ``conftest.py`` then copies it into the worker's own temporary folder and reads
the pipeline's result back, instead of each worker generating and processing the same council again.

The build is kept under ``.test/fixtures/demo-<key>``, where the key is a hash of everything that
could change it: the demo's spec, every file of the ``cxinsight`` package, the tests' pseudonym key
and the versions of pandas, pyarrow and numpy. Change any of them and the next run builds afresh (and
removes the build it replaces). Two processes asking at once build it once: the second waits on a lock
and reads what the first wrote.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import pickle
import shutil
import tempfile
from pathlib import Path

from cxinsight.pipeline import PipelineResult, build_processed
from cxinsight.synthetic import DemoSpec, generate_demo

log = logging.getLogger(__name__)

PROJECT = Path(__file__).resolve().parents[1]
CACHE = PROJECT / ".test" / "fixtures"
TEST_SPEC = DemoSpec(contacts=40_000, seed=7)
RESULT = "result.pickle"
# The tests' own pseudonym key, never the analyst's (as conftest.py and make test set it)
os.environ.setdefault("CXINSIGHT_PSEUDONYM_KEY_FILE", str(PROJECT / ".test" / "pseudonym.key"))


def build_key(spec: DemoSpec) -> str:
    """A hash of the spec, the package's files, the pseudonym key and the numerical libraries' versions."""
    import numpy
    import pandas
    import pyarrow

    from cxinsight.pseudonym import key_path

    h = hashlib.sha256(repr(spec).encode())
    h.update(f"{pandas.__version__} {pyarrow.__version__} {numpy.__version__}".encode())
    for f in sorted((PROJECT / "cxinsight").rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts:
            h.update(f.relative_to(PROJECT).as_posix().encode())
            h.update(f.read_bytes())
    key = key_path()
    h.update(key.read_bytes() if key.exists() else b"no key yet")
    return h.hexdigest()[:16]


def built(spec: DemoSpec = TEST_SPEC, cache: Path = CACHE) -> Path:
    """The folder holding the demo's ``raw``, ``key``, ``processed`` and the pipeline's pickled result,
    built now if this code has not built it before."""
    from cxinsight.pseudonym import load_key

    load_key()  # the key is part of the build's name: make it before hashing, not during the build
    done = cache / f"demo-{build_key(spec)}"
    if (done / RESULT).exists():
        return done
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (done / RESULT).exists():
            for dead in cache.glob(".building-*"):  # we hold the lock: a half-built folder is a killed build's
                shutil.rmtree(dead, ignore_errors=True)
            log.info("building the tests' demo council (%s contacts) in %s", f"{spec.contacts:,}", done)
            work = Path(tempfile.mkdtemp(dir=cache, prefix=".building-"))
            generate_demo(work / "raw", work / "key", spec)
            result = build_processed(work / "raw" / "sources.yaml", work / "processed")
            result.written = {k: Path(v).name for k, v in result.written.items()}  # relative to processed
            (work / RESULT).write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
            for old in cache.glob("demo-*"):
                shutil.rmtree(old, ignore_errors=True)
            work.rename(done)
    return done


def copy_of(folder: Path, into: Path) -> tuple[Path, PipelineResult]:
    """A worker's own copy of a build (tests write analyses and figures beside its processed tables)
    and the pipeline's result, its written files pointing into the copy."""
    shutil.copytree(folder, into, dirs_exist_ok=True)
    result = pickle.loads((into / RESULT).read_bytes())
    result.written = {k: into / "processed" / v for k, v in result.written.items()}
    return into, result


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(message)s")  # the pipeline's own lines are for analysts
    log.setLevel(logging.INFO)
    built()
