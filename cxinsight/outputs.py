"""Output folders replaced as a set: a run that is killed part way leaves the previous complete outputs.

``data/processed`` and ``reports/`` are each built in a staging folder beside them
(``.processed.new-<pid>``) and swapped in only when the run has finished; a run that fails deletes
its staging folder, so nothing it wrote (pages a gate refused, data not yet checked) stays on disk.
On Linux the two folders are exchanged in one atomic step (``renameat2``); elsewhere the old folder
is renamed aside, the new one renamed into place and the old one removed, so at every moment there
is one complete folder: the target, or (between the two renames) the old one set aside, which
:func:`recover` puts back on the next run and :func:`cxinsight.pipeline.complete_folder` reads
meanwhile. A lock file (``.processed.lock``)
stops two runs writing the same folder at once; the operating system releases it when the process
ends, however it ends.

>>> import tempfile
>>> root = Path(tempfile.mkdtemp())
>>> with replacing(root / "out") as stage:
...     _ = (stage / "a.txt").write_text("first")
>>> (root / "out" / "a.txt").read_text()
'first'
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

#: Files in an output folder that the project keeps (committed), carried into each new version.
KEPT = ("README.md", ".gitkeep")


class RunInProgress(RuntimeError):
    """Another cxinsight run is writing the same output folder."""


def _fault(point: str, target: Path | None = None) -> None:
    """Test hook: ``CXINSIGHT_FAULT=<point>`` (or ``<point>@<folder name>``, for one output folder
    only) kills this process at ``point`` as SIGKILL would: nothing is cleaned up."""
    wanted = os.environ.get("CXINSIGHT_FAULT")
    if wanted and wanted in (point, f"{point}@{target.name if target else ''}"):
        os._exit(137)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _pid_of(path: Path) -> int | None:
    try:
        return int(path.name.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return None


def set_aside(target: Path) -> list[Path]:
    """Complete earlier versions of ``target`` a swap set aside (``.<name>.old-<pid>``), oldest first."""
    target = Path(target)
    if not target.parent.exists():
        return []
    return sorted(target.parent.glob(f".{target.name}.old-*"), key=lambda p: p.stat().st_mtime)


def recover(target: Path) -> None:
    """Put the last complete version of ``target`` back if a run was killed in the middle of a swap,
    and clear what killed runs left behind."""
    target = Path(target)
    parent = target.parent
    if not parent.exists():
        return
    olds = set_aside(target)
    if not target.exists() and olds:
        os.rename(olds[-1], target)
        log.warning("%s: a run was stopped while replacing this folder; the previous complete version is back",
                    target)
        olds = olds[:-1]
    for old in olds:
        shutil.rmtree(old, ignore_errors=True)
    for stage in parent.glob(f".{target.name}.new-*"):
        pid = _pid_of(stage)
        if pid is None or (pid != os.getpid() and not _alive(pid)):
            shutil.rmtree(stage, ignore_errors=True)


@contextmanager
def lock(target: Path) -> Iterator[None]:
    """Hold ``.<name>.lock`` beside ``target`` for the duration; :class:`RunInProgress` if another run has it."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    path = target.parent / f".{target.name}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            if os.name == "nt":  # pragma: no cover - Windows
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            raise RunInProgress(f"{target}: another cxinsight run (process {holder}) is writing this folder. "
                                "Wait for it to finish; two runs at once would mix their outputs.") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)


@contextmanager
def replacing(target: Path | str, kept: tuple[str, ...] = KEPT) -> Iterator[Path]:
    """Yield a staging folder; when the block ends without error, it replaces ``target`` as a whole.

    On an error the target is untouched and the staging folder is deleted: what a failed run wrote
    (pages a gate refused, data not yet checked for personal data) is not left on disk. A run that
    is killed cannot delete it; the next run does (:func:`recover`). Files named in ``kept`` (the
    folder's README) carry over.
    """
    target = Path(target).resolve()
    with lock(target):
        recover(target)
        stage = target.parent / f".{target.name}.new-{os.getpid()}"
        shutil.rmtree(stage, ignore_errors=True)
        stage.mkdir(parents=True)
        try:
            yield stage
        except BaseException:
            discard(stage)
            log.error("%s is unchanged; what this run had written is deleted", target)
            raise
        _fault("before-swap", target)
        for name in kept:
            if (target / name).exists() and not (stage / name).exists():
                shutil.copy2(target / name, stage / name)
        if target.exists() and _exchange(stage, target):
            # one atomic step: the new folder is the target, the old one is where the stage was
            _fault("after-swap", target)
            shutil.rmtree(stage, ignore_errors=True)
            return
        old = target.parent / f".{target.name}.old-{os.getpid()}"
        if target.exists():
            os.rename(target, old)
        _fault("mid-swap", target)
        os.rename(stage, target)
        _fault("after-swap", target)
        shutil.rmtree(old, ignore_errors=True)


def discard(stage: Path) -> None:
    """Delete a failed run's staging folder; a file that cannot be deleted is named, not hidden."""
    try:
        shutil.rmtree(stage)
    except OSError as exc:
        log.warning("could not delete all of %s (%s); the next run will", stage, exc)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step where the system can (Linux ``renameat2`` with
    ``RENAME_EXCHANGE``); False where it cannot, and the caller renames twice instead."""
    if os.environ.get("CXINSIGHT_NO_EXCHANGE") == "1" or not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0
